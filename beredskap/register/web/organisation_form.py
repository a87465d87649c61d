"""The organisation and site forms, declared once: fields, types, limits and labels.

A place (an organisation's home base, a site's location) is typed as latitude and longitude,
or as EUREF89 UTM east and north in zone 32 or 33, or picked by a click on the map, which
fills the latitude and longitude; `read_place` reads it as the incident map does (both of a
pair, inside Norway). The register's own rules answer through their codes (`service` and the
models' validators), so the pages and the API refuse the same things in the same words.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal

from geoalchemy2.shape import to_shape
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field
from shapely.geometry import Point

from beredskap.platform.web.forms import (
    Checkbox,
    Form,
    OptionalText,
    Text,
    Whole,
    among,
    at_most,
    optional,
)
from beredskap.platform.web.i18n import N_
from beredskap.register.organisations.models import (
    Organisation,
    OrganisationCategory,
    Site,
    SiteKind,
)
from beredskap.register.organisations.numbers import normalise_organisation_number
from beredskap.register.web.map_forms import Number, Parameter, read_place

MAX_ID = 2_147_483_647
PLACE_FIELDS = ("lat", "lon", "east", "north", "epsg")
_SEPARATORS = re.compile(r"[\s,;]+")


def _numbers(value: Any) -> Any:
    """Kommunenummer typed as a list: "3205, 3222" (the model checks each)."""
    if isinstance(value, str):
        return [part for part in _SEPARATORS.split(value.strip()) if part]
    return value


class PlaceInput(BaseModel):
    """A point: lat/lon, or east/north with a UTM zone (the map fills lat/lon)."""

    form_messages: ClassVar[dict[str, str]] = {
        "decimal_number": N_("enter a number, e.g. 59.95"),
    }

    lat: Annotated[Number, Field(title=N_("Latitude"))] = None
    lon: Annotated[Number, Field(title=N_("Longitude"))] = None
    east: Annotated[Number, Field(title=N_("East"))] = None
    north: Annotated[Number, Field(title=N_("North"))] = None
    epsg: Annotated[Literal["25832", "25833"] | None, Parameter, Field(title=N_("UTM zone"))] = None


class OrganisationInput(PlaceInput):
    name: Annotated[Text, Field(min_length=1, title=N_("Name")), at_most(200)]
    organisation_number: Annotated[
        OptionalText,
        Field(title=N_("Organisation number")),
        at_most(20),
        # The model's own check, so its message shows with the form's others.
        AfterValidator(lambda v: None if v is None else normalise_organisation_number(v)),
    ] = None
    category: Annotated[OrganisationCategory, Field(title=N_("Category"))]
    umbrella_organisation_id: Annotated[
        optional(Annotated[Whole, Field(ge=1, le=MAX_ID)]),
        among("umbrella_ids"),
        Field(title=N_("Umbrella organisation")),
    ] = None
    contact_24_7_name: Annotated[
        OptionalText, Field(title=N_("24/7 contact: name")), at_most(200)
    ] = None
    contact_24_7_phone: Annotated[
        OptionalText, Field(title=N_("24/7 contact: phone")), at_most(32)
    ] = None
    contact_24_7_email: Annotated[
        OptionalText, Field(title=N_("24/7 contact: e-mail")), at_most(254)
    ] = None
    municipality_numbers: Annotated[
        list[str] | None,
        BeforeValidator(_numbers),
        Field(max_length=60, title=N_("Municipalities served (kommunenummer)")),
    ] = None
    municipal: Annotated[
        Checkbox, Field(title=N_("One of the municipality's own services, not a voluntary one"))
    ] = False

    form_messages: ClassVar[dict[str, str]] = PlaceInput.form_messages


# The organisation form's fields in the model's names (the place is read apart).
ORGANISATION_FIELDS = (
    "name",
    "organisation_number",
    "category",
    "umbrella_organisation_id",
    "contact_24_7_name",
    "contact_24_7_phone",
    "contact_24_7_email",
    "municipality_numbers",
    "municipal",
)


class SiteInput(PlaceInput):
    name: Annotated[Text, Field(min_length=1, title=N_("Name")), at_most(200)]
    kind: Annotated[SiteKind, Field(title=N_("Kind of site"))]
    address: Annotated[OptionalText, Field(title=N_("Address")), at_most(300)] = None
    access_24_7: Annotated[Checkbox, Field(title=N_("Accessible 24/7"))] = False
    access_notes: Annotated[
        OptionalText, Field(title=N_("Access and key holders")), at_most(4000)
    ] = None


SITE_FIELDS = ("name", "kind", "address", "access_24_7", "access_notes")


class DeactivateInput(BaseModel):
    confirm: Annotated[Checkbox, Field(title=N_("I have checked that this is right"))] = False


def place_of(form: Form[Any], *, required: bool) -> Point | None:
    """The form's point as shapely (lon, lat), or None: left out (when not `required`) or
    wrong (its message is on the field)."""
    given = any(form.fields.get(name) is not None for name in PLACE_FIELDS[:4])
    if not required and not given and not any(name in form.errors for name in PLACE_FIELDS):
        return None
    place = read_place(form)
    return None if place is None else Point(place.lon, place.lat)


def place_values(point: Any) -> dict[str, str]:
    """A stored point as the form's latitude and longitude."""
    if point is None:
        return {"lat": "", "lon": "", "east": "", "north": "", "epsg": "25833"}
    shape = to_shape(point)
    return {
        "lat": f"{shape.y:.6f}",
        "lon": f"{shape.x:.6f}",
        "east": "",
        "north": "",
        "epsg": "25833",
    }


def organisation_values(organisation: Organisation) -> dict[str, str]:
    return {
        "municipal": "1" if organisation.municipal else "",
        "name": organisation.name,
        "organisation_number": organisation.organisation_number or "",
        "category": organisation.category.value,
        "umbrella_organisation_id": str(organisation.umbrella_organisation_id or ""),
        "contact_24_7_name": organisation.contact_24_7_name or "",
        "contact_24_7_phone": organisation.contact_24_7_phone or "",
        "contact_24_7_email": organisation.contact_24_7_email or "",
        "municipality_numbers": ", ".join(organisation.municipality_numbers or []),
        **place_values(organisation.home_base),
    }


def site_values(site: Site) -> dict[str, str]:
    return {
        "name": site.name,
        "kind": site.kind.value,
        "address": site.address or "",
        "access_24_7": "1" if site.access_24_7 else "",
        "access_notes": site.access_notes or "",
        **place_values(site.location),
    }
