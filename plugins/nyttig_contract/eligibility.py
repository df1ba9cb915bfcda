"""Screening: the eligibility rules as separate checks.

A check is any object with ``key``, ``label``, ``stages`` (``"screening"`` before a first
meeting, ``"start"`` on the start date) and ``evaluate(facts) -> (passed, explanation)``
where ``passed`` is True, False or None (not known yet). The built-in checks below are
contributed through the ``lavterskel_eligibility_checks`` hook like any other, so a
program can replace one (same key), add its own, or switch one off through
``lavterskel_eligibility_checks_off`` or the ``nyttig.checks_off`` setting.

Staff may override a failed or unknown check with a reason; the override is logged in
its own table. A screening passes when every check for its stage passed or was overridden.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from core.forms import FormError
from babel.support import LazyProxy

from core.i18n import gettext
from core.i18n import gettext as _
from core.i18n import lazy_gettext as L
from core.models import Participant
from plugins.nyttig_contract.labels import setting
from plugins.nyttig_contract.models import CheckOverride, PathRecord, Screening

# Questions asked at screening, with the answer each check wants.
QUESTIONS: dict[str, Any] = {
    "substance_main_problem": L("Is a substance problem the main reason the person is out of work?"),
    "nav_program": L("Is the person referred through a NAV program?"),
    "physically_able": L("Is the person physically able to do the work?"),
    "wants_change": L("Does the person want some change?"),
    "housing_in_place": L("Is housing in place?"),
    "economy_stable": L("Is the economy stable (income, debts under control)?"),
}


@dataclass
class Facts:
    participant: Participant
    answers: dict[str, Any]
    stage: str
    check_date: dt.date
    """The day the rule is judged on: the planned or actual start date, else today."""
    new_start: bool
    """False for a former medarbeider coming back."""
    max_start_age: int


@dataclass(frozen=True)
class Check:
    key: str
    label: Any
    evaluate: Callable[[Facts], tuple[bool | None, str]] = field(repr=False)
    stages: tuple[str, ...] = ("screening", "start")


def _yes(answers: dict[str, Any], key: str) -> bool | None:
    value = answers.get(key)
    if value in (None, ""):
        return None
    return value in (True, "yes", "1", "true", "on")


def _substance(f: Facts) -> tuple[bool | None, str]:
    ok = _yes(f.answers, "substance_main_problem")
    if ok is None:
        return None, L("Not asked yet.")
    return ok, L("A substance problem is the main reason for being out of work.") if ok else _(
        "Nyttig Arbeid is for people whose substance problem is the main reason they are out of work.")


def _age(f: Facts) -> tuple[bool | None, str]:
    if not f.new_start:
        return True, L("A former medarbeider coming back is not a new start; the age limit does not apply.")
    age = f.participant.age_on(f.check_date)
    if age is None:
        return None, L("Birth date not known.")
    if age < f.max_start_age:
        return True, L("%(age)s years old on %(date)s, under the limit of %(limit)s for new starts.",
                       age=age, date=f.check_date.isoformat(), limit=f.max_start_age)
    return False, L("%(age)s years old on %(date)s: the limit for new starts is under %(limit)s.",
                    age=age, date=f.check_date.isoformat(), limit=f.max_start_age)


def _nav(f: Facts) -> tuple[bool | None, str]:
    referred = _yes(f.answers, "nav_program")
    if referred is None:
        return None, L("Not asked yet.")
    return (not referred), L("Not referred through a NAV program.") if not referred else _(
        "People in a NAV program are referred to that program's own providers.")


def _able(f: Facts) -> tuple[bool | None, str]:
    ok = _yes(f.answers, "physically_able")
    if ok is None:
        return None, L("Not asked yet.")
    return ok, L("Physically able to work.") if ok else L("The work needs some physical ability.")


def _change(f: Facts) -> tuple[bool | None, str]:
    ok = _yes(f.answers, "wants_change")
    if ok is None:
        return None, L("Not asked yet.")
    return ok, L("Wants some change.") if ok else L("Without a wish for change the job rarely helps.")


def _housing(f: Facts) -> tuple[bool | None, str]:
    ok_h, ok_e = _yes(f.answers, "housing_in_place"), _yes(f.answers, "economy_stable")
    if ok_h is None or ok_e is None:
        return None, L("Not known yet: needed before the start, not before the waiting list.")
    if ok_h and ok_e:
        return True, L("Housing and economy are in place.")
    return False, L("Housing and a stable economy must be in place before the start.")


BUILTIN_CHECKS: list[Check] = [
    Check("substance_main_problem", L("Substance problem is the main reason"), _substance),
    Check("age_limit", L("Age limit for new starts, on the start date"), _age),
    Check("not_nav_program", L("Not referred through a NAV program"), _nav),
    Check("physically_able", L("Physically able to work"), _able),
    Check("wants_change", L("Wants some change"), _change),
    Check("housing_and_economy", L("Housing and economy in place"), _housing, stages=("start",)),
]


def collect_checks(plugins: Any, organization: Any, db: Session) -> list[Any]:
    """The checks in force for an organization: hook results (first of a key wins), minus
    those switched off by hook or by the ``nyttig.checks_off`` setting."""
    enabled = organization.enabled_plugins
    found: list[Any] = []
    for result in plugins.for_organization("lavterskel_eligibility_checks", enabled)(organization=organization):
        found.extend(result or ())
    off: set[str] = set()
    for result in plugins.for_organization("lavterskel_eligibility_checks_off", enabled)(organization=organization):
        off.update(result or ())
    off.update(k.strip() for k in str(setting(db, "nyttig.checks_off") or "").split(",") if k.strip())
    seen: set[str] = set()
    out = []
    for check in found:
        if check.key in seen or check.key in off:
            seen.add(check.key)
            continue
        seen.add(check.key)
        out.append(check)
    return out


def run_screening(db: Session, checks: Sequence[Any], path: PathRecord, participant: Participant, *, stage: str,
                  answers: dict[str, Any], on: dt.date, by_id: int | None, planned_start_on: dt.date | None = None,
                  overrides: dict[str, str] | None = None, commit: bool = True) -> Screening:
    """Evaluate every check for ``stage`` and store the result with any overrides.

    At ``screening`` the age is judged on the planned start date when one is known; at
    ``start`` on the start date itself (``planned_start_on``).
    """
    overrides = {k: " ".join(v.split()) for k, v in (overrides or {}).items() if v and v.strip()}
    for key, reason in overrides.items():
        if len(reason) > 500:
            raise FormError({f"override_{key}": _("At most %(n)s characters.", n=500)})
    facts = Facts(participant=participant, answers=dict(answers), stage=stage, check_date=planned_start_on or on,
                  new_start=not path.ever_started, max_start_age=int(setting(db, "nyttig.max_start_age", planned_start_on or on)))
    results = []
    all_ok = True
    for check in checks:
        if stage not in check.stages:
            continue
        passed, explanation = check.evaluate(facts)
        override = overrides.get(check.key, "") if passed is not True else ""
        if passed is not True and not override:
            all_ok = False
        results.append({"key": check.key, "label": str(check.label), "passed": passed, "explanation": str(explanation),
                        "override": override, **_source(check.label, "label_"), **_source(explanation, "")})
    screening = Screening(organization_id=path.organization_id, participant_id=participant.id, stage=stage, checked_on=on,
                          planned_start_on=planned_start_on, answers=dict(answers), results=results, passed=all_ok, by_id=by_id)
    db.add(screening)
    db.flush()
    for r in results:
        if r["override"]:
            db.add(CheckOverride(organization_id=path.organization_id, screening_id=screening.id, participant_id=participant.id,
                                 check_key=r["key"], reason=r["override"], by_id=by_id))
    if commit:
        db.commit()
    return screening


def _source(text: Any, prefix: str) -> dict[str, Any]:
    """A lazy string's message id and values, stored so the text can be shown later in
    the reader's language (the screening may have been done in another)."""
    if isinstance(text, LazyProxy) and getattr(text, "_func", None) is gettext:
        return {f"{prefix}msgid": text._args[0], f"{prefix}params": dict(text._kwargs)}
    return {}


def shown(result: dict[str, Any], field: str = "explanation") -> str:
    """A stored result's label or explanation in the current language."""
    prefix = "label_" if field == "label" else ""
    msgid = result.get(f"{prefix}msgid")
    if msgid:
        return gettext(msgid, **result.get(f"{prefix}params", {}))
    return str(result.get(field, ""))


def failing(screening: Screening) -> list[dict[str, Any]]:
    return [r for r in screening.results if r["passed"] is not True and not r.get("override")]


def answers_from(data: dict[str, Any], keys: Iterable[str] = QUESTIONS) -> dict[str, Any]:
    """Form or JSON answers as yes / no / unknown (absent or empty)."""
    out: dict[str, Any] = {}
    for key in keys:
        raw = data.get(key)
        if raw in (None, "", "unknown"):
            out[key] = None
        elif raw in (True, "yes", "1", "true", "on"):
            out[key] = True
        elif raw in (False, "no", "0", "false", "off"):
            out[key] = False
        else:
            raise FormError({key: _("Answer yes, no or not known.")})
    return out
