"""Language: complete catalogues, every page in Bokmål and English, the language switch,
the order in which the locale is chosen, headers, locale-aware formatting, and error
pages for URLs no route matches.
"""
from __future__ import annotations

import datetime as dt
import random
import re
import subprocess
import sys
import threading
from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from babel.messages.pofile import read_po
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from core import i18n, i18n_catalogues
from core.i18n_catalogues import TREES
from core.contrib import DemoContext
from core.models import Customer, Membership, Participant, StaffUser, WorkOrder
from core.services import days as days_service
from tests.conftest import ROLES, OrgWorld, World, login, password_hash, post_form

NBSP = {"\u00a0": " ", "\u202f": " "}


def plain(text: str) -> str:
    """Normalize spaces (Babel uses no-break and narrow no-break spaces)."""
    for k, v in NBSP.items():
        text = text.replace(k, v)
    return " ".join(text.split())


# ---------------------------------------------------------------------------------------
# Catalogues
# ---------------------------------------------------------------------------------------


def test_catalogues_are_complete_and_not_stale() -> None:
    found = i18n_catalogues.problems()
    assert found == [], "catalogue problems (run `python -m core.i18n_catalogues check`):\n" + "\n".join(found)


_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def _catalogue_messages(locale: str) -> list[Any]:
    out = []
    for _sources, locale_dir in TREES:
        path = locale_dir / locale / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as fh:
            out.extend(m for m in read_po(fh, locale=locale) if m.id)
    return out


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_translations_keep_their_placeholders(locale: str) -> None:
    """A translation that drops or renames %(name)s would raise a KeyError at render time."""
    wrong = []
    for msg in _catalogue_messages(locale):
        ids = [msg.id] if isinstance(msg.id, str) else list(msg.id)
        strings = [msg.string] if isinstance(msg.string, str) else list(msg.string)
        wanted = set(_PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            if s and set(_PLACEHOLDER.findall(s)) != wanted:
                wrong.append(f"{ids[0]!r} -> {s!r}")
    assert wrong == []


def test_bokmal_uses_the_glossary() -> None:
    """The domain's own words, not loose synonyms (DOMAIN.md glossary)."""
    nb = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m.string for m in _catalogue_messages("nb")}
    expected = {
        "Participant": "Deltaker", "Participants": "Deltakere", "Work leader": "Arbeidsleder", "Work orders": "Oppdrag",
        "Customer": "Oppdragsgiver", "Team": "Arbeidslag", "Department": "Avdeling", "Social worker": "Sosialkonsulent",
    }
    for msgid, word in expected.items():
        assert nb[(None, msgid)] == word, msgid


def test_translate_tool_covers_every_tree_and_loses_nothing_to_a_concurrent_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two people translating at once in one tree: both translations survive."""
    core_src, plugin_src = tmp_path / "src", tmp_path / "plugin"
    core_src.mkdir()
    plugin_src.mkdir()
    (core_src / "a.py").write_text('from core.i18n import gettext as _\n_("Apple")\n_("Pear")\n_("Plum")\n', encoding="utf-8")
    (plugin_src / "b.py").write_text('from core.i18n import gettext as _, pgettext\n_("Pear")\npgettext("fruit", "Plum")\n', encoding="utf-8")
    trees = [([core_src], tmp_path / "locales"), ([plugin_src], plugin_src / "locales")]
    monkeypatch.setattr(i18n_catalogues, "ROOT", tmp_path)
    monkeypatch.setattr(i18n_catalogues, "TREES", trees)

    threads = [
        threading.Thread(target=i18n_catalogues.translate, args=("nb", {"Apple": "Eple"})),
        threading.Thread(target=i18n_catalogues.translate, args=("nb", {"Pear": "Pære", "fruit\u0004Plum": "Plomme"})),
        threading.Thread(target=i18n_catalogues.translate, args=("nb", {"Plum": "Plomme (uten kontekst)"})),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    def strings(locale_dir: Path, locale: str) -> dict[tuple[str | None, str], str]:
        with (locale_dir / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            return {(m.context, m.id): m.string for m in read_po(fh) if m.id}

    assert strings(tmp_path / "locales", "nb") == {
        (None, "Apple"): "Eple", (None, "Pear"): "Pære", (None, "Plum"): "Plomme (uten kontekst)"
    }
    assert strings(plugin_src / "locales", "nb") == {(None, "Pear"): "Pære", ("fruit", "Plum"): "Plomme"}
    assert strings(plugin_src / "locales", "en")[("fruit", "Plum")] == "Plum"
    assert i18n_catalogues.problems() == []
    (core_src / "a.py").write_text('from core.i18n import gettext as _\n_("Apple")\n_("Cherry")\n', encoding="utf-8")
    found = i18n_catalogues.problems()
    assert any("missing 'Cherry'" in p for p in found) and any("stale 'Pear'" in p for p in found)
    assert len(list(tmp_path.rglob("*.tmp"))) == 0


def test_check_command_fails_on_problems() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "core.i18n_catalogues", "check"], capture_output=True, text=True, cwd=i18n_catalogues.ROOT
    )
    assert result.stdout.strip().endswith("0 problem(s)"), result.stdout[-2000:]
    assert result.returncode == 0


# ---------------------------------------------------------------------------------------
# Finding untranslated text in a page
# ---------------------------------------------------------------------------------------

_VISIBLE_ATTRS = ("aria-label", "title", "placeholder", "alt")


class _TextCollector(HTMLParser):
    """Visible (and screen-reader) text of a page, each text node and label on its own,
    leaving out script, style and anything marked as written in another language."""

    def __init__(self, page_lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_lang = page_lang
        self.segments: list[str] = []
        self._stack: list[tuple[str, bool]] = []

    def _foreign(self) -> bool:
        return any(foreign for _tag, foreign in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        lang = a.get("lang")
        foreign = tag in ("script", "style") or (lang is not None and tag != "html" and lang.split("-")[0] != self.page_lang)
        if tag not in ("input", "meta", "link", "br", "img", "hr"):
            self._stack.append((tag, foreign))
        if foreign or self._foreign():
            return
        for name in _VISIBLE_ATTRS:
            if a.get(name):
                self.segments.append(plain(a[name] or ""))
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.segments.append(plain(a["value"] or ""))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if not self._foreign() and data.strip():
            self.segments.append(plain(data))


def visible_segments(html: str, lang: str) -> list[str]:
    parser = _TextCollector(lang)
    parser.feed(html)
    return parser.segments


@dataclass(frozen=True)
class Forbidden:
    text: str
    pattern: re.Pattern[str]
    whole_segment: bool

    def found_in(self, segment: str) -> bool:
        if self.whole_segment:
            return self.pattern.fullmatch(segment) is not None
        return self.pattern.search(segment) is not None


def _forbidden(text: str) -> Forbidden:
    text = plain(text)
    parts = _PLACEHOLDER.split(text)
    # split() with a group returns the names in between; rebuild with a wildcard for each.
    literal = [p for i, p in enumerate(parts) if i % 2 == 0]
    regex = r".+?".join(re.escape(p) for p in literal)
    words = re.findall(r"\w+", " ".join(literal))
    if len(words) >= 2:
        # A phrase: found anywhere as whole words. Data is Norwegian, so an English phrase
        # in a Bokmål page (or the reverse) can only come from an untranslated string.
        return Forbidden(text, re.compile(r"(?<!\w)" + regex + r"(?!\w)"), whole_segment=False)
    # A single word ("Save", "Open"): only a whole text node or label counts, so a
    # person's or a customer's name never trips the check.
    return Forbidden(text, re.compile(regex), whole_segment=True)


def forbidden_strings(page_locale: str) -> list[Forbidden]:
    """Source strings (in nb) or Bokmål translations (in en) that must not show up."""
    out: dict[str, Forbidden] = {}
    for msg in _catalogue_messages("nb"):
        ids = [msg.id] if isinstance(msg.id, str) else list(msg.id)
        strings = [msg.string] if isinstance(msg.string, str) else list(msg.string)
        for source, translated in zip(ids, strings):
            if not translated or plain(source) == plain(translated):
                continue
            text = source if page_locale == "nb" else translated
            out.setdefault(text, _forbidden(text))
    return list(out.values())


# Hard-coded text that never went through gettext is not in any catalogue: common words
# and Babel's month and weekday names of the other language catch most of it.
_ENGLISH_WORDS = re.compile(
    r"(?<!\w)((?i:the|and|with|your|you|this|that|please|which|should|would|could|been|were|there)"
    # English capitalizes month and weekday names; Bokmål writes them small ("august" is both).
    r"|January|February|March|April|June|July|August|October|December"
    r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?!\w)",
)
# In English pages only Babel's names count: the organization's own data is Norwegian.
_BOKMAL_WORDS = re.compile(
    r"(?<!\w)(januar|februar|mars|juni|juli|oktober|desember"
    r"|mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag)(?!\w)",
    re.IGNORECASE,
)


def untranslated(html: str, locale: str, forbidden: list[Forbidden]) -> list[str]:
    segments = visible_segments(html, locale)
    hits = {f"{f.text!r} in {seg!r}" for seg in segments for f in forbidden if f.found_in(seg)}
    words = _ENGLISH_WORDS if locale == "nb" else _BOKMAL_WORDS
    hits |= {f"{m.group(0)!r} in {seg!r}" for seg in segments for m in [words.search(seg)] if m}
    return sorted(hits)


def test_the_untranslated_check_can_fail() -> None:
    """The page check finds an English string in a Bokmål page, and Bokmål in an English one."""
    nb, en = forbidden_strings("nb"), forbidden_strings("en")
    page = '<html lang="nb"><body><h1>Deltakere</h1><button>Save</button><p>{}</p>' \
           '<button lang="en">English</button></body></html>'
    assert untranslated(page.format("Kari Nordmann"), "nb", nb) == ["'Save' in 'Save'"]
    assert untranslated(page.format("Nobody registered yet."), "nb", nb) != []
    assert untranslated(page.format("3 matches"), "nb", nb) != []
    assert untranslated(page.format("Page 2 of 7"), "nb", nb) != []
    assert untranslated(page.format("mandag 5. januar"), "nb", nb) == ["'Save' in 'Save'"]
    assert untranslated(page.format("Monday 5 January"), "nb", nb) != ["'Save' in 'Save'"]
    page_en = '<html lang="en"><body><h1>Participants</h1><p>{}</p><button lang="nb">Norsk (bokmål)</button></body></html>'
    assert untranslated(page_en.format("Ingen er registrert ennå."), "en", en) != []
    assert untranslated(page_en.format("Byåsen borettslag"), "en", en) == []
    assert untranslated(page_en.format("Kari Nordmann"), "en", en) == []


# ---------------------------------------------------------------------------------------
# Every page, in both languages
# ---------------------------------------------------------------------------------------


def _all_roles_user(db: Any, org: OrgWorld, username: str, full_name: str) -> StaffUser:
    user = StaffUser(username=username, full_name=full_name, password_hash=password_hash())
    db.add(user)
    db.flush()
    for role in ROLES:
        db.add(Membership(user_id=user.id, organization_id=org.org.id, role=role))
    db.flush()
    return user


def _fill_organization(world: World, org: OrgWorld, tag: str, plugins: Any) -> StaffUser:
    """One of each thing a page can show: people, customers, orders, a day with a team and shifts."""
    with world.db(org) as db:
        user = _all_roles_user(db, org, f"{tag}-alle", f"Randi {tag.capitalize()}")
        db.commit()
        today = i18n.today()
        people = [
            Participant(organization_id=org.org.id, first_name="Kari", last_name="Nordmann", gender="woman",
                        birth_date=dt.date(1979, 4, 2), card_code=f"{tag}-1", phone="91234567"),
            Participant(organization_id=org.org.id, first_name="Ola", last_name="Dunk", nickname="Snekker'n", gender="man",
                        birth_date=dt.date(1961, 11, 30), card_code=f"{tag}-2"),
            Participant(organization_id=org.org.id, first_name="Sam", last_name="Lie", gender="other", active=False),
        ]
        db.add_all(people)
        customer = Customer(organization_id=org.org.id, name="Byåsen borettslag", kind="housing_coop",
                            contact_name="Liv Berg", email="styret@example.no", address="Byåsveien 1")
        db.add(customer)
        db.flush()
        orders = [
            WorkOrder(organization_id=org.org.id, title="Plenklipp", kind="recurring", status="scheduled",
                      customer_id=customer.id, site_id=org.site.id, start_date=today, people_needed=4),
            WorkOrder(organization_id=org.org.id, title="Flyttehjelp", kind="one_off", status="requested",
                      customer_id=customer.id, site_id=org.site.id, start_date=today + dt.timedelta(days=3)),
            WorkOrder(organization_id=org.org.id, title="Rydding", kind="multi_day", status="declined",
                      status_reason="Ikke noe for oss.", customer_id=customer.id, site_id=org.site.id),
        ]
        db.add_all(orders)
        db.commit()
        for offset in (-1, 0):
            day = days_service.program_day(db, org.org.id, org.site, today + dt.timedelta(days=offset))
            assert day is not None
            for person in people[:2]:
                days_service.register_attendance(db, day, person, user.id)
            team = days_service.create_team(db, day, "Lag 1", user.id, [orders[0].id])
            shift = days_service.assign_to_team(db, day, people[0], team)
            days_service.assign_to_team(db, day, people[1], None)
            if offset < 0:
                days_service.record_outcome(db, shift, "worked", Decimal("5.5"))
        closed = days_service.program_day(db, org.org.id, org.site, today + dt.timedelta(days=1))
        assert closed is not None
        days_service.set_day_open(db, closed, False, "Stengt for planleggingsdag")
        # Each program plugin adds its own objects (draws, paths, pay runs...) through the
        # same hook the demo uses, so a plugin's pages with ids are reached without this
        # test knowing the plugin.
        site = db.get(type(org.site), org.site.id)
        context = DemoContext(rng=random.Random(7), today=today, site=site,
                              staff={role: [db.get(StaffUser, u.id)] for role, u in org.users.items()})
        enabled = _enabled(db, org)
        plugins.for_organization("lavterskel_demo_data", enabled)(db=db, organization=db.get(type(org.org), org.org.id), context=context)
        db.commit()
        db.expunge(user)
        return user


def _enabled(db: Any, org: OrgWorld) -> set[str]:
    from core.models import OrganizationPlugin

    return set(db.scalars(select(OrganizationPlugin.plugin).where(
        OrganizationPlugin.organization_id == org.org.id, OrganizationPlugin.enabled.is_(True)
    )))


def _route_regex(path: str) -> re.Pattern[str]:
    out, pos = "", 0
    for m in re.finditer(r"\{(\w+):(\w+)\}", path):
        out += re.escape(path[pos:m.start()])
        out += {"int": r"\d+", "path": r".+"}.get(m.group(2), r"[^/]+")
        pos = m.end()
    return re.compile(out + re.escape(path[pos:]))


def page_routes(app: Litestar) -> dict[str, re.Pattern[str]]:
    """Every GET route of the staff UI, from the app's own route table."""
    out = {}
    for route in app.routes:
        if route.path.startswith(("/api/", "/static")) or route.path in ("/login",):
            continue
        for handler in getattr(route, "route_handlers", []):
            if "GET" in (getattr(handler, "http_methods", None) or ()):
                out[route.path] = _route_regex(route.path)
    return out


# Links and embedded resources (report charts are <img src>), never outside the site.
_HREF = re.compile(r"""(?:href|src)="([^"#]+)""")


def crawl(
    client: TestClient[Litestar], routes: dict[str, re.Pattern[str]], errors: list[str], per_route: int = 2
) -> dict[str, list[str]]:
    """Visit every page reachable by links from the pages without parameters.

    A route with path parameters is reached through the links of real objects' pages,
    so it is filled with real ids. Returns the URLs visited per route.
    """
    visited: dict[str, list[str]] = {r: [] for r in routes}
    queue = deque(r for r in routes if "{" not in r)
    seen = set(queue)
    while queue:
        url = queue.popleft()
        path = urlsplit(url).path
        route = next((r for r, rx in routes.items() if rx.fullmatch(path)), None)
        if route is None or len(visited[route]) >= per_route:
            continue
        response = client.get(url, follow_redirects=False)
        if response.status_code >= 500:
            errors.append(f"{response.status_code} on {url}")
        if response.status_code != 200:
            continue
        visited[route].append(url)
        if not _is_page(response):
            continue
        for href in _HREF.findall(response.text):
            href = href.replace("&amp;", "&")
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/") or href in seen:
                continue
            seen.add(href)
            queue.append(href)
    return visited


def _is_page(response: Any) -> bool:
    return "text/html" in response.headers.get("content-type", "")


def _is_svg(response: Any) -> bool:
    """A chart's labels and titles are text too."""
    return "svg" in response.headers.get("content-type", "")


def _as(client: TestClient[Litestar], locale: str) -> None:
    client.cookies.set("lavterskel_locale", locale)


def test_every_page_renders_in_bokmal_and_english_without_untranslated_text(
    app: Litestar, client: TestClient[Litestar], world: World
) -> None:
    plugins = app.state["ctx"].plugins
    users = {"a": _fill_organization(world, world.a, "alpha", plugins), "b": _fill_organization(world, world.b, "beta", plugins)}
    routes = page_routes(app)
    assert "/" in routes and "/participants/{obj_id:int}" in routes, "the route table was not read"
    forbidden = {loc: forbidden_strings(loc) for loc in i18n.LOCALES}
    covered: set[str] = set()
    problems: list[str] = []
    pages = 0
    for key, user in users.items():
        with TestClient(app, base_url="http://testserver.local") as c:
            login(c, user)
            _as(c, "nb")
            visited = crawl(c, routes, problems)
            covered |= {r for r, urls in visited.items() if urls}
            for urls in visited.values():
                for url in urls:
                    for locale in i18n.LOCALES:
                        _as(c, locale)
                        response = c.get(url, follow_redirects=False)
                        pages += 1
                        assert response.status_code == 200, (url, locale, response.status_code)
                        if not _is_page(response) and not _is_svg(response):
                            continue  # CSV, JSON: data, not pages
                        assert response.headers["content-language"] == locale, url
                        if _is_page(response):
                            assert f'<html lang="{locale}">' in response.text, url
                        for hit in untranslated(response.text, locale, forbidden[locale]):
                            problems.append(f"[{key} {locale}] {url}: {hit}")
    missing = sorted(set(routes) - covered)
    report = []
    if missing:
        report.append(
            "pages never reached (no page links to them with real objects; the plugin's "
            f"lavterskel_demo_data should create them, or _fill_organization): {missing}"
        )
    if problems:
        report.append("untranslated text or errors:\n" + "\n".join(problems))
    assert report == [], "\n".join(report)
    assert pages >= 2 * len(routes)


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_login_page_in_both_languages(client: TestClient[Litestar], locale: str) -> None:
    _as(client, locale)
    response = client.get("/login")
    assert response.status_code == 200
    assert f'<html lang="{locale}">' in response.text
    assert untranslated(response.text, locale, forbidden_strings(locale)) == []
    i18n.set_locale(locale)
    assert f"<h1>{i18n.gettext('Sign in')}</h1>" in response.text


# ---------------------------------------------------------------------------------------
# Choosing the language
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("no", "nb"), ("nb-NO", "nb"), ("nn", "nb"), ("nn-NO,en;q=0.5", "nb"), ("NB_no", "nb"),
        ("en-GB", "en"), ("en-US,en;q=0.9", "en"), ("EN", "en"),
        ("en;q=0.5, nb;q=0.9", "nb"), ("nb;q=0.1, en;q=0.8", "en"), ("de-DE, fr;q=0.9, en;q=0.3", "en"),
        ("de, sv", "nb"), ("*", "nb"), ("", "nb"), ("en;q=0", "nb"), ("en;q=banana", "nb"), (";;,,q=", "nb"),
    ],
)
def test_accept_language(header: str, expected: str) -> None:
    assert i18n.negotiate(None, None, header) == expected


def test_order_of_choice_user_setting_then_cookie_then_header() -> None:
    assert i18n.negotiate("en", "nb", "nb") == "en"
    assert i18n.negotiate("nb", "en", "en") == "nb"
    assert i18n.negotiate(None, "en", "nb") == "en"
    assert i18n.negotiate(None, "nb", "en") == "nb"
    assert i18n.negotiate(None, "xx", "en-GB") == "en"  # an unknown cookie value is ignored
    assert i18n.negotiate("de", None, None) == "nb"


def _lang(response: Any) -> str:
    m = re.search(r'<html lang="(\w+)">', response.text)
    assert m, response.text[:300]
    assert response.headers["content-language"] == m.group(1)
    return m.group(1)


def test_accept_language_chooses_the_page_language_for_anonymous_users(client: TestClient[Litestar]) -> None:
    assert _lang(client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})) == "en"
    assert _lang(client.get("/login", headers={"Accept-Language": "nn-NO"})) == "nb"
    assert _lang(client.get("/login", headers={"Accept-Language": "de"})) == "nb"
    assert _lang(client.get("/login")) == "nb"


def test_language_switch_returns_to_the_same_page_in_the_other_language(client: TestClient[Litestar], world: World) -> None:
    with world.db(world.a) as db:
        db.add(Participant(organization_id=world.a.org.id, first_name="Kari", last_name="Nordmann"))
        db.commit()
    login(client, world.a.users["leader"])
    page = "/participants?q=Kari&active=1"
    before = client.get(page)
    assert _lang(before) == "nb"
    assert 'name="next" value="/participants?q=Kari&amp;active=1"' in before.text

    response = post_form(client, "/language", {"locale": "en", "next": "/participants?q=Kari&active=1"})
    assert response.status_code == 303
    assert response.headers["location"] == page
    after = client.get(response.headers["location"])
    assert _lang(after) == "en"
    i18n.set_locale("en")
    assert f"<h1>{i18n.gettext('Participants')}</h1>" in after.text
    assert "Kari" in after.text and "Nordmann" in after.text

    back = post_form(client, "/language", {"locale": "nb", "next": page})
    assert back.headers["location"] == page
    assert _lang(client.get(page)) == "nb"


def test_language_choice_persists_for_the_user_across_browsers(client: TestClient[Litestar], app: Litestar, world: World) -> None:
    user = world.a.users["work_leader"]
    login(client, user)
    post_form(client, "/language", {"locale": "en", "next": "/"})
    with world.db() as db:
        assert db.scalars(select(StaffUser.locale).where(StaffUser.id == user.id)).one() == "en"
    # Another browser: no cookie, a Bokmål browser. The user's own setting wins.
    with TestClient(app, base_url="http://testserver.local") as other:
        other.headers["Accept-Language"] = "nb-NO"
        other.cookies.set("lavterskel_locale", "nb")
        login(other, user)
        assert _lang(other.get("/")) == "en"
        assert _lang(other.get("/days")) == "en"
    # Someone else on the first browser: their own (unset) setting, then this browser's cookie.
    post_form(client, "/logout")
    login(client, world.a.users["social_worker"])
    assert _lang(client.get("/")) == "en"
    client.cookies.set("lavterskel_locale", "nb")
    assert _lang(client.get("/")) == "nb"


def test_language_choice_persists_as_a_cookie_for_anonymous_users(client: TestClient[Litestar]) -> None:
    response = post_form(client, "/language", {"locale": "en", "next": "/login?next=/days"}, headers={"Accept-Language": "nb"})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/days"
    assert client.cookies.get("lavterskel_locale") == "en"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "max-age=" in cookie and "path=/" in cookie
    assert _lang(client.get("/login", headers={"Accept-Language": "nb-NO"})) == "en"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
def test_language_switch_never_leaves_the_site(client: TestClient[Litestar], target: str) -> None:
    response = post_form(client, "/language", {"locale": "en", "next": target})
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location


@pytest.mark.parametrize("value", ["de", "", "../../etc", "x" * 5000])
def test_language_switch_with_an_unknown_language_falls_back_to_bokmal(client: TestClient[Litestar], value: str) -> None:
    response = post_form(client, "/language", {"locale": value, "next": "/login"})
    assert response.status_code == 303
    assert _lang(client.get("/login", headers={"Accept-Language": "en"})) == "nb"


def test_language_switch_needs_a_csrf_token(client: TestClient[Litestar]) -> None:
    client.get("/login")
    response = client.post("/language", data={"locale": "en", "next": "/login"}, follow_redirects=False)
    assert response.status_code == 403
    assert client.cookies.get("lavterskel_locale") is None


# ---------------------------------------------------------------------------------------
# Headers
# ---------------------------------------------------------------------------------------


def test_content_language_and_vary_on_pages_and_api(client: TestClient[Litestar], world: World) -> None:
    from tests.conftest import api_token, bearer

    for header, expected in (("en-GB", "en"), ("nb-NO", "nb")):
        page = client.get("/login", headers={"Accept-Language": header})
        assert page.headers["content-language"] == expected
        assert "accept-language" in page.headers["vary"].lower()
        assert f'<html lang="{expected}">' in page.text
    token = api_token(world, world.a, "leader")
    for header, expected in (("en", "en"), ("no", "nb")):
        response = client.get("/api/v1/participants/999999", headers={**bearer(token), "Accept-Language": header})
        assert response.status_code == 404
        assert response.headers["content-language"] == expected
        assert "accept-language" in response.headers["vary"].lower()
        with i18n.use_locale(expected):
            assert response.json()["detail"] == i18n.gettext(
                "Not found. It may have been removed, or it belongs to another organization."
            )


# ---------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "amount", "ore", "expected"),
    [
        ("nb", Decimal("250"), False, "250,00 kr"),
        ("en", Decimal("250"), False, "NOK 250.00"),
        ("nb", 25000, True, "250,00 kr"),
        ("en", 25000, True, "NOK 250.00"),
        ("nb", Decimal("12345.5"), False, "12 345,50 kr"),
        ("en", Decimal("12345.5"), False, "NOK 12,345.50"),
        ("nb", 1, True, "0,01 kr"),
        ("en", -250050, True, "-NOK 2,500.50"),
    ],
)
def test_money(locale: str, amount: Any, ore: bool, expected: str) -> None:
    with i18n.use_locale(locale):
        assert plain(i18n.format_money(amount, ore=ore)) == expected


def test_money_is_never_a_float() -> None:
    with pytest.raises(TypeError):
        i18n.format_money(250.0)  # type: ignore[arg-type]


def test_numbers_and_dates_follow_the_locale() -> None:
    day = dt.date(2026, 3, 5)
    with i18n.use_locale("nb"):
        assert plain(i18n.format_number(Decimal("1234.5"))) == "1 234,5"
        assert i18n.format_date(day) == "5. mars 2026"
        assert i18n.format_date(day, "full") == "torsdag 5. mars 2026"
        assert i18n.format_date(day, "short") == "05.03.2026"
        # Stored in UTC, shown in Oslo time (summer time in June: UTC+2).
        assert i18n.format_datetime(dt.datetime(2026, 6, 1, 22, 30)) == "02.06.2026, 00:30"
        assert i18n.format_time(dt.datetime(2026, 1, 15, 7, 5)) == "08:05"
    with i18n.use_locale("en"):
        assert i18n.format_number(Decimal("1234.5")) == "1,234.5"
        assert i18n.format_date(day) == "5 Mar 2026"
        assert i18n.format_date(day, "full") == "Thursday, 5 March 2026"
        assert i18n.format_date(day, "short") == "05/03/2026"
        assert plain(i18n.format_datetime(dt.datetime(2026, 6, 1, 22, 30))) == "02/06/2026, 00:30"
    assert i18n.format_date(None) == "" and i18n.format_money(None) == "" and i18n.format_number(None) == ""


def test_today_is_oslo_today() -> None:
    from zoneinfo import ZoneInfo

    assert i18n.today() == dt.datetime.now(ZoneInfo("Europe/Oslo")).date()


def test_dashboard_date_is_written_for_the_locale(client: TestClient[Litestar], world: World) -> None:
    login(client, world.a.users["leader"])
    for locale in i18n.LOCALES:
        _as(client, locale)
        html = client.get("/").text
        with i18n.use_locale(locale):
            assert i18n.format_date(i18n.today(), "full") in html


def test_translations_follow_the_request_not_the_thread(client: TestClient[Litestar]) -> None:
    """Concurrent requests in different languages never mix (the locale is per request)."""
    results: dict[int, str] = {}

    def fetch(i: int) -> None:
        header = "en" if i % 2 else "nb"
        results[i] = _lang(client.get("/login", headers={"Accept-Language": header}))

    threads = [threading.Thread(target=fetch, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {i: ("en" if i % 2 else "nb") for i in range(12)}


def test_lazy_strings_are_translated_when_shown() -> None:
    label = i18n.lazy_gettext("Participants")
    with i18n.use_locale("nb"):
        assert str(label) == "Deltakere"
    with i18n.use_locale("en"):
        assert str(label) == "Participants"


def test_plurals_and_contexts() -> None:
    with i18n.use_locale("nb"):
        assert i18n.ngettext("%(num)d match", "%(num)d matches", 1) == "1 treff"
        # The same English word, two Bokmål words: a customer is "annen", a gender "annet".
        assert i18n.pgettext("customer kind", "Other") == "Annen"
        assert i18n.gettext("Other") == "Annet"
        assert i18n.ngettext("%(num)d field needs attention.", "%(num)d fields need attention.", 3) == "3 felt må rettes."
    with i18n.use_locale("en"):
        assert i18n.ngettext("%(num)d match", "%(num)d matches", 1) == "1 match"
        assert i18n.ngettext("%(num)d match", "%(num)d matches", 2) == "2 matches"


def test_plugin_catalogues_are_merged_over_the_core(client: TestClient[Litestar], world: World) -> None:
    """The test plugin's own catalogue translates its navigation entry."""
    login(client, world.a.users["leader"])
    for locale in i18n.LOCALES:
        _as(client, locale)
        html = client.get("/").text
        with i18n.use_locale(locale):
            assert f'href="/rolling-list">{i18n.gettext("Rolling list")}</a>' in html
    with i18n.use_locale("nb"):
        assert i18n.gettext("Rolling list") == "Rullerende liste"


# ---------------------------------------------------------------------------------------
# URLs no route matches
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "locale"), [("en-GB", "en"), ("nb-NO", "nb"), ("no", "nb")])
def test_unknown_url_gets_a_404_in_the_requesters_language(client: TestClient[Litestar], header: str, locale: str) -> None:
    response = client.get("/no/such/page", headers={"Accept-Language": header})
    assert response.status_code == 404
    assert _lang(response) == locale
    assert "accept-language" in response.headers["vary"].lower()
    assert "content-security-policy" in response.headers
    with i18n.use_locale(locale):
        assert i18n.gettext("Not found. It may have been removed, or it belongs to another organization.") in response.text
        assert i18n.gettext("Skip to content") in response.text  # the normal layout
    assert untranslated(response.text, locale, forbidden_strings(locale)) == []


def test_unknown_url_for_a_signed_in_user_has_the_layout_and_their_language(client: TestClient[Litestar], world: World) -> None:
    login(client, world.a.users["leader"])
    post_form(client, "/language", {"locale": "en", "next": "/"})
    response = client.get("/no-such-page/at-all", headers={"Accept-Language": "nb"})
    assert response.status_code == 404
    assert _lang(response) == "en"
    assert '<nav aria-label="Main">' in response.text
    assert 'href="/participants">Participants</a>' in response.text
    assert world.a.org.name in response.text


def test_language_switch_works_from_an_unknown_url(app: Litestar) -> None:
    """A first visit lands on a dead link: the page's switch has a working CSRF token."""
    with TestClient(app, base_url="http://testserver.local") as fresh:
        page = fresh.get("/gammel-lenke?fra=epost", headers={"Accept-Language": "nb"})
        assert page.status_code == 404 and _lang(page) == "nb"
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
        assert token, "the 404 page's language switch has no CSRF token"
        assert 'name="next" value="/gammel-lenke?fra=epost"' in page.text
        response = fresh.post(
            "/language", data={"_csrf_token": token.group(1), "locale": "en", "next": "/gammel-lenke?fra=epost"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/gammel-lenke?fra=epost"
        again = fresh.get(response.headers["location"], headers={"Accept-Language": "nb"})
        assert again.status_code == 404 and _lang(again) == "en"


def test_wrong_method_and_unknown_api_url_are_translated(client: TestClient[Litestar]) -> None:
    response = client.delete("/login", headers={"Accept-Language": "en"})
    assert response.status_code == 405
    assert _lang(response) == "en"
    with i18n.use_locale("en"):
        assert i18n.gettext("This action is not available here.") in response.text
    api = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "nb"})
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/json")
    with i18n.use_locale("nb"):
        assert api.json()["detail"] == i18n.gettext(
            "Not found. It may have been removed, or it belongs to another organization."
        )


@pytest.mark.parametrize(
    "headers",
    [
        {"Accept-Language": "q=;;,,;q=x"},
        {"Accept-Language": "x" * 4000},
        {"Cookie": "lavterskel_locale=\"; lavterskel_session=\x7f"},
        {"Cookie": "lavterskel_session=forged-token; lavterskel_locale=en"},
        {"Authorization": "Bearer forged"},
    ],
)
def test_odd_headers_on_unknown_urls_never_give_a_500(client: TestClient[Litestar], headers: dict[str, str]) -> None:
    for path in ("/no/such/page", "/api/v1/no/such", "/login"):
        response = client.get(path, headers=headers, follow_redirects=False)
        assert response.status_code in (200, 404), (path, headers, response.status_code)
        assert response.headers["content-language"] in i18n.LOCALES


def test_disabled_plugin_route_is_a_translated_404(client: TestClient[Litestar], world: World) -> None:
    login(client, world.b.users["leader"])  # beta does not run the rolling list
    _as(client, "en")
    response = client.get("/rolling-list")
    assert response.status_code == 404
    assert _lang(response) == "en"
    assert "Not found." in response.text

