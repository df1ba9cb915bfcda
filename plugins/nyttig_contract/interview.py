"""The recruitment interview and its assessment form (sensitive), in one transaction."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.forms import Field, FormError, validate
from core.services.disclosure import category_of
from core.services.privacy import log_sensitive_access
from core.i18n import gettext as _
from plugins.nyttig_contract.labels import RULES
from plugins.nyttig_contract.models import Assessment, Interview, PathRecord

SENSITIVE_FIELDS = ("life_situation", "substance_history", "current_use", "adaptations", "helpers")


def record_interview(db: Session, path: PathRecord, values: dict[str, Any], by_id: int | None) -> Interview:
    """Record the interview (who, when, rules explained) and the assessment form.

    ``values`` holds ``held_on``, ``helper_present``, ``rules`` (list of rule keys, or
    ``rule_<key>`` checkboxes), and the five assessment texts.
    """
    if path.phase not in ("interview", "waiting", "status_meeting"):
        raise FormError({"__all__": _("Book the interview (after the screening) before recording it.")})
    clean = validate([Field("held_on", kind="date", required=True), Field("helper_present", max_length=200),
                      *(Field(k, kind="text", max_length=5000) for k in SENSITIVE_FIELDS)], values)
    rules = values.get("rules")
    if rules is None:
        rules = [k for k in RULES if str(values.get(f"rule_{k}", "")).lower() in ("1", "on", "true", "yes")]
    if not isinstance(rules, list) or any(r not in RULES for r in rules):
        raise FormError({"rules": _("Not one of the allowed choices.")})
    if clean["held_on"] < path.phase_since and path.phase == "interview":
        raise FormError({"held_on": _("The date cannot be before the current phase began (%(date)s).", date=path.phase_since.isoformat())})
    interview = Interview(organization_id=path.organization_id, participant_id=path.participant_id, held_on=clean["held_on"],
                          held_by_id=by_id, helper_present=clean["helper_present"], rules_explained=list(rules),
                          no_promises_made="no_promises" in rules)
    db.add(interview)
    db.flush()
    assessment = Assessment(organization_id=path.organization_id, interview_id=interview.id, participant_id=path.participant_id,
                            **{k: clean[k] for k in SENSITIVE_FIELDS})
    db.add(assessment)
    db.flush()
    # Writing the form is logged as a change of its category, in the core's access log.
    log_sensitive_access(db, by_id, path.participant_id, category_of(Assessment, "substance_history").value, action="change",
                         source="nyttig_contract", organization_id=path.organization_id)
    db.commit()
    return interview


def assessments_of(db: Session, participant_id: int) -> list[Assessment]:
    """The person's assessment forms, newest first. Show their answers only through the
    core's gate (``reveal``), never directly."""
    return list(db.scalars(select(Assessment).where(Assessment.participant_id == participant_id).order_by(Assessment.id.desc())))
