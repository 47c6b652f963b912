"""Round trip: what the generator writes, the checker reads back — clean and equal.

Property tests over valid random classes (tests/strategies.py), not only the samples: every
document, as DOCX and as PDF, is recognised as its annex, has no findings, and extracts to
the record it was made from. PDF text wraps inside cells, so PDF values are compared with
white space removed.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from annexkit.checker.document import check_document
from annexkit.generator.output import write_documents
from annexkit.generator.package import Document
from tests.strategies import classes


def canonical(value: Any, squeeze: bool) -> Any:
    if isinstance(value, dict):
        return {k: canonical(v, squeeze) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [canonical(v, squeeze) for v in value]
    if isinstance(value, str) and squeeze:
        return re.sub(r"\s+", "", value)
    return value


def assert_round_trip(package: dict[str, Any], pdf: bool) -> None:
    documents = [Document(annex, annex, record, "hypothesis") for annex, record in package.items()]
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        write_documents(documents, out, pdf=pdf)
        suffix = ".pdf" if pdf else ".docx"
        for document in documents:
            results = check_document(out / f"{document.annex}{suffix}", document.annex + suffix)
            assert [r.annex for r in results] == [document.annex]
            result = results[0]
            assert [(f.code, f.path, f.message) for f in result.findings] == []
            assert canonical(result.data, pdf) == canonical(document.record, pdf)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(classes())
def test_docx_round_trip(package: dict[str, Any]) -> None:
    assert_round_trip(package, pdf=False)


@pytest.mark.pdf
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(classes())
def test_pdf_round_trip(package: dict[str, Any]) -> None:
    assert_round_trip(package, pdf=True)
