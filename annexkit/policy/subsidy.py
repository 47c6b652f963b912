"""A subsidy ESTIMATE for one training class, from a policy profile's amounts.

Who counts: trainees in the ledger who passed (score ≥ 60, or 合格), each once (keyed by ID
number). What they count for depends on the filing's training type: 岗前培训 → the profile's
pre-job amount, 转岗转业培训 → job-transfer, 企业新型学徒制培训 → apprentice amount per year,
anything else → the amount for the level reached (the ledger's ``skill_level``, else the
filing's training level). A figure the profile does not state is never taken as 0: the person's
line has no amount, ``missing`` says which figure is absent, and when no amount at all can be
given the estimate is unavailable (``total is None``).

Everything here is an estimate, not an approved amount: the bureau's review decides. Items that
need facts our records do not hold (living-allowance eligibility, employment after training,
earlier claims) are not included, and ``caveats`` says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from annexkit.policy.profiles import LEVELS, NOT_STATED_EN, NOT_STATED_ZH, Profile, load_profile
from annexkit.policy.values import as_date, passed

CENT = Decimal("0.01")

LEVEL_ALIASES: dict[str, str] = {
    "五级": "初级工",
    "四级": "中级工",
    "三级": "高级工",
    "二级": "技师",
    "一级": "高级技师",
    "五级/初级工": "初级工",
    "四级/中级工": "中级工",
    "三级/高级工": "高级工",
    "二级/技师": "技师",
    "一级/高级技师": "高级技师",
    "合格": "培训合格",
}

LEVEL_EN: dict[str, str] = {
    "学徒工": "apprentice grade",
    "初级工": "level 5",
    "中级工": "level 4",
    "高级工": "level 3",
    "技师": "level 2",
    "高级技师": "level 1",
    "特级技师": "principal technician",
    "首席技师": "chief technician",
    "专项职业能力": "special vocational ability",
    "培训合格": "training certificate",
}

TRAINING_ITEMS: dict[str, str] = {
    "岗前培训": "pre_job",
    "转岗转业培训": "job_transfer",
    "企业新型学徒制培训": "apprentice",
    "岗位技能提升培训": "level",
}
"""The filing's training type → what a passed trainee counts for (default: ``level``)."""

ITEM_ORDER = ("level", "urgent-level", "pre_job", "job_transfer", "apprentice")


@dataclass(frozen=True)
class Note:
    """A bilingual remark; ``key`` is the profile figure it concerns, if any."""

    zh: str
    en: str
    key: str | None = None

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


@dataclass(frozen=True)
class EstimateLine:
    """One passed trainee's estimated subsidy. Identifiers are unmasked: reports mask them."""

    id_number: str
    name: str
    item: str
    """``level``, ``urgent-level``, ``pre_job``, ``job_transfer`` or ``apprentice``."""
    level: str | None
    basis_zh: str
    basis_en: str
    amount: Decimal | None
    """None: the profile states no amount for this person (see ``Estimate.missing``)."""


@dataclass(frozen=True)
class Excluded:
    """A ledger row that counts for nothing, and why."""

    id_number: str
    name: str
    reason_zh: str
    reason_en: str


@dataclass(frozen=True)
class Estimate:
    """The estimate for one class. ``total`` is None when it is unavailable."""

    profile: str
    total: Decimal | None
    lines: list[EstimateLine]
    excluded: list[Excluded]
    explanation: list[Note]
    """How the total was computed: ``中级工 1500元 × 3人 = 4500元`` …"""
    missing: list[Note]
    """Figures the profile does not state that this class would need."""
    caveats: list[Note]
    """What is not included or not checked, and that this is an estimate."""
    is_estimate: bool = True

    @property
    def available(self) -> bool:
        return self.total is not None

    @property
    def partial(self) -> bool:
        """Some passed trainees have no stated amount: the total leaves them out."""
        return self.available and any(line.amount is None for line in self.lines)

    def text(self) -> str:
        """A bilingual summary without personal identifiers."""
        out = [
            "补贴估算（非核定金额）/ SUBSIDY ESTIMATE (not an approved amount)",
            f"政策配置 profile: {self.profile}",
        ]
        out += [f"  {note}" for note in self.explanation]
        if self.excluded:
            out.append(f"未计入 not counted: {len(self.excluded)}人 / {len(self.excluded)}")
            out += [f"  {e.reason_zh} / {e.reason_en}" for e in self.excluded]
        if self.missing:
            out.append("缺少的标准 missing figures:")
            out += [f"  - {note}" for note in self.missing]
        out.append("说明 notes:")
        out += [f"  - {note}" for note in self.caveats]
        return "\n".join(out)


# --------------------------------------------------------------------------------- helpers


def yuan(amount: Decimal) -> str:
    """``1500`` for whole yuan, ``12.50`` otherwise."""
    q = amount.quantize(CENT)
    return str(q.quantize(Decimal(1))) if q == q.to_integral_value() else str(q)


def normalize_level(value: Any) -> str | None:
    """A skill level in canonical form (五级 → 初级工), or None when absent or unknown."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = "".join(value.split())
    text = LEVEL_ALIASES.get(text, text)
    return text if text in LEVELS else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _apprentice_years(training: Mapping[str, Any]) -> tuple[int, Note]:
    """Years of the filed period, a started year counting as one (at least 1)."""
    start, end = as_date(training.get("start_date")), as_date(training.get("end_date"))
    if start is None or end is None or end < start:
        return 1, Note(
            "学徒培训期限未知，按1年估算",
            "the apprenticeship period is unknown: counted as one year",
        )
    after = end + dt.timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    if after.day > start.day:
        months += 1
    years = max(1, -(-months // 12))
    return years, Note(
        f"学徒年数按备案培训期 {start}至{end} 计为{years}年（不足一年按一年），以当地规定为准",
        f"apprenticeship years from the filed period {start}–{end}: {years} "
        "(a started year counts as one); the local rule decides",
    )


# -------------------------------------------------------------------------------- estimate


@dataclass(frozen=True)
class _Priced:
    item: str
    amount: Decimal | None
    label_zh: str
    label_en: str
    shown_zh: str = ""
    """The figure as stated: ``1500元``, ``6000元/年 × 2年``; empty when not stated."""
    shown_en: str = ""
    missing: Note | None = None


def _bilingual(text: str | None) -> tuple[str, str]:
    """``"中文 / English"`` split in two; the not-stated phrase when there is no text."""
    if not text:
        return NOT_STATED_ZH, NOT_STATED_EN
    zh, sep, en = text.partition(" / ")
    return (zh.strip(), en.strip()) if sep else (text, text)


def _not_stated(profile: Profile, what_zh: str, what_en: str, key: str) -> Note:
    return Note(
        f"配置 {profile.name} 未载明{what_zh}（{NOT_STATED_ZH}）",
        f"profile {profile.name} states no {what_en} ({NOT_STATED_EN})",
        key,
    )


def _price_level(profile: Profile, level: str | None, urgent: bool) -> _Priced:
    subsidy = profile.subsidy
    if level is None:
        note = Note(
            "台账未填技能等级，备案表也未写培训等级，无法按等级估算",
            "no skill level in the ledger and no training level in the filing: "
            "no level amount applies",
            "level",
        )
        return _Priced("level", None, "技能等级未知", "level unknown", missing=note)
    label_zh, label_en = level, f"{level} ({LEVEL_EN[level]})"
    item, table, key = "level", subsidy.levels, "subsidy.levels"
    if urgent and subsidy.urgent.levels is not None:
        label_zh, label_en = f"{level}（急需紧缺职业）", f"{label_en}, urgent occupation"
        item, table, key = "urgent-level", subsidy.urgent.levels, "subsidy.urgent.levels"
    if table is None:
        how_zh, how_en = _bilingual(subsidy.levels_note)
        note = Note(
            f"配置 {profile.name} 未载明各技能等级的补贴金额（{how_zh}），无法估算",
            f"profile {profile.name} states no amount per skill level ({how_en}): "
            "no estimate can be made",
            key,
        )
        return _Priced(item, None, label_zh, label_en, missing=note)
    amount = table.get(level)
    if amount is None:
        what = "急需紧缺职业" if item == "urgent-level" else ""
        note = _not_stated(
            profile, f"{what}{level}的补贴金额", f"amount for {label_en}", f"{key}.{level}"
        )
        return _Priced(item, None, label_zh, label_en, missing=note)
    return _Priced(item, amount, label_zh, label_en, f"{yuan(amount)}元", f"{yuan(amount)} yuan")


def _price_item(profile: Profile, item: str, years: int) -> _Priced:
    subsidy = profile.subsidy
    if item == "apprentice":
        label = ("企业新型学徒制", "enterprise apprenticeship")
        per_year = subsidy.apprentice_per_year
        if per_year is None:
            note = _not_stated(
                profile,
                "企业新型学徒制补贴标准",
                "apprenticeship amount",
                "subsidy.apprentice_per_year",
            )
            return _Priced(item, None, *label, missing=note)
        plural = "s" if years != 1 else ""
        return _Priced(
            item,
            per_year * years,
            *label,
            f"{yuan(per_year)}元/年 × {years}年",
            f"{yuan(per_year)} yuan a year × {years} year{plural}",
        )
    value, zh, en = (
        (subsidy.pre_job, "岗前培训", "pre-job training")
        if item == "pre_job"
        else (subsidy.job_transfer, "转岗转业培训", "job-transfer training")
    )
    if value is None:
        note = _not_stated(profile, f"{zh}补贴标准", f"amount for {en}", f"subsidy.{item}")
        return _Priced(item, None, zh, en, missing=note)
    return _Priced(item, value, zh, en, f"{yuan(value)}元", f"{yuan(value)} yuan")


def estimate(
    profile: Profile | str | Path,
    ledger: Mapping[str, Any],
    filing: Mapping[str, Any] | None = None,
    *,
    urgent: bool = False,
) -> Estimate:
    """Estimate the subsidy for one class (附件7 ``ledger``, 附件5 ``filing``) under a profile.

    ``urgent=True`` prices levels from the profile's urgent-occupation table (our records carry
    no urgent-occupation flag, so the caller must say so). Raises ``ProfileError`` only when a
    profile name or file is given and cannot be loaded.
    """
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    training = _mapping(_mapping(filing).get("training"))
    item = TRAINING_ITEMS.get(str(training.get("type") or "").strip(), "level")
    filed_level = normalize_level(training.get("level"))
    years, years_note = _apprentice_years(training) if item == "apprentice" else (1, None)

    lines: list[EstimateLine] = []
    excluded: list[Excluded] = []
    missing: dict[str, Note] = {}
    seen: set[str] = set()
    for row in ledger.get("rows") or []:
        if not isinstance(row, Mapping):
            continue
        id_number, name = str(row.get("id_number") or ""), str(row.get("name") or "")
        if id_number and id_number in seen:
            excluded.append(
                Excluded(
                    id_number,
                    name,
                    f"{name} 身份证号码重复出现，只计一次",
                    f"{name}: the same ID number appears again, counted once",
                )
            )
            continue
        seen.add(id_number)
        verdict = passed(row.get("score"))
        if verdict is not True:
            score = row.get("score")
            reason = (
                ("无考核成绩", "no assessment result")
                if verdict is None
                else (f"考核未通过（{score}）", f"did not pass ({score})")
            )
            excluded.append(
                Excluded(id_number, name, f"{name} {reason[0]}", f"{name}: {reason[1]}")
            )
            continue
        reached = normalize_level(row.get("skill_level"))
        level = reached or filed_level
        if item == "level":
            priced = _price_level(prof, level, urgent)
            whence = ("台账技能等级", "ledger") if reached else ("备案培训等级", "filed level")
        else:
            priced = _price_item(prof, item, years)
            whence = ("", "")
        if priced.missing is not None:
            missing.setdefault(priced.missing.key or priced.missing.zh, priced.missing)
        amount = None if priced.amount is None else priced.amount.quantize(CENT)
        basis_zh = f"{priced.label_zh} {priced.shown_zh or '补贴标准' + NOT_STATED_ZH}"
        basis_en = f"{priced.label_en} {priced.shown_en or 'amount ' + NOT_STATED_EN}"
        if whence[0] and level is not None:
            basis_zh += f"（{whence[0]}）"
            basis_en += f" ({whence[1]})"
        lines.append(EstimateLine(id_number, name, priced.item, level, basis_zh, basis_en, amount))

    explanation, total = _explain(prof, lines, item, years)
    caveats = _caveats(prof, urgent, item)
    if years_note is not None and any(line.item == "apprentice" for line in lines):
        caveats.insert(1, years_note)
    return Estimate(
        profile=prof.name,
        total=total,
        lines=lines,
        excluded=excluded,
        explanation=explanation,
        missing=list(missing.values()),
        caveats=caveats,
    )


def _explain(
    profile: Profile, lines: list[EstimateLine], item: str, years: int
) -> tuple[list[Note], Decimal | None]:
    if not lines:
        return [
            Note(
                "没有考核合格的学员，估算为0元",
                "no trainee passed: the estimate is 0 yuan",
            )
        ], Decimal("0.00")
    groups: dict[tuple[str, str | None, Decimal | None], list[EstimateLine]] = {}
    for line in lines:
        level = line.level if line.item in ("level", "urgent-level") else None
        groups.setdefault((line.item, level, line.amount), []).append(line)

    def order(key: tuple[str, str | None, Decimal | None]) -> tuple[int, int, int]:
        kind, level, amount = key
        return (
            ITEM_ORDER.index(kind),
            LEVELS.index(level) if level in LEVELS else len(LEVELS),
            0 if amount is not None else 1,
        )

    notes: list[Note] = []
    unpriced = 0
    for key in sorted(groups, key=order):
        members = groups[key]
        first, count = members[0], len(members)
        if first.amount is None:
            unpriced += count
            notes.append(
                Note(
                    f"{_strip_whence(first.basis_zh)} × {count}人：金额无法估算",
                    f"{_strip_whence(first.basis_en)} × {count}: no amount can be estimated",
                )
            )
            continue
        subtotal = first.amount * count
        notes.append(
            Note(
                f"{_strip_whence(first.basis_zh)} × {count}人 = {yuan(subtotal)}元",
                f"{_strip_whence(first.basis_en)} × {count} = {yuan(subtotal)} yuan",
            )
        )
    priced = [line.amount for line in lines if line.amount is not None]
    if not priced:
        notes.append(
            Note(
                f"无法估算：配置 {profile.name} 缺少所需的补贴标准（见“缺少的标准”），不是0元",
                f"estimate unavailable: profile {profile.name} lacks the amounts needed "
                "(see missing figures); this is not 0 yuan",
            )
        )
        return notes, None
    total = sum(priced, Decimal("0.00")).quantize(CENT)
    notes.append(Note(f"合计 {yuan(total)}元（估算）", f"total {yuan(total)} yuan (estimate)"))
    if unpriced:
        notes.append(
            Note(
                f"另有{unpriced}人缺少补贴标准，未计入合计，合计偏低",
                f"{unpriced} more passed trainee(s) have no stated amount and are left out of "
                "the total, which is therefore low",
            )
        )
    return notes, total


def _strip_whence(basis: str) -> str:
    for marker in ("（台账技能等级）", "（备案培训等级）", " (ledger)", " (filed level)"):
        basis = basis.replace(marker, "")
    return basis


def _caveats(profile: Profile, urgent: bool, item: str) -> list[Note]:
    s, t = profile.subsidy, profile.thresholds
    notes = [
        Note(
            "以上是估算，不是核定的补贴金额，以人力资源社会保障部门审核为准",
            "This is an estimate, not an approved subsidy: the human-resources bureau's review "
            "decides",
        )
    ]
    if item == "level" and not urgent and (s.urgent.levels or s.urgent.uplift_percent):
        if s.urgent.levels:
            table = "、".join(f"{k}{yuan(v)}元" for k, v in s.urgent.levels.items())
            table_en = ", ".join(f"{k} {yuan(v)}" for k, v in s.urgent.levels.items())
            zh = f"急需紧缺职业标准更高（{table}）"
            en = f"urgent occupations get more ({table_en} yuan)"
        else:
            since = s.urgent.from_level or ""
            pct = yuan(s.urgent.uplift_percent or Decimal(0))
            zh = f"急需紧缺职业{since}及以上最高上浮{pct}%"
            en = f"urgent occupations may get up to +{pct}% from {since or 'any level'}"
        notes.append(
            Note(
                f"{zh}；记录中没有急需紧缺职业标记，本估算按普通标准计",
                f"{en}; our records have no urgent-occupation flag, so ordinary amounts are used",
                "subsidy.urgent",
            )
        )
    if urgent and s.urgent.levels is None:
        if s.urgent.uplift_percent is not None:
            pct = yuan(s.urgent.uplift_percent)
            zh = f"急需紧缺上浮为最高{pct}%，具体比例由当地确定，未计入，按普通标准估算"
            en = f"the urgent uplift is a ceiling of {pct}% set locally: not applied"
        else:
            zh = f"急需紧缺职业补贴标准{NOT_STATED_ZH}，按普通标准估算"
            en = f"urgent-occupation amounts are {NOT_STATED_EN}: ordinary amounts used"
        notes.append(Note(zh, en, "subsidy.urgent"))
    living = s.living_allowance_per_day
    if living.amount is not None:
        who = f"，对象：{'、'.join(living.eligible)}" if living.eligible else ""
        notes.append(
            Note(
                f"培训期间生活费补贴（{yuan(living.amount)}元/人·天{who}）未计入："
                "台账和备案表没有享受资格的记录",
                f"the living allowance ({yuan(living.amount)} yuan a person a day) is not "
                "included: our records have no eligibility field",
                "subsidy.living_allowance_per_day",
            )
        )
    service = s.employment_service
    if service.amount is not None:
        within = service.employed_within_months
        cond = f"，培训后{within}个月内就业" if within is not None else ""
        notes.append(
            Note(
                f"就业服务补贴（{yuan(service.amount)}元/人{cond}）未计入：记录中没有就业情况",
                f"the employment-service subsidy ({yuan(service.amount)} yuan a person) is not "
                "included: our records hold no employment outcome",
                "subsidy.employment_service",
            )
        )
    wft = s.work_for_training
    if wft.per_month is not None:
        notes.append(
            Note(
                f"以工代训补贴（{yuan(wft.per_month)}元/人·月）是另一项补贴，未计入",
                f"work-for-training ({yuan(wft.per_month)} yuan a person a month) is a separate "
                "subsidy, not included",
                "subsidy.work_for_training",
            )
        )
    if s.class_hour.per_hour is not None:
        notes.append(
            Note(
                f"按课时补贴（{yuan(s.class_hour.per_hour)}元/人·课时）未计入本估算",
                "the per-class-hour subsidy is not included in this estimate",
                "subsidy.class_hour",
            )
        )
    limits = []
    if t.subsidies_per_year is not None:
        limits.append((f"每人每年至多{t.subsidies_per_year}次", f"{t.subsidies_per_year} a year"))
    if t.same_occupation_level_once:
        limits.append(("同一职业同一等级只能享受一次", "same occupation and level once"))
    if limits:
        notes.append(
            Note(
                f"{'、'.join(z for z, _ in limits)}：本估算未核对往年补贴记录",
                f"limits ({'; '.join(e for _, e in limits)}) not checked against earlier claims",
                "thresholds",
            )
        )
    return notes
