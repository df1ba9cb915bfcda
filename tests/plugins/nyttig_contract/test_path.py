"""Each phase change on the path, relapse, leaving and coming back (service level)."""
from __future__ import annotations

import datetime as dt

import pytest

from core.forms import FormError
from plugins.nyttig_contract.models import Interview, PhaseChange
from plugins.nyttig_contract.phases import come_back, leave, move, relapse, timeline
from plugins.nyttig_contract.start import add_consent, make_start_gate, set_contact_persons, sign_document, update_checklist
from plugins.nyttig_contract.eligibility import BUILTIN_CHECKS
from plugins.nyttig_contract.signing import PaperSigning

from .helpers import D0, Appointer, department, on_path, screened


def _interview(db, path, on):
    db.add(Interview(organization_id=path.organization_id, participant_id=path.participant_id, held_on=on, rules_explained=[]))
    db.commit()


def ready_for_start(db, path, users, dept):
    update_checklist(db, path, weekly_hours=8, schedule=[{"weekday": 0, "hours": "4"}, {"weekday": 2, "hours": "4"}], shoe_size="42",
                     photo_taken=True, department_id=dept.id, paid_worker=True, job_talk_on=D0)
    set_contact_persons(db, path, users["work_leader"].id, users["social_worker"].id, by=Appointer(users["leader"]))
    add_consent(db, path, contacts="Fastlege, ruskonsulent", scope="Oppmøte og helse som påvirker jobb", given_on=D0, valid_until=None, by_id=None)
    for kind in ("contract", "confidentiality"):
        sign_document(db, path, kind, PaperSigning(), {"signed_on": D0.isoformat()}, users["leader"].id)


def gate(users):
    return make_start_gate(BUILTIN_CHECKS, {"housing_in_place": True, "economy_stable": True}, {}, users["leader"].id)


def walk_to_job_talk(db, path, p, by):
    screened(db, path, p, by)
    move(db, path, "interview", D0 + dt.timedelta(days=1), by)
    _interview(db, path, D0 + dt.timedelta(days=8))
    move(db, path, "waiting", D0 + dt.timedelta(days=8), by)
    move(db, path, "status_meeting", D0 + dt.timedelta(days=200), by)
    move(db, path, "job_talk", D0 + dt.timedelta(days=210), by)


def test_every_forward_phase_change_is_dated_with_who_and_why(world):
    users = world.b.users
    with world.db(world.b) as db:
        dept = department(db, world.b.org.id)
        p, path = on_path(db, world.b.org.id, users["leader"].id)
        assert path.phase == "contact"
        walk_to_job_talk(db, path, p, users["leader"].id)
        ready_for_start(db, path, users, dept)
        start = D0 + dt.timedelta(days=220)
        move(db, path, "started", start, users["leader"].id, start_gate=gate(users))
        assert path.started_on == start and path.ever_started
        move(db, path, "stable", start + dt.timedelta(days=100), users["leader"].id, "Jobber tre dager i uka")
        leave(db, path, "onward", start + dt.timedelta(days=400), users["leader"].id, "", onward="education")
        steps = [(c.from_phase, c.to_phase) for c in timeline(db, p.id)]
        assert steps == [("", "contact"), ("contact", "interview"), ("interview", "waiting"), ("waiting", "status_meeting"),
                         ("status_meeting", "job_talk"), ("job_talk", "started"), ("started", "stable"), ("stable", "onward")]
        assert all(c.by_id == users["leader"].id for c in timeline(db, p.id)[1:])
        assert path.outcome == "education"
        assert timeline(db, p.id)[6].reason == "Jobber tre dager i uka"


def test_no_first_meeting_without_a_passed_screening(world):
    with world.db(world.b) as db:
        p, path = on_path(db, world.b.org.id, None)
        with pytest.raises(FormError):
            move(db, path, "interview", D0, None)
        screened(db, path, p, None, answers={"substance_main_problem": False, "nav_program": False, "physically_able": True, "wants_change": True})
        with pytest.raises(FormError):
            move(db, path, "interview", D0, None)
        assert path.phase == "contact"


def test_waiting_list_needs_the_interview_recorded(world):
    with world.db(world.b) as db:
        p, path = on_path(db, world.b.org.id, None)
        screened(db, path, p, None)
        move(db, path, "interview", D0, None)
        with pytest.raises(FormError):
            move(db, path, "waiting", D0, None)
        _interview(db, path, D0)
        move(db, path, "waiting", D0, None)
        assert path.waiting_since == D0


def test_skipping_a_phase_or_going_back_without_a_reason_is_refused(world):
    with world.db(world.b) as db:
        p, path = on_path(db, world.b.org.id, None)
        with pytest.raises(FormError):
            move(db, path, "job_talk", D0, None)
        walk_to_job_talk(db, path, p, None)
        with pytest.raises(FormError) as exc:
            move(db, path, "waiting", D0 + dt.timedelta(days=230), None)
        assert "reason" in exc.value.errors
        move(db, path, "waiting", D0 + dt.timedelta(days=230), None, "Ikke klar ennå")
        assert path.phase == "waiting"


def test_start_is_refused_until_the_checklist_is_complete(world):
    users = world.b.users
    with world.db(world.b) as db:
        dept = department(db, world.b.org.id)
        p, path = on_path(db, world.b.org.id, None)
        walk_to_job_talk(db, path, p, None)
        with pytest.raises(FormError) as exc:
            move(db, path, "started", D0 + dt.timedelta(days=220), None, start_gate=gate(users))
        assert "Two contact persons" in exc.value.errors["__all__"] or "kontaktpersoner" in exc.value.errors["__all__"]
        ready_for_start(db, path, users, dept)
        set_contact_persons(db, path, users["work_leader"].id, None, by=Appointer(users["leader"]))
        with pytest.raises(FormError):
            move(db, path, "started", D0 + dt.timedelta(days=220), None, start_gate=gate(users))
        with pytest.raises(FormError):
            set_contact_persons(db, path, users["work_leader"].id, users["work_leader"].id, by=Appointer(users["leader"]))
        set_contact_persons(db, path, users["work_leader"].id, users["leader"].id, by=Appointer(users["leader"]))
        move(db, path, "started", D0 + dt.timedelta(days=220), None, start_gate=gate(users))
        assert path.phase == "started"


def test_unpaid_worker_needs_no_contract(world):
    users = world.b.users
    with world.db(world.b) as db:
        dept = department(db, world.b.org.id)
        p, path = on_path(db, world.b.org.id, None)
        walk_to_job_talk(db, path, p, None)
        update_checklist(db, path, weekly_hours=8, schedule=[{"weekday": 1, "hours": "4"}], shoe_size="40", photo_taken=True,
                         department_id=dept.id, paid_worker=False, job_talk_on=D0)
        set_contact_persons(db, path, users["work_leader"].id, users["social_worker"].id, by=Appointer(users["leader"]))
        add_consent(db, path, contacts="NAV-veileder", scope="Oppmøte", given_on=D0, valid_until=D0 + dt.timedelta(days=800), by_id=None)
        move(db, path, "started", D0 + dt.timedelta(days=220), None, start_gate=gate(users))
        assert path.phase == "started"


def test_relapse_moves_back_one_phase_and_never_out(world):
    users = world.b.users
    with world.db(world.b) as db:
        dept = department(db, world.b.org.id)
        p, path = on_path(db, world.b.org.id, None)
        walk_to_job_talk(db, path, p, None)
        ready_for_start(db, path, users, dept)
        move(db, path, "started", D0 + dt.timedelta(days=220), None, start_gate=gate(users))
        move(db, path, "stable", D0 + dt.timedelta(days=300), None)
        relapse(db, path, D0 + dt.timedelta(days=310), None)
        assert path.phase == "started"
        relapse(db, path, D0 + dt.timedelta(days=311), None)
        assert path.phase == "job_talk"
        relapse(db, path, D0 + dt.timedelta(days=312), None)
        assert path.phase == "waiting"
        relapse(db, path, D0 + dt.timedelta(days=313), None)
        assert path.phase == "waiting", "a relapse never takes anyone off the list"
        kinds = [c.kind for c in timeline(db, p.id)][-4:]
        assert kinds == ["relapse"] * 4


def test_ended_needs_a_reason_and_onward_a_destination(world):
    with world.db(world.b) as db:
        _p, path = on_path(db, world.b.org.id, None)
        with pytest.raises(FormError):
            leave(db, path, "ended", D0, None, "")
        with pytest.raises(FormError):
            leave(db, path, "onward", D0, None, "", onward="")
        leave(db, path, "retired", D0, None, "")
        assert path.phase == "retired"
        with pytest.raises(FormError):
            relapse(db, path, D0, None)


def test_returning_former_medarbeider_comes_back_with_priority_and_no_age_limit(world):
    users = world.b.users
    with world.db(world.b) as db:
        dept = department(db, world.b.org.id)
        # 61 at the first start, 64 when coming back.
        p, path = on_path(db, world.b.org.id, None, birth=D0.replace(year=D0.year - 61))
        walk_to_job_talk(db, path, p, None)
        ready_for_start(db, path, users, dept)
        first_start = D0 + dt.timedelta(days=220)
        move(db, path, "started", first_start, None, start_gate=gate(users))
        leave(db, path, "ended", first_start + dt.timedelta(days=60), None, "Falt fra")
        back = first_start + dt.timedelta(days=3 * 365)
        come_back(db, path, back, None, "Ringte selv, klar igjen")
        assert path.phase == "waiting" and path.ready_to_return and path.ever_started
        assert timeline(db, p.id)[-1].kind == "return"
        from plugins.nyttig_contract.waiting_list import waiting_list

        entry = waiting_list(db, back)[0]
        assert "returning" in {f.key for f in entry.factors}
        move(db, path, "job_talk", back + dt.timedelta(days=10), None)
        assert p.age_on(back + dt.timedelta(days=20)) >= 62
        move(db, path, "started", back + dt.timedelta(days=20), None, start_gate=gate(users))
        assert path.phase == "started"
        assert db.query(PhaseChange).filter_by(participant_id=p.id, to_phase="started").count() == 2
