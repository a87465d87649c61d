"""The exercise calendar's .ics feed on both backends: parsed back with icalendar and checked
against RFC 5545, stable UIDs with a growing SEQUENCE, Oslo times across both DST nights,
cancellations, the organisation filter, 304s, and the feed token (valid, rotated, revoked,
and useless anywhere else)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar
from shapely.geometry import Point
from sqlalchemy import func, select

from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.auth.models import Role, User
from beredskap.platform.columns import utcnow
from beredskap.register.organisations.models import Organisation
from exercises.models import CalendarFeedToken, Exercise, ExerciseStatus, ExerciseType
from exercises.times import to_utc
from tests.e2e.web_client import form_token, logged_in
from tests.support.api import PUBLIC_URL, ROLE_EMAILS, ApiHarness, build_harness
from tests.support.ical_checks import check_rfc5545

FEED = "/api/v1/exercises/calendar.ics"


def _exercise(
    api: ApiHarness,
    title: str,
    starts: datetime,
    ends: datetime,
    *,
    organisations: Iterable[Organisation] = (),
    kind: ExerciseType = ExerciseType.TABLETOP,
    **fields: Any,
) -> Exercise:
    row = Exercise(
        title=title,
        type=kind,
        starts_at=to_utc("starts_at", starts),
        ends_at=to_utc("ends_at", ends),
        created_by="planner@test.example",
        **fields,
    )
    row.organisations = list(organisations)
    api.session.add(row)
    api.session.commit()
    return row


def _soon(days: int, hour: int = 18) -> datetime:
    """A naive Oslo time some days from now."""
    day = (utcnow() + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, 0)


def _feed(api: ApiHarness, role: Role = Role.PLANNER, **params: Any) -> tuple[Any, Calendar]:
    response = api.get(role, FEED, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    return response, check_rfc5545(response.content)


def _events(calendar: Calendar) -> dict[str, Any]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_is_a_valid_calendar_with_the_exercises(api: ApiHarness) -> None:
    drill = _exercise(
        api,
        "Varslingsøvelse Nitelva, med en tittel lang nok til å brettes over flere linjer i feeden",
        _soon(10),
        _soon(10, 20),
        organisations=[api.own, api.other],
        kind=ExerciseType.ALERT_DRILL,
        scenario="Flom i Nitelva. " * 80,
        place=Point(11.05, 59.95),
    )
    tabletop = _exercise(api, "Diskusjonsøvelse", _soon(20), _soon(20, 21))
    tabletop.sites = [api.own_site]
    api.session.commit()

    response, calendar = _feed(api)
    assert str(calendar["PRODID"]).startswith("-//beredskap//")
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Øvelser"  # the default language, nb
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Oslo"
    assert [tz["TZID"] for tz in calendar.timezones] == ["Europe/Oslo"]
    assert b"\r\n " in response.content, "the long title is folded"

    events = _events(calendar)
    first = events[f"exercise-{drill.id}@beredskap.invalid"]
    assert str(first["SUMMARY"]) == drill.title
    assert first["DTSTART"].params["TZID"] == "Europe/Oslo"
    assert first.decoded("DTSTART") == drill.starts_at
    assert first.decoded("DTEND") == drill.ends_at
    assert str(first["STATUS"]) == "CONFIRMED"
    assert first.categories == ["Varslingsøvelse"]
    description = str(first["DESCRIPTION"])
    assert "Varslingsøvelse" in description and "Eget Hjelpekorps" in description
    assert len(description) < 800, "the scenario is shortened"
    assert first["GEO"].latitude == 59.95 and first["GEO"].longitude == 11.05
    second = events[f"exercise-{tabletop.id}@beredskap.invalid"]
    assert str(second["LOCATION"]) == "Eget lager"
    assert "URL" not in second  # no public URL configured: no link to a page


def test_times_across_both_dst_nights_are_oslo_wall_time_and_the_right_instant(
    api: ApiHarness,
) -> None:
    # Last Sunday of March 2027: 02:00-02:59 does not exist, so the drill is at 03:30 CEST.
    spring = _exercise(api, "Vår", datetime(2027, 3, 28, 3, 30), datetime(2027, 3, 28, 5, 0))
    # Last Sunday of October 2027: 02:30 happens twice; the first (CEST) is meant.
    autumn = _exercise(api, "Høst", datetime(2027, 10, 31, 2, 30), datetime(2027, 10, 31, 4, 0))
    response, calendar = _feed(api)
    text = response.content.decode()
    assert "DTSTART;TZID=Europe/Oslo:20270328T033000" in text
    assert "DTSTART;TZID=Europe/Oslo:20271031T023000" in text
    events = _events(calendar)
    spring_start = events[f"exercise-{spring.id}@beredskap.invalid"].decoded("DTSTART")
    autumn_start = events[f"exercise-{autumn.id}@beredskap.invalid"].decoded("DTSTART")
    assert spring_start.astimezone(UTC) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert autumn_start.astimezone(UTC) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    # The VTIMEZONE itself (not only the TZID's name) says so: onsets in TZOFFSETFROM.
    assert "DTSTART:20270328T020000" in text or "RDATE:20270328T020000" in text
    assert "DTSTART:20271031T030000" in text or "RDATE:20271031T030000" in text
    zone = calendar.timezones[0].to_tz()
    assert datetime(2027, 3, 28, 3, 30, tzinfo=zone).utcoffset() == timedelta(hours=2)
    assert datetime(2027, 10, 31, 4, 0, tzinfo=zone).utcoffset() == timedelta(hours=1)


def test_uids_are_stable_and_an_edit_raises_the_sequence(api: ApiHarness) -> None:
    row = _exercise(api, "Øvelse", _soon(5), _soon(5, 20))
    uid = f"exercise-{row.id}@beredskap.invalid"
    _response, before = _feed(api)
    _response, again = _feed(api)
    assert _events(before)[uid]["SEQUENCE"] == _events(again)[uid]["SEQUENCE"] == 0
    row.title = "Øvelse (flyttet)"
    row.starts_at = to_utc("starts_at", _soon(6))
    row.ends_at = to_utc("ends_at", _soon(6, 20))
    api.session.commit()
    _response, after = _feed(api)
    event = _events(after)[uid]
    assert event["SEQUENCE"] == 1
    assert str(event["SUMMARY"]) == "Øvelse (flyttet)"
    assert event.decoded("LAST-MODIFIED") >= _events(before)[uid].decoded("LAST-MODIFIED")


def test_a_cancelled_exercise_stays_in_the_feed_as_cancelled(api: ApiHarness) -> None:
    row = _exercise(api, "Avlyst øvelse", _soon(3), _soon(3, 20))
    row.status = ExerciseStatus.CANCELLED
    row.cancelled_at = utcnow()
    api.session.commit()
    _response, calendar = _feed(api)
    event = _events(calendar)[f"exercise-{row.id}@beredskap.invalid"]
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1


def test_the_window_and_the_organisation_filter(api: ApiHarness) -> None:
    own = _exercise(api, "Egen", _soon(4), _soon(4, 20), organisations=[api.own])
    other = _exercise(api, "Annen", _soon(4), _soon(4, 20), organisations=[api.other])
    recent = _exercise(api, "Nylig", _soon(-100), _soon(-100, 20))
    old = _exercise(api, "Gammel", _soon(-400), _soon(-400, 20))
    _response, everything = _feed(api)
    ids = {int(uid.split("-")[1].split("@")[0]) for uid in _events(everything)}
    assert {own.id, other.id, recent.id} <= ids and old.id not in ids
    _response, filtered = _feed(api, organisation_id=api.own.id)
    assert {int(uid.split("-")[1].split("@")[0]) for uid in _events(filtered)} == {own.id}
    assert str(filtered["X-WR-CALNAME"]) == f"Øvelser: {api.own.name}"
    assert filtered["UID"] != everything["UID"]
    assert api.get(Role.PLANNER, FEED, params={"organisation_id": 987_654}).status_code == 404
    for bad in ("abc", "0", "-1", "99999999999"):
        response = api.get(Role.PLANNER, FEED, params={"organisation_id": bad})
        assert response.status_code == 422, bad


def test_a_public_url_gives_the_uids_host_and_links(engine: Any) -> None:
    from beredskap.main.settings import Settings

    harness = build_harness(engine, Settings(public_url="https://beredskap.example.no"))
    api = next(harness)
    try:
        row = _exercise(api, "Med lenke", _soon(2), _soon(2, 20))
        _response, calendar = _feed(api)
        event = _events(calendar)[f"exercise-{row.id}@beredskap.example.no"]
        assert str(event["URL"]) == f"https://beredskap.example.no/exercises/{row.id}"
        made = api.post(Role.PLANNER, "/api/v1/me/calendar-feed")
        assert made.json()["url"].startswith("https://beredskap.example.no" + FEED + "?token=")
    finally:
        harness.close()


def test_polling_gets_304_until_something_changes(api: ApiHarness) -> None:
    row = _exercise(api, "Øvelse", _soon(5), _soon(5, 20))
    first, _calendar = _feed(api)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    unchanged = api.client.get(FEED, headers=api.headers(Role.PLANNER) | {"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged.headers["etag"] == etag
    since = api.client.get(
        FEED,
        headers=api.headers(Role.PLANNER) | {"If-Modified-Since": first.headers["last-modified"]},
    )
    assert since.status_code == 304
    garbled = api.client.get(
        FEED, headers=api.headers(Role.PLANNER) | {"If-Modified-Since": "not a date"}
    )
    assert garbled.status_code == 200
    row.title = "Øvelse, endret"
    api.session.commit()
    changed = api.client.get(FEED, headers=api.headers(Role.PLANNER) | {"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


def _user(api: ApiHarness, role: Role) -> User:
    user = api.session.scalars(select(User).where(User.email == ROLE_EMAILS[role])).one()
    return user


def test_the_feed_token_opens_the_feed_and_nothing_else(public_api: ApiHarness) -> None:
    api = public_api  # calendar links need BEREDSKAP_PUBLIC_URL
    _exercise(api, "Øvelse", _soon(5), _soon(5, 20))
    assert api.client.get(FEED).status_code == 401
    made = api.post(Role.COUNCIL, "/api/v1/me/calendar-feed")
    assert made.status_code == 201, made.text
    url, token = made.json()["url"], made.json()["token"]
    assert token.startswith("bkcal_") and url == f"{PUBLIC_URL}{FEED}?token={token}"

    subscribed = api.client.get(url)
    assert subscribed.status_code == 200, subscribed.text
    check_rfc5545(subscribed.content)
    api.session.expire_all()
    row = api.session.scalars(
        select(CalendarFeedToken).where(CalendarFeedToken.user_id == _user(api, Role.COUNCIL).id)
    ).one()
    assert row.last_used_at is not None, "the use is recorded"
    assert token not in row.token_hash and len(row.token_hash) == 64

    # Not a bearer token, and no other route reads it from the URL.
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/v1/me", headers=bearer).status_code == 401
    assert api.client.get(FEED, headers=bearer).status_code == 401
    assert api.client.get("/api/v1/me", params={"token": token}).status_code == 401
    assert api.client.get("/api/v1/organisations", params={"token": token}).status_code == 401
    page = api.client.get("/exercises", params={"token": token}, follow_redirects=False)
    assert page.status_code == 401

    # Renewing makes the old link fail with a message that says what to do.
    renewed = api.post(Role.COUNCIL, "/api/v1/me/calendar-feed").json()
    old = api.client.get(url)
    assert old.status_code == 401
    assert old.headers["content-type"] == "application/problem+json"
    assert "renewed or revoked" in old.json()["detail"]
    assert api.client.get(renewed["url"]).status_code == 200
    for wrong in ("bkcal_guess", "bk_guess", "x" * 500, ""):
        response = api.client.get(FEED, params={"token": wrong})
        assert response.status_code in (401, 422), wrong
        assert response.status_code < 500

    # Revoking: the link stops working; revoking again says there is none.
    assert api.delete(Role.COUNCIL, "/api/v1/me/calendar-feed").status_code == 204
    assert api.client.get(renewed["url"]).status_code == 401
    assert api.delete(Role.COUNCIL, "/api/v1/me/calendar-feed").status_code == 404


def test_a_deactivated_users_link_stops_working(public_api: ApiHarness) -> None:
    api = public_api  # calendar links need BEREDSKAP_PUBLIC_URL
    made = api.post(Role.ORG_EDITOR, "/api/v1/me/calendar-feed").json()
    user = _user(api, Role.ORG_EDITOR)
    user.active = False
    api.session.commit()
    assert api.client.get(made["url"]).status_code == 401


def test_a_link_older_than_its_lifetime_stops_working_and_says_so(public_api: ApiHarness) -> None:
    api = public_api  # calendar links need BEREDSKAP_PUBLIC_URL
    made = api.post(Role.PLANNER, "/api/v1/me/calendar-feed").json()
    assert api.client.get(made["url"]).status_code == 200
    row = api.session.scalars(
        select(CalendarFeedToken).where(CalendarFeedToken.user_id == _user(api, Role.PLANNER).id)
    ).one()
    row.created_at = utcnow() - timedelta(days=365, minutes=1)  # the default lifetime
    api.session.commit()
    old = api.client.get(made["url"])
    assert old.status_code == 401 and "expired" in old.json()["detail"]
    renewed = api.post(Role.PLANNER, "/api/v1/me/calendar-feed").json()
    assert api.client.get(renewed["url"]).status_code == 200


def test_feed_tokens_are_audited_without_their_hash(public_api: ApiHarness) -> None:
    api = public_api  # calendar links need BEREDSKAP_PUBLIC_URL
    api.post(Role.PLANNER, "/api/v1/me/calendar-feed")
    api.post(Role.PLANNER, "/api/v1/me/calendar-feed")
    api.delete(Role.PLANNER, "/api/v1/me/calendar-feed")
    api.session.expire_all()
    entries = list(
        api.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == CalendarFeedToken.__tablename__)
            .order_by(AuditEntry.id)
        )
    )
    assert [entry.action for entry in entries] == ["insert", "delete", "insert", "delete"]
    assert {entry.actor for entry in entries} == {ROLE_EMAILS[Role.PLANNER]}
    for entry in entries:
        for state in (entry.before, entry.after):
            assert state is None or "token_hash" not in state


def test_every_role_reads_the_feed_and_it_holds_no_people(api: ApiHarness) -> None:
    _exercise(api, "Øvelse", _soon(5), _soon(5, 20), organisations=[api.own])
    for role in Role:
        response, calendar = _feed(api, role)
        text = response.content.decode()
        assert "+447700900990" not in text and "vakt@eget.example" not in text
        assert "Vakt Eget" not in text
        assert len(_events(calendar)) == 1


def test_a_link_names_only_the_public_url(public_api: ApiHarness) -> None:
    api = public_api  # calendar links need BEREDSKAP_PUBLIC_URL
    forged = api.headers(Role.PLANNER) | {"Host": "evil.example"}
    made = api.client.post("/api/v1/me/calendar-feed", headers=forged)
    assert made.status_code == 201 and made.json()["url"].startswith(PUBLIC_URL + FEED)


def test_no_link_is_made_without_a_public_url(engine: Any) -> None:
    harness = build_harness(engine)  # BEREDSKAP_PUBLIC_URL unset
    bare = next(harness)
    try:
        forged = bare.headers(Role.PLANNER) | {"Host": "evil.example"}
        refused = bare.client.post("/api/v1/me/calendar-feed", headers=forged)
        assert refused.status_code == 409, refused.text
        assert "BEREDSKAP_PUBLIC_URL" in refused.json()["detail"]
        assert "evil.example" not in refused.text
        assert bare.session.scalar(select(func.count()).select_from(CalendarFeedToken)) == 0
        page_client = logged_in(bare, ROLE_EMAILS[Role.PLANNER])
        page = page_client.get("/exercises")
        answer = page_client.post("/exercises/feed", data={"csrf_token": form_token(page.text)})
        assert answer.status_code == 409 and "BEREDSKAP_PUBLIC_URL" in answer.text
        assert 'id="feed-url"' not in answer.text
        assert bare.session.scalar(select(func.count()).select_from(CalendarFeedToken)) == 0
    finally:
        harness.close()
