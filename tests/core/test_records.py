"""Participants, customers and work orders: create, show, edit, list with search, filters
and pages, in HTML and in the API; a work order's status moves only along allowed paths
and says why where a reason is needed."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.models import ORDER_STATUSES, ORDER_TRANSITIONS, Customer, Participant, WorkOrder
from core.services.registry import PARTICIPANTS
from core.services.resources import list_rows
from core.services.work_orders import NEEDS_REASON, change_order_status
from tests.conftest import api_token, bearer, h1, login, post_form


def _rows_on_page(html: str, resource: str) -> list[str]:
    return re.findall(rf'<a href="/{resource}/(\d+)">', html)


def test_participant_create_show_edit_in_html(world, client):
    login(client, world.a.users["social_worker"])
    r = post_form(client, "/participants", {"first_name": " Kari ", "last_name": "Nilsen", "nickname": "Tuppen",
                                            "gender": "woman", "birth_date": "1980-04-02", "card_code": "STA1001", "active": "1"})
    assert r.status_code == 303
    path = r.headers["location"]
    page = client.get(path)
    assert page.status_code == 200 and h1(page.text) == "Kari Nilsen (Tuppen)"
    with world.db(world.a) as db:
        p = db.scalars(select(Participant)).one()
        assert (p.first_name, p.card_code, p.active, p.organization_id) == ("Kari", "STA1001", True, world.a.org.id)
    edit = client.get(f"{path}/edit")
    assert 'value="Tuppen"' in edit.text
    # An unticked checkbox sends nothing: on the edit form that means "no longer active".
    r = post_form(client, path, {"first_name": "Kari", "last_name": "Nilsen", "nickname": "", "gender": "woman"})
    assert r.status_code == 303
    with world.db(world.a) as db:
        p = db.scalars(select(Participant)).one()
        assert p.active is False and p.nickname == "" and p.card_code is None


def test_customer_and_work_order_in_html(world, client):
    login(client, world.a.users["work_leader"])
    r = post_form(client, "/customers", {"name": "Byåsen borettslag", "kind": "housing_coop", "active": "1"})
    cid = int(r.headers["location"].rsplit("/", 1)[1])
    r = post_form(client, "/work-orders", {"title": "Plenklipp", "customer_id": str(cid), "site_id": str(world.a.site.id),
                                           "kind": "recurring", "repeat_weekdays": "3", "recurrence": "ikke i juli",
                                           "people_needed": "4"})
    assert r.status_code == 303
    detail = client.get(r.headers["location"], headers={"Accept-Language": "nb"})
    assert "Byåsen borettslag" in detail.text and "Hver onsdag" in detail.text and "ikke i juli" in detail.text
    with world.db(world.a) as db:
        order = db.scalars(select(WorkOrder)).one()
        assert (order.status, order.customer_id, order.kind, order.people_needed) == ("requested", cid, "recurring", 4)
    # Pages need the right permission: a social worker does not handle orders.
    client.cookies.clear()
    login(client, world.a.users["social_worker"])
    assert client.get(f"/work-orders/{order.id}").status_code == 403
    assert post_form(client, "/customers", {"name": "X"}).status_code == 403


@pytest.fixture
def people(world):
    with world.db() as db:
        for i in range(30):
            db.add(Participant(organization_id=world.a.org.id, first_name=f"Person{i:02d}", last_name="Hansen" if i % 3 == 0 else "Berg",
                               gender="woman" if i % 2 == 0 else "man", active=i < 27, card_code=f"C{i}"))
        db.add(Participant(organization_id=world.a.org.id, first_name="Anne", last_name="50% Olsen"))
        db.add(Participant(organization_id=world.b.org.id, first_name="Person99", last_name="Hansen"))
        db.commit()


def test_list_search_filters_and_pages_in_html(world, client, people):
    login(client, world.a.users["leader"])
    first = client.get("/participants")
    assert len(_rows_on_page(first.text, "participants")) == 25
    second = client.get("/participants?page=2")
    ids = _rows_on_page(first.text, "participants") + _rows_on_page(second.text, "participants")
    assert len(ids) == 31 and len(set(ids)) == 31  # every row once, none twice across pages
    assert _rows_on_page(client.get("/participants?page=999").text, "participants") == _rows_on_page(second.text, "participants")
    assert _rows_on_page(client.get("/participants?page=nonsense").text, "participants") == _rows_on_page(first.text, "participants")
    hansen = client.get("/participants?q=hansen")
    assert len(_rows_on_page(hansen.text, "participants")) == 10  # i % 3 == 0 for 0..29, not beta's
    assert "10 treff" in client.get("/participants?q=HANSEN", headers={"Accept-Language": "nb"}).text
    women_active = client.get("/participants?gender=woman&active=1")
    assert len(_rows_on_page(women_active.text, "participants")) == 14  # even 0..26
    inactive = client.get("/participants?active=0&q=person")
    assert len(_rows_on_page(inactive.text, "participants")) == 3
    # A search is literal: "%" and "_" are characters, not wildcards.
    assert len(_rows_on_page(client.get("/participants?q=50%25").text, "participants")) == 1
    assert len(_rows_on_page(client.get("/participants?q=%25").text, "participants")) == 1
    assert len(_rows_on_page(client.get("/participants?q=_").text, "participants")) == 0
    # A bad filter value is ignored rather than failing the list.
    assert client.get("/participants?gender=robot&active=maybe").status_code == 200


def test_list_search_filters_and_pages_in_the_api(world, client, people):
    h = bearer(api_token(world, world.a, "leader"))
    data = client.get("/api/v1/participants?per_page=10&page=3", headers=h).json()
    assert (data["total"], data["page"], data["per_page"], len(data["items"])) == (31, 3, 10, 10)
    pages = [client.get(f"/api/v1/participants?per_page=10&page={n}", headers=h).json()["items"] for n in (1, 2, 3, 4)]
    assert len({p["id"] for page in pages for p in page}) == 31
    assert client.get("/api/v1/participants?per_page=100000", headers=h).json()["per_page"] == 200
    found = client.get("/api/v1/participants?q=hansen&gender=woman", headers=h).json()
    assert found["total"] == 5 and all(p["last_name"] == "Hansen" and p["gender"] == "woman" for p in found["items"])
    assert client.get("/api/v1/participants?is_active=false", headers=h).json()["total"] == 3


def test_service_list_rows_orders_by_name(world, people):
    with world.db(world.a) as db:
        page = list_rows(db, PARTICIPANTS, q="person", page=1, per_page=5)
        assert [p.first_name for p in page.rows] == [f"Person{i:02d}" for i in range(5)]
        assert (page.total, page.pages, page.has_prev, page.has_next) == (30, 6, False, True)


def test_partial_update_keeps_the_card_code(world, client):
    h = bearer(api_token(world, world.a, "leader"))
    p = client.post("/api/v1/participants", json={"first_name": "Ola", "card_code": "STA1002"}, headers=h).json()
    r = client.patch(f"/api/v1/participants/{p['id']}", json={"nickname": "Kaptein"}, headers=h)
    assert r.status_code == 200 and r.json()["card_code"] == "STA1002" and r.json()["nickname"] == "Kaptein"
    r = client.patch(f"/api/v1/participants/{p['id']}", json={"card_code": ""}, headers=h)
    assert r.json()["card_code"] is None


def test_customers_filters_in_the_api(world, client):
    h = bearer(api_token(world, world.a, "leader"))
    for name, kind in (("Bydel Sagene", "district"), ("Bydel Gamle Oslo", "district"), ("Familien Aune", "private")):
        assert client.post("/api/v1/customers", json={"name": name, "kind": kind}, headers=h).status_code == 201
    assert client.get("/api/v1/customers?kind=district", headers=h).json()["total"] == 2
    assert client.get("/api/v1/customers?q=aune", headers=h).json()["items"][0]["kind"] == "private"
    cid = client.get("/api/v1/customers?q=aune", headers=h).json()["items"][0]["id"]
    assert client.patch(f"/api/v1/customers/{cid}", json={"is_active": False}, headers=h).json()["is_active"] is False
    assert client.get("/api/v1/customers?is_active=0", headers=h).json()["total"] == 1


# --------------------------------------------------------------------------- work-order status


@pytest.fixture
def order(world):
    with world.db() as db:
        o = WorkOrder(organization_id=world.a.org.id, title="Trefelling Moholt", kind="multi_day")
        db.add(o)
        db.commit()
        return o.id


def _status(world, oid):
    with world.db() as db:
        o = db.get(WorkOrder, oid)
        return o.status, o.status_reason


@pytest.mark.parametrize("start", ORDER_STATUSES)
def test_every_transition_is_allowed_or_refused_as_the_table_says(world, start):
    with world.db(world.a) as db:
        for target in ORDER_STATUSES:
            o = WorkOrder(organization_id=world.a.org.id, title=f"{start}->{target}", status=start)
            db.add(o)
            db.commit()
            if target in ORDER_TRANSITIONS[start]:
                change_order_status(db, o, target, "Fordi")
                assert o.status == target
            else:
                with pytest.raises(Exception) as exc:
                    change_order_status(db, o, target, "Fordi")
                assert "status" in exc.value.errors  # type: ignore[attr-defined]
                db.rollback()
                assert db.get(WorkOrder, o.id).status == start


def test_status_changes_in_html_with_reasons(world, client, order):
    login(client, world.a.users["leader"])
    # Accepting without a reason is refused with a message, and the order is unchanged.
    r = post_form(client, f"/work-orders/{order}/status", {"status": "accepted", "status_reason": "  "}, headers={"Accept-Language": "en"})
    assert r.status_code == 400 and "Say why" in r.text
    assert _status(world, order) == ("requested", "")
    r = post_form(client, f"/work-orders/{order}/status", {"status": "accepted", "status_reason": "Meningsfylt, og bydelen betaler"})
    assert r.status_code == 303 and _status(world, order) == ("accepted", "Meningsfylt, og bydelen betaler")
    # Not every step is allowed: an accepted order cannot be declined.
    r = post_form(client, f"/work-orders/{order}/status", {"status": "declined", "status_reason": "x"}, headers={"Accept-Language": "nb"})
    assert r.status_code == 400 and _status(world, order)[0] == "accepted"
    for step in ("scheduled", "in_progress", "done"):
        assert post_form(client, f"/work-orders/{order}/status", {"status": step}).status_code == 303
    assert _status(world, order)[0] == "done"
    # The detail page offers exactly the allowed next steps.
    page = client.get(f"/work-orders/{order}")
    offered = set(re.findall(r'<option value="(\w+)"', page.text)) & set(ORDER_STATUSES)
    assert offered == set(ORDER_TRANSITIONS["done"])


def test_declining_and_cancelling_need_a_reason(world, order):
    assert NEEDS_REASON >= {"accepted", "declined", "cancelled"}
    with world.db(world.a) as db:
        o = db.get(WorkOrder, order)
        with pytest.raises(Exception):
            change_order_status(db, o, "declined", "")
        change_order_status(db, o, "declined", "Ikke arbeid deltakerne kan gjøre")
        assert (o.status, o.status_reason) == ("declined", "Ikke arbeid deltakerne kan gjøre")
        change_order_status(db, o, "requested")
        with pytest.raises(Exception):
            change_order_status(db, o, "cancelled", "x" * 501)
        assert db.get(WorkOrder, order).status == "requested"


def test_editing_an_order_cannot_change_its_status(world, client, order):
    login(client, world.a.users["leader"])
    r = post_form(client, f"/work-orders/{order}", {"title": "Trefelling", "status": "done", "kind": "multi_day", "people_needed": "6"})
    assert r.status_code == 400
    assert _status(world, order)[0] == "requested"


def test_customer_of_an_order_is_shown_and_filterable(world, client):
    with world.db() as db:
        c1 = Customer(organization_id=world.a.org.id, name="Trondheim bydrift")
        c2 = Customer(organization_id=world.a.org.id, name="Moholt studentby")
        db.add_all([c1, c2])
        db.flush()
        db.add_all([WorkOrder(organization_id=world.a.org.id, title="Snømåking", customer_id=c1.id),
                    WorkOrder(organization_id=world.a.org.id, title="Trefelling", customer_id=c2.id, status="accepted")])
        db.commit()
        c1_id = c1.id
    login(client, world.a.users["leader"])
    page = client.get(f"/work-orders?customer_id={c1_id}")
    assert "Snømåking" in page.text and "Trefelling" not in page.text and "Trondheim bydrift" in page.text
    page = client.get("/work-orders?status=accepted")
    assert "Trefelling" in page.text and "Snømåking" not in page.text
