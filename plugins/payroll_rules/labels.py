"""Display labels for the pay plugin's stored codes."""
from __future__ import annotations

from typing import Any

from core.i18n import lazy_gettext as L

BENEFIT_LABELS: dict[str, Any] = {
    "none": L("No benefit"),
    "disability": L("Disability benefit"),
    "aap": L("Work-assessment allowance (AAP)"),
    "social_assistance": L("Social assistance"),
    "other": L("Other benefit"),
}

EFFECT_LABELS: dict[str, Any] = {
    "paid": L("Paid"),
    "unpaid": L("Unpaid"),
    "held": L("Held"),
    "capped": L("Cut by the cap"),
}

RULE_LABELS: dict[str, Any] = {
    "day_wage": L("Day wage"),
    "hourly_wage": L("Motivation wage"),
}

RUN_STATUS_LABELS: dict[str, Any] = {"draft": L("Draft"), "approved": L("Approved")}

LINE_KIND_LABELS: dict[str, Any] = {"pay": L("Pay"), "adjustment": L("Correction")}


def label(group: dict[str, Any], value: str) -> str:
    found = group.get(value)
    return str(found) if found is not None else value
