"""The import directions described in ARCHITECTURE.md, checked with import-linter."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept() -> None:
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("lint-imports")),
            str(ROOT / "pyproject.toml"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 7 kept, 0 broken." in result.stdout


def test_no_import_is_excused() -> None:
    """The layers hold without exceptions: the composition root (`beredskap.main`) is the one
    package that imports every capability, and it sits above them all."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    assert [c.get("ignore_imports", []) for c in config["contracts"]] == [[]] * len(
        config["contracts"]
    )
