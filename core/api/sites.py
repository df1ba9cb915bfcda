"""The organization's sites, for everyone who plans days: an integrator needs a site's id
to create a day (``POST /api/v1/days``). Adding one stays with the administrator
(``POST /api/v1/admin/sites``)."""
from __future__ import annotations

from typing import Annotated

from litestar import Controller
from litestar.params import Parameter
from sqlalchemy.orm import Session

from core.api.admin import SiteList, SiteOut, list_sites_of, site_out
from core.models import Site
from core.web.handlers import api_get, get_or_404

VIEW = {"permission": "days.view"}


class SitesApi(Controller):
    path = "/sites"
    tags = ["sites"]

    @api_get("/", opt=VIEW, name="api.sites", summary="List sites",
             description="The organization's sites (where its program days are held), by name.")
    def list_sites(self, db: Session) -> SiteList:
        return list_sites_of(db)

    @api_get("/{site_id:int}", opt=VIEW, name="api.site", summary="Read a site",
             description="One site of the organization; one of another organization is not found (404).")
    def get_site(self, db: Session, site_id: Annotated[int, Parameter(description="The site's id.")]) -> SiteOut:
        return site_out(get_or_404(db, Site, site_id))
