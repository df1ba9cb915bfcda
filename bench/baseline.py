"""The same-run baseline: a minimal endpoint on the same server, the same middleware and
the same database as the pages measured, so each page's figure is read as a ratio.

Registered as a plugin by ``bench/asgi.py`` only; never part of the product.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from core import hookimpl
from core.web.handlers import page_get

TABLES: tuple[str, ...] = ()


@page_get("/bench/baseline", opt={"permission": "dashboard.view"}, name="bench.baseline")
def baseline(db: Session) -> dict[str, Any]:
    return {"ok": db.execute(text("SELECT 1")).scalar_one()}


@hookimpl
def lavterskel_route_handlers() -> list[Any]:
    return [baseline]
