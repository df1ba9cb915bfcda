"""Consents, contacts with outside services, the access log and the GDPR export as JSON.

Intake and follow-up notes have no API on purpose: they are shown to a person behind an
explicit "show" in the web UI, and a token in a script is the wrong place for them.
"""
from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response
from sqlalchemy.orm import Session

from core.models import Consent, Organization, Participant
from core.services import privacy as svc
from core.web.context import app_context, current_user
from core.web.handlers import api_get, api_post, get_or_404, route_of

MAX_PER_PAGE = 200


def consent_json(c: Consent) -> dict[str, Any]:
    return {
        "id": c.id, "participant_id": c.participant_id, "party": c.party, "scope": c.scope,
        "given_on": c.given_on.isoformat(), "expires_on": c.expires_on.isoformat() if c.expires_on else None,
        "withdrawn_on": c.withdrawn_on.isoformat() if c.withdrawn_on else None,
    }


class PrivacyApi(Controller):
    path = "/"
    tags = ["privacy"]

    @api_get("/access-log", opt={"permission": "access_log.view"}, name="api.access_log")
    def access_log(self, db: Session, participant_id: int | None = None, page: int = 1, per_page: int = 50) -> dict[str, Any]:
        """The access log of sensitive data, newest first. Never holds a value."""
        from core.db import MAX_ID

        if participant_id is not None and not 1 <= participant_id <= MAX_ID:
            return {"items": [], "total": 0, "page": 1, "per_page": per_page}
        per_page = max(1, min(per_page, MAX_PER_PAGE))
        page = max(1, min(page, 100_000))
        rows, total = svc.access_log(db, subject_id=participant_id, limit=per_page, offset=(page - 1) * per_page)
        return {
            "items": [
                {"id": e.id, "at": e.at.isoformat(), "staff_user_id": e.staff_user_id, "staff_name": e.staff_name,
                 "participant_id": e.subject_id, "category": e.category, "action": e.action, "page": e.page, "source": e.source}
                for e in rows
            ],
            "total": total, "page": page, "per_page": per_page,
        }

    @api_get("/participants/{obj_id:int}/consents", opt={"permission": "consents.view"}, name="api.consents.list")
    def consents(self, request: Request[Any, Any, Any], db: Session, obj_id: int) -> dict[str, Any]:
        participant = get_or_404(db, Participant, obj_id)
        svc.log_sensitive_access(db, current_user(request), participant.id, "consent", page=route_of(request))
        db.commit()
        return {"items": [consent_json(c) for c in svc.consents_of(db, participant.id)]}

    @api_post("/participants/{obj_id:int}/consents", opt={"permission": "consents.edit"}, name="api.consents.create", status_code=201)
    def add_consent(self, request: Request[Any, Any, Any], db: Session, obj_id: int, data: dict[str, Any]) -> dict[str, Any]:
        participant = get_or_404(db, Participant, obj_id)
        return consent_json(svc.add_consent(db, current_user(request), participant, data, route_of(request)))

    @api_post(
        "/participants/{obj_id:int}/consents/{consent_id:int}/withdraw", opt={"permission": "consents.edit"},
        name="api.consents.withdraw", status_code=200,
    )
    def withdraw(self, request: Request[Any, Any, Any], db: Session, obj_id: int, consent_id: int) -> dict[str, Any]:
        from core.i18n import today

        participant = get_or_404(db, Participant, obj_id)
        consent = get_or_404(db, Consent, consent_id)
        if consent.participant_id != participant.id:
            from litestar.exceptions import NotFoundException

            raise NotFoundException()
        return consent_json(svc.withdraw_consent(db, current_user(request), consent, today(), route_of(request)))

    @api_post("/participants/{obj_id:int}/contacts", opt={"permission": "consents.edit"}, name="api.contacts.create", status_code=201)
    def record_contact(self, request: Request[Any, Any, Any], db: Session, obj_id: int, data: dict[str, Any]) -> Response[dict[str, Any]]:
        """Record a contact with an outside service. Without a valid consent nothing is
        stored and the answer is 409 with the reason, unless ``confirm`` is true."""
        participant = get_or_404(db, Participant, obj_id)
        contact, check = svc.record_contact(db, current_user(request), participant, data, route_of(request))
        warning = {"reason": check.reason, "message": check.message()} if check.reason else None
        if contact is None:
            return Response({"stored": False, "warning": warning}, status_code=409)
        return Response(
            {"stored": True, "id": contact.id, "party": contact.party, "contacted_on": contact.contacted_on.isoformat(),
             "consent_id": contact.consent_id, "warning": warning},
            status_code=201,
        )

    @api_post("/participants/{obj_id:int}/export", opt={"permission": "privacy.export"}, name="api.privacy.export", status_code=200)
    def export(self, request: Request[Any, Any, Any], db: Session, obj_id: int) -> dict[str, Any]:
        """Everything about a person (GDPR art. 15 and 20). Logged."""
        participant = get_or_404(db, Participant, obj_id)
        org = db.get(Organization, current_user(request).organization.id)
        return svc.export_person(db, app_context(request).plugins, org, current_user(request), participant, route_of(request))
