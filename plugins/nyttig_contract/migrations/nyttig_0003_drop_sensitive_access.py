"""drop the plugin's own access log: every look at its special-category values is in the core's log

Every row it held was also written to the core's append-only ``access_log_entry`` (the
plugin wrote both), so dropping it loses no history. Showing a value now goes through
core.services.disclosure, which writes the core's log only.

Revision ID: nyttig_0003
Revises: nyttig_0002
Create Date: 2026-12-03
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "nyttig_0003"
down_revision: str | None = "nyttig_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("nyttig_contract_sensitive_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nyttig_contract_sensitive_access_participant_id"))
        batch_op.drop_index(batch_op.f("ix_nyttig_contract_sensitive_access_organization_id"))
    op.drop_table("nyttig_contract_sensitive_access")


def downgrade() -> None:
    op.create_table(
        "nyttig_contract_sensitive_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("record", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"],
                                name=op.f("fk_nyttig_contract_sensitive_access_organization_id_organization"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"],
                                name=op.f("fk_nyttig_contract_sensitive_access_participant_id_participant"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], name=op.f("fk_nyttig_contract_sensitive_access_user_id_staff_user"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nyttig_contract_sensitive_access")),
    )
    with op.batch_alter_table("nyttig_contract_sensitive_access", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nyttig_contract_sensitive_access_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_nyttig_contract_sensitive_access_participant_id"), ["participant_id"], unique=False)
