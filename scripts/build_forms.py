"""Build the four DOCX form templates in ``forms/`` (江人社函〔2019〕613号 附件5–8).

    python scripts/build_forms.py            # writes forms/{filing,agreement,ledger,signin}.docx
    python scripts/build_forms.py --out DIR  # somewhere else

The templates are docxtpl/Jinja documents: every variable is a property path of the annex's
JSON Schema (``schemas/ANNEX.schema.json``) and the record is the Jinja context. Each
``{{ … }}`` expression is written as one whole run, and every ``{%tr %}``/``{%p %}`` tag is
alone in its own table row or paragraph, as docxtpl requires. The output is byte-for-byte the
same on every run (fixed zip timestamps and document properties), so the committed forms can
be rebuilt and compared.

Typography follows Chinese official forms: A4 paper, 宋体 body and 黑体 titles and headings,
set for East-Asian text explicitly (``w:eastAsia``; python-docx's ``font.name`` leaves it to the
theme, which gives a Japanese face), Times New Roman for Latin text and digits in running text.
Table cells take their digits from the Chinese face too, so that the fixed column widths, measured
for ID numbers and dates, hold on every machine. No bold: 宋体 has no bold face and a faked one
is drawn twice in PDFs, which breaks text extraction.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, Twips

FORMS_DIR = Path(__file__).resolve().parent.parent / "forms"

SONG = "宋体"
HEI = "黑体"
LATIN = "Times New Roman"
FIXED_TIME = dt.datetime(2025, 1, 1, 0, 0, 0)
IDEO_SPACE = "\u3000"

LEFT = WD_ALIGN_PARAGRAPH.LEFT
CENTER = WD_ALIGN_PARAGRAPH.CENTER
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT

Doc = Any  # docx.document.Document (python-docx ships no type information)
Table = Any  # docx.table.Table


def twips(cm: float) -> int:
    return round(cm * 1440 / 2.54)


def el(tag: str, **attrs: str | int) -> Any:
    """An OOXML element ``w:tag`` with ``w:``-namespaced attributes."""
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), str(value))
    return element


# --------------------------------------------------------------------------- document


def set_fonts(rpr: Any, east_asia: str, latin: str = LATIN) -> None:
    """Explicit fonts on an ``w:rPr``: theme font attributes would win over these, so they go."""
    rfonts = rpr.get_or_add_rFonts()
    for name in list(rfonts.attrib):
        del rfonts.attrib[name]
    for attr, value in (("ascii", latin), ("hAnsi", latin), ("eastAsia", east_asia), ("cs", latin)):
        rfonts.set(qn(f"w:{attr}"), value)


@dataclass(frozen=True)
class Style:
    name: str
    size: float
    east_asia: str = SONG
    latin: str = LATIN
    align: Any = None
    before: float = 0
    after: float = 0
    line_exact: float | None = None
    first_line: float | None = None
    left_indent: float | None = None
    keep_next: bool = False
    page_break_before: bool = False


def add_style(doc: Doc, spec: Style) -> None:
    style = doc.styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    set_fonts(style.element.get_or_add_rPr(), spec.east_asia, spec.latin)
    style.font.size = Pt(spec.size)
    style.font.bold = False
    fmt = style.paragraph_format
    if spec.align is not None:
        fmt.alignment = spec.align
    fmt.space_before = Pt(spec.before)
    fmt.space_after = Pt(spec.after)
    if spec.line_exact is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(spec.line_exact)
    if spec.first_line is not None:
        fmt.first_line_indent = Pt(spec.first_line)
    if spec.left_indent is not None:
        fmt.left_indent = Cm(spec.left_indent)
    fmt.keep_with_next = spec.keep_next
    fmt.page_break_before = spec.page_break_before
    fmt.widow_control = True


def new_document(
    *,
    title: str,
    landscape: bool,
    margins: tuple[float, float, float, float],
    body_pt: float,
    styles: Sequence[Style],
) -> Doc:
    """An A4 document with Chinese defaults; ``margins`` are top, right, bottom, left in cm."""
    doc = Document()
    # docDefaults: explicit fonts instead of theme fonts, Chinese as the East-Asian language,
    # no paragraph spacing.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr, SONG)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    # No automatic gap between Han characters and digits/Latin: dates stay 2025年10月20日
    # and the fixed table columns hold what they were measured for.
    spacing.addprevious(el("w:autoSpaceDE", val=0))
    spacing.addprevious(el("w:autoSpaceDN", val=0))
    for attr in ("after", "line", "lineRule"):
        spacing.attrib.pop(qn(f"w:{attr}"), None)
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    spacing.set(qn("w:lineRule"), "auto")

    normal = doc.styles["Normal"]
    set_fonts(normal.element.get_or_add_rPr(), SONG)
    normal.font.size = Pt(body_pt)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.widow_control = True
    for spec in styles:
        add_style(doc, spec)

    settings = doc.settings.element
    for setting in settings.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")

    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    top, right, bottom, left = margins
    section.top_margin, section.right_margin = Cm(top), Cm(right)
    section.bottom_margin, section.left_margin = Cm(bottom), Cm(left)
    section.header_distance = Cm(1.0)
    section.footer_distance = Cm(min(1.0, bottom / 2))
    page_footer(doc, section)

    # The default template carries another document's preview picture: drop it.
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rid)

    props = doc.core_properties
    props.title = title
    props.subject = "江人社函〔2019〕613号"
    props.author = "annexkit"
    props.last_modified_by = "annexkit"
    props.comments = "annexkit 表单模板，由 scripts/build_forms.py 生成"
    props.keywords = "annexkit"
    props.category = ""
    props.revision = 1
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    return doc


def page_footer(doc: Doc, section: Any) -> None:
    """``第 N 页 共 M 页`` centred in the footer."""
    paragraph = section.footer.paragraphs[0]
    paragraph.style = doc.styles["Page Footer"]
    paragraph.add_run("第 ")
    paragraph._p.append(field("PAGE"))
    paragraph.add_run(" 页  共 ")
    paragraph._p.append(field("NUMPAGES"))
    paragraph.add_run(" 页")


def field(instr: str) -> Any:
    fld = el("w:fldSimple", instr=f" {instr} ")
    run = el("w:r")
    text = el("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    return fld


def save(doc: Doc, path: Path) -> None:
    """Save with fixed zip timestamps so a rebuild gives identical bytes."""
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(raw) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


# --------------------------------------------------------------------------- text


@dataclass(frozen=True)
class T:
    """A run: its text is written whole, so a ``{{ … }}`` inside it is never split."""

    text: str
    underline: bool = False
    font: str | None = None
    size: float | None = None


Runs = str | T | Sequence[str | T]


def blank(expr: str) -> T:
    """A filled-in blank of running text: the value underlined, with a little room either
    side so an empty value still leaves a line to write on."""
    pad = IDEO_SPACE * 2
    return T(f"{pad}{expr}{pad}", underline=True)


def write_runs(paragraph: Any, runs: Runs) -> None:
    items: Sequence[str | T] = [runs] if isinstance(runs, str | T) else runs
    for item in items:
        spec = T(item) if isinstance(item, str) else item
        run = paragraph.add_run(spec.text)
        if spec.underline:
            run.font.underline = True
        if spec.font is not None:
            set_fonts(run._r.get_or_add_rPr(), spec.font, spec.font)
        if spec.size is not None:
            run.font.size = Pt(spec.size)


def para(doc: Doc, runs: Runs = "", style: str = "Normal", align: Any = None) -> Any:
    paragraph = doc.add_paragraph(style=style)
    write_runs(paragraph, runs)
    if align is not None:
        paragraph.alignment = align
    return paragraph


def heading(doc: Doc, annex_no: int, title: str) -> None:
    para(doc, f"附件{annex_no}", "Annex Number")
    para(doc, title, "Form Title")


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class C:
    """A table cell: its text (label, Jinja expression or tag), grid columns spanned, style."""

    text: Runs = ""
    span: int = 1
    style: str = "Cell"
    align: Any = CENTER


def label(text: str, span: int = 1) -> C:
    return C(text, span, "Cell", CENTER)


def value(text: Runs, span: int = 1, align: Any = LEFT) -> C:
    return C(text, span, "Cell", align)


def head(text: str, span: int = 1) -> C:
    return C(text, span, "Cell Heading", CENTER)


@dataclass
class Grid:
    table: Table
    widths: list[int]
    styles: Any

    def row(
        self,
        cells: Sequence[C],
        *,
        height: float | None = None,
        header: bool = False,
        keep_next: bool = False,
    ) -> Any:
        if sum(c.span for c in cells) != len(self.widths):
            raise ValueError(f"row spans {sum(c.span for c in cells)} of {len(self.widths)}")
        row = self.table.add_row()
        column = 0
        for spec in cells:
            cell = row.cells[column]
            if spec.span > 1:
                cell = cell.merge(row.cells[column + spec.span - 1])
            cell.width = Twips(sum(self.widths[column : column + spec.span]))
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = cell.paragraphs[0]
            paragraph.style = self.styles[spec.style]
            paragraph.alignment = spec.align
            if keep_next:
                paragraph.paragraph_format.keep_with_next = True
            write_runs(paragraph, spec.text)
            column += spec.span
        trpr = row._tr.get_or_add_trPr()
        trpr.append(el("w:cantSplit"))
        if height is not None:
            row.height = Cm(height)
            row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        if header:
            trpr.append(el("w:tblHeader"))
        return row

    def tag(self, tag: str) -> None:
        """A row holding only a docxtpl ``{%tr … %}`` tag (the row disappears on rendering)."""
        self.row([C(tag, len(self.widths), "Cell", LEFT)])


def grid(
    doc: Doc,
    widths_cm: Sequence[float],
    *,
    borders: bool = True,
    margin_cm: float = 0.12,
) -> Grid:
    """A fixed-layout table centred on the page, columns ``widths_cm`` wide."""
    widths = [twips(w) for w in widths_cm]
    table = doc.add_table(rows=0, cols=len(widths))
    tbl = table._tbl
    tblpr = tbl.tblPr
    for child in list(tblpr):
        tblpr.remove(child)
    tblpr.append(el("w:tblW", w=sum(widths), type="dxa"))
    tblpr.append(el("w:jc", val="center"))
    tblpr.append(el("w:tblInd", w=0, type="dxa"))
    edges = el("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if borders:
            size = 8 if edge in ("top", "left", "bottom", "right") else 4
            edges.append(el(f"w:{edge}", val="single", sz=size, space=0, color="000000"))
        else:
            edges.append(el(f"w:{edge}", val="nil"))
    tblpr.append(edges)
    tblpr.append(el("w:tblLayout", type="fixed"))
    margins = el("w:tblCellMar")
    for edge, size in (
        ("top", 0),
        ("left", twips(margin_cm)),
        ("bottom", 0),
        ("right", twips(margin_cm)),
    ):
        margins.append(el(f"w:{edge}", w=size, type="dxa"))
    tblpr.append(margins)
    tblpr.append(
        el(
            "w:tblLook",
            val="0000",
            firstRow=0,
            lastRow=0,
            firstColumn=0,
            lastColumn=0,
            noHBand=1,
            noVBand=1,
        )
    )
    for col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(width))
    return Grid(table, widths, doc.styles)


def gap(doc: Doc) -> None:
    """The paragraph between two tables (Word would join adjacent tables into one)."""
    para(doc, "", "Gap")


# --------------------------------------------------------------------------- 附件5


def common_styles(body: float, cell: float, *, cell_line: float | None = None) -> list[Style]:
    return [
        Style("Annex Number", 14, HEI, HEI, after=4),
        Style("Form Title", 18, HEI, HEI, align=CENTER, after=10),
        # Table cells take digits and Latin letters from the Chinese face too: the fixed
        # column widths then hold on every machine (Times New Roman is missing on Linux,
        # where its stand-in has digits 27% wider).
        Style("Cell", cell, SONG, SONG, line_exact=cell_line),
        Style("Cell Heading", cell, HEI, HEI, align=CENTER, line_exact=cell_line),
        Style("Gap", 4, line_exact=6),
        Style("Page Footer", 9, align=CENTER),
        Style("Note", 9, before=4),
        Style("Signature", body, before=6, keep_next=True),
        Style("Sign", body, line_exact=22),
    ]


def build_filing(path: Path) -> None:
    doc = new_document(
        title="企业职工培训备案表",
        landscape=False,
        margins=(2.2, 2.2, 2.0, 2.2),
        body_pt=10.5,
        styles=[*common_styles(10.5, 10), Style("Section", 10.5, HEI, HEI, align=CENTER)],
    )
    heading(doc, 5, "企业职工培训备案表")

    def section(text: str) -> C:
        return C(text, 4, "Section", CENTER)

    main = grid(doc, [3.2, 5.1, 3.2, 5.1])
    line, tall, taller = 0.8, 1.3, 2.4

    def wide(text: str, expr: str, height: float = line) -> None:
        main.row([label(text), value(expr, 3)], height=height)

    def pair(text1: str, expr1: str, text2: str, expr2: str) -> None:
        main.row([label(text1), value(expr1), label(text2), value(expr2)], height=line)

    main.row([section("企业基本情况")], height=0.75)
    wide("企业名称", "{{ enterprise.name }}")
    wide("统一社会信用代码", "{{ enterprise.credit_code }}")
    wide("地址", "{{ enterprise.address }}")
    pair(
        "法定代表人",
        "{{ enterprise.legal_representative }}",
        "职工人数",
        "{{ enterprise.employee_count }}",
    )
    pair("联系人", "{{ enterprise.contact_person }}", "联系电话", "{{ enterprise.contact_phone }}")
    main.row([section("培训机构基本情况")], height=0.75)
    wide("培训机构名称", "{{ institution.name }}")
    pair(
        "统一社会信用代码",
        "{{ institution.credit_code }}",
        "办学许可证号",
        "{{ institution.license_no }}",
    )
    wide("地址", "{{ institution.address }}")
    pair(
        "联系人", "{{ institution.contact_person }}", "联系电话", "{{ institution.contact_phone }}"
    )
    main.row([section("培训计划")], height=0.75)
    wide("培训项目", "{{ training.project }}")
    pair("培训职业（工种）", "{{ training.occupation }}", "培训等级", "{{ training.level }}")
    pair("培训类型", "{{ training.type }}", "培训人数", "{{ training.headcount }}")
    wide("培训起止日期", "{{ training.start_date|cn_date }}至{{ training.end_date|cn_date }}")
    wide("培训地点", "{{ training.location }}")
    pair("考核评价方式", "{{ training.assessment_type }}", "总学时", "{{ training.total_hours }}")
    wide("培训目标", "{{ training.objective }}", tall)
    wide("培训对象范围", "{{ training.target_scope }}", tall)
    wide("培训内容大纲", "{{ training.syllabus }}", taller)
    wide("考核评价准则", "{{ training.assessment_criteria }}", tall)
    wide("课件资料", "{{ training.materials }}", tall)

    gap(doc)
    teachers = grid(doc, [1.4, 3.2, 5.0, 7.0])
    teachers.row([head("师资队伍构成", 4)], height=0.75, header=True)
    teachers.row(
        [head("序号"), head("姓名"), head("职称"), head("证书编号")], height=0.7, header=True
    )
    teachers.tag("{%tr for t in training.teachers %}")
    teachers.row(
        [
            value("{{ loop.index }}", align=CENTER),
            value("{{ t.name }}", align=CENTER),
            value("{{ t.title }}", align=CENTER),
            value("{{ t.certificate_no }}", align=CENTER),
        ],
        height=0.7,
    )
    teachers.tag("{%tr endfor %}")

    gap(doc)
    schedule = grid(doc, [3.3, 2.9, 6.0, 1.4, 3.0])
    schedule.row([head("学时日程", 5)], height=0.75, header=True)
    schedule.row(
        [head("日期"), head("时段"), head("培训内容"), head("学时"), head("授课老师")],
        height=0.7,
        header=True,
    )
    schedule.tag("{%tr for s in training.schedule %}")
    schedule.row(
        [
            value("{{ s.date|cn_date }}", align=CENTER),
            value("{{ s.session }}", align=CENTER),
            value("{{ s.content }}"),
            value("{{ s.hours }}", align=CENTER),
            value("{{ s.teacher }}", align=CENTER),
        ],
        height=0.7,
    )
    schedule.tag("{%tr endfor %}")

    gap(doc)
    budget = grid(doc, [1.4, 10.2, 5.0])
    budget.row([head("培训成本预算", 3)], height=0.75, header=True)
    budget.row([head("序号"), head("项目"), head("金额（元）")], height=0.7, header=True)
    budget.tag("{%tr for b in training.budget['items'] %}")
    budget.row(
        [
            value("{{ loop.index }}", align=CENTER),
            value("{{ b.item }}"),
            value("{{ b.amount|money }}", align=RIGHT),
        ],
        height=0.7,
    )
    budget.tag("{%tr endfor %}")
    budget.row(
        [head("合计（元）", 2), value("{{ training.budget.total|money }}", align=RIGHT)], height=0.7
    )

    gap(doc)
    roster = grid(doc, [1.2, 2.0, 1.2, 4.5, 2.1, 3.1, 2.5])
    roster.row([head("培训人员名册", 7)], height=0.75, header=True)
    roster.row(
        [
            head("序号"),
            head("姓名"),
            head("性别"),
            head("身份证号码"),
            head("文化程度"),
            head("联系电话"),
            head("岗位"),
        ],
        height=0.7,
        header=True,
    )
    roster.tag("{%tr for person in roster %}")
    roster.row(
        [
            value("{{ loop.index }}", align=CENTER),
            value("{{ person.name }}", align=CENTER),
            value("{{ person.gender }}", align=CENTER),
            value("{{ person.id_number }}", align=CENTER),
            value("{{ person.education }}", align=CENTER),
            value("{{ person.phone }}", align=CENTER),
            value("{{ person.position }}", align=CENTER),
        ],
        height=0.7,
    )
    roster.tag("{%tr endfor %}")

    para(doc, "", "Signature")
    # The signature block is a borderless label/value grid like the form above it.
    signs = grid(doc, [7.6, 3.0, 6.0], borders=False, margin_cm=0)
    signs.row([C(), C("企业（盖章）：", style="Sign", align=LEFT), C(style="Sign")], keep_next=True)
    signs.row([C(), C(style="Sign"), C(style="Sign")], height=1.6, keep_next=True)
    signs.row(
        [
            C(),
            C("报备日期：", style="Sign", align=LEFT),
            C("{{ filing_date|cn_date }}", style="Sign", align=LEFT),
        ]
    )
    para(doc, "", "Gap")
    save(doc, path)


# --------------------------------------------------------------------------- 附件6

AGREEMENT_PREAMBLE = (
    "根据《中华人民共和国民法典》和职业技能提升行动有关政策规定（江人社函〔2019〕613号），"
    "甲方委托乙方为甲方职工开展职业技能培训。甲乙双方本着平等自愿、诚实信用的原则，"
    "经协商一致，订立本协议，共同遵守。"
)

A_DUTIES = (
    "负责组织符合条件的本单位职工参加培训，向乙方提供参训人员名册，"
    "并按规定向人力资源社会保障部门办理培训备案。",
    "安排参训职工按时参加培训，督促其遵守乙方的教学管理和考勤制度。",
    "有权对乙方的培训计划执行、教学质量、考勤管理和培训安全进行监督检查，并提出改进意见。",
    "按本协议约定向乙方支付培训费用。",
    "如实保存培训备案表、培训台账、签到表等资料，按规定申请职业培训补贴，不得弄虚作假、虚报冒领。",
)

B_DUTIES = (
    "按照备案的培训计划、培训内容大纲和学时日程组织教学，保证培训学时和培训质量，"
    "不得擅自变更培训内容或缩减学时。",
    "配备与培训职业（工种）相适应的师资、场地、设施设备和教材资料，做好培训期间的安全管理。",
    "建立培训台账，如实记录参训人员出勤情况；每次培训由培训对象本人签到、签退，"
    "并由授课老师、班主任签名确认。",
    "按约定组织考核评价，及时向甲方提供考核成绩、证书取得等情况及相关资料。",
    "保护参训人员个人信息，不得泄露或用于与培训无关的用途。",
    "不得以任何名义向参训职工另行收取培训费用。",
)

LIABILITY = (
    "任何一方不履行或不完全履行本协议约定义务的，应承担违约责任；给对方造成损失的，"
    "应依法予以赔偿。",
    "乙方未按约定完成培训学时、培训质量达不到要求，或弄虚作假、协助虚报冒领培训补贴的，"
    "甲方有权解除本协议并要求乙方退还相应培训费用；涉嫌违法的，依法移送有关部门处理。",
    "甲方未按约定支付培训费用的，乙方有权要求甲方限期支付。",
    "因不可抗力致使本协议不能履行的，双方互不承担违约责任，但应及时通知对方，并协商处理善后事宜。",
)

CN_ORDINALS = "一二三四五六七八九十"


def build_agreement(path: Path) -> None:
    body = 12.0
    doc = new_document(
        title="培训组织实施单位与培训机构合作培训协议",
        landscape=False,
        margins=(2.5, 2.4, 2.2, 2.6),
        body_pt=body,
        styles=[
            *common_styles(body, 10.5),
            Style("Party", body, line_exact=22, keep_next=True),
            Style("Party Detail", body, line_exact=22, left_indent=0.85, keep_next=True),
            Style("Clause Heading", body, HEI, HEI, before=6, line_exact=22, keep_next=True),
            Style("Clause Text", body, line_exact=22, first_line=2 * body),
        ],
    )
    heading(doc, 6, "培训组织实施单位与培训机构合作培训协议")

    def party(role: str, key: str, fields: Sequence[tuple[str, str]]) -> None:
        para(doc, [T(role, font=HEI), blank(f"{{{{ {key}.name }}}}")], "Party")
        for text, name in fields:
            para(doc, [f"{text}：", blank(f"{{{{ {key}.{name} }}}}")], "Party Detail")

    common = [
        ("统一社会信用代码", "credit_code"),
        ("地址", "address"),
        ("法定代表人", "legal_representative"),
        ("联系人", "contact_person"),
        ("联系电话", "contact_phone"),
    ]
    party("甲方（培训组织实施单位）：", "party_a", common)
    para(doc, "", "Gap")
    party(
        "乙方（培训机构）：", "party_b", [*common[:1], ("办学许可证号", "license_no"), *common[1:]]
    )
    para(doc, "", "Gap")
    para(doc, AGREEMENT_PREAMBLE, "Clause Text")

    article = iter(["第一条", "第二条", "第三条", "第四条", "第五条", "第六条", "第七条", "第八条"])

    def clause(title: str) -> None:
        para(doc, f"{next(article)}{IDEO_SPACE}{title}", "Clause Heading")

    def items(lines: Sequence[Runs]) -> None:
        for index, line in enumerate(lines):
            prefix = f"（{CN_ORDINALS[index]}）"
            runs = [prefix, line] if isinstance(line, str | T) else [prefix, *line]
            para(doc, runs, "Clause Text")

    clause("培训内容")
    para(doc, "甲方委托乙方为甲方职工开展职业技能培训，具体内容如下：", "Clause Text")
    items(
        [
            ["培训项目：", blank("{{ training.project }}")],
            [
                "培训职业（工种）：",
                blank("{{ training.occupation }}"),
                "，培训等级：",
                blank("{{ training.level }}"),
            ],
            ["培训人数：", blank("{{ training.headcount }}"), "人"],
            [
                "培训起止日期：",
                blank("{{ training.start_date|cn_date }}至{{ training.end_date|cn_date }}"),
            ],
            ["培训地点：", blank("{{ training.location }}")],
            ["总学时：", blank("{{ training.total_hours }}"), "学时"],
            ["考核评价方式：", blank("{{ training.assessment_type }}")],
        ]
    )

    clause("培训费用")
    items(
        [
            ["每人培训费：", blank("{{ fee.per_person|money }}"), "元"],
            ["培训费总额：", blank("{{ fee.total|money }}"), "元"],
            # on a line of its own: long capitals would otherwise wrap mid-amount
            ["人民币（大写）：", blank("{{ fee.total_in_words or (fee.total|rmb_upper) }}")],
            ["支付方式：", blank("{{ fee.payment_terms }}")],
            "上述费用包含教学、教材资料、场地设备、考核评价等培训所需的全部费用。",
        ]
    )

    clause("甲方的权利和义务")
    items(A_DUTIES)
    clause("乙方的权利和义务")
    items(B_DUTIES)
    clause("违约责任")
    items(LIABILITY)
    clause("其他约定")
    para(doc, "{%p for c in clauses %}")
    para(doc, "{{ loop.index }}. {{ c }}", "Clause Text")
    para(doc, "{%p endfor %}")
    clause("争议解决")
    para(
        doc,
        "本协议履行过程中发生争议的，双方应协商解决；协商不成的，"
        "任何一方均可向甲方所在地人民法院提起诉讼。",
        "Clause Text",
    )
    clause("附则")
    para(
        doc,
        "本协议自双方签字盖章之日起生效。本协议未尽事宜，由双方协商签订补充协议，"
        "补充协议与本协议具有同等法律效力。本协议一式三份，甲乙双方各执一份，"
        "一份报人力资源社会保障部门备案，具有同等法律效力。",
        "Clause Text",
    )
    para(doc, "（以下无正文）", "Signature", CENTER)
    para(doc, "", "Signature")

    signs = grid(doc, [8.0, 8.0], borders=False, margin_cm=0)
    signs.row(
        [
            C(
                ["甲方（盖章）：", T("{{ signed_a|mark }}", size=10.5)],
                style="Sign",
                align=LEFT,
            ),
            C(
                ["乙方（盖章）：", T("{{ signed_b|mark }}", size=10.5)],
                style="Sign",
                align=LEFT,
            ),
        ],
        keep_next=True,
    )
    signs.row([C(style="Sign"), C(style="Sign")], height=1.4, keep_next=True)
    signs.row(
        [
            C("法定代表人或委托代理人（签字）：", style="Sign", align=LEFT),
            C("法定代表人或委托代理人（签字）：", style="Sign", align=LEFT),
        ],
        keep_next=True,
    )
    signs.row([C(style="Sign"), C(style="Sign")], height=1.0, keep_next=True)
    signs.row(
        [
            C("签订日期：{{ signed_date|cn_date }}", style="Sign", align=LEFT),
            C("签订日期：{{ signed_date|cn_date }}", style="Sign", align=LEFT),
        ]
    )
    para(doc, "", "Gap")
    save(doc, path)


# --------------------------------------------------------------------------- 附件7

LEDGER_BATCH = 14
"""Rows per page of the ledger, which is one table per page (LibreOffice lays out one long
table very slowly). The rows are laid out for two lines of 9 pt text at an 11 pt pitch (every
row has two: the date range); the first page, under the title, holds 17 such rows and the
others 20. 14 leaves room for rows that wrap to three lines: seven of them on the first page,
all fourteen on the others."""

LEDGER_COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("序号", 0.95, "{{ row.seq }}"),
    ("培训项目主题", 2.3, "{{ row.project }}"),
    ("姓名", 1.5, "{{ row.name }}"),
    ("年龄", 0.85, "{{ row.age }}"),
    ("性别", 0.85, "{{ row.gender }}"),
    ("身份证号码", 3.4, "{{ row.id_number }}"),
    ("文化程度", 1.65, "{{ row.education }}"),
    ("培训职业（工种）", 1.6, "{{ row.occupation }}"),
    ("培训机构名称及班别", 3.9, "{{ row.institution_class }}"),
    ("培训起止日期", 3.2, "{{ row.start_date|cn_date }}至{{ row.end_date|cn_date }}"),
    ("考核成绩", 1.45, "{{ row.score }}"),
    ("技能等级", 1.45, "{{ row.skill_level }}"),
    ("证书编号", 2.2, "{{ row.certificate_no }}"),
    ("联系方式", 2.2, "{{ row.phone }}"),
)
"""Title, width in cm (27.5 in all: landscape A4 less 1.1 cm margins) and cell of each column.
At 9 pt these fit on one line: an 18-character ID number, a mobile number, each line of
2025年10月20日至 / 2025年11月28日, every heading but 培训职业（工种）. A 22-character
certificate number and an institution and class name of about 20 characters take two."""


def build_ledger(path: Path) -> None:
    doc = new_document(
        title="培训台账",
        landscape=True,
        margins=(1.8, 1.1, 1.6, 1.1),
        body_pt=10.5,
        styles=[
            *common_styles(10.5, 9, cell_line=11),
            Style("Project Line", 10.5, after=4),
            Style("Page Break", 1, line_exact=1, page_break_before=True),
            Style("End", 1, line_exact=1),
        ],
    )
    heading(doc, 7, "培训台账")
    para(doc, ["培训项目主题：", T("{{ project }}")], "Project Line")
    para(doc, f"{{%p for page in rows|batch({LEDGER_BATCH}) %}}")
    table = grid(doc, [width for _, width, _ in LEDGER_COLUMNS], margin_cm=0.08)
    table.row([head(title) for title, _, _ in LEDGER_COLUMNS], height=0.8, header=True)
    table.tag("{%tr for row in page %}")
    table.row([value(expr, align=CENTER) for _, _, expr in LEDGER_COLUMNS], height=0.85)
    table.tag("{%tr endfor %}")
    para(doc, "{%p if not loop.last %}")
    para(doc, "", "Page Break")
    para(doc, "{%p endif %}")
    para(doc, "{%p endfor %}")
    para(doc, "", "End")
    save(doc, path)


# --------------------------------------------------------------------------- 附件8


def build_signin(path: Path) -> None:
    doc = new_document(
        title="培训对象参训出勤签到表",
        landscape=False,
        margins=(2.0, 2.2, 2.0, 2.2),
        body_pt=10.5,
        styles=[
            *common_styles(10.5, 10.5),
            Style("Info", 10.5, line_exact=20),
            Style("Count", 10.5, before=8, after=4),
        ],
    )
    heading(doc, 8, "培训对象参训出勤签到表")

    def info(text: str, expr: str, span: int = 1) -> C:
        return C([f"{text}：", T(expr)], span, "Info", LEFT)

    header = grid(doc, [10.0, 6.6], borders=False, margin_cm=0)
    header.row([info("培训项目", "{{ project }}", 2)])
    header.row([info("培训机构", "{{ institution }}"), info("班别", "{{ class_name }}")])
    header.row([info("日期", "{{ date|cn_date }}"), info("时段", "{{ session }}")])
    header.row([info("授课老师", "{{ teacher }}"), info("班主任", "{{ head_teacher }}")])
    gap(doc)

    sheet = grid(doc, [1.4, 3.0, 5.0, 3.6, 3.6])
    sheet.row(
        [head("序号"), head("姓名"), head("身份证号码"), head("签到"), head("签退")],
        height=0.8,
        header=True,
    )
    sheet.tag("{%tr for row in rows %}")
    sheet.row(
        [
            value("{{ row.seq }}", align=CENTER),
            value("{{ row.name }}", align=CENTER),
            value("{{ row.id_number }}", align=CENTER),
            value("{{ row.signed_in|mark }}", align=CENTER),
            value("{{ row.signed_out|mark }}", align=CENTER),
        ],
        height=0.9,
    )
    sheet.tag("{%tr endfor %}")

    para(
        doc,
        ["应到", blank("{{ expected_count }}"), "人，实到", blank("{{ actual_count }}"), "人"],
        "Count",
    )

    def signer(text: str, expr: str) -> C:
        return C([f"{text}（签名）：", blank(expr)], style="Signature", align=LEFT)

    signs = grid(doc, [5.2, 5.2, 6.2], borders=False, margin_cm=0)
    signs.row(
        [
            signer("授课老师", "{{ confirmations.teacher_signed|mark }}"),
            signer("班主任", "{{ confirmations.head_teacher_signed|mark }}"),
            signer("培训对象代表", "{{ confirmations.trainee_rep_signed|mark }}"),
        ],
        height=1.0,
        keep_next=True,
    )
    para(doc, "注：培训对象须本人签到、签退，不得代签；本表每天（每时段）一份。", "Note")
    save(doc, path)


BUILDERS = {
    "filing": build_filing,
    "agreement": build_agreement,
    "ledger": build_ledger,
    "signin": build_signin,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=FORMS_DIR, help="output folder")
    parser.add_argument(
        "annexes",
        nargs="*",
        metavar="ANNEX",
        help=f"annexes to build: {', '.join(BUILDERS)} (default: all)",
    )
    args = parser.parse_args(argv)
    unknown = [a for a in args.annexes if a not in BUILDERS]
    if unknown:
        parser.error(f"unknown annex: {', '.join(unknown)}")
    for annex in args.annexes or BUILDERS:
        target = args.out / f"{annex}.docx"
        BUILDERS[annex](target)
        print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
