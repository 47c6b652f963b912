"""The HTML report (``--format html``) and its page pictures: what a reviewer sees."""

from __future__ import annotations

import copy
import dataclasses
import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image

from annexkit.checker import engine
from annexkit.checker.discover import PackageSource
from annexkit.checker.findings import Finding
from annexkit.checker.layout import Extraction
from annexkit.checker.page_pictures import MAX_BYTES, WIDTH, collect
from annexkit.checker.report import Report, build_report, reported_findings
from annexkit.checker.report_html import render_html, report_view
from annexkit.checker.result import DocumentResult, PackageResult, PageBox
from annexkit.contract.text import Text
from annexkit.generator.output import write_documents
from annexkit.generator.package import Document
from tests.conftest import CHROMIUM, require_chromium

A4 = (595.0, 842.0)


# -------------------------------------------------------------------------------- parsing


@dataclasses.dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parents: tuple[Element, ...]
    text: str = ""

    def inside(self, tag: str, cls: str | None = None) -> bool:
        return any(
            p.tag == tag and (cls is None or cls in p.attrs.get("class", "").split())
            for p in self.parents
        )

    def has_class(self, cls: str) -> bool:
        return cls in self.attrs.get("class", "").split()


class Page(HTMLParser):
    """Every element with its ancestors and its own text: enough to ask where things are."""

    VOID = frozenset(("meta", "br", "img", "input", "link", "hr", "rect"))

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, tuple(self._open))
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}, tuple(self._open)))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def find(self, tag: str, cls: str | None = None) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and (cls is None or e.has_class(cls))]

    def ids(self) -> set[str]:
        return {e.attrs["id"] for e in self.elements if "id" in e.attrs}


# ------------------------------------------------------------------------------ fixtures


def _id_finding(row: int) -> Finding:
    return Finding(
        "invalid-id-number",
        {"label": "身份证号码", "reason": Text("校验码错误", "check character is wrong")},
        path=f"/rows/{row}/id_number",
        location={"page": 1, "table": 1, "row": row + 2, "column": 6},
        value="44070319900101123X",
    )


def _age_finding(row: int) -> Finding:
    return Finding(
        "age-mismatch",
        {"label": "年龄", "stated": 30, "actual": 31, "start": "2025-06-10"},
        path=f"/rows/{row}/age",
        location={"page": 1, "table": 1, "row": row + 2, "column": 3},
        value=30,
    )


def filing_doc(
    name: str = "江门市某电器有限公司", institution: str = "江门市某职业培训学校"
) -> DocumentResult:
    return DocumentResult(
        path="备案表.docx",
        format="docx",
        annex="filing",
        pages=2,
        extraction=Extraction("docx", 1.0),
        data={
            "enterprise": {"name": name},
            "institution": {"name": institution},
            "training": {"occupation": "电工", "project": "电工培训"},
        },
    )


def ledger_doc(findings: list[Finding], path: str = "台账.pdf") -> DocumentResult:
    return DocumentResult(
        path=path,
        format="pdf",
        annex="ledger",
        pages=1,
        extraction=Extraction("pdf-text", 1.0),
        data={"rows": [{"name": "张三", "institution_class": "某学校 2025-1班"}]},
        findings=findings,
    )


def signin_doc(number: int) -> DocumentResult:
    return DocumentResult(
        path=f"签到_{number:02}.xlsx",
        format="xlsx",
        annex="signin",
        pages=1,
        extraction=Extraction("xlsx", 1.0),
        data={"class_name": "2025-1班", "rows": []},
    )


def subsidy(document: str) -> Finding:
    return Finding(
        "subsidy-estimate",
        {"profile": "jiangmen-2019", "missing": Text("金额", "amount")},
        variant="unavailable",
        severity="info",
        document=document,
    )


def package_result(index: int, findings: list[Finding] | None = None) -> PackageResult:
    documents = [filing_doc(), ledger_doc(findings or [])]
    documents += [signin_doc(n) for n in range(1, 6)]
    return PackageResult(
        f"batch/{index:04}-班级", documents=documents, findings=[subsidy("备案表.docx")]
    )


def batch(count: int) -> list[PackageResult]:
    """Every third package with findings in its ledger: three ID numbers, one age."""
    return [
        package_result(
            i, [_id_finding(1), _id_finding(2), _age_finding(3), _id_finding(4)] if i % 3 else []
        )
        for i in range(count)
    ]


# ------------------------------------------------------------------------------ the page


def test_summary_has_one_row_per_package_and_every_anchor_resolves() -> None:
    results = batch(7)
    page = Page(render_html(build_report(results)))
    (summary,) = page.find("table", "summary")
    rows = [e for e in page.find("tr") if e.inside("table", "summary") and e.inside("tbody")]
    assert len(rows) == 7
    sections = page.find("section", "package")
    assert [s.attrs["id"] for s in sections] == [f"pkg-{n}" for n in range(1, 8)]
    links = [e.attrs["href"] for e in page.find("a") if e.inside("table", "summary")]
    assert links == [f"#pkg-{n}" for n in range(1, 8)]
    ids = page.ids()
    internal = [e.attrs["href"][1:] for e in page.find("a") if e.attrs["href"].startswith("#")]
    assert internal and all(target in ids for target in internal)
    # what the summary says of each package
    first = rows[1].text
    assert "江门市某电器有限公司" in first and "江门市某职业培训学校" in first
    assert "电工 · 2025-1班" in first and "未通过" in first
    assert "通过 passed" in rows[0].text
    assert "summary" in summary.attrs["class"]


def test_clean_and_info_only_documents_are_folded() -> None:
    page = Page(render_html(build_report([package_result(1, [_id_finding(1)])])))
    open_docs = [s for s in page.find("section", "doc") if not s.inside("details")]
    assert len(open_docs) == 1 and "附件7 培训台账" in open_docs[0].text
    (folded,) = page.find("details", "quiet")
    assert "open" not in folded.attrs
    assert "6 份文件无错误或警告" in folded.text  # filing (info only) and five sign-in sheets
    assert folded.text.count("未发现问题 no findings") == 5
    info_rows = [r for r in page.find("tr", "finding") if r.attrs["data-severity"] == "info"]
    assert info_rows and all(r.inside("details", "quiet") for r in info_rows)


def test_findings_are_grouped_by_code_with_counts() -> None:
    report = build_report([package_result(1, [_id_finding(1), _age_finding(2), _id_finding(3)])])
    page = Page(render_html(report))
    heads = [re.sub(r"\s+", " ", h.text).strip() for h in page.find("tr", "group-head")]
    assert heads[0].startswith("invalid-id-number") and heads[0].endswith("× 2")
    assert heads[1].startswith("age-mismatch") and heads[1].endswith("× 1")
    groups = page.find("tbody", "group")
    codes = [
        [r.attrs["data-code"] for r in page.find("tr", "finding") if g in r.parents]
        for g in groups[:2]
    ]
    assert codes == [["invalid-id-number"] * 2, ["age-mismatch"]]
    # the finding numbers are the report's order, kept inside the groups
    numbers = [r.text.split()[0] for r in page.find("tr", "finding")][:3]
    assert numbers == ["1", "3", "2"]
    # and the report's own count per code
    view = report_view(report)
    assert {c.code: c.count for c in view.codes}["invalid-id-number"] == 2
    chips = {re.sub(r"\s+", " ", li.text).strip() for li in page.find("li")}
    assert "invalid-id-number 2" in chips


def test_code_column_does_not_wrap_and_print_opens_everything() -> None:
    html = render_html(build_report(batch(2)))
    css = html[html.index("<style>") : html.index("</style>")]
    assert re.search(r"td\.code[^{]*\{[^}]*white-space: nowrap", css)
    print_css = css[css.index("@media print") :]
    assert ".filter" in print_css and "display: none" in print_css
    assert "beforeprint" in html  # the script opens <details> for printing
    # the filter bar is hidden until the script shows it: readable without scripts
    (form,) = Page(html).find("form")
    assert form.attrs["id"] == "filter" and "hidden" in form.attrs


HOSTILE = '<script>alert("x")</script>\x1b[2J\x00&"\''


def test_hostile_text_is_escaped_everywhere() -> None:
    finding = Finding(
        "invalid-value",
        {"label": HOSTILE, "reason": Text(HOSTILE, HOSTILE)},
        path="/rows/0/name",
        location={"page": 1, "table": 1, "row": 2, "column": 2},
        value=HOSTILE,
    )
    documents = [filing_doc(name=HOSTILE, institution=HOSTILE), ledger_doc([finding], HOSTILE)]
    report = build_report([PackageResult(f"batch/{HOSTILE}", documents=documents)])
    html = render_html(report)
    assert html.lower().count("<script") == 1  # the report's own
    assert "\x1b" not in html and "\x00" not in html
    assert "\\x1b[2J\\x00" in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    page = Page(html)
    # in attributes too (the summary's title) the text stays text
    titled = [e.attrs["title"] for e in page.find("td") if "title" in e.attrs]
    assert any('<script>alert("x")</script>' in t for t in titled)
    assert not page.find("script")[1:]


def test_page_weight_of_a_batch_is_small() -> None:
    report = build_report(batch(50))
    html = render_html(report)
    assert len(html.encode("utf-8")) < 500_000
    # pictures are capped by their budget (test_pictures_keep_within_their_budget): with the
    # whole budget spent, the page of 50 packages still stays under 2 MB
    assert len(html.encode("utf-8")) + MAX_BYTES < 2_000_000


# ------------------------------------------------------------------------------ pictures


def _blank_pdf(path: Path, rotate: int = 0) -> None:
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=A4)
        # a black square 100 pt from the left, 200 pt from the top: a visible "cell"
        square = b"0 g 100 592 80 50 re f\n"
        pdf.pages[0].obj.Contents = pdf.make_stream(square)
        if rotate:
            pdf.pages[0].obj.Rotate = rotate
        pdf.save(path)


def _rects(html: str) -> list[dict[str, str]]:
    return [e.attrs for e in Page(html).find("rect")]


def test_pdf_thumbnail_outlines_the_findings_cell(tmp_path: Path) -> None:
    folder = tmp_path / "班级"
    folder.mkdir()
    _blank_pdf(folder / "台账.pdf")
    box = PageBox(1, 100.0, 200.0, 180.0, 250.0)
    ledger = ledger_doc([_age_finding(0)])
    ledger.boxes = {"/rows/0/age": box}
    result = PackageResult(str(folder), documents=[filing_doc(), ledger])
    report = build_report([result])
    sources = [PackageSource(str(folder), documents=[(folder / "台账.pdf", "台账.pdf")])]
    pictures = collect(sources, [result], report)
    (picture,) = pictures.of(0)
    scale = WIDTH / A4[0]
    assert (picture.width, picture.height) == (WIDTH, round(A4[1] * scale))
    assert picture.uri.startswith("data:image/jpeg;base64,")
    assert len(picture.uri) < 60_000

    html = render_html(report, pictures)
    (rect,) = _rects(html)
    expected = (
        box.x0 * scale,
        box.top * scale,
        (box.x1 - box.x0) * scale,
        (box.bottom - box.top) * scale,
    )
    got = tuple(float(rect[k]) for k in ("x", "y", "width", "height"))
    assert got == pytest.approx(expected, abs=0.1)
    assert rect["class"] == "error" and rect["data-finding"] == "1"
    # the picture shows the page: the square drawn at the box is dark there
    image = _decoded(picture.uri)
    assert image.getpixel((round((box.x0 + 40) * scale), round((box.top + 25) * scale))) < 80
    assert image.getpixel((round(300 * scale), round(600 * scale))) > 200
    # the finding row links to the picture
    page = Page(html)
    (link,) = page.find("a", "to-picture")
    (figure,) = page.find("figure", "page")
    assert link.attrs["href"] == "#" + figure.attrs["id"]


def test_rotated_pdf_page_is_pictured_as_displayed(tmp_path: Path) -> None:
    path = tmp_path / "turned.pdf"
    _blank_pdf(path, rotate=90)
    ledger = ledger_doc([_id_finding(0)], "turned.pdf")
    ledger.boxes = {"/rows/0/id_number": PageBox(1, 10.0, 10.0, 50.0, 30.0)}
    result = PackageResult(str(path), documents=[ledger])
    report = build_report([result])
    pictures = collect(
        [PackageSource(str(path), documents=[(path, "turned.pdf")])], [result], report
    )
    (picture,) = pictures.of(0)
    # displayed landscape: 842 × 595 points
    assert (picture.width, picture.height) == (WIDTH, round(A4[0] * WIDTH / A4[1]))


def test_scan_turned_upright_is_outlined_in_the_upright_frame(tmp_path: Path) -> None:
    """A page scanned on its side (turn 90): the picture is the page turned upright, and a
    box in points (1 px = 595 / short side) lands on the same spot."""
    upright_w, upright_h = 1000, 1414
    # a dark block in the upright page at (u, v) pixels …
    u0, v0, u1, v1 = 600, 300, 700, 360
    stored = Image.new("L", (upright_h, upright_w), 255)  # lying on its side
    # … is, in the stored image that a clockwise quarter turn makes upright, at x = v, y = H-u
    for u in range(u0, u1):
        for v in range(v0, v1):
            stored.putpixel((v, upright_w - 1 - u), 0)
    path = tmp_path / "scan.png"
    stored.convert("RGB").save(path)
    points = 595.0 / upright_w
    box = PageBox(1, u0 * points, v0 * points, u1 * points, v1 * points)
    scan = DocumentResult(
        "scan.png",
        "png",
        annex="ledger",
        pages=1,
        extraction=Extraction("ocr", 0.9),
        findings=[_age_finding(0)],
        boxes={"/rows/0/age": box},
        turns={1: 90},
    )
    result = PackageResult(str(path), documents=[scan])
    report = build_report([result])
    pictures = collect([PackageSource(str(path), documents=[(path, "scan.png")])], [result], report)
    (picture,) = pictures.of(0)
    assert picture.width == WIDTH and picture.height == round(upright_h * WIDTH / upright_w)
    (outline,) = picture.outlines
    k = WIDTH / upright_w
    assert (outline.x, outline.y) == pytest.approx((u0 * k, v0 * k), abs=0.2)
    image = _decoded(picture.uri)
    assert image.getpixel((round((u0 + u1) / 2 * k), round((v0 + v1) / 2 * k))) < 80
    assert image.getpixel((round(200 * k), round(1200 * k))) > 200


def test_pictures_keep_within_their_budget(tmp_path: Path) -> None:
    sources, results = [], []
    for n in range(4):
        path = tmp_path / f"{n}.pdf"
        _blank_pdf(path)
        ledger = ledger_doc([_id_finding(0)], path.name)
        ledger.boxes = {"/rows/0/id_number": PageBox(1, 100.0, 200.0, 180.0, 250.0)}
        results.append(PackageResult(str(path), documents=[ledger]))
        sources.append(PackageSource(str(path), documents=[(path, path.name)]))
    report = build_report(results)
    one = len(collect(sources[:1], results[:1], build_report(results[:1])).of(0)[0].uri)
    pictures = collect(sources, results, report, max_bytes=2 * one)
    assert sum(len(pictures.of(i)) for i in range(4)) == 2 and pictures.omitted == 2
    assert "2 页未附缩略图" in render_html(report, pictures)


def test_a_report_of_another_selection_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    _blank_pdf(path)
    result = PackageResult(str(path), documents=[ledger_doc([_id_finding(0), _age_finding(1)])])
    report = build_report([result], ignore={"age-mismatch"})
    with pytest.raises(ValueError, match="select and ignore"):
        collect([PackageSource(str(path), documents=[(path, "a.pdf")])], [result], report)


def _decoded(uri: str) -> Any:
    import base64
    import io

    data = base64.b64decode(uri.split(",", 1)[1])
    return Image.open(io.BytesIO(data)).convert("L")


# ---------------------------------------------------------------------- a real PDF check

AGE_ROW = 17
"""A ledger row on the second page of the sample class's ledger."""


@pytest.fixture(scope="module")
def faulty_pdf(tmp_path_factory: pytest.TempPathFactory, sample_documents: list[Document]) -> Path:
    """The sample class as PDF, one ledger age wrong and one sign-in sheet of its twenty."""
    documents: list[Document] = []
    for document in sample_documents:
        if document.annex == "ledger":
            record = copy.deepcopy(document.record)
            record["rows"][AGE_ROW]["age"] += 1
            document = dataclasses.replace(document, record=record)
        if document.annex == "signin" and any(d.annex == "signin" for d in documents):
            continue
        documents.append(document)
    made = tmp_path_factory.mktemp("made")
    write_documents(documents, made, pdf=True)
    folder = tmp_path_factory.mktemp("batch") / "pdf班级"
    folder.mkdir()
    for pdf in made.glob("*.pdf"):
        shutil.copy(pdf, folder / pdf.name)
    return folder.parent


def _checked(folder: Path) -> tuple[list[PackageSource], list[PackageResult], Report]:
    sources = engine.find_packages([folder])
    options = engine.CheckOptions(workers=1, progress=False)
    results = list(engine.check_sources(sources, options))
    return sources, results, build_report(results)


@pytest.mark.pdf
def test_checked_pdf_gets_a_picture_with_the_cell_outlined(faulty_pdf: Path) -> None:
    sources, results, report = _checked(faulty_pdf)
    pictures = collect(sources, results, report)
    (result,) = results
    ledger = next(d for d in result.documents if d.annex == "ledger")
    finding = next(f for f in ledger.findings if f.code == "age-mismatch")
    box = ledger.box_of(finding.path)
    assert box is not None and box.page == 2
    index = result.documents.index(ledger)
    number = [f for f, _ in reported_findings(result)].index(finding)
    (picture,) = [p for p in pictures.of(0) if p.document == index and p.page == 2]
    assert picture.width == WIDTH
    (outline,) = [o for o in picture.outlines if o.finding == number]
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    pdf = pdfium.PdfDocument(str(faulty_pdf / "pdf班级" / ledger.path))
    width_pt = pdf[1].get_size()[0]
    pdf.close()
    scale = WIDTH / width_pt
    assert (outline.x, outline.y) == pytest.approx((box.x0 * scale, box.top * scale), abs=0.2)
    html = render_html(report, pictures)
    assert len(html.encode()) < 300_000
    assert f'data-finding="{outline.finding + 1}"' in html


# ---------------------------------------------------------------------------- in a browser


def _chromium(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            *args,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator[Path]:
    require_chromium()
    path = tmp_path / "report.html"
    path.write_text(render_html(build_report(batch(6))), "utf-8")
    yield path


def test_browser_shows_the_summary_and_filters_without_errors(
    browser_page: Path, tmp_path: Path
) -> None:
    profile = f"--user-data-dir={tmp_path / 'profile'}"
    # unfiltered: the script shows the filter bar and hides nothing
    run = _chromium(browser_page.as_uri(), profile, "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    assert ":CONSOLE" not in run.stderr, run.stderr  # no script error, no message at all
    page = Page(run.stdout)
    rows = [e for e in page.find("tr") if e.inside("table", "summary") and e.inside("tbody")]
    assert len(rows) == 6
    (form,) = page.find("form")
    assert "hidden" not in form.attrs
    assert not [r for r in page.find("tr", "finding") if "hidden" in r.attrs]

    # a link presetting the filter: only errors of one code stay
    url = browser_page.as_uri() + "?severity=error&code=age-mismatch"
    run = _chromium(url, f"--user-data-dir={tmp_path / 'profile2'}", "--dump-dom")
    assert ":CONSOLE" not in run.stderr, run.stderr
    page = Page(run.stdout)
    shown = [r for r in page.find("tr", "finding") if "hidden" not in r.attrs]
    assert shown and {r.attrs["data-code"] for r in shown} == {"age-mismatch"}
    clean = [s for s in page.find("section", "package") if "hidden" in s.attrs]
    assert len(clean) == 2  # packages 0 and 3 have no ledger findings
    (status,) = page.find("output")
    assert status.text.startswith(f"{len(shown)} / ")


@pytest.mark.pdf
def test_id_and_phone_cells_are_painted_over_unless_revealed(faulty_pdf: Path) -> None:
    """The report masks ID and phone numbers; its page pictures must not give them back."""
    from annexkit.checker.page_pictures import REDACTED_GREY, personal_boxes

    sources, results, report = _checked(faulty_pdf)
    (result,) = results
    ledger = next(d for d in result.documents if d.annex == "ledger")
    index = result.documents.index(ledger)
    covered = personal_boxes(ledger, 2)
    assert len(covered) >= 2 * 5  # an ID and a phone number on every row of the page
    pointers = {p for p, b in ledger.boxes.items() if b in covered}
    assert any(p.endswith("/id_number") for p in pointers)
    assert any(p.endswith("/phone") for p in pointers)
    assert not any(p.endswith(("/name", "/age")) for p in pointers)

    def grey_levels(pictures: Any, box: PageBox) -> tuple[int, int]:
        (picture,) = [p for p in pictures.of(0) if p.document == index and p.page == 2]
        scale = picture.width / (ledger_width := _page_width(faulty_pdf, ledger.path))
        assert ledger_width > 0
        inner = (
            box.x0 * scale + 2,
            box.top * scale + 2,
            box.x1 * scale - 2,
            box.bottom * scale - 2,
        )
        low, high = _decoded(picture.uri).crop(tuple(round(v) for v in inner)).getextrema()
        return low, high

    masked = collect(sources, results, report)
    revealed = collect(sources, results, build_report(results, reveal=True), reveal=True)
    for box in covered[:4]:
        low, high = grey_levels(masked, box)
        assert abs(low - REDACTED_GREY) <= 24 and abs(high - REDACTED_GREY) <= 24  # flat grey
        low, high = grey_levels(revealed, box)
        assert high > 200 and high - low > 60  # paper and the printed digits, when asked for


def _page_width(folder: Path, document: str) -> float:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(folder / "pdf班级" / document))
    try:
        width: float = pdf[1].get_size()[0]
    finally:
        pdf.close()
    return width
