"""The contract's value formats: ``id_number``, ``credit_code``, ``phone`` and ``date``.

Each format has one validator returning ``None`` for a valid canonical value or a
:class:`FormatError` that says why (in Chinese and English). The same validators back
jsonschema's :data:`FORMAT_CHECKER`, so the generator and the checker agree.

The ID validator is our own, not python-stdnum's ``cn.ric``: that one rejects valid numbers
whose county code was created after the holder's birth (440703 蓬江区, 440781 台山 for people
born before 1992–94) and residence-permit numbers (81/82/83).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from jsonschema import FormatChecker

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_PROVINCES = frozenset(
    (
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
        83,
    )
)
"""Province prefixes of resident IDs and residence permits (81 HK, 82 Macao, 83 Taiwan)."""

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# ASCII digits only: \d would also take full-width and other Unicode digits, which are
# not the canonical form (the same person would be keyed under two spellings).
MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
LANDLINE_RE = re.compile(r"0[0-9]{2,3}-[0-9]{7,8}")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class FormatError:
    """Why a value does not have its format; ``zh`` and ``en`` say the same thing."""

    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


def to_halfwidth(text: str) -> str:
    """Full-width digits, letters and punctuation to their ASCII forms (NFKC)."""
    return unicodedata.normalize("NFKC", text)


# ---------------------------------------------------------------------------- ID numbers


def normalize_id_number(raw: str) -> str:
    """Spaces and hyphens removed, full-width to half-width, ``x`` to ``X``.

    Only the notational variants the contract accepts are undone: damaged spreadsheet values
    (floats, scientific notation) are left as they are so that validation reports them.
    """
    text = to_halfwidth(raw)
    return re.sub(r"[\s\-]", "", text).upper()


def id_check_char(first17: str) -> str:
    """GB 11643 (ISO 7064 MOD 11-2) check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def looks_damaged_by_spreadsheet(raw: str) -> bool:
    """True for an ID that a spreadsheet stored as a number: ``4.40703E+17``, ``4407...000``,
    ``440703199001011234.0``. Such values lost digits and must not be "corrected"."""
    text = to_halfwidth(raw).strip()
    if re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", text) or re.fullmatch(r"\d{15,18}\.0+", text):
        return True
    # Excel keeps 15 significant digits: an 18-digit number typed as a number ends in 000.
    return bool(re.fullmatch(r"\d{15}000", text)) and id_check_char(text[:17]) != text[17]


def validate_id_number(value: str, today: dt.date | None = None) -> FormatError | None:
    """Check a canonical 18-character ID number (resident ID, residence permit 81/82/83,
    or the 9-prefixed foreigner permanent-residence ID)."""
    if looks_damaged_by_spreadsheet(value):
        return FormatError(
            "身份证号码被表格软件按数字保存，末位已丢失，请以文本格式重新填写",
            "ID number was stored as a number by a spreadsheet and lost digits; "
            "enter it again as text",
        )
    if re.fullmatch(r"[0-9]{15}", value):
        return FormatError(
            "15位旧身份证号码不再受理，请填写18位号码",
            "legacy 15-digit ID numbers are not accepted; give the 18-character number",
        )
    if len(value) != 18:
        return FormatError(
            f"身份证号码应为18位，实为{len(value)}位",
            f"ID number must have 18 characters, not {len(value)}",
        )
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        return FormatError(
            "身份证号码只能由数字组成，末位可为X",
            "ID number may hold only digits, with X allowed as the last character",
        )
    # The 2023 foreigner permanent-residence ID is 9 + the issuing province + country code.
    province = value[1:3] if value[0] == "9" else value[:2]
    if int(province) not in ID_PROVINCES:
        starts = f"（号码以{value[:3]}开头）" if value[0] == "9" else ""
        return FormatError(
            f"身份证号码的省级代码{province}不存在{starts}",
            f"ID number's province code {province} does not exist (it starts {value[:3]})",
        )
    birth = id_birth_date(value)
    if birth is None:
        return FormatError(
            # The digits themselves are not quoted: a message shows no more of an ID number
            # than its masked value does (data contract, "Findings").
            "身份证号码中的出生日期（第7–14位）不是真实的日期",
            "the ID number's birth date (digits 7–14) is not a real date",
        )
    if birth > (today or dt.date.today()):
        return FormatError(
            "身份证号码中的出生日期（第7–14位）在未来",
            "the ID number's birth date (digits 7–14) is in the future",
        )
    expected = id_check_char(value[:17])
    if value[17] != expected:
        return FormatError(
            f"身份证号码校验码错误（应为{expected}）",
            f"ID number's check character is wrong (expected {expected})",
        )
    return None


def id_birth_date(value: str) -> dt.date | None:
    """The birth date in positions 7–14, or None when it is not a real date."""
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def id_gender(value: str) -> str:
    """男 for an odd 17th digit, 女 for an even one."""
    return "男" if int(value[16]) % 2 else "女"


def age_on(value: str, day: dt.date) -> int:
    """Full years (周岁) of the ID number's holder on ``day``."""
    birth = id_birth_date(value)
    if birth is None:
        # masked as a report would show it: the error may reach a log (masking imports the
        # schema, which imports this module: hence the import here)
        from annexkit.contract.masking import mask_id

        raise ValueError(f"no birth date in {mask_id(value)}")
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# ---------------------------------------------------------------------- credit codes


def normalize_credit_code(raw: str) -> str:
    return re.sub(r"[\s\-]", "", to_halfwidth(raw)).upper()


def credit_check_char(first17: str) -> str:
    """GB 32100 check character; a remainder of 0 gives ``0``."""
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> FormatError | None:
    if len(value) != 18:
        return FormatError(
            f"统一社会信用代码应为18位，实为{len(value)}位",
            f"unified social credit code must have 18 characters, not {len(value)}",
        )
    bad = sorted({c for c in value if c not in CREDIT_ALPHABET})
    if bad:
        return FormatError(
            f"统一社会信用代码含有不允许的字符：{''.join(bad)}（不使用I、O、S、V、Z）",
            f"unified social credit code has characters outside its alphabet: {''.join(bad)}",
        )
    expected = credit_check_char(value[:17])
    if value[17] != expected:
        return FormatError(
            f"统一社会信用代码校验码错误（应为{expected}）",
            f"unified social credit code's check character is wrong (expected {expected})",
        )
    return None


# ---------------------------------------------------------------------- phones, dates


def normalize_phone(raw: str) -> str:
    """Spaces, brackets and a +86/0086 prefix removed; a mobile without hyphens; a landline
    as area-number (010 and 02x have 3-digit area codes, the rest 4)."""
    text = to_halfwidth(raw).strip()
    text = re.sub(r"^(\+86|0086|86(?=[\s\-]*1[3-9]))[\s\-]*", "", text)
    text = re.sub(r"[\s()]", "-", text).strip("-")
    digits = text.replace("-", "")
    if re.fullmatch(r"1[3-9][0-9]{9}", digits):
        return digits
    if re.fullmatch(r"0[0-9]{9,11}", digits):
        area = 3 if digits.startswith(("010", "02")) else 4
        return f"{digits[:area]}-{digits[area:]}"
    return re.sub(r"-+", "-", text)


def validate_phone(value: str) -> FormatError | None:
    if MOBILE_RE.fullmatch(value) or LANDLINE_RE.fullmatch(value):
        return None
    return FormatError(
        "不是有效的手机号码（1[3-9]开头11位）或固定电话（区号-号码）",
        "not a mainland mobile number (11 digits, 1[3-9]…) or landline (0area-number)",
    )


def validate_date(value: str) -> FormatError | None:
    if not DATE_RE.fullmatch(value):
        return FormatError("日期应写作YYYY-MM-DD", "date must be written YYYY-MM-DD")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return FormatError(f"日期{value}不存在", f"{value} is not a real date")
    return None


# ------------------------------------------------------------------ jsonschema binding

VALIDATORS = {
    "id_number": validate_id_number,
    "credit_code": validate_credit_code,
    "phone": validate_phone,
    "date": validate_date,
}

FORMAT_CHECKER = FormatChecker(formats=())
"""A FormatChecker with exactly the contract's formats; the reason of a failure is the
:class:`FormatError` carried as the ``cause`` of jsonschema's error."""


class FormatViolation(ValueError):
    def __init__(self, error: FormatError) -> None:
        super().__init__(str(error))
        self.error = error


def _register(name: str) -> None:
    validate = VALIDATORS[name]

    @FORMAT_CHECKER.checks(name, raises=FormatViolation)
    def check(instance: object) -> bool:
        if not isinstance(instance, str):
            return True  # the type keyword reports non-strings
        error = validate(instance)
        if error is not None:
            raise FormatViolation(error)
        return True


for _name in VALIDATORS:
    _register(_name)
