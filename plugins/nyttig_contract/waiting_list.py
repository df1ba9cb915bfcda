"""The waiting list: who is waiting, in which order, and why.

Each candidate's priority is the sum of visible factors, each weighted by a setting:

* the job is part of a treatment plan;
* a former medarbeider who is ready to come back;
* contacts on their own initiative in the last 90 days (each counts, at most three);
* discharge from treatment within a set number of weeks (the start should come before it).

Equal priority: who has waited longest comes first. Reminders show when nobody has been
in touch for a set number of weeks, and a status meeting is suggested when the
recruitment interview is older than a set number of months.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.i18n import gettext as _
from core.models import Participant
from plugins.nyttig_contract.labels import setting
from plugins.nyttig_contract.models import ContactLog, Interview, PathRecord

WAITING_PHASES = ("waiting", "status_meeting")
OWN_INITIATIVE_DAYS = 90
OWN_INITIATIVE_MAX = 3


@dataclass
class Factor:
    key: str
    label: str
    points: int
    column: str | None = None
    """The path's classified column this factor tells about, when it is a special
    category (a treatment plan, a discharge date): shown only through the gate."""


@dataclass
class WaitingEntry:
    participant: Participant
    path: PathRecord
    factors: list[Factor] = field(default_factory=list)
    waited_days: int = 0
    last_contact: dt.date | None = None
    interview_on: dt.date | None = None
    needs_contact: bool = False
    status_meeting_suggested: bool = False
    rank: int = 0

    @property
    def score(self) -> int:
        return sum(f.points for f in self.factors)


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def waiting_list(db: Session, today: dt.date) -> list[WaitingEntry]:
    w_plan = int(setting(db, "nyttig.weight_treatment_plan"))
    w_return = int(setting(db, "nyttig.weight_returning"))
    w_own = int(setting(db, "nyttig.weight_own_initiative"))
    w_discharge = int(setting(db, "nyttig.weight_discharge_soon"))
    soon = today + dt.timedelta(weeks=int(setting(db, "nyttig.discharge_soon_weeks")))
    remind_after = dt.timedelta(weeks=int(setting(db, "nyttig.contact_reminder_weeks")))
    meeting_months = int(setting(db, "nyttig.status_meeting_after_months"))

    rows = db.execute(select(PathRecord, Participant).join(Participant, Participant.id == PathRecord.participant_id)
                      .where(PathRecord.phase.in_(WAITING_PHASES))).all()
    ids = [p.id for _path, p in rows]
    since = today - dt.timedelta(days=OWN_INITIATIVE_DAYS)
    own = dict(db.execute(select(ContactLog.participant_id, func.count()).where(
        ContactLog.participant_id.in_(ids), ContactLog.initiated_by == "person", ContactLog.on >= since, ContactLog.on <= today)
        .group_by(ContactLog.participant_id)).all())
    last = dict(db.execute(select(ContactLog.participant_id, func.max(ContactLog.on)).where(
        ContactLog.participant_id.in_(ids), ContactLog.reached.is_(True)).group_by(ContactLog.participant_id)).all())
    interviews = dict(db.execute(select(Interview.participant_id, func.max(Interview.held_on)).where(
        Interview.participant_id.in_(ids)).group_by(Interview.participant_id)).all())

    out: list[WaitingEntry] = []
    for path, person in rows:
        e = WaitingEntry(participant=person, path=path)
        if path.treatment_plan_job:
            e.factors.append(Factor("treatment_plan", _("The job is part of a treatment plan"), w_plan, "treatment_plan_job"))
        if path.ever_started and path.ready_to_return:
            e.factors.append(Factor("returning", _("Former medarbeider, ready to come back"), w_return))
        n_own = min(int(own.get(person.id, 0)), OWN_INITIATIVE_MAX)
        if n_own:
            e.factors.append(Factor("own_initiative", _("Got in touch on their own initiative %(n)s times in the last 90 days", n=n_own), w_own * n_own))
        if path.discharge_expected_on is not None and today <= path.discharge_expected_on <= soon:
            e.factors.append(Factor("discharge_soon", _("Discharged from treatment on %(date)s: start before that", date=path.discharge_expected_on.isoformat()), w_discharge,
                                     "discharge_expected_on"))
        start = path.waiting_since or path.phase_since
        e.waited_days = max(0, (today - start).days)
        e.last_contact = last.get(person.id)
        e.interview_on = interviews.get(person.id)
        e.needs_contact = (e.last_contact or start) + remind_after <= today
        e.status_meeting_suggested = path.phase == "waiting" and e.interview_on is not None and add_months(e.interview_on, meeting_months) <= today
        out.append(e)
    out.sort(key=lambda e: (-e.score, -e.waited_days, e.participant.id))
    for i, e in enumerate(out, 1):
        e.rank = i
    return out


def shown_through(entries: list[WaitingEntry], gate: Any) -> list[WaitingEntry]:
    """The entries with each factor that tells a special-category value passed through the
    gate (``core.services.disclosure``): shown (and logged) to those who may read it, and
    otherwise replaced by a neutral priority with the same points, so the order still adds up."""
    for e in entries:
        e.factors = [f if f.column is None or gate.reveal(e.path, f.column).shown
                     else Factor("withheld", _("A priority you may not see"), f.points) for f in e.factors]
    return entries
