"""The rules reference (``docs/rules.md``), generated from the code catalogue.

Like ruff's rule pages: one section per finding code with its severity, scope, title,
description and an example message. The page is generated rather than written so that it
cannot drift from :data:`CATALOGUE`; a test compares the committed file with the output.

Regenerate with::

    python -m annexkit.checker.rules_doc > docs/rules.md
"""

from __future__ import annotations

import sys

from annexkit.checker.findings import CATALOGUE, Code

SEVERITY_LABELS = {"error": "error 错误", "warning": "warning 警告", "info": "info 提示"}

SCOPE_LABELS = {
    "document": "document 文件",
    "field": "field 字段",
    "row": "row 行",
    "package": "package 材料包",
    "registry": "registry 补贴登记",
}
"""A code's scope says what it is about: one field, one row, a whole document, the package
as a whole (across annexes), or the history of subsidies paid (the registry)."""

EXAMPLES: dict[str, str] = {
    "unreadable-document": "文件已加密，无法读取 / the file is encrypted and cannot be read",
    "unknown-document": (
        "无法识别为附件5–8中的任何一种：未找到“培训台账”“身份证号码”等表头 / not recognisable "
        "as any of annexes 5–8: headings such as 培训台账, 身份证号码 were not found"
    ),
    "missing-field": "缺少必填项：联系电话 / required field is missing: 联系电话",
    "invalid-value": (
        "应为以下之一：小学、初中、高中、中专、技工学校、大专、本科、硕士研究生、博士研究生 / "
        "must be one of: 小学, 初中, 高中, 中专, 技工学校, 大专, 本科, 硕士研究生, 博士研究生"
    ),
    "invalid-id-number": (
        "身份证号码校验码错误（应为X） / ID number's check character is wrong (expected X)"
    ),
    "invalid-credit-code": (
        "统一社会信用代码校验码错误（应为3） / "
        "unified social credit code's check character is wrong (expected 3)"
    ),
    "invalid-phone": (
        "不是有效的手机号码（1[3-9]开头11位）或固定电话（区号-号码） / "
        "not a mainland mobile number (11 digits, 1[3-9]…) or landline (0area-number)"
    ),
    "invalid-date": "日期2025-02-30不存在 / 2025-02-30 is not a real date",
    "age-mismatch": (
        "年龄填写为30岁，按身份证号码培训开始时应为35岁 / stated age 30, but the ID number "
        "gives 35 at the training start"
    ),
    "gender-mismatch": (
        "性别填写为女，身份证号码第17位表示男 / stated gender 女, but the ID number's 17th digit "
        "says 男"
    ),
    "duplicate-trainee": (
        "身份证号码4407**********1234与第3行重复 / ID number 4407**********1234 repeats row 3"
    ),
    "date-order": (
        "培训开始日期2025-06-20晚于结束日期2025-06-10 / start date 2025-06-20 is after "
        "end date 2025-06-10"
    ),
    "count-mismatch": (
        "实到人数填写为30，签到的有28人 / 实到 (present) says 30, but 28 rows are signed in"
    ),
    "amount-mismatch": (
        "预算明细合计12,000.00元，与总额15,000.00元不符 / budget items add up to 12,000.00, "
        "the total says 15,000.00"
    ),
    "missing-signature": "授课老师签名处为空 / the teacher's signature block is empty",
    "unknown-teacher": (
        "授课老师“王五”不在备案表的师资名单中 / teacher 王五 is not among the filing's teachers"
    ),
    "low-confidence": (
        "第2页为扫描件，识别可信度0.62，以下结果可能有误 / page 2 is a scan read with "
        "confidence 0.62: findings on it may be wrong"
    ),
    "calendar-provisional": (
        "没有2031年的法定节假日安排，工作日只排除了周末 / no official holiday calendar for "
        "2031: working days exclude weekends only"
    ),
    "missing-annex": "缺少附件7 培训台账 / annex 7 (ledger) is missing",
    "filing-too-late": (
        "报备日期2025-06-01距培训开始2025-06-10只有6个工作日，应至少提前15个工作日 / filed 6 "
        "working days before the training start 2025-06-10; at least 15 are required"
    ),
    "trainee-not-in-ledger": (
        "签到表中的李四（4407**********1234）不在培训台账中 / 李四 (4407**********1234) signed "
        "in but is not in the ledger"
    ),
    "trainee-not-in-roster": (
        "台账中的李四（4407**********1234）不在备案名册中 / 李四 (4407**********1234) is in "
        "the ledger but not in the filing roster"
    ),
    "party-mismatch": (
        "协议乙方“江门市某职业培训学校”与备案表培训机构“江门市某培训中心”不一致 / the "
        "agreement's party B differs from the institution named in the filing"
    ),
    "outside-training-period": (
        "签到日期2025-07-02不在备案的培训期2025-06-10至2025-06-30内 / sign-in date "
        "2025-07-02 is outside the filed training period 2025-06-10 to 2025-06-30"
    ),
    "low-attendance": (
        "李四签到8次，少于应出勤10次的80% / 李四 signed in 8 times, fewer than 80% of 10 sessions"
    ),
    "age-out-of-range": (
        "李四培训开始时38岁，超出本项目16–35岁的范围 / 李四 is 38 at the training start, "
        "outside this programme's 16–35"
    ),
    "claim-window-expired": (
        "培训于2025-01-20结束，申领日期2025-08-01已超过6个月 / training ended 2025-01-20; "
        "the claim date 2025-08-01 is more than 6 months later"
    ),
    "subsidy-estimate": (
        "补贴估算（非核定金额）6500.00元：中级工 1500元 × 3人 = 4500元；高级工 2000元 × 1人 = "
        "2000元 / subsidy estimate (not an approved amount) 6500.00 yuan: 中级工 1500 yuan × 3 "
        "= 4500 yuan; 高级工 2000 yuan × 1 = 2000 yuan"
    ),
    "subsidy-limit-exceeded": (
        "4407**********1234本年度已享受3次培训补贴 / 4407**********1234 has already been "
        "subsidised 3 times this year"
    ),
    "duplicate-subsidy": (
        "4407**********1234已于2024-11-30享受电工中级工培训补贴 / 4407**********1234 was "
        "already subsidised for 电工 中级工 on 2024-11-30"
    ),
}
"""One example message per code, in the bilingual style of the checker's messages, with
identifiers masked as a report shows them."""


def _scope(scope: str) -> str:
    return " / ".join(SCOPE_LABELS.get(part, part) for part in scope.split("/"))


def _section(code: Code) -> list[str]:
    return [
        f"## `{code.name}`",
        "",
        f"**{code.title}**",
        "",
        f"- Severity 级别: {SEVERITY_LABELS.get(code.severity, code.severity)}",
        f"- Scope 范围: {_scope(code.scope)}",
        "",
        code.description,
        "",
        "Example message 示例:",
        "",
        "```text",
        EXAMPLES.get(code.name, "—"),
        "```",
        "",
    ]


def render_rules() -> str:
    """``docs/rules.md`` as Markdown."""
    lines = [
        "# Finding codes 检查项",
        "",
        "<!-- Generated by `python -m annexkit.checker.rules_doc > docs/rules.md`; do not edit."
        " -->",
        "",
        "Every finding of `annex check` carries one of these codes. Codes are stable: once "
        "released they are not renamed. Choose codes with `--select` and `--ignore`, by name "
        "or by prefix (`--select invalid-` keeps every `invalid-*` code); where both match, "
        "the more specific entry wins. Identifiers in messages are masked unless `--reveal` "
        "is given.",
        "",
        "| Code | Severity | Scope | Title |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| [`{c.name}`](#{c.name}) | {c.severity} | {c.scope} | {c.title} |"
        for c in CATALOGUE.values()
    ]
    lines.append("")
    for code in CATALOGUE.values():
        lines += _section(code)
    return "\n".join(lines).rstrip("\n") + "\n"


def main() -> None:
    # Bytes, not text: the committed file is UTF-8 with LF line ends on every platform,
    # whatever the console's code page (a Windows console would write GBK and CRLF).
    sys.stdout.buffer.write(render_rules().encode("utf-8"))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
