"""Money: exact values in units with ISO 4217 currencies; vague amounts and ranges are skipped."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsx.pipeline.money import MoneyExpression, find_money

# (text, surface found, value, currency)
AMOUNTS = [
    ("以约10亿美元收购了Neon", "10亿美元", 1_000_000_000, "USD"),
    ("估值达1500 亿美元", "1500 亿美元", 150_000_000_000, "USD"),
    ("估值达1500亿美元", "1500亿美元", 150_000_000_000, "USD"),
    ("a valuation of $150 billion", "$150 billion", 150_000_000_000, "USD"),
    ("4.5亿美元", "4.5亿美元", 450_000_000, "USD"),
    ("Baidu said to lead $140m round", "$140m", 140_000_000, "USD"),
    ("a total of $1.64 billion in funding", "$1.64 billion", 1_640_000_000, "USD"),
    ("raised US$40 million", "US$40 million", 40_000_000, "USD"),
    ("(RMB1 billion)", "RMB1 billion", 1_000_000_000, "CNY"),
    ("融资人民币10亿元", "人民币10亿元", 1_000_000_000, "CNY"),
    ("完成10亿元融资", "10亿元", 1_000_000_000, "CNY"),
    ("约2.5亿美元", "2.5亿美元", 250_000_000, "USD"),
    ("a €20 million round", "€20 million", 20_000_000, "EUR"),
    ("6600万美元", "6600万美元", 66_000_000, "USD"),
    ("1.2万亿元", "1.2万亿元", 1_200_000_000_000, "CNY"),
    ("raised $6.6B", "$6.6B", 6_600_000_000, "USD"),
    ("500万美元", "500万美元", 5_000_000, "USD"),
    ("one billion dollars", "one billion dollars", 1_000_000_000, "USD"),
    ("an over $1-billion round in Nio", "$1-billion", 1_000_000_000, "USD"),
    ("1.5亿美元B轮融资", "1.5亿美元", 150_000_000, "USD"),
    ("十亿美元", "十亿美元", 1_000_000_000, "USD"),
    ("五千万元", "五千万元", 50_000_000, "CNY"),
    ("100多万元", "100多万元", 1_000_000, "CNY"),
    ("HK$5 billion", "HK$5 billion", 5_000_000_000, "HKD"),
    ("港币100万元", "港币100万元", 1_000_000, "HKD"),
    ("£3.5m", "£3.5m", 3_500_000, "GBP"),
    ("1亿日元", "1亿日元", 100_000_000, "JPY"),
    ("3000万欧元", "3000万欧元", 30_000_000, "EUR"),
    ("$1,500", "$1,500", 1500, "USD"),
    ("40 million yuan", "40 million yuan", 40_000_000, "CNY"),
    ("$20.6m round", "$20.6m", 20_600_000, "USD"),
    ("USD 5 million", "USD 5 million", 5_000_000, "USD"),
    ("$4 billion from Amazon", "$4 billion", 4_000_000_000, "USD"),
    ("$5 more", "$5", 5, "USD"),
    ("增长至1亿元", "1亿元", 100_000_000, "CNY"),
    ("1.05亿美元", "1.05亿美元", 105_000_000, "USD"),
    ("$0.5 million", "$0.5 million", 500_000, "USD"),
    ("€2.75", "€2.75", 2.75, "EUR"),
]


@pytest.mark.parametrize(("text", "surface", "value", "currency"), AMOUNTS)
def test_amount(text, surface, value, currency):
    found = find_money(text)
    assert len(found) == 1, found
    money = found[0]
    assert (money.text, money.value, money.currency) == (surface, value, currency)
    assert type(money.value) is type(value), "int when integral, float otherwise"
    assert text[money.start : money.end] == surface


@pytest.mark.parametrize(
    "text",
    [
        "数十亿美元",  # vague
        "数千万元天使轮融资",
        "数亿元A轮融资",
        "上亿元",
        "几十亿美元",
        "$1-2 billion",  # ranges
        "1-2亿美元",
        "5000万至1亿元",
        "billions of dollars",
        "40 million weekly users",  # no currency
        "2024年",
        "a yen for adventure",
    ],
)
def test_no_single_amount(text):
    assert find_money(text) == []


def test_several_amounts_in_order():
    text = "said on Thursday that it had raised $6.6 billion in a Series C round that values the company at $157 billion."
    assert [m.as_amount() for m in find_money(text)] == [
        {"value": 6_600_000_000, "currency": "USD"},
        {"value": 157_000_000_000, "currency": "USD"},
    ]


def test_same_sum_in_two_currencies():
    text = "a new funding round of about $140 million (RMB1 billion) in WM Motor"
    assert [(m.value, m.currency) for m in find_money(text)] == [(140_000_000, "USD"), (1_000_000_000, "CNY")]


AMOUNT_DECIMALS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2)


ZH_SCALES = st.sampled_from([("万", 10**4), ("亿", 10**8), ("万亿", 10**12)])
ZH_CURRENCIES = st.sampled_from([("美元", "USD"), ("元", "CNY"), ("欧元", "EUR")])


@given(AMOUNT_DECIMALS, ZH_SCALES, ZH_CURRENCIES)
def test_chinese_amounts_are_exact(amount, scale, currency):
    word, factor = scale
    suffix, code = currency
    expected = amount * factor
    [money] = find_money(f"完成{amount}{word}{suffix}融资")
    assert Decimal(str(money.value)) == expected
    assert money.currency == code


@given(AMOUNT_DECIMALS, st.sampled_from([("million", 10**6), ("billion", 10**9), ("m", 10**6), ("bn", 10**9)]))
def test_english_amounts_are_exact(amount, scale):
    word, factor = scale
    separator = "" if len(word) <= 2 else " "
    [money] = find_money(f"raised ${amount}{separator}{word} in a round")
    assert Decimal(str(money.value)) == amount * factor
    assert money.currency == "USD"


TOKENS = st.sampled_from([*"0123456789.,-亿万千百十元美$€£ ", "US$", "billion", "m", "数", "多"])


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=60), st.lists(TOKENS, max_size=30).map("".join)))
def test_find_money_is_total_and_well_formed(text):
    found = find_money(text)
    previous_end = 0
    for money in found:
        assert isinstance(money, MoneyExpression)
        assert text[money.start : money.end] == money.text
        assert money.start >= previous_end
        assert money.value >= 0 and len(money.currency) == 3
        previous_end = money.end


def test_pathological_input_completes():
    """100 KB of digits, separators and scale words is matched without catastrophic backtracking."""
    rng = random.Random(0)
    noise = "".join(rng.choice("0123456789.,-亿万元美$ ") for _ in range(100_000))
    runs = "1" * 50_000 + "," * 20_000 + "亿" * 10_000 + "9" * 20_000 + "美元"
    for text in (noise, runs):
        assert all(text[m.start : m.end] == m.text for m in find_money(text))
