"""Fetch Leaflet and its plugins from the npm registry into beredskap/register/web/static/vendor/.

folium points browsers at CDNs; a closed municipal network reaches none, so the app serves
these files itself. The tarballs are pinned in scripts/map-assets.lock.json with the
registry's `dist.integrity` (SHA-512) and refused if they differ. Run by the Makefile's
install step; a second run with the same lock file does nothing and needs no network.

    python scripts/fetch_map_assets.py                      # fetch what the lock file names
    python scripts/fetch_map_assets.py --registry URL       # a registry mirror inside the network
    python scripts/fetch_map_assets.py --pin leaflet@1.9.4  # record a version's integrity
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import shutil
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.error import URLError
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
LOCK_FILE = ROOT / "scripts" / "map-assets.lock.json"
VENDOR_DIR = ROOT / "beredskap" / "register" / "web" / "static" / "vendor"
STAMP = ".lock.json"  # the lock file the vendor directory was filled from
ATTEMPTS = 3
TIMEOUT_S = 60
MAX_TARBALL_BYTES = 50 * 1024 * 1024


class AssetError(Exception):
    """The registry's answer cannot be used (network, integrity, a file missing)."""


def _get(url: str) -> bytes:
    last: Exception | None = None
    for attempt in range(ATTEMPTS):
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
                body = response.read(MAX_TARBALL_BYTES + 1)
            if len(body) > MAX_TARBALL_BYTES:
                raise AssetError(f"{url}: larger than {MAX_TARBALL_BYTES} bytes")
            return bytes(body)
        except (URLError, TimeoutError, ConnectionError) as error:
            last = error
            time.sleep(2**attempt)
    raise AssetError(f"{url}: {last}")


def _registry(lock: dict[str, Any], override: str | None) -> str:
    registry = override or str(lock["registry"])
    return registry if registry.endswith("/") else registry + "/"


def tarball_url(registry: str, name: str, version: str) -> str:
    """The registry's conventional tarball address (scoped names keep their scope)."""
    basename = name.rsplit("/", 1)[-1]
    return f"{registry}{quote(name, safe='@/')}/-/{basename}-{version}.tgz"


def integrity_of(data: bytes) -> str:
    """Subresource-integrity form, as the registry publishes it in dist.integrity."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _safe_target(relative: str) -> PurePosixPath:
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise AssetError(f"lock file names an unsafe target path: {relative!r}")
    return path


def _extract(package: dict[str, Any], data: bytes, into: Path) -> None:
    """Copy the files the lock file lists, and nothing else, out of the tarball."""
    wanted = {member: _safe_target(target) for member, target in package["files"].items()}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member, target in wanted.items():
            try:
                info = archive.getmember(member)
            except KeyError:
                raise AssetError(f"{package['name']}: no {member} in the tarball") from None
            if not info.isfile():
                raise AssetError(f"{package['name']}: {member} is not a regular file")
            source = archive.extractfile(info)
            assert source is not None  # a regular file always has content
            destination = into.joinpath(*target.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(source.read())


def _up_to_date(lock_text: str, vendor: Path, lock: dict[str, Any]) -> bool:
    stamp = vendor / STAMP
    if not stamp.exists() or stamp.read_text(encoding="utf-8") != lock_text:
        return False
    return all(
        vendor.joinpath(*_safe_target(target).parts).is_file()
        for package in lock["packages"]
        for target in package["files"].values()
    )


def fetch(lock_path: Path, vendor: Path, *, registry: str | None, force: bool) -> None:
    lock_text = lock_path.read_text(encoding="utf-8")
    lock = json.loads(lock_text)
    if not force and _up_to_date(lock_text, vendor, lock):
        print(f"map assets up to date in {vendor.relative_to(ROOT)}")
        return
    base = _registry(lock, registry)
    vendor.parent.mkdir(parents=True, exist_ok=True)
    # Fill a scratch directory and swap it in: a failed run leaves the old files intact.
    with tempfile.TemporaryDirectory(dir=vendor.parent, prefix=".vendor-") as scratch:
        staged = Path(scratch) / "vendor"
        staged.mkdir()
        for package in lock["packages"]:
            url = tarball_url(base, package["name"], package["version"])
            data = _get(url)
            found = integrity_of(data)
            if found != package["integrity"]:
                raise AssetError(
                    f"{package['name']}@{package['version']}: integrity {found} "
                    f"does not match the lock file's {package['integrity']}"
                )
            _extract(package, data, staged)
            print(f"{package['name']}@{package['version']}: {len(package['files'])} files")
        (staged / STAMP).write_text(lock_text, encoding="utf-8")
        if vendor.exists():
            shutil.rmtree(vendor)
        staged.rename(vendor)


def pin(lock_path: Path, spec: str, *, registry: str | None) -> None:
    """Record NAME@VERSION's published integrity in the lock file."""
    name, _, version = spec.rpartition("@")
    if not name or not version:
        raise AssetError(f"expected NAME@VERSION, got {spec!r}")
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    metadata = json.loads(_get(f"{_registry(lock, registry)}{quote(name, safe='@/')}/{version}"))
    integrity = metadata["dist"]["integrity"]
    for package in lock["packages"]:
        if package["name"] == name:
            package["version"], package["integrity"] = version, integrity
            break
    else:
        raise AssetError(f"{name} is not in {lock_path.name}; add an entry with its files first")
    lock_path.write_text(json.dumps(lock, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{name}@{version}: {integrity}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lock", type=Path, default=LOCK_FILE)
    parser.add_argument("--dest", type=Path, default=VENDOR_DIR)
    parser.add_argument("--registry", help="npm registry URL (default: the lock file's)")
    parser.add_argument("--force", action="store_true", help="fetch even when up to date")
    parser.add_argument("--pin", metavar="NAME@VERSION", help="update the lock file and exit")
    args = parser.parse_args()
    try:
        if args.pin:
            pin(args.lock, args.pin, registry=args.registry)
        else:
            fetch(args.lock, args.dest.resolve(), registry=args.registry, force=args.force)
    except AssetError as error:
        print(f"fetch_map_assets: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
