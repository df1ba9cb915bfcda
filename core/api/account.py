"""The signed-in staff member's own account as JSON: language, API tokens, sessions."""
from __future__ import annotations

from typing import Any

from litestar import Controller, Request
from litestar.exceptions import NotFoundException
from sqlalchemy.orm import Session

from core.api.input import strict
from core.forms import Field
from core.i18n import LOCALES
from core.models import StaffUser
from core.services import auth as auth_service
from core.services import tokens as token_service
from core.web.context import current_user
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
        """Create a token: ``{"name": ...}``. The secret is in this answer and never again."""
        me = current_user(request)
        strict(token_service.TOKEN_FIELDS, data)
        row, secret = token_service.new_token(db, db.get(StaffUser, me.id), me.organization.id, data)  # type: ignore[arg-type]
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
        """End every browser session of one's account (API tokens stay; revoke them one by one)."""
        return {"ended_sessions": auth_service.end_all_sessions(db, current_user(request).id)}
