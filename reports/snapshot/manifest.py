"""MANIFEST.txt: what the snapshot is, that it is exempt from public access, when and by what it
was extracted, and each file with its SHA-256 and size, so a copy on a laptop or a memory
stick can be checked against what was written."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from beredskap.platform.web.i18n import N_
from beredskap.platform.web.rendering import stamp
from reports.extraction import Extraction

TITLE = N_("Offline binder")
CHUNK = 1 << 20


@dataclass(frozen=True)
class WrittenFile:
    name: str
    size: int  # bytes
    sha256: str  # hex


def describe(path: Path) -> WrittenFile:
    """A file's size and SHA-256, read in chunks (a GeoPackage can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return WrittenFile(path.name, path.stat().st_size, digest.hexdigest())


def manifest_text(extraction: Extraction, files: list[WrittenFile]) -> str:
    _ = extraction.translations.gettext
    utc = extraction.extracted_at.astimezone(UTC)
    lines = [
        f"beredskap · {_(TITLE)}",
        "",
        extraction.marking,
        _(
            "This folder holds personal data (volunteers' and contacts' names and phone "
            "numbers) and the municipality's vulnerabilities. It is exempt from public access: "
            "keep it where only those who need it can read it, and delete old copies."
        ),
        "",
        _("Extracted: %(local)s (Norwegian time), %(utc)s (UTC)")
        % {"local": stamp(extraction.extracted_at), "utc": f"{utc:%Y-%m-%d %H:%M:%S}"},
        _("Extracted by: %(by)s") % {"by": extraction.extracted_by},
        _("Figures as of: %(day)s") % {"day": extraction.on.strftime("%d.%m.%Y")},
        "",
        _("Files (SHA-256, size in bytes, name):"),
        *(f"{file.sha256}  {file.size:>12}  {file.name}" for file in files),
        "",
        _(
            "To check a file: sha256sum FILE (Linux), shasum -a 256 FILE (macOS) or "
            "certutil -hashfile FILE SHA256 (Windows), and compare with the line above."
        ),
    ]
    return "\n".join(lines) + "\n"
