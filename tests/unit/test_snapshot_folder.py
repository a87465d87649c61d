"""The offline binder's folder, without a database: pruning keeps exactly the newest N complete
snapshots and touches nothing it did not write; the snapshot settings refuse bad values at
start; the nightly job is one of the reports' jobs."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from beredskap.main.settings import Settings
from reports.capability import REPORTS
from reports.snapshot.documents import MANIFEST
from reports.snapshot.writer import (
    PARTIAL_PREFIX,
    SnapshotFolderError,
    prepare_folder,
    prune,
    snapshot_name,
    snapshots,
    taken_at,
)


def _snapshot(folder: Path, name: str) -> Path:
    path = folder / name
    path.mkdir()
    (path / MANIFEST).write_text("manifest\n", encoding="utf-8")
    return path


def test_pruning_keeps_the_newest_n_and_nothing_else_is_touched(tmp_path: Path) -> None:
    ours = [
        _snapshot(tmp_path, name)
        for name in (
            "beredskap-2026-11-30T0200",
            "beredskap-2026-12-01T0200",
            "beredskap-2026-12-01T0200-2",  # a second one that minute
            "beredskap-2026-12-02T0200",
            "beredskap-2026-12-02T1415",
        )
    ]
    foreign = {
        "beredskap-notes": "dir",  # our prefix, not our pattern
        "beredskap-2026-11-01T0200.bak": "dir",
        "beredskap-2026-11-02T0200": "dir without manifest",  # not complete: not ours to judge
        "beredskap-2026-11-03T0200": "file",
        "photos": "dir",
        "README.txt": "file",
    }
    for name, kind in foreign.items():
        if kind == "file":
            (tmp_path / name).write_text("x", encoding="utf-8")
        else:
            (tmp_path / name).mkdir()
    (tmp_path / "beredskap-2026-11-04T0200").symlink_to(tmp_path / "photos")
    stale = tmp_path / f"{PARTIAL_PREFIX}crashed"
    stale.mkdir()
    (stale / "ressursoversikt.pdf").write_bytes(b"%PDF half")
    day_ago = time.time() - 24 * 3600
    os.utime(stale, (day_ago, day_ago))
    writing = tmp_path / f"{PARTIAL_PREFIX}now"  # another run writing at this moment
    writing.mkdir()

    assert snapshots(tmp_path) == ours
    removed = prune(tmp_path, 3)
    assert set(removed) == {*ours[:2], stale}
    assert snapshots(tmp_path) == ours[2:]
    for name in foreign:
        assert (tmp_path / name).exists(), name
    assert (tmp_path / "beredskap-2026-11-04T0200").is_symlink()
    assert (tmp_path / "photos").is_dir() and writing.is_dir()
    assert prune(tmp_path, 3) == []  # nothing more to do
    with pytest.raises(ValueError):
        prune(tmp_path, 0)


def test_names_follow_oslo_time_and_read_back() -> None:
    winter = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    summer = datetime(2026, 6, 7, 0, 30, tzinfo=UTC)
    assert snapshot_name(winter) == "beredskap-2026-12-07T0200"
    assert snapshot_name(summer) == "beredskap-2026-06-07T0230"
    assert taken_at(Path("beredskap-2026-12-07T0200-3")) == datetime(2026, 12, 7, 2, 0)
    assert taken_at(Path("beredskap-notes")) is None


def test_a_missing_folder_is_made_and_a_file_refused(tmp_path: Path) -> None:
    made = tmp_path / "a" / "b"
    prepare_folder(made)
    assert made.is_dir()
    assert snapshots(tmp_path / "missing") == []
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(SnapshotFolderError, match="not a folder"):
        prepare_folder(a_file)
    with pytest.raises(SnapshotFolderError, match="cannot make"):
        prepare_folder(a_file / "inside")


def test_the_snapshot_settings_refuse_bad_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEREDSKAP_SNAPSHOT_DIR", "")
    settings = Settings()
    assert settings.snapshot_dir is None  # the nightly job is off
    assert (settings.snapshot_keep, settings.snapshot_hour) == (14, 2)
    monkeypatch.setenv("BEREDSKAP_SNAPSHOT_DIR", "/srv/beredskap/binder")
    monkeypatch.setenv("BEREDSKAP_SNAPSHOT_KEEP", "7")
    monkeypatch.setenv("BEREDSKAP_SNAPSHOT_HOUR", "23")
    settings = Settings()
    assert settings.snapshot_dir == Path("/srv/beredskap/binder")
    assert (settings.snapshot_keep, settings.snapshot_hour) == (7, 23)
    for name, value, message in (
        ("BEREDSKAP_SNAPSHOT_DIR", "relative/binder", "must be an absolute path"),
        ("BEREDSKAP_SNAPSHOT_KEEP", "0", "greater than or equal to 1"),
        ("BEREDSKAP_SNAPSHOT_KEEP", "many", "valid integer"),
        ("BEREDSKAP_SNAPSHOT_HOUR", "24", "less than or equal to 23"),
        ("BEREDSKAP_SNAPSHOT_HOUR", "-1", "greater than or equal to 0"),
    ):
        with monkeypatch.context() as patch:
            patch.setenv(name, value)
            with pytest.raises(ValidationError, match=message):
                Settings()


def test_the_nightly_job_is_the_reports_job() -> None:
    [job] = REPORTS.jobs
    assert job.func == "reports.snapshot.jobs:write_nightly"
    assert job.every_s(Settings()) == 600.0
