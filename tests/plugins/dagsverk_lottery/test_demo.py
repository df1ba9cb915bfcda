"""The demo's 90 days of Dagsverket history are real draws that verify."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select

from core.contrib import DemoContext
from core.models import Attendance, Membership, Participant, ProgramDay, Shift, StaffUser, WorkOrder
from plugins.dagsverk_lottery import draws
from plugins.dagsverk_lottery.demo import load
from plugins.dagsverk_lottery.models import Draw

from tests.conftest import password_hash


def test_demo_history_has_mornings_draws_teams_and_shifts(world):
    with world.db(world.a) as db:
        for i in range(120):
            db.add(Participant(organization_id=world.a.org.id, first_name=f"P{i}", gender="woman" if i % 3 == 0 else "man"))
        for i, title in enumerate(["Vedbua: kløyve ved", "Innelaget: vask", "Plenklipp", "Rydde hage"]):
            db.add(WorkOrder(organization_id=world.a.org.id, title=title, status="in_progress", indoor=i == 1, heavy=i == 0))
        leaders = []
        for i in range(5):
            u = StaffUser(username=f"demo-wl{i}", full_name=f"WL {i}", password_hash=password_hash())
            db.add(u)
            db.flush()
            db.add(Membership(user_id=u.id, organization_id=world.a.org.id, role="work_leader"))
            leaders.append(u)
        db.commit()
        today = dt.date(2026, 6, 15)
        load(db, db.merge(world.a.org), DemoContext(rng=random.Random(1), today=today, staff={"work_leader": leaders}, site=db.merge(world.a.site)))
        db.commit()
        days = db.scalar(select(func.count()).select_from(ProgramDay).where(ProgramDay.is_open, ProgramDay.date < today))
        assert 55 <= days <= 66
        per_day = db.execute(select(func.count()).select_from(Attendance).join(ProgramDay, Attendance.day_id == ProgramDay.id)
                             .where(ProgramDay.date < today).group_by(Attendance.day_id)).scalars().all()
        assert 30 <= sum(per_day) / len(per_day) <= 42
        assert db.scalar(select(func.count()).select_from(Shift)) > 20 * days
        for draw in db.scalars(select(Draw)):
            assert draws.verify(draw).matches
            assert sum(1 for e in draw.entrants if e.result != "reserve") <= draw.capacity
