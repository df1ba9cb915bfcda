"""The plugin system, proven on the test plugin in tests/plugin_rolling_list.

Organization ``a`` enables the rolling list, ``b`` does not. The plugin adds a route, a
navigation entry, a dashboard panel, a participant panel, a dated setting, a report
section, demo data, a CLI command and its own table with its own migration, all without
touching ``core/``. Tests named ``test_<hookname>...`` are the ones
``tests/core/test_hookspecs.py`` looks for: every hook has at least one.
"""
from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Iterator
from decimal import Decimal
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import click
import pluggy
import pytest
from click.testing import CliRunner
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, inspect, select

from core import hookimpl
from core.config import DEFAULT_PLUGINS, load_settings
from core.contrib import DemoContext, NavItem, Panel, PayableWork, PayMarker, PayQuote, PayRule, SettingDef
from core.i18n import today
from core.models import Organization, OrganizationPlugin, Participant, ProgramDay, Shift
from core.plugins import PluginError, build_plugin_manager
from core.services.settings import set_setting, setting_on
from tests.conftest import TEST_PLUGINS, World, csrf_token, h1, login, post_form
from tests.plugin_rolling_list import RollingListEntry


def _person(world: World, org: Any, first: str = "Kari") -> int:
    with world.db(org) as db:
        p = Participant(organization_id=org.org.id, first_name=first, last_name="Nordmann")
        db.add(p)
        db.commit()
        return p.id


def _on_list(world: World, org: Any, participant_id: int, position: int = 1, added: dt.date | None = None) -> None:
    with world.db(org) as db:
        db.add(RollingListEntry(organization_id=org.org.id, participant_id=participant_id, position=position, added_on=added or today()))
        db.commit()


def _nav_links(html: str) -> str:
    start = html.find("<nav")
    return html[start : html.find("</nav>", start)] if start >= 0 else ""


# ---------------------------------------------------------------------------------------
# The test plugin: present where enabled, invisible where not
# ---------------------------------------------------------------------------------------


def test_lavterskel_route_handlers_plugin_page_and_its_own_table_work_where_enabled(world, client):
    pid = _person(world, world.a, "Ola")
    login(client, world.a.users["work_leader"])
    r = client.get("/rolling-list")
    assert r.status_code == 200
    assert h1(r.text) == "Rullerende liste"
    assert "Listen er tom." in r.text

    r = post_form(client, "/rolling-list", {"participant_id": str(pid)})
    assert r.status_code == 303
    with world.db(world.a) as db:
        rows = list(db.scalars(select(RollingListEntry)))
    assert [(e.participant_id, e.position, e.organization_id) for e in rows] == [(pid, 1, world.a.org.id)]
    page = client.get("/rolling-list").text
    assert "Ola" in page and "Listen er tom." not in page


def test_lavterskel_route_handlers_answer_404_for_an_organization_without_the_plugin(world, client):
    pid_b = _person(world, world.b, "Per")
    for role in ("leader", "work_leader", "payroll", "social_worker", "admin"):
        client.cookies.clear()
        login(client, world.b.users[role])
        assert client.get("/rolling-list").status_code == 404, role
        r = post_form(client, "/rolling-list", {"participant_id": str(pid_b)})
        assert r.status_code == 404, role
    with world.db() as db:
        assert db.scalar(select(func.count()).select_from(RollingListEntry)) == 0


def test_plugin_route_needs_its_permission_where_enabled(world, client):
    login(client, world.a.users["payroll"])  # payroll does not hold rolling_list.view
    assert client.get("/rolling-list").status_code == 403
    assert 'href="/rolling-list"' not in _nav_links(client.get("/").text)


def test_plugin_route_cannot_reach_another_organizations_participant(world, client):
    pid_b = _person(world, world.b, "Per")
    login(client, world.a.users["leader"])
    r = post_form(client, "/rolling-list", {"participant_id": str(pid_b)})
    assert r.status_code == 404
    with world.db() as db:
        assert db.scalar(select(func.count()).select_from(RollingListEntry)) == 0


def test_lavterskel_navigation_entry_only_for_the_enabling_organization(world, client):
    login(client, world.a.users["leader"])
    nav_a = _nav_links(client.get("/").text)
    assert 'href="/rolling-list"' in nav_a and "Rullerende liste" in nav_a
    client.cookies.clear()
    login(client, world.b.users["leader"])
    nav_b = _nav_links(client.get("/").text)
    assert 'href="/participants"' in nav_b  # the core's entries are there...
    assert 'href="/rolling-list"' not in nav_b and "Rullerende liste" not in nav_b  # ...the plugin's are not


def test_lavterskel_dashboard_panels_plugin_panel_only_where_enabled(world, client):
    pid = _person(world, world.a)
    _on_list(world, world.a, pid)
    login(client, world.a.users["leader"])
    page = client.get("/").text
    assert "rolling-list-count" in page and "1 person på den rullerende listen" in page
    client.cookies.clear()
    login(client, world.b.users["leader"])
    page_b = client.get("/")
    assert page_b.status_code == 200
    assert "rolling-list-count" not in page_b.text and "rullerende" not in page_b.text.lower()


def test_switching_the_plugin_off_and_on_in_administration(world, client):
    login(client, world.a.users["admin"])
    assert client.get("/rolling-list").status_code == 200
    r = post_form(client, "/admin/plugins", {"plugin": "rolling_list", "is_enabled": "0"})
    assert r.status_code == 303
    assert client.get("/rolling-list").status_code == 404
    home = client.get("/").text
    assert 'href="/rolling-list"' not in _nav_links(home) and "rolling-list-count" not in home
    post_form(client, "/admin/plugins", {"plugin": "rolling_list", "is_enabled": "1"})
    assert client.get("/rolling-list").status_code == 200
    assert "rolling-list-count" in client.get("/").text


def test_an_organization_cannot_switch_on_a_plugin_that_is_not_loaded(world, client):
    login(client, world.b.users["admin"])
    r = post_form(client, "/admin/plugins", {"plugin": "not_installed", "is_enabled": "1"})
    assert r.status_code == 400
    with world.db() as db:
        rows = db.scalars(select(OrganizationPlugin.plugin).where(OrganizationPlugin.organization_id == world.b.org.id)).all()
    assert "not_installed" not in rows


def test_lavterskel_participant_panels_plugin_section_on_the_participant_page(world, client):
    on_list, not_on_list = _person(world, world.a, "Ola"), _person(world, world.a, "Kari")
    _on_list(world, world.a, on_list, position=3, added=dt.date(2026, 3, 2))
    login(client, world.a.users["leader"])
    page = client.get(f"/participants/{on_list}").text
    assert "Nummer 3 på den rullerende listen" in page
    assert "rolling-list-position" not in client.get(f"/participants/{not_on_list}").text
    # Switched off: the section is gone though the row is kept.
    with world.db() as db:
        db.execute(OrganizationPlugin.__table__.update().where(OrganizationPlugin.plugin == "rolling_list").values(enabled=False))
        db.commit()
    assert "rolling-list-position" not in client.get(f"/participants/{on_list}").text


# ---------------------------------------------------------------------------------------
# Hooks that do not show on a page of their own
# ---------------------------------------------------------------------------------------


def test_lavterskel_plugin_info_on_the_administration_page(world, client):
    login(client, world.a.users["admin"])
    page = client.get("/admin").text
    assert "Rullerende liste" in page and "Ta tur etter en liste i stedet for loddtrekning." in page


def test_lavterskel_template_dirs_are_searched_after_the_cores(app):
    env = app.state["ctx"].jinja
    assert env.get_template("rolling_list/index.html").filename.endswith("plugin_rolling_list/templates/rolling_list/index.html")
    assert Path(env.get_template("base.html").filename).parent.name == "templates"
    assert "/core/templates/" in env.get_template("base.html").filename


def test_lavterskel_locale_dirs_translate_the_plugin_in_both_languages(world, client):
    login(client, world.a.users["leader"])
    assert h1(client.get("/rolling-list").text) == "Rullerende liste"
    client.cookies.set("lavterskel_locale", "en")
    assert h1(client.get("/rolling-list", headers={"Accept-Language": "en"}).text) == "Rolling list"


def test_lavterskel_permissions_are_declared_with_their_default_roles(app):
    defs = {d.name: d for d in app.state["ctx"].permission_defs}
    assert set(defs["rolling_list.view"].roles) == {"admin", "leader", "work_leader"}
    assert "payroll" not in defs["rolling_list.edit"].roles


def test_lavterskel_permissions_decide_who_may_use_the_plugin(world, client):
    pid = _person(world, world.a)
    login(client, world.a.users["social_worker"])
    assert client.get("/rolling-list").status_code == 403
    assert post_form(client, "/rolling-list", {"participant_id": str(pid)}).status_code == 403
    client.cookies.clear()
    login(client, world.a.users["work_leader"])
    assert post_form(client, "/rolling-list", {"participant_id": str(pid)}).status_code == 303


def test_lavterskel_settings_default_then_dated_values(world, client, app):
    defs = app.state["ctx"].setting_defs
    assert defs["rolling_list.places"].dated and defs["rolling_list.places"].default == 15
    login(client, world.a.users["admin"])
    assert "15 plasser tas fra listen i dag." in client.get("/rolling-list").text
    assert "Plasser som tas fra den rullerende listen hver dag" in client.get("/admin").text

    with world.db(world.a) as db:
        set_setting(db, world.a.org.id, defs["rolling_list.places"], "18", today() - dt.timedelta(days=10))
        set_setting(db, world.a.org.id, defs["rolling_list.places"], "23", today() + dt.timedelta(days=10))
        assert setting_on(db, defs, "rolling_list.places", today()) == 18
        assert setting_on(db, defs, "rolling_list.places", today() - dt.timedelta(days=11)) == 15
        assert setting_on(db, defs, "rolling_list.places", today() + dt.timedelta(days=10)) == 23
    assert "18 plasser tas fra listen i dag." in client.get("/rolling-list").text
    # Organization b's value is its own.
    with world.db(world.b) as db:
        assert setting_on(db, defs, "rolling_list.places", today()) == 15


def test_lavterskel_settings_set_through_the_admin_form_with_validation(world, client):
    login(client, world.a.users["admin"])
    bad = post_form(client, "/admin/settings", {"key": "rolling_list.places", "value": "many", "valid_from": today().isoformat()})
    assert bad.status_code == 400
    ok = post_form(client, "/admin/settings", {"key": "rolling_list.places", "value": "9", "valid_from": today().isoformat()})
    assert ok.status_code == 303
    assert "9 plasser tas fra listen i dag." in client.get("/rolling-list").text


def test_lavterskel_settings_a_malformed_declaration_fails_at_load():
    with pytest.raises(ValueError, match="unknown kind"):
        SettingDef("rolling_list.broken", "Broken", 1, kind="float")


def test_lavterskel_cli_commands_adds_a_working_command(world):
    pid = _person(world, world.a, "Ola")
    _on_list(world, world.a, pid)
    plugins = build_plugin_manager((), TEST_PLUGINS)
    group = click.Group("lavterskel")
    plugins.hook.lavterskel_cli_commands(cli=group)
    assert "rolling-list" in group.commands
    result = CliRunner().invoke(group, ["rolling-list", "alpha"])
    assert result.exit_code == 0, result.output
    assert "1. Ola" in result.output and "1 on the list" in result.output
    missing = CliRunner().invoke(group, ["rolling-list", "nowhere"])
    assert missing.exit_code != 0 and "no organization" in missing.output


def test_lavterskel_cli_commands_of_the_built_in_cli(monkeypatch):
    """``core.cli.main`` asks the loaded plugins for commands before parsing arguments."""
    import core.cli

    class AddsCommand:
        @hookimpl
        def lavterskel_cli_commands(self, cli: click.Group) -> None:
            cli.add_command(click.Command("hello-from-plugin", callback=lambda: click.echo("hello")))

    monkeypatch.setattr(core.cli, "_plugins", lambda: build_plugin_manager((), [("adds_command", AddsCommand())]))
    monkeypatch.setattr("sys.argv", ["lavterskel", "hello-from-plugin"])
    with pytest.raises(SystemExit) as exc:
        core.cli.main()
    assert exc.value.code == 0
    core.cli.cli.commands.pop("hello-from-plugin", None)


def test_lavterskel_report_sections_only_from_enabled_plugins(world, app):
    p1, p2 = _person(world, world.a, "Ola"), _person(world, world.a, "Kari")
    _on_list(world, world.a, p1, 1, dt.date(2026, 2, 1))
    _on_list(world, world.a, p2, 2, dt.date(2025, 12, 31))
    plugins = app.state["ctx"].plugins
    with world.db(world.a) as db:
        results = plugins.call_each(
            "lavterskel_report_sections", {"rolling_list"}, db=db, organization=world.a.org, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), work=[]
        )
        sections = [s for plugin, res, err in results if plugin == "rolling_list" for s in res]
    assert [(s.key, s.rows) for s in sections] == [("rolling_list.added", [[1]])]
    with world.db(world.b) as db:
        org_b = db.get(Organization, world.b.org.id)
        results_b = plugins.call_each(
            "lavterskel_report_sections", org_b.enabled_plugins, db=db, organization=org_b, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), work=[]
        )
    assert "rolling_list" not in {plugin for plugin, _r, _e in results_b}


def test_lavterskel_payable_work_core_contributes_worked_shifts_of_its_own_organization(world, app):
    pid, absent = _person(world, world.a, "Ola"), _person(world, world.a, "Kari")
    day = dt.date(2026, 5, 4)
    with world.db(world.a) as db:
        d = ProgramDay(organization_id=world.a.org.id, site_id=world.a.site.id, date=day)
        db.add(d)
        db.flush()
        worked = Shift(organization_id=world.a.org.id, day_id=d.id, participant_id=pid, hours=Decimal("4.5"), outcome="worked")
        db.add_all([worked, Shift(organization_id=world.a.org.id, day_id=d.id, participant_id=absent, outcome="no_show")])
        db.commit()
        worked_id = worked.id
    plugins = app.state["ctx"].plugins
    with world.db(world.a) as db:
        items = [w for lst in plugins.for_organization("lavterskel_payable_work", {"rolling_list"})(
            db=db, organization=world.a.org, start=day, end=day) for w in lst]
    assert items == [PayableWork(participant_id=pid, date=day, kind="day", source=f"shift:{worked_id}", hours=Decimal("4.50"), outcome="worked")]
    with world.db(world.b) as db:
        assert [w for lst in plugins.for_organization("lavterskel_payable_work", set())(
            db=db, organization=world.b.org, start=day, end=day) for w in lst] == []


class HalfDays:
    """A program that pays half a day wage per worked day: a new pay rule is a plugin."""

    @hookimpl
    def lavterskel_pay_rules(self) -> list[PayRule]:
        def price(work: PayableWork, setting: Any) -> PayQuote | None:
            if work.outcome != "worked":
                return None
            rate = int(Decimal(str(setting("payroll.day_wage", work.date))) * 100) // 2
            return PayQuote(quantity=Decimal(1), rate_ore=rate, amount_ore=rate, unit="day")

        return [PayRule(key="half_day", label="Half day", kinds=("day",), price=price)]

    @hookimpl
    def lavterskel_pay_markers(self, participant_ids: list[int]) -> list[PayMarker]:
        return [PayMarker(pid, "held", "Half pay") for pid in participant_ids]


def test_lavterskel_pay_rules_come_from_enabled_plugins_and_a_new_rule_is_a_plugin(world):
    plugins = build_plugin_manager(("payroll_rules",), [("half_days", HalfDays())])

    def rules(enabled: set[str]) -> dict[str, PayRule]:
        out: dict[str, PayRule] = {}
        for result in plugins.for_organization("lavterskel_pay_rules", enabled)(organization=world.a.org):
            for rule in result or ():
                out.setdefault(rule.key, rule)
        return out

    assert {"day_wage", "hourly_wage"} <= set(rules({"payroll_rules"})) and "half_day" not in rules({"payroll_rules"})
    assert rules(set()) == {}
    both = rules({"payroll_rules", "half_days"})
    assert {"day_wage", "hourly_wage", "half_day"} <= set(both)
    work = PayableWork(participant_id=1, date=dt.date(2026, 5, 4), kind="day", source="shift:1")
    quote = both["half_day"].price(work, lambda key, day: Decimal("250"))
    assert quote is not None and quote.amount_ore == 12500
    day_wage = both["day_wage"].price(work, lambda key, day: Decimal("250"))
    assert day_wage is not None and day_wage.amount_ore == 25000


def test_lavterskel_pay_markers_only_from_enabled_plugins(world):
    pid = _person(world, world.a, "Ola")
    plugins = build_plugin_manager(("payroll_rules",), [("half_days", HalfDays())])
    with world.db(world.a) as db:
        def markers(enabled: set[str]) -> list[PayMarker]:
            return [m for result in plugins.for_organization("lavterskel_pay_markers", enabled)(
                db=db, organization=world.a.org, participant_ids=[pid], day=dt.date(2026, 5, 4)) for m in result or ()]

        assert [(m.participant_id, m.label) for m in markers({"half_days"})] == [(pid, "Half pay")]
        assert all(m.label != "Half pay" for m in markers({"payroll_rules"}))
        assert markers(set()) == []


def test_lavterskel_demo_data_only_for_organizations_that_enable_the_plugin(world, app):
    for name in ("Ola", "Kari", "Per"):
        _person(world, world.a, name)
        _person(world, world.b, name)
    plugins = app.state["ctx"].plugins
    for org, enabled in ((world.a, {"rolling_list"}), (world.b, set())):
        with world.db(org) as db:
            o = db.get(Organization, org.org.id)
            ctx = DemoContext(rng=random.Random(1), today=dt.date(2026, 6, 1), site=org.site)
            plugins.for_organization("lavterskel_demo_data", enabled)(db=db, organization=o, context=ctx)
            db.commit()
    with world.db() as db:
        rows = db.execute(select(RollingListEntry.organization_id, RollingListEntry.position)).all()
    assert sorted(rows) == [(world.a.org.id, 1), (world.a.org.id, 2), (world.a.org.id, 3)]


def test_lavterskel_migration_location_names_the_plugins_own_branch(app):
    from core.migrate import alembic_config

    ctx = app.state["ctx"]
    locations = dict(loc for _n, loc in ctx.plugins.per_plugin("lavterskel_migration_location") if loc)
    assert locations["rolling_list"].endswith("plugin_rolling_list/migrations")
    cfg = alembic_config(ctx.engine, ctx.plugins)
    assert locations["rolling_list"] in cfg.get_main_option("version_locations").split(" ")
    with ctx.engine.connect() as conn:
        versions = set(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
        assert "rl_0001" in versions
        assert "rolling_list_entry" in inspect(conn).get_table_names()


# ---------------------------------------------------------------------------------------
# A spy plugin: hooks of a plugin an organization has not enabled are never called
# ---------------------------------------------------------------------------------------


class Spy:
    """Records every per-organization call with the organization it was made for."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    @hookimpl
    def lavterskel_navigation(self, organization: Any) -> list[NavItem]:
        self.calls.append(("navigation", organization.id))
        return []

    @hookimpl
    def lavterskel_dashboard_panels(self, organization: Any) -> list[Panel]:
        self.calls.append(("dashboard_panels", organization.id))
        return []

    @hookimpl
    def lavterskel_participant_panels(self, organization: Any) -> list[Panel]:
        self.calls.append(("participant_panels", organization.id))
        return []

    @hookimpl
    def lavterskel_report_sections(self, organization: Any) -> list[Any]:
        self.calls.append(("report_sections", organization.id))
        return []

    @hookimpl
    def lavterskel_payable_work(self, organization: Any) -> list[Any]:
        self.calls.append(("payable_work", organization.id))
        return []

    @hookimpl
    def lavterskel_demo_data(self, organization: Any) -> None:
        self.calls.append(("demo_data", organization.id))


class BrokenHook:
    """Raises in every panel hook and in navigation."""

    @hookimpl
    def lavterskel_dashboard_panels(self) -> list[Panel]:
        raise RuntimeError("broken_hook exploded in dashboard_panels")

    @hookimpl
    def lavterskel_participant_panels(self) -> list[Panel]:
        raise RuntimeError("broken_hook exploded in participant_panels")

    @hookimpl
    def lavterskel_navigation(self) -> list[NavItem]:
        raise RuntimeError("broken_hook exploded in navigation")


class BrokenTemplate:
    """Returns panels whose template raises while rendering."""

    def __init__(self, template_dir: Path) -> None:
        self.template_dir = template_dir

    @hookimpl
    def lavterskel_template_dirs(self) -> list[str]:
        return [str(self.template_dir)]

    @hookimpl
    def lavterskel_dashboard_panels(self) -> list[Panel]:
        return [Panel("Broken template", "broken_template/panel.html", {}, order=10)]

    @hookimpl
    def lavterskel_participant_panels(self) -> list[Panel]:
        return [Panel("Broken template", "broken_template/panel.html", {}, order=10)]


@pytest.fixture(scope="module")
def extra_app(app: Litestar, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Litestar, Spy]]:
    """A second app on the same database with a spy and two broken plugins loaded."""
    from core.web.app import create_app

    templates = tmp_path_factory.mktemp("broken_templates")
    (templates / "broken_template").mkdir()
    (templates / "broken_template" / "panel.html").write_text("<p>{{ 1 // divisor_that_does_not_exist }}</p>")
    spy = Spy()
    extra = create_app(
        load_settings(),
        extra_plugins=[*TEST_PLUGINS, ("spy", spy), ("broken_hook", BrokenHook()), ("broken_template", BrokenTemplate(templates))],
    )
    yield extra, spy
    extra.state["ctx"].engine.dispose()


def _enable(world: World, org: Any, *plugins: str) -> None:
    with world.db() as db:
        for p in plugins:
            db.add(OrganizationPlugin(organization_id=org.org.id, plugin=p, enabled=True))
        db.commit()


def test_hooks_of_a_plugin_an_organization_has_not_enabled_are_never_called(world, extra_app):
    app2, spy = extra_app
    spy.calls.clear()
    _enable(world, world.a, "spy")
    pid_a, pid_b = _person(world, world.a), _person(world, world.b)
    with TestClient(app2, base_url="http://testserver.local") as c:
        login(c, world.b.users["admin"])
        for path in ("/", "/participants", f"/participants/{pid_b}", "/days", "/work-orders", "/customers", "/admin", "/account"):
            assert c.get(path).status_code in (200, 404), path
        assert c.get(f"/participants/{pid_b}").status_code == 200
        assert spy.calls == []

        c.cookies.clear()
        login(c, world.a.users["admin"])
        c.get("/")
        c.get(f"/participants/{pid_a}")
    assert {hook for hook, _org in spy.calls} >= {"navigation", "dashboard_panels", "participant_panels"}
    assert {org for _hook, org in spy.calls} == {world.a.org.id}

    # The same holds for the hooks that are called outside a page.
    plugins = app2.state["ctx"].plugins
    spy.calls.clear()
    with world.db(world.b) as db:
        org_b = db.get(Organization, world.b.org.id)
        assert "spy" not in org_b.enabled_plugins
        kw = {"db": db, "organization": org_b, "start": dt.date(2026, 1, 1), "end": dt.date(2026, 12, 31)}
        plugins.call_each("lavterskel_report_sections", org_b.enabled_plugins, work=[], **kw)
        plugins.for_organization("lavterskel_payable_work", org_b.enabled_plugins)(**kw)
        ctx = DemoContext(rng=random.Random(1), today=dt.date(2026, 6, 1))
        # (Without the real programs' demo hooks: they expect a full demo organization.)
        plugins.for_organization("lavterskel_demo_data", set(org_b.enabled_plugins) - set(DEFAULT_PLUGINS))(db=db, organization=org_b, context=ctx)
        db.rollback()
    assert spy.calls == []
    with world.db(world.a) as db:
        plugins.for_organization("lavterskel_payable_work", {"spy"})(db=db, organization=world.a.org, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 2))
    assert spy.calls == [("payable_work", world.a.org.id)]


def test_dispatch_order_is_deterministic_and_builtins_come_last(extra_app):
    app2, _spy = extra_app
    plugins = app2.state["ctx"].plugins
    assert plugins.program_plugins[-4:] == ("rolling_list", "spy", "broken_hook", "broken_template")
    names = [impl.plugin_name for impl in reversed(plugins.for_organization("lavterskel_dashboard_panels", {"rolling_list", "spy"}).get_hookimpls())]
    assert names[:2] == ["spy", "rolling_list"]  # last registered first, as pluggy calls them
    assert names[-1] == "core.builtin.dashboard"  # trylast


# ---------------------------------------------------------------------------------------
# A raising plugin shows a visible error in its place; the page stands
# ---------------------------------------------------------------------------------------


def test_a_raising_panel_shows_an_error_in_its_place_and_the_page_still_renders(world, extra_app, caplog):
    app2, _spy = extra_app
    _enable(world, world.a, "broken_hook", "broken_template")
    pid = _person(world, world.a, "Ola")
    _on_list(world, world.a, pid)
    caplog.set_level(logging.ERROR)
    with TestClient(app2, base_url="http://testserver.local") as c:
        login(c, world.a.users["leader"])
        r = c.get("/")
        assert r.status_code == 200
        assert r.text.count('class="panel-error" role="alert"') == 2  # one for the hook, one for the template
        assert "Denne delen kunne ikke vises på grunn av en feil" in r.text or "could not be shown" in r.text
        assert "rolling-list-count" in r.text  # the healthy plugin's panel
        assert 'href="/participants"' in _nav_links(r.text)  # navigation survived its raising implementation
        assert 'href="/rolling-list"' in _nav_links(r.text)
        assert "exploded" not in r.text and "ZeroDivision" not in r.text and "Traceback" not in r.text

        person = c.get(f"/participants/{pid}")
        assert person.status_code == 200
        assert person.text.count('class="panel-error" role="alert"') == 2
        assert "rolling-list-position" in person.text and "Ola" in person.text
    logged = "\n".join(f"{rec.getMessage()} {rec.exc_text or ''} {rec.exc_info[1] if rec.exc_info else ''}" for rec in caplog.records)
    assert "broken_hook" in logged and "lavterskel_dashboard_panels" in logged and "lavterskel_participant_panels" in logged
    assert "lavterskel_navigation" in logged
    assert "broken_template/panel.html" in logged


def test_a_broken_plugin_does_not_touch_an_organization_that_has_not_enabled_it(world, extra_app):
    app2, _spy = extra_app
    _enable(world, world.a, "broken_hook", "broken_template")
    with TestClient(app2, base_url="http://testserver.local") as c:
        login(c, world.b.users["leader"])
        r = c.get("/")
        assert r.status_code == 200 and "panel-error" not in r.text


# ---------------------------------------------------------------------------------------
# Loading: allow-list, missing plugins, unknown hooks, table names
# ---------------------------------------------------------------------------------------


class FakeEntryPoint:
    """Looks like an installed entry point; records whether anyone loaded it."""

    def __init__(self, name: str, target: Any) -> None:
        self.name, self.group, self.value = name, "lavterskel", f"fake:{name}"
        self.target = target
        self.loaded = False

    def load(self) -> Any:
        self.loaded = True
        return self.target


def test_only_allow_listed_entry_points_are_loaded(monkeypatch):
    import core.plugins
    from tests import plugin_rolling_list

    wanted = FakeEntryPoint("rolling_list", plugin_rolling_list)
    intruder = FakeEntryPoint("intruder", Spy())
    # A real entry point whose module does not exist: importing it would raise.
    never = EntryPoint(name="never_imported", value="tests.core.no_such_module_is_ever_imported", group="lavterskel")
    monkeypatch.setattr(core.plugins, "entry_points", lambda group: [wanted, intruder, never] if group == "lavterskel" else [])
    plugins = build_plugin_manager(("rolling_list",))
    assert plugins.program_plugins == ("rolling_list",)
    assert wanted.loaded and not intruder.loaded
    assert plugins.module("intruder") is None and plugins.module("never_imported") is None
    import sys

    assert "tests.core.no_such_module_is_ever_imported" not in sys.modules


def test_the_default_allow_list_loads_the_three_built_in_programs_by_entry_point():
    plugins = build_plugin_manager(DEFAULT_PLUGINS)
    assert plugins.program_plugins == DEFAULT_PLUGINS
    import plugins.dagsverk_lottery as dagsverk

    assert plugins.module("dagsverk_lottery") is dagsverk


def test_the_allow_list_comes_from_lavterskel_plugins(monkeypatch):
    monkeypatch.setenv("LAVTERSKEL_PLUGINS", " payroll_rules , dagsverk_lottery,")
    assert load_settings().plugins.allowed == ("payroll_rules", "dagsverk_lottery")
    monkeypatch.delenv("LAVTERSKEL_PLUGINS")
    assert load_settings().plugins.allowed == DEFAULT_PLUGINS


def test_an_allow_listed_plugin_that_is_not_installed_fails_clearly():
    with pytest.raises(PluginError, match="'not_installed_anywhere' is in the allow-list but not installed"):
        build_plugin_manager(("payroll_rules", "not_installed_anywhere"))


def test_an_entry_point_that_fails_to_import_stops_the_start(monkeypatch):
    import core.plugins

    broken = EntryPoint(name="broken", value="tests.core.no_such_module_is_ever_imported", group="lavterskel")
    monkeypatch.setattr(core.plugins, "entry_points", lambda group: [broken])
    with pytest.raises(ModuleNotFoundError):
        build_plugin_manager(("broken",))


def test_check_pending_refuses_an_implementation_without_a_spec():
    class Typo:
        @hookimpl
        def lavterskel_navigaton(self) -> list[NavItem]:  # sic: no such hook
            return []

    with pytest.raises(pluggy.PluginValidationError, match="lavterskel_navigaton"):
        build_plugin_manager((), [("typo", Typo())])


def test_an_implementation_with_an_argument_the_spec_lacks_is_refused():
    class WrongArgument:
        @hookimpl
        def lavterskel_navigation(self, colour: str) -> list[NavItem]:
            return []

    with pytest.raises(pluggy.PluginValidationError):
        build_plugin_manager((), [("wrong_argument", WrongArgument())])


def test_a_plugin_table_without_the_plugin_prefix_is_refused():
    class Squatter:
        TABLES = ("participant",)  # a core table

        @hookimpl
        def lavterskel_plugin_info(self) -> dict[str, Any]:
            return {}

    with pytest.raises(PluginError, match="table 'participant' must start with squatter_"):
        build_plugin_manager((), [("squatter", Squatter())])


def test_a_declared_plugin_table_without_a_model_is_refused():
    class Ghost:
        TABLES = ("ghost_rows",)

    with pytest.raises(PluginError, match="'ghost_rows' is declared but not defined"):
        build_plugin_manager((), [("ghost", Ghost())])


def test_every_loaded_plugin_keeps_to_its_own_table_prefix(app):
    """The real plugins too: each declared table carries its plugin's prefix and exists."""
    plugins = app.state["ctx"].plugins
    for name in plugins.program_plugins:
        for table in getattr(plugins.module(name), "TABLES", ()):
            assert table.startswith(f"{name}_")
