"""The app's own request log, in place of the server's access log.

A server's access log writes the URL as requested: ``GET /participants?q=Ødegård`` names
whom someone looked for, and ``/participants/417/sensitive`` whose notes were opened. This
log writes the route's template instead (``/participants/{participant_id:int}/sensitive``),
the method, the status and the time taken: enough to see load and errors, nothing about
anyone. Run the server with its own access log off (``lavterskel serve`` does;
``uvicorn --no-access-log`` otherwise).

Each line is ``method route status duration`` for people, with the same values as fields
on the record (``extra``) for a structured handler.
"""
from __future__ import annotations

import logging
import time

from litestar.types import Message, Scope

log = logging.getLogger("lavterskel.request")

NO_ROUTE = "(no route)"


async def log_request(message: Message, scope: Scope) -> None:
    """``before_send`` hook: one line per HTTP response, when its status is known."""
    if message["type"] != "http.response.start" or scope.get("type") != "http" or not log.isEnabledFor(logging.INFO):
        return
    from core.web.middleware import _STARTED

    route = scope.get("path_template") or NO_ROUTE
    started = scope.get("state", {}).get(_STARTED)
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    status = int(message["status"])
    log.info(
        "%s %s %s %s", scope.get("method", "-"), route, status, f"{duration_ms} ms" if duration_ms is not None else "-",
        extra={"http_method": scope.get("method"), "route": route, "status": status, "duration_ms": duration_ms},
    )


__all__ = ["log_request"]
