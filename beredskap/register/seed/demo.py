"""The demo municipality, written through the ORM so validation and the audit trail apply.

Deterministic (one fixed random seed), so screenshots, tests and bug reports agree. Every
person is invented and every phone number lies in a range that can never reach anyone.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from shapely.geometry import Point, Polygon, box, mapping
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from beredskap.register.agreements.models import Agreement, AgreementStatus, Commitment
from beredskap.register.crisis_roles.models import CrisisRole
from beredskap.register.imports.addresses import import_addresses
from beredskap.register.imports.place_names import import_place_names
from beredskap.register.inventory.models import Equipment, EquipmentStatus, ResourceType
from beredskap.register.organisations.models import Organisation, Site, SiteKind
from beredskap.register.organisations.numbers import check_digit
from beredskap.register.seed import lillestrom as place
from beredskap.register.volunteers.models import (
    Availability,
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)

RANDOM_SEED = 3205
EQUIPMENT_LINES = 600
VOLUNTEERS = 300
MIN_SITES = 42
# Ofcom's drama range: +44 7700 900000-900999. Volunteers 000-299, 24/7 lines 500-599,
# the municipality's own services 600-649, agreement contacts 700-749 and their deputies
# 750-799, crisis roles 800-849.
DRAMA_RANGE = "+447700900"
ORGANISATION_LINE_OFFSET = 500
MUNICIPAL_LINE_OFFSET = 600
AGREEMENT_CONTACT_OFFSET = 700
AGREEMENT_DEPUTY_OFFSET = 750
CRISIS_ROLE_OFFSET = 800

# The municipality's own service in the demo, its store and what it keeps there (code,
# quantity): the municipality's resources beside the organisations'.
MUNICIPAL_SERVICE = "Lillestrøm kommune, teknisk drift"
MUNICIPAL_STOCK = (
    ("generator", 1), ("generator", 1), ("generator", 1), ("light_tower", 1),
    ("light_tower", 1), ("water_pump", 6), ("water_cans", 400), ("field_bed", 120),
    ("wool_blanket", 300), ("chainsaw", 8),
)  # fmt: skip
# The crisis management's roles in order, each with its holder and deputies (names made up).
CRISIS_ROLES = (
    ("Ordfører", "Leder kommunens kriseledelse og er kommunens ansikt utad.",
     ("Kari Nordmann", "Ola Varaordfører")),
    ("Kommunedirektør", "Leder kommunens kriseorganisasjon og beslutter tiltak.",
     ("Per Direktør", "Anne Kommunalsjef")),
    ("Beredskapskoordinator", "Varsler kriseledelsen, fører logg og holder situasjonsbildet.",
     ("Siri Beredskap", "Jon Vaktleder", "Lise Rådgiver")),
    ("Kommuneoverlege", "Smittevern, helseberedskap og råd om liv og helse.",
     ("Dr. Eva Lege", "Dr. Knut Lege")),
    ("Kommunikasjonsleder", "Informasjon til innbyggere og media.",
     ("Mona Kommunikasjon", "Tor Nettredaktør")),
)  # fmt: skip

# Equipment that is counted one by one, each with its own inventory number.
ITEMISED = frozenset(
    {
        "atv", "snowmobile", "tracked_vehicle", "rescue_boat", "small_boat", "minibus",
        "vehicle_tow_hitch", "trailer", "medical_vehicle", "generator", "light_tower",
        "mobile_command_post", "thermal_drone", "search_dog", "defibrillator", "radio_repeater",
        "satellite_phone", "nodnett_radio",
    }
)  # fmt: skip
QUANTITY_BY_UNIT = {"stk": (2, 40), "sett": (1, 12), "liter": (200, 3000), "meter": (20, 300)}
QUANTITY_DEFAULT = (50, 600)  # porsjoner and anything new

# Eight agreements: organisation, reference, status, tasks, minutes, commitments.
AGREEMENTS = (
    ("Nitelva Hjelpekorps", "2023/01412", "active", ("search", "first_aid", "evacuation"), 45,
     {"atv": 2, "first_aid_kit": 10, "tent": 2}, {"first_aid": 20, "hjelpekorpsproven": 8}),
    ("Glomma Hjelpekorps", "2023/01413", "active", ("search", "first_aid", "transport"), 60,
     {"snowmobile": 1, "stretcher": 4}, {"first_aid": 12, "search_and_rescue": 6}),
    ("Sørum Søk og Redning", "2024/00231", "active", ("search", "evacuation"), 60,
     {"atv": 1, "heated_tent": 1}, {"search_and_rescue": 6}),
    ("Kjeller Sanitetslag", "2022/03318", "active",
     ("catering", "reception_of_evacuees", "psychosocial_support"), 90,
     {"field_bed": 40, "wool_blanket": 80}, {"psychosocial_support": 6}),
    ("Øyeren Redningshundlag", "2024/00877", "active", ("search",), 60,
     {"search_dog": 4}, {"dog_handler": 4}),
    ("Øyeren Sjøredningslag", "2023/02290", "active", ("search", "transport", "evacuation"), 30,
     {"rescue_boat": 1, "dry_suit": 6}, {"boat_licence": 4, "water_rescue": 4}),
    ("Lillestrøm Frivilligsentral", "2025/00102", "draft",
     ("catering", "reception_of_evacuees", "transport"), 120,
     {"minibus": 1, "emergency_rations": 200}, {"driving_licence_be": 4}),
    ("Romerike Sambandsgruppe", "2019/04410", "expired", ("communications",), 60,
     {"radio_repeater": 2, "vhf_radio": 10}, {"radio_operator": 4}),
)  # fmt: skip


def _service_areas() -> dict[str, Polygon]:
    whole = Polygon(place.OUTLINE)
    divide = place.WEST_EAST_DIVIDE_LON
    west = whole.intersection(box(10.0, 59.0, divide, 61.0))
    east = whole.intersection(box(divide, 59.0, 12.0, 61.0))
    region = whole.buffer(0.08, join_style="mitre")  # Nedre Romerike, roughly
    return {
        "Nitelva Hjelpekorps": west,
        "Glomma Hjelpekorps": east,
        "Sørum Søk og Redning": east,
        "Kjeller Sanitetslag": whole,
        "Øyeren Redningshundlag": region,
        "Øyeren Sjøredningslag": Polygon(place.OYEREN),
        "Lillestrøm Frivilligsentral": whole,
        "Romerike Sambandsgruppe": region,
    }


SERVICE_AREAS = _service_areas()


@dataclass(frozen=True)
class DemoSummary:
    organisations: int
    sites: int
    equipment: int
    volunteers: int
    qualifications: int
    agreements: int
    addresses: int = 0
    place_names: int = 0

    def __str__(self) -> str:
        return (
            f"{place.MUNICIPALITY_NAME} ({place.MUNICIPALITY_NUMBER}): "
            f"{self.organisations} organisations, {self.sites} sites, "
            f"{self.equipment} equipment lines, {self.volunteers} volunteers with "
            f"{self.qualifications} qualifications, {self.agreements} agreements, "
            f"{self.addresses} addresses, {self.place_names} place names"
        )


def is_empty(session: Session) -> bool:
    """True while the register holds no organisation (the demo is only added then)."""
    return not session.scalar(select(exists().where(Organisation.id.is_not(None))))


def drama_mobile(index: int) -> str:
    """The index-th number of the drama range (0..999)."""
    if not 0 <= index <= 999:
        raise ValueError("the drama range holds 1000 numbers")
    return f"{DRAMA_RANGE}{index:03d}"


def _ascii(text: str) -> str:
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens, usable as a domain label."""
    return re.sub(r"[^a-z0-9]+", "-", _ascii(text)).strip("-")


def _near(rng: random.Random, locality: place.Locality, spread: float = 0.012) -> Point:
    return Point(
        round(locality.lon + rng.uniform(-2 * spread, 2 * spread), 6),
        round(locality.lat + rng.uniform(-spread, spread), 6),
    )


def _address(rng: random.Random, locality: place.Locality) -> str:
    return f"{rng.choice(place.STREETS)} {rng.randint(1, 120)}, {locality.postcode} {locality.name}"


def _organisation_number(rng: random.Random) -> str:
    # Brønnøysund numbers begin with 8 or 9: a number beginning with 1 is never anyone's.
    while True:
        first_eight = "1" + "".join(str(rng.randint(0, 9)) for _ in range(7))
        digit = check_digit(first_eight)
        if digit is not None:
            return first_eight + str(digit)


class _DemoBuilder:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.rng = random.Random(RANDOM_SEED)
        self.today = date.today()
        self.localities = {locality.name: locality for locality in place.LOCALITIES}
        self.resource_types = {rt.code: rt for rt in session.scalars(select(ResourceType))}
        self.qualification_types = {
            qt.code: qt for qt in session.scalars(select(QualificationType))
        }
        self.organisations: dict[str, Organisation] = {}
        self.sites_by_organisation: dict[str, list[Site]] = {}
        self.municipal_sites: list[Site] = []

    def organisations_and_sites(self) -> None:
        rng = self.rng
        for index, template in enumerate(place.ORGANISATIONS):
            locality = self.localities[template.locality]
            informal = template.category in ("residents_association", "other")
            served = [place.MUNICIPALITY_NUMBER]
            if template.category in ("first_aid_corps", "rescue_dogs", "sea_rescue"):
                served += rng.sample(place.NEIGHBOUR_MUNICIPALITIES, 2)
            organisation = Organisation(
                name=template.name,
                organisation_number=None if informal else _organisation_number(rng),
                category=template.category,
                contact_24_7_name=f"Vaktleder {template.name}",
                contact_24_7_phone=drama_mobile(ORGANISATION_LINE_OFFSET + index),
                contact_24_7_email=f"vakt@{_slug(template.name)}.example",
                home_base=_near(rng, locality, 0.004),
                municipality_numbers=served,
                umbrella_organisation=self.organisations.get(template.umbrella or ""),
            )
            self.organisations[template.name] = organisation
            self.sites_by_organisation[template.name] = [self._site(organisation, locality)]
        # Larger organisations keep a second store; the municipality adds its own sites.
        for template in place.ORGANISATIONS:
            if template.category in ("first_aid_corps", "sea_rescue", "motor_club", "scouts"):
                organisation = self.organisations[template.name]
                second = self._site(
                    organisation, rng.choice(place.LOCALITIES), kind=SiteKind.STORAGE
                )
                self.sites_by_organisation[template.name].append(second)
        kinds = (SiteKind.SHELTER, SiteKind.MUSTER_POINT, SiteKind.STORAGE)
        sites = sum(len(s) for s in self.sites_by_organisation.values())
        for index in range(max(MIN_SITES - sites, 4)):
            locality = place.LOCALITIES[index % len(place.LOCALITIES)]
            self.municipal_sites.append(self._site(None, locality, kind=kinds[index % 3]))
        self.session.add_all(self.organisations.values())
        self.session.add_all(self.municipal_sites)

    def _site(
        self,
        organisation: Organisation | None,
        locality: place.Locality,
        kind: SiteKind | None = None,
    ) -> Site:
        rng = self.rng
        if kind is None:
            corps = organisation is not None and organisation.category in (
                "first_aid_corps",
                "sea_rescue",
                "rescue_dogs",
            )
            kind = SiteKind.BASE if corps else SiteKind.STORAGE
        owner = organisation.name if organisation else "Lillestrøm kommune"
        names = {
            SiteKind.BASE: f"{owner} base {locality.name}",
            SiteKind.STORAGE: f"{owner} lager {locality.name}",
            SiteKind.MUSTER_POINT: f"Møteplass {locality.name}",
            SiteKind.SHELTER: f"Evakueringssted {locality.name} skole",
        }
        return Site(
            organisation=organisation,
            name=names[kind],
            kind=kind,
            location=_near(rng, locality, 0.01),
            address=_address(rng, locality),
            access_notes=rng.choice(
                (
                    "Nøkkel hos vaktleder; ring 24/7-nummeret.",
                    "Kodelås; koden står i beredskapsplanen.",
                    "Nøkkelboks ved port. Brøytet vinterstid.",
                    "Nøkkel i resepsjonen på dagtid.",
                )
            ),
            access_24_7=kind == SiteKind.BASE or rng.random() < 0.3,
        )

    def equipment(self) -> int:
        rng = self.rng
        holders = [
            (self.organisations[name], site)
            for name, sites in self.sites_by_organisation.items()
            for site in sites
        ]
        stocked: set[tuple[int, str]] = set()
        serial = 0
        lines: list[Equipment] = []
        while len(lines) < EQUIPMENT_LINES:
            organisation, site = rng.choice(holders)
            code = rng.choice(place.EQUIPMENT_BY_CATEGORY[str(organisation.category)])
            resource_type = self.resource_types[code]
            itemised = code in ITEMISED
            if not itemised and (id(site), code) in stocked:
                continue
            stocked.add((id(site), code))
            low, high = QUANTITY_BY_UNIT.get(resource_type.unit, QUANTITY_DEFAULT)
            last = self.today - timedelta(days=rng.randint(10, 500))
            serial += 1
            lines.append(
                Equipment(
                    organisation=organisation,
                    site=site,
                    resource_type=resource_type,
                    identifier=f"LK-{serial:04d}" if itemised else None,
                    quantity=1 if itemised else rng.randint(low, high),
                    status=rng.choices(list(EquipmentStatus), weights=(85, 6, 6, 3), k=1)[0],
                    last_inspected_on=last,
                    next_inspection_due=last + timedelta(days=365),
                )
            )
        self.session.add_all(lines)
        return len(lines)

    def volunteers(self) -> tuple[int, int]:
        rng = self.rng
        templates = place.ORGANISATIONS
        # Rescue corps and health associations have the most members.
        weights = [
            6 if t.category in ("first_aid_corps", "health_association") else 2 for t in templates
        ]
        qualifications = 0
        for index in range(VOLUNTEERS):
            first, last = rng.choice(place.FIRST_NAMES), rng.choice(place.SURNAMES)
            chosen = {rng.choices(templates, weights=weights, k=1)[0]}
            if rng.random() < 0.15:
                chosen.add(rng.choice(templates))
            home = self.localities[next(iter(chosen)).locality]
            volunteer = Volunteer(
                full_name=f"{first} {last}",
                mobile=drama_mobile(index),
                email=f"{_ascii(first)}.{_ascii(last)}{index}@example.org"
                if rng.random() < 0.6
                else None,
                home_area=_near(rng, home, 0.02),
                availability=rng.choices(list(Availability), weights=(80, 12, 8), k=1)[0],
                sms_consent=rng.random() < 0.92,
            )
            for template in sorted(chosen, key=lambda t: t.name):
                volunteer.memberships.append(
                    Membership(
                        organisation=self.organisations[template.name],
                        role="lagleder" if rng.random() < 0.1 else "mannskap",
                    )
                )
            codes = {
                code
                for template in chosen
                for code in place.QUALIFICATIONS_BY_CATEGORY[template.category]
            }
            for code in rng.sample(sorted(codes), k=min(len(codes), rng.randint(1, 3))):
                volunteer.qualifications.append(self._qualification(code))
                qualifications += 1
            self.session.add(volunteer)
        return VOLUNTEERS, qualifications

    def _qualification(self, code: str) -> VolunteerQualification:
        qualification_type = self.qualification_types[code]
        obtained = self.today - timedelta(days=self.rng.randint(30, 5 * 365))
        months = qualification_type.validity_months
        # Some have lapsed: the register must show what is no longer valid.
        expires = obtained + timedelta(days=months * 30) if months else None
        return VolunteerQualification(
            qualification_type=qualification_type, obtained_on=obtained, expires_on=expires
        )

    def agreements(self) -> int:
        rng = self.rng
        for index, row in enumerate(AGREEMENTS):
            name, reference, status, tasks, minutes, resources, qualifications = row
            organisation = self.organisations[name]
            valid_from = date(self.today.year - rng.randint(1, 4), rng.randint(1, 12), 1)
            expired = status == AgreementStatus.EXPIRED
            agreement = Agreement(
                organisation=organisation,
                reference=reference,
                title=f"Beredskapsavtale mellom {place.MUNICIPALITY_NAME} og {name}",
                status=status,
                valid_from=valid_from,
                valid_until=self.today - timedelta(days=90) if expired else None,
                notice_period_days=90,
                annual_review_on=date(self.today.year, valid_from.month, 15),
                tasks=list(tasks),
                committed_mobilisation_minutes=minutes,
                callout_route="SMS-utkalling fra vakthavende, bekreftes på organisasjonens "
                "24/7-nummer.",
                contacts=[
                    {
                        "name": f"Beredskapsleder i {name}",
                        "role": "kontaktperson",
                        "phone": drama_mobile(AGREEMENT_CONTACT_OFFSET + index),
                    },
                    {
                        "name": f"Nestleder i {name}",
                        "role": "stedfortreder",
                        "phone": drama_mobile(AGREEMENT_DEPUTY_OFFSET + index),
                    },
                ],
                document_reference=f"Sak {reference}, dokument 1",
                payment_terms="Dokumenterte utgifter dekkes etter regning.",
                insurance_terms="Kommunens yrkesskadeforsikring dekker innsats etter utkalling.",
                exercise_duty="Deltar i minst én kommunal øvelse annethvert år.",
                police_rescue_precedence=True,
                service_area=mapping(SERVICE_AREAS[name]),
            )
            for code, quantity in resources.items():
                agreement.commitments.append(
                    Commitment(resource_type=self.resource_types[code], quantity=quantity)
                )
            for code, quantity in qualifications.items():
                agreement.commitments.append(
                    Commitment(qualification_type=self.qualification_types[code], quantity=quantity)
                )
            self.session.add(agreement)
        return len(AGREEMENTS)

    def municipality_own(self) -> int:
        """The municipality's own service with its store and stock, and the crisis roles.
        Its own random sequence, so the rest of the demo stays as it was."""
        rng = random.Random(RANDOM_SEED + 1)
        locality = self.localities["Kjeller"]
        service = Organisation(
            name=MUNICIPAL_SERVICE,
            category="other",
            municipal=True,
            contact_24_7_name="Vakthavende ingeniør, teknisk drift",
            contact_24_7_phone=drama_mobile(MUNICIPAL_LINE_OFFSET),
            contact_24_7_email="teknisk.drift@lillestrom.example",
            home_base=_near(rng, locality, 0.004),
            municipality_numbers=[place.MUNICIPALITY_NUMBER],
            confirmed_on=self.today,
        )
        store = Site(
            organisation=service,
            name="Teknisk drift lager Kjeller",
            kind=SiteKind.STORAGE,
            location=_near(rng, locality, 0.01),
            address=_address(rng, locality),
            access_notes="Vakthavende ingeniør har nøkkel; ring 24/7-nummeret.",
            access_24_7=True,
        )
        lines = []
        for serial, (code, quantity) in enumerate(MUNICIPAL_STOCK, start=1):
            resource_type = self.resource_types[code]
            last = self.today - timedelta(days=rng.randint(10, 300))
            lines.append(
                Equipment(
                    organisation=service,
                    site=store,
                    resource_type=resource_type,
                    identifier=f"TD-{serial:03d}" if code in ITEMISED else None,
                    quantity=quantity,
                    status=EquipmentStatus.READY,
                    last_inspected_on=last,
                    next_inspection_due=last + timedelta(days=365),
                )
            )
        self.organisations[MUNICIPAL_SERVICE] = service
        self.sites_by_organisation[MUNICIPAL_SERVICE] = [store]
        offset = CRISIS_ROLE_OFFSET
        roles = []
        for position, (title, duties, people) in enumerate(CRISIS_ROLES, start=1):
            holders = []
            for name in people:
                holders.append({"name": name, "phone": drama_mobile(offset)})
                offset += 1
            roles.append(CrisisRole(title=title, position=position, duties=duties, holders=holders))
        self.session.add_all([service, store, *lines, *roles])
        return len(lines)


# A few hundred made-up addresses of the municipality in Kartverket's CSV format, and its
# place names in the form of Sentralt stedsnavnregister's GML (bench/address_data.py wrote
# both), for the place search: `beredskap import addresses|places` of the real downloads
# replaces them.
DEMO_ADDRESSES = Path(__file__).parent / "data" / "adresser-3205-demo.csv"
DEMO_PLACE_NAMES = Path(__file__).parent / "data" / "stedsnavn-3205-demo.gml"


def seed_addresses(session: Session) -> int:
    """The demo's addresses, through the importer of the real file; how many were added."""
    with DEMO_ADDRESSES.open("rb") as stream:
        report = import_addresses(
            session,
            stream,
            municipality_number=place.MUNICIPALITY_NUMBER,
            source=DEMO_ADDRESSES.name,
        )
    return report.created


def seed_place_names(session: Session) -> int:
    """The demo's place names, through the importer of SSR's file; how many were added."""
    with DEMO_PLACE_NAMES.open("rb") as stream:
        report = import_place_names(
            session,
            stream,
            municipality_number=place.MUNICIPALITY_NUMBER,
            source=DEMO_PLACE_NAMES.name,
        )
    return report.created


def seed_demo(session: Session) -> DemoSummary:
    """Add the demo municipality to the session (the caller commits)."""
    builder = _DemoBuilder(session)
    builder.organisations_and_sites()
    equipment = builder.equipment()
    volunteers, qualifications = builder.volunteers()
    agreements = builder.agreements()
    equipment += builder.municipality_own()
    session.flush()
    sites = sum(len(s) for s in builder.sites_by_organisation.values()) + len(
        builder.municipal_sites
    )
    return DemoSummary(
        organisations=len(builder.organisations),
        sites=sites,
        equipment=equipment,
        volunteers=volunteers,
        qualifications=qualifications,
        agreements=agreements,
        addresses=seed_addresses(session),
        place_names=seed_place_names(session),
    )
