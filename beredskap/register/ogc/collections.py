"""The collections /ogc offers: one per map layer, with the filters each supports.

Volunteers are never a collection: they are people, and OGC clients share layers freely.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Query
from sqlalchemy.orm import Session

from beredskap.platform.auth.service import Principal
from beredskap.register.agreements.models import AgreementStatus
from beredskap.register.inventory.models import Capability, EquipmentStatus
from beredskap.register.layers import service
from beredskap.register.layers.service import Layer, LayerPage
from beredskap.register.organisations.models import SiteKind

# (session, principal, common keyword arguments and the collection's filters) -> one page
Fetch = Callable[..., LayerPage]


@dataclass(frozen=True)
class OgcCollection:
    layer: Layer
    title: str
    description: str
    feature_key: str  # the path parameter naming one feature
    filters: Callable[..., dict[str, Any]]  # a dependency: the collection's own query parameters
    filter_names: tuple[str, ...]
    fetch: Fetch

    @property
    def id(self) -> str:
        return self.layer.value

    @property
    def route_prefix(self) -> str:
        """Route names: ogc.<collection>.collection, .items, .feature."""
        return f"ogc.{self.layer.value.replace('-', '_')}"


def _no_filters() -> dict[str, Any]:
    return {}


def _site_filters(
    kind: SiteKind | None = Query(None, description="Only sites of this kind"),
) -> dict[str, Any]:
    return {"kind": kind}


def _equipment_filters(
    capability: Capability | None = Query(None, description="Only equipment of this capability"),
    status: EquipmentStatus | None = Query(None, description="Only equipment in this status"),
) -> dict[str, Any]:
    return {"capability": capability, "status": status}


def _agreement_filters(
    status: AgreementStatus | None = Query(None, description="Only agreements in this status"),
) -> dict[str, Any]:
    return {"status": status}


def _organisations(session: Session, principal: Principal, **query: Any) -> LayerPage:
    return service.organisations(
        session, with_contact_details=principal.sees_contact_details, **query
    )


def _sites(session: Session, principal: Principal, **query: Any) -> LayerPage:
    return service.sites(session, **query)


def _equipment(session: Session, principal: Principal, **query: Any) -> LayerPage:
    return service.equipment_aggregates(session, **query)


def _agreements(session: Session, principal: Principal, **query: Any) -> LayerPage:
    return service.agreement_areas(session, **query)


COLLECTIONS: tuple[OgcCollection, ...] = (
    OgcCollection(
        Layer.ORGANISATIONS,
        "Organisations",
        "Active voluntary organisations at their home base, with their number of sites. "
        "The 24/7 contact is shown only to roles that see contact details.",
        "organisation_id",
        _no_filters,
        (),
        _organisations,
    ),
    OgcCollection(
        Layer.SITES,
        "Sites",
        "Storage sites, bases, muster points and shelters of active organisations and of "
        "the municipality.",
        "site_id",
        _site_filters,
        ("kind",),
        _sites,
    ),
    OgcCollection(
        Layer.EQUIPMENT_AGGREGATES,
        "Equipment per site",
        "One feature per site holding equipment of active organisations: equipment lines "
        "and quantities in all, by capability and by status. The feature id is the site's.",
        "site_id",
        _equipment_filters,
        ("capability", "status"),
        _equipment,
    ),
    OgcCollection(
        Layer.AGREEMENT_AREAS,
        "Agreement service areas",
        "Where each preparedness agreement's organisation has undertaken to serve "
        "(agreements of every status; filter by status). The feature id is the agreement's.",
        "agreement_id",
        _agreement_filters,
        ("status",),
        _agreements,
    ),
)


def by_id(collection_id: str) -> OgcCollection | None:
    return next((c for c in COLLECTIONS if c.id == collection_id), None)
