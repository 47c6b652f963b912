"""Shared fixtures: the sample class, generated packages, and the LibreOffice gate; every
report built by a test is validated against the report's JSON Schema."""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import annexkit.checker.report as report_module
from annexkit.checker.report_schema import validate_report
from annexkit.generator.output import write_documents
from annexkit.generator.package import Document, plan_package


def _validating(build: Callable[..., report_module.Report]) -> Callable[..., report_module.Report]:
    @functools.wraps(build)
    def build_and_validate(*args: Any, **kwargs: Any) -> report_module.Report:
        report = build(*args, **kwargs)
        validate_report(report)
        return report

    return build_and_validate


# Every report any test builds must satisfy the shipped schema (schemas/report.schema.json),
# so the schema cannot fall behind what build_report really writes. Patched at import, before
# test modules and the service bind the name with ``from … import build_report``.
report_module.build_report = _validating(report_module.build_report)

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


CHROMIUM = Path("/usr/bin/chromium")
"""Debian's chromium (``make setup`` installs it): the browser tests drive it headless."""


def require_chromium() -> Path:
    """Debian's chromium, or skip — except under CI, where a missing browser fails the run."""
    if not CHROMIUM.exists():
        message = "chromium is not installed at /usr/bin/chromium (run `make setup`)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


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
