"""team suggestion reasons about one person become rows of that person

The day's team note held the reasons of the suggestion with people's names and limits in
one JSON value that no person's erasure could reach. Reasons about one person now live in
``dagsverk_lottery_team_reason`` with a participant_id (deleted when that person is
erased) and name no one; the note keeps only the day's reasons. Reasons already stored
name people by a display name, which cannot be told back to a participant with
certainty, so they are removed from the old notes rather than kept where erasure cannot
reach them; the day's reasons (leaders, unstaffed orders, counts, the solver) stay.

Revision ID: dv_0003
Revises: dv_0002
Create Date: 2026-12-03
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "dv_0003"
down_revision = "dv_0002"
branch_labels = None
depends_on = None

PERSON_KEYS = ("limits", "not_with", "variety", "unplaced")


def upgrade() -> None:
    op.create_table(
        "dagsverk_lottery_team_reason",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("day_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], name=op.f("fk_dagsverk_lottery_team_reason_organization_id_organization"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["day_id"], ["program_day.id"], name=op.f("fk_dagsverk_lottery_team_reason_day_id_program_day"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], name=op.f("fk_dagsverk_lottery_team_reason_participant_id_participant"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dagsverk_lottery_team_reason")),
    )
    op.create_index(op.f("ix_dagsverk_lottery_team_reason_organization_id"), "dagsverk_lottery_team_reason", ["organization_id"])
    op.create_index(op.f("ix_dagsverk_lottery_team_reason_day_id"), "dagsverk_lottery_team_reason", ["day_id"])
    op.create_index(op.f("ix_dagsverk_lottery_team_reason_participant_id"), "dagsverk_lottery_team_reason", ["participant_id"])
    bind = op.get_bind()
    note = sa.table("dagsverk_lottery_team_note", sa.column("id", sa.Integer), sa.column("explanation", sa.JSON))
    for row in bind.execute(sa.select(note.c.id, note.c.explanation)).all():
        explanation = row.explanation
        if isinstance(explanation, str):
            explanation = json.loads(explanation)
        if not isinstance(explanation, dict):
            continue
        notes = [n for n in explanation.get("notes", []) if not (isinstance(n, list) and n and n[0] in PERSON_KEYS)]
        if notes != explanation.get("notes", []):
            bind.execute(sa.update(note).where(note.c.id == row.id).values(explanation={**explanation, "notes": notes}))


def downgrade() -> None:
    op.drop_table("dagsverk_lottery_team_reason")
