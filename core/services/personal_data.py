"""A person's data as the models classify it: the GDPR export (art. 15, 20) and erasure (art. 17).

Nothing here names a column. The tables come from :func:`core.classification.classified_tables`:
every table of the core or of a plugin the organization has enabled whose model says whose
data it holds (``__subject__``) and that has at least one classified column. The export
holds each of those rows; erasure deletes them (``__erase__ = "delete"``) or empties every
classified column that does not declare ``keep=`` (``"anonymize"``). A field added to a
model with ``info=personal(...)`` is exported and erased from then on, with no code to
write and none to forget.

Two tables keep rules of their own, because the erasure itself is about them:

- ``participant`` is the person: its row stays so reports still count them. Its classified
  columns are emptied like any other; then the first name becomes ``#<id>`` (language-
  neutral, and it still tells rows apart), the birth date keeps its year (age groups), the
  gender stays as it was, and the person is no longer active.
- the access log is append-only (a database trigger): its rows lose the reference to the
  person, which is the one change the trigger allows, and never held a value.
"""
from __future__ import annotations

import base64
import re
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, delete, select, update
from sqlalchemy.orm import Session

from core.classification import Category, Classification, ClassifiedTable, classified_tables
from core.db import Base
from core.i18n import gettext
from core.i18n import lazy_gettext as L

PARTICIPANT_TABLE = "participant"
OWN_RULES = frozenset({"access_log_entry", "participant_erasure"})
"""Tables the erasure treats by their own rule, whatever they declare: the access log
(append-only; the person's reference is cleared) and the record that the person was erased."""

CATEGORY_LABELS: dict[Category, Any] = {
    Category.IDENTITY: L("Identity"),
    Category.CONTACT: L("Contact details"),
    Category.FINANCIAL: L("Benefits and pay"),
    Category.WORK: L("Work"),
    Category.HEALTH: L("Health"),
    Category.SUBSTANCE_USE: L("Substance use"),
    Category.CONDUCT: L("Incidents and conduct"),
    Category.SOCIAL: L("Circumstances told in confidence"),
    Category.ASSESSMENT: L("Assessment"),
}


# ---------------------------------------------------------------------------------------
# Which tables hold a person's data, and whose tables they are
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonTable:
    """A classified table that holds rows about one person, and who owns it."""

    classified: ClassifiedTable
    owner: str
    """``core`` or the plugin's name."""

    @property
    def name(self) -> str:
        return str(self.classified.table.name)

    @property
    def subject(self) -> str:
        if self.name == PARTICIPANT_TABLE:
            return "id"
        return self.classified.subject or ""

    @property
    def erase(self) -> str:
        """``delete`` or ``anonymize``. The participant row is always anonymized, and so is a
        table declared ``delete`` that has a ``keep=`` column: what the law keeps is never
        deleted."""
        if self.name == PARTICIPANT_TABLE or any(c.keep for c in self.columns.values()):
            return "anonymize"
        return self.classified.erase

    @property
    def title(self) -> str:
        """The model's ``__label__`` (a lazy translatable string), else its class name in
        words (``WorkProfile`` -> "Work profile"), through the catalogue."""
        model = self.classified.model
        label = model.__dict__.get("__label__")
        if label is not None:
            return str(label)
        return gettext(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", model.__name__).capitalize())

    @property
    def columns(self) -> dict[str, Classification]:
        return self.classified.columns


def column_label(name: str) -> str:
    """A column's name in words (``helper_name`` -> "Helper name"), through the catalogue."""
    return gettext(name.removesuffix("_ore").replace("_", " ").capitalize())


def owner_labels(plugins: Any) -> dict[str, str]:
    """``core`` and each plugin's name -> what the organization calls it."""
    labels = {name: str((info or {}).get("label", name)) for name, info in plugins.per_plugin("lavterskel_plugin_info")}
    labels["core"] = gettext("The program's own records")
    return labels


@dataclass(frozen=True)
class ErasurePlan:
    """What erasure does to one table, for the leader who confirms it."""

    table: str
    title: str
    owner: str
    delete: bool
    emptied: list[str]
    kept: list[tuple[str, str]]
    """(column label, the reason the law keeps it)."""


def erasure_plan(tables: Sequence[PersonTable]) -> list[ErasurePlan]:
    return [
        ErasurePlan(
            pt.name, pt.title, pt.owner, pt.erase == "delete",
            [column_label(n) for n, c in pt.columns.items() if not c.keep],
            [(column_label(n), c.keep) for n, c in pt.columns.items() if c.keep],
        )
        for pt in tables
    ]


def table_owners(plugins: Any, base: Any) -> dict[str, str]:
    """Every mapped table by whose it is: a loaded plugin's (its ``TABLES``, which the core
    checks at start-up) or the core's (defined in the ``core`` package). Tables of plugins
    that are installed but not loaded belong to no one here: their tables may not exist."""
    owners: dict[str, str] = {}
    for name in plugins.program_plugins:
        for table in getattr(plugins.module(name), "TABLES", ()):
            owners[table] = name
    for mapper in base.registry.mappers:
        table = mapper.local_table.name
        if table not in owners and mapper.class_.__module__.split(".")[0] == "core":
            owners[table] = "core"
    return owners


def person_tables(plugins: Any, enabled: Iterable[str], base: Any = None) -> list[PersonTable]:
    """The tables that hold a person's classified data in an organization that has the
    plugins ``enabled``: the core's first, then each plugin's, by table name."""
    base = Base if base is None else base
    owners = table_owners(plugins, base)
    on = {"core", *enabled}
    out = []
    for t in classified_tables(base):
        owner = owners.get(t.table.name)
        if owner not in on or t.table.name in OWN_RULES or not t.columns:
            continue
        pt = PersonTable(t, owner)
        if pt.subject not in t.table.c:
            continue
        out.append(pt)
    return sorted(out, key=lambda p: (p.owner != "core", p.owner, p.name != PARTICIPANT_TABLE, p.name))


# ---------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------


@dataclass
class ExportedTable:
    table: str
    owner: str
    title: str
    categories: dict[str, str]
    """Column name -> category of every classified column."""
    rows: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"title": self.title, "owner": self.owner, "categories": self.categories, "rows": self.rows}


def _json_value(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _exported_columns(pt: PersonTable) -> list[Any]:
    """Every classified column, and the row's other facts that are not internal keys
    (dates, hours, codes): the person is entitled to them and they give the values context."""
    table = pt.classified.table
    skip = {pt.subject, "organization_id"}
    derived = {n for n, c in pt.columns.items() if c.derived}
    return [
        c for c in table.columns
        if c.name not in derived and (c.name in pt.columns or (c.name not in skip and not c.primary_key and not c.foreign_keys))
    ]


def _where_person(pt: PersonTable, participant_id: int, organization_id: int) -> list[Any]:
    table = pt.classified.table
    conds = [table.c[pt.subject] == participant_id]
    if "organization_id" in table.c:
        conds.append(table.c.organization_id == organization_id)
    return conds


def export_tables(db: Session, tables: Sequence[PersonTable], participant_id: int, organization_id: int) -> list[ExportedTable]:
    """The person's rows of every table, classified columns and context, JSON-able."""
    out = []
    for pt in tables:
        table = pt.classified.table
        columns = _exported_columns(pt)
        pk = list(table.primary_key.columns)
        stmt = select(*columns).where(*_where_person(pt, participant_id, organization_id)).order_by(*pk)
        rows = [{k: _json_value(v) for k, v in row._mapping.items()} for row in db.execute(stmt)]
        if rows:
            out.append(ExportedTable(pt.name, pt.owner, pt.title, {n: str(c.category) for n, c in pt.columns.items() if not c.derived}, rows))
    return out


# ---------------------------------------------------------------------------------------
# Erasure
# ---------------------------------------------------------------------------------------


class NoNeutralValue(ValueError):
    """A classified column of an anonymized table that cannot be emptied: declare ``keep=``,
    make it nullable or give it a default, or let erasure delete the rows."""


def neutral_value(column: Any) -> Any:
    """What an anonymized column holds: NULL where allowed, else the column's default,
    else the empty value of its type."""
    if column.nullable and not column.primary_key:
        return None
    default = column.default
    if default is not None and getattr(default, "is_scalar", False):
        return default.arg
    if default is not None and getattr(default, "is_callable", False):
        value = default.arg(None)
        if isinstance(value, (list, dict, str)) and not value:
            return value
    try:
        python_type = column.type.python_type
    except NotImplementedError:  # pragma: no cover - every type used here has one
        python_type = None
    if isinstance(column.type, JSON):
        # A NOT NULL JSON column without a default: an empty list says "nothing" in every
        # shape a model stores (lists of codes, answer maps read with .get()).
        return []
    empty = {str: "", int: 0, Decimal: Decimal(0), float: 0.0, bool: False, bytes: b""}
    if python_type in empty:
        return empty[python_type]
    raise NoNeutralValue(f"{column.table.name}.{column.name}: no empty value for a NOT NULL {column.type}")


def anonymized_values(pt: PersonTable) -> dict[str, Any]:
    """Column -> neutral value for every classified column erasure empties (not ``keep=``)."""
    table = pt.classified.table
    return {name: neutral_value(table.c[name]) for name, c in pt.columns.items() if not c.keep}


def _children_first(tables: Sequence[PersonTable]) -> list[PersonTable]:
    """Delete rows that refer to other rows before those (foreign keys without cascade)."""
    if not tables:
        return []
    order = {t.name: i for i, t in enumerate(tables[0].classified.table.metadata.sorted_tables)}
    return sorted(tables, key=lambda pt: -order.get(pt.name, 0))


def erase_tables(db: Session, tables: Sequence[PersonTable], participant_id: int, organization_id: int) -> dict[str, int]:
    """Delete or anonymize the person's rows of every table; returns rows touched per table.

    Flushes only: the caller commits, so if anything fails nothing is erased.
    """
    db.flush()
    counts: dict[str, int] = {}
    for pt in _children_first(tables):
        table = pt.classified.table
        where = _where_person(pt, participant_id, organization_id)
        if pt.erase == "delete":
            n = db.execute(delete(table).where(*where)).rowcount or 0
        else:
            values = anonymized_values(pt)
            n = (db.execute(update(table).where(*where).values(**values)).rowcount or 0) if values else 0
        if n:
            counts[pt.name] = n
    # Objects loaded before the erasure must not write the old values back.
    db.expire_all()
    return counts
