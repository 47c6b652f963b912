"""``annex check --expect``: each package's findings against the ``expected.yaml`` beside it.

Sample packages in CI state the errors and warnings they must give (info findings, such as
the subsidy estimate, are not compared). A package whose findings differ fails the run, so a
change to a rule that loses or adds a finding is caught.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from annexkit.checker.findings import Finding
from annexkit.checker.result import PackageResult

EXPECTED = "expected.yaml"
Key = tuple[str, str | None, str | None]


@dataclass
class Comparison:
    text: str
    failed: bool


def _key(finding: Finding) -> Key:
    return (finding.code, finding.document, finding.path)


def _expected(path: Path) -> list[Key]:
    data: Any = yaml.safe_load(path.read_text("utf-8")) or {}
    entries = data.get("findings") or [] if isinstance(data, dict) else []
    return [(str(e["code"]), e.get("document"), e.get("path")) for e in entries]


def compare_expected(results: list[PackageResult], *, reveal: bool = False) -> Comparison:
    lines: list[str] = []
    failed = False
    compared = 0
    for result in results:
        expectation = Path(result.path) / EXPECTED
        if not expectation.is_file():
            lines.append(f"—  {result.path}: 没有 {EXPECTED}，未比较 / no {EXPECTED}, not compared")
            continue
        compared += 1
        found = sorted(_key(f) for f in result.all_findings() if f.severity != "info")
        wanted = sorted(_expected(expectation))
        missing = list((Counter(wanted) - Counter(found)).elements())
        unexpected = list((Counter(found) - Counter(wanted)).elements())
        if not missing and not unexpected:
            lines.append(f"✓  {result.path}: {len(found)} 项符合预期 / as expected")
            continue
        failed = True
        lines.append(f"✗  {result.path}: 与 {EXPECTED} 不符 / differs from {EXPECTED}")
        messages = {_key(f): f.render(reveal=reveal) for f in result.all_findings()}
        for code, document, pointer in missing:
            lines.append(f"     缺少 missing:    {code} {document or '-'} {pointer or '-'}")
        for key in unexpected:
            where = f"{key[0]} {key[1] or '-'} {key[2] or '-'}"
            lines.append(f"     多出 unexpected: {where}  {messages.get(key, '')}")
    verdict = "失败 FAILED" if failed else "通过 passed"
    lines.append(f"{compared} 个材料包已比较 / packages compared: {verdict}")
    return Comparison("\n".join(lines), failed or compared == 0)
