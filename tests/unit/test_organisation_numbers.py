import pytest

from beredskap.register.organisations.numbers import check_digit, normalise_organisation_number


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("974760673", "974760673"),  # Brønnøysundregistrene
        ("974 760 673", "974760673"),
        ("971.032.081", "971032081"),  # Norsk Folkehjelp-style spacing with dots
    ],
)
def test_valid_numbers_are_normalised(raw: str, expected: str) -> None:
    assert normalise_organisation_number(raw) == expected


@pytest.mark.parametrize("raw", ["974760674", "97476067", "9747606733", "abcdefghi", ""])
def test_invalid_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        normalise_organisation_number(raw)


def test_check_digit_uses_weights_3_2_7_6_5_4_3_2() -> None:
    # 9*3 + 7*2 + 4*7 + 7*6 + 6*5 + 0*4 + 6*3 + 7*2 = 173; 173 mod 11 = 8; 11 - 8 = 3
    assert check_digit("97476067") == 3


def test_remainder_one_has_no_valid_check_digit() -> None:
    # Find a prefix whose weighted sum leaves remainder 1: no digit can complete it.
    prefix = next(
        f"{n:08d}"
        for n in range(90000000, 90001000)
        if sum(int(d) * w for d, w in zip(f"{n:08d}", (3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
        == 1
    )
    assert check_digit(prefix) is None
    with pytest.raises(ValueError):
        normalise_organisation_number(prefix + "0")
