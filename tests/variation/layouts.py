"""Layouts: the ways institutions lay out each annex themselves, one registry entry per layout.

``LAYOUTS[annex]`` lists :class:`Layout` entries. A layout writes one document (DOCX with
python-docx or XLSX with openpyxl, never annexkit's templates) from the canonical record and
returns the record as shown: the truth of what a reader can get from that file (a sign-in
layout without an ID column shows no ID numbers; an optional field left out is absent).
A form a user reports that the checker cannot read becomes one more entry here.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.variation.notations import Style, rmb_upper
from tests.variation.office import (
    Docx,
    Sheet,
    merge,
    no_borders,
    put,
    scribble_png,
    stamp_png,
    workbook,
)

Record = dict[str, Any]


@dataclass
class Ctx:
    """What a layout draws with: the document's notations, its randomness, its marks."""

    rng: random.Random
    style: Style
    dropped: set[tuple[str, ...]] = field(default_factory=set)

    def label(self, *variants: str) -> str:
        return self.rng.choice(variants)

    def keep(self, path: tuple[str, ...], share: float = 0.75) -> bool:
        """Whether an optional field is printed; a left-out one is dropped from the truth."""
        if self.rng.random() < share:
            return True
        self.dropped.add(path)
        return False

    def mark(self, signed: bool, name: str, *, how: str | None = None) -> Any:
        """A signature: a typed name or a scribble (unsigned: nothing)."""
        if not signed:
            return ""
        how = how or self.rng.choice(("name", "image"))
        if how == "image":
            return ("png", scribble_png(self.rng), 2.2)
        return name

    def cell_mark(self, signed: bool, name: str) -> Any:
        """A 签到/签退 cell: ✓, √, the name or a scribble, in the document's habit."""
        if not signed:
            return ""
        how = self.style.signature
        if how == "image":
            return ("png", scribble_png(self.rng, 150, 50), 1.3)
        return {"tick": "✓", "check": "√", "name": name}[how]

    def stamp(self, signed: bool) -> Any:
        return ("png", stamp_png(self.rng), 2.8) if signed else ""


Writer = Callable[[Record, Ctx, Path], None]


@dataclass(frozen=True)
class Layout:
    name: str
    annex: str
    fmt: str
    """``docx`` or ``xlsx``."""
    write: Writer
    features: frozenset[str] = frozenset()
    """What the layout shows that a fault may need (``id_number``: sign-in rows carry ID
    numbers)."""

    def render(self, record: Record, ctx: Ctx, path: Path) -> Record:
        """Write the document to ``path`` and return the record it shows."""
        self.write(record, ctx, path)
        shown = copy.deepcopy(record)
        if self.annex == "signin" and "id_number" not in self.features:
            for row in shown["rows"]:
                row.pop("id_number", None)
        for dropped in ctx.dropped:
            _drop(shown, dropped)
        cleaned: Record = _without_blanks(shown)
        return cleaned


def words_figure(fee: Record) -> Any:
    """The amount the record's 大写 spells (``fee["total_in_words"]``): the figure, unless a
    fault spelled another. Every layout writes the words in its own notation (圆, 萬, 零角零
    分) from this amount, so a fault in the words reaches the page."""
    total = Decimal(fee["total"])
    words = fee.get("total_in_words")
    for step in range(0, 200):
        for candidate in (total + 100 * step, total - 100 * step):
            if rmb_upper(candidate) == words:
                return candidate
    return fee["total"]


def _drop(record: Any, path: tuple[str, ...]) -> None:
    if path[0] == "*":  # in every item of a list
        for item in record:
            _drop(item, path[1:])
        return
    if len(path) == 1:
        if isinstance(record, dict):
            record.pop(path[0], None)
        return
    nxt = record.get(path[0]) if isinstance(record, dict) else None
    if nxt is not None:
        _drop(nxt, path[1:])


def _without_blanks(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_blanks(v) for k, v in value.items() if v not in ("", None)}
    if isinstance(value, list):
        return [_without_blanks(v) for v in value]
    return value


LAYOUTS: dict[str, list[Layout]] = {"filing": [], "agreement": [], "ledger": [], "signin": []}


def layout(annex: str, fmt: str, *features: str) -> Callable[[Writer], Writer]:
    def register(write: Writer) -> Writer:
        name = write.__name__.lstrip("_").replace("_", "-")
        LAYOUTS[annex].append(Layout(name, annex, fmt, write, frozenset(features)))
        return write

    return register


def _year(record: Record, *keys: str) -> str:
    value: Any = record
    for key in keys:
        value = value[key]
    return str(value)[:4]


# ============================================================================ filing

Pair = tuple[str, Any]


def _enterprise(r: Record, c: Ctx) -> list[Pair]:
    e = r["enterprise"]
    s = c.style
    out: list[Pair] = [
        (c.label("企业名称", "企业名称（盖章）", "单位名称"), e.get("name", "")),
        (c.label("统一社会信用代码", "社会信用代码"), e.get("credit_code", "")),
        (c.label("地址", "企业地址", "单位地址"), e.get("address", "")),
    ]
    if c.keep(("enterprise", "legal_representative")):
        out.append((c.label("法定代表人", "法人代表"), e.get("legal_representative", "")))
    out.append((c.label("联系人", "经办人"), e.get("contact_person", "")))
    out.append((c.label("联系电话", "联系方式"), s("phone", e["contact_phone"])))
    if c.keep(("enterprise", "employee_count")):
        out.append((c.label("职工人数", "在职职工人数"), s("count", e["employee_count"])))
    return out


def _institution(r: Record, c: Ctx) -> list[Pair]:
    i = r["institution"]
    out: list[Pair] = [
        (c.label("培训机构名称", "机构名称", "承训机构名称"), i["name"]),
        (c.label("统一社会信用代码", "社会信用代码"), i["credit_code"]),
    ]
    if c.keep(("institution", "license_no")):
        out.append((c.label("办学许可证号", "办学许可证编号"), i["license_no"]))
    if c.keep(("institution", "address")):
        out.append((c.label("地址", "办学地址"), i["address"]))
    out.append((c.label("联系人", "经办人"), i["contact_person"]))
    out.append((c.label("联系电话", "联系方式"), c.style("phone", i["contact_phone"])))
    return out


def _plan(r: Record, c: Ctx, use_range: bool | None = None) -> list[Pair]:
    t = r["training"]
    s = c.style
    if use_range is None:
        use_range = c.rng.random() < 0.5
    out: list[Pair] = [
        (c.label("培训项目", "培训项目名称"), t["project"]),
        (c.label("培训目标", "培训目的"), t["objective"]),
        (c.label("培训职业（工种）", "培训工种", "职业（工种）"), t["occupation"]),
        (c.label("培训等级", "培训级别"), s("level", t["level"])),
        (c.label("培训类型", "培训类别"), t["type"]),
        (c.label("培训人数", "参训人数", "计划培训人数"), s("count", t["headcount"])),
    ]
    if use_range:
        out.append(
            (
                c.label("培训起止时间", "培训时间", "培训起止日期"),
                s("date_range", (t["start_date"], t["end_date"])),
            )
        )
    else:
        out.append((c.label("培训开始日期", "开班日期"), s("date", t["start_date"])))
        out.append((c.label("培训结束日期", "结业日期"), s("date", t["end_date"])))
    out += [
        (c.label("培训地点", "上课地点"), t["location"]),
        (c.label("总学时", "培训总学时"), s("hours", t["total_hours"])),
        (c.label("培训对象范围", "培训对象"), t["target_scope"]),
        (c.label("培训内容大纲", "主要培训内容"), t["syllabus"]),
        (c.label("考核评价方式", "考核方式"), s("assessment_type", t["assessment_type"])),
    ]
    return out


def _teachers_text(r: Record) -> str:
    return "、".join(f"{t['name']}（{t['title']}）" for t in r["training"]["teachers"])


def _filing_title(r: Record, c: Ctx) -> str:
    year = _year(r, "training", "start_date")
    return c.label(
        "企业职工培训备案表", f"企业职工培训备案表（{year}年）", "企业职工培训备案表（附件5）"
    )


def _docx_rows(
    doc: Docx,
    header: list[str],
    rows: list[list[Any]],
    caption: str | None = None,
    widths: list[float] | None = None,
) -> Any:
    extra = 1 if caption else 0
    table = doc.table(len(rows) + 1 + extra, len(header), widths=widths)
    if caption:
        merge(table, 0, 0, 0, len(header) - 1, caption, bold=True)
    for col, text in enumerate(header):
        put(table.cell(extra, col), text, bold=True, center=True)
    for r_index, row in enumerate(rows, start=1 + extra):
        for col, value in enumerate(row):
            put(table.cell(r_index, col), value)
    return table


def _teacher_rows(r: Record, c: Ctx) -> tuple[list[str], list[list[Any]]]:
    header = [
        "序号",
        c.label("姓名", "教师姓名"),
        c.label("职称", "职称/职务"),
        c.label("证书编号", "资格证书编号"),
    ]
    rows = [
        [str(i + 1), t["name"], t["title"], t["certificate_no"]]
        for i, t in enumerate(r["training"]["teachers"])
    ]
    return header, rows


def _schedule_rows(r: Record, c: Ctx) -> tuple[list[str], list[list[Any]]]:
    s = c.style
    header = [
        c.label("日期", "培训日期"),
        c.label("时段", "上课时间"),
        c.label("培训内容", "课程内容"),
        c.label("学时", "课时"),
        c.label("授课老师", "授课教师"),
    ]
    rows = [
        [
            s("date", e["date"]),
            s("session", e["session"]),
            e["content"],
            str(e["hours"]),
            e["teacher"],
        ]
        for e in r["training"]["schedule"]
    ]
    return header, rows


def _budget_rows(r: Record, c: Ctx) -> tuple[list[str], list[list[Any]]]:
    s = c.style
    b = r["training"]["budget"]
    header = [c.label("项目", "费用项目"), c.label("金额（元）", "金额")]
    rows = [[i["item"], s("money", i["amount"])] for i in b["items"]]
    rows.append([c.label("合计（元）", "合计"), s("money", b["total"])])
    return header, rows


def _roster_rows(r: Record, c: Ctx) -> tuple[list[str], list[list[Any]]]:
    s = c.style
    header = [
        "序号",
        c.label("姓名", "学员姓名"),
        "性别",
        c.label("身份证号码", "公民身份号码", "身份证号"),
        c.label("文化程度", "学历"),
        c.label("联系电话", "手机号码"),
        c.label("岗位", "工作岗位"),
    ]
    rows = [
        [
            str(i + 1),
            p["name"],
            s("gender", p["gender"]),
            s("id_number", p["id_number"]),
            s("education", p["education"]),
            s("phone", p["phone"]),
            p["position"],
        ]
        for i, p in enumerate(r["roster"])
    ]
    return header, rows


def _filing_footer(doc: Docx, r: Record, c: Ctx) -> None:
    doc.para()
    doc.line([c.label("企业（盖章）：", "填报单位（盖章）："), ("png", stamp_png(c.rng), 2.6)])
    doc.para(f"{c.label('报备日期', '填报日期', '备案日期')}：{c.style('date', r['filing_date'])}")


def _filing_lists_docx(doc: Docx, r: Record, c: Ctx) -> None:
    for caption, (header, rows) in (
        (c.label("师资队伍构成", "师资情况"), _teacher_rows(r, c)),
        (c.label("学时日程", "培训日程", "课程安排"), _schedule_rows(r, c)),
        (c.label("培训成本预算", "培训经费预算"), _budget_rows(r, c)),
    ):
        doc.para(caption, bold=True)
        _docx_rows(doc, header, rows)
    doc.para(c.label("培训人员名册", "参训人员名册", "学员名册"), bold=True)
    header, rows = _roster_rows(r, c)
    _docx_rows(doc, header, rows)


@layout("filing", "docx")
def _filing_kv2_sections(r: Record, c: Ctx, path: Path) -> None:
    """Two columns, label beside value; section captions across the table."""
    doc = Docx()
    doc.title(_filing_title(r, c))
    sections = [
        ("一、企业基本情况", _enterprise(r, c)),
        ("二、培训机构基本情况", _institution(r, c)),
        ("三、培训计划", _plan(r, c)),
    ]
    count = sum(len(p) + 1 for _, p in sections)
    table = doc.table(count, 2, widths=[4.5, 12.5])
    row = 0
    for caption, pairs in sections:
        merge(table, row, 0, row, 1, caption, bold=True)
        row += 1
        for label, value in pairs:
            put(table.cell(row, 0), label)
            put(table.cell(row, 1), value)
            row += 1
    _filing_lists_docx(doc, r, c)
    _filing_footer(doc, r, c)
    doc.save(path)


@layout("filing", "docx")
def _filing_kv4_merged_sections(r: Record, c: Ctx, path: Path) -> None:
    """A section label merged down the first column, then label|value|label|value."""
    doc = Docx()
    doc.title(_filing_title(r, c))
    sections = [
        ("企业基本情况", _enterprise(r, c)),
        ("培训机构基本情况", _institution(r, c)),
        ("培训计划", _plan(r, c)),
    ]
    heights = [(len(p) + 1) // 2 for _, p in sections]
    table = doc.table(sum(heights), 5, widths=[1.6, 3.0, 5.0, 3.0, 5.0])
    row = 0
    for (caption, pairs), height in zip(sections, heights, strict=True):
        merge(table, row, 0, row + height - 1, 0, "\n".join(caption), center=True)
        for index, (label, value) in enumerate(pairs):
            r_, col = row + index // 2, 1 + 2 * (index % 2)
            put(table.cell(r_, col), label)
            put(table.cell(r_, col + 1), value)
        if len(pairs) % 2:
            last = row + height - 1
            merge(table, last, 2, last, 4)
        row += height
    _filing_lists_docx(doc, r, c)
    _filing_footer(doc, r, c)
    doc.save(path)


@layout("filing", "docx")
def _filing_labels_above(r: Record, c: Ctx, path: Path) -> None:
    """Labels in one row, their values in the row below, three to a row."""
    doc = Docx()
    doc.title(_filing_title(r, c))
    for caption, pairs in (
        ("企业基本情况", _enterprise(r, c)),
        ("培训机构基本情况", _institution(r, c)),
        ("培训计划", _plan(r, c, use_range=True)),
    ):
        doc.para(caption, bold=True)
        chunks = [pairs[i : i + 3] for i in range(0, len(pairs), 3)]
        table = doc.table(2 * len(chunks), 3)
        for index, chunk in enumerate(chunks):
            for col in range(3):
                label, value = chunk[col] if col < len(chunk) else ("", "")
                put(table.cell(2 * index, col), label, bold=True, center=True)
                put(table.cell(2 * index + 1, col), value, center=True)
    _filing_lists_docx(doc, r, c)
    _filing_footer(doc, r, c)
    doc.save(path)


@layout("filing", "docx")
def _filing_prose_lines(r: Record, c: Ctx, path: Path) -> None:
    """``label：value`` lines with suffixes, lists as tables, teachers in a sentence."""
    doc = Docx()
    doc.title(_filing_title(r, c))
    for caption, pairs in (
        ("一、企业基本情况", _enterprise(r, c)),
        ("二、培训机构基本情况", _institution(r, c)),
        ("三、培训计划", _plan(r, c)),
    ):
        doc.para(caption, bold=True)
        for label, value in pairs:
            doc.para(f"{label}：{value}")
    doc.para(f"{c.label('师资队伍构成', '授课教师')}：{_teachers_text(r)}")
    for caption, (header, rows) in (
        (c.label("学时日程", "培训日程"), _schedule_rows(r, c)),
        ("培训成本预算", _budget_rows(r, c)),
    ):
        doc.para(caption, bold=True)
        _docx_rows(doc, header, rows)
    doc.para("培训人员名册", bold=True)
    header, rows = _roster_rows(r, c)
    _docx_rows(doc, header, rows)
    _filing_footer(doc, r, c)
    doc.save(path)


@layout("filing", "docx")
def _filing_one_big_table(r: Record, c: Ctx, path: Path) -> None:
    """Everything in one 7-column table: key/value rows, then the lists under caption rows."""
    doc = Docx(landscape=True)
    doc.title(_filing_title(r, c))
    pairs = [
        ("企业基本情况", _enterprise(r, c)),
        ("培训机构基本情况", _institution(r, c)),
        ("培训计划", _plan(r, c)),
    ]
    lists = [
        (c.label("师资队伍构成", "师资情况"), _teacher_rows(r, c)),
        (c.label("学时日程", "培训日程"), _schedule_rows(r, c)),
        ("培训成本预算", _budget_rows(r, c)),
        (c.label("培训人员名册", "参训人员花名册"), _roster_rows(r, c)),
    ]
    kv_rows = sum(1 + (len(p) + 2) // 3 for _, p in pairs)
    list_rows = sum(2 + len(rows) for _, (_h, rows) in lists)
    table = doc.table(kv_rows + list_rows + 1, 7)
    row = 0
    for caption, items in pairs:
        merge(table, row, 0, row, 6, caption, bold=True)
        row += 1
        for start in range(0, len(items), 3):
            for k, (label, value) in enumerate(items[start : start + 3]):
                put(table.cell(row, 2 * k), label)
                put(table.cell(row, 2 * k + 1), value)
            row += 1
    for caption, (header, rows) in lists:
        merge(table, row, 0, row, 6, caption, bold=True)
        row += 1
        width = len(header)
        for k, text in enumerate(header):
            if k == width - 1 and width < 7:
                merge(table, row, k, row, 6, text, bold=True)
            else:
                put(table.cell(row, k), text, bold=True)
        row += 1
        for values in rows:
            for k, text in enumerate(values):
                if k == width - 1 and width < 7:
                    merge(table, row, k, row, 6, text)
                else:
                    put(table.cell(row, k), text)
            row += 1
    merge(table, row, 0, row, 1, c.label("报备日期", "填报日期"))
    merge(table, row, 2, row, 6, c.style("date", r["filing_date"]))
    doc.save(path)


def _xlsx_kv(sheet: Sheet, row: int, pairs: list[Pair], per_row: int) -> int:
    for start in range(0, len(pairs), per_row):
        for k, (label, value) in enumerate(pairs[start : start + per_row]):
            sheet.put(row, 1 + 2 * k, label, bold=True)
            sheet.put(row, 2 + 2 * k, value, center=False)
        row += 1
    return row


def _xlsx_rows(
    sheet: Sheet,
    row: int,
    header: list[str],
    rows: list[list[Any]],
    caption: str | None,
    width: int,
) -> int:
    if caption:
        sheet.merge(row, 1, row, width, caption, bold=True)
        row += 1
    for k, text in enumerate(header, start=1):
        sheet.put(row, k, text, bold=True)
    row += 1
    for values in rows:
        for k, value in enumerate(values, start=1):
            sheet.put(row, k, value)
        row += 1
    return row


@layout("filing", "xlsx")
def _filing_xlsx_one_sheet(r: Record, c: Ctx, path: Path) -> None:
    """An Excel form: merged title row, key/value rows two pairs wide, lists below."""
    book, sheet = workbook()
    sheet.ws.title = "备案表"
    sheet.widths([12, 30, 12, 30, 12, 16, 12])
    sheet.merge(1, 1, 1, 7, _filing_title(r, c), bold=True, size=16, box=False)
    row = 2
    for caption, pairs in (
        ("企业基本情况", _enterprise(r, c)),
        ("培训机构基本情况", _institution(r, c)),
        ("培训计划", _plan(r, c)),
    ):
        sheet.merge(row, 1, row, 7, caption, bold=True)
        row = _xlsx_kv(sheet, row + 1, pairs, 2)
    for caption, (header, rows) in (
        (c.label("师资队伍构成", "师资情况"), _teacher_rows(r, c)),
        (c.label("学时日程", "培训日程"), _schedule_rows(r, c)),
        ("培训成本预算", _budget_rows(r, c)),
        ("培训人员名册", _roster_rows(r, c)),
    ):
        row = _xlsx_rows(sheet, row, header, rows, caption, 7)
    sheet.put(row + 1, 1, c.label("报备日期", "填报日期"), bold=True)
    sheet.put(row + 1, 2, c.style("date", r["filing_date"]))
    sheet.setup()
    book.save(str(path))


@layout("filing", "xlsx")
def _filing_xlsx_sheets(r: Record, c: Ctx, path: Path) -> None:
    """One sheet per part: 基本情况 (label|value), 师资及日程, 培训人员名册."""
    book, sheet = workbook()
    sheet.ws.title = "基本情况"
    sheet.widths([22, 48])
    sheet.merge(1, 1, 1, 2, _filing_title(r, c), bold=True, size=16, box=False)
    row = 2
    for caption, pairs in (
        ("企业基本情况", _enterprise(r, c)),
        ("培训机构基本情况", _institution(r, c)),
        ("培训计划", _plan(r, c)),
    ):
        sheet.merge(row, 1, row, 2, caption, bold=True)
        row = _xlsx_kv(sheet, row + 1, pairs, 1)
    sheet.put(row, 1, c.label("报备日期", "填报日期"), bold=True)
    sheet.put(row, 2, c.style("date", r["filing_date"]))
    sheet.setup()
    second = Sheet(book.create_sheet("师资及日程"))
    second.widths([16, 14, 22, 10, 14])
    row = 1
    for caption, (header, rows) in (
        ("师资队伍构成", _teacher_rows(r, c)),
        (c.label("学时日程", "课程安排"), _schedule_rows(r, c)),
        ("培训成本预算", _budget_rows(r, c)),
    ):
        row = _xlsx_rows(second, row, header, rows, caption, 5) + 1
    second.setup()
    third = Sheet(book.create_sheet("培训人员名册"))
    third.widths([6, 10, 6, 22, 10, 16, 12])
    header, rows = _roster_rows(r, c)
    _xlsx_rows(third, 1, header, rows, c.label("培训人员名册", "参训人员名册"), 7)
    third.setup()
    book.save(str(path))


@layout("filing", "docx")
def _filing_kv4_inline_lists(r: Record, c: Ctx, path: Path) -> None:
    """A 4-column grid; teachers and budget written out in cells, schedule and roster tables."""
    doc = Docx()
    doc.title(_filing_title(r, c))
    institution = _institution(r, c)
    pairs = _enterprise(r, c) + institution[:1] + _plan(r, c)
    b = r["training"]["budget"]
    s = c.style
    budget = "；".join(f"{i['item']}{s('money', i['amount'])}" for i in b["items"])
    long_pairs = [
        (c.label("师资队伍构成", "授课教师"), _teachers_text(r)),
        (c.label("培训成本预算", "经费预算"), f"{budget}；合计{s('money', b['total'])}"),
    ]
    inst = institution[1:]
    rows = (len(pairs) + 1) // 2 + 1 + (len(inst) + 1) // 2 + len(long_pairs)
    table = doc.table(rows, 4, widths=[3.2, 5.3, 3.2, 5.3])
    row = 0
    for index, (label, value) in enumerate(pairs):
        put(table.cell(row + index // 2, 2 * (index % 2)), label)
        put(table.cell(row + index // 2, 2 * (index % 2) + 1), value)
    row += (len(pairs) + 1) // 2
    merge(table, row, 0, row, 3, "培训机构基本情况", bold=True)
    row += 1
    for index, (label, value) in enumerate(inst):
        put(table.cell(row + index // 2, 2 * (index % 2)), label)
        put(table.cell(row + index // 2, 2 * (index % 2) + 1), value)
    row += (len(inst) + 1) // 2
    for label, value in long_pairs:
        put(table.cell(row, 0), label)
        merge(table, row, 1, row, 3, value)
        row += 1
    for caption, (header, items) in (
        (c.label("学时日程", "培训日程"), _schedule_rows(r, c)),
        ("培训人员名册", _roster_rows(r, c)),
    ):
        doc.para(caption, bold=True)
        _docx_rows(doc, header, items)
    _filing_footer(doc, r, c)
    doc.save(path)


# ========================================================================= agreement


def _party_lines(r: Record, c: Ctx, key: str) -> list[Pair]:
    p = r[key]
    title = (
        c.label("甲方（培训组织实施单位）", "甲方", "委托方（甲方）")
        if key == "party_a"
        else c.label("乙方（培训机构）", "乙方", "受托方（乙方）")
    )
    out: list[Pair] = [
        (title, p.get("name", "")),
        (c.label("统一社会信用代码", "社会信用代码"), p["credit_code"]),
    ]
    if key == "party_b" and c.keep(("party_b", "license_no")):
        out.append(("办学许可证号", p["license_no"]))
    if c.keep((key, "address")):
        out.append((c.label("地址", "住所"), p["address"]))
    if c.keep((key, "legal_representative")):
        out.append((c.label("法定代表人", "负责人"), p["legal_representative"]))
    if c.keep((key, "contact_person")):
        out.append(("联系人", p["contact_person"]))
    if c.keep((key, "contact_phone")):
        out.append(("联系电话", c.style("phone", p["contact_phone"])))
    return out


def _fee_sentence(r: Record, c: Ctx) -> str:
    s = c.style
    f = r["fee"]
    t = r["training"]
    words = s("money_words", words_figure(f))
    forms = [
        f"培训费用按每人 {s('per_person', f['per_person'])} 计，合计人民币 {s('money', f['total'])}"
        f"（大写：{words}）。",
        f"培训费标准为{s('per_person', f['per_person'])}，培训人数{s('count', t['headcount'])}，"
        f"培训费总额：{s('money', f['total'])}，人民币（大写）：{words}。",
        f"培训费用共计{s('money', f['total'])}（人民币大写：{words}），"
        f"即每人{s('per_person', f['per_person'])}。",
    ]
    return c.rng.choice(forms)


def _training_sentence(r: Record, c: Ctx) -> str:
    s = c.style
    t = r["training"]
    forms = [
        f"培训人数为 {s('count', t['headcount'])}，培训时间为 "
        f"{s('date', t['start_date'])}至{s('date', t['end_date'])}，"
        f"共 {s('hours', t['total_hours'])}。",
        f"本期培训共{s('count', t['headcount'])}，培训期限自{s('date', t['start_date'])}起至"
        f"{s('date', t['end_date'])}止，总学时{s('hours', t['total_hours'])}。",
        f"培训人数：{s('count', t['headcount'])}；"
        f"培训起止时间：{s('date_range', (t['start_date'], t['end_date']))}；"
        f"总学时：{s('hours', t['total_hours'])}。",
    ]
    return c.rng.choice(forms)


CLAUSES = (
    "甲方负责组织本单位职工参加培训，提供参训人员名单及相关资料。",
    "乙方负责制定教学计划，配备合格师资，保证培训质量，建立培训台账及出勤签到记录。",
    "乙方应按规定组织考核评价，并协助甲方申领职业培训补贴。",
    "任何一方违反本协议约定的，应承担相应的违约责任。",
    "本协议一式三份，甲乙双方各执一份，报人力资源社会保障部门备案一份，自双方签字盖章之日起生效。",
)


def _signature_block_table(doc: Docx, r: Record, c: Ctx) -> None:
    table = doc.table(3, 2, grid=False)
    no_borders(table)
    date = c.style("date", r["signed_date"])
    for col, key, rep in ((0, "signed_a", r["party_a"]), (1, "signed_b", r["party_b"])):
        side = "甲方" if col == 0 else "乙方"
        put(table.cell(0, col), [f"{side}（盖章）：", c.stamp(bool(r[key]))])
        put(
            table.cell(1, col),
            [
                c.label("法定代表人或委托代理人（签字）：", "代表人（签字）："),
                c.mark(bool(r[key]), rep.get("legal_representative", "") or ""),
            ],
        )
        put(table.cell(2, col), f"{c.label('日期', '签订日期')}：{date}")


def _signature_block_lines(doc: Docx, r: Record, c: Ctx) -> None:
    date = c.style("date", r["signed_date"])
    for key, side, rep in (("signed_a", "甲方", r["party_a"]), ("signed_b", "乙方", r["party_b"])):
        doc.line([f"{side}（盖章）：", c.stamp(bool(r[key]))])
        doc.line(
            ["法定代表人（签字）：", c.mark(bool(r[key]), rep.get("legal_representative", ""))]
        )
        doc.para(f"日期：{date}")
        doc.para()
    doc.para(f"签订日期：{date}")


def _agreement_prose(r: Record, c: Ctx, path: Path, *, numbered: str, block: str) -> None:
    doc = Docx()
    doc.title(c.label("培训组织实施单位与培训机构合作培训协议", "合作培训协议", "委托培训协议"))
    for key in ("party_a", "party_b"):
        for label, value in _party_lines(r, c, key):
            doc.para(f"{label}：{value}")
        doc.para()
    doc.para("为提升职工职业技能，经双方协商，就合作开展职业技能培训达成如下协议：")
    t = r["training"]
    s = c.style
    heads = (
        ["一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、", "九、", "十、"]
        if numbered == "cn"
        else [f"第{n}条 " for n in "一二三四五六七八九十"]
    )
    body = [
        f"培训项目：{t['project']}；培训职业（工种）：{t['occupation']}；"
        f"培训等级：{s('level', t['level'])}。",
        _training_sentence(r, c),
        f"培训地点：{t['location']}。"
        if c.keep(("training", "location"))
        else "培训地点由双方另行商定。",
        f"考核评价方式：{s('assessment_type', t['assessment_type'])}。"
        "乙方按照国家职业技能标准组织考核。",
        _fee_sentence(r, c),
        f"支付方式：{r['fee']['payment_terms']}。",
        *CLAUSES,
    ]
    for index, text in enumerate(body):
        doc.para(f"{heads[index % len(heads)] if index < len(heads) else ''}{text}")
    doc.para()
    (_signature_block_table if block == "table" else _signature_block_lines)(doc, r, c)
    doc.save(path)


@layout("agreement", "docx")
def _agreement_prose_cn(r: Record, c: Ctx, path: Path) -> None:
    """Prose, 一、二、 clauses, the two parties' seal blocks side by side."""
    _agreement_prose(r, c, path, numbered="cn", block="table")


@layout("agreement", "docx")
def _agreement_prose_articles(r: Record, c: Ctx, path: Path) -> None:
    """Prose, 第一条 articles, seal blocks one under the other."""
    _agreement_prose(r, c, path, numbered="articles", block="lines")


@layout("agreement", "docx")
def _agreement_prose_lines(r: Record, c: Ctx, path: Path) -> None:
    """Prose with numbered clauses and seal lines; dates in Chinese numerals, often."""
    _agreement_prose(r, c, path, numbered="cn", block="lines")


def _agreement_pairs(r: Record, c: Ctx) -> list[Pair]:
    t, f, s = r["training"], r["fee"], c.style
    out: list[Pair] = [
        ("培训项目", t["project"]),
        (c.label("培训职业（工种）", "培训工种"), t["occupation"]),
        (c.label("培训等级", "培训级别"), s("level", t["level"])),
        (c.label("培训人数", "参训人数"), s("count", t["headcount"])),
        (c.label("培训起止时间", "培训时间"), s("date_range", (t["start_date"], t["end_date"]))),
    ]
    if c.keep(("training", "location")):
        out.append(("培训地点", t["location"]))
    if c.keep(("training", "total_hours")):
        out.append(("总学时", s("hours", t["total_hours"])))
    out += [
        (c.label("考核评价方式", "考核方式"), s("assessment_type", t["assessment_type"])),
        (c.label("每人培训费（元）", "培训费标准", "人均培训费"), s("per_person", f["per_person"])),
        (c.label("培训费总额（元）", "费用总额", "合计金额"), s("money", f["total"])),
        (c.label("人民币（大写）", "大写金额"), s("money_words", words_figure(f))),
        (c.label("支付方式", "结算方式"), f["payment_terms"]),
    ]
    return out


@layout("agreement", "docx")
def _agreement_kv_table(r: Record, c: Ctx, path: Path) -> None:
    """A form: key/value table with party sections, clauses below, seals in a last row."""
    doc = Docx()
    doc.title(c.label("合作培训协议", "培训合作协议"))
    a, b = _party_lines(r, c, "party_a"), _party_lines(r, c, "party_b")
    pairs = _agreement_pairs(r, c)
    rows = 1 + len(a) + 1 + len(b) + 1 + len(pairs) + 1
    table = doc.table(rows, 2, widths=[4.5, 12.5])
    row = 0
    for caption, items in (
        ("甲方（培训组织实施单位）", a[1:]),
        ("乙方（培训机构）", b[1:]),
        ("培训内容", pairs),
    ):
        merge(table, row, 0, row, 1, caption, bold=True)
        row += 1
        if caption.startswith(("甲", "乙")):
            put(table.cell(row, 0), "名称")
            put(table.cell(row, 1), (a if caption.startswith("甲") else b)[0][1])
            row += 1
        for label, value in items:
            put(table.cell(row, 0), label)
            put(table.cell(row, 1), value)
            row += 1
    put(
        table.cell(row, 0),
        [
            "甲方（盖章）：",
            c.stamp(bool(r["signed_a"])),
            "\n",
            c.mark(bool(r["signed_a"]), r["party_a"]["legal_representative"]),
        ],
    )
    put(
        table.cell(row, 1),
        [
            "乙方（盖章）：",
            c.stamp(bool(r["signed_b"])),
            "\n",
            c.mark(bool(r["signed_b"]), r["party_b"]["legal_representative"]),
        ],
    )
    doc.para("其他约定：", bold=True)
    for index, text in enumerate(CLAUSES, start=1):
        doc.para(f"{index}. {text}")
    doc.para(f"{c.label('签订日期', '签约日期')}：{c.style('date', r['signed_date'])}")
    doc.save(path)


@layout("agreement", "docx")
def _agreement_parties_matrix(r: Record, c: Ctx, path: Path) -> None:
    """Both parties side by side: 项目 | 甲方 | 乙方, then the training as prose."""
    doc = Docx()
    doc.title("合作培训协议")
    pa, pb = r["party_a"], r["party_b"]
    rows: list[tuple[str, str, str]] = [
        ("名称", pa["name"], pb["name"]),
        ("统一社会信用代码", pa["credit_code"], pb["credit_code"]),
    ]
    for key, label in (
        ("address", "地址"),
        ("legal_representative", "法定代表人"),
        ("contact_person", "联系人"),
    ):
        if c.keep(("party_a", key)) and c.keep(("party_b", key), 1.0):
            rows.append((label, pa[key], pb[key]))
        else:
            c.dropped.add(("party_b", key))
    if c.keep(("party_a", "contact_phone")) and c.keep(("party_b", "contact_phone"), 1.0):
        rows.append(
            (
                "联系电话",
                c.style("phone", pa["contact_phone"]),
                c.style("phone", pb["contact_phone"]),
            )
        )
    else:
        c.dropped.add(("party_b", "contact_phone"))
    c.dropped.add(("party_b", "license_no"))
    table = doc.table(len(rows) + 1, 3, widths=[3.5, 6.8, 6.8])
    for col, text in enumerate(("项目", "甲方（培训组织实施单位）", "乙方（培训机构）")):
        put(table.cell(0, col), text, bold=True, center=True)
    for index, values in enumerate(rows, start=1):
        for col, text in enumerate(values):
            put(table.cell(index, col), text)
    doc.para()
    doc.para(_training_sentence(r, c))
    t, s = r["training"], c.style
    doc.para(
        f"培训项目：{t['project']}，培训工种：{t['occupation']}，"
        f"培训等级：{s('level', t['level'])}。"
    )
    c.dropped.add(("training", "location"))
    doc.para(
        f"考核评价方式：{s('assessment_type', t['assessment_type'])}。"
        "乙方按照国家职业技能标准实施考核。"
    )
    doc.para(_fee_sentence(r, c))
    doc.para(f"支付方式：{r['fee']['payment_terms']}。")
    for index, text in enumerate(CLAUSES, start=1):
        doc.para(f"（{'一二三四五六七八九'[index - 1]}）{text}")
    _signature_block_table(doc, r, c)
    doc.save(path)


@layout("agreement", "docx")
def _agreement_fee_table(r: Record, c: Ctx, path: Path) -> None:
    """Prose parties, a fee table (项目|每人|人数|合计|大写), seal lines."""
    doc = Docx()
    doc.title(c.label("合作培训协议", "委托培训协议"))
    for key in ("party_a", "party_b"):
        for label, value in _party_lines(r, c, key):
            doc.para(f"{label}：{value}")
    t, f, s = r["training"], r["fee"], c.style
    # The contract requires the occupation by its label: a clean agreement names it.
    doc.para(
        f"一、培训项目：{t['project']}（培训工种：{t['occupation']}，"
        f"培训等级：{s('level', t['level'])}）。"
    )
    doc.para(f"二、{_training_sentence(r, c)}")
    c.dropped.add(("training", "location"))
    doc.para(f"三、考核评价方式：{s('assessment_type', t['assessment_type'])}。")
    doc.para("四、培训费用：")
    header = [
        "项目",
        c.label("每人培训费（元）", "人均培训费"),
        c.label("培训人数", "人数"),
        c.label("合计金额", "培训费总额（元）"),
        c.label("人民币（大写）", "大写金额"),
    ]
    _docx_rows(
        doc,
        header,
        [
            [
                t["project"],
                s("per_person", f["per_person"]),
                s("count", t["headcount"]),
                s("money", f["total"]),
                s("money_words", words_figure(f)),
            ]
        ],
    )
    doc.para(f"五、支付方式：{f['payment_terms']}。")
    for index, text in enumerate(CLAUSES, start=6):
        doc.para(f"{'一二三四五六七八九十'[index - 1] if index <= 10 else index}、{text}")
    _signature_block_lines(doc, r, c)
    doc.save(path)


@layout("agreement", "xlsx")
def _agreement_xlsx_form(r: Record, c: Ctx, path: Path) -> None:
    """An agreement kept as an Excel form: label|value rows, seal cells at the bottom."""
    book, sheet = workbook()
    sheet.ws.title = "合作培训协议"
    sheet.widths([22, 60])
    sheet.merge(1, 1, 1, 2, "合作培训协议", bold=True, size=16, box=False)
    row = 2
    for caption, items in (
        ("甲方（培训组织实施单位）", _party_lines(r, c, "party_a")[1:]),
        ("乙方（培训机构）", _party_lines(r, c, "party_b")[1:]),
        ("培训内容", _agreement_pairs(r, c)),
    ):
        sheet.merge(row, 1, row, 2, caption, bold=True)
        row += 1
        if caption.startswith(("甲", "乙")):
            key = "party_a" if caption.startswith("甲") else "party_b"
            sheet.put(row, 1, "名称", bold=True)
            sheet.put(row, 2, r[key]["name"], center=False)
            row += 1
        row = _xlsx_kv(sheet, row, items, 1)
    for index, text in enumerate(CLAUSES, start=1):
        sheet.merge(row, 1, row, 2, f"{index}. {text}", center=False)
        row += 1
    for key, side in (("signed_a", "甲方"), ("signed_b", "乙方")):
        sheet.put(row, 1, f"{side}（盖章）", bold=True)
        rep = r["party_a" if key == "signed_a" else "party_b"]["legal_representative"]
        sheet.put(row, 2, rep if r[key] else "")
        if r[key]:
            sheet.image(row, 2, stamp_png(c.rng), 60)
        sheet.ws.row_dimensions[row].height = 48
        row += 1
    sheet.put(row, 1, "签订日期", bold=True)
    sheet.put(row, 2, c.style("date", r["signed_date"]))
    sheet.setup()
    book.save(str(path))


@layout("agreement", "docx")
def _agreement_words_first(r: Record, c: Ctx, path: Path) -> None:
    """Short prose: amounts in capitals first (合计人民币（大写）… （¥…）)."""
    doc = Docx()
    doc.title(c.label("合作培训协议", "培训合作协议"))
    pa, pb = r["party_a"], r["party_b"]
    doc.para(f"甲方：{pa['name']}（统一社会信用代码：{pa['credit_code']}）")
    doc.para(f"乙方：{pb['name']}（统一社会信用代码：{pb['credit_code']}）")
    for key in ("address", "legal_representative", "contact_person", "contact_phone"):
        c.dropped.add(("party_a", key))
        c.dropped.add(("party_b", key))
    c.dropped.add(("party_b", "license_no"))
    c.dropped.add(("training", "location"))
    t, f, s = r["training"], r["fee"], c.style
    doc.para(
        f"一、甲方委托乙方开展{t['project']}，培训工种：{t['occupation']}，培训等级："
        f"{s('level', t['level'])}。"
    )
    doc.para(f"二、{_training_sentence(r, c)}")
    doc.para(f"三、考核评价方式：{s('assessment_type', t['assessment_type'])}。")
    doc.para(
        f"四、每人培训费：{s('per_person', f['per_person'])}，合计人民币（大写）："
        f"{s('money_words', words_figure(f))}（¥{f['total']:,.2f}）。"
    )
    doc.para(f"五、支付方式：{f['payment_terms']}。")
    for index, text in enumerate(CLAUSES, start=6):
        doc.para(f"{'一二三四五六七八九十'[index - 1] if index <= 10 else index}、{text}")
    _signature_block_table(doc, r, c)
    doc.save(path)


# ============================================================================ ledger

LEDGER_COLUMNS = (
    "seq",
    "name",
    "gender",
    "age",
    "id_number",
    "education",
    "occupation",
    "institution_class",
    "dates",
    "score",
    "skill_level",
    "certificate_no",
    "phone",
)


LEDGER_WIDTHS = {
    "seq": 0.9,
    "name": 1.5,
    "gender": 0.9,
    "age": 0.9,
    "id_number": 3.9,
    "institution_class": 3.0,
    "dates": 3.4,
    "start_date": 2.0,
    "end_date": 2.0,
    "phone": 2.6,
    "project": 2.6,
}


def _ledger_labels(c: Ctx) -> dict[str, str]:
    return {
        "seq": "序号",
        "name": c.label("姓名", "学员姓名"),
        "gender": "性别",
        "age": c.label("年龄", "年龄（周岁）"),
        "id_number": c.label("身份证号码", "公民身份号码", "身份证号"),
        "education": c.label("文化程度", "学历"),
        "occupation": c.label("培训职业（工种）", "培训工种", "职业（工种）"),
        "institution_class": c.label("培训机构名称及班别", "培训机构及班别"),
        "start_date": c.label("培训开始日期", "开始日期"),
        "end_date": c.label("培训结束日期", "结束日期"),
        "dates": c.label("培训起止日期", "培训起止时间"),
        "score": c.label("考核成绩", "成绩"),
        "skill_level": c.label("技能等级", "取得等级"),
        "certificate_no": "证书编号",
        "phone": c.label("联系方式", "联系电话"),
        "project": "培训项目主题",
    }


def _ledger_cells(row: Record, c: Ctx, ranged: bool, project: str = "") -> dict[str, Any]:
    s = c.style
    out: dict[str, Any] = {
        "seq": str(row["seq"]),
        "name": s("name", row["name"]),
        "gender": s("gender", row["gender"]),
        "age": str(row["age"]),
        "id_number": s("id_number", row["id_number"]),
        "education": s("education", row["education"]),
        "occupation": row["occupation"],
        "institution_class": row["institution_class"],
        "score": s("score", row["score"]),
        "skill_level": s("level", row["skill_level"]) if row.get("skill_level") else "",
        "certificate_no": row.get("certificate_no", ""),
        "phone": s("phone", row["phone"]),
        "project": project,
    }
    if ranged:
        out["dates"] = s("date_range", (row["start_date"], row["end_date"]))
    else:
        out["start_date"] = s("date", row["start_date"])
        out["end_date"] = s("date", row["end_date"])
    return out


def _ledger_title(c: Ctx) -> str:
    return c.label("培训台账", "企业职工培训台账", "培训台账（附件7）")


def _ledger_docx(
    r: Record, c: Ctx, path: Path, *, ranged: bool, two_row: bool, order: list[str]
) -> None:
    doc = Docx(landscape=True, size=9)
    doc.title(_ledger_title(c))
    labels = _ledger_labels(c)
    doc.para(f"{c.label('培训项目主题', '培训项目')}：{r['project']}")
    columns: list[str] = []
    for key in order:
        if key == "dates":
            columns += ["dates"] if ranged else ["start_date", "end_date"]
        else:
            columns.append(key)
    head = 2 if two_row and not ranged else 1
    table = doc.table(
        len(r["rows"]) + head, len(columns), widths=[LEDGER_WIDTHS.get(k, 1.6) for k in columns]
    )
    for col, key in enumerate(columns):
        if head == 2 and key in ("start_date", "end_date"):
            if key == "start_date":
                merge(table, 0, col, 0, col + 1, labels["dates"], bold=True, center=True)
            put(
                table.cell(1, col),
                c.label("开始", "开始日期") if key == "start_date" else c.label("结束", "结束日期"),
                bold=True,
                center=True,
            )
        elif head == 2:
            merge(table, 0, col, 1, col, labels[key], bold=True, center=True)
        else:
            put(table.cell(0, col), labels[key], bold=True, center=True)
    for index, row in enumerate(r["rows"]):
        cells = _ledger_cells(row, c, ranged, r["project"])
        for col, key in enumerate(columns):
            put(table.cell(index + head, col), cells[key])
    if c.rng.random() < 0.5:
        doc.para("注：考核成绩填写分数或“合格/不合格”；证书编号待发证后补填。")
    doc.para(
        f"填表人：{c.rng.choice('陈李黄张')}{c.rng.choice('敏静丽强')}    "
        f"填表日期：{c.style('date', r['rows'][0]['end_date'])}"
    )
    doc.save(path)


@layout("ledger", "docx")
def _ledger_docx_single_header(r: Record, c: Ctx, path: Path) -> None:
    """One header row, start and end in two columns."""
    _ledger_docx(r, c, path, ranged=False, two_row=False, order=list(LEDGER_COLUMNS))


@layout("ledger", "docx")
def _ledger_docx_two_row_header(r: Record, c: Ctx, path: Path) -> None:
    """培训起止日期 merged over 开始|结束; other labels merged down two rows."""
    _ledger_docx(r, c, path, ranged=False, two_row=True, order=list(LEDGER_COLUMNS))


@layout("ledger", "docx")
def _ledger_docx_range_column(r: Record, c: Ctx, path: Path) -> None:
    """One 培训起止时间 column holding the date range; columns in another order."""
    order = [
        "seq",
        "name",
        "id_number",
        "gender",
        "age",
        "education",
        "phone",
        "occupation",
        "institution_class",
        "dates",
        "score",
        "skill_level",
        "certificate_no",
    ]
    _ledger_docx(r, c, path, ranged=True, two_row=False, order=order)


def _ledger_xlsx(
    r: Record, c: Ctx, path: Path, *, ranged: bool, groups: bool, title: bool, project_column: bool
) -> None:
    book, sheet = workbook()
    sheet.ws.title = c.label("台账", "Sheet1", "培训台账")
    labels = _ledger_labels(c)
    columns = (
        (["project"] if project_column else [])
        + [k for k in LEDGER_COLUMNS if k != "dates"][:8]
        + (["dates"] if ranged else ["start_date", "end_date"])
        + ["score", "skill_level", "certificate_no", "phone"]
    )
    if not project_column:
        c.dropped.add(("rows", "*", "project"))
    width = len(columns)
    row = 1
    if title:
        sheet.merge(1, 1, 1, width, _ledger_title(c), bold=True, size=16, box=False)
        sheet.merge(2, 1, 2, width, f"培训项目主题：{r['project']}", center=False, box=False)
        row = 3
    if groups:  # two-row header: group captions over the columns
        spans = [
            ("学员基本信息", "seq", "education"),
            ("培训情况", "occupation", "score"),
            ("考核及取证情况", "skill_level", "phone"),
        ]
        for caption, a, b in spans:
            sheet.merge(row, columns.index(a) + 1, row, columns.index(b) + 1, caption, bold=True)
        row += 1
    for col, key in enumerate(columns, start=1):
        sheet.put(row, col, labels[key], bold=True)
    row += 1
    for entry in r["rows"]:
        cells = _ledger_cells(entry, c, ranged, r["project"])
        for col, key in enumerate(columns, start=1):
            value: Any = cells[key]
            if key in ("seq", "age") and c.rng.random() < 0.7:
                value = int(value)  # Excel keeps small numbers as numbers
            elif key == "score" and isinstance(entry["score"], int) and c.rng.random() < 0.5:
                value = entry["score"]
            sheet.put(row, col, value)
        row += 1
    sheet.widths(
        [
            6
            if k in ("seq", "gender", "age")
            else 22
            if k in ("id_number", "institution_class", "dates", "project")
            else 12
            for k in columns
        ]
    )
    sheet.setup(landscape=True)
    book.save(str(path))


@layout("ledger", "xlsx")
def _ledger_xlsx_titled(r: Record, c: Ctx, path: Path) -> None:
    """Merged title and project rows, one header row."""
    _ledger_xlsx(r, c, path, ranged=False, groups=False, title=True, project_column=False)


@layout("ledger", "xlsx")
def _ledger_xlsx_grouped_header(r: Record, c: Ctx, path: Path) -> None:
    """Two-row header: group captions merged over the column labels."""
    _ledger_xlsx(r, c, path, ranged=False, groups=True, title=True, project_column=False)


@layout("ledger", "xlsx")
def _ledger_xlsx_range_project_column(r: Record, c: Ctx, path: Path) -> None:
    """No title; a 培训项目主题 column; a date-range column."""
    _ledger_xlsx(r, c, path, ranged=True, groups=False, title=False, project_column=True)


@layout("ledger", "xlsx")
def _ledger_xlsx_grouped_range(r: Record, c: Ctx, path: Path) -> None:
    """Title, grouped two-row header and a date-range column."""
    _ledger_xlsx(r, c, path, ranged=True, groups=True, title=True, project_column=False)


@layout("ledger", "docx")
def _ledger_docx_project_column(r: Record, c: Ctx, path: Path) -> None:
    """A 培训项目主题 column on every row, two-row header, range-free."""
    order = [
        "seq",
        "project",
        "name",
        "gender",
        "age",
        "id_number",
        "education",
        "occupation",
        "institution_class",
        "dates",
        "score",
        "skill_level",
        "phone",
    ]
    c.dropped.add(("rows", "*", "certificate_no"))
    _ledger_docx(r, c, path, ranged=False, two_row=True, order=order)


# ============================================================================ sign-in


def _signin_title(c: Ctx) -> str:
    return c.label(
        "培训对象参训出勤签到表", "参训出勤签到表", "培训签到表", "培训对象参训出勤签到表（附件8）"
    )


def _day_line(r: Record, c: Ctx) -> str:
    session = r.get("session", "")
    day = c.style("date", r["date"])
    return f"{c.label('日期', '培训日期')}：{day} {c.style('session', session)}".rstrip()


def _confirm_parts(r: Record, c: Ctx) -> list[tuple[str, Any]]:
    conf = r["confirmations"]
    rep = next((row["name"] for row in r["rows"] if row["signed_in"]), r["rows"][0]["name"])
    return [
        ("授课老师（签名）：", c.mark(conf["teacher_signed"], r["teacher"])),
        ("班主任（签名）：", c.mark(conf["head_teacher_signed"], r.get("head_teacher", ""))),
        (
            c.label("培训对象代表（签名）：", "学员代表签名："),
            c.mark(conf["trainee_rep_signed"], rep),
        ),
    ]


def _counts_line(r: Record, c: Ctx) -> str:
    s = c.style
    return c.rng.choice(
        (
            f"应到 {r['expected_count']} 人，实到 {r['actual_count']} 人",
            f"应到人数：{s('count', r['expected_count'])}    "
            f"实到人数：{s('count', r['actual_count'])}",
        )
    )


def _signin_head_lines(doc: Docx, r: Record, c: Ctx) -> None:
    doc.title(_signin_title(c))
    doc.para(f"{c.label('培训项目', '培训项目名称')}：{r['project']}")
    doc.para(f"培训机构：{r['institution']}    {c.label('班别', '班级')}：{r['class_name']}")
    doc.para(f"{_day_line(r, c)}    授课老师：{r['teacher']}    班主任：{r['head_teacher']}")


def _signin_footer(doc: Docx, r: Record, c: Ctx, counts: bool = True) -> None:
    if counts:
        doc.para(_counts_line(r, c))
    parts = _confirm_parts(r, c)
    if c.rng.random() < 0.5:
        for label, mark in parts:
            doc.line([label, mark])
    else:
        line: list[Any] = []
        for label, mark in parts:
            line += [label, mark, "    "]
        doc.line(line)


def _sign_row_cells(row: Record, c: Ctx, with_id: bool) -> list[Any]:
    cells: list[Any] = [str(row["seq"]), c.style("name", row["name"])]
    if with_id:
        cells.append(c.style("id_number", row["id_number"]))
    cells += [
        c.cell_mark(row["signed_in"], row["name"]),
        c.cell_mark(row["signed_out"], row["name"]),
    ]
    return cells


def _sign_header(c: Ctx, with_id: bool) -> list[str]:
    header = ["序号", c.label("姓名", "学员姓名")]
    if with_id:
        header.append(c.label("身份证号码", "身份证号"))
    return [
        *header,
        c.label("签到", "签到（签名）", "上课签到"),
        c.label("签退", "签退（签名）", "下课签退"),
    ]


@layout("signin", "docx", "id_number")
def _signin_docx_standard(r: Record, c: Ctx, path: Path) -> None:
    """Heading lines, 序号|姓名|身份证号码|签到|签退, counts and signature lines."""
    doc = Docx()
    _signin_head_lines(doc, r, c)
    _docx_rows(doc, _sign_header(c, True), [_sign_row_cells(row, c, True) for row in r["rows"]])
    _signin_footer(doc, r, c)
    doc.save(path)


@layout("signin", "docx")
def _signin_docx_two_up_one_table(r: Record, c: Ctx, path: Path) -> None:
    """One table with two sets of 序号|姓名|签到|签退 columns side by side."""
    doc = Docx()
    _signin_head_lines(doc, r, c)
    rows = r["rows"]
    half = (len(rows) + 1) // 2
    header = _sign_header(c, False)
    table = doc.table(half + 1, 2 * len(header))
    for col, text in enumerate(header + header):
        put(table.cell(0, col), text, bold=True, center=True)
    for index, row in enumerate(rows):
        offset = 0 if index < half else len(header)
        for col, value in enumerate(_sign_row_cells(row, c, False)):
            put(table.cell(1 + index % half, offset + col), value, center=True)
    _signin_footer(doc, r, c)
    doc.save(path)


@layout("signin", "docx")
def _signin_docx_two_tables(r: Record, c: Ctx, path: Path) -> None:
    """Two tables side by side (nested in a borderless layout table)."""
    doc = Docx()
    _signin_head_lines(doc, r, c)
    rows = r["rows"]
    half = (len(rows) + 1) // 2
    outer = doc.table(1, 2, grid=False)
    no_borders(outer)
    header = _sign_header(c, False)
    for side, chunk in enumerate((rows[:half], rows[half:])):
        cell = outer.cell(0, side)
        inner = doc.table(len(chunk) + 1, len(header), container=cell)
        for col, text in enumerate(header):
            put(inner.cell(0, col), text, bold=True, center=True)
        for index, row in enumerate(chunk, start=1):
            for col, value in enumerate(_sign_row_cells(row, c, False)):
                put(inner.cell(index, col), value, center=True)
    _signin_footer(doc, r, c)
    doc.save(path)


@layout("signin", "docx", "id_number")
def _signin_docx_kv_head(r: Record, c: Ctx, path: Path) -> None:
    """Heading as a 4-column grid; counts and signatures in the table's last rows."""
    doc = Docx()
    doc.title(_signin_title(c))
    s = c.style
    grid = doc.table(3, 4, widths=[2.8, 5.7, 2.8, 5.7])
    for index, (label, value) in enumerate(
        (
            ("培训项目", r["project"]),
            ("培训机构", r["institution"]),
            (c.label("班别", "班级"), r["class_name"]),
            ("日期", f"{s('date', r['date'])} {s('session', r['session'])}"),
            ("授课老师", r["teacher"]),
            ("班主任", r["head_teacher"]),
        )
    ):
        put(grid.cell(index // 2, 2 * (index % 2)), label, bold=True)
        put(grid.cell(index // 2, 2 * (index % 2) + 1), value)
    doc.para()
    header = _sign_header(c, True)
    rows = [_sign_row_cells(row, c, True) for row in r["rows"]]
    table = _docx_rows(doc, header, rows)
    for label, value in (("应到人数", r["expected_count"]), ("实到人数", r["actual_count"])):
        cells = table.add_row().cells
        put(cells[0], label)
        merge(
            table, len(table.rows) - 1, 1, len(table.rows) - 1, len(header) - 1, s("count", value)
        )
    parts = _confirm_parts(r, c)
    cells = table.add_row().cells
    merge(
        table,
        len(table.rows) - 1,
        0,
        len(table.rows) - 1,
        len(header) - 1,
        [p for part in parts for p in (part[0], part[1], "  ")],
    )
    doc.save(path)


@layout("signin", "docx", "id_number")
def _signin_docx_day_heading(r: Record, c: Ctx, path: Path) -> None:
    """A bold ``日期：… 上午`` line over the table; 姓名 before 序号-less rows; scribbles."""
    doc = Docx()
    doc.title(_signin_title(c))
    doc.para(f"培训项目：{r['project']}（{r['institution']}{r['class_name']}）")
    c.dropped.add(("institution",))
    c.dropped.add(("class_name",))
    doc.para(_day_line(r, c), bold=True)
    doc.para(f"授课老师：{r['teacher']}        班主任：{r['head_teacher']}")
    header = [c.label("姓名", "学员姓名"), c.label("身份证号码", "身份证号"), "签到", "签退"]
    rows = [
        [
            c.style("name", row["name"]),
            c.style("id_number", row["id_number"]),
            c.cell_mark(row["signed_in"], row["name"]),
            c.cell_mark(row["signed_out"], row["name"]),
        ]
        for row in r["rows"]
    ]
    c.dropped.add(("rows", "*", "seq"))
    _docx_rows(doc, header, rows)
    _signin_footer(doc, r, c)
    doc.save(path)


def _signin_xlsx(
    r: Record, c: Ctx, path: Path, *, two_up: bool, with_id: bool, sub_header: bool
) -> None:
    book, sheet = workbook()
    sheet.ws.title = c.label("签到表", "Sheet1")
    header = _sign_header(c, with_id)
    blocks = 2 if two_up else 1
    width = len(header) * blocks + (blocks - 1)
    s = c.style
    sheet.merge(1, 1, 1, width, _signin_title(c), bold=True, size=16, box=False)
    sheet.merge(2, 1, 2, width, f"培训项目：{r['project']}", center=False, box=False)
    sheet.merge(
        3,
        1,
        3,
        width,
        f"培训机构：{r['institution']}    班别：{r['class_name']}",
        center=False,
        box=False,
    )
    sheet.merge(
        4,
        1,
        4,
        width,
        f"{_day_line(r, c)}    授课老师：{r['teacher']}    班主任：{r['head_teacher']}",
        center=False,
        box=False,
    )
    row = 5
    rows = r["rows"]
    half = (len(rows) + 1) // 2 if two_up else len(rows)
    for block in range(blocks):
        base = 1 + block * (len(header) + 1)
        if sub_header:
            for col, text in enumerate(header[:-2]):
                sheet.merge(row, base + col, row + 1, base + col, text, bold=True)
            sheet.merge(row, base + len(header) - 2, row, base + len(header) - 1, "签名", bold=True)
            sheet.put(row + 1, base + len(header) - 2, "签到", bold=True)
            sheet.put(row + 1, base + len(header) - 1, "签退", bold=True)
        else:
            for col, text in enumerate(header):
                sheet.put(row, base + col, text, bold=True)
    row += 2 if sub_header else 1
    for index, entry in enumerate(rows):
        block, line = divmod(index, half)
        base = 1 + block * (len(header) + 1)
        for col, value in enumerate(_sign_row_cells(entry, c, with_id)):
            if isinstance(value, tuple):
                sheet.put(row + line, base + col, "")
                sheet.image(row + line, base + col, value[1], 18)
            else:
                sheet.put(row + line, base + col, int(value) if col == 0 else value)
    row += half + 1
    sheet.merge(
        row,
        1,
        row,
        width,
        f"应到人数：{s('count', r['expected_count'])}    实到人数：{s('count', r['actual_count'])}",
        center=False,
        box=False,
    )
    row += 1
    for label, mark in _confirm_parts(r, c):
        if isinstance(mark, tuple):
            sheet.merge(row, 1, row, width, label, center=False, box=False)
            sheet.image(row, min(3, width), mark[1], 20)
        else:
            sheet.merge(row, 1, row, width, f"{label}{mark}", center=False, box=False)
        row += 1
    sheet.widths(
        [6.0, 12, 22, 10, 10, 4, 6, 12, 22, 10, 10][:width] if with_id else [6.0, 12, 10, 10, 4] * 2
    )
    sheet.setup()
    book.save(str(path))


@layout("signin", "xlsx", "id_number")
def _signin_xlsx_standard(r: Record, c: Ctx, path: Path) -> None:
    """Title and heading rows merged across, one row per trainee with ID number."""
    _signin_xlsx(r, c, path, two_up=False, with_id=True, sub_header=False)


@layout("signin", "xlsx")
def _signin_xlsx_two_up(r: Record, c: Ctx, path: Path) -> None:
    """Two blocks of 序号|姓名|签到|签退 side by side on one sheet."""
    _signin_xlsx(r, c, path, two_up=True, with_id=False, sub_header=False)


@layout("signin", "xlsx", "id_number")
def _signin_xlsx_sign_group(r: Record, c: Ctx, path: Path) -> None:
    """Two-row header: 签名 merged over 签到|签退."""
    _signin_xlsx(r, c, path, two_up=False, with_id=True, sub_header=True)


@layout("signin", "xlsx")
def _signin_xlsx_two_up_group(r: Record, c: Ctx, path: Path) -> None:
    """Two blocks side by side, each with the 签名 group header."""
    _signin_xlsx(r, c, path, two_up=True, with_id=False, sub_header=True)
