"""Demo data for Dagsverket at Stavne: 90 days of mornings with check-ins, draws, teams
and shifts, work profiles, order profiles and the capacity's history.

The draws are real: rights come from the same rules and the same draw function as in
production (computed in memory for speed), and every stored draw verifies.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Attendance, DatedSetting, Participant, ProgramDay, Shift, Team, WorkOrder
from plugins.dagsverk_lottery import algorithm
from plugins.dagsverk_lottery.models import CheckIn, Draw, DrawEntrant, DrawEvent, OrderProfile, TeamNote, WorkProfile
from plugins.dagsverk_lottery.rights import DayRecord, right_of

DAYS_BACK = 90
CAPACITY_HISTORY = [(dt.date(2008, 1, 1), 15), (dt.date(2016, 1, 1), 18), (dt.date(2018, 1, 1), 23),
                    (dt.date(2020, 3, 16), 15), (dt.date(2021, 9, 1), 23)]
FIXED_BY_TITLE = {"Vedbua": "firewood", "Innelaget": "indoor", "Hente mat fra Matsentralen": "food_bank"}


def _utc(day: dt.date, hour: int, minute: int) -> dt.datetime:
    # Oslo morning to naive UTC (one hour behind in winter, two in summer; close enough for demo times).
    return dt.datetime.combine(day, dt.time(hour, minute)) - dt.timedelta(hours=1)


def load(db: Session, organization: Any, context: Any) -> None:
    rng = context.rng
    today: dt.date = context.today
    site = context.site
    org_id = organization.id
    for valid_from, value in CAPACITY_HISTORY:
        db.add(DatedSetting(organization_id=org_id, key="dagsverk.capacity", valid_from=valid_from, value=value,
                            note="Demo: plassene gjennom årene"))
    orders = list(db.scalars(select(WorkOrder).where(WorkOrder.organization_id == org_id)))
    for o in orders:
        fixed = next((v for k, v in FIXED_BY_TITLE.items() if o.title.startswith(k)), "")
        db.add(OrderProfile(organization_id=org_id, work_order_id=o.id, fixed_team=fixed))
        o.steep, o.ladders = "Plenklipp" in o.title or "hage" in o.title, "Trefelling" in o.title
    people = [p for p in db.scalars(select(Participant).where(Participant.organization_id == org_id).order_by(Participant.id)) if p.active]
    leaders = context.staff.get("work_leader", [])
    # About 45 regulars who come most days, the rest now and then, a few new in the period.
    rng.shuffle(people)
    regulars, occasional, newcomers = people[:45], people[45:100], people[100:]
    chance = {p.id: 0.66 for p in regulars} | {p.id: 0.1 for p in occasional}
    start = today - dt.timedelta(days=DAYS_BACK)
    for p in regulars + occasional:
        p.first_seen_on = start - dt.timedelta(days=rng.randint(30, 2000))
    new_from = {p.id: start + dt.timedelta(days=rng.randint(5, DAYS_BACK - 1)) for p in newcomers}
    for p in people:
        limits = []
        if rng.random() < 0.12:
            limits.append("no_heavy")
        if rng.random() < 0.08:
            limits.append("no_steep")
        prefs = rng.sample(["indoor", "outdoor", "firewood", "gardening", "moving", "cleaning"], rng.randint(0, 2))
        db.add(WorkProfile(organization_id=org_id, participant_id=p.id, limits=limits, preferences=prefs, not_with=[],
                           close_follow_up=rng.random() < 0.1, experience=rng.choice([0, 1, 1, 2]),
                           intake_due=p in newcomers and rng.random() < 0.4))
    db.flush()
    # Three pairs who must not share a team (fewer in a small organization).
    pairs = rng.sample(regulars, min(6, len(regulars) // 2 * 2))
    profiles = {w.participant_id: w for w in db.scalars(select(WorkProfile).where(WorkProfile.organization_id == org_id))}
    for a, b in zip(pairs[::2], pairs[1::2], strict=True):
        profiles[a.id].not_with = [b.id]
    by_fixed = {}
    for o in orders:
        fixed = next((v for k, v in FIXED_BY_TITLE.items() if o.title.startswith(k)), "")
        if fixed:
            by_fixed[fixed] = o
    outdoor = [o for o in orders if o.status in ("accepted", "scheduled", "in_progress") and o not in by_fixed.values()]

    history: list[DayRecord] = []
    seen: set[int] = {p.id for p in regulars + occasional}
    holiday = start + dt.timedelta(days=40)
    # Days that already exist (an organization that has been used) keep what they have.
    taken = set(db.scalars(select(ProgramDay.date).where(ProgramDay.site_id == site.id)))
    for offset in range(DAYS_BACK):
        date = start + dt.timedelta(days=offset)
        if date.isoweekday() > 5 or date in taken:
            continue
        is_open = date != holiday
        day = ProgramDay(organization_id=org_id, site_id=site.id, date=date, is_open=is_open,
                         note="" if is_open else "Stengt: planleggingsdag", capacity=None)
        db.add(day)
        db.flush()
        if not is_open:
            continue
        capacity = 23
        present = [p for p in regulars + occasional if rng.random() < chance[p.id]]
        present += [p for p in newcomers if new_from[p.id] == date or (new_from[p.id] < date and rng.random() < 0.35)]
        rng.shuffle(present)
        marks = {}
        codes: dict[int, str] = {}
        given: set[str] = set()
        for i, p in enumerate(present):
            minute = 60 * i // max(1, len(present))
            status = "after_draw" if i >= len(present) - 1 and rng.random() < 0.5 else ("not_fit" if rng.random() < 0.03 else "entered")
            marks[p.id] = status
            arrived = _utc(date, 8, minute) if status != "after_draw" else _utc(date, 9, rng.randint(5, 40))
            db.add(Attendance(organization_id=org_id, day_id=day.id, participant_id=p.id, arrived_at=arrived))
            # Receipt codes from the demo's own generator, so a demo is the same every time.
            code = ""
            while not code or code in given:  # unique on the day, as check-in gives them
                code = "".join(rng.choice(algorithm.RECEIPT_ALPHABET) for _ in range(algorithm.RECEIPT_LENGTH))
            codes[p.id] = code
            given.add(code)
            db.add(CheckIn(organization_id=org_id, day_id=day.id, participant_id=p.id, status=status, created_at=arrived, receipt_code=code))
            if p.first_seen_on is None:
                p.first_seen_on = date
        entered = sorted(pid for pid, s in marks.items() if s == "entered")
        entrants = [algorithm.Entrant(pid, right_of(history, pid, pid not in seen)[0], codes[pid]) for pid in entered]
        seed = "%064x" % rng.getrandbits(256)
        # A version 2 draw as the room makes it: five balls from the lottery machine, no beacon.
        digest = algorithm.entrants_digest(entrants, capacity, algorithm.ALGORITHM_V2, None)
        contribution = algorithm.contribution_text(rng.sample(range(100), 5))
        placements = algorithm.run_draw(entrants, capacity, algorithm.final_seed(seed, digest, contribution, None), algorithm.ALGORITHM_V2)
        drawn_at = _utc(date, 9, 0)
        draw = Draw(organization_id=org_id, day_id=day.id, attempt=1, status="drawn", mode="morning", algorithm=algorithm.ALGORITHM_V2,
                    capacity=capacity, seed=seed, seed_sha256=algorithm.fingerprint(seed), entrants_sha256=digest,
                    contribution=contribution, beacon_round=None, beacon_value=None, beacon_note="off",
                    sealed_at=drawn_at - dt.timedelta(minutes=2), drawn_at=drawn_at)
        draw.entrants = [DrawEntrant(organization_id=org_id, participant_id=pl.participant_id, right=pl.right, result=pl.result,
                                     position=pl.position, reserve_number=pl.reserve_number, receipt_code=codes[pl.participant_id])
                         for pl in placements]
        db.add(draw)
        db.flush()
        db.add(DrawEvent(organization_id=org_id, draw_id=draw.id, kind="sealed", at=draw.sealed_at))
        db.add(DrawEvent(organization_id=org_id, draw_id=draw.id, kind="drawn", at=drawn_at))
        drawn = [pl.participant_id for pl in placements if pl.drawn]
        # Teams: firewood, indoor (and the food bank on Wednesdays), the rest on outdoor orders.
        slots = [by_fixed.get("firewood"), by_fixed.get("indoor")] + ([by_fixed.get("food_bank")] if date.isoweekday() == 3 else [])
        slots = [s for s in slots if s is not None] + rng.sample(outdoor, min(len(outdoor), max(0, len(leaders) - 2)))
        n_teams = max(1, min(len(leaders), len(slots), len(drawn) // 4 or 1))
        note_kinds: dict[str, str] = {}
        teams = []
        for k, order in enumerate(slots[:n_teams]):
            team = Team(organization_id=org_id, day_id=day.id, name=order.title[:120], work_leader_id=leaders[k % len(leaders)].id if leaders else None)
            team.work_orders = [order]
            db.add(team)
            teams.append((team, order))
        db.flush()
        for team, order in teams:
            kind = next((v for k2, v in FIXED_BY_TITLE.items() if order.title.startswith(k2)), "")
            note_kinds[str(team.id)] = kind or ("indoor" if order.indoor else ("heavy" if order.heavy else "outdoor"))
        for i, pid in enumerate(drawn):
            team = teams[i % len(teams)][0] if teams else None
            roll = rng.random()
            outcome = "worked" if roll < 0.9 else ("left_early" if roll < 0.95 else ("sent_home" if roll < 0.98 else "no_show"))
            db.add(Shift(organization_id=org_id, day_id=day.id, participant_id=pid, team_id=team.id if team else None, outcome=outcome))
        db.add(TeamNote(organization_id=org_id, day_id=day.id, team_kinds=note_kinds, explanation={"notes": [], "status": "demo"}))
        day.closed_at = _utc(date, 13, 45)
        history.append(DayRecord(date=date, entered=set(entered), worked=set(drawn), present={p.id for p in present},
                                 rights={e.participant_id: e.right for e in entrants}))
        seen |= {p.id for p in present}
    db.flush()
    # Today: the morning is under way, check-in open, no draw yet.
    if today.isoweekday() <= 5 and today not in taken:
        day = ProgramDay(organization_id=org_id, site_id=site.id, date=today, is_open=True)
        db.add(day)
        db.flush()
        for i, p in enumerate([p for p in regulars if rng.random() < 0.6][:25]):
            db.add(Attendance(organization_id=org_id, day_id=day.id, participant_id=p.id, arrived_at=_utc(today, 8, i * 2)))
            db.add(CheckIn(organization_id=org_id, day_id=day.id, participant_id=p.id, status="entered"))
    db.flush()
