"""The catalogue of finding codes and the Finding record (data contract, "Findings").

Like Frictionless's error catalogue, each code has a stable name, a default severity, a
title and a description; users select and ignore codes by name (``--select``/``--ignore``).
Codes are never renamed once released.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Code:
    name: str
    severity: Severity
    scope: str
    title: str
    description: str


CATALOGUE: dict[str, Code] = {
    c.name: c
    for c in (
        Code(
            "unreadable-document",
            "error",
            "document",
            "无法读取的文件",
            "The file is corrupt, encrypted, of an unsupported type, too large, or took too "
            "long to read.",
        ),
        Code(
            "unknown-document",
            "error",
            "document",
            "无法识别的文件",
            "The document is not recognisable as any of the four annexes; the message lists "
            "the labels that were looked for and not found.",
        ),
        Code(
            "missing-field", "error", "field", "缺少必填项", "A required field is absent or blank."
        ),
        Code(
            "invalid-value",
            "error",
            "field",
            "填写内容不符合要求",
            "Wrong type, not one of the allowed values, or a pattern not covered by a more "
            "specific code.",
        ),
        Code(
            "invalid-id-number",
            "error",
            "field",
            "身份证号码无效",
            "Length, characters, birth date or the GB 11643 check character is wrong.",
        ),
        Code(
            "invalid-credit-code",
            "error",
            "field",
            "统一社会信用代码无效",
            "The GB 32100 check character or the characters are wrong.",
        ),
        Code(
            "invalid-phone",
            "error",
            "field",
            "联系电话无效",
            "Not a mainland mobile or landline number.",
        ),
        Code("invalid-date", "error", "field", "日期无效", "Not a real date."),
        Code(
            "age-mismatch",
            "error",
            "row",
            "年龄与身份证号码不符",
            "The stated age differs from the age the ID number gives at the training start.",
        ),
        Code(
            "gender-mismatch",
            "error",
            "row",
            "性别与身份证号码不符",
            "The stated gender differs from the ID number's 17th digit.",
        ),
        Code(
            "duplicate-trainee",
            "error",
            "row",
            "学员重复",
            "The same ID number appears twice in one document.",
        ),
        Code(
            "date-order",
            "error",
            "field/package",
            "日期先后顺序错误",
            "A start date after its end date, or an agreement signed after the filing date.",
        ),
        Code(
            "count-mismatch",
            "error",
            "document/package",
            "人数或学时不一致",
            "Stated counts disagree with the rows: headcount vs roster vs ledger, 实到 vs "
            "signed rows, 应到 vs roster, total hours vs schedule.",
        ),
        Code(
            "amount-mismatch",
            "error",
            "document/package",
            "金额不一致",
            "Budget items vs total, fee total vs per person × headcount, capitals vs figures.",
        ),
        Code(
            "missing-signature",
            "error",
            "document",
            "缺少签名或盖章",
            "A teacher, head-teacher, trainee-representative or party signature/stamp block "
            "is empty.",
        ),
        Code(
            "unknown-teacher",
            "warning",
            "package",
            "授课老师不在师资名单中",
            "A sign-in sheet's teacher is not among the filing's teachers.",
        ),
        Code(
            "low-confidence",
            "warning",
            "document",
            "识别可信度低",
            "Text came from OCR or a damaged text layer with low confidence: findings on it "
            "may be wrong. On a scan each value read with a low OCR score gets one, at the "
            "value's path, naming the findings on the value or its row.",
        ),
        Code(
            "calendar-provisional",
            "warning",
            "package",
            "工作日历为临时推算",
            "A working-day rule needed a year the official calendar does not cover; the "
            "result counts weekends only.",
        ),
        Code("missing-annex", "error", "package", "缺少附件", "A required annex is absent."),
        Code(
            "filing-too-late",
            "error",
            "package",
            "备案时间不足",
            "Filed fewer than the profile's working days before training start.",
        ),
        Code(
            "trainee-not-in-ledger",
            "error",
            "package",
            "签到人员不在台账中",
            "A sign-in row whose person is not in the ledger.",
        ),
        Code(
            "trainee-not-in-roster",
            "error",
            "package",
            "台账人员不在备案名册中",
            "A ledger row whose person is not in the filing roster.",
        ),
        Code(
            "party-mismatch",
            "error",
            "package",
            "单位信息不一致",
            "Agreement parties, filing enterprise/institution and ledger institution disagree.",
        ),
        Code(
            "outside-training-period",
            "error",
            "package",
            "日期超出培训期",
            "A ledger or sign-in date outside the filed training period.",
        ),
        Code(
            "low-attendance",
            "error",
            "package",
            "出勤不足",
            "A trainee signed fewer sessions than the profile's threshold.",
        ),
        Code(
            "age-out-of-range",
            "error",
            "package",
            "年龄超出范围",
            "A trainee's age is outside the profile's range.",
        ),
        Code(
            "claim-window-expired",
            "error",
            "package",
            "超过申领期限",
            "The claim date is more than the profile's months after training end.",
        ),
        Code(
            "subsidy-estimate",
            "info",
            "package",
            "补贴估算",
            "The subsidy the policy profile gives for the trainees who passed, and how it was "
            "computed (level × amount, days × allowance). An estimate, not an approved amount.",
        ),
        Code(
            "subsidy-limit-exceeded",
            "error",
            "registry",
            "超过年度补贴次数",
            "The person would exceed the profile's yearly subsidy count.",
        ),
        Code(
            "duplicate-subsidy",
            "error",
            "registry",
            "重复享受补贴",
            "The same person, occupation and level was already subsidised.",
        ),
    )
}


@dataclass
class Finding:
    """One problem, as the JSON report carries it. ``value`` is stored unmasked; reports
    mask identifiers unless asked to reveal them."""

    code: str
    message: str
    annex: str | None = None
    document: str | None = None
    path: str | None = None
    location: dict[str, Any] = field(default_factory=dict)
    value: Any = None
    severity: Severity | None = None

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise ValueError(f"unknown finding code {self.code!r}")
        if self.severity is None:
            self.severity = CATALOGUE[self.code].severity
