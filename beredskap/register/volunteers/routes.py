"""/api/v1/qualification-types and /api/v1/volunteers.

Volunteers are personal data: the council reads none (the matrix), planners read no contact
details (the schema), and an organisation editor reads and edits only the members of its
own organisations; anyone else's record answers 404, so its existence is not revealed.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, Request, Response, status

from beredskap.platform.api.concurrency import check_version, set_etag
from beredskap.platform.api.crud import get_or_404
from beredskap.platform.api.geometry import to_point
from beredskap.platform.api.pagination import ListParams, Page, list_params, paginate
from beredskap.platform.api.problems import PROBLEM_RESPONSES, forbidden
from beredskap.platform.api.types import Code, PathId, RefId, SearchText
from beredskap.platform.audit.reads import record_read
from beredskap.platform.auth.service import Principal
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.errors import N_, DomainValidationError
from beredskap.register.volunteers import service
from beredskap.register.volunteers.models import Availability, QualificationType, Volunteer
from beredskap.register.volunteers.schemas import (
    MembershipIn,
    QualificationTypeCreate,
    QualificationTypeOut,
    QualificationTypePatch,
    VolunteerCreate,
    VolunteerOut,
    VolunteerPatch,
)

router = APIRouter(tags=["volunteers"], responses=PROBLEM_RESPONSES)

QUALIFICATION_TYPE_SORTS = {
    "code": QualificationType.code,
    "name_nb": QualificationType.name_nb,
    "name_en": QualificationType.name_en,
    "id": QualificationType.id,
}
VOLUNTEER_SORTS = {
    "full_name": Volunteer.full_name,
    "created_at": Volunteer.created_at,
    "updated_at": Volunteer.updated_at,
    "id": Volunteer.id,
}


# Qualification types ------------------------------------------------------------------------


@router.get(
    "/qualification-types",
    name="qualification_types.list",
    response_model=Page[QualificationTypeOut],
)
def list_qualification_types(
    session: SessionDep,
    params: ListParams = Depends(list_params),
    active: bool | None = Query(None),
    q: SearchText | None = Query(None, description="Part of a name or the code, any case"),
) -> Page[QualificationTypeOut]:
    """The catalogue of qualifications, shipped and the municipality's own."""
    statement = service.qualification_types_query(active=active, text=q)
    rows, total = paginate(
        session,
        statement,
        params,
        sortable=QUALIFICATION_TYPE_SORTS,
        default="code",
        tiebreak=QualificationType.id,
    )
    items = [QualificationTypeOut.of(row) for row in rows]
    return Page(items=items, total=total, limit=params.limit, offset=params.offset)


@router.post(
    "/qualification-types",
    name="qualification_types.create",
    status_code=status.HTTP_201_CREATED,
    response_model=QualificationTypeOut,
)
def create_qualification_type(
    body: QualificationTypeCreate, session: SessionDep, response: Response
) -> QualificationTypeOut:
    """Add a qualification type (admin); a duplicate code is a conflict."""
    qualification_type = service.create_qualification_type(session, fields=body.model_dump())
    set_etag(response, qualification_type.version)
    response.headers["Location"] = f"/api/v1/qualification-types/{qualification_type.id}"
    return QualificationTypeOut.of(qualification_type)


@router.get(
    "/qualification-types/{qualification_type_id:int}",
    name="qualification_types.read",
    response_model=QualificationTypeOut,
)
def read_qualification_type(
    qualification_type_id: PathId, session: SessionDep, response: Response
) -> QualificationTypeOut:
    """One qualification type."""
    qualification_type = get_or_404(
        session, QualificationType, qualification_type_id, "qualification type"
    )
    set_etag(response, qualification_type.version)
    return QualificationTypeOut.of(qualification_type)


@router.patch(
    "/qualification-types/{qualification_type_id:int}",
    name="qualification_types.update",
    response_model=QualificationTypeOut,
)
def update_qualification_type(
    qualification_type_id: PathId,
    body: QualificationTypePatch,
    request: Request,
    session: SessionDep,
    response: Response,
) -> QualificationTypeOut:
    """Rename, change the validity of, or retire (active=false) a qualification type (admin)."""
    qualification_type = get_or_404(
        session, QualificationType, qualification_type_id, "qualification type"
    )
    check_version(request, qualification_type.version, body.version)
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    service.update_qualification_type(session, qualification_type, changes=changes)
    set_etag(response, qualification_type.version)
    return QualificationTypeOut.of(qualification_type)


@router.delete(
    "/qualification-types/{qualification_type_id:int}",
    name="qualification_types.delete",
    status_code=status.HTTP_204_NO_CONTENT,
)
def delete_qualification_type(
    qualification_type_id: PathId, request: Request, session: SessionDep
) -> Response:
    """Delete an unused qualification type (admin); one in use answers 409."""
    qualification_type = get_or_404(
        session, QualificationType, qualification_type_id, "qualification type"
    )
    check_version(request, qualification_type.version, None)
    service.delete_qualification_type(session, qualification_type)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# Volunteers ---------------------------------------------------------------------------------


def _outside(principal: Principal, memberships: list[MembershipIn]) -> set[tuple[int, str | None]]:
    """The memberships (organisation, role) of organisations the caller may not edit."""
    return {
        (m.organisation_id, (m.role or "").strip() or None)
        for m in memberships
        if not principal.may_edit_organisation(m.organisation_id)
    }


def _check_memberships(
    principal: Principal, volunteer: Volunteer | None, memberships: list[MembershipIn]
) -> None:
    """An org editor keeps every volunteer in at least one organisation, and adds, changes or
    removes memberships of its own organisations only."""
    if principal.is_admin:
        return
    if not memberships:
        raise DomainValidationError(
            "memberships", N_("a volunteer you register is a member of one of your organisations")
        )
    before = (
        {
            (m.organisation_id, m.role)
            for m in volunteer.memberships
            if not principal.may_edit_organisation(m.organisation_id)
        }
        if volunteer is not None
        else set()
    )
    if _outside(principal, memberships) != before:
        raise forbidden("You may change only your own organisations' memberships.")


@router.get("/volunteers", name="volunteers.list", response_model=Page[VolunteerOut])
def list_volunteers(
    session: SessionDep,
    principal: CurrentPrincipal,
    params: ListParams = Depends(list_params),
    organisation_id: RefId | None = Query(None),
    qualification_type_id: RefId | None = Query(None),
    qualification: Code | None = Query(None, description="A qualification type's code"),
    valid_on: date | None = Query(None, description="The qualification is valid on this day"),
    expiring_before: date | None = Query(None, description="The qualification expires before"),
    availability: Availability | None = Query(None),
    sms_consent: bool | None = Query(None),
    active: bool | None = Query(None),
    q: SearchText | None = Query(None, description="Part of the name, any case"),
) -> Page[VolunteerOut]:
    """Volunteers, filtered by organisation, qualification and availability; org editors see
    their own organisations' members only."""
    statement = service.volunteers_query(
        members_of=principal.sees_only_members_of,
        organisation_id=organisation_id,
        qualification_type_id=qualification_type_id,
        qualification_code=qualification,
        valid_on=valid_on,
        expiring_before=expiring_before,
        availability=availability,
        sms_consent=sms_consent,
        active=active,
        text=q,
    )
    rows, total = paginate(
        session,
        statement,
        params,
        sortable=VOLUNTEER_SORTS,
        default="full_name",
        tiebreak=Volunteer.id,
    )
    personal = principal.sees_personal_data
    if personal and rows:  # the page shows these people's contact details
        record_read(session, Volunteer.__tablename__, what="volunteers.list", count=len(rows))
    items = [VolunteerOut.of(row, personal=personal) for row in rows]
    return Page(items=items, total=total, limit=params.limit, offset=params.offset)


@router.post(
    "/volunteers",
    name="volunteers.create",
    status_code=status.HTTP_201_CREATED,
    response_model=VolunteerOut,
)
def create_volunteer(
    body: VolunteerCreate, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> VolunteerOut:
    """Register a volunteer; org editors only as a member of their own organisations."""
    _check_memberships(principal, None, body.memberships)
    fields = body.model_dump(exclude={"home_area", "memberships", "qualifications"})
    fields["home_area"] = to_point("home_area", body.home_area)
    volunteer = service.create_volunteer(
        session,
        fields=fields,
        memberships=[m.model_dump() for m in body.memberships],
        qualifications=[q.model_dump() for q in body.qualifications],
        sees_holder=principal.sees_member_of_any,
    )
    set_etag(response, volunteer.version)
    response.headers["Location"] = f"/api/v1/volunteers/{volunteer.id}"
    return VolunteerOut.of(volunteer, personal=principal.sees_personal_data)


@router.get("/volunteers/{volunteer_id:int}", name="volunteers.read", response_model=VolunteerOut)
def read_volunteer(
    volunteer_id: PathId, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> VolunteerOut:
    """One volunteer; contact details only for roles that need them (and that read is
    audited)."""
    volunteer = service.get_volunteer(
        session, volunteer_id, members_of=principal.sees_only_members_of
    )
    if principal.sees_personal_data:
        record_read(session, Volunteer.__tablename__, volunteer.id, what="volunteers.read")
    set_etag(response, volunteer.version)
    return VolunteerOut.of(volunteer, personal=principal.sees_personal_data)


@router.patch(
    "/volunteers/{volunteer_id:int}", name="volunteers.update", response_model=VolunteerOut
)
def update_volunteer(
    volunteer_id: PathId,
    body: VolunteerPatch,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
) -> VolunteerOut:
    """Change a volunteer; `memberships` and `qualifications` replace the whole list."""
    volunteer = service.get_volunteer(
        session, volunteer_id, members_of=principal.sees_only_members_of
    )
    if body.memberships is not None:
        _check_memberships(principal, volunteer, body.memberships)
    check_version(request, volunteer.version, body.version)
    changes = body.model_dump(
        exclude_unset=True, exclude={"version", "home_area", "memberships", "qualifications"}
    )
    if "home_area" in body.model_fields_set:
        changes["home_area"] = to_point("home_area", body.home_area)
    service.update_volunteer(
        session,
        volunteer,
        changes=changes,
        memberships=None
        if body.memberships is None
        else [m.model_dump() for m in body.memberships],
        qualifications=None
        if body.qualifications is None
        else [q.model_dump() for q in body.qualifications],
        sees_holder=principal.sees_member_of_any,
    )
    set_etag(response, volunteer.version)
    return VolunteerOut.of(volunteer, personal=principal.sees_personal_data)


@router.delete(
    "/volunteers/{volunteer_id:int}",
    name="volunteers.delete",
    status_code=status.HTTP_204_NO_CONTENT,
)
def delete_volunteer(
    volunteer_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """Remove a volunteer and their qualifications; org editors only people who belong to
    none but their own organisations (otherwise remove your membership instead)."""
    volunteer = service.get_volunteer(
        session, volunteer_id, members_of=principal.sees_only_members_of
    )
    if not all(principal.may_edit_organisation(m.organisation_id) for m in volunteer.memberships):
        raise forbidden(
            "The volunteer is also a member of other organisations; "
            "remove your organisation's membership instead."
        )
    check_version(request, volunteer.version, None)
    service.delete_volunteer(session, volunteer)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
