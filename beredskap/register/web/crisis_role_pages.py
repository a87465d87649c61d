"""/crisis-roles: the municipality's crisis roles and the people who hold them, in order of
alerting (the varslingsliste's first part): read by the coordinator and the duty officer,
kept by the coordinator. A role's form has a row for the holder and three deputies; the rows'
order is the order they are called in. Saving checks the version the form was made from."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from beredskap.platform.auth.permissions import ADMIN, Rule
from beredskap.platform.auth.service import Principal
from beredskap.platform.contact_details import readable_phone
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.digits import parse_digits
from beredskap.platform.errors import ConflictError, DomainValidationError, NotFoundError
from beredskap.platform.web.forms import (
    Form,
    OptionalText,
    PostedForm,
    Text,
    Whole,
    at_most,
    blank_form,
    parse_form,
)
from beredskap.platform.web.i18n import N_, translations_for
from beredskap.platform.web.rendering import number_format, render
from beredskap.register.crisis_roles import service
from beredskap.register.crisis_roles.models import MAX_POSITION, CrisisRole
from beredskap.register.crisis_roles.routes import CRISIS_ROLE_READERS

router = APIRouter(include_in_schema=False)
RULES: dict[str, Rule] = {
    "web.crisis_roles": CRISIS_ROLE_READERS,
    "web.crisis_role_new": ADMIN,
    "web.crisis_role_create": ADMIN,
    "web.crisis_role_edit": ADMIN,
    "web.crisis_role_update": ADMIN,
    "web.crisis_role_delete": ADMIN,
}
HOLDER_ROWS = 4  # the holder and three deputies
CELLS = ("name", "phone", "email")

Name = Annotated[OptionalText, at_most(200)]
Phone = Annotated[OptionalText, at_most(32)]
Email = Annotated[OptionalText, at_most(254)]


class CrisisRoleInput(BaseModel):
    title: Annotated[Text, Field(min_length=1, title=N_("Role")), at_most(120)]
    position: Annotated[Whole, Field(ge=1, le=MAX_POSITION, title=N_("Order in the list"))] = 1
    duties: Annotated[OptionalText, Field(title=N_("Duties when alerted")), at_most(2000)] = None
    holder_1_name: Annotated[Name, Field(title=N_("Holder: name"))] = None
    holder_1_phone: Annotated[Phone, Field(title=N_("Holder: phone"))] = None
    holder_1_email: Annotated[Email, Field(title=N_("Holder: e-mail"))] = None
    holder_2_name: Annotated[Name, Field(title=N_("Deputy 1: name"))] = None
    holder_2_phone: Annotated[Phone, Field(title=N_("Deputy 1: phone"))] = None
    holder_2_email: Annotated[Email, Field(title=N_("Deputy 1: e-mail"))] = None
    holder_3_name: Annotated[Name, Field(title=N_("Deputy 2: name"))] = None
    holder_3_phone: Annotated[Phone, Field(title=N_("Deputy 2: phone"))] = None
    holder_3_email: Annotated[Email, Field(title=N_("Deputy 2: e-mail"))] = None
    holder_4_name: Annotated[Name, Field(title=N_("Deputy 3: name"))] = None
    holder_4_phone: Annotated[Phone, Field(title=N_("Deputy 3: phone"))] = None
    holder_4_email: Annotated[Email, Field(title=N_("Deputy 3: e-mail"))] = None


def _values(role: CrisisRole | None) -> dict[str, Any]:
    if role is None:
        return {"title": "", "position": "", "duties": ""}
    values: dict[str, Any] = {
        "title": role.title,
        "position": str(role.position),
        "duties": role.duties or "",
    }
    for row, holder in enumerate((role.holders or [])[:HOLDER_ROWS], start=1):
        for cell in CELLS:
            values[f"holder_{row}_{cell}"] = holder.get(cell, "")
    return values


def _read(form: Form[CrisisRoleInput]) -> tuple[dict[str, Any] | None, list[int]]:
    """The role's fields from a valid form, holders in row order (empty rows left out), and
    the form's row of each holder; None if the form is not valid. A row with a phone or an
    e-mail but no name is an error on its name (checked whatever else is wrong, so every
    message shows at once)."""
    holders: list[dict[str, str]] = []
    rows: list[int] = []
    for row in range(1, HOLDER_ROWS + 1):
        cells = {cell: form.fields.get(f"holder_{row}_{cell}") for cell in CELLS}
        typed = any(form.values.get(f"holder_{row}_{cell}") for cell in CELLS)
        if not typed:
            continue
        if not cells["name"]:
            form.add_error(f"holder_{row}_name", N_("give the name of the person"))
            continue
        holders.append({cell: value for cell, value in cells.items() if value})
        rows.append(row)
    if form.data is None:
        return None, []
    data = form.data.model_dump()
    fields = {
        "title": data["title"],
        "position": data["position"],
        "duties": data["duties"],
        "holders": holders,
    }
    return fields, rows


def _field_of(rows: list[int]) -> dict[str, str]:
    """The model's error field (`holders[1].phone`) as the form's (`holder_3_phone`)."""
    return {
        f"holders[{index}].{cell}": f"holder_{row}_{cell}"
        for index, row in enumerate(rows)
        for cell in CELLS
    }


def _list_page(request: Request, session: Session, principal: Principal) -> Response:
    return render(
        request,
        "crisis_roles.html",
        {
            "active": "dashboard",
            "roles": service.list_roles(session),
            "readable_phone": readable_phone,
            "done": request.query_params.get("done"),
        },
        principal=principal,
    )


def _form_page(
    request: Request,
    principal: Principal,
    form: Form[CrisisRoleInput],
    *,
    role: CrisisRole | None,
    conflict: bool = False,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "crisis_role_form.html",
        {
            "active": "dashboard",
            "role": role,
            "rows": range(1, HOLDER_ROWS + 1),
            "conflict": conflict,
            **form.context(),
        },
        principal=principal,
        status_code=status_code,
    )


@router.get("/crisis-roles", name="web.crisis_roles")
def crisis_roles(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """The roles in order with their people and tappable numbers."""
    return _list_page(request, session, principal)


@router.get("/crisis-roles/new", name="web.crisis_role_new")
def new_crisis_role(request: Request, principal: CurrentPrincipal) -> Response:
    form = blank_form(CrisisRoleInput, translations_for(request), _values(None))
    return _form_page(request, principal, form, role=None)


def _save(
    request: Request,
    session: Session,
    principal: Principal,
    posted: PostedForm,
    role: CrisisRole | None,
) -> Response:
    form = parse_form(
        CrisisRoleInput, posted, translations_for(request), number=number_format(request)
    )
    fields, rows = _read(form)
    if fields is not None:
        try:
            saved = (
                service.create_role(session, fields)
                if role is None
                else service.update_role(session, role, fields)
            )
        except (DomainValidationError, ConflictError) as error:
            session.rollback()
            if isinstance(error, DomainValidationError):
                form.add_domain_error(error, _field_of(rows))
            else:
                form.errors.setdefault("title", error.translated(form.translations, form.number))
        except StaleDataError:
            session.rollback()
            return _conflict(request, session, principal, role)
        else:
            done = "created" if role is None else "saved"
            return RedirectResponse(f"/crisis-roles?done={done}#role-{saved.id}", status_code=303)
    return _form_page(request, principal, form, role=role, status_code=422)


def _conflict(
    request: Request, session: Session, principal: Principal, role: CrisisRole | None
) -> Response:
    session.expire_all()
    stored = session.get(CrisisRole, role.id) if role is not None else None
    if stored is None:
        raise NotFoundError("crisis_role", role.id if role is not None else 0)
    form = blank_form(CrisisRoleInput, translations_for(request), _values(stored))
    return _form_page(request, principal, form, role=stored, conflict=True, status_code=409)


@router.post("/crisis-roles", name="web.crisis_role_create")
def create_crisis_role(
    request: Request, session: SessionDep, principal: CurrentPrincipal, posted: PostedForm
) -> Response:
    return _save(request, session, principal, posted, None)


@router.get("/crisis-roles/{role_id:int}", name="web.crisis_role_edit")
def edit_crisis_role(
    request: Request, role_id: int, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    role = service.get_role(session, role_id)
    form = blank_form(CrisisRoleInput, translations_for(request), _values(role))
    return _form_page(request, principal, form, role=role)


def _version(posted: PostedForm) -> int | None:
    value = posted.get("version")
    return parse_digits(value) if isinstance(value, str) else None


@router.post("/crisis-roles/{role_id:int}", name="web.crisis_role_update")
def update_crisis_role(
    request: Request,
    role_id: int,
    session: SessionDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    role = service.get_role(session, role_id)
    if _version(posted) != role.version:
        return _conflict(request, session, principal, role)
    return _save(request, session, principal, posted, role)


@router.post("/crisis-roles/{role_id:int}/delete", name="web.crisis_role_delete")
def delete_crisis_role(
    request: Request,
    role_id: int,
    session: SessionDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    role = service.get_role(session, role_id)
    if _version(posted) != role.version:
        return _conflict(request, session, principal, role)
    service.delete_role(session, role)
    return RedirectResponse("/crisis-roles?done=deleted", status_code=303)
