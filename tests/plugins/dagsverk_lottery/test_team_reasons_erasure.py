"""Erasing a person reaches the reasons of the team suggestion that named them: the day's
note names no one, the reasons about one person are that person's rows, and the team page
still reads right for everyone else."""
from __future__ import annotations

import json

from sqlalchemy import Text, cast, func, inspect, select

from core.classification import FREE_FORM_TYPES
from core.db import Base
from core.models import WorkOrder
from plugins.dagsverk_lottery import draws
from plugins.dagsverk_lottery.models import OrderProfile, WorkProfile
from tests.conftest import login, post_form
from tests.core.test_migrations import empty_database_url, empty_engine, plugins  # noqa: F401 - fixtures
from tests.plugins.dagsverk_lottery.conftest import check_in_all, open_day, people, wait_for_teams, weekday
from tests.plugins.dagsverk_lottery.test_teams_and_end_of_day import _add_leaders

NAME = "Zebulonia"
SURNAME = "Quillfeather"


def _where_found(db, token: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Every table.column of the database whose text or JSON holds ``token``."""
    existing = set(inspect(db.get_bind()).get_table_names())
    found = []
    for table in Base.metadata.sorted_tables:
        if table.name not in existing:
            continue
        for col in table.columns:
            if type(col.type).__name__ not in FREE_FORM_TYPES or type(col.type).__name__ == "LargeBinary":
                continue
            n = db.execute(select(func.count()).select_from(table).where(cast(col, Text).like(f"%{token}%"))).scalar_one()
            if n:
                found.append(f"{table.name}.{col.name}")
    return found


def test_erasing_a_drawn_person_leaves_no_name_or_limit_in_the_team_reasons(world, client) -> None:  # type: ignore[no-untyped-def]
    with world.db(world.a) as db:
        persons = people(db, world.a, 12, women=3)
        persons[0].first_name, persons[0].last_name = NAME, SURNAME
        _add_leaders(db, world.a, 2)
        day = open_day(db, world.a, weekday(0), capacity=12)
        order = WorkOrder(organization_id=world.a.org.id, title="Steep lawn", status="scheduled", people_needed=4, heavy=False)
        db.add(order)
        db.flush()
        db.add(OrderProfile(organization_id=world.a.org.id, work_order_id=order.id, steep=True))
        # The person to erase: a limit, and someone they must not work with.
        db.add(WorkProfile(organization_id=world.a.org.id, participant_id=persons[0].id, limits=["no_steep"], not_with=[persons[1].id]))
        # Someone else with a limit and a pair of their own, whose reasons must stay.
        db.add(WorkProfile(organization_id=world.a.org.id, participant_id=persons[2].id, limits=["indoor_only"], not_with=[persons[3].id]))
        db.commit()
        check_in_all(db, day, persons)
        draws.run(db, day, None)
        day_id, pid = day.id, persons[0].id
        other, pair = persons[2].display_name, persons[3].display_name

    login(client, world.a.users["leader"])
    date = weekday(0).isoformat()
    assert post_form(client, f"/dagsverk/days/{day_id}/teams/suggest").status_code == 303
    assert wait_for_teams(world, day_id) == "done"
    before = client.get(f"/dagsverk/teams?date={date}").text
    assert f"{NAME} {SURNAME}: no steep slopes, so not on" in before

    r = post_form(client, f"/participants/{pid}/erase", {"confirm": "1"})
    assert r.status_code == 200, r.text[:500]

    with world.db() as db:
        for token in (NAME, SURNAME, "no_steep"):
            assert _where_found(db, token) == [], token

    page = client.get(f"/dagsverk/teams?date={date}")
    assert page.status_code == 200
    # Their own reasons went with them; where someone else's reason points at them, the
    # page shows the anonymized row's "#id", as everywhere else.
    assert NAME not in page.text and "no steep slopes" not in page.text
    assert f"{other}: indoor work only, so not on" in page.text
    assert any(f"{a} and {b} are kept on different teams" in page.text for a, b in ((other, pair), (pair, other)))
    assert "work leaders on duty" in page.text and "The best suggestion" in page.text


def test_the_migration_removes_names_from_team_notes_already_stored(empty_engine, plugins) -> None:  # type: ignore[no-untyped-def]
    """A note written before the reasons moved named people; after the upgrade it names no
    one, and the day's reasons are still there to read."""
    from alembic import command
    from sqlalchemy import text

    from core.migrate import alembic_config, upgrade

    cfg = alembic_config(empty_engine, plugins)
    with empty_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "dv_0002")
    old = {"notes": [["leaders", {"leaders": 2, "teams": 2}], ["limits", {"name": NAME, "limits": ["no_steep"], "slots": "Lawn"}],
                     ["not_with", {"a": NAME, "b": "Person1"}], ["unplaced", {"name": NAME}], ["solver", {"status": "OPTIMAL", "gap": 0, "seconds": 1}]],
           "status": "OPTIMAL", "gap": 0, "seconds": 1}
    with empty_engine.begin() as conn:
        conn.execute(text("INSERT INTO organization (slug, name, program_name) VALUES ('o', 'O', 'O')"))
        conn.execute(text("INSERT INTO site (name, address, organization_id) VALUES ('S', '', 1)"))
        conn.execute(text("INSERT INTO program_day (site_id, date, is_open, note, organization_id) VALUES (1, '2026-03-02', true, '', 1)"))
        conn.execute(text("INSERT INTO dagsverk_lottery_team_note (organization_id, day_id, explanation, team_kinds, created_at) "
                          "VALUES (1, 1, :e, '{}', '2026-03-02 10:00:00')"), {"e": json.dumps(old)})
    upgrade(empty_engine, plugins)
    with empty_engine.connect() as conn:
        stored = conn.execute(text("SELECT explanation FROM dagsverk_lottery_team_note")).scalar_one()
    stored = json.loads(stored) if isinstance(stored, str) else stored
    assert NAME not in json.dumps(stored) and "no_steep" not in json.dumps(stored)
    assert [k for k, _v in stored["notes"]] == ["leaders", "solver"] and stored["status"] == "OPTIMAL"
