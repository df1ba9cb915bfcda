"""Hiding small groups in a report that leaves the organization, so that no hidden figure
can be worked out again from the totals and the figures shown.

The rules, in the order they are applied to a :class:`~core.contrib.ReportSection`:

1. **Primary suppression.** A count of people (``people_columns``) from 1 to
   ``min_group - 1`` is hidden; so is a :class:`~core.contrib.Share` whose part, or whole
   minus part, is such a count.
2. **Figures about a small group.** When a row's ``group_column`` is hidden, its
   ``measure_columns`` (hours, pay, waiting times, relapses of that group) are hidden too.
3. **Complementary suppression**, repeated until nothing changes (a fixpoint):

   - every line of a declared sum (``sums``: a total and the cells it adds up) that holds
     exactly one hidden cell gets a second one: the smallest non-zero part still shown, so
     the least information is lost, preferring one that also lies on another line left
     with a single hidden cell (one cell then protects both); when every other part is zero or hidden, the total
     (or, for a hidden total, a zero part; a total declared public, such as a draw's
     published places, is never the one hidden). A line with two or more hidden cells
     gives the reader only their sum;
   - a row with one hidden measure hides its other measures (a row's pay is not left
     beside its hidden hours: a share of one could rebuild the other);
   - a ``derived`` cell (a share of counts shown elsewhere in the table) is hidden when
     one of its sources is.

   Each pass hides at least one more cell or stops, so it ends.

Every hidden cell reads the same, :class:`Hidden`, whether it is small or hidden to protect
a small one: a different mark would tell the reader which is which. Zero is never hidden
for being small (nobody is recognized in an empty group).

This is the simple iterative heuristic for one table at a time (every line with a single
suppressed cell gets a second one, the smallest, until none is left alone). It protects
against subtraction along the totals a section declares. It does not solve the linear
programs that would find the tightest bounds over several sections; a total shown in two
sections is the same number in both and is hidden by the same rule in both.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from core.contrib import ColumnsAddUp, ReportSection, RowsAddUp, Share
from core.i18n import gettext as _
from core.i18n import pgettext

MIN_GROUP = 5
"""The smallest group shown in a report marked for sharing."""

Cell = tuple[int, int]


@dataclass(frozen=True)
class Hidden:
    """A cell withheld from a shared report: a small group, or a figure from which one could
    be worked out."""

    min_group: int = MIN_GROUP

    def __str__(self) -> str:
        # i18n: the word in a report's cell whose figure is withheld for privacy.
        return pgettext("report cell", "hidden")


def _number(value: Any) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _small(value: Any, min_group: int) -> bool:
    return _number(value) and 0 < value < min_group


def _sum_lines(section: ReportSection, height: int) -> Iterator[tuple[Cell, list[Cell], bool]]:
    """Each line of each declared sum: its total cell, the cells it adds up, and whether the total is public."""
    for s in section.sums:
        if isinstance(s, RowsAddUp):
            total = s.total % height if -height <= s.total < height else None
            if total is None:
                continue
            parts = [p % height for p in s.parts if -height <= p < height] if s.parts else [r for r in range(height) if r != total]
            for c in s.columns:
                yield (total, c), [(p, c) for p in parts], s.public_total
        elif isinstance(s, ColumnsAddUp):
            for r in (s.rows or range(height)):
                if -height <= r < height:
                    yield (r % height, s.total), [(r % height, p) for p in s.parts], s.public_total


def suppress_small_groups(section: ReportSection, min_group: int = MIN_GROUP) -> ReportSection:
    """The section as it may leave the organization: small groups hidden, with what is
    about them and enough other cells that none can be recomputed (see the module's rules)."""
    rows = section.rows
    height = len(rows)

    def value(cell: Cell) -> Any:
        r, c = cell
        return rows[r][c] if c < len(rows[r]) else None

    hidden: set[Cell] = set()
    # 1. Primary: small counts of people, and shares built on a small group.
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if c in section.people_columns and _small(v, min_group):
                hidden.add((r, c))
            elif isinstance(v, Share) and (_small(v.part, min_group) or _small(v.whole - v.part, min_group)):
                hidden.add((r, c))

    group = section.group_column
    measures = section.measure_columns or tuple(c for c in range(1, len(section.columns)) if c != group)

    def figure(cell: Cell) -> bool:
        v = value(cell)
        return _number(v) or isinstance(v, Share)

    lines = list(_sum_lines(section, height))
    lines_of: dict[Cell, list[int]] = {}
    for i, (total, parts, _public) in enumerate(lines):
        for cell in (total, *parts):
            lines_of.setdefault(cell, []).append(i)

    def alone(i: int) -> bool:
        """Whether line ``i`` holds exactly one hidden cell (a public total counts as shown)."""
        total, parts, public = lines[i]
        cells = [c for c in ((*parts,) if public else (total, *parts)) if _number(value(c))]
        return len(cells) >= 2 and sum(c in hidden for c in cells) == 1

    derived = [((d.cell[0] % height, d.cell[1]), [(r % height, c) for r, c in d.sources])
               for d in section.derived if height and all(-height <= r < height for r, _c in (d.cell, *d.sources))]

    changed = True
    while changed:
        before = len(hidden)
        if group is not None:
            for r in range(height):
                # 2. A small group takes its figures with it; and a row's measures go together.
                if (r, group) in hidden or any((r, c) in hidden for c in measures):
                    hidden.update((r, c) for c in measures if figure((r, c)))
        for cell, sources in derived:
            if any(s in hidden for s in sources) and figure(cell):
                hidden.add(cell)
        for i, (total, parts, public) in enumerate(lines):
            # 3. A sum with exactly one hidden cell gives it away: hide a second one.
            if not alone(i):
                continue
            shown_parts = [c for c in parts if _number(value(c)) and c not in hidden]
            # The smallest, but first one that also protects another line left with one hidden cell:
            # one cell then does the work of two, and less is hidden in all.
            nonzero = sorted((c for c in shown_parts if value(c) != 0),
                             key=lambda c: (not any(alone(j) for j in lines_of[c] if j != i), value(c), c))
            if nonzero:
                hidden.add(nonzero[0])
            elif not public and _number(value(total)) and total not in hidden:
                hidden.add(total)
            elif shown_parts:
                hidden.add(shown_parts[0])
        changed = len(hidden) > before

    out = [[Hidden(min_group) if (r, c) in hidden else v for c, v in enumerate(row)] for r, row in enumerate(rows)]
    return replace(section, rows=out)


def has_hidden(section: ReportSection) -> bool:
    """Whether any cell of the section is hidden: the page then explains what that means."""
    return any(isinstance(v, Hidden) for row in section.rows for v in row)


def is_hidden(value: Any) -> bool:
    return isinstance(value, Hidden)


def hidden_note(min_group: int = MIN_GROUP) -> str:
    """The line under a table with hidden cells: what a hidden cell may be, in words (the
    mark in the cell is a word too, never a colour alone)."""
    return _("Hidden: a group of fewer than %(n)s people, or a figure from which such a group could be worked out "
             "from the totals. Every hidden cell reads the same, so none tells which is which.", n=min_group)
