"""Codes no rule function raises: what reading, classifying, validating a record against its
schema and counting working days report. Declared here once, like the rules' codes."""

from __future__ import annotations

from annexkit.checker.findings import Join, Message, declare
from annexkit.contract.text import Text

_FIELD = Text("{label}：{reason}", "{reason}")
"""A schema problem: the field's label, then the reason (the schema's own wording)."""

declare(
    "unreadable-document",
    "error",
    "document",
    "无法读取的文件",
    "The file is corrupt, encrypted, of an unsupported type, too large, or took too long to "
    "read; or a part of it (pages over --max-pages) was not read.",
    Text("{document}：{reason}", "{document}: {reason}"),
    {
        "document": "附件7_培训台账.pdf",
        "reason": Text("文件已加密，无法读取", "the file is encrypted and cannot be read"),
    },
)

declare(
    "unknown-document",
    "error",
    "document",
    "无法识别的文件",
    "The document is not recognisable as any of the four annexes; the message names the "
    "closest annex, its score and the labels that were looked for and not found.",
    Text(
        "不是附件5–8中的任何一种：最接近附件{number} {title}（得分{score:.2f}，需≥{threshold}），"
        "表头标题{title_found}，缺少标签：{missing}",
        "not one of annexes 5–8: closest is annex {number} {annex} (score {score:.2f}, needs "
        "{threshold}); title {title_found}; labels not found: {missing}",
    ),
    {
        "number": 7,
        "title": "培训台账",
        "annex": "ledger",
        "score": 0.25,
        "threshold": 0.45,
        "title_found": Text("无", "not found"),
        "missing": Join(("身份证号码", "考核成绩", "培训机构名称及班别")),
    },
    variants={
        "no-text": Message(
            Text("文件中没有可识别的文字", "the document has no text to recognise"), {}
        ),
    },
)

declare(
    "missing-field",
    "error",
    "field",
    "缺少必填项",
    "A required field is absent or blank.",
    _FIELD,
    {"label": "联系电话", "reason": Text("缺少必填项", "required field is missing")},
)

declare(
    "invalid-value",
    "error",
    "field",
    "填写内容不符合要求",
    "Wrong type, not one of the allowed values, or a pattern not covered by a more specific "
    "code; also a package.yaml setting that cannot be used (then the package is checked "
    "without it).",
    _FIELD,
    {
        "label": "文化程度",
        "reason": Text(
            "应为以下之一：小学、初中、高中、中专、技工学校、大专、本科、硕士研究生、博士研究生",
            "must be one of: 小学, 初中, 高中, 中专, 技工学校, 大专, 本科, 硕士研究生, 博士研究生",
        ),
    },
    variants={
        "bad-setting": Message(
            Text(
                "{document}：{key} {value} {reason}，已忽略",
                "{document}: {key} {value} {reason}, ignored",
            ),
            {
                "document": "package.yaml",
                "key": "claim_date",
                "value": "'2025-13-01'",
                "reason": Text("不是有效日期", "is not a valid date (YYYY-MM-DD)"),
            },
        ),
        "unknown-setting": Message(
            Text(
                "{document}：未知的键 {key!r}（可用：{known}），已忽略",
                "{document}: unknown key {key!r} (known: {known}), ignored",
            ),
            {"document": "package.yaml", "key": "claim-date", "known": "profile, claim_date"},
            severity="warning",
        ),
    },
)

_OCR_LOW = Text(
    "（该号码由文字识别读出，可信度低（{score:.2f}），很可能是识别错误，请核对原件）",
    " (read by OCR with low confidence ({score:.2f}): probably a misreading, check the original)",
)
_OCR = Text(
    "（该号码由文字识别读出（可信度{score:.2f}），请核对原件以排除识别错误）",
    " (read by OCR (confidence {score:.2f}): check the original to rule out a misreading)",
)
_ID_EXAMPLE = {
    "label": "身份证号码",
    "reason": Text(
        "身份证号码校验码错误（应为X）", "ID number's check character is wrong (expected X)"
    ),
}

declare(
    "invalid-id-number",
    "error",
    "field",
    "身份证号码无效",
    "Length, characters, birth date or the GB 11643 check character is wrong. A number read "
    "by OCR says so, and with a low score that it is probably a misreading.",
    _FIELD,
    _ID_EXAMPLE,
    variants={
        "ocr-low": Message(
            Text(_FIELD.zh + _OCR_LOW.zh, _FIELD.en + _OCR_LOW.en), {**_ID_EXAMPLE, "score": 0.42}
        ),
        "ocr": Message(
            Text(_FIELD.zh + _OCR.zh, _FIELD.en + _OCR.en), {**_ID_EXAMPLE, "score": 0.91}
        ),
    },
)

declare(
    "invalid-credit-code",
    "error",
    "field",
    "统一社会信用代码无效",
    "The GB 32100 check character or the characters are wrong.",
    _FIELD,
    {
        "label": "统一社会信用代码",
        "reason": Text(
            "统一社会信用代码校验码错误（应为3）",
            "unified social credit code's check character is wrong (expected 3)",
        ),
    },
)

declare(
    "invalid-phone",
    "error",
    "field",
    "联系电话无效",
    "Not a mainland mobile or landline number.",
    _FIELD,
    {
        "label": "联系方式",
        "reason": Text(
            "不是有效的手机号码（1[3-9]开头11位）或固定电话（区号-号码）",
            "not a mainland mobile number (11 digits, 1[3-9]…) or landline (0area-number)",
        ),
    },
)

declare(
    "invalid-date",
    "error",
    "field",
    "日期无效",
    "Not a real date.",
    _FIELD,
    {"label": "报备日期", "reason": Text("日期2025-02-30不存在", "2025-02-30 is not a real date")},
)

declare(
    "unreadable-value",
    "warning",
    "field",
    "内容无法确定",
    "A label was found but its value could not be read with certainty (an unparsed notation, "
    "a smudge); the finding quotes what was there. A warning, never an error: nothing certain "
    "was read.",
    Text(
        "{label}：找到了该项，但其内容未能确定读出（原文“{text}”），请核对原件",
        "{label}: the label was found but its value could not be read with certainty (it "
        "reads “{text}”); check the original",
    ),
    {"label": "培训起止日期", "text": "25.11.3-11.4"},
)

declare(
    "low-confidence",
    "warning",
    "document",
    "识别可信度低",
    "Text came from OCR or a damaged text layer with low confidence: findings on it may be "
    "wrong. On a scan each value read with a low OCR score gets one, at the value's path, "
    "naming the findings on the value or its row.",
    Text(
        "{label}：文字识别可信度{score:.2f}，请对照原件核对",
        "read by OCR with confidence {score:.2f}: check it against the original",
    ),
    {"label": "台账明细 第2行 › 身份证号码", "score": 0.42},
    variants={
        "related": Message(
            Text(
                "{label}：文字识别可信度{score:.2f}，请对照原件核对；请复核：{codes}",
                "read by OCR with confidence {score:.2f}: check it against the original; "
                "double-check: {codes}",
            ),
            {
                "label": "台账明细 第2行 › 身份证号码",
                "score": 0.42,
                "codes": Join(("age-mismatch", "invalid-id-number")),
            },
        ),
        "pages": Message(
            Text(
                "第{pages}页没有可用的文字层（扫描件或字体缺少编码），这些页未能核对",
                "pages {pages} have no usable text layer (scanned, or fonts without a Unicode "
                "map) and were not checked",
            ),
            {"pages": Join((2, 3))},
        ),
        "document": Message(
            Text(
                "文字识别可信度{confidence:.2f}，以下结果请人工复核",
                "text confidence {confidence:.2f}: double-check the findings",
            ),
            {"confidence": 0.62},
        ),
        "near-tie": Message(
            Text(
                "读作{annex}（得分{score:.2f}），但也接近{runner_up}（得分{second:.2f}）：请确认文件类型",
                "read as {annex} (score {score:.2f}), but it is close to {runner_up} (score "
                "{second:.2f}): check which annex this is",
            ),
            {"annex": "ledger", "score": 0.78, "runner_up": "signin", "second": 0.72},
        ),
        "note": Message(
            Text("{document}：{reason}", "{document}: {reason}"),
            {
                "document": "扫描件.pdf",
                "reason": Text(
                    "第1页尺寸过大，已降至 150 dpi 识别，结果可能不准确",
                    "page 1 is too large: it was read at 150 dpi and the result may be wrong",
                ),
            },
        ),
    },
)

declare(
    "calendar-provisional",
    "warning",
    "package",
    "工作日历为临时推算",
    "A working-day rule needed a year the official calendar does not cover; the result "
    "counts weekends only.",
    Text(
        "{years}年的法定节假日安排尚无官方数据，工作日仅按周末推算（可用 annex calendar add-year "
        "补充）",
        "no official holiday data for {years}: working days were counted by weekends only "
        "(add the year with `annex calendar add-year`)",
    ),
    {"years": Join((2031,))},
)
