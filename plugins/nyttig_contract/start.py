"""Job talk and start: the checklist that must be complete before the first day, the
consent form, the signed documents, contact persons and what is handed out on day one."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import segno
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.forms import FormError
from core.i18n import gettext as _
from core.models import Department, Membership, Participant, StaffUser
from core.services.relations import change_relation
from plugins.nyttig_contract.eligibility import failing, run_screening, shown
from plugins.nyttig_contract.models import Consent, Equipment, PathRecord, Screening, SignedDocument, StartChecklist

DOCUMENT_KINDS = ("contract", "confidentiality")
DAY_ONE_KINDS = ("id_card", "locker", "uniform", "key", "access_card")


@dataclass
class Item:
    key: str
    label: str
    done: bool
    detail: str = ""


def checklist_of(db: Session, path: PathRecord) -> StartChecklist:
    row = db.scalars(select(StartChecklist).where(StartChecklist.participant_id == path.participant_id)).first()
    if row is None:
        row = StartChecklist(organization_id=path.organization_id, participant_id=path.participant_id, schedule=[])
        db.add(row)
        db.flush()
    return row


def documents_of(db: Session, path: PathRecord) -> dict[str, SignedDocument]:
    return {d.kind: d for d in db.scalars(select(SignedDocument).where(SignedDocument.participant_id == path.participant_id))}


def consents_of(db: Session, participant_id: int) -> list[Consent]:
    return list(db.scalars(select(Consent).where(Consent.participant_id == participant_id).order_by(Consent.given_on.desc(), Consent.id.desc())))


def equipment_of(db: Session, participant_id: int) -> list[Equipment]:
    return list(db.scalars(select(Equipment).where(Equipment.participant_id == participant_id).order_by(Equipment.handed_out_on, Equipment.id)))


def checklist_items(db: Session, path: PathRecord, on: dt.date) -> list[Item]:
    c = checklist_of(db, path)
    docs = documents_of(db, path)
    consent = next((x for x in consents_of(db, path.participant_id) if x.in_force_on(on)), None)
    items = [
        Item("hours", _("Weekly hours and days agreed"), bool(c.weekly_hours and c.weekly_hours > 0 and c.schedule),
             _("%(hours)s hours a week", hours=c.weekly_hours) if c.weekly_hours else ""),
        Item("department", _("Department chosen"), path.department_id is not None),
        # Whom the consent names is special-category data: the consent section shows it
        # through the core's gate; the checklist only says whether one is in force.
        Item("consent", _("Consent form in force on the start date"), consent is not None),
        Item("shoe_size", _("Shoe size noted"), bool(c.shoe_size), c.shoe_size),
        Item("photo", _("Photo for the service ID card"), bool(c.photo or c.photo_taken)),
        Item("contact_persons", _("Two contact persons"), bool(path.contact_person_1_id and path.contact_person_2_id
                                                              and path.contact_person_1_id != path.contact_person_2_id)),
    ]
    if path.paid_worker:
        for kind, text in (("contract", _("Employment contract signed")), ("confidentiality", _("Confidentiality declaration signed"))):
            d = docs.get(kind)
            items.append(Item(kind, text, d is not None and d.status == "signed", d.signed_on.isoformat() if d and d.signed_on else ""))
    return items


def make_start_gate(checks: Sequence[Any], answers: dict[str, Any], overrides: dict[str, str] | None, by_id: int | None) -> Any:
    """The test a start must pass: a complete checklist, then the start-stage checks on
    the start date (age limit for new starts, housing and economy)."""

    def gate(db: Session, path: PathRecord, on: dt.date) -> None:
        missing = [i.label for i in checklist_items(db, path, on) if not i.done]
        if missing:
            raise FormError({"__all__": _("Before the first day: %(items)s.", items="; ".join(missing))})
        participant = db.get(Participant, path.participant_id)
        earlier = db.scalars(select(Screening).where(Screening.participant_id == path.participant_id)
                             .order_by(Screening.created_at.desc(), Screening.id.desc())).first()
        merged = dict(earlier.answers) if earlier else {}
        merged.update({k: v for k, v in answers.items() if v is not None})
        screening = run_screening(db, checks, path, participant, stage="start", answers=merged, on=on, by_id=by_id,
                                  planned_start_on=on, overrides=overrides, commit=False)
        if not screening.passed:
            raise FormError({"__all__": _("Not eligible on the start date: %(checks)s.",
                                          checks="; ".join(f"{shown(r, 'label')}: {shown(r)}" for r in failing(screening)))})

    return gate


def set_contact_persons(db: Session, path: PathRecord, first_id: Any, second_id: Any, *, by: Any, commit: bool = True) -> None:
    """Appoint the person's two contact persons. A contact person reads the person's notes,
    so this goes through the core's need-to-know rule: only a leader (``relations.appoint``)
    appoints anyone, themselves included, and every appointment is recorded."""
    if first_id and second_id and first_id == second_id:
        raise FormError({"contact_person_2_id": _("The two contact persons must be two different people.")})
    held = {"contact_person_1_id": path.contact_person_1_id, "contact_person_2_id": path.contact_person_2_id}
    clean = change_relation(db, by, path.participant_id, "contact_person", held,
                            {"contact_person_1_id": first_id, "contact_person_2_id": second_id}, source="nyttig_contract")
    path.contact_person_1_id, path.contact_person_2_id = clean["contact_person_1_id"], clean["contact_person_2_id"]
    if commit:
        db.commit()


def update_checklist(db: Session, path: PathRecord, *, weekly_hours: Decimal | None, schedule: list[dict[str, Any]],
                     shoe_size: str, photo_taken: bool, department_id: int | None, paid_worker: bool,
                     job_talk_on: dt.date | None) -> StartChecklist:
    if department_id is not None and db.get(Department, department_id) is None:
        raise FormError({"department_id": _("Choose one of the departments.")})
    dept_ids = set(db.scalars(select(Department.id)))
    clean: list[dict[str, Any]] = []
    for day in schedule:
        wd, hours, dep = day.get("weekday"), day.get("hours"), day.get("department_id") or department_id
        try:
            wd_i, hours_d = int(wd), Decimal(str(hours))
        except Exception:  # noqa: BLE001 - any malformed entry is a form error
            raise FormError({"schedule": _("Each agreed day needs a weekday and hours.")}) from None
        if not 0 <= wd_i <= 6 or not Decimal("0") < hours_d <= Decimal("12") or (dep is not None and int(dep) not in dept_ids):
            raise FormError({"schedule": _("Each agreed day needs a weekday and hours.")})
        clean.append({"weekday": wd_i, "hours": str(hours_d), "department_id": int(dep) if dep else None})
    c = checklist_of(db, path)
    c.weekly_hours = weekly_hours
    c.schedule = sorted(clean, key=lambda d: d["weekday"])
    c.shoe_size = shoe_size
    c.photo_taken = photo_taken
    c.job_talk_on = job_talk_on
    path.department_id = department_id
    path.paid_worker = paid_worker
    db.commit()
    return c


def add_consent(db: Session, path: PathRecord, *, contacts: str, scope: str, given_on: dt.date, valid_until: dt.date | None,
                by_id: int | None) -> Consent:
    if not contacts or not scope:
        raise FormError({"contacts" if not contacts else "scope": _("This field is required.")})
    if valid_until is not None and valid_until < given_on:
        raise FormError({"valid_until": _("The consent cannot end before it is given.")})
    row = Consent(organization_id=path.organization_id, participant_id=path.participant_id, contacts=contacts, scope=scope,
                  given_on=given_on, valid_until=valid_until, recorded_by_id=by_id)
    db.add(row)
    db.commit()
    return row


def withdraw_consent(db: Session, consent: Consent, on: dt.date) -> Consent:
    if consent.withdrawn_on is not None:
        raise FormError({"__all__": _("This consent has already been withdrawn.")})
    consent.withdrawn_on = max(on, consent.given_on)
    db.commit()
    return consent


def sign_document(db: Session, path: PathRecord, kind: str, provider: Any, data: dict[str, Any], by_id: int | None) -> SignedDocument:
    if kind not in DOCUMENT_KINDS:
        raise FormError({"kind": _("Not one of the allowed choices.")})
    doc = documents_of(db, path).get(kind)
    if doc is None:
        doc = SignedDocument(organization_id=path.organization_id, participant_id=path.participant_id, kind=kind)
        db.add(doc)
    provider.sign(db, doc, data, by_id)
    db.commit()
    return doc


def hand_out(db: Session, path: PathRecord, kind: str, label: str, on: dt.date) -> Equipment:
    if kind not in DAY_ONE_KINDS:
        raise FormError({"kind": _("Not one of the allowed choices.")})
    row = Equipment(organization_id=path.organization_id, participant_id=path.participant_id, kind=kind, label=label, handed_out_on=on)
    db.add(row)
    db.commit()
    return row


def collect(db: Session, item: Equipment, on: dt.date) -> Equipment:
    """Collected when someone leaves. A locker is not: it keeps its owner's name while away."""
    if item.collected_on is not None:
        raise FormError({"__all__": _("Already collected.")})
    item.collected_on = max(on, item.handed_out_on)
    db.commit()
    return item


def card_code(db: Session, participant: Participant) -> str:
    if not participant.card_code:
        participant.card_code = f"NA{participant.id:05d}"
        db.commit()
    return participant.card_code


def qr_svg(code: str) -> Markup:
    """A QR code as inline SVG, made here: no outside host sees who has a card."""
    return Markup(segno.make(code, error="m").svg_inline(scale=4, title=code))


def staff_choices(db: Session) -> list[tuple[int, str]]:
    ids = set(db.scalars(select(Membership.user_id)))
    return [(u.id, u.full_name) for u in db.scalars(select(StaffUser).where(StaffUser.id.in_(ids)).order_by(StaffUser.full_name))]
