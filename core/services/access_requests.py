"""The administrator administers; a leader decides who may see sensitive data.

An organization's administrator (role ``admin``) runs settings, sites, plugins and staff,
and holds no permission that reaches special-category data. Two of their actions would
hand that access out all the same: an account with a role that holds a sensitive
permission (they could create it with a password they know and use it), and switching the
organization's "require two-factor" off. Those two become a :class:`PendingChange` that a
leader other than the requester confirms (:data:`CONFIRM_PERMISSION`); until then nothing
changes. The request and the answer are each recorded as an :class:`AccessChange`.

Bootstrapping is untouched: the command line (``lavterskel createuser``) creates the
first leader of a new organization directly, as it always did.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from litestar.exceptions import NotFoundException, PermissionDeniedException
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.builtin.privacy import REQUIRE_TOTP
from core.contrib import PermissionDef, SettingDef
from core.actions import Caller, action
from core.db import MAX_ID, get_scoped, utcnow
from core.forms import FormError
from core.i18n import gettext as _
from core.models import AccessChange, DatedSetting, Membership, Organization, PendingChange, StaffUser
from core.permissions import permissions_for_roles, sensitive_permissions
from core.services import settings as settings_service
from core.services.auth import create_user, hash_password
from core.services.organizations import validate_new_staff

CONFIRM_PERMISSION = "access.confirm"
STAFF_ROLES = "staff_roles"
WEAKER_VALUES: dict[str, Any] = {REQUIRE_TOTP: False}
"""Settings whose change to this value lowers the protection of sensitive data."""


class Actor(Protocol):
    id: int
    full_name: str

    def can(self, permission: str) -> bool: ...


def sensitive_roles(defs: Iterable[PermissionDef], roles: Iterable[str]) -> list[str]:
    """Those of ``roles`` that hold a sensitive permission (the core's or a plugin's)."""
    defs = list(defs)
    sensitive = sensitive_permissions(defs)
    return [r for r in roles if permissions_for_roles(defs, [r]) & sensitive]


def _record(db: Session, actor: Actor, action: str, what: str, *, request: PendingChange | None = None,
            staff: StaffUser | None = None, staff_name: str = "", detail: str = "") -> None:
    db.add(AccessChange(
        organization_id=db.info.get("organization_id"), at=utcnow(), actor_id=actor.id, actor_name=actor.full_name[:200],
        action=action, what=what[:120], staff_id=staff.id if staff else None,
        staff_name=(staff.full_name if staff else staff_name)[:200], detail=detail[:300],
        request_id=request.id if request else None,
    ))


def _request(db: Session, actor: Actor, kind: str, payload: dict[str, Any], what: str, staff_name: str, detail: str) -> PendingChange:
    row = PendingChange(organization_id=db.info.get("organization_id"), kind=kind, payload=payload, status="pending",
                        requested_by_id=actor.id, requested_by_name=actor.full_name[:200], requested_at=utcnow())
    db.add(row)
    db.flush()
    _record(db, actor, "request", what, request=row, staff_name=staff_name, detail=detail)
    db.commit()
    return row


def add_staff_or_request(
    db: Session, organization: Organization, actor: Actor, defs: Sequence[PermissionDef], data: Mapping[str, Any], roles: Sequence[Any]
) -> StaffUser | PendingChange:
    """Create the account, or, when a role reaches sensitive data, ask a leader to confirm it."""
    clean = validate_new_staff(db, data, roles)
    if _pending_username(db, clean["username"]):
        raise FormError({"username": _("A request for this username is waiting for a leader's confirmation.")})
    detail = ", ".join(clean["roles"])
    if sensitive_roles(defs, clean["roles"]):
        payload = {"username": clean["username"], "full_name": clean["full_name"], "roles": clean["roles"],
                   "password_hash": hash_password(clean["password"])}
        return _request(db, actor, "add_staff", payload, STAFF_ROLES, clean["full_name"], detail)
    try:
        user = create_user(db, organization, clean["username"], clean["full_name"], clean["password"], clean["roles"])
        _record(db, actor, "grant", STAFF_ROLES, staff=user, detail=detail)
        db.commit()
    except IntegrityError:  # taken by a request at the same moment
        db.rollback()
        raise FormError({"username": _("This username is taken.")}) from None
    return user


def _pending_username(db: Session, username: str) -> bool:
    rows = db.scalars(select(PendingChange).where(PendingChange.status == "pending", PendingChange.kind == "add_staff"))
    return any(r.payload.get("username") == username for r in rows)


def save_setting_or_request(
    db: Session, organization_id: int, actor: Actor, setting_defs: dict[str, SettingDef], data: Mapping[str, Any]
) -> DatedSetting | PendingChange:
    """Record a setting, or, when it weakens a protection, ask a leader to confirm it."""
    key, value = str(data.get("key") or ""), data.get("value")
    defn = setting_defs.get(key)
    blank = value is None or (isinstance(value, str) and not value.strip())
    if defn is not None and key in WEAKER_VALUES and not blank:
        try:
            clean = settings_service.coerce(defn, value.strip() if isinstance(value, str) else value)
        except FormError as exc:
            raise FormError({"value": next(iter(exc.errors.values()))}) from None
        if clean == WEAKER_VALUES[key] and settings_service.setting_on(db, setting_defs, key) != clean:
            if any(r.payload.get("key") == key for r in pending(db)):
                raise FormError({"value": _("A request to change this is waiting for a leader's confirmation.")})
            note = str(data.get("note") or "")[:300]
            return _request(db, actor, "setting", {"key": key, "value": clean, "note": note}, key, "", str(clean))
    return settings_service.save_setting(db, organization_id, setting_defs, dict(data))


def pending(db: Session) -> list[PendingChange]:
    """The session organization's requests still waiting, oldest first."""
    return list(db.scalars(select(PendingChange).where(PendingChange.status == "pending").order_by(PendingChange.id)))


def recent_changes(db: Session, limit: int = 50) -> list[AccessChange]:
    """The latest grants, withdrawals, requests and answers, newest first."""
    return list(db.scalars(select(AccessChange).order_by(AccessChange.id.desc()).limit(limit)))


def decide(db: Session, actor: Actor, change: PendingChange, approve: bool, setting_defs: dict[str, SettingDef]) -> PendingChange:
    """A leader's answer to a request. Nobody answers their own; each is answered once."""
    if not actor.can(CONFIRM_PERMISSION):
        raise PermissionDeniedException()
    if change.status != "pending":
        raise FormError({"__all__": _("This request has already been answered.")})
    if change.requested_by_id == actor.id:
        raise FormError({"__all__": _("You cannot confirm your own request: another leader must.")})
    status = "approved" if approve else "rejected"
    # Claim the row first: of two leaders answering at once, one wins and the other is told.
    claimed = db.execute(
        update(PendingChange).where(PendingChange.id == change.id, PendingChange.status == "pending")
        .values(status=status, decided_by_id=actor.id, decided_by_name=actor.full_name[:200], decided_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.rollback()
        raise FormError({"__all__": _("This request has already been answered.")})
    db.refresh(change)
    payload = dict(change.payload)
    staff: StaffUser | None = None
    if approve and change.kind == "add_staff":
        if db.scalars(select(StaffUser.id).where(StaffUser.username == payload["username"])).first() is not None:
            db.rollback()
            raise FormError({"__all__": _("This username is taken.")})
        staff = StaffUser(username=payload["username"], full_name=payload["full_name"], password_hash=payload["password_hash"])
        db.add(staff)
        try:
            db.flush()
        except IntegrityError:  # the username was taken a moment ago
            db.rollback()
            raise FormError({"__all__": _("This username is taken.")}) from None
        for role in payload["roles"]:
            db.add(Membership(user_id=staff.id, organization_id=change.organization_id, role=role))
    elif approve and change.kind == "setting":
        defn = setting_defs.get(payload["key"])
        if defn is None:
            db.rollback()
            raise FormError({"__all__": _("No such setting.")})
    payload.pop("password_hash", None)  # the new account has it now, or nobody needs it
    change.payload = payload
    what = STAFF_ROLES if change.kind == "add_staff" else str(payload.get("key", ""))
    detail = ", ".join(payload.get("roles", [])) if change.kind == "add_staff" else str(payload.get("value", ""))
    _record(db, actor, "approve" if approve else "reject", what, request=change, staff=staff,
            staff_name=str(payload.get("full_name", "")), detail=detail)
    if approve and change.kind == "setting":
        settings_service.set_setting(db, change.organization_id, setting_defs[payload["key"]], payload["value"], note=payload.get("note", ""))
    db.commit()
    return change


# --- a leader's answers, as actions (the page /access-requests and the API call these) ----

def _pending_or_404(db: Session, pending_change_id: int) -> PendingChange:
    change = get_scoped(db, PendingChange, pending_change_id) if 1 <= pending_change_id <= MAX_ID else None
    if change is None:
        raise NotFoundException()
    return change


@action("access.approve", permission=CONFIRM_PERMISSION, summary="Confirm a request",
        description="Confirm what an administrator asked for: the account is created with the roles asked for, or "
                    "the setting changed, now. Nobody confirms their own request, and each is answered once (422). "
                    "A request of another organization is not found (404).")
def approve(caller: Caller, pending_change_id: int) -> PendingChange:
    return decide(caller.db, caller.user, _pending_or_404(caller.db, pending_change_id), True, dict(caller.setting_defs))


@action("access.reject", permission=CONFIRM_PERMISSION, summary="Refuse a request",
        description="Refuse what an administrator asked for: nothing changes, and the refusal is recorded. Each "
                    "request is answered once (422); one of another organization is not found (404).")
def reject(caller: Caller, pending_change_id: int) -> PendingChange:
    return decide(caller.db, caller.user, _pending_or_404(caller.db, pending_change_id), False, dict(caller.setting_defs))
