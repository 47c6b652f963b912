"""``annex check --annotate DIR``: annotated copies (checker/annotate*.py).

Each test checks a package with known faults, writes the copies and opens them again: a PDF
highlight must lie over the text of the offending cell (read back independently with PDFium's
text in the highlight's rectangle, in PDF user space) and hold the report's message; a Word
comment must be anchored inside the right table cell. Originals are compared byte for byte.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import io
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pikepdf
import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
from docx.oxml.ns import qn

from annexkit.checker import engine
from annexkit.checker.annotate import (
    AnnotatedCopy,
    NotAnnotated,
    annotation_lines,
    write_annotated,
)
from annexkit.checker.discover import PackageSource, unreadable
from annexkit.checker.report import Report, build_report
from annexkit.checker.result import DocumentResult, PackageResult, PageBox
from annexkit.generator.output import write_documents
from annexkit.generator.package import Document

AGE_ROW = 17
"""A ledger row on the second page (the DOCX writes the ledger as one table per page)."""
PHONE_ROW = 1
ID_ROW = 3
BAD_PHONE = "1234567"


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def faulty(sample_documents: list[Document]) -> list[Document]:
    """The sample class with three faults in its ledger (a wrong age, a bad phone number, a
    wrong ID check digit), and one sign-in sheet of its twenty."""
    out: list[Document] = []
    for document in sample_documents:
        if document.annex == "ledger":
            record = copy.deepcopy(document.record)
            rows = record["rows"]
            rows[AGE_ROW]["age"] += 1
            rows[PHONE_ROW]["phone"] = BAD_PHONE
            number = rows[ID_ROW]["id_number"]
            rows[ID_ROW]["id_number"] = number[:-1] + ("1" if number[-1] != "1" else "2")
            document = dataclasses.replace(document, record=record)
        if document.annex == "signin" and any(d.annex == "signin" for d in out):
            continue
        out.append(document)
    return out


@pytest.fixture(scope="module")
def docx_package(tmp_path_factory: pytest.TempPathFactory, faulty: list[Document]) -> Path:
    folder = tmp_path_factory.mktemp("docx") / "班级"
    folder.mkdir()
    write_documents(faulty, folder)
    return folder


@pytest.fixture(scope="module")
def pdf_files(tmp_path_factory: pytest.TempPathFactory, faulty: list[Document]) -> Path:
    """The faulty package as PDF (LibreOffice); the DOCX sources left out."""
    made = tmp_path_factory.mktemp("made")
    write_documents(faulty, made, pdf=True)
    folder = tmp_path_factory.mktemp("pdf") / "pdf班级"
    folder.mkdir()
    for pdf in made.glob("*.pdf"):
        shutil.copy(pdf, folder / pdf.name)
    return folder


# ------------------------------------------------------------------------------- helpers


@dataclasses.dataclass
class Checked:
    sources: list[PackageSource]
    results: list[PackageResult]
    report: Report

    def annotate(self, out: Path) -> list[AnnotatedCopy | NotAnnotated]:
        return write_annotated(self.sources, self.results, self.report, out)

    def pairs(self) -> Iterator[tuple[Any, DocumentResult, dict[str, Any]]]:
        """Every finding filed under a document, with that document and its report entry."""
        from annexkit.checker.report import reported_findings

        for result, reported in zip(self.results, self.report["packages"], strict=True):
            by_path = {d.path: d for d in result.documents}
            for (finding, owner), entry in zip(
                reported_findings(result), reported["findings"], strict=True
            ):
                document = owner or by_path.get(finding.document or "")
                if document is not None:
                    yield finding, document, entry

    def find(self, code: str, pointer: str) -> tuple[Any, DocumentResult, dict[str, Any]]:
        return next(p for p in self.pairs() if p[0].code == code and p[0].path == pointer)


def check(*paths: Path, reveal: bool = False) -> Checked:
    sources = engine.find_packages(paths)
    options = engine.CheckOptions(workers=1, progress=False)
    results = list(engine.check_sources(sources, options))
    return Checked(sources, results, build_report(results, reveal=reveal))


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def copies(items: list[AnnotatedCopy | NotAnnotated]) -> dict[str, AnnotatedCopy]:
    return {i.document: i for i in items if isinstance(i, AnnotatedCopy)}


def pdf_annotations(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(0-based page, annotation) for every annotation of the PDF, as plain values."""
    out = []
    with pikepdf.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            for annot in page.obj.get("/Annots", []):
                out.append(
                    (
                        index,
                        {
                            "subtype": str(annot.Subtype),
                            "rect": [float(v) for v in annot.Rect],
                            "quad": [float(v) for v in annot.get("/QuadPoints", [])],
                            "contents": str(annot.Contents),
                            "author": str(annot.T),
                            "colour": [float(v) for v in annot.C],
                        },
                    )
                )
    return out


def text_under(path: Path, page: int, rect: list[float]) -> str:
    """The text PDFium finds inside ``rect`` (PDF user space) on ``page`` (0-based)."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        textpage = pdf[page].get_textpage()
        return str(textpage.get_text_bounded(*rect)).replace(" ", "").replace("\n", "")
    finally:
        pdf.close()


def annotation_for(path: Path, entry: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The one annotation holding the report entry's message."""
    found = [(p, a) for p, a in pdf_annotations(path) if entry["message"] in a["contents"]]
    assert len(found) == 1, found
    return found[0]


def overlap(a: list[float], b: list[float]) -> float:
    """Intersection over the smaller area of two (x0, y0, x1, y1) rectangles."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / smaller


def assert_highlight_on_value(copy_path: Path, entry: dict[str, Any], shown: str) -> None:
    """The finding's highlight holds its message and note fields and covers ``shown``."""
    page, annot = annotation_for(copy_path, entry)
    assert annot["subtype"] == "/Highlight"
    assert annot["author"] == "annexkit"
    assert entry["code"] in annot["contents"]
    assert entry["severity"] in annot["contents"]
    assert page + 1 == entry["location"]["page"]
    quad = annot["quad"]
    assert len(quad) == 8
    assert _bounds(quad) == pytest.approx(annot["rect"], abs=0.05)
    assert shown in text_under(copy_path, page, annot["rect"])


def _bounds(quad: list[float]) -> list[float]:
    xs, ys = quad[0::2], quad[1::2]
    return [min(xs), min(ys), max(xs), max(ys)]


# -------------------------------------------------------------------------------- DOCX


def comment_anchors(path: Path) -> dict[str, Any]:
    """Comment text → the ``w:commentRangeStart`` of that comment."""
    document = docx.Document(str(path))
    texts = {str(c.comment_id): c.text for c in document.comments}
    return {
        texts[start.get(qn("w:id"))]: start
        for start in document.element.body.iter(qn("w:commentRangeStart"))
    }


def cell_of(element: Any) -> Any:
    return next(element.iterancestors(qn("w:tc")), None)


def text_of(element: Any) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def comment_for(anchors: dict[str, Any], entry: dict[str, Any]) -> Any:
    found = [start for text, start in anchors.items() if entry["message"] in text]
    assert len(found) == 1, list(anchors)
    return found[0]


def test_docx_comments_sit_in_the_findings_cells(
    docx_package: Path, faulty: list[Document], tmp_path: Path
) -> None:
    before = digests(docx_package)
    checked = check(docx_package)
    out = tmp_path / "annotated"
    items = checked.annotate(out)
    ledger = next(d for d in faulty if d.annex == "ledger")
    copy_path = copies(items)[f"{ledger.stem}.docx"].path
    assert copy_path == out / "班级" / f"{ledger.stem}.annotated.docx"
    anchors = comment_anchors(copy_path)
    rows = ledger.record["rows"]
    document = docx.Document(str(copy_path))

    _, _, age = checked.find("age-mismatch", f"/rows/{AGE_ROW}/age")
    assert age["location"]["row"] > 16  # past the first page's table
    cell = cell_of(comment_for(anchors, age))
    assert text_of(cell) == str(rows[AGE_ROW]["age"])
    assert rows[AGE_ROW]["name"] in text_of(cell.getparent())  # the trainee's row
    # The reader joins the ledger's per-page tables: the cell is in python-docx's second one.
    tables = list(cell.getroottree().iter(qn("w:tbl")))
    assert len(tables) == 2 and next(cell.iterancestors(qn("w:tbl"))) is tables[1]

    _, _, phone = checked.find("invalid-phone", f"/rows/{PHONE_ROW}/phone")
    assert text_of(cell_of(comment_for(anchors, phone))) == BAD_PHONE

    # Every comment is annexkit's, and opens with the severity and the code.
    assert all(c.author == "annexkit" for c in document.comments)
    assert any(text.startswith("错误 error · age-mismatch") for text in anchors)
    assert digests(docx_package) == before


def test_docx_comment_text_is_masked_unless_revealed(
    docx_package: Path, faulty: list[Document], tmp_path: Path
) -> None:
    ledger = next(d for d in faulty if d.annex == "ledger")
    number = ledger.record["rows"][ID_ROW]["id_number"]
    for reveal in (False, True):
        checked = check(docx_package, reveal=reveal)
        _, _, entry = checked.find("invalid-id-number", f"/rows/{ID_ROW}/id_number")
        copy_path = copies(checked.annotate(tmp_path / str(reveal)))[f"{ledger.stem}.docx"].path
        anchors = comment_anchors(copy_path)
        start = comment_for(anchors, entry)
        assert text_of(cell_of(start)) == number
        everything = "\n".join(anchors)
        assert (number in everything) is reveal


def test_docx_paragraph_finding_is_anchored_on_its_label(
    docx_package: Path, faulty: list[Document], tmp_path: Path
) -> None:
    """A signature block is a paragraph, not a cell: the comment goes on the paragraph that
    names it."""
    checked = check(docx_package)
    signin = next(d for d in faulty if d.annex == "signin")
    _, _, entry = checked.find("missing-signature", "/confirmations/teacher_signed")
    copy_path = copies(checked.annotate(tmp_path))[f"{signin.stem}.docx"].path
    start = comment_for(comment_anchors(copy_path), entry)
    assert "授课老师" in text_of(start.getparent())


def test_zip_package_and_no_overwrite(docx_package: Path, tmp_path: Path) -> None:
    """A package in a zip gets its copies too (folder named after the zip); the zip is only
    read; a second run, and a name already taken, never overwrite a copy."""
    archive = tmp_path / "班级.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(docx_package.iterdir()):
            out.write(path, f"班级/{path.name}")
    original = archive.read_bytes()
    checked = check(archive)
    folder = tmp_path / "annotated"
    first = copies(checked.annotate(folder))
    assert first and all(c.path.parent == folder / "班级.zip" for c in first.values())
    assert archive.read_bytes() == original
    written = {c.path: c.path.read_bytes() for c in first.values()}
    taken = next(iter(first.values())).path.with_name("x.annotated.docx")
    taken.write_bytes(b"mine")

    second = copies(checked.annotate(folder))
    for name, made in second.items():
        assert made.path.name == first[name].path.name.replace(".annotated.", ".annotated-2.")
    assert {p: p.read_bytes() for p in written} == written
    assert taken.read_bytes() == b"mine"


def test_spreadsheets_and_images_get_no_copy(tmp_path: Path) -> None:
    """Told, not silently skipped; and nothing is written for them."""
    documents = []
    for name, fmt in (("签到.png", "png"), ("台账.xlsx", "xlsx")):
        (tmp_path / name).write_bytes(b"x")
        finding = unreadable(name, "测试", "test")
        documents.append(DocumentResult(name, fmt, findings=[finding]))
    source = PackageSource(
        str(tmp_path), documents=[(tmp_path / d.path, d.path) for d in documents]
    )
    result = PackageResult(str(tmp_path), documents=documents)
    out = tmp_path / "out"
    items = write_annotated([source], [result], build_report([result]), out)
    reasons = [i.reason for i in items if isinstance(i, NotAnnotated)]
    assert len(reasons) == len(items) == 2
    assert "image files" in reasons[0] and "spreadsheets" in reasons[1]
    assert not any(p.is_file() for p in out.rglob("*"))
    assert annotation_lines(items, out)[-1].endswith(f"0 annotated copies written → {out}")


def test_report_from_other_selection_is_refused(docx_package: Path, tmp_path: Path) -> None:
    checked = check(docx_package)
    with pytest.raises(ValueError, match="select"):
        write_annotated(checked.sources, checked.results, checked.report, tmp_path, ignore={"m"})


# --------------------------------------------------------------------------------- PDF


@pytest.mark.pdf
def test_pdf_highlights_cover_the_findings_cells(
    pdf_files: Path, faulty: list[Document], tmp_path: Path
) -> None:
    before = digests(pdf_files)
    checked = check(pdf_files)
    items = checked.annotate(tmp_path / "out")
    ledger = next(d for d in faulty if d.annex == "ledger")
    made = copies(items)[f"{ledger.stem}.pdf"]
    assert made.path == tmp_path / "out" / "pdf班级" / f"{ledger.stem}.annotated.pdf"
    rows = ledger.record["rows"]

    _, document, age = checked.find("age-mismatch", f"/rows/{AGE_ROW}/age")
    assert age["location"]["page"] == 2
    assert_highlight_on_value(made.path, age, str(rows[AGE_ROW]["age"]))
    _, _, phone = checked.find("invalid-phone", f"/rows/{PHONE_ROW}/phone")
    assert_highlight_on_value(made.path, phone, BAD_PHONE)
    _, annot = annotation_for(made.path, phone)
    assert annot["colour"] == pytest.approx([1.0, 0.45, 0.45])  # an error's colour

    # On an unrotated page with the crop box at the origin, the highlight is the reader's box
    # turned upside up: the independent conversion from the displayed page's top-left.
    box = document.boxes[f"/rows/{AGE_ROW}/age"]
    with pikepdf.open(made.path) as pdf:
        top = float(pdf.pages[box.page - 1].mediabox[3])
    page, annot = annotation_for(made.path, age)
    assert annot["rect"] == pytest.approx(
        [box.x0, top - box.bottom, box.x1, top - box.top], abs=0.1
    )

    # Signature blocks have a page but no cell: a note at the page's top-left.
    _, _, signature = checked.find("missing-signature", "/confirmations/teacher_signed")
    signin = next(d for d in faulty if d.annex == "signin")
    page, note = annotation_for(copies(items)[f"{signin.stem}.pdf"].path, signature)
    assert (note["subtype"], page + 1) == ("/Text", signature["location"]["page"])
    with pikepdf.open(copies(items)[f"{signin.stem}.pdf"].path) as pdf:
        height = float(pdf.pages[page].mediabox[3])
    assert note["rect"][0] < 60 and note["rect"][3] > height - 60
    assert digests(pdf_files) == before


def _turn_page(
    pdf: pikepdf.Pdf, page: pikepdf.Page, rotate: int, origin: tuple[float, float]
) -> None:
    """Make ``page`` look the same but be stored turned: its content drawn rotated
    counter to ``/Rotate``, its media box moved to ``origin`` and cropped by a margin — as
    some scanners and producers write landscape pages."""
    x0, y0, x1, y1 = (float(v) for v in page.mediabox)
    width, height = x1 - x0, y1 - y0
    ox, oy = origin
    matrix, (w, h) = {
        90: ((0, 1, -1, 0, height, 0), (height, width)),
        180: ((-1, 0, 0, -1, width, height), (width, height)),
        270: ((0, -1, 1, 0, 0, width), (height, width)),
    }[rotate]
    a, b, c, d, e, f = matrix
    page.contents_coalesce()
    body = page.obj.Contents.read_bytes()
    cm = f"q {a} {b} {c} {d} {e + ox - x0} {f + oy - y0} cm\n".encode()
    page.obj.Contents = pdf.make_stream(cm + body + b"\nQ\n")
    page.obj.MediaBox = pikepdf.Array([ox, oy, ox + w, oy + h])
    page.obj.CropBox = pikepdf.Array([ox + 6, oy + 4, ox + w - 3, oy + h - 5])
    page.obj.Rotate = rotate


@pytest.mark.pdf
@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_rotated_cropped_pages(
    pdf_files: Path, faulty: list[Document], tmp_path: Path, rotate: int
) -> None:
    """A ledger stored sideways (``/Rotate``) with its crop box off the origin: the reader
    sees it upright, and the highlights still lie on the cells in PDF user space."""
    ledger = next(d for d in faulty if d.annex == "ledger")
    package = tmp_path / "turned"
    package.mkdir()
    turned = package / f"{ledger.stem}.pdf"
    with pikepdf.open(pdf_files / f"{ledger.stem}.pdf") as pdf:
        for page in pdf.pages:
            _turn_page(pdf, page, rotate, (40.0, -25.0))
        pdf.save(turned)
    checked = check(turned)
    made = copies(checked.annotate(tmp_path / "out"))[turned.name]
    assert made.path == tmp_path / "out" / f"{ledger.stem}.annotated.pdf"  # a lone file
    rows = ledger.record["rows"]
    _, _, age = checked.find("age-mismatch", f"/rows/{AGE_ROW}/age")
    assert_highlight_on_value(made.path, age, str(rows[AGE_ROW]["age"]))
    _, _, phone = checked.find("invalid-phone", f"/rows/{PHONE_ROW}/phone")
    assert_highlight_on_value(made.path, phone, BAD_PHONE)


@pytest.mark.pdf
def test_pdf_holding_several_annexes_gets_one_copy(
    pdf_files: Path, faulty: list[Document], tmp_path: Path
) -> None:
    """An agreement and a ledger in one file are two documents (``#pages=``) and one copy
    with the findings of both."""
    agreement = next(d for d in faulty if d.annex == "agreement")
    ledger = next(d for d in faulty if d.annex == "ledger")
    package = tmp_path / "bundle"
    package.mkdir()
    bundle = package / "材料.pdf"
    with pikepdf.new() as out:
        for name in (agreement.stem, ledger.stem):
            with pikepdf.open(pdf_files / f"{name}.pdf") as part:
                out.pages.extend(part.pages)
        out.save(bundle)
    checked = check(package)
    parts = [d.path for d in checked.results[0].documents]
    assert len(parts) == 2 and all(p.startswith("材料.pdf#pages=") for p in parts)
    items = checked.annotate(tmp_path / "out")
    assert list(copies(items)) == ["材料.pdf"]
    made = copies(items)["材料.pdf"]
    _, _, phone = checked.find("invalid-phone", f"/rows/{PHONE_ROW}/phone")
    assert phone["document"].startswith("材料.pdf#pages=")
    assert_highlight_on_value(made.path, phone, BAD_PHONE)
    noted = {page for page, _ in pdf_annotations(made.path)}
    first_part = int(parts[0].split("-")[-1])
    assert min(noted) < first_part <= max(noted)  # findings of both parts (0-based pages)
    assert made.marks == sum(  # every error and warning; the subsidy estimate is no mark
        1
        for _, document, entry in checked.pairs()
        if document.path.startswith("材料.pdf") and entry["severity"] != "info"
    )


@pytest.mark.pdf
def test_scanned_page_turned_on_its_side(
    pdf_files: Path, faulty: list[Document], tmp_path: Path
) -> None:
    """A ledger page scanned sideways: OCR reads it turned upright, and its boxes are in that
    frame. The highlight must land where the cell is on the sideways page as stored."""
    pytest.importorskip("rapidocr")
    from PIL import Image as Pil

    ledger = next(d for d in faulty if d.annex == "ledger")
    dpi = 200
    source = pdfium.PdfDocument(str(pdf_files / f"{ledger.stem}.pdf"))
    try:
        upright = source[0].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        source.close()
    sideways = upright.transpose(Pil.Transpose.ROTATE_270)  # turned 90° clockwise
    package = tmp_path / "scan"
    package.mkdir()
    scan = package / "台账扫描.pdf"
    buffer = io.BytesIO()
    sideways.save(buffer, "PDF", resolution=dpi)
    scan.write_bytes(buffer.getvalue())

    checked = check(package)
    [document] = checked.results[0].documents
    assert document.extraction.engine == "ocr" and document.turns[1] == 270
    _, _, phone = checked.find("invalid-phone", f"/rows/{PHONE_ROW}/phone")
    made = copies(checked.annotate(tmp_path / "out"))[scan.name]
    page, annot = annotation_for(made.path, phone)
    assert (page, annot["subtype"]) == (0, "/Highlight")

    # Where the cell is: the text PDF's own box of it, turned as the paper was. The scan's
    # page is the text page's height wide; a point (x, y) from the upright page's top-left
    # lies at (height − y, x) from the sideways page's top-left, and PDF user space counts
    # y up from the bottom of the sideways page (as tall as the upright page is wide).
    text_pdf = check(pdf_files)
    _, text_document, _ = text_pdf.find("invalid-phone", f"/rows/{PHONE_ROW}/phone")
    box: PageBox = text_document.boxes[f"/rows/{PHONE_ROW}/phone"]
    with pikepdf.open(pdf_files / f"{ledger.stem}.pdf") as pdf:
        _, _, width, height = (float(v) for v in pdf.pages[0].mediabox)
    expected = [height - box.bottom, width - box.x1, height - box.top, width - box.x0]
    assert overlap(annot["rect"], expected) > 0.6, (annot["rect"], expected)


# --------------------------------------------------------------------------------- CLI


@pytest.mark.pdf
def test_cli_annotates_and_pictures_a_pdf_package(pdf_files: Path, tmp_path: Path) -> None:
    """`annex check --annotate DIR --format html`: the copies and the report's page pictures
    come from one run; a second run into the same folder keeps the first copies."""
    from click.testing import CliRunner

    from annexkit.cli import cli

    before = digests(pdf_files)
    out, html = tmp_path / "批注", tmp_path / "report.html"
    args = ["check", str(pdf_files), "--annotate", str(out), "--format", "html", "-o", str(html)]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 1, first.output  # the faulty package has errors
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.pdf"))
    assert written and all(p.startswith("pdf班级/") for p in written)
    assert any(p.endswith(".annotated.pdf") and "台账" in p for p in written), written
    assert f"{len(written)} annotated copies written" in first.stderr
    page = html.read_text("utf-8")
    assert page.count('src="data:image/') >= 1  # the ledger's page with its outlined cell
    assert "data-finding=" in page

    kept = digests(out)
    second = CliRunner().invoke(cli, [*args[:-1], str(tmp_path / "again.html")])
    assert second.exit_code == 1, second.output
    assert {k: v for k, v in digests(out).items() if k in kept} == kept  # nothing overwritten
    assert len(digests(out)) == 2 * len(kept)  # the second run's copies got new names
    assert digests(pdf_files) == before


def test_cli_annotate_refuses_a_file_and_expect(docx_package: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from annexkit.cli import cli

    taken = tmp_path / "a-file"
    taken.write_text("mine", "utf-8")
    refused = CliRunner().invoke(cli, ["check", str(docx_package), "--annotate", str(taken)])
    assert refused.exit_code == 2 and "not a file" in refused.output
    assert taken.read_text("utf-8") == "mine"
    expect = CliRunner().invoke(
        cli, ["check", str(docx_package), "--annotate", str(tmp_path / "x"), "--expect"]
    )
    assert expect.exit_code == 2 and "--expect" in expect.output
