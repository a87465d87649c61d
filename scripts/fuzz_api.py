"""Fuzz the API with schemathesis against a seeded server, on SpatiaLite and PostGIS.

For each backend: build an empty database with the `beredskap` command, add the demo
municipality and an admin with a token, serve it, and let schemathesis generate requests
from /openapi.json. Fails when any response is a 5xx or breaks the documented schema, or
when fewer requests than `--min-requests` were generated.

    .venv/bin/python scripts/fuzz_api.py --backend spatialite
    BEREDSKAP_FUZZ_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1/beredskap_fuzz \
        .venv/bin/python scripts/fuzz_api.py --backend postgis
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BIN = Path(sys.executable).parent
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    )
)
ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _beredskap(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "beredskap"), *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"beredskap {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result.stdout


def _postgis_url() -> str:
    url = os.environ.get("BEREDSKAP_FUZZ_POSTGRES_URL")
    if url:
        return url
    made = subprocess.run(
        [str(ROOT / "scripts" / "postgis-test-db.sh"), "beredskap_fuzz"],
        capture_output=True,
        text=True,
        check=False,
    )
    if not made.stdout.strip():
        raise SystemExit(
            "could not make a PostGIS database for the fuzz run: " + made.stderr.strip()[-500:]
        )
    return made.stdout.strip()


def _wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit("the server stopped while starting")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer {url}")


def fuzz(backend: str, examples: int, min_requests: int, scratch: Path, timeout: int) -> bool:
    scratch.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{scratch / 'fuzz.db'}" if backend == "spatialite" else _postgis_url()
    env = os.environ | {"BEREDSKAP_DATABASE_URL": url, "BEREDSKAP_COOKIE_SECURE": "false"}
    _beredskap(env, "db", "downgrade", "--yes")
    _beredskap(env, "db", "upgrade")
    _beredskap(env, "seed", "demo")
    _beredskap(env, "user", "add", "fuzz-admin@example.org", "--role", "admin")
    token = _beredskap(env, "token", "create", "fuzz-admin@example.org").strip().splitlines()[-1]

    port = _free_port()
    server = subprocess.Popen(
        [str(BIN / "beredskap"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(scratch / f"server-{backend}.log", "wb"),  # noqa: SIM115 - lives with server
    )
    report_dir = scratch / f"report-{backend}"
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        command = [
            str(BIN / "schemathesis"),
            "run",
            f"http://127.0.0.1:{port}/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            CHECKS,
            "--max-examples",
            str(examples),
            "--seed",
            "3205",
            # One worker: with two, hypothesis parses lambda sources in two threads at once,
            # which CPython 3.11.7 can fail with "AST constructor recursion depth mismatch".
            "--workers",
            "1",
            "--report",
            "json",
            "--report-dir",
            str(report_dir),
        ]
        run = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(run.stdout[-6000:])
    (report,) = report_dir.glob("*.json")
    summary = json.loads(report.read_text())
    generated = int(summary["test_cases"]["generated"])
    failures = sum(int(failure["count"]) for failure in summary["failures"])
    errors = sum(int(error["count"]) for error in summary["errors"])
    print(
        f"schemathesis on {backend}: {generated} generated requests, {failures} failures, "
        f"{errors} errors, {summary['running_time']:.0f} s"
    )
    ok = run.returncode == 0 and failures == 0 and errors == 0 and generated >= min_requests
    if generated < min_requests:
        print(f"fewer than {min_requests} requests were generated", file=sys.stderr)
    return ok


def _fuzz_or_refuse(
    backend: str, examples: int, min_requests: int, scratch: Path, timeout: int
) -> bool:
    """`fuzz` in a thread: a refusal (SystemExit) is said and counts as a failure."""
    try:
        return fuzz(backend, examples, min_requests, scratch / backend, timeout)
    except SystemExit as refusal:
        print(f"schemathesis on {backend}: {refusal}", file=sys.stderr)
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("spatialite", "postgis", "both"), default="both")
    parser.add_argument("--examples", type=int, default=50, help="test cases per operation")
    parser.add_argument("--min-requests", type=int, default=2000)
    parser.add_argument("--timeout", type=int, default=900, help="seconds per backend")
    args = parser.parse_args()
    backends = ("spatialite", "postgis") if args.backend == "both" else (args.backend,)
    with (
        tempfile.TemporaryDirectory(prefix="beredskap-fuzz-") as scratch,
        ThreadPoolExecutor(len(backends)) as pool,
    ):
        # Both backends at once: each is a server and a client waiting on each other, about
        # one core between them, so side by side they take little longer than one alone.
        runs = {
            backend: pool.submit(
                _fuzz_or_refuse,
                backend,
                args.examples,
                args.min_requests,
                Path(scratch),
                args.timeout,
            )
            for backend in backends
        }
        results = {backend: run.result() for backend, run in runs.items()}
    print(" ".join(f"{backend}: {'passed' if ok else 'FAILED'}" for backend, ok in results.items()))
    sys.exit(0 if all(results.values()) else 1)


if __name__ == "__main__":
    main()
