"""Checking one document file: read, split, classify, extract, validate."""

from __future__ import annotations

import time
from pathlib import Path

from annexkit.checker.classify import classify, split_pages
from annexkit.checker.confidence import confidence_findings, uncertain_values
from annexkit.checker.extract import extract
from annexkit.checker.findings import Finding, Join, on_read_evidence
from annexkit.checker.layout import LayoutDocument
from annexkit.checker.readers import read
from annexkit.checker.readers.errors import UnreadableDocument
from annexkit.checker.result import DocumentResult, PageBox
from annexkit.checker.rules.document import check_record
from annexkit.contract.schema import pointer
from annexkit.contract.text import Text

LOW_CONFIDENCE = 0.8


def check_document(
    path: Path, display: str, searchable: Path | None = None
) -> list[DocumentResult]:
    """Every annex found in the file at ``path`` (a PDF may hold several), each with its
    findings. ``display`` is the path shown in reports (relative to its package). A bad
    document gives ``unreadable-document``; nothing is raised for what is in the file.
    ``searchable``: a folder where a scanned file gets a searchable copy (the first result
    says where it went, or why it did not)."""
    started = time.perf_counter()
    try:
        layouts = read(path, display)
    except UnreadableDocument as exc:
        finding = Finding(
            "unreadable-document",
            {"document": display, "reason": Text(exc.zh, exc.en)},
            document=display,
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
    if searchable is not None and results:
        results[0].searchable, results[0].searchable_error = searchable_copy(
            path, display, layouts, searchable
        )
    elapsed = time.perf_counter() - started
    for result in results:
        result.seconds = elapsed / len(results)
    return results


def searchable_copy(
    path: Path, display: str, layouts: list[LayoutDocument], folder: Path
) -> tuple[str | None, str | None]:
    """Write a searchable copy of the scanned file ``path`` into ``folder`` under a name no
    other file has (``signin.searchable.pdf``, ``signin.searchable-2.pdf`` …): never over an
    existing file. Returns (the copy's path, None), (None, why not) for a file that is not
    wholly scanned or could not be copied, or (None, None) for a file with no scanned page."""
    from annexkit.checker.searchable import write_searchable

    scanned = [layout for layout in layouts if layout.text_runs]
    if not scanned:
        return None, None
    layout = scanned[0]
    if len(layout.text_runs) != (layout.pages or 0):
        return None, (
            "文件中有带文字层的页面，不生成可检索副本 / some pages have a text layer: no "
            "searchable copy is written"
        )
    numbers = sorted(layout.text_runs)
    pages = [layout.text_runs[number] for number in numbers]
    turns = [layout.turns.get(number, 0) for number in numbers]
    parts = [p for p in Path(display.split("#", 1)[0]).parts if p not in ("", "..", "/")]
    base = folder.joinpath(*parts[:-1]) if parts else folder
    stem = Path(parts[-1]).stem if parts else path.stem
    try:
        base.mkdir(parents=True, exist_ok=True)
        target = _claim(base, stem)
        try:
            write_searchable(path, pages, target, force=True, turns=turns)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    except Exception as exc:
        return None, f"无法写入可检索副本 / could not write the searchable copy: {exc}"
    return str(target), None


def _claim(folder: Path, stem: str) -> Path:
    """A new, empty file ``stem.searchable[-N].pdf`` in ``folder``, created atomically so that
    two workers never pick the same name and nothing existing is overwritten."""
    for number in range(1, 10_000):
        suffix = "" if number == 1 else f"-{number}"
        target = folder / f"{stem}.searchable{suffix}.pdf"
        try:
            with target.open("x"):
                return target
        except FileExistsError:
            continue
    raise FileExistsError(f"no free name for {stem}.searchable.pdf in {folder}")


def _read_notes(layout: LayoutDocument, display: str) -> list[Finding]:
    """What the reader left out (pages over the limit) or read at a lower resolution: a
    finding each, on the part of a split PDF whose pages they concern."""
    last = layout.first_page + (layout.pages or 1) - 1
    return [
        Finding(
            note.code,
            {"document": display, "reason": Text(note.zh, note.en)},
            document=display,
            location={"page": note.page} if note.page else {},
            severity=note.severity,
            variant="note" if note.code == "low-confidence" else "",
        )
        for note in layout.extraction.notes
        if note.page is None or layout.first_page <= note.page <= last + 1
    ]


def _pages(part: LayoutDocument) -> str:
    return f"{part.first_page}-{part.first_page + (part.pages or 1) - 1}"


def check_layout(layout: LayoutDocument, display: str) -> DocumentResult:
    """Classify, extract and validate a document already read."""
    result = DocumentResult(
        display, layout.format, pages=layout.pages, extraction=layout.extraction
    )
    result.findings += _read_notes(layout, display)
    if layout.unreliable_pages:
        result.findings.append(
            Finding(
                "low-confidence",
                {"pages": Join(tuple(layout.unreliable_pages), "、", ", ")},
                document=display,
                location={"page": layout.unreliable_pages[0]},
                variant="pages",
            )
        )
    classification = classify(layout)
    result.score = classification.score
    if classification.annex is None:
        variant, params = classification.explanation()
        result.findings.append(
            Finding("unknown-document", params, document=display, variant=variant)
        )
        return result
    result.annex = classification.annex
    result.runner_up, result.margin = classification.runner_up, classification.margin
    if classification.near_tie and classification.runner_up is not None:
        # Never a silent pick between two annexes that fit almost equally well.
        second = classification.runner_up
        result.findings.append(
            Finding(
                "low-confidence",
                {
                    "annex": classification.annex,
                    "score": classification.score,
                    "runner_up": second,
                    "second": classification.scores[second],
                },
                annex=classification.annex,
                document=display,
                variant="near-tie",
            )
        )
    extracted = extract(layout, classification.annex)
    result.data = extracted.data
    result.locations = {pointer(p): w.as_dict() for p, w in extracted.sources.items()}
    result.turns = dict(layout.turns)
    result.boxes = {
        pointer(p): PageBox(w.page, *w.bbox)
        for p, w in extracted.sources.items()
        if w.bbox is not None and w.page is not None
    }
    findings = check_record(extracted)
    uncertain = uncertain_values(extracted)
    result.uncertain = {pointer(p): score for p, score in uncertain.items()}
    findings += confidence_findings(extracted, uncertain, findings)
    for finding in findings:
        finding.document = display
    if layout.extraction.engine == "ocr":
        on_read_evidence(findings, {display})
    result.findings += findings
    if layout.extraction.confidence < LOW_CONFIDENCE and not layout.unreliable_pages:
        result.findings.append(
            Finding(
                "low-confidence",
                {"confidence": layout.extraction.confidence},
                annex=result.annex,
                document=display,
                variant="document",
            )
        )
    return result
