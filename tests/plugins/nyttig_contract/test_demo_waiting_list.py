"""The demo's waiting list of 30 candidates: ordered by priority, factors shown and explained."""
from __future__ import annotations

import re

from sqlalchemy import select

from core.db import scoped_session
from core.demo import load_demo
from core.i18n import today
from core.models import Organization, Participant
from plugins.nyttig_contract.models import PathRecord, Timesheet
from plugins.nyttig_contract.waiting_list import waiting_list
from tests.conftest import login


def _load(app):
    ctx = app.state["ctx"]
    load_demo(ctx.session_factory, ctx.plugins, reset=True)
    with scoped_session(ctx.session_factory, None) as db:
        return db.scalars(select(Organization).where(Organization.slug == "velferdsetaten")).one().id


def test_demo_gives_thirty_candidates_ordered_by_visible_priority(app, client):
    org_id = _load(app)
    db = scoped_session(app.state["ctx"].session_factory, org_id)
    entries = waiting_list(db, today())
    assert len(entries) == 30
    keys = [(-e.score, -e.waited_days) for e in entries]
    assert keys == sorted(keys), "most points first, then longest wait"
    # The demo varies every factor, so the order is not just time waited.
    seen = {f.key for e in entries for f in e.factors}
    assert seen == {"treatment_plan", "returning", "own_initiative", "discharge_soon"}
    assert entries[0].score > entries[-1].score
    assert any(e.needs_contact for e in entries) and any(not e.needs_contact for e in entries)
    assert any(e.status_meeting_suggested for e in entries)
    # Each score is the sum of its shown factors.
    for e in entries:
        assert e.score == sum(f.points for f in e.factors)

    # The 49 medarbeidere have phases, two contact persons and recent timesheets.
    paths = list(db.scalars(select(PathRecord).where(PathRecord.phase.in_(("started", "stable")))))
    assert len(paths) >= 40
    assert all(p.contact_person_1_id and p.contact_person_2_id and p.contact_person_1_id != p.contact_person_2_id for p in paths)
    assert db.scalars(select(Timesheet)).first() is not None

    # The page shows the same order, the factors and the explanation.
    from core.models import StaffUser
    from core.services.auth import hash_password

    with scoped_session(app.state["ctx"].session_factory, None) as udb:
        u = udb.scalars(select(StaffUser).where(StaffUser.username == "demo-velferdsetaten-leader")).one()
        u.password_hash = hash_password("correct-horse-battery-staple")
        udb.commit()
    login(client, "demo-velferdsetaten-leader")
    client.cookies.set("lavterskel_locale", "en")
    html = client.get("/nyttig/waiting-list", headers={"Accept-Language": "en"}).text
    assert "How the order is decided" in html or "Hvordan rekkefølgen bestemmes" in html
    names = re.findall(r'<a href="/nyttig/people/(\d+)">', html)
    assert [int(n) for n in names[:30]] == [e.participant.id for e in entries]
    assert html.count("(+") == sum(len(e.factors) for e in entries)
    person = db.get(Participant, entries[0].participant.id)
    assert person is not None
    # Closed last: a session left open holds SQLite's lock and the next test cannot write.
    db.close()
