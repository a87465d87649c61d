"""The form toolkit: a form declared once as a Pydantic schema, read into typed values and
messages by field, in Norwegian and English, through codes (never by matching English text);
a service's DomainValidationError on its field; the rendered field linked to its error."""

from __future__ import annotations

import enum
from datetime import date
from typing import Annotated

import pytest
from babel.numbers import format_decimal
from pydantic import BaseModel, Field, field_validator
from starlette.datastructures import FormData

from beredskap.platform.errors import N_, DomainValidationError
from beredskap.platform.web.forms import (
    Checkbox,
    Decimal,
    Group,
    Ids,
    Invalid,
    OptionalDate,
    OptionalText,
    Text,
    Whole,
    among,
    at_most,
    blank_form,
    optional,
    parse_form,
)
from beredskap.platform.web.i18n import translations
from beredskap.platform.web.rendering import environment


class Colour(enum.StrEnum):
    RED = "red"
    GREEN = "green"


class Sample(BaseModel):
    title: Annotated[Text, Field(title=N_("Title"), min_length=1, max_length=10)]
    quantity: Annotated[
        Whole,
        Field(title=N_("Quantity"), ge=1, le=1_000_000),
        Invalid(N_("enter a whole number from 1 to %(high)s"), high=1_000_000),
    ]
    status: Annotated[Colour, Field(title=N_("Status"))] = Colour.RED
    due: Annotated[OptionalDate, Field(title=N_("Next inspection due"))] = None
    notes: Annotated[OptionalText, Field(title=N_("Notes")), at_most(20)] = None
    wanted: Annotated[optional(Annotated[Whole, Field(le=50)]), Field(title=N_("Wanted"))] = None
    lat: Annotated[Decimal, Field(title=N_("Latitude")), Group("place", N_("Place"))] = 0.0
    organisation_ids: Annotated[
        Ids, Field(title=N_("Organisations")), among("organisation_ids")
    ] = []
    exercise: Checkbox = False

    @field_validator("notes")
    @classmethod
    def _no_shouting(cls, value: str | None) -> str | None:
        if value is not None and value.isupper():
            raise DomainValidationError("notes", N_("at most %(count)s characters"), count=3)
        return value


def _nb_number(value: int) -> str:
    return format_decimal(value, locale="nb_NO")


def test_good_input_gives_typed_values_and_a_model() -> None:
    posted = FormData(
        [
            ("title", "  Aggregat  "),
            ("quantity", "12"),
            ("status", "green"),
            ("due", "2027-03-02"),
            ("notes", ""),
            ("wanted", ""),
            ("lat", "59,95"),
            ("organisation_ids", "2"),
            ("organisation_ids", ""),
            ("organisation_ids", "1"),
            ("exercise", "1"),
        ]
    )
    form = parse_form(Sample, posted, translations("nb"), context={"organisation_ids": {1, 2}})
    assert form.valid and form.errors == {}
    assert form.fields == {
        "title": "Aggregat",
        "quantity": 12,
        "status": Colour.GREEN,
        "due": date(2027, 3, 2),
        "notes": None,
        "wanted": None,
        "lat": 59.95,
        "organisation_ids": [1, 2],
        "exercise": True,
    }
    assert form.data == Sample(**form.fields)
    assert form.values["title"] == "  Aggregat  "  # what was typed, for the form again
    assert form.values["organisation_ids"] == ["2", "", "1"]


def test_absent_fields_take_their_defaults_and_are_not_sent() -> None:
    form = parse_form(Sample, {"title": "Telt", "quantity": "1"}, translations("nb"))
    assert form.valid
    assert form.sent == {"title", "quantity"}
    assert form.fields["status"] == Colour.RED and form.fields["exercise"] is False
    assert form.values["organisation_ids"] == []


BAD = {
    "title": "x" * 11,
    "quantity": "tre",
    "status": "blue",
    "due": "i morgen",
    "notes": "ok\x07",
    "wanted": "51",
    "lat": "nord",
    "organisation_ids": ["1", "9"],
}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "nb",
            {
                "title": "høyst 10 tegn",
                "quantity": "skriv et helt tall fra 1 til 1\xa0000\xa0000",
                "status": "velg et av alternativene",
                "due": "skriv en dato som ÅÅÅÅ-MM-DD",
                "notes": "inneholder tegn som ikke er tillatt",
                "wanted": "må være høyst 50",
                "place": "må være et tall",
                "organisation_ids": "velg et av alternativene",
            },
        ),
        (
            "en",
            {
                "title": "at most 10 characters",
                "quantity": "enter a whole number from 1 to 1,000,000",
                "status": "choose one of the options",
                "due": "enter a date as YYYY-MM-DD",
                "notes": "contains characters that are not allowed",
                "wanted": "must be at most 50",
                "place": "must be a number",
                "organisation_ids": "choose one of the options",
            },
        ),
    ],
)
def test_bad_input_gives_one_translated_message_per_field(
    language: str, expected: dict[str, str]
) -> None:
    number = _nb_number if language == "nb" else (lambda value: f"{value:,}")
    form = parse_form(
        Sample,
        BAD,
        translations(language),
        number=number,
        context={"organisation_ids": {1, 2}},
    )
    assert not form.valid and form.data is None
    assert form.errors == expected
    assert "title" not in form.fields and form.values["quantity"] == "tre"
    # The summary follows the form's order; a group answers with its own name and label.
    names = [name for name, _label, _message in form.summary]
    assert names == list(expected)
    labels = dict((name, label) for name, label, _message in form.summary)
    assert labels["title"] == ("Tittel" if language == "nb" else "Title")


def test_a_missing_required_field_is_required() -> None:
    nb = parse_form(Sample, {"quantity": "2"}, translations("nb"))
    en = parse_form(Sample, {"title": " ", "quantity": "2"}, translations("en"))
    assert nb.errors == {"title": "må fylles ut"}
    assert en.errors == {"title": "is required"}


def test_a_validators_domain_error_is_translated_by_its_code() -> None:
    form = parse_form(Sample, {"title": "a", "quantity": "1", "notes": "HEI"}, translations("nb"))
    assert form.errors == {"notes": "høyst 3 tegn"}


def test_a_services_domain_error_lands_on_its_field_and_unknown_fields_in_the_summary() -> None:
    form = parse_form(
        Sample, {"title": "a", "quantity": "5"}, translations("nb"), number=_nb_number
    )
    error = DomainValidationError(
        "amount", N_("must be between %(low)s and %(high)s"), low=1, high=1_000_000
    )
    form.add_domain_error(error, field_of={"amount": "quantity"})
    assert form.errors["quantity"] == "må være mellom 1 og 1\xa0000\xa0000"
    assert "quantity" not in form.fields
    form.add_domain_error(DomainValidationError("organisation", N_("is required")))
    assert form.general == ["må fylles ut"]
    assert [name for name, _label, _message in form.summary] == ["quantity"]
    english = blank_form(Sample, translations("en"))
    english.add_domain_error(error)
    assert english.general == ["must be between 1 and 1000000"]


def test_the_rendered_field_is_linked_to_its_error_and_the_summary_takes_the_focus() -> None:
    form = parse_form(Sample, {"title": "", "quantity": "tre"}, translations("nb"))
    # The page's own environment, with the register's filters the macros file names stubbed.
    pages = environment("nb").overlay()
    pages.filters = dict(pages.filters, label=str, unit=str)
    template = pages.from_string(
        '{% from "macros.html" import error_summary, field_error %}'
        '{{ error_summary("Ikke lagret", error_items, general_errors) }}'
        '{{ field_error("quantity", errors) }}'
        '<input {{ field_attrs("quantity", errors, "f-quantity-hint") }}>'
        '<input {{ field_attrs("notes", errors) }}>'
    )
    html = template.render(**form.context())
    assert '<p class="field-error" id="f-quantity-error">' in html
    assert (
        '<input id="f-quantity" name="quantity" aria-invalid="true" '
        'aria-describedby="f-quantity-hint f-quantity-error">'
    ) in html
    assert '<input id="f-notes" name="notes">' in html
    assert 'role="alert"' in html and 'tabindex="-1" autofocus' in html
    assert '<a href="#f-title">Tittel: må fylles ut</a>' in html
    assert '<a href="#f-quantity">Antall: skriv et helt tall fra 1 til' in html
