"""Checking a package as a whole, after its documents: the policy profile's rules, the
subsidy estimate, and the registry of subsidies already granted."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from annexkit.checker.findings import Finding
from annexkit.checker.result import PackageResult
from annexkit.checker.rules.package import Policy, package_findings
from annexkit.policy.profiles import Profile
from annexkit.policy.subsidy import estimate, yuan
from annexkit.policy.workdays import default_calendar


class GrantRegistry(Protocol):
    def findings(
        self, result: PackageResult, *, per_year: int | None, same_occupation_level_once: bool
    ) -> list[Finding]: ...


def policy_of(profile: Profile) -> Policy:
    """The package rules' thresholds from a profile; a threshold the profile does not state
    turns its rule off rather than borrowing another city's figure."""
    limits = profile.thresholds
    return Policy(
        name=profile.name,
        filing_lead_workdays=limits.filing_lead_workdays,
        filing_lead_reading=limits.filing_lead_reading or "nth-before",
        claim_window_months=limits.claim_window_months,
        age_min=limits.age_min,
        age_max=limits.age_max,
        attendance_threshold=limits.attendance_threshold,
    )


def check_package(
    result: PackageResult,
    profile: Profile,
    claim_date: dt.date | None,
    registry: GrantRegistry | None = None,
    *,
    per_year: int | None = None,
) -> None:
    """Add the package-level findings to ``result`` (its documents are already checked).
    ``per_year`` replaces the profile's yearly subsidy limit (``registry add --per-year``)."""
    result.profile = profile.name
    result.findings += package_findings(result, policy_of(profile), default_calendar(), claim_date)
    result.findings += _estimate(result, profile)
    if registry is not None:
        limits = profile.thresholds
        result.findings += registry.findings(
            result,
            per_year=per_year or limits.subsidies_per_year,
            same_occupation_level_once=bool(limits.same_occupation_level_once),
        )


def _estimate(result: PackageResult, profile: Profile) -> list[Finding]:
    ledger = next((d for d in result.documents if d.annex == "ledger" and d.data), None)
    filing = next((d for d in result.documents if d.annex == "filing" and d.data), None)
    if ledger is None or ledger.data is None:
        return []
    found = estimate(profile, ledger.data, filing.data if filing else None)
    how_zh = "；".join(n.zh for n in found.explanation) or "无"
    how_en = "; ".join(n.en for n in found.explanation) or "none"
    if found.total is None:
        missing_zh = "；".join(n.zh for n in found.missing)
        missing_en = "; ".join(n.en for n in found.missing)
        zh = f"补贴估算不可用（{profile.name}）：{missing_zh}"
        en = f"subsidy estimate unavailable ({profile.name}): {missing_en}"
        value: Any = None
    else:
        partial_zh = "（部分人员无标准，未计入）" if found.partial else ""
        partial_en = (
            " (some trainees have no stated amount and are left out)" if found.partial else ""
        )
        zh = f"补贴估算（非核定金额）{yuan(found.total)}元{partial_zh}：{how_zh}"
        en = (
            f"subsidy estimate (not an approved amount) {yuan(found.total)} yuan{partial_en}: "
            f"{how_en}"
        )
        value = str(found.total)
    return [
        Finding(
            "subsidy-estimate",
            f"{zh} / {en}",
            annex="ledger",
            document=ledger.path,
            value=value,
            severity="info",
        )
    ]
