"""Browser fixtures: a real server with demo data, Debian's Chromium, and axe-core.

Everything here is built once per test session and reused, so that a browser test costs
page loads, not server starts:

- ``live_site``: its own database (a fresh SQLite file, or on PostgreSQL a new database
  created on the cluster ``LAVTERSKEL_DATABASE_URL`` points at), migrated and loaded with
  ``lavterskel demo``, served by ``lavterskel serve`` on 127.0.0.1 and a free port.
  ``live_site.start_server()`` starts one more server process on the same database (stop
  it yourself, or leave it: every server is stopped at the end of the session).
- ``browser``: Chromium through Playwright, never a downloaded browser.
- ``staff_page(role, org="stavne")``: a page logged in through the login form as that
  demo role (``admin``, ``leader``, ``work_leader``, ``social_worker``, ``payroll``;
  org ``stavne`` = Dagsverket, ``velferdsetaten`` = Nyttig Arbeid). One page per
  (org, role) for the whole session: navigate first, and leave it in Norwegian
  (``use_locale(page, "nb")``) if you switched.
- ``new_page()``: a fresh, anonymous page in its own context, closed after the test.

Helpers to import (``from tests.browser.conftest import visit, ...``):

- ``visit(page, path)``: goes there, checks the status, and checks the page with axe-core
  (WCAG 2.0/2.1 A and AA): any violation fails the test with a readable list.
- ``assert_accessible(page)``: the axe check alone, for a state reached by clicks.
- ``use_locale(page, "en")``: switches language with the page's own language button.
- ``screenshot(page, name)``: a 1280x800 PNG into ``docs/screenshots/<name>.png``, only
  when the site holds the demo data (so the README never shows an empty app).

Mark browser tests ``pytestmark = pytest.mark.browser`` (this conftest also adds the mark
to everything under ``tests/browser/``).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.servers import free_port, new_pg_database

from core.demo import DEMO_PASSWORD
from tests.conftest import IS_POSTGRES

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORT = {"width": 1280, "height": 800}
DEMO_ORGS = ("stavne", "velferdsetaten")
ROLES = ("admin", "leader", "work_leader", "social_worker", "payroll")


def demo_username(role: str, org: str = "stavne") -> str:
    """The demo login ``lavterskel demo`` creates for ``role`` in ``org``."""
    return f"demo-{org}-{role.replace('_', '')}"


# The screenshots for the README and docs are taken first, while the shared site holds the
# demo data as `lavterskel demo` left it; later tests add drafts, teams and days of their own.
SCREENSHOT_MODULES = ("test_screenshots.py", "test_report_screens.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    on_postgres = os.environ.get("LAVTERSKEL_DATABASE_URL", "").startswith("postgresql")
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
        # The suite runs twice; a walk of layout and words, whose pages ask the database
        # nothing SQLite and PostgreSQL could answer differently, is walked in one pass.
        if on_postgres and item.get_closest_marker("one_pass"):
            item.add_marker(pytest.mark.skip(reason="layout and words: walked in the SQLite pass"))
    items.sort(key=lambda item: Path(str(item.fspath)).name not in SCREENSHOT_MODULES)  # stable: the rest keep their order


# --- the server ----------------------------------------------------------------------




def _cli() -> str:
    exe = Path(sys.executable).with_name("lavterskel")
    if not exe.exists():
        pytest.fail(f"{exe} is missing: install the project with pip install -e '.[test]'")
    return str(exe)


@dataclass
class ServerProcess:
    """One ``lavterskel serve`` process on loopback."""

    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def wait_ready(self, timeout: float = 40.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"the server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/login", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"the server at {self.url} did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@dataclass
class LiveSite:
    """A database loaded with the demo data, and the server processes serving it."""

    database_url: str
    data_dir: Path
    has_demo_data: bool = False
    servers: list[ServerProcess] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            LAVTERSKEL_DATABASE_URL=self.database_url,
            LAVTERSKEL_DATA_DIR=str(self.data_dir),
            # Both servers must sign and check cookies with the same key.
            LAVTERSKEL_SECRET_KEY="browser-tests-secret-key",
            PYTHONUNBUFFERED="1",
        )
        return env

    @property
    def url(self) -> str:
        """The first server's base URL (``http://127.0.0.1:<port>``)."""
        return self.servers[0].url

    def load_demo(self) -> None:
        run = subprocess.run([_cli(), "demo"], env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=300)
        if run.returncode != 0:
            pytest.fail(f"lavterskel demo failed:\n{run.stdout[-2000:]}\n{run.stderr[-4000:]}")
        self.has_demo_data = "Demo logins" in run.stdout

    def start_server(self) -> ServerProcess:
        """Start one more ``lavterskel serve`` on this database and wait until it answers."""
        port = free_port()
        log = self.data_dir / f"server-{port}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [_cli(), "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            )
        server = ServerProcess(url=f"http://127.0.0.1:{port}", proc=proc, log=log)
        self.servers.append(server)
        server.wait_ready()
        return server

    def stop_all(self) -> None:
        for server in self.servers:
            server.stop()




@pytest.fixture(scope="session")
def live_site() -> Iterator[LiveSite]:
    """The demo data served by a real server process; everything removed at the end."""
    data_dir = Path(tempfile.mkdtemp(prefix="lavterskel-browser-"))
    drop: Callable[[], None] | None = None
    if IS_POSTGRES:
        database_url, drop = new_pg_database(os.environ["LAVTERSKEL_DATABASE_URL"], "lavterskel_browser")
    else:
        database_url = f"sqlite:///{data_dir / 'browser.db'}"
    site = LiveSite(database_url=database_url, data_dir=data_dir)
    try:
        site.load_demo()
        site.start_server()
        yield site
    finally:
        site.stop_all()
        if drop is not None:
            drop()
        shutil.rmtree(data_dir, ignore_errors=True)


# --- the browser ---------------------------------------------------------------------


def _axe_source() -> str:
    path = Path(os.environ.get("LAVTERSKEL_AXE_JS") or ROOT / ".cache/node/node_modules/axe-core/axe.min.js")
    if not path.is_file():
        pytest.fail(f"axe-core is missing at {path}: run the tests with scripts/test, which installs it from npm")
    return path.read_text()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return _axe_source()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run the tests with scripts/test, which installs Debian's chromium")
    with sync_playwright() as pw:
        # launch() gives every run a fresh, throwaway profile (user-data-dir).
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


_AXE: dict[str, str] = {}


def new_context(browser: Any, site: LiveSite, base_url: str | None = None, **kwargs: Any) -> Any:
    """A browser context on ``site``: 1280x800, Norwegian browser, CSP bypassed for axe only."""
    kwargs.setdefault("locale", "nb-NO")
    context = browser.new_context(
        base_url=base_url or site.url, viewport=VIEWPORT, timezone_id="Europe/Oslo",
        # The app's CSP forbids inline scripts; axe is injected as one, so the test browser
        # (and only it) ignores the CSP. The app's own pages use no inline script either way.
        bypass_csp=True, **kwargs,
    )
    # Generous: the machine running the suite may be busy; a real hang still fails.
    context.set_default_timeout(30_000)
    # Loaded with every document: cheaper than injecting it after each load (~0.2 s a page).
    context.add_init_script(script=_AXE.get("js") or _axe_source())
    return context


def login(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form, the way staff do."""
    page.goto("/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(lambda url: not url.split("?")[0].endswith("/login"))


@pytest.fixture(scope="session")
def staff_page(browser: Any, live_site: LiveSite, axe_source: str) -> Iterator[Callable[..., Any]]:
    """``staff_page(role, org="stavne")``: a page logged in as that demo role, reused."""
    _AXE["js"] = axe_source
    pages: dict[tuple[str, str], Any] = {}

    def get(role: str, org: str = "stavne") -> Any:
        key = (org, role)
        if key not in pages:
            context = new_context(browser, live_site)
            page = context.new_page()
            login(page, demo_username(role, org))
            pages[key] = page
        return pages[key]

    yield get
    for page in pages.values():
        page.context.close()


@pytest.fixture
def new_page(browser: Any, live_site: LiveSite, axe_source: str) -> Iterator[Callable[..., Any]]:
    """``new_page(base_url=None)``: a fresh anonymous page in its own context."""
    _AXE["js"] = axe_source
    contexts: list[Any] = []

    def make(base_url: str | None = None, **kwargs: Any) -> Any:
        context = new_context(browser, live_site, base_url=base_url, **kwargs)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


# --- helpers for tests ---------------------------------------------------------------


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']} [{v.get('helpUrl', '')}]")
        for node in v.get("nodes", [])[:5]:
            lines.append(f"    {', '.join(node.get('target', []))}: {node.get('failureSummary', '').splitlines()[-1:]}")
            lines.append(f"      {node.get('html', '')[:200]}")
    return "\n".join(lines)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; returns its violations (WCAG 2.1 A/AA)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # A context made without new_context(): inject it now.
        page.add_script_tag(content=_AXE.get("js") or _axe_source())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return list(result["violations"])


def assert_no_sideways_scroll(page: Any, what: str, *, main_only: bool = False) -> None:
    """WCAG 1.4.10 (reflow): the page does not scroll sideways; with ``main_only``, nothing
    of the page's own content (``main``) reaches past the viewport, the site header aside.
    A table that scrolls in its own region (``.table-scroll``) is not a culprit. On failure
    the message names the first elements that stick out."""
    culprits = page.evaluate("""(mainOnly) => [...document.querySelectorAll(mainOnly ? 'main *' : 'body *')]
        .filter(e => !e.closest('.table-scroll') && e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""", main_only)
    if main_only:
        assert not culprits, f"{what}: sideways scrolling: {culprits}"
    else:
        wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert wide <= 0, f"{what}: the page scrolls sideways by {wide} px, from {culprits}"


def assert_accessible(page: Any, what: str = "") -> None:
    violations = axe_violations(page)
    assert not violations, (
        f"axe-core found {len(violations)} WCAG 2.1 A/AA violation(s) on {what or page.url} "
        f"(lang={page.locator('html').get_attribute('lang')}):\n{format_violations(violations)}"
    )


def visit(page: Any, path: str, status: int = 200, *, accessible: bool = True) -> Any:
    """Go to ``path``, check the HTTP status, and (by default) check the page with axe."""
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    assert response.status == status, f"{path}: HTTP {response.status}, expected {status}"
    if accessible:
        assert_accessible(page, path)
    return response


def current_locale(page: Any) -> str:
    return str(page.locator("html").get_attribute("lang"))


def use_locale(page: Any, locale: str) -> None:
    """Switch the UI language with the page's own language button (kept per user)."""
    if current_locale(page) == locale:
        return
    page.locator(f"form.lang-switch button[value='{locale}']").click()
    page.wait_for_function("(loc) => document.documentElement.lang === loc", arg=locale)


def screenshot(page: Any, site: LiveSite, name: str) -> Path | None:
    """Save a 1280x800 PNG of what the page shows into ``docs/screenshots/<name>.png``.

    Only with the demo data loaded (never an empty app in the docs); returns the path
    or ``None`` when nothing was written.
    """
    if not site.has_demo_data:
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.set_viewport_size(VIEWPORT)
    tmp = path.with_suffix(".png.tmp")
    page.screenshot(path=str(tmp), type="png", full_page=False, animations="disabled", caret="hide")
    tmp.replace(path)
    return path
