"""Every response says how long the app worked on it and how long it waited for its turn
(the benchmark reads both), and a process works on only a few requests at once."""
from __future__ import annotations

import asyncio
import dataclasses
import re
import threading
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import delete

from core import hookimpl
from core.config import load_settings
from core.models import OrganizationPlugin
from core.web.handlers import page_get
from tests.conftest import TEST_PLUGINS, api_token, bearer, login

TIMING = r"app;dur=\d+\.\d\d, queue;dur=\d+\.\d\d"


def test_server_timing_header_on_pages_and_api(world, client):
    assert re.fullmatch(TIMING, client.get("/login").headers["server-timing"])
    login(client, world.a.users["leader"])
    assert re.fullmatch(TIMING, client.get("/participants").headers["server-timing"])


class SlowPage:
    """A plugin with one page that takes 0.2 s and counts how many run at the same time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0

        @page_get("/slow-probe", opt={"permission": "dashboard.view"}, name="probe.slow")
        def slow() -> dict[str, Any]:
            with self.lock:
                self.running += 1
                self.most = max(self.most, self.running)
            time.sleep(0.2)
            with self.lock:
                self.running -= 1
            return {"ok": True}

        self.handler = slow

    @hookimpl
    def lavterskel_route_handlers(self) -> list[Any]:
        return [self.handler]


@pytest.mark.parametrize("turns", [1, 3])
def test_a_process_works_on_at_most_its_set_number_of_requests(world, turns: int) -> None:
    from core.web.app import create_app

    base = load_settings()
    probe = SlowPage()
    app = create_app(dataclasses.replace(base, web=dataclasses.replace(base.web, concurrent_requests=turns)),
                     extra_plugins=[*TEST_PLUGINS, ("probe", probe)])
    headers = bearer(api_token(world, world.a, "leader"))
    with world.db() as db:
        db.add(OrganizationPlugin(organization_id=world.a.org.id, plugin="probe", enabled=True))
        db.commit()

    async def six_at_once() -> list[Any]:
        # httpx's ASGI transport calls the app directly, so the six really arrive together
        # (the test client would send them one after another).
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local") as c:
            return await asyncio.gather(*(c.get("/slow-probe", headers=headers) for _ in range(6)))

    responses: list[Any] = []
    try:
        # In a thread of its own: the browser tests' Playwright keeps an event loop running in
        # the main thread, where asyncio.run() refuses to start another.
        runner = threading.Thread(target=lambda: responses.extend(asyncio.run(six_at_once())))
        runner.start()
        runner.join(timeout=60)
    finally:
        app.state["ctx"].engine.dispose()
        with world.db() as db:
            db.execute(delete(OrganizationPlugin).where(OrganizationPlugin.plugin == "probe"))
            db.commit()
    assert [r.status_code for r in responses] == [200] * 6
    assert probe.most == turns
    # The ones that waited say so, and their own time does not include the wait.
    timings = [tuple(float(x) for x in re.findall(r"dur=([\d.]+)", r.headers["server-timing"])) for r in responses]
    assert max(queue for _app, queue in timings) >= 150
    assert all(app_ms < 400 for app_ms, _queue in timings)
