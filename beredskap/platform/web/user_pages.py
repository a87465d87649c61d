"""The administrator's users pages: /admin/users lists the staff who log in and adds one;
/admin/users/{id} changes a user's role (and an organisation contact's organisations), sets a
new password and disables a leaver.

Every change goes through `auth.service`, the code behind `beredskap user ...` and the API:
a new password is checked like any (length and zxcvbn, `auth.strength`) and ends the user's
web sessions; disabling ends every credential at once. An administrator can neither disable
nor demote their own account (another administrator, or the command line, can), so the
last one cannot lock everyone out. Forms through the form toolkit: a message beside each
field, the summary first, 422 and nothing written.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import AfterValidator, BaseModel, Field
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, selectinload

from beredskap.platform.api.types import PathId
from beredskap.platform.auth import service
from beredskap.platform.auth.models import Role, User
from beredskap.platform.auth.secrets import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import coerce_email
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.errors import N_, DomainValidationError, NotFoundError
from beredskap.platform.web.forms import (
    Checkbox,
    Form,
    Ids,
    OptionalText,
    PostedForm,
    Text,
    Whole,
    among,
    at_most,
    blank_form,
    parse_form,
)
from beredskap.platform.web.i18n import translations_for
from beredskap.platform.web.rendering import number_format, render

router = APIRouter(include_in_schema=False)
PATH = "/admin/users"
Password = Annotated[str, Field(max_length=MAX_PASSWORD_LENGTH)]
OrganisationIds = Annotated[Ids, among("organisations")]


def _email(value: str) -> str:
    """An address as the user model takes it (checked here too, so its message shows beside
    the others')."""
    return coerce_email("email", value) or value


class NewUserInput(BaseModel):
    email: Annotated[Text, Field(min_length=1, max_length=254), AfterValidator(_email)] = Field(
        title=N_("E-mail address")
    )
    display_name: Annotated[OptionalText, at_most(200)] = Field(None, title=N_("Name"))
    role: Role = Field(title=N_("Role"))
    organisation_ids: OrganisationIds = Field(default_factory=list, title=N_("Organisations"))
    password: Password = Field(title=N_("New password"))
    password_again: Password = Field(title=N_("New password again"))


class RoleInput(BaseModel):
    role: Role = Field(title=N_("Role"))
    organisation_ids: OrganisationIds = Field(default_factory=list, title=N_("Organisations"))
    version: Whole = Field(title=N_("Role"))  # hidden: answers as the role


class PasswordInput(BaseModel):
    password: Password = Field(title=N_("New password"))
    password_again: Password = Field(title=N_("New password again"))


class DisableInput(BaseModel):
    confirm: Checkbox = Field(False, title=N_("Yes, disable this user and end every login"))


# Service names of fields -> the form's.
FIELD_OF = {"organisation": "organisation_ids"}


def _organisation_model() -> Any:
    """The register's organisations, reached through the user's relationship by name: the
    platform imports no domain."""
    return inspect(User).relationships["organisations"].mapper.class_


def _organisations(session: Session) -> list[tuple[int, str]]:
    model = _organisation_model()
    return [
        tuple(row) for row in session.execute(select(model.id, model.name).order_by(model.name))
    ]


def _chosen(session: Session, ids: list[int]) -> list[Any]:
    model = _organisation_model()
    return list(session.scalars(select(model).where(model.id.in_(ids)))) if ids else []


def _user(session: Session, user_id: int) -> User:
    user = session.scalars(
        select(User).where(User.id == user_id).options(selectinload(User.organisations))
    ).first()
    if user is None:
        raise NotFoundError("user", user_id)
    return user


def _passwords_match(form: Form[Any]) -> None:
    typed = form.fields
    typed_both = "password" in typed and "password_again" in typed
    if typed_both and typed["password"] != typed["password_again"]:
        form.add_error("password_again", N_("is not the same as the new password"))


# The list and a new user ---------------------------------------------------------------


def _list_page(
    request: Request,
    session: Session,
    principal: Principal,
    form: Form[NewUserInput],
    *,
    added: str | None = None,
) -> Response:
    users = session.scalars(
        select(User)
        .options(selectinload(User.organisations))
        .order_by(User.active.desc(), User.email)
    ).all()
    values = {key: value for key, value in form.values.items() if not key.startswith("password")}
    context = form.context() | {"values": values}
    context |= {
        "new_form": dict(context),
        "users": users,
        "roles": list(Role),
        "organisations": _organisations(session),
        "min_length": MIN_PASSWORD_LENGTH,
        "added": added,
    }
    status_code = 422 if form.errors else 200
    return render(
        request, "admin_users.html", context, principal=principal, status_code=status_code
    )


@router.get(PATH, name="web.admin_users")
def users_page(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    added: Annotated[str | None, Query(max_length=254)] = None,
) -> Response:
    """Every staff user: e-mail, name, role, organisations, active, last login; the form to
    add one below."""
    form = blank_form(NewUserInput, translations_for(request), {"role": ""})
    return _list_page(request, session, principal, form, added=added)


@router.post(PATH, name="web.admin_users_add")
def add_user(
    request: Request, session: SessionDep, principal: CurrentPrincipal, posted: PostedForm
) -> Response:
    """Add a user with a role (and an organisation contact's organisations) and a password
    the administrator passes on; the user changes it at /account/password."""
    offered = {id_ for id_, _name in _organisations(session)}
    form = parse_form(
        NewUserInput,
        posted,
        translations_for(request),
        number=number_format(request),
        context={"organisations": offered},
    )
    _passwords_match(form)
    if form.valid:
        data = form.fields
        try:
            user, _generated = service.add_user(
                session,
                email=data["email"],
                role=data["role"],
                password=data["password"],
                organisations=_chosen(session, data["organisation_ids"]),
                display_name=data["display_name"],
            )
        except DomainValidationError as error:
            form.add_domain_error(error, FIELD_OF)
        else:
            return RedirectResponse(f"{PATH}?added={user.email}", status_code=303)
    return _list_page(request, session, principal, form)


# One user: role, password, disable -------------------------------------------------------


def _user_page(
    request: Request,
    session: Session,
    principal: Principal,
    user: User,
    *,
    forms: dict[str, Form[Any]] | None = None,
    done: str | None = None,
    status_code: int | None = None,
) -> Response:
    translations = translations_for(request)
    forms = forms or {}
    role_form = forms.get("role") or blank_form(
        RoleInput,
        translations,
        {
            "role": user.role.value,
            "organisation_ids": [str(o.id) for o in user.organisations],
            "version": str(user.version),
        },
    )
    password_form = forms.get("password") or blank_form(PasswordInput, translations)
    disable_form = forms.get("disable") or blank_form(DisableInput, translations)
    failed = any(form.errors for form in forms.values())
    context = {
        "user": user,
        "yourself": user.id == principal.user_id,
        "roles": list(Role),
        "organisations": _organisations(session),
        "min_length": MIN_PASSWORD_LENGTH,
        "done": done,
        "role_form": role_form.context(),
        "password_form": password_form.context() | {"values": {}},
        "disable_form": disable_form.context(),
        # The summary of the form that was sent (only one is sent at a time).
        "failed": next((form.context() for form in forms.values() if form.errors), None),
    }
    if status_code is None:
        status_code = 422 if failed else 200
    return render(request, "admin_user.html", context, principal=principal, status_code=status_code)


@router.get(PATH + "/{user_id:int}", name="web.admin_user")
def user_page(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    user_id: PathId,
    done: Annotated[str | None, Query(pattern="^(role|password|disabled)$")] = None,
) -> Response:
    """A user's details with the forms to change the role, set a password and disable."""
    return _user_page(request, session, principal, _user(session, user_id), done=done)


def _back(user: User, done: str) -> RedirectResponse:
    return RedirectResponse(f"{PATH}/{user.id}?done={done}", status_code=303)


@router.post(PATH + "/{user_id:int}/role", name="web.admin_user_role")
def change_role(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    user_id: PathId,
    posted: PostedForm,
) -> Response:
    """Another role (and organisations); not one's own, and not over a change made
    meanwhile by someone else (the version the form was made from)."""
    user = _user(session, user_id)
    offered = {id_ for id_, _name in _organisations(session)}
    form = parse_form(
        RoleInput,
        posted,
        translations_for(request),
        number=number_format(request),
        context={"organisations": offered},
    )
    status_code = None
    if form.valid and user.id == principal.user_id:
        form.add_error("role", N_("you cannot change your own role"))
        status_code = 409
    elif form.valid and form.fields["version"] != user.version:
        form.add_error(
            "role",
            N_("Someone else changed the record after you opened it. Reload the page."),
        )
        form.values = {
            "role": user.role.value,
            "organisation_ids": [str(o.id) for o in user.organisations],
            "version": str(user.version),
        }
        status_code = 409
    elif form.valid:
        try:
            service.change_role(
                session,
                user,
                form.fields["role"],
                _chosen(session, form.fields["organisation_ids"]),
            )
        except DomainValidationError as error:
            form.add_domain_error(error, FIELD_OF)
        else:
            return _back(user, "role")
    return _user_page(
        request, session, principal, _user(session, user_id), forms={"role": form},
        status_code=status_code,
    )  # fmt: skip


@router.post(PATH + "/{user_id:int}/password", name="web.admin_user_password")
def set_password(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    user_id: PathId,
    posted: PostedForm,
) -> Response:
    """A new password (checked like every new one); the user's web sessions end."""
    user = _user(session, user_id)
    form = parse_form(
        PasswordInput, posted, translations_for(request), number=number_format(request)
    )
    _passwords_match(form)
    if form.valid:
        try:
            service.set_password(session, user, form.fields["password"])
        except DomainValidationError as error:
            form.add_domain_error(error)
        else:
            return _back(user, "password")
    return _user_page(
        request, session, principal, _user(session, user_id), forms={"password": form}
    )


@router.post(PATH + "/{user_id:int}/disable", name="web.admin_user_disable")
def disable_user(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    user_id: PathId,
    posted: PostedForm,
) -> Response:
    """Disable a leaver (a ticked confirmation): no more logins, and every web session, API
    token and calendar link ends at once. Never one's own account (409)."""
    user = _user(session, user_id)
    form = parse_form(
        DisableInput, posted, translations_for(request), number=number_format(request)
    )
    status_code = None
    if user.id == principal.user_id:
        form.add_error("confirm", N_("you cannot disable your own account"))
        status_code = 409
    elif not form.fields.get("confirm"):
        form.add_error("confirm", N_("tick the box to confirm"))
    else:
        service.disable_user(session, user)
        return _back(user, "disabled")
    return _user_page(
        request, session, principal, user, forms={"disable": form}, status_code=status_code
    )
