"""A report's file as an HTTP download: named by report and day, never cached or sniffed."""

from __future__ import annotations

from fastapi.responses import Response

from reports.extraction import Extraction

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}


def filename(report: str, suffix: str, extraction: Extraction) -> str:
    return f"{report}-{extraction.extracted_at:%Y-%m-%d}.{suffix}"


def download(content: bytes, report: str, suffix: str, extraction: Extraction) -> Response:
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{filename(report, suffix, extraction)}"',
    }
    return Response(content, media_type=MEDIA_TYPES[suffix], headers=headers)
