"""Showing a special-category value: the one gate every page, API route, CSV and PDF uses.

A value is shown through :meth:`Disclosure.reveal` with the row and the column's name; the
column's own classification (``info=personal(Category.X)``, core/classification.py) says
which category it is, so no caller types a category, a permission or a log line by hand.
The gate decides, in this order:

1. not a special category (or a row about no one): shown, nothing logged;
2. may the requester read it? The category's permission (``data.health``...) opens it for
   everyone; without it, the relation permission ``sensitive.contact`` opens it for the
   person's contact persons (asked of the plugins through ``lavterskel_is_contact_person``)
   and for the author of the record, where its table names one with ``__author__`` (the
   work leader who wrote an incident down still sees what they wrote). Otherwise the value
   is withheld: the caller shows a neutral "hidden" text, never the value;
3. the second factor: where the organization requires two-factor sign-in, a value about to
   be shown raises :class:`SecondFactorNeeded` unless the session gave its code. The app
   turns it into the code page (pages) or a 403 with a clear message (the API). It is
   derived here, at the point of disclosure, so a route that never declared a sensitive
   permission is covered all the same;
4. the access log: the first showing of a category of a person in a response writes one
   entry (who, whose, which category, from which route), in the request's transaction; the
   request's database session commits it before the response leaves
   (``core.web.handlers.provide_db``).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from core.classification import Category, classification_of
from core.db import utcnow
from core.models import AccessLogEntry
from core.permissions import RELATION_PERMISSION, category_permission

PENDING = "lavterskel_disclosure_pending"
"""Key in the session's ``info``: the access-log entries (rows of ``access_log``) waiting to
be written with the response's transaction."""


class SecondFactorNeeded(Exception):
    """A special-category value was about to be shown to a session without its second
    factor, in an organization that requires one. ``what``: ``verify`` (give the code) or
    ``enrol`` (set TOTP up first)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


@dataclass(frozen=True)
class Revealed:
    """The outcome of one :meth:`Disclosure.reveal`: the value, or that it is withheld."""

    shown: bool
    value: Any
    category: Category | None
    present: bool = True
    """Whether the record holds a value at all. Told even when withheld, so a page can say
    "hidden" rather than nothing, as the core's notes page tells which categories hold
    something before "show"."""

    @property
    def withheld(self) -> bool:
        return not self.shown

    def __bool__(self) -> bool:
        # ``{% if r %}`` reads "shown and not empty", as the value itself would.
        return self.shown and bool(self.value)


WITHHELD_NOTHING = Revealed(True, None, None)


@dataclass
class Disclosure:
    """The gate for one request (or one CLI run): who asks, from where, and what was logged."""

    db: Session
    user: Any
    """The requester: ``id``, ``full_name``, ``permissions`` and ``organization`` (with ``id``)."""
    page: str
    """Where the showing happens: the route's path template (never a path with values)."""
    is_contact_person: Callable[[int, int], bool]
    """``(staff_user_id, participant_id) -> bool``: the core's need-to-know relation."""
    second_factor: str = "verified"
    """``verified``, ``pending`` or ``missing`` (see ``core.web.middleware``)."""
    second_factor_required: bool = False
    sensitive_scope: bool = True
    """False for an API token made without the ``sensitive`` scope: it reads no special
    category, whatever its owner's role (the same rule as the routes' scope check)."""
    source: str = "core"
    _relation: dict[int, bool] = field(default_factory=dict)
    _logged: set[tuple[int, str]] = field(default_factory=set)

    # --- deciding ------------------------------------------------------------------------

    def may_read(self, category: Category | str, subject_id: int | None, author_id: int | None = None) -> bool:
        """Whether the requester may read ``category`` of the person ``subject_id``."""
        category = Category(category)
        if not category.special or subject_id is None:
            return True
        if not self.sensitive_scope:
            return False
        permissions = self.user.permissions
        if category_permission(category) in permissions:
            return True
        if RELATION_PERMISSION not in permissions:
            return False
        if author_id is not None and author_id == self.user.id:
            return True
        if subject_id not in self._relation:
            self._relation[subject_id] = bool(self.is_contact_person(self.user.id, subject_id))
        return self._relation[subject_id]

    def may_read_column(self, model: type, column: str, subject_id: int | None) -> bool:
        """Whether the requester may read ``model.column`` of the person (no author known)."""
        return self.may_read(category_of(model, column), subject_id)

    def prepare(self, subject_ids: Iterable[int | None]) -> None:
        """Evaluate the relation for many people at once, before a template shows them
        (templates render outside the handler's worker thread: no queries there)."""
        if RELATION_PERMISSION not in self.user.permissions:
            return
        for sid in {s for s in subject_ids if s is not None} - self._relation.keys():
            self._relation[sid] = bool(self.is_contact_person(self.user.id, sid))

    # --- showing -------------------------------------------------------------------------

    def reveal(self, row: Any, column: str) -> Revealed:
        """The value of ``row.<column>`` if the requester may read it, logged; else withheld.

        :raises SecondFactorNeeded: the value may be read, but the organization requires a
            second factor this session has not given.
        """
        if row is None:
            return WITHHELD_NOTHING
        table = type(row).__table__
        classification = classification_of(table.c[column])
        value = getattr(row, column)
        if classification is None or not classification.category.special:
            return Revealed(True, value, classification.category if classification else None)
        category = classification.category
        subject_col = getattr(type(row), "__subject__", "participant_id")
        subject_id = getattr(row, subject_col, None) if subject_col else None
        author_col = getattr(type(row), "__author__", None)
        author_id = getattr(row, author_col, None) if author_col else None
        if not self.may_read(category, subject_id, author_id):
            return Revealed(False, None, category, present=bool(value))
        # An empty value shows nothing: no second factor asked, nothing to log.
        if subject_id is not None and value not in (None, "", [], {}):
            self._second_factor()
            self._log(subject_id, category)
        return Revealed(True, value, category, present=bool(value))

    def value(self, row: Any, column: str) -> Any:
        """The value, or None when withheld (for JSON: a withheld field is ``null`` and the
        caller lists it under ``withheld``)."""
        return self.reveal(row, column).value

    def _second_factor(self) -> None:
        if self.second_factor_required and self.second_factor != "verified":
            raise SecondFactorNeeded("verify" if self.second_factor == "pending" else "enrol")

    def _log(self, subject_id: int, category: Category) -> None:
        key = (subject_id, category.value)
        if key in self._logged:
            return
        self._logged.add(key)
        user = self.user
        # A plain row, inserted in one statement when the session commits (``_write_pending``):
        # an ORM object per entry cost half a millisecond a page in the unit of work and in
        # fetching back ids nobody reads (bench/access_log.py).
        self.db.info.setdefault(PENDING, []).append({
            "organization_id": user.organization.id, "at": utcnow(), "staff_user_id": user.id,
            "staff_name": str(user.full_name)[:200], "subject_id": subject_id, "category": category.value, "action": "view",
            "page": self.page.split("?", 1)[0][:300], "source": self.source[:80],
        })

    @property
    def logged(self) -> frozenset[tuple[int, str]]:
        """``(person, category)`` pairs shown so far in this response."""
        return frozenset(self._logged)


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    """Write the entries the gate collected, in the transaction being committed: whichever
    commit comes first (the request's, or a handler's own) carries them, so no value shown
    is committed without its entry."""
    rows = session.info.pop(PENDING, None)
    if rows:
        session.execute(insert(AccessLogEntry.__table__), rows)


def category_of(model: type, column: str) -> Category:
    """The category a model's column declares (for logging a change of it)."""
    classification = classification_of(model.__table__.c[column])  # type: ignore[attr-defined]
    if classification is None:
        raise ValueError(f"{model.__name__}.{column} declares no personal data")
    return classification.category


__all__ = ["Disclosure", "PENDING", "Revealed", "SecondFactorNeeded", "category_of"]
