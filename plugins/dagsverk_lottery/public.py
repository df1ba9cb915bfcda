"""The public check page: no login, reached by the organization's short name in the
address (``/dagsverk/public/<organization>/check``), because the people it is for have no
account. A person types the receipt code they got at check-in and sees their ticket, group
and place; anyone can download the day's transcript and recompute the draw with
``scripts/check_draw.py``. It lists no names and no internal ids: only what the transcript
already publishes. Draws of version 1 named entrants by participant id and have no public
transcript; staff check them on the draw's own page.
"""
from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import NotFoundException
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.forms import parse_date as checked_date
from core.i18n import today
from core.models import Organization, ProgramDay
from core.web.handlers import get_or_404, page_get
from core.web.templating import render
from plugins.dagsverk_lottery import calendar as cal
from plugins.dagsverk_lottery import draws as draw_service
from plugins.dagsverk_lottery import transcript as transcript_service
from plugins.dagsverk_lottery.models import Draw

PLUGIN = "dagsverk_lottery"
PUBLIC = "/dagsverk/public/{org:str}"


def organization_session(db: Session, slug: str) -> Organization:
    """The organization named in the address, with the session scoped to it as a signed-in
    request's would be; 404 for one that does not exist or has not switched the plugin on."""
    org = db.scalars(select(Organization).where(Organization.slug == slug[:60])).first()
    if org is None or PLUGIN not in org.enabled_plugins:
        raise NotFoundException()
    db.info["organization_id"] = org.id
    return org


def public_path(org: Organization) -> str:
    return f"/dagsverk/public/{org.slug}/check"


@page_get(f"{PUBLIC}/check", opt={"public": True}, name="dagsverk.public_check")
def check_page(request: Request[Any, Any, Any], db: Session, org: str, date: str | None = None, code: str = "") -> Any:
    """A GET form: the code is in the address so the page works without a session (and so
    without a CSRF token); it finds a ticket the transcript publishes anyway."""
    organization = organization_session(db, org)
    try:
        day_date = checked_date(date) if date else today()
    except ValueError:
        day_date = today()
    site = cal.default_site(db)
    day = db.scalars(select(ProgramDay).where(ProgramDay.site_id == site.id, ProgramDay.date == day_date)).first() if site else None
    draw = draw_service.active_draw(db, day) if day is not None else None
    if draw is not None and not transcript_service.public(draw):
        draw = None
    code = code.strip()[:20]
    receipt = transcript_service.find_receipt(db, draw, code) if draw is not None and code else None
    status = 404 if code and draw is not None and receipt is None else 200
    return render(request, "dagsverk_lottery/public_check.html", status_code=status, organization=organization, date=day_date,
                  draw=draw, code=code, receipt=receipt, check_path=public_path(organization),
                  entered=draw_service.entrant_total(db, draw.id) if draw else 0)


@page_get(f"{PUBLIC}/draws/{{draw_id:int}}/transcript.json", opt={"public": True}, name="dagsverk.public_transcript")
def transcript_json(request: Request[Any, Any, Any], db: Session, org: str, draw_id: int) -> Response[Any]:
    organization_session(db, org)
    draw = get_or_404(db, Draw, draw_id)
    if not transcript_service.public(draw):
        raise NotFoundException()
    body = transcript_service.transcript(db, draw)
    name = f"draw-{body.date.isoformat()}-{draw.attempt}.json"
    return Response(body, headers={"Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{name}"'})


def route_handlers() -> list[Any]:
    return [check_page, transcript_json]

