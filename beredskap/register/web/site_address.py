"""A site placed by its address (issue 15, item 1): when the form gives no coordinates (no
map click, no latitude/longitude, no UTM), the address field is looked up in the
municipality's addresses (`beredskap import addresses`) and the site stands on that
address's point. Coordinates always win over the address."""

from __future__ import annotations

from typing import Any

from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from sqlalchemy.orm import Session

from beredskap.platform.web.forms import Form
from beredskap.platform.web.i18n import N_
from beredskap.register.addresses.lookup import find
from beredskap.register.web.organisation_form import PLACE_FIELDS

NOT_FOUND = N_(
    "no such address in the municipality's address list; check it, or place the site on the map"
)
SEVERAL = N_("%(count)s addresses match; add the postal code, e.g. %(example)s")


def placed_by_address(form: Form[Any]) -> bool:
    """Only an address, no coordinates typed or clicked, and no message on them."""
    return (
        form.fields.get("address") is not None
        and not any(form.fields.get(name) is not None for name in PLACE_FIELDS[:4])
        and not any(name in form.errors for name in PLACE_FIELDS)
    )


def address_place(session: Session, form: Form[Any]) -> Point | None:
    """The address's point, or None with the message on the address field."""
    matches = find(session, form.fields["address"])
    if len(matches) == 1:
        shape = to_shape(matches[0].point)
        return Point(shape.x, shape.y)
    if not matches:
        form.add_error("address", NOT_FOUND)
    else:
        form.add_error("address", SEVERAL, count=len(matches), example=matches[0].label())
    return None
