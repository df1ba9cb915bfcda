"""What personal data each column holds, declared once, where the column is defined.

Every mapped column of the core and of every plugin that can hold something about a person
says so in its ``info``::

    health: Mapped[str] = mapped_column(Text, default="", info=personal(Category.HEALTH))
    label: Mapped[str] = mapped_column(String(100), info=not_personal())

Everything else is derived from that declaration, through the core, for every plugin alike:
who may read the value (a permission per category, plus the need-to-know relations the core
evaluates), what the access log records, which routes need the second factor, what the GDPR
export contains and what erasure removes. No plugin writes its own check, log line, export or
erase for a classified column, so a new field cannot be forgotten in one of them; an
architecture test fails on a text column that declares nothing.

A table whose classified columns belong to a person says who that person is with
``__subject__`` (the column that refers to ``participant.id``; ``participant_id`` when not
given) and what erasure does to its rows with ``__erase__``:

- ``"delete"`` (the default): the person's rows go;
- ``"anonymize"``: the rows stay (pay lines for the accounting period, shifts for the
  report's counts) and their classified columns are emptied, except those declared with
  ``keep=`` and the law that requires them.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

INFO_KEY = "personal_data"
"""The key in a column's ``info`` that holds its :class:`Classification` (or ``None``:
declared not personal)."""


class Category(StrEnum):
    """Kinds of personal data, from ordinary to special (GDPR art. 9 and 10)."""

    IDENTITY = "identity"
    """Who the person is: names, birth date, gender, card code, photo."""
    CONTACT = "contact"
    """How to reach them or the people around them: phone, address, helpers' names."""
    FINANCIAL = "financial"
    """Benefit status, district approvals, pay."""
    WORK = "work"
    """Ordinary notes about their work: preferences, equipment, timesheet remarks."""
    HEALTH = "health"
    """Health, illness, absence for health reasons, adaptations needed."""
    SUBSTANCE_USE = "substance_use"
    """Drug and alcohol history and use, relapse."""
    CONDUCT = "conduct"
    """Incidents, breaches, being sent home, police, courts and prison."""
    SOCIAL = "social"
    """Circumstances told in confidence: debt, housing, child welfare, who they are in touch
    with outside the program, consents to contact them."""
    ASSESSMENT = "assessment"
    """The screening and assessment of a person: the assessment form, interview notes."""

    @property
    def special(self) -> bool:
        """Special handling: read only with the category's permission or as a contact
        person, every showing logged, the second factor where the organization requires it."""
        return self in SPECIAL


SPECIAL = frozenset({Category.HEALTH, Category.SUBSTANCE_USE, Category.CONDUCT, Category.SOCIAL, Category.ASSESSMENT})
"""Categories whose every showing is logged and needs the category's permission."""


@dataclass(frozen=True)
class Classification:
    category: Category
    keep: str = ""
    """Why erasure keeps this value (the law that requires it), or empty: erasure removes it."""
    derived: str = ""
    """What the value is computed from (a search key from the names), or empty. The GDPR
    export leaves a derived value out: it says nothing its source does not. Erasure
    empties it as any other."""


def personal(category: Category, *, keep: str = "", derived: str = "") -> dict[str, Any]:
    """The ``info`` of a column that holds personal data of ``category``.

    :param keep: erasure keeps the value, for the reason given (for example
        ``"bookkeeping act: pay records for five years"``); the export still contains it.
    :param derived: the value is computed from other columns, named here (``"first_name,
        last_name, nickname"``); the export leaves it out, erasure empties it.
    """
    return {INFO_KEY: Classification(Category(category), keep, derived)}


def not_personal() -> dict[str, Any]:
    """The ``info`` of a text column that holds nothing about a person (codes, labels of
    things, settings). Declaring it is a decision someone made, which the test can see."""
    return {INFO_KEY: None}


def classification_of(column: Any) -> Classification | None:
    """The column's classification, or None when it is declared not personal or declares
    nothing (tell the two apart with :func:`is_declared`)."""
    return column.info.get(INFO_KEY)


def is_declared(column: Any) -> bool:
    return INFO_KEY in column.info


FREE_FORM_TYPES = ("String", "Text", "Unicode", "UnicodeText", "JSON", "LargeBinary")
"""Column types that can hold anything a person types: each such column must declare."""

ERASE_POLICIES = ("delete", "anonymize")


@dataclass(frozen=True)
class ClassifiedTable:
    """A mapped table and what its columns hold about whom, as its model declares."""

    model: type
    table: Any
    subject: str | None
    """The column that refers to ``participant.id``; None when the table's personal data is
    about someone else (staff, a customer's contact) or about no one."""
    erase: str
    """``delete`` or ``anonymize`` (see the module's docstring)."""
    columns: dict[str, Classification]
    """Every classified column by name; columns declared not personal are left out."""

    @property
    def special(self) -> dict[str, Classification]:
        return {name: c for name, c in self.columns.items() if c.category.special}


def classified_tables(base: Any) -> list[ClassifiedTable]:
    """Every mapped table of the core and the plugins (all share ``base``), with what its
    model declares, in table-name order."""
    out: list[ClassifiedTable] = []
    for mapper in base.registry.mappers:
        model = mapper.class_
        table = mapper.local_table
        columns = {c.name: c.info[INFO_KEY] for c in table.columns if c.info.get(INFO_KEY) is not None}
        default_subject = "participant_id" if "participant_id" in table.c else None
        subject = getattr(model, "__subject__", default_subject)
        erase = getattr(model, "__erase__", "delete")
        if erase not in ERASE_POLICIES:
            raise ValueError(f"{table.name}: __erase__ must be one of {ERASE_POLICIES}, not {erase!r}")
        out.append(ClassifiedTable(model, table, subject, erase, columns))
    return sorted(out, key=lambda t: t.table.name)


def undeclared_columns(base: Any) -> list[str]:
    """``table.column`` of every free-form column that declares neither :func:`personal`
    nor :func:`not_personal`: each is a place a new field could slip past export and erase."""
    missing = []
    for t in classified_tables(base):
        for column in t.table.columns:
            if type(column.type).__name__ in FREE_FORM_TYPES and not is_declared(column):
                missing.append(f"{t.table.name}.{column.name}")
    return missing


def _refers_to_participant(table: Any, column: Any) -> bool:
    """The column refers to a participant: a foreign key to ``participant.id``, or the
    participant table's own id."""
    if table.name == "participant" and column.primary_key:
        return True
    return any(fk.target_fullname == "participant.id" for fk in column.foreign_keys)


def _can_be_emptied(column: Any) -> bool:
    """Anonymizing can empty the column: text gets "", anything else needs NULL or a default."""
    return type(column.type).__name__ in FREE_FORM_TYPES or column.nullable or column.default is not None


def declaration_problems(tables: list[ClassifiedTable]) -> list[str]:
    """What is wrong with the tables' declarations, one sentence each; empty when nothing is.

    A free-form column that declares nothing; a ``__subject__`` that is not a column, or not
    one that refers to ``participant.id``; personal data whose subject was never decided;
    an erase rule that cannot be carried out as declared (a kept value on a row that is
    deleted, a value anonymizing cannot empty); special-category data about no participant,
    which the per-person access rules could not reach.
    """
    problems: list[str] = []
    for t in tables:
        name = t.table.name
        for column in t.table.columns:
            if type(column.type).__name__ in FREE_FORM_TYPES and not is_declared(column):
                problems.append(f"{name}.{column.name}: a free-form column must declare personal(...) or not_personal()")
        if t.subject is not None:
            column = t.table.c.get(t.subject)
            if column is None:
                problems.append(f"{name}: __subject__ names {t.subject!r}, which is not one of its columns")
            elif not _refers_to_participant(t.table, column):
                problems.append(f"{name}: __subject__ {t.subject!r} does not refer to participant.id")
        if not t.columns:
            continue
        if t.subject is None:
            if not hasattr(t.model, "__subject__"):
                problems.append(f"{name}: holds personal data but names no subject: set __subject__ (or None, saying whose it is)")
            for col, c in t.columns.items():
                if c.category.special:
                    problems.append(f"{name}.{col}: special-category data must belong to a participant (__subject__)")
                if c.keep:
                    problems.append(f"{name}.{col}: keep= means nothing on a table no participant's erasure reaches")
            continue
        for col, c in t.columns.items():
            if t.erase == "delete" and c.keep:
                problems.append(f"{name}.{col}: keep= on a table whose rows erasure deletes; declare __erase__ = \"anonymize\"")
            if t.erase == "anonymize" and not c.keep and not _can_be_emptied(t.table.c[col]):
                problems.append(f"{name}.{col}: anonymizing cannot empty it (not nullable, no default); keep it with a reason or delete the rows")
    return problems
