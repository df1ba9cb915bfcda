"""A staff member's own API tokens: list, create (shown once), revoke.

A token has a name, a lifetime (at most ``LAVTERSKEL_API_TOKEN_DAYS``) and scopes
(``core.services.auth.TOKEN_SCOPES``). A token made with another token gets no scope and no
time the maker does not have, so a token can never mint a stronger one.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import SecuritySettings
from core.db import MAX_ID, utcnow
from core.forms import Field, FormError, validate
from core.i18n import gettext as _
from core.models import ApiToken, StaffUser
from core.services.auth import TOKEN_SCOPES, create_api_token, token_hash

DEFAULT_SCOPES = ("read",)
"""What a token may do when its maker names no scopes: look, not change."""


def token_fields(security: SecuritySettings) -> list[Field]:
    return [
        Field("name", required=True, max_length=120),
        Field("expires_in_days", kind="int", min_value=1, max_value=security.token_days, default=security.token_days),
    ]



def clean_scopes(raw: Any, allowed: frozenset[str] | None) -> tuple[str, ...]:
    """The scopes asked for, or a translated error. ``allowed`` is the making token's
    scopes (None in a browser session, which may give any)."""
    if raw is None:
        raw = list(DEFAULT_SCOPES)
    if isinstance(raw, str):  # one ticked checkbox
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise FormError({"scopes": _("Must be a list of: %(names)s", names=", ".join(TOKEN_SCOPES))})
    scopes = set(raw)
    if not scopes:
        raise FormError({"scopes": _("Choose at least one scope.")})
    if scopes - set(TOKEN_SCOPES):
        raise FormError({"scopes": _("Must be a list of: %(names)s", names=", ".join(TOKEN_SCOPES))})
    if allowed is not None and scopes - allowed:
        raise FormError({"scopes": _("A token cannot give a scope it does not have itself.")})
    return tuple(s for s in TOKEN_SCOPES if s in scopes)


def live_tokens(db: Session, user_id: int, organization_id: int) -> list[ApiToken]:
    """The user's unrevoked, unexpired tokens for this organization, oldest first."""
    return list(
        db.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.organization_id == organization_id, ApiToken.revoked_at.is_(None),
                   ApiToken.expires_at > utcnow())
            .order_by(ApiToken.id)
        )
    )


def new_token(
    db: Session, security: SecuritySettings, user: StaffUser, organization_id: int, data: dict[str, Any], *,
    second_factor: bool, maker_scopes: frozenset[str] | None = None, maker_expires_at: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token; the secret is returned once and only its hash is kept.

    ``second_factor``: the session (or token) it is made in has given the second factor.
    ``maker_scopes`` and ``maker_expires_at``: those of the token it is made with, if any.
    """
    clean = validate(token_fields(security), {k: v for k, v in data.items() if k != "scopes"})
    scopes = clean_scopes(data.get("scopes"), maker_scopes)
    lifetime = dt.timedelta(days=clean["expires_in_days"])
    if maker_expires_at is not None:
        lifetime = min(lifetime, maker_expires_at - utcnow())
    secret = create_api_token(
        db, user, organization_id, clean["name"], scopes=scopes, lifetime=lifetime, second_factor=second_factor
    )
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

