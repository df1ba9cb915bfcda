"""The two built-in pay rules and the settings they read.

* ``day_wage`` (Dagsverket): a flat amount per worked day, the rate in force on the day.
  Tax-free and never counted against benefits or social assistance.
* ``hourly_wage`` (Nyttig Arbeid): approved hours, rounded half up to the nearest step
  (a quarter hour unless the program says otherwise), times the hourly rate in force.

Another program adds its own rule through ``lavterskel_pay_rules`` in its own plugin.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from core.contrib import PayableWork, PayQuote, PayRule, SettingDef
from core.i18n import lazy_gettext as _

Setting = Callable[[str, dt.date], Any]

DEFAULT_RULES = "day_wage hourly_wage"


# Both are pure and asked about the same few rates and hour counts for every line of a
# run (a month with three months of corrections prices about 40,000 pieces of work).
@lru_cache(maxsize=1024)
def kroner_to_ore(value: Decimal) -> int:
    return int((Decimal(value) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@lru_cache(maxsize=4096)
def round_hours(hours: Decimal, step: Decimal) -> Decimal:
    """Round half up to the nearest ``step`` (0.25: 7.37 -> 7.25, 7.38 -> 7.50)."""
    if step <= 0:
        return hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    units = (hours / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return (units * step).quantize(Decimal("0.01"))


_PAID_IF_SET = {"left_early": "payroll.pay_left_early", "sent_home": "payroll.pay_sent_home"}
"""Outcomes other than a full day's work, paid when the program's setting says so."""


def price_day_wage(work: PayableWork, setting: Setting) -> PayQuote | None:
    rate = kroner_to_ore(setting("payroll.day_wage", work.date))
    paid = work.outcome == "worked" or (work.outcome in _PAID_IF_SET and setting(_PAID_IF_SET[work.outcome], work.date))
    if not paid:
        return PayQuote(quantity=Decimal(0), rate_ore=rate, amount_ore=0, unit="day")
    return PayQuote(quantity=Decimal(1), rate_ore=rate, amount_ore=rate, unit="day")


def price_hourly_wage(work: PayableWork, setting: Setting) -> PayQuote | None:
    if work.hours is None:
        return None
    rate = kroner_to_ore(setting("payroll.hourly_wage", work.date))
    hours = round_hours(Decimal(work.hours), Decimal(setting("payroll.hours_step", work.date)))
    amount = int((hours * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return PayQuote(quantity=hours, rate_ore=rate, amount_ore=amount, unit="hour")


BUILTIN_RULES = [
    PayRule(
        key="day_wage", label=_("Day wage"), kinds=("day",), price=price_day_wage, tax_free=True,
        counts_against_benefits=False,
        description=_("A flat amount per worked day. Tax-free, and not counted against benefits or social assistance."),
    ),
    PayRule(
        key="hourly_wage", label=_("Motivation wage"), kinds=("hours",), price=price_hourly_wage,
        description=_("Approved hours, rounded to the nearest step, times the hourly rate in force on the day."),
    ),
]

EFFECT_SETTINGS = {
    "none": "payroll.effect_none",
    "disability": "payroll.effect_disability",
    "aap": "payroll.effect_aap",
    "social_assistance": "payroll.effect_social_assistance",
    "other": "payroll.effect_other",
}

SETTINGS = [
    # Dagsverket paid 200 NOK a day before; rates are dated so old days keep old pay.
    SettingDef("payroll.day_wage", _("Day wage (NOK)"), Decimal("250"), kind="decimal", dated=True),
    SettingDef("payroll.hourly_wage", _("Motivation wage per hour (NOK)"), Decimal("100"), kind="decimal", dated=True),
    SettingDef("payroll.social_assistance_cap", _("Monthly cap on social assistance (NOK)"), Decimal("2500"), kind="decimal", dated=True),
    SettingDef("payroll.rules", _("Pay rules in use (keys, separated by spaces)"), DEFAULT_RULES),
    SettingDef("payroll.period", _("Pay period: \"day\" or \"month\""), "month"),
    SettingDef("payroll.hours_step", _("Hours are rounded half up to the nearest (hours)"), Decimal("0.25"), kind="decimal"),
    SettingDef("payroll.pay_left_early", _("Pay the day wage to someone who left early"), True, kind="bool"),
    SettingDef("payroll.pay_sent_home", _("Pay the day wage to someone sent home during the day"), True, kind="bool"),
    SettingDef("payroll.correction_months", _("Months back a pay run corrects earlier pay"), 3, kind="int"),
    SettingDef("payroll.effect_none", _("Pay with no benefit: paid, unpaid, capped or held"), "paid"),
    SettingDef("payroll.effect_disability", _("Pay on disability benefit: paid, unpaid, capped or held"), "paid"),
    SettingDef("payroll.effect_aap", _("Pay on work-assessment allowance (AAP): paid, unpaid, capped or held"), "unpaid"),
    SettingDef("payroll.effect_social_assistance", _("Pay on social assistance: paid, unpaid, capped or held"), "capped"),
    SettingDef("payroll.effect_other", _("Pay on another benefit: paid, unpaid, capped or held"), "paid"),
]
