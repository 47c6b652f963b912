"""`annex check --expect`: the sample packages give what they state, and a difference fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from annexkit.cli import cli
from tests.conftest import ROOT

SAMPLES = ROOT / "samples" / "packages"


def test_every_rule_has_a_sample() -> None:
    cases = {p.name for p in SAMPLES.iterdir() if p.is_dir()}
    package_rules = {
        "missing-annex",
        "filing-too-late",
        "date-order",
        "trainee-not-in-ledger",
        "trainee-not-in-roster",
        "party-mismatch",
        "outside-training-period",
        "count-mismatch",
        "unknown-teacher",
        "low-attendance",
        "age-out-of-range",
        "claim-window-expired",
    }
    assert package_rules | {"clean"} <= cases
    for case in package_rules:
        expected = yaml.safe_load((SAMPLES / case / "expected.yaml").read_text("utf-8"))
        assert case in {f["code"] for f in expected["findings"]}, case


def test_a_difference_fails(tmp_path: Path) -> None:
    batch = tmp_path / "packages"
    for case in ("clean", "date-order"):
        shutil.copytree(SAMPLES / case, batch / case)
    runner = CliRunner()
    ok = runner.invoke(cli, ["check", str(batch), "--expect", "--workers", "1"])
    assert ok.exit_code == 0, ok.output
    expected = batch / "date-order" / "expected.yaml"
    expected.write_text(yaml.safe_dump({"findings": []}), "utf-8")  # the rule would be lost
    lost = runner.invoke(cli, ["check", str(batch), "--expect", "--workers", "1"])
    assert lost.exit_code == 1
    assert "多出 unexpected: date-order" in lost.output
    assert "2025-10-12" in lost.output  # the message says what was found
