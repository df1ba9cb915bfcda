"""Nyttig Arbeid hears of work-order status changes through the core's per-organization
hook ``lavterskel_work_order_changed``, not through a global ORM listener (issue 14)."""
from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from core.forms import FormError
from core.models import Customer, WorkOrder
from core.services.work_orders import change_order_status
from plugins.nyttig_contract.models import AssignmentCheck


def _order(db: Session, org_id: int) -> WorkOrder:
    customer = Customer(organization_id=org_id, name="Bydel Sagene", kind="district")
    db.add(customer)
    db.flush()
    order = WorkOrder(organization_id=org_id, title="Rydde bakgård", customer_id=customer.id)
    db.add(order)
    db.commit()
    return order


def test_lavterskel_work_order_changed_lets_nyttig_refuse_an_unanswered_acceptance(app, world) -> None:
    plugins = app.state["ctx"].plugins
    with world.db(world.b) as db:
        order = _order(db, world.b.org.id)
        with pytest.raises(FormError) as refused:
            change_order_status(db, order, "accepted", "Meningsfylt", plugins=plugins)
        assert set(refused.value.errors) == {"status"}
        db.expire_all()
        assert db.get(WorkOrder, order.id).status == "requested", "the refused change is rolled back, not committed"
        db.add(AssignmentCheck(organization_id=world.b.org.id, work_order_id=order.id, someone_else_would_do_it=False,
                               someone_would_pay=True, decision="accepted", reason="Ekte arbeid"))
        db.flush()
        assert change_order_status(db, order, "accepted", "Meningsfylt", plugins=plugins).status == "accepted"


def test_lavterskel_work_order_changed_reaches_only_the_organizations_plugins(app, world) -> None:
    """Organization ``a`` does not run Nyttig Arbeid: its orders are accepted without the questions."""
    plugins = app.state["ctx"].plugins
    with world.db(world.a) as db:
        order = _order(db, world.a.org.id)
        assert change_order_status(db, order, "accepted", "Meningsfylt", plugins=plugins).status == "accepted"


def test_lavterskel_work_order_changed_is_passed_the_old_status(app, world) -> None:
    """Moving an accepted order on (scheduled, done) is not another acceptance."""
    plugins = app.state["ctx"].plugins
    with world.db(world.b) as db:
        order = _order(db, world.b.org.id)
        db.add(AssignmentCheck(organization_id=world.b.org.id, work_order_id=order.id, someone_else_would_do_it=False,
                               someone_would_pay=True, decision="accepted", reason="Ekte arbeid"))
        db.commit()
        change_order_status(db, order, "accepted", "Meningsfylt", plugins=plugins)
        assert change_order_status(db, order, "scheduled", plugins=plugins).status == "scheduled"


def test_no_global_flush_listener_watches_work_orders(world) -> None:
    """A flush anywhere (a demo load, a script) is not inspected by a plugin: the rule lives
    in the core service that changes a status, which asks the organization's plugins."""
    from plugins.nyttig_contract import assignments

    assert not hasattr(assignments, "guard_acceptance")
    with world.db(world.b) as db:
        order = _order(db, world.b.org.id)
        order.status = "accepted"
        db.commit()
        assert db.get(WorkOrder, order.id).status == "accepted"


@pytest.mark.parametrize("door", ["page", "api"])
def test_both_doors_to_a_status_change_ask_nyttig(app, world, client, door) -> None:
    """The work-order page and the API change a status through one action, which tells the
    organization's plugins: an acceptance without the assignment questions is refused on both."""
    from tests.conftest import api_token, bearer, login, post_form

    with world.db(world.b) as db:
        order_id = _order(db, world.b.org.id).id
    body = {"status": "accepted", "status_reason": "Meningsfylt"}
    if door == "api":
        res = client.post(f"/api/v1/work-orders/{order_id}/status", json=body, headers=bearer(api_token(world, world.b, "leader")))
        assert res.status_code == 422 and "status" in res.json()["errors"]
    else:
        login(client, world.b.users["leader"])
        res = post_form(client, f"/work-orders/{order_id}/status", body)
        assert res.status_code == 400
    with world.db(world.b) as db:
        assert db.get(WorkOrder, order_id).status == "requested"
