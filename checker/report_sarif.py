"""SARIF 2.1.0 of a report, for code-scanning tools."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from annexkit.checker.findings import CATALOGUE
from annexkit.checker.report import SARIF_LEVELS, Report, field_label

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def artifact_uri(package_path: str, document_path: str | None) -> str:
    """A URI reference for a document: package path + document path, percent-encoded.

    A PDF part (``x.pdf#pages=3-5``) points at its file, whose page the location's
    properties give; absolute paths become ``file:`` URIs, since ``C:/…`` would otherwise
    read as a URI with the scheme ``c``."""
    joined = package_path.replace("\\", "/").rstrip("/")
    if document_path:
        joined += "/" + document_path.split("#pages=", 1)[0].replace("\\", "/")
    windows = PureWindowsPath(joined)
    if windows.drive and windows.is_absolute():
        return windows.as_uri()
    if joined.startswith("/"):
        return PurePosixPath(joined).as_uri()
    return quote(joined, safe="/")


def _sarif_rules() -> list[dict[str, Any]]:
    return [
        {
            "id": code.name,
            "shortDescription": {"text": code.title},
            "fullDescription": {"text": code.description},
            "defaultConfiguration": {"level": SARIF_LEVELS[code.severity]},
            "properties": {"scope": code.scope},
        }
        for code in CATALOGUE.values()
    ]


def _sarif_result(
    package: Mapping[str, Any], finding: Mapping[str, Any], rule_index: int
) -> dict[str, Any]:
    location = dict(finding["location"])
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": artifact_uri(package["path"], finding["document"])}
    }
    if isinstance(location.get("row"), int) and location["row"] >= 1:
        physical["region"] = {"startLine": location["row"]}
    sarif_location: dict[str, Any] = {"physicalLocation": physical}
    if location:
        sarif_location["properties"] = location
    label = field_label(finding["annex"], finding["path"])
    if label:
        sarif_location["message"] = {"text": label}
    properties = {
        k: finding[k] for k in ("annex", "document", "path", "value") if finding[k] is not None
    }
    result: dict[str, Any] = {
        "ruleId": finding["code"],
        "ruleIndex": rule_index,
        "level": SARIF_LEVELS.get(finding["severity"], "warning"),
        "message": {"text": finding["message"]},
        "locations": [sarif_location],
    }
    if properties:
        result["properties"] = properties
    return result


def render_sarif(report: Report) -> str:
    """SARIF 2.1.0 for code-scanning tools: the catalogue as the driver's rules, one result
    per finding. SARIF regions are line-based, so ``startLine`` is the table row where known
    and page/table/row/column (or sheet/cell) travel in the location's ``properties``."""
    index = {name: i for i, name in enumerate(CATALOGUE)}
    results = [
        _sarif_result(package, finding, index[finding["code"]])
        for package in report["packages"]
        for finding in package["findings"]
    ]
    sarif = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": report["tool"]["name"],
                        "version": report["tool"]["version"],
                        "rules": _sarif_rules(),
                    }
                },
                "results": results,
                "properties": {
                    "report_version": report["report_version"],
                    "valid": report["valid"],
                    "summary": report["summary"],
                },
            }
        ],
    }
    return json.dumps(sarif, ensure_ascii=False, indent=2) + "\n"
