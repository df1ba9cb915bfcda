"""The API can be used from its OpenAPI schema alone (issue 14).

Each ``/api/v1`` operation is checked on its own (so ``-k`` finds one): it has a summary
and a description; a body it takes or returns is a named schema whose every field is
described; a list it returns describes its items; its query parameters are declared. A
bare ``object`` anywhere in a body is an undescribed body, and fails.
"""
from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar

from core.web.app import create_app

METHODS = ("get", "post", "put", "patch", "delete")


def _schema() -> dict[str, Any]:
    app: Litestar = create_app()
    return app.openapi_schema.to_schema()


SCHEMA = _schema()
OPERATIONS = [
    (method.upper(), path) for path, item in sorted(SCHEMA["paths"].items()) if path.startswith("/api/v1/")
    for method in METHODS if method in item
]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        return SCHEMA["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


def undescribed(schema: dict[str, Any], where: str, seen: set[str] | None = None) -> list[str]:
    """Every place in ``schema`` that does not say what it holds."""
    seen = seen if seen is not None else set()
    ref = schema.get("$ref")
    if ref:
        if ref in seen:
            return []
        seen.add(ref)
        return undescribed(_resolve(schema), f"{where}→{ref.rsplit('/', 1)[1]}", seen)
    problems: list[str] = []
    for key in ("oneOf", "anyOf", "allOf"):
        for i, sub in enumerate(schema.get(key, [])):
            problems += undescribed(sub, f"{where}[{key}{i}]", seen)
    kind = schema.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind}
    if "object" in kinds:
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        if not props and not (isinstance(extra, dict) and extra):
            problems.append(f"{where}: an object with no fields described")
        for name, prop in (props or {}).items():
            if not prop.get("description") and not _resolve(prop).get("description"):
                problems.append(f"{where}.{name}: no description")
            problems += undescribed(prop, f"{where}.{name}", seen)
        if isinstance(extra, dict) and extra:
            problems += undescribed(extra, f"{where}{{*}}", seen)
    if "array" in kinds:
        items = schema.get("items")
        if not items:
            problems.append(f"{where}: a list whose items are not described")
        else:
            problems += undescribed(items, f"{where}[]", seen)
    return problems


def _bodies(op: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for ctype, media in (op.get("requestBody", {}).get("content") or {}).items():
        found.append((f"request {ctype}", media.get("schema") or {}))
    for status, resp in (op.get("responses") or {}).items():
        if not str(status).startswith("2"):
            continue
        for ctype, media in (resp.get("content") or {}).items():
            if "json" in ctype:
                found.append((f"response {status}", media.get("schema") or {}))
    return found


def test_the_api_has_operations_to_check() -> None:
    assert len(OPERATIONS) > 80


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_is_described(method: str, path: str) -> None:
    op = SCHEMA["paths"][path][method.lower()]
    problems = []
    if not op.get("summary"):
        problems.append("no summary")
    if not (op.get("description") or "").strip():
        problems.append("no description")
    for where, schema in _bodies(op):
        if not schema:
            problems.append(f"{where}: no schema")
        else:
            problems += undescribed(schema, where)
    for param in op.get("parameters", []):
        if param.get("in") in {"query", "path"} and not param.get("description"):
            problems.append(f"parameter {param['name']}: no description")
    assert problems == [], f"{method} {path}:\n" + "\n".join(problems)


def test_a_request_without_a_token_is_told_how_to_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    res = client.get("/api/v1/me")
    assert res.status_code == 401
    assert res.headers["www-authenticate"].startswith("Bearer")


def test_the_schema_declares_the_bearer_scheme() -> None:
    assert SCHEMA["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert {"bearer": []} in SCHEMA["security"]
