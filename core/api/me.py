from __future__ import annotations

from typing import Any

from litestar import Request

from core.web.context import current_user
from core.web.handlers import api_get


@api_get("/me", opt={"permission": "account.use"}, name="api.me", tags=["account"])
def me(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Who the token belongs to, in which organization, and what they may do."""
    user = current_user(request)
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "organization": {"id": user.organization.id, "slug": user.organization.slug, "name": user.organization.name},
        "roles": sorted(user.roles),
        "permissions": sorted(user.permissions),
        "enabled_plugins": sorted(user.organization.enabled_plugins),
    }
