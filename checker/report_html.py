"""The HTML report: one self-contained page, rendered from Jinja2 templates.

The page is built for a reviewer going through a batch: a summary table first (one row per
package: organisation, class, documents, errors, warnings, verdict), each row linking to the
package's section; in a section, the documents with errors or warnings open, their findings
grouped by code with counts, and the documents without any folded into one ``<details>``, so
that a batch's hundreds of clean documents do not drown the few with errors. A filter bar
(severity, code) is plain inline JavaScript; without scripts the bar stays hidden and the
whole page is still there to read. Printing opens every folded part and drops the bar.

The templates live in ``annexkit.templates`` (the ``templates/`` folder), shared with the
checking service's web page: :func:`environment` loads them, :func:`report_view` turns a
report into the objects its partials (``_summary.html``, ``_package.html``) take.

Everything shown is escaped by Jinja2's autoescape, and control characters read from a
document are shown as ``\\xNN`` (the environment's ``finalize``), as in the text report.
Pictures of pages (:mod:`annexkit.checker.page_pictures`) are optional: the caller collects
them from the results, which the report dict does not carry.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from annexkit.checker.findings import CATALOGUE
from annexkit.checker.page_pictures import PagePicture, Pictures
from annexkit.checker.report import (
    PACKAGE_LEVEL,
    SEVERITY_ZH,
    Report,
    _printable,
    annex_title,
    field_label,
    location_text,
    summary_line,
    value_text,
)

__all__ = [
    "DocumentView",
    "FindingView",
    "PackageView",
    "ReportView",
    "environment",
    "render_html",
    "report_view",
]

SEVERITIES = ("error", "warning", "info")
_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}
_NAME_LIMIT = 60
"""Characters of an organisation or class name shown in the summary (the full text is in the
cell's title): a hostile or garbled document must not stretch the table."""


# ------------------------------------------------------------------------------- the view


@dataclass(frozen=True)
class FindingView:
    number: int
    """1-based, the finding's place in its package's report ``findings``: the same number
    labels its outline on a page picture."""
    severity: str
    severity_zh: str
    code: str
    code_title: str
    location: str
    field: str
    message: str
    value: str
    picture: str | None = None
    """Anchor of the page picture that outlines this finding's cell."""


@dataclass(frozen=True)
class CodeGroup:
    """The findings of one code in one document."""

    code: str
    title: str
    severity: str
    """The most severe of its findings (the group's colour)."""
    findings: tuple[FindingView, ...]


@dataclass(frozen=True)
class PictureView:
    anchor: str
    caption: str
    picture: PagePicture


@dataclass(frozen=True)
class DocumentView:
    title: str
    """``附件7 培训台账``, or the package-level heading."""
    path: str
    facts: str
    """Format, pages, how the text was read: ``pdf, 3页, ocr 可信度 0.82``."""
    groups: tuple[CodeGroup, ...]
    counts: Mapping[str, int]
    """Findings by severity."""
    pictures: tuple[PictureView, ...] = ()
    package_level: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def attention(self) -> bool:
        """Has errors or warnings: shown open; the rest are folded."""
        return bool(self.counts.get("error") or self.counts.get("warning"))


@dataclass(frozen=True)
class PackageView:
    number: int
    """1-based place in the report."""
    anchor: str
    path: str
    profile: str
    organisation: str
    institution: str
    training: str
    documents: tuple[DocumentView, ...]
    counts: Mapping[str, int]

    @property
    def verdict(self) -> str:
        """``failed`` (errors), ``warnings`` (none, but warnings) or ``passed``."""
        if self.counts.get("error"):
            return "failed"
        return "warnings" if self.counts.get("warning") else "passed"

    @property
    def attention(self) -> tuple[DocumentView, ...]:
        return tuple(d for d in self.documents if d.attention)

    @property
    def quiet(self) -> tuple[DocumentView, ...]:
        """Documents without errors or warnings (clean, or info only): folded."""
        return tuple(d for d in self.documents if not d.attention)


@dataclass(frozen=True)
class CodeCount:
    code: str
    title: str
    severity: str
    count: int


@dataclass(frozen=True)
class ReportView:
    title: str
    tool: str
    version: str
    valid: bool
    summary: str
    packages: tuple[PackageView, ...]
    codes: tuple[CodeCount, ...]
    """Every code in the report with its count, most severe and most frequent first."""
    counts: Mapping[str, int]
    notes: tuple[str, ...] = field(default=())


VERDICTS = {
    "passed": "通过 passed",
    "warnings": "通过，有警告 passed with warnings",
    "failed": "未通过 failed",
}


def report_view(report: Report, pictures: Pictures | None = None) -> ReportView:
    """The report as the templates take it: every text ready to show (labels, locations,
    values as text), findings grouped, pictures placed with their documents."""
    packages = tuple(
        _package_view(number, package, pictures.of(number - 1) if pictures else [])
        for number, package in enumerate(report["packages"], 1)
    )
    by_code: Counter[str] = Counter()
    worst: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for package in report["packages"]:
        for finding in package["findings"]:
            code, severity = finding["code"], finding["severity"]
            by_code[code] += 1
            counts[severity] += 1
            if _RANK.get(severity, 9) < _RANK.get(worst.get(code, ""), 9):
                worst[code] = severity
    codes = tuple(
        CodeCount(code, _code_title(code), worst.get(code, "info"), n)
        for code, n in sorted(
            by_code.items(), key=lambda item: (_RANK.get(worst.get(item[0], ""), 9), -item[1])
        )
    )
    notes: list[str] = []
    if pictures is not None and pictures.omitted:
        notes.append(
            f"为控制报告大小，{pictures.omitted} 页未附缩略图 / {pictures.omitted} pages got no "
            "picture to keep the report small"
        )
    if pictures is not None and pictures.failed:
        notes.append(
            f"{pictures.failed} 页无法生成缩略图 / {pictures.failed} pages could not be pictured"
        )
    return ReportView(
        title="培训材料检查报告",
        tool=report["tool"]["name"],
        version=report["tool"]["version"],
        valid=bool(report["valid"]),
        summary=summary_line(report),
        packages=packages,
        codes=codes,
        counts=dict(counts),
        notes=tuple(notes),
    )


def _package_view(
    number: int, package: Mapping[str, Any], pictures: Sequence[PagePicture]
) -> PackageView:
    anchor = f"pkg-{number}"
    placed: dict[int, list[PictureView]] = {}
    picture_of: dict[int, str] = {}
    for picture in pictures:
        view = PictureView(
            f"{anchor}-doc-{picture.document + 1}-p{picture.page}",
            f"第{picture.page}页 page {picture.page}",
            picture,
        )
        placed.setdefault(picture.document, []).append(view)
        for outline in picture.outlines:
            picture_of.setdefault(outline.finding, view.anchor)
    documents = [
        _document_view(document, findings, picture_of, placed.get(index, []))
        for index, document, findings in _grouped(package)
        if document is not None or findings
    ]
    counts = Counter(str(f["severity"]) for f in package["findings"])
    organisation, institution, training = _names(package)
    return PackageView(
        number=number,
        anchor=anchor,
        path=str(package["path"]),
        profile=str(package["profile"]),
        organisation=organisation,
        institution=institution,
        training=training,
        documents=tuple(documents),
        counts=dict(counts),
    )


def _grouped(
    package: Mapping[str, Any],
) -> list[tuple[int, Mapping[str, Any] | None, list[tuple[int, Mapping[str, Any]]]]]:
    """As :func:`annexkit.checker.report._groups` (documents, then package-level), keeping
    each document's index and each finding's index, which pictures refer to."""
    groups: list[tuple[int, Mapping[str, Any] | None, list[tuple[int, Mapping[str, Any]]]]] = []
    by_path: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}
    for index, document in enumerate(package["documents"]):
        own: list[tuple[int, Mapping[str, Any]]] = []
        by_path.setdefault(document["path"], own)
        groups.append((index, document, own))
    rest: list[tuple[int, Mapping[str, Any]]] = []
    for index, finding in enumerate(package["findings"]):
        by_path.get(finding["document"], rest).append((index, finding))
    return [*groups, (-1, None, rest)]


def _document_view(
    document: Mapping[str, Any] | None,
    findings: Sequence[tuple[int, Mapping[str, Any]]],
    picture_of: Mapping[int, str],
    pictures: Sequence[PictureView],
) -> DocumentView:
    views = [_finding_view(i, f, picture_of.get(i)) for i, f in findings]
    order: dict[str, list[FindingView]] = {}
    for view in views:
        order.setdefault(view.code, []).append(view)
    groups = [
        CodeGroup(
            code,
            _code_title(code),
            min((v.severity for v in members), key=lambda s: _RANK.get(s, 9)),
            tuple(members),
        )
        for code, members in order.items()
    ]
    # Most severe group first; among equals, the order the checker reported them in.
    groups.sort(key=lambda g: _RANK.get(g.severity, 9))
    counts = dict(Counter(v.severity for v in views))
    if document is None:
        return DocumentView(PACKAGE_LEVEL, "", "", tuple(groups), counts, tuple(pictures), True)
    return DocumentView(
        title=annex_title(document["annex"]),
        path=str(document["path"]),
        facts=_facts(document),
        groups=tuple(groups),
        counts=counts,
        pictures=tuple(pictures),
    )


def _finding_view(index: int, finding: Mapping[str, Any], picture: str | None) -> FindingView:
    severity = str(finding["severity"])
    value = value_text(finding["value"])
    message = str(finding["message"])
    return FindingView(
        number=index + 1,
        severity=severity,
        severity_zh=SEVERITY_ZH.get(severity, severity),
        code=str(finding["code"]),
        code_title=_code_title(str(finding["code"])),
        location=location_text(finding["location"] or {}),
        field=field_label(finding["annex"], finding["path"]),
        message=message,
        # The value where the message does not already quote it, as the text report does.
        value=value if value and value not in message else "",
        picture=picture,
    )


def _facts(document: Mapping[str, Any]) -> str:
    facts = [str(document["format"])]
    if document.get("pages"):
        facts.append(f"{document['pages']}页")
    extraction = document["extraction"]
    engine = extraction["engine"] or "未读取 not read"
    if extraction["confidence"] < 1:
        engine += f" 可信度 {extraction['confidence']:.2f}"
    if engine != document["format"]:
        facts.append(engine)
    return ", ".join(facts)


def _code_title(code: str) -> str:
    known = CATALOGUE.get(code)
    return known.title if known else ""


def _names(package: Mapping[str, Any]) -> tuple[str, str, str]:
    """Organisation (the enterprise organising the training), institution (the training
    institution, when one is commissioned) and training (occupation, class) of a package,
    from the extracted data of its filing, agreement, ledger and sign-in sheets: the first
    document that states each wins, in that order of authority."""
    data: dict[str, list[Mapping[str, Any]]] = {}
    for document in package["documents"]:
        if isinstance(document.get("data"), Mapping) and document.get("annex"):
            data.setdefault(str(document["annex"]), []).append(document["data"])

    def first(*paths: tuple[str, ...]) -> str:
        for path in paths:
            for record in data.get(path[0], []):
                found = _dig(record, path[1:])
                if found:
                    return found
        return ""

    organisation = first(("filing", "enterprise", "name"), ("agreement", "party_a", "name"))
    institution = first(
        ("filing", "institution", "name"),
        ("agreement", "party_b", "name"),
        ("signin", "institution"),
    )
    occupation = first(
        ("filing", "training", "occupation"),
        ("agreement", "training", "occupation"),
        ("ledger", "rows", "0", "occupation"),
    )
    klass = first(("signin", "class_name"), ("ledger", "rows", "0", "institution_class"))
    training = " · ".join(part for part in (occupation, klass) if part)
    return organisation, institution if institution != organisation else "", training


def _dig(record: Any, path: Sequence[str]) -> str:
    for key in path:
        if isinstance(record, Mapping):
            record = record.get(key)
        elif isinstance(record, list) and key.isdigit() and int(key) < len(record):
            record = record[int(key)]
        else:
            return ""
    if isinstance(record, str | int | float) and not isinstance(record, bool):
        return " ".join(str(record).split())
    return ""


# ------------------------------------------------------------------------------ rendering


def _finalize(value: Any) -> Any:
    """Every ``{{ }}`` output: control characters from documents shown as ``\\xNN`` (they
    are invalid in HTML and could hide text); markup made by the templates passes as is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _printable(value)
    return value


def _shorten(text: str, limit: int = _NAME_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@functools.cache
def environment() -> Environment:
    """The Jinja2 environment of the report's templates (``annexkit.templates``), autoescape
    on for everything: the web service renders the same partials with it."""
    env = Environment(
        loader=PackageLoader("annexkit.templates", ""),
        autoescape=True,
        finalize=_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["shorten"] = _shorten
    env.globals.update(
        SEVERITIES=SEVERITIES,
        SEVERITY_ZH=SEVERITY_ZH,
        SEVERITY_EN={"error": "errors", "warning": "warnings", "info": "info"},
        VERDICTS=VERDICTS,
    )
    return env


def render_html(report: Report, pictures: Pictures | None = None) -> str:
    """One self-contained HTML page of ``report`` (CSS and a little script inline, pictures
    as ``data:`` URIs: nothing is fetched). ``pictures`` from
    :func:`annexkit.checker.page_pictures.collect` add page thumbnails with each finding's
    cell outlined; without them the page is the same, without thumbnails."""
    return environment().get_template("report.html").render(view=report_view(report, pictures))
