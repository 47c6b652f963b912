"""The checking engine: one pass behind `annex check`, `annex registry add` and the service."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from annexkit.checker import engine
from annexkit.checker.findings import CATALOGUE
from annexkit.policy.profiles import list_profiles
from tests.conftest import ROOT

CLEAN = ROOT / "samples" / "packages" / "clean"
REGISTRY_CODES = {code for code, entry in CATALOGUE.items() if entry.scope == "registry"}
PROFILES = sorted(profile.name for profile in list_profiles())


def test_every_shipped_profile_is_covered() -> None:
    assert len(PROFILES) == 5


@pytest.mark.parametrize("profile", PROFILES)
def test_check_registry_and_registry_add_agree(profile: str, tmp_path: Path) -> None:
    """The same trainees, occupation and level in a second package: `check --registry`
    reports exactly the registry findings that make `registry add` refuse the package, on
    every profile, including those that leave the same-level rule unstated (off)."""
    from annexkit.cli import cli

    first, second = tmp_path / "班1", tmp_path / "班2"
    shutil.copytree(CLEAN, first)
    shutil.copytree(CLEAN, second)
    db = str(tmp_path / "registry.sqlite")
    runner = CliRunner()
    added = runner.invoke(cli, ["registry", "add", str(first), "--db", db, "--profile", profile])
    assert added.exit_code == 0, added.output

    checked = runner.invoke(
        cli,
        ["check", str(second), "--registry", db, "--profile", profile, "--format", "json"],
    )
    assert checked.exit_code in (0, 1), checked.output
    report = json.loads(checked.output)
    from_check = sorted(
        f["code"] for f in report["packages"][0]["findings"] if f["code"] in REGISTRY_CODES
    )

    registered = runner.invoke(
        cli, ["registry", "add", str(second), "--db", db, "--profile", profile]
    )
    from_add = sorted(
        code
        for line in registered.output.splitlines()
        for code in REGISTRY_CODES
        if f"[{code}]" in line
    )
    assert from_add == from_check, registered.output
    assert registered.exit_code == (1 if from_check else 0), registered.output

    stated = next(p for p in list_profiles() if p.name == profile).thresholds
    once = bool(stated.same_occupation_level_once)
    assert ("duplicate-subsidy" in from_check) is once, (profile, from_check)


def test_engine_resolves_profile_and_claim_date_from_package_yaml(tmp_path: Path) -> None:
    package = tmp_path / "班"
    shutil.copytree(CLEAN, package)
    (package / "package.yaml").write_text(
        "profile: my-profile.yaml\nclaim_date: '2026-09-01'\n", "utf-8"
    )
    # A profile file beside the package, named by its package.yaml.
    (package / "my-profile.yaml").write_text(
        "extends: jiangmen-2019\nname: my-profile\ntitle: 自定义 / custom\n"
        "thresholds:\n  claim_window_months: 1\n",
        "utf-8",
    )
    [result] = engine.check([package], engine.CheckOptions(workers=1, progress=False))
    assert result.profile == "my-profile"
    codes = [f.code for f in result.findings]
    assert "claim-window-expired" in codes


def test_engine_usage_errors_come_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(engine.CheckError, match="no such file"):
        engine.check([tmp_path / "nothing-here"])
    with pytest.raises(engine.CheckError, match="no-such-profile"):
        engine.check([CLEAN], engine.CheckOptions(profile="no-such-profile"))


def test_a_lone_document_gets_no_package_rules() -> None:
    ledger = next(CLEAN.glob("附件7*.docx"))
    [result] = engine.check([ledger], engine.CheckOptions(workers=1, progress=False))
    assert [d.annex for d in result.documents] == ["ledger"]
    assert not [f for f in result.findings if f.code == "missing-annex"]
