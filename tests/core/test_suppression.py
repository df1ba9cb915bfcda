"""Complementary suppression on tables built to be attacked: one small cell beside a shown
total, and (with Hypothesis) any table with row and column totals."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.contrib import ColumnsAddUp, Derived, ReportSection, RowsAddUp, Share
from core.services.suppression import Hidden, has_hidden, suppress_small_groups

MIN = 5


def _lines(section: ReportSection) -> list[list[tuple[int, int]]]:
    """Every declared sum as the list of its cells, total first (what an attacker subtracts along)."""
    n = len(section.rows)
    out = []
    for s in section.sums:
        if isinstance(s, RowsAddUp):
            total = s.total % n
            parts = [p % n for p in s.parts] or [r for r in range(n) if r != total]
            out += [[(total, c), *((p, c) for p in parts)] for c in s.columns]
        else:
            out += [[(r, s.total), *((r, p) for p in s.parts)] for r in (s.rows or range(n))]
    return out


def _hidden(rows: list[list[Any]], cell: tuple[int, int]) -> bool:
    return isinstance(rows[cell[0]][cell[1]], Hidden)


def test_one_hidden_age_group_beside_a_shown_total_cannot_be_recomputed():
    rows = [["Under 30", 12], ["30–39", 3], ["40–49", 9], ["50–59", 0], ["60 and over", 7], ["Total", 31]]
    section = ReportSection("ages", "Ages", ["Age", "People"], rows, people_columns=(1,), total_row=True,
                            sums=(RowsAddUp(columns=(1,)),))
    out = suppress_small_groups(section, MIN).rows
    assert isinstance(out[1][1], Hidden)  # three people: hidden for being few
    assert isinstance(out[4][1], Hidden)  # seven: the smallest other non-zero group, hidden to protect the three
    assert [r[1] for r in out if not isinstance(r[1], Hidden)] == [12, 9, 0, 31]
    # The attack: the total minus what is shown is the sum of two hidden groups, never one of them.
    rest = out[-1][1] - sum(r[1] for r in out[:-1] if not isinstance(r[1], Hidden))
    assert rest == 10 and all(rest != rows[i][1] for i in (1, 4))


def test_women_share_goes_with_the_hidden_women():
    rows = [["Unique people", 28], ["New people", 6], ["Women", 6], ["Men", 20], ["Other", 2], ["Women's share", Share(6, 28)]]
    section = ReportSection("people", "People", ["Measure", "Number"], rows, people_columns=(1,),
                            sums=(RowsAddUp(columns=(1,), total=0, parts=(2, 3, 4)),), derived=(Derived((5, 1), ((2, 1), (0, 1))),))
    out = suppress_small_groups(section, MIN).rows
    # Other (2) is few; women (6) are the smallest other group, so 28 - 20 does not give the two back.
    assert [isinstance(out[i][1], Hidden) for i in range(6)] == [False, False, True, False, True, True]


def test_hours_and_relapses_of_a_group_under_five_are_hidden_and_go_together():
    rows = [["Jan", 10, Decimal("52.50"), 4], ["Feb", 30, Decimal("181.00"), 9], ["Mar", 25, Decimal("140.00"), 8],
            ["Total", 65, Decimal("373.50"), 12]]
    section = ReportSection("hours", "Hours", ["Month", "Days", "Hours", "People"], rows, people_columns=(3,), group_column=3,
                            measure_columns=(1, 2), total_row=True, sums=(RowsAddUp(columns=(1, 2)),))
    out = suppress_small_groups(section, MIN).rows
    assert all(isinstance(c, Hidden) for c in out[0][1:])  # four people: their days and hours too
    # March is the smallest other month: its days and hours go together, its people stay (not a sum).
    assert isinstance(out[2][1], Hidden) and isinstance(out[2][2], Hidden) and out[2][3] == 8
    assert out[1][1:] == [30, Decimal("181.00"), 9] and out[3][1:] == [65, Decimal("373.50"), 12]
    relapses = ReportSection("moves", "Moves", ["Move", "Moves", "People"], [["Relapse", 7, 3], ["Next step", 40, 22]],
                             people_columns=(1, 2), group_column=2, measure_columns=(1,))
    assert [type(c) for c in suppress_small_groups(relapses, MIN).rows[0][1:]] == [Hidden, Hidden]


def test_a_lone_hidden_part_with_only_zeros_beside_it_hides_the_total():
    section = ReportSection("x", "X", ["", "People"], [["a", 3], ["b", 0], ["Total", 3]], people_columns=(1,),
                            sums=(RowsAddUp(columns=(1,)),))
    out = suppress_small_groups(section, MIN).rows
    assert isinstance(out[0][1], Hidden) and out[1][1] == 0 and isinstance(out[2][1], Hidden)


def test_a_public_total_is_never_the_cell_hidden():
    """A draw's places are on the screen for everyone: one place, given by right, none in the lottery."""
    section = ReportSection("d", "D", ["Day", "Places", "By right", "By lottery"], [["Mon", 1, 1, 0]], people_columns=(2, 3),
                            sums=(ColumnsAddUp(total=1, parts=(2, 3), public_total=True),))
    assert suppress_small_groups(section, MIN).rows == [["Mon", 1, Hidden(MIN), Hidden(MIN)]]


def test_one_cell_that_protects_two_sums_is_preferred_to_the_smallest():
    """A day at Dagsverket: 40 registered = 4 by right + 19 by lottery + 17 turned away, and the
    23 published places = by right + by lottery. Hiding the lottery protects both sums; hiding
    the smaller turned-away count would protect one and still need the lottery for the other."""
    section = ReportSection("d", "D", ["Day", "Places", "Registered", "By right", "By lottery", "Turned away"],
                            [["Mon", 23, 40, 4, 19, 17]], people_columns=(2, 3, 4, 5),
                            sums=(ColumnsAddUp(total=2, parts=(3, 4, 5)), ColumnsAddUp(total=1, parts=(3, 4), public_total=True)))
    assert suppress_small_groups(section, MIN).rows == [["Mon", 23, 40, Hidden(MIN), Hidden(MIN), 17]]


def test_a_declaration_outside_the_table_is_refused():
    with pytest.raises(ValueError):
        ReportSection("x", "X", ["", "People"], [], people_columns=(1,), sums=(RowsAddUp(columns=(2,)),))


# Counts skewed toward small groups, where suppression has work to do.
counts = st.one_of(st.integers(0, 6), st.integers(0, 60))


@st.composite
def tables(draw: Any) -> ReportSection:
    """A table of counts with a total column, a total row and a grand total, every cell a count of people."""
    height, width = draw(st.integers(1, 6)), draw(st.integers(1, 5))
    body = [[draw(counts) for _c in range(width)] for _r in range(height)]
    body = [[*r, sum(r)] for r in body]
    body.append([sum(col) for col in zip(*body)])
    columns = ["label", *(f"c{i}" for i in range(1, width + 2))]
    rows = [[f"r{i}", *r] for i, r in enumerate(body)]
    return ReportSection("t", "T", columns, rows, people_columns=tuple(range(1, width + 2)), total_row=True,
                         sums=(RowsAddUp(columns=tuple(range(1, width + 2))), ColumnsAddUp(total=width + 1, parts=tuple(range(1, width + 1)))))


@settings(max_examples=400, deadline=None)
@given(tables())
def test_no_sum_is_left_with_exactly_one_hidden_cell(section):
    out = suppress_small_groups(section, MIN).rows
    for line in _lines(section):
        assert sum(_hidden(out, c) for c in line) != 1, line
    for r, row in enumerate(section.rows):
        for c, v in enumerate(row):
            if c and 0 < v < MIN:
                assert _hidden(out, (r, c))  # every small group hidden
            if not _hidden(out, (r, c)):
                assert out[r][c] == v  # and nothing shown is changed


@st.composite
def monthly(draw: Any) -> ReportSection:
    """Months with days, hours and a group of people, a total row whose days and hours add up."""
    months = draw(st.lists(st.tuples(counts, st.integers(0, 400), counts), min_size=1, max_size=8))
    rows: list[list[Any]] = [[f"m{i}", d, Decimal(h) / 2, p] for i, (d, h, p) in enumerate(months)]
    rows.append(["Total", sum(r[1] for r in rows), sum(r[2] for r in rows), max(r[3] for r in rows)])
    return ReportSection("w", "W", ["Month", "Days", "Hours", "People"], rows, people_columns=(3,), group_column=3,
                         measure_columns=(1, 2), total_row=True, sums=(RowsAddUp(columns=(1, 2)),))


@settings(max_examples=300, deadline=None)
@given(monthly())
def test_figures_about_a_small_group_are_hidden_and_not_recomputable(section):
    out = suppress_small_groups(section, MIN).rows
    for r, row in enumerate(section.rows):
        if 0 < row[3] < MIN:
            assert _hidden(out, (r, 1)) and _hidden(out, (r, 2))
        assert _hidden(out, (r, 1)) == _hidden(out, (r, 2))  # a row's measures go together
    for line in _lines(section):
        assert sum(_hidden(out, c) for c in line) != 1, line
    assert has_hidden(suppress_small_groups(section, MIN)) == any(_hidden(out, (r, c)) for r in range(len(out)) for c in (1, 2, 3))
