"""The signed-in staff member's own account as JSON: language, API tokens, sessions."""
from __future__ import annotations

from typing import Any

from litestar import Controller, Request
from litestar.exceptions import NotFoundException
from sqlalchemy.orm import Session

from core.api.input import refuse_unknown, strict
from core.forms import Field
from core.i18n import LOCALES
from core.models import StaffUser
from core.services import auth as auth_service
from core.services import tokens as token_service
from core.web.context import app_context, current_user
from core.web.handlers import api_delete, api_get, api_patch, api_post

ACCOUNT = {"permission": "account.use"}


class AccountApi(Controller):
    path = "/me"
    tags = ["account"]

    @api_patch("/", opt=ACCOUNT, name="api.me.update")
    def update_me(self, request: Request[Any, Any, Any], db: Session, data: dict[str, Any]) -> dict[str, Any]:
        """Set one's language: ``{"locale": "nb"}`` or ``"en"`` (the page's language switch)."""
        clean = strict([Field("locale", kind="choice", choices=tuple(LOCALES), required=True)], data)
        user = db.get(StaffUser, current_user(request).id)
        user.locale = clean["locale"]  # type: ignore[union-attr]
        db.commit()
        return {"locale": clean["locale"]}

    @api_get("/tokens", opt=ACCOUNT, name="api.me.tokens")
    def list_tokens(self, request: Request[Any, Any, Any], db: Session) -> dict[str, Any]:
        """One's own live API tokens (never their secrets)."""
        me = current_user(request)
        return {"items": [token_service.token_json(t) for t in token_service.live_tokens(db, me.id, me.organization.id)]}

    @api_post("/tokens", opt=ACCOUNT, name="api.me.tokens.create", status_code=201)
    def create_token(self, request: Request[Any, Any, Any], db: Session, data: dict[str, Any]) -> dict[str, Any]:
        """Create a token: ``{"name": ..., "expires_in_days": 1..LAVTERSKEL_API_TOKEN_DAYS,
        "scopes": ["read", "write", "sensitive"]}`` (default: the longest time, ``["read"]``).
        A token made with a token gets no scope or time beyond the maker's. The secret is in
        this answer and never again."""
        me = current_user(request)
        body = dict(refuse_unknown(data, token_service.TOKEN_FIELD_NAMES))
        row, secret = token_service.new_token(
            db, app_context(request).settings.security, db.get(StaffUser, me.id), me.organization.id, body,  # type: ignore[arg-type]
            second_factor=request.scope.get("state", {}).get("second_factor") == "verified",
            maker_scopes=me.token_scopes, maker_expires_at=me.token_expires_at,
        )
        return {**token_service.token_json(row), "token": secret}

    @api_delete("/tokens/{token_id:int}", opt=ACCOUNT, name="api.me.tokens.revoke", status_code=200)
    def revoke_token(self, request: Request[Any, Any, Any], db: Session, token_id: int) -> dict[str, Any]:
        """Revoke one of one's own tokens; another person's token is not found."""
        me = current_user(request)
        row = token_service.own_token(db, me.id, me.organization.id, token_id)
        if row is None:
            raise NotFoundException()
        return token_service.token_json(token_service.revoke(db, row))

    @api_post("/logout-everywhere", opt=ACCOUNT, name="api.me.logout_everywhere", status_code=200)
    def logout_everywhere(self, request: Request[Any, Any, Any], db: Session) -> dict[str, Any]:
        """End every browser session and revoke every API token of one's account, the
        token this request came with included."""
        sessions, tokens = auth_service.sign_out_everywhere(db, current_user(request).id)
        return {"ended_sessions": sessions, "revoked_tokens": tokens}
