"""Nyttig Arbeid's report made for sharing: the hours, waits and relapses of a group of
fewer than five people are hidden with the group, not only its head count."""
from __future__ import annotations

import pytest

from tests.conftest import login
from tests.core.test_reports import _table
from tests.plugins.nyttig_contract.test_report import D, Q, _person, path_history  # noqa: F401 - the fixture


@pytest.fixture(autouse=True)
def _english(client):
    client.headers["Accept-Language"] = "en"


@pytest.fixture
def relapses(path_history):  # noqa: F811 - the fixture above
    """Three more people who relapse twice each in February: seven relapses by four people (C too)."""
    org = path_history.b
    with path_history.db(org) as db:
        for name in ("R1", "R2", "R3"):
            _person(db, org, name, [(D(2025, 10, 1), "", "contact", "first_contact"), (D(2025, 11, 1), "contact", "interview", "forward"),
                                    (D(2026, 2, 3), "interview", "contact", "relapse"), (D(2026, 2, 10), "contact", "interview", "forward"),
                                    (D(2026, 2, 20), "interview", "contact", "relapse")])
        db.commit()
    return path_history


def test_relapses_hours_and_waits_of_a_small_group_are_hidden_when_shared(relapses, client):
    login(client, relapses.b.users["leader"])
    inside = {r[0]: r[1:] for r in _table(client.get("/reports", params=Q).text, "nyttig_moves")}
    assert inside["Relapse: back a phase"] == ["7", "4"]  # seven relapses, four people: too few to show either
    shared = client.get("/reports", params={**Q, "shared": "1"}).text
    moves = {r[0]: r[1:] for r in _table(shared, "nyttig_moves")}
    assert moves["Relapse: back a phase"] == ["hidden", "hidden"]
    # The three people on the list in January: their median and longest wait would be about each of them.
    assert _table(shared, "nyttig_waiting")[0] == ["Jan 2026", "hidden", "hidden", "hidden", "hidden"]
    # One or two people in a department or a month: their hours go with them; the totals stay.
    departments = _table(shared, "nyttig_departments")
    assert [r[2] for r in departments[:-1]] == ["hidden", "hidden"]
    hours = _table(shared, "nyttig_hours")
    assert all(r[1:] == ["hidden"] * 3 for r in hours[:-1]) and hours[-1][:3] == ["Total", "hidden", "hidden"]
