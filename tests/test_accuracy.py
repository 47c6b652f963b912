"""The variation corpus (tests/variation): institutions' own layouts and notations.

``test_accuracy_targets`` is the acceptance test of issue 10: a small slice of the corpus
(digital formats, fixed seed) must meet the targets — no clean package with an error,
precision of the errors and recall ≥ 0.97, key fields ≥ 0.99 exact. ``make test`` runs it;
it is marked ``accuracy`` so that ``pytest -m 'not accuracy'`` can leave it out. The other
tests check the builder itself: its clean classes are consistent and each fault gives
exactly its expected findings under the checker's own rules when read perfectly.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from annexkit.contract.formats import age_on, id_gender, validate_id_number
from annexkit.generator.text import rmb_upper as canonical_rmb_upper
from tests.variation.build import build, oracle_findings, plan_package
from tests.variation.faults import FAULTS
from tests.variation.layouts import LAYOUTS, words_figure
from tests.variation.model import consistency_problems, latest_filing_day, make_class
from tests.variation.notations import NOTATIONS, rmb_upper

# benchmarks/ is not a package mypy sees as such: load the scorer by name, as `python -m` does.
bench: Any = importlib.import_module("benchmarks.bench_accuracy")
SLICE = 40
SEED = 613


@pytest.mark.parametrize("seed", range(40))
def test_clean_class_is_consistent(seed: int) -> None:
    c = make_class(random.Random(seed))
    assert consistency_problems(c) == []
    start = dt.date.fromisoformat(c["filing"]["training"]["start_date"])
    for person in c["filing"]["roster"]:
        assert validate_id_number(person["id_number"]) is None
        assert id_gender(person["id_number"]) == person["gender"]
    for row in c["ledger"]["rows"]:
        assert row["age"] == age_on(row["id_number"], start)
    for sheet in c["signin"]:
        assert sheet["actual_count"] == sum(r["signed_in"] for r in sheet["rows"])
        assert sheet["expected_count"] == len(c["filing"]["roster"])
    fee = c["agreement"]["fee"]
    assert fee["total"] == fee["per_person"] * c["agreement"]["training"]["headcount"]
    assert dt.date.fromisoformat(c["filing"]["filing_date"]) <= latest_filing_day(start)


@pytest.mark.parametrize("seed", range(10))
def test_clean_class_gives_no_finding_when_read_perfectly(seed: int) -> None:
    c = make_class(random.Random(seed))
    docs = [("f", "filing", c["filing"]), ("a", "agreement", c["agreement"])]
    docs += [("l", "ledger", c["ledger"])]
    docs += [(f"s{i}", "signin", s) for i, s in enumerate(c["signin"])]
    assert oracle_findings(docs, c["settings"]["claim_date"]) == []


def test_every_fault_gives_its_findings(tmp_path: Path) -> None:
    """The builder refuses a package whose rules-on-truth findings differ from expected.yaml;
    planning and writing two packages per fault (DOCX/XLSX) must therefore succeed."""
    names = sorted(FAULTS)
    for number in range(1, 4 * len(names), 2):  # odd numbers are the faulty packages
        planned = plan_package(number, SEED, ("docx", "xlsx"))
        assert planned.fault in names
    index = build(tmp_path, 2 * len(names) + 2, SEED, ("docx", "xlsx"))
    assert {p["fault"] for p in index} == {None, *names}
    for package in index:
        folder = tmp_path / package["package"]
        expected = yaml.safe_load((folder / "expected.yaml").read_text("utf-8"))["findings"]
        truth = json.loads((folder / ".truth.json").read_text("utf-8"))
        assert bool(expected) == bool(package["fault"])
        assert truth["expected"] == expected
        for document in truth["documents"]:
            assert (folder / document["path"]).is_file()


def test_a_fault_in_the_words_reaches_the_page() -> None:
    """Layouts spell the 大写 in their own notation from the amount the record's words say,
    not from the figure: an ``amount-mismatch`` in the words is printed (it used to be
    spelled right again, so the fault never reached the document)."""
    wrong = {"total": 24000, "total_in_words": rmb_upper(Decimal(25000))}
    assert words_figure(wrong) == 25000
    assert words_figure({"total": 24000, "total_in_words": rmb_upper(Decimal(24000))}) == 24000


def test_registries_are_broad() -> None:
    for annex, layouts in LAYOUTS.items():
        assert len(layouts) >= 8, annex
        assert {lay.fmt for lay in layouts} == {"docx", "xlsx"}, annex
    assert len(NOTATIONS["date"]) >= 6 and len(NOTATIONS["date_range"]) >= 5
    for value in (9000, 10500, 24000, 100000, 1005, 120000, 1234567, 30000, 16800, 10080):
        assert rmb_upper(Decimal(value)) == canonical_rmb_upper(value)


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    corpus = tmp_path_factory.mktemp("accuracy") / "corpus"
    build(corpus, SLICE, SEED, ("docx", "xlsx", "pdf"))
    result: dict[str, Any] = bench.summary(
        bench.score_report(bench.run_check(corpus, workers=1), corpus)
    )
    assert result["packages"] == SLICE
    return result


def _shown(result: dict[str, Any]) -> str:
    keys = ("clean_packages_with_errors", "precision", "recall", "fields_digital")
    return json.dumps(
        {k: result[k] for k in keys} | {"top_false_findings": result["top_false_findings"][:5]},
        ensure_ascii=False,
        indent=1,
    )


@pytest.mark.accuracy
def test_accuracy_targets(scored: dict[str, Any]) -> None:
    """No clean package with an error; precision of the errors and recall ≥ 0.97; key
    fields ≥ 0.99 exact (the slice has no scan: the benchmark scores those)."""
    result = dict(scored)
    result["fields_scan"] = max(result["fields_scan"], bench.TARGETS["fields_scan"])  # no scans
    assert bench.targets_missed(result) == [], _shown(result)
