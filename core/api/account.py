"""The signed-in staff member's own account as JSON: language, API tokens, sessions; and
the token endpoint an integrator signs in with. The same actions as ``/account``
(core.services.account)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Operation
from litestar.params import Parameter
from msgspec import Meta
from sqlalchemy.orm import Session

from core.actions import api_doc
from core.db import as_utc, scoped_session
from core.models import ApiToken
from core.services import account
from core.services import tokens as token_service
from core.services.account import CreateToken, Scope, SetLanguage
from core.services.sign_in import SignIn, token_by_sign_in
from core.web.client import client_address
from core.web.context import app_context
from core.web.handlers import api_delete, api_get, api_patch, api_post, caller_of


class TokenOut(msgspec.Struct, kw_only=True):
    """An API token, without its secret."""

    id: Annotated[int, Meta(description="The token's id (to revoke it).", examples=[3])]
    name: Annotated[str, Meta(description="What the token is for, as named when it was made.")]
    scopes: Annotated[list[Scope], Meta(description="What the token may do: read, write, sensitive.")]
    created_at: Annotated[dt.datetime, Meta(description="When it was made.")]
    last_used_at: Annotated[dt.datetime | None, Meta(description="When it was last used (to the minute); null if never.")]
    expires_at: Annotated[dt.datetime, Meta(description="When it stops working.")]
    made_with_second_factor: Annotated[bool, Meta(description=(
        "Whether it was made with a second factor (a session that gave the code, a token made so, or a sign-in with "
        "the code): only such a token reaches special-category data where the organization requires two-factor."))]
    revoked_at: Annotated[dt.datetime | None, Meta(description="When it was revoked; null while it works.")]


class TokenCreated(TokenOut, kw_only=True):
    """A new token, with its secret: shown here once and never again."""

    token: Annotated[str, Meta(description="The secret: send it as `Authorization: Bearer <token>`. Only its hash is kept.",
                               examples=["lvt_…"])]


class TokenList(msgspec.Struct, kw_only=True):
    items: Annotated[list[TokenOut], Meta(description="One's own live tokens in this organization, oldest first.")]


class LanguageOut(msgspec.Struct, kw_only=True):
    locale: Annotated[str, Meta(description="The language now set: nb or en.", examples=["nb"])]


class SignedOut(msgspec.Struct, kw_only=True):
    ended_sessions: Annotated[int, Meta(description="How many browser sessions were ended.")]
    revoked_tokens: Annotated[int, Meta(description="How many API tokens were revoked, the one used for this request included.")]


def token_out(t: ApiToken) -> TokenOut:
    return TokenOut(
        id=t.id, name=t.name, scopes=t.scopes.split(), created_at=as_utc(t.created_at),  # type: ignore[arg-type]
        last_used_at=as_utc(t.last_used_at), expires_at=as_utc(t.expires_at),
        made_with_second_factor=t.second_factor, revoked_at=as_utc(t.revoked_at),
    )


def token_created(t: ApiToken, secret: str) -> TokenCreated:
    return TokenCreated(**msgspec.structs.asdict(token_out(t)), token=secret)


TokenIdParam = Annotated[int, Parameter(description="The token's id, as listed by GET /api/v1/me/tokens.")]


class AccountApi(Controller):
    path = "/me"
    tags = ["account"]

    @api_patch("/", **api_doc(account.set_language), name="api.me.update")
    def update_me(self, request: Request[Any, Any, Any], db: Session, data: SetLanguage) -> LanguageOut:
        return LanguageOut(locale=account.set_language.run(caller_of(request, db), data))

    @api_get("/tokens", opt={"permission": "account.use"}, name="api.me.tokens", summary="List one's API tokens",
             description="One's own live (unrevoked, unexpired) API tokens in this organization, never their secrets.")
    def list_tokens(self, request: Request[Any, Any, Any], db: Session) -> TokenList:
        me = caller_of(request, db).user
        return TokenList(items=[token_out(t) for t in token_service.live_tokens(db, me.id, me.organization.id)])

    @api_post("/tokens", **api_doc(account.create_token), name="api.me.tokens.create", status_code=201)
    def create_token(self, request: Request[Any, Any, Any], db: Session, data: CreateToken) -> TokenCreated:
        row, secret = account.create_token.run(caller_of(request, db), data)
        return token_created(row, secret)

    @api_delete("/tokens/{token_id:int}", **api_doc(account.revoke_token), name="api.me.tokens.revoke", status_code=200)
    def revoke_token(self, request: Request[Any, Any, Any], db: Session, token_id: TokenIdParam) -> TokenOut:
        return token_out(account.revoke_token.run(caller_of(request, db), token_id))

    @api_post("/logout-everywhere", **api_doc(account.sign_out_everywhere), name="api.me.logout_everywhere", status_code=200)
    def logout_everywhere(self, request: Request[Any, Any, Any], db: Session) -> SignedOut:
        sessions, tokens = account.sign_out_everywhere.run(caller_of(request, db))
        return SignedOut(ended_sessions=sessions, revoked_tokens=tokens)


@dataclass
class PublicOperation(Operation):
    """An operation that needs no token. ``security: []`` overrides the API's default (the
    bearer scheme) in the schema; Litestar leaves an empty list out, hence this class."""

    def __post_init__(self) -> None:
        if not self.security:
            self.security = []


class SignInRefused(msgspec.Struct, kw_only=True):
    """Why no token was given, in the one error shape of the API."""

    status_code: Annotated[int, Meta(description="The HTTP status again.", examples=[401])]
    detail: Annotated[str, Meta(description="What happened, for people.")]
    errors: Annotated[dict[str, str] | None, Meta(description=(
        "Per field, why: `__all__` for a wrong username or password (one message for every username) or too many "
        "attempts; `code` for a missing or wrong second-factor code; `organization`, `expires_in_days`."))] = None


SIGN_IN_ERRORS = {
    401: ResponseSpec(data_container=SignInRefused, description="Wrong username or password, or a missing or wrong code."),
    422: ResponseSpec(data_container=SignInRefused, description="The organization is not named or not the account's, or the lifetime is beyond the server's limit."),
    429: ResponseSpec(data_container=SignInRefused, description="Too many failed attempts from this client, or wrong codes locked the account: wait."),
}


@api_post(
    "/tokens", opt={"public": True}, name="api.tokens.create", status_code=201, tags=["account"],
    operation_class=PublicOperation, responses=SIGN_IN_ERRORS,
    summary="Sign in: get an API token",
    description=(
        "Exchange a staff member's username, password and, where the account has two-factor sign-in set up, the "
        "authenticator app's current `code` for a scoped, expiring API token. The checks are the sign-in page's: "
        "a wrong password, an unknown username and a disabled account all answer 401 with the same message; too "
        "many failed attempts from one client answer 429 for a while; wrong codes lock the account like on the "
        "code page. A token made with a right code counts as two-factor. `organization` (slug or id) is needed "
        "only when the account has a role in more than one (422 otherwise). The secret is in this answer only."
    ),
)
def sign_in(request: Request[Any, Any, Any], data: SignIn) -> TokenCreated:
    ctx = app_context(request)
    client = client_address(request.scope, ctx.settings.security.trusted_proxies)
    # Not the request's own session (there is no requester yet): signing in looks across
    # organizations, as the sign-in page does.
    with scoped_session(ctx.session_factory, None) as db:
        row, secret = token_by_sign_in(db, ctx.settings.security, client, data)
        return token_created(row, secret)
