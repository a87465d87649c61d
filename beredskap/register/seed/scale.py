"""Benchmark-scale data across Norway, written with bulk Core inserts.

The ORM (and so the per-row audit trail) would take minutes for a million rows; this writes
batches of plain rows in one transaction and records one summary entry in the audit log.
Values are generated valid: the same rules the models enforce hold for every row.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select

from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.columns import utcnow
from beredskap.platform.contact_details import BENCHMARK_MOBILE_PREFIX
from beredskap.register.inventory.models import Equipment, EquipmentStatus, ResourceType
from beredskap.register.organisations.models import (
    Organisation,
    OrganisationCategory,
    Site,
    SiteKind,
)
from beredskap.register.volunteers.models import (
    HOME_AREA_GRID_DEGREES,
    Availability,
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)

BATCH_ROWS = 20_000
BENCHMARK_MOBILE_CAPACITY = 1_000_000  # +47 00 000000 .. +47 00 999999
SCALE_ACTOR = "seed scale"

# Towns spread over mainland Norway (lon, lat, spread in degrees latitude).
TOWNS = (
    (10.75, 59.91, 0.15), (11.05, 59.96, 0.1), (10.20, 59.74, 0.1), (10.41, 59.27, 0.1),
    (9.61, 59.21, 0.1), (8.00, 58.15, 0.1), (5.73, 58.97, 0.12), (5.32, 60.39, 0.12),
    (6.15, 62.47, 0.1), (7.16, 62.74, 0.1), (10.40, 63.43, 0.12), (11.30, 63.02, 0.1),
    (14.40, 67.28, 0.1), (17.43, 68.44, 0.1), (18.96, 69.65, 0.1), (23.27, 69.97, 0.08),
    (30.04, 69.73, 0.06), (10.67, 60.80, 0.12), (11.56, 60.88, 0.12), (12.00, 60.19, 0.1),
    (8.60, 60.70, 0.15), (7.25, 61.25, 0.15), (9.40, 61.60, 0.15), (13.20, 65.84, 0.1),
    (25.50, 70.50, 0.1),
)  # fmt: skip

_ITEM_STATUS_WEIGHTS = (85, 6, 6, 3)


@dataclass(frozen=True)
class ScaleSummary:
    organisations: int
    sites: int
    equipment: int
    volunteers: int
    qualifications: int

    def __str__(self) -> str:
        return ", ".join(f"{count} {name}" for name, count in asdict(self).items())


def _point(rng: random.Random) -> str:
    lon, lat, spread = rng.choice(TOWNS)
    return f"SRID=4326;POINT({lon + rng.gauss(0, spread * 2):.6f} {lat + rng.gauss(0, spread):.6f})"


def _home_area(rng: random.Random) -> str:
    lon, lat, spread = rng.choice(TOWNS)
    step = HOME_AREA_GRID_DEGREES
    snap_lon = round((lon + rng.gauss(0, spread * 2)) / step) * step
    snap_lat = round((lat + rng.gauss(0, spread)) / step) * step
    return f"SRID=4326;POINT({snap_lon:.3f} {snap_lat:.3f})"


def _batches(total: int) -> Iterator[range]:
    for start in range(0, total, BATCH_ROWS):
        yield range(start, min(start + BATCH_ROWS, total))


def _new_ids(connection: Connection, column: Any, after: int) -> list[int]:
    return list(connection.scalars(select(column).where(column > after).order_by(column)))


def _max_id(connection: Connection, column: Any) -> int:
    return int(connection.scalar(select(func.coalesce(func.max(column), 0))) or 0)


def _next_mobile_index(connection: Connection, volunteers: int) -> int:
    highest = connection.scalar(
        select(func.max(Volunteer.mobile)).where(
            Volunteer.mobile.startswith(BENCHMARK_MOBILE_PREFIX)
        )
    )
    start = int(highest[len(BENCHMARK_MOBILE_PREFIX) :]) + 1 if highest else 0
    if start + volunteers > BENCHMARK_MOBILE_CAPACITY:
        raise ValueError(
            f"the benchmark number range holds {BENCHMARK_MOBILE_CAPACITY} volunteers; "
            f"{start} are taken"
        )
    return start


def seed_scale(
    engine: Engine, *, organisations: int, equipment: int, volunteers: int, seed: int = 1
) -> ScaleSummary:
    """Append generated organisations, sites, equipment and volunteers in one transaction."""
    if (equipment or volunteers) and not organisations:
        raise ValueError("equipment and volunteers need at least one organisation")
    rng = random.Random(seed)
    now = utcnow()
    stamps = {"version": 1, "created_at": now, "updated_at": now}
    categories = [c.value for c in OrganisationCategory]
    kinds = [k.value for k in SiteKind]
    statuses = [s.value for s in EquipmentStatus]
    availabilities = [a.value for a in Availability]
    today = date.today()

    with engine.begin() as connection:
        resource_type_ids = list(connection.scalars(select(ResourceType.id)))
        qualification_type_ids = list(connection.scalars(select(QualificationType.id)))

        first_org = _max_id(connection, Organisation.id)
        for batch in _batches(organisations):
            connection.execute(
                insert(Organisation),
                [
                    {
                        "name": f"Skalatest organisasjon {first_org + i + 1}",
                        "category": rng.choice(categories),
                        "home_base": _point(rng),
                        "municipality_numbers": [],
                        "active": True,
                        **stamps,
                    }
                    for i in batch
                ],
            )
        organisation_ids = _new_ids(connection, Organisation.id, first_org)

        first_site = _max_id(connection, Site.id)
        site_rows = [
            {
                "organisation_id": organisation_id,
                "name": f"Lager {n + 1}",
                "kind": rng.choice(kinds),
                "location": _point(rng),
                "access_24_7": rng.random() < 0.3,
                **stamps,
            }
            for organisation_id in organisation_ids
            for n in range(rng.randint(1, 3))
        ]
        for batch in _batches(len(site_rows)):
            connection.execute(insert(Site), site_rows[batch.start : batch.stop])
        site_owner = [
            (row.id, row.organisation_id)
            for row in connection.execute(
                select(Site.id, Site.organisation_id).where(Site.id > first_site).order_by(Site.id)
            )
        ]

        for batch in _batches(equipment):
            rows = []
            for _ in batch:
                site_id, organisation_id = rng.choice(site_owner)
                last = today - timedelta(days=rng.randint(0, 700))
                rows.append(
                    {
                        "organisation_id": organisation_id,
                        "site_id": site_id,
                        "resource_type_id": rng.choice(resource_type_ids),
                        "quantity": rng.randint(1, 20),
                        "status": rng.choices(statuses, weights=_ITEM_STATUS_WEIGHTS, k=1)[0],
                        "last_inspected_on": last,
                        "next_inspection_due": last + timedelta(days=365),
                        **stamps,
                    }
                )
            connection.execute(insert(Equipment), rows)

        first_volunteer = _max_id(connection, Volunteer.id)
        mobile_start = _next_mobile_index(connection, volunteers)
        for batch in _batches(volunteers):
            connection.execute(
                insert(Volunteer),
                [
                    {
                        "full_name": f"Skalatest frivillig {mobile_start + i}",
                        "mobile": f"{BENCHMARK_MOBILE_PREFIX}{mobile_start + i:06d}",
                        "home_area": _home_area(rng),
                        "availability": rng.choices(availabilities, weights=(80, 12, 8), k=1)[0],
                        "sms_consent": rng.random() < 0.92,
                        "sms_consent_changed_at": now,
                        "active": True,
                        **stamps,
                    }
                    for i in batch
                ],
            )
        volunteer_ids = _new_ids(connection, Volunteer.id, first_volunteer)
        qualifications = 0
        for batch in _batches(len(volunteer_ids)):
            memberships, held = [], []
            for volunteer_id in volunteer_ids[batch.start : batch.stop]:
                memberships.append(
                    {
                        "volunteer_id": volunteer_id,
                        "organisation_id": rng.choice(organisation_ids),
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                for type_id in rng.sample(qualification_type_ids, k=rng.randint(1, 2)):
                    obtained = today - timedelta(days=rng.randint(0, 1500))
                    held.append(
                        {
                            "volunteer_id": volunteer_id,
                            "qualification_type_id": type_id,
                            "obtained_on": obtained,
                            "expires_on": obtained + timedelta(days=rng.choice((730, 1095))),
                            **stamps,
                        }
                    )
            connection.execute(insert(Membership), memberships)
            connection.execute(insert(VolunteerQualification), held)
            qualifications += len(held)

        summary = ScaleSummary(
            organisations=len(organisation_ids),
            sites=len(site_owner),
            equipment=equipment,
            volunteers=len(volunteer_ids),
            qualifications=qualifications,
        )
        # Bulk rows bypass the per-row recorder: one entry says what was added, by whom.
        connection.execute(
            insert(AuditEntry).values(
                occurred_at=now,
                actor=SCALE_ACTOR,
                entity="seed_scale",
                entity_id="-",
                action="bulk_insert",
                before=None,
                after=asdict(summary),
            )
        )
    # Fresh statistics, or the planner judges a million new rows by an empty table's (on
    # PostGIS it then skips the KNN index walk); autovacuum would get there, but later.
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    return summary
