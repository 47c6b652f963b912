"""Scanned annexes: OCR reads names and ID numbers, ink detection reads signatures.

A small corpus (:data:`tests.scans.build.SMALL`: per dpi one sign-in page as JPEG, one whole
sign-in sheet as multi-page TIFF, one ledger page as PNG, one agreement as scanned PDF) is
built once per session, at 150 and 300 dpi, and every file is checked like a user's file.
Targets (issue): names and ID numbers ≥ 98 % exact at 300 dpi and ≥ 95 % at 150 dpi;
signature cells ≥ 99 % right; every document classified right, by the OCR engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from annexkit.checker.document import check_document
from annexkit.checker.result import DocumentResult
from tests.scans.build import SMALL, Case, Score, build_corpus, score_case

# LibreOffice renders the forms; `pytest -m 'not scans'` leaves this module out.
pytestmark = [pytest.mark.pdf, pytest.mark.scans]

EXACT = {300: 0.98, 150: 0.95}
"""Share of names and of ID numbers that must be read exactly, by dpi."""
SIGNATURES = 0.99


@pytest.fixture(scope="session")
def scans(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Case]]:
    root = tmp_path_factory.mktemp("scans")
    return root, build_corpus(root, SMALL)


@pytest.fixture(scope="session")
def checked(scans: tuple[Path, list[Case]]) -> list[tuple[Case, list[DocumentResult]]]:
    root, cases = scans
    return [(case, check_document(case.path(root), case.file)) for case in cases]


def _score(
    checked: list[tuple[Case, list[DocumentResult]]], dpi: int | None = None
) -> Iterator[Score]:
    score = Score()
    for case, results in checked:
        if dpi is None or case.dpi == dpi:
            score_case(case, results, score)
    yield score


def test_corpus_is_complete(scans: tuple[Path, list[Case]]) -> None:
    root, cases = scans
    assert {c.dpi for c in cases} == set(SMALL.dpis)
    assert {c.format for c in cases} == {"jpg", "png", "tiff", "pdf"}
    for case in cases:
        assert case.path(root).stat().st_size > 10_000, case.name
        assert case.signatures or case.annex == "ledger"
        assert {f["type"] for f in case.fields} >= ({"date"} if case.annex != "ledger" else set())
    signed = [s["signed"] for c in cases for s in c.signatures]
    assert any(signed) and not all(signed)


def test_every_document_classified_by_ocr(
    checked: list[tuple[Case, list[DocumentResult]]],
) -> None:
    for case, results in checked:
        annexes = [r.annex for r in results]
        assert case.annex in annexes, f"{case.name}: {annexes} {[r.findings for r in results]}"
        result = next(r for r in results if r.annex == case.annex)
        assert result.extraction.engine == "ocr", case.name


@pytest.mark.parametrize("dpi", SMALL.dpis)
def test_names_and_id_numbers(dpi: int, checked: list[tuple[Case, list[DocumentResult]]]) -> None:
    (score,) = _score(checked, dpi)
    wrong = [m for m in score.mistakes if "/name" in m or "/id_number" in m]
    for kind in ("name", "id_number"):
        tally = score.fields[kind]
        assert tally.total > 0
        assert tally.rate >= EXACT[dpi], (kind, dpi, f"{tally.correct}/{tally.total}", wrong)


def test_signatures(checked: list[tuple[Case, list[DocumentResult]]]) -> None:
    (score,) = _score(checked)
    wrong = [m for m in score.mistakes if "signed" in m]
    assert score.signatures.total > 100
    assert score.signatures.rate >= SIGNATURES, (
        f"{score.signatures.correct}/{score.signatures.total}",
        wrong,
    )


def test_no_false_alarms(checked: list[tuple[Case, list[DocumentResult]]]) -> None:
    """Every value of the corpus is read right, so none may be marked as doubtful; an inked
    signature block is never reported missing; and 实到 (the rows signed in on paper) agrees
    with the signatures read, so the count rules work on scans."""
    for case, results in checked:
        for result in results:
            assert result.uncertain == {}, (case.name, result.uncertain)
            codes = {f.code for f in result.findings}
            assert "low-confidence" not in codes, (case.name, result.findings)
            assert "unreadable-document" not in codes, (case.name, result.findings)
            assert "count-mismatch" not in codes, (case.name, result.findings)
        signed = {s["path"] for s in case.signatures if s["signed"] and s.get("seq") is None}
        missing = {f.path for r in results for f in r.findings if f.code == "missing-signature"}
        assert not signed & missing, (case.name, signed & missing)
