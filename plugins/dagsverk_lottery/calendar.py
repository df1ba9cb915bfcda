"""The opening calendar, the day's capacity, the draw's time and mode, and other settings."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from core.contrib import SettingDef
from core.i18n import lazy_gettext as L
from core.models import Attendance, ProgramDay, Shift, Site, Team
from core.services import days as day_service
from core.services.settings import setting_on
from plugins.dagsverk_lottery.models import CheckIn, Draw

DRAW_MODES = ("morning", "day_before")
SCREEN_NAMES = ("short", "first_name")


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
        SettingDef("dagsverk.screen_names", L("Names on the big screen: short (nickname, else first name) or first_name"), "short"),
        SettingDef("dagsverk.open_weekdays", L("Weekdays the program is open (1 = Monday)"), "1,2,3,4,5"),
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


def open_weekdays(db: Session) -> set[int]:
    out = set()
    for part in str(setting(db, "dagsverk.open_weekdays")).split(","):
        part = part.strip()
        if part.isdigit() and 1 <= int(part) <= 7:
            out.add(int(part))
    return out or {1, 2, 3, 4, 5}


def default_site(db: Session) -> Site | None:
    return db.scalars(select(Site).order_by(Site.id)).first()


def day_for(db: Session, organization_id: int, site: Site, date: dt.date) -> ProgramDay:
    """The program day, created on first use: open on the open weekdays, closed otherwise."""
    existing = db.scalars(select(ProgramDay).where(ProgramDay.site_id == site.id, ProgramDay.date == date)).first()
    if existing is not None:
        return existing
    day = day_service.program_day(db, organization_id, site, date)
    assert day is not None
    if date.isoweekday() not in open_weekdays(db) and day.is_open and not day.note:
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
    return ProgramDay(organization_id=organization_id, site_id=site.id, date=date, is_open=date.isoweekday() in open_weekdays(db),
                      capacity=None, note="", closed_at=None)


def calendar(db: Session, site: Site, start: dt.date, days: int) -> list[tuple[dt.date, ProgramDay | None, bool]]:
    """``(date, stored day or None, open?)`` for each date; unstored dates follow the weekdays."""
    rows = {d.date: d for d in db.scalars(
        select(ProgramDay).where(ProgramDay.site_id == site.id, ProgramDay.date >= start, ProgramDay.date < start + dt.timedelta(days=days))
    )}
    weekdays = open_weekdays(db)
    out = []
    for i in range(days):
        date = start + dt.timedelta(days=i)
        row = rows.get(date)
        out.append((date, row, row.is_open if row is not None else date.isoweekday() in weekdays))
    return out
