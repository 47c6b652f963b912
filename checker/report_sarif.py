"""SARIF 2.1.0 of a report, for code scanning (GitHub's in particular).

GitHub accepts a result only with a file to show it on and a line in that file, so every
result here has both, and the choices they force are these:

- **Where.** ``artifactLocation.uri`` is relative, with ``uriBaseId`` ``%SRCROOT%``: the
  folder ``annex check`` ran in (in CI, the checkout), which is what GitHub resolves URIs
  against. Package paths are used as the user gave them: a relative one stays as it is; an
  absolute one inside the working folder is made relative to it; any other (a Windows path
  read elsewhere, a folder outside the checkout) is given relative to its parent folder, whose
  absolute URI is a further ``originalUriBaseIds`` entry (``PACKAGES``, ``PACKAGES2`` …).
- **Which file.** A finding's document; for a package-level finding, the package's filing
  (附件5) or else its first document; a package with no document at all, its ``package.yaml``
  (what makes a folder a package). An archive, or a lone document checked by itself, is the
  file: the document inside the archive is in the result's ``properties``.
- **Which line.** ``region.startLine`` is the page of a PDF, the table row of a DOCX, the row
  of an XLSX sheet (from the cell where no row is given), else 1. The whole location
  (page/table/row/column or sheet/cell) is in the location's ``properties``.
- **Which finding.** ``partialFingerprints`` hashes what the finding is about (code, file
  relative to its base, document, field, location, value), with identifiers masked as the
  report masks them: the same finding gets the same fingerprint run after run, with or without
  ``--reveal``, wherever the folder is checked out and whatever order packages come in.
- **Rules** carry help (text and Markdown) and ``helpUri``: ``docs/rules.md#CODE``, relative to
  annexkit's own repository unless ``ANNEXKIT_DOCS_URL`` names where those docs are published
  (an absolute URL, as SARIF wants; GitHub itself shows the help Markdown, not the link).
- **Limits.** GitHub rejects a run of more than 25,000 results: a larger report keeps its
  errors first, then warnings, then notes, and says in the run what it left out.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from annexkit.checker.findings import CATALOGUE, Code
from annexkit.checker.report import SARIF_LEVELS, Report, field_label, location_text, value_text
from annexkit.checker.rules_doc import SCOPE_LABELS, SEVERITY_LABELS
from annexkit.contract.masking import mask_text

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
DOCS_URL_ENV = "ANNEXKIT_DOCS_URL"
DEFAULT_DOCS_URL = "docs/rules.md"
"""Where the rules reference is, relative to annexkit's repository (see the module's doc)."""
MAX_RESULTS = 25_000
"""GitHub code scanning's limit of results per run."""
FINGERPRINT = "annexkitFinding/v1"

_FILE_SUFFIXES = (".zip", ".docx", ".pdf", ".xlsx")
"""A package path with one of these is a file (an archive or a lone document), not a folder."""
_LEVEL_ORDER = {"error": 0, "warning": 1, "note": 2}


# ---------------------------------------------------------------------------------- where


class _Bases:
    """The base folders URIs are relative to: the working folder, then one per parent folder
    of a package that is not under it, numbered in the order met."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.extra: dict[str, str] = {}
        """absolute folder URI → base id"""

    def base_id(self, folder_uri: str) -> str:
        if folder_uri not in self.extra:
            n = len(self.extra) + 1
            self.extra[folder_uri] = "PACKAGES" if n == 1 else f"PACKAGES{n}"
        return self.extra[folder_uri]

    def anchor(self, package_path: str) -> tuple[str, str]:
        """(base id, package path relative to that base, ``/``-separated, not encoded; ``""``
        for the base itself)."""
        windows = PureWindowsPath(package_path)
        if windows.drive and windows.is_absolute() and os.sep == "/":
            # A Windows path in a report read here: no folder here can contain it.
            return self.base_id(_folder_uri(windows.parent.as_uri())), windows.name
        path = Path(os.path.normpath(self.root / package_path))
        try:
            relative = path.relative_to(self.root)
        except ValueError:
            return self.base_id(_folder_uri(path.parent.as_uri())), path.name
        text = relative.as_posix()
        return SRCROOT, "" if text == "." else text

    def original_uri_base_ids(self) -> dict[str, Any]:
        bases: dict[str, Any] = {
            SRCROOT: {
                "description": {
                    "text": "The folder annex check ran in (in CI, the repository's checkout)."
                }
            }
        }
        for uri, base_id in self.extra.items():
            bases[base_id] = {
                "uri": uri,
                "description": {"text": "The folder of packages named by an absolute path."},
            }
        return bases


def _folder_uri(uri: str) -> str:
    # SARIF: a base URI ends with a slash, or the last segment is dropped when resolving.
    return uri if uri.endswith("/") else uri + "/"


def _file_of(document_path: str) -> str:
    """The file a document is in: a PDF part (``x.pdf#pages=3-5``) is its PDF."""
    return document_path.split("#pages=", 1)[0].replace("\\", "/")


def _first_page(document_path: str) -> int | None:
    """The first page of a PDF part, from its ``#pages=3-5``."""
    _, _, pages = document_path.partition("#pages=")
    first = pages.split("-", 1)[0]
    return int(first) if first.isdigit() and int(first) >= 1 else None


def is_file_package(package_path: str) -> bool:
    """Whether the package is one file (an archive, or a lone document checked by itself)."""
    return PurePosixPath(package_path.replace("\\", "/")).suffix.lower() in _FILE_SUFFIXES


def package_file(package: Mapping[str, Any]) -> str | None:
    """The document a package-level finding is shown on: the filing, else the first one."""
    documents = package["documents"]
    chosen = next((d for d in documents if d["annex"] == "filing"), None)
    if chosen is None and documents:
        chosen = documents[0]
    return str(chosen["path"]) if chosen is not None else None


def relative_file(package_path: str, document_path: str | None, package_relative: str) -> str:
    """The file a result is shown on, relative to its base and not encoded: the package
    file itself, or the document's file in the package folder (``package.yaml`` when the
    package has no document)."""
    if is_file_package(package_path):
        return package_relative
    inside = _file_of(document_path) if document_path else "package.yaml"
    return f"{package_relative}/{inside}" if package_relative else inside


def _uri(relative: str) -> str:
    # A file name that was not valid in its encoding holds lone surrogates: encoded back to
    # its bytes, as the file system has them, rather than failing the whole report.
    return quote(relative, safe="/", errors="surrogateescape")


# ----------------------------------------------------------------------------------- line


def _positive(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None


def _cell_row(cell: Any) -> int | None:
    digits = "".join(c for c in cell if c.isdigit()) if isinstance(cell, str) else ""
    return _positive(int(digits)) if digits else None


def start_line(location: Mapping[str, Any], file_format: str, document_path: str | None) -> int:
    """The line GitHub shows a result on: the page of a PDF, the table row of a DOCX, the
    row of an XLSX sheet; 1 where nothing is known (SARIF lines start at 1)."""
    page, row = _positive(location.get("page")), _positive(location.get("row"))
    if file_format == "pdf":
        candidates = [page, _first_page(document_path or ""), row]
    elif file_format == "xlsx":
        candidates = [row, _cell_row(location.get("cell"))]
    else:
        candidates = [row, page]
    return next((c for c in candidates if c is not None), 1)


def _format_of(package: Mapping[str, Any], document_path: str | None) -> str:
    for document in package["documents"]:
        if document["path"] == document_path:
            return str(document["format"])
    return PurePosixPath(_file_of(document_path or "")).suffix.lower().lstrip(".")


# ---------------------------------------------------------------------------- fingerprint


def fingerprint(finding: Mapping[str, Any], relative: str, document: str | None) -> str:
    """A hash of what ``finding`` is about, identifiers masked whether or not the report
    revealed them, so that ``--reveal`` does not make every finding look new."""
    parts = [
        finding["code"],
        mask_text(relative),
        mask_text(document or ""),
        finding["path"] or "",
        json.dumps(finding["location"], sort_keys=True),
        mask_text(value_text(finding["value"])),
    ]
    # ASCII JSON: a name with lone surrogates (undecodable bytes) still hashes
    digest = hashlib.sha256(json.dumps(parts).encode("ascii"))
    return digest.hexdigest()[:32]


# ---------------------------------------------------------------------------------- rules


def docs_url(base: str | None = None) -> str:
    """The rules reference's address: ``base``, else ``$ANNEXKIT_DOCS_URL``, else
    :data:`DEFAULT_DOCS_URL`."""
    return base or os.environ.get(DOCS_URL_ENV) or DEFAULT_DOCS_URL


def _rule_name(code: str) -> str:
    return "".join(part.capitalize() for part in code.split("-"))


def _help(code: Code, uri: str) -> dict[str, str]:
    examples = [m.example_text() for m in code.messages.values()]
    scope = " / ".join(SCOPE_LABELS.get(p, p) for p in code.scope.split("/"))
    severity = SEVERITY_LABELS.get(code.severity, code.severity)
    text = (
        f"{code.title} ({code.name})\n\n{code.description}\n\n"
        f"Severity 级别: {severity}. Scope 范围: {scope}.\n\n"
        "Example 示例:\n" + "\n".join(examples) + f"\n\nSee 参见 {uri}"
    )
    markdown = "\n".join(
        [
            f"**{code.title}** (`{code.name}`)",
            "",
            code.description,
            "",
            f"- Severity 级别: {severity}",
            f"- Scope 范围: {scope}",
            "",
            "Example 示例:",
            "",
            "```text",
            *examples,
            "```",
            "",
            f"[docs/rules.md › `{code.name}`]({uri})",
        ]
    )
    return {"text": text, "markdown": markdown}


def sarif_rules(base_url: str | None = None) -> list[dict[str, Any]]:
    """The catalogue as SARIF rules, in the catalogue's order (``ruleIndex`` counts on it)."""
    url = docs_url(base_url)
    rules = []
    for code in CATALOGUE.values():
        # docs/rules.md's sections are headed by the code, so the code is the anchor
        uri = f"{url}#{code.name}"
        rules.append(
            {
                "id": code.name,
                "name": _rule_name(code.name),
                "shortDescription": {"text": code.title},
                "fullDescription": {"text": code.description},
                "help": _help(code, uri),
                "helpUri": uri,
                "defaultConfiguration": {"level": SARIF_LEVELS[code.severity]},
                "properties": {
                    "scope": code.scope,
                    "tags": ["annexkit", *code.scope.split("/")],
                    "precision": "very-high",
                },
            }
        )
    return rules


# -------------------------------------------------------------------------------- results


def _result(
    package: Mapping[str, Any],
    finding: Mapping[str, Any],
    rule_index: int,
    bases: _Bases,
) -> tuple[dict[str, Any], str]:
    """One result and its fingerprint (before numbering repeats)."""
    base_id, package_relative = bases.anchor(package["path"])
    document = finding["document"]
    shown_on = document if document is not None else package_file(package)
    relative = relative_file(package["path"], shown_on, package_relative)
    location = dict(finding["location"])
    line = start_line(location, _format_of(package, shown_on), shown_on)
    sarif_location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(relative), "uriBaseId": base_id},
            "region": {"startLine": line},
        }
    }
    said = " ".join(
        t for t in (location_text(location), field_label(finding["annex"], finding["path"])) if t
    )
    if said:
        sarif_location["message"] = {"text": said}
    if location:
        sarif_location["properties"] = location
    properties: dict[str, Any] = {"package": package["path"]}
    properties |= {k: finding[k] for k in ("annex", "document", "path") if finding[k] is not None}
    if finding["value"] is not None:
        properties["value"] = finding["value"]
    if document is None:
        # shown on a document of the package only because SARIF needs a file
        properties["package_level"] = True
    result: dict[str, Any] = {
        "ruleId": finding["code"],
        "ruleIndex": rule_index,
        "level": SARIF_LEVELS.get(finding["severity"], "warning"),
        "message": {"text": finding["message"]},
        "locations": [sarif_location],
        "properties": properties,
    }
    return result, fingerprint(finding, relative, shown_on)


def _within_limit(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """At most :data:`MAX_RESULTS`, the most severe kept, in report order."""
    if len(results) <= MAX_RESULTS:
        return results
    ranked = sorted(range(len(results)), key=lambda i: _LEVEL_ORDER.get(results[i]["level"], 3))
    kept = sorted(ranked[:MAX_RESULTS])
    return [results[i] for i in kept]


def render_sarif(
    report: Report, *, root: Path | None = None, docs_base_url: str | None = None
) -> str:
    """SARIF 2.1.0 of ``report``: the catalogue as the driver's rules, one result per finding
    (see the module's doc for where each result points). ``root`` is the folder relative
    package paths are relative to (the working folder); ``docs_base_url`` the rules
    reference's address (else ``$ANNEXKIT_DOCS_URL``, else ``docs/rules.md``)."""
    bases = _Bases(Path(os.path.abspath(root if root is not None else Path.cwd())))
    index = {name: i for i, name in enumerate(CATALOGUE)}
    results: list[dict[str, Any]] = []
    seen: Counter[str] = Counter()
    for package in report["packages"]:
        for finding in package["findings"]:
            result, print_ = _result(package, finding, index[finding["code"]], bases)
            seen[print_] += 1
            # Identical findings (one mistake made twice) stay apart: numbered like
            # GitHub's own line hashes.
            result["partialFingerprints"] = {FINGERPRINT: f"{print_}:{seen[print_]}"}
            results.append(result)
    shown = _within_limit(results)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": report["tool"]["name"],
                "version": report["tool"]["version"],
                "semanticVersion": report["tool"]["version"],
                "rules": sarif_rules(docs_base_url),
            }
        },
        "originalUriBaseIds": bases.original_uri_base_ids(),
        "results": shown,
        "columnKind": "unicodeCodePoints",
        "properties": {
            "report_version": report["report_version"],
            "valid": report["valid"],
            "summary": report["summary"],
        },
    }
    if len(shown) < len(results):
        run["properties"]["results_left_out"] = len(results) - len(shown)
        run["invocations"] = [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {
                        "level": "warning",
                        "message": {
                            "text": (
                                f"仅列出 {len(shown)} 项（共 {len(results)} 项），先错误后警告 / "
                                f"{len(shown)} of {len(results)} results listed (code "
                                "scanning's limit), errors first: see the JSON report for all"
                            )
                        },
                    }
                ],
            }
        ]
    sarif = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(sarif, ensure_ascii=False, indent=2) + "\n"
