"""Helpers for Dagsverket's tests: people, days and a morning's check-ins."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy.orm import Session

from core.models import Participant, ProgramDay
from tests.conftest import OrgWorld, World


@pytest.fixture(autouse=True)
def _english_pages(request: pytest.FixtureRequest) -> None:
    """Pages in English, so assertions read the source strings (nb has its own tests)."""
    if "client" in request.fixturenames:
        request.getfixturevalue("client").headers["Accept-Language"] = "en"


def people(db: Session, org: OrgWorld, n: int, *, women: int = 0, prefix: str = "Person") -> list[Participant]:
    out = []
    for i in range(n):
        p = Participant(organization_id=org.org.id, first_name=f"{prefix}{i}", last_name="Testesen",
                        gender="woman" if i < women else "man", card_code=f"{prefix[:3].upper()}{1000 + i}")
        db.add(p)
        out.append(p)
    db.commit()
    return out


def open_day(db: Session, org: OrgWorld, date: dt.date, capacity: int | None = None) -> ProgramDay:
    day = ProgramDay(organization_id=org.org.id, site_id=org.site.id, date=date, is_open=True, capacity=capacity)
    db.add(day)
    db.commit()
    return day


def check_in_all(db: Session, day: ProgramDay, persons: Sequence[Participant]) -> None:
    from plugins.dagsverk_lottery.checkin import check_in

    for p in persons:
        check_in(db, day, p, None)


def api_day(client: Any, token: str, site_id: int, date: dt.date, *, create: bool = True) -> int | None:
    """A day's id the way an integrator gets it: find the site's day on the date, or store it."""
    h = {"Authorization": f"Bearer {token}"}
    found = client.get(f"/api/v1/days?site_id={site_id}&date_from={date.isoformat()}&date_to={date.isoformat()}", headers=h)
    assert found.status_code == 200, found.text
    if found.json()["items"]:
        return int(found.json()["items"][0]["id"])
    if not create:
        return None
    made = client.post("/api/v1/days", json={"site_id": site_id, "date": date.isoformat()}, headers=h)
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def weekday(offset: int = 0) -> dt.date:
    """A Monday in the past plus ``offset`` days, so tests never depend on today's weekday."""
    return dt.date(2026, 3, 2) + dt.timedelta(days=offset)


__all__ = ["World", "people", "open_day", "check_in_all", "weekday", "api_day"]


def wait_for_teams(world: World, day_id: int, org: OrgWorld | None = None, timeout: float = 120.0) -> str:
    """Wait until the day's team suggestion job, solved in a worker process, is done or failed."""
    import time

    from sqlalchemy import select

    from plugins.dagsverk_lottery.models import TeamJob

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with world.db(org or world.a) as db:
            status = db.scalar(select(TeamJob.status).where(TeamJob.day_id == day_id))
        if status in ("done", "failed"):
            return str(status)
        time.sleep(0.1)
    raise AssertionError(f"the team suggestion of day {day_id} did not finish in {timeout} s")
