"""Tests of ``annexkit.contract.formats``: the contract's value formats (id_number, credit_code,
phone, date), their normalisers, the facts derived from an ID number, masking, and the jsonschema
binding.

Reference values come from /work/shared/spec/domain-notes.md and data-contract.md. Check
characters are computed here by implementations written independently of the module under
test (ISO 7064 MOD 11-2 in its recursive form, GB 32100 with weights derived as 3**i mod 31),
and each is cross-checked against the weight tables the spec gives.
"""

from __future__ import annotations

import datetime as dt

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annexkit.contract.formats import (
    FORMAT_CHECKER,
    FormatError,
    FormatViolation,
    age_on,
    id_birth_date,
    id_gender,
    looks_damaged_by_spreadsheet,
    normalize_credit_code,
    normalize_id_number,
    normalize_phone,
    validate_credit_code,
    validate_date,
    validate_id_number,
    validate_phone,
)
from annexkit.contract.masking import mask_id, mask_phone

# ------------------------------------------------------------ independent reference code

SPEC_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
SPEC_ID_CHECKS = "10X98765432"
SPEC_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
SPEC_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
SPEC_PROVINCES = (
    *(11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37),
    *(41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83),
)


def iso7064_mod11_2(body: str) -> str:
    """Check character by the recursive ISO 7064 MOD 11-2 rule (P ← (P + d)·2 mod 11, then
    the check c satisfies P + c ≡ 1 mod 11; 10 is written X). No weight table involved."""
    p = 0
    for char in body:
        p = (p + int(char)) * 2 % 11
    c = (1 - p) % 11
    return "X" if c == 10 else str(c)


def with_id_check(body17: str) -> str:
    assert len(body17) == 17 and body17.isascii() and body17.isdigit()
    return body17 + iso7064_mod11_2(body17)


def wrong_id_check(valid: str) -> str:
    """The same number with a different, wrong check character."""
    return valid[:17] + ("1" if valid[17] != "1" else "2")


def gb32100_check(body17: str) -> str:
    """GB 32100 check character; weights are 3**(i) mod 31, the alphabet has no I O S V Z."""
    total = sum(SPEC_CREDIT_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(body17))
    return SPEC_CREDIT_ALPHABET[(31 - total % 31) % 31]


def test_reference_implementations_agree_with_the_spec_tables() -> None:
    """Guards the helpers above: they must equal the spec's weighted forms and its examples."""
    assert tuple(pow(2, 17 - i, 11) for i in range(17)) == SPEC_ID_WEIGHTS
    assert tuple(pow(3, i, 31) for i in range(17)) == SPEC_CREDIT_WEIGHTS
    for body in ("11010519491231002", "44070319750312123", "94484019800101001"):
        r = sum(int(d) * w for d, w in zip(body, SPEC_ID_WEIGHTS, strict=True)) % 11
        assert iso7064_mod11_2(body) == SPEC_ID_CHECKS[r]
    assert with_id_check("11010519491231002") == "11010519491231002X"
    assert gb32100_check("91110000600037341") == "L"


# ------------------------------------------------------------------------- ID numbers

JIANGMEN_PENGJIANG_1975 = with_id_check("440703" + "19750312" + "123")
JIANGMEN_TAISHAN_1988 = with_id_check("440781" + "19880808" + "456")
LEAP_DAY_2000 = with_id_check("440703" + "20000229" + "018")

# The Jiangmen numbers carry county codes created after the holder's birth; python-stdnum's
# cn.ric wrongly rejects them (and 81/83 permits), which is why the project has its own validator.
GOOD_IDS = [
    pytest.param("11010519491231002X", id="spec-example-check-X"),
    pytest.param(
        JIANGMEN_PENGJIANG_1975,
        id="440703-蓬江区-born-1975-before-the-county-existed",
    ),
    pytest.param(
        JIANGMEN_TAISHAN_1988,
        id="440781-台山-born-1988-before-the-county-code",
    ),
    pytest.param(with_id_check("810000" + "19850101" + "001"), id="81-Hong-Kong-permit"),
    pytest.param(with_id_check("820000" + "19900615" + "002"), id="82-Macao-permit"),
    pytest.param(with_id_check("830000" + "19800101" + "003"), id="83-Taiwan-permit"),
    pytest.param(
        with_id_check("9" + "44" + "840" + "19800101" + "001"),
        id="9-foreigner-permanent-residence-2023",
    ),
    pytest.param(LEAP_DAY_2000, id="leap-day-birth-2000-02-29"),
    pytest.param(
        with_id_check("440703" + "19900301" + "300"),
        id="valid-number-that-happens-to-end-in-000-is-not-spreadsheet-damage",
    ),
]


@pytest.mark.parametrize("value", GOOD_IDS)
def test_valid_id_numbers_pass(value: str) -> None:
    assert validate_id_number(value) is None
    assert not looks_damaged_by_spreadsheet(value)


def test_the_000_ending_good_case_really_ends_in_000() -> None:
    # The parametrised case above is only meaningful if its check character came out as 0.
    assert with_id_check("440703" + "19900301" + "300").endswith("000")


def _future_birth_id() -> str:
    next_year = dt.date.today().year + 1
    return with_id_check(f"440703{next_year}0101123")


BAD_IDS = [
    pytest.param(
        wrong_id_check(JIANGMEN_PENGJIANG_1975),
        ("校验码",),
        ("check character",),
        id="wrong-check-digit",
    ),
    pytest.param(
        "11010519491231002x",
        ("X",),
        ("X",),
        id="lower-case-x-is-not-canonical",
    ),
    pytest.param(
        "11010519491231002",
        ("18位", "17位"),
        ("18 characters", "17"),
        id="17-characters",
    ),
    pytest.param(
        "11010519491231002X1",
        ("18位", "19位"),
        ("18 characters", "19"),
        id="19-characters",
    ),
    pytest.param(
        "1101051949123A002X",
        ("数字",),
        ("digits",),
        id="letter-inside",
    ),
    pytest.param(
        with_id_check("440703" + "19990230" + "123"),
        ("出生日期", "第7–14位", "不是真实的日期"),
        ("birth date", "not a real date"),
        id="birth-date-19990230-does-not-exist",
    ),
    pytest.param(
        _future_birth_id(),
        ("出生日期", "未来"),
        ("birth date", "future"),
        id="birth-date-in-the-future",
    ),
    pytest.param(
        # A 9-prefixed number is a 2023 foreigner permanent-residence ID only if positions 2-3
        # are the issuing province (e.g. 944…); 99 is no province.
        with_id_check("990000" + "19800101" + "123"),
        ("省级代码", "99"),
        ("province code", "99"),
        id="unknown-province-99",
    ),
    pytest.param(
        with_id_check("100000" + "19800101" + "123"),
        ("省级代码", "10"),
        ("province code", "10"),
        id="unknown-province-10",
    ),
    pytest.param(
        with_id_check("720000" + "19800101" + "123"),
        ("省级代码", "72"),
        ("province code", "72"),
        id="unknown-province-72",
    ),
    pytest.param(
        "440703750312123",
        ("15位",),
        ("15-digit",),
        id="legacy-15-digit",
    ),
    pytest.param(
        "4.40703E+17",
        ("表格",),
        ("spreadsheet",),
        id="excel-scientific-notation",
    ),
    pytest.param(
        "440703199003121230.0",
        ("表格",),
        ("spreadsheet",),
        id="excel-float-with-.0",
    ),
    pytest.param(
        "440703199003121000",
        ("表格",),
        ("spreadsheet",),
        id="excel-15-significant-digits-then-000-check-fails",
    ),
]


@pytest.mark.parametrize(("value", "zh_parts", "en_parts"), BAD_IDS)
def test_invalid_id_numbers_fail_with_the_reason(
    value: str, zh_parts: tuple[str, ...], en_parts: tuple[str, ...]
) -> None:
    error = validate_id_number(value)
    assert isinstance(error, FormatError), f"{value} was accepted"
    for part in zh_parts:
        assert part in error.zh
    for part in en_parts:
        assert part in error.en
    assert error.zh in str(error) and error.en in str(error)


def test_future_birth_is_relative_to_the_given_today() -> None:
    born = with_id_check("440703" + "20251021" + "123")
    assert validate_id_number(born, today=dt.date(2025, 10, 21)) is None  # born today: fine
    error = validate_id_number(born, today=dt.date(2025, 10, 20))
    assert error is not None and "future" in error.en


def test_wrong_check_message_names_the_expected_character() -> None:
    error = validate_id_number("110105194912310021")
    assert error is not None
    assert "X" in error.zh and "expected X" in error.en


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("１１０１０５１９４９１２３１００２X", id="full-width-digits"),
        pytest.param("１１０１０５１９４９１２３１００２Ｘ", id="full-width-digits-and-X"),
    ],
)
def test_validator_accepts_only_the_canonical_ascii_form(value: str) -> None:
    """The contract's canonical id_number is ASCII; full-width input is accepted only through
    normalize_id_number. A validator that passes full-width digits lets two spellings of one
    person through (the checker keys people by ID number)."""
    assert validate_id_number(value) is not None
    assert validate_id_number(normalize_id_number(value)) is None


# -------------------------------------------------------------- ID number normalisation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("11010519491231002x", "11010519491231002X", id="lower-x-to-X"),
        pytest.param(" 110105 19491231 002X ", "11010519491231002X", id="spaces"),
        pytest.param("110105-19491231-002X", "11010519491231002X", id="hyphens"),
        pytest.param("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X", id="full-width"),
        pytest.param(
            "110105\u300019491231\u3000002X", "11010519491231002X", id="ideographic-space"
        ),
        pytest.param("110105\t19491231\n002X", "11010519491231002X", id="tab-newline"),
    ],
)
def test_normalize_id_number(raw: str, expected: str) -> None:
    assert normalize_id_number(raw) == expected
    assert validate_id_number(normalize_id_number(raw)) is None


@pytest.mark.parametrize("raw", ["4.40703E+17", "4.40703e+17", "440703199003121230.0"])
def test_normalize_id_number_does_not_repair_spreadsheet_damage(raw: str) -> None:
    normalized = normalize_id_number(raw)
    assert looks_damaged_by_spreadsheet(normalized)
    error = validate_id_number(normalized)
    assert error is not None and "spreadsheet" in error.en


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("4.40703E+17", id="scientific"),
        pytest.param("4.40703e17", id="scientific-lower-no-plus"),
        pytest.param("4E+17", id="scientific-no-fraction"),
        pytest.param(" 4.40703E+17 ", id="scientific-padded"),
        pytest.param("４.４０７０３Ｅ＋１７", id="scientific-full-width"),
        pytest.param("440703199003121230.0", id="float-18-digits"),
        pytest.param("440703750312123.00", id="float-15-digits"),
        pytest.param("440703199003121000", id="000-ending-check-fails"),
    ],
)
def test_looks_damaged_by_spreadsheet_true(raw: str) -> None:
    assert looks_damaged_by_spreadsheet(raw)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("11010519491231002X", id="valid"),
        pytest.param(JIANGMEN_PENGJIANG_1975, id="valid-jiangmen"),
        pytest.param(with_id_check("440703" + "19900301" + "300"), id="valid-ending-000"),
        pytest.param(wrong_id_check(JIANGMEN_PENGJIANG_1975), id="wrong-check-not-damage"),
        pytest.param("440703750312123", id="legacy-15-digit"),
        pytest.param("", id="empty"),
    ],
)
def test_looks_damaged_by_spreadsheet_false(raw: str) -> None:
    assert not looks_damaged_by_spreadsheet(raw)


# ------------------------------------------------------------ facts from an ID number


@pytest.mark.parametrize(
    ("value", "gender"),
    [
        pytest.param("11010519491231002X", "女", id="17th-digit-2-even"),
        pytest.param(JIANGMEN_PENGJIANG_1975, "男", id="17th-digit-3-odd"),
        pytest.param(with_id_check("440703" + "19750312" + "120"), "女", id="17th-digit-0-even"),
        pytest.param(with_id_check("440703" + "19750312" + "129"), "男", id="17th-digit-9-odd"),
    ],
)
def test_id_gender(value: str, gender: str) -> None:
    assert id_gender(value) == gender


@pytest.mark.parametrize(
    ("value", "birth"),
    [
        ("11010519491231002X", dt.date(1949, 12, 31)),
        (JIANGMEN_TAISHAN_1988, dt.date(1988, 8, 8)),
        (LEAP_DAY_2000, dt.date(2000, 2, 29)),
        (with_id_check("440703" + "19990230" + "123"), None),  # 30 February
        (with_id_check("440703" + "19991301" + "123"), None),  # month 13
        (with_id_check("440703" + "00000101" + "123"), None),  # year 0
    ],
)
def test_id_birth_date(value: str, birth: dt.date | None) -> None:
    assert id_birth_date(value) == birth


@pytest.mark.parametrize(
    ("value", "day", "age"),
    [
        pytest.param(JIANGMEN_PENGJIANG_1975, dt.date(2025, 3, 11), 49, id="day-before-50th"),
        pytest.param(JIANGMEN_PENGJIANG_1975, dt.date(2025, 3, 12), 50, id="on-50th-birthday"),
        pytest.param(JIANGMEN_PENGJIANG_1975, dt.date(2025, 3, 13), 50, id="day-after-50th"),
        pytest.param(JIANGMEN_PENGJIANG_1975, dt.date(2025, 2, 28), 49, id="earlier-month"),
        pytest.param(JIANGMEN_PENGJIANG_1975, dt.date(2025, 12, 31), 50, id="later-month"),
        pytest.param("11010519491231002X", dt.date(2025, 12, 30), 75, id="year-end-before"),
        pytest.param("11010519491231002X", dt.date(2025, 12, 31), 76, id="year-end-on"),
        pytest.param(LEAP_DAY_2000, dt.date(2025, 2, 28), 24, id="leap-born-28-feb-common-year"),
        pytest.param(LEAP_DAY_2000, dt.date(2025, 3, 1), 25, id="leap-born-1-mar-common-year"),
        pytest.param(LEAP_DAY_2000, dt.date(2024, 2, 28), 23, id="leap-born-day-before-in-leap"),
        pytest.param(LEAP_DAY_2000, dt.date(2024, 2, 29), 24, id="leap-born-on-29-feb"),
        pytest.param(LEAP_DAY_2000, dt.date(2000, 2, 29), 0, id="day-of-birth"),
    ],
)
def test_age_on_counts_full_years(value: str, day: dt.date, age: int) -> None:
    assert age_on(value, day) == age


def test_age_on_rejects_a_number_without_a_real_birth_date_and_masks_it() -> None:
    value = with_id_check("440703" + "19990230" + "123")
    with pytest.raises(ValueError) as excinfo:
        age_on(value, dt.date(2025, 1, 1))
    assert value not in str(excinfo.value)
    assert mask_id(value) in str(excinfo.value)


# ------------------------------------------------------------------ credit codes

# Letters in positions 1-2 (registration authority / organisation type) are legal; python-stdnum's
# cn.uscc wrongly rejects them.
GOOD_CREDIT_CODES = [
    pytest.param("91110000600037341L", id="spec-example"),
    pytest.param(
        "Y1440703MA4UABCD1" + gb32100_check("Y1440703MA4UABCD1"),
        id="letters-Y1-in-positions-1-2",
    ),
    pytest.param(
        "N2440703MA51XY0K3" + gb32100_check("N2440703MA51XY0K3"),
        id="letters-N2-in-positions-1-2",
    ),
    pytest.param(
        "A1110000MB0123456" + gb32100_check("A1110000MB0123456"),
        id="letters-A1-in-positions-1-2",
    ),
    pytest.param("9144070357A1B2C3A0", id="remainder-0-gives-check-0-not-31"),
]


def test_remainder_zero_case_is_computed_independently() -> None:
    assert gb32100_check("9144070357A1B2C3A") == "0"


@pytest.mark.parametrize("value", GOOD_CREDIT_CODES)
def test_valid_credit_codes_pass(value: str) -> None:
    assert validate_credit_code(value) is None


@pytest.mark.parametrize(
    ("value", "zh_parts", "en_parts"),
    [
        pytest.param(
            "91110000600037341M", ("校验码", "L"), ("check character", "L"), id="wrong-check"
        ),
        pytest.param(
            "9111000060003734L", ("18位", "17位"), ("18 characters", "17"), id="17-characters"
        ),
        pytest.param(
            "91110000600037341L0", ("18位", "19位"), ("18 characters", "19"), id="19-characters"
        ),
        pytest.param("", ("18位",), ("18 characters",), id="empty"),
        pytest.param("911100006000I7341L", ("I",), ("alphabet", "I"), id="letter-I"),
        pytest.param("911100006000O7341L", ("O",), ("alphabet", "O"), id="letter-O"),
        pytest.param("911100006000S7341L", ("S",), ("alphabet", "S"), id="letter-S"),
        pytest.param("911100006000V7341L", ("V",), ("alphabet", "V"), id="letter-V"),
        pytest.param("911100006000Z7341L", ("Z",), ("alphabet", "Z"), id="letter-Z"),
        pytest.param("91110000600037341l", ("l",), ("alphabet",), id="lower-case-not-canonical"),
        pytest.param("911100006000-7341L", ("-",), ("alphabet",), id="hyphen"),
    ],
)
def test_invalid_credit_codes_fail_with_the_reason(
    value: str, zh_parts: tuple[str, ...], en_parts: tuple[str, ...]
) -> None:
    error = validate_credit_code(value)
    assert isinstance(error, FormatError), f"{value} was accepted"
    for part in zh_parts:
        assert part in error.zh
    for part in en_parts:
        assert part in error.en


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("91110000600037341l", "91110000600037341L"),
        (" 9111 0000 6000 3734 1L ", "91110000600037341L"),
        ("911100-006000-37341L", "91110000600037341L"),
        ("９１１１００００６０００３７３４１Ｌ", "91110000600037341L"),
        ("y1440703ma4uabcd1u", "Y1440703MA4UABCD1U"),
    ],
)
def test_normalize_credit_code(raw: str, expected: str) -> None:
    assert normalize_credit_code(raw) == expected
    assert validate_credit_code(normalize_credit_code(raw)) is None


# ------------------------------------------------------------------------ phones


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("13812345678", id="mobile-138"),
        pytest.param("19912345678", id="mobile-199"),
        pytest.param("0750-3123456", id="jiangmen-landline-4-digit-area-7-digit-number"),
        pytest.param("020-12345678", id="guangzhou-3-digit-area-8-digit-number"),
        pytest.param("010-12345678", id="beijing"),
    ],
)
def test_valid_phones_pass(value: str) -> None:
    assert validate_phone(value) is None


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("12812345678", id="mobile-second-digit-2"),
        pytest.param("1381234567", id="mobile-10-digits"),
        pytest.param("138123456789", id="mobile-12-digits"),
        pytest.param("750-3123456", id="area-code-without-0"),
        pytest.param("0750-123456", id="landline-6-digit-number"),
        pytest.param("0750-123456789", id="landline-9-digit-number"),
        pytest.param("07503123456", id="landline-without-hyphen-not-canonical"),
        pytest.param("+8613812345678", id="country-code-not-canonical"),
        pytest.param("138 1234 5678", id="spaces-not-canonical"),
        pytest.param("", id="empty"),
    ],
)
def test_invalid_phones_fail(value: str) -> None:
    error = validate_phone(value)
    assert isinstance(error, FormatError)
    assert "手机" in error.zh and "mobile" in error.en


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("+86 138 1234 5678", "13812345678", id="+86-and-spaces"),
        pytest.param("+86-13812345678", "13812345678", id="+86-hyphen"),
        pytest.param("86 13812345678", "13812345678", id="86-without-plus"),
        pytest.param("138-1234-5678", "13812345678", id="hyphenated-mobile"),
        pytest.param("１３８１２３４５６７８", "13812345678", id="full-width-mobile"),
        pytest.param("0750-3123456", "0750-3123456", id="canonical-landline-unchanged"),
        pytest.param(" 0750 - 3123456 ", "0750-3123456", id="landline-spaces-round-hyphen"),
        pytest.param("０７５０－３１２３４５６", "0750-3123456", id="full-width-landline"),
    ],
)
def test_normalize_phone(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected
    assert validate_phone(normalize_phone(raw)) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("0750 3123456", "0750-3123456", id="space-between-area-and-number"),
        pytest.param("020 12345678", "020-12345678", id="space-3-digit-area"),
        pytest.param("(0750)3123456", "0750-3123456", id="area-code-in-parentheses"),
    ],
)
def test_normalize_phone_makes_accepted_landline_spellings_canonical(
    raw: str, expected: str
) -> None:
    """The contract accepts landlines written with spaces (and the normaliser already strips
    parentheses), so normalisation must give the canonical ``0area-number``, not the
    un-hyphenated ``07503123456`` that validate_phone then rejects. Area codes are
    unambiguous: 010 and 020–029 have 3 digits, every other one 4."""
    assert normalize_phone(raw) == expected


# ------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("2025-10-20", id="ordinary"),
        pytest.param("2024-02-29", id="leap-day"),
        pytest.param("2000-02-29", id="leap-century"),
        pytest.param("2025-12-31", id="year-end"),
    ],
)
def test_valid_dates_pass(value: str) -> None:
    assert validate_date(value) is None


@pytest.mark.parametrize(
    ("value", "en_part"),
    [
        pytest.param("2025-02-29", "not a real date", id="29-feb-common-year"),
        pytest.param("1900-02-29", "not a real date", id="1900-not-leap"),
        pytest.param("2025-13-01", "not a real date", id="month-13"),
        pytest.param("2025-04-31", "not a real date", id="31-april"),
        pytest.param("2025-00-10", "not a real date", id="month-0"),
        pytest.param("2025/10/20", "YYYY-MM-DD", id="slashes"),
        pytest.param("20251020", "YYYY-MM-DD", id="basic-iso-no-hyphens"),
        pytest.param("2025-1-5", "YYYY-MM-DD", id="not-zero-padded"),
        pytest.param("2025年10月20日", "YYYY-MM-DD", id="chinese-form-not-canonical"),
        pytest.param("2025-10-20T00:00", "YYYY-MM-DD", id="datetime"),
        pytest.param("", "YYYY-MM-DD", id="empty"),
    ],
)
def test_invalid_dates_fail(value: str, en_part: str) -> None:
    error = validate_date(value)
    assert isinstance(error, FormatError)
    assert en_part in error.en


def test_full_width_date_is_rejected() -> None:
    assert validate_date("２０２５-１０-２０") is not None


# ----------------------------------------------------------------------- masking


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("440703199001011234", "4407**********1234"),
        ("11010519491231002X", "1101**********002X"),
        ("440703750312123", "4407*******2123"),
        ("123456789", "1234*6789"),
        ("12345678", "********"),
        ("", ""),
    ],
)
def test_mask_id(value: str, masked: str) -> None:
    assert mask_id(value) == masked
    assert len(mask_id(value)) == len(value)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        pytest.param("13812345678", "138****5678", id="mobile"),
        pytest.param("0750-3123456", "0750-*****56", id="landline-keeps-area-and-last-2"),
        pytest.param("020-12345678", "020-******78", id="landline-8-digit"),
        pytest.param("12345", "***45", id="other-keeps-last-2"),
    ],
)
def test_mask_phone(value: str, masked: str) -> None:
    assert mask_phone(value) == masked


# --------------------------------------------------------------- jsonschema binding


def test_format_checker_knows_exactly_the_contract_formats() -> None:
    assert set(FORMAT_CHECKER.checkers) == {"id_number", "credit_code", "phone", "date"}


@pytest.mark.parametrize(
    ("fmt", "value"),
    [
        ("id_number", "11010519491231002X"),
        ("id_number", JIANGMEN_PENGJIANG_1975),
        ("credit_code", "91110000600037341L"),
        ("phone", "0750-3123456"),
        ("date", "2025-10-20"),
    ],
)
def test_format_checker_accepts_valid_values(fmt: str, value: str) -> None:
    jsonschema.validate(value, {"format": fmt}, format_checker=FORMAT_CHECKER)


@pytest.mark.parametrize(
    ("fmt", "value", "en_part"),
    [
        ("id_number", wrong_id_check(JIANGMEN_PENGJIANG_1975), "check character"),
        ("id_number", "4.40703E+17", "spreadsheet"),
        ("id_number", "440703750312123", "15-digit"),
        ("credit_code", "91110000600037341M", "check character"),
        ("phone", "12812345678", "mobile"),
        ("date", "2025-02-29", "not a real date"),
    ],
)
def test_format_checker_rejects_with_the_reason_as_cause(
    fmt: str, value: str, en_part: str
) -> None:
    with pytest.raises(jsonschema.ValidationError) as excinfo:
        jsonschema.validate(value, {"format": fmt}, format_checker=FORMAT_CHECKER)
    cause = excinfo.value.cause
    assert isinstance(cause, FormatViolation)
    assert isinstance(cause.error, FormatError)
    assert en_part in cause.error.en


def test_format_checker_works_inside_an_object_schema() -> None:
    schema = {
        "type": "object",
        "properties": {"id_number": {"type": "string", "format": "id_number"}},
    }
    validator = jsonschema.Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
    errors = list(validator.iter_errors({"id_number": "11010519491231002x"}))
    assert len(errors) == 1
    assert list(errors[0].absolute_path) == ["id_number"]
    assert not list(validator.iter_errors({"id_number": "11010519491231002X"}))


@pytest.mark.parametrize("value", [12345, None, 4.40703e17, ["11010519491231002X"]])
def test_format_checker_leaves_non_strings_to_the_type_keyword(value: object) -> None:
    jsonschema.validate(value, {"format": "id_number"}, format_checker=FORMAT_CHECKER)


# ------------------------------------------------------------------ property tests

_PAST = dt.date.today() - dt.timedelta(days=1)


@st.composite
def id_bodies(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from(SPEC_PROVINCES))
    rest_of_area = draw(st.integers(0, 9999))
    birth = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=_PAST))
    sequence = draw(st.integers(0, 999))
    return f"{province:02d}{rest_of_area:04d}{birth:%Y%m%d}{sequence:03d}"


@settings(max_examples=300, deadline=None)
@given(body=id_bodies(), other=st.sampled_from("0123456789X"))
def test_property_computed_check_is_valid_and_any_other_is_not(body: str, other: str) -> None:
    valid = with_id_check(body)
    assert validate_id_number(valid) is None
    if other != valid[17]:
        assert validate_id_number(body + other) is not None


def test_an_invalid_birth_date_is_not_quoted_beside_the_masked_number() -> None:
    """Issue 11: ``出生日期19901301不存在`` beside ``4407**********1236`` showed 16 of 18
    characters. The message names the digits' place, never the digits."""
    bad = with_id_check("440705" + "19901301" + "123")
    problem = validate_id_number(bad)
    assert problem is not None
    assert "19901301" not in f"{problem.zh} {problem.en}"
