"""Finding a participant by the letters of a name, the same on SQLite and PostgreSQL.

Each typed word must match the start of one of the person's name words (first name, last
name, nickname), compared in folded form (:mod:`core.names`): exactly (Æ is æ, ø is not o)
first, in ASCII second ("oyv" finds "Øyvind"), then with a typo (a letter missing, doubled,
wrong or two swapped: "Kristofersen" finds "Kristoffersen").

The database narrows, Python decides. The database compares the typed words with the
stored key (``Participant.search_key``, ASCII forms and skeletons of the names between
spaces) by a plain substring search for ``' word'`` (a word's start), which every database
evaluates alike on text that is already folded; a typo search narrows by a word's first two letters only. Python then grades the
few candidates left with :func:`core.names.match` and ranks them.

Used by the participants list (:data:`core.services.registry.PARTICIPANTS`, its SQL part)
and by the door's check-in search, which ranks with :func:`find_people`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, ColumnElement, and_, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from core.models import Attendance, Participant, ProgramDay
from core.names import ascii_fold, fold, match, skeleton, typed_words, typo_budget, word_tier, words

CANDIDATES = 400
"""How many people the database hands over to be graded, at most, per narrowing: more
than one organization's regulars for one or two letters typed; the best are among them
once a third letter is typed."""


class _KeyHas(FunctionElement[bool]):
    """``search_key`` holds the text given: ``instr(key, ' oyv') > 0`` on SQLite, ``strpos``
    on PostgreSQL (both plain substring searches, faster than ``LIKE`` with its escapes,
    and the same on both: the key and the text are folded already)."""

    type = Boolean()
    inherit_cache = True


@compiles(_KeyHas)
def _key_has_default(element: _KeyHas, compiler: Any, **kw: Any) -> str:
    return f"(instr({compiler.process(element.clauses, **kw)}) > 0)"


@compiles(_KeyHas, "postgresql")
def _key_has_postgresql(element: _KeyHas, compiler: Any, **kw: Any) -> str:
    return f"(strpos({compiler.process(element.clauses, **kw)}) > 0)"


def _like(prefix: str) -> ColumnElement[bool]:
    """A name word of the key starts with ``prefix`` (the key has a space before each word)."""
    return _KeyHas(Participant.search_key, literal(" " + prefix))  # type: ignore[return-value]


def name_condition(query: str) -> ColumnElement[bool] | None:
    """Every typed word starts a name word, in ASCII form or as a skeleton (doubled
    letters once): the SQL part of the matching, without typos. None when nothing was
    typed that can be a name (only punctuation, say)."""
    typed = typed_words(query)
    if not typed:
        return None
    return and_(*(_word_condition(w) for w in typed))


def _word_condition(word: str) -> ColumnElement[bool]:
    a, s = ascii_fold(word), skeleton(word)
    return _like(a) if a == s else or_(_like(a), _like(s))


def _typo_condition(typed: Sequence[str]) -> ColumnElement[bool] | None:
    """Candidates for a typo: each word long enough to carry one starts a name word with
    its first two letters (skeleton); a shorter word must match as typed."""
    if not any(typo_budget(skeleton(w)) for w in typed):
        return None
    conds = []
    for w in typed:
        s = skeleton(w)
        conds.append(_like(s[:2]) if typo_budget(s) else _word_condition(w))
    return and_(*conds)


@dataclass(frozen=True)
class Found:
    """A person found, with how well: lower ``rank`` is better."""

    participant: Participant
    rank: tuple[object, ...]
    last_visit: dt.date | None


def _candidates(db: Session, condition: ColumnElement[bool], organization_id: int | None, active_only: bool,
                skip: set[int]) -> list[tuple[int, str, str, str]]:
    stmt = select(Participant.id, Participant.first_name, Participant.last_name, Participant.nickname).where(condition)
    if organization_id is not None:
        stmt = stmt.where(Participant.organization_id == organization_id)
    if active_only:
        stmt = stmt.where(Participant.active)
    if skip:
        stmt = stmt.where(Participant.id.not_in(skip))
    return [tuple(r) for r in db.execute(stmt.limit(CANDIDATES))]  # type: ignore[misc]


def last_visits(db: Session, participant_ids: Sequence[int]) -> dict[int, dt.date]:
    """The date each person was last registered present, for those who ever were."""
    if not participant_ids:
        return {}
    rows = db.execute(
        select(Attendance.participant_id, func.max(ProgramDay.date)).join(ProgramDay, Attendance.day_id == ProgramDay.id)
        .where(Attendance.participant_id.in_(list(participant_ids))).group_by(Attendance.participant_id)
    )
    return {pid: date for pid, date in rows if date is not None}


def find_people(db: Session, query: str, *, limit: int = 8, organization_id: int | None = None, active_only: bool = True,
                typos: bool = True) -> list[Found]:
    """The people whose names match ``query`` best, best first: every word matched exactly
    before any in ASCII, before any with a typo; then the first typed word starting the
    first name; then fewer words matched less well and fewer wrong letters; then who came
    most recently; then by name. Typos are looked for only when the exact and ASCII
    matches leave fewer than ``limit`` people."""
    typed = typed_words(query)
    condition = name_condition(query)
    if not typed or condition is None:
        return []
    rows = _candidates(db, condition, organization_id, active_only, set())
    graded = _grade(typed, rows)
    if typos and len(graded) < limit and (loose := _typo_condition(typed)) is not None:
        graded.update(_grade(typed, _candidates(db, loose, organization_id, active_only, {r[0] for r in rows})))
    if not graded:
        return []
    # The last visits decide only among people who match equally well: ask for those of
    # the people who can still be among the first ``limit`` (a person's visits are many
    # rows: five years of mornings).
    by_match = sorted(graded, key=lambda pid: graded[pid][0])
    cut = graded[by_match[min(limit, len(by_match)) - 1]][0]
    contenders = [pid for pid in by_match if graded[pid][0] <= cut]
    people = _with_last_visits(db, contenders)
    ranked = sorted(people, key=lambda pid: (*graded[pid][0], -(people[pid][1].toordinal() if people[pid][1] else 0), graded[pid][1], pid))
    return [Found(people[pid][0], (*graded[pid][0], pid), people[pid][1]) for pid in ranked[:limit]]


def _with_last_visits(db: Session, participant_ids: Sequence[int]) -> dict[int, tuple[Participant, dt.date | None]]:
    """The people, each with the last day they were present, in one query (one round trip
    to the database at the door's busiest minute, not two)."""
    last = (select(Attendance.participant_id.label("pid"), func.max(ProgramDay.date).label("last_on"))
            .join(ProgramDay, Attendance.day_id == ProgramDay.id).where(Attendance.participant_id.in_(list(participant_ids)))
            .group_by(Attendance.participant_id).subquery())
    rows = db.execute(select(Participant, last.c.last_on).outerjoin(last, last.c.pid == Participant.id)
                      .where(Participant.id.in_(list(participant_ids))))
    return {p.id: (p, last_on) for p, last_on in rows}


def _grade(typed: list[str], rows: list[tuple[int, str, str, str]]) -> dict[int, tuple[tuple[int, int, int, int], tuple[str, str]]]:
    """Participant id -> ((worst tier, first name missed, sum of tiers, wrong letters), (first, last name folded))."""
    out = {}
    for pid, first, last, nick in rows:
        first_words = words(first)
        graded = match(typed, first_words + words(last) + words(nick))
        if graded is None:
            continue
        worst, total, wrong = graded
        on_first = any(word_tier(typed[0], w) is not None and word_tier(typed[0], w)[0] <= worst for w in first_words)  # type: ignore[index]
        out[pid] = ((worst, 0 if on_first else 1, total, wrong), (fold(first), fold(last)))
    return out
