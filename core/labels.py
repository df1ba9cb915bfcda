"""Display labels for the values stored as codes (genders, kinds, statuses, outcomes)."""
from __future__ import annotations

from typing import Any

from core.i18n import lazy_gettext as L
from core.i18n import lazy_pgettext as P

CHOICES: dict[str, dict[str, Any]] = {
    "gender": {"woman": L("Woman"), "man": L("Man"), "other": L("Other"), "unknown": L("Not stated")},
    "customer_kind": {
        "municipality": L("Municipality unit"),
        "district": L("District"),
        "housing_coop": L("Housing co-op"),
        "business": L("Business"),
        "private": L("Private person"),
        "other": P("customer kind", "Other"),
    },
    "order_kind": {"one_off": L("One-off"), "multi_day": L("Multi-day"), "recurring": L("Recurring")},
    "order_status": {
        "requested": L("Requested"),
        "accepted": L("Accepted"),
        "declined": L("Declined"),
        "scheduled": L("Scheduled"),
        "in_progress": L("In progress"),
        "done": L("Done"),
        "cancelled": L("Cancelled"),
    },
    "shift_outcome": {
        "planned": L("Planned"),
        "worked": L("Worked"),
        "left_early": L("Left early"),
        "sent_home": L("Sent home"),
        "no_show": L("Did not show up"),
    },
    "role": {
        "admin": L("Administrator"),
        "leader": L("Leader"),
        "work_leader": L("Work leader"),
        "social_worker": L("Social worker"),
        "payroll": L("Payroll"),
    },
    "bool": {True: L("Yes"), False: L("No")},
    "token_scope": {
        "read": L("Read"),
        "write": L("Change"),
        "sensitive": L("Sensitive data (health, drug use, assessments)"),
    },
}

# Which choice list a resource field's values come from.
FIELD_CHOICES = {
    ("participants", "gender"): "gender",
    ("customers", "kind"): "customer_kind",
    ("work-orders", "kind"): "order_kind",
    ("work-orders", "status"): "order_status",
}


def choice_label(group: str, value: Any) -> str:
    label = CHOICES.get(group, {}).get(value)
    return str(label) if label is not None else ("" if value is None else str(value))
