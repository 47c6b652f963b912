"""JUnit XML of a report, for CI test tabs."""

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


def _xml(text: str) -> str:
    return _printable(text)


def _detail(finding: Mapping[str, Any]) -> str:
    parts = [
        f"{SEVERITY_ZH.get(finding['severity'], finding['severity'])} {finding['code']}",
        location_text(finding["location"]),
        _finding_text(finding),
    ]
    return _xml("  ".join(p for p in parts if p))


def render_junit(report: Report) -> str:
    """JUnit XML for CI test tabs: one testsuite per package, one testcase per document (and
    one for the package-level checks) with a ``failure`` per error finding; warnings and
    infos go to the testcase's ``system-out``."""
    root = ET.Element("testsuites", name=TOOL_NAME)
    total_tests = total_failures = 0
    for package in report["packages"]:
        suite = ET.SubElement(root, "testsuite", name=_xml(package["path"]))
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="profile", value=_xml(package["profile"]))
        tests = failures = 0
        for document, findings in _groups(package):
            tests += 1
            case = ET.SubElement(
                suite,
                "testcase",
                classname=(document["annex"] or "unknown") if document else "package",
                name=_xml(document["path"] if document else PACKAGE_LEVEL),
            )
            errors = [f for f in findings if f["severity"] == "error"]
            for finding in errors:
                failure = ET.SubElement(
                    case, "failure", type=finding["code"], message=_xml(finding["message"])
                )
                failure.text = _detail(finding)
            others = [f for f in findings if f["severity"] != "error"]
            if others:
                ET.SubElement(case, "system-out").text = "\n".join(_detail(f) for f in others)
            failures += bool(errors)
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        total_tests += tests
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
