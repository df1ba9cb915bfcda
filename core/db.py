"""Database engine, the declarative base, and organization scoping by construction.

Every model that belongs to an organization inherits :class:`OrgScoped`. A session
opened for a request carries ``session.info["organization_id"]``, and a
``do_orm_execute`` listener adds ``organization_id = :org`` to every ORM SELECT of
such a model, including relationship loads. A handler cannot forget the filter,
because there is no filter to remember.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from sqlalchemy import ForeignKey, MetaData, bindparam, create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, declared_attr, mapped_column, sessionmaker, with_loader_criteria

# Stable constraint names, so migrations generated on SQLite and PostgreSQL agree.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OrgScoped:
    """Mixin for rows that belong to exactly one organization."""

    @declared_attr
    def organization_id(cls) -> Mapped[int]:  # noqa: N805 - declared_attr takes the class
        return mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def as_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored moment (kept naive, in UTC) as the API gives moments: with its offset, so
    it is RFC 3339 (``...Z``) and no client takes it for local time."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.timezone.utc)


def make_engine(url: str, echo: bool = False) -> Engine:
    # hide_parameters: a database error's message would otherwise carry the statement's
    # values (a note's text, a name) into the error log.
    kwargs: dict[str, Any] = {"echo": echo, "future": True, "hide_parameters": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets the server read while a write is under way; foreign keys are off
            # by default in SQLite and we rely on them. secure_delete zeroes deleted and
            # replaced content in the file, so an erased person's values are not left in
            # free space for a copy of the file to carry (core.services.storage).
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA secure_delete=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, future=True)


# The criterion names a bound parameter instead of closing over the organization's id: a
# lambda with a closure is re-run on every statement to pick the id out (~0.2 ms each, ten
# per cent of a page); this one is built once, and every statement gets the id as a value.
_ORG_PARAM = "lavterskel_organization_id"
_ORG_VALUE = bindparam(_ORG_PARAM)
_ORG_CRITERIA = with_loader_criteria(
    OrgScoped, lambda cls: cls.organization_id == _ORG_VALUE, include_aliases=True, track_closure_variables=False
)


@event.listens_for(Session, "do_orm_execute")
def _scope_to_organization(state: Any) -> None:
    org_id = state.session.info.get("organization_id")
    if org_id is None or not state.is_select or state.execution_options.get("unscoped", False):
        return
    state.statement = state.statement.options(_ORG_CRITERIA)
    state.parameters = {**(state.parameters or {}), _ORG_PARAM: org_id}


T = TypeVar("T")


def scoped_session(factory: sessionmaker[Session], organization_id: int | None) -> Session:
    session = factory()
    session.info["organization_id"] = organization_id
    return session


MAX_ID = 2**31 - 1
"""Ids are INTEGER columns: anything outside 1..MAX_ID names no row (and a larger number
would overflow the database driver, which must not become a 500)."""


def get_scoped(db: Session, model: type[T], obj_id: int) -> T | None:
    """One row by id, or None when it does not exist in the session's organization."""
    if isinstance(obj_id, bool) or not isinstance(obj_id, int) or not 1 <= obj_id <= MAX_ID:
        return None
    return db.scalars(select(model).where(model.id == obj_id)).first()  # type: ignore[attr-defined]
