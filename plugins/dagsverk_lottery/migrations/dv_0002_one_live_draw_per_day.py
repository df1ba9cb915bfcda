"""one live draw per day: a partial unique index over draws that are not voided

Revision ID: dv_0002
Revises: dv_0001
Create Date: 2026-11-23
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "dv_0002"
down_revision = "dv_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "uq_dagsverk_lottery_draw_live_day", "dagsverk_lottery_draw", ["day_id"], unique=True,
        sqlite_where=sa.text("status != 'voided'"), postgresql_where=sa.text("status != 'voided'"),
    )


def downgrade() -> None:
    op.drop_index("uq_dagsverk_lottery_draw_live_day", table_name="dagsverk_lottery_draw")
