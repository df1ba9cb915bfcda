"""The small value types plugins hand to the core through hooks."""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NavItem:
    label: Any
    """A lazy translatable string (``core.i18n.lazy_gettext``)."""
    path: str
    order: int = 100
    permission: str | None = None


@dataclass
class Panel:
    """A section of a page. ``template`` is rendered with ``context`` plus the page's own."""

    title: Any
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100
    error: bool = False
    """Set by the core when the implementation raised; the template shows a notice instead."""


@dataclass(frozen=True)
class PermissionDef:
    name: str
    label: Any
    roles: tuple[str, ...]
    """Roles that hold it by default."""
    sensitive: bool = False
    """It reaches special-category data (health, substance use...): an organization can
    require a second factor before it is used, and the access log must record its use."""


@dataclass(frozen=True)
class SettingDef:
    key: str
    label: Any
    default: Any
    kind: str = "str"
    """One of ``str``, ``int``, ``decimal``, ``bool``, ``time``; values are validated by kind."""
    dated: bool = False
    """A dated setting keeps its history: capacity, rates."""

    def __post_init__(self) -> None:
        if self.kind not in {"str", "int", "decimal", "bool", "time"}:
            raise ValueError(f"setting {self.key}: unknown kind {self.kind!r}")


@dataclass(frozen=True)
class Share:
    """A proportion shown as a percentage; hidden in a shared report when either part of
    the whole is a group small enough to recognize someone by."""

    part: int
    whole: int


@dataclass(frozen=True)
class RowsAddUp:
    """In each of ``columns``, row ``total`` is the sum of rows ``parts`` (of every other row
    when ``parts`` is empty): a reader of a shared report can subtract along each such column.

    Row indices may be negative, counted from the end: ``-1`` is a total row at the bottom,
    which suits tables with one row per month.
    """

    columns: tuple[int, ...]
    total: int = -1
    parts: tuple[int, ...] = ()
    public_total: bool = False
    """The total is known outside the report anyway (a draw's places are published): hiding
    it protects nothing, so a second hidden cell is always taken from the parts."""


@dataclass(frozen=True)
class ColumnsAddUp:
    """In each row (or each of ``rows``), column ``total`` is the sum of columns ``parts``."""

    total: int
    parts: tuple[int, ...]
    rows: tuple[int, ...] = ()
    public_total: bool = False
    """As for :class:`RowsAddUp`: the total is known anyway, protect with the parts."""


@dataclass(frozen=True)
class Derived:
    """The cell ``cell`` (``(row, column)``, rows may count from the end) is computed from the
    cells ``sources``, as a share is from its part and whole: hidden whenever one of them is."""

    cell: tuple[int, int]
    sources: tuple[tuple[int, int], ...]


@dataclass
class ReportSection:
    """One section of the yearly report: a table, and how to chart it.

    Cells are text, ints, Decimals or :class:`Share`. In a report marked for sharing
    outside the organization, counts in ``people_columns`` below the minimum group size
    are hidden, and so is any :class:`Share` built on such a group; the figures about a
    small group (``measure_columns`` of its row) go with it; and enough other cells are
    hidden that none of these can be worked out again from the totals the section
    declares in ``sums`` (see :func:`core.services.suppression.suppress_small_groups`).
    A section that shows a total must declare it, or a hidden cell is a subtraction away.
    """

    key: str
    """Unique within the report; used in URLs (``[a-z0-9_]``)."""
    title: Any
    columns: list[Any]
    rows: list[list[Any]]
    order: int = 100
    chart: str | None = None
    """Chart type for the server-rendered chart: ``bar``, ``line``, ``funnel`` or None."""
    chart_columns: tuple[int, ...] = ()
    """Which columns are plotted (the first column is the x label); default all numeric ones."""
    people_columns: tuple[int, ...] = ()
    """Columns that count people: small numbers in them are hidden when sharing."""
    group_column: int | None = None
    """The people column that says whom a row's figures in ``measure_columns`` are about
    (people paid, people who worked, people who relapsed): when it is small, those figures
    are hidden with it when sharing."""
    measure_columns: tuple[int, ...] = ()
    """Figures about the group counted in ``group_column`` of the same row: its hours, pay,
    waiting times, number of relapses. Hidden with a small group, and with each other (the
    pay of a row is not left beside its hidden hours). Empty with a ``group_column``: every
    column but the first and the group's own."""
    sums: tuple[RowsAddUp | ColumnsAddUp, ...] = ()
    """Every total the table shows, as what it is the sum of."""
    derived: tuple[Derived, ...] = ()
    """Cells computed from other cells of the table (a share of a count shown above)."""
    description: Any = None
    """One sentence saying what is counted, shown under the title and used as the chart's text alternative."""
    total_row: bool = False
    """The last row is a total: kept in the table and the CSV, left out of the chart (it would dwarf the rest).
    Say in ``sums`` which of its cells add up the rows above."""

    def __post_init__(self) -> None:
        width = len(self.columns)
        named = [*self.people_columns, *self.measure_columns, *self.chart_columns,
                 *(() if self.group_column is None else (self.group_column,))]
        for s in self.sums:
            named += [*s.columns] if isinstance(s, RowsAddUp) else [s.total, *s.parts]
        named += [c for d in self.derived for _row, c in (d.cell, *d.sources)]
        if any(not 0 < c < width for c in named):
            raise ValueError(f"report section {self.key}: a declared column is not one of its {width} columns (0 is the label)")


@dataclass(frozen=True, slots=True)
class PayableWork:
    """One piece of work that may earn pay: a worked day or some approved hours."""

    participant_id: int
    date: dt.date
    kind: str
    """``day`` (a worked shift) or ``hours`` (approved timesheet hours)."""
    source: str
    """Where it comes from, as ``<kind>:<id>`` (``shift:12``, ``nyttig_timesheet:5``)."""
    hours: Decimal | None = None
    outcome: str = "worked"
    """For days: the shift's outcome (``worked``, ``left_early``, ``sent_home``)."""


@dataclass
class DemoContext:
    rng: random.Random
    today: dt.date
    staff: dict[str, list[Any]] = field(default_factory=dict)
    """Staff users by role."""
    site: Any = None


@dataclass(frozen=True, slots=True)
class PayQuote:
    """What a pay rule says one piece of work is worth, before benefit status is applied."""

    quantity: Decimal
    """Days or hours as paid, after the rule's rounding."""
    rate_ore: int
    """Pay per unit in øre."""
    amount_ore: int
    """``quantity * rate``, rounded to whole øre (half up)."""
    unit: str = "day"
    """``day`` or ``hour``; shown on pay lines and payslips."""
    note: Any = ""
    """Plain words on how the amount came about (rounding of hours, for instance)."""


@dataclass(frozen=True)
class PayRule:
    """A way of turning work into pay, offered through ``lavterskel_pay_rules``.

    An organization chooses its rules by key in the ``payroll.rules`` setting; the first
    chosen rule whose ``kinds`` holds a piece of work's kind prices it.
    """

    key: str
    label: Any
    kinds: tuple[str, ...]
    """Which :class:`PayableWork` kinds it prices (``day``, ``hours``...)."""
    price: Callable[[PayableWork, Callable[[str, dt.date], Any]], PayQuote | None]
    """``price(work, setting)`` where ``setting(key, day)`` is a setting's value in force on
    ``day``. Returns None when the work earns nothing under this rule (the reason is shown)."""
    tax_free: bool = False
    counts_against_benefits: bool = True
    """False for pay that by law is neither taxed nor deducted from benefits or social
    assistance (Dagsverket's day wage): it never counts toward the social-assistance cap."""
    description: Any = ""


@dataclass(frozen=True)
class PayMarker:
    """A short, non-sensitive note about a person's pay that other pages may show next to
    their name before anyone plans work or pay ("Unpaid (AAP)", "Pay held")."""

    participant_id: int
    code: str
    """``unpaid``, ``held`` or ``capped``."""
    label: Any
