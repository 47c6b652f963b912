"""Layout → the annex record in canonical form, driven by the schema's labels.

Three shapes of form are read: key/value grids (the value right of its label, or below it),
row tables (a header row of column labels, rows below, header repeated after page breaks,
note and blank rows skipped), and prose (``甲方（培训组织实施单位）：…`` lines, numbered
clauses). Objects printed twice under different sections (企业/培训机构 联系人) are told
apart by the section row or line that comes before them.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, TypeVar

from annexkit.checker.labels import (
    UNITS,
    AnnexLabels,
    ArrayLabels,
    Path_,
    RangeLabel,
    ScalarLabel,
    annex_labels,
    label_key,
)
from annexkit.checker.layout import (
    Cell,
    LayoutDocument,
    Location,
    Paragraph,
    Table,
    value_confidence,
)
from annexkit.checker.normalize import Unread, is_signed, normalize, parse_date, parse_date_range
from annexkit.contract import values as contract_values
from annexkit.contract.schema import resolve

ENUMERATED = re.compile(r"^\s*(?:\d+|[一二三四五六七八九十]+)\s*[.、．)）]\s*(?P<text>.+)$", re.S)


@dataclass
class Extracted:
    """A record and where each value was read (JSON path → location)."""

    annex: str
    data: dict[str, Any] = field(default_factory=dict)
    sources: dict[Path_, Location] = field(default_factory=dict)
    raw: dict[Path_, str] = field(default_factory=dict)
    """The text each value was read from, before normalisation."""
    unread: dict[Path_, str] = field(default_factory=dict)
    """Fields that hold text not read with certainty (JSON path → the text): not in
    ``data``, and not missing either (finding ``unreadable-value``)."""

    def value(self, path: Path_) -> Any:
        """The value at ``path`` in ``data``; None where there is none."""
        data: Any = self.data
        for step in path:
            if isinstance(step, int):
                data = data[step] if isinstance(data, list) and step < len(data) else None
            else:
                data = data.get(step) if isinstance(data, dict) else None
        return data

    def put(self, path: Path_, value: Any, where: Location, raw: str) -> None:
        if value is True and path in self.sources and self.value(path) is False:
            # A signature block with two parts (盖章, then 法定代表人（签字）): either signs it.
            self.sources.pop(path)
        if path in self.sources or (value is None and not _is_boolean(self.annex, path)):
            return
        if isinstance(value, Unread):
            self.unread[path] = value.text
            self.sources[path] = where
            self.raw[path] = raw
            return
        target: Any = self.data
        for step, following in itertools.pairwise(path):
            if isinstance(step, int):
                target = target[step]
            else:
                target = target.setdefault(step, [] if isinstance(following, int) else {})
        target[path[-1]] = value
        self.sources[path] = where
        self.raw[path] = raw


def _is_boolean(annex: str, path: Path_) -> bool:
    from annexkit.contract.schema import node_at

    return (node_at(annex, path) or {}).get("type") == "boolean"


# ------------------------------------------------------------------------ inline labels


@cache
def _inline_pattern(annex: str, unspaced: bool = False) -> re.Pattern[str]:
    labels = annex_labels(annex)
    keys = sorted(
        set(labels.scalars) | set(labels.ranges) | set(labels.sections) | set(_lists(labels.annex)),
        key=len,
        reverse=True,
    )
    alternatives = "|".join(r"\s*".join(map(re.escape, k)) for k in keys if k)
    units = "|".join(UNITS)
    enumerator = r"(?:第[一二三四五六七八九十\d]+条\s*|\(?[一二三四五六七八九十\d]+[)、.．]\s*)?"
    leads = "|".join(f"(?<={re.escape(lead)})" for lead in _LEADS)
    # After the label: a unit in brackets (（元）), or a note such as （盖章）（签字）
    # before a colon (企业名称（盖章）：…). Before it, a figure as well: OCR drops the
    # space in ``08:30-11:30　授课老师：…`` (only with a colon, see inline_spans).
    # In text read by OCR, which loses spaces (``授课老师：伍平班主任：林兰``), after a
    # character too (only with a colon and three characters or more, see inline_spans).
    after = r"(?<=[\s,;:。、()\d\w])" if unspaced else r"(?<=[\s,;:。、()\d])"
    return re.compile(
        rf"(?:^|{after}|{leads})(?P<enum>{enumerator})(?P<label>{alternatives})"
        rf"(?:\((?:{units})\)|\([^()\d]{{1,8}}\)(?=\s*[:：]))?"
        rf"(?:\s*[:：](?P<colon>)|(?=[\s_\d¥￥]|$)|(?<![:：])(?:为|自)(?P<copula>)(?=\s*[\d\w]))"
    )


@cache
def _known(annex: str) -> frozenset[str]:
    """Every label key a key/value row may hold."""
    labels = annex_labels(annex)
    return frozenset(
        set(labels.scalars) | set(labels.ranges) | set(labels.sections) | set(_lists(annex))
    )


@cache
def _lists(annex: str) -> dict[str, ArrayLabels]:
    """Caption key → list of rows, for lists that a form may write in one line or cell
    (``授课教师：关建（工程师）、刘娜（高级技师）``)."""
    labels = annex_labels(annex)
    return {
        caption: array for array in labels.arrays if not array.of_text for caption in array.captions
    }


_LEADS = ("即", "其中", "另", "并", "按")
"""Words that lead into a label in prose without punctuation (``…），即每人2400元``)."""


def inline_pairs(annex: str, text: str, prose: bool = False) -> Iterator[tuple[str, str]]:
    """``label：value`` pairs in a line of text (several per line are allowed). A label with
    no colon counts only at the start of the text or after punctuation, followed by blanks
    or a figure (``应到　20　人，实到　　人``, ``每人1500元，共计18000元``)."""
    for key, value, _span in inline_spans(annex, text, prose):
        yield key, value


def inline_spans(
    annex: str, text: str, prose: bool = False, *, spaced: bool = True
) -> Iterator[tuple[str, str, tuple[int, int]]]:
    """:func:`inline_pairs` with the offsets in ``text`` where each value's blank begins
    (just after the label) and ends (where the next label begins). ``spaced=False``: the
    text was read by OCR and may have lost the space before a label."""
    folded, origin = _fold(text)
    matches = []
    for match in _inline_pattern(annex, unspaced=not spaced).finditer(folded):
        before = folded[: match.start()].rstrip()
        joined = before and before[-1] not in ",;:。、()" and not before.endswith(_LEADS)
        if joined and match["colon"] is None:
            continue
        glued = (
            not spaced
            and match.start() > 0
            and folded[match.start() - 1].isalpha()
            and not before.endswith(_LEADS)
        )
        if glued and len(match["label"]) < 3:
            continue  # lost space or part of a word: only a long label tells
        matches.append(match)
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(folded)
        for lead in _LEADS:  # ``…元整），即每人…``: 即 belongs to neither value
            if folded[:end].endswith(lead):
                end -= len(lead)
        span = (origin[match.end()], origin[end])
        value = text[span[0] : span[1]].rstrip()
        if prose:  # a value ends with its sentence (``考核评价方式：…。乙方按照…``)
            value = value.split("。", 1)[0]
        yield label_key(match["label"]), _value_text(value), span


def _fold(text: str) -> tuple[str, list[int]]:
    """NFKC text for matching labels, with the offset in ``text`` of every folded character
    (and of the end), so values are cut from the text as written: （中级工） stays full-width."""
    folded: list[str] = []
    origin: list[int] = []
    for offset, char in enumerate(text):
        for part in unicodedata.normalize("NFKC", char):
            folded.append(part)
            origin.append(offset)
    origin.append(len(text))
    return "".join(folded), origin


def _value_text(text: str) -> str:
    """The value between two labels, without the punctuation that joins it to them:
    ``18000元（`` before ``大写：``, ``壹万捌仟元整）`` closing that bracket."""
    value = text.strip(" \t\n\u3000_,，;；、").rstrip("(（").strip()
    for opening, closing in (("(", ")"), ("（", "）")):
        if value.endswith(closing) and value.count(opening) < value.count(closing):
            value = value[:-1].rstrip()
    return value


# ---------------------------------------------------------------------------- extraction


@dataclass
class _State:
    labels: AnnexLabels
    out: Extracted
    section: Path_ = ()
    pending_array: ArrayLabels | None = None
    clauses: ArrayLabels | None = None
    part: int | None = None
    """Which column of a line (parts split by tabs) or of a table row is being read."""
    part_paths: dict[int, Path_] = field(default_factory=dict)
    """The signature field each column signed last: the lines under ``甲方（盖章） 乙方（盖章）``
    belong to the party above them."""
    signer: Path_ | None = None
    """The signature field a label naming one party set last (甲方（盖章）): a signature
    label that two parties share (法定代表人（签字）) on the lines under it is that party's."""
    dangling: tuple[str, Location] | None = None
    """A label that ended its line with nothing after the colon: a PDF wraps the value of
    ``…，培训等级：`` onto the next line."""


def extract(document: LayoutDocument, annex: str) -> Extracted:
    """The annex record in ``document``."""
    state = _State(annex_labels(annex), Extracted(annex))
    for block in document.blocks:
        if isinstance(block, Paragraph):
            _paragraph(block, state)
        else:
            _table(block, state)
    return state.out


def _paragraph(paragraph: Paragraph, state: _State) -> None:
    text = paragraph.text.strip()
    if not text:
        return
    lead = len(paragraph.text) - len(paragraph.text.lstrip())
    inked = tuple(offset - lead for offset in paragraph.inked)
    scores = paragraph.scores[lead:]
    where = Location(page=paragraph.page)
    key = label_key(text)
    if state.clauses is not None:
        match = ENUMERATED.match(text)
        if match and key not in state.labels.sections:
            _append_text(state, state.clauses, match["text"].strip(), where)
            return
        state.clauses = None
    for array in state.labels.arrays:
        if array.of_text and key in array.captions:
            state.clauses = array
            return
    if key in state.labels.sections:
        state.section = state.labels.sections[key]
        state.dangling = None
        return
    parts = [p.strip() for p in text.split("\t") if p.strip()]
    labelled = [next(inline_spans(state.out.annex, part, prose=True), None) for part in parts]
    # A line set in columns (甲方（盖章）：\t乙方（盖章）：): every column opens with a label;
    # a tab between a label and its value (报备日期：\t2026年8月5日) is no column.
    columns = len(parts) >= 2 and all(
        span is not None and span[2][0] - len(span[0]) <= 3 for span in labelled
    )
    if columns:
        starts, cursor = [], 0
        for part in parts:
            cursor = text.index(part, cursor)
            starts.append(cursor)
            cursor += len(part)
        bounds = [*starts[1:], len(text)]
        for index, part in enumerate(parts):
            state.part = index
            # A mark in the gap up to the next column's label belongs to this column's blank.
            here = tuple(
                min(o - starts[index], len(part))
                for o in inked
                if starts[index] <= o <= bounds[index]
            )
            _pairs(part, where, state, prose=True, inked_at=here)
        state.part = None
        return
    spans = list(inline_spans(state.out.annex, text, prose=True, spaced=not scores))
    dangling, state.dangling = state.dangling, None
    wrapped = not ENUMERATED.match(text) and not re.match(r"第[一二三四五六七八九十\d]+条", text)
    wrapped = wrapped and len(text) <= 20 and not re.search(r"[。：:]", text)
    if dangling is not None and not spans and wrapped:
        _assign(dangling[0], text, where, state)
        return
    _pairs(text, where, state, prose=True, inked_at=inked, scores=scores, spaced=not scores)
    # Only a line that ran full (another value before the label) wraps its last value.
    if len(spans) >= 2 and not spans[-1][1] and re.search(r"[:：]\s*$", text):
        last = spans[-1][0]
        if not any(
            _is_boolean(state.out.annex, s.path) for s in state.labels.scalars.get(last, [])
        ):
            state.dangling = (last, where)


def _append_text(state: _State, array: ArrayLabels, text: str, where: Location) -> None:
    items = _array_list(state.out.data, array.path)
    path = (*array.path, len(items))
    items.append(None)
    state.out.sources[path] = where
    items[-1] = normalize(array.items, text)


def _pairs(
    text: str,
    where: Location,
    state: _State,
    prose: bool = False,
    inked: bool = False,
    inked_at: tuple[int, ...] = (),
    scores: tuple[float, ...] = (),
    spaced: bool = True,
) -> bool:
    """Label：value pairs in a text; True when there were any. ``inked``: the cell holding
    the text carries a signature or stamp, which signs its signature labels; ``inked_at``:
    offsets of inked blanks (``Paragraph.inked``), which sign the label they follow;
    ``scores``: the OCR score of each character (``Paragraph.scores``); ``spaced``: the
    text kept its spaces (it was not read by OCR)."""
    found = False
    for key, value, (start, end) in inline_spans(state.out.annex, text, prose, spaced=spaced):
        found = True
        signed = inked or any(start <= offset <= end for offset in inked_at)
        here = where
        if scores:
            at = max(text.find(value, start), start) if value else start
            confidence = value_confidence(value, scores[at : at + len(value)])
            here = replace(where, confidence=confidence)
        _assign(key, value, here, state, signed)
    return found


def _assign(key: str, value: str, where: Location, state: _State, inked: bool = False) -> None:
    labels = state.labels
    lists = _lists(labels.annex)
    if key in lists and key not in labels.scalars:
        if value:
            _inline_list(lists[key], value, where, state)
        return
    if key in labels.sections:
        state.section = labels.sections[key]
        name = (*state.section, "name")
        inner = [a for a in labels.arrays if a.path[:-1] == state.section and not a.of_text]
        if value and inner and _ITEM_SEPARATOR.search(value):
            _inline_list(inner[0], value, where, state)  # 培训成本预算：师资费8,400元；…
        elif value and any(s.path == name for s in labels.scalars.get(label_key("名称"), [])):
            state.out.put(name, normalize(_scalar_node(labels, name), value), where, value)
        return
    if key in labels.ranges:
        chosen = _choose(labels.ranges[key], state)
        start, end = parse_date_range(value)
        if start is None or end is None or start == value or end == value:
            head = _SEPARATOR.split(value, maxsplit=1)[0]
            if head != value and all(parse_date_range(head)):
                start, end = parse_date_range(head)
        start_node = _scalar_node(labels, chosen.start)
        state.out.put(chosen.start, normalize(start_node, start or value), where, value)
        if end is not None or start is None:
            state.out.put(chosen.end, normalize(start_node, end or value), where, value)
        return
    if key in labels.scalars:
        scalar = _choose(labels.scalars[key], state)
        node = resolve(scalar.node)
        if node.get("type") == "boolean":
            signed = is_signed(value) or inked  # a blank block: False
            state.out.put(scalar.path, signed, where, value)
            if len(labels.scalars[key]) == 1:
                state.signer = scalar.path
            if state.part is not None:
                state.part_paths[state.part] = scalar.path
            return
        dated = node.get("format") == "date"
        if dated and _with_session(scalar.path, value, where, state):
            return
        words = contract_values.is_amount_in_words(node)
        if words and _with_figures(scalar.path, value, where, state):
            return
        state.out.put(scalar.path, _typed(scalar.node, value), where, value)


_SEPARATOR = re.compile(r"[，；;。]|,(?!\d{3})")


_LEADING_FIGURE = re.compile(r"[¥￥]?\s*\d[\d,]*(?:\.\d+)?\s*万?\s*(?:元|人|学时)?(?:/人)?")
"""A figure at the start of a phrase (``每人3000计``)."""
_FIGURE_TAILS = frozenset(("计", "算", "计算"))


def _typed(node: Any, value: str) -> Any:
    """A typed value (a number, a date, an option) read from text that may run on into the
    rest of a sentence (``8人，培训时间为…``, ``1500.00元/人 计``): the whole text if it reads
    with certainty, else the part before the first comma or full stop, else before the first
    space, if that does (an uncertain reading is :class:`Unread`)."""
    whole = normalize(node, value)
    resolved = resolve(node)
    numeric = resolved.get("type") in ("integer", "number")
    typed = numeric or "format" in resolved or "enum" in resolved
    if not typed or not isinstance(whole, Unread):
        return whole
    comma = _SEPARATOR.split(value, maxsplit=1)[0].strip()
    figure = _LEADING_FIGURE.match(comma) if numeric else None
    if figure is not None and comma[figure.end() :].strip() not in _FIGURE_TAILS:
        figure = None  # 12人以上, 约12人: not one figure
    heads = (comma, comma.split(maxsplit=1)[0] if comma.strip() else "", figure and figure[0])
    for head in heads:
        if head and head != value.strip():
            read = normalize(node, head)
            if read is not None and not isinstance(read, Unread):
                return read
    return whole


_FIGURES_AFTER = re.compile(
    r"^(?P<words>.+?)\s*[(（]\s*(?:小写[:：]?)?\s*(?P<figures>[¥￥]?\s*\d[\d,]*(?:\.\d+)?\s*元?)\s*[)）]$"
)


def _with_figures(path: Path_, value: str, where: Location, state: _State) -> bool:
    """``壹万零捌佰元整（¥10,800.00）`` — the amount in words with its figures after it: the
    words, and the figures into the sibling ``total`` when it was not read yet."""
    match = _FIGURES_AFTER.match(value.strip())
    if match is None:
        return False
    state.out.put(path, normalize(_scalar_node(state.labels, path), match["words"]), where, value)
    total = (*path[:-1], "total")
    node = _scalar_node(state.labels, total)
    if node:
        state.out.put(total, normalize(node, match["figures"]), where, value)
    return True


_SESSION = re.compile(r"\s*[(（]?(上午|下午|晚上|中午|全天|\d{1,2}\s*[:：]\s*\d{2})")


def _with_session(path: Path_, value: str, where: Location, state: _State) -> bool:
    """``日期：2025年11月3日 上午`` — a date followed by its session: the date, and the session
    into the sibling ``session`` field when the form has one. False when the value is not
    a certain date with a session after it."""
    match = _SESSION.search(value)
    if match is None or match.start() == 0:
        return False
    day = parse_date(value[: match.start()])
    if day is None:
        return False
    state.out.put(path, day, where, value)
    session = (*path[:-1], "session")
    session_text = value[match.start() :].strip().strip("()（）")
    if any(s.path == session for entries in state.labels.scalars.values() for s in entries):
        state.out.put(session, session_text, where, value)
    return True


_ITEM_SEPARATOR = re.compile(r"[；;、\n]+")
_AMOUNT_PART = re.compile(
    r"^(?P<label>.*?[^\d\s.,，:：¥￥])\s*[:：]?\s*(?P<amount>[¥￥]?\s*\d[\d,]*(?:\.\d+)?\s*万?\s*元?)$"
)
_NOTE_PART = re.compile(r"^(?P<main>[^（(]+?)\s*(?:[（(](?P<note>[^）)]*)[）)])?$")


def _inline_list(array: ArrayLabels, text: str, where: Location, state: _State) -> None:
    """Rows of a list written in one line or cell, parts separated by ；、 or new lines:
    ``关建（工程师）、刘娜（高级技师）`` (a name and a note in brackets) or ``师资费8,400.00元；
    合计12,000.00元`` (an item and its amount; a part labelled like a field, 合计, is that
    field)."""
    properties = array.items.get("properties", {})
    kinds = {name: resolve(node) for name, node in properties.items()}
    amount = next((n for n, k in kinds.items() if k.get("type") in ("number", "integer")), None)
    texts = [n for n, k in kinds.items() if k.get("type") == "string" and "format" not in k]
    if not texts:
        return
    items = _array_list(state.out.data, array.path)
    for part in (p.strip() for p in _ITEM_SEPARATOR.split(text)):
        item: dict[str, Any] = {}
        if amount is not None:
            match = _AMOUNT_PART.match(part)
            if match is None:
                continue
            label = match["label"].strip()
            if label_key(label) in state.labels.scalars:
                _assign(label_key(label), match["amount"], where, state)
                continue
            figure = normalize(properties[amount], match["amount"])
            if isinstance(figure, Unread):
                continue
            item = {texts[0]: label, amount: figure}
        else:
            match = _NOTE_PART.match(part)
            if match is None:
                continue
            item = {texts[0]: match["main"].strip()}
            if match["note"] and len(texts) > 1:
                item[texts[1]] = match["note"].strip()
        index = len(items)
        items.append(item)
        state.out.sources[(*array.path, index)] = where
        for name in item:
            state.out.sources[(*array.path, index, name)] = where
            state.out.raw[(*array.path, index, name)] = part


_Label = TypeVar("_Label", ScalarLabel, RangeLabel)


def _choose(candidates: list[_Label], state: _State) -> _Label:
    """The field a label means here: the one its column signed above it, else the one in the
    current section, else the first one not read yet, in the schema's order."""
    signatures = all(
        isinstance(c, ScalarLabel) and resolve(c.node).get("type") == "boolean" for c in candidates
    )
    if signatures and state.part is not None and len(candidates) > 1:
        # Signature lines set side by side: each belongs to the party its column signed
        # above it, else left to right as the schema lists them (甲方, 乙方).
        column = state.part_paths.get(state.part)
        for candidate in candidates:
            if isinstance(candidate, ScalarLabel) and candidate.path == column:
                return candidate
        if column is None:
            return candidates[min(state.part, len(candidates) - 1)]
    if signatures and state.part is None and state.signer is not None:
        for candidate in candidates:
            if isinstance(candidate, ScalarLabel) and candidate.path == state.signer:
                return candidate
    for candidate in candidates:
        if candidate.section == state.section:
            return candidate
    for candidate in candidates:
        path = candidate.path if isinstance(candidate, ScalarLabel) else candidate.start
        if path not in state.out.sources:
            return candidate
    return candidates[0]


def _scalar_node(labels: AnnexLabels, path: Path_) -> Any:
    for entries in labels.scalars.values():
        for entry in entries:
            if entry.path == path:
                return entry.node
    return {}


# -------------------------------------------------------------------------------- tables


def _table(table: Table, state: _State) -> None:
    rows = table.rows()
    header: _Header | None = None
    after_header = False
    # A list printed two-up (two sets of 姓名/签到 columns side by side) is read down its
    # left half first, then down the right half.
    later: list[tuple[list[Cell], _Header, int]] = []
    sides: dict[int, Path_] = {}
    """Columns headed by a section (项目 | 甲方 | 乙方): each holds that section's values."""
    previous: tuple[list[Cell], int] | None = None
    for cells in rows:
        texts = [c.text.strip() for c in cells]
        if not any(texts):
            continue
        keys = [label_key(t) for t in texts]
        if _is_caption(cells, table, keys, state):
            header, after_header = None, False
            continue
        headed = {
            c.column: state.labels.sections[k]
            for c, k in zip(cells, keys, strict=True)
            if k in state.labels.sections
        }
        if len(headed) >= 2:
            sides = headed
            continue
        if sides and keys[0] in state.labels.scalars:
            for cell in cells[1:]:
                if cell.column in sides:
                    state.section = sides[cell.column]
                    _assign(keys[0], cell.text.strip(), table.location(cell), state)
            continue
        if header is not None and after_header and _sub_header(cells, keys, header):
            continue
        candidate = _header(cells, keys, state)
        after_header = candidate is not None
        if candidate is not None:
            if header is None or candidate.array is not header.array:
                header = candidate
            continue  # a header repeated after a page break
        if header is not None and not _is_label_row(keys, state.labels):
            if len(cells) == 1 and cells[0].colspan > 1:
                # A row across the table: a note (注：…), or the lines under the list
                # (应到人数：8  实到人数：7, 班主任（签名）：…) that name their own labels.
                _cell_pairs(cells[0], table, state)
                continue
            single = len(header.groups()) == 1
            if single and previous is not None and _continues(cells, header):
                # The rest of the row above, carried over a page break or a wrapped line.
                cells = _joined(previous[0], cells)
                _drop_item(state.out, header.array.path, previous[1])
            index = _item(cells, header, table, state, 0)
            previous = (cells, index) if index is not None else None
            later += [(cells, header, group) for group in range(1, len(header.groups()))]
            continue
        _grid_row(cells, keys, table, rows, state)
    for cells, header, group in later:
        _item(cells, header, table, state, group)


_IDENTITY = ("seq", "name")


def _continues(cells: list[Cell], header: _Header) -> bool:
    """A row with no 序号 and no 姓名 under a list's header, but text in other columns: the
    rest of the row above (a cell's last line pushed onto the next page)."""
    identity = [c for c, name in header.columns.items() if name in _IDENTITY]
    if not identity:
        return False
    filled = {c.column for c in cells if c.text.strip()}
    return bool(filled) and not filled & set(identity)


def _joined(above: list[Cell], below: list[Cell]) -> list[Cell]:
    rest = {c.column: c.text.strip() for c in below if c.text.strip()}
    return [
        replace(c, text=f"{c.text}\n{rest[c.column]}".strip()) if c.column in rest else c
        for c in above
    ]


def _drop_item(out: Extracted, path: Path_, index: int) -> None:
    """Forget the last item read, to read it again whole."""
    items = out.value(path)
    if isinstance(items, list) and index == len(items) - 1:
        items.pop()
    prefix = (*path, index)
    for store in (out.sources, out.raw, out.unread):
        for key in [k for k in store if k[: len(prefix)] == prefix]:
            del store[key]


def _is_caption(cells: list[Cell], table: Table, keys: list[str], state: _State) -> bool:
    """A row of one cell across the table naming a section or a list."""
    if len(set(keys)) != 1 or not keys[0]:
        return False
    key = keys[0]
    spans_all = sum(c.colspan for c in cells) >= table.n_columns
    if not spans_all and len(cells) > 1:
        return False
    for array in state.labels.arrays:
        if key in array.captions:
            state.pending_array = array
            return True
    if key in state.labels.sections:
        state.section = state.labels.sections[key]
        state.pending_array = None
        return True
    return False


@dataclass
class _Header:
    array: ArrayLabels
    columns: dict[int, str]
    ranges: dict[int, tuple[str, str]]
    spans: dict[int, int] = field(default_factory=dict)
    """Column of a range label → how many columns its merged cell covers."""

    def groups(self) -> list[tuple[dict[int, str], dict[int, tuple[str, str]]]]:
        """The header's sets of columns, left to right: one set, or several when the list is
        printed two-up (a column label seen again starts the next set)."""
        starts = [0]
        seen: set[str] = set()
        for column in sorted(self.columns):
            name = self.columns[column]
            if name in seen:
                starts.append(column)
                seen = set()
            seen.add(name)
        bounds = [*starts[1:], 1 << 30]
        return [
            (
                {c: n for c, n in self.columns.items() if low <= c < high},
                {c: r for c, r in self.ranges.items() if low <= c < high},
            )
            for low, high in zip(starts, bounds, strict=True)
        ]


def _header(cells: list[Cell], keys: list[str], state: _State) -> _Header | None:
    """A row of column labels: the list whose labels it holds most (ties: the list a caption
    just named)."""
    best: _Header | None = None
    best_score = 1.0
    for array in state.labels.arrays:
        if array.of_text:
            continue
        columns = {
            c.column: array.columns[k]
            for c, k in zip(cells, keys, strict=True)
            if k in array.columns
        }
        ranges = {
            c.column: array.ranges[k] for c, k in zip(cells, keys, strict=True) if k in array.ranges
        }
        spans = {c.column: c.colspan for c in cells if c.column in ranges}
        score = len(columns) + len(ranges) + (0.5 if array is state.pending_array else 0)
        if score > best_score:
            best, best_score = _Header(array, columns, ranges, spans), score
    return best


def _sub_header(cells: list[Cell], keys: list[str], header: _Header) -> bool:
    """The second row of a two-row header (培训起止日期 over 开始日期 | 结束日期, or over
    开始 | 结束): its labels take the columns under the merged cell above — a known label
    by its name, another word by its place (the first column under a range is its start).
    True when the row was one."""
    columns = header.array.columns
    named: dict[int, str] = {}
    for cell, key in zip(cells, keys, strict=True):
        if not key:
            continue
        if key in columns:
            named[cell.column] = columns[key]
            continue
        owner = next(
            (col for col, span in header.spans.items() if col <= cell.column < col + span),
            None,
        )
        if owner is None or re.search(r"\d", key):
            return False  # a value, or a word under no range: not a header row
        start, end = header.ranges[owner]
        named[cell.column] = start if cell.column == owner else end
    if not named:
        return False
    header.columns.update(named)
    for column in list(header.ranges):
        span = range(column, column + header.spans.get(column, 1))
        if any(c in named for c in span):
            del header.ranges[column]
    return True


def _is_label_row(keys: list[str], labels: AnnexLabels) -> bool:
    """A row that starts with a field label (合计（元）under the budget items)."""
    first = next((k for k in keys if k), "")
    return first in labels.scalars or first in labels.ranges


def _item(
    cells: list[Cell], header: _Header, table: Table, state: _State, group: int
) -> int | None:
    """Read one row of a list; the index of its item, None when it held nothing."""
    array = header.array
    columns, ranges = header.groups()[group]
    by_column = {c.column: c for c in cells}
    if group and not any(by_column[c].text.strip() for c in columns if c in by_column):
        return None  # the right half of a two-up list ends before the left one
    items = _array_list(state.out.data, array.path)
    index = len(items)
    items.append({})
    for column, name in columns.items():
        cell = by_column.get(column)
        node = resolve(array.items["properties"][name])
        text = cell.text.strip() if cell else ""
        value = normalize(node, text, spreadsheet=cell is not None and cell.ref is not None)
        if node.get("type") == "boolean":
            value = bool(value) or _inked(cell)  # an empty signature box is an unsigned one
        where = table.location(cell) if cell else Location(table=table.index)
        state.out.sources[(*array.path, index, name)] = where  # blank cells too: findings
        if isinstance(value, Unread):
            state.out.unread[(*array.path, index, name)] = value.text
            state.out.raw[(*array.path, index, name)] = text
        elif value is not None:
            items[index][name] = value
            state.out.raw[(*array.path, index, name)] = text
    for column, (start, end) in ranges.items():
        cell = by_column.get(column)
        if cell is None or not cell.text.strip():
            continue
        first, last = parse_date_range(re.sub(r"\s*\n\s*", "", cell.text))
        node = array.items["properties"][start]
        unread_range = first is None and last is None  # neither end can be told
        for name, value in (
            (start, first or cell.text),
            (end, cell.text if unread_range else last),
        ):
            read = normalize(node, value) if value is not None else None
            if isinstance(read, Unread):
                state.out.unread[(*array.path, index, name)] = read.text
                state.out.sources[(*array.path, index, name)] = table.location(cell)
            elif read is not None:
                items[index][name] = read
                state.out.sources[(*array.path, index, name)] = table.location(cell)
                state.out.raw[(*array.path, index, name)] = cell.text
    if not items[index]:
        items.pop()
        return None
    state.out.sources.setdefault((*array.path, index), table.location(cells[0]))
    return index


INK_SIGNED = 0.01
"""Share of a cell covered by handwriting or a stamp (beyond its printed text) from which it
counts as signed; readers set ``Cell.ink`` where they can see ink (PDF drawings, scans)."""


def _cell_pairs(cell: Cell, table: Table, state: _State) -> None:
    """The ``label：value`` pairs written in one cell; a picture signs the label it follows
    where the reader knows its place, else (a scan's ink) every signature label there."""
    where = table.location(cell)
    spaced = cell.confidence is None  # read by OCR: spaces may be lost
    if cell.marks:
        _pairs(cell.text, where, state, inked_at=cell.marks, spaced=spaced)
    else:
        _pairs(cell.text, where, state, inked=_inked(cell), spaced=spaced)


def _inked(cell: Cell | None) -> bool:
    return cell is not None and cell.ink is not None and cell.ink >= INK_SIGNED


def _grid_row(
    cells: list[Cell], keys: list[str], table: Table, rows: list[list[Cell]], state: _State
) -> None:
    """A key/value row: label cells with their value to the right or below, or cells that
    hold ``label：value`` themselves."""
    labels = state.labels
    known = _known(labels.annex)
    keys = [_known_key(k, known) for k in keys]
    for index, (cell, key) in enumerate(zip(cells, keys, strict=True)):
        state.part = cell.column
        if key in labels.sections and len(cells) > 1:
            state.section = labels.sections[key]
            value_cell = _value_cell(cells, index, rows, known, state.out.annex)
            if value_cell is not None and _ITEM_SEPARATOR.search(value_cell.text):
                _assign(key, value_cell.text.strip(), table.location(value_cell), state)
            continue
        if key in known and key:
            value_cell = _value_cell(cells, index, rows, known, state.out.annex)
            text = value_cell.text.strip() if value_cell else ""
            where = table.location(value_cell or cell)
            # A signature or stamp put beside the label in the label's own (merged) cell.
            inked = _inked(value_cell) or (value_cell is None and _inked(cell))
            _assign(key, text, where, state, inked=inked)
        elif not any(k == key for k in keys[:index]):  # a merged cell repeats its text
            _cell_pairs(cell, table, state)
    state.part = None


_NOTE = re.compile(r"\([^()\d]{1,8}\)$")


def _known_key(key: str, known: frozenset[str]) -> str:
    """A label cell's key; ``企业名称（盖章）`` is the label 企业名称 with a note after it."""
    if key in known:
        return key
    bare = _NOTE.sub("", key)
    return bare if bare in known else key


def _value_cell(
    cells: list[Cell], index: int, rows: list[list[Cell]], known: frozenset[str], annex: str
) -> Cell | None:
    """The cell holding a label cell's value: the next cell to the right, else the cell
    below; None when that cell is another label (``label``, or ``label：value`` itself)."""

    def is_label(cell: Cell) -> bool:
        if _known_key(label_key(cell.text), known) in known:
            return True
        first = next(inline_spans(annex, cell.text.strip()), None)
        return first is not None and first[2][0] - len(first[0]) <= 2

    def below() -> Cell | None:
        below_row = cell.row + cell.rowspan
        if below_row < len(rows):
            for candidate in rows[below_row]:
                if candidate.column <= cell.column < candidate.column + candidate.colspan:
                    return None if is_label(candidate) else candidate
        return None

    cell = cells[index]
    for right in cells[index + 1 :]:
        if right.column >= cell.column + cell.colspan:
            if is_label(right):
                break  # a row of labels: the values are in the row below
            if right.text.strip() or right.ink:
                return right
            # An empty cell to the right of a label in a row of labels (联系电话 | 空):
            # the value may stand below, as the others in that row do.
            under = below()
            labels_row = all(not c.text.strip() or is_label(c) for c in cells)
            return under if labels_row and under is not None and under.text.strip() else right
    return below()


def _array_list(data: dict[str, Any], path: Path_) -> list[Any]:
    target: Any = data
    for step in path[:-1]:
        target = target.setdefault(step, {})
    items: list[Any] = target.setdefault(path[-1], [])
    return items
