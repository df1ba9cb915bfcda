"""Nyttig Arbeid's report sections and the leader's week, against hand-computed numbers.

The history is written as dated phase changes, the way the path services record them, so
the numbers can be worked out on paper; the report must replay the history, not read
today's phase (F moves on after the period and must still count as stable).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from core.i18n import today
from core.models import Department, Participant
from plugins.nyttig_contract.models import PathRecord, PhaseChange, Timesheet
from tests.conftest import login
from tests.core.test_reports import _table

Q = {"start": "2026-01-01", "end": "2026-03-31"}
D = dt.date


@pytest.fixture(autouse=True)
def _english(client):
    client.headers["Accept-Language"] = "en"


def _person(db, org, name, history, *, department=None, outcome=""):
    p = Participant(organization_id=org.org.id, first_name=name, gender="man")
    db.add(p)
    db.flush()
    for on, old, new, kind in history:
        db.add(PhaseChange(organization_id=org.org.id, participant_id=p.id, from_phase=old, to_phase=new, kind=kind, on=on))
    last = history[-1]
    db.add(PathRecord(organization_id=org.org.id, participant_id=p.id, phase=last[2], phase_since=last[0],
                      department_id=department.id if department else None, outcome=outcome))
    return p


def _sheet(db, org, p, day, dept, hours, approved=True):
    db.add(Timesheet(organization_id=org.org.id, participant_id=p.id, date=day, department_id=dept.id, hours=Decimal(hours),
                     approved_at=dt.datetime(2026, 4, 1) if approved else None))


@pytest.fixture
def path_history(world):
    org = world.b
    with world.db(org) as db:
        kampen = Department(organization_id=org.org.id, name="Kampen gjenbruk")
        ved = Department(organization_id=org.org.id, name="Vedhuggeriet")
        db.add_all([kampen, ved])
        db.flush()
        a = _person(db, org, "A", [(D(2025, 11, 3), "", "contact", "first_contact"), (D(2025, 11, 20), "contact", "interview", "forward"),
                                   (D(2025, 12, 1), "interview", "waiting", "forward"), (D(2026, 2, 2), "waiting", "job_talk", "forward"),
                                   (D(2026, 2, 16), "job_talk", "started", "forward")], department=kampen)
        _person(db, org, "B", [(D(2025, 12, 15), "", "contact", "first_contact"), (D(2026, 1, 5), "contact", "interview", "forward"),
                               (D(2026, 1, 12), "interview", "waiting", "forward")])
        _person(db, org, "C", [(D(2026, 1, 10), "", "contact", "first_contact"), (D(2026, 1, 20), "contact", "interview", "forward"),
                               (D(2026, 2, 10), "interview", "contact", "relapse")])
        d = _person(db, org, "D", [(D(2025, 5, 1), "", "contact", "first_contact"), (D(2025, 6, 1), "contact", "started", "forward"),
                                   (D(2026, 3, 2), "started", "onward", "leave")], department=kampen, outcome="work")
        _person(db, org, "E", [(D(2025, 1, 10), "", "contact", "first_contact"), (D(2025, 2, 1), "contact", "waiting", "forward"),
                               (D(2025, 3, 1), "waiting", "ended", "leave"), (D(2026, 1, 15), "ended", "waiting", "return")])
        f = _person(db, org, "F", [(D(2025, 9, 1), "", "contact", "first_contact"), (D(2025, 10, 1), "contact", "started", "forward"),
                                   (D(2025, 11, 1), "started", "stable", "forward"), (D(2026, 4, 10), "stable", "onward", "leave")],
                    department=ved, outcome="education")
        _sheet(db, org, a, D(2026, 2, 17), kampen, "4.5")
        _sheet(db, org, a, D(2026, 3, 3), kampen, "5")
        _sheet(db, org, d, D(2026, 2, 5), kampen, "4")
        _sheet(db, org, f, D(2026, 1, 7), ved, "6")
        _sheet(db, org, f, D(2026, 1, 8), ved, "3", approved=False)  # not approved: not counted
        _sheet(db, org, f, D(2025, 12, 20), ved, "2")  # before the period
        db.commit()
    return world


def test_nyttig_sections_hand_computed(path_history, client):
    login(client, path_history.b.users["leader"])
    page = client.get("/reports", params=Q).text
    # On 31 March: C back in contact after a relapse, B and E waiting, A started, F stable (F leaves in April).
    assert _table(page, "nyttig_pipeline") == [
        ["Contact and screening", "1"], ["Recruitment interview", "0"], ["Waiting list", "2"], ["Status meeting", "0"],
        ["Job talk", "0"], ["Started", "1"], ["Stable employment", "1"]]
    moves = {r[0]: r[1:] for r in _table(page, "nyttig_moves")}
    # Forward: A twice, B twice, C once = 5 moves by 3 people.
    assert moves["First contact"] == ["1", "1"] and moves["Next step"] == ["5", "3"]
    assert moves["Relapse: back a phase"] == ["1", "1"] and moves["Came back"] == ["1", "1"] and moves["Left"] == ["1", "1"]
    assert moves["Back a step"] == ["0", "0"]
    assert moves["Left: Moved on"] == ["1", ""] and moves["Left: Ended"] == ["0", ""]
    # End of January: A (since 1 Dec, 61 days), B (12 Jan, 19), E (15 Jan, 16). February: B 47, E 44. March: B 78, E 75.
    assert _table(page, "nyttig_waiting") == [
        ["Jan 2026", "3", "2", "19", "61"], ["Feb 2026", "2", "0", "45.5", "47"], ["Mar 2026", "2", "0", "76.5", "78"]]
    # A works in Kampen, F in Vedhuggeriet; D's hours count for Kampen although D moved on.
    assert _table(page, "nyttig_departments") == [["Kampen gjenbruk", "1", "13.50"], ["Vedhuggeriet", "1", "6.00"], ["Total", "2", "19.50"]]
    assert _table(page, "nyttig_onward") == [["Ordinary work", "1"], ["Work training", "0"], ["Education", "0"], ["Total", "1"]]
    assert _table(page, "nyttig_hours") == [["Jan 2026", "1", "6.00", "1"], ["Feb 2026", "2", "8.50", "2"], ["Mar 2026", "1", "5.00", "1"],
                                            ["Total", "4", "19.50", "3"]]
    assert "not in the core&#39;s work by month" in page


def test_nyttig_sections_shared_and_exported(path_history, client):
    login(client, path_history.b.users["leader"])
    shared = client.get("/reports", params={**Q, "shared": "1"}).text
    assert _table(shared, "nyttig_pipeline")[2] == ["Waiting list", "hidden"]
    assert _table(shared, "nyttig_pipeline")[1] == ["Recruitment interview", "0"]
    assert _table(shared, "nyttig_waiting")[0][:3] == ["Jan 2026", "hidden", "hidden"]
    r = client.get("/reports/csv/nyttig_hours", params=Q)
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[-1] == ["Total", "4", "19.50", "3"]
    funnel = client.get("/reports/chart/nyttig_pipeline", params=Q)
    assert funnel.status_code == 200 and "<svg" in funnel.text and "Stable employment" in funnel.text
    for key in ("nyttig_moves", "nyttig_waiting", "nyttig_departments", "nyttig_onward", "nyttig_hours"):
        assert client.get(f"/reports/chart/{key}", params=Q).status_code == 200, key
    # Alpha has no Nyttig Arbeid: none of these sections.
    login(client, path_history.a.users["leader"])
    assert 'id="sec-nyttig_pipeline"' not in client.get("/reports", params=Q).text


def test_leaders_week_shows_waiting_list_changes(world, client):
    org = world.b
    now = today()
    monday = now - dt.timedelta(days=now.weekday())
    earlier = monday - dt.timedelta(days=10)
    with world.db(org) as db:
        # G waited and goes on to a job talk on Monday; H joins on Monday; I leaves on Monday.
        _person(db, org, "G", [(earlier, "interview", "waiting", "forward"), (monday, "waiting", "job_talk", "forward")])
        _person(db, org, "H", [(earlier, "", "interview", "forward"), (monday, "interview", "waiting", "forward")])
        g = _person(db, org, "G2", [(earlier, "", "started", "forward")])
        i = _person(db, org, "I", [(earlier, "interview", "waiting", "forward"), (monday, "waiting", "ended", "leave")])
        dept = Department(organization_id=org.org.id, name="Kampen gjenbruk")
        db.add(dept)
        db.flush()
        _sheet(db, org, i, monday, dept, "4.5")  # approved, this week
        _sheet(db, org, i, monday - dt.timedelta(days=7), dept, "6")  # approved, last week: not counted
        _sheet(db, org, g, monday, dept, "3", approved=False)  # waits for approval
        db.commit()
    login(client, org.users["leader"])
    page = client.get("/").text
    assert "Waiting list this week" in page
    stats = page.split("Waiting list this week", 1)[1].split("</dl>", 1)[0]
    import re

    values = [int(v) for v in re.findall(r"<dd>(\d+)</dd>", stats)]
    assert values == [2, 1, 1, 1, 1]  # on Monday, joined, job talk, left, now
    week = page.split("Waiting list this week", 1)[1]
    assert "Approved hours this week: 4.5." in week and "1 timesheet waits for approval before it can be paid." in week
    for role in ("work_leader", "social_worker"):
        login(client, org.users[role])
        assert "Waiting list this week" not in client.get("/").text


@pytest.mark.parametrize("role, sees, not_sees", [
    ("leader", {"Waiting list this week", "Pay runs waiting", "This week", "Reviews due after the start"}, set()),
    ("work_leader", {"Today", "Reviews due after the start", "Injury reports to follow up"},
     {"Waiting list this week", "Pay runs waiting", "This week"}),
    ("social_worker", {"Reviews due after the start", "Waiting list: keep in touch", "Injury reports to follow up"},
     {"Waiting list this week", "Pay runs waiting"}),
    ("payroll", {"Pay runs waiting"}, {"Waiting list this week", "Reviews due after the start"}),
])
def test_dashboard_panels_per_role(world, client, role, sees, not_sees):
    import re

    from plugins.nyttig_contract.models import Incident

    with world.db(world.b) as db:
        db.add(Incident(organization_id=world.b.org.id, kind="injury", on=today(), follow_up_due=today() + dt.timedelta(days=3)))
        db.commit()
    login(client, world.b.users[role])
    page = client.get("/").text
    titles = {re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r"<h2[^>]*>(.*?)</h2>", page, re.S)}
    assert sees <= titles and not (not_sees & titles)


def test_core_sections_count_everyone_who_worked_once_across_programs(path_history, client):
    """The core's people come from check-ins, shifts and every plugin's payable work (here
    approved timesheets), each person once however many ways they took part."""
    from sqlalchemy import select

    from core.models import Attendance, ProgramDay, Shift

    org = path_history.b
    with path_history.db(org) as db:
        a = db.scalar(select(Participant).where(Participant.first_name == "A"))
        kampen = db.scalar(select(Department).where(Department.name == "Kampen gjenbruk"))
        g = Participant(organization_id=org.org.id, first_name="G", gender="woman")
        h = Participant(organization_id=org.org.id, first_name="H", gender="woman")
        day = ProgramDay(organization_id=org.org.id, site_id=org.site.id, date=D(2026, 2, 17))
        db.add_all([g, h, day])
        db.flush()
        db.add(Attendance(organization_id=org.org.id, day_id=day.id, participant_id=a.id))  # A also has a timesheet that day
        db.add(Shift(organization_id=org.org.id, day_id=day.id, participant_id=g.id, outcome="worked", hours=Decimal("3")))
        _sheet(db, org, h, D(2026, 2, 18), kampen, "2", approved=False)  # not approved: H did no payable work
        db.commit()
    login(client, org.users["leader"])
    people = dict(_table(client.get("/reports", params=Q).text, "people"))
    # A (timesheets and a check-in), D and F (timesheets), G (a shift): four people, one of them a woman.
    assert people["Unique people"] == "4" and people["Women"] == "1" and people["Men"] == "3"
