"""Policy profiles: each city's (or programme's) thresholds and subsidy amounts, as data.


A profile is a YAML file checked against ``schemas/profile.schema.json``. The shipped ones live
in ``annexkit/data/profiles/NAME.yaml``; a user may write their own, whole or as
``extends: NAME`` plus the keys that differ (a bureau's local tweak). Every figure a source does
not give is ``null`` — "来源未载明 / not stated in the source" — and code that needs it must say
so rather than assume a value.

Merging ``extends``: mappings merge key by key (so ``thresholds: {age_max: 35}`` changes one
threshold); ``sources`` and ``notes`` are the extending profile's followed by the parent's; any
other value, lists included, replaces the parent's, and an explicit ``null`` clears it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from annexkit.contract.text import AnnexkitError

DEFAULT_PROFILE = "jiangmen-2019"
"""The profile used when a package names none (江人社函〔2019〕613号)."""

NOT_STATED_ZH = "来源未载明"
NOT_STATED_EN = "not stated in the source"
NOT_STATED = f"{NOT_STATED_ZH} / {NOT_STATED_EN}"

LEVELS: tuple[str, ...] = (
    "学徒工",
    "初级工",
    "中级工",
    "高级工",
    "技师",
    "高级技师",
    "特级技师",
    "首席技师",
    "专项职业能力",
    "培训合格",
)
"""Skill levels a profile may price, lowest first; the last two carry no level."""

LEVEL_ORDER: tuple[str, ...] = LEVELS[:8]
"""The graded levels in order (学徒工 < 初级工 < … < 首席技师)."""

Reading = Literal["nth-before", "strictly-between"]
JSONPath = tuple[str | int, ...]

_MERGED_LISTS = ("sources", "notes")

V = TypeVar("V")


class FrozenMap(Mapping[str, V]):
    """A read-only mapping that can be hashed and pickled (profiles go to worker processes)."""

    def __init__(self, items: Mapping[str, V] | Iterable[tuple[str, V]] = ()) -> None:
        self._data: dict[str, V] = dict(items)

    def __getitem__(self, key: str) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(tuple(self._data.items()))

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"


# ----------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Source:
    """A document a profile's figures come from."""

    title: str
    issuer: str | None
    number: str | None
    date: str | None
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; None when not stated."""
    clause: str | None = None
    url: str | None = None
    note: str | None = None
    gives: tuple[str, ...] = ()
    """Dotted paths of the figures this source is the authority for."""

    def citation(self) -> str:
        """``标题（发文机关，文号，日期，条款）`` with unknown parts left out."""
        parts = [p for p in (self.issuer, self.number, self.date, self.clause) if p]
        return f"{self.title}（{'，'.join(parts)}）" if parts else self.title


@dataclass(frozen=True)
class Thresholds:
    """Rules the checker applies; None = not stated in the source (the rule is not applied)."""

    filing_lead_workdays: int | None = None
    filing_lead_reading: Reading | None = None
    claim_window_months: int | None = None
    subsidies_per_year: int | None = None
    same_occupation_level_once: bool | None = None
    age_min: int | None = None
    age_max: int | None = None
    attendance_threshold: float | None = None
    review_workdays: int | None = None
    publicity_workdays: int | None = None
    payment_workdays: int | None = None


@dataclass(frozen=True)
class UrgentSubsidy:
    """Urgently needed occupations (急需紧缺职业): their own table, or an uplift ceiling."""

    levels: Mapping[str, Decimal] | None = None
    uplift_percent: Decimal | None = None
    """"Up to N%": a ceiling, the local bureau sets the actual rate."""
    from_level: str | None = None


@dataclass(frozen=True)
class WorkForTraining:
    """以工代训: per person per month, for at most ``max_months``."""

    per_month: Decimal | None = None
    max_months: int | None = None


@dataclass(frozen=True)
class LivingAllowance:
    """培训期间生活费补贴 per person per day, for the groups in ``eligible``."""

    amount: Decimal | None = None
    eligible: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ClassHour:
    """Per person per class hour (of at least ``minutes_per_hour``), capped per year."""

    per_hour: Decimal | None = None
    minutes_per_hour: int | None = None
    cap_per_year: Decimal | None = None


@dataclass(frozen=True)
class EmploymentService:
    """就业服务补贴 per person employed within ``employed_within_months`` of training."""

    amount: Decimal | None = None
    employed_within_months: int | None = None


@dataclass(frozen=True)
class Subsidy:
    """Amounts in yuan; None = not stated in the source."""

    levels: Mapping[str, Decimal] | None = None
    levels_note: str | None = None
    urgent: UrgentSubsidy = field(default_factory=UrgentSubsidy)
    apprentice_per_year: Decimal | None = None
    pre_job: Decimal | None = None
    job_transfer: Decimal | None = None
    work_for_training: WorkForTraining = field(default_factory=WorkForTraining)
    living_allowance_per_day: LivingAllowance = field(default_factory=LivingAllowance)
    class_hour: ClassHour = field(default_factory=ClassHour)
    employment_service: EmploymentService = field(default_factory=EmploymentService)


@dataclass(frozen=True)
class Profile:
    """One policy profile, ``extends`` already resolved."""

    name: str
    title: str
    region: str
    sources: tuple[Source, ...]
    thresholds: Thresholds
    subsidy: Subsidy
    notes: tuple[str, ...] = ()
    extends: str | None = None
    """The profile this one was built on, as written in the file."""
    origin: str = ""
    """Where it was read from: ``annexkit:data/profiles/NAME.yaml`` or a file path."""
    document: Mapping[str, Any] = field(default_factory=FrozenMap, compare=False, repr=False)
    """The merged YAML document, for display (``annex profiles --show``)."""

    def as_dict(self) -> dict[str, Any]:
        """The whole profile document (inherited keys included) as plain dicts and lists."""
        return cast(dict[str, Any], _thaw(self.document))

    def to_yaml(self) -> str:
        """The whole profile (inherited keys included) as YAML; null = not stated."""
        return yaml.safe_dump(self.as_dict(), allow_unicode=True, sort_keys=False, width=100)


# ------------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class ProfileProblem:
    """One way a profile file is wrong: where (JSON path), what, in Chinese and English."""

    path: JSONPath
    label: str
    zh: str
    en: str

    @property
    def pointer(self) -> str:
        return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in self.path)

    def __str__(self) -> str:
        return f"{self.pointer or '/'}  {self.label}：{self.zh} / {self.en}"


class ProfileError(AnnexkitError):
    """A profile that cannot be used, with every problem found (never a traceback for users)."""

    def __init__(self, path: str | Path, problems: Sequence[ProfileProblem]) -> None:
        self.path = str(path)
        self.problems = list(problems)
        super().__init__(self.path)

    def __str__(self) -> str:
        count = len(self.problems)
        lines = [
            f"政策配置 {self.path} 有{count}处问题 / profile {self.path}: {count} "
            f"problem{'s' if count != 1 else ''}"
        ]
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)


def _problem(path: JSONPath, zh: str, en: str) -> ProfileProblem:
    return ProfileProblem(path, label_at(path), zh, en)


# -------------------------------------------------------------------------------- schema


@cache
def profile_schema() -> Mapping[str, Any]:
    """The JSON Schema of a profile (``schemas/profile.schema.json``)."""
    text = (files("annexkit.schemas") / "profile.schema.json").read_text("utf-8")
    return cast(Mapping[str, Any], json.loads(text))


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(profile_schema())


def _resolve(node: Any) -> Any:
    """A schema node with its local ``$ref`` merged in (the node's own keywords win)."""
    if not isinstance(node, Mapping) or "$ref" not in node:
        return node
    ref = str(node["$ref"])
    target = profile_schema()["$defs"][ref.rsplit("/", 1)[-1]]
    merged = dict(_resolve(target))
    merged.update({k: v for k, v in node.items() if k != "$ref"})
    return merged


def _child(node: Any, key: str | int) -> Any:
    node = _resolve(node)
    if not isinstance(node, Mapping):
        return None
    if isinstance(key, int):
        return node.get("items")
    found = node.get("properties", {}).get(key)
    if found is None and isinstance(node.get("additionalProperties"), Mapping):
        return node["additionalProperties"]
    return found


def label_at(path: JSONPath) -> str:
    """Chinese labels along a path: ``补贴标准 › 以工代训补贴 › 每人每月（元）``."""
    node: Any = profile_schema()
    parts: list[str] = []
    for key in path:
        node = _child(node, key) if node is not None else None
        if isinstance(key, int):
            parts[-1:] = [f"{parts[-1] if parts else ''} 第{key + 1}项".strip()]
        elif node is not None and "title" in _resolve(node):
            title = _resolve(node)["title"]
            parts.append(f"{key} {title}" if title.startswith("补贴金额") else title)
        else:
            parts.append(str(key))
    return " › ".join(parts) if parts else str(profile_schema()["title"])


_TYPE_ZH = {
    "string": "文字",
    "integer": "整数",
    "number": "数字",
    "boolean": "true/false",
    "object": "一组键值",
    "array": "列表",
    "null": "null（来源未载明）",
}


def _type_text(expected: Any) -> tuple[str, str]:
    names = [expected] if isinstance(expected, str) else list(expected)
    return "或".join(_TYPE_ZH.get(n, n) for n in names), " or ".join(names)


def validate_document(document: Any) -> list[ProfileProblem]:
    """Every problem of a (merged) profile document against the schema, in path order."""
    problems: list[ProfileProblem] = []
    for error in _validator().iter_errors(document):
        problems.extend(_problems(error))
    unique = {(p.path, p.zh): p for p in problems}
    return sorted(unique.values(), key=lambda p: _schema_order(p.path))


def _schema_order(path: JSONPath) -> tuple[tuple[int, str], ...]:
    """Sort key: the order the schema lists properties in (unknown keys last, by name)."""
    key: list[tuple[int, str]] = []
    node: Any = profile_schema()
    for part in path:
        if isinstance(part, int):
            key.append((part, ""))
        else:
            names = list(_resolve(node).get("properties", {})) if node is not None else []
            key.append((names.index(part) if part in names else len(names), part))
        node = _child(node, part) if node is not None else None
    return tuple(key)


def _problems(error: ValidationError) -> Iterator[ProfileProblem]:
    path: JSONPath = tuple(error.absolute_path)
    kind = str(error.validator)
    expected: Any = error.validator_value
    value: Any = error.instance
    shown = json.dumps(value, ensure_ascii=False, default=str)
    if "propertyNames" in error.relative_schema_path:
        yield _problem(
            (*path, str(value)),
            f"“{value}”不是已知的技能等级，应为：{'、'.join(LEVELS)}",
            f"'{value}' is not a known skill level; expected one of: {', '.join(LEVELS)}",
        )
    elif kind == "required":
        missing = error.message.split("'")[1]
        yield _problem((*path, missing), "缺少必填项", "required key is missing")
    elif kind == "additionalProperties":
        known = sorted(_resolve(_node_at(path)).get("properties", {}))
        for extra in sorted(k for k in value if k not in known):
            yield _problem(
                (*path, extra),
                f"没有这一项，可用的有：{'、'.join(known)}",
                f"unknown key; known here: {', '.join(known)}",
            )
    elif kind == "type":
        zh, en = _type_text(expected)
        yield _problem(
            path, f"类型错误（{shown}），应为{zh}", f"wrong type ({shown}), expected {en}"
        )
    elif kind == "enum":
        choices = [str(o) if o is not None else "null" for o in expected]
        yield _problem(
            path,
            f"“{value}”不在可选值中：{'、'.join(choices)}",
            f"{shown} is not one of: {', '.join(choices)}",
        )
    elif kind in ("minimum", "maximum"):
        zh, en = ("不能小于", "at least") if kind == "minimum" else ("不能大于", "at most")
        yield _problem(path, f"{shown} {zh}{expected}", f"{shown}: must be {en} {expected}")
    elif kind in ("minLength", "minItems") or (kind == "pattern" and not str(value).strip()):
        yield _problem(path, "不能为空", "must not be empty")
    elif kind == "pattern":
        fmt = _resolve(_node_at(path)).get("x-format") or {"zh": expected, "en": expected}
        yield _problem(
            path,
            f"格式不对（{shown}），应为{fmt['zh']}",
            f"wrong format ({shown}), expected {fmt['en']}",
        )
    elif kind == "maxLength":
        yield _problem(path, f"太长，最多{expected}个字符", f"too long, at most {expected} chars")
    elif kind == "anyOf":
        yield _problem(
            path,
            f"“{value}”不是已知的技能等级，应为：{'、'.join(LEVELS)}或 null",
            f"{shown} is not a known skill level ({', '.join(LEVELS)}) or null",
        )
    else:
        yield _problem(path, f"不符合要求（{kind}）", error.message)


def _node_at(path: JSONPath) -> Any:
    node: Any = profile_schema()
    for key in path:
        node = _child(node, key) if node is not None else None
    return node or {}


# ------------------------------------------------------------------------------- loading


def _shipped_dir() -> Any:
    return files("annexkit.data") / "profiles"


@cache
def shipped_names() -> tuple[str, ...]:
    """Names of the profiles shipped with annexkit, sorted."""
    return tuple(
        sorted(
            entry.name.removesuffix(".yaml")
            for entry in _shipped_dir().iterdir()
            if entry.name.endswith(".yaml")
        )
    )


def list_profiles() -> list[Profile]:
    """Every shipped profile, the default first, then by name."""
    names = sorted(shipped_names(), key=lambda n: (n != DEFAULT_PROFILE, n))
    return [_load_shipped(name) for name in names]


def _looks_like_path(value: str) -> bool:
    return value.endswith((".yaml", ".yml")) or "/" in value or "\\" in value


def load_profile(name_or_path: str | Path) -> Profile:
    """A shipped profile by name (``dongning-2019``), or a user's YAML file.

    A ``Path``, or a string ending in ``.yaml``/``.yml`` or holding a path separator, is a file;
    anything else is a shipped profile's name. A file is validated against the profile schema
    (after its ``extends`` is merged in): every problem is raised at once as ``ProfileError``.
    """
    if isinstance(name_or_path, Path) or _looks_like_path(name_or_path):
        path = Path(name_or_path)
        document = _file_document(path, ())
        return _build(document, str(path))
    return _load_shipped(name_or_path)


@cache
def _load_shipped(name: str) -> Profile:
    document = _shipped_document(name, ())
    return _build(document, f"annexkit:data/profiles/{name}.yaml")


def _unknown_profile(name: str) -> ProfileError:
    available = "、".join(shipped_names())
    return ProfileError(
        name,
        [
            ProfileProblem(
                (),
                "政策配置",
                f"没有名为“{name}”的政策配置，可用：{available}（或给出 YAML 文件路径）",
                f"no profile named '{name}'; available: {', '.join(shipped_names())} "
                "(or give the path of a YAML file)",
            )
        ],
    )


def _shipped_document(name: str, chain: tuple[str, ...]) -> dict[str, Any]:
    if name not in shipped_names():
        raise _unknown_profile(name)
    text = (_shipped_dir() / f"{name}.yaml").read_text("utf-8")
    return _resolved(text, f"annexkit:data/profiles/{name}.yaml", None, (*chain, name))


def _file_document(path: Path, chain: tuple[str, ...]) -> dict[str, Any]:
    key = str(path.resolve())
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ProfileError(
            path,
            [
                ProfileProblem(
                    (), "政策配置", f"无法读取文件（{reason}）", f"cannot read ({reason})"
                )
            ],
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise ProfileError(
                path,
                [
                    ProfileProblem(
                        (), "政策配置", "文件不是 UTF-8 或 GBK 文本", "not UTF-8 or GBK text"
                    )
                ],
            ) from None
    return _resolved(text, str(path), path.parent, (*chain, key))


def _resolved(text: str, origin: str, base: Path | None, chain: tuple[str, ...]) -> dict[str, Any]:
    """The document of one file with its ``extends`` chain merged in and validated."""
    data = _parse(text, origin)
    parent_ref = data.get("extends")
    if parent_ref is None:
        document = data
    else:
        own = _extends_problems(data)
        if own:
            raise ProfileError(origin, own)
        parent = _parent_document(str(parent_ref), base, chain, origin)
        document = merge(parent, data)
    problems = validate_document(document)
    if problems:
        raise ProfileError(origin, problems)
    order = list(profile_schema()["properties"])
    return dict(sorted(document.items(), key=lambda kv: order.index(kv[0])))


def _extends_problems(data: Mapping[str, Any]) -> list[ProfileProblem]:
    problems = []
    if not isinstance(data.get("extends"), str) or not data["extends"].strip():
        problems.append(
            _problem(("extends",), "应为政策配置名称或文件路径", "must be a profile name or path")
        )
    for key in ("name", "title"):
        if key not in data:
            problems.append(
                _problem(
                    (key,),
                    "继承其他配置（extends）时必须给出自己的名称和标题",
                    "a profile that extends another must give its own name and title",
                )
            )
    return problems


def _parent_document(
    ref: str, base: Path | None, chain: tuple[str, ...], origin: str
) -> dict[str, Any]:
    if _looks_like_path(ref):
        path = Path(ref) if base is None or Path(ref).is_absolute() else base / ref
        key = str(path.resolve())
    else:
        path, key = None, ref
    if key in chain:
        loop = " → ".join((*chain, key))
        raise ProfileError(
            origin,
            [_problem(("extends",), f"继承关系成环：{loop}", f"extends loops back: {loop}")],
        )
    if path is not None:
        return _file_document(path, chain)
    if ref not in shipped_names():
        available = ", ".join(shipped_names())
        raise ProfileError(
            origin,
            [
                _problem(
                    ("extends",),
                    f"没有名为“{ref}”的政策配置，可用：{'、'.join(shipped_names())}",
                    f"no profile named '{ref}'; available: {available}",
                )
            ],
        )
    return _shipped_document(ref, chain)


def _parse(text: str, origin: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行第{mark.column + 1}列" if mark is not None else ""
        where_en = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or type(exc).__name__
        raise ProfileError(
            origin,
            [
                ProfileProblem(
                    (),
                    "政策配置",
                    f"YAML 格式错误{where}：{reason}",
                    f"not valid YAML{where_en}: {reason}",
                )
            ],
        ) from None
    if not isinstance(data, dict):
        raise ProfileError(
            origin,
            [
                ProfileProblem(
                    (),
                    "政策配置",
                    "文件内容应为一组键值（name: …, title: …）",
                    "the file must hold a mapping (name: …, title: …)",
                )
            ],
        )
    return cast(dict[str, Any], _plain(data))


def _plain(value: Any) -> Any:
    """YAML dates become ISO text; keys become text (YAML reads ``2019:`` as a number)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` laid over ``base`` (see the module docstring for the rules)."""
    out = dict(base)
    for key, value in override.items():
        if key in _MERGED_LISTS and isinstance(value, list) and isinstance(base.get(key), list):
            out[key] = [*value, *base[key]]
        else:
            out[key] = _deep(out.get(key), value)
    return out


def _deep(base: Any, override: Any) -> Any:
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        out = dict(base)
        for key, value in override.items():
            out[key] = _deep(out.get(key), value)
        return out
    return override


# ------------------------------------------------------------------------------ building


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _table(value: Any) -> Mapping[str, Decimal] | None:
    if value is None:
        return None
    return FrozenMap((str(k), Decimal(str(v))) for k, v in value.items() if v is not None)


def _section(document: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = document.get(key)
    return value if isinstance(value, Mapping) else {}


def _build(document: Mapping[str, Any], origin: str) -> Profile:
    t = _section(document, "thresholds")
    s = _section(document, "subsidy")
    urgent = _section(s, "urgent")
    wft = _section(s, "work_for_training")
    living = _section(s, "living_allowance_per_day")
    hour = _section(s, "class_hour")
    service = _section(s, "employment_service")
    eligible = living.get("eligible")
    threshold = t.get("attendance_threshold")
    return Profile(
        name=document["name"],
        title=document["title"],
        region=document["region"],
        sources=tuple(
            Source(
                title=src["title"],
                issuer=src.get("issuer"),
                number=src.get("number"),
                date=src.get("date"),
                clause=src.get("clause"),
                url=src.get("url"),
                note=src.get("note"),
                gives=tuple(src.get("gives") or ()),
            )
            for src in document["sources"]
        ),
        thresholds=Thresholds(
            filing_lead_workdays=t.get("filing_lead_workdays"),
            filing_lead_reading=t.get("filing_lead_reading"),
            claim_window_months=t.get("claim_window_months"),
            subsidies_per_year=t.get("subsidies_per_year"),
            same_occupation_level_once=t.get("same_occupation_level_once"),
            age_min=t.get("age_min"),
            age_max=t.get("age_max"),
            attendance_threshold=None if threshold is None else float(threshold),
            review_workdays=t.get("review_workdays"),
            publicity_workdays=t.get("publicity_workdays"),
            payment_workdays=t.get("payment_workdays"),
        ),
        subsidy=Subsidy(
            levels=_table(s.get("levels")),
            levels_note=s.get("levels_note"),
            urgent=UrgentSubsidy(
                levels=_table(urgent.get("levels")),
                uplift_percent=_money(urgent.get("uplift_percent")),
                from_level=urgent.get("from_level"),
            ),
            apprentice_per_year=_money(s.get("apprentice_per_year")),
            pre_job=_money(s.get("pre_job")),
            job_transfer=_money(s.get("job_transfer")),
            work_for_training=WorkForTraining(
                per_month=_money(wft.get("per_month")), max_months=wft.get("max_months")
            ),
            living_allowance_per_day=LivingAllowance(
                amount=_money(living.get("amount")),
                eligible=None if eligible is None else tuple(eligible),
            ),
            class_hour=ClassHour(
                per_hour=_money(hour.get("per_hour")),
                minutes_per_hour=hour.get("minutes_per_hour"),
                cap_per_year=_money(hour.get("cap_per_year")),
            ),
            employment_service=EmploymentService(
                amount=_money(service.get("amount")),
                employed_within_months=service.get("employed_within_months"),
            ),
        ),
        notes=tuple(document.get("notes") or ()),
        extends=document.get("extends"),
        origin=origin,
        document=_freeze(document),
    )


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return FrozenMap((k, _freeze(v)) for k, v in value.items())
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


def figures(document: Mapping[str, Any]) -> dict[str, Any]:
    """Every stated (non-null) figure of a profile document by dotted path, e.g.
    ``{"subsidy.levels.中级工": 1500, "thresholds.claim_window_months": 6}``."""
    out: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, sub in value.items():
                walk(f"{prefix}.{key}", sub)
        elif value is not None:
            out[prefix] = _thaw(value)

    for section in ("thresholds", "subsidy"):
        walk(section, document.get(section))
    return out
