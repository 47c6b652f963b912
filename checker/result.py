"""What checking produces: per-document and per-package results (the JSON report's shape)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from annexkit.checker.findings import Finding
from annexkit.checker.layout import Extraction


class PageBox(NamedTuple):
    """A box on a page of a document: page (1-based), then x0, top, x1, bottom in points
    from the page's top-left corner as displayed (rotation and crop box applied)."""

    page: int
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class DocumentResult:
    """One document of a package: what it is, what was read from it, what is wrong."""

    path: str
    """Path inside the package (a PDF part holding one annex of several: ``x.pdf#pages=3-5``)."""
    format: str
    annex: str | None = None
    pages: int | None = None
    data: dict[str, Any] | None = None
    findings: list[Finding] = field(default_factory=list)
    extraction: Extraction = field(default_factory=lambda: Extraction(None, 0.0))
    """How the text was read; the default, for a document that could not be read, is the
    contract's ``{"engine": null, "confidence": 0}``."""
    score: float = 0.0
    """How well the content matched the annex it was classified as (0–1)."""
    runner_up: str | None = None
    """The annex that scored second best."""
    margin: float | None = None
    """How far the best score is ahead of the runner-up's (0–1); a near tie is reported."""
    seconds: float = 0.0
    searchable: str | None = None
    """Where the searchable copy of this scanned file was written (``--searchable``)."""
    searchable_error: str | None = None
    """Why a searchable copy was not written, when one was asked for."""
    uncertain: dict[str, float] = field(default_factory=dict)
    """Values read by OCR with a low score (JSON pointer → score): the report lists them as
    ``extraction.low_confidence``."""
    locations: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Where each value of ``data`` was read (JSON pointer → location), for package rules
    that point at a row; not part of the JSON report."""
    boxes: dict[str, PageBox] = field(default_factory=dict)
    """The cell each value of ``data`` was read from, on its page (JSON pointer → box), where
    the reader knows geometry (PDF and scans): for outlining findings in annotated copies
    and page pictures. Not part of the JSON report."""

    turns: dict[int, int] = field(default_factory=dict)
    """Scans: the clockwise quarter turn (0, 90, 180, 270) that showed each page upright;
    the boxes of a scanned page are on the page so turned."""

    def box_of(self, pointer: str | None, page: int | None = None) -> PageBox | None:
        """Where to outline a finding at ``pointer``: the cell of that value, or for a row
        or an object the union of its cells (on one page: ``page`` if given, else the first
        cell's), or the cell of the nearest enclosing value read. None when unknown."""
        if not pointer:
            return None
        if pointer in self.boxes:
            return self.boxes[pointer]
        inside = [b for p, b in self.boxes.items() if p.startswith(pointer + "/")]
        if page is not None:
            inside = [b for b in inside if b.page == page]
        if inside:
            first = inside[0].page
            same = [b for b in inside if b.page == first]
            return PageBox(
                first,
                min(b.x0 for b in same),
                min(b.top for b in same),
                max(b.x1 for b in same),
                max(b.bottom for b in same),
            )
        parent = pointer.rsplit("/", 1)[0]
        return self.box_of(parent, page) if parent != pointer else None


@dataclass
class PackageResult:
    path: str
    profile: str = "jiangmen-2019"
    documents: list[DocumentResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    """Package-level findings; document findings live with their documents."""

    def all_findings(self) -> list[Finding]:
        return [f for d in self.documents for f in d.findings] + self.findings

    def read_by_ocr(self) -> set[str]:
        """The paths of the documents read by OCR (their findings are warnings)."""
        return {d.path for d in self.documents if d.extraction.engine == "ocr"}
