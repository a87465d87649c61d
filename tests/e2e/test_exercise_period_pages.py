"""The exercise list over any period, on both backends: an exercise 18 months ago is not in the
default list (the last twelve months) but in a period that includes it; either end may be
open; an unreadable date or a period that ends before it starts is a 400 with the message at
its field, and nothing else breaks."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from fastapi.testclient import TestClient

from beredskap.platform.auth.models import Role
from beredskap.platform.columns import NORWAY, utcnow
from tests.e2e.web_client import logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness
from tests.support.exercises import exercise

OLD = "Fullskalaøvelse for 18 måneder siden"
RECENT = "Diskusjonsøvelse forrige måned"


@pytest.fixture
def council(api: ApiHarness) -> TestClient:
    """Every role reads the calendar; the council is the least privileged."""
    old = utcnow().replace(microsecond=0) - relativedelta(months=18)
    exercise(api.session, title=OLD, starts_at=old, organisations=[api.own])
    exercise(api.session, title=RECENT, starts_at=utcnow() - timedelta(days=30))
    api.session.commit()
    return logged_in(api, ROLE_EMAILS[Role.COUNCIL], language="en")


def _day(months: int = 0, days: int = 0) -> str:
    moment = utcnow() - relativedelta(months=months) - timedelta(days=days)
    return moment.astimezone(NORWAY).date().isoformat()


def test_the_default_list_is_unchanged_and_offers_a_period(council: TestClient) -> None:
    page = council.get("/exercises?view=list")
    assert page.status_code == 200
    assert RECENT in page.text and OLD not in page.text
    assert "The last twelve months" in page.text
    assert 'id="f-from" name="from"' in page.text and 'type="date"' in page.text
    # The month grid has no period form: a period is a list.
    assert 'name="from"' not in council.get("/exercises").text


def test_a_period_that_includes_an_old_exercise_lists_it(council: TestClient) -> None:
    page = council.get(f"/exercises?view=list&from={_day(months=24)}&to={_day()}")
    assert page.status_code == 200
    html = page.text
    assert OLD in html and RECENT in html
    assert html.index(OLD) < html.index(RECENT)  # earliest first
    assert f'value="{_day(months=24)}"' in html  # the period stays in the form
    # Only the old one: a period that ends before last month.
    only_old = council.get(f"/exercises?from={_day(months=19)}&to={_day(months=17)}").text
    assert OLD in only_old and RECENT not in only_old
    # One end open: everything until 17 months ago.
    until = council.get(f"/exercises?view=list&to={_day(months=17)}").text
    assert OLD in until and RECENT not in until
    # With the organisation filter: the old one is the own organisation's.
    own = re.search(r'<option value="(\d+)">Eget Hjelpekorps', until)
    assert own
    mine = council.get(f"/exercises?view=list&from={_day(months=24)}&organisation_id={own[1]}")
    assert OLD in mine.text and RECENT not in mine.text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2025-13-01", "from"),
        ("from=yesterday", "from"),
        ("to=2025-02-30", "to"),
        ("from=0001-01-01", "from"),
        ("from=2025-06-01&to=2025-05-31", "to"),
    ],
)
def test_a_bad_period_is_a_400_with_the_message_at_its_field(
    council: TestClient, query: str, field: str
) -> None:
    page = council.get(f"/exercises?view=list&{query}")
    assert page.status_code == 400
    html = page.text
    assert f'id="f-{field}" name="{field}" aria-invalid="true"' in html
    assert f'aria-describedby="f-period-hint f-{field}-error"' in html
    assert f'<p class="field-error" id="f-{field}-error">' in html
    assert f'href="#f-{field}"' in html  # the summary links to the field
    message = (
        "The period cannot end before it starts."
        if "&to=" in query
        else "Write the date as year-month-day"
    )
    assert message in html
    assert OLD not in html and RECENT not in html  # nothing listed under a wrong period
