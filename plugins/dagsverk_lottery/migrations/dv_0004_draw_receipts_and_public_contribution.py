"""a draw no single party can steer (dagsverk-lottery/2): receipt codes and a public contribution

Each check-in gets a receipt code (unique on the day), which a version 2 draw makes the
tickets from and keeps on its entrant rows (the transcript names no person). A draw keeps
the beacon round it named at sealing, the numbers typed in the room at the draw, and the
beacon's value (or why there is none). Draws of version 1 keep NULL and empty values and
verify as before.

Revision ID: dv_0004_draw
Revises: dv_0003
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "dv_0004_draw"
down_revision = "dv_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("dagsverk_lottery_checkin", sa.Column("receipt_code", sa.String(length=8), nullable=True))
    op.create_index("uq_dagsverk_lottery_checkin_day_receipt", "dagsverk_lottery_checkin", ["day_id", "receipt_code"], unique=True)
    op.add_column("dagsverk_lottery_draw_entrant", sa.Column("receipt_code", sa.String(length=8), nullable=True))
    op.add_column("dagsverk_lottery_draw", sa.Column("beacon_round", sa.Integer(), nullable=True))
    op.add_column("dagsverk_lottery_draw", sa.Column("contribution", sa.String(length=60), nullable=False, server_default=""))
    op.add_column("dagsverk_lottery_draw", sa.Column("beacon_value", sa.String(length=64), nullable=True))
    op.add_column("dagsverk_lottery_draw", sa.Column("beacon_note", sa.String(length=20), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("dagsverk_lottery_draw") as batch:
        batch.drop_column("beacon_note")
        batch.drop_column("beacon_value")
        batch.drop_column("contribution")
        batch.drop_column("beacon_round")
    with op.batch_alter_table("dagsverk_lottery_draw_entrant") as batch:
        batch.drop_column("receipt_code")
    op.drop_index("uq_dagsverk_lottery_checkin_day_receipt", table_name="dagsverk_lottery_checkin")
    with op.batch_alter_table("dagsverk_lottery_checkin") as batch:
        batch.drop_column("receipt_code")
