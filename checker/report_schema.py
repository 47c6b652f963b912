"""The JSON Schema of the JSON report (``schemas/report.schema.json``, ``annex schema report``).

The schema is a shipped file, not built at run time, so that users' CI can fetch and pin it
like any other contract document. Its two enumerations that come from the code — the finding
codes of :data:`~annexkit.checker.findings.CATALOGUE` and the annex ids — would drift when a
code is added; :func:`render_schema` gives the file with both taken from the code, and a test
compares the committed file with it. Regenerate with::

    python -m annexkit.checker.report_schema > schemas/report.schema.json
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator

from annexkit import ANNEXES
from annexkit.checker.findings import CATALOGUE

SCHEMA_FILE = "report.schema.json"


class InvalidReportError(ValueError):
    """A report that breaks its schema. Not an :class:`~annexkit.contract.text.AnnexkitError`:
    the user cannot act on it (their documents' problems are findings); it is a bug in
    whatever built the report."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"the report breaks its schema ({len(problems)} problems):\n{listed}")


@cache
def _shipped() -> dict[str, Any]:
    text = (files("annexkit.schemas") / SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def report_schema() -> dict[str, Any]:
    """The shipped schema (a copy: callers may edit it)."""
    return copy.deepcopy(_shipped())


def render_schema() -> str:
    """The schema file's text with the code and annex enumerations taken from the code."""
    schema = report_schema()
    schema["$defs"]["code"]["enum"] = list(CATALOGUE)
    schema["$defs"]["annex"]["enum"] = [*ANNEXES, None]
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


@cache
def _validator() -> Draft202012Validator:
    schema = _shipped()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _where(path: Any) -> str:
    return "/" + "/".join(str(p) for p in path)


def report_problems(report: Mapping[str, Any]) -> list[str]:
    """What is wrong with ``report``: each schema violation (JSON pointer and reason), then
    summary counts that disagree with the findings listed — the one invariant a schema
    cannot state."""
    errors = sorted(_validator().iter_errors(report), key=lambda e: list(map(str, e.path)))
    problems = [f"{_where(e.absolute_path)}: {e.message}" for e in errors]
    if problems:
        return problems
    packages = report["packages"]
    findings = [f for p in packages for f in p["findings"]]
    counted = {
        "packages": len(packages),
        "documents": sum(len(p["documents"]) for p in packages),
        "errors": sum(f["severity"] == "error" for f in findings),
        "warnings": sum(f["severity"] == "warning" for f in findings),
    }
    summary = report["summary"]
    for key, actual in counted.items():
        if summary[key] != actual:
            problems.append(f"/summary/{key}: {summary[key]}, but the report lists {actual}")
    by_code: dict[str, int] = {}
    for finding in findings:
        by_code[finding["code"]] = by_code.get(finding["code"], 0) + 1
    if summary["by_code"] != by_code:
        problems.append(f"/summary/by_code: {summary['by_code']}, but the report lists {by_code}")
    return problems


def validate_report(report: Mapping[str, Any]) -> None:
    """Raise :class:`InvalidReportError` listing every problem of ``report``."""
    problems = report_problems(report)
    if problems:
        raise InvalidReportError(problems)


def main() -> None:
    # Bytes, as rules_doc writes: UTF-8 and LF whatever the console's code page.
    sys.stdout.buffer.write(render_schema().encode("utf-8"))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
