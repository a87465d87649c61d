"""The one declaration of personal data: a column says what class of personal data it holds,
and whether its value identifies a person (the person's id, mobile or e-mail), in its `info`:

    mobile: Mapped[str] = mapped_column(String(20), info=personal(DataClass.CONTACT, MOBILE))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey(...), info=identifies(SUBJECT_ID))

Erasure finds a person's rows in every table by the identifying columns and overwrites the
personal ones; the audit trail's copies are found the same way. Nothing else lists which
tables hold people: a new table is covered by marking its columns.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Column, MetaData, Table

# A volunteer's keys: erasure, the access export and audit searches find a volunteer by these.
SUBJECT_ID = "id"
MOBILE = "mobile"
EMAIL = "email"
# A staff user's keys (a different kind of data subject: never matched by a volunteer's purge).
STAFF_USER = "staff_user"
STAFF_EMAIL = "staff_email"
STAFF_KEYS = frozenset({STAFF_USER, STAFF_EMAIL})
INFO_KEY = "personal_data"


class DataClass(enum.StrEnum):
    """Classes of personal data, as the retention schedule and the record of processing name
    them."""

    IDENTITY = "identity"  # a person's name
    CONTACT = "contact"  # mobile numbers and e-mail addresses
    LOCATION = "location"  # where someone lives (coarsened)
    MESSAGE = "message"  # texts sent to or received from a person (replies can hold health data)
    ONLINE = "online"  # the network address a login attempt came from


@dataclass(frozen=True)
class Declared:
    """What a column holds: its class of personal data (None for a mere link such as a
    volunteer id) and which of a person's keys its value is, if any."""

    data_class: DataClass | None
    identifies: tuple[str, ...] = ()


def personal(data_class: DataClass, *identifies_keys: str) -> dict[str, Declared]:
    """`info` of a column holding personal data (`identifies_keys`: the person's keys its value
    may be, e.g. MOBILE, or MOBILE and EMAIL for an address of either kind)."""
    return {INFO_KEY: Declared(data_class, tuple(identifies_keys))}


def identifies(*keys: str) -> dict[str, Declared]:
    """`info` of a column that links a row to a person without being personal data itself
    (a volunteer id)."""
    return {INFO_KEY: Declared(None, tuple(keys))}


SECRET_KEY = "secret"


def secret() -> dict[str, bool]:
    """`info` of a column that must never leave the database, not even in the export (a
    password's hash)."""
    return {SECRET_KEY: True}


def is_secret(column: Column) -> bool:
    return column.info.get(SECRET_KEY) is True


def declared(column: Column) -> Declared | None:
    value = column.info.get(INFO_KEY)
    return value if isinstance(value, Declared) else None


@dataclass(frozen=True)
class PersonalTable:
    """A table with personal data: its personal columns and the columns that find a
    person's rows."""

    table: Table
    personal: tuple[Column, ...]
    links: tuple[tuple[Column, tuple[str, ...]], ...]

    @property
    def keyed_by_subject(self) -> bool:
        """The subject's own table: its one-column primary key is the subject's id (the
        volunteers), so its audit entries are found by id."""
        primary = list(self.table.primary_key.columns)
        return len(primary) == 1 and any(
            column is primary[0] and SUBJECT_ID in keys for column, keys in self.links
        )


def personal_tables(metadata: MetaData) -> Iterator[PersonalTable]:
    """Every table of `metadata` with a declared column, in dependency order."""
    for table in metadata.sorted_tables:
        marks = [(column, declared(column)) for column in table.columns]
        marks = [(column, mark) for column, mark in marks if mark is not None]
        if not marks:
            continue
        yield PersonalTable(
            table=table,
            personal=tuple(column for column, mark in marks if mark.data_class is not None),
            links=tuple((column, mark.identifies) for column, mark in marks if mark.identifies),
        )
