"""The fast number, money and date formatting gives exactly what Babel gives."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal
from hypothesis import given
from hypothesis import strategies as st

from core import i18n

LOCALES = ["nb", "en"]


def _babel_money(kroner: Decimal, locale: str) -> str:
    pattern = "¤\u00a0#,##0.00" if locale == "en" else None
    return format_currency(kroner, "NOK", format=pattern, locale=i18n.babel_locale(), currency_digits=pattern is None)


@pytest.mark.parametrize("locale", LOCALES)
@given(ore=st.integers(min_value=-(10**13), max_value=10**13))
def test_money_in_ore_is_formatted_as_babel_formats_it(locale: str, ore: int) -> None:
    with i18n.use_locale(locale):
        assert i18n.format_money(ore, ore=True) == _babel_money(Decimal(ore) / 100, locale)


@pytest.mark.parametrize("locale", LOCALES)
@given(value=st.integers(min_value=-(10**15), max_value=10**15))
def test_whole_numbers_are_formatted_as_babel_formats_them(locale: str, value: int) -> None:
    with i18n.use_locale(locale):
        assert i18n.format_number(value) == format_decimal(value, locale=i18n.babel_locale())


@pytest.mark.parametrize("locale", LOCALES)
@given(value=st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False)
       | st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False)
       | st.decimals(min_value=-10, max_value=10, places=5, allow_nan=False))
def test_decimal_quantities_are_formatted_as_babel_formats_them(locale: str, value: Decimal) -> None:
    with i18n.use_locale(locale):
        assert i18n.format_number(value) == format_decimal(value, locale=i18n.babel_locale())


@pytest.mark.parametrize("locale", LOCALES)
@given(day=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)),
       form=st.sampled_from(["short", "medium", "long", "full"]))
def test_dates_are_formatted_as_babel_formats_them(locale: str, day: dt.date, form: str) -> None:
    with i18n.use_locale(locale):
        assert i18n.format_date(day, form) == babel_format_date(day, format=form, locale=i18n.babel_locale())


def test_the_two_languages_write_money_their_own_way() -> None:
    with i18n.use_locale("nb"):
        assert i18n.format_money(123456, ore=True) == "1\u00a0234,56\u00a0kr"
        assert i18n.format_money(-5, ore=True) == "-0,05\u00a0kr"
    with i18n.use_locale("en"):
        assert i18n.format_money(123456, ore=True) == "NOK\u00a01,234.56"
        assert i18n.format_number(1234567) == "1,234,567"
