"""The start page: each enabled plugin's panels, the core's last."""
from __future__ import annotations

from typing import Any

from litestar import Request
from sqlalchemy.orm import Session

from core.i18n import today
from core.web.handlers import page_get
from core.web.panels import render_panels
from core.web.templating import render


@page_get("/", opt={"permission": "dashboard.view"}, name="dashboard")
def dashboard(request: Request[Any, Any, Any], db: Session) -> Any:
    panels = render_panels(request, "lavterskel_dashboard_panels", db=db, today=today())
    return render(request, "dashboard.html", panels=panels)
