"""The register's map layers as one GeoPackage that GDAL and QGIS read: sites, organisations'
home bases, agreements' service areas and equipment counted per site, each a layer in
EPSG:4326, from the same queries as the maps and /ogc (`layers.service`), inactive
organisations' data included (it is the municipality's data). Written with pyogrio (GDAL in
its wheel) a page of features at a time, so memory stays bounded."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio.raw
from shapely import to_wkb
from shapely.geometry import shape
from sqlalchemy.orm import Session

from beredskap.register.layers import service
from beredskap.register.layers.service import LayerPage

PAGE = 1000
CONTACT_FIELDS = ("contact_24_7_name", "contact_24_7_phone", "contact_24_7_email")


@dataclass(frozen=True)
class GeoLayer:
    name: str  # the layer's name in the GeoPackage
    id_field: str  # the feature's id in the register (a site's, an organisation's...)
    geometry_type: str
    fields: tuple[tuple[str, str], ...]  # (name, kind: text, whole, flag, json)
    read: Callable[..., LayerPage]
    description: str


def layers(personal: bool) -> tuple[GeoLayer, ...]:
    """The layers and their fields (the organisations' 24/7 contacts only with personal
    data)."""
    contacts = tuple((name, "text") for name in CONTACT_FIELDS) if personal else ()
    return (
        GeoLayer(
            "sites",
            "site_id",
            "Point",
            (
                ("name", "text"),
                ("kind", "text"),
                ("address", "text"),
                ("access_24_7", "flag"),
                ("organisation_id", "whole"),
                ("organisation", "text"),
                ("organisation_category", "text"),
            ),
            service.sites,
            "storage sites, bases, muster points and shelters (no access notes)",
        ),
        GeoLayer(
            "organisation_bases",
            "organisation_id",
            "Point",
            (
                ("name", "text"),
                ("category", "text"),
                ("active", "flag"),
                ("organisation_number", "text"),
                ("site_count", "whole"),
                *contacts,
            ),
            lambda session, **kw: service.organisations(
                session, with_contact_details=personal, **kw
            ),
            "organisations at their home base (those without one are not in it)",
        ),
        GeoLayer(
            "agreement_service_areas",
            "agreement_id",
            "MultiPolygon",
            (
                ("reference", "text"),
                ("title", "text"),
                ("status", "text"),
                ("organisation_id", "whole"),
                ("organisation", "text"),
                ("tasks", "json"),
                ("valid_from", "text"),
                ("valid_until", "text"),
            ),
            service.agreement_areas,
            "agreements with a service area, of every status",
        ),
        GeoLayer(
            "equipment_per_site",
            "site_id",
            "Point",
            (
                ("site_name", "text"),
                ("site_kind", "text"),
                ("organisation_id", "whole"),
                ("organisation", "text"),
                ("lines", "whole"),
                ("quantity", "whole"),
                ("by_capability", "json"),
                ("by_status", "json"),
            ),
            service.equipment_aggregates,
            "one point per site holding equipment: lines and items, by capability and status",
        ),
    )


def _column(kind: str, values: list[Any]) -> tuple[np.ndarray, np.ndarray | None]:
    if kind == "whole":
        mask = np.array([value is None for value in values], dtype=bool)
        data = np.array([0 if value is None else int(value) for value in values], dtype="int64")
        return data, mask
    if kind == "flag":
        return np.array([bool(value) for value in values], dtype=bool), None
    if kind == "json":
        values = [None if v is None else json.dumps(v, ensure_ascii=False) for v in values]
    return np.array([None if v is None else str(v) for v in values], dtype=object), None


def _write(path: Path, layer: GeoLayer, page: LayerPage | None, *, append: bool) -> None:
    features = page.features if page else []
    geometry = np.array([to_wkb(shape(f.geometry)) for f in features], dtype=object)
    columns = [(layer.id_field, "whole"), *layer.fields]
    data, masks = [], []
    for index, (name, kind) in enumerate(columns):
        values = [f.properties.get(name) if index else f.id for f in features]
        column, mask = _column(kind, values)
        data.append(column)
        masks.append(mask)
    pyogrio.raw.write(
        str(path),
        geometry,
        data,
        [name for name, _kind in columns],
        field_mask=masks,
        layer=layer.name,
        driver="GPKG",
        geometry_type=layer.geometry_type,
        crs="EPSG:4326",
        append=append,
        dataset_options=None if append else {"VERSION": "1.2"},
        promote_to_multi=layer.geometry_type.startswith("Multi"),
    )


def write_geopackage(session: Session, path: Path, *, personal: bool) -> dict[str, int]:
    """Every layer into the GeoPackage at `path` (made here); features per layer."""
    counts: dict[str, int] = {}
    for layer in layers(personal):
        offset, written = 0, 0
        while True:
            page = layer.read(session, limit=PAGE, offset=offset, include_inactive=True)
            if not page.features and written:
                break
            _write(path, layer, page, append=written > 0)
            written += len(page.features)
            offset += PAGE
            if len(page.features) < PAGE:
                break
        counts[layer.name] = written
    return counts


def describe(personal: bool) -> str:
    """The README's part about the GeoPackage."""
    lines = [
        "## layers.gpkg",
        "",
        "A GeoPackage (GDAL, QGIS) in EPSG:4326 with one layer each:",
        "",
    ]
    for layer in layers(personal):
        fields = ", ".join(name for name, _kind in (((layer.id_field, ""), *layer.fields)))
        lines.append(f"- {layer.name} ({layer.geometry_type}): {layer.description}; {fields}")
    return "\n".join(lines) + "\n"
