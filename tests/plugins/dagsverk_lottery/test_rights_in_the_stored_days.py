"""Rights from the stored days (issue 15): every kind of right beyond the places carried over
through real draws, day-before calls that do or do not count as work, and open days of the
calendar nobody was registered on."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.i18n import use_locale
from core.models import Participant, ProgramDay, Shift
from plugins.dagsverk_lottery import draws
from plugins.dagsverk_lottery.models import Draw, DrawEntrant
from plugins.dagsverk_lottery.rights import Standing
from tests.plugins.dagsverk_lottery.conftest import check_in_all, open_day, people, weekday


def _rights(draw: Draw) -> dict[int, str]:
    return {e.participant_id: e.right for e in draw.entrants}


def _known(db, persons, since: dt.date) -> None:
    """People seen before the first day of a test: no first-day right."""
    for p in persons:
        p.first_seen_on = since
    db.commit()


def _lost_day(db, world, date: dt.date, persons, capacity: int = 0) -> Draw:
    day = open_day(db, world.a, date, capacity=capacity)
    check_in_all(db, day, persons)
    return draws.run(db, day, None)


def test_every_kind_of_right_beyond_the_places_is_carried_over(world):
    with world.db(world.a) as db:
        new, known = people(db, world.a, 2)
        _known(db, [known], weekday(-30))
        # No places for four days: every right held is beyond the places.
        got = [_rights(_lost_day(db, world, weekday(n), [new, known])) for n in range(4)]
        assert [g[new.id] for g in got] == ["first_day", "carried_over", "carried_over", "carried_over"]
        assert [g[known.id] for g in got] == ["none", "none", "third_day", "carried_over"]
        # One place: both hold a carried right (group 0); one gets it, the other keeps theirs.
        draw = _lost_day(db, world, weekday(4), [new, known], capacity=1)
        winner = next(e.participant_id for e in draw.entrants if e.result == "right")
        loser = new.id if winner == known.id else known.id
        after = _rights(_lost_day(db, world, weekday(7), [new, known]))
        assert after == {winner: "none", loser: "carried_over"}
        # The standing as the person's page reads it agrees.
        assert draws.standings_before(db, world.a.site.id, weekday(8), [loser])[loser] == Standing(6, True)


def test_a_carried_right_ends_with_a_missed_open_day(world):
    with world.db(world.a) as db:
        new, other = people(db, world.a, 2)
        _lost_day(db, world, weekday(0), [new, other])
        _lost_day(db, world, weekday(1), [other])  # new stays away on an open day
        assert _rights(_lost_day(db, world, weekday(2), [new, other]))[new.id] == "none"


def _day_before_draw(db, world, date: dt.date, persons, capacity: int) -> Draw:
    day = open_day(db, world.a, date, capacity=capacity)
    check_in_all(db, day, persons)
    sealed = draws.seal(db, day, None, mode="day_before")
    return draws.perform(db, sealed, None)


def _call(db, draw: Draw, pid: int, status: str) -> None:
    db.scalars(select(DrawEntrant).where(DrawEntrant.draw_id == draw.id, DrawEntrant.participant_id == pid)).one().call_status = status
    db.commit()


def test_day_before_calls_count_for_the_rights_as_they_went(world):
    with world.db(world.a) as db:
        not_reached, declined, reached, came_anyway = persons = people(db, world.a, 4)
        _known(db, persons, weekday(-30))
        for n in range(2):
            _lost_day(db, world, weekday(n), persons)
        draw = _day_before_draw(db, world, weekday(2), persons, capacity=4)
        assert set(_rights(draw).values()) == {"third_day"} and {e.result for e in draw.entrants} == {"right"}
        for p, status in ((not_reached, "not_reached"), (declined, "declined"), (reached, "reached"), (came_anyway, "not_reached")):
            _call(db, draw, p.id, status)
        # Not reached, but came and worked after all: the shift says so.
        db.add(Shift(organization_id=world.a.org.id, day_id=draw.day_id, participant_id=came_anyway.id, outcome="worked"))
        db.commit()
        next_day = open_day(db, world.a, weekday(3))
        check_in_all(db, next_day, persons)
        after = draws.rights_on(db, next_day, [p.id for p in persons])
        # Not reached: the third-day right is kept (carried over) and the day counts as waited.
        assert after[not_reached.id] == ("carried_over", 3)
        # Declined: the place was offered and refused; reached: the place was taken.
        assert after[declined.id] == ("none", 0)
        assert after[reached.id] == ("none", 0)
        assert after[came_anyway.id] == ("none", 0)


def test_a_lottery_place_not_reached_is_a_day_waited(world):
    with world.db(world.a) as db:
        p = people(db, world.a, 1)[0]
        _known(db, [p], weekday(-30))
        draw = _day_before_draw(db, world, weekday(0), [p], capacity=1)
        assert draw.entrants[0].result == "lottery"
        _call(db, draw, p.id, "not_reached")
        assert draws.waited_before(db, world.a.site.id, weekday(1), [p.id]) == {p.id: 1}


def _history_rights(db, world, dates_lost: list[dt.date], then: dt.date, persons) -> dict[int, str]:
    for date in dates_lost:
        _lost_day(db, world, date, persons)
    return _rights(_lost_day(db, world, then, persons))


def test_an_open_day_nobody_was_registered_on_breaks_every_row(world):
    """Monday and Tuesday lost; Wednesday open by the calendar and no day row (nobody came,
    nothing was stored): on Thursday nobody has a row of days."""
    with world.db(world.a) as db:
        persons = people(db, world.a, 3)
        _known(db, persons, weekday(-30))
        got = _history_rights(db, world, [weekday(0), weekday(1)], weekday(3), persons)
        assert set(got.values()) == {"none"}
        assert draws.waited_before(db, world.a.site.id, weekday(3)) == {}
        assert all(not r.entered for r in draws.history_before(db, db.scalars(
            select(ProgramDay).where(ProgramDay.date == weekday(3))).one()))


def test_a_closed_day_a_weekend_or_a_public_holiday_without_a_row_breaks_nothing(world):
    with world.db(world.a) as db:
        persons = people(db, world.a, 2)
        _known(db, persons, dt.date(2025, 1, 1))
        # Tuesday 12 and Wednesday 13 May 2026 lost; Thursday 14 is Ascension Day (no row).
        assert set(_history_rights(db, world, [dt.date(2026, 5, 12), dt.date(2026, 5, 13)], dt.date(2026, 5, 15), persons).values()) == {"third_day"}
        # Christmas 2025: Tuesday 23 lost, then Christmas Eve (a closed date by default), 25 and
        # 26 (public holidays), the weekend: Monday 29 is the second day.
        got = _history_rights(db, world, [dt.date(2025, 12, 22), dt.date(2025, 12, 23)], dt.date(2025, 12, 29), persons)
        assert set(got.values()) == {"third_day"}


def test_a_stored_day_wins_over_the_calendar(world):
    """Staff closed a weekday (a stored closed row): no break. Staff opened a public holiday
    and nobody came: a break, as on any open day."""
    with world.db(world.a) as db:
        persons = people(db, world.a, 2)
        _known(db, persons, weekday(-30))
        db.add(ProgramDay(organization_id=world.a.org.id, site_id=world.a.site.id, date=weekday(2), is_open=False, note="Streik"))
        db.commit()
        assert set(_history_rights(db, world, [weekday(0), weekday(1)], weekday(3), persons).values()) == {"third_day"}
        # 1 May 2026 (a Friday, Labour Day) opened by staff, nobody registered.
        db.add(ProgramDay(organization_id=world.a.org.id, site_id=world.a.site.id, date=dt.date(2026, 5, 1), is_open=True))
        db.commit()
        got = _history_rights(db, world, [dt.date(2026, 4, 29), dt.date(2026, 4, 30)], dt.date(2026, 5, 4), persons)
        assert set(got.values()) == {"none"}


def test_a_person_seen_before_is_no_newcomer_even_after_a_break(world):
    # The break cuts the rows of days, not who has been here before.
    with world.db(world.a) as db:
        p = people(db, world.a, 1)[0]
        _lost_day(db, world, weekday(0), [p])
        assert _rights(_lost_day(db, world, weekday(2), [p]))[p.id] == "none"
        assert db.get(Participant, p.id) is not None


def test_the_persons_page_shows_a_carried_first_day_right(world):
    from plugins.dagsverk_lottery.person import summary

    with world.db(world.a) as db:
        new = people(db, world.a, 1)[0]
        _lost_day(db, world, weekday(0), [new])
        with use_locale("nb"):  # an earlier test may have left another language set
            got = summary(db, db.get(Participant, new.id), world.a.site.id, weekday(1))
            assert (got["right"], got["waited"], str(got["right_label"])) == ("carried_over", 1, "Rett overført fra en tidligere dag")
