"""Shared helpers for the pay plugin's tests: work made to order, settings, statuses."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from core import hookimpl
from core.contrib import PayableWork
from core.models import Organization, Participant, ProgramDay, Shift
from core.services.settings import set_setting
from plugins.payroll_rules.models import BenefitStatus, DistrictApproval
from plugins.payroll_rules.runs import PayEnv, pay_env


class HoursSource:
    """A stand-in for a program plugin's approved timesheet lines (kind ``hours``)."""

    def __init__(self) -> None:
        self.items: list[PayableWork] = []
        self._next = 1

    def add(self, participant_id: int, day: dt.date, hours: str | Decimal) -> PayableWork:
        w = PayableWork(participant_id=participant_id, date=day, kind="hours", source=f"test_timesheet:{self._next}", hours=Decimal(hours))
        self._next += 1
        self.items.append(w)
        return w

    def remove(self, work: PayableWork) -> None:
        self.items.remove(work)

    @hookimpl
    def lavterskel_payable_work(self, start: dt.date, end: dt.date) -> list[PayableWork]:
        return [w for w in self.items if start <= w.date <= end]


def register_hours(app: Any) -> Iterator[HoursSource]:
    source = HoursSource()
    pm = app.state["ctx"].plugins.pm
    pm.register(source, name="test_hours_source")
    try:
        yield source
    finally:
        pm.unregister(name="test_hours_source")


def env(app: Any, db: Any, org_id: int) -> PayEnv:
    org = db.get(Organization, org_id)
    return pay_env(app.state["ctx"], org)


def setting(app: Any, db: Any, org_id: int, key: str, value: Any, valid_from: dt.date | None = None) -> None:
    set_setting(db, org_id, app.state["ctx"].setting_defs[key], value, valid_from)


def person(db: Any, org_id: int, first: str = "Kari", last: str = "Nordmann") -> Participant:
    p = Participant(organization_id=org_id, first_name=first, last_name=last, birth_date=dt.date(1980, 5, 17))
    db.add(p)
    db.commit()
    return p


def status(db: Any, org_id: int, participant_id: int, value: str, valid_from: dt.date) -> None:
    db.add(BenefitStatus(organization_id=org_id, participant_id=participant_id, status=value, valid_from=valid_from))
    db.commit()


def approval(db: Any, org_id: int, participant_id: int, valid_from: dt.date, valid_to: dt.date | None, cap_ore: int | None = None) -> DistrictApproval:
    a = DistrictApproval(organization_id=org_id, participant_id=participant_id, district="Bydel Gamle Oslo",
                         decision_date=valid_from, valid_from=valid_from, valid_to=valid_to, cap_ore=cap_ore)
    db.add(a)
    db.commit()
    return a


def worked_shift(db: Any, org_id: int, site_id: int, participant_id: int, day: dt.date, outcome: str = "worked") -> Shift:
    from sqlalchemy import select

    pd = db.scalars(select(ProgramDay).where(ProgramDay.site_id == site_id, ProgramDay.date == day)).first()
    if pd is None:
        pd = ProgramDay(organization_id=org_id, site_id=site_id, date=day, is_open=True)
        db.add(pd)
        db.flush()
    s = Shift(organization_id=org_id, day_id=pd.id, participant_id=participant_id, outcome=outcome)
    db.add(s)
    db.commit()
    return s
