"""The exercise calendar page over HTTP on both backends: the month grid in Oslo days, week
numbers, cancelled exercises struck through, the organisation filter, the list view, bad
query input answered 400, and the subscribe flow whose URL then opens the feed."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from beredskap.platform.auth.models import Role
from beredskap.platform.columns import utcnow
from exercises.models import Exercise, ExerciseStatus, ExerciseType
from exercises.times import to_utc
from tests.e2e.web_client import form_token, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness
from tests.support.ical_checks import check_rfc5545


def _exercise(api: ApiHarness, title: str, starts: datetime, ends: datetime, **kw: object) -> int:
    organisations = kw.pop("organisations", [])
    row = Exercise(
        title=title,
        type=kw.pop("kind", ExerciseType.TABLETOP),
        starts_at=to_utc("starts_at", starts),
        ends_at=to_utc("ends_at", ends),
        created_by="test",
        **kw,
    )
    row.organisations = list(organisations)  # type: ignore[call-overload]
    api.session.add(row)
    api.session.commit()
    return row.id


def _cell(html: str, day: str) -> str:
    """The grid cell of one date (data-date="2027-03-01")."""
    match = re.search(rf'<td [^>]*data-date="{day}">(.*?)</td>', html, flags=re.S)
    assert match, f"no cell for {day}"
    return match.group(1)


@pytest.fixture
def api(public_api: ApiHarness) -> ApiHarness:
    """Calendar links need BEREDSKAP_PUBLIC_URL: here the test client's own address."""
    return public_api


@pytest.fixture
def planner(api: ApiHarness) -> TestClient:
    return logged_in(api, ROLE_EMAILS[Role.PLANNER])


def test_the_month_grid_puts_exercises_on_their_oslo_day(
    api: ApiHarness, planner: TestClient
) -> None:
    # 00:30 in Oslo on 1 March is 23:30 UTC on 28 February: it belongs to March.
    early = _exercise(api, "Nattøvelse", datetime(2027, 3, 1, 0, 30), datetime(2027, 3, 1, 2, 0))
    spring = _exercise(
        api,
        "Varsling på sommertid",
        datetime(2027, 3, 28, 3, 30),
        datetime(2027, 3, 28, 4, 0),
        kind=ExerciseType.ALERT_DRILL,
    )
    page = planner.get("/exercises", params={"month": "2027-03"})
    assert page.status_code == 200, page.text
    html = page.text
    assert "Mars 2027" in html
    assert f'href="/exercises/{early}"' in _cell(html, "2027-03-01")
    assert "00:30" in _cell(html, "2027-03-01")
    assert f'href="/exercises/{spring}"' in _cell(html, "2027-03-28")
    assert "03:30" in _cell(html, "2027-03-28") and "Varslingsøvelse" in _cell(html, "2027-03-28")
    # Monday first: 1 March 2027 is a Monday (week 9); the grid ends on Sunday 4 April.
    days = re.findall(r'data-date="([\d-]+)"', html)
    assert days[0] == "2027-03-01" and days[-1] == "2027-04-04" and len(days) == 35
    assert re.search(r'class="week-number">9</th>', html)
    assert re.search(r'<td class="day day--outside[^"]*" data-date="2027-04-01"', html)
    assert not re.search(r'<td class="day day--outside[^"]*" data-date="2027-03-31"', html)
    assert 'href="/exercises?month=2027-02"' in html and 'href="/exercises?month=2027-04"' in html
    # English month names through Babel.
    english = logged_in(api, ROLE_EMAILS[Role.PLANNER], language="en")
    assert "March 2027" in english.get("/exercises", params={"month": "2027-03"}).text
    # February's grid (to Sunday 28 February, 23:59 in Oslo) does not show it.
    february = planner.get("/exercises", params={"month": "2027-02"}).text
    assert "Nattøvelse" not in february and 'data-date="2027-02-28"' in february


def test_cancelled_struck_filter_list_and_links(api: ApiHarness, planner: TestClient) -> None:
    cancelled = _exercise(
        api,
        "Avlyst øvelse",
        datetime(2027, 5, 4, 18, 0),
        datetime(2027, 5, 4, 20, 0),
        status=ExerciseStatus.CANCELLED,
        organisations=[api.own],
    )
    other = _exercise(
        api,
        "Annen øvelse",
        datetime(2027, 5, 6, 18, 0),
        datetime(2027, 5, 6, 20, 0),
        organisations=[api.other],
    )
    html = planner.get("/exercises", params={"month": "2027-05"}).text
    assert re.search(r'<del class="exercise--cancelled">Avlyst øvelse</del>', html)
    assert 'href="/exercises/new"' in html and 'href="/exercises/overdue"' in html
    filtered = planner.get(
        "/exercises", params={"month": "2027-05", "organisation_id": str(api.own.id)}
    ).text
    assert f"/exercises/{cancelled}" in filtered and f"/exercises/{other}" not in filtered
    listed = planner.get("/exercises", params={"view": "list", "month": "2027-05"}).text
    assert listed.index("Avlyst øvelse") < listed.index("Annen øvelse")
    # The council sees the calendar too, without the planner's button.
    council = logged_in(api, ROLE_EMAILS[Role.COUNCIL]).get(
        "/exercises", params={"month": "2027-05"}
    )
    assert council.status_code == 200 and "Annen øvelse" in council.text
    assert 'href="/exercises/new"' not in council.text
    assert 'href="/exercises"' in council.text  # in the navigation


def test_the_default_list_shows_upcoming_then_past(api: ApiHarness, planner: TestClient) -> None:
    def oslo_day(days: int, hour: int) -> datetime:
        day = (utcnow() + timedelta(days=days)).date()
        return datetime(day.year, day.month, day.day, hour)

    coming = _exercise(api, "Kommende øvelse", oslo_day(30, 18), oslo_day(30, 20))
    gone = _exercise(api, "Tidligere øvelse", oslo_day(-30, 18), oslo_day(-30, 20))
    ancient = _exercise(api, "Gammel øvelse", oslo_day(-400, 18), oslo_day(-400, 20))
    html = planner.get("/exercises", params={"view": "list"}).text
    assert f"/exercises/{coming}" in html and f"/exercises/{gone}" in html
    assert f"/exercises/{ancient}" not in html
    assert html.index("Kommende øvelse") < html.index("De siste tolv månedene")
    assert html.index("De siste tolv månedene") < html.index("Tidligere øvelse")


@pytest.mark.parametrize(
    "params",
    [
        {"month": "2027-13"},
        {"month": "2027-3"},
        {"month": "mars"},
        {"view": "foo"},
        {"organisation_id": "abc"},
        {"organisation_id": "987654"},
        {"organisation_id": "²"},
    ],
)
def test_bad_query_input_is_a_400_page_with_a_message(
    api: ApiHarness, planner: TestClient, params: dict[str, str]
) -> None:
    response = planner.get("/exercises", params=params)
    assert response.status_code == 400, response.text
    assert "text/html" in response.headers["content-type"]
    assert "Kalenderen kan ikke vise det" in response.text
    assert re.search(r"(år-måned|«month»|ingen slik organisasjon)", response.text)


def test_the_subscribe_flow_gives_a_url_that_opens_the_feed(
    api: ApiHarness, planner: TestClient
) -> None:
    _exercise(
        api,
        "Abonnert øvelse",
        datetime(2027, 6, 1, 18, 0),
        datetime(2027, 6, 1, 20, 0),
        organisations=[api.own],
    )
    page = planner.get("/exercises", params={"organisation_id": str(api.own.id)})
    assert "Lag kalenderlenken min" in page.text
    # Without the CSRF token the form is refused and nothing is made.
    refused = planner.post("/exercises/feed", data={}, follow_redirects=False)
    assert refused.status_code == 403
    made = planner.post(
        "/exercises/feed",
        data={"csrf_token": form_token(page.text), "organisation_id": str(api.own.id)},
    )
    assert made.status_code == 200, made.text
    found = re.search(r'id="feed-url"[^>]*value="([^"]+)"', made.text)
    assert found, made.text
    url = found.group(1).replace("&amp;", "&")
    assert f"organisation_id={api.own.id}" in url

    feed = api.client.get(url)  # a calendar client: no cookie, no header
    assert feed.status_code == 200, feed.text
    calendar: Calendar = check_rfc5545(feed.content)
    assert [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")] == ["Abonnert øvelse"]

    again = planner.get("/exercises")
    assert "Du har en lenke" in again.text and "Sist brukt" in again.text
    assert url not in again.text, "the link is shown once"
    revoked = planner.post(
        "/exercises/feed/revoke",
        data={"csrf_token": form_token(again.text)},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    assert "trukket tilbake" in planner.get(revoked.headers["location"]).text
    assert api.client.get(url).status_code == 401
