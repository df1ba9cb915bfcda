"""Words for the codes this plugin stores, and its settings."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from core.contrib import SettingDef
from core.i18n import lazy_gettext as L
from core.i18n import lazy_pgettext as P
from core.services.settings import setting_on

PHASES: dict[str, Any] = {
    "contact": L("Contact and screening"),
    "interview": L("Recruitment interview"),
    "waiting": L("Waiting list"),
    "status_meeting": L("Status meeting"),
    "job_talk": L("Job talk"),
    "started": L("Started"),
    "stable": L("Stable employment"),
    "onward": L("Moved on"),
    "retired": L("Retired"),
    "ended": L("Ended"),
}
CHANGE_KINDS: dict[str, Any] = {
    "first_contact": L("First contact"),
    "forward": L("Next step"),
    "back": L("Back a step"),
    "relapse": L("Relapse: back a phase"),
    "return": L("Came back"),
    "leave": L("Left"),
}
ONWARD: dict[str, Any] = {"work": L("Ordinary work"), "education": L("Education"), "training": L("Work training")}
CAME_VIA: dict[str, Any] = {"self": L("Contacted us themselves"), "helper": L("Through a helper")}
INITIATED_BY: dict[str, Any] = {"person": L("The person, on their own initiative"), "staff": L("Us"), "helper": L("A helper")}
CHANNELS: dict[str, Any] = {"phone": L("Phone"), "sms": L("Text message"), "meeting": L("Meeting"), "visit": L("Visit"),
                            "email": L("Email"), "other": P("channel", "Other")}
MEETING_KINDS: dict[str, Any] = {"status": L("Status meeting"), "job_talk": L("Job talk"), "review": L("Review after the start"),
                                 "follow_up": L("Follow-up meeting")}
ABSENCE_REASONS: dict[str, Any] = {"ill": L("Ill"), "mental_health": L("Mental health"), "unknown": L("Unknown")}
INCIDENT_KINDS: dict[str, Any] = {
    "minor": L("Minor issue, solved on the spot"),
    "sent_home": L("Seemed affected, sent home"),
    "serious": L("Serious breach"),
    "deviation": L("Deviation"),
    "injury": L("Injury"),
}
BREACHES: dict[str, Any] = {"violence": L("Violence"), "threats": L("Threats"), "dealing": L("Dealing drugs")}
EQUIPMENT: dict[str, Any] = {"id_card": L("Service ID card"), "locker": L("Locker"), "uniform": L("Uniform"),
                             "key": L("Key"), "access_card": L("Access card")}
DOCUMENTS: dict[str, Any] = {"contract": L("Employment contract"), "confidentiality": L("Confidentiality declaration")}
DOC_STATUS: dict[str, Any] = {"pending": L("Not signed yet"), "signed": L("Signed"), "cancelled": L("Cancelled")}
RULES: dict[str, Any] = {
    "hygiene": L("Hygiene: come clean"),
    "rested": L("Come rested and fit for work"),
    "not_affected": L("Not visibly affected at work"),
    "zero_tolerance": L("Zero tolerance for violence, threats and dealing"),
    "no_promises": L("No promise of a job was made"),
}
WEEKDAYS: dict[int, Any] = {0: L("Monday"), 1: L("Tuesday"), 2: L("Wednesday"), 3: L("Thursday"), 4: L("Friday"),
                            5: L("Saturday"), 6: L("Sunday")}

SETTINGS = [
    SettingDef("nyttig.max_start_age", L("Age limit for new starts"), 62, kind="int"),
    SettingDef("nyttig.contact_reminder_weeks", L("Remind when nobody has been in touch with a waiting candidate for this many weeks"), 6, kind="int"),
    SettingDef("nyttig.status_meeting_after_months", L("Suggest a status meeting when the interview is older than this many months"), 6, kind="int"),
    SettingDef("nyttig.review_from_days", L("Review after the start: due from this many days"), 14, kind="int"),
    SettingDef("nyttig.review_by_days", L("Review after the start: due by this many days"), 28, kind="int"),
    SettingDef("nyttig.discharge_soon_weeks", L("Discharge from treatment counts as soon within this many weeks"), 8, kind="int"),
    SettingDef("nyttig.checks_off", L("Eligibility checks switched off (keys, comma-separated)"), "", kind="str"),
    SettingDef("nyttig.weight_treatment_plan", L("Waiting-list weight: job in a treatment plan"), 3, kind="int"),
    SettingDef("nyttig.weight_returning", L("Waiting-list weight: former medarbeider ready to return"), 3, kind="int"),
    SettingDef("nyttig.weight_own_initiative", L("Waiting-list weight: each contact on own initiative (last 90 days, at most 3)"), 1, kind="int"),
    SettingDef("nyttig.weight_discharge_soon", L("Waiting-list weight: discharge from treatment soon"), 3, kind="int"),
]
SETTING_DEFS = {d.key: d for d in SETTINGS}


def setting(db: Session, key: str, day: dt.date | None = None) -> Any:
    """This plugin's setting in force, with its declared default."""
    return setting_on(db, SETTING_DEFS, key, day)


def label(table: dict[Any, Any], key: Any) -> str:
    value = table.get(key)
    return str(value) if value is not None else str(key)
