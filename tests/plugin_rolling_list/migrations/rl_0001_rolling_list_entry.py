"""rolling list entries

Revision ID: rl_0001
Revises:
Create Date: 2026-11-23
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "rl_0001"
down_revision = None
branch_labels = ("rolling_list",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table(
        "rolling_list_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("added_on", sa.Date(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], name=op.f("fk_rolling_list_entry_organization_id_organization"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], name=op.f("fk_rolling_list_entry_participant_id_participant"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rolling_list_entry")),
    )
    with op.batch_alter_table("rolling_list_entry") as batch_op:
        batch_op.create_index(batch_op.f("ix_rolling_list_entry_organization_id"), ["organization_id"], unique=False)


def downgrade() -> None:
    op.drop_table("rolling_list_entry")
