"""participant: a search key for names

SQLite's ``lower()`` and ``LIKE`` fold ASCII letters only, so a search for "øyv" never found
"Øyvind". The names are now folded once, in Python, when they are written
(``core.names.search_key``), into ``participant.search_key``; the door's search and the
participants list compare what staff type with it. This revision adds the column and fills
it for every existing person, erased people (first name ``#<id>``) excepted: they stay
unfindable by name.

Revision ID: door_0007
Revises: core_0006
Create Date: 2026-12-03
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "door_0007"
down_revision: str | None = "core_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As core.names folded names when this revision was written (a migration must not change
# meaning when the application's code does).
_LETTERS = {"æ": "ae", "ø": "o", "å": "a", "œ": "oe", "ð": "d", "þ": "th", "ł": "l", "đ": "d", "ı": "i"}
_WORD = re.compile(r"[^\W_]+")
_DOUBLE = re.compile(r"(.)\1+")


def _ascii(word: str) -> str:
    folded = "".join(_LETTERS.get(ch, ch) for ch in word)
    return "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))


def search_key(*names: str | None) -> str:
    seen: dict[str, None] = {}
    for name in names:
        for w in _WORD.findall(unicodedata.normalize("NFKC", name or "").casefold()):
            a = _ascii(w)
            seen.setdefault(a, None)
            seen.setdefault(_DOUBLE.sub(r"\1", a), None)
    return (" " + " ".join(seen) + " ")[:1000] if seen else ""


def upgrade() -> None:
    with op.batch_alter_table("participant") as batch:
        batch.add_column(sa.Column("search_key", sa.String(length=1000), nullable=False, server_default=""))
    conn = op.get_bind()
    erased = {pid for (pid,) in conn.execute(sa.text("SELECT participant_id FROM participant_erasure"))}
    rows = conn.execute(sa.text("SELECT id, first_name, last_name, nickname FROM participant")).all()
    updates = [{"id": pid, "key": search_key(first, last, nick)} for pid, first, last, nick in rows if pid not in erased]
    for i in range(0, len(updates), 5000):
        conn.execute(sa.text("UPDATE participant SET search_key = :key WHERE id = :id"), updates[i:i + 5000])
    op.create_index("ix_participant_org_search_key", "participant", ["organization_id", "search_key"])


def downgrade() -> None:
    op.drop_index("ix_participant_org_search_key", table_name="participant")
    with op.batch_alter_table("participant") as batch:
        batch.drop_column("search_key")
