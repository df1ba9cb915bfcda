"""Passwords, login sessions and API tokens."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import crypto
from core.config import SecuritySettings
from core.db import utcnow
from core.models import (
    ApiToken,
    LoginSession,
    LoginThrottle,
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


# The longest a client waits after its failures; backoff doubles up to here.
MAX_LOGIN_WAIT = dt.timedelta(hours=24)


def _throttle_key(security: SecuritySettings, client: str, username: str) -> str:
    # Keyed with the secret: the table holds neither addresses nor typed usernames (which
    # are sometimes a password typed in the wrong field).
    return hmac.new(security.secret_key.encode(), f"login\n{client}\n{username}".encode(), hashlib.sha256).hexdigest()


def _count_throttled_failure(db: Session, security: SecuritySettings, key: str, now: dt.datetime) -> bool:
    """Count one failure for this client and username; from ``login_max_failures`` on, the
    pair waits ``login_lock_minutes``, doubled with every further failure (up to a day).
    Failures a day old are forgotten. Returns whether the pair must now wait."""
    for attempt in range(2):
        db.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - MAX_LOGIN_WAIT))
        row = db.get(LoginThrottle, key, with_for_update=True)
        if row is None:
            row = LoginThrottle(key=key, failures=0, last_failure_at=now)
            db.add(row)
        row.failures += 1
        row.last_failure_at = now
        over = row.failures - security.login_max_failures
        if over >= 0:
            wait = dt.timedelta(minutes=security.login_lock_minutes) * (2 ** min(over, 16))
            row.blocked_until = now + min(wait, MAX_LOGIN_WAIT)
        try:
            db.commit()
        except IntegrityError:
            # Two failures for the same pair at once both found no row; the second counts
            # on the row the first made.
            db.rollback()
            if attempt:
                raise
            continue
        return row.blocked_until is not None and row.blocked_until > now
    return False


def check_password(
    db: Session, security: SecuritySettings, username: str, password: str, client: str = "unknown"
) -> LoginResult:
    """Verify a login, throttled per client and username.

    Every answer is the same for a username that does not exist: the same wait after the
    same number of failures, the same time spent hashing. A stranger's failures make only
    the stranger's own client wait, so they cannot lock a staff member out. ``client`` is
    the requester's address (see ``core.web.client``).
    """
    name = username.strip().lower()
    now = utcnow()
    key = _throttle_key(security, client, name)
    throttle = db.get(LoginThrottle, key)
    if throttle is not None and throttle.blocked_until is not None and throttle.blocked_until > now:
        return LoginResult(ok=False, locked=True)
    user = db.scalars(select(StaffUser).where(StaffUser.username == name)).first()
    if user is None or not user.is_active:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return LoginResult(ok=False, locked=_count_throttled_failure(db, security, key, now))
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return LoginResult(ok=False, locked=_count_throttled_failure(db, security, key, now))
    if user.locked_until is not None and user.locked_until > now:
        # Locked by wrong second-factor codes: only someone who knew the password could
        # type those, and only they learn here that the password was right.
        return LoginResult(ok=False, locked=True)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    # ``failed_logins`` counts wrong second-factor codes: it is cleared when a right code
    # is given, not here, or signing in again between guesses would reset the count.
    user.locked_until = None
    if throttle is not None:
        db.delete(throttle)
    db.commit()
    return LoginResult(ok=True, user=user)


def count_failed_login(db: Session, security: SecuritySettings, user_id: int) -> bool:
    """Count one wrong second-factor code; lock the account for ``login_lock_minutes``
    after ``login_max_failures`` in a row. Returns whether it is locked.

    Unlike wrong passwords this locks the account itself: only someone who has the
    password reaches the code page, and six digits would otherwise fall to guessing from
    many addresses."""
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
    """End every login session of a user (also after too many wrong codes)."""
    result = db.execute(
        update(LoginSession).where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None)).values(ended_at=utcnow())
    )
    db.commit()
    return result.rowcount or 0


def revoke_all_tokens(db: Session, user_id: int) -> int:
    """Revoke every API token of a user. Revoked stays revoked: enabling the account
    again brings none of them back."""
    result = db.execute(
        update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow())
    )
    db.commit()
    return result.rowcount or 0


def sign_out_everywhere(db: Session, user_id: int) -> tuple[int, int]:
    """"Log out everywhere" and disabling an account: every session and every API token
    ends. Returns how many of each."""
    return end_all_sessions(db, user_id), revoke_all_tokens(db, user_id)


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
    """A code was given in this login session, or the API token was made in such a session."""
    token_scopes: frozenset[str] | None = None
    """The API token's scopes; None for a login session."""
    token_expires_at: dt.datetime | None = None


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
    token_scopes: frozenset[str] | None = None
    token_expires_at: dt.datetime | None = None
    if bearer:
        tok = db.execute(
            select(ApiToken.id, ApiToken.user_id, ApiToken.organization_id, ApiToken.revoked_at, ApiToken.last_used_at,
                   ApiToken.expires_at, ApiToken.scopes, ApiToken.second_factor)
            .where(ApiToken.token_hash == token_hash(bearer))
        ).first()
        if tok is None or tok.revoked_at is not None or tok.expires_at <= now:
            return None
        token_scopes, token_expires_at = frozenset(tok.scopes.split()), tok.expires_at
        second_factor_given = bool(tok.second_factor)
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
        token_scopes=token_scopes, token_expires_at=token_expires_at,
    )


TOKEN_SCOPES = ("read", "write", "sensitive")
"""``read``: GET routes; ``write``: POST, PATCH, PUT, DELETE; ``sensitive``: routes that
reach special-category data (the same routes two-factor sign-in covers)."""


def create_api_token(
    db: Session, user: StaffUser, organization_id: int, name: str, *,
    scopes: tuple[str, ...] | frozenset[str] = TOKEN_SCOPES, lifetime: dt.timedelta = dt.timedelta(days=90),
    second_factor: bool = False,
) -> str:
    """Make a token; only its hash is kept. ``second_factor`` says the session (or token)
    it was made in had given the second factor."""
    unknown = set(scopes) - set(TOKEN_SCOPES)
    if unknown or not scopes:
        raise ValueError(f"unknown or no token scopes: {sorted(unknown)}")
    token = "lvt_" + secrets.token_urlsafe(32)
    now = utcnow()
    db.add(ApiToken(
        user_id=user.id, organization_id=organization_id, name=name, token_hash=token_hash(token), created_at=now,
        expires_at=now + lifetime, scopes=" ".join(s for s in TOKEN_SCOPES if s in scopes), second_factor=second_factor,
    ))
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


def begin_totp_enrolment(db: Session, security: SecuritySettings, user: StaffUser) -> StaffTotp:
    """A fresh, unconfirmed secret (replacing an unconfirmed one); confirmed ones are kept.
    The secret is stored encrypted with the key outside the database."""
    row = db.get(StaffTotp, user.id)
    if row is not None and row.confirmed_at is not None:
        return row
    if row is None:
        row = StaffTotp(user_id=user.id, secret=crypto.encrypt(security.encryption_key, pyotp.random_base32()), last_step=0)
        db.add(row)
    db.commit()
    return row


def totp_secret(security: SecuritySettings, row: StaffTotp) -> str | None:
    """The plain secret, or None when the key cannot open it (the key was changed or lost:
    no code is then accepted, and the staff member sets two-factor up again)."""
    return crypto.decrypt(security.encryption_key, row.secret)


def totp_uri(security: SecuritySettings, row: StaffTotp, username: str) -> str:
    return pyotp.TOTP(totp_secret(security, row) or "").provisioning_uri(name=username, issuer_name=TOTP_ISSUER)


def check_totp(db: Session, security: SecuritySettings, row: StaffTotp, code: str, *, at: dt.datetime | None = None) -> bool:
    """Accept a code for the current step or the one before/after (clock drift), but never
    a step at or before the last accepted one, so a code seen over a shoulder is spent."""
    code = "".join(ch for ch in str(code) if ch.isdigit())
    secret = totp_secret(security, row)
    if len(code) != 6 or secret is None:
        return False
    totp = pyotp.TOTP(secret)
    now = at or dt.datetime.now(dt.timezone.utc)
    step = int(now.timestamp()) // totp.interval
    for s in (step - 1, step, step + 1):
        if s > row.last_step and secrets.compare_digest(totp.generate_otp(s), code):
            row.last_step = s
            return True
    return False


def confirm_totp(db: Session, security: SecuritySettings, user_id: int, code: str) -> bool:
    row = db.get(StaffTotp, user_id)
    if row is None or not check_totp(db, security, row, code):
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
