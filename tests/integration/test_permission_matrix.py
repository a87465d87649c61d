"""Every route of the app against every role: the matrix of
`beredskap.platform.auth.permissions`, as the composition root assembles it from the packages,
is the whole truth, a route without a
rule fails here, and the council never sees a person."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from sqlalchemy import select
from starlette.routing import Mount, Route

from alerts.models import Callout
from beredskap.platform.auth.models import Role, User
from beredskap.platform.auth.permissions import PUBLIC, declare, matrix
from beredskap.register.agreements.models import Agreement
from beredskap.register.crisis_roles.models import CrisisRole
from beredskap.register.inventory.models import Equipment, ResourceType
from beredskap.register.organisations.models import Organisation
from beredskap.register.seed.demo import seed_demo
from beredskap.register.volunteers.models import QualificationType, Volunteer
from exercises.models import Exercise
from tests.support.api import ApiHarness
from tests.support.exercises import finished_drill

# Routes that are not APIRoutes: FastAPI's schema and the static files. They hold no data.
INFRASTRUCTURE = {"openapi", "static"}
ROLE_REFUSAL = "Your role may not do this."
MISSING_ID = 987_654
CALLERS: list[Role | None] = [None, *Role]
# Public routes that check a signature or the provider's credentials instead of a login:
# unsigned calls get 403.
SIGNATURE_GUARDED = {
    "webhooks.twilio_sms",
    "webhooks.twilio_status",
    "webhooks.linkmobility_dlr",
    "webhooks.linkmobility_mo",
    "webhooks.voice_call",
    "webhooks.voice_answer",
    "webhooks.voice_minutes",
    "webhooks.voice_status",
}


def _contexts(api: ApiHarness) -> list[RouteContext]:
    """Every route as the app serves it (included routers resolved, prefixes applied)."""
    return list(iter_route_contexts(api.client.app.routes))


def _api_routes(api: ApiHarness) -> list[RouteContext]:
    return [c for c in _contexts(api) if isinstance(c.original_route, APIRoute)]


def test_every_route_has_a_rule_and_every_rule_a_route(api: ApiHarness) -> None:
    names = set()
    for context in _contexts(api):
        if isinstance(context.original_route, APIRoute):
            assert context.name in matrix(), f"{context.path} ({context.name}) has no rule"
            names.add(context.name)
        else:
            assert isinstance(context.original_route, (Route, Mount))
            assert context.name in INFRASTRUCTURE or context.name.startswith("static_"), (
                f"{context.path} is not an APIRoute"
            )
    assert len(names) >= 10
    assert set(matrix()) - names == set(), "rules for routes that do not exist"


def _call(api: ApiHarness, route: RouteContext, method: str, role: Role | None) -> Any:
    path = re.sub(r"\{[^}]+\}", str(MISSING_ID), route.path)
    headers = api.headers(role) | {"accept": "application/json"}
    if method in ("POST", "PATCH", "PUT"):
        body_field = route.original_route.body_field
        if body_field is not None and "form" not in type(body_field.field_info).__name__.lower():
            return api.client.request(method, path, headers=headers, json={})
        return api.client.request(method, path, headers=headers, data={})
    return api.client.request(method, path, headers=headers, follow_redirects=False)


def _cases(api: ApiHarness) -> list[tuple[RouteContext, str]]:
    cases = [(route, method) for route in _api_routes(api) for method in sorted(route.methods)]
    assert len(cases) >= 10
    return cases


@pytest.mark.parametrize("role", CALLERS, ids=lambda role: role.value if role else "anonymous")
def test_every_route_answers_each_role_as_the_matrix_says(
    api: ApiHarness, role: Role | None
) -> None:
    for route, method in _cases(api):
        rule = matrix()[route.name]
        response = _call(api, route, method, role)
        where = f"{method} {route.path} as {role}: {response.status_code} {response.text[:200]}"
        assert response.status_code < 500, where
        if rule == PUBLIC and route.name in SIGNATURE_GUARDED:
            assert response.status_code == 403, where
        elif rule == PUBLIC:
            assert response.status_code not in (401, 403), where
        elif role is None:
            assert response.status_code == 401, where
            assert response.headers["www-authenticate"] == "Bearer", where
        elif role in rule:
            refused_by_matrix = (
                response.status_code == 403 and response.json().get("detail") == ROLE_REFUSAL
            )
            assert not refused_by_matrix and response.status_code != 401, where
        else:
            assert response.status_code == 403, where
            assert response.json()["detail"] == ROLE_REFUSAL, where


def test_a_revoked_or_unknown_token_is_refused(api: ApiHarness) -> None:
    from beredskap.platform.auth.service import revoke_tokens

    url = "/api/v1/organisations"
    assert api.get(Role.ADMIN, url).status_code == 200
    revoke_tokens(api.session, token=api.tokens[Role.ADMIN])
    api.session.commit()
    assert api.get(Role.ADMIN, url).status_code == 401
    assert api.client.get(url, headers={"Authorization": "Bearer bk_guess"}).status_code == 401
    assert api.client.get(url, headers={"Authorization": "Basic YTpi"}).status_code == 401


# Personal data of the demo: volunteers' and contacts' phones, e-mail addresses.
PERSONAL = re.compile(r"\+447700900\d{3}|[\w.+-]+@[\w-]+\.(?:example|org)\b")


def test_the_council_never_receives_personal_data(api: ApiHarness) -> None:
    api.session.info["actor"] = "seed demo"
    seed_demo(api.session)
    api.session.commit()
    planned = api.post(
        Role.DUTY_OFFICER,
        "/api/v1/callouts",
        json={
            "title": "Leteaksjon",
            "message": "Oppmøte Lillestrøm stasjon.",
            "lat": 59.956,
            "lon": 11.049,
            "radius_m": 20_000,
            "needs": [{"qualification": "first_aid", "count": 5}],
        },
    )
    assert planned.status_code == 201 and planned.json()["recipients_count"] > 0
    finished_drill(api.session, api.own, api.other)  # an evaluation with volunteers behind it
    api.session.commit()
    invited = api.session.scalars(select(Volunteer.id).order_by(Volunteer.id).limit(3)).all()
    exercise = api.post(
        Role.PLANNER,
        "/api/v1/exercises",
        json={
            "title": "Øvelse",
            "type": "tabletop",
            "starts_at": "2027-05-04T18:00:00",
            "ends_at": "2027-05-04T20:00:00",
            "volunteer_ids": list(invited),
        },
    )
    assert exercise.status_code == 201, exercise.text
    first = {
        "organisation_id": Organisation.id,
        "site_id": Equipment.site_id,  # a site that holds equipment (also an /ogc feature)
        "equipment_id": Equipment.id,
        "volunteer_id": Volunteer.id,
        "agreement_id": Agreement.id,
        "resource_type_id": ResourceType.id,
        "qualification_type_id": QualificationType.id,
        "callout_id": Callout.id,
        "exercise_id": Exercise.id,
        "user_id": User.id,  # the users pages (admin only)
        "role_id": CrisisRole.id,  # the crisis roles (coordinator and duty officer)
    }
    ids = {
        name: api.session.scalar(select(column).order_by(column)) for name, column in first.items()
    }
    checked = 0
    for route in _api_routes(api):
        if "GET" not in route.methods or matrix()[route.name] == PUBLIC:
            continue
        if route.name == "me.read":
            continue  # the caller's own e-mail, nobody else's
        # Path parameters are typed ({organisation_id:int}); the OpenAPI document lists the
        # path without the convertor.
        template = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        path = template
        for name, value in ids.items():
            path = path.replace("{" + name + "}", str(value))
        assert "{" not in path, f"no id to fill in {route.path}"
        # A search centre in Lillestrøm for the searches, the largest page for lists: each
        # route gets those it declares (/ogc refuses unknown parameters, as OGC API asks).
        # A required text (the place search's q) gets a street of the demo.
        wanted: dict[str, object] = {"limit": 500, "lat": 59.956, "lon": 11.049, "q": "Storgata"}
        operation = api.client.app.openapi()["paths"].get(template, {}).get("get", {})
        declared = {
            p["name"]: p.get("schema", {}).get("maximum")
            for p in operation.get("parameters", [])
            if p["in"] == "query"
        }
        params = {name: value for name, value in wanted.items() if name in declared}
        if "limit" in params and declared["limit"] is not None:
            params["limit"] = min(500, declared["limit"])
        response = api.get(Role.COUNCIL, path, params=params)
        assert response.status_code in (200, 403), f"{path}: {response.status_code}"
        found = PERSONAL.findall(response.text)
        assert not found, f"{path} shows the council {found[:3]}"
        assert '"home_area"' not in response.text or response.status_code == 403
        checked += response.status_code == 200
    assert checked >= 5


def test_a_package_cannot_declare_a_second_rule_for_a_route(api: ApiHarness) -> None:
    declare({"web.callouts": matrix()["web.callouts"]})  # the same again: nothing changes
    with pytest.raises(ValueError, match="two different rules"):
        declare({"web.callouts": PUBLIC})
    assert matrix()["web.callouts"] != PUBLIC


def test_the_api_description_holds_the_api_and_no_page(api: ApiHarness) -> None:
    """Pages answer HTML and are not part of the API's contract (the contract test would read
    a login page as an undocumented JSON answer)."""
    paths = set(api.client.app.openapi()["paths"])
    api_paths = ("/api/", "/ogc", "/healthz")
    assert {path for path in paths if not path.startswith(api_paths)} == set()
    assert "/api/v1/callouts" in paths
