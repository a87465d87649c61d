"""GDAL reads /ogc: Debian's `ogrinfo` (OAPIF driver) against the real app in uvicorn, on both
backends, with the demo municipality and a bearer token sent through GDAL_HTTP_HEADERS."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select

from beredskap.platform.auth.models import Role, User
from beredskap.platform.auth.service import create_token
from beredskap.platform.db import transaction
from beredskap.register.agreements.models import Agreement
from beredskap.register.organisations.models import Organisation, Site, SiteKind
from tests.e2e.conftest import LiveApp

# Debian's gdal-bin (make test installs it): a missing ogrinfo fails the test, never skips it.
OGRINFO = shutil.which("ogrinfo") or "/usr/bin/ogrinfo"
COLLECTIONS = ["organisations", "sites", "equipment-aggregates", "agreement-areas"]
FEATURE_START = re.compile(r"^OGRFeature\((?P<layer>[^)]+)\):(?P<fid>\d+)$")
FIELD = re.compile(r"^  (?P<name>\w+) \((?P<type>[^)]+)\) = (?P<value>.*)$")


@dataclass
class GdalFeature:
    fid: int
    fields: dict[str, str]
    geometry: str


def _point(feature: GdalFeature) -> tuple[float, float]:
    x, y = feature.geometry.removeprefix("POINT (").removesuffix(")").split()
    return float(x), float(y)


def _token(live_app: LiveApp, role: Role) -> str:
    with transaction(live_app.database.sessions, "e2e setup") as session:
        user = session.scalars(select(User).where(User.email == live_app.emails[role])).one()
        _row, token = create_token(session, user, days=1)
    return token


def _ogrinfo(
    live_app: LiveApp, token: str | None, *options: str, layer: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "GDAL_HTTP_TIMEOUT": "30",
    }
    if token is not None:
        env["GDAL_HTTP_HEADERS"] = f"Authorization: Bearer {token}"
    dataset = f"OAPIF:{live_app.url('/ogc')}"
    return subprocess.run(
        [OGRINFO, "-ro", *options, dataset, *([layer] if layer else [])],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _read(live_app: LiveApp, token: str, layer: str, *options: str) -> list[GdalFeature]:
    """Every feature GDAL reads from a layer (it follows the next links itself)."""
    run = _ogrinfo(live_app, token, "-al", "-q", *options, layer=layer)
    assert run.returncode == 0, run.stderr
    features: list[GdalFeature] = []
    for line in run.stdout.splitlines():
        start = FEATURE_START.match(line)
        if start:
            assert start["layer"] == layer
            features.append(GdalFeature(int(start["fid"]), {}, ""))
            continue
        field = FIELD.match(line)
        if field and features:
            features[-1].fields[field["name"]] = field["value"]
        elif line.startswith("  ") and line.strip() and features:
            features[-1].geometry = line.strip()
    return features


def test_gdal_lists_the_collections_and_reads_their_features(live_app: LiveApp) -> None:
    token = _token(live_app, Role.PLANNER)
    listing = _ogrinfo(live_app, token, "-so")
    assert listing.returncode == 0, listing.stderr
    layers = re.findall(r"^\d+: (\S+) \(title: [^)]*\) \(([^)]+)\)$", listing.stdout, re.M)
    assert layers == [
        ("organisations", "Point"),
        ("sites", "Point"),
        ("equipment-aggregates", "Point"),
        ("agreement-areas", "Multi Polygon"),
    ]

    with live_app.database.sessions() as session:
        sites = session.scalars(
            select(Site)
            .outerjoin(Organisation, Organisation.id == Site.organisation_id)
            .where(Site.organisation_id.is_(None) | Organisation.active.is_(True))
            .order_by(Site.id)
        ).all()
        known = {site.id: (site.name, site.kind.value, site.address) for site in sites}
        places = {site.id: to_shape(site.location) for site in sites}
        shelters = {site.id for site in sites if site.kind == SiteKind.SHELTER}
        areas = session.scalar(
            select(func.count(Agreement.id)).where(Agreement.service_area.is_not(None))
        )

    read = _read(live_app, token, "sites")
    assert [feature.fid for feature in read] == sorted(known)  # all of them, past page 1
    for feature in read:
        name, kind, address = known[feature.fid]
        assert (feature.fields["name"], feature.fields["kind"]) == (name, kind)
        assert feature.fields["address"] == address
        lon, lat = _point(feature)  # longitude first, as CRS84 says
        assert (lon, lat) == pytest.approx((places[feature.fid].x, places[feature.fid].y), abs=1e-6)

    summary = _ogrinfo(live_app, token, "-so", layer="sites")
    assert f"Feature Count: {len(known)}" in summary.stdout

    # An attribute filter and a spatial filter, as QGIS sends them.
    where = _read(live_app, token, "sites", "-where", "kind = 'shelter'")
    assert {feature.fid for feature in where} == shelters
    lon, lat = _point(read[0])
    boxed = _read(
        live_app,
        token,
        "sites",
        "-spat",
        *(str(v) for v in (lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001)),
    )
    assert read[0].fid in {feature.fid for feature in boxed}
    assert len(boxed) < len(read)

    aggregates = _read(live_app, token, "equipment-aggregates")
    assert aggregates and {f.fid for f in aggregates} <= set(known)
    for feature in aggregates:
        assert int(feature.fields["lines"]) >= 1
        assert feature.fields["site_name"] == known[feature.fid][0]

    drawn = _read(live_app, token, "agreement-areas")
    assert len(drawn) == areas > 0
    assert all(feature.geometry.startswith("MULTIPOLYGON") for feature in drawn)


def test_gdal_sees_what_the_role_may(live_app: LiveApp) -> None:
    council = _read(live_app, _token(live_app, Role.COUNCIL), "organisations")
    duty = _read(live_app, _token(live_app, Role.DUTY_OFFICER), "organisations")
    assert len(council) == len(duty) > 20
    assert not any(name.startswith("contact") for f in council for name in f.fields)
    assert all(f.fields["contact_24_7_phone"].startswith("+447700900") for f in duty)

    anonymous = _ogrinfo(live_app, None, "-so")
    assert anonymous.returncode != 0
    assert "401" in anonymous.stderr or "Not authenticated" in anonymous.stderr
