"""Writing Nyttig Arbeid's assessment form lands in the core's access log, under the
category its columns declare."""
import datetime as dt

from sqlalchemy import select

from core.models.privacy import AccessLogEntry


def test_writing_the_assessment_is_a_change_in_the_core_access_log(world):
    from core.models import Participant
    from plugins.nyttig_contract.interview import record_interview
    from plugins.nyttig_contract.phases import register_contact

    with world.db(world.b) as db:
        p = Participant(organization_id=world.b.org.id, first_name="Logget")
        db.add(p)
        db.flush()
        path = register_contact(db, world.b.org.id, p, dt.date(2026, 3, 2), None)
        path.phase = "interview"
        record_interview(db, path, {"held_on": "2026-03-02", "current_use": "x", "rules": []}, world.b.users["leader"].id)
        rows = list(db.scalars(select(AccessLogEntry).where(AccessLogEntry.organization_id == world.b.org.id)))
    assert [(r.category, r.action, r.source, r.subject_id, r.staff_user_id) for r in rows] == [
        ("assessment", "change", "nyttig_contract", p.id, world.b.users["leader"].id)]
