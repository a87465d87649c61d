"""Today in the month calendar said in words and as the current date, not only by an outline
(WCAG 1.3.1, 1.4.1), over HTTP on both backends."""

from __future__ import annotations

import re

from beredskap.platform.auth.models import Role
from beredskap.platform.columns import today_in_norway
from beredskap.platform.web.i18n import translations
from tests.e2e.web_client import logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness


def test_today_in_the_calendar_is_marked_in_words_and_as_the_current_date(
    api: ApiHarness,
) -> None:
    client = logged_in(api, ROLE_EMAILS[Role.PLANNER])
    today = today_in_norway()
    html = client.get(f"/exercises?month={today:%Y-%m}").text
    cell = re.search(
        rf'<td [^>]*aria-current="date"[^>]*data-date="{today}">(.*?)</td>', html, re.S
    )
    assert cell, "today's cell is not marked aria-current=date"
    assert f'class="day__today">{translations("nb").gettext("Today")}<' in cell.group(1)
    assert html.count('aria-current="date"') == 1
    english = logged_in(api, ROLE_EMAILS[Role.PLANNER], "en")
    assert 'class="day__today">Today<' in english.get(f"/exercises?month={today:%Y-%m}").text
