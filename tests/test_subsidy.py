"""The subsidy estimate, checked by hand against the profiles' tables.

Every expected figure below is written out with the table entry it comes from
(data/profiles/dongning-2019.yaml unless said otherwise), so a reader can redo the sums.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from annexkit.policy.profiles import ProfileError, load_profile
from annexkit.policy.subsidy import Estimate, estimate, normalize_level, yuan
from annexkit.policy.values import passed
from tests.synthetic import make_person

START, END = dt.date(2025, 11, 3), dt.date(2025, 11, 14)


def row(person: dict[str, Any], score: object, level: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": person["name"],
        "age": 30,
        "gender": person["gender"],
        "id_number": person["id_number"],
        "education": person["education"],
        "occupation": "电工",
        "institution_class": "东宁市某职业培训学校 电工1班",
        "start_date": START.isoformat(),
        "end_date": END.isoformat(),
        "score": score,
        "phone": person["phone"],
    }
    if level is not None:
        out["skill_level"] = level
    return out


def people(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    found: dict[str, dict[str, Any]] = {}
    while len(found) < count:
        person = make_person(rng, START)
        found.setdefault(person["id_number"], person)
    return list(found.values())


def filing(level: str | None = "中级工", kind: str = "岗位技能提升培训") -> dict[str, Any]:
    training: dict[str, Any] = {
        "project": "2025年电工岗位技能提升培训",
        "occupation": "电工",
        "type": kind,
        "headcount": 7,
        "start_date": START.isoformat(),
        "end_date": END.isoformat(),
    }
    if level is not None:
        training["level"] = level
    return {"training": training}


@pytest.fixture
def dongning_ledger() -> dict[str, Any]:
    """A Dongning electrician class (filed at 中级工): seven trainees, five passed."""
    p = people(7)
    return {
        "project": "2025年电工岗位技能提升培训",
        "rows": [
            row(p[0], 85, "中级工"),  # passed, 中级工
            row(p[1], "合格", "中级工"),  # passed (合格), 中级工
            row(p[2], 60, None),  # passed (60 is the pass mark); no level → filed 中级工
            row(p[3], 90, "高级工"),  # passed, 高级工
            row(p[4], 75, "技师"),  # passed, 技师
            row(p[5], 59, "中级工"),  # failed: 59 < 60
            row(p[6], "不合格", None),  # failed
        ],
    }


# ------------------------------------------------------------------- Dongning by hand


def test_dongning_estimate_checked_by_hand(dongning_ledger: dict[str, Any]) -> None:
    result = estimate("dongning-2019", dongning_ledger, filing())
    amounts = [line.amount for line in result.lines]
    assert amounts == [
        Decimal("1500.00"),  # 中级工 → subsidy.levels.中级工 = 1500
        Decimal("1500.00"),  # 中级工 → subsidy.levels.中级工 = 1500
        Decimal("1500.00"),  # filed level 中级工 → subsidy.levels.中级工 = 1500
        Decimal("2000.00"),  # 高级工 → subsidy.levels.高级工 = 2000
        Decimal("2500.00"),  # 技师 → subsidy.levels.技师 = 2500
    ]
    # 3 中级工 × 1500 = 4500; 1 高级工 × 2000 = 2000; 1 技师 × 2500 = 2500;
    # the two who failed get nothing: 4500 + 2000 + 2500 = 9000
    assert result.total == Decimal("9000.00")
    assert [str(note).split(" / ")[0] for note in result.explanation] == [
        "中级工 1500元 × 3人 = 4500元",
        "高级工 2000元 × 1人 = 2000元",
        "技师 2500元 × 1人 = 2500元",
        "合计 9000元（估算）",
    ]
    assert "中级工 (level 4) 1500 yuan × 3 = 4500 yuan" in result.explanation[0].en
    ids = {r["id_number"] for r in dongning_ledger["rows"]}
    failed = [r["id_number"] for r in dongning_ledger["rows"][5:]]
    assert [e.id_number for e in result.excluded] == failed
    assert {line.id_number for line in result.lines} == ids - set(failed)
    assert "did not pass (59)" in result.excluded[0].reason_en
    assert result.lines[2].basis_zh == "中级工 1500元（备案培训等级）"
    assert result.lines[0].basis_zh == "中级工 1500元（台账技能等级）"
    assert result.missing == [] and not result.partial and result.available


def test_dongning_urgent_occupation_uses_the_urgent_table(
    dongning_ledger: dict[str, Any],
) -> None:
    result = estimate("dongning-2019", dongning_ledger, filing(), urgent=True)
    # 3 中级工 × 1800 (subsidy.urgent.levels.中级工) = 5400
    # 1 高级工 × 2500 (subsidy.urgent.levels.高级工) = 2500
    # 1 技师   × 3500 (subsidy.urgent.levels.技师)   = 3500
    # 5400 + 2500 + 3500 = 11400
    assert result.total == Decimal("11400.00")
    assert {line.item for line in result.lines} == {"urgent-level"}
    assert result.explanation[0].zh == "中级工（急需紧缺职业） 1800元 × 3人 = 5400元"


def test_dongning_caveats_leave_out_what_our_records_cannot_show(
    dongning_ledger: dict[str, Any],
) -> None:
    result = estimate("dongning-2019", dongning_ledger, filing())
    text = "\n".join(str(note) for note in result.caveats)
    assert "估算" in result.caveats[0].zh and "estimate" in result.caveats[0].en
    # subsidy.living_allowance_per_day.amount = 15: no eligibility field → not included
    assert "生活费补贴（15元/人·天）未计入" in text and "no eligibility field" in text
    # subsidy.employment_service = 200 within 6 months: no employment data → not included
    assert "就业服务补贴（200元/人，培训后6个月内就业）未计入" in text
    # the urgent table exists but the ledger has no urgent flag
    assert "急需紧缺职业标准更高" in text and "中级工1800元" in text
    assert result.is_estimate
    summary = result.text()
    assert summary.startswith("补贴估算（非核定金额）/ SUBSIDY ESTIMATE")
    for row_ in dongning_ledger["rows"]:
        assert row_["id_number"] not in summary  # the summary names no one


@pytest.mark.parametrize(
    ("kind", "unit", "basis"),
    [
        ("岗前培训", Decimal(1000), "岗前培训 1000元"),  # subsidy.pre_job = 1000
        ("转岗转业培训", Decimal(1500), "转岗转业培训 1500元"),  # subsidy.job_transfer = 1500
    ],
)
def test_dongning_training_types(
    dongning_ledger: dict[str, Any], kind: str, unit: Decimal, basis: str
) -> None:
    result = estimate("dongning-2019", dongning_ledger, filing(kind=kind))
    # five passed × the flat amount for the training type, whatever the level
    assert result.total == unit * 5
    assert result.explanation[0].zh == f"{basis} × 5人 = {yuan(unit * 5)}元"


def test_dongning_apprenticeship_counts_years_of_the_filed_period(
    dongning_ledger: dict[str, Any],
) -> None:
    apprentice = filing(kind="企业新型学徒制培训")
    apprentice["training"].update(start_date="2024-03-01", end_date="2026-02-28")
    result = estimate("dongning-2019", dongning_ledger, apprentice)
    # subsidy.apprentice_per_year = 6000; 2024-03-01…2026-02-28 is 2 years;
    # 5 passed × 6000 × 2 = 60000
    assert result.total == Decimal("60000.00")
    assert result.explanation[0].zh == "企业新型学徒制 6000元/年 × 2年 × 5人 = 60000元"
    assert any("学徒年数" in note.zh for note in result.caveats)


def test_a_level_without_an_amount_is_missing_not_zero() -> None:
    p = people(3, seed=11)
    ledger = {
        "rows": [
            row(p[0], 80, "中级工"),  # subsidy.levels.中级工 = 1500
            row(p[1], 80, "专项职业能力"),  # not in Dongning's table
            row(p[2], 80, "四级"),  # 四级 is 中级工: 1500
        ]
    }
    result = estimate("dongning-2019", ledger, filing())
    assert result.total == Decimal("3000.00")  # 2 × 1500; the 专项职业能力 line is left out
    assert result.partial
    assert [line.amount for line in result.lines] == [Decimal("1500.00"), None, Decimal("1500.00")]
    (missing,) = result.missing
    assert missing.key == "subsidy.levels.专项职业能力"
    assert "来源未载明" in missing.zh
    assert any("另有1人缺少补贴标准" in note.zh for note in result.explanation)


def test_no_one_passed_is_zero_not_unavailable() -> None:
    p = people(2, seed=3)
    ledger = {"rows": [row(p[0], 40, "中级工"), row(p[1], "不合格", "中级工")]}
    result = estimate("dongning-2019", ledger, filing())
    assert result.total == Decimal("0.00") and result.available
    assert result.lines == [] and len(result.excluded) == 2


def test_each_person_counts_once_and_blank_scores_do_not_count() -> None:
    p = people(2, seed=5)
    ledger = {"rows": [row(p[0], 88, "高级工"), row(p[0], 88, "高级工"), row(p[1], None, "高级工")]}
    result = estimate("dongning-2019", ledger, filing())
    assert result.total == Decimal("2000.00")  # one 高级工 × 2000
    reasons = [e.reason_en for e in result.excluded]
    assert "the same ID number appears again" in reasons[0]
    assert "no assessment result" in reasons[1]


def test_unknown_level_is_reported() -> None:
    p = people(1, seed=9)
    result = estimate("dongning-2019", {"rows": [row(p[0], 70, None)]}, None)
    assert result.total is None and not result.available
    assert result.missing[0].key == "level"


# -------------------------------------------------------------- profiles without amounts


def test_jiangmen_2019_estimate_is_unavailable_not_zero(dongning_ledger: dict[str, Any]) -> None:
    result = estimate("jiangmen-2019", dongning_ledger, filing())
    assert result.total is None
    assert not result.available
    assert all(line.amount is None for line in result.lines) and len(result.lines) == 5
    (missing,) = result.missing
    assert missing.key == "subsidy.levels"
    assert "未载明各技能等级的补贴金额" in missing.zh and "省级补贴标准目录" in missing.zh
    assert "provincial catalogue" in missing.en
    assert any("无法估算" in n.zh and "不是0元" in n.zh for n in result.explanation)
    assert any("not 0 yuan" in n.en for n in result.explanation)
    text = result.text()
    assert "无法估算" in text and "SUBSIDY ESTIMATE" in text
    caveats = " ".join(n.zh for n in result.caveats)
    assert "最高上浮30%" in caveats  # subsidy.urgent.uplift_percent = 30, from 高级工
    assert "每人每年至多3次" in caveats  # thresholds.subsidies_per_year = 3


def test_guigang_states_that_the_living_allowance_is_not_included(
    dongning_ledger: dict[str, Any],
) -> None:
    result = estimate("guigang-2019", dongning_ledger, filing())
    assert result.total is None
    (allowance,) = [n for n in result.caveats if n.key == "subsidy.living_allowance_per_day"]
    # subsidy.living_allowance_per_day.amount = 50 (guigang-2019.yaml)
    assert "生活费补贴（50元/人·天）未计入" in allowance.zh
    assert "not included" in allowance.en


def test_a_bureau_tweak_via_extends_makes_an_estimate_possible(
    tmp_path: Path, dongning_ledger: dict[str, Any]
) -> None:
    path = tmp_path / "local.yaml"
    path.write_text(
        "name: local-1\nextends: jiangmen-2019\ntitle: 本地标准\n"
        "subsidy: {levels: {中级工: 1200, 高级工: 1600, 技师: 2000}}\n",
        "utf-8",
    )
    result = estimate(load_profile(path), dongning_ledger, filing())
    # 3 中级工 × 1200 + 1 高级工 × 1600 + 1 技师 × 2000 = 3600 + 1600 + 2000 = 7200
    assert result.total == Decimal("7200.00")
    assert result.profile == "local-1"


def test_estimate_by_path_and_bad_profile(tmp_path: Path) -> None:
    with pytest.raises(ProfileError):
        estimate(tmp_path / "none.yaml", {"rows": []})
    assert isinstance(estimate("dongning-2019", {"rows": []}), Estimate)


# ------------------------------------------------------------------------------ helpers


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (60, True),
        (59.5, False),
        ("合格", True),
        ("不合格", False),
        ("85", True),
        (None, None),
        ("", None),
        (True, None),
    ],
)
def test_passed(score: object, expected: bool | None) -> None:
    assert passed(score) is expected


def test_normalize_level_and_yuan() -> None:
    assert normalize_level("三级") == "高级工"
    assert normalize_level(" 中级工 ") == "中级工"
    assert normalize_level("高级") is None  # ambiguous: exact tokens only
    assert normalize_level(None) is None
    assert yuan(Decimal("1500.00")) == "1500"
    assert yuan(Decimal("12.5")) == "12.50"
