"""A staff member's own API tokens: list, create (shown once), revoke."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import MAX_ID, utcnow
from core.forms import Field, validate
from core.models import ApiToken, StaffUser
from core.services.auth import create_api_token, token_hash

TOKEN_FIELDS = [Field("name", required=True, max_length=120)]


def live_tokens(db: Session, user_id: int, organization_id: int) -> list[ApiToken]:
    """The user's unrevoked tokens for this organization, oldest first."""
    return list(
        db.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.organization_id == organization_id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.id)
        )
    )


def new_token(db: Session, user: StaffUser, organization_id: int, data: dict[str, Any]) -> tuple[ApiToken, str]:
    """Create a token; the secret is returned once and only its hash is kept."""
    clean = validate(TOKEN_FIELDS, data)
    secret = create_api_token(db, user, organization_id, clean["name"])
    row = db.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash(secret))).one()
    return row, secret


def own_token(db: Session, user_id: int, organization_id: int, token_id: int) -> ApiToken | None:
    """One of the user's own tokens in this organization, else None (someone else's is none)."""
    if not 1 <= token_id <= MAX_ID:
        return None
    return db.scalars(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id, ApiToken.organization_id == organization_id)
    ).first()


def revoke(db: Session, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.commit()
    return token


def token_json(t: ApiToken) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "created_at": t.created_at.isoformat(),
        "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
        "revoked": t.revoked_at is not None,
    }
