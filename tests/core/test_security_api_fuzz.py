"""Fuzz the whole JSON API from its own OpenAPI schema (schemathesis, in-process ASGI).

Every ``/api/`` operation the app serves, the core's and every plugin's, gets a bounded
number of generated requests (``LAVTERSKEL_FUZZ_EXAMPLES``, default 4, derandomized so a
run is repeatable) twice: with data the schema allows (positive) and with data it forbids
(negative: wrong types, missing fields, out-of-range values). The requests carry a token of
a user who holds every role in an organization running every plugin, so they get past the
guards and into the handlers. No answer may be a 500; a positive one must also match the
schema and its declared content type.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from litestar import Litestar
from schemathesis import GenerationMode
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance
from sqlalchemy import update

from core.models import Membership, OrganizationPlugin, StaffUser
from core.services.auth import create_api_token
from tests.conftest import ROLES, password_hash

EXAMPLES = int(os.environ.get("LAVTERSKEL_FUZZ_EXAMPLES", "4"))
CHECKS = {
    GenerationMode.POSITIVE: [not_a_server_error, response_schema_conformance, content_type_conformance],
    # Data the schema forbids must be refused; how (400, 404, 422) is not the schema's to say.
    GenerationMode.NEGATIVE: [not_a_server_error],
}


def every_plugin_and_role(app: Litestar, world) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Organization a runs every plugin; returns it and a user holding every role there."""
    with world.db() as db:
        have = {p.plugin for p in db.query(OrganizationPlugin).filter_by(organization_id=world.a.org.id)}
        for name in app.state["ctx"].plugins.program_plugins:
            if name not in have:
                db.add(OrganizationPlugin(organization_id=world.a.org.id, plugin=name, enabled=True))
        fuzzer = StaffUser(username="fuzzer", full_name="Fuzz Tester", password_hash=password_hash())
        db.add(fuzzer)
        db.flush()
        for role in ROLES:
            db.add(Membership(user_id=fuzzer.id, organization_id=world.a.org.id, role=role))
        db.commit()
        return world.a.org.id, fuzzer.id


def test_fuzzing_the_whole_api_finds_no_server_error(app: Litestar, world) -> None:  # type: ignore[no-untyped-def]
    org_id, fuzzer_id = every_plugin_and_role(app, world)

    def fresh_token() -> str:
        # Fuzzed admin calls may disable any user or revoke any token, the fuzzer's own
        # included: give every request a live account and a new token.
        with world.db() as db:
            db.execute(update(StaffUser).where(StaffUser.id == fuzzer_id).values(is_active=True, locked_until=None))
            user = db.get(StaffUser, fuzzer_id)
            return create_api_token(db, user, org_id, "fuzz")  # type: ignore[arg-type]

    schema = schemathesis.openapi.from_asgi("/api/v1/schema/openapi.json", app)
    # The schema also lists the HTML pages; the API is what it promises JSON for.
    operations = [op for op in (result.ok() for result in schema.get_all_operations()) if op.path.startswith("/api/")]
    served = {
        (method, route.path) for route in app.routes if route.path.startswith("/api/v1/") and not route.path.startswith("/api/v1/schema")
        for handler in getattr(route, "route_handlers", []) for method in handler.http_methods if method not in {"HEAD", "OPTIONS"}
    }
    assert len(operations) >= len(served) > 60, (len(operations), len(served))
    failures: list[str] = []
    requests = {mode: 0 for mode in CHECKS}
    unbreakable: list[str] = []
    for operation in operations:
        for mode in CHECKS:

            @settings(
                max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case) -> None:  # type: ignore[no-untyped-def]
                requests[mode] += 1  # noqa: B023 - run() is called in this same iteration
                response = case.call(headers={"Authorization": f"Bearer {fresh_token()}"})
                case.validate_response(response, checks=CHECKS[mode])  # noqa: B023

            try:
                run()
            except Unsatisfiable:
                # Nothing in this operation's schema to break (no parameters, no body).
                assert mode is GenerationMode.NEGATIVE, operation.label
                unbreakable.append(operation.label)
            except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then fail once
                failures.append(f"{operation.label} ({mode.value}): {type(exc).__name__}: {str(exc)[:600]}")
    print(f"schemathesis: {len(operations)} operations, {requests[GenerationMode.POSITIVE]} positive and "
          f"{requests[GenerationMode.NEGATIVE]} negative requests ({len(unbreakable)} operations have nothing to negate)")
    assert not failures, "\n\n".join(failures)
    assert requests[GenerationMode.POSITIVE] >= len(operations)


@pytest.mark.parametrize("body", [b"{", b"[]", b'"text"', b"null", b'{"party": {"$ne": 1}}', "{\"party\": \"\u0000\"}".encode()])
def test_malformed_json_gets_a_4xx_not_a_500(app: Litestar, world, client, body: bytes) -> None:  # type: ignore[no-untyped-def]
    from core.models import Participant
    from tests.conftest import api_token, bearer

    with world.db(world.a) as db:
        p = Participant(organization_id=world.a.org.id, first_name="A")
        db.add(p)
        db.commit()
    headers = {**bearer(api_token(world, world.a, "social_worker")), "Content-Type": "application/json"}
    for path in (f"/api/v1/participants/{p.id}/consents", f"/api/v1/participants/{p.id}/contacts", "/api/v1/participants"):
        r = client.post(path, content=body, headers=headers)
        assert 400 <= r.status_code < 500, (path, body, r.status_code, r.text[:200])
