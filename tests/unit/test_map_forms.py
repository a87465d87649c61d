"""The map pages' GET forms on the form toolkit: each field read on its own, the incident's
place as one rule across fields, messages by code in the reader's language (no database: the
catalogue entries the form offers are handed in)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from babel.numbers import format_decimal

from beredskap.platform.web.i18n import translations
from beredskap.register.inventory.models import Capability, EquipmentStatus
from beredskap.register.web.map_forms import (
    DEFAULT_CELL_KM,
    IncidentForm,
    parse_council,
    parse_incident,
    parse_overview,
)
from geo.crs import transform

NB, EN = translations("nb"), translations("en")
RESOURCE_TYPES = {3: "generator"}  # id -> entry; the form hands back the entry
QUALIFICATIONS = {7: "first aid"}
NEAR = {"lat": "59.96", "lon": "11.06"}


def _number(language: str) -> Callable[[object], str]:
    return lambda value: format_decimal(value, locale="nb_NO" if language == "nb" else "en")


def _incident(params: dict[str, str], language: str = "nb") -> IncidentForm:
    return parse_incident(
        params,
        NB if language == "nb" else EN,
        resource_types=RESOURCE_TYPES,  # type: ignore[arg-type]
        qualifications=QUALIFICATIONS,  # type: ignore[arg-type]
        number=_number(language),
    )


def test_an_empty_incident_form_is_not_an_error_and_shows_the_defaults() -> None:
    form = _incident({"lat": " ", "epsg": ""})
    assert not form.submitted and form.status_code == 200 and form.errors == {}
    assert form.place is None and form.radius_m == 10_000
    assert form.values["radius_km"] == "10" and form.values["epsg"] == "25833"


def test_a_full_incident_form_gives_typed_choices() -> None:
    form = _incident(
        {
            **NEAR,
            "radius_km": "7,5",
            "capability": "power",
            "resource_type": "3",
            "qualification": "7",
        }
    )
    assert form.status_code == 200, form.errors
    assert (form.place.lat, form.place.lon) == (59.96, 11.06)  # type: ignore[union-attr]
    assert form.radius_m == 7500
    assert form.capability is Capability.POWER
    assert (form.resource_type, form.qualification) == ("generator", "first aid")


def test_utm_in_zone_32_is_the_same_point() -> None:
    east, north = transform(11.06, 59.96, 4326, 25832)
    form = _incident({"east": f"{east:.2f}", "north": f"{north:.2f}", "epsg": "25832"})
    assert form.errors == {}
    assert form.place is not None
    assert round(form.place.lat, 5) == 59.96 and round(form.place.lon, 5) == 11.06


def test_latitude_and_longitude_win_over_utm() -> None:
    form = _incident({**NEAR, "east": "1", "north": "2", "epsg": "25833"})
    assert form.errors == {} and form.place is not None and form.place.lat == 59.96


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"lat": "abc", "lon": "11"}, "lat", "skriv et tall, f.eks. 59,95"),
        ({"lon": "11"}, "lat", "oppgi både breddegrad og lengdegrad"),
        ({"north": "6650000"}, "east", "oppgi både øst og nord"),
        ({"east": "600000", "north": "6650000"}, "epsg", "velg et av alternativene"),
        ({"east": "600000", "north": "6650000", "epsg": "4326"}, "epsg", "velg et"),
        ({"east": "9e9", "north": "1", "epsg": "25833"}, "east", "skriv et tall"),
        ({"east": "600000", "north": "1", "epsg": "25833"}, "east", "ikke i Norge"),
        ({"lat": "95", "lon": "11"}, "lat", "punktet ligger ikke i Norge"),
        ({"radius_km": "0,05", **NEAR}, "radius_km", "oppgi en radius fra 0,1 til 500 km"),
        ({"radius_km": "x" * 41, **NEAR}, "radius_km", "høyst 40 tegn"),
        ({"resource_type": "4", **NEAR}, "resource_type", "velg et av alternativene"),
        ({"qualification": "٣", **NEAR}, "qualification", "velg et av alternativene"),
        ({"capability": "\x07", **NEAR}, "capability", "tegn som ikke er tillatt"),
        ({"radius_km": "5"}, "lat", "klikk i kartet"),
    ],
)
def test_bad_incident_input_says_what_is_wrong_on_its_field(
    params: dict[str, str], field: str, message: str
) -> None:
    form = _incident(params)
    assert form.status_code == 422
    assert message.lower() in form.errors.get(field, "").lower(), form.errors
    assert form.place is None or field not in ("lat", "lon", "east", "north", "epsg")


def test_an_unreadable_coordinate_hides_the_place_rule_but_no_other_field() -> None:
    form = _incident({"lat": "x", "radius_km": "ti", "capability": "boats"})
    assert set(form.errors) == {"lat", "radius_km", "capability"}
    assert "lon" not in form.errors  # no 'give both' on top of 'enter a number'


def test_the_radius_range_is_written_as_the_reader_writes_numbers() -> None:
    assert _incident({"radius_km": "501", **NEAR}, "en").errors == {
        "radius_km": "enter a radius from 0.1 to 500 km"
    }
    assert _incident({"radius_km": "501", **NEAR}).errors == {
        "radius_km": "oppgi en radius fra 0,1 til 500 km"
    }


def test_the_summary_follows_the_form_with_its_labels() -> None:
    form = _incident({"qualification": "x", "radius_km": "0", "lat": "1", "lon": "1"})
    assert [(name, label) for name, label, _message in form.summary] == [
        ("lat", "Breddegrad"),
        ("radius_km", "Radius (km)"),
        ("qualification", "Kvalifikasjon"),
    ]


def test_what_was_typed_is_kept_short_for_the_page() -> None:
    form = _incident({"lat": "5" * 5000, "lon": "11"})
    assert len(form.values["lat"]) == 200 and form.status_code == 422


def test_the_overview_filter() -> None:
    fine = parse_overview({"capability": "medical", "status": "ready"}, NB)
    assert (fine.capability, fine.status) == (Capability.MEDICAL, EquipmentStatus.READY)
    assert fine.status_code == 200
    bad = parse_overview({"capability": "nonsense", "status": "x" * 500}, EN)
    assert bad.status_code == 422 and bad.capability is None
    assert bad.summary == [
        ("capability", "Equipment: capability", "choose one of the options"),
        ("status", "Equipment: status", "at most 40 characters"),
    ]


def test_the_council_choices_and_their_defaults() -> None:
    default = parse_council({}, NB, qualifications=QUALIFICATIONS)  # type: ignore[arg-type]
    assert (default.cell_km, default.measure, default.status_code) == (
        DEFAULT_CELL_KM,
        "equipment",
        200,
    )
    chosen = parse_council(
        {"cell_km": "5", "measure": "volunteers", "qualification": "7"},
        NB,
        qualifications=QUALIFICATIONS,  # type: ignore[arg-type]
    )
    assert (chosen.cell_km, chosen.measure, chosen.qualification) == (5, "volunteers", "first aid")
    for params in (
        {"cell_km": "2"},
        {"cell_km": "fem"},
        {"measure": "people"},
        {"qualification": "8"},
    ):
        bad = parse_council(params, NB, qualifications=QUALIFICATIONS)  # type: ignore[arg-type]
        assert bad.status_code == 422 and list(bad.errors.values()) == ["velg et av alternativene"]
    too_many = parse_council({}, EN, qualifications={})
    too_many.add_error("cell_km", "too many squares for one map: choose a larger size")
    assert too_many.status_code == 422
    assert too_many.summary[0][:2] == ("cell_km", "Square size")
