"""Checking one document file: read, split, classify, extract, validate."""

from __future__ import annotations

import time
from pathlib import Path

from annexkit.checker.classify import classify, split_pages
from annexkit.checker.extract import extract
from annexkit.checker.findings import Finding
from annexkit.checker.layout import LayoutDocument
from annexkit.checker.readers import read
from annexkit.checker.readers.errors import UnreadableDocument
from annexkit.checker.result import DocumentResult
from annexkit.checker.rules import check_record
from annexkit.schema import pointer

LOW_CONFIDENCE = 0.8


def check_document(path: Path, display: str) -> list[DocumentResult]:
    """Every annex found in the file at ``path`` (a PDF may hold several), each with its
    findings. ``display`` is the path shown in reports (relative to its package). A bad
    document gives ``unreadable-document``; nothing is raised for what is in the file."""
    started = time.perf_counter()
    try:
        layouts = read(path, display)
    except UnreadableDocument as exc:
        finding = Finding(
            "unreadable-document", f"{display}：{exc.zh} / {exc.en}", document=display
        )
        fmt = path.suffix.lower().lstrip(".") or "unknown"
        return [
            DocumentResult(display, fmt, findings=[finding], seconds=time.perf_counter() - started)
        ]
    results = []
    for layout in layouts:
        parts = split_pages(layout) if layout.format == "pdf" else [layout]
        for part in parts:
            name = display if len(parts) == 1 else f"{display}#pages={_pages(part)}"
            results.append(check_layout(part, name))
    elapsed = time.perf_counter() - started
    for result in results:
        result.seconds = elapsed / len(results)
    return results


def _pages(part: LayoutDocument) -> str:
    return f"{part.first_page}-{part.first_page + (part.pages or 1) - 1}"


def check_layout(layout: LayoutDocument, display: str) -> DocumentResult:
    """Classify, extract and validate a document already read."""
    result = DocumentResult(
        display, layout.format, pages=layout.pages, extraction=layout.extraction
    )
    if layout.unreliable_pages:
        pages = "、".join(map(str, layout.unreliable_pages))
        result.findings.append(
            Finding(
                "low-confidence",
                f"第{pages}页没有可用的文字层（扫描件或字体缺少编码），这些页未能核对 / "
                f"pages {pages} have no usable text layer (scanned, or fonts without a Unicode "
                "map) and were not checked",
                document=display,
                location={"page": layout.unreliable_pages[0]},
            )
        )
    classification = classify(layout)
    result.score = classification.score
    if classification.annex is None:
        zh, en = classification.explanation()
        result.findings.append(Finding("unknown-document", f"{zh} / {en}", document=display))
        return result
    result.annex = classification.annex
    extracted = extract(layout, classification.annex)
    result.data = extracted.data
    result.locations = {pointer(p): w.as_dict() for p, w in extracted.sources.items()}
    for finding in check_record(extracted):
        finding.document = display
        result.findings.append(finding)
    if layout.extraction.confidence < LOW_CONFIDENCE and not layout.unreliable_pages:
        result.findings.append(
            Finding(
                "low-confidence",
                f"文字识别可信度{layout.extraction.confidence:.2f}，以下结果请人工复核 / "
                f"text confidence {layout.extraction.confidence:.2f}: double-check the findings",
                annex=result.annex,
                document=display,
            )
        )
    return result
