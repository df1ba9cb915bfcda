"""Demo data for the pay plugin: settings per program, benefit statuses (with AAP and
social assistance with and without district approvals), and a few approved past runs.

Runs after the program plugins' demo data (``trylast``) so their work exists. It never
commits: the demo is one transaction.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import load_settings
from core.contrib import DemoContext
from core.models import DatedSetting, Participant, ProgramDay, Shift
from core.plugins import build_plugin_manager
from plugins.payroll_rules.models import BenefitStatus, DistrictApproval, PayRun
from plugins.payroll_rules.rules import kroner_to_ore
from plugins.payroll_rules.runs import _store, add_months, compute_lines, first_of_month, last_of_month, pay_env_from

DISTRICTS = ("Bydel Gamle Oslo", "Bydel Grünerløkka", "Bydel Sagene")


def _set(db: Session, org_id: int, key: str, value: Any, valid_from: dt.date = dt.date(1900, 1, 1), note: str = "") -> None:
    db.add(DatedSetting(organization_id=org_id, key=key, valid_from=valid_from, value=value, note=note))


def _weekdays_back(today: dt.date, start_days: int, count: int) -> list[dt.date]:
    out, day = [], today - dt.timedelta(days=start_days)
    while len(out) < count:
        if day.weekday() < 5:
            out.append(day)
        day -= dt.timedelta(days=1)
    return sorted(out)


def load_demo(db: Session, organization: Any, context: DemoContext) -> None:
    rng, today, org_id = context.rng, context.today, organization.id
    enabled = {p.plugin for p in organization.plugins}
    daily = "dagsverk_lottery" in enabled
    if daily:
        _set(db, org_id, "payroll.rules", "day_wage")
        _set(db, org_id, "payroll.period", "day")
        _set(db, org_id, "payroll.day_wage", "200", dt.date(2008, 1, 1), "Dagslønn ved oppstart")
        _set(db, org_id, "payroll.day_wage", "250", dt.date(2019, 1, 1), "Økt dagslønn")
    else:
        _set(db, org_id, "payroll.rules", "hourly_wage")
        _set(db, org_id, "payroll.period", "month")
        _set(db, org_id, "payroll.hourly_wage", "100", dt.date(2015, 1, 1))
        _set(db, org_id, "payroll.social_assistance_cap", "2500", dt.date(2015, 1, 1))

    people = list(db.scalars(select(Participant).where(Participant.organization_id == org_id).order_by(Participant.id)))
    start = first_of_month(add_months(today, -12))
    for i, p in enumerate(people):
        roll = rng.random()
        status = "disability" if roll < 0.45 else "aap" if roll < 0.58 else "social_assistance" if roll < 0.75 else "other" if roll < 0.8 else "none"
        if i == 0:
            status = "aap"  # the first person is always on AAP, so the marker is easy to find
        if i == 1:
            status = "social_assistance"
        db.add(BenefitStatus(organization_id=org_id, participant_id=p.id, status=status, valid_from=start, note=""))
        if status == "social_assistance" and (i == 1 or rng.random() < 0.8):
            decided = start + dt.timedelta(days=rng.randint(0, 20))
            db.add(DistrictApproval(
                organization_id=org_id, participant_id=p.id, district=rng.choice(DISTRICTS), decision_date=decided,
                valid_from=decided, valid_to=add_months(today, 6) - dt.timedelta(days=1),
                cap_ore=None if rng.random() < 0.7 else kroner_to_ore(Decimal("2000")),
            ))
    db.flush()

    if daily and context.site is not None:
        # Five worked days two months back, if the lottery's demo left those dates free.
        for day in _weekdays_back(today, 60, 5):
            if db.scalars(select(ProgramDay).where(ProgramDay.site_id == context.site.id, ProgramDay.date == day)).first():
                continue
            pd = ProgramDay(organization_id=org_id, site_id=context.site.id, date=day, is_open=True)
            db.add(pd)
            db.flush()
            for p in rng.sample(people, min(len(people), 18)):
                db.add(Shift(organization_id=org_id, day_id=pd.id, participant_id=p.id, outcome="worked"))
        db.flush()

    env = _env(organization)
    if env is None:
        return
    leader = (context.staff.get("leader") or [None])[0]
    periods: list[tuple[dt.date, dt.date]] = []
    if daily:
        days = sorted(set(db.scalars(select(ProgramDay.date).where(ProgramDay.date < today - dt.timedelta(days=7)).order_by(ProgramDay.date.desc()).limit(5))))
        if days:
            # What was paid before these days, as one run, then a run per day.
            first = db.scalars(select(ProgramDay.date).order_by(ProgramDay.date)).first()
            if first is not None and first < days[0]:
                periods.append((max(first, days[0] - dt.timedelta(days=360)), days[0] - dt.timedelta(days=1)))
        periods += [(d, d) for d in days]
    else:
        for back in (3, 2):
            first = first_of_month(add_months(today, -back))
            periods.append((first, last_of_month(first)))
    for s, e in periods:
        run = PayRun(organization_id=org_id, period_start=s, period_end=e, status="draft", created_by_id=getattr(leader, "id", None))
        lines = compute_lines(db, env, s, e)
        if not lines:
            continue  # no work in the period (Nyttig's demo timesheets are recent)
        db.add(run)
        db.flush()
        _store(db, run, lines)
        run.status = "approved"
        run.approved_at = dt.datetime.combine(e, dt.time(14, 0))
        run.approved_by_id = getattr(leader, "id", None)
        db.flush()


def _env(organization: Any) -> Any:
    """The pay environment outside a request: a plugin manager of its own, as the CLI builds."""
    try:
        plugins = build_plugin_manager(load_settings().plugins.allowed)
    except Exception:  # noqa: BLE001 - demo runs without pay runs rather than not at all
        return None
    defs = {d.key: d for r in plugins.hook.lavterskel_settings() for d in (r or ())}
    return pay_env_from(plugins, defs, organization)
