"""The shipped catalogues of resource types and qualification types.

Revision ID: 0002_shipped_catalogues
Revises: 0001_register_schema
Create Date: 2026-11-23

The rows are written out here rather than imported, so this migration keeps meaning what it
meant when it was written. Later additions come as new migrations; users may add their own.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002_shipped_catalogues"
down_revision: str | None = "0001_register_schema"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# code, Norwegian name, English name, capability group, unit
RESOURCE_TYPES = [
    ("atv", "ATV", "ATV", "transport", "stk"),
    ("snowmobile", "Snøscooter", "Snowmobile", "transport", "stk"),
    ("snowmobile_sled", "Scooterslede (pulk)", "Snowmobile sled", "transport", "stk"),
    ("tracked_vehicle", "Beltevogn", "Tracked vehicle", "transport", "stk"),
    ("rescue_boat", "Redningsbåt (RIB)", "Rescue boat (RIB)", "transport", "stk"),
    ("small_boat", "Småbåt med motor", "Small motor boat", "transport", "stk"),
    ("vehicle_tow_hitch", "Kjøretøy med hengerfeste", "Vehicle with tow hitch", "transport", "stk"),
    ("minibus", "Minibuss (9 seter)", "Minibus (9 seats)", "transport", "stk"),
    ("trailer", "Tilhenger", "Trailer", "transport", "stk"),
    ("medical_vehicle", "Sanitetsbil", "Medical transport vehicle", "transport", "stk"),
    ("tent", "Telt", "Tent", "shelter", "stk"),
    ("heated_tent", "Telt med oppvarming", "Heated tent", "shelter", "stk"),
    ("field_bed", "Feltseng", "Field bed", "shelter", "stk"),
    ("sleeping_bag", "Sovepose", "Sleeping bag", "shelter", "stk"),
    ("wool_blanket", "Ullteppe", "Wool blanket", "shelter", "stk"),
    ("space_heater", "Varmeapparat (diesel)", "Diesel space heater", "shelter", "stk"),
    ("generator", "Aggregat", "Generator", "power", "stk"),
    ("light_tower", "Lysmast", "Light tower", "power", "stk"),
    ("battery_bank", "Batteribank", "Battery bank", "power", "stk"),
    ("fuel_reserve", "Drivstoffreserve", "Fuel reserve", "power", "liter"),
    ("first_aid_kit", "Førstehjelpsutstyr", "First aid kit", "medical", "sett"),
    ("defibrillator", "Hjertestarter (AED)", "Defibrillator (AED)", "medical", "stk"),
    ("stretcher", "Båre", "Stretcher", "medical", "stk"),
    ("vacuum_mattress", "Vakuummadrass", "Vacuum mattress", "medical", "stk"),
    ("oxygen_kit", "Oksygenutstyr", "Oxygen kit", "medical", "sett"),
    ("hypothermia_bag", "Varmepose (hypotermi)", "Hypothermia bag", "medical", "stk"),
    ("nodnett_radio", "Nødnett-radio", "Nødnett radio (TETRA)", "comms", "stk"),
    ("vhf_radio", "VHF-radio", "VHF radio", "comms", "stk"),
    ("satellite_phone", "Satellittelefon", "Satellite phone", "comms", "stk"),
    ("radio_repeater", "Radiorepeater", "Radio repeater", "comms", "stk"),
    ("mobile_command_post", "Mobil kommandoplass", "Mobile command post", "comms", "stk"),
    ("water_pump", "Pumpe", "Water pump", "water", "stk"),
    ("water_tank", "Vanntank", "Water tank", "water", "liter"),
    ("water_purifier", "Vannrenseanlegg", "Water purifier", "water", "stk"),
    ("sandbags", "Sandsekker", "Sandbags", "water", "stk"),
    ("flood_barrier", "Mobil flomvoll", "Mobile flood barrier", "water", "meter"),
    ("field_kitchen", "Feltkjøkken", "Field kitchen", "food", "stk"),
    ("emergency_rations", "Nødproviant", "Emergency rations", "food", "porsjoner"),
    ("water_cans", "Vannkanner", "Water cans", "food", "stk"),
    ("search_dog", "Redningshund (godkjent)", "Certified search dog", "rescue", "stk"),
    ("thermal_drone", "Drone med varmekamera", "Drone with thermal camera", "rescue", "stk"),
    ("rope_rescue_kit", "Tauredningsutstyr", "Rope rescue kit", "rescue", "sett"),
    ("avalanche_kit", "Skredutstyr", "Avalanche kit", "rescue", "sett"),
    ("dry_suit", "Tørrdrakt", "Dry suit", "rescue", "stk"),
    ("chainsaw", "Motorsag", "Chainsaw", "rescue", "stk"),
]

# code, Norwegian name, English name, months valid (None: does not expire)
QUALIFICATION_TYPES = [
    ("first_aid", "Førstehjelp", "First aid", 36),
    ("advanced_first_aid", "Avansert førstehjelp", "Advanced first aid", 36),
    ("hjelpekorpsproven", "Hjelpekorpsprøven", "Rescue corps examination", 36),
    ("search_and_rescue", "Søk og redning", "Search and rescue", 36),
    ("boat_licence", "Båtførerbevis", "Boat licence", None),
    ("driving_licence_be", "Førerkort BE", "Driving licence BE", None),
    ("driving_licence_c", "Førerkort C", "Driving licence C", None),
    ("snowmobile_licence", "Førerkort S (snøscooter)", "Snowmobile licence", None),
    ("nodnett_training", "Nødnett-opplæring", "Nødnett radio training", 24),
    ("avalanche_course", "Skredkurs", "Avalanche course", 36),
    ("water_rescue", "Vannredning", "Water rescue", 24),
    ("psychosocial_support", "Psykososial støtte", "Psychosocial support", 36),
    ("food_hygiene", "Hygienekurs (næringsmiddel)", "Food hygiene", None),
    ("drone_pilot", "Dronesertifikat (A1/A3)", "Drone pilot certificate", 60),
    ("dog_handler", "Hundefører (godkjent)", "Certified dog handler", 12),
    ("chainsaw_course", "Motorsagkurs", "Chainsaw course", None),
    ("radio_operator", "Sambandskurs", "Radio operator course", None),
    ("lifesaving", "Livredning", "Lifesaving", 12),
]


def _catalogue_table(name: str, *extra: sa.Column) -> sa.Table:
    return sa.table(
        name,
        sa.column("code", sa.String),
        sa.column("name_nb", sa.String),
        sa.column("name_en", sa.String),
        sa.column("shipped", sa.Boolean),
        sa.column("active", sa.Boolean),
        sa.column("version", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
        *extra,
    )


def upgrade() -> None:
    now = datetime.now(UTC)
    common = {"shipped": True, "active": True, "version": 1, "created_at": now, "updated_at": now}
    resource_types = _catalogue_table(
        "resource_types", sa.column("capability", sa.String), sa.column("unit", sa.String)
    )
    op.bulk_insert(
        resource_types,
        [
            {"code": c, "name_nb": nb, "name_en": en, "capability": cap, "unit": unit, **common}
            for c, nb, en, cap, unit in RESOURCE_TYPES
        ],
    )
    qualification_types = _catalogue_table(
        "qualification_types", sa.column("validity_months", sa.Integer)
    )
    op.bulk_insert(
        qualification_types,
        [
            {"code": c, "name_nb": nb, "name_en": en, "validity_months": months, **common}
            for c, nb, en, months in QUALIFICATION_TYPES
        ],
    )


# Rows still referenced stay: taking the catalogue away must not break the register's data.
# (Going further down, to base, drops the tables with everything in them.)
REFERENCES = {
    "resource_types": (
        ("equipment", "resource_type_id"),
        ("agreement_commitments", "resource_type_id"),
    ),
    "qualification_types": (
        ("volunteer_qualifications", "qualification_type_id"),
        ("agreement_commitments", "qualification_type_id"),
    ),
}


def _delete_unreferenced(table: str, codes: list[str]) -> None:
    unused = " ".join(
        f"AND NOT EXISTS (SELECT 1 FROM {child} WHERE {child}.{column} = {table}.id)"
        for child, column in REFERENCES[table]
    )
    op.execute(
        sa.text(f"DELETE FROM {table} WHERE shipped AND code IN :codes {unused}").bindparams(
            sa.bindparam("codes", codes, expanding=True)
        )
    )


def downgrade() -> None:
    _delete_unreferenced("resource_types", [row[0] for row in RESOURCE_TYPES])
    _delete_unreferenced("qualification_types", [row[0] for row in QUALIFICATION_TYPES])
