"""Listing, creating and editing the core's plain records, described once per kind.

Participants, customers and work orders share the same shape of work: search, filter,
page, validate, write. Each is described by a :class:`Resource`; the HTML pages and the
JSON API both go through the functions here, so they cannot disagree.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.db import get_scoped
from core.forms import Field, FormError, validate
from core.i18n import gettext as _


@dataclass
class Page:
    rows: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_number(raw: str | None) -> int:
    """The page a query string's ``page`` asks for: 1 when missing or not a number."""
    try:
        return max(1, min(int(raw or 1), 100_000))
    except ValueError:
        return 1


def page_of(items: Sequence[Any], raw: str | None, per_page: int) -> Page:
    """One page of a list already in memory; a number past the end shows the last page."""
    pages = max(1, -(-len(items) // per_page))
    number = min(page_number(raw), pages)
    return Page(list(items[(number - 1) * per_page:number * per_page]), len(items), number, per_page)


@dataclass
class Resource:
    name: str
    """URL segment and API name: ``participants``."""
    model: type
    fields: list[Field]
    labels: dict[str, Any]
    """Field name -> lazy translated label."""
    search_columns: Sequence[Any]
    name_search: Callable[[str], Any] | None = None
    """A condition for the letters of a name (``core.services.name_search.name_condition``:
    case and accents folded alike on every database), or'ed with the columns' own search."""
    filters: list[Field] = field(default_factory=list)
    order_by: Sequence[Any] = ()
    list_columns: Sequence[str] = ()
    view_permission: str = ""
    edit_permission: str = ""
    references: dict[str, type] = field(default_factory=dict)
    """Field -> model it must name a row of (in the same organization)."""
    read_only: Sequence[str] = ()
    """Fields shown and returned but set by actions, not by the edit form."""
    extra_check: Callable[[Session, dict[str, Any], Any | None], dict[str, str]] | None = None
    ref_options: dict[str, Callable[[Session], list[tuple[int, str]]]] = field(default_factory=dict)
    """Field -> the choices for its select box (id, label), in the organization."""
    title: Callable[[Any], str] = str

    @property
    def editable_fields(self) -> list[Field]:
        return [f for f in self.fields if f.name not in self.read_only]

    def to_json(self, obj: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"id": obj.id}
        for f in self.fields:
            value = getattr(obj, f.name)
            if isinstance(value, (dt.date, dt.datetime)):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = str(value)
            out[f.name] = value
        return out


def list_rows(
    db: Session, res: Resource, *, q: str = "", filters: dict[str, Any] | None = None, page: int = 1, per_page: int = 25
) -> Page:
    stmt = select(res.model)
    # Control characters match nothing, and PostgreSQL refuses NUL in a text parameter.
    q = "".join(ch for ch in (q or "") if unicodedata.category(ch) != "Cc").strip()
    if q:
        # "50%" or "a_b" are searched as typed, not as LIKE patterns.
        conditions = [func.lower(col).contains(q.lower(), autoescape=True) for col in res.search_columns]
        named = res.name_search(q) if res.name_search is not None else None
        stmt = stmt.where(or_(*conditions, *([named] if named is not None else [])))
    for name, value in (filters or {}).items():
        if value not in (None, ""):
            stmt = stmt.where(getattr(res.model, name) == value)
    total = db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page = max(1, min(page, max(1, -(-total // per_page))))
    rows = list(db.scalars(stmt.order_by(*res.order_by, res.model.id).limit(per_page).offset((page - 1) * per_page)).unique())
    return Page(rows=rows, total=total, page=page, per_page=per_page)


def clean_filters(res: Resource, raw: dict[str, Any]) -> dict[str, Any]:
    """Filters from a query string; an invalid one is ignored rather than failing the list."""
    out: dict[str, Any] = {}
    for f in res.filters:
        if raw.get(f.name) in (None, ""):
            continue
        try:
            out.update(validate([f], {f.name: raw.get(f.name)}))
        except FormError:
            continue
    return {k: v for k, v in out.items() if v not in (None, "")}


def _check_references(db: Session, res: Resource, clean: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, model in res.references.items():
        value = clean.get(name)
        if value is not None and get_scoped(db, model, value) is None:
            errors[name] = _("No such record.")
    return errors


def _validated(db: Session, res: Resource, data: dict[str, Any], obj: Any | None, partial: bool) -> dict[str, Any]:
    unknown = set(data) - {f.name for f in res.editable_fields}
    if unknown:
        raise FormError({"__all__": _("Unknown fields: %(names)s", names=", ".join(sorted(map(str, unknown))))})
    clean = validate(res.editable_fields, data, partial=partial)
    errors = _check_references(db, res, clean)
    if res.extra_check is not None:
        errors.update(res.extra_check(db, clean, obj))
    if errors:
        raise FormError(errors)
    return clean


def create_row(db: Session, res: Resource, organization_id: int, data: dict[str, Any]) -> Any:
    clean = _validated(db, res, data, None, partial=False)
    obj = res.model(organization_id=organization_id, **clean)
    db.add(obj)
    db.commit()
    return obj


def update_row(db: Session, res: Resource, obj: Any, data: dict[str, Any], *, partial: bool = False) -> Any:
    clean = _validated(db, res, data, obj, partial=partial)
    for key, value in clean.items():
        setattr(obj, key, value)
    db.commit()
    return obj
