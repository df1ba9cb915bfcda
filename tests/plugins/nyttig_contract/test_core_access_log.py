"""Looks at Nyttig Arbeid's assessment form land in the core's access log too."""
from sqlalchemy import select

from core.models.privacy import AccessLogEntry
from plugins.nyttig_contract.sensitive import log_sensitive_access


def test_assessment_access_is_in_the_core_access_log(world):
    from core.models import Participant

    with world.db(world.b) as db:
        p = Participant(organization_id=world.b.org.id, first_name="Logget")
        db.add(p)
        db.flush()
        log_sensitive_access(db, organization_id=world.b.org.id, user_id=world.b.users["leader"].id, participant_id=p.id,
                             record="nyttig_contract_assessment:1", action="write")
        db.commit()
        rows = list(db.scalars(select(AccessLogEntry).where(AccessLogEntry.organization_id == world.b.org.id)))
    assert len(rows) == 1
    assert rows[0].category == "nyttig_assessment" and rows[0].action == "change" and rows[0].source == "nyttig_contract"
