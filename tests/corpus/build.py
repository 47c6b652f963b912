"""Build the corpus: annex documents laid out the way other institutions and cities make them.

Nothing here uses annexkit's templates or generator; every file is put together by hand with
python-docx and openpyxl (and LibreOffice for the PDF cases, all converted in one start).
The output is deterministic: people and organisations come from seeded generators in
:mod:`tests.synthetic`, with valid check characters except where a case plants an error.
No value belongs to a real person or company.

What the checker must read from each file is written down in ``cases.yaml`` next to this file.

Run by hand with ``python -m tests.corpus.build OUTDIR [--pdf]``.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document as new_docx
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell, _Row
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from annexkit.contract.formats import age_on, id_check_char
from annexkit.generator.pdf import convert_to_pdf
from tests.synthetic import make_credit_code, make_roster

# ------------------------------------------------------------------------ the classes

CLASS_START = dt.date(2025, 11, 3)
"""The electrician class (cases 1, 2, 4, 5): 2025-11-03 to 2025-11-14."""
WELDER_START = dt.date(2025, 12, 1)
"""The welder class (case 3, the 300-row ledger): 2025-12-01 to 2025-12-12."""
FITTER_START = dt.date(2025, 12, 8)
"""The fitter class (case 7, filing and sign-in sheet in one PDF): 2025-12-08 to 12-12."""


@dataclass(frozen=True)
class Org:
    name: str
    credit_code: str
    address: str
    legal_representative: str
    contact_person: str
    contact_phone: str
    """As written on the form (may hold spaces: normalised by the checker)."""
    license_no: str = ""


ENTERPRISE = Org(
    name="江门市样例机电设备有限公司",
    credit_code=make_credit_code(random.Random(101)),
    address="江门市蓬江区样例工业园2号",
    legal_representative="陈志明",
    contact_person="梁秀英",
    contact_phone="0750-3861234",
)
INSTITUTION = Org(
    name="江门市样例职业技能培训学校",
    credit_code=make_credit_code(random.Random(102), prefix="52440703"),
    address="江门市蓬江区样例路36号",
    legal_representative="何建国",
    contact_person="黄丽娟",
    contact_phone="139 0000 1234",
    license_no="教民144070370000999号",
)
FITTER_ENTERPRISE = Org(
    name="鹤山市样例五金制品有限公司",
    credit_code=make_credit_code(random.Random(103), prefix="91440784"),
    address="鹤山市共和镇样例工业区8号",
    legal_representative="区志强",
    contact_person="冯丽",
    contact_phone="0750-8881234",
)


def wrong_credit_code(code: str) -> str:
    """``code`` with its check character replaced by another one of the alphabet."""
    return code[:17] + ("A" if code[17] != "A" else "B")


def wrong_id_check(id_number: str) -> str:
    """``id_number`` with a check character that does not hold."""
    right = id_check_char(id_number[:17])
    return id_number[:17] + ("0" if right != "0" else "1")


CLASS_ROSTER: list[dict[str, Any]] = make_roster(random.Random(5), 12, CLASS_START)
"""The electrician class: filing roster (case 1), ledger (case 2), sign-in sheet (case 4)."""
WELDER_ROSTER: list[dict[str, Any]] = make_roster(random.Random(300), 300, WELDER_START)
FITTER_ROSTER: list[dict[str, Any]] = make_roster(random.Random(11), 6, FITTER_START)

EDUCATION_AS_WRITTEN = {"技工学校": "技校", "本科": "大学本科", "高中": "普通高中"}
"""Other forms write education in free text; the checker maps these back (contract aliases)."""


# ------------------------------------------------------------------- python-docx helpers


def new_document(
    size_pt: float = 10.5, *, landscape: bool = False, margin_mm: float = 20
) -> Document:
    """An empty document whose text is 宋体 for Chinese as well (``w:eastAsia``)."""
    document = new_docx()
    style = document.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(size_pt)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), "宋体")
    style.paragraph_format.space_after = Pt(0)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(margin_mm))
    return document


def heading(document: Document, text: str, size_pt: float = 16) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = True
    run.font.size = Pt(size_pt)


def grid_table(document: Document, rows: int, widths_mm: Sequence[float]) -> Table:
    table: Table = document.add_table(rows=rows, cols=len(widths_mm))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    return table


def put(cell: _Cell, text: str, *, bold: bool = False, center: bool = False) -> None:
    cell.text = ""
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def merged(table: Table, top: int, left: int, bottom: int, right: int) -> _Cell:
    """The cell made by merging rows ``top..bottom`` and columns ``left..right`` (inclusive)."""
    cell = table.cell(top, left)
    if (top, left) != (bottom, right):
        cell = cell.merge(table.cell(bottom, right))
    return cell


def repeat_as_header(row: _Row) -> None:
    """Mark a row to be repeated at the top of every page the table runs over."""
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)


# ------------------------------------------------------------ case 1: filing as a grid


@dataclass
class FilingForm:
    """A filing as written on another city's form (values are the text printed)."""

    enterprise: Org
    institution: Org | None
    employee_count: str
    project: str
    occupation: str
    level: str
    training_type: str
    headcount: str
    period: str
    location: str
    total_hours: str
    objective: str
    syllabus: str
    target_scope: str
    assessment_type: str
    assessment_criteria: str
    teachers: list[tuple[str, str, str]]
    schedule: list[tuple[str, str, str, str, str]]
    budget: list[tuple[str, str]]
    budget_total: str
    roster: list[dict[str, Any]]
    filing_date: str
    remarks: dict[int, str] = field(default_factory=dict)
    annex_line: str = "附件3"


def electrician_filing() -> FilingForm:
    schedule = []
    for day in range(5):
        date = CLASS_START + dt.timedelta(days=day)
        written = f"{date.year}.{date.month}.{date.day}"
        teacher = "王建国" if day % 2 == 0 else "李秀英"
        topic = ("安全用电", "电工识图", "常用仪表", "低压电器", "控制线路")[day]
        schedule.append((written, "上午", f"{topic}理论", "4", teacher))
        schedule.append((written, "下午", f"{topic}实操", "4", teacher))
    return FilingForm(
        enterprise=ENTERPRISE,
        institution=INSTITUTION,
        employee_count="326人",
        project="2025年电工（中级工）岗位技能提升培训",
        occupation="电工",
        level="中级工",
        training_type="岗位技能提升培训",
        headcount="12人",
        period="2025.11.03-2025.11.14",
        location="江门市蓬江区样例工业园2号培训室",
        total_hours="40学时",
        objective="提升在岗电工的安装、调试与维修技能，达到电工中级工（四级）水平。",
        syllabus="安全用电；电工识图；常用仪表；低压电器；电动机控制线路安装与调试。",
        target_scope="本企业在岗电气维修人员",
        assessment_type="企业职业技能等级认定",
        assessment_criteria="理论与实操考核均达60分及以上为合格。",
        teachers=[
            ("王建国", "高级技师", "Y440700000012345678901"),
            ("李秀英", "技师", "Y440700000023456789012"),
        ],
        schedule=schedule,
        budget=[
            ("师资费", "9,600.00"),
            ("教材资料费", "1,200.00"),
            ("场地设备使用费", "3,000.00"),
            ("实训耗材费", "2,400.00"),
            ("考核评价费", "1,800.00"),
        ],
        budget_total="18,000.00",
        roster=CLASS_ROSTER,
        filing_date="2025年10月13日",
        remarks={2: "班组长", 7: "夜班"},
    )


def fitter_filing() -> FilingForm:
    """A second class, without an institution (the enterprise trains its own staff)."""
    schedule = []
    for day in range(5):
        date = FITTER_START + dt.timedelta(days=day)
        written = f"{date.year}.{date.month}.{date.day}"
        schedule.append((written, "08:30-12:30", f"钳工基本操作{day + 1}", "4", "周明"))
    return FilingForm(
        enterprise=FITTER_ENTERPRISE,
        institution=None,
        employee_count="88",
        project="2025年装配钳工岗前培训",
        occupation="装配钳工",
        level="初级工",
        training_type="岗前培训",
        headcount="6",
        period="2025.12.08-2025.12.12",
        location="本公司二楼培训室",
        total_hours="20",
        objective="新入职员工掌握装配钳工基本操作。",
        syllabus="划线、锯削、锉削、钻孔与装配基础。",
        target_scope="本企业新入职员工",
        assessment_type="职业资格",
        assessment_criteria="实操考核60分及以上为合格。",
        teachers=[("周明", "技师", "")],
        schedule=schedule,
        budget=[("师资费", "2,000.00"), ("耗材费", "1,000.00")],
        budget_total="3,000.00",
        roster=FITTER_ROSTER,
        filing_date="2025年11月10日",
        annex_line="",
    )


FILING_WIDTHS = (16, 32, 28, 28, 32, 34)
ROSTER_WIDTHS = (12, 40, 16, 12, 20, 20, 26, 24)


def write_filing(document: Document, form: FilingForm) -> None:
    """The filing as one key/value grid (section captions down the left, labels merged over
    two rows, values merged across columns) and the roster as a second table."""
    if form.annex_line:
        document.add_paragraph(form.annex_line)
    # Rows: (label, value, right label, right value); right label "2rows" makes the label
    # and its value span two rows.
    pairs_enterprise: list[tuple[str, str, str, str]] = [
        ("单位名称", form.enterprise.name, "", ""),
        (
            "统一社会信用代码",
            form.enterprise.credit_code,
            "法定代表人",
            form.enterprise.legal_representative,
        ),
        ("地址", form.enterprise.address, "职工人数", form.employee_count),
        ("联系人", form.enterprise.contact_person, "联系电话", form.enterprise.contact_phone),
    ]
    pairs_institution: list[tuple[str, str, str, str]] = []
    if form.institution is not None:
        pairs_institution = [
            ("培训机构名称", form.institution.name, "", ""),
            ("统一社会信用代码", form.institution.credit_code, "", ""),
            ("办学许可证号", form.institution.license_no, "", ""),
            ("地址", form.institution.address, "", ""),
            ("联系人", form.institution.contact_person, "联系电话", form.institution.contact_phone),
        ]
    pairs_training: list[tuple[str, str, str, str]] = [
        ("培训项目", form.project, "", ""),
        ("培训职业（工种）", form.occupation, "培训等级", form.level),
        ("培训类型", form.training_type, "参训人数", form.headcount),
        ("培训时间", form.period, "总学时", form.total_hours),
        ("培训地点", form.location, "", ""),
        ("培训目标", form.objective, "2rows", ""),
        ("培训内容大纲", form.syllabus, "2rows", ""),
        ("培训对象范围", form.target_scope, "", ""),
        ("考核评价方式", form.assessment_type, "", ""),
        ("考核评价准则", form.assessment_criteria, "", ""),
    ]
    sections = [("企业基本情况", pairs_enterprise)]
    if pairs_institution:
        sections.append(("培训机构基本情况", pairs_institution))
    sections.append(("培训计划", pairs_training))

    def height(pairs: list[tuple[str, str, str, str]]) -> int:
        return sum(2 if p[2] == "2rows" else 1 for p in pairs)

    n_rows = (
        1
        + sum(height(p) for _, p in sections)
        + 2
        + len(form.teachers)
        + 2
        + len(form.schedule)
        + 2
        + len(form.budget)
        + 1
    )
    table = grid_table(document, n_rows, FILING_WIDTHS)
    put(merged(table, 0, 0, 0, 5), "企业职工培训备案表", bold=True, center=True)
    row = 1
    for caption, pairs in sections:
        put(merged(table, row, 0, row + height(pairs) - 1, 0), caption, bold=True, center=True)
        for label, value, right_label, right_value in pairs:
            if right_label == "2rows":
                put(merged(table, row, 1, row + 1, 1), label)
                put(merged(table, row, 2, row + 1, 5), value)
                row += 2
                continue
            put(table.cell(row, 1), label)
            if right_label:
                put(merged(table, row, 2, row, 3), value)
                put(table.cell(row, 4), right_label)
                put(table.cell(row, 5), right_value)
            else:
                put(merged(table, row, 2, row, 5), value)
            row += 1
    put(merged(table, row, 0, row, 5), "师资队伍构成", bold=True)
    put(merged(table, row + 1, 0, row + 1, 1), "姓名", center=True)
    put(merged(table, row + 1, 2, row + 1, 3), "职称", center=True)
    put(merged(table, row + 1, 4, row + 1, 5), "证书编号", center=True)
    row += 2
    for name, title, certificate in form.teachers:
        put(merged(table, row, 0, row, 1), name)
        put(merged(table, row, 2, row, 3), title)
        put(merged(table, row, 4, row, 5), certificate)
        row += 1
    put(merged(table, row, 0, row, 5), "学时日程", bold=True)
    put(merged(table, row + 1, 0, row + 1, 1), "日期", center=True)
    for column, label in zip((2, 3, 4, 5), ("时间", "课程内容", "课时", "任课老师"), strict=True):
        put(table.cell(row + 1, column), label, center=True)
    row += 2
    for date, session, content, hours, teacher in form.schedule:
        put(merged(table, row, 0, row, 1), date)
        for column, value in zip((2, 3, 4, 5), (session, content, hours, teacher), strict=True):
            put(table.cell(row, column), value)
        row += 1
    put(merged(table, row, 0, row, 5), "培训成本预算", bold=True)
    put(merged(table, row + 1, 0, row + 1, 3), "费用项目", center=True)
    put(merged(table, row + 1, 4, row + 1, 5), "金额（元）", center=True)
    row += 2
    for item, amount in form.budget:
        put(merged(table, row, 0, row, 3), item)
        put(merged(table, row, 4, row, 5), amount)
        row += 1
    put(merged(table, row, 0, row, 3), "合计（元）", center=True)
    put(merged(table, row, 4, row, 5), form.budget_total)
    assert row == n_rows - 1

    document.add_paragraph()
    document.add_paragraph(f"企业（盖章）：　　　　　　　　　　报备日期：{form.filing_date}")
    document.add_paragraph()
    heading(document, "培训人员名册", size_pt=12)
    write_roster(document, form.roster, form.remarks)


def write_roster(document: Document, roster: list[dict[str, Any]], remarks: dict[int, str]) -> None:
    """序号 | 身份证号 | 姓名 | … | 备注, two blank rows left for late additions, and a note."""
    header = ("序号", "身份证号", "姓名", "性别", "学历", "岗位", "联系电话", "备注")
    table = grid_table(document, 1 + len(roster) + 3, ROSTER_WIDTHS)
    for cell, label in zip(table.rows[0].cells, header, strict=True):
        put(cell, label, bold=True, center=True)
    for index, person in enumerate(roster):
        values = (
            str(index + 1),
            person["id_number"],
            person["name"],
            person["gender"],
            EDUCATION_AS_WRITTEN.get(person["education"], person["education"]),
            person["position"],
            person["phone"],
            remarks.get(index, ""),
        )
        for cell, value in zip(table.rows[index + 1].cells, values, strict=True):
            put(cell, value)
    last = len(roster) + 3
    note = "注：身份证号码须与本人居民身份证一致，名册须加盖企业公章。"
    put(merged(table, last, 0, last, 7), note)


def build_filing_grid(path: Path) -> None:
    document = new_document(9)
    write_filing(document, electrician_filing())
    document.save(str(path))


# ----------------------------------------------------------------- case 2: ledger XLSX

# fmt: off
LEDGER_XLSX_HEADER = (
    "序号", "姓名", "身份证号码", "性别", "年龄", "学历", "联系电话",
    "培训职业（工种）", "培训机构及班别", "培训起止日期", "考核成绩", "技能等级", "证书编号",
)
# fmt: on
CLASS_NAME = "江门市样例职业技能培训学校电工中级1班"


def ledger_xlsx_rows() -> list[list[Any]]:
    """Ten rows of the electrician class, with the planted errors (see cases.yaml)."""
    people = CLASS_ROSTER
    plan: list[tuple[int, Any, str]] = [
        # (roster index, score, skill level as written)
        (0, 85, "四级"),
        (1, "合格", "四级"),
        (2, 90, "四级"),  # ID typed as a number: damaged
        (3, 76, "四级"),  # 年龄 two years off
        (4, 88, "四级"),  # 性别 the wrong way round
        (5, 78.5, "四级"),  # 培训起止日期 written the Chinese way
        (6, 59, ""),  # failed: no level, no certificate
        (1, "合格", "四级"),  # the same person as row 2, entered twice
        (7, 70, "五级"),
        (8, 93, "四级"),
    ]
    rows: list[list[Any]] = []
    for seq, (who, score, level) in enumerate(plan, start=1):
        person = people[who]
        id_number: Any = person["id_number"]
        gender = person["gender"]
        age = age_on(id_number, CLASS_START)
        period = "2025.11.03-2025.11.14"
        if seq == 3:
            id_number = float(id_number[:15] + "000")  # what Excel keeps of a typed number
        if seq == 4:
            age += 2
        if seq == 5:
            gender = "女" if gender == "男" else "男"
        if seq == 6:
            period = "2025年11月3日至11月14日"
        certificate = f"Y440700202511{who:02d}4{seq:06d}" if level else ""
        rows.append(
            [
                seq,
                person["name"],
                id_number,
                gender,
                age,
                EDUCATION_AS_WRITTEN.get(person["education"], person["education"]),
                person["phone"],
                "电工",
                CLASS_NAME,
                period,
                score,
                level,
                certificate,
            ]
        )
    return rows


def build_ledger_xlsx(path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "培训台账"
    last_column = "M"
    sheet["A1"] = "培训台账"
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A1:{last_column}1")
    sheet["A2"] = "培训项目：2025年电工（中级工）岗位技能提升培训"
    sheet.merge_cells("A2:G2")
    sheet["H2"] = f"填报单位：{ENTERPRISE.name}"
    sheet.merge_cells(f"H2:{last_column}2")
    for column, label in enumerate(LEDGER_XLSX_HEADER, start=1):
        cell = sheet.cell(row=3, column=column, value=label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    text_columns = {3, 7, 13}
    for offset, values in enumerate(ledger_xlsx_rows()):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=4 + offset, column=column, value=value)
            if column in text_columns:
                cell.number_format = "0" if isinstance(value, float) else "@"
    footer = 4 + len(ledger_xlsx_rows())
    footer_text = "填表人：梁秀英　　　　审核人：　　　　填表日期：2025年11月20日"
    sheet.cell(row=footer, column=1, value=footer_text)
    sheet.merge_cells(f"A{footer}:{last_column}{footer}")
    widths = (6, 10, 22, 6, 6, 10, 14, 14, 30, 24, 10, 10, 26)
    for letter, width in zip("ABCDEFGHIJKLM", widths, strict=True):
        sheet.column_dimensions[letter].width = width
    workbook.save(path)


# ------------------------------------------------------- case 3: a 300-row ledger as PDF

# fmt: off
LEDGER_300_HEADER = (
    "序号", "姓名", "性别", "年龄", "身份证号码", "文化程度", "培训工种",
    "培训机构名称及班别", "培训起止日期", "考核成绩", "技能等级", "联系方式",
)
# fmt: on
LEDGER_300_WIDTHS = (12, 16, 11, 11, 36, 18, 16, 30, 40, 16, 16, 25)
LEDGER_300_BAD_ID_ROW = 100
LEDGER_300_NO_PHONE_ROW = 200


def ledger_300_rows() -> list[tuple[str, ...]]:
    scores = random.Random(301)
    rows: list[tuple[str, ...]] = []
    for index, person in enumerate(WELDER_ROSTER):
        id_number = person["id_number"]
        if index == LEDGER_300_BAD_ID_ROW:
            id_number = wrong_id_check(id_number)
        phone = "" if index == LEDGER_300_NO_PHONE_ROW else person["phone"]
        rows.append(
            (
                str(index + 1),
                person["name"],
                person["gender"],
                str(age_on(person["id_number"], WELDER_START)),
                id_number,
                person["education"],
                "焊工",
                "样例职校焊工1班",
                "2025.12.01-2025.12.12",
                str(scores.randint(60, 98)),
                "五级",
                phone,
            )
        )
    return rows


def build_ledger_300(path: Path) -> None:
    """One long table; its header row repeats on each of the pages it runs over."""
    document = new_document(8, landscape=True, margin_mm=12)
    heading(document, "企业职工培训台账", size_pt=14)
    document.add_paragraph("培训项目主题：2025年焊工（初级工）岗前培训")
    rows = ledger_300_rows()
    table = grid_table(document, 1 + len(rows), LEDGER_300_WIDTHS)
    header = table.rows[0]
    repeat_as_header(header)
    for cell, label in zip(header.cells, LEDGER_300_HEADER, strict=True):
        put(cell, label, bold=True, center=True)
    for row, values in zip(table.rows[1:], rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("填表人：区志强　　　　填表日期：2025年12月15日")
    document.save(str(path))


# ------------------------------------------------------ case 4: sign-in sheet, other layout


@dataclass
class SigninSheet:
    title: str
    info: list[tuple[str, str]]
    names: list[str]
    signed_in: set[int]
    signed_out: set[int]
    teacher_signature: str
    head_teacher_signature: str
    representative_signature: str
    annex_line: str = ""


def electrician_signin() -> SigninSheet:
    names = [p["name"] for p in CLASS_ROSTER]
    return SigninSheet(
        title="职工培训出勤签到表",
        info=[
            ("培训项目", "2025年电工（中级工）岗位技能提升培训"),
            ("培训机构", INSTITUTION.name),
            ("班别", "电工中级1班"),
            ("日期", "2025年11月5日"),
            ("时段", "上午"),
            ("授课老师", "王建国"),
            ("班主任", "黄丽娟"),
            ("应到", "12"),
            ("实到", "9"),
        ],
        names=names,
        signed_in={0, 1, 2, 4, 5, 7, 8, 10},
        signed_out={0, 1, 2, 4, 5, 7},
        teacher_signature="王建国",
        head_teacher_signature="",
        representative_signature=names[0],
        annex_line="附件4",
    )


def fitter_signin() -> SigninSheet:
    names = [p["name"] for p in FITTER_ROSTER]
    return SigninSheet(
        title="职工培训出勤签到表",
        info=[
            ("培训项目", "2025年装配钳工岗前培训"),
            ("日期", "2025年12月9日"),
            ("时段", "08:30-12:30"),
            ("授课老师", "周明"),
            ("班主任", "冯丽"),
            ("应到", "6"),
            ("实到", "5"),
        ],
        names=names,
        signed_in={0, 1, 2, 3, 5},
        signed_out={0, 1, 2, 3, 5},
        teacher_signature="周明",
        head_teacher_signature="冯丽",
        representative_signature=names[1],
    )


def write_signin(document: Document, sheet: SigninSheet) -> None:
    if sheet.annex_line:
        document.add_paragraph(sheet.annex_line)
    heading(document, sheet.title)
    info = grid_table(document, len(sheet.info), (40, 130))
    for row, (label, value) in zip(info.rows, sheet.info, strict=True):
        put(row.cells[0], label, bold=True)
        put(row.cells[1], value)
    document.add_paragraph()
    table = grid_table(document, 1 + len(sheet.names), (20, 40, 55, 55))
    header = ("序号", "姓名", "签到（签名）", "签退（签名）")
    for cell, label in zip(table.rows[0].cells, header, strict=True):
        put(cell, label, bold=True, center=True)
    for index, (row, name) in enumerate(zip(table.rows[1:], sheet.names, strict=True)):
        cells = row.cells
        put(cells[0], str(index + 1), center=True)
        put(cells[1], name)
        put(cells[2], name if index in sheet.signed_in else "")
        put(cells[3], name if index in sheet.signed_out else "")
    document.add_paragraph()
    document.add_paragraph(
        f"授课老师（签名）：{sheet.teacher_signature}　　　　"
        f"班主任（签名）：{sheet.head_teacher_signature}　　　　"
        f"培训对象代表（签名）：{sheet.representative_signature}"
    )


def build_signin_kv(path: Path) -> None:
    document = new_document(9)
    write_signin(document, electrician_signin())
    document.save(str(path))


# -------------------------------------------------------- case 5: agreement as prose

AGREEMENT_HEADCOUNT = len(CLASS_ROSTER)


def agreement_lines() -> list[str]:
    party_b_code = wrong_credit_code(INSTITUTION.credit_code)
    return [
        "职工技能提升合作培训协议",
        "",
        f"甲方（培训组织实施单位）：{ENTERPRISE.name}",
        f"统一社会信用代码：{ENTERPRISE.credit_code}",
        f"地址：{ENTERPRISE.address}",
        f"法定代表人：{ENTERPRISE.legal_representative}",
        f"联系人：{ENTERPRISE.contact_person}　　联系电话：{ENTERPRISE.contact_phone}",
        "",
        f"乙方（培训机构）：{INSTITUTION.name}",
        f"统一社会信用代码：{party_b_code}",
        f"办学许可证号：{INSTITUTION.license_no}",
        f"地址：{INSTITUTION.address}",
        f"法定代表人：{INSTITUTION.legal_representative}",
        f"联系人：{INSTITUTION.contact_person}　　联系电话：13900001234",
        "",
        "为提升甲方职工职业技能水平，经双方协商一致，甲方委托乙方开展职工培训，"
        "根据江人社函〔2019〕613号文件精神，订立本协议，共同遵守。",
        "一、培训项目：2025年电工（中级工）岗位技能提升培训。",
        "二、培训职业（工种）：电工；培训等级：中级工。",
        f"三、培训人数：{AGREEMENT_HEADCOUNT}人。",
        "四、培训时间：2025年11月3日至11月14日，总学时：40学时。",
        "五、培训地点：江门市蓬江区样例工业园2号培训室。",
        "六、考核评价方式：企业职业技能等级认定。",
        "七、培训费用：每人1500元，共计18000元（大写：壹万捌仟伍佰元整）。",
        "八、支付方式：培训结束后15个工作日内一次性支付。",
        "九、甲方负责组织职工按时参训并提供场地；乙方负责选派具备资质的授课教师，"
        "按培训计划组织教学和考核，并建立培训台账、签到表等资料。",
        "十、任何一方违约，应赔偿对方因此造成的损失。本协议一式两份，双方各执一份。",
        "",
        f"甲方（盖章）：{ENTERPRISE.name}",
        f"乙方（盖章）：{INSTITUTION.name}",
        "签订日期：2025年10月10日",
    ]


def build_agreement_prose(path: Path) -> None:
    document = new_document()
    lines = agreement_lines()
    heading(document, lines[0])
    for line in lines[1:]:
        document.add_paragraph(line)
    document.save(str(path))


# --------------------------------------------------- case 6: a document that is no annex


def build_meeting_notice(path: Path) -> None:
    document = new_document()
    heading(document, "关于召开2025年第四季度安全生产工作会议的通知")
    for line in (
        "各部门、各车间：",
        "经研究，定于近期召开第四季度安全生产工作会议，现将有关事项通知如下：",
        "一、会议时间：2025年11月20日下午2:30",
        "二、会议地点：公司三楼会议室",
        "三、参会人员：各部门负责人及安全员（名单见下表）",
    ):
        document.add_paragraph(line)
    people = make_roster(random.Random(99), 4, dt.date(2025, 11, 20))
    table = grid_table(document, 1 + len(people), (15, 45, 30, 40, 40))
    header = ("序号", "部门", "姓名", "职务", "手机")
    for cell, label in zip(table.rows[0].cells, header, strict=True):
        put(cell, label, bold=True, center=True)
    for index, (row, person) in enumerate(zip(table.rows[1:], people, strict=True)):
        department = ("生产部", "设备部", "质检部", "仓储部")[index]
        values = (str(index + 1), department, person["name"], "安全员", person["phone"])
        for cell, value in zip(row.cells, values, strict=True):
            put(cell, value)
    for line in ("请各参会人员准时出席，不得缺席。", "", "公司办公室", "2025年11月10日"):
        document.add_paragraph(line)
    document.save(str(path))


# -------------------------------------- case 7: one PDF, a filing and then a sign-in sheet


def build_filing_and_signin(path: Path) -> None:
    """Two documents one after another in one file, a page break between them."""
    document = new_document(9)
    write_filing(document, fitter_filing())
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    write_signin(document, fitter_signin())
    document.save(str(path))


# ---------------------------------------------------------------------------- the corpus


@dataclass(frozen=True)
class CorpusFile:
    name: str
    """File name in the corpus directory."""
    build: Callable[[Path], None]
    """Writes the file, or for a PDF the DOCX it is converted from."""

    @property
    def pdf(self) -> bool:
        return self.name.endswith(".pdf")


FILES: tuple[CorpusFile, ...] = (
    CorpusFile("filing_grid.docx", build_filing_grid),
    CorpusFile("ledger_mixed.xlsx", build_ledger_xlsx),
    CorpusFile("signin_kv.docx", build_signin_kv),
    CorpusFile("agreement_prose.docx", build_agreement_prose),
    CorpusFile("meeting_notice.docx", build_meeting_notice),
    CorpusFile("ledger_300.pdf", build_ledger_300),
    CorpusFile("agreement_prose.pdf", build_agreement_prose),
    CorpusFile("filing_and_signin.pdf", build_filing_and_signin),
)


def build_corpus(outdir: Path, *, pdf: bool) -> dict[str, Path]:
    """Build the DOCX and XLSX files (``pdf=False``) or the PDF files (``pdf=True``, one
    LibreOffice start for all of them) into ``outdir``; file name → path."""
    outdir.mkdir(parents=True, exist_ok=True)
    built: dict[str, Path] = {}
    if not pdf:
        for item in FILES:
            if not item.pdf:
                item.build(outdir / item.name)
                built[item.name] = outdir / item.name
        return built
    sources = outdir / "docx-sources"
    sources.mkdir(exist_ok=True)
    docx_files = []
    for item in FILES:
        if item.pdf:
            source = sources / (Path(item.name).stem + ".docx")
            item.build(source)
            docx_files.append(source)
    for produced in convert_to_pdf(docx_files, outdir):
        built[produced.name] = produced
    return built


def main(argv: Sequence[str]) -> None:
    if not argv or argv[0].startswith("-"):
        sys.exit("usage: python -m tests.corpus.build OUTDIR [--pdf]")
    outdir = Path(argv[0])
    for name, path in build_corpus(outdir, pdf=False).items():
        print(name, path)
    if "--pdf" in argv[1:]:
        for name, path in build_corpus(outdir, pdf=True).items():
            print(name, path)


if __name__ == "__main__":
    main(sys.argv[1:])
