"""Tests of ``annexkit.generator.text``: how dates, money, amounts in capitals and signature
boxes are printed on the forms.

Amounts in capitals follow the usual rules of Chinese financial writing (《支付结算办法》 附一):
壹 before 拾 at the head of a number (壹拾万, not 拾万); one 零 for a run of inner zeros
(壹拾贰万零叁拾肆); 整 after 元 when there are no 角/分; no 整 after 分; 零 between 元 and 分
when 角 is zero (壹仟元零伍分).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from annexkit.generator.text import cn_date, mark, money, rmb_upper

# -------------------------------------------------------------------------- cn_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("2025-10-20", "2025年10月20日", id="iso-string"),
        pytest.param("2025-01-05", "2025年1月5日", id="no-leading-zeros-in-chinese"),
        pytest.param(dt.date(2024, 2, 29), "2024年2月29日", id="date-object-leap-day"),
        pytest.param(None, "", id="None-blank"),
        pytest.param("", "", id="empty-blank"),
    ],
)
def test_cn_date(value: object, expected: str) -> None:
    assert cn_date(value) == expected


@pytest.mark.parametrize("value", ["2025-02-29", "2025-13-01", "not a date"])
def test_cn_date_rejects_impossible_dates(value: str) -> None:
    with pytest.raises(ValueError):
        cn_date(value)


# ---------------------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(12000, "12,000.00", id="int-thousands-separator"),
        pytest.param(0, "0.00", id="zero-is-not-blank"),
        pytest.param(Decimal("0"), "0.00", id="decimal-zero-is-not-blank"),
        pytest.param(999, "999.00", id="no-separator-below-1000"),
        pytest.param(1234567.891, "1,234,567.89", id="millions-round-down"),
        pytest.param("1200", "1,200.00", id="string"),
        pytest.param(Decimal("1.005"), "1.01", id="half-up-decimal"),
        pytest.param(0.125, "0.13", id="half-up-not-bankers"),
        pytest.param(2.675, "2.68", id="half-up-on-the-printed-float-not-its-binary-value"),
        pytest.param(0.005, "0.01", id="half-fen-rounds-up"),
        pytest.param(0.004, "0.00", id="below-half-fen-rounds-down"),
        pytest.param(999.995, "1,000.00", id="carry-into-thousands"),
        pytest.param(1e6, "1,000,000.00", id="float-1e6"),
        pytest.param(None, "", id="None-blank"),
        pytest.param("", "", id="empty-blank"),
    ],
)
def test_money(value: object, expected: str) -> None:
    assert money(value) == expected


# ------------------------------------------------------------------------ rmb_upper


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(12000, "壹万贰仟元整", id="12000"),
        pytest.param(0, "零元整", id="zero"),
        pytest.param(1005.3, "壹仟零伍元叁角", id="inner-zeros-one-零-then-角-no-整"),
        pytest.param(100000, "壹拾万元整", id="壹拾万-not-拾万"),
        pytest.param(10010, "壹万零壹拾元整", id="zero-thousands-after-万"),
        pytest.param(1000.05, "壹仟元零伍分", id="零-for-missing-角"),
        pytest.param(120034.5, "壹拾贰万零叁拾肆元伍角", id="壹拾贰万零叁拾肆-standard"),
        pytest.param(100000000, "壹亿元整", id="one-亿"),
        pytest.param(1_0000_0001, "壹亿零壹元整", id="亿-then-empty-万-group-then-1"),
        pytest.param(10, "壹拾元整", id="壹拾元"),
        pytest.param(15, "壹拾伍元整", id="壹拾伍"),
        pytest.param(1, "壹元整", id="one-yuan"),
        pytest.param(101000, "壹拾万壹仟元整", id="no-零-when-thousands-present"),
        pytest.param(1200_0034, "壹仟贰佰万零叁拾肆元整", id="万-group-then-small-group"),
        pytest.param(1_0100_0000, "壹亿零壹佰万元整", id="亿-then-small-万-group"),
        pytest.param(1_0001_0000, "壹亿零壹万元整", id="亿-then-1-万"),
        pytest.param(2_0000_3000, "贰亿零叁仟元整", id="亿-empty-万-then-仟"),
        pytest.param(1005_0000, "壹仟零伍万元整", id="inner-zero-in-万-group"),
        pytest.param(1_0000_0000_0000, "壹万亿元整", id="万亿"),
        pytest.param(1234.5, "壹仟贰佰叁拾肆元伍角", id="all-digits-with-角"),
        pytest.param(1409.50, "壹仟肆佰零玖元伍角", id="payment-rules-example-1409.50"),
        pytest.param(6007.14, "陆仟零柒元壹角肆分", id="payment-rules-example-6007.14"),
        pytest.param(1.5, "壹元伍角", id="yuan-and-jiao"),
        pytest.param(1.05, "壹元零伍分", id="yuan-zero-jiao-fen"),
        pytest.param(10.05, "壹拾元零伍分", id="ten-yuan-five-fen"),
        pytest.param(0.5, "伍角", id="jiao-only"),
        pytest.param(0.05, "伍分", id="fen-only-no-leading-零"),
        pytest.param(0.56, "伍角陆分", id="jiao-and-fen"),
        pytest.param("3500", "叁仟伍佰元整", id="string-input"),
        pytest.param(Decimal("12000.00"), "壹万贰仟元整", id="decimal-with-zero-cents"),
        pytest.param(0.005, "壹分", id="rounds-half-up-to-1-fen"),
        pytest.param(12000.004, "壹万贰仟元整", id="rounds-down-to-whole-yuan"),
        pytest.param(None, "", id="None-blank"),
        pytest.param("", "", id="empty-blank"),
    ],
)
def test_rmb_upper(value: object, expected: str) -> None:
    assert rmb_upper(value) == expected


def test_rmb_upper_never_starts_with_a_bare_拾() -> None:
    for value in (10, 15, 100000, 120034.5, 10_0000_0000):
        assert not rmb_upper(value).startswith("拾"), value


def test_rmb_upper_rejects_negative_amounts() -> None:
    with pytest.raises(ValueError):
        rmb_upper(-1)


# ----------------------------------------------------------------------------- mark


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(True, "✓", id="signed"),
        pytest.param(False, "", id="not-signed"),
        pytest.param(None, "", id="unknown-left-blank-for-hand-signature"),
        pytest.param("false", "", id="truthy-string-does-not-tick"),
        pytest.param("", "", id="empty-string"),
    ],
)
def test_mark(value: object, expected: str) -> None:
    assert mark(value) == expected
