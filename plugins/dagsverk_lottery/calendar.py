"""The opening calendar, the day's capacity, the draw's time and mode, and other settings.

Which days are open: a stored day row (staff opened or closed the day) wins; without one, a
day is open on the open weekdays unless it is a Norwegian public holiday (the ``holidays``
package, kept up to date by others, with the moving Easter and Whitsun days) or one of the
program's closed dates (``dagsverk.closed_dates``). The closed dates default to Christmas
Eve and New Year's Eve: neither is a public holiday by law, so the package leaves them out,
but the municipality's services close at noon or earlier on both, and a day that ends at
13:30 with people paid in cash on the spot is not run on them. A program that opens on them
empties the setting or opens the day in the calendar.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

import holidays
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from core.contrib import SettingDef
from core.i18n import current_locale
from core.i18n import lazy_gettext as L
from core.models import Attendance, ProgramDay, Shift, Site, Team
from core.services import days as day_service
from core.services.settings import coerce
from core.services.settings import history as setting_history
from core.services.settings import setting_on
from plugins.dagsverk_lottery.models import CheckIn, Draw

DRAW_MODES = ("morning", "day_before")
SCREEN_NAMES = ("short", "first_name", "receipt")
CONTRIBUTIONS = ("required", "optional")


def setting_defs() -> list[SettingDef]:
    return [
        # 15 at the start (2008), 18 from 2016, 23 from 2018, 15 again under COVID.
        SettingDef("dagsverk.capacity", L("Places in the daily draw"), 23, kind="int", dated=True),
        SettingDef("dagsverk.draw_time", L("Time of the draw"), "09:00", kind="time"),
        SettingDef("dagsverk.draw_mode", L("Draw mode: morning or day_before (with a call list)"), "morning"),
        # Day-before mode: a place of someone not reached on the phone goes to the next
        # reserve at this time of the day before (they keep any right they held).
        SettingDef("dagsverk.call_deadline", L("Day-before mode: when a place of someone not reached goes to the next reserve (time of the day before)"),
                   "18:00", kind="time"),
        SettingDef("dagsverk.screen_names", L("Names on the big screen: short (nickname, else first name, and the last name's initial), "
                                              "first_name (with the initial) or receipt (the receipt code only)"), "short"),
        SettingDef("dagsverk.draw_contribution", L("Numbers typed from the lottery machine or dice at the draw: required or optional"),
                   "required"),
        SettingDef("dagsverk.open_weekdays", L("Weekdays the program is open (1 = Monday)"), "1,2,3,4,5"),
        SettingDef("dagsverk.closed_dates", L("Closed every year besides the public holidays (day.month, comma-separated)"),
                   "24.12, 31.12"),
        SettingDef("dagsverk.max_follow_up_per_team", L("At most this many people needing close follow-up per team"), 1, kind="int"),
    ]


DEFS: dict[str, SettingDef] = {d.key: d for d in setting_defs()}


def setting(db: Session, key: str, day: dt.date | None = None) -> Any:
    return setting_on(db, DEFS, key, day)


def capacity_for(db: Session, day: ProgramDay) -> int:
    if day.capacity is not None:
        return day.capacity
    return int(setting(db, "dagsverk.capacity", day.date))


def draw_mode(db: Session) -> str:
    mode = str(setting(db, "dagsverk.draw_mode"))
    return mode if mode in DRAW_MODES else "morning"


def screen_names(db: Session) -> str:
    value = str(setting(db, "dagsverk.screen_names"))
    return value if value in SCREEN_NAMES else "short"


def draw_contribution(db: Session) -> str:
    value = str(setting(db, "dagsverk.draw_contribution"))
    return value if value in CONTRIBUTIONS else "required"


def open_weekdays(db: Session) -> set[int]:
    out = set()
    for part in str(setting(db, "dagsverk.open_weekdays")).split(","):
        part = part.strip()
        if part.isdigit() and 1 <= int(part) <= 7:
            out.add(int(part))
    return out or {1, 2, 3, 4, 5}


def closed_dates(db: Session) -> set[tuple[int, int]]:
    """``(month, day)`` of each date closed every year by the setting; bad parts are skipped."""
    out = set()
    for part in str(setting(db, "dagsverk.closed_dates")).split(","):
        bits = part.strip().rstrip(".").split(".")
        if len(bits) == 2 and all(b.isdigit() for b in bits):
            day, month = int(bits[0]), int(bits[1])
            try:
                dt.date(2024, month, day)  # a leap year: 29.2 is a date
            except ValueError:
                continue
            out.add((month, day))
    return out


@functools.cache
def _public_holidays(year: int, language: str) -> dict[dt.date, str]:
    return dict(holidays.Norway(years=year, include_sundays=False, language=language).items())


# Names of the closed dates the package does not know; others are closed without a name.
_CLOSED_DATE_NAMES = {(12, 24): L("Christmas Eve"), (12, 31): L("New Year's Eve")}


def public_holiday(date: dt.date) -> str | None:
    """The public holiday's name in the page's language (the package's own Norwegian for nb)."""
    return _public_holidays(date.year, "no" if current_locale() == "nb" else "en_US").get(date)


class Calendar:
    """The calendar's default for dates without a stored row, read from the settings once."""

    def __init__(self, db: Session) -> None:
        self.weekdays = open_weekdays(db)
        self.closed = closed_dates(db)

    def closed_because(self, date: dt.date) -> str | None:
        """Why the date is closed by default: a holiday's name, "" for a closed date without
        one or a closed weekday, ``None`` when it is open."""
        name = public_holiday(date)
        if name is not None:
            return name
        if (date.month, date.day) in self.closed:
            return str(_CLOSED_DATE_NAMES.get((date.month, date.day), ""))
        return None if date.isoweekday() in self.weekdays else ""

    def is_open(self, date: dt.date) -> bool:
        return self.closed_because(date) is None


def open_by_default(db: Session, date: dt.date) -> bool:
    """Whether a date without a stored row is open."""
    return Calendar(db).is_open(date)


# How far back the rights look for an open day nobody was registered on: past a year,
# the sixty open days of history are used up on any program open once a week or more.
UNRECORDED_LOOKBACK_DAYS = 400


def last_unrecorded_open_day(db: Session, site_id: int, before: dt.date, open_days: int) -> dt.date | None:
    """The newest date before ``before`` that was open by the calendar but has no stored day
    row: nobody was registered, so everyone's row of days is broken there. Only the last
    ``open_days`` stored open days matter (the rights look no further back); ``None`` when
    no such date is among them."""
    since = before - dt.timedelta(days=UNRECORDED_LOOKBACK_DAYS)
    stored: dict[dt.date, bool] = dict(db.execute(select(ProgramDay.date, ProgramDay.is_open).where(
        ProgramDay.site_id == site_id, ProgramDay.date < before, ProgramDay.date >= since)).all())
    defaults = Calendar(db)
    seen_open = 0
    date = before - dt.timedelta(days=1)
    while date >= since and seen_open < open_days:
        if date in stored:
            seen_open += 1 if stored[date] else 0
        elif defaults.is_open(date):
            return date
        date -= dt.timedelta(days=1)
    return None


def default_site(db: Session) -> Site | None:
    return db.scalars(select(Site).order_by(Site.id)).first()


def day_for(db: Session, organization_id: int, site: Site, date: dt.date) -> ProgramDay:
    """The program day, created on first use: open as the calendar says (open weekdays, not a
    public holiday or closed date), closed otherwise."""
    existing = db.scalars(select(ProgramDay).where(ProgramDay.site_id == site.id, ProgramDay.date == date)).first()
    if existing is not None:
        return existing
    day = day_service.program_day(db, organization_id, site, date)
    assert day is not None
    if day.is_open and not day.note and day.closed_at is None and not open_by_default(db, date):
        day.is_open = False
        db.commit()
    return day


def forget_unused_day(db: Session, day_id: int) -> None:
    """Remove a day a refused request stored, in one statement and only while nothing refers
    to it: another request may have used the day in the meantime, and then it stays."""
    used = [select(t.c.day_id).where(t.c.day_id == day_id).exists()
            for t in (Attendance.__table__, Team.__table__, Shift.__table__, CheckIn.__table__, Draw.__table__)]
    db.execute(delete(ProgramDay).where(ProgramDay.id == day_id, ~or_(*used)).execution_options(synchronize_session=False))
    db.commit()


def find_day(db: Session, organization_id: int, site: Site, date: dt.date) -> ProgramDay:
    """The stored program day, or, if there is none yet, an unsaved one as :func:`day_for`
    would create it (open on the open weekdays). For pages that only look: opening a page
    creates nothing; the first POST that needs the day stores it (``day_for``). The unsaved
    day has no id, so everything looked up by day finds nothing."""
    existing = db.scalars(select(ProgramDay).where(ProgramDay.site_id == site.id, ProgramDay.date == date)).first()
    if existing is not None:
        return existing
    return ProgramDay(organization_id=organization_id, site_id=site.id, date=date, is_open=open_by_default(db, date),
                      capacity=None, note="", closed_at=None)


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    row: ProgramDay | None
    """The stored day, if any: it wins over the default."""
    is_open: bool
    capacity: int
    """Places in the draw: the day's own, else the setting in force on the date."""
    holiday: str
    """The public holiday's or closed date's name ("" if none), whether or not the day is stored."""


def calendar(db: Session, site: Site, start: dt.date, days: int) -> list[CalendarDay]:
    """Each date of the period: a stored day as stored, others as the calendar says."""
    rows = {d.date: d for d in db.scalars(
        select(ProgramDay).where(ProgramDay.site_id == site.id, ProgramDay.date >= start, ProgramDay.date < start + dt.timedelta(days=days))
    )}
    defaults = Calendar(db)
    places = dated_capacity(db, start, start + dt.timedelta(days=days - 1))
    out = []
    for i in range(days):
        date = start + dt.timedelta(days=i)
        row = rows.get(date)
        closed_because = defaults.closed_because(date)
        is_open = row.is_open if row is not None else closed_because is None
        capacity = row.capacity if row is not None and row.capacity is not None else places(date)
        out.append(CalendarDay(date, row, is_open, capacity, public_holiday(date) or (closed_because or "")))
    return out


def dated_capacity(db: Session, start: dt.date, end: dt.date) -> Any:
    """``date -> places`` from the dated setting, for dates in ``[start, end]``, read once."""
    history = [(r.valid_from, int(coerce(DEFS["dagsverk.capacity"], r.value))) for r in setting_history(db, "dagsverk.capacity")]
    default = int(DEFS["dagsverk.capacity"].default)

    def on(date: dt.date) -> int:
        value = default
        for valid_from, places in history:  # oldest first: the last one begun counts
            if valid_from <= date:
                value = places
        return value
    return on
