"""The checker on documents it has not seen: the independent corpus in ``tests/corpus``.

``tests/corpus/build.py`` makes each document by hand, laid out the way other institutions
and cities make these forms (no annexkit template involved); ``tests/corpus/cases.yaml``
says what the checker must return for each: the annex, the extracted fields by JSON pointer,
and the complete set of findings. A case fails on any difference, and its message lists
every difference with what the checker returned.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from annexkit.checker.document import check_document
from annexkit.checker.result import DocumentResult
from annexkit.contract.formats import validate_credit_code, validate_id_number
from tests.corpus.build import FILES, build_corpus

CASES_FILE = Path(__file__).parent / "corpus" / "cases.yaml"
_MISSING = object()


@dataclass(frozen=True)
class ExpectedFinding:
    code: str
    path: str | None
    mentions: tuple[str, ...] = ()
    """Labels of which at least ``at_least`` must appear in the message."""
    at_least: int = 0


@dataclass(frozen=True)
class ExpectedDocument:
    annex: str | None
    fields: dict[str, Any]
    findings: list[ExpectedFinding]
    not_: dict[str, Any] = field(default_factory=dict)
    lengths: dict[str, int] = field(default_factory=dict)
    numbered: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Case:
    id: str
    file: str
    about: str
    documents: list[ExpectedDocument]

    @property
    def pdf(self) -> bool:
        return self.file.endswith(".pdf")


def _finding(raw: dict[str, Any]) -> ExpectedFinding:
    message = raw.get("message") or {}
    return ExpectedFinding(
        code=raw["code"],
        path=raw.get("path"),
        mentions=tuple(message.get("any_of", ())),
        at_least=int(message.get("at_least", 0)),
    )


def load_cases(path: Path = CASES_FILE) -> list[Case]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = []
    for entry in raw["cases"]:
        documents = [
            ExpectedDocument(
                annex=doc["annex"],
                fields=dict(doc.get("fields") or {}),
                findings=[_finding(f) for f in doc.get("findings") or []],
                not_=dict(doc.get("not") or {}),
                lengths=dict(doc.get("lengths") or {}),
                numbered=list(doc.get("numbered") or []),
            )
            for doc in entry["documents"]
        ]
        cases.append(Case(entry["id"], entry["file"], entry.get("about", ""), documents))
    return cases


CASES = load_cases()


def _params() -> list[Any]:
    return [
        pytest.param(case, id=case.id, marks=[pytest.mark.pdf] if case.pdf else [])
        for case in CASES
    ]


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def corpus_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The DOCX and XLSX cases, built once."""
    return build_corpus(tmp_path_factory.mktemp("corpus"), pdf=False)


@pytest.fixture(scope="session")
def corpus_pdf_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The PDF cases, built once (one LibreOffice start for all of them)."""
    return build_corpus(tmp_path_factory.mktemp("corpus-pdf"), pdf=True)


CheckOutcome = list[DocumentResult] | BaseException


@pytest.fixture(scope="session")
def checked() -> dict[str, CheckOutcome]:
    """check_document's outcome per corpus file, so each file is checked once."""
    return {}


def outcome(request: pytest.FixtureRequest, case: Case) -> CheckOutcome:
    cache: dict[str, CheckOutcome] = request.getfixturevalue("checked")
    if case.file not in cache:
        files: dict[str, Path] = request.getfixturevalue(
            "corpus_pdf_files" if case.pdf else "corpus_files"
        )
        try:
            cache[case.file] = check_document(files[case.file], case.file)
        except Exception as exc:  # reported by test_checker_returns_results
            cache[case.file] = exc
    return cache[case.file]


# ------------------------------------------------------------------------- comparison


def resolve(data: Any, pointer: str) -> Any:
    """The value at a JSON pointer, or ``_MISSING``."""
    if pointer in ("", "/"):
        return data
    for token in pointer.lstrip("/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(data, dict) and token in data:
            data = data[token]
        elif isinstance(data, list) and token.isdigit() and int(token) < len(data):
            data = data[int(token)]
        else:
            return _MISSING
    return data


def same(expected: Any, actual: Any) -> bool:
    """Exact equality of canonical values: booleans only equal booleans, numbers compare by
    value (85 and 85.0 are the same JSON number), text exactly; None is "absent"."""
    if expected is None:
        return actual is None or actual is _MISSING
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, (int, float)):
        return isinstance(actual, (int, float)) and math.isclose(expected, actual)
    return type(expected) is type(actual) and bool(expected == actual)


def show(value: Any) -> str:
    return "(absent)" if value is _MISSING else repr(value)


def compare(expected: ExpectedDocument, result: DocumentResult) -> list[str]:
    """Every difference between what a document should give and what the checker gave."""
    problems: list[str] = []
    if result.annex != expected.annex:
        problems.append(f"annex: expected {expected.annex!r}, checker gave {result.annex!r}")
    data = result.data or {}
    for pointer, value in expected.fields.items():
        actual = resolve(data, pointer)
        if not same(value, actual):
            problems.append(f"field {pointer}: expected {value!r}, checker gave {show(actual)}")
    for pointer, value in expected.not_.items():
        actual = resolve(data, pointer)
        if same(value, actual):
            problems.append(f"field {pointer}: must not be {value!r} (a damaged value repaired)")
    for pointer, length in expected.lengths.items():
        actual = resolve(data, pointer)
        got = len(actual) if isinstance(actual, list) else show(actual)
        if got != length:
            problems.append(f"list {pointer}: expected {length} items, checker gave {got}")
    for pointer in expected.numbered:
        items = resolve(data, pointer)
        seqs = [i.get("seq") if isinstance(i, dict) else None for i in items or []]
        if seqs != list(range(1, len(seqs) + 1)):
            wrong = next(n for n, s in enumerate(seqs, start=1) if s != n)
            problems.append(f"list {pointer}: item {wrong} has seq {seqs[wrong - 1]!r}")
    problems += compare_findings(expected.findings, result)
    return problems


def compare_findings(expected: list[ExpectedFinding], result: DocumentResult) -> list[str]:
    problems: list[str] = []
    wanted = Counter((f.code, f.path) for f in expected)
    got = Counter((f.code, f.path) for f in result.findings)
    for code, path in sorted((wanted - got).elements(), key=str):
        problems.append(f"missing finding {code} at {path}")
    for code, path in sorted((got - wanted).elements(), key=str):
        messages = [f.message for f in result.findings if (f.code, f.path) == (code, path)]
        problems.append(f"unexpected finding {code} at {path}: {messages[0]}")
    for finding in expected:
        if not finding.mentions:
            continue
        for actual in result.findings:
            if (actual.code, actual.path) != (finding.code, finding.path):
                continue
            named = [label for label in finding.mentions if label in actual.message]
            if len(named) < finding.at_least:
                problems.append(
                    f"finding {finding.code}: message names {len(named)} of the labels "
                    f"looked for ({'、'.join(named) or 'none'}), expected at least "
                    f"{finding.at_least}: {actual.message}"
                )
    return problems


# --------------------------------------------------------------------------------- tests


@pytest.mark.parametrize("case", _params())
def test_checker_returns_results(request: pytest.FixtureRequest, case: Case) -> None:
    """Nothing is raised for what is in a file, and every file gives at least one result."""
    result = outcome(request, case)
    if isinstance(result, BaseException):
        raise AssertionError(f"{case.file}: check_document raised {result!r}") from result
    assert result, f"{case.file}: check_document returned no result"
    assert all(isinstance(r, DocumentResult) for r in result)


@pytest.mark.parametrize("case", _params())
def test_case(request: pytest.FixtureRequest, case: Case) -> None:
    result = outcome(request, case)
    if isinstance(result, BaseException):
        raise result
    annexes = [r.annex for r in result]
    expected_annexes = [d.annex for d in case.documents]
    assert annexes == expected_annexes, (
        f"{case.file}: expected {expected_annexes}, checker found {annexes} "
        f"({[(r.path, [f.code for f in r.findings]) for r in result]})"
    )
    problems = []
    for index, (expected, actual) in enumerate(zip(case.documents, result, strict=True)):
        where = f"document {index + 1} ({actual.path})" if len(result) > 1 else actual.path
        problems += [f"{where}: {p}" for p in compare(expected, actual)]
    assert not problems, f"{case.id}: {len(problems)} differences\n" + "\n".join(problems)


def test_cases_match_the_built_files() -> None:
    """Every file built has a case and every case names a file that is built."""
    assert sorted(f.name for f in FILES) == sorted({c.file for c in CASES})


def test_expected_identifiers_are_consistent() -> None:
    """The corpus itself: an expected ID number or credit code is valid exactly when no
    finding is expected for it (the planted errors are real errors, the rest real values)."""
    problems = []
    for case in CASES:
        for document in case.documents:
            flagged = {
                f.path
                for f in document.findings
                if f.code in ("invalid-id-number", "invalid-credit-code")
            }
            for pointer, value in document.fields.items():
                if not isinstance(value, str):
                    continue
                if pointer.endswith("id_number"):
                    error = validate_id_number(value)
                elif pointer.endswith("credit_code"):
                    error = validate_credit_code(value)
                else:
                    continue
                if (error is None) == (pointer in flagged):
                    problems.append(f"{case.id} {pointer} {value}: {error or 'valid'}")
    assert not problems, problems
