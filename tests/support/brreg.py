"""The shipped sample of Enhetsregisteret's download (tests/data/brreg_sample.json.gz) and the
register it is imported into: the harness's two organisations given the numbers the sample
knows them by, and a third that Enhetsregisteret has deleted.

The sample: 15 entities, 10 in Lillestrøm (3205), 2 malformed (a bad number, no name);
registered: 990104727 (renamed, new address), 990209456 (bankrupt), 990314187 (deleted);
candidates: 990418918, 990523649 (postal address only), 991466207; not candidates: one
dissolving, one bankrupt, an AS, and voluntary ones of Oslo (0301) and Nittedal (3233).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from beredskap.register.imports.brreg import BrregReport, import_brreg
from beredskap.register.organisations.models import Organisation
from tests.support.api import ApiHarness

SAMPLE = Path(__file__).parent.parent / "data" / "brreg_sample.json.gz"
OWN_NUMBER, OTHER_NUMBER, DELETED_NUMBER = "990104727", "990209456", "990314187"
CANDIDATES = {"990418918", "990523649", "991466207"}
MUNICIPALITY = "3205"


def prepare(api: ApiHarness) -> Organisation:
    """Numbers on the harness's organisations, and the deleted scout group; committed."""
    api.own.organisation_number = OWN_NUMBER
    api.other.organisation_number = OTHER_NUMBER
    scouts = Organisation(
        name="Gammel Speidergruppe", category="scouts", organisation_number=DELETED_NUMBER
    )
    api.session.add(scouts)
    api.session.commit()
    return scouts


def run(session: Session, path: Path = SAMPLE, **options: Any) -> BrregReport:
    with path.open("rb") as stream:
        return import_brreg(
            session, stream, municipality_number=MUNICIPALITY, source=path.name, **options
        )
