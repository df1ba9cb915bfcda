"""Work orders a team builder can trust (issue 15): steep slope, ladder and indoor flags on
every work order form, a new one too, and recurrence as a rule (weekdays, every n weeks,
until) that decides on which days an order is offered, shown in words in both languages,
refused with a translated message when it cannot be followed; page and API alike. The
migration reads the old free text into the rule where it can."""
from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import use_locale
from core.models import ProgramDay, WorkOrder
from core.services.recurrence import describe, occurs_on
from tests.conftest import OrgWorld, api_token, bearer, login, post_form
from tests.parity import Ctx, Pair, assert_parity

MONDAY = dt.date(2026, 12, 7)
THURSDAY, FRIDAY = MONDAY + dt.timedelta(days=3), MONDAY + dt.timedelta(days=4)


def _order(**values: Any) -> SimpleNamespace:
    base = {"start_date": None, "end_date": None, "repeat_weekdays": [], "repeat_every_weeks": 1, "repeat_until": None,
            "created_at": dt.datetime(2026, 11, 1)}
    return SimpleNamespace(**{**base, **values})


def test_a_monday_and_thursday_order_is_not_offered_on_a_friday():
    order = _order(repeat_weekdays=[1, 4])
    assert [occurs_on(order, MONDAY + dt.timedelta(days=i)) for i in range(7)] == [True, False, False, True, False, False, False]


def test_every_other_week_counts_from_the_start_dates_week_and_stops_after_until():
    order = _order(repeat_weekdays=[3], repeat_every_weeks=2, start_date=MONDAY + dt.timedelta(days=4),  # a Friday
                   repeat_until=MONDAY + dt.timedelta(weeks=4, days=2))
    wednesdays = [MONDAY + dt.timedelta(weeks=w, days=2) for w in range(6)]
    # The start's own week's Wednesday lies before the start; then every other week, until.
    assert [occurs_on(order, d) for d in wednesdays] == [False, False, True, False, True, False]


def test_an_order_without_weekdays_is_worked_every_day_between_its_dates():
    order = _order(start_date=MONDAY, end_date=THURSDAY)
    assert [occurs_on(order, MONDAY + dt.timedelta(days=i)) for i in range(-1, 5)] == [False, True, True, True, True, False]


def test_the_rule_in_words_in_english_and_bokmal():
    order = _order(repeat_weekdays=[4, 1], repeat_every_weeks=2, repeat_until=dt.date(2026, 12, 31))
    with use_locale("en"):
        assert describe(order) == "Every 2 weeks on Monday and Thursday, until 31 Dec 2026"
        assert describe(_order(repeat_weekdays=[1, 4])) == "Every Monday and Thursday"
    with use_locale("nb"):
        assert describe(_order(repeat_weekdays=[1, 4])) == "Hver mandag og torsdag"
        assert describe(order).startswith("Hver 2. uke på mandag og torsdag, til og med 31. des")
    assert describe(_order()) == ""


def test_a_new_order_on_the_page_takes_flags_and_rule_and_shows_them_in_words(world, client):
    login(client, world.a.users["work_leader"])
    form = client.get("/work-orders/new", headers={"Accept-Language": "nb"}).text
    for text in ("Bratt terreng", "Arbeid i stige", "Innendørs", "mandag", "søndag", "Gjentas til og med"):
        assert text in form
    r = post_form(client, "/work-orders", {"title": "Plenklipp Østbyen", "kind": "recurring", "people_needed": "4",
                                           "steep": "1", "ladders": "1", "indoor": "0", "start_date": "2026-12-07",
                                           "repeat_weekdays": ["1", "4"], "repeat_every_weeks": "2", "repeat_until": "2027-03-31"})
    assert r.status_code == 303, r.text[:2000]
    with world.db(world.a) as db:
        o = db.scalars(select(WorkOrder)).one()
        assert (o.steep, o.ladders, o.indoor, o.repeat_weekdays, o.repeat_every_weeks, o.repeat_until) == (
            True, True, False, [1, 4], 2, dt.date(2027, 3, 31))
    detail = client.get(r.headers["location"], headers={"Accept-Language": "en"}).text
    assert "Every 2 weeks on Monday and Thursday, until 31 Mar 2027" in detail
    edit = client.get(f"{r.headers['location']}/edit").text
    assert edit.count("checked") >= 4  # steep, ladders and two weekdays stay ticked


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"kind": "recurring"}, "repeat_weekdays", "Velg minst én ukedag for et gjentakende oppdrag."),
    ({"kind": "recurring", "repeat_weekdays": ["2"], "start_date": "2026-12-07", "repeat_until": "2026-12-01"}, "repeat_until",
     "Siste dag er før startdatoen."),
    ({"kind": "recurring", "repeat_weekdays": ["2"], "repeat_every_weeks": "3"}, "start_date", "Oppgi en startdato: ukene telles fra den."),
    ({"kind": "one_off", "repeat_weekdays": ["2"]}, "kind", "Bare et gjentakende oppdrag gjentas på ukedager"),
    ({"kind": "recurring", "repeat_weekdays": ["8"]}, "repeat_weekdays", "Må være høyst 7."),
])
def test_a_rule_that_cannot_be_followed_is_refused_in_words_page_and_api(world, client, values, field, message):
    login(client, world.a.users["leader"])
    r = post_form(client, "/work-orders", {"title": "Ugressluking", **values}, headers={"Accept-Language": "nb"})
    assert r.status_code == 400 and message in r.text
    body: dict[str, Any] = {"title": "Ugressluking"}
    names = {"start_date": "starts_on", "repeat_until": "repeats_until_on"}
    for k, v in values.items():
        body[names.get(k, k)] = [int(x) for x in v] if isinstance(v, list) else int(v) if k == "repeat_every_weeks" else v
    r = client.post("/api/v1/work-orders", json=body, headers={**bearer(api_token(world, world.a, "leader")), "Accept-Language": "nb"})
    assert r.status_code in (400, 422), r.text
    assert message in str(r.json())
    with world.db(world.a) as db:
        assert db.scalars(select(WorkOrder)).first() is None


def test_the_api_sets_and_reads_the_same_fields(world, client):
    h = bearer(api_token(world, world.a, "work_leader"))
    r = client.post("/api/v1/work-orders", json={"title": "Takrenner", "kind": "recurring", "is_steep": False, "needs_ladders": True,
                                                 "is_indoor": False, "repeat_weekdays": [5, 2, 2], "starts_on": "2026-12-01",
                                                 "repeats_until_on": "2027-01-31"}, headers=h)
    assert r.status_code == 201, r.text
    out = r.json()
    assert (out["needs_ladders"], out["is_steep"], out["repeat_weekdays"], out["repeat_every_weeks"], out["repeats_until_on"]) == (
        True, False, [2, 5], 1, "2027-01-31")
    r = client.patch(f"/api/v1/work-orders/{out['id']}", json={"repeat_weekdays": []}, headers=h)
    assert r.status_code == 422 and "repeat_weekdays" in r.json()["errors"]
    r = client.patch(f"/api/v1/work-orders/{out['id']}", json={"title": "Takrenner, Lade"}, headers=h)
    assert r.status_code == 200 and r.json()["repeat_weekdays"] == [2, 5]


def test_the_days_orders_offer_a_recurring_order_only_on_its_days(world, client):
    from plugins.dagsverk_lottery.teams import orders_for

    with world.db(world.a) as db:
        org = world.a.org.id
        db.add_all([
            WorkOrder(organization_id=org, title="Plenklipp Byåsen", kind="recurring", status="scheduled", repeat_weekdays=[1, 4]),
            WorkOrder(organization_id=org, title="Vedbua", kind="recurring", status="in_progress"),
        ])
        db.add(ProgramDay(organization_id=org, site_id=world.a.site.id, date=FRIDAY, is_open=True))
        db.commit()
        assert [o.title for o in orders_for(db, THURSDAY)] == ["Plenklipp Byåsen", "Vedbua"]
        assert [o.title for o in orders_for(db, FRIDAY)] == ["Vedbua"]
        day_id = db.scalars(select(ProgramDay.id)).one()
    login(client, world.a.users["work_leader"])
    page = client.get(f"/days/{day_id}").text
    assert "Vedbua" in page and "Plenklipp Byåsen" not in page


def _load_migration() -> Any:
    path = Path(__file__).parents[2] / "core/migrations/versions/orders_0001_work_order_terrain_and_recurrence.py"
    spec = importlib.util.spec_from_file_location("orders_0001", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("text", "rule"), [
    ("every Monday and Thursday", ([1, 4], 1, "")),
    ("hver mandag og torsdag", ([1, 4], 1, "")),
    ("Onsdager", ([3], 1, "")),
    ("annenhver fredag", ([5], 2, "")),
    ("hver 3. uke, tirsdag", ([2], 3, "")),
    ("every Monday, not in July", ([1], 1, "every Monday, not in July")),
    ("etter avtale", None),
])
def test_the_migration_reads_the_old_free_text(text, rule):
    assert _load_migration().read_rule(text) == rule


def _orders_marked(db: Session, ctx: Ctx) -> list[tuple[Any, ...]]:
    return [(o.steep, o.ladders, o.indoor, o.repeat_weekdays, o.repeat_every_weeks, o.repeat_until)
            for o in db.scalars(select(WorkOrder).where(WorkOrder.title == ctx["mark"]))]


def _mark(db: Session, org: OrgWorld) -> Ctx:
    import uuid

    return {"mark": "Oppdrag " + uuid.uuid4().hex[:8]}


def _with_order(db: Session, org: OrgWorld) -> Ctx:
    ctx = _mark(db, org)
    o = WorkOrder(organization_id=org.org.id, title=ctx["mark"], kind="recurring", repeat_weekdays=[3], start_date=MONDAY)
    db.add(o)
    db.flush()
    return {**ctx, "oid": o.id}


PAIRS = [
    Pair("work-orders.create", org="a", setup=_mark,
         page=lambda c: ("/work-orders", {"title": c["mark"], "kind": "recurring", "steep": "1", "ladders": "1", "indoor": "1",
                                          "start_date": "2026-12-07", "repeat_weekdays": ["1", "4"], "repeat_every_weeks": "2",
                                          "repeat_until": "2027-06-30"}),
         api=lambda c: ("/api/v1/work-orders", {"title": c["mark"], "kind": "recurring", "is_steep": True, "needs_ladders": True,
                                                "is_indoor": True, "starts_on": "2026-12-07", "repeat_weekdays": [1, 4],
                                                "repeat_every_weeks": 2, "repeats_until_on": "2027-06-30"}),
         stored=_orders_marked),
    Pair("work-orders.update", org="a", setup=_with_order,
         page=lambda c: (f"/work-orders/{c['oid']}", {"title": c["mark"], "kind": "recurring", "steep": "1", "start_date": "2026-12-07",
                                                      "repeat_weekdays": ["2", "5"], "people_needed": "4"}),
         api=lambda c: (f"/api/v1/work-orders/{c['oid']}", {"is_steep": True, "repeat_weekdays": [2, 5]}),
         api_method="PATCH", stored=_orders_marked),
]


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.action)
def test_page_and_api_set_the_same_fields(pair, app, world):
    assert_parity(pair, app, world)


def test_the_migration_moves_what_it_reads_into_the_rule_and_keeps_the_rest(tmp_path):
    from alembic import command
    from sqlalchemy import text

    from core.config import load_settings
    from core.db import make_engine
    from core.migrate import alembic_config
    from core.plugins import build_plugin_manager

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = alembic_config(engine, build_plugin_manager(load_settings().plugins.allowed, []))

    def run(target: str) -> None:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, target)

    run("core_0006")
    texts = {1: "hver mandag og torsdag", 2: "every Monday, not in July", 3: "etter avtale", 4: ""}
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organization (id, slug, name, program_name) VALUES (1, 'o', 'O', 'P')"))
        for oid, words in texts.items():
            conn.execute(text(
                "INSERT INTO work_order (id, organization_id, title, description, location, kind, status, status_reason, "
                "people_needed, indoor, heavy, recurrence, remaining, created_at) VALUES "
                "(:id, 1, 'T', '', '', 'one_off', 'accepted', '', 4, false, false, :r, '', '2026-01-01 00:00:00')"), {"id": oid, "r": words})
    run("orders_0001")
    with Session(engine) as db:
        got = {o.id: (o.kind, o.repeat_weekdays, o.repeat_every_weeks, o.recurrence, o.steep, o.ladders)
               for o in db.scalars(select(WorkOrder).execution_options(include_all_organizations=True))}
    engine.dispose()
    assert got == {
        1: ("recurring", [1, 4], 1, "", False, False),
        2: ("recurring", [1], 1, "every Monday, not in July", False, False),
        3: ("one_off", [], 1, "etter avtale", False, False),
        4: ("one_off", [], 1, "", False, False),
    }
