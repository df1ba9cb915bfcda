"""The JSON API under ``/api/v1``: the same services as the HTML pages, reached with a token."""
from __future__ import annotations

from litestar import Router

from core.api.access import AccessRequestsApi
from core.api.account import AccountApi, sign_in
from core.api.admin import AdminApi
from core.api.days import DaysApi
from core.api.me import me
from core.api.privacy import PrivacyApi
from core.api.records import records_api_router
from core.api.sites import SitesApi
from core.services.registry import RESOURCES


def api_router() -> Router:
    return Router(
        path="/api/v1",
        route_handlers=[me, sign_in, AccessRequestsApi, AccountApi, AdminApi, SitesApi, DaysApi, PrivacyApi, *(records_api_router(res) for res in RESOURCES.values())],
    )
