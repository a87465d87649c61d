import pytest

from beredskap.platform.contact_details import (
    is_fictional_mobile,
    normalise_email,
    normalise_mobile,
    normalise_phone,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("+47 912 34 567", "+4791234567"),
        ("91234567", "+4791234567"),  # no country code: Norwegian
        ("0047 41234567", "+4741234567"),
        ("+46 70 123 45 67", "+46701234567"),  # a Swedish mobile is fine
        ("+44 7700 900123", "+447700900123"),  # Ofcom drama range, used by the demo
    ],
)
def test_mobiles_are_normalised_to_e164(raw: str, expected: str) -> None:
    assert normalise_mobile(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "+47 22 12 34 56",  # Oslo landline: no SMS
        "12ab",
        "+47 123",
        "",
        "9" * 40,
        "+4700000001",
        "+47 00 12 34 56",  # the benchmark range is never accepted as input
    ],
)
def test_non_mobiles_and_malformed_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        normalise_mobile(raw)


def test_a_landline_is_a_valid_duty_phone() -> None:
    assert normalise_phone("22 12 34 56") == "+4722123456"


def test_fictional_ranges_are_recognised() -> None:
    assert is_fictional_mobile("+447700900000")  # demo
    assert is_fictional_mobile("+4700123456")  # benchmark data
    assert not is_fictional_mobile("+4791234567")
    assert not is_fictional_mobile("+447700901000")  # just outside the drama range


def test_email_syntax() -> None:
    assert normalise_email("Ola.Nordmann@Example.org") == "Ola.Nordmann@example.org"
    with pytest.raises(ValueError):
        normalise_email("not-an-address")
