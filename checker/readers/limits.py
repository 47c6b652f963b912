"""Limits on what one document may make a reader decode, checked from headers before the
decoding starts (``annex check --max-megapixels/--max-pages/--max-xml-mb/--max-cells``).

A small file can declare a huge thing: a 553-byte PDF with a 10,000 pt page, a 389 KB PNG of
20,000×20,000 pixels, a TIFF of 400 pages, an XLSX whose 41 MB hold 199 MB of XML. Each
limit here is judged from what the file declares (page size × dpi, an image header, the
TIFF directory chain, the zip directory and a streamed count of cells) so that nothing over
it is ever allocated. A batch worker installs the run's limits once with :func:`configure`;
readers called directly use :func:`current` (the defaults unless configured).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..layout import ReadNote

MB = 1024 * 1024

DEFAULT_MAX_PIXELS = 60_000_000
"""Per page image, decoded or rendered: an A4 page at 600 dpi is 35 Mpx."""
DEFAULT_MAX_PAGES = 200
"""Pages read from one document (PDF pages, TIFF frames); later pages are reported."""
DEFAULT_MAX_XML_BYTES = 50 * MB
"""Uncompressed XML in one DOCX or XLSX (all parts together): python-docx and openpyxl hold
it as trees taking several times its size."""
DEFAULT_MAX_CELLS = 500_000
"""Cells defined in one XLSX (all sheets): openpyxl takes about 1 KB and 45 µs per cell; an
annex ledger of 1,000 trainees has 16,000."""


@dataclass(frozen=True)
class ReadLimits:
    """What one document may make the readers decode."""

    max_pixels: int = DEFAULT_MAX_PIXELS
    max_pages: int = DEFAULT_MAX_PAGES
    max_xml_bytes: int = DEFAULT_MAX_XML_BYTES
    max_cells: int = DEFAULT_MAX_CELLS

    def __post_init__(self) -> None:
        for name in ("max_pixels", "max_pages", "max_xml_bytes", "max_cells"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")


_current = ReadLimits()


def configure(limits: ReadLimits) -> None:
    """Make ``limits`` this process's limits (a batch worker does this once)."""
    global _current
    _current = limits


def current() -> ReadLimits:
    return _current


def megapixels(pixels: float) -> str:
    """``60 Mpx``, ``0.5 Mpx``."""
    value = pixels / 1_000_000
    return f"{value:.0f} Mpx" if value >= 10 else f"{value:.1f}".removesuffix(".0") + " Mpx"


def skipped_pages(read: int, total: int, more: bool, limit: int) -> ReadNote:
    """The note for pages over the page limit: which were not read."""
    last = f"{total}+" if more else str(total)
    return ReadNote(
        "unreadable-document",
        f"共 {last} 页，超过页数上限 {limit}（--max-pages），第 {read + 1}–{last} 页未读取、未核对",
        f"{last} pages exceed the page limit of {limit} (--max-pages): pages {read + 1}–{last} "
        "were not read or checked",
        page=read + 1,
    )


__all__ = [
    "DEFAULT_MAX_CELLS",
    "DEFAULT_MAX_PAGES",
    "DEFAULT_MAX_PIXELS",
    "DEFAULT_MAX_XML_BYTES",
    "ReadLimits",
    "configure",
    "current",
    "megapixels",
    "skipped_pages",
]
