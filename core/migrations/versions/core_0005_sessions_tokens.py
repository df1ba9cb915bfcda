"""sessions and tokens: API tokens with expiry, scopes and a second-factor mark; login
throttling per client and username; TOTP secrets encrypted at rest

Existing tokens keep the reach they had (every scope) and get the default lifetime from
now; none counts as two-factor, since nobody knows whether it was made after the code.
Existing TOTP secrets are encrypted with the key outside the database
(``LAVTERSKEL_ENCRYPTION_KEY`` or ``<data>/encryption_key``), so run the upgrade with the
same settings as the servers.

Revision ID: core_0005
Revises: core_0004
Create Date: 2026-12-03
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "core_0005"
down_revision: str | None = "core_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DEFAULT_DAYS = 90


def upgrade() -> None:
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("scopes", sa.String(length=60), nullable=False, server_default="read write sensitive"))
        batch.add_column(sa.Column("second_factor", sa.Boolean(), nullable=False, server_default=sa.false()))
    expires = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) + dt.timedelta(days=_DEFAULT_DAYS)
    op.get_bind().execute(sa.text("UPDATE api_token SET expires_at = :t"), {"t": expires})
    with op.batch_alter_table("api_token") as batch:
        batch.alter_column("expires_at", existing_type=sa.DateTime(), nullable=False)

    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    op.create_index(op.f("ix_login_throttle_last_failure_at"), "login_throttle", ["last_failure_at"])

    with op.batch_alter_table("staff_totp") as batch:
        batch.alter_column("secret", existing_type=sa.String(length=64), type_=sa.String(length=255))
    _encrypt_totp_secrets()


def _encrypt_totp_secrets() -> None:
    from core.config import load_settings
    from core.crypto import decrypt, encrypt

    key = load_settings().security.encryption_key
    bind = op.get_bind()
    for user_id, secret in bind.execute(sa.text("SELECT user_id, secret FROM staff_totp")).all():
        if decrypt(key, secret) is None:  # still plain text (running twice changes nothing)
            bind.execute(
                sa.text("UPDATE staff_totp SET secret = :s WHERE user_id = :u"), {"s": encrypt(key, secret), "u": user_id}
            )


def downgrade() -> None:
    from core.config import load_settings
    from core.crypto import decrypt

    key = load_settings().security.encryption_key
    bind = op.get_bind()
    for user_id, secret in bind.execute(sa.text("SELECT user_id, secret FROM staff_totp")).all():
        plain = decrypt(key, secret)
        if plain is not None:
            bind.execute(sa.text("UPDATE staff_totp SET secret = :s WHERE user_id = :u"), {"s": plain, "u": user_id})
    with op.batch_alter_table("staff_totp") as batch:
        batch.alter_column("secret", existing_type=sa.String(length=255), type_=sa.String(length=64))
    op.drop_index(op.f("ix_login_throttle_last_failure_at"), table_name="login_throttle")
    op.drop_table("login_throttle")
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("second_factor")
        batch.drop_column("scopes")
        batch.drop_column("expires_at")
