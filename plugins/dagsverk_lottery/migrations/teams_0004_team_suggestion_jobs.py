"""the day's team suggestion runs as a job in a worker process

A CP-SAT solve held a web process for up to 5 s at the national 09:00 peak. The suggest
action now stores a job row and answers at once; a worker process of its own solves and
writes the teams, and the page and API read the job's state from this table (so any of
the server's processes can answer a poll).

Revision ID: teams_0004
Revises: dv_0004_draw
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "teams_0004"
down_revision = "dv_0004_draw"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dagsverk_lottery_team_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("day_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("leader_ids", sa.JSON(), nullable=True),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("error", sa.String(length=40), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], name=op.f("fk_dagsverk_lottery_team_job_organization_id_organization"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["day_id"], ["program_day.id"], name=op.f("fk_dagsverk_lottery_team_job_day_id_program_day"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["requested_by_id"], ["staff_user.id"], name=op.f("fk_dagsverk_lottery_team_job_requested_by_id_staff_user"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dagsverk_lottery_team_job")),
        sa.UniqueConstraint("day_id", name=op.f("uq_dagsverk_lottery_team_job_day_id")),
    )
    op.create_index(op.f("ix_dagsverk_lottery_team_job_organization_id"), "dagsverk_lottery_team_job", ["organization_id"])


def downgrade() -> None:
    op.drop_table("dagsverk_lottery_team_job")
