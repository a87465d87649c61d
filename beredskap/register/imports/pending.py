"""An uploaded file between the web page's preview and its confirmation.

The preview (a dry run) and the confirmation are two requests; the file is uploaded once and
kept here, in a private temporary directory, under a random token (`secrets.token_urlsafe`,
256 bits) that the preview page carries in the confirmation form. The token is all the client
sends: never a path (it must match `TOKEN` before it names a file). A kept file belongs to
the browser session that uploaded it (a digest of the user and the session's CSRF token) and
to the kind previewed, and expires after `TTL`; another session, another kind, a late or
unknown token all find nothing. What is confirmed is thus exactly the file that was
previewed, without asking a phone user to pick it again. The confirmation removes the file;
expired files are swept at each new upload. The directory is one machine's: the web
processes of one host share it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TTL = 30 * 60  # seconds a previewed file waits for its confirmation
TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
DIRECTORY_NAME = "beredskap-import-previews"


@dataclass(frozen=True)
class Pending:
    data: bytes
    filename: str


def owner_of(user_id: int, session_secret: str) -> str:
    """Whose a kept file is: the user in one browser session (never stored in clear)."""
    return hashlib.sha256(f"{user_id}:{session_secret}".encode()).hexdigest()


def _directory() -> Path:
    path = Path(tempfile.gettempdir()) / f"{DIRECTORY_NAME}-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _paths(token: str) -> tuple[Path, Path]:
    directory = _directory()
    return directory / f"{token}.data", directory / f"{token}.json"


def keep(data: bytes, *, owner: str, kind: str, filename: str) -> str:
    """Keep the file for its confirmation; the token that finds it again."""
    sweep()
    token = secrets.token_urlsafe(32)
    data_path, meta_path = _paths(token)
    data_path.write_bytes(data)
    data_path.chmod(0o600)
    meta = {"owner": owner, "kind": kind, "filename": filename[:200], "expires": time.time() + TTL}
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    meta_path.chmod(0o600)
    return token


def find(token: str, *, owner: str, kind: str) -> Pending | None:
    """The kept file, if the token is one, unexpired, of this owner and kind; else None."""
    if not TOKEN.match(token):
        return None
    data_path, meta_path = _paths(token)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta["expires"] <= time.time():
            discard(token)
            return None
        if not secrets.compare_digest(meta["owner"], owner) or meta["kind"] != kind:
            return None
        return Pending(data_path.read_bytes(), str(meta["filename"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def discard(token: str) -> None:
    if TOKEN.match(token):
        for path in _paths(token):
            path.unlink(missing_ok=True)


def sweep() -> None:
    """Remove the expired files (and any left without their description)."""
    now = time.time()
    for meta_path in _directory().glob("*.json"):
        try:
            expired = json.loads(meta_path.read_text(encoding="utf-8"))["expires"] <= now
        except (OSError, ValueError, KeyError, TypeError):
            expired = True
        if expired:
            discard(meta_path.stem)
