"""``GET /api/v1/me``: who a token belongs to, where, and what they may do."""
from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request
from msgspec import Meta

from core.web.context import current_user
from core.web.handlers import api_get


class OrganizationOut(msgspec.Struct, kw_only=True):
    id: Annotated[int, Meta(description="The organization's id.", examples=[1])]
    slug: Annotated[str, Meta(description="Its short name, as POST /api/v1/tokens takes it in `organization`.", examples=["dagsverket"])]
    name: Annotated[str, Meta(description="Its name.", examples=["Dagsverket"])]


class MeOut(msgspec.Struct, kw_only=True):
    id: Annotated[int, Meta(description="The staff member's id.", examples=[1])]
    username: Annotated[str, Meta(description="Their username.", examples=["kari.nordmann"])]
    full_name: Annotated[str, Meta(description="Their name.", examples=["Kari Nordmann"])]
    organization: Annotated[OrganizationOut, Meta(description="The organization the token works in.")]
    roles: Annotated[list[str], Meta(description="Their roles there (admin, leader, work_leader, social_worker, payroll).")]
    permissions: Annotated[list[str], Meta(description="Every permission the roles give, e.g. days.view; each operation says which it needs.")]
    enabled_plugins: Annotated[list[str], Meta(description="The programs the organization runs (their routes answer 404 elsewhere).")]
    scopes: Annotated[list[str] | None, Meta(description="The token's scopes; null for a browser session.")]


@api_get("/me", opt={"permission": "account.use"}, name="api.me", tags=["account"], summary="Who am I",
         description="Who the token belongs to, in which organization, with which roles and permissions, and what the token may do.")
def me(request: Request[Any, Any, Any]) -> MeOut:
    user = current_user(request)
    org = user.organization
    return MeOut(
        id=user.id, username=user.username, full_name=user.full_name,
        organization=OrganizationOut(id=org.id, slug=org.slug, name=org.name),
        roles=sorted(user.roles), permissions=sorted(user.permissions), enabled_plugins=sorted(org.enabled_plugins),
        scopes=sorted(user.token_scopes, key=("read", "write", "sensitive").index) if user.token_scopes is not None else None,
    )
