"""timesheets by organization and date: reports and pay find one organization's sheets in a period

Revision ID: nyttig_0002
Revises: nyttig_0001
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "nyttig_0002"
down_revision: str | None = "nyttig_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_nyttig_contract_timesheet_organization_id_date", "nyttig_contract_timesheet", ["organization_id", "date"])


def downgrade() -> None:
    op.drop_index("ix_nyttig_contract_timesheet_organization_id_date", table_name="nyttig_contract_timesheet")
