"""What a snapshot holds: the documents, each a file name and a function making its bytes for
one extraction (adding a report is one line), and the map layers as a GeoPackage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from reports.extraction import Extraction
from reports.ressursoversikt.documents import ressursoversikt_pdf, ressursoversikt_xlsx
from reports.snapshot.volunteers import volunteers_pdf
from reports.varslingsliste.documents import varslingsliste_pdf, varslingsliste_xlsx

GEOPACKAGE = "kartlag.gpkg"
MANIFEST = "MANIFEST.txt"


@dataclass(frozen=True)
class Document:
    filename: str
    produce: Callable[[Session, Extraction], bytes]


DOCUMENTS: tuple[Document, ...] = (
    Document("ressursoversikt.pdf", ressursoversikt_pdf),
    Document("ressursoversikt.xlsx", ressursoversikt_xlsx),
    Document("varslingsliste.pdf", varslingsliste_pdf),
    Document("varslingsliste.xlsx", varslingsliste_xlsx),
    Document("frivillige.pdf", volunteers_pdf),
)
