"""Dagsverket's report sections and the leader's week, against hand-computed numbers."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import select

from core.contrib import Share
from core.i18n import today
from core.models import Attendance, Participant, ProgramDay, Shift
from plugins.dagsverk_lottery.models import Draw, DrawEntrant
from tests.conftest import login
from tests.core.test_reports import _table

Q = {"start": "2026-01-01", "end": "2026-12-31"}


def _day(db, org, date, present, results, worked):
    """An open day: who came, the draw's results (name -> result or 'called_in'), who worked."""
    day = ProgramDay(organization_id=org.org.id, site_id=org.site.id, date=date, is_open=True)
    db.add(day)
    db.flush()
    for p in present:
        db.add(Attendance(organization_id=org.org.id, day_id=day.id, participant_id=p.id))
    if results:
        draw = Draw(organization_id=org.org.id, day_id=day.id, status="drawn", algorithm="test", capacity=2, seed="0",
                    seed_sha256="0", entrants_sha256="0")
        db.add(draw)
        db.flush()
        for p, result in results:
            db.add(DrawEntrant(organization_id=org.org.id, draw_id=draw.id, participant_id=p.id,
                               result="reserve" if result == "called_in" else result, called_in=result == "called_in"))
    for p in worked:
        db.add(Shift(organization_id=org.org.id, day_id=day.id, participant_id=p.id, outcome="worked"))
    return day


@pytest.fixture
def lottery(world):
    """Two women and four men; one day in February 2026, two in March, one in December 2025 (outside)."""
    org = world.a
    with world.db(org) as db:
        w1, w2, m1, m2, m3, m4 = ps = [Participant(organization_id=org.org.id, first_name=n, gender=g)
                                       for n, g in [("W1", "woman"), ("W2", "woman"), ("M1", "man"), ("M2", "man"),
                                                    ("M3", "man"), ("M4", "man")]]
        db.add_all(ps)
        db.flush()
        # 26 Feb: three came and entered; W1 by right, M1 by lottery, M2 reserve and turned away.
        _day(db, org, dt.date(2026, 2, 26), [w1, m1, m2], [(w1, "right"), (m1, "lottery"), (m2, "reserve")], [w1, m1])
        # 2 Mar: five came and entered; M3 was called in from the reserve list; W1 and M4 turned away.
        _day(db, org, dt.date(2026, 3, 2), [w1, w2, m2, m3, m4],
              [(m2, "right"), (w2, "lottery"), (w1, "reserve"), (m3, "called_in"), (m4, "reserve")], [m2, w2, m3])
        # 3 Mar: three came, M1 too late to enter: turned away.
        _day(db, org, dt.date(2026, 3, 3), [w1, m4, m1], [(w1, "right"), (m4, "lottery")], [w1, m4])
        # Outside the period: does not count.
        _day(db, org, dt.date(2025, 12, 30), [w2, m3], [(w2, "right"), (m3, "lottery")], [w2, m3])
        db.commit()
    return world


def test_dagsverk_by_month_hand_computed(lottery, client):
    login(client, lottery.a.users["leader"])
    page = client.get("/reports", params=Q).text
    rows = _table(page, "dagsverk_by_month")
    # Month, registered, entered, by right, by lottery, turned away, unique people, women's share.
    assert rows == [
        ["Feb 2026", "3", "3", "1", "1", "1", "3", "33.3 %"],   # W1, M1, M2; one woman of three
        ["Mar 2026", "8", "7", "2", "2", "3", "6", "33.3 %"],   # turned away: W1 and M4 on the 2nd, M1 on the 3rd
        ["Total", "11", "10", "3", "3", "4", "6", "33.3 %"],    # everybody once; W1 and W2 are two of six
    ]
    summary = dict(_table(page, "dagsverk_lottery"))
    assert summary["Open days with a draw"] == "3"
    assert summary["Called in from the reserve list"] == "1"
    assert summary["Turned away (attended, got no work)"] == "4"
    assert summary["Days worked"] == "7"
    assert summary["Women's share of unique people"] == "33.3 %"
    assert "came but got no work" in page


def test_dagsverk_sections_hide_small_groups_when_shared(lottery, client):
    login(client, lottery.a.users["leader"])
    page = client.get("/reports", params={**Q, "shared": "1"}).text
    feb, mar, total = _table(page, "dagsverk_by_month")
    assert feb == ["Feb 2026", "hidden", "hidden", "hidden", "hidden", "hidden",
                   "hidden", "hidden"]
    # March's counts are not small, but the total row would give February back as 11 - 8: hidden with it.
    assert mar[1:6] == ["hidden"] * 5 and mar[6] == "6" and total[1:3] == ["11", "10"]
    assert total[7] == "hidden"  # two women of six: both parts must be five or more
    summary = dict(_table(page, "dagsverk_lottery"))
    assert summary["Registered (check-ins)"] == "11" and summary["Turned away (attended, got no work)"] == "hidden"
    assert summary["Women's share of unique people"] == "hidden"


def test_dagsverk_by_month_csv_and_line_chart(lottery, client):
    login(client, lottery.a.users["leader"])
    r = client.get("/reports/csv/dagsverk_by_month", params=Q)
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Month", "Registered", "Entered in the draw", "Drawn by right", "Drawn by lottery", "Turned away",
                       "Unique people", "Women's share"]
    assert rows[-1] == ["Total", "11", "10", "3", "3", "4", "6", "33.3"]
    chart = client.get("/reports/chart/dagsverk_by_month", params=Q)
    assert chart.status_code == 200 and "<svg" in chart.text and "<script" not in chart.text
    assert "Turned away" in chart.text and "Drawn by lottery" in chart.text
    # The total row stays in the table and the CSV but not in the picture, where it would dwarf the months.
    assert "Feb 2026" in chart.text and "Mar 2026" in chart.text and "Total" not in chart.text


def test_leaders_week_panel_counts_turned_away(world, client):
    org = world.a
    day = today()
    monday = day - dt.timedelta(days=day.weekday())
    with world.db(org) as db:
        ps = [Participant(organization_id=org.org.id, first_name=f"P{i}", gender="man") for i in range(4)]
        db.add_all(ps)
        db.flush()
        # This week: four came, two got work. Last week: three came, one turned away.
        _day(db, org, monday, ps, [(ps[0], "right"), (ps[1], "lottery"), (ps[2], "reserve"), (ps[3], "reserve")], ps[:2])
        _day(db, org, monday - dt.timedelta(days=7), ps[:3], [(ps[0], "right"), (ps[1], "lottery"), (ps[2], "reserve")], ps[:2])
        db.commit()
    login(client, org.users["leader"])
    page = client.get("/").text
    assert "Dagsverket this week" in page
    assert "Turned away this week so far: 2. Last week: 1." in page
    login(client, org.users["work_leader"])
    assert "Dagsverket this week" not in client.get("/").text


def _panel_titles(client) -> list[str]:
    import re

    page = client.get("/").text
    return [re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r"<h2[^>]*>(.*?)</h2>", page, re.S)]


def _panel(page: str, title: str) -> str:
    """The HTML of one dashboard panel, by its title."""
    return page.split(f">{title}<", 1)[1].split("</section>", 1)[0]


def test_before_the_draw_nobody_is_counted_as_turned_away(world, client):
    """At the door, before the draw: the panels show who has registered so far, and no one
    as 'turned away', neither today nor in the week's sum."""
    import re

    org = world.a
    with world.db(org) as db:
        ps = [Participant(organization_id=org.org.id, first_name=f"P{i}", gender="man") for i in range(3)]
        db.add_all(ps)
        db.flush()
        _day(db, org, today(), ps, [], [])
        db.commit()
    login(client, org.users["leader"])
    page = client.get("/", headers={"Accept-Language": "en"}).text
    work = _panel(page, "Work today")
    assert re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", work) == [("Registered", "3")]
    assert "The draw has not been run yet." in work
    week = _panel(page, "Dagsverket this week")
    assert '<td class="num">3</td><td colspan="2">The draw has not been run yet.</td>' in week
    assert "Turned away this week so far: 0." in week


def test_work_leaders_today_shows_the_draw_and_teams(world, client):
    from core.models import Team

    org = world.a
    with world.db(org) as db:
        ps = [Participant(organization_id=org.org.id, first_name=f"P{i}", gender="man") for i in range(5)]
        db.add_all(ps)
        db.flush()
        day = _day(db, org, today(), ps, [(ps[0], "right"), (ps[1], "lottery"), (ps[2], "called_in"), (ps[3], "reserve"),
                                         (ps[4], "reserve")], [])
        team = Team(organization_id=org.org.id, day_id=day.id, name="Vedlaget")
        db.add(team)
        db.flush()
        db.add(Shift(organization_id=org.org.id, day_id=day.id, team_id=team.id, participant_id=ps[0].id, outcome="planned"))
        db.add(Shift(organization_id=org.org.id, day_id=day.id, team_id=team.id, participant_id=ps[1].id, outcome="planned"))
        db.add(Shift(organization_id=org.org.id, day_id=day.id, participant_id=ps[2].id, outcome="planned"))
        db.add(Shift(organization_id=org.org.id, day_id=day.id, team_id=team.id, participant_id=ps[3].id, outcome="no_show"))
        db.add(Team(organization_id=org.org.id, day_id=day.id, name="Tomlaget"))
        db.commit()
    login(client, org.users["work_leader"])
    titles = _panel_titles(client)
    assert {"Today", "Dagsverket today", "Work today"} <= set(titles)
    assert "This week" not in titles and "Dagsverket this week" not in titles
    page = client.get("/").text
    work = page.split(">Work today<", 1)[1]
    import re

    assert "Vedlaget" in work and "1 person with work is not on a team yet." in work
    # Team sizes leave out no-shows; a team nobody is on yet says 0.
    sizes = re.findall(r'<tr><td>(\w+)</td><td class="num">(\d+)</td>', work)
    assert sizes == [("Tomlaget", "0"), ("Vedlaget", "2")]

    stats = [int(v) for v in re.findall(r"<dd>(\d+)</dd>", work.split("</dl>", 1)[0])]
    assert stats == [5, 1, 1, 1, 2]  # registered, by right, by lottery, called in, turned away


@pytest.mark.parametrize("role, sees, not_sees", [
    ("leader", {"This week", "Dagsverket this week", "Pay runs waiting", "Work today"}, set()),
    ("admin", {"This week", "Dagsverket this week", "Work today"}, set()),
    ("work_leader", {"Dagsverket today", "Work today"}, {"This week", "Dagsverket this week", "Pay runs waiting"}),
    ("social_worker", set(), {"Work today", "Dagsverket this week", "Pay runs waiting"}),
    ("payroll", {"Pay runs waiting"}, {"Work today", "Dagsverket this week"}),
])
def test_dashboard_panels_per_role(world, client, role, sees, not_sees):
    login(client, world.a.users[role])
    titles = set(_panel_titles(client))
    assert sees <= titles and not (not_sees & titles)


def _month_ends(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    out, first = [], start
    while first <= end:
        nxt = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        out.append((first, min(end, nxt - dt.timedelta(days=1))))
        first = nxt
    return out


class _Reference:
    """Dagsverket's numbers counted the plain way, open program day by open program day in
    Python, from the rules in plugins/dagsverk_lottery/numbers.py's docstring: the reference
    the database counting must equal."""

    def __init__(self, db, start, end):
        days = db.execute(select(ProgramDay.id, ProgramDay.date)
                          .where(ProgramDay.date >= start, ProgramDay.date <= end, ProgramDay.is_open)).all()
        self.days = {d.id: {"date": d.date, "present": set(), "got_work": set(), "worked": set(), "entered": 0, "by_right": 0,
                            "by_lottery": 0, "called_in": 0, "capacity": None} for d in days}
        for day_id, pid in db.execute(select(Attendance.day_id, Attendance.participant_id).where(Attendance.day_id.in_(self.days))):
            self.days[day_id]["present"].add(pid)
        for draw_id, day_id, capacity in db.execute(select(Draw.id, Draw.day_id, Draw.capacity)
                                                    .where(Draw.day_id.in_(self.days), Draw.status == "drawn")):
            day = self.days[day_id]
            day["capacity"] = capacity
            for pid, result, called_in in db.execute(select(DrawEntrant.participant_id, DrawEntrant.result, DrawEntrant.called_in)
                                                     .where(DrawEntrant.draw_id == draw_id)):
                day["entered"] += 1
                day["by_right"] += result == "right"
                day["by_lottery"] += result == "lottery"
                day["called_in"] += bool(called_in)
                if result in ("right", "lottery") or called_in:
                    day["got_work"].add(pid)
        for day_id, pid, outcome in db.execute(select(Shift.day_id, Shift.participant_id, Shift.outcome).where(Shift.day_id.in_(self.days))):
            if outcome != "no_show":
                self.days[day_id]["got_work"].add(pid)
            if outcome in ("worked", "left_early", "sent_home"):
                self.days[day_id]["worked"].add(pid)
        self.women = set(db.scalars(select(Participant.id).where(Participant.gender == "woman")))

    def between(self, first, last):
        return [d for d in self.days.values() if first <= d["date"] <= last]

    @staticmethod
    def count(days, name):
        if name == "registered":
            return sum(len(d["present"]) for d in days)
        if name == "turned_away":
            return sum(len(d["present"] - d["got_work"]) for d in days)
        if name == "worked":
            return sum(len(d["worked"]) for d in days)
        return sum(d[name] for d in days)

    def people(self, days):
        everyone = set().union(*(d["present"] for d in days))
        return len(everyone), len(everyone & self.women)


NAMES = ("registered", "entered", "by_right", "by_lottery", "turned_away")


def test_by_month_counted_in_the_database_equals_the_day_numbers(world):
    """The report counts by month and the funders' page by day, in SQL; the day-by-day count
    in Python (_Reference) must agree for every month, every day and the period, on a random
    but seeded history with two sites, closed days, voided draws, draws not yet drawn,
    reserve calls and shifts of people who never checked in. Another organization's days
    never add a month."""
    import random
    from decimal import Decimal

    from core.builtin.report import lavterskel_report_sections as core_sections
    from core.i18n import use_locale
    from core.models import Site
    from plugins.dagsverk_lottery import numbers
    from plugins.dagsverk_lottery.report import report_sections

    rng = random.Random(8)
    org = world.a
    start, end = dt.date(2026, 1, 15), dt.date(2026, 5, 10)
    with world.db(org) as db:
        second = Site(organization_id=org.org.id, name="Ila")
        people = [Participant(organization_id=org.org.id, first_name=f"P{i}", gender=rng.choice(["woman", "man", "other", "unknown"]))
                  for i in range(14)]
        db.add_all([second, *people])
        db.flush()
        day = dt.date(2026, 1, 5)
        while day <= dt.date(2026, 4, 20):  # from a little before the period
            for site in (org.site, second):
                if day.weekday() >= 5 or rng.random() < 0.3:
                    continue
                pd = ProgramDay(organization_id=org.org.id, site_id=site.id, date=day, is_open=rng.random() > 0.15)
                db.add(pd)
                db.flush()
                present = rng.sample(people, rng.randint(0, 10))
                for p in present:
                    db.add(Attendance(organization_id=org.org.id, day_id=pd.id, participant_id=p.id))
                attempt = 1
                if rng.random() < 0.2:
                    db.add(Draw(organization_id=org.org.id, day_id=pd.id, attempt=attempt, status="voided", algorithm="t", capacity=3,
                                seed="0", seed_sha256="0", entrants_sha256="0"))
                    attempt += 1
                status = rng.choice(["drawn", "drawn", "drawn", "sealed", None])
                if status and present:
                    draw = Draw(organization_id=org.org.id, day_id=pd.id, attempt=attempt, status=status, algorithm="t", capacity=3,
                                seed="0", seed_sha256="0", entrants_sha256="0")
                    db.add(draw)
                    db.flush()
                    for p in rng.sample(present, rng.randint(0, len(present))):
                        result = rng.choice(["right", "lottery", "reserve", None])
                        db.add(DrawEntrant(organization_id=org.org.id, draw_id=draw.id, participant_id=p.id, result=result,
                                           called_in=result == "reserve" and rng.random() < 0.5))
                for p in rng.sample(people, rng.randint(0, 6)):  # some of them never checked in
                    db.add(Shift(organization_id=org.org.id, day_id=pd.id, participant_id=p.id,
                                 outcome=rng.choice(["worked", "left_early", "sent_home", "no_show", "planned"]),
                                 hours=rng.choice([None, Decimal("0.25") * rng.randint(1, 32)])))
            day += dt.timedelta(days=1)
        # Another organization's open day, in a month where this one has none.
        other = ProgramDay(organization_id=world.b.org.id, site_id=world.b.site.id, date=dt.date(2026, 5, 5))
        db.add(other)
        db.flush()
        db.add(Attendance(organization_id=world.b.org.id, day_id=other.id, participant_id=people[0].id))
        db.commit()

    with world.db(org) as db, use_locale("en"):
        summary, by_month = report_sections(db=db, start=start, end=end)
        work_by_month = next(s for s in core_sections(db=db, start=start, end=end, work=[]) if s.key == "work_by_month")
        got_by_month = [[str(r[0]), *r[1:]] for r in by_month.rows]
        got_work = [[str(r[0]), *r[1:]] for r in work_by_month.rows]
        ref = _Reference(db, start, end)
        funders = numbers.period(db, start, end)
        whole = ref.between(start, end)
        expected = []
        for first, last in _month_ends(start, end):
            month = ref.between(first, last)
            if month:
                people, women = ref.people(month)
                expected.append([first.strftime("%b %Y"), *(ref.count(month, c) for c in NAMES), people, Share(women, people)])
        shifts = db.execute(select(ProgramDay.date, Shift.participant_id, Shift.hours).join(ProgramDay, Shift.day_id == ProgramDay.id)
                            .where(ProgramDay.date.between(start, end), Shift.outcome.in_(("worked", "left_early"))).order_by(ProgramDay.date)).all()
    assert [r[0] for r in expected] == ["Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026"]
    people, women = ref.people(whole)
    assert got_by_month == [*expected, ["Total", *(ref.count(whole, c) for c in NAMES), people, Share(women, people)]]
    assert ref.count(whole, "turned_away") > 0 and ref.count(whole, "by_lottery") > 0 and ref.count(whole, "called_in") > 0
    assert [r[1] for r in summary.rows] == [
        sum(1 for d in whole if d["entered"]), *(ref.count(whole, c) for c in ("registered", "entered", "by_right", "by_lottery",
                                                                               "called_in", "turned_away", "worked")),
        people, Share(women, people)]
    # The funders' page: every open date, both sites added together, places included.
    dates = sorted({d["date"] for d in whole})
    assert [(d.date, *(getattr(d, c) for c in (*NAMES, "called_in", "worked")), d.capacity) for d in funders.days] == [
        (date, *(ref.count(ref.between(date, date), c) for c in (*NAMES, "called_in", "worked")),
         sum(d["capacity"] for d in ref.between(date, date) if d["capacity"] is not None)
         if any(d["capacity"] is not None for d in ref.between(date, date)) else None)
        for date in dates]
    assert any(len(ref.between(date, date)) == 2 for date in dates)  # dates with both sites open are in the history
    assert (funders.unique_people, funders.unique_women) == (people, women)
    assert funders.unique_workers == len(set().union(*(d["worked"] for d in whole))) > 0
    # The core's work by month from the same shifts, summed by hand: days, exact hours, people once per month and in total.
    months: dict[str, list] = {}
    for date, pid, hours in shifts:
        m = months.setdefault(date.strftime("%b %Y"), [0, Decimal(0), set()])
        m[0] += 1
        m[1] += hours or 0
        m[2].add(pid)
    assert got_work == [
        *([k, n, h, len(p)] for k, (n, h, p) in months.items()),
        ["Total", len(shifts), sum((h or 0 for *_x, h in shifts), Decimal(0)), len({pid for _d, pid, _h in shifts})]]
