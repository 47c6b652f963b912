"""PDF → layout, from the text layer (engine ``pdf-text``).

Each page is read by PDFium (:mod:`.pdf_content`) and laid out on its own
(:mod:`.pdf_page`); then a table continued on the next page is joined into one
(:mod:`.stitch`). Pages with no usable text layer are rendered and read by OCR
(:mod:`.scan`); ``unreliable_pages`` lists only pages OCR could not read either.
Every block carries its page, so a file holding several annexes can be cut by pages
(:func:`annexkit.checker.readers.pages.subset`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..layout import Block, Extraction, LayoutDocument, Paragraph, ReadNote, Table
from .errors import UnreadableDocument, needs_ocr
from .limits import ReadLimits, skipped_pages
from .limits import current as current_limits
from .pdf_content import ERR_PASSWORD, ERR_SECURITY, PdfiumError, open_pdf, read_page
from .pdf_page import PageLayout, layout_page
from .stitch import SCAN_EDGE_TOLERANCE, column_edges, same_edges, stitch

if TYPE_CHECKING:
    from .scan import ScannedPage


def read_pdf(
    path: Path,
    display_name: str | None = None,
    deadline: float | None = None,
    *,
    ocr: bool = True,
    limits: ReadLimits | None = None,
) -> LayoutDocument:
    """``deadline`` is a ``time.monotonic()`` value; reading stops between pages after it.
    ``ocr``: read pages without a usable text layer by OCR (engine ``ocr``). Pages after
    ``limits.max_pages`` are not read, and a note says so; a scanned page too large to
    render within ``limits.max_pixels`` is read at a lower resolution, with a note."""
    limits = limits or current_limits()
    _require_end_marker(path)
    pdf = _open(path)
    notes: list[ReadNote] = []
    try:
        total = len(pdf)
        if total <= 0:
            raise UnreadableDocument("PDF 没有页面", "the PDF has no pages", "corrupt")
        count = min(total, limits.max_pages)
        if count < total:
            notes.append(skipped_pages(count, total, False, limits.max_pages))
        pages: list[PageLayout] = []
        scans: list[ScannedPage] = []
        for index in range(count):
            if deadline is not None and time.monotonic() > deadline:
                raise UnreadableDocument(
                    f"读取超时（已读 {index}/{count} 页）",
                    f"reading timed out ({index} of {count} pages read)",
                    "timeout",
                )
            page = layout_page(read_page(pdf, index))
            if page.unreliable and ocr:
                try:
                    from .scan import scan_pdf_page  # the OCR stack loads only for scans
                except ImportError as exc:
                    raise needs_ocr(exc) from None
                scanned = scan_pdf_page(pdf, index, max_pixels=limits.max_pixels)
                scans.append(scanned)
                if scanned.note is not None:
                    notes.append(scanned.note)
                page = scanned.layout
            pages.append(page)
    except PdfiumError as exc:
        raise UnreadableDocument(
            "PDF 页面内容损坏，无法读取", f"a PDF page is corrupt: {exc}", "corrupt"
        ) from exc
    finally:
        pdf.close()
    blocks: list[Block] = [b for page in pages for b in page.blocks]
    furniture = {id(p) for page in pages for p in page.furniture}
    unreliable = [page.number for page in pages if page.unreliable]
    ocr_pages = {scan.layout.number for scan in scans}
    if scans:
        # Text-layer pages count as certain; OCR pages by their character-weighted score.
        from .scan import confidence as ocr_confidence

        read_by_ocr = [scan for scan in scans if not scan.layout.unreliable]
        score = (count - len(scans)) + ocr_confidence(read_by_ocr) * len(read_by_ocr)
        extraction = Extraction("ocr", round(score / count, 3), tuple(notes))
    else:
        extraction = Extraction("pdf-text", round(1 - len(unreliable) / count, 3), tuple(notes))
    return LayoutDocument(
        path=display_name or str(path),
        format="pdf",
        blocks=stitch(blocks, lambda a, b, gap: _continues(a, b, gap, furniture, ocr_pages)),
        pages=count,
        extraction=extraction,
        unreliable_pages=unreliable,
        text_runs={scan.layout.number: scan.runs for scan in scans},
        turns={scan.layout.number: scan.turn for scan in scans},
    )


def _require_end_marker(path: Path) -> None:
    # Viewers accept %%EOF anywhere in the last KiB; PDFium quietly rebuilds a cut file from
    # what is left, which would check half a ledger as if it were whole.
    try:
        with path.open("rb") as handle:
            handle.seek(max(path.stat().st_size - 1024, 0))
            tail = handle.read()
    except OSError as exc:
        raise UnreadableDocument("无法读取文件", f"cannot read the file: {exc}", "io") from exc
    if b"%%EOF" not in tail:
        raise UnreadableDocument(
            "PDF 文件不完整（缺少文件结束标记，可能下载或上传中断）",
            "the PDF is incomplete (no end-of-file marker: the download or upload was cut off)",
            "truncated",
        )


def _open(path: Path) -> Any:
    try:
        return open_pdf(str(path))
    except PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (ERR_PASSWORD, ERR_SECURITY):
            raise UnreadableDocument(
                "PDF 已加密（需要打开密码），请去除密码后重新提交",
                "the PDF is encrypted (a password is needed to open it): "
                "remove the password and resubmit",
                "encrypted",
            ) from exc
        raise UnreadableDocument(
            "PDF 文件已损坏，无法打开", f"the PDF is corrupt and cannot be opened: {exc}", "corrupt"
        ) from exc


def _continues(
    table: Table,
    part: Table,
    between: list[Paragraph],
    furniture: set[int],
    scanned: frozenset[int] | set[int] = frozenset(),
) -> bool:
    """A table continues on the next page when only page numbers lie between and the next
    page's first table has the same columns (its repeated header is dropped when joining).
    Edges on scanned pages are matched less tightly."""
    last_page = max((c.page or 0) for c in table.cells)
    if part.page != last_page + 1 or any(id(p) not in furniture for p in between):
        return False
    tail = [c for c in table.cells if c.page == last_page]
    tolerance = SCAN_EDGE_TOLERANCE if {last_page, part.page} & scanned else 2.0
    return same_edges(column_edges(tail, tolerance), column_edges(part.cells, tolerance), tolerance)
