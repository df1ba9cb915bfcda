"""access log: pages without ids

Entries used to keep the request path (``/participants/12/export``), so an erased
person's id stayed in the log after erasure cleared ``subject_id``. The application now
records the route's template (``/participants/{obj_id}/export``), and
``log_sensitive_access`` replaces any number segment of a path it is given by ``{id}``,
so no new entry can hold one. This revision rewrites the page of every existing entry the
same way, once, with the append-only guard lifted for the length of the migration only.
The guard itself is unchanged: ``page`` stays frozen, and clearing ``subject_id`` remains
the one update it allows.

Revision ID: core_0006
Revises: core_0005
Create Date: 2026-12-03
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "core_0006"
down_revision: str | None = "core_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FROZEN = ("id", "organization_id", "at", "staff_user_id", "staff_name", "category", "action", "page", "source")
# As in core_0002_privacy: the guard refuses every UPDATE but clearing subject_id alone.
_SQLITE_NO_UPDATE = """CREATE TRIGGER access_log_entry_no_update BEFORE UPDATE ON access_log_entry
    WHEN NOT (NEW.subject_id IS NULL AND {same})
    BEGIN SELECT RAISE(ABORT, 'access_log_entry is append-only'); END""".format(
    same=" AND ".join(f"NEW.{c} IS OLD.{c}" for c in _FROZEN)
)


def page_without_ids(page: str) -> str:
    """As ``core.services.privacy.page_without_ids`` did when this revision was written (a
    migration must not change meaning when the application's code does)."""
    path = page.split("?", 1)[0].split("#", 1)[0]
    return "/".join("{id}" if part.isdigit() else part for part in path.split("/"))


def _rewrite_pages(bind) -> None:  # type: ignore[no-untyped-def]
    for entry_id, page in bind.execute(text("SELECT id, page FROM access_log_entry")).all():
        clean = page_without_ids(page or "")[:300]
        if clean != page:
            bind.execute(text("UPDATE access_log_entry SET page = :p WHERE id = :i"), {"p": clean, "i": entry_id})


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS access_log_entry_no_update")
        _rewrite_pages(bind)
        op.execute(_SQLITE_NO_UPDATE)
    elif bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE access_log_entry DISABLE TRIGGER access_log_entry_append_only")
        _rewrite_pages(bind)
        op.execute("ALTER TABLE access_log_entry ENABLE TRIGGER access_log_entry_append_only")
    else:
        _rewrite_pages(bind)


def downgrade() -> None:
    """The ids the pages held are gone for good: nothing to undo."""
