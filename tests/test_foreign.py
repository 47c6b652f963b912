"""Other projects' test files (``tests/foreign/``, see its README): each is read or refused
with a finding, never crashes a worker, and is never taken for an annex."""

from __future__ import annotations

from pathlib import Path

from annexkit.checker.engine import CheckOptions, check

FOREIGN = Path(__file__).with_name("foreign")
SUFFIXES = (".pdf", ".docx", ".xlsx")


def test_foreign_documents_are_never_annexes() -> None:
    files = sorted(p for p in FOREIGN.rglob("*") if p.suffix.lower() in SUFFIXES)
    assert len(files) >= 30
    results = list(check([FOREIGN], CheckOptions(workers=2, timeout=60)))
    documents = {
        f"{Path(package.path).name}/{document.path}": document
        for package in results
        for document in package.documents
        if document.path.lower().endswith(SUFFIXES)  # not the licences and the README
    }
    assert set(documents) == {f"{p.parent.name}/{p.name}" for p in files}
    for name, document in documents.items():
        assert document.annex is None, f"{name} classified as {document.annex}"
        assert document.findings, f"{name} has no finding"
        for finding in document.findings:
            assert "\n" not in finding.message
            for marker in ("crashed", "checker failed", "Traceback", "corrupt or malformed ("):
                assert marker not in finding.message, f"{name}: {finding.message}"
    encrypted = documents["pdfplumber/password-example.pdf"]
    assert encrypted.extraction.engine is None and encrypted.extraction.confidence == 0
    assert "encrypted" in encrypted.findings[0].message
