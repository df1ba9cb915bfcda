"""GDPR export and erasure, tried as an attacker would: a person with a distinctive value in
every classified column of every plugin, exported, erased, then every table searched.

The rows are generated from the classification (``core.classification.classified_tables``),
not written by hand, so these tests cover every column any model classifies, now and
later. Which tables belong to whom is read from each plugin's ``TABLES``, independently of
the code under test.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import JSON, Column, Date, ForeignKey, Integer, String, Text, cast, create_engine, func, insert, inspect, select, text
from sqlalchemy.orm import DeclarativeBase, Session

from core.classification import FREE_FORM_TYPES, Category, ClassifiedTable, classified_tables, personal
from core.db import Base
from core.models import AccessLogEntry, Participant
from core.services import personal_data as pd
from tests.conftest import IS_POSTGRES, login, make_org, post_form
from tests.core.test_migrations import empty_database_url, empty_engine, plugins  # noqa: F401 - fixtures

KNOWN_DAY = dt.date(2026, 1, 5)


# ---------------------------------------------------------------------------------------
# A person with something distinctive in every classified column
# ---------------------------------------------------------------------------------------


def _owners(app_plugins: Any) -> dict[str, str]:
    owners = {}
    for name in app_plugins.program_plugins:
        for t in getattr(app_plugins.module(name), "TABLES", ()):
            owners[t] = name
    return owners


def _person_tables(app_plugins: Any) -> list[ClassifiedTable]:
    """Every classified table about one participant, of the core or a loaded plugin."""
    owners = _owners(app_plugins)
    out = []
    for t in classified_tables(Base):
        core = t.model.__module__.startswith("core.")
        subject = "id" if t.table.name == "participant" else t.subject
        if not t.columns or subject is None or (not core and t.table.name not in owners):
            continue
        if t.table.name in pd.OWN_RULES:
            continue
        out.append(t)
    return out


class Values:
    """A distinctive value per (table, column), remembered for the search afterwards."""

    def __init__(self) -> None:
        self.n = 0
        self.by_column: dict[tuple[str, str], Any] = {}

    def make(self, table: str, column: Any) -> Any:
        self.n += 1
        token = f"Qz{self.n:03d}w"
        python_type = column.type.python_type
        if python_type is str:
            assert column.type.length is None or column.type.length >= len(token), f"{table}.{column.name} is too short for a test value"
            value: Any = token
        elif python_type in (list, dict, object):  # JSON
            value = [token]
        elif python_type is dt.date:
            value = dt.date(1977, 3, 14)
        elif python_type is dt.datetime:
            value = dt.datetime(1977, 3, 14, 9, 41)
        elif python_type is bool:
            value = True
        elif python_type is Decimal:
            value = Decimal("917.31")
        elif python_type is int:
            value = 918_000 + self.n
        else:  # pragma: no cover - a new type: say so
            raise AssertionError(f"{table}.{column.name}: no test value for {column.type}")
        self.by_column[(table, column.name)] = value
        return value

    def tokens(self) -> dict[str, tuple[str, str]]:
        """Every text token -> the (table, column) it was written to."""
        out = {}
        for where, v in self.by_column.items():
            for x in v if isinstance(v, list) else [v]:
                if isinstance(x, str):
                    out[x] = where
        return out


def _filler(column: Any) -> Any:
    python_type = column.type.python_type
    return {str: "f", int: 1, bool: False, Decimal: Decimal(1), list: [], dict: {}, object: {}, dt.date: KNOWN_DAY,
            dt.datetime: dt.datetime(2026, 1, 5, 8)}[python_type]


class Builder:
    """Inserts rows with Core statements: a row per person table, parents as they are needed."""

    def __init__(self, db: Session, org_id: int, pid: int, staff_id: int, values: Values, person_tables: set[str]) -> None:
        self.db, self.org_id, self.pid, self.staff_id, self.values = db, org_id, pid, staff_id, values
        self.person_tables = person_tables
        self.ids: dict[str, int] = {"participant": pid}

    def row(self, table: Any) -> int:
        if table.name in self.ids:
            return self.ids[table.name]
        data: dict[str, Any] = {}
        for c in table.columns:
            if c.primary_key:
                continue
            info = c.info.get("personal_data")
            if c.name == "organization_id":
                data[c.name] = self.org_id
            elif c.foreign_keys:
                target = next(iter(c.foreign_keys)).column.table
                if target.name == "participant":
                    data[c.name] = self.pid
                elif target.name == "staff_user":
                    data[c.name] = self.staff_id
                elif target.name == "organization":
                    data[c.name] = self.org_id
                elif not c.nullable:
                    data[c.name] = self.row(target)
            elif info is not None and table.name in self.person_tables:
                data[c.name] = self.values.make(table.name, c)
            elif not c.nullable and c.default is None and c.server_default is None:
                data[c.name] = _filler(c)
        self.ids[table.name] = self.db.execute(insert(table).values(**data).returning(table.c.id)).scalar_one()
        return self.ids[table.name]


def _everyone(world: Any, app: Any) -> tuple[Any, Any]:
    """An organization with every loaded plugin on."""
    plugins_ = app.state["ctx"].plugins
    with world.factory() as db:
        org = make_org(db, "gamma", "Gamma All", tuple(plugins_.program_plugins))
        db.commit()
    return org, plugins_


def _a_person_in_every_table(world: Any, app: Any) -> tuple[Any, int, Values, list[ClassifiedTable]]:
    org, plugins_ = _everyone(world, app)
    tables = _person_tables(plugins_)
    values = Values()
    with world.db(org) as db:
        p = Participant(organization_id=org.org.id, first_name="placeholder")
        db.add(p)
        db.flush()
        pid = p.id
        # The person's own row first: every classified column distinctive.
        participant = Base.metadata.tables["participant"]
        db.execute(participant.update().where(participant.c.id == pid).values(
            **{c.name: values.make("participant", c) for c in participant.columns if c.info.get("personal_data") is not None}
        ))
        builder = Builder(db, org.org.id, pid, org.users["leader"].id, values, {t.table.name for t in tables})
        names = {t.table.name for t in tables}
        for table in Base.metadata.sorted_tables:
            if table.name in names and table.name != "participant":
                builder.row(table)
        db.commit()
    return org, pid, values, tables


def _export(client: TestClient, org: Any, pid: int) -> dict[str, Any]:  # type: ignore[type-arg]
    login(client, org.users["leader"])
    r = post_form(client, f"/participants/{pid}/export", {"format": "json"})
    assert r.status_code == 200
    return json.loads(r.text)


def _erase(client: TestClient, pid: int) -> None:  # type: ignore[type-arg]
    r = post_form(client, f"/participants/{pid}/erase", {"confirm": "1"})
    assert r.status_code == 200, r.text[:500]


def _text_columns() -> list[tuple[str, str]]:
    return [(t.name, c.name) for t in Base.metadata.sorted_tables for c in t.columns if type(c.type).__name__ in FREE_FORM_TYPES]


def _where_found(db: Session, token: str) -> list[tuple[str, str]]:
    """Every (table, column) of the database whose text holds ``token``."""
    existing = set(inspect(db.get_bind()).get_table_names())
    found = []
    for table_name, column in _text_columns():
        if table_name not in existing:
            continue
        col = Base.metadata.tables[table_name].c[column]
        n = db.execute(select(func.count()).select_from(col.table).where(cast(col, Text).like(f"%{token}%"))).scalar_one()
        if n:
            found.append((table_name, column))
    return found


def _keep(tables: list[ClassifiedTable], table: str, column: str) -> bool:
    t = next(t for t in tables if t.table.name == table)
    return bool(t.columns[column].keep)


# ---------------------------------------------------------------------------------------
# Export: every classified column of every enabled plugin
# ---------------------------------------------------------------------------------------


def test_the_export_holds_every_classified_column_of_every_enabled_plugin(world, app, client) -> None:  # type: ignore[no-untyped-def]
    org, pid, values, tables = _a_person_in_every_table(world, app)
    assert {t.table.name for t in tables} >= {"participant", "intake_record", "payroll_rules_benefit_status"}
    data = _export(client, org, pid)
    missing = []
    derived = {(t.table.name, n) for t in tables for n, c in t.columns.items() if c.derived}
    assert ("participant", "search_key") in derived
    for (table, column), value in values.by_column.items():
        rows = data["tables"].get(table, {}).get("rows", [])
        if (table, column) in derived:  # computed from other columns (the names): left out, said in docs/security.md
            assert not any(column in row for row in rows), f"{table}.{column} is derived and must not be exported"
            continue
        expected = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value) if isinstance(value, Decimal) else value
        if isinstance(value, (list, dict)):  # the API gives a stored list or object as its JSON text
            expected = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        if not any(row.get(column) == expected for row in rows):
            missing.append(f"{table}.{column}")
    assert missing == [], f"classified columns missing from the export: {missing}"
    # Every table with a classified column is there, each titled, with each column's category.
    assert set(data["tables"]) == {t.table.name for t in tables}
    for t in tables:
        exported = data["tables"][t.table.name]
        assert exported["title"] and exported["categories"] == {n: str(c.category) for n, c in t.columns.items() if not c.derived}


def test_the_readable_export_shows_every_value_in_words(world, app, client) -> None:  # type: ignore[no-untyped-def]
    org, pid, values, tables = _a_person_in_every_table(world, app)
    login(client, org.users["leader"])
    r = post_form(client, f"/participants/{pid}/export", {"format": "html"}, headers={"Accept-Language": "en"})
    assert r.status_code == 200
    derived = {(t.table.name, n) for t in tables for n, c in t.columns.items() if c.derived}
    for token, where in values.tokens().items():
        assert (token in r.text) != (where in derived), token  # a derived value (the search key) is left out
    assert "Work profile" in r.text and "Helper name" in r.text and "Substance use" in r.text


def test_a_plugin_the_organization_has_not_enabled_is_neither_exported_nor_erased(world, app, client) -> None:  # type: ignore[no-untyped-def]
    org, pid, values, _tables = _a_person_in_every_table(world, app)
    from core.models import OrganizationPlugin

    with world.db() as db:
        db.execute(OrganizationPlugin.__table__.update().where(
            OrganizationPlugin.organization_id == org.org.id, OrganizationPlugin.plugin == "nyttig_contract").values(enabled=False))
        db.commit()
    data = _export(client, org, pid)
    assert not [t for t in data["tables"] if t.startswith("nyttig_contract_")]
    assert "payroll_rules_benefit_status" in data["tables"]


# ---------------------------------------------------------------------------------------
# Erase: then search every text column of every table
# ---------------------------------------------------------------------------------------


def test_after_erasure_no_distinctive_value_is_left_in_any_table_but_what_the_law_keeps(world, app, client) -> None:  # type: ignore[no-untyped-def]
    org, pid, values, tables = _a_person_in_every_table(world, app)
    _export(client, org, pid)  # logged in as the leader, and the export itself is logged
    _erase(client, pid)
    left = {}
    with world.db() as db:
        for token, (table, column) in values.tokens().items():
            found = _where_found(db, token)
            allowed = [(table, column)] if _keep(tables, table, column) else []
            if found != allowed:
                left[f"{table}.{column}"] = found
    assert left == {}, f"values left after erasure: {left}"


def test_after_erasure_every_classified_value_is_gone_from_its_column(world, app, client) -> None:  # type: ignore[no-untyped-def]
    """Dates, numbers and flags too, which a text search cannot see."""
    org, pid, values, tables = _a_person_in_every_table(world, app)
    login(client, org.users["leader"])
    _erase(client, pid)
    wrong = []
    with world.db() as db:
        for (table_name, column), value in values.by_column.items():
            table = Base.metadata.tables[table_name]
            subject = "id" if table_name == "participant" else next(t.subject for t in tables if t.table.name == table_name)
            now = list(db.execute(select(table.c[column]).where(table.c[subject] == pid)).scalars())
            if (table_name, column) == ("participant", "birth_date"):
                ok = now == [dt.date(value.year, 7, 1)]  # the core's rule: the year only
            elif _keep(tables, table_name, column):
                ok = now == [value]
            else:
                ok = value not in now
            if not ok:
                wrong.append(f"{table_name}.{column}: {now!r}")
        person = db.get(Participant, pid)
        assert person is not None and person.first_name == f"#{pid}" and not person.active
        assert person.birth_date == dt.date(1977, 7, 1)  # the year stays, for age groups
    assert wrong == []


def test_the_access_log_holds_no_page_that_names_the_person(world, app, client) -> None:  # type: ignore[no-untyped-def]
    org, pid, _values, _tables = _a_person_in_every_table(world, app)
    login(client, org.users["leader"])
    for path in ("consents", "access-log"):
        assert client.get(f"/participants/{pid}/{path}").status_code == 200
    post_form(client, f"/participants/{pid}/sensitive/show", {"category": "health"})
    _export(client, org, pid)
    with world.db() as db:
        pages = list(db.scalars(select(AccessLogEntry.page)))
    assert len(pages) >= 4
    assert all(str(pid) not in page.split("/") for page in pages), pages
    assert "/participants/{obj_id}/export" in pages
    _erase(client, pid)
    with world.db() as db:
        rows = list(db.execute(select(AccessLogEntry.subject_id, AccessLogEntry.page)))
    assert all(subject is None and str(pid) not in page.split("/") for subject, page in rows)


def test_a_page_given_as_a_path_is_stored_without_its_ids() -> None:
    from core.services.privacy import page_without_ids

    assert page_without_ids("/participants/12/consents/7/withdraw?q=Kari#x") == "/participants/{id}/consents/{id}/withdraw"
    assert page_without_ids("/api/v1/participants/{obj_id}/export") == "/api/v1/participants/{obj_id}/export"
    assert page_without_ids("cli:retention") == "cli:retention"


def test_if_one_table_cannot_be_erased_nothing_is_erased(world, app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from core.models import Organization
    from core.services.privacy import erase_person, is_erased

    org, pid, values, _tables = _a_person_in_every_table(world, app)
    real = pd.anonymized_values

    def broken(pt: Any) -> dict[str, Any]:
        # The person's own row is the last one erasure reaches: everything else is done by then.
        if pt.name == "participant":
            raise pd.NoNeutralValue("a column that cannot be emptied")
        return real(pt)

    monkeypatch.setattr(pd, "anonymized_values", broken)
    with world.db(org) as db, pytest.raises(pd.NoNeutralValue):
        erase_person(db, app.state["ctx"].plugins, db.get(Organization, org.org.id), None, db.get(Participant, pid))
    with world.db() as db:
        for token, where in values.tokens().items():
            assert _where_found(db, token) == [where], token
        assert not is_erased(db, pid) and db.get(Participant, pid).active  # type: ignore[union-attr]


@pytest.mark.skipif(IS_POSTGRES, reason="the file of a SQLite database; PostgreSQL's files are the server's")
def test_after_erasure_the_database_file_holds_no_trace(world, app, client) -> None:  # type: ignore[no-untyped-def]
    """Read the raw bytes of the database and its write-ahead log: deleted and overwritten
    text must not linger in free space (secure_delete) or in old log frames."""
    org, pid, values, tables = _a_person_in_every_table(world, app)
    surname, note = "Ødegård-Zyxwv", "Fortalte om rusbruk i helgene, Zyxwv-notat"
    with world.db(org) as db:
        db.execute(Participant.__table__.update().where(Participant.id == pid).values(last_name=surname))
        db.execute(text("UPDATE intake_record SET health = :n WHERE participant_id = :p"), {"n": note, "p": pid})
        db.commit()
    login(client, org.users["leader"])
    _erase(client, pid)
    database = Path(os.environ["LAVTERSKEL_DATABASE_URL"].removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in (database, Path(f"{database}-wal")) if p.exists())
    assert raw, "the database file was not found"
    for value in (surname, note, *[t for t, where in values.tokens().items() if not _keep(tables, *where)]):
        assert value.encode() not in raw, value


def test_the_backup_taken_after_erasure_holds_no_trace(world, app, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from core.backup import backup

    if IS_POSTGRES:
        pytest.skip("pg_dump writes live rows only; covered by the table search above")
    org, pid, values, tables = _a_person_in_every_table(world, app)
    login(client, org.users["leader"])
    _erase(client, pid)
    copy = backup(os.environ["LAVTERSKEL_DATABASE_URL"], tmp_path / "after.db").read_bytes()
    for token, where in values.tokens().items():
        assert (token.encode() in copy) == _keep(tables, *where), token


def test_erasure_on_postgresql_vacuums_the_tables_it_touched(world, app, client) -> None:  # type: ignore[no-untyped-def]
    if not IS_POSTGRES:
        pytest.skip("VACUUM is PostgreSQL's")
    org, pid, _values, _tables = _a_person_in_every_table(world, app)
    login(client, org.users["leader"])
    _erase(client, pid)
    with world.db() as db:
        dead = db.execute(text(
            "SELECT relname, n_dead_tup FROM pg_stat_user_tables WHERE relname IN ('intake_record', 'participant', 'nyttig_contract_assessment')"
        )).all()
        vacuumed = db.execute(text(
            "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'intake_record' AND last_vacuum IS NOT NULL"
        )).scalar_one()
    assert vacuumed == 1, dead


# ---------------------------------------------------------------------------------------
# The check that every classified column is exported and erased, shown on a throwaway model
# ---------------------------------------------------------------------------------------


class Scratch(DeclarativeBase):
    pass


class ScratchPerson(Scratch):
    __tablename__ = "participant"
    id = Column(Integer, primary_key=True)
    first_name = Column(String(100), nullable=False, info=personal(Category.IDENTITY))


class ScratchNote(Scratch):
    """A plugin's note about a person."""

    __tablename__ = "scratch_note"
    id = Column(Integer, primary_key=True)
    participant_id = Column(ForeignKey("participant.id"), nullable=False)
    written_on = Column(Date, nullable=False)
    body = Column(Text, nullable=False, default="", info=personal(Category.HEALTH))
    mood = Column(String(40), nullable=False, default="", info=personal(Category.HEALTH))
    """The field added later: a hand-written export and erase would have to be told."""


class ScratchSheet(Scratch):
    __tablename__ = "scratch_sheet"
    __erase__ = "anonymize"
    id = Column(Integer, primary_key=True)
    participant_id = Column(ForeignKey("participant.id"), nullable=False)
    hours = Column(Integer, nullable=False, info=personal(Category.WORK, keep="bookkeeping act"))
    remark = Column(String(300), nullable=False, info=personal(Category.WORK))
    tags = Column(JSON, nullable=False, default=list, info=personal(Category.HEALTH))
    label = Column(String(40), nullable=False, default="", info={"personal_data": None})


def coverage_gaps(db: Session, tables: list[Any], pid: int, export: Any, erase: Any) -> list[str]:
    """``table.column`` of every classified column of a table about ``pid`` whose value the
    export leaves out or the erasure leaves behind (unless ``keep=``)."""
    before = {}
    for pt in tables:
        t = pt.classified.table
        for row in db.execute(select(t).where(t.c[pt.subject] == pid)).mappings():
            for name in pt.columns:
                before[(pt.name, name)] = row[name]
    exported = {(e.table, col): row[col] for e in export(db, tables, pid) for row in e.rows for col in row}
    gaps = [f"{t}.{c} not exported" for (t, c), v in before.items() if exported.get((t, c)) != pd._json_value(v)]
    erase(db, tables, pid)
    for pt in tables:
        t = pt.classified.table
        for row in db.execute(select(t).where(t.c[pt.subject] == pid)).mappings():
            for name, c in pt.columns.items():
                if not c.keep and row[name] == before[(pt.name, name)] and row[name] not in ("", None, [], {}):
                    gaps.append(f"{pt.name}.{name} not erased")
    return gaps


@pytest.fixture
def scratch() -> Any:
    engine = create_engine("sqlite://")
    Scratch.metadata.create_all(engine)
    with Session(engine) as db:
        db.add(ScratchPerson(id=1, first_name="Zyxwv"))
        db.add(ScratchNote(participant_id=1, written_on=KNOWN_DAY, body="Qz-body", mood="Qz-mood"))
        db.add(ScratchSheet(participant_id=1, hours=6, remark="Qz-remark", tags=["Qz-tag"], label="lbl"))
        db.commit()
        tables = [pd.PersonTable(t, "scratch") for t in classified_tables(Scratch) if t.table.name != "participant"]
        yield db, tables


def test_the_derived_export_and_erasure_leave_no_classified_column_out(scratch) -> None:  # type: ignore[no-untyped-def]
    db, tables = scratch
    assert coverage_gaps(
        db, tables, 1,
        lambda db, tables, pid: pd.export_tables(db, tables, pid, None),  # type: ignore[arg-type]
        lambda db, tables, pid: pd.erase_tables(db, tables, pid, None),  # type: ignore[arg-type]
    ) == []
    assert db.scalar(select(func.count()).select_from(ScratchNote)) == 0
    sheet = db.scalars(select(ScratchSheet)).one()
    assert (sheet.hours, sheet.remark, sheet.tags, sheet.label) == (6, "", [], "lbl")


def test_the_check_catches_a_hand_written_export_and_erase_that_missed_the_new_field(scratch) -> None:  # type: ignore[no-untyped-def]
    """What each plugin's hooks did before: list the columns they knew of."""
    db, tables = scratch

    def hand_export(db: Session, tables: Any, pid: int) -> list[pd.ExportedTable]:
        rows = [{"body": n.body} for n in db.scalars(select(ScratchNote).where(ScratchNote.participant_id == pid))]
        sheets = [{"hours": s.hours, "remark": s.remark, "tags": s.tags} for s in db.scalars(select(ScratchSheet))]
        return [pd.ExportedTable("scratch_note", "scratch", "", {}, rows), pd.ExportedTable("scratch_sheet", "scratch", "", {}, sheets)]

    def hand_erase(db: Session, tables: Any, pid: int) -> None:
        db.execute(ScratchNote.__table__.update().where(ScratchNote.participant_id == pid).values(body=""))
        db.execute(ScratchSheet.__table__.update().where(ScratchSheet.participant_id == pid).values(remark="", tags=[]))

    assert coverage_gaps(db, tables, 1, hand_export, hand_erase) == ["scratch_note.mood not exported", "scratch_note.mood not erased"]


def test_every_anonymized_column_of_every_model_can_be_emptied(app) -> None:  # type: ignore[no-untyped-def]
    """A NOT NULL column without a default or an empty value would make erasure fail: it
    must declare ``keep=``, or its table must delete its rows."""
    for pt in pd.person_tables(app.state["ctx"].plugins, app.state["ctx"].plugins.program_plugins):
        if pt.erase == "anonymize":
            pd.anonymized_values(pt)  # raises NoNeutralValue


def test_a_kept_column_is_never_deleted_with_its_row() -> None:
    class Keeps(Scratch):
        """Declared delete, but one column is kept by law."""

        __tablename__ = "scratch_keeps"
        id = Column(Integer, primary_key=True)
        participant_id = Column(ForeignKey("participant.id"), nullable=False)
        amount = Column(Integer, nullable=False, info=personal(Category.FINANCIAL, keep="bookkeeping act"))

    (t,) = [t for t in classified_tables(Scratch) if t.table.name == "scratch_keeps"]
    assert t.erase == "delete" and pd.PersonTable(t, "scratch").erase == "anonymize"


# ---------------------------------------------------------------------------------------
# Pages written before this change
# ---------------------------------------------------------------------------------------


def test_the_migration_strips_ids_from_existing_access_log_pages_and_the_log_stays_frozen(empty_engine, plugins) -> None:  # type: ignore[no-untyped-def]
    from alembic import command

    from core.migrate import alembic_config, upgrade

    cfg = alembic_config(empty_engine, plugins)
    with empty_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "core_0003")
    with empty_engine.begin() as conn:
        conn.execute(text("INSERT INTO organization (slug, name, program_name) VALUES ('o', 'O', 'O')"))
        conn.execute(text(
            "INSERT INTO access_log_entry (organization_id, at, staff_name, category, action, page, source) "
            "VALUES (1, '2026-01-01 10:00:00', 'Staff', 'health', 'view', '/participants/4711/sensitive/show', 'core')"
        ))
    upgrade(empty_engine, plugins)
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT page FROM access_log_entry")).scalar_one() == "/participants/{id}/sensitive/show"
    with pytest.raises(Exception, match="append-only"), empty_engine.begin() as conn:
        conn.execute(text("UPDATE access_log_entry SET page = '/participants/4711'"))
