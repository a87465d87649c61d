"""The disk fills up during a callout (SQLite): the worker and the server must survive it.

Mounts a small tmpfs (root only; `--size-mb`, default 40), migrates a SpatiaLite database on
it with `--count` consenting volunteers (default 400) and an active callout to them, starts
the fake Twilio REST API (each request answered after `--latency`, default 150 ms), a real
`beredskap serve` and a real `beredskap worker`, and once `--fill-after` messages (default
100) have been handed over fills the disk with a file. While it is full it asks the API for a
change (`POST /api/v1/callouts/{id}/stop`) and a page, and checks that both processes still
run; after `--full-for` seconds (default 10) it deletes the file and waits until every
message is handed over. Reports what the API answered, what the worker logged, how long after
the space came back the sending was done, and the fake's counts (one message per number).

    sudo .venv/bin/python bench/disk_full.py
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from pydantic import SecretStr
from sqlalchemy import func, select

from alerts.models import CalloutRecipient, RecipientState
from beredskap.main.settings import Settings
from beredskap.platform import migrate
from beredskap.platform.auth import service as auth_service
from beredskap.platform.db import transaction
from beredskap.platform.runtime import open_database

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.support

from bench.fake_gateway import fake_twilio_process, stats  # noqa: E402
from bench.harness import _free_port  # noqa: E402
from bench.processes import environment, start_server, start_worker, stop  # noqa: E402
from tests.support.callout_outbox import queue_callout  # noqa: E402

WAITING = (RecipientState.QUEUED, RecipientState.SENDING)


def _fill(path: Path) -> None:
    """Write zeros until the file system refuses."""
    with path.open("wb") as filler:
        try:
            while True:
                filler.write(b"\0" * (1 << 20))
                filler.flush()
        except OSError:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--size-mb", type=int, default=40)
    parser.add_argument("--fill-after", type=int, default=100)
    parser.add_argument("--full-for", type=float, default=10.0)
    parser.add_argument("--latency", type=float, default=0.150)
    arguments = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("mounting a small file system needs root")
    mount = Path(tempfile.mkdtemp(prefix="beredskap-full-"))
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={arguments.size_mb}m", "tmpfs", mount], check=True
    )
    try:
        run(arguments, mount)
    finally:
        subprocess.run(["umount", "-l", mount], check=False)


def run(arguments: argparse.Namespace, mount: Path) -> None:
    url = f"sqlite:///{mount / 'beredskap.db'}"
    database = open_database(Settings(database_url=SecretStr(url)))
    migrate.upgrade(database.engine)
    with transaction(database.sessions, actor="bench") as session:
        queued = queue_callout(session, arguments.count, prefix="+4791")
        user, _ = auth_service.add_user(session, email="vakt@bench.example", role="duty_officer")
        _row, token = auth_service.create_token(session, user, days=1)
    logs = Path(tempfile.mkdtemp(prefix="beredskap-full-logs-"))
    with fake_twilio_process(arguments.latency) as fake_url:
        port = _free_port()
        env = environment(url, fake_url, "https://beredskap.example.no")
        server = start_server(env, port, logs / "server.log")
        worker = start_worker(env, logs / "worker.log")
        filler = mount / "filler"
        answers: list[str] = []
        try:
            while stats(fake_url)["accepted"] < arguments.fill_after:
                time.sleep(0.05)
            _fill(filler)
            filled = time.monotonic()
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            ) as client:
                while time.monotonic() - filled < arguments.full_for:
                    stopped = client.post(f"/api/v1/callouts/{queued.callout_id}/stop")
                    answers.append(f"POST stop: {stopped.status_code} {stopped.text[:160]}")
                    page = client.get(f"/callouts/{queued.callout_id}")
                    answers.append(f"GET page: {page.status_code}")
                    time.sleep(2)
            alive = worker.poll() is None and server.poll() is None
            filler.unlink()
            freed = time.monotonic()
            while True:
                with database.sessions() as session:
                    waiting = session.scalar(
                        select(func.count()).where(CalloutRecipient.state.in_(WAITING))
                    )
                if not waiting or time.monotonic() - freed > 120:
                    break
                time.sleep(0.2)
            settled = time.monotonic() - freed
            fake = stats(fake_url)
            with database.sessions() as session:
                states = dict(
                    session.execute(
                        select(CalloutRecipient.state, func.count()).group_by(
                            CalloutRecipient.state
                        )
                    ).all()
                )
        finally:
            stop([worker, server])
    worker_log = (logs / "worker.log").read_text(errors="replace")
    print(f"SpatiaLite on a {arguments.size_mb} MB tmpfs: {arguments.count} recipients")
    for line in dict.fromkeys(answers):
        print(f"while full: {line}")
    print(f"worker and server still running while full: {alive}")
    print(
        "worker log: "
        + " | ".join(
            line.split(" ", 3)[-1] for line in worker_log.splitlines() if "database" in line
        )[:600]
    )
    print(f"tracebacks in the worker log: {worker_log.count('Traceback')}")
    print(
        f"nothing left waiting {settled:.1f} s after the space came back: "
        f"{ {str(state): count for state, count in states.items()} }"
    )
    print(
        f"fake: {fake['accepted']} accepted for {fake['numbers']} numbers, at most "
        f"{fake['most_to_one_number']} to one number"
    )
    if fake["most_to_one_number"] != 1 or waiting:
        raise SystemExit("NOT exactly once, or not finished")


if __name__ == "__main__":
    main()
