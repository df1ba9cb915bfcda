"""Render plugin panels one by one, so one broken plugin leaves the page standing."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from litestar import Request
from markupsafe import Markup

from core.contrib import Panel
from core.i18n import gettext as _
from core.services.disclosure import SecondFactorNeeded
from core.web.templating import reveal_for

log = logging.getLogger(__name__)


@dataclass
class RenderedPanel:
    title: str
    html: Markup
    error: bool
    plugin: str


def render_panels(request: Request[Any, Any, Any], hook_name: str, **kwargs: Any) -> list[RenderedPanel]:
    ctx = request.app.state["ctx"]
    user = request.scope["user"]
    collected: list[tuple[str, Panel]] = []
    out: list[RenderedPanel] = []
    for plugin, result, error in ctx.plugins.call_each(
        hook_name, user.organization.enabled_plugins, organization=user.organization, permissions=user.permissions, **kwargs
    ):
        if error is not None:
            out.append(RenderedPanel(_("Section unavailable"), _error_html(), True, plugin))
            continue
        collected.extend((plugin, p) for p in result or ())
    for plugin, panel in sorted(collected, key=lambda pp: pp[1].order):
        try:
            html = ctx.jinja.get_template(panel.template).render(request=request, user=user, reveal=reveal_for(request), **panel.context)
            out.append(RenderedPanel(str(panel.title), Markup(html), False, plugin))
        except SecondFactorNeeded:
            # Not a broken panel: the page shows special-category data and needs the code.
            raise
        except Exception:  # noqa: BLE001 - a template bug in one plugin must not take the page down
            log.exception("panel %s from %s failed to render", panel.template, plugin)
            out.append(RenderedPanel(str(panel.title), _error_html(), True, plugin))
    return out


def _error_html() -> Markup:
    return Markup('<p class="panel-error" role="alert">{}</p>').format(
        _("This section could not be shown because of an error. The error has been logged; the rest of the page works.")
    )
