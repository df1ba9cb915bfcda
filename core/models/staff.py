"""Staff accounts, their roles per organization, login sessions and API tokens."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.classification import Category, not_personal, personal
from core.db import Base, OrgScoped, utcnow

ROLES = ("admin", "leader", "work_leader", "social_worker", "payroll")


class StaffUser(Base):
    __tablename__ = "staff_user"
    # A staff member's own data, not a participant's: a participant's export and erasure
    # never touch it.
    __subject__ = None

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True, info=personal(Category.IDENTITY))
    full_name: Mapped[str] = mapped_column(String(200), info=personal(Category.IDENTITY))
    # A credential, never shown or exported; what it protects is classified where it is stored.
    password_hash: Mapped[str] = mapped_column(String(255), info=not_personal())
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(10), info=not_personal())
    """The interface language chosen: a setting, not something about the person."""
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def roles_in(self, organization_id: int) -> frozenset[str]:
        return frozenset(m.role for m in self.memberships if m.organization_id == organization_id)


class Membership(OrgScoped, Base):
    """One role a staff user holds in one organization."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "organization_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(40), info=not_personal())

    user: Mapped[StaffUser] = relationship(back_populates="memberships")


class LoginSession(Base):
    """A server-side session. The cookie holds a random token; only its hash is stored,
    so a copy of the database does not hand out live sessions."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info=not_personal())
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ApiToken(Base):
    """A personal API token; shown once at creation, stored as a hash."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120), info=not_personal())
    """The label its owner gave the token ("payroll export")."""
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info=not_personal())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    """Chosen at creation (at most ``LAVTERSKEL_API_TOKEN_DAYS``); after it the token opens nothing."""
    scopes: Mapped[str] = mapped_column(String(60), info=not_personal())
    """Space-separated: ``read`` (GET), ``write`` (POST, PATCH, PUT, DELETE), ``sensitive``
    (routes that reach special-category data). A route needs all that apply."""
    second_factor: Mapped[bool] = mapped_column(Boolean, default=False)
    """Made in a session whose second factor was given: only then does the token count as
    two-factor, and only while its owner still has TOTP."""


class LoginThrottle(Base):
    """Failed logins from one client for one username, and how long that pair must wait.

    Counted per pair, not per account: a stranger's guesses slow the stranger down and
    never lock the staff member out elsewhere; unknown usernames are counted the same way,
    so the answers do not tell which usernames exist. The key is an HMAC of the client's
    address and the username with the secret key: no address or typed username is stored.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True, info=not_personal())
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
