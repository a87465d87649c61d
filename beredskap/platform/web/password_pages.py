"""A logged-in user changes their own password: /account/password.

The current password, then the new one twice. A wrong current password counts as a failed
login (the same slow-down per account and address), so a browser left logged in cannot be
used to try passwords quickly. The new password is checked like every new one (length, and
zxcvbn's estimate, `auth.strength`); after the change the user's other browsers are logged
out, this one stays.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from beredskap.platform.auth import service, throttle
from beredskap.platform.auth.secrets import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from beredskap.platform.auth.service import Principal
from beredskap.platform.deps import SESSION_COOKIE, CurrentPrincipal, SessionDep, SettingsDep
from beredskap.platform.errors import N_, DomainValidationError
from beredskap.platform.web.forms import Form, PostedForm, blank_form, parse_form
from beredskap.platform.web.i18n import translations_for
from beredskap.platform.web.rendering import number_format, render

router = APIRouter(include_in_schema=False)
PATH = "/account/password"
# A password is typed as it is: never stripped, any character.
Password = Annotated[str, Field(max_length=MAX_PASSWORD_LENGTH)]


class PasswordInput(BaseModel):
    current_password: Password = Field(title=N_("Current password"))
    password: Password = Field(title=N_("New password"))
    password_again: Password = Field(title=N_("New password again"))


def _page(
    request: Request,
    principal: Principal,
    form: Form[PasswordInput],
    *,
    status_code: int | None = None,
    changed: bool = False,
) -> Response:
    # What was typed is never sent back: a password belongs in no page.
    context = form.context() | {
        "values": {},
        "min_length": MIN_PASSWORD_LENGTH,
        "changed": changed,
    }
    if status_code is None:
        status_code = 422 if form.errors else 200
    return render(request, "password.html", context, principal=principal, status_code=status_code)


@router.get(PATH, name="web.password_form")
def password_form(
    request: Request,
    principal: CurrentPrincipal,
    changed: Annotated[bool, Query()] = False,
) -> Response:
    """The form; after a change it says so."""
    form = blank_form(PasswordInput, translations_for(request))
    return _page(request, principal, form, changed=changed)


@router.post(PATH, name="web.password_change")
def change_password(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    """Check the form (CSRF by `authorize`), then change the password and log out the
    user's other browsers; the form again with a message per field otherwise."""
    translations = translations_for(request)
    form = parse_form(PasswordInput, posted, translations, number=number_format(request))
    typed = form.fields
    if (
        "password" in typed
        and "password_again" in typed
        and typed["password"] != typed["password_again"]
    ):
        form.add_error("password_again", N_("is not the same as the new password"))
    if not form.valid:
        return _page(request, principal, form)
    client = request.client.host if request.client else None
    wait = throttle.seconds_to_wait(session, throttle.policy_of(settings), principal.email, client)
    if wait > 0:
        form.add_error(
            "current_password",
            N_("too many wrong passwords: wait %(seconds)s seconds and try again"),
            seconds=wait,
        )
        return _page(request, principal, form, status_code=429)
    return _change(request, session, principal, form, client)


def _change(
    request: Request,
    session: Session,
    principal: Principal,
    form: Form[PasswordInput],
    client: str | None,
) -> Response:
    typed = form.fields
    cookie = request.cookies.get(SESSION_COOKIE) if principal.csrf_token else None
    try:
        service.change_own_password(
            session,
            principal.user_id,
            current=typed["current_password"],
            new=typed["password"],
            keep_session=cookie[:512] if cookie else None,
        )
    except DomainValidationError as error:
        if error.field == "current_password":
            throttle.record_failure(session, principal.email, client)
        form.add_domain_error(error)
        return _page(request, principal, form)
    return RedirectResponse(f"{PATH}?changed=true", status_code=303)
