"""program days by organization and date: reports and day lists find one organization's days in a period

Revision ID: core_0003
Revises: core_0002_privacy
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "core_0003"
down_revision: str | None = "core_0002_privacy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_program_day_organization_id_date", "program_day", ["organization_id", "date"])


def downgrade() -> None:
    op.drop_index("ix_program_day_organization_id_date", table_name="program_day")
