"""The yearly report's core sections against hand-computed numbers on a small fixed dataset."""
from __future__ import annotations

import csv
import html
import datetime as dt
import io
from decimal import Decimal

import pytest

from core.contrib import ReportSection, Share
from core.models import Attendance, Customer, Participant, ProgramDay, Shift, WorkOrder
from core.services.reports import Hidden, suppress_small_groups
from tests.conftest import login

START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


@pytest.fixture
def dataset(world):
    """Seven people; five women. Days in March and April 2025, one day outside the period."""
    org = world.a
    with world.db(org) as db:
        people = []
        specs = [("Anne", "woman", dt.date(1990, 6, 1)), ("Kari", "woman", dt.date(1980, 1, 1)), ("Liv", "woman", dt.date(1970, 1, 1)),
                 ("Nina", "woman", dt.date(1960, 1, 1)), ("Tone", "woman", None), ("Ole", "man", dt.date(2000, 1, 1)),
                 ("Per", "man", dt.date(1956, 1, 1))]
        for name, gender, born in specs:
            p = Participant(organization_id=org.org.id, first_name=name, gender=gender, birth_date=born,
                            first_seen_on=dt.date(2024, 12, 1) if name == "Per" else dt.date(2025, 3, 3))
            db.add(p)
            people.append(p)
        d1 = ProgramDay(organization_id=org.org.id, site_id=org.site.id, date=dt.date(2025, 3, 3))
        d2 = ProgramDay(organization_id=org.org.id, site_id=org.site.id, date=dt.date(2025, 4, 7))
        d0 = ProgramDay(organization_id=org.org.id, site_id=org.site.id, date=dt.date(2024, 12, 1))
        db.add_all([d1, d2, d0])
        db.flush()
        for p in people:  # everybody came on 3 March
            db.add(Attendance(organization_id=org.org.id, day_id=d1.id, participant_id=p.id))
        db.add(Attendance(organization_id=org.org.id, day_id=d0.id, participant_id=people[6].id))
        outcomes = [(d1, people[0], "worked", "4.5"), (d1, people[1], "worked", "4.5"), (d1, people[5], "left_early", "2"),
                    (d1, people[2], "no_show", None), (d2, people[0], "worked", "5"), (d2, people[3], "sent_home", "1"),
                    (d0, people[6], "worked", "5")]
        for day, p, outcome, hours in outcomes:
            db.add(Shift(organization_id=org.org.id, day_id=day.id, participant_id=p.id, outcome=outcome,
                         hours=Decimal(hours) if hours else None))
        muni = Customer(organization_id=org.org.id, name="Kommunen", kind="municipality")
        coop = Customer(organization_id=org.org.id, name="Borettslaget", kind="housing_coop")
        db.add_all([muni, coop])
        db.flush()
        for title, cust, status in [("Plen", coop, "done"), ("Ved", muni, "in_progress"), ("Søppel", muni, "done"),
                                    ("Avslått", muni, "declined"), ("Flytting", coop, "scheduled")]:
            db.add(WorkOrder(organization_id=org.org.id, title=title, customer_id=cust.id, status=status, start_date=dt.date(2025, 3, 1)))
        db.add(WorkOrder(organization_id=org.org.id, title="Neste år", customer_id=muni.id, status="scheduled", start_date=dt.date(2026, 3, 1)))
        db.commit()
    return world


def _table(page: str, key: str) -> list[list[str]]:
    import re

    section = page.split(f'id="sec-{key}"', 1)[1].split("</section>", 1)[0]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", section.split("<tbody>", 1)[1], re.S):
        rows.append([html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)])
    return rows


def test_lavterskel_report_sections_core_numbers(dataset, client):
    login(client, dataset.a.users["leader"])
    r = client.get("/reports", params={"start": START.isoformat(), "end": END.isoformat()}, headers={"Accept-Language": "en"})
    assert r.status_code == 200
    people = dict(_table(r.text, "people"))
    # Seven came on 3 March 2025; Per was first seen in 2024, so six are new.
    assert people["Unique people"] == "7"
    assert people["New people"] == "6"
    assert people["Women"] == "5" and people["Men"] == "2"
    assert people["Women's share"] == "71.4 %"
    ages = dict(_table(r.text, "age_groups"))
    # Ages on 31 Dec 2025: Ole 25, Anne 35, Kari 45, Liv 55, Nina 65, Per 69; Tone unknown.
    assert ages == {"Under 30": "1", "30–39": "1", "40–49": "1", "50–59": "1", "60 and over": "2", "Age not recorded": "1",
                    "Total": "7"}
    work = _table(r.text, "work_by_month")
    # Worked or left early: March 3 shifts (4.5 + 4.5 + 2 h, three people), April 1 (5 h). Sent home and no-show do not count.
    assert work == [["Mar 2025", "3", "11.00", "3"], ["Apr 2025", "1", "5.00", "1"], ["Total", "4", "16.00", "3"]]
    orders = {row[0]: row[1:] for row in _table(r.text, "orders_by_customer")}
    # Declined and next year's order do not count; in progress and scheduled are carried over.
    assert orders == {"Municipality unit": ["2", "1", "1"], "Housing co-op": ["2", "1", "1"]}


def test_shared_report_hides_small_groups(dataset, client):
    login(client, dataset.a.users["leader"])
    r = client.get("/reports", params={"start": START.isoformat(), "end": END.isoformat(), "shared": "1"}, headers={"Accept-Language": "en"})
    people = dict(_table(r.text, "people"))
    assert people["Unique people"] == "7" and people["New people"] == "6"
    # Two men; the five women are hidden too, or 7 - 5 - 0 would give the men back (see test_report_sharing_attacks).
    assert people["Men"] == "hidden" and people["Women"] == "hidden"
    assert people["Women's share"] == "hidden"  # two men: the share would reveal them
    assert dict(_table(r.text, "age_groups"))["Under 30"] == "hidden"
    assert "Hidden: a group of fewer than 5 people" in r.text


def test_suppress_small_groups_keeps_zero_and_large_and_hides_a_small_groups_row():
    # Without measure_columns, every figure of a small group's row goes with it.
    s = ReportSection("x", "X", ["a", "people", "days"], [["r", 0, 3], ["s", 4, 2], ["t", 12, Share(6, 12)]], people_columns=(1,),
                      group_column=1)
    out = suppress_small_groups(s, 5).rows
    assert out[0][1] == 0 and out[0][2] == 3
    # Four people: their count and every other figure of that row are hidden, the label stays.
    assert out[1][0] == "s" and isinstance(out[1][1], Hidden) and isinstance(out[1][2], Hidden)
    assert out[2][1] == 12 and out[2][2] == Share(6, 12)


def test_section_csv_and_chart(dataset, client):
    login(client, dataset.a.users["leader"])
    q = {"start": START.isoformat(), "end": END.isoformat()}
    r = client.get("/reports/csv/work_by_month", params=q, headers={"Accept-Language": "en"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Month", "Days worked", "Hours worked", "People who worked"]
    assert rows[-1] == ["Total", "4", "16.00", "3"]
    chart = client.get("/reports/chart/age_groups", params=q)
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in chart.text and "<script" not in chart.text
    assert client.get("/reports/chart/people", params=q).status_code == 404  # a table without a chart
    assert client.get("/reports/csv/nope", params=q).status_code == 404


def test_report_period_validation_is_a_translated_400(dataset, client):
    login(client, dataset.a.users["leader"])
    r = client.get("/reports", params={"start": "2025-12-31", "end": "2025-01-01"}, headers={"Accept-Language": "en"})
    assert r.status_code == 400 and "The end date is before the start date." in r.text
    assert client.get("/reports", params={"start": "not a date"}).status_code == 400


def test_reports_are_for_leaders_not_work_leaders(dataset, client):
    login(client, dataset.a.users["work_leader"])
    assert client.get("/reports").status_code == 403


def test_other_organization_sees_none_of_it(dataset, client):
    login(client, dataset.b.users["leader"])
    r = client.get("/reports", params={"start": START.isoformat(), "end": END.isoformat()}, headers={"Accept-Language": "en"})
    assert dict(_table(r.text, "people"))["Unique people"] == "0"


def test_printable_page_and_pdf(dataset, client):
    login(client, dataset.a.users["leader"])
    q = {"start": START.isoformat(), "end": END.isoformat()}
    page = client.get("/reports/print", params=q, headers={"Accept-Language": "nb"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Årsrapport" in page.text or "Yearly report" not in page.text
    assert '<img class="chart" src="/reports/chart/age_groups?' in page.text
    pdf = client.get("/reports/pdf", params=q)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 5000


def test_pdf_fetcher_serves_only_own_assets():
    from core.services.reports import Report
    from core.web.controllers.reports import own_assets_fetcher

    section = ReportSection("ages", "Ages", ["Age", "People"], [["30–39", 6]], chart="bar")
    fetch = own_assets_fetcher(Report(organization=None, start=START, end=END, shared=False, sections=[section], failed=[]))
    assert b"@page" in fetch.fetch("lavterskel://app/static/print.css").read()
    assert fetch.fetch("lavterskel://app/reports/chart/ages?start=x").read().startswith(b"<svg")
    for url in ("http://127.0.0.1:9/secret.png", "file:///etc/passwd", "lavterskel://app/static/../../pyproject.toml",
                "lavterskel://app/reports/chart/nope", "lavterskel://app/participants/1"):
        with pytest.raises(ValueError):
            fetch.fetch(url)


def test_leaders_dashboard_shows_the_week(world, client):
    from core.i18n import today

    org = world.a
    monday = today() - dt.timedelta(days=today().weekday())
    with world.db(org) as db:
        p = Participant(organization_id=org.org.id, first_name="Ukesen")
        day = ProgramDay(organization_id=org.org.id, site_id=org.site.id, date=monday)
        last = ProgramDay(organization_id=org.org.id, site_id=org.site.id, date=monday - dt.timedelta(days=7))
        db.add_all([p, day, last])
        db.flush()
        db.add_all([Attendance(organization_id=org.org.id, day_id=day.id, participant_id=p.id),
                    Attendance(organization_id=org.org.id, day_id=last.id, participant_id=p.id)])
        db.commit()
    login(client, org.users["leader"])
    page = client.get("/", headers={"Accept-Language": "en"}).text
    assert "This week" in page and "This week so far: 1 registrations. Last week: 1." in page
    client.cookies.clear()
    login(client, org.users["work_leader"])
    assert "This week so far" not in client.get("/", headers={"Accept-Language": "en"}).text


def test_people_who_only_did_plugin_work_count_in_the_core_sections(world):
    """Nyttig Arbeid's people work from timesheets, not shifts: they come in through payable work."""
    from core.builtin.report import lavterskel_report_sections as core_sections
    from core.contrib import PayableWork
    from core.i18n import use_locale

    with world.db(world.b) as db:
        p = Participant(organization_id=world.b.org.id, first_name="Timeliste", gender="man", first_seen_on=dt.date(2025, 5, 5))
        db.add(p)
        db.commit()
        work = [PayableWork(participant_id=p.id, date=dt.date(2025, 5, 5), kind="hours", source="nyttig_timesheet:1", hours=Decimal("4"))]
        with use_locale("en"):
            with_work = dict((str(r[0]), r[1]) for r in core_sections(db=db, start=START, end=END, work=work)[0].rows)
            without = dict((str(r[0]), r[1]) for r in core_sections(db=db, start=START, end=END, work=[])[0].rows)
    assert with_work["Unique people"] == 1 and with_work["Men"] == 1 and with_work["New people"] == 1
    assert without["Unique people"] == 0


def test_payable_work_is_asked_once_per_report_and_only_when_a_section_uses_it(world, monkeypatch):
    """Every section gets the period's work, but it is fetched on first use, once; the core's
    own shifts are not asked for at all (its people count has every shift already)."""
    import core.builtin.work
    from core.contrib import PayableWork
    from core.plugins import build_plugin_manager, hookimpl
    from core.services.reports import build_report

    calls: list[str] = []

    @hookimpl(trylast=True)
    def shifts_as_work(db, start, end):  # replaces the core's, to see whether it is asked
        calls.append("shifts")
        return []

    monkeypatch.setattr(core.builtin.work, "lavterskel_payable_work", shifts_as_work)
    with world.db(world.a) as db:
        p = Participant(organization_id=world.a.org.id, first_name="Timer", gender="woman", first_seen_on=dt.date(2025, 6, 2))
        db.add(p)
        db.commit()
        pid = p.id

    class Hours:
        @hookimpl
        def lavterskel_payable_work(self, start):
            calls.append("hours")
            return [PayableWork(participant_id=pid, date=start, kind="hours", source="hours:1", hours=Decimal("2"))]

    class Counts:
        @hookimpl
        def lavterskel_report_sections(self, work):
            return [ReportSection("counted", "Counted", ["", "Work"], [["all", len(work)], ["again", sum(1 for _w in work)]])]

    class Ignores:
        @hookimpl
        def lavterskel_report_sections(self):
            return []

    for sections, expected_calls, expected_work in (([("ignores", Ignores())], ["hours"], None),
                                                    ([("counts", Counts())], ["hours", "shifts"], 1)):
        calls.clear()
        plugins = build_plugin_manager([], [("hours", Hours()), *sections])
        org = type("Org", (), {"enabled_plugins": frozenset({"hours", sections[0][0]})})()
        with world.db(world.a) as db:
            report = build_report(db, plugins, org, START, END)
        keyed = {s.key: s for s in report.sections}
        assert keyed["people"].rows[0][1] == 1  # the person who only did the plugin's work
        assert sorted(calls) == sorted(expected_calls)  # each asked at most once
        if expected_work is not None:
            assert keyed["counted"].rows == [["all", 1], ["again", 1]]


def test_charts_are_drawn_from_the_report_their_page_was_built_from(dataset, client, monkeypatch):
    from core.web.controllers import reports as controller

    builds: list[tuple[object, object]] = []
    real_build = controller.build_report

    def counting_build(db, plugins, organization, start, end, *, shared=False):  # type: ignore[no-untyped-def]
        builds.append((start, end))
        return real_build(db, plugins, organization, start, end, shared=shared)

    monkeypatch.setattr(controller, "build_report", counting_build)
    login(client, dataset.a.users["leader"])
    q = {"start": START.isoformat(), "end": END.isoformat()}
    page = client.get("/reports", params=q)
    assert page.status_code == 200 and len(builds) == 1
    first = client.get("/reports/chart/age_groups", params=q)
    assert first.status_code == 200 and "<svg" in first.text
    client.get("/reports/chart/age_groups", params=q)
    assert len(builds) == 1  # the page's report, not a new one per picture
    # Another period, or the sharing mode, is another report.
    assert client.get("/reports/chart/age_groups", params={**q, "shared": "1"}).status_code == 200
    assert len(builds) == 2
    # A CSV is asked for later, after data may have changed: always counted anew.
    assert client.get("/reports/csv/work_by_month", params=q).status_code == 200
    assert len(builds) == 3
    # A minute later the page's report is gone and the chart counts again.
    monkeypatch.setattr(controller._shown, "seconds", 0.0)
    assert client.get("/reports/chart/age_groups", params=q).status_code == 200
    assert len(builds) == 4
