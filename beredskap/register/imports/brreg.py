"""Enhetsregisteret's bulk download in (issue 15, item 3): `beredskap import brreg FILE`.

The file is the register's `enheter` download (`/enhetsregisteret/api/enheter/lastned`): a
gzipped (or plain) JSON array of entities, about 1 GB unzipped, read as a stream with ijson
(one entity in memory at a time). Offline: nothing is fetched.

- Organisations already in the register are matched by organisation number wherever the file
  places them, and their name, address (the business address, else the postal one) and the
  register's flags (bankrupt `konkurs`, being dissolved `underAvvikling`, deleted
  `slettedato`) are updated through `organisations.service.update_organisation`, so the
  models' validators and the audit listener see every change.
- Entities of the municipality (`Settings.municipality_number`, the business address's
  `kommunenummer`, else the postal address's) registered in Frivillighetsregisteret, neither
  bankrupt, dissolving nor deleted and not in the register, become candidates
  (`organisation_candidates`): the table is brought to exactly that set on each import, and an
  admin makes one an organisation on a click (`create_from_candidate`).
- An entity that is not what the format says (no valid organisation number, no name, a wrong
  type) is counted and reported, never fatal; a file that is not gzip or JSON at all is a
  `BrregFileError` and nothing is written.
- The same file again changes nothing; a dry run counts and writes nothing (a savepoint rolled
  back); a real one adds ONE summary audit entry (entity `import`, id `brreg`).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

import ijson
from sqlalchemy import select
from sqlalchemy.orm import Session

from beredskap.platform.errors import DomainValidationError
from beredskap.register.imports.summary import record_import
from beredskap.register.organisations import service
from beredskap.register.organisations.models import (
    Organisation,
    OrganisationCandidate,
    OrganisationCategory,
)
from beredskap.register.organisations.numbers import normalise_organisation_number

GZIP_MAGIC = b"\x1f\x8b"
MAX_REPORTED = 100  # malformed entities listed (all are counted)
NAME_LENGTH, ADDRESS_LENGTH, TOWN_LENGTH = 200, 300, 100
# What the register writes from the file (the rest of an organisation is the municipality's).
REGISTRY_FIELDS = (
    "name",
    "address",
    "postal_code",
    "postal_town",
    "bankrupt",
    "being_dissolved",
    "deleted_from_registry_on",
)
CANDIDATE_FIELDS = ("name", "organisation_form", "address", "postal_code", "postal_town")


class BrregFileError(Exception):
    """The file is not a gzipped or plain JSON array: nothing was written."""


class MalformedEntityError(ValueError):
    """One entity is not what the format says; it is counted and skipped."""


@dataclass(frozen=True)
class Entity:
    organisation_number: str
    name: str
    organisation_form: str | None
    address: str | None
    postal_code: str | None
    postal_town: str | None
    municipality_number: str | None
    voluntary: bool
    bankrupt: bool
    being_dissolved: bool
    deleted_on: date | None

    @property
    def flagged(self) -> bool:
        return self.bankrupt or self.being_dissolved or self.deleted_on is not None

    def registry_values(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "address": self.address,
            "postal_code": self.postal_code,
            "postal_town": self.postal_town,
            "bankrupt": self.bankrupt,
            "being_dissolved": self.being_dissolved,
            "deleted_from_registry_on": self.deleted_on,
        }

    def candidate_values(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in CANDIDATE_FIELDS}


@dataclass
class BrregReport:
    municipality_number: str
    dry_run: bool = False
    read: int = 0
    in_municipality: int = 0
    matched: int = 0  # registered organisations found in the file
    updated: int = 0
    flagged: int = 0  # registered organisations the file says are bankrupt, dissolving, deleted
    candidates: int = 0
    malformed: int = 0
    problems: list[str] = field(default_factory=list)  # the first MAX_REPORTED malformed

    def counts(self) -> dict[str, int | str]:
        return {
            "municipality": self.municipality_number,
            "read": self.read,
            "in_municipality": self.in_municipality,
            "matched": self.matched,
            "updated": self.updated,
            "flagged": self.flagged,
            "candidates": self.candidates,
            "malformed": self.malformed,
        }


# Reading -------------------------------------------------------------------------------------


def _open(stream: IO[bytes]) -> IO[bytes]:
    head = stream.peek(2)[:2] if hasattr(stream, "peek") else b""
    if not head:
        head = stream.read(2)
        stream.seek(0)
    return gzip.GzipFile(fileobj=stream) if head == GZIP_MAGIC else stream  # type: ignore[return-value]


def raw_entities(stream: IO[bytes]) -> Iterator[Any]:
    """Each element of the top-level array, streamed; `BrregFileError` when the bytes are not
    (gzipped) JSON or not an array."""
    try:
        source = _open(stream)
        events = ijson.parse(source, use_float=True)
        _prefix, event, _value = next(events, ("", None, None))
        if event != "start_array":
            raise BrregFileError("the file is not a JSON array of entities")
        yield from ijson.items(_rest(events), "item", use_float=True)
    except BrregFileError:
        raise
    except (ijson.JSONError, gzip.BadGzipFile, EOFError, OSError, ValueError) as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise BrregFileError(f"not a readable Enhetsregisteret file: {first}") from None


def _rest(events: Iterator[tuple[str, str, Any]]) -> Iterator[tuple[str, str, Any]]:
    yield ("", "start_array", None)
    yield from events


def _text(raw: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = raw.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise MalformedEntityError(f"no {key}")
        return None
    if not isinstance(value, str):
        raise MalformedEntityError(f"{key} is not text")
    return " ".join(value.split())


def _flag(raw: dict[str, Any], key: str) -> bool:
    value = raw.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise MalformedEntityError(f"{key} is not true or false")
    return value


def _address(raw: dict[str, Any]) -> dict[str, Any] | None:
    for key in ("forretningsadresse", "postadresse"):
        value = raw.get(key)
        if value is None:
            continue
        if not isinstance(value, dict):
            raise MalformedEntityError(f"{key} is not an object")
        return value
    return None


def _lines(address: dict[str, Any]) -> str | None:
    lines = address.get("adresse")
    if lines is None:
        return None
    if isinstance(lines, str):
        lines = [lines]
    if not isinstance(lines, list) or not all(isinstance(x, str | None) for x in lines):
        raise MalformedEntityError("adresse is not a list of lines")
    text = ", ".join(" ".join(line.split()) for line in lines if line and line.strip())
    return text[:ADDRESS_LENGTH] or None


def parse_entity(raw: Any) -> Entity:
    """One entity of the download, or `MalformedEntityError` saying what is wrong."""
    if not isinstance(raw, dict):
        raise MalformedEntityError("not an object")
    number_text = raw.get("organisasjonsnummer")
    if not isinstance(number_text, str):
        raise MalformedEntityError("no organisasjonsnummer")
    try:
        number = normalise_organisation_number(number_text)
    except DomainValidationError as error:
        shown = repr(number_text[:20])
        raise MalformedEntityError(f"organisasjonsnummer {shown}: {error.message}") from None
    name = _text(raw, "navn", required=True)
    assert name is not None
    if len(name) > NAME_LENGTH:
        raise MalformedEntityError(f"navn is longer than {NAME_LENGTH} characters")
    form = raw.get("organisasjonsform")
    if form is not None and not isinstance(form, dict):
        raise MalformedEntityError("organisasjonsform is not an object")
    form_code = _text(form, "kode") if form else None
    address = _address(raw)
    postal_code = postal_town = municipality = lines = None
    if address is not None:
        lines = _lines(address)
        code = _text(address, "postnummer")
        postal_code = code if code and len(code) == 4 and code.isdigit() else None
        town = _text(address, "poststed")
        postal_town = town[:TOWN_LENGTH] if town else None
        municipality = _text(address, "kommunenummer")
    deleted = _text(raw, "slettedato")
    try:
        deleted_on = date.fromisoformat(deleted) if deleted else None
    except ValueError:
        raise MalformedEntityError(f"slettedato {deleted[:20]!r} is not a date") from None
    return Entity(
        organisation_number=number,
        name=name,
        organisation_form=form_code[:10] if form_code else None,
        address=lines,
        postal_code=postal_code,
        postal_town=postal_town,
        municipality_number=municipality,
        voluntary=_flag(raw, "registrertIFrivillighetsregisteret"),
        bankrupt=_flag(raw, "konkurs"),
        being_dissolved=_flag(raw, "underAvvikling"),
        deleted_on=deleted_on,
    )


# Importing -----------------------------------------------------------------------------------


def import_brreg(
    session: Session,
    stream: IO[bytes],
    *,
    municipality_number: str,
    dry_run: bool = False,
    source: str = "",
) -> BrregReport:
    """Read the whole file first (only what matters is kept), then write in one savepoint:
    a file that cannot be read writes nothing (`BrregFileError`)."""
    report = BrregReport(municipality_number=municipality_number, dry_run=dry_run)
    registered = {
        organisation.organisation_number: organisation
        for organisation in session.scalars(
            select(Organisation).where(Organisation.organisation_number.is_not(None))
        )
    }
    found: dict[str, Entity] = {}  # registered organisations in the file
    candidates: dict[str, Entity] = {}
    for index, raw in enumerate(raw_entities(stream), start=1):
        report.read += 1
        try:
            entity = parse_entity(raw)
        except MalformedEntityError as problem:
            report.malformed += 1
            if len(report.problems) < MAX_REPORTED:
                report.problems.append(f"entity {index}: {problem}")
            continue
        if entity.organisation_number in registered:
            found[entity.organisation_number] = entity
        if entity.municipality_number != municipality_number:
            continue
        report.in_municipality += 1
        if entity.voluntary and not entity.flagged and entity.organisation_number not in registered:
            candidates[entity.organisation_number] = entity

    savepoint = session.begin_nested()
    try:
        with session.no_autoflush:
            for number, entity in found.items():
                organisation = registered[number]
                report.matched += 1
                report.flagged += entity.flagged
                values = entity.registry_values()
                changes = {
                    key: value
                    for key, value in values.items()
                    if getattr(organisation, key) != value
                }
                if changes:
                    service.update_organisation(session, organisation, changes=changes, flush=False)
                    report.updated += 1
            report.candidates = len(candidates)
            _refresh_candidates(session, candidates)
        session.flush()
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
        return report
    record_import(session, "brreg", source, report.counts())
    session.flush()
    savepoint.commit()
    return report


def _refresh_candidates(session: Session, wanted: dict[str, Entity]) -> None:
    """The candidates table becomes exactly `wanted`; unchanged rows are left alone."""
    for candidate in session.scalars(select(OrganisationCandidate)):
        entity = wanted.pop(candidate.organisation_number, None)
        if entity is None:
            session.delete(candidate)
            continue
        for key, value in entity.candidate_values().items():
            if getattr(candidate, key) != value:
                setattr(candidate, key, value)
    for number, entity in wanted.items():
        session.add(OrganisationCandidate(organisation_number=number, **entity.candidate_values()))


# A candidate made an organisation (the admin's click) ----------------------------------------


def create_from_candidate(
    session: Session,
    candidate: OrganisationCandidate,
    *,
    category: OrganisationCategory,
    municipality_number: str,
) -> Organisation:
    """Register the candidate through `organisations.service` (validated, audited, its number
    checked as unique) and remove it from the candidates."""
    organisation = service.create_organisation(
        session,
        fields={
            "name": candidate.name,
            "organisation_number": candidate.organisation_number,
            "category": category,
            "address": candidate.address,
            "postal_code": candidate.postal_code,
            "postal_town": candidate.postal_town,
            "municipality_numbers": [municipality_number],
        },
    )
    session.delete(candidate)
    session.flush()
    return organisation


def flagged_organisations(session: Session) -> list[Organisation]:
    """Registered organisations Enhetsregisteret says are bankrupt, dissolving or deleted."""
    return list(
        session.scalars(
            select(Organisation)
            .where(
                Organisation.bankrupt
                | Organisation.being_dissolved
                | Organisation.deleted_from_registry_on.is_not(None)
            )
            .order_by(Organisation.name, Organisation.id)
        )
    )
