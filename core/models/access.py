"""Who was given access to what: need-to-know relations granted and withdrawn, and an
administrator's requests for roles and security settings with a leader's answer.

Access to special-category data follows from roles and from relations such as a person's
contact persons. Handing either out is itself a decision someone answers for, so each one
is recorded here, by whom and when, next to the access log of what was then looked at.
The application has no route that changes or removes an :class:`AccessChange`.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.classification import not_personal
from core.db import Base, OrgScoped, utcnow

CHANGE_ACTIONS = ("grant", "withdraw", "request", "approve", "reject")
REQUEST_KINDS = ("add_staff", "setting")
REQUEST_STATUSES = ("pending", "approved", "rejected")


class PendingChange(OrgScoped, Base):
    """A change an administrator asked for that a leader must confirm before it happens:
    an account with a role that reaches sensitive data, or weakening a security setting.

    Nothing changes until a leader other than the requester approves. The row stays after
    the answer, with who decided and when.
    """

    __tablename__ = "pending_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), info=not_personal())
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, info=not_personal())
    """What to do on approval: the new account (username, name, roles and the password's
    hash, never the password; the hash is removed once answered) or the setting's key and value.
    About a staff member, never a participant."""
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True, info=not_personal())
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    requested_by_name: Mapped[str] = mapped_column(String(200), default="", info=not_personal())
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    decided_by_name: Mapped[str] = mapped_column(String(200), default="", info=not_personal())
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AccessChange(OrgScoped, Base):
    """One grant or withdrawal of access, or a request for one and its answer.

    ``what`` names the relation (``contact_person``) or the request (``staff_roles``, a
    setting's key). ``staff_*`` is the colleague who gains or loses access; ``actor_*`` who
    decided. Names are copied, so the record reads right after a rename. Staff names only:
    nothing here is about a participant beyond which person the relation is to, so erasing
    the person keeps the record (``anonymize`` with nothing to empty).
    """

    __tablename__ = "access_change"
    __subject__ = "subject_id"
    __erase__ = "anonymize"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(200), default="", info=not_personal())
    action: Mapped[str] = mapped_column(String(20), info=not_personal())
    what: Mapped[str] = mapped_column(String(120), info=not_personal())
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    staff_name: Mapped[str] = mapped_column(String(200), default="", info=not_personal())
    detail: Mapped[str] = mapped_column(String(300), default="", info=not_personal())
    """Roles asked for, or a setting's new value; never a participant's data."""
    request_id: Mapped[int | None] = mapped_column(ForeignKey("pending_change.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(80), default="core", info=not_personal())
