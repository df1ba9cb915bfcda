"""`lavterskel backup` and `lavterskel restore` round-trip the demo data exactly."""
from __future__ import annotations

import os

from click.testing import CliRunner
from sqlalchemy import select, text

from core.cli import cli
from core.db import Base
from core.demo import load_demo
from core.models import Participant


def snapshot(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        out = {}
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(select(table)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
        out["alembic_version"] = sorted(conn.execute(text("SELECT version_num FROM alembic_version")).all())
        return out


def test_backup_and_restore_round_trip_the_demo_data(app, session_factory, tmp_path):
    ctx = app.state["ctx"]
    load_demo(session_factory, ctx.plugins, seed=7)
    before = snapshot(ctx.engine)
    # Stavne's 120 and Oslo's 49 medarbeidere, plus the candidates on Oslo's waiting list.
    assert len(before["participant"]) >= 169

    runner = CliRunner()
    target = tmp_path / "lavterskel.backup"
    result = runner.invoke(cli, ["backup", str(target)], env={"LAVTERSKEL_DATABASE_URL": os.environ["LAVTERSKEL_DATABASE_URL"]})
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0

    # Damage the data after the backup: the restore must bring back exactly what was there.
    with session_factory() as db:
        for p in db.scalars(select(Participant).where(Participant.first_name.like("A%"))):
            p.first_name = "Endret etter backup"
        db.add(Participant(organization_id=db.scalars(select(Participant.organization_id)).first(), first_name="Ny etter backup"))
        db.commit()
    assert snapshot(ctx.engine) != before

    ctx.engine.dispose()  # the restore replaces tables; no pooled connection may hold them
    result = runner.invoke(cli, ["restore", "--yes", str(target)])
    assert result.exit_code == 0, result.output
    ctx.engine.dispose()
    assert snapshot(ctx.engine) == before


def test_restore_refuses_a_missing_file(tmp_path):
    result = CliRunner().invoke(cli, ["restore", "--yes", str(tmp_path / "nope")])
    assert result.exit_code != 0
