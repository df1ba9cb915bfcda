"""The yearly report: sections from the core and every enabled plugin, small groups
hidden when the report leaves the organization (:mod:`core.services.suppression`), and
each section as CSV and as a chart.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, overload

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from core.contrib import PayableWork, ReportSection, Share
from core.i18n import format_decimal_plain, format_number, gettext as _
from core.plugins import Plugins
from core.services.suppression import MIN_GROUP, Hidden, suppress_small_groups

log = logging.getLogger(__name__)


@dataclass
class Report:
    organization: Any
    start: dt.date
    end: dt.date
    shared: bool
    sections: list[ReportSection]
    failed: list[str]
    """Plugins whose sections could not be made (shown on the page, and logged)."""
    min_group: int = MIN_GROUP
    """In a shared report, the smallest group shown (the page says so)."""


class month_of(FunctionElement[str]):  # noqa: N801 - used like a SQL function
    """The month of a date column as ``YYYY-MM`` text, to count by month in the database
    (``GROUP BY``; the text sorts in time order); :func:`month_start` turns it back into a date.

    On SQLite dates are ISO text, so the month is the first seven characters: far cheaper
    per row than ``strftime``. On PostgreSQL it is ``to_char``.
    """

    type = String()
    name = "month_of"
    inherit_cache = True


@compiles(month_of)
def _month_of_postgresql(element: month_of, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


@compiles(month_of, "sqlite")
def _month_of_sqlite(element: month_of, compiler: Any, **kw: Any) -> str:
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 7)"


def month_start(month: str) -> dt.date:
    """The first day of a month given as ``YYYY-MM`` (what :class:`month_of` returns)."""
    return dt.date(int(month[:4]), int(month[5:7]), 1)


class PeriodWork(Sequence[PayableWork]):
    """The period's payable work: what every enabled plugin's ``lavterskel_payable_work``
    returns, asked the first time a section looks at it and only once per report, so a
    section that does not use it costs nothing and every section sees the same list.

    :meth:`without` leaves some plugins' work out without asking them at all: the core's
    people count already has every shift from its own query, so it needs only the work
    that other plugins add (Nyttig Arbeid's timesheets).
    """

    def __init__(self, caller: Any, **kwargs: Any) -> None:
        # In pluggy's calling order (the last registered first), as the hook's caller would return them.
        self._impls = [(impl.plugin_name, impl.function, {k: kwargs[k] for k in impl.argnames})
                       for impl in reversed(caller.get_hookimpls())]
        self._batches: dict[str, list[PayableWork]] = {}

    def _batch(self, plugin: str, function: Callable[..., Iterable[PayableWork] | None], args: dict[str, Any]) -> list[PayableWork]:
        batch = self._batches.get(plugin)
        if batch is None:  # one that raises raises again for the next section: never a silently empty list
            batch = self._batches[plugin] = list(function(**args) or ())
        return batch

    def without(self, *plugins: str) -> Iterator[PayableWork]:
        """The work of every plugin except those named (by plugin name, as pluggy knows them)."""
        for plugin, function, args in self._impls:
            if plugin not in plugins:
                yield from self._batch(plugin, function, args)

    def _all(self) -> list[PayableWork]:
        return [w for plugin, function, args in self._impls for w in self._batch(plugin, function, args)]

    @overload
    def __getitem__(self, index: int) -> PayableWork: ...
    @overload
    def __getitem__(self, index: slice) -> list[PayableWork]: ...
    def __getitem__(self, index: int | slice) -> PayableWork | list[PayableWork]:
        return self._all()[index]

    def __len__(self) -> int:
        return sum(len(self._batch(*impl)) for impl in self._impls)

    def __iter__(self) -> Iterator[PayableWork]:
        return self.without()


def build_report(
    db: Any, plugins: Plugins, organization: Any, start: dt.date, end: dt.date, *, shared: bool = False, min_group: int = MIN_GROUP
) -> Report:
    sections: list[ReportSection] = []
    failed: list[str] = []
    work = PeriodWork(plugins.for_organization("lavterskel_payable_work", organization.enabled_plugins),
                      db=db, organization=organization, start=start, end=end)
    for plugin, result, error in plugins.call_each(
        "lavterskel_report_sections", organization.enabled_plugins, db=db, organization=organization, start=start, end=end, work=work
    ):
        if error is not None:
            failed.append(plugin)
            continue
        sections.extend(result or ())
    sections.sort(key=lambda s: (s.order, s.key))
    if shared:
        sections = [suppress_small_groups(s, min_group) for s in sections]
    return Report(organization, start, end, shared, sections, failed, min_group)


def cell_text(value: Any) -> str:
    """A cell as plain text, in the current locale (also used by the CSV)."""
    if value is None:
        return ""
    if isinstance(value, Share):
        if value.whole == 0:
            return "—"
        return format_decimal_plain(Decimal(value.part * 100) / Decimal(value.whole), "0.0") + " %"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if type(value) is int:
        return format_number(value)  # Babel's default pattern, without re-reading the locale per cell
    if isinstance(value, Decimal) and value.as_tuple().exponent == -2:
        return format_decimal_plain(value, "#,##0.00")  # kroner and øre (or hours to the hundredth): keep both digits
    if isinstance(value, (int, Decimal)):
        return format_decimal_plain(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def section_csv(section: ReportSection) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")  # semicolon: what Excel in Norway opens
    writer.writerow([str(c) for c in section.columns])
    for row in section.rows:
        # Guard against formula injection: a cell starting with = + - @ is made literal.
        writer.writerow([("'" + t) if t[:1] in "=+-@" and not re.fullmatch(r"-?[\d\s.,]+", t) else t for t in map(_csv_cell, row)])
    return buf.getvalue()


def _csv_cell(value: Any) -> str:
    if isinstance(value, Share):
        return "" if value.whole == 0 else str((Decimal(value.part * 100) / Decimal(value.whole)).quantize(Decimal("0.1")))
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    return cell_text(value)


def _number(value: Any) -> float | None:
    # Charts are pictures: pygal needs floats. Money and counts stay exact in tables and CSV.
    if isinstance(value, bool) or value is None or isinstance(value, Hidden):
        return None
    if isinstance(value, (int, Decimal)):
        return float(value)
    if isinstance(value, Share):
        return None if value.whole == 0 else float(Decimal(value.part * 100) / Decimal(value.whole))
    return None


def _pygal() -> Any:
    import sys

    import pygal

    # pygal installs an old-style import hook (for its optional map plugins, unused here)
    # that lacks find_spec; Python then warns on every later import. Take it out again.
    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]
    return pygal


def chart_svg(section: ReportSection) -> str | None:
    """The section as a standalone SVG picture, or None when it has no chart."""
    rows = section.rows[:-1] if section.total_row else section.rows
    if not section.chart or not rows:
        return None
    pygal = _pygal()
    from pygal.style import Style

    style = Style(
        background="#ffffff", plot_background="#ffffff", foreground="#1b1f23", foreground_strong="#1b1f23",
        foreground_subtle="#4a5560", colors=("#0b5a3c", "#8a4b00", "#0a4a8c", "#6b2d80", "#a4161a"),
        font_family="system-ui, sans-serif", label_font_size=13, major_label_font_size=13, legend_font_size=13, title_font_size=16,
    )
    kind = {"bar": pygal.Bar, "line": pygal.Line, "funnel": pygal.HorizontalBar}.get(section.chart, pygal.Bar)
    chart = kind(js=[], style=style, width=760, height=360, disable_xml_declaration=True, show_legend=True,
                 legend_at_bottom=True, print_values=section.chart == "funnel", truncate_label=-1, x_label_rotation=0)
    columns = section.chart_columns or tuple(
        i for i in range(1, len(section.columns)) if any(_number(r[i]) is not None for r in rows if i < len(r))
    )
    labels = [cell_text(r[0]) for r in rows]
    if section.chart == "funnel":
        labels = list(reversed(labels))
    chart.x_labels = labels
    for i in columns:
        values = [_number(r[i]) if i < len(r) else None for r in rows]
        chart.add(str(section.columns[i]), list(reversed(values)) if section.chart == "funnel" else values)
    svg = chart.render(is_unicode=True)
    # pygal adds a config script even with js=[]; a picture needs none, and none may run.
    return re.sub(r"<script.*?</script>", "", svg, flags=re.S)
