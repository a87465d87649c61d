"""The map pages: /maps/overview, /maps/incident and /maps/council.

Each page is an ordinary page of the site (layout, menu, language, permission matrix) with a
folium map in it. The map's script is inline, so each response carries its own
Content-Security-Policy: the site's strict one plus that script's SHA-256 in `script-src` and
the configured tile hosts in `img-src`. Leaflet and its plugins come from /static/vendor.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from babel.support import Translations
from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.routing import iter_route_contexts
from folium import Map

from beredskap.platform.auth.permissions import allowed_roles
from beredskap.platform.auth.service import Principal
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.web.i18n import N_, language_of, translations_for
from beredskap.platform.web.rendering import (
    CONTENT_SECURITY_POLICY,
    environment,
    number_format,
    render,
)
from beredskap.register.addresses.resolve import locate
from beredskap.register.inventory.models import Capability, EquipmentStatus
from beredskap.register.maps.council import build_council_map
from beredskap.register.maps.embed import EmbeddedMap, embed
from beredskap.register.maps.incident import Incident, IncidentLayerNames, build_incident_map
from beredskap.register.maps.overview import OverviewLayerNames, build_overview_map
from beredskap.register.maps.tiles import TileSource, image_sources, tile_sources
from beredskap.register.organisations.models import SiteKind
from beredskap.register.reach.service import Where
from beredskap.register.search.aggregates import DEFAULT_SUPPRESS_BELOW, TooManyCellsError
from beredskap.register.web import map_council, map_incident, map_overview
from beredskap.register.web.labels import enum_label
from beredskap.register.web.map_data import LEGEND_COLOURS, catalogue_name, popups
from beredskap.register.web.map_forms import (
    COUNCIL_CELL_KM,
    IncidentForm,
    active_qualification_types,
    active_resource_types,
    by_id,
    parse_council,
    parse_incident,
    parse_overview,
)
from beredskap.register.web.reach_panel import read_panel, unasked_panel

router = APIRouter(prefix="/maps")

# The maps, in the order the pages link to each other (each shown only to roles allowed).
MAP_PAGES = (
    ("web.map_overview", "/maps/overview", N_("Overview map")),
    ("web.map_incident", "/maps/incident", N_("Incident map")),
    ("web.map_council", "/maps/council", N_("Council map")),
)
CALLOUT_ROUTE = "web.callout_new"
CALLOUT_PATH = "/callouts/new"


def map_links(principal: Principal, translations: Translations) -> list[dict[str, str]]:
    links = []
    for name, path, title in MAP_PAGES:
        rule = allowed_roles(name)
        if isinstance(rule, frozenset) and principal.role in rule:
            links.append({"name": name, "path": path, "title": translations.gettext(title)})
    return links


def map_policy(embedded: EmbeddedMap, sources: list[TileSource]) -> str:
    """The site's policy with the map's script hash and the tile hosts added, nothing else."""
    directives: dict[str, str] = {}
    for directive in CONTENT_SECURITY_POLICY.split(";"):
        name, _, value = directive.strip().partition(" ")
        directives[name] = value
    directives["script-src"] += f" {embedded.script_hash}"
    hosts = image_sources(sources)
    if hosts:
        directives["img-src"] += " " + " ".join(hosts)
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _options(translations: Translations, enum_class: Any) -> list[tuple[str, str]]:
    return [(member.value, enum_label(translations, member)) for member in enum_class]


def _catalogue_options(entries: Iterable[Any], language: str) -> list[tuple[str, str]]:
    """Resource or qualification types as (id, name), by name in the reader's language."""
    named = [(str(entry.id), catalogue_name(entry, language)) for entry in entries]
    return sorted(named, key=lambda option: option[1].lower())


def _sources(request: Request, translations: Translations) -> list[TileSource]:
    return tile_sources(
        request.app.state.settings,
        default_name=translations.gettext("Topographic map"),
        alternative_name=translations.gettext("Street map"),
    )


def _page(
    request: Request,
    principal: Principal,
    template: str,
    context: dict[str, Any],
    *,
    map_: Map,
    sources: list[TileSource],
    current: str,
    status_code: int,
) -> Response:
    embedded = embed(map_)
    translations = translations_for(request)
    return render(
        request,
        template,
        {
            **context,
            "map": embedded,
            "map_links": map_links(principal, translations),
            "current_map": current,
            "active": "maps",
        },
        principal=principal,
        status_code=status_code,
        headers={"Content-Security-Policy": map_policy(embedded, sources)},
    )


@router.get("/overview", name="web.map_overview")
def overview(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Bases, sites, equipment per site (filter by capability and status), agreement areas."""
    translations = translations_for(request)
    language = language_of(request)
    env = environment(language)
    form = parse_overview(request.query_params, translations, number_format(request))
    data = map_overview.overview(session, principal, form, env, translations)
    sources = _sources(request, translations)
    names = OverviewLayerNames(
        bases=translations.gettext("Organisations' home bases"),
        sites={
            kind.value: translations.gettext("Sites: %(kind)s")
            % {"kind": enum_label(translations, kind)}
            for kind in SiteKind
        },
        equipment=translations.gettext("Equipment per site"),
        agreement_areas=translations.gettext("Areas of active agreements"),
    )
    map_ = build_overview_map(
        data.content, sources=sources, names=names, texts=data.texts, legend_html=data.legend
    )
    return _page(
        request,
        principal,
        "maps/overview.html",
        {
            "form": form,
            "shown": data.shown,
            "truncated": data.truncated,
            "listing": data.listing,
            "capability_options": _options(translations, Capability),
            "status_options": _options(translations, EquipmentStatus),
        },
        map_=map_,
        sources=sources,
        current="web.map_overview",
        status_code=form.status_code,
    )


def callout_link(request: Request, form: IncidentForm, principal: Principal) -> str | None:
    """The callout page with the point, radius and needs, for roles that may start one."""
    rule = allowed_roles(CALLOUT_ROUTE)
    if form.place is None or form.errors:
        return None
    if not (isinstance(rule, frozenset) and principal.role in rule):
        return None
    # Included routers stay nested in the app's routes: look through all of them.
    if not any(
        context.name == CALLOUT_ROUTE for context in iter_route_contexts(request.app.routes)
    ):
        return None
    query = {
        "lat": f"{form.place.lat:.6f}",
        "lon": f"{form.place.lon:.6f}",
        "radius_m": f"{form.radius_m:.0f}",
    }
    if form.capability:
        query["capability"] = form.capability.value
    if form.resource_type:
        query["resource_type"] = str(form.resource_type.id)
    if form.qualification:
        query["qualification"] = str(form.qualification.id)
    # The address the point was found by, so the callout form shows where in words too.
    address = str(form.values.get("address") or "").strip()
    if address:
        query["address"] = address
    return f"{CALLOUT_PATH}?{urlencode(query)}"


@router.get("/incident", name="web.map_incident")
def incident(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Click or enter a point, choose a radius and needs: what and who is near, nearest first."""
    translations = translations_for(request)
    language = language_of(request)
    env = environment(language)
    resource_types = by_id(active_resource_types(session))
    qualifications = by_id(active_qualification_types(session))
    form = parse_incident(
        request.query_params,
        translations,
        resource_types=resource_types,
        qualifications=qualifications,
        number=number_format(request),
        locate=lambda text: locate(session, text),
    )
    results = None
    if form.place is not None and not form.errors:
        results = map_incident.incident_results(session, principal, form, env, language)
        # What can be at the incident's point within the minutes asked (the reach panel).
        # The address names the point (the search's choice fills lat and lon and keeps it;
        # a click on the map empties it).
        typed_address = form.values.get("address") or None
        reach = read_panel(
            session,
            principal,
            request.app.state.settings,
            request.query_params,
            translations,
            language,
            number_format(request),
            place=Where(form.place.lon, form.place.lat, typed_address),
            what="web.map_incident",
        )
    else:
        reach = unasked_panel(request.query_params, translations)
    sources = _sources(request, translations)
    macros = popups(env)
    shows_volunteers = principal.sees_personal_data
    map_ = build_incident_map(
        sources=sources,
        names=IncidentLayerNames(
            incident=translations.gettext("Incident"),
            equipment=translations.gettext("Ready equipment"),
            volunteers=translations.gettext("Volunteers (approximate home area)"),
        ),
        legend_html=macros.incident_legend(LEGEND_COLOURS, shows_volunteers),
        incident=Incident(form.place.lat, form.place.lon, form.radius_m)
        if results is not None and form.place is not None
        else None,
        sites=map_incident.numbered_sites(results, env) if results else [],
        homes=map_incident.approximate_homes(results, env, translations) if results else None,
    )
    return _page(
        request,
        principal,
        "maps/incident.html",
        {
            "form": form,
            "results": results,
            "shows_volunteers": shows_volunteers,
            "callout_link": callout_link(request, form, principal),
            "reach": reach,
            "capability_options": _options(translations, Capability),
            "resource_type_options": _catalogue_options(resource_types.values(), language),
            "qualification_options": _catalogue_options(qualifications.values(), language),
        },
        map_=map_,
        sources=sources,
        current="web.map_incident",
        status_code=form.status_code if form.status_code != 200 or not reach.errors else 422,
    )


@router.get("/council", name="web.map_council")
def council(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Counts per grid square (1, 5 or 10 km): ready equipment or qualified volunteers."""
    translations = translations_for(request)
    language = language_of(request)
    env = environment(language)
    qualifications = by_id(active_qualification_types(session))
    form = parse_council(
        request.query_params,
        translations,
        qualifications=qualifications,
        number=number_format(request),
    )
    try:
        grid = map_council.council_grid(session, form, env, translations, language)
    except TooManyCellsError:
        form.add_error("cell_km", N_("too many squares for one map: choose a larger size"))
        grid = map_council.empty_grid(form, env)
    # What can be at a point within some minutes (the reach panel, its own form).
    reach = read_panel(
        session,
        principal,
        request.app.state.settings,
        request.query_params,
        translations,
        language,
        number_format(request),
        what="web.map_council",
    )
    sources = _sources(request, translations)
    map_ = build_council_map(
        grid.squares,
        sources=sources,
        layer_name=translations.gettext("Counts per square"),
        legend_html=grid.legend,
        classes=grid.classes,
        qualifications=grid.qualification_codes,
        texts=grid.texts,
    )
    return _page(
        request,
        principal,
        "maps/council.html",
        {
            "form": form,
            "grid": grid,
            "cell_options": [(str(size), f"{size} km") for size in COUNCIL_CELL_KM],
            "capability_options": _options(translations, Capability),
            "qualification_options": _catalogue_options(qualifications.values(), language),
            "suppressed_below": DEFAULT_SUPPRESS_BELOW,
            "reach": reach,
        },
        map_=map_,
        sources=sources,
        current="web.map_council",
        status_code=form.status_code if form.status_code != 200 or not reach.errors else 422,
    )
