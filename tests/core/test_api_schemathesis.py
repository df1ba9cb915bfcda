"""The whole API under Schemathesis, from its complete schema, against the demo data (issue 14).

Both demo organizations are loaded (Dagsverket with pay, Nyttig Arbeid with pay). Every
``/api/v1`` operation gets generated requests twice: with data the schema allows
(positive) and with data it forbids (negative). The requests come with a token of a user
holding every role in the organization the operation belongs to (Nyttig's routes in Oslo,
the rest in Trondheim).

In positive requests, what only the server can know is taken from it: every id the schema
asks for (``participant_id`` in the path, a body's ``team_id``, a query's ``site_id``...)
becomes the id of a real record of that kind in the organization; a plugin's name one the
organization has; a setting's key a real one, with its current value; a pay run's
``fingerprint`` the one the run has now; the sign-in's username and password the fuzzer's
own. So the requests reach past "not found" into the rules. Everything else is as
Hypothesis generates it.

It must show: no server error, no response outside the schema, and every operation that
takes a body answering 2xx to generated data at least once. The counts are printed. A few
operations answer 2xx only in a state generated data does not reach; each is named in
``NEEDS_STATE`` with why, and the test fails if any other stays without a 2xx.
"""
from __future__ import annotations

import os
import random
from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from litestar import Litestar
from litestar.testing import TestClient
from schemathesis import GenerationMode
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance
from sqlalchemy import select, update

from core.db import Base, scoped_session
from core.demo import ORGS, load_demo
from core.models import Membership, Organization, OrganizationPlugin, StaffUser
from core.services.auth import create_api_token
from tests.conftest import PASSWORD, ROLES, password_hash

EXAMPLES = int(os.environ.get("LAVTERSKEL_FUZZ_EXAMPLES", "6"))
RETRIES = int(os.environ.get("LAVTERSKEL_FUZZ_RETRIES", "40"))
"""Further positive requests for an operation with a body that has not yet answered 2xx."""
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

STAFF = {"user", "staff", "work_leader", "staff_1", "staff_2", "contact_person", "contact_person_1", "contact_person_2", "leader"}
KINDS = {
    "day": "program_day", "order": "work_order", "run": "payroll_rules_pay_run", "draw": "dagsverk_lottery_draw",
    "incident": "nyttig_contract_incident", "token": "api_token",
}


def described(exc: BaseException) -> str:
    """A failure with what it holds (a FailureGroup's own message names no detail)."""
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(described(e) for e in exc.exceptions)[:1500]
    return f"{type(exc).__name__}: {str(exc)[:1200]}"


def _table_for(stem: str) -> str | None:
    names = set(Base.metadata.tables)
    if stem in KINDS:
        return KINDS[stem]
    if stem in names:
        return stem
    ends = sorted(n for n in names if n.endswith(f"_{stem}"))
    return ends[0] if ends else None


NEEDS_STATE = {
    "POST /api/v1/dagsverk/days/{day_id}/fit": "the person must be registered at the door that day",
    "POST /api/v1/dagsverk/days/{day_id}/undo-checkin": "the person must be registered at the door that day, before check-in closes",
    "POST /api/v1/dagsverk/draws/{draw_id}/calls": "a drawn day-before draw and a person with a place in it, before the deadline",
    "POST /api/v1/nyttig/assignments/{work_order_id}": "both questions answered and a reason written, which the schema leaves optional (the page shows the questions unanswered)",
    "POST /api/v1/nyttig/people/{participant_id}/documents/{kind}": "the signing provider must be one a plugin offers; the schema cannot list them",
    "POST /api/v1/nyttig/timesheets": "a department, a day of the person's path and hours from 0 to 16 together",
}


class Pools:
    """Real ids of each kind in one organization, read afresh (records come and go)."""

    def __init__(self, factory: Any, org_id: int) -> None:
        self.factory, self.org_id = factory, org_id
        self.cache: dict[str, list[int]] = {}

    def refresh(self) -> None:
        self.cache.clear()

    def ids(self, stem: str) -> list[int]:
        if stem not in self.cache:
            with scoped_session(self.factory, None) as db:
                if stem in STAFF:
                    stmt: Any = select(Membership.user_id).where(Membership.organization_id == self.org_id)
                else:
                    table_name = _table_for(stem)
                    if table_name is None:
                        self.cache[stem] = []
                        return []
                    table = Base.metadata.tables[table_name]
                    stmt = select(table.c.id)
                    if "organization_id" in table.c:
                        stmt = stmt.where(table.c.organization_id == self.org_id)
                self.cache[stem] = sorted(set(db.scalars(stmt)))
        return self.cache[stem]

    def parent_of(self, stem: str, child_id: int, parent: str) -> int | None:
        """The ``<parent>_id`` a record of kind ``stem`` refers to, if its table says."""
        table_name = _table_for(stem)
        if table_name is None:
            return None
        table = Base.metadata.tables[table_name]
        column = table.c.get(f"{parent}_id")
        if column is None:
            return None
        with scoped_session(self.factory, None) as db:
            return db.scalar(select(column).where(table.c.id == child_id))

    def consistent(self, params: dict[str, Any]) -> dict[str, Any]:
        """Path ids that belong together: a shift's day is the day in the path."""
        stems = {name: name[:-3] for name in params if name.endswith("_id")}
        for child, child_stem in stems.items():
            for parent, parent_stem in stems.items():
                if parent != child and isinstance(params[child], int):
                    found = self.parent_of(child_stem, params[child], parent_stem)
                    if found is not None:
                        params[parent] = found
        return params

    def real(self, name: str, value: Any, rng: random.Random) -> Any:
        """``value`` with its ids made real, where ``name`` says what they are."""
        if isinstance(value, dict):
            return {k: self.real(k, v, rng) for k, v in value.items()}
        stem = name[:-4] if name.endswith("_ids") else name[:-3] if name.endswith("_id") else None
        if stem is None or not self.ids(stem):
            return value
        pool = self.ids(stem)
        if isinstance(value, list):
            return [rng.choice(pool) for _ in value]
        if isinstance(value, int) and not isinstance(value, bool):
            return rng.choice(pool)
        return value


def _setup(app: Litestar) -> dict[str, tuple[int, int, tuple[str, ...]]]:
    """Load the demo; per organization slug: (org id, fuzzer's user id, plugins)."""
    ctx = app.state["ctx"]
    load_demo(ctx.session_factory, ctx.plugins)
    out = {}
    with scoped_session(ctx.session_factory, None) as db:
        for spec in ORGS:
            org = db.scalars(select(Organization).where(Organization.slug == spec.slug)).one()
            user = StaffUser(username=f"fuzzer-{spec.slug}", full_name="Fuzz Tester", password_hash=password_hash())
            db.add(user)
            db.flush()
            for role in ROLES:
                db.add(Membership(user_id=user.id, organization_id=org.id, role=role))
            out[spec.slug] = (org.id, user.id, spec.plugins)
        db.commit()
    return out


def _organization_of(path: str) -> str:
    return "velferdsetaten" if path.startswith("/api/v1/nyttig") else "stavne"


def _takes_body(operation: Any) -> bool:
    return bool(operation.definition.raw.get("requestBody"))


def test_the_whole_api_under_schemathesis(app: Litestar) -> None:
    ctx = app.state["ctx"]
    orgs = _setup(app)
    pools = {slug: Pools(ctx.session_factory, org_id) for slug, (org_id, _, _) in orgs.items()}
    rng = random.Random(14)

    def fresh_token(slug: str) -> str:
        # Fuzzed admin calls may switch a plugin off, disable any user or revoke any token,
        # the fuzzer's own included: give every request a live account, its organization's
        # plugins and a new token.
        org_id, user_id, plugins = orgs[slug]
        with scoped_session(ctx.session_factory, None) as db:
            db.execute(update(StaffUser).where(StaffUser.id == user_id).values(is_active=True, locked_until=None))
            db.execute(update(OrganizationPlugin).where(OrganizationPlugin.organization_id == org_id,
                                                        OrganizationPlugin.plugin.in_(plugins)).values(enabled=True))
            db.commit()
            return create_api_token(db, db.get(StaffUser, user_id), org_id, "fuzz", second_factor=True)  # type: ignore[arg-type]

    reader = TestClient(app, base_url="http://testserver.local")
    schema = schemathesis.openapi.from_asgi("/api/v1/schema/openapi.json", app)
    operations = [op for op in (r.ok() for r in schema.get_all_operations()) if op.path.startswith("/api/")]
    statuses: dict[str, Counter[int]] = {op.label: Counter() for op in operations}
    requests = Counter[str]()
    failures: list[str] = []
    last_refusal: dict[str, str] = {}

    def known_to_the_server(operation: Any, case: Any, slug: str, token: str) -> None:
        _, _, plugins = orgs[slug]
        if case.path_parameters and "plugin" in case.path_parameters:
            case.path_parameters["plugin"] = rng.choice(plugins)
        if not isinstance(case.body, dict):
            return
        if operation.path == "/api/v1/tokens":
            case.body.update(username=f"fuzzer-{slug}", password=PASSWORD, organization=slug)
            case.body.pop("code", None)
        elif operation.path == "/api/v1/admin/settings":
            listed = reader.get("/api/v1/admin/settings", headers={"Authorization": f"Bearer {token}"}).json()["items"]
            setting = rng.choice([s for s in listed if s["value"] is not None])
            case.body.update(key=setting["key"], value=setting["value"])
        elif operation.path.endswith("/runs/{run_id}/approve"):
            # A draft to approve, named by the fingerprint it has now.
            drafts = reader.get("/api/v1/payroll/runs?per_page=200", headers={"Authorization": f"Bearer {token}"}).json()["items"]
            drafts = [r for r in drafts if r["status"] == "draft"]
            if not drafts:
                # None left (the fuzzer approved them, or its random periods made none): a
                # draft of a day long ago, so approving it changes nothing anyone is paid.
                day = f"{rng.randint(1990, 1999)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
                made = reader.post("/api/v1/payroll/runs", headers={"Authorization": f"Bearer {token}"},
                                   json={"date_from": day, "date_to": day})
                made_body = made.json() if made.status_code < 300 else {}
                if made_body.get("status") == "draft":
                    drafts = [made_body]
            if drafts:
                run = reader.get(f"/api/v1/payroll/runs/{drafts[0]['id']}", headers={"Authorization": f"Bearer {token}"}).json()
                case.path_parameters["run_id"] = run["id"]
                case.body["fingerprint"] = run["fingerprint"]

    def call(operation: Any, case: Any, mode: GenerationMode) -> int:
        slug = _organization_of(operation.path)
        token = fresh_token(slug)
        if mode is GenerationMode.POSITIVE:
            pool = pools[slug]
            pool.refresh()
            case.path_parameters = pool.consistent(pool.real("", case.path_parameters or {}, rng)) or case.path_parameters
            if isinstance(case.body, dict):
                case.body = pool.real("", case.body, rng)
            if isinstance(case.query, dict):
                case.query = pool.real("", case.query, rng)
            known_to_the_server(operation, case, slug, token)
        requests[mode.value] += 1
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        statuses[operation.label][response.status_code] += 1
        if mode is GenerationMode.POSITIVE and response.status_code >= 400:
            last_refusal[operation.label] = f"{response.status_code} {response.text[:300]}"
        if mode is GenerationMode.POSITIVE:
            case.validate_response(response, checks=CHECKS)
        else:
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
        return response.status_code

    def fuzz(operation: Any, mode: GenerationMode, examples: int, until_2xx: bool = False) -> None:
        # Failures are recorded here, not raised to Hypothesis: the API keeps state, so a
        # replayed example would not fail the same way and Hypothesis would call it flaky.
        @settings(max_examples=examples, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case: Any) -> None:
            if until_2xx and any(200 <= s < 300 for s in statuses[operation.label]):
                return
            try:
                call(operation, case, mode)
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect every failure, then fail once
                failures.append(f"{operation.label} ({mode.value}): {described(exc)}")

        try:
            run()
        except Unsatisfiable:
            pass  # nothing in this operation's schema to break (no parameters, no body)

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz(operation, mode, EXAMPLES)
    body_operations = [op for op in operations if _takes_body(op)]
    for operation in body_operations:
        if not any(200 <= s < 300 for s in statuses[operation.label]):
            fuzz(operation, GenerationMode.POSITIVE, RETRIES, until_2xx=True)
    never = sorted(op.label for op in body_operations if not any(200 <= s < 300 for s in statuses[op.label]))
    server_errors = sum(n for counts in statuses.values() for s, n in counts.items() if s >= 500)
    print(f"\nschemathesis: {len(operations)} operations ({len(body_operations)} take a body); "
          f"{requests['positive']} positive and {requests['negative']} negative requests; "
          f"{server_errors} server errors; {len(failures)} failed checks; "
          f"{len(body_operations) - len(never)} of {len(body_operations)} operations with a body reached 2xx")
    for label in never:
        print(f"  never 2xx: {label} {dict(statuses[label])}; last: {last_refusal.get(label, '')}")
    assert not failures, "\n\n".join(failures)
    unexplained = sorted(set(never) - set(NEEDS_STATE))
    assert unexplained == [], "operations with a body that never answered 2xx: " + ", ".join(unexplained)


@pytest.fixture(autouse=True)
def _every_plugin_enabled_in_the_app(app: Litestar) -> None:
    assert {"dagsverk_lottery", "nyttig_contract", "payroll_rules"} <= set(app.state["ctx"].plugins.program_plugins)
