"""Signing in for an integrator: username, password and, where the account has one, the
second factor's code, exchanged for a scoped, expiring API token (``POST /api/v1/tokens``).

The checks are the HTML login's, in the same order and with the same answers: the
password through :func:`core.services.auth.check_password` (throttled per client and
username, the same time and the same words for a username that does not exist or an
account that is disabled), then the TOTP code through :func:`core.services.auth.check_totp`,
whose wrong guesses count towards the same account lock as on the code page. A token made
with a right code counts as two-factor, like one made in a session that gave the code.
"""
from __future__ import annotations

from typing import Annotated

import msgspec
from litestar.exceptions import NotAuthorizedException, TooManyRequestsException
from msgspec import Meta
from sqlalchemy.orm import Session

from core.actions import Input
from core.config import SecuritySettings
from core.forms import FormError
from core.i18n import gettext as _
from core.models import ApiToken, Organization, StaffUser
from core.services import auth as auth_service
from core.services import tokens as token_service
from core.services.account import ExpiresInDays, Scopes, TokenName


class SignIn(Input):
    username: Annotated[str, Meta(min_length=1, max_length=200, description="The staff member's username, as on the sign-in page.", examples=["kari.nordmann"])]
    password: Annotated[str, Meta(min_length=1, max_length=1000, description="The account's password, exactly as typed (spaces count).", examples=["correct horse battery staple"])]
    code: Annotated[str, Meta(max_length=20, description=(
        "The six digits the authenticator app shows now. Required when the account has two-factor sign-in set up; "
        "each code works once."), examples=["123456"])] | None = None
    organization: Annotated[str, Meta(min_length=1, max_length=100, description=(
        "The organization the token works in, by its slug or id. Needed only when the account has a role in "
        "more than one."), examples=["dagsverket"])] | None = None
    name: TokenName = "API"
    scopes: Scopes = msgspec.field(default_factory=lambda: list(token_service.DEFAULT_SCOPES))
    expires_in_days: ExpiresInDays | None = None

    def __post_init__(self) -> None:
        # A password is kept as typed: cleaning would strip a space that is part of it.
        password = self.password
        super().__post_init__()
        self.password = password


def _refused(field: str, message: str) -> NotAuthorizedException:
    return NotAuthorizedException(extra={field: message})


def _wrong() -> NotAuthorizedException:
    # One answer for a wrong password, an unknown username and a disabled account.
    return _refused("__all__", _("Wrong username or password."))


def _too_many() -> TooManyRequestsException:
    return TooManyRequestsException(extra={"__all__": _("Too many attempts. Wait a little and try again.")})


def _organization(orgs: list[Organization], wanted: str | None) -> Organization:
    if wanted is None:
        if len(orgs) == 1:
            return orgs[0]
        raise FormError({"organization": _("You work in more than one organization: name one of %(names)s.",
                                           names=", ".join(o.slug for o in orgs))})
    for org in orgs:
        if wanted.strip().lower() in (org.slug.lower(), str(org.id)):
            return org
    raise FormError({"organization": _("You have no role in that organization.")})


def token_by_sign_in(db: Session, security: SecuritySettings, client: str, data: SignIn) -> tuple[ApiToken, str]:
    """A new token for the staff member who signs in, or 401 (wrong credentials), 429
    (too many attempts), 422 (the organization or the token's terms)."""
    result = auth_service.check_password(db, security, data.username, data.password, client)
    if result.locked:
        raise _too_many()
    if not result.ok or result.user is None:
        raise _wrong()
    user: StaffUser = result.user
    orgs = auth_service.organizations_of(db, user)
    if not orgs:
        raise _wrong()
    second_factor = False
    totp = auth_service.totp_of(db, user.id)
    if totp is not None and totp.confirmed_at is not None:
        if not data.code:
            raise _refused("code", _("This account signs in with a code as well: send the six digits your app shows now as code."))
        if not auth_service.check_totp(db, security, totp, data.code):
            db.rollback()
            # Wrong codes count towards the same lock as on the code page: six digits would
            # otherwise fall to guessing.
            if auth_service.count_failed_login(db, security, user.id):
                auth_service.end_all_sessions(db, user.id)
                raise _too_many()
            raise _refused("code", _("Wrong code. Type the six digits your app shows now."))
        user.failed_logins = 0
        db.commit()  # the code is spent (check_totp moved its step on)
        second_factor = True
    org = _organization(orgs, data.organization)
    body: dict[str, object] = {"name": data.name, "scopes": list(data.scopes)}
    if data.expires_in_days is not None:
        body["expires_in_days"] = data.expires_in_days
    return token_service.new_token(db, security, user, org.id, body, second_factor=second_factor)
