"""Write the checker's sample packages: one clean class and one broken class per package rule.

Each case under ``samples/packages/CASE/`` holds the class's documents (DOCX, made by our
generator with the handwritten parts filled in, as a submitted package would be), a
``package.yaml`` (profile, claim date) and an ``expected.yaml``: the findings the case must
give, written here by hand. ``annex check samples/packages --expect`` compares them, and
``make test`` runs it. People and organisations are synthetic.

    .venv/bin/python -m scripts.make_check_samples
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from annexkit.generator.output import write_documents
from annexkit.generator.package import FILE_NAMES, Document, derive_ledger, derive_signins
from tests.synthetic import make_id_number, make_roster

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "samples" / "packages"
START = dt.date(2025, 11, 3)
FILING, AGREEMENT, LEDGER = (f"{FILE_NAMES[a]}.docx" for a in ("filing", "agreement", "ledger"))
SIGNIN_1 = f"{FILE_NAMES['signin']}_01_2025-11-03_08-30-11-30.docx"
SIGNIN_2 = f"{FILE_NAMES['signin']}_02_2025-11-04_08-30-11-30.docx"

Class = dict[str, Any]


def base_class() -> Class:
    """A small, clean class: six trainees, two sessions, a commissioned institution."""
    roster = make_roster(random.Random(2025), 6, START)
    filing: dict[str, Any] = {
        "enterprise": {
            "name": "江门市蓬江区恒达五金制品有限公司",
            "credit_code": "9144070384R3QGEYEB",
            "address": "江门市蓬江区棠下镇桐井工业区8号",
            "contact_person": "梁桂英",
            "contact_phone": "0750-3861234",
        },
        "institution": {
            "name": "江门市新技职业培训学校",
            "credit_code": "52440700FY0TX3JPQX",
            "contact_person": "黄丽娟",
            "contact_phone": "13900001234",
        },
        "training": {
            "objective": "提升在岗电工的安装调试技能",
            "project": "2025年电工（中级工）岗位技能提升培训",
            "occupation": "电工",
            "level": "中级工",
            "syllabus": "安全用电；控制线路安装与调试",
            "target_scope": "本企业在岗电工",
            "type": "岗位技能提升培训",
            "headcount": 6,
            "teachers": [{"name": "王建国"}, {"name": "李秀英"}],
            "start_date": "2025-11-03",
            "end_date": "2025-11-04",
            "location": "江门市蓬江区建设路36号",
            "total_hours": 6,
            "schedule": [
                {
                    "date": "2025-11-03",
                    "session": "08:30-11:30",
                    "content": "安全用电",
                    "hours": 3,
                    "teacher": "王建国",
                },
                {
                    "date": "2025-11-04",
                    "session": "08:30-11:30",
                    "content": "控制线路",
                    "hours": 3,
                    "teacher": "李秀英",
                },
            ],
            "assessment_type": "企业职业技能等级认定",
            "budget": {
                "items": [{"item": "师资费", "amount": 6000}, {"item": "耗材费", "amount": 3000}],
                "total": 9000,
            },
        },
        "roster": roster,
        "filing_date": "2025-10-10",
    }
    agreement = {
        "party_a": {
            "name": filing["enterprise"]["name"],
            "credit_code": filing["enterprise"]["credit_code"],
        },
        "party_b": {
            "name": filing["institution"]["name"],
            "credit_code": filing["institution"]["credit_code"],
        },
        "training": {
            key: filing["training"][key]
            for key in (
                "project",
                "occupation",
                "level",
                "headcount",
                "start_date",
                "end_date",
                "assessment_type",
            )
        },
        "fee": {"per_person": 1500, "total": 9000},
        "signed_date": "2025-09-26",
        "signed_a": True,
        "signed_b": True,
    }
    ledger = derive_ledger(filing, {}, {"class_name": "第3期"})
    for row in ledger["rows"]:
        row.update(score=80, skill_level="中级工")
    sheets = derive_signins(filing, {"class_name": "第3期", "head_teacher": "何敏"})
    for sheet in sheets:
        for row in sheet["rows"]:
            row.update(signed_in=True, signed_out=True)
        sheet["actual_count"] = len(sheet["rows"])
        sheet["confirmations"] = {
            "teacher_signed": True,
            "head_teacher_signed": True,
            "trainee_rep_signed": True,
        }
    return {"filing": filing, "agreement": agreement, "ledger": ledger, "signin": sheets}


@dataclass
class Case:
    name: str
    why: str
    change: Callable[[Class], None] = lambda c: None
    expected: list[dict[str, Any]] = field(default_factory=list)
    profile: str = "jiangmen-2019"
    claim_date: str = "2025-12-15"
    leave_out: tuple[str, ...] = ()
    extra_files: dict[str, str] = field(default_factory=dict)


def _set(path: str, value: Any) -> Callable[[Class], None]:
    def change(c: Class) -> None:
        target: Any = c
        steps = path.split("/")
        for step in steps[:-1]:
            target = target[int(step)] if step.isdigit() else target[step]
        last = steps[-1]
        target[int(last) if last.isdigit() else last] = value

    return change


def _stranger_signs_in(c: Class) -> None:
    """The last row of the first sheet is signed by someone who is in no other document."""
    stranger = make_id_number("440703", dt.date(1990, 1, 1), 11)
    c["signin"][0]["rows"][5].update(name="路人甲", id_number=stranger)


def _ledger_has_extra_person(c: Class) -> None:
    """The ledger (and the sheets) carry a person the filing's roster never named."""
    other = make_id_number("440705", dt.date(1985, 6, 1), 23)
    c["ledger"]["rows"][5].update(name="赵六", id_number=other, age=40, gender="男")
    for sheet in c["signin"]:
        sheet["rows"][5].update(name="赵六", id_number=other)


def _absent_twice(c: Class) -> None:
    for sheet in c["signin"]:
        sheet["rows"][2].update(signed_in=False, signed_out=False)
        sheet["actual_count"] = len(sheet["rows"]) - 1


def _youth_class_with_one_older(c: Class) -> None:
    """Everyone 20–34 at the start, but the first trainee, who is 45."""
    births = [dt.date(1980, 3, 12)] + [dt.date(1991 + 2 * i, 5, 20) for i in range(1, 6)]
    for index, birth in enumerate(births):
        id_number = make_id_number("440703", birth, 101 + 2 * index)  # odd: 男
        age = START.year - birth.year - ((START.month, START.day) < (birth.month, birth.day))
        c["filing"]["roster"][index].update(id_number=id_number, gender="男")
        c["ledger"]["rows"][index].update(id_number=id_number, gender="男", age=age)
        for sheet in c["signin"]:
            sheet["rows"][index]["id_number"] = id_number


def _shared_mobile(c: Class) -> None:
    """The fourth trainee gives the second one's mobile number, in the roster and the ledger."""
    phone = c["filing"]["roster"][1]["phone"]
    c["filing"]["roster"][3]["phone"] = phone
    c["ledger"]["rows"][3]["phone"] = phone


CASES = [
    Case("clean", "一个合规的完整材料包 / a compliant, complete package"),
    Case(
        "missing-annex",
        "没有台账 / the ledger is missing",
        leave_out=("ledger",),
        expected=[{"code": "missing-annex", "document": None, "path": None}],
    ),
    Case(
        "filing-too-late",
        "培训开始前第14个工作日才报备（2025-10-14）/ filed on the 14th working "
        "day before the start",
        _set("filing/filing_date", "2025-10-14"),
        [{"code": "filing-too-late", "document": FILING, "path": "/filing_date"}],
    ),
    Case(
        "date-order",
        "协议签订晚于报备日期 / agreement signed after the filing",
        _set("agreement/signed_date", "2025-10-12"),
        [{"code": "date-order", "document": AGREEMENT, "path": "/signed_date"}],
    ),
    Case(
        "trainee-not-in-ledger",
        "签到表上有台账中没有的人 / someone signs in who is not in the ledger",
        _stranger_signs_in,
        [{"code": "trainee-not-in-ledger", "document": SIGNIN_1, "path": "/rows/5"}],
    ),
    Case(
        "trainee-not-in-roster",
        "台账中有名册里没有的人 / a ledger row not in the filing roster",
        _ledger_has_extra_person,
        [{"code": "trainee-not-in-roster", "document": LEDGER, "path": "/rows/5"}],
    ),
    Case(
        "party-mismatch",
        "协议乙方与备案的培训机构不同 / the agreement names another institution",
        _set("agreement/party_b/name", "江门市另一家职业培训学校"),
        [{"code": "party-mismatch", "document": AGREEMENT, "path": "/party_b/name"}],
    ),
    Case(
        "outside-training-period",
        "签到表日期在培训期之外 / a sign-in sheet dated after the training",
        _set("signin/1/date", "2025-11-08"),
        [
            {
                "code": "outside-training-period",
                "document": f"{FILE_NAMES['signin']}_02_2025-11-08_08-30-11-30.docx",
                "path": "/date",
            }
        ],
    ),
    Case(
        "count-mismatch",
        "签到表应到人数与名册不符 / 应到 differs from the roster",
        _set("signin/0/expected_count", 8),
        [{"code": "count-mismatch", "document": SIGNIN_1, "path": "/expected_count"}],
    ),
    Case(
        "unknown-teacher",
        "签到表的授课老师不在师资名单中 / the teacher is not a filed teacher",
        _set("signin/1/teacher", "张老师"),
        [{"code": "unknown-teacher", "document": SIGNIN_2, "path": "/teacher"}],
    ),
    Case(
        "low-attendance",
        "一名学员两次都未签到（出勤要求80%，见 attendance.yaml）/ one trainee "
        "never signed in (80% required by attendance.yaml)",
        _absent_twice,
        [{"code": "low-attendance", "document": LEDGER, "path": "/rows/2"}],
        profile="attendance.yaml",
        extra_files={
            "attendance.yaml": "extends: jiangmen-2019\nname: jiangmen-attendance\n"
            "title: 江门2019（出勤率80%）\nthresholds:\n  attendance_threshold: 0.8\n"
        },
    ),
    Case(
        "age-out-of-range",
        "青年专项（≤35岁）中一名45岁学员 / a 45-year-old in the youth programme (≤ 35)",
        _youth_class_with_one_older,
        [{"code": "age-out-of-range", "document": LEDGER, "path": "/rows/0/age"}],
        profile="jiangmen-youth-2020",
    ),
    Case(
        "claim-window-expired",
        "培训结束6个月后才申领：2025-11-04加6个月为2026-05-04，适逢劳动节假期，顺延至05-06 / "
        "claimed after the window: 2025-11-04 + 6 months falls in the Labour Day break, so "
        "the last day is 2026-05-06",
        claim_date="2026-05-07",
        expected=[{"code": "claim-window-expired", "document": None, "path": None}],
    ),
    Case(
        "duplicate-phone",
        "两名学员填写同一手机号码 / two trainees give the same mobile number",
        _shared_mobile,
        [{"code": "duplicate-phone", "document": FILING, "path": "/roster/3/phone"}],
    ),
]


def documents(c: Class, leave_out: tuple[str, ...]) -> list[Document]:
    out = [
        Document("filing", FILE_NAMES["filing"], c["filing"], "sample"),
        Document("agreement", FILE_NAMES["agreement"], c["agreement"], "sample"),
        Document("ledger", FILE_NAMES["ledger"], c["ledger"], "sample"),
    ]
    for index, sheet in enumerate(c["signin"], start=1):
        stem = f"{FILE_NAMES['signin']}_{index:02d}_{sheet['date']}_08-30-11-30"
        out.append(Document("signin", stem, sheet, "sample"))
    return [d for d in out if d.annex not in leave_out]


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    for case in CASES:
        folder = OUT / case.name
        data = base_class()
        case.change(data)
        write_documents(documents(data, case.leave_out), folder)
        settings = {"profile": case.profile, "claim_date": case.claim_date}
        (folder / "package.yaml").write_text(yaml.safe_dump(settings), "utf-8")
        for name, text in case.extra_files.items():
            (folder / name).write_text(text, "utf-8")
        expected = {"why": case.why, "findings": case.expected}
        (folder / "expected.yaml").write_text(
            "# 此材料包必须给出的全部错误和警告（提示类不比较）\n"
            "# Every error and warning this package must give (info findings are not compared)\n"
            + yaml.safe_dump(expected, allow_unicode=True, sort_keys=False),
            "utf-8",
        )
    print(f"wrote {len(CASES)} sample packages to {OUT}")


if __name__ == "__main__":
    main()
