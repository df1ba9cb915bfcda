"""Demo data for Velferdsetaten Oslo: seven departments, 49 medarbeidere on the path with
contact persons and recent timesheets, and a waiting list of 30 candidates whose
priority factors vary, so the waiting-list page has something to explain."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import Department, Participant
from plugins.nyttig_contract.eligibility import BUILTIN_CHECKS, run_screening
from plugins.nyttig_contract.models import (
    Assessment, ContactLog, DepartmentProfile, DepartmentWorkLeader, Equipment, Interview, PathRecord, PhaseChange, StartChecklist, Timesheet,
)

DEPARTMENTS = [
    # name, opening days, places, description, opened (years ago), closed (None = open)
    ("Kampen gjenbruksstasjon", "0,1,2,3,4", 10, "Mottak og sortering av gjenbruk", 12),
    ("Nyttig Butikk", "1,2,3,4,5", 8, "Gratisbutikk, henting og levering", 8),
    ("Håndverk- og servicegruppa", "0,1,2,3,4", 8, "Flytting, rydding, småreparasjoner", 12),
    ("Rådhusets møteromssenter", "0,1,2,3,4", 5, "Rigging og servering i møterom", 6),
    ("Brenneriet kaffebar", "0,1,2,3,4,5", 6, "Kaffebar og kiosk", 5),
    ("Kaleidoskop", "2,3", 4, "Årlig kunstutstilling", 4),
    ("Fyll dagene", "1,3", 4, "Årlig messe og nettside", 3),
]
ANSWERS = {"substance_main_problem": True, "nav_program": False, "physically_able": True, "wants_change": True,
           "housing_in_place": True, "economy_stable": True}
CANDIDATES_FIRST = ["Jonas", "Stine", "Amir", "Hege", "Patrick", "Vibeke", "Sindre", "Kristin", "Mats", "Lena", "Kasper", "Oda",
                    "Ruben", "Julie", "Adrian", "Ida", "Eskil", "Maja", "Yusuf", "Tonje", "Petter", "Hanna", "Leif", "Marte",
                    "Bjarne", "Nora", "Ivar", "Selma", "Thomas", "Vilde"]
LAST = ["Berg", "Dahl", "Lie", "Moe", "Vik", "Holm", "Strand", "Sæther", "Lunde", "Aune"]


def load(db: Session, organization: Any, context: Any) -> None:
    rng, today = context.rng, context.today
    org = organization.id
    staff = [u.id for role in ("work_leader", "leader", "social_worker") for u in context.staff.get(role, [])]
    leaders = [u.id for u in context.staff.get("work_leader", [])] or staff
    by = (context.staff.get("leader") or [None])[0]
    by_id = by.id if by else None

    depts = []
    for i, (name, days, places, desc, years) in enumerate(DEPARTMENTS):
        d = Department(organization_id=org, site_id=context.site.id if context.site else None, name=name,
                       opened_on=today.replace(year=today.year - years, month=1, day=1))
        db.add(d)
        db.flush()
        db.add(DepartmentProfile(organization_id=org, department_id=d.id, opening_days=days, places=places, description=desc))
        for uid in {leaders[i % len(leaders)], leaders[(i + 1) % len(leaders)]}:
            db.add(DepartmentWorkLeader(organization_id=org, department_id=d.id, user_id=uid))
        depts.append(d)
    db.flush()

    def change(pid: int, frm: str, to: str, kind: str, on: dt.date, reason: str = "") -> None:
        db.add(PhaseChange(organization_id=org, participant_id=pid, from_phase=frm, to_phase=to, kind=kind, on=on, by_id=by_id, reason=reason))

    # The 49 medarbeidere the core created.
    people = list(db.scalars(select(Participant).where(Participant.organization_id == org).order_by(Participant.id)))
    monday = today - dt.timedelta(days=today.weekday())
    for n, p in enumerate(people):
        start = today - dt.timedelta(days=rng.randint(20, 2500))
        first = start - dt.timedelta(days=rng.randint(60, 500))
        phase = "stable" if n % 7 else "started"
        if n in (5, 17):
            phase = "onward"
        elif n in (11, 33):
            phase = "retired"
        elif n == 40:
            phase = "ended"
        if n < 3:  # three recent starts: their review after the start is due
            start = today - dt.timedelta(days=15 + n * 6)
            phase = "started"
        cp1, cp2 = rng.sample(staff, 2)
        dept = depts[n % 5]
        path = PathRecord(organization_id=org, participant_id=p.id, phase=phase, phase_since=start, came_via=rng.choice(["self", "helper"]),
                          paid_worker=rng.random() > 0.2, department_id=dept.id, contact_person_1_id=cp1, contact_person_2_id=cp2,
                          started_on=start, ever_started=True, outcome="work" if phase == "onward" else ("" if phase != "ended" else "Flyttet fra Oslo"))
        db.add(path)
        change(p.id, "", "contact", "first_contact", first)
        change(p.id, "contact", "interview", "forward", first + dt.timedelta(days=10))
        change(p.id, "interview", "waiting", "forward", first + dt.timedelta(days=12))
        change(p.id, "waiting", "job_talk", "forward", start - dt.timedelta(days=7))
        change(p.id, "job_talk", "started", "forward", start)
        if phase in ("stable", "onward", "retired", "ended"):
            change(p.id, "started", "stable", "forward", start + dt.timedelta(days=120))
        if phase in ("onward", "retired", "ended"):
            change(p.id, "stable", phase, "leave", today - dt.timedelta(days=rng.randint(10, 200)),
                   "Flyttet fra Oslo" if phase == "ended" else "")
        hours = rng.choice([Decimal("4"), Decimal("4"), Decimal("6"), Decimal("7.5")])
        weekdays = sorted(rng.sample(range(5), 2 if phase == "started" else rng.randint(2, 4)))
        db.add(StartChecklist(organization_id=org, participant_id=p.id, weekly_hours=hours * len(weekdays), shoe_size=str(rng.randint(37, 46)),
                              photo_taken=True, job_talk_on=start - dt.timedelta(days=7),
                              schedule=[{"weekday": wd, "hours": str(hours), "department_id": dept.id} for wd in weekdays]))
        db.add(Equipment(organization_id=org, participant_id=p.id, kind="id_card", handed_out_on=start))
        db.add(Equipment(organization_id=org, participant_id=p.id, kind="locker", label=str(100 + n), handed_out_on=start))
        if phase in ("started", "stable"):
            for week in (3, 2, 1):
                for wd in weekdays:
                    day = monday - dt.timedelta(weeks=week) + dt.timedelta(days=wd)
                    if day < start:
                        continue
                    if rng.random() < 0.12:
                        continue  # an absence: nothing recorded here, no penalty
                    db.add(Timesheet(organization_id=org, participant_id=p.id, date=day, department_id=dept.id, hours=hours,
                                     recorded_by_id=cp1, approved_by_id=leaders[0], approved_at=utcnow() if week > 1 else None))

    # The waiting list: 30 candidates with varied priority factors.
    for i in range(30):
        birth = today - dt.timedelta(days=rng.randint(25, 61) * 365 + rng.randint(0, 300))
        p = Participant(organization_id=org, first_name=CANDIDATES_FIRST[i], last_name=rng.choice(LAST), birth_date=birth,
                        gender="woman" if i % 3 == 0 else "man", active=True)
        db.add(p)
        db.flush()
        waited = rng.randint(14, 900)
        interview_on = today - dt.timedelta(days=waited + rng.randint(0, 10))
        first = interview_on - dt.timedelta(days=rng.randint(7, 40))
        returning = i % 10 == 3
        path = PathRecord(organization_id=org, participant_id=p.id, phase="waiting", phase_since=today - dt.timedelta(days=waited),
                          waiting_since=today - dt.timedelta(days=waited), came_via="helper" if i % 2 else "self",
                          helper_name="Ruskonsulent, Bydel Gamle Oslo" if i % 2 else "", treatment_plan_job=i % 4 == 1,
                          discharge_expected_on=today + dt.timedelta(days=rng.randint(5, 50)) if i % 6 == 2 else None,
                          ready_to_return=returning, ever_started=returning)
        db.add(path)
        change(p.id, "", "contact", "first_contact", first)
        change(p.id, "contact", "interview", "forward", first + dt.timedelta(days=3))
        change(p.id, "interview", "waiting", "forward", path.phase_since)
        db.flush()
        run_screening(db, BUILTIN_CHECKS, path, p, stage="screening", answers=ANSWERS, on=first, by_id=by_id, commit=False)
        iv = Interview(organization_id=org, participant_id=p.id, held_on=interview_on, held_by_id=rng.choice(staff),
                       helper_present=path.helper_name, rules_explained=["hygiene", "rested", "not_affected", "zero_tolerance", "no_promises"],
                       no_promises_made=True)
        db.add(iv)
        db.flush()
        db.add(Assessment(organization_id=org, interview_id=iv.id, participant_id=p.id, life_situation="Bor i kommunal bolig.",
                          substance_history="(demo)", current_use="(demo)", adaptations="Korte dager i starten.", helpers=path.helper_name))
        for k in range(i % 5):  # own-initiative contacts: 0 to 4
            db.add(ContactLog(organization_id=org, participant_id=p.id, on=today - dt.timedelta(days=rng.randint(1, 80)),
                              initiated_by="person", channel=rng.choice(["phone", "sms", "visit"]), reached=True, staff_id=rng.choice(staff)))
        if i % 3 == 0:  # staff keep in touch with some; the others get a reminder
            db.add(ContactLog(organization_id=org, participant_id=p.id, on=today - dt.timedelta(days=rng.randint(1, 30)),
                              initiated_by="staff", channel="phone", reached=True, staff_id=rng.choice(staff)))
    db.flush()
