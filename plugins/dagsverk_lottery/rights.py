"""Who holds a right before a draw: first day, third day, or a right carried over.

The rule (DOMAIN.md, Dagsverket): a first-time attendee gets work that day; a person who
was registered on two *open* program days in a row without getting work is guaranteed
work on the third. If rights alone exceed the places, those left keep their right.

How days count, walking back from the day before the draw over open days only:

* entered in the draw and got no work: one more day waited;
* got work (drawn, or called in from the reserve list): the count stops;
* present but not fit to work, or came after the draw: neither counts nor breaks the row
  (no mark against anyone, and no right earned without being in the draw);
* not present on an open day: the row is broken.

Two days waited give the third-day right; three or more mean a right that was already
held once and carried over, which comes first next time.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class DayRecord:
    """One open program day as the rights see it."""

    date: dt.date
    entered: set[int] = field(default_factory=set)
    worked: set[int] = field(default_factory=set)
    present: set[int] = field(default_factory=set)
    """Everybody registered, including those not entered."""


def days_waited(history: Sequence[DayRecord], participant_id: int) -> int:
    """Consecutive open days (newest first) on which the person was entered and got no work."""
    n = 0
    for day in reversed(history):
        if participant_id in day.worked:
            break
        if participant_id in day.entered:
            n += 1
            continue
        if participant_id in day.present:
            continue
        break
    return n


def right_from(waited: int, first_day: bool) -> str:
    if first_day:
        return "first_day"
    if waited >= 3:
        return "carried_over"
    if waited == 2:
        return "third_day"
    return "none"
