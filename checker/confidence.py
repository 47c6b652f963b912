"""Values that OCR read with a low score: marked in the report and named in ``low-confidence``
findings, so that a reviewer knows which values, and which findings resting on them, to check
against the paper.

A value's score is that of its least certain letter, digit or Han character
(:func:`annexkit.checker.layout.value_confidence`): a check digit fails on one wrong
character, and a line's mean score hides one. Values from DOCX, XLSX and PDF text layers have
no score and are never marked.
"""

from __future__ import annotations

from annexkit.checker.extract import Extracted
from annexkit.checker.findings import Finding, Join
from annexkit.checker.labels import Path_
from annexkit.contract.schema import label_at, pointer

VALUE_CONFIDENCE = 0.5
"""Values with a character read with a lower score (less than even odds) are marked. On the
scanned benchmark corpus (about 4,400 values at 150 and 300 dpi, all read right) the lowest such
score of a value was 0.506; per-character scores of right readings often fall to 0.5–0.7,
so a higher threshold would mark many right values."""


def uncertain_values(extracted: Extracted) -> dict[Path_, float]:
    """Each value read from text with an OCR score below VALUE_CONFIDENCE, with that score."""
    out: dict[Path_, float] = {}
    for path, where in extracted.sources.items():
        if where.confidence is None or where.confidence >= VALUE_CONFIDENCE:
            continue
        if extracted.raw.get(path, "").strip() and not isinstance(extracted.value(path), bool):
            out[path] = where.confidence  # a signature's state comes from ink, not from text
    return out


def confidence_findings(
    extracted: Extracted, uncertain: dict[Path_, float], findings: list[Finding]
) -> list[Finding]:
    """One ``low-confidence`` finding per uncertain value, naming the findings on the value or
    its row. An invalid ID number read by OCR says so: with a low score, that it may well be
    a misreading; otherwise that the original is worth a look (the recogniser can be sure of
    a wrong character: a half-erased 0 read as ``)`` at 0.91)."""
    _note_ocr_id_numbers(extracted, uncertain, findings)
    out: list[Finding] = []
    for path, score in sorted(uncertain.items(), key=lambda item: pointer(item[0])):
        where = pointer(path)
        row = pointer(path[:-1]) + "/" if len(path) > 1 and isinstance(path[-2], int) else None
        related = sorted(
            {
                f.code
                for f in findings
                if f.path is not None and (f.path == where or (row and f.path.startswith(row)))
            }
        )
        params = {"label": label_at(extracted.annex, path), "score": score}
        out.append(
            Finding(
                "low-confidence",
                {**params, "codes": Join(tuple(related))} if related else params,
                annex=extracted.annex,
                path=where,
                location=extracted.sources[path].as_dict(),
                variant="related" if related else "",
            )
        )
    return out


def _note_ocr_id_numbers(
    extracted: Extracted, uncertain: dict[Path_, float], findings: list[Finding]
) -> None:
    read_by_ocr = {
        pointer(path): where.confidence
        for path, where in extracted.sources.items()
        if where.confidence is not None
    }
    low = {pointer(path) for path in uncertain}
    for finding in findings:
        score = read_by_ocr.get(finding.path or "")
        if finding.code != "invalid-id-number" or score is None:
            continue
        # the code's OCR messages (checker/rules/reading.py) add the score to its reason
        finding.variant = "ocr-low" if finding.path in low else "ocr"
        finding.params["score"] = score
