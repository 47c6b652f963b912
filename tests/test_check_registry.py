"""`annex registry add` then `annex check --registry`: the same trainees subsidised twice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from tests.conftest import ROOT

CLEAN = ROOT / "samples" / "packages" / "clean"


def test_second_package_with_the_same_trainees(tmp_path: Path) -> None:
    from annexkit.cli import cli

    first, second = tmp_path / "班1", tmp_path / "班2"
    shutil.copytree(CLEAN, first)
    shutil.copytree(CLEAN, second)
    db = tmp_path / "registry.sqlite"
    runner = CliRunner()
    added = runner.invoke(cli, ["registry", "add", str(first), "--db", str(db)])
    assert added.exit_code == 0, added.output
    again = runner.invoke(cli, ["registry", "add", str(first), "--db", str(db)])
    assert again.exit_code == 0, again.output
    assert oct(db.stat().st_mode & 0o777) == "0o600"

    own = runner.invoke(
        cli,
        [
            "check",
            str(first),
            "--registry",
            str(db),
            "--format",
            "json",
            "--claim-date",
            "2025-12-01",
            "--workers",
            "1",
        ],
    )
    assert own.exit_code == 0, own.output  # a package never counts against itself
    other = runner.invoke(
        cli,
        [
            "check",
            str(second),
            "--registry",
            str(db),
            "--format",
            "json",
            "--claim-date",
            "2025-12-01",
            "--workers",
            "1",
        ],
    )
    assert other.exit_code == 1
    report = json.loads(other.output)
    duplicates = [f for f in report["packages"][0]["findings"] if f["code"] == "duplicate-subsidy"]
    assert len(duplicates) == 6  # every trainee of the class, once
    assert all(f["path"].startswith("/rows/") and "*" in f["value"] for f in duplicates)
