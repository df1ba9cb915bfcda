"""The funders' numbers as two report tables, so that a copy made for sharing outside the
organization hides small groups by the core's rules, as the yearly report does.

A day's counts are small by nature (two people drawn by right, three turned away), and the
period's totals are their sums: without complementary suppression one hidden day would be
the total minus the days shown.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.contrib import ColumnsAddUp, Derived, ReportSection, RowsAddUp, Share
from core.i18n import lazy_gettext as _
from core.services.suppression import Hidden, suppress_small_groups
from plugins.dagsverk_lottery.numbers import PeriodNumbers

DAY_COUNTS = ("registered", "entered", "by_right", "by_lottery", "called_in", "worked", "turned_away")
"""The counts of people per day, in the table's order after the date and the places."""


@dataclass
class FundersTables:
    days: ReportSection
    """One row per open day and a total row: places, then :data:`DAY_COUNTS`."""
    people: ReportSection
    """Unique people, women, unique workers and the women's share, for the whole period."""
    shared: bool

    def total(self, name: str) -> Any:
        """A count's period total (a :class:`~core.services.suppression.Hidden` when shared and hidden)."""
        return self.days.rows[-1][2 + DAY_COUNTS.index(name)] if self.days.rows else 0

    def person(self, row: int) -> Any:
        return self.people.rows[row][1]


def funders_tables(n: PeriodNumbers, *, shared: bool = False) -> FundersTables:
    rows: list[list[Any]] = [[d.date, d.capacity, *(getattr(d, c) for c in DAY_COUNTS)] for d in n.days]
    if rows:
        places = [d.capacity for d in n.days if d.capacity is not None]
        rows.append([_("Total"), sum(places) if places else None, *(n.total(c) for c in DAY_COUNTS)])
    counts = tuple(range(2, 2 + len(DAY_COUNTS)))
    days = ReportSection(
        "dagsverk_funders_days", _("Per day"),
        [_("Day"), _("Places"), _("Registered"), _("Entered"), _("By right"), _("By lottery"), _("Called in"), _("Worked"),
         _("Turned away")],
        rows, people_columns=counts, total_row=True,
        # Down the days: the total row. Across a day: whoever registered got work (by right, in the lottery,
        # called in) or was turned away; a full draw gives out its places (published on the draw's screen, so never the cell hidden); those who got work worked. The last
        # two hold but for a draw with places to spare, a no-show or an extra shift: declaring a sum that does
        # not always hold only hides more, never less.
        sums=(RowsAddUp(columns=counts), ColumnsAddUp(total=2, parts=(4, 5, 6, 8)), ColumnsAddUp(total=1, parts=(4, 5), public_total=True),
              ColumnsAddUp(total=7, parts=(4, 5, 6))) if rows else ())
    people = ReportSection(
        "dagsverk_funders_people", _("Numbers for funders"), [_("Measure"), _("Number")],
        [[_("Unique people"), n.unique_people], [_("Women"), n.unique_women], [_("People who worked"), n.unique_workers],
         [_("Women's share of unique people"), Share(n.unique_women, n.unique_people)]],
        people_columns=(1,), derived=(Derived((3, 1), ((0, 1), (1, 1))),))
    if shared:
        days, people = suppress_small_groups(days), suppress_small_groups(people)
    return FundersTables(days, people, shared)


def as_json(value: Any) -> Any:
    """A cell for the API: a hidden figure is null (the response says it is shared)."""
    if isinstance(value, Hidden):
        return None
    if isinstance(value, Share):
        return None if value.whole == 0 else round(value.part / value.whole, 4)
    return value
