"""Consents, contacts with outside services, the access log and the GDPR export as JSON:
the same actions as the privacy pages (:mod:`core.services.privacy_actions`).

Intake and follow-up notes have no API on purpose: they are shown to a person behind an
explicit "show" in the web UI, and a token in a script is the wrong place for them.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter
from msgspec import Meta
from sqlalchemy.orm import Session

from core.actions import api_doc
from core.api.records import PageNumber, PerPage, paging
from core.api_types import Id
from core.db import MAX_ID, as_utc
from core.i18n import today
from core.services import privacy as svc
from core.services import privacy_actions as acts
from core.web.context import current_user
from core.web.handlers import api_get, api_post, caller_of, route_of

ParticipantPath = Annotated[int, Parameter(description="The participant's id.")]
ConsentPath = Annotated[int, Parameter(description="The consent's id (one of this participant's).")]


class AccessLogItem(msgspec.Struct, kw_only=True):
    """One look at, change to or export of someone's sensitive data. Never any value."""

    id: Id
    at: Annotated[dt.datetime, Meta(description="When, RFC 3339 in UTC.", examples=["2026-12-03T08:55:00Z"])]
    staff_user_id: Annotated[int | None, Meta(description="The staff member's id; null when the account is gone.")]
    staff_name: Annotated[str, Meta(description="The staff member's name as it was then.")]
    participant_id: Annotated[int | None, Meta(description="Whose data; null once the person is erased.")]
    category: Annotated[str, Meta(description="Which kind of data (health, social, consent, all...).", examples=["consent"])]
    action: Annotated[str, Meta(description="view, change, export or print.", examples=["view"])]
    page: Annotated[str, Meta(description="The route it was done through, without ids.", examples=["/participants/{obj_id}/consents"])]
    source: Annotated[str, Meta(description="Who wrote the entry: `core` or a program's short name.", examples=["core"])]


class AccessLogPage(msgspec.Struct, kw_only=True):
    items: Annotated[list[AccessLogItem], Meta(description="The entries on this page, newest first.")]
    total: Annotated[int, Meta(ge=0, description="How many entries match, on every page.")]
    page: Annotated[int, Meta(ge=1, description="This page's number, from 1.")]
    per_page: Annotated[int, Meta(ge=1, le=200, description="Entries per page.")]


class PrivacyApi(Controller):
    path = "/"
    tags = ["privacy"]

    @api_get(
        "/access-log", opt={"permission": "access_log.view"}, name="api.access_log", summary="Read the access log",
        description="Who looked at, changed or exported someone's sensitive data, newest first, paged. Never holds a value. "
        "With `participant_id`, only the entries about that person.",
    )
    def access_log(
        self, db: Session,
        participant_id: Annotated[int | None, Parameter(description="Only the entries about this participant.")] = None,
        page: PageNumber = 1, per_page: PerPage = 50,
    ) -> AccessLogPage:
        page, per_page = paging(page, per_page)
        if participant_id is not None and not 1 <= participant_id <= MAX_ID:
            return AccessLogPage(items=[], total=0, page=1, per_page=per_page)
        rows, total = svc.access_log(db, subject_id=participant_id, limit=per_page, offset=(page - 1) * per_page)
        return AccessLogPage(
            items=[
                AccessLogItem(id=e.id, at=as_utc(e.at), staff_user_id=e.staff_user_id, staff_name=e.staff_name, participant_id=e.subject_id,
                              category=e.category, action=e.action, page=e.page, source=e.source)
                for e in rows
            ],
            total=total, page=page, per_page=per_page,
        )

    @api_get(
        "/participants/{participant_id:int}/consents", opt={"permission": "consents.view"}, name="api.consents.list",
        summary="List a participant's consents",
        description="The participant's consents, newest first, withdrawn ones included. Reading them is logged in the access log.",
    )
    def consents(self, request: Request[Any, Any, Any], db: Session, participant_id: ParticipantPath) -> acts.ConsentList:
        participant = acts.participant_of(caller_of(request, db), participant_id)
        svc.log_sensitive_access(db, current_user(request), participant.id, "consent", page=route_of(request))
        db.commit()
        return acts.ConsentList(items=[acts.consent_out(c) for c in svc.consents_of(db, participant.id)])

    @api_post("/participants/{participant_id:int}/consents", **api_doc(acts.add_consent), name="api.consents.create", status_code=201)
    def add_consent(self, request: Request[Any, Any, Any], db: Session, participant_id: ParticipantPath, data: acts.ConsentInput) -> acts.ConsentOut:
        return acts.add_consent.run(caller_of(request, db), participant_id, data, page=route_of(request))

    @api_post(
        "/participants/{participant_id:int}/consents/{consent_id:int}/withdraw", **api_doc(acts.withdraw_consent),
        name="api.consents.withdraw", status_code=200,
    )
    def withdraw(self, request: Request[Any, Any, Any], db: Session, participant_id: ParticipantPath, consent_id: ConsentPath) -> acts.ConsentOut:
        return acts.withdraw_consent.run(caller_of(request, db), participant_id, consent_id, page=route_of(request), today=today())

    @api_post(
        "/participants/{participant_id:int}/contacts", **api_doc(acts.record_contact), name="api.contacts.create", status_code=201,
        responses={409: ResponseSpec(acts.ContactResult, description="Not stored: no valid consent covers the contact (see `warning`).")},
    )
    def record_contact(
        self, request: Request[Any, Any, Any], db: Session, participant_id: ParticipantPath, data: acts.ContactInput,
    ) -> Response[acts.ContactResult]:
        result = acts.record_contact.run(caller_of(request, db), participant_id, data, page=route_of(request))
        return Response(result, status_code=201 if result.stored else 409)

    @api_post("/participants/{participant_id:int}/export", **api_doc(acts.export_person), name="api.privacy.export", status_code=200)
    def export(self, request: Request[Any, Any, Any], db: Session, participant_id: ParticipantPath) -> acts.PersonExport:
        return acts.export_person.run(caller_of(request, db), participant_id, page=route_of(request))
