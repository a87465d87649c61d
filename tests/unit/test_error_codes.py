"""Every validation or conflict error carries a code (an `N_`-marked English template) and
parameters, never words written in place: a page translates the code, so no English text can
reach a Norwegian page, and no page has to match words to find a translation."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from beredskap.platform.errors import N_, ConflictError, DomainValidationError
from beredskap.platform.geo_errors import geo_invalid
from beredskap.platform.web.i18n import translations
from geo import areas, crs, extent
from geo.errors import GeoError

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("beredskap", "alerts", "exercises", "geo")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdr]")

# Where a code is passed on rather than written: each exception names the file and the
# argument's source text, so nothing else slips through.
PASSED_ON = {
    # The same error moved to another field: its code was checked where it was written.
    ("beredskap/platform/errors.py", "self.code"),
    # The form toolkit renders a field's own `Invalid(N_(...))` code (another helper's file).
    ("beredskap/platform/web/forms.py", "code"),
}


def _python_files() -> list[Path]:
    return sorted(path for source in SOURCES for path in (ROOT / source).rglob("*.py"))


def _code_argument(call: ast.Call, position: int) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "code":
            return keyword.value
    return call.args[position] if len(call.args) > position else None


def _error_calls() -> list[tuple[str, int, str, ast.Call, ast.expr | None]]:
    """(file, line, class, call, its code argument) of every DomainValidationError(...) and
    ConflictError(...) in the non-test sources."""
    found = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name == "DomainValidationError":
                code = _code_argument(node, 1)
            elif name == "ConflictError":
                code = _code_argument(node, 0)
            else:
                continue
            found.append((path.relative_to(ROOT).as_posix(), node.lineno, name, node, code))
    return found


def _template(code: ast.expr | None) -> str | None:
    """The template of `N_("...")`, or None when the code is anything else."""
    if (
        isinstance(code, ast.Call)
        and isinstance(code.func, ast.Name)
        and code.func.id == "N_"
        and len(code.args) == 1
        and not code.keywords
        and isinstance(code.args[0], ast.Constant)
        and isinstance(code.args[0].value, str)
    ):
        return code.args[0].value
    return None


def test_the_sources_raise_many_coded_errors() -> None:
    calls = _error_calls()
    assert len([c for c in calls if c[2] == "DomainValidationError"]) > 100
    assert len([c for c in calls if c[2] == "ConflictError"]) > 15


def test_every_error_code_is_an_n_marked_literal() -> None:
    """No f-string, concatenation, `str(error)` or variable as a code: `N_("...")` only."""
    written = []
    for where, line, name, _call, code in _error_calls():
        if code is None or _template(code) is not None:
            continue
        if (where, ast.unparse(code)) in PASSED_ON:
            continue
        written.append(f"{where}:{line}: {name}(..., {ast.unparse(code)})")
    assert not written, 'codes that are not N_("..."): ' + "; ".join(written)


def test_every_template_gets_exactly_its_parameters() -> None:
    """A template's placeholders and the keywords given are the same names (unless the
    parameters are passed on as **params)."""
    mismatched = []
    for where, line, _name, call, code in _error_calls():
        template = _template(code)
        if template is None or any(k.arg is None for k in call.keywords):
            continue
        given = {k.arg for k in call.keywords if k.arg != "code"}
        if set(PLACEHOLDER.findall(template)) != given:
            mismatched.append(f"{where}:{line}: {template!r} given {sorted(given)}")
    assert not mismatched, "; ".join(mismatched)


def _geo_codes() -> list[str]:
    """Every code the spatial toolkit raises (the constants its errors are raised with)."""
    codes = []
    for module in (extent, areas, crs):
        tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id.endswith("Error")
                and node.args
                and isinstance(node.args[0], ast.Name)
            ):
                codes.append(getattr(module, node.args[0].id))
    return sorted(set(codes))


@pytest.mark.parametrize("code", _geo_codes())
def test_every_geo_code_becomes_the_same_message_with_an_n_marked_code(code: str) -> None:
    params: dict[str, str | int | float] = {name: 7 for name in PLACEHOLDER.findall(code)}
    error = GeoError(code, **params)
    converted = geo_invalid("place", error)
    assert converted.field == "place"
    assert converted.code == code  # the same template, so the same words for API clients
    assert converted.message == str(error)
    assert dict(converted.params) == params


def test_an_unknown_geo_code_is_still_a_coded_error() -> None:
    converted = geo_invalid("place", GeoError("something new"))
    assert converted.code == "is not a valid place"


def test_a_validation_error_renders_in_norwegian_with_its_parameters() -> None:
    error = DomainValidationError(
        "quantity", N_("must be between %(low)s and %(high)s"), low=1, high=100_000
    )
    assert error.message == "must be between 1 and 100000"
    nb = translations("nb")
    assert error.translated(nb) == "må være mellom 1 og 100000"
    assert error.translated(nb, lambda n: f"{n:,}".replace(",", "\u00a0")) == (
        "må være mellom 1 og 100\u00a0000"
    )
    assert error.translated(translations("en")) == error.message


def test_a_geo_error_renders_in_norwegian() -> None:
    with pytest.raises(extent.OutsideNorwayError) as caught:
        extent.check_lon_lat(2.35, 48.85)
    error = geo_invalid("home_base", caught.value)
    assert "outside Norway" in error.message and "swapped" in error.message
    text = error.translated(translations("nb"))
    assert text.startswith("breddegrad 48.85, lengdegrad 2.35 ligger utenfor Norge")


def test_a_moved_error_keeps_its_code_and_parameters() -> None:
    error = DomainValidationError("phone", N_("%(number)s is not a phone number"), number="'x'")
    moved = error.at("contact_24_7_phone")
    assert (moved.field, moved.code, moved.params) == (
        "contact_24_7_phone",
        error.code,
        error.params,
    )
    assert str(moved) == "contact_24_7_phone: 'x' is not a phone number"


def test_a_conflict_renders_in_norwegian_and_keeps_its_english_message() -> None:
    error = ConflictError(
        N_("%(name)s still holds %(count)s equipment lines; move them first"),
        name="Lageret",
        count=3,
    )
    assert error.message == str(error) == "Lageret still holds 3 equipment lines; move them first"
    assert error.translated(translations("nb")) == (
        "Lageret har fortsatt 3 utstyrslinjer; flytt dem først"
    )


def test_an_id_is_written_as_it_is_and_a_count_in_the_readers_language() -> None:
    def spaced(value: int) -> str:
        return f"{value:,}".replace(",", "\u00a0")

    conflict = ConflictError(
        N_("another volunteer (id %(id)s) has the mobile %(mobile)s"),
        id=1000,
        mobile="+4790000000",
    )
    assert "(id 1000)" in conflict.translated(translations("nb"), spaced)
    unknown = DomainValidationError("site_id", N_("no site with id %(id)s"), id=12345)
    assert unknown.translated(translations("nb"), spaced).endswith("12345")
    held = ConflictError(
        N_("%(name)s still holds %(count)s equipment lines; move them first"),
        name="Lageret",
        count=1500,
    )
    assert "1\u00a0500" in held.translated(translations("nb"), spaced)
