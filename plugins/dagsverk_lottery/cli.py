"""``lavterskel dagsverk verify``: recompute past draws from what was stored."""
from __future__ import annotations

import datetime as dt

import click
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.db import make_session_factory, scoped_session
from core.models import Organization, ProgramDay
from plugins.dagsverk_lottery.draws import verify as verify_draw
from plugins.dagsverk_lottery.models import Draw


@click.group("dagsverk")
def dagsverk() -> None:
    """Dagsverket: check past draws."""


@dagsverk.command("verify")
@click.argument("organization")
@click.option("--date", "date", default=None, help="Only the draw of this day (YYYY-MM-DD).")
@click.option("--draw", "draw_id", default=None, type=int, help="Only this draw id.")
def verify(organization: str, date: str | None, draw_id: int | None) -> None:
    """Recompute the draws of ORGANIZATION (its slug) and say whether each matches."""
    from core.cli import _engine  # core.cli loads the plugins, this one too: imported when run


    factory = make_session_factory(_engine())
    with scoped_session(factory, None) as db:
        org = db.scalars(select(Organization).where(Organization.slug == organization)).first()
        if org is None:
            raise click.ClickException(f"no organization with slug {organization!r}")
        db.info["organization_id"] = org.id
        stmt = (select(Draw, ProgramDay.date).join(ProgramDay, Draw.day_id == ProgramDay.id).where(Draw.status != "sealed")
                .options(selectinload(Draw.entrants)))
        if date:
            try:
                stmt = stmt.where(ProgramDay.date == dt.date.fromisoformat(date))
            except ValueError:
                raise click.BadParameter("use YYYY-MM-DD", param_hint="--date") from None
        if draw_id is not None:
            stmt = stmt.where(Draw.id == draw_id)
        bad = 0
        count = 0
        for draw, day in db.execute(stmt.order_by(ProgramDay.date, Draw.attempt)):
            count += 1
            result = verify_draw(draw)
            label = "MATCHES" if result.matches else "DOES NOT MATCH"
            extra = " (voided)" if draw.status == "voided" else ""
            click.echo(f"{day.isoformat()} draw {draw.id}{extra}: {label} seed-sha256={draw.seed_sha256[:16]}...")
            for problem in result.problems:
                click.echo(f"    {problem}")
            bad += 0 if result.matches else 1
        if count == 0:
            raise click.ClickException("no draws found")
        click.echo(f"{count} draws checked, {bad} do not match")
        if bad:
            raise SystemExit(1)
