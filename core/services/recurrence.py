"""A recurring work order's rule: on which weekdays, every how many weeks, until when.

One function answers whether an order is to be worked on a date
(:func:`occurs_on`); every list of a day's orders (the team suggestion's, the day page's)
asks it, so "every Monday and Thursday" is never offered on a Friday. The rule is shown to
people in words, in their language, by :func:`describe`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from babel.dates import get_day_names
from babel.lists import format_list

from core.i18n import babel_locale, format_date
from core.i18n import gettext as _

WEEKDAYS = (1, 2, 3, 4, 5, 6, 7)
"""ISO weekday numbers: 1 Monday .. 7 Sunday, as :meth:`datetime.date.isoweekday` gives them."""


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _anchor(order: Any) -> dt.date | None:
    """The week "every n weeks" counts from: the start date's, else the day it was made."""
    if order.start_date is not None:
        return order.start_date
    created = getattr(order, "created_at", None)
    return created.date() if created is not None else None


def occurs_on(order: Any, date: dt.date) -> bool:
    """Whether ``order`` is to be worked on ``date``: within its start and end dates and,
    when it repeats on weekdays, on one of them, in one of its weeks (counted from the
    start date's week), not after its last day. An order without weekdays is worked on
    any day between its dates, as before the rule existed. Status is not looked at."""
    if order.start_date is not None and date < order.start_date:
        return False
    if order.end_date is not None and date > order.end_date:
        return False
    days = order.repeat_weekdays or ()
    if not days:
        return True
    if order.repeat_until is not None and date > order.repeat_until:
        return False
    if date.isoweekday() not in days:
        return False
    every = order.repeat_every_weeks or 1
    anchor = _anchor(order)
    if every > 1 and anchor is not None:
        return ((_monday(date) - _monday(anchor)).days // 7) % every == 0
    return True


def weekday_names(width: str = "wide") -> dict[int, str]:
    """ISO weekday number -> its name in the person's language (Babel's)."""
    names = get_day_names(width, locale=babel_locale())
    return {n: str(names[n - 1]) for n in WEEKDAYS}


def days_in_words(days: Iterable[int]) -> str:
    """``[1, 4]`` -> "Monday and Thursday" / "mandag og torsdag"."""
    names = weekday_names()
    wanted = [names[n] for n in sorted(set(days)) if n in names]
    return format_list(wanted, locale=babel_locale()) if wanted else ""


def describe(order: Any) -> str:
    """The order's repetition in words ("Every 2 weeks on Monday and Thursday, until
    31 Dec 2026"), or "" when it has no weekdays."""
    days = order.repeat_weekdays or ()
    if not days:
        return ""
    every = order.repeat_every_weeks or 1
    names = days_in_words(days)
    if every == 1:
        text = _("Every %(days)s", days=names)
    else:
        # every > 1 here: one week is the sentence above, so no plural form is needed.
        text = _("Every %(num)s weeks on %(days)s", num=every, days=names)
    if order.repeat_until is not None:
        text = _("%(rule)s, until %(date)s", rule=text, date=format_date(order.repeat_until))
    return text


def rule_errors(kind: str, days: Sequence[int], every: int, start: dt.date | None, until: dt.date | None) -> dict[str, str]:
    """What is wrong with a rule, by field (translated): a recurring order names its
    weekdays, weekdays belong to a recurring order, its last day is not before its first,
    and "every n weeks" needs a start date to count the weeks from."""
    errors: dict[str, str] = {}
    if kind == "recurring" and not days:
        errors["repeat_weekdays"] = _("Choose at least one weekday for a recurring order.")
    elif days and kind != "recurring":
        errors["kind"] = _("Only a recurring order repeats on weekdays: choose the kind Recurring, or no weekdays.")
    if until is not None and start is not None and until < start:
        errors["repeat_until"] = _("The last day is before the start date.")
    if (until is not None or every > 1) and not days and "repeat_weekdays" not in errors:
        errors["repeat_weekdays"] = _("Choose the weekdays the order repeats on.")
    if every > 1 and start is None:
        errors["start_date"] = _("Give a start date: the weeks are counted from it.")
    return errors
