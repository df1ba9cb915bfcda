"""Passwords, login sessions and API tokens."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import literal, select, update
from sqlalchemy.orm import Session

from core.config import SecuritySettings
from core.db import utcnow
from core.models import (
    ApiToken,
    LoginSession,
    Membership,
    Organization,
    OrganizationPlugin,
    SessionSecondFactor,
    StaffTotp,
    StaffUser,
)

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verifying against this when the username is unknown keeps the time the same, so the
# login form does not tell which usernames exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    user: StaffUser | None = None
    locked: bool = False


def check_password(db: Session, security: SecuritySettings, username: str, password: str) -> LoginResult:
    """Verify a login; count failures and lock the account after too many in a row."""
    user = db.scalars(select(StaffUser).where(StaffUser.username == username.strip().lower())).first()
    now = utcnow()
    if user is None or not user.is_active:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return LoginResult(ok=False)
    if user.locked_until is not None and user.locked_until > now:
        return LoginResult(ok=False, locked=True)
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return LoginResult(ok=False, locked=count_failed_login(db, security, user.id))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    db.commit()
    return LoginResult(ok=True, user=user)


def count_failed_login(db: Session, security: SecuritySettings, user_id: int) -> bool:
    """Count one failed password or second-factor code; lock the account for
    ``login_lock_minutes`` after ``login_max_failures`` in a row. Returns whether it is locked."""
    user = db.get(StaffUser, user_id)
    if user is None:
        return False
    now = utcnow()
    user.failed_logins += 1
    if user.failed_logins >= security.login_max_failures:
        user.locked_until = now + dt.timedelta(minutes=security.login_lock_minutes)
        user.failed_logins = 0
    db.commit()
    return user.locked_until is not None and user.locked_until > now


def start_session(db: Session, user: StaffUser, organization_id: int, old_token: str | None = None) -> str:
    """Open a new session with a fresh random id, ending any session the browser came with.

    Rotating the id at login is what defeats session fixation: an id planted before
    login never becomes an authenticated one.
    """
    if old_token:
        end_session(db, old_token)
    token = secrets.token_urlsafe(32)
    db.add(LoginSession(token_hash=token_hash(token), user_id=user.id, organization_id=organization_id))
    db.commit()
    return token


def end_session(db: Session, token: str) -> None:
    db.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == token_hash(token), LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    db.commit()


def end_all_sessions(db: Session, user_id: int) -> int:
    """Log a user out everywhere (also used when an account is disabled)."""
    result = db.execute(
        update(LoginSession).where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None)).values(ended_at=utcnow())
    )
    db.commit()
    return result.rowcount or 0


@dataclass(frozen=True)
class Requester:
    """Everything a request needs to know about who is asking, read in one go."""

    user_id: int
    username: str
    full_name: str
    locale: str | None
    organization_id: int
    organization_slug: str
    organization_name: str
    program_name: str
    enabled_plugins: frozenset[str]
    roles: frozenset[str]
    session_id: int | None
    """The login session's row id; None when the request came with an API token."""
    totp_enrolled: bool
    second_factor_given: bool
    """A code was given in this login session (always False for API tokens)."""


def find_requester(db: Session, security: SecuritySettings, session_token: str | None, bearer: str | None) -> Requester | None:
    """The staff member behind a session cookie or an API token, or None.

    Every request pays for this, so it reads columns, not ORM objects, in three small
    queries: the credential (with the session's second-factor mark), the user with their
    organization and TOTP state, and the roles with the organization's plugins. A session
    ends when idle or too old; a revoked token opens nothing; last-use clocks are touched
    at most once a minute.
    """
    now = utcnow()
    session_id: int | None = None
    second_factor_given = False
    if bearer:
        tok = db.execute(
            select(ApiToken.id, ApiToken.user_id, ApiToken.organization_id, ApiToken.revoked_at, ApiToken.last_used_at)
            .where(ApiToken.token_hash == token_hash(bearer))
        ).first()
        if tok is None or tok.revoked_at is not None:
            return None
        if tok.last_used_at is None or now - tok.last_used_at > dt.timedelta(seconds=60):
            db.execute(update(ApiToken).where(ApiToken.id == tok.id).values(last_used_at=now))
            db.commit()
        user_id, org_id = tok.user_id, tok.organization_id
    elif session_token:
        row = db.execute(
            select(LoginSession.id, LoginSession.user_id, LoginSession.organization_id, LoginSession.created_at,
                   LoginSession.last_seen_at, LoginSession.ended_at, SessionSecondFactor.session_id.label("second_factor"))
            .outerjoin(SessionSecondFactor, SessionSecondFactor.session_id == LoginSession.id)
            .where(LoginSession.token_hash == token_hash(session_token))
        ).first()
        if row is None or row.ended_at is not None:
            return None
        expired = now - row.created_at > dt.timedelta(hours=security.session_absolute_hours) or (
            now - row.last_seen_at > dt.timedelta(minutes=security.session_idle_minutes)
        )
        if expired:
            db.execute(update(LoginSession).where(LoginSession.id == row.id).values(ended_at=now))
            db.commit()
            return None
        # Touch at most once a minute: a write per page view would serialize SQLite.
        if now - row.last_seen_at > dt.timedelta(seconds=60):
            db.execute(update(LoginSession).where(LoginSession.id == row.id).values(last_seen_at=now))
            db.commit()
        user_id, org_id, session_id = row.user_id, row.organization_id, row.id
        second_factor_given = row.second_factor is not None
    else:
        return None
    who = db.execute(
        select(StaffUser.username, StaffUser.full_name, StaffUser.locale, StaffUser.is_active, Organization.slug,
               Organization.name, Organization.program_name, StaffTotp.confirmed_at)
        .select_from(StaffUser)
        .join(Organization, Organization.id == org_id)
        .outerjoin(StaffTotp, StaffTotp.user_id == StaffUser.id)
        .where(StaffUser.id == user_id)
    ).first()
    if who is None or not who.is_active:
        return None
    roles: set[str] = set()
    plugins: set[str] = set()
    kinds = db.execute(
        select(literal("role").label("kind"), Membership.role.label("name"))
        .where(Membership.user_id == user_id, Membership.organization_id == org_id)
        .union_all(
            select(literal("plugin"), OrganizationPlugin.plugin)
            .where(OrganizationPlugin.organization_id == org_id, OrganizationPlugin.enabled.is_(True))
        )
    )
    for kind, name in kinds:
        (roles if kind == "role" else plugins).add(name)
    if not roles:
        return None
    return Requester(
        user_id=user_id, username=who.username, full_name=who.full_name, locale=who.locale, organization_id=org_id,
        organization_slug=who.slug, organization_name=who.name, program_name=who.program_name,
        enabled_plugins=frozenset(plugins), roles=frozenset(roles), session_id=session_id,
        totp_enrolled=who.confirmed_at is not None, second_factor_given=second_factor_given,
    )


def create_api_token(db: Session, user: StaffUser, organization_id: int, name: str) -> str:
    token = "lvt_" + secrets.token_urlsafe(32)
    db.add(ApiToken(user_id=user.id, organization_id=organization_id, name=name, token_hash=token_hash(token)))
    db.commit()
    return token


def organizations_of(db: Session, user: StaffUser) -> list[Organization]:
    ids = {m.organization_id for m in user.memberships}
    return list(db.scalars(select(Organization).where(Organization.id.in_(ids)).order_by(Organization.name)))


def create_user(db: Session, organization: Organization, username: str, full_name: str, password: str, roles: list[str]) -> StaffUser:
    user = StaffUser(username=username.strip().lower(), full_name=full_name, password_hash=hash_password(password))
    db.add(user)
    db.flush()
    for role in roles:
        db.add(Membership(user_id=user.id, organization_id=organization.id, role=role))
    db.flush()
    return user


# ---------------------------------------------------------------------------------------
# Second factor (TOTP, RFC 6238)
# ---------------------------------------------------------------------------------------

TOTP_ISSUER = "Lavterskel"


def totp_of(db: Session, user_id: int) -> StaffTotp | None:
    return db.get(StaffTotp, user_id)


def has_totp(db: Session, user_id: int) -> bool:
    row = db.get(StaffTotp, user_id)
    return row is not None and row.confirmed_at is not None


def begin_totp_enrolment(db: Session, user: StaffUser) -> StaffTotp:
    """A fresh, unconfirmed secret (replacing an unconfirmed one); confirmed ones are kept."""
    row = db.get(StaffTotp, user.id)
    if row is not None and row.confirmed_at is not None:
        return row
    if row is None:
        row = StaffTotp(user_id=user.id, secret=pyotp.random_base32(), last_step=0)
        db.add(row)
    db.commit()
    return row


def totp_uri(row: StaffTotp, username: str) -> str:
    return pyotp.TOTP(row.secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)


def check_totp(db: Session, row: StaffTotp, code: str, *, at: dt.datetime | None = None) -> bool:
    """Accept a code for the current step or the one before/after (clock drift), but never
    a step at or before the last accepted one, so a code seen over a shoulder is spent."""
    code = "".join(ch for ch in str(code) if ch.isdigit())
    if len(code) != 6:
        return False
    totp = pyotp.TOTP(row.secret)
    now = at or dt.datetime.now(dt.timezone.utc)
    step = int(now.timestamp()) // totp.interval
    for s in (step - 1, step, step + 1):
        if s > row.last_step and secrets.compare_digest(totp.generate_otp(s), code):
            row.last_step = s
            return True
    return False


def confirm_totp(db: Session, user_id: int, code: str) -> bool:
    row = db.get(StaffTotp, user_id)
    if row is None or not check_totp(db, row, code):
        return False
    if row.confirmed_at is None:
        row.confirmed_at = utcnow()
    db.commit()
    return True


def disable_totp(db: Session, user_id: int) -> None:
    row = db.get(StaffTotp, user_id)
    if row is not None:
        db.delete(row)
        db.commit()


def mark_second_factor(db: Session, session_id: int) -> None:
    if db.get(SessionSecondFactor, session_id) is None:
        db.add(SessionSecondFactor(session_id=session_id))
    db.commit()
