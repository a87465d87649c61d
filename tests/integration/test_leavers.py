"""Issue 14 (hardening): leavers cut off, passwords, caching headers and idle sessions, on
both backends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from beredskap.main.cli import app as cli
from beredskap.main.settings import Settings, get_settings
from beredskap.platform.auth import service
from beredskap.platform.auth.models import ApiToken, LoginFailure, Role, User, WebSession
from beredskap.platform.columns import utcnow
from beredskap.platform.errors import DomainValidationError
from beredskap.platform.runtime import Database
from beredskap.platform.web.i18n import translations
from tests.e2e.web_client import browser, form_token, log_in, logged_in
from tests.support.api import PASSWORD, ROLE_EMAILS, ApiHarness, build_harness

GOOD = "tre trøtte elger på isflaket"
FEED = "/api/v1/exercises/calendar.ics"


def _user(api: ApiHarness, role: Role) -> User:
    return api.session.scalars(select(User).where(User.email == ROLE_EMAILS[role])).one()


def _sessions(api: ApiHarness, user: User) -> int:
    api.session.expire_all()
    query = select(func.count()).select_from(WebSession).where(WebSession.user_id == user.id)
    return int(api.session.scalar(query) or 0)


# Leavers ---------------------------------------------------------------------------------


def test_disabling_ends_every_credential_at_once(public_api: ApiHarness) -> None:
    api = public_api  # the calendar link needs BEREDSKAP_PUBLIC_URL
    page = logged_in(api, ROLE_EMAILS[Role.PLANNER])
    feed = api.post(Role.PLANNER, "/api/v1/me/calendar-feed").json()["url"]
    assert api.get(Role.PLANNER, "/api/v1/me").status_code == 200
    assert page.get("/api/v1/me").status_code == 200
    assert api.client.get(feed).status_code == 200
    planner = _user(api, Role.PLANNER)

    answer = api.post(Role.ADMIN, f"/api/v1/users/{planner.id}/disable")
    assert answer.status_code == 204, answer.text
    assert api.get(Role.PLANNER, "/api/v1/me").status_code == 401
    assert page.get("/api/v1/me").status_code == 401
    assert api.client.get(feed).status_code == 401
    api.session.expire_all()
    assert not planner.active and planner.disabled_at is not None
    assert _sessions(api, planner) == 0
    assert api.session.scalar(select(ApiToken.revoked_at).where(ApiToken.user_id == planner.id))
    # Twice is fine.
    assert api.post(Role.ADMIN, f"/api/v1/users/{planner.id}/disable").status_code == 204

    # The right password of a disabled user reads like any wrong one: no enumeration.
    right = log_in(browser(api), ROLE_EMAILS[Role.PLANNER])
    wrong = log_in(browser(api), ROLE_EMAILS[Role.COUNCIL], password="not the password")
    assert right.status_code == wrong.status_code == 400
    assert "Feil e-postadresse eller passord" in right.text
    assert "Feil e-postadresse eller passord" in wrong.text


def test_disabling_is_for_admins_and_needs_a_user(api: ApiHarness) -> None:
    unknown = api.post(Role.ADMIN, "/api/v1/users/987654/disable")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    council = _user(api, Role.COUNCIL)
    assert api.post(Role.DUTY_OFFICER, f"/api/v1/users/{council.id}/disable").status_code == 403
    own = api.post(Role.ADMIN, f"/api/v1/users/{_user(api, Role.ADMIN).id}/disable")
    assert own.status_code == 409 and "your own account" in own.json()["detail"]
    api.session.expire_all()
    assert council.active


@pytest.fixture
def cli_database(fresh_database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    url = fresh_database.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("BEREDSKAP_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        yield fresh_database
    finally:
        get_settings.cache_clear()


def test_the_cli_disables_a_leaver_and_sets_passwords(cli_database: Database) -> None:
    runner = CliRunner()
    with cli_database.sessions() as session:
        user, _ = service.add_user(session, email="kari@example.org", role="duty_officer")
        service.start_session(session, user, hours=1)
        service.start_session(session, user, hours=1)
        service.create_token(session, user, days=1)
        session.commit()

    weak = runner.invoke(
        cli, ["user", "password", "kari@example.org", "--password-stdin"], input="password1234\n"
    )
    assert weak.exit_code == 2 and "most commonly used" in weak.output
    prompted = runner.invoke(cli, ["user", "password", "Kari@Example.org"], input=f"{GOOD}\n" * 2)
    assert prompted.exit_code == 0, prompted.output
    assert "2 web session(s) ended" in prompted.output and GOOD not in prompted.output
    with cli_database.sessions() as session:
        assert service.authenticate_password(session, "kari@example.org", GOOD) is not None
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0

    disabled = runner.invoke(cli, ["user", "disable", "kari@example.org"])
    assert disabled.exit_code == 0, disabled.output
    assert "1 API token(s) revoked" in disabled.output
    assert runner.invoke(cli, ["user", "disable", "nobody@example.org"]).exit_code == 2
    with cli_database.sessions() as session:
        assert service.authenticate_password(session, "kari@example.org", GOOD) is None
        assert service.find_user(session, "kari@example.org").disabled_at is not None  # type: ignore[union-attr]


# Passwords -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "why"),
    [("aaaaaaaaaaaa", "repeats"), ("password1234", "most commonly used")],
)
def test_easily_guessed_passwords_are_refused_saying_why(
    session: Session, password: str, why: str
) -> None:
    with pytest.raises(DomainValidationError) as caught:
        service.add_user(session, email="ola@example.org", role="admin", password=password)
    assert caught.value.field == "password" and why in caught.value.message
    norwegian = caught.value.translated(translations("nb"))
    assert norwegian != caught.value.message and "passfrase" in norwegian
    with pytest.raises(DomainValidationError, match="your e-mail address"):
        service.add_user(
            session, email="ola.nordmann@example.org", role="admin", password="ola.nordmann1"
        )
    user, _ = service.add_user(session, email="ola@example.org", role="admin", password=GOOD)
    assert service.authenticate_password(session, "ola@example.org", GOOD) is user


def test_a_user_changes_their_own_password_and_other_browsers_are_logged_out(
    api: ApiHarness,
) -> None:
    email = ROLE_EMAILS[Role.ORG_EDITOR]
    here, elsewhere = logged_in(api, email), logged_in(api, email)
    assert 'href="/account/password"' in here.get("/").text
    form = here.get("/account/password")
    assert form.status_code == 200 and 'autocomplete="new-password"' in form.text
    token = form_token(form.text)

    def send(current: str, new: str, again: str, csrf: str = token) -> object:
        data = {"csrf_token": csrf, "current_password": current}
        return here.post(
            "/account/password",
            data=data | {"password": new, "password_again": again},
            follow_redirects=False,
        )

    user = _user(api, Role.ORG_EDITOR)
    hash_before = user.password_hash
    wrong = send("not my password", GOOD, GOOD)
    assert wrong.status_code == 422
    assert 'href="#f-current_password"' in wrong.text and 'aria-invalid="true"' in wrong.text
    assert "er ikke passordet ditt nå" in wrong.text and GOOD not in wrong.text
    assert api.session.scalar(select(func.count()).select_from(LoginFailure)) == 1
    mismatch = send(PASSWORD, GOOD, GOOD + "x")
    assert mismatch.status_code == 422 and 'href="#f-password_again"' in mismatch.text
    weak = send(PASSWORD, "password1234", "password1234")
    assert weak.status_code == 422 and 'href="#f-password"' in weak.text
    assert "passfrase" in weak.text
    assert send(PASSWORD, GOOD, GOOD, csrf="stale").status_code == 403
    api.session.expire_all()
    assert user.password_hash == hash_before and _sessions(api, user) == 2

    done = send(PASSWORD, GOOD, GOOD)
    assert done.status_code == 303, done.text
    assert "passordet ditt er endret" in here.get(done.headers["location"]).text.lower()
    assert here.get("/api/v1/me").status_code == 200
    assert elsewhere.get("/api/v1/me").status_code == 401
    assert _sessions(api, user) == 1
    assert log_in(browser(api), email, password=GOOD).status_code == 303


# Caching and transport -------------------------------------------------------------------


def test_personal_data_is_never_cached_and_https_asks_for_hsts(engine: Engine) -> None:
    harness = build_harness(engine, Settings(public_url="https://beredskap.example.no"))
    api = next(harness)
    try:
        for response in (
            api.get(Role.ADMIN, "/api/v1/organisations"),
            api.get(None, "/api/v1/organisations"),
            logged_in(api, ROLE_EMAILS[Role.ADMIN]).get("/organisations"),
        ):
            assert response.headers["cache-control"] == "no-store"
            assert response.headers["strict-transport-security"] == "max-age=31536000"
        static = api.client.get("/static/app.css")
        assert static.status_code == 200 and "no-store" not in static.headers.get(
            "cache-control", ""
        )
    finally:
        harness.close()


def test_no_hsts_without_an_https_public_url(api: ApiHarness) -> None:
    response = api.get(Role.ADMIN, "/api/v1/me")
    assert response.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in response.headers


# Idle sessions ---------------------------------------------------------------------------


def test_a_session_left_idle_ends(api: ApiHarness) -> None:
    client = logged_in(api, ROLE_EMAILS[Role.DUTY_OFFICER])
    assert client.get("/api/v1/me").status_code == 200
    row = api.session.scalars(select(WebSession)).one()
    row.last_seen_at = utcnow() - timedelta(minutes=110)
    api.session.commit()
    assert client.get("/api/v1/me").status_code == 200  # within BEREDSKAP_SESSION_IDLE_MINUTES
    api.session.expire_all()
    row.last_seen_at = utcnow() - timedelta(minutes=121)
    api.session.commit()
    assert client.get("/api/v1/me").status_code == 401
    assert Settings().session_idle_minutes == 120
