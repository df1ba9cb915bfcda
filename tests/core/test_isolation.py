"""One organization's staff never reach another organization's rows.

The sweep is built from the app's own route table, so a route added later (by the core or
by a plugin) is covered without editing this file: every route with an integer path
parameter is called, in HTML and in the API, with every method it offers, with ids of
real rows of the other organization, by a user holding every role there is. The answer
must be 404, and the database must be exactly as it was.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.actions import validation_errors
from core.db import Base
from core.forms import FormError
from core.models import (
    ApiToken,
    Attendance,
    Customer,
    DatedSetting,
    Department,
    Membership,
    Organization,
    OrganizationPlugin,
    Participant,
    ProgramDay,
    Shift,
    Site,
    StaffUser,
    Team,
    WorkOrder,
)
from core.services.auth import create_api_token
from core.services.registry import RESOURCES
from tests.conftest import ROLES, bearer, csrf_token, login, password_hash, post_form

MARK = "Zqxvictim"
CORE_DAY = dt.date(2026, 1, 5)
CORE_AREAS = {"participants", "customers", "work-orders", "days", "admin", "account", "me"}
SKIP_METHODS = {"OPTIONS", "HEAD"}
# Columns that a request touches by design (idle clocks), left out of the comparison.
VOLATILE = {("login_session", "last_seen_at"), ("api_token", "last_used_at")}
# Path parameter name -> table, for names that do not say it themselves.
PARAM_TABLES = {
    "day_id": "program_day",
    "user_id": "staff_user",
    "token_id": "api_token",
    "order_id": "work_order",
    "work_order_id": "work_order",
    "pid": "participant",
    "did": "department",
    "oid": "work_order",
    # Nyttig Arbeid's short names for its own rows.
    "cid": "nyttig_contract_consent",
    "eid": "nyttig_contract_equipment",
    "iid": "nyttig_contract_incident",
}


# --------------------------------------------------------------------------- the route table


@dataclass(frozen=True)
class IdRoute:
    path: str
    method: str
    params: tuple[str, ...]
    dates: tuple[str, ...] = ()
    """Date parameters next to the ids (``/days/{date:date}/teams/{team_id:int}``)."""
    body: Any = None
    """The route's typed body (a msgspec Struct), which the request is shaped to."""

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")


def id_routes(app: Any) -> list[IdRoute]:
    out = []
    for route in app.routes:
        all_params = getattr(route, "path_parameters", {})
        params = tuple(n for n, p in all_params.items() if p.type is int)
        if not params:
            continue
        dates = tuple(n for n, p in all_params.items() if p.type is dt.date)
        for handler in getattr(route, "route_handlers", []):
            data = handler.parsed_fn_signature.parameters.get("data")
            body = data.annotation if data is not None and isinstance(data.annotation, type) and issubclass(data.annotation, msgspec.Struct) else None
            for method in sorted(set(handler.http_methods) - SKIP_METHODS):
                out.append(IdRoute(route.path, method, params, dates, body))
    return out


def plain_get_routes(app: Any) -> list[str]:
    """GET pages and API lists that take no path parameter: the lists and overviews."""
    out = []
    for route in app.routes:
        if getattr(route, "path_parameters", {}) or route.path.startswith(("/static", "/api/v1/schema", "/login")):
            continue
        if any("GET" in h.http_methods for h in getattr(route, "route_handlers", [])):
            out.append(route.path)
    return sorted(out)


def table_for(route: IdRoute, param: str) -> str | None:
    if param in PARAM_TABLES:
        return PARAM_TABLES[param]
    if param == "obj_id":
        # /participants/{obj_id}, /api/v1/work-orders/{obj_id}/status: the segment before it.
        segments = route.path.split("/")
        before = segments[segments.index("{obj_id:int}") - 1]
        res = RESOURCES.get(before)
        return res.model.__tablename__ if res else None  # type: ignore[attr-defined]
    stem = param.removesuffix("_id")
    tables = Base.metadata.tables
    if stem in tables:
        return stem
    # A plugin's table is <plugin>_<thing>: {entry_id} under /rolling-list -> rolling_list_entry.
    candidates = sorted(t for t in tables if t.endswith(f"_{stem}"))
    prefix = route.path.removeprefix("/api/v1").strip("/").split("/")[0].replace("-", "_")
    preferred = [t for t in candidates if t.startswith(prefix)]
    if len(preferred) == 1:
        return preferred[0]
    return candidates[0] if len(candidates) == 1 else None


# --------------------------------------------------------------------------- the data


def _ids_of(db: Session, table: str, org_id: int) -> list[int]:
    t = Base.metadata.tables[table]
    if table == "staff_user":
        stmt = select(Membership.user_id).where(Membership.organization_id == org_id).distinct()
    elif "organization_id" in t.c:
        stmt = select(t.c.id).where(t.c.organization_id == org_id)
    else:
        return []
    return sorted(db.execute(stmt.execution_options(unscoped=True)).scalars())


def snapshot(db: Session) -> dict[str, str]:
    """A digest of every table, so "nothing changed" means nothing at all."""
    out = {}
    for table in Base.metadata.sorted_tables:
        cols = [c for c in table.c if (table.name, c.name) not in VOLATILE]
        order = [c for c in table.primary_key.columns] or cols
        rows = db.execute(select(*cols).order_by(*order)).all()
        out[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


@dataclass
class Side:
    org: Organization
    user: StaffUser
    token: str
    ids: dict[str, list[int]] = field(default_factory=dict)
    day: dt.date = CORE_DAY
    """A date on which this side has a program day, for routes that take a date too."""


def _core_rows(db: Session, org: Organization, user: StaffUser, marked: bool) -> None:
    """Days, teams, shifts and attendance next to the demo's rows, with a marker in names."""
    tag = f" {MARK}" if marked else ""
    site = db.scalars(select(Site).where(Site.organization_id == org.id).execution_options(unscoped=True)).first()
    people = db.scalars(select(Participant).where(Participant.organization_id == org.id).limit(3).execution_options(unscoped=True)).all()
    order = db.scalars(select(WorkOrder).where(WorkOrder.organization_id == org.id).execution_options(unscoped=True)).first()
    day = ProgramDay(organization_id=org.id, site_id=site.id, date=CORE_DAY, is_open=True, note=f"day{tag}")
    dept = Department(organization_id=org.id, site_id=site.id, name=f"Department{tag}")
    db.add_all([day, dept])
    db.flush()
    team = Team(organization_id=org.id, day_id=day.id, name=f"Team{tag}", work_leader_id=user.id)
    team.work_orders = [order]
    db.add(team)
    db.flush()
    for p in people:
        db.add(Attendance(organization_id=org.id, day_id=day.id, participant_id=p.id))
        db.add(Shift(organization_id=org.id, day_id=day.id, team_id=team.id, participant_id=p.id, outcome="worked", hours=Decimal("5")))
    if "consent" in Base.metadata.tables:  # the core's consent records (privacy), where present
        db.execute(Base.metadata.tables["consent"].insert().values(
            organization_id=org.id, participant_id=people[0].id, party=f"NAV{tag}", given_on=CORE_DAY))
    db.add(DatedSetting(organization_id=org.id, key="x.marker", valid_from=dt.date(2026, 1, 1), value=1, note=f"note{tag}"))
    if marked:
        db.add(Participant(organization_id=org.id, first_name=MARK, last_name=MARK, card_code=f"{MARK}1"))
        db.add(Customer(organization_id=org.id, name=f"{MARK} customer", contact_name=MARK))
        db.add(WorkOrder(organization_id=org.id, title=f"{MARK} order", location=MARK, status="accepted"))
        site.name = f"{site.name} {MARK}"


def _all_roles_user(db: Session, org: Organization, name: str) -> StaffUser:
    user = StaffUser(username=name, full_name=name.title(), password_hash=password_hash())
    db.add(user)
    db.flush()
    for role in ROLES:
        db.add(Membership(user_id=user.id, organization_id=org.id, role=role))
    db.flush()
    return user


@pytest.fixture
def two_programs(app, session_factory) -> tuple[Side, Side]:
    """Both demo organizations, each also running every plugin, so that no plugin guard
    answers 404 before the handler itself has had to refuse the other organization's id."""
    from core.demo import load_demo

    plugins = app.state["ctx"].plugins
    load_demo(session_factory, plugins)
    sides = []
    with session_factory() as db:
        for slug, marked in (("stavne", False), ("velferdsetaten", True)):
            org = db.scalars(select(Organization).where(Organization.slug == slug)).one()
            have = {p.plugin for p in org.plugins}
            for name in plugins.program_plugins:
                if name not in have:
                    db.add(OrganizationPlugin(organization_id=org.id, plugin=name, enabled=True))
            user = _all_roles_user(db, org, f"all-roles-{slug}")
            if marked:
                user.full_name = f"{MARK} Staff"
            _core_rows(db, org, user, marked)
            db.commit()
            token = create_api_token(db, user, org.id, f"token{' ' + MARK if marked else ''}")
            sides.append(Side(org=org, user=user, token=token))
        for side in sides:
            side.ids = {t: _ids_of(db, t, side.org.id) for t in Base.metadata.tables}
    return sides[0], sides[1]


# --------------------------------------------------------------------------- the sweep


def _body(attacker: Side) -> dict[str, Any]:
    """A body that would be valid for the attacker's own rows, so only the path is foreign."""
    ids = attacker.ids
    first = lambda t: ids[t][0] if ids.get(t) else None  # noqa: E731
    return {
        "participant_id": first("participant"), "status": "accepted", "status_reason": "Because", "name": "Name",
        "outcome": "worked", "hours": "4", "active": "1", "first_name": "Name", "title": "Title", "is_open": "1",
        "capacity": "5", "note": "Note", "value": "1", "party": "Party", "scope": "Scope", "given_on": "2026-01-01",
        "contacted_on": "2026-01-01", "is_active": True,
    }


def _shaped(route: IdRoute, body: dict[str, Any]) -> dict[str, Any]:
    """The body as the route's typed input takes it (its fields only, as JSON types): a
    typed body is checked before the handler runs, so a body it refuses would answer 400
    whatever the path, and the sweep would never reach the lookup it is there to test."""
    if route.body is None:
        return body
    picked = {k: v for k, v in body.items() if k in route.body.__struct_fields__}
    examples = _examples(route.body)
    for _ in range(len(route.body.__struct_fields__) + 1):
        try:
            return msgspec.to_builtins(msgspec.convert(picked, route.body, strict=False))
        except msgspec.ValidationError as exc:
            # A field this generic body gets wrong for this route (payroll's "status" is a
            # benefit status, not a work order's): take the example the schema gives.
            wrong = next(iter(validation_errors(str(exc))))
            if wrong not in examples or picked.get(wrong) == examples[wrong]:
                return picked
            picked[wrong] = examples[wrong]
        except FormError:
            return picked
    return picked


def _examples(struct: type) -> dict[str, Any]:
    """The first example each field of a Struct declares (``Meta(examples=[...])``)."""
    found: dict[str, Any] = {}
    for field in msgspec.inspect.type_info(struct).fields:  # type: ignore[attr-defined]
        kind = field.type
        if isinstance(kind, msgspec.inspect.Metadata) and (kind.extra_json_schema or {}).get("examples"):
            found[field.name] = kind.extra_json_schema["examples"][0]
    return found


def _call(client: Any, side: Side, route: IdRoute, path: str) -> Any:
    body = _body(side)
    if route.is_api:
        json = _shaped(route, {k: v for k, v in body.items() if v is not None})
        return client.request(route.method, path, json=json, headers=bearer(side.token))
    if route.method == "GET":
        return client.get(path, follow_redirects=False)
    data = {k: str(v) for k, v in body.items() if v is not None}
    data["_csrf_token"] = csrf_token(client)
    return client.request(route.method, path, data=data, follow_redirects=False)


def _fill(route: IdRoute, values: dict[str, int], day: dt.date = CORE_DAY) -> str:
    path = route.path
    for name, value in values.items():
        path = path.replace(f"{{{name}:int}}", str(value))
    for name in route.dates:  # the caller's own day: only the ids are foreign
        path = path.replace(f"{{{name}:date}}", day.isoformat())
    return path


def sweep(app: Any, client: Any, attacker: Side, victim: Side, db_factory: Any) -> tuple[list[str], list[str], set[IdRoute]]:
    """Returns the failures, the routes whose ids name no known table, and the routes
    tried with real rows of the victim (a program's own tables have rows in one direction)."""
    failures: list[str] = []
    unresolved: list[str] = []
    covered: set[IdRoute] = set()
    with db_factory() as db:
        before = snapshot(db)
    for route in id_routes(app):
        tables = {p: table_for(route, p) for p in route.params}
        if any(t is None for t in tables.values()):
            unresolved.append(f"{route.method} {route.path}")
            continue
        victim_ids = {p: victim.ids[t][:2] for p, t in tables.items()}
        own_ids = {p: attacker.ids[t][:1] for p, t in tables.items()}
        if any(not ids for ids in victim_ids.values()):
            # Nothing of the victim's to reach here (the other direction may cover it): an id
            # that exists nowhere must still be 404.
            victim_ids = {p: ids or [2**31 - 1] for p, ids in victim_ids.items()}
        else:
            covered.add(route)
        # Each parameter foreign in turn (others the attacker's own), then all foreign.
        combos = []
        for p in route.params:
            for vid in victim_ids[p]:
                combo = {q: (vid if q == p else (own_ids[q] or victim_ids[q])[0]) for q in route.params}
                combos.append(combo)
        combos.append({p: victim_ids[p][0] for p in route.params})
        for combo in {tuple(sorted(c.items())): c for c in combos}.values():
            path = _fill(route, combo, attacker.day)
            response = _call(client, attacker, route, path)
            if response.status_code == 404:
                continue
            # A body refused before any lookup (400) is allowed only if the answer is the
            # same as for ids that exist nowhere: the other organization's rows must be
            # indistinguishable from rows that do not exist.
            nowhere = _call(client, attacker, route, _fill(route, {p: 2**31 - 1 for p in combo}, attacker.day))
            if not (response.status_code == 400 and (nowhere.status_code, nowhere.text) == (response.status_code, response.text)):
                failures.append(f"{route.method} {path} -> {response.status_code}")
    with db_factory() as db:
        after = snapshot(db)
    changed = sorted(t for t in before if before[t] != after[t])
    if changed:
        failures.append(f"tables changed by refused requests: {changed}")
    return failures, unresolved, covered


def test_every_id_route_answers_404_for_the_other_organizations_rows(app, client, two_programs, session_factory):
    stavne, velferd = two_programs
    covered: set[IdRoute] = set()
    for attacker, victim in ((stavne, velferd), (velferd, stavne)):
        client.cookies.clear()
        login(client, attacker.user)
        failures, unresolved, seen = sweep(app, client, attacker, victim, session_factory)
        covered |= seen
        assert failures == [], f"{attacker.org.slug} did not get 404 for {victim.org.slug}'s rows:\n" + "\n".join(failures)
        assert unresolved == [], "routes whose id parameter names no table (add it to PARAM_TABLES):\n" + "\n".join(unresolved)
    # Every id route was tried with real rows of the other organization in one direction or the other.
    # Routes no demo has rows for were tried with an id that exists nowhere; list them so
    # that a demo without, say, incidents is visible in the test output (-s).
    missed = sorted(f"{r.method} {r.path}" for r in set(id_routes(app)) - covered)
    print("id routes tried only with unknown ids (no demo rows):", *missed, sep="\n  ")
    assert len(missed) <= len(id_routes(app)) // 4, missed
    core = [r for r in covered if r.path.split("/")[1] in {"participants", "customers", "work-orders", "days", "admin", "api"}]
    assert len(core) >= 25


def test_the_same_requests_work_for_the_owner(app, client, two_programs):
    """Without this, a route that 404s for everyone would pass the sweep above."""
    stavne, _velferd = two_programs
    login(client, stavne.user)
    ok = 0
    for route in id_routes(app):
        if route.method != "GET":
            continue
        tables = {p: table_for(route, p) for p in route.params}
        if any(t is None or not stavne.ids.get(t) for t in tables.values()):
            continue
        if len(route.params) > 1 or route.path.removeprefix("/api/v1").split("/")[1] not in CORE_AREAS:
            continue  # core pages with one id; a plugin's pages need its own rows (a Nyttig path) and tests
        path = _fill(route, {p: stavne.ids[t][0] for p, t in tables.items()})  # type: ignore[index]
        headers = bearer(stavne.token) if route.is_api else {}
        response = client.get(path, headers=headers, follow_redirects=False)
        assert response.status_code == 200, f"GET {path} -> {response.status_code}"
        ok += 1
    assert ok >= 8


# --------------------------------------------------------------------------- lists and search


def test_lists_and_overviews_never_show_the_other_organizations_rows(app, client, two_programs):
    stavne, velferd = two_programs
    login(client, stavne.user)
    seen = 0
    for path in plain_get_routes(app):
        if path.startswith("/api/"):
            response = client.get(path, headers=bearer(stavne.token))
        else:
            response = client.get(path)
        assert response.status_code < 500, f"GET {path} -> {response.status_code}"
        # (A plugin page may answer 404 or 400 when it needs a query; it must still show nothing foreign.)
        seen += response.status_code == 200
        for marker in (MARK, velferd.org.name):
            assert marker not in response.text, f"GET {path} shows {marker!r}"
    assert seen >= 10
    # Search and filters look only inside the organization.
    # (The page echoes the search term, so search for a part of the marker.)
    part = MARK[:6]
    for path in ("/participants?q=" + part, "/customers?q=" + part, "/work-orders?q=" + part + "&status=accepted"):
        assert MARK not in client.get(path).text
    for res in ("participants", "customers", "work-orders"):
        data = client.get(f"/api/v1/{res}?q={part}&per_page=200", headers=bearer(stavne.token)).json()
        assert data["total"] == 0 and data["items"] == []
    # The owner does see them: the marker is really there to be found.
    client.cookies.clear()
    login(client, velferd.user)
    assert MARK in client.get("/participants?q=" + MARK[:6]).text
    assert client.get(f"/api/v1/customers?q={MARK[:6]}", headers=bearer(velferd.token)).json()["total"] == 1


# --------------------------------------------------------------------------- references in forms


def _counts(db: Session) -> dict[str, int]:
    return {t.name: db.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables}


@pytest.fixture
def refs(world):
    """Rows in both world organizations that forms can point at."""
    out: dict[str, dict[str, int]] = {}
    with world.db() as db:
        for key, ow in (("a", world.a), ("b", world.b)):
            org_id = ow.org.id
            cust = Customer(organization_id=org_id, name=f"Customer {key}")
            part = Participant(organization_id=org_id, first_name=f"Person {key}")
            dept = Department(organization_id=org_id, name=f"Dept {key}", site_id=ow.site.id)
            db.add_all([cust, part, dept])
            db.flush()
            order = WorkOrder(organization_id=org_id, title=f"Order {key}", customer_id=cust.id, status="accepted")
            day = ProgramDay(organization_id=org_id, site_id=ow.site.id, date=dt.date(2026, 3, 2), is_open=True)
            db.add_all([order, day])
            db.flush()
            team = Team(organization_id=org_id, day_id=day.id, name=f"Team {key}")
            db.add(team)
            db.flush()
            shift = Shift(organization_id=org_id, day_id=day.id, participant_id=part.id, team_id=team.id)
            db.add(shift)
            db.flush()
            out[key] = {"customer": cust.id, "participant": part.id, "department": dept.id, "order": order.id,
                        "day": day.id, "team": team.id, "shift": shift.id, "site": ow.site.id,
                        "leader": ow.users["work_leader"].id}
        db.commit()
    return out


def test_forms_refuse_references_to_the_other_organizations_rows(world, client, refs):
    a, b = refs["a"], refs["b"]
    login(client, world.a.users["leader"])
    with world.db() as db:
        before = _counts(db)
        snap = snapshot(db)
    attempts = [
        ("/work-orders", {"title": "Mine", "customer_id": b["customer"]}),
        ("/work-orders", {"title": "Mine", "site_id": b["site"]}),
        ("/work-orders", {"title": "Mine", "department_id": b["department"]}),
        (f"/work-orders/{a['order']}", {"title": "Mine", "customer_id": b["customer"]}),
        ("/days", {"site_id": b["site"], "date": "2026-03-03", "is_open": "1"}),
        (f"/days/{a['day']}/attendance", {"participant_id": b["participant"]}),
        (f"/days/{a['day']}/assign", {"participant_id": b["participant"]}),
        (f"/days/{a['day']}/assign", {"participant_id": a["participant"], "team_id": b["team"]}),
        (f"/days/{a['day']}/teams", {"name": "T", "work_leader_id": b["leader"]}),
        (f"/days/{a['day']}/teams", {"name": "T", "work_order_ids": str(b["order"])}),
        (f"/days/{a['day']}/shifts/{b['shift']}", {"outcome": "worked", "hours": "3"}),
    ]
    for path, data in attempts:
        response = post_form(client, path, data)
        assert 400 <= response.status_code < 500, f"POST {path} {data} -> {response.status_code}"
    with world.db() as db:
        assert _counts(db) == before
        assert snapshot(db) == snap


def test_api_refuses_references_to_the_other_organizations_rows(world, client, refs):
    from tests.conftest import api_token

    a, b = refs["a"], refs["b"]
    headers = bearer(api_token(world, world.a, "leader"))
    with world.db() as db:
        before = _counts(db)
        snap = snapshot(db)
    attempts = [
        ("POST", "/api/v1/work-orders", {"title": "Mine", "customer_id": b["customer"]}),
        ("POST", "/api/v1/work-orders", {"title": "Mine", "site_id": b["site"]}),
        ("PATCH", f"/api/v1/work-orders/{a['order']}", {"department_id": b["department"]}),
        ("POST", "/api/v1/days", {"site_id": b["site"], "date": "2026-03-03"}),
        ("POST", f"/api/v1/days/{a['day']}/attendance", {"participant_id": b["participant"]}),
        ("POST", f"/api/v1/days/{a['day']}/assign", {"participant_id": b["participant"]}),
        ("POST", f"/api/v1/days/{a['day']}/assign", {"participant_id": a["participant"], "team_id": b["team"]}),
        ("POST", f"/api/v1/days/{a['day']}/teams", {"name": "T", "work_leader_id": b["leader"]}),
        ("POST", f"/api/v1/days/{a['day']}/teams", {"name": "T", "work_order_ids": [b["order"]]}),
        ("PATCH", f"/api/v1/days/{a['day']}/shifts/{b['shift']}", {"outcome": "worked", "hours": "3"}),
    ]
    for method, path, body in attempts:
        response = client.request(method, path, json=body, headers=headers)
        assert 400 <= response.status_code < 500, f"{method} {path} {body} -> {response.status_code}"
        assert response.json()["detail"]
    with world.db() as db:
        assert _counts(db) == before
        assert snapshot(db) == snap
