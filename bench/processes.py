"""The real processes the load and fault benchmarks run: `beredskap serve` and `beredskap
worker`, with the environment that points them at a database and the fake Twilio."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from pydantic import SecretStr

from beredskap.main.settings import Settings
from beredskap.platform import migrate
from beredskap.platform.runtime import Database, open_database

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.support

from tests.support.fake_twilio import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_FROM  # noqa: E402


def empty_database(url: str) -> Database:
    """The database at `url` with the schema built anew from empty (whatever it held)."""
    database = open_database(Settings(database_url=SecretStr(url)))
    if migrate.current_revision(database.engine) is not None:
        migrate.downgrade(database.engine, "base")
    migrate.upgrade(database.engine)
    return database


def environment(database_url: str, fake_url: str, public_url: str, **more: str) -> dict[str, str]:
    """This process's environment without BEREDSKAP_* settings, plus the database, Twilio at
    the fake and the public URL its receipts go to (and `more`, e.g. SMS_SEND_LEASE_S)."""
    found = {name: value for name, value in os.environ.items() if not name.startswith("BEREDSKAP_")}
    found |= {
        "BEREDSKAP_DATABASE_URL": database_url,
        "BEREDSKAP_TWILIO_ACCOUNT_SID": TEST_ACCOUNT_SID,
        "BEREDSKAP_TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN,
        "BEREDSKAP_TWILIO_FROM": TEST_FROM,
        "BEREDSKAP_TWILIO_API_BASE": fake_url,
        "BEREDSKAP_PUBLIC_URL": public_url,
    }
    return found | {f"BEREDSKAP_{name.upper()}": value for name, value in more.items()}


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`beredskap worker --no-scheduler` (the sender alone), its output appended to `log`."""
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "beredskap.main.cli", "worker", "--no-scheduler"],
            env=env,
            cwd=log.parent,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def start_server(
    env: dict[str, str], port: int, log: Path, processes: int = 1
) -> subprocess.Popen[bytes]:
    """`beredskap serve` on `port`, answering /healthz before this returns."""
    with log.open("ab") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                *("-m", "beredskap.main.cli", "serve", "--port", str(port)),
                *("--workers", str(processes)),
            ],
            env=env,
            cwd=log.parent,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not start within 60 s")


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM all, then wait (SIGKILL after 30 s)."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
