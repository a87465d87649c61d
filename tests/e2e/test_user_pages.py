"""The administrator's users pages (issue 15, item 1) on both backends: who may open them, the
list, adding a user, changing a role, setting a password, disabling a leaver (every credential
ends), and the refusals (weak password, bad input, one's own account, a stale form, no CSRF
token): a message beside the field, the summary, and nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from beredskap.platform.auth.models import Role, User, WebSession
from beredskap.platform.auth.secrets import verify_password
from tests.e2e.web_client import browser, form_token, log_in, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness

ADMIN = ROLE_EMAILS[Role.ADMIN]
OTHERS = [role for role in Role if role is not Role.ADMIN]
STRONG = "violet tractor hums under quiet bridges"
WEAK = "password1234"


def _user(api: ApiHarness, email: str) -> User | None:
    api.session.expire_all()
    return api.session.scalars(select(User).where(User.email == email)).first()


def _id(api: ApiHarness, role: Role) -> int:
    user = _user(api, ROLE_EMAILS[role])
    assert user is not None
    return user.id


@pytest.mark.parametrize("role", OTHERS, ids=lambda role: role.value)
def test_only_the_administrator_opens_the_users_pages(api: ApiHarness, role: Role) -> None:
    client = logged_in(api, ROLE_EMAILS[role])
    target = _id(api, Role.PLANNER)
    for url in ("/admin/users", f"/admin/users/{target}"):
        page = client.get(url)
        assert page.status_code == 403, url
    home = client.get("/")
    assert 'href="/admin/users"' not in home.text
    token = form_token(home.text)
    before = api.counts(User, WebSession)
    for url, data in (
        ("/admin/users", {"email": "x@example.org", "role": "admin"}),
        (f"/admin/users/{target}/role", {"role": "admin", "version": "1"}),
        (f"/admin/users/{target}/password", {"password": STRONG, "password_again": STRONG}),
        (f"/admin/users/{target}/disable", {"confirm": "1"}),
    ):
        refused = client.post(url, data=data | {"csrf_token": token}, follow_redirects=False)
        assert refused.status_code == 403, url
    assert api.counts(User, WebSession) == before


def test_anonymous_browsers_are_sent_to_the_login(api: ApiHarness) -> None:
    page = browser(api).get("/admin/users", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login?next=/admin/users")


def test_the_list_shows_every_user(api: ApiHarness) -> None:
    client = logged_in(api, ADMIN)
    page = client.get("/admin/users")
    assert page.status_code == 200
    html = page.text
    assert '<a href="/admin/users" aria-current="page">' in html
    for email in ROLE_EMAILS.values():
        assert email in html
    # Roles by their labels, the org editor's organisation, logins in Norway's time.
    assert "kontaktperson i laget" in html and api.own.name in html
    assert "<caption" in html and 'data-label="' in html
    english = logged_in(api, ADMIN, language="en").get("/admin/users").text
    assert "Add a user" in english and "Organisation contact" in english
    assert "Never" in english  # the others never logged in


def test_adding_a_user(api: ApiHarness) -> None:
    client = logged_in(api, ADMIN)
    token = form_token(client.get("/admin/users").text.split('id="add"')[1])
    added = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "email": "Ny.Kontakt@Example.org",
            "display_name": "Ny Kontakt",
            "role": "org_editor",
            "organisation_ids": [str(api.own.id)],
            "password": STRONG,
            "password_again": STRONG,
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    user = _user(api, "ny.kontakt@example.org")
    assert user is not None and user.role == Role.ORG_EDITOR and user.active
    assert [o.id for o in user.organisations] == [api.own.id]
    assert verify_password(user.password_hash, STRONG)
    listed = client.get(added.headers["location"])
    assert "ny.kontakt@example.org" in listed.text and 'role="status"' in listed.text
    # The new user logs in with it.
    assert log_in(browser(api), "ny.kontakt@example.org", STRONG).status_code == 303


def test_bad_input_is_refused_field_by_field_and_nothing_written(api: ApiHarness) -> None:
    client = logged_in(api, ADMIN)
    token = form_token(client.get("/admin/users").text)
    before = api.counts(User)
    cases = [
        ({"email": "not an address", "role": "planner", "password": STRONG,
          "password_again": STRONG}, "email"),
        ({"email": "a@example.org", "role": "", "password": STRONG,
          "password_again": STRONG}, "role"),
        ({"email": "a@example.org", "role": "pirate", "password": STRONG,
          "password_again": STRONG}, "role"),
        ({"email": "a@example.org", "role": "org_editor", "password": STRONG,
          "password_again": STRONG}, "organisation_ids"),
        ({"email": "a@example.org", "role": "planner", "organisation_ids": [str(api.own.id)],
          "password": STRONG, "password_again": STRONG}, "organisation_ids"),
        ({"email": "a@example.org", "role": "planner", "organisation_ids": ["987654"],
          "password": STRONG, "password_again": STRONG}, "organisation_ids"),
        ({"email": "a@example.org", "role": "planner", "password": WEAK,
          "password_again": WEAK}, "password"),
        ({"email": "a@example.org", "role": "planner", "password": STRONG,
          "password_again": STRONG + "x"}, "password_again"),
        ({"email": ROLE_EMAILS[Role.PLANNER], "role": "planner", "password": STRONG,
          "password_again": STRONG}, "email"),
    ]  # fmt: skip
    for data, field in cases:
        page = client.post("/admin/users", data=data | {"csrf_token": token})
        assert page.status_code == 422, (field, page.text[:200])
        html = page.text
        assert f'id="f-{field}-error"' in html and f'href="#f-{field}"' in html, field
        assert STRONG not in html and WEAK not in html  # no password is sent back
    assert api.counts(User) == before
    # Everything wrong at once: each field says so.
    page = client.post("/admin/users", data={"csrf_token": token, "email": "not an address"})
    assert page.status_code == 422
    for field in ("email", "role", "password", "password_again"):
        assert f'id="f-{field}-error"' in page.text, field
    # Without the CSRF token nothing is read.
    refused = client.post(
        "/admin/users",
        data={"email": "b@example.org", "role": "planner", "password": STRONG,
              "password_again": STRONG},
        follow_redirects=False,
    )  # fmt: skip
    assert refused.status_code == 403
    assert api.counts(User) == before


def test_changing_a_role(api: ApiHarness) -> None:
    client = logged_in(api, ADMIN)
    planner = _id(api, Role.PLANNER)
    page = client.get(f"/admin/users/{planner}")
    assert page.status_code == 200
    assert '<option value="planner" selected>' in page.text  # the form starts from the user
    token = form_token(page.text)
    version = _user(api, ROLE_EMAILS[Role.PLANNER]).version  # type: ignore[union-attr]
    changed = client.post(
        f"/admin/users/{planner}/role",
        data={"csrf_token": token, "role": "org_editor", "version": str(version),
              "organisation_ids": [str(api.other.id)]},
        follow_redirects=False,
    )  # fmt: skip
    assert changed.status_code == 303, changed.text
    user = _user(api, ROLE_EMAILS[Role.PLANNER])
    assert user is not None and user.role == Role.ORG_EDITOR
    assert [o.id for o in user.organisations] == [api.other.id]
    # A form made before that change is refused, showing the user as now.
    stale = client.post(
        f"/admin/users/{planner}/role",
        data={"csrf_token": token, "role": "council", "version": str(version)},
    )
    assert stale.status_code == 409 and 'id="f-role-error"' in stale.text
    assert _user(api, ROLE_EMAILS[Role.PLANNER]).role == Role.ORG_EDITOR  # type: ignore[union-attr]
    # Without an organisation an org editor is refused.
    missing = client.post(
        f"/admin/users/{planner}/role",
        data={"csrf_token": token, "role": "org_editor", "version": str(user.version)},
    )
    assert missing.status_code == 422 and 'id="f-organisation_ids-error"' in missing.text


def test_an_administrator_cannot_demote_or_disable_themself(api: ApiHarness) -> None:
    client = logged_in(api, ADMIN)
    me = _id(api, Role.ADMIN)
    page = client.get(f"/admin/users/{me}")
    token = form_token(page.text)
    before = api.counts(User, WebSession)
    demoted = client.post(
        f"/admin/users/{me}/role", data={"csrf_token": token, "role": "planner", "version": "1"}
    )
    assert demoted.status_code == 409 and 'id="f-role-error"' in demoted.text
    disabled = client.post(f"/admin/users/{me}/disable", data={"csrf_token": token, "confirm": "1"})
    assert disabled.status_code == 409
    assert "du kan ikke deaktivere din egen konto" in disabled.text
    assert api.counts(User, WebSession) == before
    assert _user(api, ADMIN).active  # type: ignore[union-attr]


def test_setting_a_password_refuses_a_weak_one_and_ends_sessions(api: ApiHarness) -> None:
    duty = ROLE_EMAILS[Role.DUTY_OFFICER]
    theirs = logged_in(api, duty)
    client = logged_in(api, ADMIN)
    target = _id(api, Role.DUTY_OFFICER)
    token = form_token(client.get(f"/admin/users/{target}").text)
    old_hash = _user(api, duty).password_hash  # type: ignore[union-attr]
    weak = client.post(
        f"/admin/users/{target}/password",
        data={"csrf_token": token, "password": WEAK, "password_again": WEAK},
    )
    assert weak.status_code == 422 and 'id="f-password-error"' in weak.text
    assert _user(api, duty).password_hash == old_hash  # type: ignore[union-attr]
    assert theirs.get("/").status_code == 200

    done = client.post(
        f"/admin/users/{target}/password",
        data={"csrf_token": token, "password": STRONG, "password_again": STRONG},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert verify_password(_user(api, duty).password_hash, STRONG)  # type: ignore[union-attr]
    assert theirs.get("/", follow_redirects=False).status_code == 303  # logged out


def test_disabling_ends_every_credential(api: ApiHarness) -> None:
    duty = ROLE_EMAILS[Role.DUTY_OFFICER]
    theirs = logged_in(api, duty)
    assert api.get(Role.DUTY_OFFICER, "/api/v1/me").status_code == 200
    client = logged_in(api, ADMIN)
    target = _id(api, Role.DUTY_OFFICER)
    page = client.get(f"/admin/users/{target}")
    token = form_token(page.text)

    unconfirmed = client.post(f"/admin/users/{target}/disable", data={"csrf_token": token})
    assert unconfirmed.status_code == 422 and 'id="f-confirm-error"' in unconfirmed.text
    assert _user(api, duty).active  # type: ignore[union-attr]

    done = client.post(
        f"/admin/users/{target}/disable",
        data={"csrf_token": token, "confirm": "1"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    user = _user(api, duty)
    assert user is not None and not user.active and user.disabled_at is not None
    assert theirs.get("/", follow_redirects=False).status_code == 303  # the session ended
    assert api.get(Role.DUTY_OFFICER, "/api/v1/me").status_code == 401  # the token too
    shown = client.get(done.headers["location"]).text
    assert (
        'role="status"' in shown
        and 'action="/admin/users/' + str(target) + '/disable"' not in shown
    )
