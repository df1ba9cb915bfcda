"""The server is killed (SIGKILL) in the middle of recomputing a month's pay-run draft and
in the middle of approving it, and started again. After each restart the run is exactly
what the last committed step left: the old draft line for line, or the new draft, never a
mix; and never a half-approved run. Approval afterwards works once and freezes the run
(issue 8, "survives faults").
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from core.models import ProgramDay, Shift, Site
from plugins.payroll_rules.models import BenefitStatus, DistrictApproval, PayLine, PayRun
from tests.faults.conftest import FaultSite

P = "/api/v1/payroll"

HALF_WRITTEN_LINES = r"^INSERT INTO payroll_rules_pay_line "  # old lines deleted, new ones being written
APPROVAL_WRITTEN = r"commit after ^UPDATE payroll_rules_pay_run SET .*approved_at"  # approved, only COMMIT left


def last_month() -> tuple[dt.date, dt.date]:
    end = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def seed_work(site: FaultSite, start: dt.date, end: dt.date) -> None:
    """Every participant worked every weekday of the month: some on disability benefit,
    some on AAP (unpaid), some on social assistance with a district approval (capped)."""
    org = site.organization_id
    with site.db() as db:
        site_id = db.scalars(select(Site.id).where(Site.organization_id == org)).one()
        day = start
        while day <= end:
            if day.isoweekday() <= 5:
                pd = ProgramDay(organization_id=org, site_id=site_id, date=day, is_open=True)
                db.add(pd)
                db.flush()
                db.add_all([Shift(organization_id=org, day_id=pd.id, participant_id=p, outcome="worked") for p in site.participant_ids])
            day += dt.timedelta(days=1)
        for i, pid in enumerate(site.participant_ids):
            status = ("disability", "aap", "social_assistance", "none")[i % 4]
            db.add(BenefitStatus(organization_id=org, participant_id=pid, status=status, valid_from=dt.date(2020, 1, 1)))
            if status == "social_assistance":
                db.add(DistrictApproval(organization_id=org, participant_id=pid, district="Bydel Test", decision_date=dt.date(2020, 1, 1),
                                        valid_from=dt.date(2020, 1, 1)))
        db.commit()


def stored_run(site: FaultSite, run_id: int) -> dict[str, Any]:
    """What the database holds for the run, straight from the tables."""
    with site.db() as db:
        run = db.scalars(select(PayRun).where(PayRun.id == run_id)).one()
        lines = db.execute(select(PayLine.id, PayLine.position, PayLine.participant_id, PayLine.source, PayLine.amount_ore, PayLine.effect)
                           .where(PayLine.run_id == run_id).order_by(PayLine.position)).all()
        return {"status": run.status, "approved_at": run.approved_at, "approved_by_id": run.approved_by_id, "total_ore": run.total_ore,
                "fingerprint": run.fingerprint, "computed_at": run.computed_at, "lines": [tuple(r) for r in lines]}


def shown_run(site: FaultSite, run_id: int) -> dict[str, Any]:
    with site.api() as c:
        r = c.get(f"{P}/runs/{run_id}")
    assert r.status_code == 200, r.text
    return r.json()


def test_a_pay_run_killed_mid_recompute_and_mid_approval_is_never_half_done(fault_site: FaultSite) -> None:
    site = fault_site
    start, end = last_month()
    seed_work(site, start, end)
    site.start()
    with site.api() as c:
        r = c.post(f"{P}/runs", json={"date_from": start.isoformat(), "date_to": end.isoformat()})
    assert r.status_code == 201, r.text
    run_id = r.json()["id"]
    first = stored_run(site, run_id)
    assert first["status"] == "draft" and first["total_ore"] > 0
    assert len(first["lines"]) >= 40 * 15
    assert {effect for *_rest, effect in first["lines"]} >= {"paid", "unpaid"}

    # The work changes: the first disability-benefit person turned out to be on AAP all along.
    changed = site.participant_ids[0]
    with site.db() as db:
        db.add(BenefitStatus(organization_id=site.organization_id, participant_id=changed, status="aap", valid_from=start))
        db.commit()

    # 1. Killed while the recomputed draft is half written: the old lines are deleted and
    #    new ones are being inserted in the open transaction.
    statement = site.crash_during("POST", f"{P}/runs/{run_id}/recompute", HALF_WRITTEN_LINES)
    assert statement.startswith("INSERT INTO payroll_rules_pay_line")
    site.start()
    assert stored_run(site, run_id) == first, "the draft changed although its recompute never committed"
    shown = shown_run(site, run_id)
    assert shown["status"] == "draft" and shown["fingerprint"] == first["fingerprint"]
    assert [ln["id"] for ln in shown["lines"]] == [ln[0] for ln in first["lines"]]

    # The recompute then runs in full: the changed person's pay is now unpaid.
    with site.api() as c:
        r = c.post(f"{P}/runs/{run_id}/recompute")
    assert r.status_code == 200, r.text
    second = stored_run(site, run_id)
    assert second["fingerprint"] != first["fingerprint"] and second["total_ore"] < first["total_ore"]
    assert {effect for _id, _pos, pid, _src, _amt, effect in second["lines"] if pid == changed} == {"unpaid"}
    assert [pos for _id, pos, *_rest in second["lines"]] == list(range(len(second["lines"])))

    # 2. Killed with the approval written and only its COMMIT missing.
    statement = site.crash_during("POST", f"{P}/runs/{run_id}/approve", APPROVAL_WRITTEN, json={"fingerprint": second["fingerprint"]})
    assert statement.startswith("COMMIT after UPDATE payroll_rules_pay_run SET")
    site.start()
    after = stored_run(site, run_id)
    assert after == second, "a run the server died approving is not a draft exactly as before"
    assert after["status"] == "draft" and after["approved_at"] is None and after["approved_by_id"] is None
    with site.api() as c:
        assert [r["status"] for r in c.get(f"{P}/runs").json()["items"]] == ["draft"]
        # The CSV export is for approved runs only: the crash did not make it one.
        assert c.get(f"{P}/runs/{run_id}/csv").status_code == 409

        # Approving again works once, with exactly the lines the leader saw; then the run is frozen.
        r = c.post(f"{P}/runs/{run_id}/approve", json={"fingerprint": second["fingerprint"]})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "approved"
        assert c.post(f"{P}/runs/{run_id}/approve", json={"fingerprint": second["fingerprint"]}).status_code == 409
        assert c.post(f"{P}/runs/{run_id}/recompute").status_code == 409
    approved = stored_run(site, run_id)
    assert approved["status"] == "approved" and approved["approved_at"] is not None and approved["approved_by_id"] == site.leader_id
    assert (approved["lines"], approved["total_ore"], approved["fingerprint"]) == (second["lines"], second["total_ore"], second["fingerprint"])
    assert sum(amount for _id, _pos, _pid, _src, amount, _eff in approved["lines"]) == approved["total_ore"]
