"""The core's resources: participants, customers and work orders."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.forms import Field
from core.i18n import gettext as _
from core.i18n import lazy_gettext as L
from core.models import CUSTOMER_KINDS, GENDERS, ORDER_KINDS, ORDER_STATUSES, Customer, Department, Participant, Site, WorkOrder
from core.services.name_search import name_condition
from core.services.recurrence import rule_errors
from core.services.resources import Resource


def _unique_card_code(db: Session, clean: dict[str, Any], obj: Any | None) -> dict[str, str]:
    if "card_code" not in clean:  # a partial update that leaves the card alone
        return {}
    code = clean["card_code"]
    if not code:
        clean["card_code"] = None  # no card; NULLs do not collide in the unique constraint
        return {}
    other = db.scalars(select(Participant).where(Participant.card_code == code)).first()
    if other is not None and other is not obj:
        return {"card_code": _("Another participant already has this card.")}
    return {}


def _order_dates(db: Session, clean: dict[str, Any], obj: Any | None) -> dict[str, str]:
    """Dates in order, and a recurrence rule that can be followed (see
    :func:`core.services.recurrence.rule_errors`); a partial update is checked against the
    stored values of the fields it leaves alone."""
    def value(name: str, default: Any = None) -> Any:
        return clean.get(name, getattr(obj, name, default))

    start, end = value("start_date"), value("end_date")
    errors: dict[str, str] = {}
    if start and end and end < start:
        errors["end_date"] = _("The end date is before the start date.")
    if obj is not None and not RULE_FIELDS & set(clean):
        # A change of the title alone leaves an order made before the rule (recurring, its
        # weekdays not yet chosen) as it is; the form, which sends every field, asks for them.
        return errors
    rule = rule_errors(value("kind", "one_off") or "one_off", value("repeat_weekdays") or [], value("repeat_every_weeks", 1) or 1,
                       start, value("repeat_until"))
    return {**rule, **errors}


RULE_FIELDS = {"kind", "start_date", "repeat_weekdays", "repeat_every_weeks", "repeat_until"}


PARTICIPANTS = Resource(
    name="participants",
    model=Participant,
    fields=[
        Field("first_name", required=True, max_length=100),
        Field("last_name", max_length=100),
        Field("nickname", max_length=100),
        Field("birth_date", kind="date"),
        Field("gender", kind="choice", choices=GENDERS, default="unknown"),
        Field("phone", max_length=40),
        Field("card_code", max_length=40),
        Field("first_seen_on", kind="date"),
        Field("active", kind="bool", default=True),
    ],
    labels={
        "first_name": L("First name"),
        "last_name": L("Last name"),
        "nickname": L("Nickname"),
        "birth_date": L("Date of birth"),
        "gender": L("Gender"),
        "phone": L("Phone"),
        "card_code": L("Card code"),
        "first_seen_on": L("First day"),
        "active": L("Active"),
    },
    search_columns=[Participant.first_name, Participant.last_name, Participant.nickname, Participant.card_code],
    name_search=name_condition,
    filters=[Field("active", kind="bool"), Field("gender", kind="choice", choices=GENDERS)],
    order_by=[Participant.first_name, Participant.last_name],
    list_columns=["first_name", "last_name", "nickname", "gender", "active"],
    view_permission="participants.view",
    edit_permission="participants.edit",
    extra_check=_unique_card_code,
)

CUSTOMERS = Resource(
    name="customers",
    model=Customer,
    fields=[
        Field("name", required=True),
        Field("kind", kind="choice", choices=CUSTOMER_KINDS, default="other"),
        Field("contact_name"),
        Field("phone", max_length=40),
        Field("email"),
        Field("address", max_length=300),
        Field("active", kind="bool", default=True),
    ],
    labels={
        "name": L("Name"),
        "kind": L("Kind"),
        "contact_name": L("Contact person"),
        "phone": L("Phone"),
        "email": L("Email"),
        "address": L("Address"),
        "active": L("Active"),
    },
    search_columns=[Customer.name, Customer.contact_name, Customer.address],
    filters=[Field("kind", kind="choice", choices=CUSTOMER_KINDS), Field("active", kind="bool")],
    order_by=[Customer.name],
    list_columns=["name", "kind", "contact_name", "phone"],
    view_permission="customers.view",
    edit_permission="customers.edit",
)

WORK_ORDERS = Resource(
    name="work-orders",
    model=WorkOrder,
    fields=[
        Field("title", required=True),
        Field("customer_id", kind="ref"),
        Field("site_id", kind="ref"),
        Field("department_id", kind="ref"),
        Field("description", kind="text", max_length=5000),
        Field("location", max_length=300),
        Field("kind", kind="choice", choices=ORDER_KINDS, default="one_off"),
        Field("people_needed", kind="int", min_value=1, max_value=50, default=4),
        Field("indoor", kind="bool"),
        Field("heavy", kind="bool"),
        Field("steep", kind="bool"),
        Field("ladders", kind="bool"),
        Field("start_date", kind="date"),
        Field("end_date", kind="date"),
        Field("repeat_weekdays", kind="weekdays"),
        Field("repeat_every_weeks", kind="int", min_value=1, max_value=52, default=1),
        Field("repeat_until", kind="date"),
        Field("recurrence", max_length=100),
        Field("status", kind="choice", choices=ORDER_STATUSES),
        Field("status_reason", max_length=500),
        Field("remaining", kind="text"),
    ],
    labels={
        "title": L("Title"),
        "customer_id": L("Customer"),
        "site_id": L("Site"),
        "department_id": L("Department"),
        "description": L("Description"),
        "location": L("Location"),
        "kind": L("Kind"),
        "people_needed": L("People needed"),
        "indoor": L("Indoor"),
        "heavy": L("Heavy work"),
        "steep": L("Steep slope"),
        "ladders": L("Ladder work"),
        "start_date": L("Start date"),
        "end_date": L("End date"),
        "repeat_weekdays": L("Repeats on"),
        "repeat_every_weeks": L("Every how many weeks"),
        "repeat_until": L("Repeats until"),
        "recurrence": L("Note on the repetition"),
        "status": L("Status"),
        "status_reason": L("Reason"),
        "remaining": L("What remains"),
    },
    search_columns=[WorkOrder.title, WorkOrder.location, WorkOrder.description],
    filters=[
        Field("status", kind="choice", choices=ORDER_STATUSES),
        Field("kind", kind="choice", choices=ORDER_KINDS),
        Field("customer_id", kind="int"),
    ],
    order_by=[WorkOrder.start_date.desc(), WorkOrder.title],
    list_columns=["title", "customer_id", "kind", "status", "start_date"],
    view_permission="orders.view",
    edit_permission="orders.edit",
    references={"customer_id": Customer, "site_id": Site, "department_id": Department},
    read_only=("status", "status_reason", "remaining"),
    extra_check=_order_dates,
)

def _options(model: type, label: Any) -> Any:
    def load(db: Session) -> list[tuple[int, str]]:
        return [(row.id, label(row)) for row in db.scalars(select(model).order_by(model.name))]  # type: ignore[attr-defined]

    return load


PARTICIPANTS.title = lambda p: p.display_name
CUSTOMERS.title = lambda c: c.name
WORK_ORDERS.title = lambda o: o.title
WORK_ORDERS.ref_options = {
    "customer_id": _options(Customer, lambda c: c.name),
    "site_id": _options(Site, lambda s: s.name),
    "department_id": _options(Department, lambda d: d.name),
}

RESOURCES = {r.name: r for r in (PARTICIPANTS, CUSTOMERS, WORK_ORDERS)}
