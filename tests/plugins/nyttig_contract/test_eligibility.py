"""Each eligibility rule as its own check; overrides with a reason; the hooks that switch
checks off, replace or add them; the age limit judged on the start date."""
from __future__ import annotations

import datetime as dt

import pytest

from core.forms import FormError
from plugins.nyttig_contract.eligibility import BUILTIN_CHECKS, Check, collect_checks, failing
from plugins.nyttig_contract.models import CheckOverride
from plugins.nyttig_contract.phases import move
from plugins.nyttig_contract.start import make_start_gate

from .helpers import ALL_YES, D0, department, on_path, screened
from .test_path import ready_for_start, walk_to_job_talk


def _result(screening, key):
    return next(r for r in screening.results if r["key"] == key)


@pytest.mark.parametrize("key,answer,check", [
    ("substance_main_problem", False, "substance_main_problem"),
    ("nav_program", True, "not_nav_program"),
    ("physically_able", False, "physically_able"),
    ("wants_change", False, "wants_change"),
])
def test_each_screening_rule_fails_on_its_own(world, key, answer, check):
    with world.db(world.b) as db:
        p, path = on_path(db, world.b.org.id, None)
        s = screened(db, path, p, None, answers={**ALL_YES, key: answer})
        assert not s.passed
        assert [r["key"] for r in failing(s)] == [check]
        assert screened(db, path, p, None).passed


def test_unknown_answers_do_not_pass_and_housing_waits_for_the_start(world):
    with world.db(world.b) as db:
        p, path = on_path(db, world.b.org.id, None)
        s = screened(db, path, p, None, answers={"substance_main_problem": True, "nav_program": False, "physically_able": True})
        assert [r["key"] for r in failing(s)] == ["wants_change"]
        assert _result(s, "wants_change")["passed"] is None
        # Housing and economy are not asked of the waiting list, only before the start.
        assert "housing_and_economy" not in {r["key"] for r in s.results}


def test_age_limit_is_judged_on_the_planned_start_date(world):
    with world.db(world.b) as db:
        birth = D0.replace(year=D0.year - 62) + dt.timedelta(days=30)  # turns 62 thirty days after D0
        p, path = on_path(db, world.b.org.id, None, birth=birth)
        assert _result(screened(db, path, p, None), "age_limit")["passed"] is True
        later = screened(db, path, p, None, planned_start_on=D0 + dt.timedelta(days=31))
        assert _result(later, "age_limit")["passed"] is False and not later.passed
        assert _result(screened(db, path, p, None, planned_start_on=D0 + dt.timedelta(days=29)), "age_limit")["passed"] is True


def test_age_limit_stops_a_start_after_the_62nd_birthday_unless_overridden(world):
    users = world.b.users
    with world.db(world.b) as db:
        dept = department(db, world.b.org.id)
        p, path = on_path(db, world.b.org.id, None, birth=D0.replace(year=D0.year - 62) + dt.timedelta(days=100))
        walk_to_job_talk(db, path, p, None)  # ends at D0 + 210: the person turned 62 at D0 + 100
        ready_for_start(db, path, users, dept)
        answers = {"housing_in_place": True, "economy_stable": True}
        with pytest.raises(FormError) as exc:
            move(db, path, "started", D0 + dt.timedelta(days=220), None, start_gate=make_start_gate(BUILTIN_CHECKS, answers, {}, None))
        db.rollback()
        assert "62" in exc.value.errors["__all__"]
        gate = make_start_gate(BUILTIN_CHECKS, answers, {"age_limit": "Avtalt med seksjonssjef: del av behandlingsplan"}, users["leader"].id)
        move(db, path, "started", D0 + dt.timedelta(days=220), users["leader"].id, start_gate=gate)
        assert path.phase == "started"
        log = db.query(CheckOverride).filter_by(participant_id=p.id).all()
        assert [(o.check_key, o.by_id) for o in log] == [("age_limit", users["leader"].id)]


def test_housing_and_economy_must_be_in_place_before_the_start(world):
    users = world.b.users
    with world.db(world.b) as db:
        dept = department(db, world.b.org.id)
        p, path = on_path(db, world.b.org.id, None)
        walk_to_job_talk(db, path, p, None)
        ready_for_start(db, path, users, dept)
        gate = make_start_gate(BUILTIN_CHECKS, {"housing_in_place": False, "economy_stable": True}, {}, None)
        with pytest.raises(FormError):
            move(db, path, "started", D0 + dt.timedelta(days=220), None, start_gate=gate)


def test_override_with_a_reason_passes_and_is_logged(world):
    with world.db(world.b) as db:
        p, path = on_path(db, world.b.org.id, None)
        s = screened(db, path, p, world.b.users["leader"].id, answers={**ALL_YES, "physically_able": False},
                     overrides={"physically_able": "Kan ta lette oppgaver i kaffebaren"})
        assert s.passed
        assert _result(s, "physically_able")["override"] == "Kan ta lette oppgaver i kaffebaren"
        assert db.query(CheckOverride).filter_by(check_key="physically_able").count() == 1
        move(db, path, "interview", D0, None)


class _Plugins:
    """Stands in for the plugin manager, so the hooks' contract is tested in isolation."""

    def __init__(self, checks, off):
        self.checks, self.off = checks, off

    def for_organization(self, name, enabled):
        return {"lavterskel_eligibility_checks": lambda organization: self.checks,
                "lavterskel_eligibility_checks_off": lambda organization: self.off}[name]


class _Org:
    enabled_plugins = frozenset({"nyttig_contract"})


def test_lavterskel_eligibility_checks_a_program_adds_and_replaces_a_check(world):
    extra = Check("knows_oslo", "Bor i Oslo", lambda f: (f.answers.get("oslo") is True, "Oslo"))
    stricter_age = Check("age_limit", "Under 60", lambda f: (f.participant.age_on(f.check_date) < 60, "60"))
    with world.db(world.b) as db:
        checks = collect_checks(_Plugins([[extra, stricter_age], BUILTIN_CHECKS], [[]]), _Org(), db)
        keys = [c.key for c in checks]
        assert "knows_oslo" in keys and keys.count("age_limit") == 1
        assert next(c for c in checks if c.key == "age_limit") is stricter_age


def test_lavterskel_eligibility_checks_off_switches_a_check_off(world):
    from core.services.settings import set_setting
    from plugins.nyttig_contract.labels import SETTING_DEFS

    with world.db(world.b) as db:
        checks = collect_checks(_Plugins([BUILTIN_CHECKS], [["not_nav_program"]]), _Org(), db)
        assert "not_nav_program" not in {c.key for c in checks}
        set_setting(db, world.b.org.id, SETTING_DEFS["nyttig.checks_off"], "wants_change")
        checks = collect_checks(_Plugins([BUILTIN_CHECKS], [[]]), _Org(), db)
        assert "wants_change" not in {c.key for c in checks} and "not_nav_program" in {c.key for c in checks}


def test_lavterskel_eligibility_checks_through_the_real_plugin_manager(app, world):
    from core.models import Organization

    with world.db(world.b) as db:
        org = db.get(Organization, world.b.org.id)
        keys = {c.key for c in collect_checks(app.state["ctx"].plugins, org, db)}
    assert keys == {c.key for c in BUILTIN_CHECKS}


def test_lavterskel_signing_providers_paper_is_built_in_and_a_plugin_can_add_one(app, world):
    from core.models import Organization
    from plugins.nyttig_contract.signing import collect_providers

    with world.db(world.b) as db:
        providers = collect_providers(app.state["ctx"].plugins, db.get(Organization, world.b.org.id))
    assert list(providers) == ["paper"]

    class BankId:
        key, label = "bankid", "BankID"

        def sign(self, db, document, data, by_id):
            document.status, document.provider, document.reference = "signed", "bankid", "ref-1"

    class Fake:
        def for_organization(self, name, enabled):
            from plugins.nyttig_contract.signing import PaperSigning

            return lambda organization: [[BankId()], [PaperSigning()]]

    assert list(collect_providers(Fake(), _Org())) == ["bankid", "paper"]


def test_screening_reasons_are_shown_in_the_readers_language(client, world):
    from core import i18n
    from tests.conftest import login

    with world.db(world.b) as db:
        i18n.set_locale("nb")
        p, path = on_path(db, world.b.org.id, None)
        s = screened(db, path, p, None)
        assert "aldersgrensen" in _result(s, "age_limit")["explanation"]
        pid = p.id
    login(client, world.b.users["leader"])
    client.cookies.set("lavterskel_locale", "en")
    html = client.get(f"/nyttig/people/{pid}", headers={"Accept-Language": "en"}).text
    assert "under the limit of 62 for new starts" in html and "aldersgrensen" not in html
    assert "Age limit for new starts, on the start date" in html


def test_the_person_page_names_an_overridden_check_in_words(world, client):
    """The list of overrides said "physically_able", the check's key, to the leader."""
    from tests.conftest import login, post_form

    with world.db(world.b) as db:
        p, path = on_path(db, world.b.org.id, None)
        screened(db, path, p, world.b.users["leader"].id, answers={**ALL_YES, "physically_able": False},
                 overrides={"physically_able": "Kan ta lette oppgaver i kaffebaren"})
        db.commit()
        pid = p.id
    login(client, world.b.users["leader"])
    post_form(client, "/language", {"locale": "en", "next": "/"})
    text = " ".join(client.get(f"/nyttig/people/{pid}").text.split())
    assert "Kan ta lette oppgaver i kaffebaren" in text
    assert ": physically_able —" not in text
