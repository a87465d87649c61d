"""The demo municipality: Lillestrøm kommune (kommunenummer 3205) on the Nitelva and Glomma.

Places are real localities with approximate centres; organisations and people are invented.
"""

from __future__ import annotations

from dataclasses import dataclass

MUNICIPALITY_NUMBER = "3205"
MUNICIPALITY_NAME = "Lillestrøm kommune"
# Neighbours some organisations also serve: Rælingen, Nittedal, Aurskog-Høland, Nes, Ullensaker.
NEIGHBOUR_MUNICIPALITIES = ("3224", "3232", "3206", "3228", "3209")


@dataclass(frozen=True)
class Locality:
    name: str
    lon: float
    lat: float
    postcode: str


LOCALITIES = (
    Locality("Lillestrøm", 11.0494, 59.9560, "2000"),
    Locality("Strømmen", 11.0050, 59.9475, "2010"),
    Locality("Skjetten", 10.9960, 59.9700, "2013"),
    Locality("Kjeller", 11.0390, 59.9720, "2007"),
    Locality("Leirsund", 11.1000, 59.9880, "2024"),
    Locality("Frogner", 11.1050, 60.0180, "2016"),
    Locality("Lindeberg", 11.1530, 60.0350, "2022"),
    Locality("Sørumsand", 11.2470, 59.9870, "1920"),
    Locality("Blaker", 11.2990, 59.9860, "1925"),
    Locality("Fetsund", 11.1620, 59.9300, "1900"),
    Locality("Enebakkneset", 11.2260, 59.8600, "1912"),
    Locality("Lørenfallet", 11.1900, 60.0500, "1927"),
)

STREETS = (
    "Storgata",
    "Nittedalsgata",
    "Fetveien",
    "Solheimvegen",
    "Jernbanegata",
    "Kirkeveien",
    "Sagdalsveien",
    "Glommavegen",
    "Leiravegen",
    "Industriveien",
    "Elvegata",
    "Tunveien",
)

FIRST_NAMES = (
    "Anne", "Kari", "Ingrid", "Marit", "Liv", "Hilde", "Silje", "Ida", "Nora", "Emma",
    "Sara", "Hanne", "Tone", "Randi", "Berit", "Astrid", "Mari", "Ragnhild", "Solveig", "Eli",
    "Ole", "Lars", "Per", "Jan", "Knut", "Arne", "Bjørn", "Erik", "Hans", "Tor",
    "Jonas", "Magnus", "Sindre", "Henrik", "Even", "Øyvind", "Geir", "Rune", "Terje", "Kjetil",
    "Amir", "Fatima", "Piotr", "Agnieszka", "Tomas", "Leila", "Yusuf", "Mona", "Aslak", "Ronja",
)  # fmt: skip

SURNAMES = (
    "Brekkeli", "Glomstad", "Nitvold", "Leiraas", "Fetsrud", "Sørby", "Blakstad", "Kjellerud",
    "Frognes", "Stremmen", "Hvamsby", "Lørenseter", "Bingsholt", "Rælingsrud", "Øyerberg",
    "Vormsæter", "Sagdalen", "Åsheim", "Tuenstad", "Mørkvold", "Haldorsrud", "Enger-Lia",
    "Dalsbøl", "Svanholt", "Volleby", "Ringsrud", "Nordhagen", "Bråtengen", "Solmyr", "Kvernby",
)  # fmt: skip


@dataclass(frozen=True)
class OrganisationTemplate:
    name: str
    category: str
    locality: str
    umbrella: str | None = None


UMBRELLA_NAMES = ("Nedre Romerike Frivillighetsråd",)

ORGANISATIONS = (
    OrganisationTemplate("Nedre Romerike Frivillighetsråd", "umbrella", "Lillestrøm"),
    OrganisationTemplate("Nitelva Hjelpekorps", "first_aid_corps", "Lillestrøm"),
    OrganisationTemplate("Glomma Hjelpekorps", "first_aid_corps", "Fetsund"),
    OrganisationTemplate("Sørum Søk og Redning", "first_aid_corps", "Sørumsand"),
    OrganisationTemplate("Kjeller Sanitetslag", "health_association", "Kjeller"),
    OrganisationTemplate("Strømmen Sanitetslag", "health_association", "Strømmen"),
    OrganisationTemplate("Blaker Sanitetslag", "health_association", "Blaker"),
    OrganisationTemplate("Øyeren Redningshundlag", "rescue_dogs", "Fetsund"),
    OrganisationTemplate("Romerike Hundeekvipasje", "rescue_dogs", "Frogner"),
    OrganisationTemplate("Øyeren Sjøredningslag", "sea_rescue", "Enebakkneset"),
    OrganisationTemplate("Glommas Båtforening", "sea_rescue", "Sørumsand"),
    OrganisationTemplate(
        "Lillestrøm Frivilligsentral", "volunteer_centre", "Lillestrøm", UMBRELLA_NAMES[0]
    ),
    OrganisationTemplate("Fet Frivilligsentral", "volunteer_centre", "Fetsund", UMBRELLA_NAMES[0]),
    OrganisationTemplate(
        "Sørum Frivilligsentral", "volunteer_centre", "Sørumsand", UMBRELLA_NAMES[0]
    ),
    OrganisationTemplate("Skjetten Ballklubb", "sports_club", "Skjetten", UMBRELLA_NAMES[0]),
    OrganisationTemplate("Leirsund Turn og Ski", "sports_club", "Leirsund", UMBRELLA_NAMES[0]),
    OrganisationTemplate("Lindeberg Idrettsforening", "sports_club", "Lindeberg"),
    OrganisationTemplate("1. Kjeller Speidergruppe", "scouts", "Kjeller"),
    OrganisationTemplate("Fetsund Speidertropp", "scouts", "Fetsund"),
    OrganisationTemplate("Leira Jeger- og Fiskelag", "hunters_and_anglers", "Leirsund"),
    OrganisationTemplate("Blaker Viltstell og Fiske", "hunters_and_anglers", "Blaker"),
    OrganisationTemplate("Romerike Sambandsgruppe", "amateur_radio", "Kjeller"),
    OrganisationTemplate("Sørum Motorklubb", "motor_club", "Lørenfallet"),
    OrganisationTemplate("Frogner Snøscooterlag", "motor_club", "Frogner"),
    OrganisationTemplate("Strømmen Menighetsdiakoni", "faith_community", "Strømmen"),
    OrganisationTemplate("Enebakkneset Velforening", "residents_association", "Enebakkneset"),
    OrganisationTemplate("Lindeberg Grendelag", "residents_association", "Lindeberg"),
    OrganisationTemplate("Nitelva Dronegruppe", "other", "Skjetten"),
)

# Which resource types each category typically holds (codes from the shipped catalogue).
EQUIPMENT_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "first_aid_corps": (
        "first_aid_kit", "stretcher", "vacuum_mattress", "defibrillator", "oxygen_kit",
        "hypothermia_bag", "atv", "snowmobile", "snowmobile_sled", "tent", "heated_tent",
        "nodnett_radio", "vhf_radio", "medical_vehicle", "generator", "light_tower",
        "rope_rescue_kit", "avalanche_kit",
    ),
    "health_association": (
        "first_aid_kit", "field_bed", "wool_blanket", "sleeping_bag", "field_kitchen",
        "emergency_rations", "water_cans", "defibrillator",
    ),
    "rescue_dogs": ("search_dog", "vhf_radio", "nodnett_radio", "first_aid_kit", "tent"),
    "sea_rescue": (
        "rescue_boat", "small_boat", "dry_suit", "vhf_radio", "hypothermia_bag", "water_pump",
        "first_aid_kit", "trailer",
    ),
    "volunteer_centre": (
        "minibus", "vehicle_tow_hitch", "field_bed", "wool_blanket", "emergency_rations",
        "water_cans", "field_kitchen",
    ),
    "sports_club": (
        "minibus", "tent", "field_bed", "generator", "light_tower", "water_cans", "sleeping_bag",
    ),
    "scouts": ("tent", "sleeping_bag", "field_kitchen", "water_cans", "first_aid_kit", "trailer"),
    "hunters_and_anglers": (
        "atv", "small_boat", "vhf_radio", "chainsaw", "tent", "thermal_drone",
    ),
    "amateur_radio": (
        "vhf_radio", "radio_repeater", "satellite_phone", "battery_bank", "generator",
        "mobile_command_post",
    ),
    "motor_club": (
        "snowmobile", "snowmobile_sled", "atv", "tracked_vehicle", "trailer", "vehicle_tow_hitch",
        "fuel_reserve",
    ),
    "faith_community": ("field_bed", "wool_blanket", "field_kitchen", "emergency_rations"),
    "residents_association": (
        "sandbags", "water_pump", "generator", "chainsaw", "flood_barrier", "water_tank",
    ),
    "umbrella": ("mobile_command_post", "satellite_phone"),
    "other": ("thermal_drone", "battery_bank", "vhf_radio"),
}  # fmt: skip

# Which qualifications members of each category typically hold.
QUALIFICATIONS_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "first_aid_corps": (
        "first_aid", "advanced_first_aid", "hjelpekorpsproven", "search_and_rescue",
        "nodnett_training", "snowmobile_licence", "avalanche_course", "driving_licence_be",
    ),
    "health_association": ("first_aid", "psychosocial_support", "food_hygiene"),
    "rescue_dogs": ("dog_handler", "search_and_rescue", "first_aid", "nodnett_training"),
    "sea_rescue": ("boat_licence", "water_rescue", "lifesaving", "first_aid"),
    "volunteer_centre": ("first_aid", "psychosocial_support", "driving_licence_be"),
    "sports_club": ("first_aid", "driving_licence_be", "lifesaving"),
    "scouts": ("first_aid", "food_hygiene", "lifesaving"),
    "hunters_and_anglers": ("boat_licence", "chainsaw_course", "first_aid", "drone_pilot"),
    "amateur_radio": ("radio_operator", "nodnett_training"),
    "motor_club": ("snowmobile_licence", "driving_licence_be", "driving_licence_c"),
    "faith_community": ("psychosocial_support", "food_hygiene", "first_aid"),
    "residents_association": ("chainsaw_course", "first_aid", "driving_licence_be"),
    "umbrella": ("first_aid",),
    "other": ("drone_pilot", "first_aid"),
}  # fmt: skip


# A rough outline of the municipality, sketched around its localities for the demo's maps.
# It is NOT the legal boundary (Kartverket's is); only agreement service areas are made of it.
OUTLINE = (
    (10.96, 59.93), (11.02, 59.92), (11.10, 59.90), (11.20, 59.84), (11.28, 59.86),
    (11.36, 59.95), (11.35, 60.03), (11.25, 60.08), (11.12, 60.07), (11.03, 60.02),
    (10.96, 59.99), (10.96, 59.93),
)  # fmt: skip
# Øyeren, the lake in the south-east, for the sea rescue group.
OYEREN = (
    (11.12, 59.93), (11.22, 59.95), (11.30, 59.88), (11.28, 59.78), (11.18, 59.80),
    (11.12, 59.93),
)  # fmt: skip
WEST_EAST_DIVIDE_LON = 11.13  # roughly the line between former Skedsmo and Sørum/Fet
