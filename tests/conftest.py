"""Shared fixtures: the sample class, generated packages, and the LibreOffice gate."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from annexkit.generator.output import write_documents
from annexkit.generator.package import Document, plan_package

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CLASS = ROOT / "samples" / "classes" / "jiangmen-electrician-2025" / "class.yaml"


def _pdf_tools_missing() -> str | None:
    missing = [t for t in ("soffice", "pdftotext", "pdffonts") if shutil.which(t) is None]
    return ", ".join(missing) or None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PDF tests are skipped where LibreOffice or poppler-utils are absent — except under CI,
    where `make setup` must have installed them, so a missing tool fails the run."""
    missing = _pdf_tools_missing()
    if missing is None or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"not installed: {missing} (run `make setup`)")
    for item in items:
        if "pdf" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def sample_documents() -> list[Document]:
    return plan_package(SAMPLE_CLASS)


@pytest.fixture(scope="session")
def sample_docx(tmp_path_factory: pytest.TempPathFactory, sample_documents: list[Document]) -> Path:
    """The sample package as DOCX."""
    out = tmp_path_factory.mktemp("sample-docx")
    write_documents(sample_documents, out)
    return out


@pytest.fixture(scope="session")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory, sample_documents: list[Document]) -> Path:
    """The sample package as DOCX and PDF (one LibreOffice start)."""
    out = tmp_path_factory.mktemp("sample-pdf")
    write_documents(sample_documents, out, pdf=True)
    return out


@pytest.fixture
def by_annex(sample_documents: list[Document]) -> Callable[[str], Document]:
    def first(annex: str) -> Document:
        return next(d for d in sample_documents if d.annex == annex)

    return first
