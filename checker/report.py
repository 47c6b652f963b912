"""The checker's report: the contract's JSON report built from results, and its renderers.

:func:`build_report` turns :class:`PackageResult` objects into the report of the data
contract ("The JSON report"); every output format is a function of that one dict, so the
formats cannot disagree about what was found, what was filtered out or what was masked.

Identifiers are masked while the dict is built (by :mod:`annexkit.contract.masking`, the one
place that masks), not while it is rendered: a renderer added later cannot forget to mask,
and ``--format json`` shows exactly what every other format shows. Finding messages are
rendered from their parameters at that moment, masked unless ``--reveal``.
"""

from __future__ import annotations

import copy
import importlib
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from annexkit import ANNEXES, __version__
from annexkit.checker.findings import CATALOGUE, Finding
from annexkit.checker.result import DocumentResult, PackageResult
from annexkit.contract.masking import mask_text, mask_value
from annexkit.contract.schema import label_at, load_schema, node_at

REPORT_VERSION = "1"
TOOL_NAME = "annexkit"

Report = dict[str, Any]
"""The JSON report as a dict (``json.dumps`` gives the contract's document)."""

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


# ---------------------------------------------------------------------- --select/--ignore


class UnknownSelectorError(ValueError):
    """A ``--select``/``--ignore`` entry that is neither a code nor the prefix of one.

    Like ruff, an unknown selector is a usage error rather than a silent no-op: a typo in
    ``--ignore`` would otherwise let the CI pass or fail for the wrong reason."""

    def __init__(self, selectors: Iterable[str]) -> None:
        self.selectors = sorted(selectors)
        super().__init__(self.selectors)

    def __str__(self) -> str:
        shown = ", ".join(repr(s) for s in self.selectors)
        return (
            f"未知的检查代码：{shown}（见 docs/rules.md） / "
            f"unknown finding code or prefix: {shown} (see docs/rules.md)"
        )


def check_selectors(selectors: Iterable[str]) -> None:
    """Raise :class:`UnknownSelectorError` for entries that match no code of the catalogue."""
    unknown = [s for s in selectors if not s or not any(c.startswith(s) for c in CATALOGUE)]
    if unknown:
        raise UnknownSelectorError(unknown)


def _specificity(code: str, selectors: Iterable[str]) -> int | None:
    """Length of the longest selector that is ``code`` or a prefix of it, or None."""
    return max((len(s) for s in selectors if code.startswith(s)), default=None)


def is_selected(
    code: str, select: Iterable[str] | None = None, ignore: Iterable[str] | None = None
) -> bool:
    """Whether a finding with ``code`` stays in the report.

    As in ruff, the more specific selector wins: ``select={"invalid-"}`` with
    ``ignore={"invalid-phone"}`` keeps every ``invalid-*`` code but the phone one, and
    ``select={"invalid-phone"}`` with ``ignore={"invalid-"}`` keeps just the phone one. An
    entry in both (the same length) is ignored. ``select=None`` selects every code.
    """
    selected = 0 if select is None else _specificity(code, select)
    if selected is None:
        return False
    ignored = _specificity(code, ignore or ())
    return ignored is None or selected > ignored


# ------------------------------------------------------------------------------ masking

# Where a finding's path does not lead to a schema field (package-level findings, paths
# into unknown fields), its code still says what the value is.
_CODE_FORMATS = {
    "invalid-id-number": "id_number",
    "duplicate-trainee": "id_number",
    "invalid-phone": "phone",
    "invalid-credit-code": "credit_code",
}


def parse_pointer(pointer: str | None) -> tuple[str | int, ...]:
    """A JSON pointer as a schema path; all-digit parts are array indices."""
    if not pointer:
        return ()
    parts = pointer.lstrip("/").split("/")
    keys = (p.replace("~1", "/").replace("~0", "~") for p in parts)
    return tuple(int(k) if k.isdigit() else k for k in keys)


def _schema_node(annex: str | None, pointer: str | None) -> Any:
    if annex not in ANNEXES or not pointer:
        return None
    try:
        return node_at(annex, parse_pointer(pointer))
    except (AttributeError, KeyError, TypeError, ValueError):
        # A pointer that does not fit the schema's shape: free-text masking still applies.
        return None


def finding_value(finding: Finding, annex: str | None = None, *, reveal: bool = False) -> Any:
    """A finding's ``value`` as a report shows it: a copy, identifiers masked unless
    ``reveal`` (guided by the schema at its path, else by its code)."""
    if reveal:
        # a copy, so that editing a report never edits the results it was built from
        return copy.deepcopy(finding.value)
    node = _schema_node(annex if annex is not None else finding.annex, finding.path)
    if node is None and finding.code in _CODE_FORMATS:
        node = {"format": _CODE_FORMATS[finding.code]}
    return mask_value(finding.value, node)


# ------------------------------------------------------------------------------ building


def _finding_dict(
    finding: Finding, document: DocumentResult | None, reveal: bool
) -> dict[str, Any]:
    # A checker step may leave annex/document unset on a finding it files under a document;
    # the report fills them in, since the contract reserves null for package-level findings.
    annex = finding.annex if finding.annex is not None else (document.annex if document else None)
    doc_path = finding.document
    if doc_path is None and document is not None:
        doc_path = document.path
    severity = finding.severity or CATALOGUE[finding.code].severity
    return {
        "code": finding.code,
        "severity": severity,
        "annex": annex,
        "document": doc_path if reveal or doc_path is None else mask_text(doc_path),
        "path": finding.path,
        "message": finding.render(reveal=reveal),
        "location": dict(finding.location) if reveal else mask_value(dict(finding.location)),
        "value": finding_value(finding, annex, reveal=reveal),
    }


def _document_dict(document: DocumentResult, reveal: bool) -> dict[str, Any]:
    data = document.data
    if reveal:
        data = copy.deepcopy(data)
    elif data is not None:
        # masking builds new containers, so the results keep their unmasked data
        root = load_schema(document.annex) if document.annex in ANNEXES else None
        data = mask_value(data, root)
    return {
        "path": document.path if reveal else mask_text(document.path),
        "annex": document.annex,
        "format": document.format,
        "pages": document.pages,
        "data": data,
        "extraction": {
            "engine": document.extraction.engine,
            "confidence": document.extraction.confidence,
            **({"low_confidence": document.uncertain} if document.uncertain else {}),
        },
        **({"searchable": document.searchable} if document.searchable else {}),
        **(
            {
                "classification": {
                    "score": document.score,
                    "runner_up": document.runner_up,
                    "margin": document.margin,
                }
            }
            if document.margin is not None
            else {}
        ),
    }


def reported_findings(
    package: PackageResult, select: set[str] | None = None, ignore: set[str] | None = None
) -> list[tuple[Finding, DocumentResult | None]]:
    """The findings of ``package`` that its report lists, in the report's order, each with
    the document it was filed under (None: package-level). The n-th entry is the report's
    ``findings[n]``: what annotated copies and page pictures use to find a finding's cell."""
    owned: list[tuple[Finding, DocumentResult | None]] = [
        (f, d) for d in package.documents for f in d.findings
    ]
    owned += [(f, None) for f in package.findings]
    return [(f, d) for f, d in owned if is_selected(f.code, select, ignore)]


def findings_with_entries(
    package: PackageResult,
    reported: Sequence[Mapping[str, Any]],
    select: set[str] | None = None,
    ignore: set[str] | None = None,
) -> list[tuple[Finding, DocumentResult | None, Mapping[str, Any]]]:
    """:func:`reported_findings` beside the report's own entries of ``package`` (its
    ``findings``), n-th with n-th, each with the document it concerns: the one it was filed
    under, or for a package rule's finding the document it names (a sign-in row not in the
    ledger), else None. Raises ValueError when they cannot be the same findings (a report
    built with another ``select``/``ignore``, or of other results)."""
    pairs = reported_findings(package, select, ignore)
    if len(pairs) != len(reported) or any(
        f.code != entry["code"] for (f, _), entry in zip(pairs, reported, strict=True)
    ):
        raise ValueError(
            f"the report of {package.path!r} does not list its findings as select/ignore give "
            "them: build it from these results with the same select and ignore"
        )
    by_path = {d.path: d for d in package.documents}
    return [
        (f, owner or (by_path.get(f.document) if f.document else None), entry)
        for (f, owner), entry in zip(pairs, reported, strict=True)
    ]


def build_report(
    packages: list[PackageResult],
    *,
    reveal: bool = False,
    select: set[str] | None = None,
    ignore: set[str] | None = None,
) -> Report:
    """The contract's JSON report of ``packages``.

    ``select``/``ignore`` filter findings by code or code prefix (:func:`is_selected`)
    before ``summary`` and ``valid`` are computed, so an ignored error does not fail the
    check. Unless ``reveal``, ID and phone numbers are masked everywhere: ``data``,
    ``value``, messages and file names. Raises :class:`UnknownSelectorError` for a selector
    that matches no code.
    """
    check_selectors([*(select or ()), *(ignore or ())])
    by_code: Counter[str] = Counter()
    by_severity: Counter[str] = Counter()
    out: list[dict[str, Any]] = []
    n_documents = 0
    for package in packages:
        findings: list[dict[str, Any]] = []
        for finding, document in reported_findings(package, select, ignore):
            entry = _finding_dict(finding, document, reveal)
            findings.append(entry)
            by_code[entry["code"]] += 1
            by_severity[entry["severity"]] += 1
        n_documents += len(package.documents)
        out.append(
            {
                "path": package.path if reveal else mask_text(package.path),
                "profile": package.profile,
                "documents": [_document_dict(d, reveal) for d in package.documents],
                "findings": findings,
            }
        )
    return {
        "report_version": REPORT_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "packages": out,
        "valid": by_severity["error"] == 0,
        "summary": {
            "packages": len(packages),
            "documents": n_documents,
            "errors": by_severity["error"],
            "warnings": by_severity["warning"],
            "by_code": dict(sorted(by_code.items())),
        },
    }


def exit_status(report: Report) -> int:
    """0 when the report has no errors, 1 when it has (2, usage or internal failure, is the
    CLI's to decide: no report exists then)."""
    return 1 if report["summary"]["errors"] else 0


# ------------------------------------------------------------------ shared for renderers


def annex_title(annex: str | None) -> str:
    """``附件7 培训台账`` for ``ledger``; unrecognised documents get a plain label."""
    if annex in ANNEXES:
        meta = load_schema(annex)["x-annex"]
        return f"附件{meta['number']} {meta['title']}"
    return "未识别的文件 unrecognised document"


PACKAGE_LEVEL = "材料包整体 package-level"


def field_label(annex: str | None, pointer: str | None) -> str:
    """The Chinese labels along a finding's path (``台账明细 第4行 › 身份证号码``), or the
    pointer itself where the path is not in the annex's schema."""
    if not pointer:
        return ""
    if annex not in ANNEXES:
        return pointer
    try:
        return label_at(annex, parse_pointer(pointer))
    except (AttributeError, KeyError, TypeError, ValueError):
        # A label is cosmetic: a pointer that does not fit the schema must not fail the run.
        return pointer


def location_text(location: Mapping[str, Any]) -> str:
    """``第1页 表1 第5行 第6列`` (DOCX/PDF) or ``工作表 Sheet1 C7`` (XLSX)."""
    parts: list[str] = []
    if location.get("sheet") is not None:
        parts.append(f"工作表 {location['sheet']}")
        if location.get("cell") is not None:
            # the cell reference already says row and column, the way Excel users read it
            return _printable(f"{parts[0]} {location['cell']}")
    for key, fmt in (
        ("page", "第{}页"),
        ("table", "表{}"),
        ("row", "第{}行"),
        ("column", "第{}列"),
    ):
        if location.get(key) is not None:
            parts.append(fmt.format(location[key]))
    if not parts and location.get("cell") is not None:
        parts.append(str(location["cell"]))
    return _printable(" ".join(parts))


def value_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _groups(
    package: Mapping[str, Any],
) -> list[tuple[Mapping[str, Any] | None, list[Mapping[str, Any]]]]:
    """The package's documents, each with its findings, then the package-level findings
    (None), in report order. A finding naming a document the package does not list (should
    not happen) is shown with the package-level ones rather than dropped."""
    groups: list[tuple[Mapping[str, Any] | None, list[Mapping[str, Any]]]] = []
    by_path: dict[str, list[Mapping[str, Any]]] = {}
    for document in package["documents"]:
        # Two documents with one path (only possible if masking made two file names alike)
        # leave their findings with the first, so none is listed twice.
        own: list[Mapping[str, Any]] = []
        by_path.setdefault(document["path"], own)
        groups.append((document, own))
    rest: list[Mapping[str, Any]] = []
    for finding in package["findings"]:
        by_path.get(finding["document"], rest).append(finding)
    return [*groups, (None, rest)]


def _count(report: Report, severity: str) -> int:
    return sum(f["severity"] == severity for p in report["packages"] for f in p["findings"])


def summary_line(report: Report) -> str:
    summary = report["summary"]
    line = (
        f"{summary['packages']} 个材料包, {summary['documents']} 份文件: "
        f"{summary['errors']} 个错误, {summary['warnings']} 个警告"
    )
    infos = _count(report, "info")
    return line + (f", {infos} 个提示" if infos else "")


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def _printable(text: str) -> str:
    """Control characters from a document as visible ``\\xNN``: they would corrupt XML
    (invalid in XML 1.0) and, in a terminal, an escape sequence could rewrite the output."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


# ---------------------------------------------------------------------------------- JSON


def render_json(report: Report) -> str:
    """The report as the contract's JSON document (UTF-8 text, Chinese unescaped)."""
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------------------------- text

_ANSI = {"error": "\x1b[1;31m", "warning": "\x1b[33m", "info": "\x1b[36m", "head": "\x1b[1m"}
_RESET = "\x1b[0m"


def display_width(text: str) -> int:
    """Terminal columns of ``text``: Han characters and full-width forms take two."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _one_line(text: str) -> str:
    return _printable(" ".join(text.split("\n")))


def render_text(report: Report, *, color: bool = False) -> str:
    """A readable table: per package, per document a header line with the annex title, then
    one line per finding (severity, code, location, field label and message); a summary
    line at the end. ANSI colours only when ``color``."""

    def paint(kind: str, text: str) -> str:
        return f"{_ANSI[kind]}{text}{_RESET}" if color and kind in _ANSI else text

    lines: list[str] = []
    for package in report["packages"]:
        lines.append(
            paint("head", f"材料包 {_one_line(package['path'])}")
            + f"  (profile: {_one_line(package['profile'])})"
        )
        groups = _groups(package)
        columns = [
            (SEVERITY_ZH.get(f["severity"], f["severity"]), f["code"], location_text(f["location"]))
            for _, findings in groups
            for f in findings
        ]
        # One set of column widths per package, so its findings line up across documents.
        widths = [max((display_width(c[i]) for c in columns), default=0) for i in range(3)]
        for document, findings in groups:
            if document is None and not findings:
                continue
            lines.append("  " + _document_header(document))
            if not findings:
                lines.append("    未发现问题 no findings")
            for finding in findings:
                sev_zh = SEVERITY_ZH.get(finding["severity"], finding["severity"])
                cells = [
                    paint(finding["severity"], _pad(sev_zh, widths[0])),
                    _pad(finding["code"], widths[1]),
                    _pad(location_text(finding["location"]), widths[2]),
                ]
                lines.append(("    " + "  ".join(cells) + "  " + _finding_text(finding)).rstrip())
        lines.append("")
    lines.append(paint("head", summary_line(report)))
    return "\n".join(lines) + "\n"


def _document_header(document: Mapping[str, Any] | None) -> str:
    if document is None:
        return PACKAGE_LEVEL
    facts = [document["format"]]
    if document.get("pages"):
        facts.append(f"{document['pages']}页")
    extraction = document["extraction"]
    engine = extraction["engine"] or "未读取 not read"
    if extraction["confidence"] < 1:
        engine += f" 可信度 {extraction['confidence']:.2f}"
    # "docx, docx" says nothing; the engine matters where it differs (pdf-text vs ocr)
    if engine != document["format"]:
        facts.append(engine)
    path = _one_line(document["path"])
    return f"{annex_title(document['annex'])}  {path}  [{', '.join(facts)}]"


def _finding_text(finding: Mapping[str, Any]) -> str:
    """Label path and message; the value only where the message does not quote it."""
    label = field_label(finding["annex"], finding["path"])
    message = finding["message"]
    # Document findings name their field themselves (标签：原因); add it only where not.
    text = f"{label}: {message}" if label and not message.startswith(label) else message
    value = value_text(finding["value"])
    if value and value not in message:
        text += f" [值 value: {value}]"
    return _one_line(text)


_RENDERERS: dict[str, str] = {
    "text": "annexkit.checker.report:render_text",
    "json": "annexkit.checker.report:render_json",
    "junit": "annexkit.checker.report_junit:render_junit",
    "sarif": "annexkit.checker.report_sarif:render_sarif",
    "html": "annexkit.checker.report_html:render_html",
    "xlsx": "annexkit.checker.report_xlsx:render_xlsx",
}


def renderer(fmt: str) -> Callable[[Report], str | bytes]:
    """The renderer of ``--format fmt``; each module is imported when its format is used.
    Text formats give ``str``, binary ones (``xlsx``) ``bytes``."""
    module, name = _RENDERERS[fmt].split(":")
    render: Callable[[Report], str | bytes] = getattr(importlib.import_module(module), name)
    return render


FORMATS: tuple[str, ...] = tuple(_RENDERERS)
"""The ``--format`` names; :func:`renderer` gives each one's function."""
