"""The form toolkit: a posted form (or query parameters) read into the form's Pydantic schema.

Each form is declared once, as a Pydantic model: its fields in the form's order, their types
and limits, and their labels (`Field(title=N_("..."))`). `parse_form` validates field by field,
so one bad field does not hide another's message, and gives a `Form`: what was typed (to show
the form again), the typed values of the fields that passed, and one message per field in the
reader's language.

Messages are codes, never words matched back: a pydantic error's `type` names an `N_`-marked
template (`ERROR_CODES`), filled in from the error's `ctx`; a `DomainValidationError` (from a
validator of the schema, or from a service the page calls) is translated by its own code. A
field may say one message for whatever is wrong with it (`Invalid(N_("..."), **params)` in its
annotation), and several inputs may answer as one field of the page (`Group`, e.g. a date and
a time as "Starts").

A form may word the messages of some error types its own way: a `form_messages` class
variable of the schema, error type -> code (the same parameters as `ERROR_CODES`).

Cross-field rules (a field required only when another has some value) are the form module's:
it reads `form.fields` and calls `form.add_error` (a schema's model validators would see a
half-read form, so forms have none; field validators are fine). The rendering is the
templates': the macros in `macros.html` (`field_error`, `error_summary`) with `field_attrs`
from `rendering.py`.
"""

from __future__ import annotations

import re
import typing
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends
from pydantic import AfterValidator, BaseModel, BeforeValidator, ValidationError
from pydantic_core import PydanticCustomError
from starlette.datastructures import FormData
from starlette.requests import Request

from beredskap.platform.errors import N_, DomainValidationError, Param, Translator

Schema = TypeVar("Schema", bound=BaseModel)
NumberFormat = Callable[[int], str]

# What a page keeps of what was typed, to show it again (the body limit bounds the rest).
MAX_KEPT_TEXT = 10_000
MAX_KEPT_ITEMS = 500
WHOLE = re.compile(r"^\d{1,9}$")  # ASCII digits only (`str.isdigit` also takes "²")
# A decimal number as people type it in Norway too: "59,95" or "59.95".
NUMBER = re.compile(r"^[+-]?\d{1,9}(?:[.,]\d{1,12})?$")

# A pydantic error type -> the message's code and which of the error's `ctx` fill it in.
ERROR_CODES: dict[str, tuple[str, Mapping[str, str]]] = {
    "missing": (N_("is required"), {}),
    "string_too_short": (N_("is required"), {}),
    "string_too_long": (N_("at most %(count)s characters"), {"count": "max_length"}),
    "too_long": (N_("choose at most %(count)s"), {"count": "max_length"}),
    "string_type": (N_("must be text"), {}),
    "control_characters": (N_("contains characters that are not allowed"), {}),
    "int_parsing": (N_("must be a whole number"), {}),
    "int_type": (N_("must be a whole number"), {}),
    "int_from_float": (N_("must be a whole number"), {}),
    "whole_number": (N_("must be a whole number"), {}),
    "float_parsing": (N_("must be a number"), {}),
    "float_type": (N_("must be a number"), {}),
    "decimal_number": (N_("must be a number"), {}),
    "greater_than_equal": (N_("must be at least %(low)s"), {"low": "ge"}),
    "greater_than": (N_("must be above %(low)s"), {"low": "gt"}),
    "less_than_equal": (N_("must be at most %(high)s"), {"high": "le"}),
    "less_than": (N_("must be below %(high)s"), {"high": "lt"}),
    "enum": (N_("choose one of the options"), {}),
    "literal_error": (N_("choose one of the options"), {}),
    "bool_parsing": (N_("choose one of the options"), {}),
    "not_an_option": (N_("choose one of the options"), {}),
    "date_parsing": (N_("enter a date as YYYY-MM-DD"), {}),
    "date_from_datetime_parsing": (N_("enter a date as YYYY-MM-DD"), {}),
    "date_from_datetime_inexact": (N_("enter a date as YYYY-MM-DD"), {}),
    "date_type": (N_("enter a date as YYYY-MM-DD"), {}),
    "time_parsing": (N_("enter a time as HH:MM"), {}),
    "time_type": (N_("enter a time as HH:MM"), {}),
}
INVALID = N_("is not valid")
# Errors a field's own message (`Invalid`) does not replace: they say something else.
_KEEP_OWN = {"missing", "control_characters"}


@dataclass(frozen=True)
class Invalid:
    """In a field's annotation: the one message for whatever is wrong with the field's value
    (its code, `N_`-marked, and parameters); an absent required field still "is required"."""

    code: str
    params: Mapping[str, Param]

    def __init__(self, code: str, **params: Param) -> None:
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "params", params)


@dataclass(frozen=True)
class Group:
    """In a field's annotation: the field answers as part of `name` on the page (its label
    `title`, its error element `f-<name>-error`), e.g. a date and a time as "Starts"."""

    name: str
    title: str


# Types of form inputs ------------------------------------------------------------------


def _text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = value.strip()
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value):
        raise PydanticCustomError("control_characters", "contains characters that are not allowed")
    return value


def _empty_is_none(value: Any) -> Any:
    value = _text(value)
    return None if value == "" else value


def _whole(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and WHOLE.match(value.strip()):
        return int(value.strip())
    raise PydanticCustomError("whole_number", "must be a whole number")


def _decimal(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and NUMBER.match(value.strip()):
        return float(value.strip().replace(",", "."))
    raise PydanticCustomError("decimal_number", "must be a number")


def _ids(value: Any) -> Any:
    """Chosen option ids: blanks skipped, each once, in order."""
    if not isinstance(value, list):
        return value
    filled = [item for item in value if not (isinstance(item, str) and not item.strip())]
    if not all(isinstance(item, int) or WHOLE.match(item.strip()) for item in filled):
        raise PydanticCustomError("not_an_option", "choose one of the options")
    return sorted({_whole(item) for item in filled})


# Text, stripped; control characters (other than line breaks and tabs) refused.
Text = Annotated[str, BeforeValidator(_text)]
# Text, stripped; empty is None.
OptionalText = Annotated[str | None, BeforeValidator(_empty_is_none)]
# A whole number typed in ASCII digits (at most nine).
Whole = Annotated[int, BeforeValidator(_whole)]
OptionalWhole = Annotated[Whole | None, BeforeValidator(_empty_is_none)]
# A decimal number as typed in Norway too: "59,95" or "59.95".
Decimal = Annotated[float, BeforeValidator(_decimal)]
OptionalDecimal = Annotated[Decimal | None, BeforeValidator(_empty_is_none)]
OptionalDate = Annotated[date | None, BeforeValidator(_empty_is_none)]
# Chosen option ids (a multiple select, repeated checkboxes).
Ids = Annotated[list[int], BeforeValidator(_ids)]
# A checkbox: sent (any value) or not.
Checkbox = Annotated[bool, BeforeValidator(lambda value: bool(_text(value)))]


def optional(kind: Any) -> Any:
    """`kind`, or None when left empty (e.g. `optional(Annotated[Whole, Field(ge=1)])`: the
    limits apply to what was typed, not to the empty field)."""
    return Annotated[kind | None, BeforeValidator(_empty_is_none)]


def at_most(count: int) -> AfterValidator:
    """At most `count` characters (for optional text: None passes)."""

    def check(value: Any) -> Any:
        if isinstance(value, str) and len(value) > count:
            raise PydanticCustomError(
                "string_too_long", "at most {max_length} characters", {"max_length": count}
            )
        return value

    return AfterValidator(check)


def among(context_key: str) -> AfterValidator:
    """The id (or every id of a list) must be one the form offered: `context[context_key]`,
    handed to `parse_form`; without it, not checked."""

    def check(value: Any, info: Any) -> Any:
        allowed = (info.context or {}).get(context_key)
        chosen = value if isinstance(value, list) else [value]
        if allowed is not None and any(v is not None and v not in allowed for v in chosen):
            raise PydanticCustomError("not_an_option", "choose one of the options")
        return value

    return AfterValidator(check)


# Reading and the result ---------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    name: str
    title: str
    group: Group | None
    invalid: Invalid | None
    is_list: bool
    required: bool
    default: Any

    @property
    def answers_as(self) -> str:
        return self.group.name if self.group else self.name


@lru_cache(maxsize=64)
def _fields(schema: type[BaseModel]) -> tuple[_Field, ...]:
    result = []
    for name, info in schema.model_fields.items():
        origin = typing.get_origin(info.annotation)
        result.append(
            _Field(
                name=name,
                title=info.title or name,
                group=next((m for m in info.metadata if isinstance(m, Group)), None),
                invalid=next((m for m in info.metadata if isinstance(m, Invalid)), None),
                is_list=origin is list,
                required=info.is_required(),
                default=info.get_default(call_default_factory=True),
            )
        )
    return tuple(result)


def read_input(source: Mapping[str, Any] | FormData | Any, schema: type[BaseModel]) -> dict:
    """The schema's fields from a posted form, query parameters or a plain mapping: lists for
    list fields, text otherwise; absent fields are left out."""
    raw: dict[str, Any] = {}
    for spec in _fields(schema):
        if spec.name not in source:
            continue
        if spec.is_list:
            getlist = getattr(source, "getlist", None)
            items = getlist(spec.name) if getlist else source[spec.name]
            items = items if isinstance(items, list) else [items]
            raw[spec.name] = [i if isinstance(i, str) else "" for i in items][:MAX_KEPT_ITEMS]
        else:
            value = source[spec.name]
            raw[spec.name] = value[:MAX_KEPT_TEXT] if isinstance(value, str) else ""
    return raw


@dataclass
class Form(Generic[Schema]):
    """A form as posted: what was typed (`values`, kept for the page), the typed values of
    the fields that passed (`fields`: only those sent or defaulted), and the messages by
    field (`errors`, in the reader's language). `data` is the schema's model once every
    field is fine."""

    schema: type[Schema]
    translations: Translator
    number: NumberFormat | None = None
    values: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    sent: set[str] = field(default_factory=set)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def data(self) -> Schema | None:
        if self.errors:
            return None
        return self.schema.model_construct(_fields_set=set(self.sent), **self.fields)

    def message(self, code: str, **params: Param) -> str:
        """A message code in the reader's language (whole numbers as its numbers)."""
        return DomainValidationError("", code, **params).translated(self.translations, self.number)

    def add_error(self, name: str, code: str, **params: Param) -> None:
        """A message on a field (the first message a field gets is the one it shows)."""
        self.fields.pop(name, None)
        self.errors.setdefault(self._answers_as(name), self.message(code, **params))

    def add_domain_error(
        self, error: DomainValidationError, field_of: Mapping[str, str] | None = None
    ) -> None:
        """A service's validation error on the form's field (`field_of` renames the
        service's field names); a field the form does not show goes to the summary."""
        name = (field_of or {}).get(error.field, error.field)
        self.fields.pop(name, None)
        name = self._answers_as(name) if name else ""
        self.errors.setdefault(name, error.translated(self.translations, self.number))

    def add_validation_error(
        self, error: ValidationError, field_of: Mapping[str, str] | None = None
    ) -> None:
        """Errors of another schema the form's values were handed to (e.g. the API's), on
        the form's fields by their location (`field_of` renames the dotted locations)."""
        for problem in error.errors():
            location = ".".join(str(part) for part in problem["loc"] if not isinstance(part, int))
            name = (field_of or {}).get(location, location.split(".")[0])
            self.errors.setdefault(self._answers_as(name), _message(self, None, problem))

    def _answers_as(self, name: str) -> str:
        for spec in _fields(self.schema):
            if spec.name == name:
                return spec.answers_as
        return name

    @property
    def labels(self) -> dict[str, str]:
        """Each field's label (and each group's), in the reader's language."""
        _ = self.translations.gettext
        labels: dict[str, str] = {}
        for spec in _fields(self.schema):
            labels[spec.name] = _(spec.title)
            if spec.group is not None:
                labels.setdefault(spec.group.name, _(spec.group.title))
        return labels

    @property
    def summary(self) -> list[tuple[str, str, str]]:
        """(field, label, message) in the form's order, for the error summary's links."""
        labels = self.labels
        order = list(dict.fromkeys(spec.answers_as for spec in _fields(self.schema)))
        return [(name, labels[name], self.errors[name]) for name in order if name in self.errors]

    @property
    def general(self) -> list[str]:
        """Messages about no field of the form (shown in the summary, unlinked)."""
        shown = {spec.answers_as for spec in _fields(self.schema)}
        return [message for name, message in self.errors.items() if name not in shown]

    def context(self) -> dict[str, Any]:
        """What a form template uses: values, errors, labels, the summary."""
        return {
            "values": self.values,
            "errors": self.errors,
            "field_labels": self.labels,
            "error_items": self.summary,
            "general_errors": self.general,
        }


def blank_form(
    schema: type[Schema],
    translations: Translator,
    values: Mapping[str, Any] | None = None,
    number: NumberFormat | None = None,
) -> Form[Schema]:
    """A form not posted yet, showing `values`."""
    return Form(schema, translations, number, values=dict(values or {}))


def parse_form(
    schema: type[Schema],
    source: Mapping[str, Any] | FormData | Any,
    translations: Translator,
    *,
    number: NumberFormat | None = None,
    context: Mapping[str, Any] | None = None,
) -> Form[Schema]:
    """Read and check each field of `schema` from `source`; `context` reaches the validators
    (e.g. the ids an `among` field may take)."""
    raw = read_input(source, schema)
    form = Form(schema, translations, number, values=dict(raw))
    # Each field is validated on its own (its type, limits and field validators), so one bad
    # field does not hide another's message.
    draft = schema.model_construct()
    validator = schema.__pydantic_validator__
    missing = {"type": "missing", "loc": (), "msg": "", "input": None}
    for spec in _fields(schema):
        if spec.name not in raw:
            if spec.is_list:
                form.values[spec.name] = []
            if spec.required:
                form.errors.setdefault(spec.answers_as, _message(form, spec, missing))
            else:
                form.fields[spec.name] = spec.default
            continue
        form.sent.add(spec.name)
        if spec.required and _blank(raw[spec.name]):
            # A required field left empty (a select still on its empty choice) is missing,
            # whatever its type would say of an empty text.
            form.errors.setdefault(spec.answers_as, _message(form, spec, missing))
            continue
        try:
            validator.validate_assignment(
                draft, spec.name, raw[spec.name], context=dict(context or {})
            )
        except ValidationError as error:
            form.errors.setdefault(spec.answers_as, _message(form, spec, error.errors()[0]))
        else:
            form.fields[spec.name] = getattr(draft, spec.name)
    return form


def _blank(value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


def _message(form: Form[Any], spec: _Field | None, problem: Mapping[str, Any]) -> str:
    """One pydantic error item as the field's message."""
    kind = problem["type"]
    ctx = problem.get("ctx") or {}
    if kind in ("too_long", "too_short") and isinstance(problem.get("input"), str):
        kind = f"string_{kind}"  # a length limit checked after a validator of the text
    if spec is not None and spec.invalid is not None and kind not in _KEEP_OWN:
        return form.message(spec.invalid.code, **spec.invalid.params)
    if kind == "value_error" and isinstance(ctx.get("error"), DomainValidationError):
        return ctx["error"].translated(form.translations, form.number)
    code, fill = ERROR_CODES.get(kind, (INVALID, {}))
    code = getattr(form.schema, "form_messages", {}).get(kind, code)
    params = {key: ctx[source] for key, source in fill.items() if source in ctx}
    if len(params) != len(fill):
        code, params = INVALID, {}
    return form.message(code, **params)


# The posted form, for a route that is not async (the CSRF check has read it already).
async def _posted(request: Request) -> FormData:
    return await request.form()


PostedForm = Annotated[FormData, Depends(_posted)]
