"""Checking a package as a whole, after its documents: the policy profile's package rules
(the subsidy estimate among them), and the registry of subsidies already granted."""

from __future__ import annotations

import datetime as dt

from annexkit.checker.result import PackageResult
from annexkit.checker.rules.package import package_findings
from annexkit.checker.rules.registry import GrantHistory, registry_findings
from annexkit.policy.profiles import Profile
from annexkit.policy.workdays import default_calendar

__all__ = ["GrantHistory", "check_package", "check_registry"]


def check_package(result: PackageResult, profile: Profile, claim_date: dt.date | None) -> None:
    """Add the package rules' findings to ``result`` (its documents are already checked)."""
    result.profile = profile.name
    result.findings += package_findings(result, profile, default_calendar(), claim_date)


def check_registry(
    result: PackageResult,
    profile: Profile,
    registry: GrantHistory,
    *,
    per_year: int | None = None,
) -> None:
    """Add the registry's findings under ``profile``'s rules; ``per_year`` replaces the
    profile's yearly limit (``registry add --per-year``). A lone ledger too: a repeated
    subsidy needs no companion documents."""
    result.profile = profile.name
    limits = profile.thresholds
    result.findings += registry_findings(
        result,
        registry,
        per_year=per_year or limits.subsidies_per_year,
        same_occupation_level_once=bool(limits.same_occupation_level_once),
    )
