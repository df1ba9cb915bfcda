"""The record and privacy pages and the API do the same thing, for every role (issue 14):
participants, customers and work orders created and changed, a work order moved on,
consents recorded and withdrawn, a contact with an outside service, the GDPR export.

Each starting point carries its own mark (a random name), so the page's run and the API's
run in the same organization are told apart, and what is stored is compared without it.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import AccessLogEntry, Consent, Customer, OutsideContact, Participant, WorkOrder
from tests.conftest import OrgWorld
from tests.parity import Ctx, Pair, assert_parity


def _mark() -> str:
    return "Paritet " + uuid.uuid4().hex[:10]


def _person(db: Session, org: OrgWorld, **values: Any) -> Participant:
    p = Participant(organization_id=org.org.id, first_name=_mark(), **values)
    db.add(p)
    db.flush()
    return p


def _consent(db: Session, org: OrgWorld, p: Participant) -> Consent:
    c = Consent(organization_id=org.org.id, participant_id=p.id, party="NAV Falkenborg", scope="Oppmøte", given_on=dt.date(2026, 1, 1))
    db.add(c)
    db.flush()
    return c


def _only_mark(db: Session, org: OrgWorld) -> Ctx:
    return {"mark": _mark()}


def _with_person(db: Session, org: OrgWorld) -> Ctx:
    return {"pid": _person(db, org).id}


def _with_consent(db: Session, org: OrgWorld) -> Ctx:
    p = _person(db, org)
    return {"pid": p.id, "cid": _consent(db, org, p).id}


def _with_order(db: Session, org: OrgWorld) -> Ctx:
    o = WorkOrder(organization_id=org.org.id, title=_mark())
    db.add(o)
    db.flush()
    return {"oid": o.id}


def _people_marked(db: Session, ctx: Ctx) -> list[tuple[Any, ...]]:
    rows = db.scalars(select(Participant).where(Participant.nickname == ctx["mark"]))
    return [(p.first_name, p.last_name, p.gender, p.birth_date, p.active) for p in rows]


def _person_stored(db: Session, ctx: Ctx) -> tuple[Any, ...]:
    p = db.get(Participant, ctx["pid"])
    assert p is not None
    return (p.last_name, p.nickname, p.phone, p.gender, p.birth_date, p.active)


def _customers_marked(db: Session, ctx: Ctx) -> list[tuple[Any, ...]]:
    return [(c.kind, c.phone, c.active) for c in db.scalars(select(Customer).where(Customer.name == ctx["mark"]))]


def _orders_marked(db: Session, ctx: Ctx) -> list[tuple[Any, ...]]:
    rows = db.scalars(select(WorkOrder).where(WorkOrder.title == ctx["mark"]))
    return [(o.kind, o.people_needed, o.indoor, o.start_date, o.status) for o in rows]


def _order_status(db: Session, ctx: Ctx) -> tuple[Any, ...]:
    o = db.get(WorkOrder, ctx["oid"])
    assert o is not None
    return (o.status, o.status_reason)


def _consents(db: Session, ctx: Ctx) -> list[tuple[Any, ...]]:
    rows = db.scalars(select(Consent).where(Consent.participant_id == ctx["pid"]).order_by(Consent.given_on))
    return [(c.party, c.scope, c.given_on, c.expires_on, c.withdrawn_on is not None) for c in rows]


def _contacts(db: Session, ctx: Ctx) -> list[tuple[Any, ...]]:
    rows = db.scalars(select(OutsideContact).where(OutsideContact.participant_id == ctx["pid"]))
    return [(c.party, c.contacted_on, c.purpose, c.consent_id is not None, c.without_consent_reason) for c in rows]


def _exports(db: Session, ctx: Ctx) -> int:
    rows = db.scalars(select(AccessLogEntry).where(AccessLogEntry.subject_id == ctx["pid"], AccessLogEntry.action == "export"))
    return len(list(rows))


PAIRS = [
    Pair(
        "participants.create", org="a", setup=_only_mark,
        page=lambda c: ("/participants", {"first_name": "Åse", "last_name": "Øye", "nickname": c["mark"], "gender": "woman",
                                          "birth_date": "1980-02-03", "active": "on"}),
        api=lambda c: ("/api/v1/participants", {"first_name": "Åse", "last_name": "Øye", "nickname": c["mark"], "gender": "woman",
                                                "born_on": "1980-02-03", "is_active": True}),
        stored=_people_marked,
    ),
    Pair(
        "participants.update", org="a", setup=_with_person, api_method="PATCH",
        # The edit form sends every field: the ones left empty are cleared, as in the API's null.
        page=lambda c: (f"/participants/{c['pid']}", {"first_name": "Per", "last_name": "", "nickname": "Tuppen", "phone": "912 34 567",
                                                     "gender": "man", "birth_date": "1975-05-17", "card_code": "", "first_seen_on": ""}),
        api=lambda c: (f"/api/v1/participants/{c['pid']}", {"first_name": "Per", "last_name": None, "nickname": "Tuppen", "phone": "912 34 567",
                                                           "gender": "man", "born_on": "1975-05-17", "card_code": None,
                                                           "first_seen_on": None, "is_active": False}),
        stored=_person_stored,
    ),
    Pair(
        "customers.create", org="a", setup=_only_mark,
        page=lambda c: ("/customers", {"name": c["mark"], "kind": "housing_coop", "phone": "73 00 00 00", "active": "on"}),
        api=lambda c: ("/api/v1/customers", {"name": c["mark"], "kind": "housing_coop", "phone": "73 00 00 00"}),
        stored=_customers_marked,
    ),
    Pair(
        "work-orders.create", org="a", setup=_only_mark,
        page=lambda c: ("/work-orders", {"title": c["mark"], "kind": "multi_day", "people_needed": "3", "start_date": "2026-12-07"}),
        api=lambda c: ("/api/v1/work-orders", {"title": c["mark"], "kind": "multi_day", "people_needed": 3, "starts_on": "2026-12-07"}),
        stored=_orders_marked,
    ),
    Pair(
        "work-orders.change_status", org="a", setup=_with_order,
        page=lambda c: (f"/work-orders/{c['oid']}/status", {"status": "accepted", "status_reason": "Godt egnet for et lag"}),
        api=lambda c: (f"/api/v1/work-orders/{c['oid']}/status", {"status": "accepted", "status_reason": "Godt egnet for et lag"}),
        stored=_order_status,
    ),
    Pair(
        "consents.create", org="a", setup=_with_person,
        page=lambda c: (f"/participants/{c['pid']}/consents", {"party": "Barnevernet", "scope": "Samvær", "given_on": "2026-01-05",
                                                              "expires_on": "2026-12-31"}),
        api=lambda c: (f"/api/v1/participants/{c['pid']}/consents", {"party": "Barnevernet", "scope": "Samvær", "given_on": "2026-01-05",
                                                                    "expires_on": "2026-12-31"}),
        stored=_consents,
    ),
    Pair(
        "consents.withdraw", org="a", setup=_with_consent,
        page=lambda c: (f"/participants/{c['pid']}/consents/{c['cid']}/withdraw", {}),
        api=lambda c: (f"/api/v1/participants/{c['pid']}/consents/{c['cid']}/withdraw", {}),
        stored=_consents,
    ),
    Pair(
        "contacts.create", org="a", setup=_with_consent,
        page=lambda c: (f"/participants/{c['pid']}/contacts", {"party": "nav  falkenborg", "contacted_on": "2026-02-01", "purpose": "Arbeidstrening"}),
        api=lambda c: (f"/api/v1/participants/{c['pid']}/contacts", {"party": "nav  falkenborg", "contacted_on": "2026-02-01", "purpose": "Arbeidstrening"}),
        stored=_contacts,
    ),
    Pair(
        "privacy.export", org="a", setup=_with_person,
        page=lambda c: (f"/participants/{c['pid']}/export", {}),
        api=lambda c: (f"/api/v1/participants/{c['pid']}/export", {}),
        stored=_exports,
    ),
]


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.action)
def test_page_and_api_agree(pair: Pair, app: Any, world: Any) -> None:
    assert_parity(pair, app, world)


def test_a_contact_without_consent_is_refused_alike(app: Any, world: Any) -> None:
    """Without a consent the page and the API both store nothing and answer 409."""
    pair = Pair(
        "contacts.create", org="a", setup=_with_person,
        page=lambda c: (f"/participants/{c['pid']}/contacts", {"party": "Kriminalomsorgen", "contacted_on": "2026-02-01"}),
        api=lambda c: (f"/api/v1/participants/{c['pid']}/contacts", {"party": "Kriminalomsorgen", "contacted_on": "2026-02-01"}),
        stored=_contacts,
    )
    assert_parity(pair, app, world)
