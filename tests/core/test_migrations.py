"""Migrations: every branch runs on an empty database, the models do not drift from them,
each plugin's branch touches only its own tables, and upgrading twice changes nothing.

Runs on SQLite, and on PostgreSQL when ``LAVTERSKEL_DATABASE_URL`` names a server
(``scripts/test`` does so for its second pass): there each test gets a database of its
own, created and dropped here, so "empty" really means empty.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import create_engine, event, inspect, make_url, text
from sqlalchemy.engine import Engine

from core.config import load_settings
from core.db import Base, make_engine
from core.migrate import alembic_config, is_empty, upgrade
from core.plugins import Plugins, build_plugin_manager
from tests.conftest import IS_POSTGRES, TEST_PLUGINS


@pytest.fixture(scope="module")
def plugins() -> Plugins:
    """The installation's plugins plus the test plugin: every model is in the metadata."""
    return build_plugin_manager(load_settings().plugins.allowed, TEST_PLUGINS)


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    if not IS_POSTGRES:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server = make_url(os.environ["LAVTERSKEL_DATABASE_URL"])
    name = f"lavterskel_migr_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def empty_engine(empty_database_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_database_url)
    yield engine
    engine.dispose()


def _schema(engine: Engine) -> dict[str, Any]:
    """Tables with their columns, indexes, foreign keys and unique constraints."""
    insp = inspect(engine)
    out: dict[str, Any] = {}
    for table in sorted(insp.get_table_names()):
        out[table] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(table)],
            "indexes": sorted((i["name"] or "", tuple(i["column_names"])) for i in insp.get_indexes(table)),
            "fks": sorted((f["name"] or "", tuple(f["constrained_columns"]), f["referred_table"]) for f in insp.get_foreign_keys(table)),
            "uniques": sorted((u["name"] or "", tuple(u["column_names"])) for u in insp.get_unique_constraints(table)),
        }
    return out


def _versions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def test_all_migrations_run_on_an_empty_database_and_the_models_do_not_drift(empty_engine, plugins):
    assert is_empty(empty_engine)
    upgrade(empty_engine, plugins)
    assert not is_empty(empty_engine)

    script = ScriptDirectory.from_config(alembic_config(empty_engine, plugins))
    assert _versions(empty_engine) == set(script.get_heads()), "not every branch reached its head"
    branches = {label for rev in script.walk_revisions() for label in (rev.branch_labels or ())}
    for name, location in plugins.per_plugin("lavterskel_migration_location"):
        if location:
            assert location[0] in branches, f"plugin {name}: no revision carries branch label {location[0]!r}"

    with empty_engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], (
        "the models drifted from the migrations; generate one with "
        "`lavterskel db revision [--plugin NAME] -m ...`:\n" + "\n".join(map(str, diff))
    )
    assert set(Base.metadata.tables) <= set(inspect(empty_engine).get_table_names())


def test_each_plugin_branch_creates_only_its_own_tables_and_leaves_the_cores_alone(empty_engine, plugins):
    from alembic import command

    cfg = alembic_config(empty_engine, plugins)

    def run(target: str) -> None:
        with empty_engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, target)

    run("core@head")
    before = _schema(empty_engine)
    assert all(not t.startswith(tuple(f"{p}_" for p in plugins.program_plugins)) for t in before)
    for name, location in plugins.per_plugin("lavterskel_migration_location"):
        if not location:
            continue
        run(f"{location[0]}@head")
        after = _schema(empty_engine)
        new_tables = set(after) - set(before)
        assert all(t.startswith(f"{name}_") for t in new_tables), f"plugin {name} created {sorted(new_tables)}"
        assert {t: after[t] for t in before} == before, f"plugin {name}'s migrations changed tables that are not its own"
        declared = set(getattr(plugins.module(name), "TABLES", ()))
        assert declared <= set(after), f"plugin {name} declares tables its migrations never create: {sorted(declared - set(after))}"
        before = after


def test_upgrade_twice_is_a_no_op(empty_engine, plugins):
    upgrade(empty_engine, plugins)
    schema, versions = _schema(empty_engine), _versions(empty_engine)
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(empty_engine, "before_cursor_execute", record)
    try:
        upgrade(empty_engine, plugins)
    finally:
        event.remove(empty_engine, "before_cursor_execute", record)
    writes = [s for s in statements if s.lstrip().split(None, 1)[0].upper() in {"CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE"}]
    assert writes == []
    assert statements, "the second upgrade did not even look at the database"
    assert _schema(empty_engine) == schema and _versions(empty_engine) == versions


def test_lavterskel_db_upgrade_twice_from_the_command_line(empty_database_url, monkeypatch):
    from core.cli import cli

    monkeypatch.setenv("LAVTERSKEL_DATABASE_URL", empty_database_url)
    runner = CliRunner()
    first = runner.invoke(cli, ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert "database is up to date" in first.output
    engine = make_engine(empty_database_url)
    try:
        schema, versions = _schema(engine), _versions(engine)
        assert "organization" in schema and versions
        second = runner.invoke(cli, ["db", "upgrade"])
        assert second.exit_code == 0, second.output
        assert _schema(engine) == schema and _versions(engine) == versions
    finally:
        engine.dispose()


def test_the_test_plugins_table_comes_from_its_own_migration(empty_engine, plugins):
    """Without the plugin's branch, its table does not exist: the core does not create it."""
    core_only = build_plugin_manager((), ())
    upgrade(empty_engine, core_only)
    assert "rolling_list_entry" not in inspect(empty_engine).get_table_names()
    upgrade(empty_engine, plugins)
    assert "rolling_list_entry" in inspect(empty_engine).get_table_names()
    assert "rl_0001" in _versions(empty_engine)


def test_the_sessions_migration_encrypts_existing_totp_secrets_and_ends_no_token(empty_engine, plugins):
    """A database from before core_0005: plain TOTP secrets are encrypted with the
    key outside the database, and tokens keep working, with an expiry and every scope."""
    from alembic import command

    from core.crypto import decrypt

    cfg = alembic_config(empty_engine, plugins)
    with empty_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "core_0003")
    plain = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    with empty_engine.begin() as conn:
        conn.execute(text("INSERT INTO organization (id, slug, name, program_name) VALUES (1, 'o', 'O', 'O')"))
        conn.execute(text(
            "INSERT INTO staff_user (id, username, full_name, password_hash, is_active, failed_logins, created_at) "
            "VALUES (1, 'u', 'U', 'x', true, 0, CURRENT_TIMESTAMP)"
        ))
        conn.execute(text("INSERT INTO staff_totp (user_id, secret, last_step) VALUES (1, :s, 0)"), {"s": plain})
        conn.execute(text(
            "INSERT INTO api_token (user_id, organization_id, name, token_hash, created_at) "
            "VALUES (1, 1, 't', 'h', CURRENT_TIMESTAMP)"
        ))
    upgrade(empty_engine, plugins)
    upgrade(empty_engine, plugins)  # twice: an encrypted secret is not encrypted again
    with empty_engine.connect() as conn:
        stored = conn.execute(text("SELECT secret FROM staff_totp")).scalar_one()
        token = conn.execute(text("SELECT expires_at, scopes, second_factor, revoked_at FROM api_token")).one()
    assert plain not in stored
    assert decrypt(load_settings().security.encryption_key, stored) == plain
    assert token.expires_at is not None and token.scopes == "read write sensitive"
    assert not token.second_factor and token.revoked_at is None
