"""What staff do with their own account: the language they read in, their API tokens,
ending every session. Each is an action (core.actions) that the account page and
``/api/v1/me`` both call."""
from __future__ import annotations

from typing import Annotated, Literal

from litestar.exceptions import NotFoundException
import msgspec
from msgspec import Meta

from core.actions import Caller, Input, action
from core.forms import INT_MAX
from core.i18n import LOCALES
from core.models import ApiToken, StaffUser
from core.services import auth as auth_service
from core.services import tokens as token_service

Locale = Literal["nb", "en"]
assert set(Locale.__args__) == set(LOCALES), "core.i18n.LOCALES and the API's enum must agree"  # type: ignore[attr-defined]

Scope = Literal["read", "write", "sensitive"]
assert Scope.__args__ == auth_service.TOKEN_SCOPES  # type: ignore[attr-defined]

TokenName = Annotated[str, Meta(min_length=1, max_length=120, pattern=r"\S", description="What the token is for, to recognise it in the list later.", examples=["Payroll export"])]
Scopes = Annotated[list[Scope], Meta(min_length=1, description=(
    "What the token may do: `read` (GET), `write` (POST, PATCH, PUT, DELETE), `sensitive` (routes reaching "
    "special-category data; with a second factor only). A token made with a token gets no scope its maker lacks."),
    examples=[["read", "write"]])]
ExpiresInDays = Annotated[int, Meta(ge=1, le=INT_MAX, description=(
    "Days until the token stops working; at most the server's LAVTERSKEL_API_TOKEN_DAYS (a larger number is "
    "refused with 422). Left out: that longest time."), examples=[30])]


class SetLanguage(Input):
    locale: Annotated[Locale, Meta(description="The language pages, messages and API errors are given in.", examples=["nb"])]


class CreateToken(Input):
    name: TokenName
    expires_in_days: ExpiresInDays | None = None
    scopes: Scopes = msgspec.field(default_factory=lambda: list(token_service.DEFAULT_SCOPES))


@action("account.set_language", permission="account.use", summary="Set one's language",
        description="The language the staff member reads pages and API messages in (`nb` Bokmål, `en` English); "
                    "the page's language switch does the same.")
def set_language(caller: Caller, data: SetLanguage) -> str:
    user = caller.db.get(StaffUser, caller.user.id)
    if user is not None:
        user.locale = data.locale
        caller.db.commit()
    return data.locale


def _second_factor(caller: Caller) -> bool:
    # Only a session that has given the code, or a token made in one, makes a token that
    # counts as two-factor.
    return caller.gate.second_factor == "verified"


@action("account.create_token", permission="account.use", summary="Create an API token",
        description="A new token for one's own account in this organization. The secret is in this answer and never "
                    "again; only its hash is kept. A token made with a token gets no scope and no time beyond its "
                    "maker's (422). It counts as two-factor when the session or token it is made in does.")
def create_token(caller: Caller, data: CreateToken) -> tuple[ApiToken, str]:
    body: dict[str, object] = {"name": data.name, "scopes": list(data.scopes)}
    if data.expires_in_days is not None:
        body["expires_in_days"] = data.expires_in_days
    return token_service.new_token(
        caller.db, caller.settings.security, caller.db.get(StaffUser, caller.user.id), caller.organization_id, body,  # type: ignore[arg-type]
        second_factor=_second_factor(caller), maker_scopes=caller.user.token_scopes, maker_expires_at=caller.user.token_expires_at,
    )


@action("account.revoke_token", permission="account.use", summary="Revoke an API token",
        description="Revoke one of one's own tokens at once. Another person's token, in this organization or "
                    "another, is not found (404) and stays live.")
def revoke_token(caller: Caller, token_id: int) -> ApiToken:
    row = token_service.own_token(caller.db, caller.user.id, caller.organization_id, token_id)
    if row is None:
        raise NotFoundException()
    return token_service.revoke(caller.db, row)


@action("account.sign_out_everywhere", permission="account.use", summary="Sign out everywhere",
        description="End every browser session and revoke every API token of one's account, in every "
                    "organization, the token this request came with included. Answers how many of each ended.")
def sign_out_everywhere(caller: Caller) -> tuple[int, int]:
    return auth_service.sign_out_everywhere(caller.db, caller.user.id)
