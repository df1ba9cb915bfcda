"""The worked example in docs/api.md, run as it is written (issue 14).

The example is a shell session: ``curl`` calls, some of them keeping a value from the answer
with ``jq`` (``DAY=$(curl ... | jq -r .id)``), and ``export`` lines. This test reads every
```sh block of the section "A worked example" and carries it out against the app, in
process: each curl becomes the same request, each jq path picks the same value, and every
call must answer 2xx. So the document cannot drift from the API: a renamed route, field or
status breaks this test.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import shlex
import time
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.orm import Session

from core.i18n import today
from core.models import Membership, Organization, OrganizationPlugin, Site, StaffUser
from tests.conftest import PASSWORD, password_hash

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
SECTION = "## A worked example"
GIVEN = {"BASE", "USERNAME", "PASSWORD", "TODAY", "MONTH_START", "MONTH_END"}
UNTIL = re.compile(r"^until (?P<cmd>curl .*?)\s*\|\s*jq -e '(?P<path>[^ ']+) == \"(?P<value>[^\"]*)\"'(?: >/dev/null)?; do sleep \d+; done$")
"""A poll, as for the team suggestion that runs in a worker: ``until curl ... | jq -e '.status == "done"' >/dev/null; do sleep 1; done``."""
ASSIGN = re.compile(r"^(?P<name>[A-Z_][A-Z_0-9]*)=\$\((?P<cmd>curl .*?)\s*\|\s*jq -r '?(?P<path>[^')]+)'?\)$")


def example_lines() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    assert SECTION in text, f"docs/api.md has no section {SECTION!r}"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    lines: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        # Join continued lines, drop comments and blank lines.
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


VARIABLE = re.compile(r"\$(?:\{(?P<braced>[A-Z_][A-Z_0-9]*)\}|(?P<name>[A-Z_][A-Z_0-9]*))")


def expand(text: str, env: dict[str, str]) -> str:
    """``$NAME`` and ``${NAME}`` as the shell expands them."""
    return VARIABLE.sub(lambda m: env[m["braced"] or m["name"]], text)


def jq(value: Any, path: str) -> str:
    """The few jq paths the example uses: ``.a.b``, ``.items[0].id``."""
    for part in re.findall(r"\.([A-Za-z_][A-Za-z_0-9]*)|\[(\d+)\]", path):
        key, index = part
        value = value[key] if key else value[int(index)]
    return str(value)


def run_curl(client: TestClient[Litestar], command: str, env: dict[str, str]) -> Any:
    expanded = expand(command, env)
    args = shlex.split(expanded)
    assert args[0] == "curl", command
    method, headers, body, url = "GET", {}, None, None
    i = 1
    while i < len(args):
        arg = args[i]
        if arg in ("-X", "--request"):
            method = args[i + 1]
            i += 2
        elif arg in ("-H", "--header"):
            name, value = args[i + 1].split(":", 1)
            headers[name.strip()] = value.strip()
            i += 2
        elif arg in ("-d", "--data", "--json"):
            body = args[i + 1]
            if method == "GET":
                method = "POST"
            if arg == "--json":
                headers.setdefault("Content-Type", "application/json")
            i += 2
        elif arg.startswith("-"):
            i += 1  # -s, -f, --fail-with-body: how curl prints, not what it sends
        else:
            url = arg
            i += 1
    assert url and url.startswith(env["BASE"]), command
    path = url[len(env["BASE"]):]
    response = client.request(method, path, content=body.encode() if body else None, headers=headers)
    print(method, path, response.status_code, response.text[:300])  # shown when a step fails
    assert 200 <= response.status_code < 300, f"{command}\n→ {response.status_code} {response.text[:600]}"
    return response.json() if "json" in response.headers.get("content-type", "") else response.text


def _organization_from_nothing(db: Session) -> None:
    """What an integrator is given: an organization running Dagsverket and pay, a site, and
    a leader's account (made by the organization's admin on the admin page)."""
    org = Organization(slug="eksempel", name="Eksempel Dagsverk", program_name="Dagsverket")
    db.add(org)
    db.flush()
    for plugin in ("dagsverk_lottery", "payroll_rules"):
        db.add(OrganizationPlugin(organization_id=org.id, plugin=plugin, enabled=True))
    db.add(Site(organization_id=org.id, name="Dagsverket, Stavne"))
    user = StaffUser(username="integrator", full_name="Ingrid Integrator", password_hash=password_hash())
    db.add(user)
    db.flush()
    for role in ("leader", "work_leader", "payroll"):
        db.add(Membership(user_id=user.id, organization_id=org.id, role=role))
    db.commit()


def test_the_worked_example_in_the_api_guide_runs(app: Litestar, session_factory) -> None:  # type: ignore[no-untyped-def]
    with session_factory() as db:
        _organization_from_nothing(db)
    env = {"BASE": "http://testserver.local", "TODAY": today().isoformat(), "USERNAME": "integrator", "PASSWORD": PASSWORD,
           "MONTH_START": today().replace(day=1).isoformat(),
           "MONTH_END": ((today().replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)).isoformat()}
    lines = example_lines()
    assert sum(line.count("curl ") for line in lines) >= 8, "the example should go from sign-in to a pay run"
    with TestClient(app, base_url=env["BASE"]) as client:
        last: Any = None
        for line in lines:
            if line.startswith("export "):
                name, value = line[len("export "):].split("=", 1)
                if name in GIVEN:
                    continue  # where the server is and who signs in: the test's own
                env[name] = expand(value.strip("'\""), env)
            elif m := ASSIGN.match(line):
                last = run_curl(client, m["cmd"], env)
                env[m["name"]] = jq(last, m["path"])
            elif m := UNTIL.match(line):
                deadline = time.monotonic() + 120
                while jq(run_curl(client, m["cmd"], env), m["path"]) != m["value"]:
                    assert time.monotonic() < deadline, f"still not {m['value']!r} after 120 s: {line}"
                    time.sleep(0.2)
            elif line.startswith("curl "):
                last = run_curl(client, line, env)
            else:
                raise AssertionError(f"the example has a line this test cannot run: {line}")
    assert last is not None
    json.dumps(last)  # the last answer is JSON (the approved pay run)
