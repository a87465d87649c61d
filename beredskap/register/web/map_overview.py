"""What the overview map shows: organisations' bases, sites by kind, equipment per site and
the areas of active agreements, read through `beredskap.register.layers.service` and written as the
compact rows layers.js draws, with the labels it needs; contact details only for roles that
see them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from babel.support import Translations
from jinja2 import Environment
from markupsafe import Markup
from sqlalchemy.orm import Session

from beredskap.platform.auth.service import Principal
from beredskap.register.agreements.models import AgreementStatus
from beredskap.register.inventory.models import Capability, EquipmentStatus
from beredskap.register.layers import service as layers
from beredskap.register.maps import rows
from beredskap.register.maps.overview import (
    MapArea,
    OverviewContent,
    OverviewTexts,
    category_colour,
)
from beredskap.register.organisations.models import OrganisationCategory, SiteKind
from beredskap.register.web.labels import enum_label
from beredskap.register.web.map_data import LEGEND_COLOURS, PLURAL_SAMPLES, popups
from beredskap.register.web.map_forms import OverviewForm

PAGE_SIZE = 5_000
MAX_FEATURES = 20_000


def _all_features(
    read: Callable[..., layers.LayerPage], **criteria: Any
) -> tuple[list[layers.LayerFeature], int]:
    """Every feature of a layer, page by page, up to MAX_FEATURES; and how many matched."""
    features: list[layers.LayerFeature] = []
    total = 0
    while len(features) < MAX_FEATURES:
        page = read(limit=PAGE_SIZE, offset=len(features), **criteria)
        features.extend(page.features)
        total = page.total
        if len(features) >= total or not page.features:
            break
    return features[:MAX_FEATURES], total


def _lat_lon(feature: layers.LayerFeature) -> tuple[float, float]:
    lon, lat = feature.geometry["coordinates"][:2]
    return float(lat), float(lon)


def _enum_or_none(enum_class: Any, value: Any) -> Any:
    try:
        return enum_class(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class ListedOrganisation:
    id: int | None
    name: str
    category: str  # in words: the map says it by colour only
    municipal: bool


@dataclass(frozen=True)
class ListedSite:
    name: str
    kind: str
    organisation_id: int | None
    organisation: str | None
    address: str | None
    open_24_7: bool


@dataclass(frozen=True)
class ListedEquipment:
    site: str
    organisation_id: int | None
    organisation: str | None
    lines: int
    statuses: list[tuple[str, int]]  # (status in words, lines) with lines
    overdue: int | None


@dataclass(frozen=True)
class ListedArea:
    title: str
    reference: str
    organisation_id: int | None
    organisation: str
    tasks: list[str]  # in words
    valid_from: date | None
    valid_until: date | None


@dataclass
class Listing:
    """What the overview map shows, as lists for the page (the map's text alternative, with
    the same filters: WCAG 1.1.1)."""

    organisations: list[ListedOrganisation] = field(default_factory=list)
    sites: list[ListedSite] = field(default_factory=list)
    equipment: list[ListedEquipment] = field(default_factory=list)
    areas: list[ListedArea] = field(default_factory=list)  # of active agreements


@dataclass
class Overview:
    content: OverviewContent
    texts: OverviewTexts
    legend: Markup
    shown: dict[str, int] = field(default_factory=dict)
    truncated: bool = False
    listing: Listing = field(default_factory=Listing)


def overview_texts(translations: Translations) -> OverviewTexts:
    """The labels layers.js writes into the overview's popups."""
    _ = translations.gettext
    label = partial(enum_label, translations)
    municipality = _("The municipality")
    municipal = _("The municipality's own")
    return OverviewTexts(
        organisation={
            "categories": [label(category) for category in OrganisationCategory],
            "organisationNumber": _("Org. no. %(number)s"),
            "sites": [
                translations.ngettext("%(count)s site", "%(count)s sites", n)
                for n in PLURAL_SAMPLES
            ],
            "contact": _("24/7 contact"),
            "municipal": municipal,
        },
        sites={
            kind.value: {
                "kind": label(kind),
                "open": _("open 24/7"),
                "municipality": municipality,
                "municipal": municipal,
            }
            for kind in SiteKind
        },
        equipment={
            "lines": [
                translations.ngettext("%(count)s equipment line", "%(count)s equipment lines", n)
                for n in PLURAL_SAMPLES
            ],
            "byCapability": _("By capability"),
            "byStatus": _("By status"),
            # Beside the statuses: lines past their inspection date are not ready.
            "overdue": [
                translations.ngettext(
                    "%(count)s line is past its inspection date and not ready",
                    "%(count)s lines are past their inspection date and not ready",
                    n,
                )
                for n in PLURAL_SAMPLES
            ],
            "noneOverdue": _("No line is past its inspection date."),
            "capabilities": [label(capability) for capability in Capability],
            "statuses": [label(status) for status in EquipmentStatus],
            "kindHeader": _("Kind"),
            "linesHeader": _("Lines"),
            "itemsHeader": _("Items"),
            "municipality": municipality,
            "municipal": municipal,
        },
    )


def overview(
    session: Session,
    principal: Principal,
    form: OverviewForm,
    env: Environment,
    translations: Translations,
) -> Overview:
    """Bases, sites by kind, equipment per site (filtered), areas of active agreements."""
    macros = popups(env)
    truncated = False
    contact_details = principal.sees_contact_details
    listing = Listing()
    label = env.filters["label"]
    task_label = env.filters["task"]

    organisations, total = _all_features(
        lambda **page: layers.organisations(session, with_contact_details=contact_details, **page)
    )
    truncated |= total > len(organisations)
    bases = []
    categories = set()
    for feature in organisations:
        props = feature.properties
        lat, lon = _lat_lon(feature)
        contact = None
        if contact_details:
            contact = tuple(props.get(f"contact_24_7_{key}") for key in ("name", "phone", "email"))
        categories.add(props["category"])
        category = _enum_or_none(OrganisationCategory, props["category"])
        listing.organisations.append(
            ListedOrganisation(
                feature.id,  # type: ignore[arg-type]
                props["name"],
                label(category) if category else str(props["category"]),
                bool(props.get("municipal")),
            )
        )
        bases.append(
            rows.organisation_row(
                lat,
                lon,
                category=props["category"],
                id=feature.id,
                name=props["name"],
                organisation_number=props.get("organisation_number"),
                site_count=props.get("site_count", 0),
                contact=contact,  # type: ignore[arg-type]
                municipal=bool(props.get("municipal")),
            )
        )

    site_features, total = _all_features(lambda **page: layers.sites(session, **page))
    truncated |= total > len(site_features)
    sites: dict[str, list[rows.Row]] = {kind.value: [] for kind in SiteKind}
    for feature in site_features:
        props = feature.properties
        lat, lon = _lat_lon(feature)
        category = props.get("organisation_category") or OrganisationCategory.OTHER.value
        categories.add(category)
        kind = _enum_or_none(SiteKind, props["kind"])
        listing.sites.append(
            ListedSite(
                props["name"],
                label(kind) if kind else str(props["kind"]),
                props.get("organisation_id"),
                props.get("organisation"),
                props.get("address"),
                bool(props.get("access_24_7")),
            )
        )
        sites.setdefault(props["kind"], []).append(
            rows.site_row(
                lat,
                lon,
                category=category,
                name=props["name"],
                address=props.get("address"),
                access_24_7=bool(props.get("access_24_7")),
                organisation_id=props.get("organisation_id"),
                organisation=props.get("organisation"),
                municipal=bool(props.get("municipal")),
            )
        )

    equipment_features, total = _all_features(
        lambda **page: layers.equipment_aggregates(
            session, capability=form.capability, status=form.status, **page
        )
    )
    truncated |= total > len(equipment_features)
    equipment = []
    lines = 0
    for feature in equipment_features:
        props = feature.properties
        lat, lon = _lat_lon(feature)
        lines += props["lines"]
        overdue = props.get("inspection_overdue")
        listing.equipment.append(
            ListedEquipment(
                props["site_name"],
                props.get("organisation_id"),
                props.get("organisation"),
                props["lines"],
                [
                    (label(status), int(props["by_status"].get(status.value, {}).get("lines", 0)))
                    for status in EquipmentStatus
                    if props["by_status"].get(status.value, {}).get("lines")
                ],
                None if overdue is None else int(overdue.get("lines", 0)),
            )
        )
        equipment.append(
            rows.equipment_row(
                lat,
                lon,
                lines=props["lines"],
                site_name=props["site_name"],
                organisation_id=props.get("organisation_id"),
                organisation=props.get("organisation"),
                by_capability=props["by_capability"],
                by_status=props["by_status"],
                overdue=props.get("inspection_overdue"),
                municipal=bool(props.get("municipal")),
            )
        )

    # Active agreements only: a draft or expired agreement commits nobody to anything.
    area_features, total = _all_features(
        lambda **page: layers.agreement_areas(session, status=AgreementStatus.ACTIVE, **page)
    )
    truncated |= total > len(area_features)
    areas = []
    for feature in area_features:
        props = feature.properties
        area_words = translations.gettext("area of agreement %(reference)s") % {
            "reference": props["reference"]
        }
        valid_from, valid_until = _day(props.get("valid_from")), _day(props.get("valid_until"))
        listing.areas.append(
            ListedArea(
                props["title"],
                props["reference"],
                props["organisation_id"],
                props["organisation"],
                [task_label(task) for task in props.get("tasks") or []],
                valid_from,
                valid_until,
            )
        )
        areas.append(
            MapArea(
                feature.geometry,
                name=f"{props['title']}, {area_words}",
                popup=macros.agreement_popup(
                    props["reference"],
                    props["title"],
                    _enum_or_none(AgreementStatus, props["status"]),
                    props["organisation_id"],
                    props["organisation"],
                    props.get("tasks") or [],
                    valid_from,
                    valid_until,
                ),
            )
        )

    legend_categories = [
        (label(category), category_colour(category.value))
        for category in OrganisationCategory
        if category.value in categories
    ]
    return Overview(
        content=OverviewContent(
            bases=bases, sites=sites, equipment=equipment, agreement_areas=areas
        ),
        texts=overview_texts(translations),
        legend=macros.overview_legend(legend_categories, LEGEND_COLOURS),
        shown={
            "bases": len(bases),
            "sites": sum(len(points) for points in sites.values()),
            "equipment_sites": len(equipment),
            "equipment_lines": lines,
            "areas": len(areas),
        },
        truncated=truncated,
        listing=listing,
    )


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
