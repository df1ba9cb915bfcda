"""The yearly report: a page with charts and tables, CSV per section, a printable page."""
from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from litestar import Controller, Request, Response
from litestar.exceptions import NotFoundException
from sqlalchemy.orm import Session

from core.forms import Field, FormError, validate
from core.i18n import gettext as _
from core.i18n import current_locale, today
from core.services.reports import Report, build_report, cell_text, chart_svg, section_csv
from core.services.suppression import has_hidden, hidden_note, is_hidden
from core.web.context import app_context, current_user
from core.web.handlers import page_get
from core.web.templating import render

STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"

PERM = {"permission": "reports.view"}
# A chart is a picture loaded by <img>: it needs its inline styles and must run nothing.
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _period(request: Request[Any, Any, Any]) -> tuple[dt.date, dt.date, bool]:
    params = dict(request.query_params)
    end_default = today()
    start_default = dt.date(end_default.year - 1, end_default.month, end_default.day) + dt.timedelta(days=1) if not (
        end_default.month == 2 and end_default.day == 29) else dt.date(end_default.year - 1, 3, 1)
    clean = validate(
        [Field("start", kind="date"), Field("end", kind="date"), Field("shared", kind="bool")],
        {k: params.get(k) for k in ("start", "end", "shared")},
    )
    start, end = clean["start"] or start_default, clean["end"] or end_default
    if end < start:
        raise FormError({"end": _("The end date is before the start date.")})
    if (end - start).days > 366 * 10:
        raise FormError({"start": _("A report covers at most ten years.")})
    return start, end, bool(clean["shared"])


def _report(request: Request[Any, Any, Any], db: Session) -> Report:
    start, end, shared = _period(request)
    report = build_report(db, app_context(request).plugins, current_user(request).organization, start, end, shared=shared)
    _shown.put(_shown_key(request, report.start, report.end, report.shared), report)
    return report


def _shown_key(request: Request[Any, Any, Any], start: dt.date, end: dt.date, shared: bool) -> tuple[Any, ...]:
    return current_user(request).organization.id, start, end, shared, current_locale()


class _ShownReports:
    """The reports this process built in the last minute, for the charts of their page.

    A report page shows five to ten charts, each an image the browser asks for right after
    the page; rebuilding the whole report for each made a page view cost ten reports. A
    chart is drawn from the report its page was built from (same organization, period,
    sharing mode and language), so the pictures always match the tables beside them. CSV,
    print and PDF are built anew: they are asked for later, after data may have changed.
    """

    def __init__(self, seconds: float = 60.0, size: int = 32) -> None:
        self.seconds, self.size = seconds, size
        self._items: OrderedDict[tuple[Any, ...], tuple[float, Report]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, key: tuple[Any, ...], report: Report) -> None:
        with self._lock:
            self._items[key] = (time.monotonic(), report)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get(self, key: tuple[Any, ...]) -> Report | None:
        with self._lock:
            item = self._items.get(key)
        if item is None or time.monotonic() - item[0] > self.seconds:
            return None
        return item[1]


_shown = _ShownReports()


def _report_for_chart(request: Request[Any, Any, Any], db: Session) -> Report:
    start, end, shared = _period(request)
    return _shown.get(_shown_key(request, start, end, shared)) or _report(request, db)


def _print_html(request: Request[Any, Any, Any], report: Report, query: str) -> str:
    ctx = app_context(request)
    return ctx.jinja.get_template("reports/print.html").render(
        report=report, organization=current_user(request).organization, query=query, **_cells()
    )


def _cells() -> dict[str, Any]:
    """What the report's templates need to write a cell, and to explain a hidden one."""
    return {"cell_text": cell_text, "is_hidden": is_hidden, "has_hidden": has_hidden, "hidden_note": hidden_note}


def _query(report: Report) -> str:
    return f"start={report.start.isoformat()}&end={report.end.isoformat()}" + ("&shared=1" if report.shared else "")


def own_assets_fetcher(report: Report) -> Any:
    """A URL fetcher for WeasyPrint that serves only our stylesheet and the report's charts,
    made in-process: nothing is read from elsewhere on disk or from the network."""
    from urllib.parse import urlsplit

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    charts = {s.key: s for s in report.sections}
    static = STATIC_DIR.resolve()

    class OwnAssets(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "lavterskel":
                if parts.path.startswith("/static/"):
                    path = (static / parts.path.removeprefix("/static/")).resolve()
                    if path.is_relative_to(static) and path.is_file():
                        kind = "text/css" if path.suffix == ".css" else "application/octet-stream"
                        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
                if parts.path.startswith("/reports/chart/"):
                    section = charts.get(parts.path.removeprefix("/reports/chart/"))
                    svg = chart_svg(section) if section is not None else None
                    if svg is not None:
                        return URLFetcherResponse(url, svg.encode(), {"Content-Type": "image/svg+xml"})
            raise ValueError("only the app's own assets may be fetched")

    return OwnAssets()


def report_pdf(html: str, report: Report) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url="lavterskel://app/", url_fetcher=own_assets_fetcher(report)).write_pdf()


class ReportsController(Controller):
    path = "/reports"

    @page_get("/", opt=PERM, name="reports")
    def report_page(self, request: Request[Any, Any, Any], db: Session) -> Any:
        try:
            report = _report(request, db)
        except FormError as exc:
            end = today()
            return render(request, "reports/report.html", status_code=400, report=None, errors=exc.errors,
                          start=end - dt.timedelta(days=364), end=end, shared=False, query="", **_cells())
        query = _query(report)
        return render(request, "reports/report.html", report=report, errors={}, start=report.start, end=report.end,
                      shared=report.shared, query=query, **_cells())

    @page_get("/print", opt=PERM, name="reports.print")
    def print_page(self, request: Request[Any, Any, Any], db: Session) -> Response[str]:
        report = _report(request, db)
        return Response(_print_html(request, report, _query(report)), media_type="text/html; charset=utf-8")

    @page_get("/pdf", opt=PERM, name="reports.pdf")
    def pdf(self, request: Request[Any, Any, Any], db: Session) -> Response[bytes]:
        report = _report(request, db)
        data = report_pdf(_print_html(request, report, _query(report)), report)
        filename = f"report-{report.start.isoformat()}-{report.end.isoformat()}.pdf"
        return Response(data, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    @page_get("/csv/{key:str}", opt=PERM, name="reports.csv")
    def csv(self, request: Request[Any, Any, Any], db: Session, key: str) -> Response[str]:
        report = _report(request, db)
        section = next((s for s in report.sections if s.key == key), None)
        if section is None:
            raise NotFoundException()
        filename = f"{key}-{report.start.isoformat()}-{report.end.isoformat()}.csv"
        return Response(
            "\ufeff" + section_csv(section),  # BOM: Excel then reads æøå correctly
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @page_get("/chart/{key:str}", opt=PERM, name="reports.chart")
    def chart(self, request: Request[Any, Any, Any], db: Session, key: str) -> Response[str]:
        report = _report_for_chart(request, db)
        section = next((s for s in report.sections if s.key == key), None)
        svg = chart_svg(section) if section is not None else None
        if svg is None:
            raise NotFoundException()
        return Response(svg, media_type="image/svg+xml", headers={"Content-Security-Policy": CHART_CSP})
