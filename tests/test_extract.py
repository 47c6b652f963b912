"""Extraction units: value normalisation, inline labels, header shapes, label conflicts."""

from __future__ import annotations

import pytest

from annexkit import ANNEXES
from annexkit.checker.extract import extract, inline_pairs, inline_spans
from annexkit.checker.labels import annex_labels
from annexkit.checker.layout import Cell, LayoutDocument, Paragraph, Table
from annexkit.checker.normalize import normalize, parse_date, parse_date_range
from annexkit.contract.schema import node_at


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020年5月6日", "2020-05-06"),
        ("2020.5.6", "2020-05-06"),
        ("2020/05/06", "2020-05-06"),
        ("2020-5-6", "2020-05-06"),
        ("２０２０年５月６日", "2020-05-06"),
        ("2025年2月30日", "2025-02-30"),  # kept, so validation says it does not exist
        ("五月六日", None),
    ],
)
def test_dates(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020.05.06-2020.05.20", ("2020-05-06", "2020-05-20")),
        ("2020年5月6日至5月20日", ("2020-05-06", "2020-05-20")),
        ("2020年5月6日—2020年5月20日", ("2020-05-06", "2020-05-20")),
        ("2020/5/6~2020/5/20", ("2020-05-06", "2020-05-20")),
        ("2020-05-06至2020-05-20", ("2020-05-06", "2020-05-20")),
    ],
)
def test_date_ranges(text: str, expected: tuple[str, str]) -> None:
    assert parse_date_range(text) == expected


@pytest.mark.parametrize(
    ("annex", "path", "raw", "value"),
    [
        ("ledger", ("rows", 0, "gender"), "男性", "男"),
        ("ledger", ("rows", 0, "education"), "技校", "技工学校"),
        ("ledger", ("rows", 0, "education"), "大学本科", "本科"),
        ("ledger", ("rows", 0, "skill_level"), "四级", "中级工"),
        ("ledger", ("rows", 0, "score"), "合格", "合格"),
        ("ledger", ("rows", 0, "score"), "85.5", 85.5),
        ("ledger", ("rows", 0, "age"), "35岁", 35),
        ("ledger", ("rows", 0, "id_number"), "4407 0319 9001 0112 3x", "44070319900101123X"),
        ("ledger", ("rows", 0, "name"), "张  三", "张三"),
        ("ledger", ("rows", 0, "phone"), "+86 139 0000 1234", "13900001234"),
        ("filing", ("training", "budget", "total"), "¥1,200.00元", 1200),
        ("agreement", ("fee", "total_in_words"), "壹仟贰佰元整", "壹仟贰佰元整"),
        ("signin", ("rows", 0, "signed_in"), "张三", True),
        ("signin", ("rows", 0, "signed_in"), "√", True),
        ("signin", ("rows", 0, "signed_in"), "/", False),
        ("signin", ("actual_count",), "　　人", None),
    ],
)
def test_normalize(annex: str, path: tuple[str | int, ...], raw: str, value: object) -> None:
    assert normalize(node_at(annex, path), raw) == value


def test_inline_pairs() -> None:
    assert list(inline_pairs("signin", "培训项目：焊工（初级）  日期：2025年5月6日")) == [
        ("培训项目", "焊工（初级）"),
        ("日期", "2025年5月6日"),
    ]
    assert list(inline_pairs("signin", "应到　20　人，实到　　人")) == [
        ("应到", "20　人"),
        ("实到", "人"),
    ]
    prose = "七、培训费用：每人1500元，共计18000元（大写：壹万捌仟元整）。"
    assert list(inline_pairs("agreement", prose, prose=True)) == [
        ("培训费用", ""),
        ("每人", "1500元"),
        ("共计", "18000元"),
        ("大写", "壹万捌仟元整"),
    ]
    # a label inside a sentence is no label
    assert list(inline_pairs("agreement", "按照备案的培训项目组织教学")) == []


def test_labels_where_ocr_lost_the_space_before_them() -> None:
    """OCR drops the blank between a value and the next label. After a figure a label with
    a colon counts in any text; after a character only in text read by OCR (``spaced``
    false), and only a label of three characters or more: 班级 glued to a name may be
    part of a word, 班主任： is not."""
    line = "日期：2024.05.27 08:30-11:30授课老师：伍平班主任：林兰"
    assert [(k, v) for k, v, _ in inline_spans("signin", line, spaced=False)] == [
        ("日期", "2024.05.27 08:30-11:30"),
        ("授课老师", "伍平"),
        ("班主任", "林兰"),
    ]
    # typed text keeps its words together: no label inside 伍平班主任
    assert [(k, v) for k, v, _ in inline_spans("signin", line)][1] == (
        "授课老师",
        "伍平班主任：林兰",
    )
    assert [k for k, _, _ in inline_spans("signin", "江门市五邑学校班级：一班", spaced=False)] == []
    assert [k for k, _, _ in inline_spans("signin", "江门市五邑学校 班级：一班", spaced=False)] == [
        "班级"
    ]


def test_inked_blanks_sign_the_label_they_follow() -> None:
    """A scan's signature lines: ink seen in a blank (``Paragraph.inked``) signs the label
    before it, and only that one; a label at the end of a line without a colon counts."""
    line = "授课老师（签名）： 班主任（签名）： 培训对象代表（签名）："
    teacher_blank = line.index("：") + 1
    document = LayoutDocument("x.png", "png", [Paragraph(line, 1, inked=(teacher_blank,))])
    assert extract(document, "signin").data["confirmations"] == {
        "teacher_signed": True,
        "head_teacher_signed": False,
        "trainee_rep_signed": False,
    }
    parties = "甲方(盖章) 乙方(盖章)"
    for inked, expected in (((6,), (True, False)), ((len(parties),), (False, True))):
        data = extract(
            LayoutDocument("a.pdf", "pdf", [Paragraph(parties, 1, inked=inked)]), "agreement"
        ).data
        assert (data["signed_a"], data["signed_b"]) == expected, inked
    # leading blanks of a line do not shift the offsets
    padded = LayoutDocument("x.png", "png", [Paragraph("  " + line, 1, inked=(teacher_blank + 2,))])
    assert extract(padded, "signin").data["confirmations"]["teacher_signed"] is True


def _table(rows: list[list[tuple[str, int]]]) -> Table:
    cells = []
    for r, row in enumerate(rows):
        column = 0
        for text, span in row:
            cells.append(Cell(text, r, column, colspan=span))
            column += span
    return Table(1, cells)


def test_two_row_header_and_other_column_order() -> None:
    table = _table(
        [
            [("姓名", 1), ("身份证号码", 1), ("培训起止日期", 2), ("成绩", 1)],
            [("", 1), ("", 1), ("开始日期", 1), ("结束日期", 1), ("", 1)],
            [
                ("陈伟", 1),
                ("11010519491231002X", 1),
                ("2025.5.6", 1),
                ("2025.5.20", 1),
                ("合格", 1),
            ],
            [("注：成绩由培训机构填写", 5)],
        ]
    )
    document = LayoutDocument("t", "docx", [Paragraph("培训台账", 1), table])
    rows = extract(document, "ledger").data["rows"]
    assert rows == [
        {
            "name": "陈伟",
            "id_number": "11010519491231002X",
            "start_date": "2025-05-06",
            "end_date": "2025-05-20",
            "score": "合格",
        }
    ]


@pytest.mark.parametrize("annex", ANNEXES)
def test_no_label_means_two_things(annex: str) -> None:
    """A label key is a section title or a field label, never both: the extractor could
    not tell which a form means."""
    labels = annex_labels(annex)
    assert not set(labels.sections) & set(labels.scalars)
    assert not set(labels.sections) & set(labels.ranges)


@pytest.mark.parametrize("signed", ["a", "b"])
def test_a_shared_signature_label_belongs_to_the_party_above_it(signed: str) -> None:
    """``法定代表人（签字）`` stands under both parties' blocks: the one under 甲方（盖章）
    signs party A, the one under 乙方（盖章） party B. A signed representative under party
    A made party B look signed."""

    def block(party: str) -> list[Paragraph]:
        mark = party == signed
        return [
            Paragraph(
                f"{'甲' if party == 'a' else '乙'}方（盖章）：", 0, inked=(7,) if mark else ()
            ),
            Paragraph("法定代表人（签字）：", 0, inked=(10,) if mark else ()),
        ]

    document = LayoutDocument("x.docx", "docx", [*block("a"), *block("b")])
    data = extract(document, "agreement").data
    assert (data["signed_a"], data["signed_b"]) == (signed == "a", signed == "b")
