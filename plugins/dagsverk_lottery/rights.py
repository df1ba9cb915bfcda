"""Who holds a right before a draw: first day, third day, or a right carried over.

The rule (DOMAIN.md, Dagsverket): a first-time attendee gets work that day; a person who
was registered on two *open* program days in a row without getting work is guaranteed
work on the third. If rights alone exceed the places, "the draw is among them and the rest
keep their right for the next day": every kind of right, not only the third-day one.

How days count, walking back from the day before the draw over open days only:

* entered in the draw and got no work: one more day waited;
* got work (drawn, or called in from the reserve list): the count stops;
* present but not fit to work, or came after the draw: neither counts nor breaks the row
  (no mark against anyone, and no right earned without being in the draw);
* not present on an open day: the row is broken.

Two days waited give the third-day right. A right held on a day of the current row (it was
not honoured, or the row would have stopped) is carried over: ``carried_over``, which comes
first next time, until the person gets work. Three days waited is such a row too (the
third-day right held on the third day), so it stays ``carried_over`` even where the right
held was not stored.

A carried right lasts as long as the row: not coming on an open day breaks it, as it breaks
the two days in a row that earn a third-day right. The rule says "for the next day"; a right
that survived weeks away would put someone who just walked back in ahead of the people who
came every morning.

Day-before mode (the draw the afternoon before, places confirmed by phone). How the call
went decides whether a place counts as work for the rights:

* ``reached``: the place was taken: worked;
* ``declined``: the person was offered the work and said no: counts as work, the row stops.
  The right is a guarantee of being *offered* a place, and it was; counting a "no" as a day
  waited would let a right be kept back for a better day, and the place went to a reserve;
* ``not_reached``: no one could tell the person, or the place was given back after the
  deadline: not worked. They keep any right they held and the day counts as waited, unless
  a shift shows they came and worked after all.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

RIGHTS = ("first_day", "third_day", "carried_over")
"""The kinds of right; ``none`` is the absence of one."""

NOT_WORKED_CALLS = ("not_reached",)
"""Call statuses (``DrawEntrant.call_status``) under which a place was not work."""


@dataclass
class DayRecord:
    """One open program day as the rights see it."""

    date: dt.date
    entered: set[int] = field(default_factory=set)
    worked: set[int] = field(default_factory=set)
    present: set[int] = field(default_factory=set)
    """Everybody registered, including those not entered."""
    rights: dict[int, str] = field(default_factory=dict)
    """The right each entrant held on the day (``DrawEntrant.right``); missing is none."""


@dataclass(frozen=True)
class Standing:
    """A person's row before a draw: days waited, and whether a right was held in it."""

    waited: int = 0
    carried: bool = False


def standing(history: Sequence[DayRecord], participant_id: int) -> Standing:
    """The current row (newest first) of open days on which the person got no work."""
    n = 0
    carried = False
    for day in reversed(history):
        if participant_id in day.worked:
            break
        if participant_id in day.entered:
            n += 1
            carried = carried or day.rights.get(participant_id, "none") in RIGHTS
            continue
        if participant_id in day.present:
            continue
        break
    return Standing(n, carried)


def days_waited(history: Sequence[DayRecord], participant_id: int) -> int:
    """Consecutive open days (newest first) on which the person was entered and got no work."""
    return standing(history, participant_id).waited


def right_from(waited: int, first_day: bool, carried: bool = False) -> str:
    """The right before a draw. ``carried``: a right was held and not honoured in the row."""
    if first_day:
        return "first_day"
    if carried or waited >= 3:
        return "carried_over"
    if waited == 2:
        return "third_day"
    return "none"


def right_of(history: Sequence[DayRecord], participant_id: int, first_day: bool) -> tuple[str, int]:
    """``(right, days waited)`` from the history, as the draw fixes it."""
    s = standing(history, participant_id)
    return right_from(s.waited, first_day, s.carried), s.waited
