"""Sensitive notes behind an explicit "show", consents, the access log and GDPR rights (HTML).

Values of sensitive data are only ever in the body of a POST response: never in a URL,
never in a page reached by GET, and every showing is logged before it is rendered.
"""
from __future__ import annotations

import json
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.params import Body
from sqlalchemy.orm import Session

from core.actions import action_opt, form_input
from core.forms import FormError
from core.i18n import gettext as _
from core.i18n import today
from core.models import Consent, Organization, Participant
from core.models.privacy import FOLLOW_UP_CATEGORIES, INTAKE_CATEGORIES
from core.services import personal_data as pd
from core.services import privacy as svc
from core.services import privacy_actions as acts
from core.web.context import app_context, current_user
from core.web.handlers import caller_of, disclosure, form_data, form_list, get_or_404, page_get, page_post, redirect, route_of
from core.web.templating import render

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
PER_PAGE = 50


def _participant_for_sensitive(request: Request[Any, Any, Any], db: Session, obj_id: int) -> Participant:
    """The person, if the requester may read at least one of their notes' categories (the
    gate decides each by the column's category); otherwise 403."""
    participant = get_or_404(db, Participant, obj_id)
    if not svc.readable_notes(disclosure(request), participant.id):
        raise PermissionDeniedException()
    return participant


def _org(db: Session, request: Request[Any, Any, Any]) -> Organization:
    org = db.get(Organization, current_user(request).organization.id)
    assert org is not None
    return org


class PrivacyController(Controller):
    path = "/"

    # --- intake and follow-up notes ---------------------------------------------------

    def _sensitive_page(
        self, request: Request[Any, Any, Any], db: Session, participant: Participant, *, shown: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None, values: dict[str, Any] | None = None, status: int = 200,
    ) -> Any:
        return render(
            request, "privacy/sensitive.html", status_code=status, participant=participant,
            filled=svc.filled_categories(db, participant.id), readable=svc.readable_notes(disclosure(request), participant.id),
            shown=shown or {}, errors=errors or {}, values=values or {},
            intake_categories=INTAKE_CATEGORIES, note_categories=FOLLOW_UP_CATEGORIES, erased=svc.is_erased(db, participant.id),
        )

    @page_get("/participants/{obj_id:int}/sensitive", opt={"permission": "sensitive.contact"}, name="privacy.sensitive")
    def sensitive(self, request: Request[Any, Any, Any], db: Session, obj_id: int) -> Any:
        return self._sensitive_page(request, db, _participant_for_sensitive(request, db, obj_id))

    @page_post("/participants/{obj_id:int}/sensitive/show", opt={"permission": "sensitive.contact"}, status_code=200)
    def show(self, request: Request[Any, Any, Any], db: Session, obj_id: int, data: Form) -> Any:
        participant = _participant_for_sensitive(request, db, obj_id)
        wanted = form_list(data, "category")
        if "all" in wanted:
            wanted = [*INTAKE_CATEGORIES, "follow_up"]
        shown = svc.show_sensitive(db, disclosure(request), participant, wanted, route_of(request))
        return self._sensitive_page(request, db, participant, shown=shown)

    @page_post("/participants/{obj_id:int}/sensitive/intake", opt={"permission": "sensitive.contact"})
    def save_intake(self, request: Request[Any, Any, Any], db: Session, obj_id: int, data: Form) -> Any:
        participant = _participant_for_sensitive(request, db, obj_id)
        values = form_data(data)
        try:
            svc.save_intake(db, current_user(request), participant, values, route_of(request), today())
        except FormError as exc:
            db.rollback()
            return self._sensitive_page(request, db, participant, errors=exc.errors, values=values, status=400)
        return redirect(f"/participants/{participant.id}/sensitive")

    @page_post("/participants/{obj_id:int}/sensitive/notes", opt={"permission": "sensitive.contact"})
    def add_note(self, request: Request[Any, Any, Any], db: Session, obj_id: int, data: Form) -> Any:
        participant = _participant_for_sensitive(request, db, obj_id)
        values = form_data(data)
        try:
            svc.add_follow_up_note(db, current_user(request), participant, values, route_of(request), today())
        except FormError as exc:
            db.rollback()
            return self._sensitive_page(request, db, participant, errors=exc.errors, values=values, status=400)
        return redirect(f"/participants/{participant.id}/sensitive")

    # --- consents and outside contacts -----------------------------------------------

    def _consents_page(
        self, request: Request[Any, Any, Any], db: Session, participant: Participant, *, errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None, warning: str = "", contact_values: dict[str, Any] | None = None, status: int = 200,
    ) -> Any:
        day = today()
        consents = svc.consents_of(db, participant.id)
        return render(
            request, "privacy/consents.html", status_code=status, participant=participant, consents=consents,
            contacts=svc.contacts_of(db, participant.id), valid={c.id: c.is_valid_on(day) for c in consents}, day=day,
            errors=errors or {}, values=values or {}, warning=warning, contact_values=contact_values or {},
        )

    @page_get("/participants/{obj_id:int}/consents", opt={"permission": "consents.view"}, name="privacy.consents")
    def consents(self, request: Request[Any, Any, Any], db: Session, obj_id: int) -> Any:
        participant = get_or_404(db, Participant, obj_id)
        svc.log_sensitive_access(db, current_user(request), participant.id, "consent", page=route_of(request))
        db.commit()
        return self._consents_page(request, db, participant)

    @page_post("/participants/{obj_id:int}/consents", opt=action_opt(acts.add_consent))
    def add_consent(self, request: Request[Any, Any, Any], db: Session, obj_id: int, data: Form) -> Any:
        participant = get_or_404(db, Participant, obj_id)
        values = form_data(data)
        try:
            inp = form_input(acts.ConsentInput, values)
            acts.add_consent.run(caller_of(request, db), participant.id, inp, page=route_of(request))
        except FormError as exc:
            db.rollback()
            return self._consents_page(request, db, participant, errors=exc.errors, values=values, status=400)
        return redirect(f"/participants/{participant.id}/consents")

    @page_post("/participants/{obj_id:int}/consents/{consent_id:int}/withdraw", opt=action_opt(acts.withdraw_consent))
    def withdraw(self, request: Request[Any, Any, Any], db: Session, obj_id: int, consent_id: int) -> Any:
        participant = get_or_404(db, Participant, obj_id)
        consent = get_or_404(db, Consent, consent_id)
        if consent.participant_id != participant.id:
            return self._consents_page(request, db, participant, status=404)
        acts.withdraw_consent.run(caller_of(request, db), participant.id, consent.id, page=route_of(request), today=today())
        return redirect(f"/participants/{participant.id}/consents")

    @page_post("/participants/{obj_id:int}/contacts", opt=action_opt(acts.record_contact))
    def record_contact(self, request: Request[Any, Any, Any], db: Session, obj_id: int, data: Form) -> Any:
        participant = get_or_404(db, Participant, obj_id)
        values = form_data(data)
        try:
            inp = form_input(acts.ContactInput, values)
            result = acts.record_contact.run(caller_of(request, db), participant.id, inp, page=route_of(request))
        except FormError as exc:
            db.rollback()
            return self._consents_page(request, db, participant, errors=exc.errors, contact_values=values, status=400)
        if not result.stored:
            # Nothing stored: say why, and let staff confirm that they contact anyway.
            message = result.warning.message if result.warning is not None else ""
            return self._consents_page(request, db, participant, warning=message, contact_values=values, status=409)
        return redirect(f"/participants/{participant.id}/consents")

    # --- the access log -----------------------------------------------------------------

    @page_get("/access-log", opt={"permission": "access_log.view"}, name="privacy.access_log")
    def access_log(self, request: Request[Any, Any, Any], db: Session, page: int = 1) -> Any:
        page = max(1, min(page, 100_000))
        rows, total = svc.access_log(db, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
        return render(
            request, "privacy/access_log.html", rows=rows, total=total, page=page, pages=max(1, -(-total // PER_PAGE)),
        )

    @page_get("/participants/{obj_id:int}/access-log", opt={"permission": "access_log.view"}, name="privacy.access_copy")
    def access_copy(self, request: Request[Any, Any, Any], db: Session, obj_id: int) -> Any:
        """The person's own copy of who looked at their data (GDPR art. 15), for printing."""
        participant = get_or_404(db, Participant, obj_id)
        rows, total = svc.access_log(db, subject_id=participant.id, limit=100_000)
        svc.log_sensitive_access(db, current_user(request), participant.id, "access_log", action="print", page=route_of(request))
        db.commit()
        return render(request, "privacy/access_copy.html", participant=participant, rows=rows, total=total, printed_on=today())

    # --- GDPR: export and erasure -----------------------------------------------------

    @page_get("/participants/{obj_id:int}/export", opt={"permission": "privacy.export"}, name="privacy.export")
    def export_page(self, request: Request[Any, Any, Any], db: Session, obj_id: int) -> Any:
        participant = get_or_404(db, Participant, obj_id)
        return render(request, "privacy/export_confirm.html", participant=participant)

    @page_post("/participants/{obj_id:int}/export", opt=action_opt(acts.export_person), status_code=200)
    def export(self, request: Request[Any, Any, Any], db: Session, obj_id: int, data: Form) -> Any:
        participant = get_or_404(db, Participant, obj_id)
        ctx = app_context(request)
        result = msgspec.to_builtins(acts.export_person.run(caller_of(request, db), participant.id, page=route_of(request)))
        if form_data(data).get("format") == "json":
            return Response(
                content=json.dumps(result, ensure_ascii=False, indent=2, default=str),
                media_type="application/json",
                headers={"Content-Disposition": f'attachment; filename="person-{participant.id}.json"'},
            )
        return render(
            request, "privacy/export.html", participant=participant, export=result, owner_labels=pd.owner_labels(ctx.plugins),
            column_label=pd.column_label, category_labels={str(k): str(v) for k, v in pd.CATEGORY_LABELS.items()},
        )

    def _erase_page(self, request: Request[Any, Any, Any], db: Session, participant: Participant, **kw: Any) -> Any:
        """The erase page: what erasure does to each of the organization's tables (derived
        from the models, as the erasure itself is), or what it did."""
        ctx = app_context(request)
        tables = pd.person_tables(ctx.plugins, current_user(request).organization.enabled_plugins)
        return render(
            request, "privacy/erase.html", participant=participant, plan=pd.erasure_plan(tables),
            titles={t.name: t.title for t in tables} | {"access_log_entry": _("Access log entries (the reference to the person)")},
            owner_labels=pd.owner_labels(ctx.plugins), **{"erased": False, "counts": None, "errors": {}, **kw},
        )

    @page_get("/participants/{obj_id:int}/erase", opt={"permission": "privacy.erase"}, name="privacy.erase")
    def erase_page(self, request: Request[Any, Any, Any], db: Session, obj_id: int) -> Any:
        participant = get_or_404(db, Participant, obj_id)
        return self._erase_page(request, db, participant, erased=svc.is_erased(db, participant.id))

    @page_post("/participants/{obj_id:int}/erase", opt={"permission": "privacy.erase"}, status_code=200)
    def erase(self, request: Request[Any, Any, Any], db: Session, obj_id: int, data: Form) -> Any:
        participant = get_or_404(db, Participant, obj_id)
        if str(form_data(data).get("confirm", "")) not in {"1", "on", "yes", "true"}:
            return self._erase_page(request, db, participant, status_code=400, errors={"confirm": _("Tick the box to confirm.")})
        ctx = app_context(request)
        counts = svc.erase_person(db, ctx.plugins, _org(db, request), current_user(request), participant, page=route_of(request))
        return self._erase_page(request, db, participant, erased=True, counts=counts)
