"""Registry rules: a package's passed trainees against the subsidies already granted
(``annexkit.policy.registry``: the store, which only answers history queries).

Policy (Jiangmen 江人社函〔2019〕613号): a person gets at most ``per_year`` subsidies a year,
and the same occupation and level only once; a level already granted blocks the same or a
lower level of the same occupation later.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from annexkit.checker.findings import Finding, Join, Message, Person, on_read_evidence, rule
from annexkit.checker.result import PackageResult
from annexkit.contract.text import Text

if TYPE_CHECKING:  # the store's module loads SQLAlchemy: only when a registry is used
    from annexkit.policy.registry import PassedRow, RegisteredGrant


class GrantHistory(Protocol):
    """What the rules need of a registry: the grants that count against a package."""

    def history(
        self, id_numbers: Iterable[str], *, package: str | None = None
    ) -> list[RegisteredGrant]: ...


def ledgers(result: PackageResult) -> dict[str, list[Any]]:
    """The package's recognised ledgers: path inside the package → rows."""
    return {
        d.path: list(d.data["rows"])
        for d in result.documents
        if d.annex == "ledger" and isinstance(d.data, dict) and isinstance(d.data.get("rows"), list)
    }


def registry_findings(
    result: PackageResult,
    store: GrantHistory,
    *,
    per_year: int | None,
    same_occupation_level_once: bool = True,
    package_id: str | None = None,
) -> list[Finding]:
    """``duplicate-subsidy`` and ``subsidy-limit-exceeded`` findings for the passed rows of
    the package's ledgers, against the grants that count against it (:meth:`history`).

    ``per_year``: the profile's yearly subsidy count (Jiangmen: 3; None: no limit).
    ``same_occupation_level_once``: the profile's rule that the same occupation and level
    (or a lower one after a higher) is subsidised once. ``package_id``: the package's
    identity in the registry (default: ``package_key`` of ``result.path``)."""
    from annexkit.policy.registry import blocks, package_key, passed_rows

    if per_year is not None and per_year < 1:
        raise ValueError(f"per_year must be at least 1, not {per_year}")
    rows, _ = passed_rows(ledgers(result))
    if not rows:
        return []
    history = store.history(
        {r.grant.id_number for r in rows}, package=package_id or package_key(result.path)
    )
    others: dict[str, list[RegisteredGrant]] = defaultdict(list)
    for grant in history:
        others[grant.id_number].append(grant)

    found: list[tuple[int, Finding]] = []
    for order, row in enumerate(rows if same_occupation_level_once else ()):
        claimed = row.grant
        blocking = [
            g
            for g in others[claimed.id_number]
            if g.occupation == claimed.occupation and blocks(g.level, claimed.level or "")
        ]
        if blocking:
            found.append((order, _duplicate(row, blocking)))

    counted: dict[tuple[str, int], list[tuple[str, str]]] = defaultdict(list)
    for order, row in enumerate(rows if per_year is not None else ()):
        claimed = row.grant
        key = (claimed.occupation, claimed.level or "")
        mine = counted[(claimed.id_number, claimed.year)]
        if key in mine:
            continue  # the same grant twice in this package: one subsidy
        mine.append(key)
        before = [g for g in others[claimed.id_number] if g.year == claimed.year]
        if per_year is not None and len(before) + len(mine) > per_year:
            found.append((order, _over_limit(row, before, len(mine), per_year)))
    findings = [f for _, f in sorted(found, key=lambda item: item[0])]
    return on_read_evidence(findings, result.read_by_ocr())


# ------------------------------------------------------------------------------- rules

_NO_LEVEL = Text("（无等级）", "(no level)")
_WHO = Person("张三", "440703199001011239")


def _level(level: str) -> Text | str:
    return level or _NO_LEVEL


def _grant(year: int, package: str, occupation: str, level: str) -> Join:
    """An earlier grant as a message names it: ``2025年“/收件/A”电工初级工``."""
    return Join(
        (
            Text(f"{year}年", str(year)),
            Text(f"“{package}”", repr(package)),
            occupation,
            _level(level),
        ),
        "",
        " ",
    )


def _grants(items: Sequence[RegisteredGrant], limit: int = 3) -> Join:
    """Earlier grants as a message lists them: the first ``limit``, then how many more."""
    shown = Join(
        tuple(_grant(g.year, g.package, g.occupation, g.level) for g in items[:limit]), "；", "; "
    )
    if len(items) <= limit:
        return shown
    return Join((shown, Text(f"等{len(items)}项", f" and {len(items) - limit} more")), "", "")


def _finding(code: str, row: PassedRow, params: dict[str, Any], variant: str = "") -> Finding:
    return Finding(
        code,
        params,
        annex="ledger",
        document=row.document,
        path=f"/rows/{row.index}/id_number",
        value=row.grant.id_number,
        variant=variant,
    )


def _also(items: Sequence[RegisteredGrant]) -> Join | str:
    if not items:
        return ""
    return Join((Text("（另有：", " (also: "), _grants(items), Text("）", ")")), "", "")


@rule(
    "duplicate-subsidy",
    "error",
    "registry",
    "重复享受补贴",
    "The same person, occupation and level was already subsidised (a lower level of the "
    "same occupation after a higher one counts too).",
    Text(
        "{person}已于{year}年在“{package}”享受{occupation}{level}培训补贴，同一职业同一等级"
        "只能享受一次{also}",
        "{person} was already subsidised for {occupation} {level} in {year} (package "
        "{package!r}); the same occupation and level is subsidised once{also}",
    ),
    {
        "person": _WHO,
        "year": 2024,
        "package": "/收件/2024/电工班",
        "occupation": "电工",
        "level": "中级工",
        "also": "",
    },
    variants={
        "lower": Message(
            Text(
                "{person}已于{year}年在“{package}”享受{occupation}{granted}培训补贴，不能再申领"
                "较低等级（{level}）的补贴{also}",
                "{person} was already subsidised for {occupation} {granted} in {year} (package "
                "{package!r}); a lower level ({level}) of the same occupation cannot be "
                "claimed after it{also}",
            ),
            {
                "person": _WHO,
                "year": 2024,
                "package": "/收件/2024/电工班",
                "occupation": "电工",
                "granted": "高级工",
                "level": "中级工",
                "also": "",
            },
        )
    },
)
def _duplicate(row: PassedRow, blocking: Sequence[RegisteredGrant]) -> Finding:
    claimed = row.grant
    first = blocking[0]
    params: dict[str, Any] = {
        "person": Person(claimed.name or None, claimed.id_number),
        "year": first.year,
        "package": first.package,
        "occupation": first.occupation,
        "level": _level(claimed.level or ""),
        "also": _also(blocking[1:]),
    }
    if first.level == (claimed.level or ""):
        return _finding("duplicate-subsidy", row, params)
    return _finding("duplicate-subsidy", row, {**params, "granted": first.level}, "lower")


@rule(
    "subsidy-limit-exceeded",
    "error",
    "registry",
    "超过年度补贴次数",
    "The person would exceed the profile's yearly subsidy count.",
    Text(
        "{person}{year}年已在其他材料包享受{before}次培训补贴（{grants}），加上本材料包共{total}次，"
        "超过每人每年{per_year}次的上限",
        "{person} already has {before} subsidies in {year} from other packages ({grants}); "
        "with this package that makes {total}, more than {per_year} a year",
    ),
    {
        "person": _WHO,
        "year": 2025,
        "before": 3,
        "grants": Join(
            (
                _grant(2025, "/收件/A", "电工", "初级工"),
                _grant(2025, "/收件/B", "焊工", "初级工"),
                _grant(2025, "/收件/C", "育婴员", ""),
            ),
            "；",
            "; ",
        ),
        "total": 4,
        "per_year": 3,
    },
    variants={
        "alone": Message(
            Text(
                "{person}在本材料包中{year}年共{total}项培训补贴，超过每人每年{per_year}次的上限",
                "{person} has {total} subsidies in {year} in this package alone, more than "
                "{per_year} a year",
            ),
            {"person": _WHO, "year": 2025, "total": 4, "per_year": 3},
        )
    },
)
def _over_limit(
    row: PassedRow, before: Sequence[RegisteredGrant], mine: int, per_year: int
) -> Finding:
    claimed = row.grant
    params: dict[str, Any] = {
        "person": Person(claimed.name or None, claimed.id_number),
        "year": claimed.year,
        "total": len(before) + mine,
        "per_year": per_year,
    }
    if not before:
        return _finding("subsidy-limit-exceeded", row, params, "alone")
    return _finding(
        "subsidy-limit-exceeded", row, {**params, "before": len(before), "grants": _grants(before)}
    )
