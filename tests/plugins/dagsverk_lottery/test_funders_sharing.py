"""The funders' numbers made for sharing: a day's small counts hidden, and no hidden day
given back by the period's total minus the days shown, on the page and in the API."""
from __future__ import annotations

import re

from tests.conftest import api_token, bearer, login
from tests.plugins.dagsverk_lottery.conftest import weekday
from tests.plugins.dagsverk_lottery.test_person_and_numbers import _three_days

COUNTS = ("registered", "entered", "by_right", "by_lottery", "called_in", "worked", "turned_away")


def test_shared_funders_api_hides_small_days_and_no_total_gives_one_back(world, client):
    _three_days(world)  # registered 4, 4, 5; turned away 3, 3, 4; one woman of five
    token = api_token(world, world.a, "leader")
    q = f"date_from={weekday(0).isoformat()}&date_to={weekday(2).isoformat()}"
    body = client.get(f"/api/v1/dagsverk/numbers?{q}&shared=true", headers=bearer(token)).json()
    for c in COUNTS:
        column = [d[c] for d in body["days"]]
        assert all(v is None or v == 0 or v >= 5 for v in column), (c, column)
        # The attack: one hidden day beside a shown total is the total minus the days shown.
        hidden = column.count(None) + (body["totals"][c] is None)
        assert hidden != 1, (c, column, body["totals"][c])
    # Across a day: registered = by right + by lottery + called in + turned away; a full draw gives out its places.
    for d in body["days"]:
        for line in (("registered", "by_right", "by_lottery", "called_in", "turned_away"), ("capacity", "by_right", "by_lottery")):
            assert [d[c] for c in line].count(None) != 1, (line, d)
    # The places are published on the draw's screen: never hidden, so protection comes from the counts.
    assert [d["capacity"] for d in body["days"]] == [1, 1, 1]
    assert body["shared"] is True and body["totals"]["registered"] == 13 and [d["registered"] for d in body["days"]] == [None, None, 5]
    assert body["unique_people"] == 5 and body["unique_women"] is None and body["women_share"] is None
    # Not shared: every number, as before.
    inside = client.get(f"/api/v1/dagsverk/numbers?{q}", headers=bearer(token)).json()
    assert inside["shared"] is False and [d["turned_away"] for d in inside["days"]] == [3, 3, 4]
    assert inside["unique_women"] == 1 and inside["women_share"] == 0.2


def test_shared_funders_page_says_hidden_in_words(world, client):
    _three_days(world)
    login(client, world.a.users["leader"])
    q = f"start={weekday(0).isoformat()}&end={weekday(2).isoformat()}"
    page = client.get(f"/dagsverk/numbers?{q}&shared=true", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    rows = [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", page.text.split("<tbody>", 1)[1], re.S)]
    assert [r[2] for r in rows] == ["hidden", "hidden", "5", "13"]  # registered per day, and the total
    # Turned away: every place went by right (day 0's first-day rights carried over, issue 15),
    # so the total by right (3) is hidden, and with it the total turned away, which would give it
    # back (13 registered, none by lottery or called in).
    assert [r[8] for r in rows] == ["hidden", "hidden", "hidden", "hidden"]
    assert "Hidden: a group of fewer than 5 people" in page.text and 'checked' in page.text
    inside = client.get(f"/dagsverk/numbers?{q}", headers={"Accept-Language": "en"}).text
    assert "hidden-cell" not in inside and ">3</td>" in inside
