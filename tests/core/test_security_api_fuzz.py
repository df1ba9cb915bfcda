"""Fuzz the JSON API from its own OpenAPI schema (schemathesis, in-process ASGI).

Every operation gets a bounded number of generated requests (``LAVTERSKEL_FUZZ_EXAMPLES``,
default 4, derandomized so a run is repeatable) with a token that holds every role, so
the requests get past the guards and into the handlers. No answer may be a 500, and every
answer must match the schema and its declared content type.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from litestar import Litestar
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance
from sqlalchemy import update

from core.models import Membership, StaffUser
from core.services.auth import create_api_token
from tests.conftest import ROLES, password_hash

EXAMPLES = int(os.environ.get("LAVTERSKEL_FUZZ_EXAMPLES", "4"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def test_fuzzing_the_api_finds_no_server_error_and_no_schema_violation(app: Litestar, world) -> None:  # type: ignore[no-untyped-def]
    with world.db() as db:
        fuzzer = StaffUser(username="fuzzer", full_name="Fuzz Tester", password_hash=password_hash())
        db.add(fuzzer)
        db.flush()
        for role in ROLES:
            db.add(Membership(user_id=fuzzer.id, organization_id=world.a.org.id, role=role))
        db.commit()
        fuzzer_id = fuzzer.id

    def fresh_token() -> str:
        # Fuzzed admin calls may disable any user or revoke any token, the fuzzer's own
        # included: give every request a live account and a new token.
        with world.db() as db:
            db.execute(update(StaffUser).where(StaffUser.id == fuzzer_id).values(is_active=True, locked_until=None))
            user = db.get(StaffUser, fuzzer_id)
            return create_api_token(db, user, world.a.org.id, "fuzz")  # type: ignore[arg-type]

    schema = schemathesis.openapi.from_asgi("/api/v1/schema/openapi.json", app)
    # The schema also lists the HTML pages; the API is what it promises JSON for.
    operations = [op for op in (result.ok() for result in schema.get_all_operations()) if op.path.startswith("/api/")]
    assert len(operations) > 20
    failures: list[str] = []
    for operation in operations:

        @settings(
            max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(headers={"Authorization": f"Bearer {fresh_token()}"})
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then fail once
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:600]}")
    assert not failures, "\n\n".join(failures)


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
