"""work orders: terrain flags and recurrence as a rule

A work order gets ``steep`` and ``ladders`` beside ``indoor`` and ``heavy``, so every
work order form (a new one too) can say so, and a structured recurrence: weekdays
(``repeat_weekdays``, ISO numbers 1 Monday .. 7 Sunday), ``repeat_every_weeks`` and
``repeat_until``. The free text ``recurrence`` ("every Monday and Thursday") could not be
used to offer an order only on its days; what can be read of it is moved into the rule
here, once: weekday names in English or Bokmål, "every other week" / "annenhver uke",
"every 3 weeks" / "hver 3. uke". A text read whole is cleared; a text with anything else
in it ("every Monday, not in July") is kept as the rule's note, and a text with no
weekday in it is left as it was.

Revision ID: orders_0001
Revises: door_0007
Create Date: 2026-12-03
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "orders_0001"
down_revision: str | None = "door_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out here, not imported: a migration reads the text as it was when it ran.
_DAYS = {
    1: ("monday", "mandag"), 2: ("tuesday", "tirsdag"), 3: ("wednesday", "onsdag"), 4: ("thursday", "torsdag"),
    5: ("friday", "fredag"), 6: ("saturday", "lørdag"), 7: ("sunday", "søndag"),
}
_DAY = re.compile(r"\b(" + "|".join(n for names in _DAYS.values() for n in names) + r")(s|er|ene)?\b", re.IGNORECASE)
_OTHER_WEEK = re.compile(r"\b(every other(?: week)?|every second(?: week)?|annenhver(?: uke)?|hver annen uke|hver andre uke)\b", re.IGNORECASE)
_N_WEEKS = re.compile(r"\b(?:every|hver)\s+(\d{1,2})\.?\s*(?:weeks?|uke)\b", re.IGNORECASE)
_FILLER = re.compile(r"\b(every|each|on|and|hver|og|på|week|weekly|uke|ukentlig)\b|[,.&/+]|\s", re.IGNORECASE)


def read_rule(text: str) -> tuple[list[int], int, str] | None:
    """``(weekdays, every n weeks, note left)`` read from a free-text recurrence, or
    ``None`` when it names no weekday."""
    days = sorted({n for m in _DAY.finditer(text) for n, names in _DAYS.items() if m.group(1).lower() in names})
    if not days:
        return None
    every = 1
    rest = text
    if (m := _N_WEEKS.search(rest)) is not None and 1 <= int(m.group(1)) <= 52:
        every = int(m.group(1))
        rest = rest[:m.start()] + " " + rest[m.end():]
    elif (m := _OTHER_WEEK.search(rest)) is not None:
        every = 2
        rest = rest[:m.start()] + " " + rest[m.end():]
    rest = _DAY.sub(" ", rest)
    note = "" if not _FILLER.sub("", rest) else " ".join(text.split())
    return days, every, note


def upgrade() -> None:
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("steep", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("ladders", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("repeat_weekdays", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("repeat_every_weeks", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("repeat_until", sa.Date(), nullable=True))
    order = sa.table(
        "work_order", sa.column("id", sa.Integer), sa.column("kind", sa.String), sa.column("recurrence", sa.String),
        sa.column("repeat_weekdays", sa.JSON), sa.column("repeat_every_weeks", sa.Integer),
    )
    conn = op.get_bind()
    for order_id, text in conn.execute(sa.select(order.c.id, order.c.recurrence).where(order.c.recurrence != "")).all():
        rule = read_rule(text or "")
        if rule is None:
            continue
        days, every, note = rule
        conn.execute(order.update().where(order.c.id == order_id).values(
            kind="recurring", repeat_weekdays=days, repeat_every_weeks=every, recurrence=note))
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        # The defaults served the rows already there; new rows get the model's.
        for name in ("steep", "ladders", "repeat_weekdays", "repeat_every_weeks"):
            batch_op.alter_column(name, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        for name in ("repeat_until", "repeat_every_weeks", "repeat_weekdays", "ladders", "steep"):
            batch_op.drop_column(name)
