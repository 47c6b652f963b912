"""Values from a fixed list — gender, skill level, education, assessment type, training
type — as institutions write them → the contract's option.

The options and the aliases of the contract (``x-aliases-values`` in the shared schema
definitions) are completed here by the forms seen on real paperwork. A text is read by
finding every term it holds (longest first: 高级技师 before 高级 before 技师), ignoring
decoration (国家职业资格, 学历, 毕业 …) and punctuation: ``四级/中级工``, ``中级（四级）``,
``国家职业资格四级``, ``高级工（三级）``. Certain when every term names the same option;
None when two terms disagree (``四级（高级工）``) or anything else is left (``高中及以上``):
a conflict is never settled by guessing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from annexkit.contract.parsed import Parsed
from annexkit.contract.schema import load_schema

_PUNCTUATION = re.compile(r"[\s/／、,，;；()\[\]【】<>《》\-—·.:]+|和|及|或")


@dataclass(frozen=True)
class Choice:
    """One list of options with the terms that name them."""

    name: str
    options: tuple[str, ...]
    terms: Mapping[str, str]
    """Upper-case term → option (every option names itself)."""
    decoration: tuple[str, ...] = ()
    """Words that say nothing about which option (学历, 国家职业资格)."""

    @property
    def _pattern(self) -> re.Pattern[str]:
        return _term_pattern(tuple(sorted(self.terms, key=len, reverse=True)))

    def read(self, raw: str) -> Parsed[str] | None:
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw)).upper()
        found: set[str] = set()

        def take(match: re.Match[str]) -> str:
            found.add(self.terms[match.group()])
            return " "

        rest = self._pattern.sub(take, text)
        for word in self.decoration:
            rest = rest.replace(word, " ")
        if len(found) != 1 or _PUNCTUATION.sub("", rest):
            return None
        return Parsed(found.pop(), True, raw)


@cache
def _term_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, terms)))


def _choice(
    name: str,
    extra: Mapping[str, str] | None = None,
    decoration: Iterable[str] = (),
) -> Choice:
    node = load_schema("defs")["$defs"][name]
    options = tuple(node["enum"])
    terms = {o.upper(): o for o in options}
    for source in (node.get("x-aliases-values", {}), extra or {}):
        terms.update({k.upper(): v for k, v in source.items()})
    bad = sorted(v for v in terms.values() if v not in options)
    if bad:  # pragma: no cover - a slip in the tables below
        raise ValueError(f"{name}: aliases name no option: {bad}")
    return Choice(name, options, terms, tuple(w.upper() for w in decoration))


def _levels() -> dict[str, str]:
    names = ("初级工", "中级工", "高级工", "技师", "高级技师")
    grades = {5: "五", 4: "四", 3: "三", 2: "二", 1: "一"}
    out = {}
    for name, grade in zip(names, (5, 4, 3, 2, 1), strict=True):
        out[f"{grade}级"] = name
        out[f"{grades[grade]}级"] = name
    return out


GENDER = _choice("gender", {"男士": "男", "女士": "女", "MALE": "男", "FEMALE": "女"})
SKILL_LEVEL = _choice(
    "skill_level",
    {
        **_levels(),
        "初级": "初级工",
        "中级": "中级工",
        "高级": "高级工",
        "专项能力": "专项职业能力",
        "专项": "专项职业能力",
    },
    ("国家职业资格", "国家职业技能等级", "职业资格", "职业技能等级", "技能等级", "等级", "证书"),
)
EDUCATION = _choice(
    "education",
    {
        "初级中学": "初中",
        "高级中学": "高中",
        "中等专业学校": "中专",
        "中等职业学校": "中专",
        "中等职业教育": "中专",
        "高级技工学校": "技工学校",
        "技工": "技工学校",
        "高职高专": "大专",
        "高等职业教育": "大专",
        "学士": "本科",
        "硕士研究生": "硕士研究生",
        "博士研究生": "博士研究生",
    },
    ("全日制", "在职", "函授", "自考", "成人", "学历", "文化程度", "毕业"),
)
ASSESSMENT_TYPE = _choice(
    "assessment_type",
    {
        "专项职业能力": "职业资格及专项职业能力考评",
        "职业技能等级认定": "企业职业技能等级认定",
        "技能等级认定": "企业职业技能等级认定",
        "企业技能等级认定": "企业职业技能等级认定",
        "企业等级认定": "企业职业技能等级认定",
        "行业准入资格": "行业准入资格考评",
        "准入资格": "行业准入资格考评",
        "合格证": "培训合格证考评",
    },
    ("考评", "考核", "评价", "鉴定"),
)
TRAINING_TYPE = _choice(
    "training_type",
    {
        "岗前": "岗前培训",
        "岗位技能提升": "岗位技能提升培训",
        "技能提升": "岗位技能提升培训",
        "转岗转业": "转岗转业培训",
        "转岗": "转岗转业培训",
        "企业新型学徒制": "企业新型学徒制培训",
        "新型学徒制": "企业新型学徒制培训",
        "学徒制": "企业新型学徒制培训",
    },
    ("培训",),
)
CHOICES = (GENDER, SKILL_LEVEL, EDUCATION, ASSESSMENT_TYPE, TRAINING_TYPE)


def choice_for(options: Iterable[str]) -> Choice | None:
    """The contract's list with exactly these options, if it is one."""
    wanted = tuple(options)
    return next((c for c in CHOICES if set(c.options) == set(wanted)), None)


def parse_choice(
    raw: str, options: Iterable[str], aliases: Mapping[str, str] | None = None
) -> Parsed[str] | None:
    """An option of a list: the contract's own reading where the list is one of its value
    types, else the option or alias written (spaces and case aside)."""
    options = tuple(options)
    known = choice_for(options)
    if known is not None:
        return known.read(raw)
    terms = {o.upper(): o for o in options}
    terms.update({k.upper(): v for k, v in (aliases or {}).items() if v in options})
    return Choice("", options, terms).read(raw)


def parse_gender(raw: str) -> Parsed[str] | None:
    """男/女 from ``男``, ``男性``, ``M``, ``male`` …"""
    return GENDER.read(raw)


def parse_skill_level(raw: str) -> Parsed[str] | None:
    """初级工 … 首席技师, 专项职业能力, 培训合格 from ``四级/中级工``, ``中级（四级）`` …"""
    return SKILL_LEVEL.read(raw)


def parse_education(raw: str) -> Parsed[str] | None:
    """The contract's education level from ``中职``, ``技校``, ``大学本科`` …"""
    return EDUCATION.read(raw)


def parse_assessment_type(raw: str) -> Parsed[str] | None:
    """The contract's assessment type from its short forms (``职业资格``, ``等级认定`` …)."""
    return ASSESSMENT_TYPE.read(raw)


def parse_training_type(raw: str) -> Parsed[str] | None:
    """The contract's training type from ``岗前``, ``技能提升``, ``新型学徒制`` …"""
    return TRAINING_TYPE.read(raw)
