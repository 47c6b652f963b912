"""The document readers: DOCX, XLSX and PDF → layout, and every malformed input refused.

Most documents are made here (python-docx, openpyxl, PDFs written byte by byte) so that
each feature is tested on its own; the generated forms are read as a whole at the end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import random
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from annexkit.checker.layout import LayoutDocument, Table, clean
from annexkit.checker.readers import UnreadableDocument, read, subset
from annexkit.checker.readers.xlsx import cell_text
from annexkit.generator.output import write_documents
from annexkit.generator.package import Document, derive_ledger
from tests.synthetic import make_roster


def read_one(path: Path) -> LayoutDocument:
    documents = read(path)
    assert len(documents) == 1
    return documents[0]


def grid(table: Table) -> list[list[tuple[str, int, int, int, int]]]:
    """Each row as (text, row, column, rowspan, colspan) of its cells."""
    return [[(c.text, c.row, c.column, c.rowspan, c.colspan) for c in row] for row in table.rows()]


# ---------------------------------------------------------------------------------------
# Hand-made PDFs


HELVETICA = b"/F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
SONG = (
    b"/F2 << /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
    b"/DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
    b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
    b"/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
    b"/FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 "
    b"/StemV 80 >> >>] >>"
)
"""A predefined CJK font with a Unicode CMap: no font file needed, and text maps to Unicode."""
NO_UNICODE = (
    b"/F3 << /Type /Font /Subtype /Type0 /BaseFont /Garbled /Encoding /Identity-H "
    b"/DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Garbled "
    b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
    b"/FontDescriptor << /Type /FontDescriptor /FontName /Garbled /Flags 4 "
    b"/FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 "
    b"/StemV 80 >> >>] >>"
)
"""Identity-encoded glyph ids without a ToUnicode map: the text layer is garbage."""
FONTS = HELVETICA + SONG + NO_UNICODE


def pdf_bytes(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF whose object ``i + 1`` is ``objects[i]``; object 1 must be the catalog."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n%s\nendstream" % (len(data), extra, data)


def pages_pdf(
    contents: list[bytes], size: tuple[int, int] = (595, 842), extra: bytes = b""
) -> bytes:
    """One page per content stream, all fonts above available, ``extra`` in each /Resources."""
    count = len(contents)
    kids = b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
    ]
    for i, content in enumerate(contents):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << %s >> "
            b"%s>> /Contents %d 0 R >>" % (size[0], size[1], FONTS, extra, 4 + 2 * i)
        )
        objects.append(stream(content))
    return pdf_bytes(objects)


def han(text: str) -> bytes:
    """``text`` as a hex string for the UniGB-UCS2-H font."""
    return b"<" + text.encode("utf-16-be").hex().upper().encode() + b">"


def show(x: float, y: float, text: str, size: float = 10.5) -> bytes:
    """Text at (x, y) from the bottom-left; Han in STSong, other text in Helvetica."""
    if all(ord(c) < 128 for c in text):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode()
        return b"BT /F1 %.2f Tf %.2f %.2f Td (%s) Tj ET\n" % (size, x, y, escaped)
    return b"BT /F2 %.2f Tf %.2f %.2f Td %s Tj ET\n" % (size, x, y, han(text))


def rulings(xs: list[float], ys: list[float], skip: Callable[[str, int, int], bool]) -> bytes:
    """Cell borders drawn one cell side at a time (as LibreOffice does), leaving out the sides
    ``skip(kind, i, j)`` names: ("v", column line, row) or ("h", row line, column)."""
    out = [b"0.5 w"]
    for i, x in enumerate(xs):
        for j in range(len(ys) - 1):
            if not skip("v", i, j):
                out.append(b"%.2f %.2f m %.2f %.2f l S" % (x, ys[j], x, ys[j + 1]))
    for i, y in enumerate(ys):
        for j in range(len(xs) - 1):
            if not skip("h", i, j):
                out.append(b"%.2f %.2f m %.2f %.2f l S" % (xs[j], y, xs[j + 1], y))
    return b"\n".join(out) + b"\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# Standard security handler, revision 2 (RC4, 40-bit): the only cipher simple enough to write
# here; PDFium asks for the password just as it does for AES.
_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    i = j = 0
    out = bytearray()
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def encrypted_pdf(user_password: bytes) -> bytes:
    file_id, permissions = b"0123456789abcdef", -4
    owner = _rc4(hashlib.md5(_PAD).digest()[:5], (user_password + _PAD)[:32])
    key = hashlib.md5(
        (user_password + _PAD)[:32]
        + owner
        + permissions.to_bytes(4, "little", signed=True)
        + file_id
    ).digest()[:5]
    content = _rc4(
        hashlib.md5(key + (4).to_bytes(3, "little") + b"\0\0").digest()[:10],
        show(100, 700, "Secret"),
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << %s >> >> "
        b"/Contents 4 0 R >>" % HELVETICA,
        stream(content),
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>"
        % (owner.hex().encode(), _rc4(key, _PAD).hex().encode(), permissions),
    ]
    ids = b"<%s>" % file_id.hex().encode()
    return pdf_bytes(objects, b"/Encrypt 5 0 R /ID [%s %s] " % (ids, ids))


# ---------------------------------------------------------------------------------------
# DOCX


def test_docx_blocks_in_document_order_and_headers_ignored(tmp_path: Path) -> None:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "页眉：不应读取"
    document.add_paragraph("附件8")
    document.add_paragraph("")
    document.add_paragraph("培训对象参训出勤签到表")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "序号"
    table.cell(0, 1).text = "姓名"
    table.cell(1, 0).text = "1"
    table.cell(1, 1).text = "张三"
    document.add_paragraph("注：本人签到")
    document.save(str(tmp_path / "a.docx"))

    layout = read_one(tmp_path / "a.docx")
    assert (layout.format, layout.pages, layout.extraction.engine) == ("docx", None, "docx")
    kinds = [(type(b).__name__, b.index) for b in layout.blocks]
    assert kinds == [("Paragraph", 1), ("Paragraph", 2), ("Table", 1), ("Paragraph", 3)]
    assert [p.text for p in layout.paragraphs] == [
        "附件8",
        "培训对象参训出勤签到表",
        "注：本人签到",
    ]
    assert "页眉" not in layout.text()
    assert grid(layout.tables[0])[1] == [("1", 1, 0, 1, 1), ("张三", 1, 1, 1, 1)]


def test_docx_merged_cells_have_spans_once(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=4, cols=4)
    table.cell(0, 0).merge(table.cell(0, 3)).text = "企业基本情况"  # gridSpan 4
    table.cell(1, 0).merge(table.cell(2, 0)).text = "联系人"  # vMerge over 2 rows
    table.cell(1, 1).merge(table.cell(3, 2)).text = "大块"  # 3 rows × 2 columns
    table.cell(1, 3).text = "d1"
    table.cell(3, 0).text = "末行"
    document.save(str(tmp_path / "m.docx"))

    (table_read,) = read_one(tmp_path / "m.docx").tables
    assert grid(table_read) == [
        [("企业基本情况", 0, 0, 1, 4)],
        [("联系人", 1, 0, 2, 1), ("大块", 1, 1, 3, 2), ("d1", 1, 3, 1, 1)],
        [("", 2, 3, 1, 1)],
        [("末行", 3, 0, 1, 1), ("", 3, 3, 1, 1)],
    ]
    assert (table_read.n_rows, table_read.n_columns) == (4, 4)


def test_docx_nested_table_follows_its_parent(tmp_path: Path) -> None:
    document = docx.Document()
    outer = document.add_table(rows=2, cols=2)
    outer.cell(0, 0).text = "师资"
    host = outer.cell(1, 1)
    host.text = "见下表"
    inner = host.add_table(rows=2, cols=2)
    inner.cell(0, 0).text = "姓名"
    inner.cell(0, 1).text = "职称"
    inner.cell(1, 0).text = "王建国"
    inner.cell(1, 1).text = "高级技师"
    document.add_table(rows=1, cols=1).cell(0, 0).text = "后一个表"
    document.save(str(tmp_path / "n.docx"))

    tables = read_one(tmp_path / "n.docx").tables
    assert [t.index for t in tables] == [1, 2, 3]
    assert grid(tables[0])[1][1] == ("见下表", 1, 1, 1, 1)  # its own text, not the inner table's
    assert grid(tables[1]) == [
        [("姓名", 0, 0, 1, 1), ("职称", 0, 1, 1, 1)],
        [("王建国", 1, 0, 1, 1), ("高级技师", 1, 1, 1, 1)],
    ]
    assert tables[2].cells[0].text == "后一个表"


def test_docx_text_keeps_lines_spaces_and_tracked_changes(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "姓　　名"  # letter-spaced with ideographic spaces
    cell = table.cell(0, 1)
    cell.text = "江门市新技职业培训学校"
    cell.add_paragraph("2025年第3期")
    paragraph = document.add_paragraph("保留")
    # A tracked insertion is text; a tracked deletion is not; a content control is.
    paragraph._p.append(
        parse_xml(f'<w:ins {nsdecls("w")} w:id="1" w:author="a"><w:r><w:t>插入</w:t></w:r></w:ins>')
    )
    paragraph._p.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="2" w:author="a">'
            "<w:r><w:delText>删除</w:delText></w:r></w:del>"
        )
    )
    sdt = parse_xml(
        f"<w:sdt {nsdecls('w')}><w:sdtContent><w:p><w:r><w:t>控件中的段落</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>"
    )
    document.element.body.insert(len(document.element.body) - 1, sdt)
    document.save(str(tmp_path / "t.docx"))

    layout = read_one(tmp_path / "t.docx")
    label, value = layout.tables[0].cells
    assert label.text == "姓　　名" and clean(label.text) == "姓名"
    assert value.text == "江门市新技职业培训学校\n2025年第3期"
    assert [p.text for p in layout.paragraphs] == ["保留插入", "控件中的段落"]


def test_docx_table_repeated_per_page_is_joined(tmp_path: Path) -> None:
    document = docx.Document()
    number = 0
    for part in range(3):
        table = document.add_table(rows=3, cols=2)
        table.cell(0, 0).text, table.cell(0, 1).text = "序号", "姓名"
        for row in (1, 2):
            number += 1
            table.cell(row, 0).text, table.cell(row, 1).text = str(number), f"人{number}"
        if part < 2:
            document.add_page_break()  # type: ignore[no-untyped-call]
    document.add_paragraph("另一张表")
    other = document.add_table(rows=2, cols=2)
    other.cell(0, 0).text, other.cell(0, 1).text = "序号", "姓名"
    document.save(str(tmp_path / "j.docx"))

    tables = read_one(tmp_path / "j.docx").tables
    assert len(tables) == 2  # the table after a paragraph stays apart
    rows = tables[0].rows()
    assert len(rows) == 7 and [r[1].text for r in rows] == ["姓名"] + [
        f"人{i}" for i in range(1, 7)
    ]


# ---------------------------------------------------------------------------------------
# XLSX


def make_workbook(path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "台账"
    sheet["A1"] = "培训台账"
    sheet.merge_cells("A1:E1")
    sheet["A2"] = "培训项目主题：电工"
    sheet.merge_cells("A2:E2")
    sheet.append(["序号", "姓名", "身份证号码", "培训日期", "班别"])
    sheet.append([1, "张三", 440703199001011234, dt.datetime(2025, 11, 3), "第1期"])
    sheet.append([2, "李四", 4.40703199001011e17, dt.date(2025, 11, 4), None])
    sheet.append([3.0, "王五", "44070319900101123X", dt.datetime(2025, 11, 5, 8, 30), None])
    sheet.merge_cells("E4:E6")
    sheet["A8"] = "合计"
    sheet["B8"] = 3
    second = workbook.create_sheet("签到")
    second["B2"] = "姓名"
    second["C2"] = "签到"
    second["B3"] = "张三"
    second["C3"] = "✓"
    workbook.create_sheet("空表")
    hidden = workbook.create_sheet("下拉选项")
    hidden["A1"], hidden["A2"] = "初中", "高中"
    hidden.sheet_state = "hidden"
    workbook.save(path)
    # openpyxl writes every large number as a float; other producers write the integer, which
    # a reader must show whole.
    sheet_xml = "xl/worksheets/sheet1.xml"
    _rewrite_member(path, sheet_xml, b"4.407031990010113e+17", b"440703199001011234")


def _rewrite_member(path: Path, name: str, old: bytes, new: bytes) -> None:
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    assert old in members[name]
    members[name] = members[name].replace(old, new, 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)


def test_xlsx_sheets_titles_spans_and_refs(tmp_path: Path) -> None:
    make_workbook(tmp_path / "w.xlsx")
    layout = read_one(tmp_path / "w.xlsx")
    assert (layout.format, layout.extraction.engine, layout.pages) == ("xlsx", "xlsx", None)
    assert [type(b).__name__ for b in layout.blocks] == ["Paragraph", "Paragraph", "Table", "Table"]
    assert [p.text for p in layout.paragraphs] == ["培训台账", "培训项目主题：电工"]
    ledger, signin = layout.tables
    assert (ledger.index, ledger.sheet, signin.index, signin.sheet) == (1, "台账", 2, "签到")
    rows = ledger.rows()
    assert (ledger.n_rows, ledger.n_columns) == (6, 5)  # rows 3–8, columns A–E
    assert [c.text for c in rows[0]] == ["序号", "姓名", "身份证号码", "培训日期", "班别"]
    assert [c.ref for c in rows[0]] == ["A3", "B3", "C3", "D3", "E3"]
    assert [c.text for c in rows[1]] == ["1", "张三", "440703199001011234", "2025-11-03", "第1期"]
    assert rows[1][4].rowspan == 3 and len(rows[2]) == 4  # E4:E6 once
    assert rows[2][2].text == "4.40703199001011e+17"  # damaged, not repaired
    assert [c.text for c in rows[3][:4]] == ["3", "王五", "44070319900101123X", "2025-11-05 08:30"]
    assert rows[5][0].text == "合计" and rows[5][0].ref == "A8"
    assert grid(signin) == [
        [("姓名", 0, 0, 1, 1), ("签到", 0, 1, 1, 1)],
        [("张三", 1, 0, 1, 1), ("✓", 1, 1, 1, 1)],
    ]
    assert signin.cells[0].ref == "B2"
    assert "初中" not in layout.text()  # hidden sheet


def test_xlsx_read_by_content_not_name(tmp_path: Path) -> None:
    make_workbook(tmp_path / "w.xlsx")
    renamed = (tmp_path / "w.xlsx").rename(tmp_path / "ledger.dat")
    assert read_one(renamed).format == "xlsx"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (440703199001011234, "440703199001011234"),
        (4.40703199001011e17, "4.40703199001011e+17"),
        (440703199001011000.0, "4.40703199001011e+17"),
        (13912735174.0, "13912735174"),
        (23.0, "23"),
        (0.1 + 0.2, "0.3"),
        (True, "TRUE"),
        (dt.datetime(2025, 1, 2), "2025-01-02"),
        (dt.time(8, 30), "08:30"),
        ("  a\r\nb ", "a\nb"),
        (None, ""),
    ],
)
def test_xlsx_values_as_excel_shows_them(value: object, shown: str) -> None:
    assert cell_text(value) == shown


# ---------------------------------------------------------------------------------------
# PDF, hand-made


def test_pdf_fake_bold_and_letter_spacing(tmp_path: Path) -> None:
    title = "签到表"
    content = (
        # drawn twice as two text objects 0.3 pt apart …
        show(200, 760, title, 18)
        + show(200.3, 760.2, title, 18)
        # … and twice inside one text object, where PDFium keeps both copies
        + b"BT /F2 18 Tf 200 720 Td %s Tj 0.3 0 Td %s Tj ET\n" % (han(title), han(title))
        + b"BT /F1 12 Tf 100 680 Td (Bold) Tj 0.4 0 Td (Bold) Tj ET\n"
        # 分散对齐: one character at a time, a character's width apart
        + show(100, 640, "备", 12)
        + show(124, 640, "案", 12)
        + show(148, 640, "表", 12)
    )
    layout = read_one(write(tmp_path, "b.pdf", pages_pdf([content])))
    texts = [p.text for p in layout.paragraphs]
    assert texts == ["签到表", "签到表", "Bold", "备 案 表"]
    assert clean(texts[-1]) == "备案表"
    assert (layout.format, layout.pages, layout.extraction.engine) == ("pdf", 1, "pdf-text")


def test_pdf_grid_with_merged_cells(tmp_path: Path) -> None:
    xs, ys = [60.0, 160.0, 260.0, 360.0], [700.0, 680.0, 660.0, 640.0]

    def skip(kind: str, i: int, j: int) -> bool:
        # row 0 merged across (no inner verticals in row 0); column 0 merged over rows 1–2
        return (kind == "v" and i in (1, 2) and j == 0) or (kind == "h" and i == 2 and j == 0)

    content = rulings(xs, ys, skip)
    content += show(170, 686, "企业基本情况")
    label = han("联系人")  # fake bold inside a cell
    content += b"BT /F2 10.5 Tf 70 656 Td %s Tj 0.3 0 Td %s Tj ET\n" % (label, label)
    content += show(170, 666, "B1") + show(270, 666, "C1") + show(170, 646, "B2")
    content += show(60, 760, "附件5") + show(60, 600, "第 1 页 共 1 页", 9)
    layout = read_one(write(tmp_path, "g.pdf", pages_pdf([content])))
    assert [type(b).__name__ for b in layout.blocks] == ["Paragraph", "Table", "Paragraph"]
    (table,) = layout.tables
    assert grid(table) == [
        [("企业基本情况", 0, 0, 1, 3)],
        [("联系人", 1, 0, 2, 1), ("B1", 1, 1, 1, 1), ("C1", 1, 2, 1, 1)],
        [("B2", 2, 1, 1, 1), ("", 2, 2, 1, 1)],
    ]
    first = table.rows()[0][0]
    assert first.page == 1 and first.bbox == pytest.approx((60, 142, 360, 162), abs=0.5)
    assert all(b.page == 1 for b in layout.blocks)


def test_pdf_table_continued_on_next_pages_is_joined(tmp_path: Path) -> None:
    xs = [60.0, 120.0, 300.0]
    header = show(70, 786, "序号") + show(130, 786, "身份证号码")

    def page(numbers: range, title: str = "") -> bytes:
        ys = [800.0 - 20 * i for i in range(len(numbers) + 2)]
        body = rulings(xs, ys, lambda *_: False) + header
        for k, n in enumerate(numbers):
            y = 766 - 20 * k
            body += show(70, y, str(n)) + show(130, y, f"ID{n:04d}")
        return (
            body + (show(60, 820, title) if title else b"") + show(280, 40, f"- {numbers[0]} -", 9)
        )

    contents = [
        page(range(1, 4)),
        page(range(4, 7)),
        page(range(7, 9)),
        page(range(1, 3), "另一份签到表"),
    ]
    layout = read_one(write(tmp_path, "c.pdf", pages_pdf(contents)))
    first, second = layout.tables
    rows = first.rows()
    assert [r[1].text for r in rows] == ["身份证号码"] + [f"ID{n:04d}" for n in range(1, 9)]
    assert [r[0].page for r in rows] == [1, 1, 1, 1, 2, 2, 2, 3, 3]
    assert (first.page, second.page, second.n_rows) == (1, 4, 3)  # after a title: not joined

    part = subset(layout, 2, 4)
    assert (part.first_page, part.pages) == (2, 3)
    assert [t.index for t in part.tables] == [1, 2]
    assert [r[1].text for r in part.tables[0].rows()] == [f"ID{n:04d}" for n in range(4, 9)]
    assert part.tables[0].rows()[0][0].row == 0
    assert all(b.page is not None and 2 <= b.page <= 4 for b in part.blocks)
    assert read_one(tmp_path / "c.pdf").tables[0].n_rows == 9  # subset left the original alone


GRAY_PIXEL = stream(
    b"\x80",
    b"/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
    b"/BitsPerComponent 8 ",
)


def test_pdf_cells_report_ink_other_than_text(tmp_path: Path) -> None:
    xs, ys = [60.0, 160.0, 260.0, 360.0], [700.0, 660.0]
    content = rulings(xs, ys, lambda *_: False) + show(70, 676, "张三")
    content += b"q 80 0 0 30 170 665 cm /Im1 Do Q\n"  # a pasted signature image
    content += b"1 w 270 670 m 290 695 300 665 340 690 c S\n"  # a signature drawn as a curve
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << %s >> "
        b"/XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>" % FONTS,
        stream(content),
        GRAY_PIXEL,
    ]
    (table,) = read_one(write(tmp_path, "ink.pdf", pdf_bytes(objects))).tables
    name, image, curve = table.cells
    assert name.text == "张三" and name.ink == 0
    assert image.ink == pytest.approx(80 * 30 / (97 * 37), abs=0.01)
    assert curve.ink is not None and 0.3 < curve.ink < 1


def test_pdf_page_of_many_lines_is_read_quickly(tmp_path: Path) -> None:
    rng = random.Random(1)
    strokes = []
    for _ in range(3000):
        x, y = rng.uniform(20, 560), rng.uniform(20, 800)
        strokes.append(b"%.2f %.2f m %.2f %.2f l S" % (x, y, x + 4, y))
        strokes.append(b"%.2f %.2f m %.2f %.2f l S" % (x, y, x, y + 4))
    content = b"0.3 w\n" + b"\n".join(strokes) + b"\n" + show(100, 820, "图")
    started = time.perf_counter()
    layout = read_one(write(tmp_path, "hatch.pdf", pages_pdf([content])))
    assert time.perf_counter() - started < 2
    assert [p.text for p in layout.paragraphs] == ["图"]


def test_pdf_unreliable_pages(tmp_path: Path) -> None:
    image = GRAY_PIXEL
    contents = [
        show(100, 700, "正常的文字层"),
        b"BT /F3 12 Tf 100 700 Td <0123045601780299> Tj ET",  # no ToUnicode
        b"",  # no text at all
        b"q 595 0 0 842 0 0 cm /Im1 Do Q\n" + show(500, 20, "1"),  # a scan with a page number
        show(100, 700, "(cid:12)(cid:345)(cid:6)"),
    ]
    count = len(contents)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    objects.append(
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count)), count)
    )
    objects.append(image)
    for i, content in enumerate(contents):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << %s >> "
            b"/XObject << /Im1 3 0 R >> >> /Contents %d 0 R >>" % (FONTS, 5 + 2 * i)
        )
        objects.append(stream(content))
    layout = read_one(write(tmp_path, "u.pdf", pdf_bytes(objects)))
    assert layout.pages == 5
    assert layout.unreliable_pages == [2, 3, 4, 5]
    assert layout.extraction.confidence == pytest.approx(0.2)


def test_pdf_form_xobject_and_rotated_page(tmp_path: Path) -> None:
    lines = b"0.5 w 0 0 m 200 0 l S 0 40 m 200 40 l S 0 80 m 200 80 l S "
    lines += b"0 0 m 0 80 l S 100 0 m 100 80 l S 200 0 m 200 80 l S"
    form = stream(
        lines, b"/Type /XObject /Subtype /Form /BBox [0 0 300 300] /Matrix [1 0 0 1 50 50] "
    )
    text = show(70, 120, "A1") + show(170, 120, "B1") + show(70, 80, "A2") + show(170, 80, "B2")
    drawn = b"q 1 0 0 1 10 10 cm /Fm1 Do Q\n" + text
    for media, rotate, content in (
        (b"[0 0 400 300]", 0, drawn),
        # portrait media shown landscape: content drawn turned, displayed upright
        (b"[0 0 300 400]", 90, b"q 0 1 -1 0 300 0 cm\n" + drawn + b"Q\n"),
    ):
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Rotate %d /Resources << /Font << %s >> "
            b"/XObject << /Fm1 5 0 R >> >> /Contents 4 0 R >>" % (media, rotate, FONTS),
            stream(content),
            form,
        ]
        (table,) = read_one(write(tmp_path, f"f{rotate}.pdf", pdf_bytes(objects))).tables
        assert [[c.text for c in row] for row in table.rows()] == [["A1", "B1"], ["A2", "B2"]]


def test_pdf_read_by_content_not_name(tmp_path: Path) -> None:
    path = write(tmp_path, "scan.docx", pages_pdf([show(100, 700, "附件8")]))
    assert read_one(path).paragraphs[0].text == "附件8"


# ---------------------------------------------------------------------------------------
# Malformed input


@pytest.fixture(scope="session")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A .docx whose document part is 300 MB of zeros (1.4 MB packed)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.docx"
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(300):
                member.write(chunk)
    return path


def _plain_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not an office document")
    return path


def _docx_with_broken_xml(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("word/document.xml", "<w:document")
    return path


MALFORMED: dict[str, tuple[Callable[[Path], Path], str]] = {
    "empty": (lambda d: write(d, "empty.docx", b""), "empty"),
    "text named .docx": (lambda d: write(d, "notes.docx", "只是文本".encode() * 50), "not-a-zip"),
    "text named .pdf": (lambda d: write(d, "notes.pdf", b"hello"), "unknown-format"),
    "unknown bytes": (lambda d: write(d, "x.bin", bytes(range(256))), "unknown-format"),
    "truncated pdf": (
        lambda d: write(d, "cut.pdf", pages_pdf([show(100, 700, "x")])[:300]),
        "truncated",
    ),
    "corrupt pdf": (
        lambda d: write(d, "bad.pdf", b"%PDF-1.7\n" + bytes(500) + b"\n%%EOF\n"),
        "corrupt",
    ),
    "encrypted pdf": (lambda d: write(d, "locked.pdf", encrypted_pdf(b"secret")), "encrypted"),
    "plain zip": (lambda d: _plain_zip(d / "archive.docx"), "unknown-format"),
    "broken docx xml": (lambda d: _docx_with_broken_xml(d / "broken.docx"), "corrupt"),
    "legacy .doc": (
        lambda d: write(d, "old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)),
        "unknown-format",
    ),
    "encrypted docx": (
        lambda d: write(
            d,
            "locked.docx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + bytes(600)
            + "EncryptedPackage".encode("utf-16-le"),
        ),
        "encrypted",
    ),
    # a JPEG header with nothing behind it: images are read (OCR), this one cannot be decoded
    "image": (lambda d: write(d, "photo.pdf", b"\xff\xd8\xff\xe0" + bytes(100)), "corrupt"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_input_is_refused_with_a_reason(case: str, tmp_path: Path) -> None:
    make, kind = MALFORMED[case]
    _refused(make(tmp_path), kind)


def test_zip_bomb_is_refused_before_unpacking(zip_bomb: Path) -> None:
    _refused(zip_bomb, "zip-bomb")


def test_too_large_and_timeout(tmp_path: Path) -> None:
    path = write(tmp_path, "big.pdf", pages_pdf([show(100, 700, "x")] * 3))
    with pytest.raises(UnreadableDocument) as raised:
        read(path, max_bytes=100)
    assert raised.value.kind == "too-large" and "limit 0.1 KB" in raised.value.reason_en
    with pytest.raises(UnreadableDocument) as raised:
        read(path, timeout=-1)
    assert raised.value.kind == "timeout"


def test_unreadable_document_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(UnreadableDocument("中文", "English", "encrypted")))
    assert (error.zh, error.en, error.kind) == ("中文", "English", "encrypted")


def test_encrypted_pdf_opens_with_its_password(tmp_path: Path) -> None:
    """The encrypted test file is a real one: PDFium reads it given the password."""
    path = write(tmp_path, "locked.pdf", encrypted_pdf(b"secret"))
    pdf = pdfium.PdfDocument(str(path), password="secret")
    assert pdf[0].get_textpage().get_text_range().strip() == "Secret"


def test_pdf_with_only_an_owner_password_is_read(tmp_path: Path) -> None:
    """Encrypted against editing but not against opening: a viewer shows it, so do we."""
    layout = read_one(write(tmp_path, "restricted.pdf", encrypted_pdf(b"")))
    assert [p.text for p in layout.paragraphs] == ["Secret"]


def _refused(path: Path, kind: str) -> None:
    started = time.perf_counter()
    with pytest.raises(UnreadableDocument) as raised:
        read(path)
    assert time.perf_counter() - started < 2
    error = raised.value
    assert error.kind == kind, (error.kind, str(error))
    assert error.reason_zh and error.reason_en and error.reason_zh != error.reason_en
    assert any("\u4e00" <= c <= "\u9fff" for c in error.reason_zh)
    assert error.reason_en.isascii() or kind == "corrupt"


# ---------------------------------------------------------------------------------------
# The generated forms


def ledger_of(filing: dict[str, Any], rows: int) -> Document:
    roster = make_roster(random.Random(rows), rows, dt.date(2025, 11, 3))
    record = derive_ledger({**filing, "roster": roster}, {}, {"class_name": "第1期"})
    return Document("ledger", f"ledger-{rows}", record, "test")


@pytest.fixture(scope="session")
def generated(
    tmp_path_factory: pytest.TempPathFactory, sample_documents: list[Document]
) -> dict[str, tuple[Document, Path]]:
    """The filing, a sign-in sheet and a 300-row ledger as DOCX and PDF (one LibreOffice run)."""
    filing = sample_documents[0]
    signin = next(d for d in sample_documents if d.annex == "signin")
    ledger = ledger_of(filing.record, 300)
    out = tmp_path_factory.mktemp("readers")
    write_documents([filing, signin, ledger], out, pdf=True)
    return {d.annex: (d, out / f"{d.stem}.pdf") for d in (filing, signin, ledger)}


@pytest.mark.pdf
def test_generated_ledger_of_300_rows_is_one_table(
    generated: dict[str, tuple[Document, Path]],
) -> None:
    document, path = generated["ledger"]
    started = time.perf_counter()
    layout = read_one(path)
    elapsed = time.perf_counter() - started
    (table,) = layout.tables
    rows = table.rows()
    assert len(rows) == 301
    header = [clean(c.text) for c in rows[0]]
    assert header[:6] == ["序号", "培训项目主题", "姓名", "年龄", "性别", "身份证号码"]
    ids = [r[header.index("身份证号码")].text for r in rows[1:]]
    assert ids == [r["id_number"] for r in document.record["rows"]]
    assert [r[0].text for r in rows[1:]] == [str(n) for n in range(1, 301)]
    assert {c.page for c in table.cells} == set(range(1, (layout.pages or 0) + 1))
    assert sum(clean(c.text) == "身份证号码" for c in table.cells) == 1
    assert not layout.unreliable_pages
    assert elapsed < 0.1 * (layout.pages or 1)  # budget: well under 100 ms a page


@pytest.mark.pdf
def test_generated_filing_pdf_matches_its_docx(generated: dict[str, tuple[Document, Path]]) -> None:
    _, path = generated["filing"]
    from_pdf = read_one(path)
    from_docx = read_one(path.with_suffix(".docx"))
    assert from_pdf.pages == 3 and all(b.page for b in from_pdf.blocks)

    def squeezed(table: Table) -> list[tuple[str, int, int, int, int]]:
        return sorted(
            ("".join(c.text.split()), c.row, c.column, c.rowspan, c.colspan) for c in table.cells
        )

    # The DOCX ends with a borderless sign-off table, which a PDF shows as lines of text.
    assert len(from_pdf.tables) == len(from_docx.tables) - 1
    for pdf_table, docx_table in zip(from_pdf.tables, from_docx.tables, strict=False):
        assert squeezed(pdf_table) == squeezed(docx_table)
    titles = ["".join(p.text.split()) for p in from_pdf.paragraphs]
    assert titles[:2] == ["附件5", "企业职工培训备案表"]


@pytest.mark.pdf
def test_generated_signin_sheets_in_one_pdf_stay_apart(
    generated: dict[str, tuple[Document, Path]], tmp_path: Path
) -> None:
    _, path = generated["signin"]
    single = read_one(path)
    (table,) = single.tables
    assert (table.n_rows, table.n_columns) == (21, 5)
    assert "培训对象参训出勤签到表" in [clean(p.text) for p in single.paragraphs]

    # Two sheets of the same form back to back: same columns, same header, but a title
    # between them — two tables, and each part cut by pages is a whole sheet.
    merged = pdfium.PdfDocument.new()
    for _ in range(2):
        merged.import_pages(pdfium.PdfDocument(str(path)))
    merged.save(str(tmp_path / "two.pdf"))
    both = read_one(tmp_path / "two.pdf")
    assert [t.n_rows for t in both.tables] == [21, 21]
    pages = single.pages or 0
    second = subset(both, pages + 1, 2 * pages)
    assert [t.n_rows for t in second.tables] == [21]
    assert [clean(p.text) for p in second.paragraphs] == [clean(p.text) for p in single.paragraphs]


@pytest.mark.pdf
def test_generated_truncated_pdf_is_refused(
    generated: dict[str, tuple[Document, Path]], tmp_path: Path
) -> None:
    data = generated["filing"][1].read_bytes()
    _refused(write(tmp_path, "half.pdf", data[: len(data) // 2]), "truncated")


def test_a_descender_stays_on_its_line_after_a_flat_glyph() -> None:
    """``统一社会信用代码：914407930AQFM2F8TQ`` as LibreOffice writes it: 一 is the flattest
    glyph and comes first by centre, Q reaches below the digits. Both Qs stay in the line
    (they went to a line of their own, and the credit code lost two characters)."""
    from annexkit.checker.readers.geometry import Glyph
    from annexkit.checker.readers.textlines import lines_of

    glyphs = [Glyph("统", 51.1, 101.7, 61.6, 111.4), Glyph("一", 61.6, 101.7, 72.1, 108.2)]
    x = 145.6
    for char in "914407930AQFM2F8TQ":
        width = 7.6 if char.isalpha() else 5.2
        bottom = 112.3 if char == "Q" else 110.6
        glyphs.append(Glyph(char, x, 103.6, x + width, bottom))
        x += width
    assert [line.text for line in lines_of(glyphs)] == ["统一\t914407930AQFM2F8TQ"]


def _row(texts: list[str], row: int, top: float) -> list[Any]:
    from annexkit.checker.layout import Cell

    return [
        Cell(text, row, column, bbox=(100.0 * column, top, 100.0 * column + 100, top + 20))
        for column, text in enumerate(texts)
    ]


def test_a_row_broken_across_pages_is_one_row_again() -> None:
    """A row that does not fit at the foot of a page goes on at the top of the next: the
    second part (an empty 序号, a few cells written) completes the row above it, and a
    first row of its own (with a 序号) stays a row."""
    from annexkit.checker.readers.stitch import append_rows

    header = ["序号", "姓名", "公民身份号", "联系电话"]
    table = Table(1, _row(header, 0, 100), page=1)
    part = Table(2, _row(["", "", "码", ""], 0, 50) + _row(["1", "张三", "x", "y"], 1, 70), page=2)
    append_rows(table, part)
    rows = [[c.text for c in row] for row in table.rows()]
    assert rows == [["序号", "姓名", "公民身份号\n码", "联系电话"], ["1", "张三", "x", "y"]]

    table = Table(1, _row(header, 0, 100) + _row(["1", "张三", "4407", ""], 1, 120), page=1)
    part = Table(2, _row(["2", "李四", "", ""], 0, 50), page=2)
    append_rows(table, part)
    assert [c.text for c in table.rows()[-1]] == ["2", "李四", "", ""]


def test_a_pdf_cell_of_two_signature_lines_is_signed_where_the_picture_stands() -> None:
    """A table cell ``授课老师（签名）： 班主任（签名）：`` with one pasted signature after
    the second label: the picture's place in the line gives the label it signs."""
    from annexkit.checker.readers.pdf_page import _cell_marks
    from annexkit.checker.readers.textlines import Line

    text = "授课老师（签名）： 班主任（签名）："
    xs = tuple(100.0 + 10 * i for i in range(len(text)))
    line = Line(text, 100.0, 200.0, 100.0 + 10 * len(text), 212.0, 10.0, xs)
    picture = (xs[-1] + 15, 196.0, xs[-1] + 60, 214.0)  # after the second colon
    (offset,) = _cell_marks([line], (90.0, 190.0, 500.0, 220.0), [picture])
    assert offset == len(text)
    outside = (600.0, 196.0, 640.0, 214.0)  # in another cell
    assert _cell_marks([line], (90.0, 190.0, 500.0, 220.0), [outside]) == ()
