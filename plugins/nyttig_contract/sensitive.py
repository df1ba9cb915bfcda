"""Sensitive data: the assessment form. Who may see it, and the log of every look.

All reads go through :func:`read_assessments`, and every read is written by
:func:`log_sensitive_access` — the one place to route through the core's access log
when it exists. Nothing sensitive is ever put in a URL or in a log line.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.forms import FormError
from core.i18n import gettext as _
from plugins.nyttig_contract.models import Assessment, PathRecord, SensitiveAccess

ROLES_WITH_ACCESS = frozenset({"leader", "social_worker"})


def may_see_sensitive(user_id: int, roles: Iterable[str], path: PathRecord | None) -> bool:
    """Leaders and social workers, and the person's own two contact persons."""
    if ROLES_WITH_ACCESS.intersection(roles):
        return True
    return path is not None and user_id in (path.contact_person_1_id, path.contact_person_2_id)


def log_sensitive_access(db: Session, *, organization_id: int, user_id: int | None, participant_id: int, record: str,
                         action: str = "view") -> SensitiveAccess:
    """Write one access-log row. The single function every sensitive read and write calls.

    The entry goes to the core's append-only access log as well, so leaders read one log
    and a person's GDPR copy lists every look at the assessment form too.
    """
    from core.services.privacy import log_sensitive_access as log_in_core

    row = SensitiveAccess(organization_id=organization_id, user_id=user_id, participant_id=participant_id, record=record, action=action)
    db.add(row)
    core_action = {"write": "change"}.get(action, action)
    log_in_core(db, user_id, participant_id, "nyttig_assessment", action=core_action if core_action in {"view", "change", "export", "erase", "print"} else "view",
                source="nyttig_contract", organization_id=organization_id)
    return row


def read_assessments(db: Session, *, user_id: int, roles: Iterable[str], path: PathRecord) -> list[Assessment]:
    """The person's assessment forms, newest first, for someone allowed to see them; logged."""
    if not may_see_sensitive(user_id, roles, path):
        raise PermissionError(_("Only leaders, social workers and the person's contact persons may see the assessment."))
    rows = list(db.scalars(select(Assessment).where(Assessment.participant_id == path.participant_id).order_by(Assessment.id.desc())))
    for row in rows:
        log_sensitive_access(db, organization_id=path.organization_id, user_id=user_id, participant_id=path.participant_id,
                             record=f"{Assessment.__tablename__}:{row.id}")
    db.commit()
    return rows


def access_log(db: Session, participant_id: int) -> list[SensitiveAccess]:
    return list(db.scalars(select(SensitiveAccess).where(SensitiveAccess.participant_id == participant_id)
                           .order_by(SensitiveAccess.at.desc(), SensitiveAccess.id.desc())))


def check_text(value: str, field: str) -> str:
    if len(value) > 5000:
        raise FormError({field: _("At most %(n)s characters.", n=5000)})
    return value
