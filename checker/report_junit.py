"""JUnit XML of a report, for CI test tabs (Jenkins' junit-10.xsd).

A test tab counts and lists test cases, so each rule a document breaks is one case with one
``failure``: ``the ledger broke invalid-id-number`` is a failed test, however many rows it
broke it in (the failure's body lists them all, its message is the first). A document with
no findings at all is a passing case, so that a tab shows what was checked and not only
what failed; the package-level checks are one more passing case when none of them found
anything. Warnings and notes fail nothing: a rule with only those is a passing case whose
``system-out`` lists them (a rule with an error and warnings fails, its body listing both).

Suites are packages; a case's ``classname`` is its package's path and its ``name`` the
document (and rule), unique within the suite, since CI tools merge cases of one name.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from annexkit.checker.report import (
    PACKAGE_LEVEL,
    SEVERITY_ZH,
    TOOL_NAME,
    Report,
    _finding_text,
    _groups,
    _printable,
    location_text,
)


def _detail(finding: Mapping[str, Any]) -> str:
    parts = [
        f"{SEVERITY_ZH.get(finding['severity'], finding['severity'])} {finding['code']}",
        location_text(finding["location"]),
        _finding_text(finding),
    ]
    return _printable("  ".join(p for p in parts if p))


def _unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2)`` … where the suite already has it (two documents whose
    masked file names came out alike)."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name} ({n})"
    taken.add(candidate)
    return candidate


def _by_rule(findings: list[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """The findings grouped by code, in the order each code first appears."""
    rules: dict[str, list[Mapping[str, Any]]] = {}
    for finding in findings:
        rules.setdefault(finding["code"], []).append(finding)
    return rules


class _Suite:
    """One package's ``testsuite`` being filled, with its counts and the names taken."""

    def __init__(self, root: ET.Element, package: Mapping[str, Any]) -> None:
        self.classname = _printable(package["path"])
        self.element = ET.SubElement(root, "testsuite", name=self.classname)
        props = ET.SubElement(self.element, "properties")
        ET.SubElement(props, "property", name="profile", value=_printable(package["profile"]))
        self.names: set[str] = set()
        self.tests = self.failures = 0

    def case(self, name: str) -> ET.Element:
        self.tests += 1
        return ET.SubElement(
            self.element,
            "testcase",
            classname=self.classname,
            name=_unique(_printable(name), self.names),
        )

    def rule_case(self, subject: str, code: str, findings: list[Mapping[str, Any]]) -> None:
        case = self.case(f"{subject} [{code}]")
        body = "\n".join(_detail(f) for f in findings)
        errors = [f for f in findings if f["severity"] == "error"]
        if errors:
            self.failures += 1
            failure = ET.SubElement(
                case, "failure", type=code, message=_printable(errors[0]["message"])
            )
            failure.text = body
        else:
            ET.SubElement(case, "system-out").text = body

    def finish(self) -> None:
        self.element.set("tests", str(self.tests))
        self.element.set("failures", str(self.failures))
        self.element.set("errors", "0")
        self.element.set("skipped", "0")


def render_junit(report: Report) -> str:
    """JUnit XML: one testsuite per package, one testcase per (document, rule) with exactly
    one ``failure`` when the rule found an error there, and a passing testcase per document
    without findings (see the module's doc)."""
    root = ET.Element("testsuites", name=TOOL_NAME)
    total_tests = total_failures = 0
    for package in report["packages"]:
        suite = _Suite(root, package)
        for document, findings in _groups(package):
            subject = document["path"] if document is not None else PACKAGE_LEVEL
            if not findings:
                suite.case(subject)
                continue
            for code, of_rule in _by_rule(findings).items():
                suite.rule_case(subject, code, of_rule)
        suite.finish()
        total_tests += suite.tests
        total_failures += suite.failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
