"""Every pay action reached through its page and through its API, for every role: the same
roles may do it, and it leaves the same thing behind (issue 14).

Each starting point is a new person with a worked day in a month of their own. The months
are four apart, further than a run looks back for work to correct (three months by
default), so one surface's run never pays or corrects the other surface's work.
"""
from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.actions import ACTIONS
from plugins.payroll_rules import runs
from plugins.payroll_rules.models import BenefitStatus, DistrictApproval, PayLine, PayRun
from tests.conftest import OrgWorld, login, post_form
from tests.parity import Pair, assert_parity
from tests.plugins.payroll_rules.helpers import env, person, worked_shift

Ctx = dict[str, Any]
_months = itertools.count()
_app: dict[str, Any] = {}


@pytest.fixture(autouse=True)
def _remember_app(app: Any) -> None:
    """The setups compute real drafts, which needs the app's plugins and settings."""
    _app["app"] = app


def _month() -> tuple[dt.date, dt.date]:
    n = next(_months) * 4
    first = dt.date(2001 + n // 12, n % 12 + 1, 1)
    return first, runs.last_of_month(first)


def worker(db: Session, org: OrgWorld) -> Ctx:
    """A new person who worked the first day of a month no other setup uses."""
    first, last = _month()
    who = person(db, org.org.id, "Parity", f"Worker{first.isoformat()}")
    worked_shift(db, org.org.id, org.site.id, who.id, first)
    return {"participant_id": who.id, "date_from": first.isoformat(), "date_to": last.isoformat(), "first": first, "last": last}


def with_draft(db: Session, org: OrgWorld) -> Ctx:
    """A worker and a draft run of their month, computed as staff would."""
    ctx = worker(db, org)
    run = runs.create_run(db, env(_app["app"], db, org.org.id), ctx["first"], ctx["last"])
    return {**ctx, "run_id": run.id}


def with_empty_draft(db: Session, org: OrgWorld) -> Ctx:
    """A worker and a draft of their month not computed yet: recomputing fills it."""
    ctx = worker(db, org)
    run = PayRun(organization_id=org.org.id, period_start=ctx["first"], period_end=ctx["last"], status="draft")
    db.add(run)
    db.commit()
    return {**ctx, "run_id": run.id}


def just_a_person(db: Session, org: OrgWorld) -> Ctx:
    return {"participant_id": person(db, org.org.id, "Parity", "Person").id}


def pay_of(db: Session, ctx: Ctx) -> list[tuple[Any, ...]]:
    """The person's lines in runs of their month: status, kind, amount, effect."""
    rows = db.execute(
        select(PayRun.status, PayLine.line_kind, PayLine.amount_ore, PayLine.effect).join(PayRun, PayLine.run_id == PayRun.id)
        .where(PayLine.participant_id == ctx["participant_id"], PayRun.period_start == ctx["first"])
        .order_by(PayLine.work_date)
    )
    return [tuple(r) for r in rows]


def runs_of(db: Session, ctx: Ctx) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in db.execute(
        select(PayRun.status, PayRun.period_start == PayRun.period_end).where(PayRun.period_start == ctx["first"]))]


def statuses_of(db: Session, ctx: Ctx) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in db.execute(
        select(BenefitStatus.status, BenefitStatus.valid_from, BenefitStatus.note).where(BenefitStatus.participant_id == ctx["participant_id"]))]


def approvals_of(db: Session, ctx: Ctx) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in db.execute(
        select(DistrictApproval.district, DistrictApproval.decision_date, DistrictApproval.valid_from, DistrictApproval.valid_to,
               DistrictApproval.cap_ore, DistrictApproval.note).where(DistrictApproval.participant_id == ctx["participant_id"]))]


PAIRS = [
    Pair("payroll.create_run", org="a", setup=worker,
         page=lambda c: ("/payroll/runs", {"date_from": c["date_from"], "date_to": c["date_to"]}),
         api=lambda c: ("/api/v1/payroll/runs", {"date_from": c["date_from"], "date_to": c["date_to"]}),
         stored=pay_of),
    Pair("payroll.recompute_run", org="a", setup=with_empty_draft,
         page=lambda c: (f"/payroll/runs/{c['run_id']}/recompute", {}),
         api=lambda c: (f"/api/v1/payroll/runs/{c['run_id']}/recompute", {}),
         stored=pay_of),
    Pair("payroll.approve_run", org="a", setup=with_draft,
         page=lambda c: (f"/payroll/runs/{c['run_id']}/approve", {}),
         api=lambda c: (f"/api/v1/payroll/runs/{c['run_id']}/approve", {}),
         stored=pay_of),
    Pair("payroll.delete_run", org="a", setup=with_draft,
         page=lambda c: (f"/payroll/runs/{c['run_id']}/delete", {}),
         api=lambda c: (f"/api/v1/payroll/runs/{c['run_id']}", {}),
         stored=runs_of, api_method="DELETE"),
    Pair("payroll.cash_sheet", org="a", setup=worker,
         page=lambda c: ("/payroll/cash-sheet", {"date": c["date_from"]}),
         api=lambda c: ("/api/v1/payroll/cash-sheets", {"date": c["date_from"]}),
         stored=pay_of),
    Pair("payroll.record_status", org="b", setup=just_a_person,
         page=lambda c: (f"/payroll/benefits/{c['participant_id']}/status", {"status": "aap", "valid_from": "2026-10-01", "note": "NAV"}),
         api=lambda c: (f"/api/v1/payroll/benefits/{c['participant_id']}/statuses", {"status": "aap", "valid_from": "2026-10-01", "note": "NAV"}),
         stored=statuses_of),
    Pair("payroll.record_approval", org="b", setup=just_a_person,
         page=lambda c: (f"/payroll/benefits/{c['participant_id']}/approvals",
                         {"district": "Bydel Sagene", "decided_on": "2026-09-28", "valid_from": "2026-10-01", "valid_to": "", "cap": "2000,50"}),
         api=lambda c: (f"/api/v1/payroll/benefits/{c['participant_id']}/approvals",
                        {"district": "Bydel Sagene", "decided_on": "2026-09-28", "valid_from": "2026-10-01", "valid_to": None, "cap_ore": 200050}),
         stored=approvals_of),
]


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.action)
def test_page_and_api_agree(pair: Pair, app: Any, world: Any) -> None:
    assert_parity(pair, app, world)


def test_every_pay_action_with_a_page_is_paired() -> None:
    assert {name for name in ACTIONS if name.startswith("payroll.")} == {p.action for p in PAIRS}


def test_the_pairs_do_something(app: Any, world: Any) -> None:
    """A parity test passes when both surfaces refuse everyone: the leader's page really pays."""
    org = world.a
    with world.db(org) as db:
        ctx = worker(db, org)
    with TestClient(app, base_url="http://testserver.local") as browser:
        login(browser, org.users["leader"])
        assert post_form(browser, "/payroll/runs", {"date_from": ctx["date_from"], "date_to": ctx["date_to"]}).status_code == 303
    with world.db(org) as db:
        assert pay_of(db, ctx) == [("draft", "pay", 25000, "paid")]
