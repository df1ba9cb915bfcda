"""The gate for special-category values (core.services.disclosure), on its own.

A table of its own metadata stands for any plugin's: the gate reads only the columns'
classification, the table's ``__subject__``/``__author__`` and the row's values.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table

from core.classification import Category, not_personal, personal
from core.services.disclosure import PENDING, Disclosure, SecondFactorNeeded

TABLE = Table(
    "example_note", MetaData(),
    Column("id", Integer, primary_key=True),
    Column("participant_id", Integer),
    Column("written_by_id", Integer),
    Column("health", String, info=personal(Category.HEALTH)),
    Column("conduct", String, info=personal(Category.CONDUCT)),
    Column("work", String, info=personal(Category.WORK)),
    Column("label", String, info=not_personal()),
)


class Note:
    __table__ = TABLE
    __author__ = "written_by_id"

    def __init__(self, participant_id: int | None, health: str = "", conduct: str = "", work: str = "", written_by_id: int | None = None) -> None:
        self.participant_id, self.health, self.conduct, self.work = participant_id, health, conduct, work
        self.written_by_id, self.label = written_by_id, "x"


@dataclass(frozen=True)
class Org:
    id: int = 1


@dataclass(frozen=True)
class User:
    id: int
    permissions: frozenset[str]
    full_name: str = "Kari"
    organization: Org = Org()


@dataclass
class FakeDb:
    info: dict[str, Any] = field(default_factory=dict)


def gate(permissions: set[str], *, contact_of: set[int] = frozenset(), required: bool = False, factor: str = "verified") -> Disclosure:  # type: ignore[assignment]
    return Disclosure(FakeDb(), User(7, frozenset(permissions)), "/people/{pid}", lambda _staff, person: person in contact_of,  # type: ignore[arg-type]
                      second_factor=factor, second_factor_required=required)


def logged(g: Disclosure) -> list[tuple[int | None, str, str]]:
    return [(e["subject_id"], e["category"], e["page"]) for e in g.db.info.get(PENDING, [])]


def test_one_entry_per_person_and_category_in_a_response_however_many_values() -> None:
    g = gate({"data.health", "data.conduct"})
    for _ in range(3):
        assert g.reveal(Note(1, health="ill"), "health").value == "ill"
    g.reveal(Note(1, conduct="sent home"), "conduct")
    g.reveal(Note(2, health="ill"), "health")
    assert logged(g) == [(1, "health", "/people/{pid}"), (1, "conduct", "/people/{pid}"), (2, "health", "/people/{pid}")]


def test_ordinary_and_unclassified_columns_and_empty_values_are_shown_unlogged() -> None:
    g = gate(set())
    assert g.reveal(Note(1, work="likes gardening"), "work").value == "likes gardening"
    assert g.reveal(Note(1), "label").value == "x"
    assert logged(g) == []
    allowed = gate({"data.health"}, required=True, factor="missing")
    assert allowed.reveal(Note(1, health=""), "health").shown  # nothing to show: no code asked, no entry
    assert logged(allowed) == []


def test_without_permission_or_relation_the_value_is_withheld_and_nothing_logged() -> None:
    g = gate({"sensitive.contact"}, contact_of={2})
    r = g.reveal(Note(1, health="mental health"), "health")
    assert r.withheld and r.value is None and r.present and not r
    assert g.reveal(Note(2, health="mental health"), "health").value == "mental health"  # their contact person
    assert logged(g) == [(2, "health", "/people/{pid}")]
    nobody = gate(set(), contact_of={1})  # a relation without the relation permission opens nothing
    assert nobody.reveal(Note(1, health="ill"), "health").withheld


def test_the_author_sees_what_they_wrote_only_with_the_relation_permission() -> None:
    assert gate({"sensitive.contact"}).reveal(Note(1, conduct="own words", written_by_id=7), "conduct").value == "own words"
    assert gate(set()).reveal(Note(1, conduct="own words", written_by_id=7), "conduct").withheld


def test_the_second_factor_is_asked_at_the_moment_a_value_would_be_shown() -> None:
    with pytest.raises(SecondFactorNeeded) as exc:
        gate({"data.health"}, required=True, factor="missing").reveal(Note(1, health="ill"), "health")
    assert exc.value.what == "enrol"
    with pytest.raises(SecondFactorNeeded) as exc:
        gate({"data.health"}, required=True, factor="pending").reveal(Note(1, health="ill"), "health")
    assert exc.value.what == "verify"
    # Withheld values need no code; a verified session is shown the value.
    assert gate(set(), required=True, factor="missing").reveal(Note(1, health="ill"), "health").withheld
    assert gate({"data.health"}, required=True).reveal(Note(1, health="ill"), "health").value == "ill"
