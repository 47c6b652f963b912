"""Finding codes and the Finding record (data contract, "Findings").

Every code is declared once, next to the function that raises it (``checker/rules/*``): its
name, default severity, scope, title, description and message template (Chinese and English,
with named parameters), and an example parameter set. Everything else is built from those
declarations: :data:`CATALOGUE`, ``docs/rules.md`` and its example messages, ``annex rules``
and the SARIF rules.

A :class:`Finding` carries the code and its parameters, not a written message: the message
is rendered from the code's template when it is shown, masking identifiers unless asked to
reveal them (:meth:`Finding.render`). So ``--reveal`` unmasks every format alike, and the
documented examples are rendered by the same code as real messages and cannot drift.

Like Frictionless's error catalogue, each code has a stable name; users select and ignore
codes by name (``--select``/``--ignore``). Codes are never renamed once released.
"""

from __future__ import annotations

import importlib
import string
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, TypeVar

from annexkit.contract.masking import mask_id, mask_phone, mask_text
from annexkit.contract.text import Text

Severity = Literal["error", "warning", "info"]

RULE_MODULES = (
    "annexkit.checker.rules.reading",
    "annexkit.checker.rules.document",
    "annexkit.checker.rules.package",
    "annexkit.checker.rules.registry",
)
"""The modules that declare codes, in the catalogue's order."""


# ------------------------------------------------------------------------------ params


@dataclass(frozen=True)
class Identifier:
    """A message parameter holding an ID or phone number: masked as one when shown."""

    value: str
    kind: Literal["id_number", "phone"] = "id_number"

    def shown(self, reveal: bool) -> str:
        if reveal:
            return self.value
        return mask_id(self.value) if self.kind == "id_number" else mask_phone(self.value)


@dataclass(frozen=True)
class Person:
    """A trainee as a message names them: ``张三（4407**********1234）``, ID masked."""

    name: str | None
    id_number: str | None = None
    note: Any = None
    """Said in the brackets after the ID number (``张三（4407…1234，台账第2行）``)."""

    def shown(self, reveal: bool) -> Text:
        name = _shown(self.name, reveal) if self.name else None
        inside: list[Text] = []
        if isinstance(self.id_number, str) and self.id_number:
            number = Identifier(self.id_number).shown(reveal)
            inside.append(Text(number, number))
        if self.note is not None:
            note = _shown(self.note, reveal)
            inside.append(note if isinstance(note, Text) else Text(str(note), str(note)))
        if not inside:
            return Text(str(name or "（无姓名）"), str(name or "(no name)"))
        zh = "，".join(t.zh for t in inside)
        en = ", ".join(t.en for t in inside)
        if name is None:
            return Text(zh, en)
        return Text(f"{name}（{zh}）", f"{name} ({en})")


@dataclass(frozen=True)
class Join:
    """Several parameters shown as one: ``张三、李四`` / ``张三, 李四``."""

    items: tuple[Any, ...]
    zh: str = "、"
    en: str = ", "

    def shown(self, reveal: bool) -> Text:
        parts = [_shown(item, reveal) for item in self.items]
        return Text(
            self.zh.join(p.zh if isinstance(p, Text) else str(p) for p in parts),
            self.en.join(p.en if isinstance(p, Text) else str(p) for p in parts),
        )


def _shown(value: Any, reveal: bool) -> Any:
    """A parameter as a message shows it: identifiers masked unless ``reveal``. Text (and a
    :class:`~annexkit.contract.text.Text`) is masked as free text; numbers and dates are
    kept, so that a template may format them (``{share:.0%}``)."""
    if isinstance(value, Identifier | Person | Join):
        return value.shown(reveal)
    if reveal:
        return value
    if isinstance(value, Text):
        return Text(mask_text(value.zh), mask_text(value.en))
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) >= 15:
        return mask_text(str(value))
    return value


@cache
def fields(template: Text) -> frozenset[str]:
    """The parameter names a template uses, in either language."""
    names: set[str] = set()
    for text in (template.zh, template.en):
        for _, name, _, _ in string.Formatter().parse(text):
            if name:
                names.add(name.split(".", 1)[0].split("[", 1)[0])
    return frozenset(names)


def render(template: Text, params: Mapping[str, Any], *, reveal: bool = False) -> str:
    """``中文 / English`` from ``template`` and ``params``, identifiers masked unless
    ``reveal``: the one way a finding's message is made."""
    return str(template.format(**{k: _shown(v, reveal) for k, v in params.items()}))


# ------------------------------------------------------------------------- declarations


@dataclass(frozen=True)
class Message:
    """One message of a code: its template and an example parameter set (rendered in the
    docs and by ``annex rules``). ``severity`` overrides the code's for this message."""

    template: Text
    example: Mapping[str, Any]
    severity: Severity | None = None

    def example_text(self, *, reveal: bool = False) -> str:
        return render(self.template, self.example, reveal=reveal)


@dataclass(frozen=True)
class Code:
    """A finding code as declared: the catalogue's entry."""

    name: str
    severity: Severity
    scope: str
    title: str
    """Chinese title."""
    description: str
    messages: Mapping[str, Message]
    """The code's messages: ``""`` is the main one; a rule that finds the same problem in
    another form says so with a named variant (``count-mismatch`` of total hours)."""
    module: str = ""
    """The module that declared it."""

    @property
    def message(self) -> Message:
        return self.messages[""]

    def template(self, variant: str = "") -> Text:
        return self.messages[variant].template


_DECLARED: dict[str, Code] = {}


def declare(
    name: str,
    severity: Severity,
    scope: str,
    title: str,
    description: str,
    message: Text,
    example: Mapping[str, Any],
    *,
    variants: Mapping[str, Message] | None = None,
    module: str | None = None,
) -> Code:
    """Declare a code (once); its examples must give exactly its templates' parameters."""
    if name in _DECLARED:
        raise ValueError(f"finding code {name!r} is declared twice")
    messages = {"": Message(message, dict(example)), **(variants or {})}
    for variant, entry in messages.items():
        wanted, given = fields(entry.template), set(entry.example)
        if wanted != given:
            raise ValueError(
                f"{name} {variant or 'message'}: example params {sorted(given)} are not the "
                f"template's {sorted(wanted)}"
            )
    code = Code(
        name,
        severity,
        scope,
        title,
        description,
        messages,
        module or sys._getframe(1).f_globals.get("__name__", ""),
    )
    _DECLARED[name] = code
    return code


F = TypeVar("F", bound=Callable[..., Any])


def rule(
    name: str,
    severity: Severity,
    scope: str,
    title: str,
    description: str,
    message: Text,
    example: Mapping[str, Any],
    *,
    variants: Mapping[str, Message] | None = None,
) -> Callable[[F], F]:
    """Decorator: declare the code the decorated function raises (see :func:`declare`)."""

    def decorate(function: F) -> F:
        declare(
            name,
            severity,
            scope,
            title,
            description,
            message,
            example,
            variants=variants,
            module=function.__module__,
        )
        return function

    return decorate


class _Catalogue(Mapping[str, Code]):
    """Every declared code, in :data:`RULE_MODULES` order: the declaring modules are imported
    on first use, since they import this one."""

    def __init__(self) -> None:
        self._codes: dict[str, Code] = {}

    def _all(self) -> dict[str, Code]:
        if len(self._codes) != len(_DECLARED) or not self._codes:
            for module in RULE_MODULES:
                importlib.import_module(module)
            order = {module: index for index, module in enumerate(RULE_MODULES)}
            ranked = sorted(_DECLARED.values(), key=lambda c: order.get(c.module, len(order)))
            self._codes = {c.name: c for c in ranked}
        return self._codes

    def __getitem__(self, name: str) -> Code:
        return self._all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


CATALOGUE: Mapping[str, Code] = _Catalogue()
"""Every finding code by name, as declared in ``checker/rules/*``."""


# ------------------------------------------------------------------------------ finding


@dataclass
class Finding:
    """One problem, as the JSON report carries it. ``params`` fill the code's message
    template (``variant``: one of its other messages); ``value`` and ``params`` are stored
    unmasked, and identifiers are masked when the finding is shown, unless revealed."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    annex: str | None = None
    document: str | None = None
    path: str | None = None
    location: dict[str, Any] = field(default_factory=dict)
    value: Any = None
    severity: Severity | None = None
    variant: str = ""

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise ValueError(f"unknown finding code {self.code!r}")
        if not isinstance(self.params, Mapping):
            raise TypeError(
                f"{self.code}: params must be a mapping; the message is rendered from the "
                "code's template"
            )
        self.params = dict(self.params)
        code = CATALOGUE[self.code]
        if self.variant not in code.messages:
            raise ValueError(f"{self.code} has no message {self.variant!r}")
        wanted = fields(code.template(self.variant))
        if wanted != set(self.params):
            raise ValueError(
                f"{self.code}: params {sorted(self.params)} are not the template's {sorted(wanted)}"
            )
        if self.severity is None:
            self.severity = code.messages[self.variant].severity or code.severity

    def render(self, *, reveal: bool = False) -> str:
        """The message, ``中文 / English``, identifiers masked unless ``reveal``."""
        return render(CATALOGUE[self.code].template(self.variant), self.params, reveal=reveal)

    @property
    def message(self) -> str:
        """The message unmasked (what ``--reveal`` shows)."""
        return self.render(reveal=True)


def on_read_evidence(findings: list[Finding], read_by_ocr: set[str]) -> list[Finding]:
    """``findings`` with every error that rests on a document in ``read_by_ocr`` made a
    warning: the finding's own document, or one its message names (a sign-in
    row not in a scanned ledger). Recognition is never certain evidence: a digit or a
    whole line of a cell may be missed with a high score, and a value cut short still
    parses (``2024.08.2`` for ``2024.08.27``). The reviewer is asked to look at the scan."""
    if not read_by_ocr:
        return findings
    for finding in findings:
        if finding.severity != "error":
            continue
        named = {finding.document, *(v for v in finding.params.values() if isinstance(v, str))}
        if named & read_by_ocr:
            finding.severity = "warning"
    return findings


def softened(finding: Finding) -> bool:
    """Is ``finding`` a warning only because it rests on a scan (:func:`on_read_evidence`)?
    What would be an error on a typed document still stops what must not build on it
    (``registry add``)."""
    code = CATALOGUE[finding.code]
    meant = code.messages[finding.variant].severity or code.severity
    return finding.severity == "warning" and meant == "error"
