"""Page/API parity of the account, administration and access-request actions (issue 14):
for every role, the page and the API allow or refuse alike and store the same."""
from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import ApiToken, DatedSetting, Membership, OrganizationPlugin, PendingChange, Site, StaffUser
from tests.conftest import OrgWorld, password_hash
from tests.parity import Ctx, Pair, assert_parity

_n = itertools.count(1)


def _unique(prefix: str) -> str:
    return f"{prefix}{next(_n)}"


# --- account ---------------------------------------------------------------------------

def _token_setup(db: Session, org: OrgWorld) -> Ctx:
    return {"name": _unique("paritet-")}


def _token_stored(db: Session, ctx: Ctx) -> Any:
    return sorted((t.scopes, t.second_factor) for t in db.scalars(select(ApiToken).where(ApiToken.name == ctx["name"])))


def _language_setup(db: Session, org: OrgWorld) -> Ctx:
    # Both surfaces change the same person's language: the pair starts each from none, and
    # the check is that both are allowed for every role and leave English behind.
    for user in org.users.values():
        db.get(StaffUser, user.id).locale = None  # type: ignore[union-attr]
    return {}


def _language_stored(db: Session, ctx: Ctx) -> Any:
    return sorted({u.locale for u in db.scalars(select(StaffUser)) if u.locale})


# --- administration --------------------------------------------------------------------

def _site_setup(db: Session, org: OrgWorld) -> Ctx:
    return {"name": _unique("Tomta "), "address": "Storgata 1"}


def _site_stored(db: Session, ctx: Ctx) -> Any:
    return [s.address for s in db.scalars(select(Site).where(Site.name == ctx["name"]))]


def _staff_setup(db: Session, org: OrgWorld) -> Ctx:
    return {"username": _unique("kollega")}


def _staff_stored(db: Session, ctx: Ctx) -> Any:
    user = db.scalars(select(StaffUser).where(StaffUser.username == ctx["username"])).first()
    asked = [(p.kind, p.status, p.payload.get("roles")) for p in db.scalars(select(PendingChange))
             if p.payload.get("username") == ctx["username"]]
    return (sorted(m.role for m in user.memberships) if user else None, asked)


def _staff_form(ctx: Ctx, role: str) -> dict[str, Any]:
    return {"username": ctx["username"], "full_name": "Kari Kollega", "password": "long-enough-password", "roles": role}


def _active_setup(db: Session, org: OrgWorld) -> Ctx:
    user = StaffUser(username=_unique("aktiv"), full_name="Aktiv Ansatt", password_hash=password_hash())
    db.add(user)
    db.flush()
    db.add(Membership(user_id=user.id, organization_id=org.org.id, role="payroll"))
    return {"user_id": user.id}


def _active_stored(db: Session, ctx: Ctx) -> Any:
    return db.get(StaffUser, ctx["user_id"]).is_active  # type: ignore[union-attr]


def _plugin_setup(db: Session, org: OrgWorld) -> Ctx:
    row = db.scalars(select(OrganizationPlugin).where(OrganizationPlugin.organization_id == org.org.id,
                                                      OrganizationPlugin.plugin == "rolling_list")).one()
    row.enabled = True
    return {"organization_id": org.org.id}


def _plugin_stored(db: Session, ctx: Ctx) -> Any:
    return db.scalars(select(OrganizationPlugin.enabled).where(OrganizationPlugin.organization_id == ctx["organization_id"],
                                                               OrganizationPlugin.plugin == "rolling_list")).one()


_days = itertools.count(1)


def _setting_setup(db: Session, org: OrgWorld) -> Ctx:
    # A dated setting: each surface records its value from a day of its own, so the two
    # outcomes are told apart.
    return {"valid_from": (dt.date(2020, 1, 1) + dt.timedelta(days=next(_days))).isoformat()}


def _setting_stored(db: Session, ctx: Ctx) -> Any:
    return [(str(r.value), r.note) for r in db.scalars(select(DatedSetting).where(
        DatedSetting.key == "payroll.day_wage", DatedSetting.valid_from == dt.date.fromisoformat(ctx["valid_from"])))]


# --- a leader's answers ----------------------------------------------------------------

def _request_setup(db: Session, org: OrgWorld) -> Ctx:
    username = _unique("onsket")
    change = PendingChange(
        organization_id=org.org.id, kind="add_staff", status="pending",
        payload={"username": username, "full_name": "Ønsket Ansatt", "roles": ["work_leader"], "password_hash": password_hash()},
        requested_by_id=org.users["admin"].id, requested_by_name="Admin",
    )
    db.add(change)
    db.flush()
    return {"id": change.id, "username": username}


def _request_stored(db: Session, ctx: Ctx) -> Any:
    change = db.get(PendingChange, ctx["id"])
    user = db.scalars(select(StaffUser).where(StaffUser.username == ctx["username"])).first()
    return (change.status, sorted(m.role for m in user.memberships) if user else None)  # type: ignore[union-attr]


PAIRS = [
    Pair("account.create_token", org="a", setup=_token_setup,
         page=lambda c: ("/account/tokens", {"name": c["name"], "scopes": ["read", "write"], "expires_in_days": "5"}),
         api=lambda c: ("/api/v1/me/tokens", {"name": c["name"], "scopes": ["read", "write"], "expires_in_days": 5}),
         stored=_token_stored),
    Pair("account.set_language", org="b", setup=_language_setup,
         page=lambda c: ("/language", {"locale": "en", "next": "/"}), api=lambda c: ("/api/v1/me", {"locale": "en"}),
         stored=_language_stored, api_method="PATCH"),
    Pair("admin.add_site", org="a", setup=_site_setup,
         page=lambda c: ("/admin/sites", c), api=lambda c: ("/api/v1/admin/sites", c), stored=_site_stored),
    Pair("admin.add_staff", org="a", setup=_staff_setup,
         page=lambda c: ("/admin/staff", _staff_form(c, "payroll")),
         api=lambda c: ("/api/v1/admin/staff", {**_staff_form(c, "payroll"), "roles": ["payroll"]}), stored=_staff_stored),
    Pair("admin.set_staff_active", org="b", setup=_active_setup,
         page=lambda c: (f"/admin/staff/{c['user_id']}/active", {"is_active": "0"}),
         api=lambda c: (f"/api/v1/admin/staff/{c['user_id']}", {"is_active": False}), stored=_active_stored, api_method="PATCH"),
    Pair("admin.set_plugin", org="a", setup=_plugin_setup,
         page=lambda c: ("/admin/plugins", {"plugin": "rolling_list", "is_enabled": "0"}),
         api=lambda c: ("/api/v1/admin/plugins/rolling_list", {"is_enabled": False}), stored=_plugin_stored, api_method="PUT"),
    Pair("admin.set_setting", org="a", setup=_setting_setup,
         page=lambda c: ("/admin/settings", {"key": "payroll.day_wage", "value": "275", "valid_from": c["valid_from"], "note": "Ny sats"}),
         api=lambda c: ("/api/v1/admin/settings", {"key": "payroll.day_wage", "value": "275", "valid_from": c["valid_from"], "note": "Ny sats"}),
         stored=_setting_stored),
    Pair("access.approve", org="a", setup=_request_setup,
         page=lambda c: (f"/access-requests/{c['id']}/approve", {}), api=lambda c: (f"/api/v1/access-requests/{c['id']}/approve", {}),
         stored=_request_stored),
    Pair("access.reject", org="b", setup=_request_setup,
         page=lambda c: (f"/access-requests/{c['id']}/reject", {}), api=lambda c: (f"/api/v1/access-requests/{c['id']}/reject", {}),
         stored=_request_stored),
]


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.action)
def test_page_and_api_agree(pair: Pair, app, world) -> None:  # type: ignore[no-untyped-def]
    assert_parity(pair, app, world)


def test_an_account_asked_for_is_asked_for_on_both(app, world) -> None:  # type: ignore[no-untyped-def]
    """A role reaching sensitive data: both surfaces only ask a leader (202 in the API)."""
    assert_parity(Pair("admin.add_staff", org="a", setup=_staff_setup,
                       page=lambda c: ("/admin/staff", _staff_form(c, "social_worker")),
                       api=lambda c: ("/api/v1/admin/staff", {**_staff_form(c, "social_worker"), "roles": ["social_worker"]}),
                       stored=_staff_stored), app, world)
