"""a pay run's total as a 64-bit integer: a year for 500 people is more øre than 32 bits hold

A year's run for 500 people came to 3,215,222,500 øre (32 million kroner) in
bench/payroll.py; PostgreSQL's integer stops at 2,147,483,647 and refused to store it.
SQLite's integers were 64-bit already; batch mode copies its table with the new type.

Revision ID: pr_0002
Revises: pr_0001
Create Date: 2026-12-02
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "pr_0002"
down_revision: str | None = "pr_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payroll_rules_pay_run") as batch:
        batch.alter_column("total_ore", existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("payroll_rules_pay_run") as batch:
        batch.alter_column("total_ore", existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False)
