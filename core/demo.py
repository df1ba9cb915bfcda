"""Demo data: Stavne Trondheim KF running Dagsverket and Velferdsetaten Oslo running
Nyttig Arbeid. The core adds what every program has (sites, staff, participants,
customers, work orders); each enabled plugin adds its own through ``lavterskel_demo_data``.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.contrib import DemoContext
from core.db import scoped_session
from core.i18n import today as oslo_today
from core.models import Customer, Organization, OrganizationPlugin, Participant, Site, WorkOrder
from core.plugins import Plugins
from core.services.auth import create_user

DEMO_PASSWORD = "demo-passord-2026"

WOMEN = ["Anne", "Kari", "Ingrid", "Liv", "Marit", "Hilde", "Nina", "Tone", "Mona", "Silje", "Camilla", "Hanne",
         "Lene", "Trine", "Heidi", "Elin", "Randi", "Sissel", "Aisha", "Fatima", "Ewa", "Linn", "Mette", "Sara"]
MEN = ["Ole", "Lars", "Kjetil", "Per", "Jan", "Bjørn", "Geir", "Terje", "Arne", "Knut", "Rune", "Tor", "Espen",
       "Morten", "Stig", "Trond", "Frode", "Svein", "Håkon", "Jørgen", "Øyvind", "Tomasz", "Ali", "Mehmet",
       "Roar", "Vidar", "Kenneth", "Glenn", "Ronny", "Dag"]
LAST = ["Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen",
        "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Johannessen", "Andreassen",
        "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen", "Lund", "Sørensen", "Moen", "Gundersen",
        "Strand", "Solberg", "Kowalski", "Aas", "Bakken", "Kristoffersen", "Mathisen", "Lie", "Amundsen", "Nguyen"]
NICKS = ["Tuppen", "Bassen", "Lillegutt", "Kaptein", "Snekker'n", "Professor'n", "Bestemor", "Rocky", "Mormor",
         "Rasken", "Tøffen", "Storm", "Skipper'n", "Maestro"]


@dataclass(frozen=True)
class DemoOrg:
    slug: str
    name: str
    program: str
    plugins: tuple[str, ...]
    site: str
    address: str
    participants: int
    women_share: float
    ages: tuple[int, int]
    staff: dict[str, list[str]]
    customers: list[tuple[str, str]]
    orders: list[tuple[str, str, int, bool, bool, str]]
    """title, kind, people needed, indoor, heavy, status"""


ORGS = [
    DemoOrg(
        slug="stavne", name="Stavne Trondheim KF", program="Dagsverket",
        plugins=("dagsverk_lottery", "payroll_rules"), site="Dagsverket, Stavne", address="Stavnebrua 2, 7029 Trondheim",
        participants=120, women_share=0.3, ages=(21, 66),
        staff={
            "leader": ["Guri Leder"], "work_leader": ["Arvid Arbeidsleder", "Bente Bakke", "Sindre Sæther", "Tove Teig", "Magnus Myhre"],
            "social_worker": ["Solveig Sosialkonsulent"], "payroll": ["Per Lønn"], "admin": ["Ada Admin"],
        },
        customers=[("Trondheim kommune, Park og vei", "municipality"), ("Byåsen borettslag", "housing_coop"),
                   ("Moholt studentby", "housing_coop"), ("Trondheim bydrift", "municipality"),
                   ("Ranheim Snekkeri AS", "business"), ("Familien Aune", "private"), ("Matsentralen Trøndelag", "business"),
                   ("Kirkens Bymisjon", "other")],
        orders=[("Vedbua: kløyve og pakke ved", "recurring", 5, False, True, "in_progress"),
                ("Innelaget: vask og pakking av sprøytesett", "recurring", 5, True, False, "in_progress"),
                ("Plenklipp Byåsen borettslag", "recurring", 4, False, False, "scheduled"),
                ("Hente søppel langs Nidelva", "one_off", 4, False, False, "accepted"),
                ("Trefelling Moholt", "multi_day", 6, False, True, "scheduled"),
                ("Flytting for familien Aune", "one_off", 5, False, True, "requested"),
                ("Hente mat fra Matsentralen (onsdag)", "recurring", 4, False, False, "in_progress"),
                ("Rydde hage, Ranheim", "multi_day", 4, False, False, "accepted"),
                ("Snømåking Trondheim bydrift", "recurring", 6, False, True, "requested")],
    ),
    DemoOrg(
        slug="velferdsetaten", name="Velferdsetaten Oslo", program="Nyttig Arbeid",
        plugins=("nyttig_contract", "payroll_rules"), site="Nyttig Arbeid, Kampen", address="Kampengata 1, 0654 Oslo",
        participants=49, women_share=9 / 49, ages=(27, 70),
        staff={
            "leader": ["Sigrid Seksjonssjef"], "work_leader": ["Wenche Arbeidsleder", "Odd Olsen", "Kim Kampen", "Rita Rud",
                                                               "Eirik Eng", "Lise Lund"],
            "social_worker": ["Frida Fagkonsulent"], "payroll": ["Lønn Oslo"], "admin": ["Adrian Admin"],
        },
        customers=[("Bydel Gamle Oslo", "district"), ("Bydel Grünerløkka", "district"), ("Bydel Sagene", "district"),
                   ("Oslo rådhus, møteromssenteret", "municipality"), ("Brenneriet kaffebar", "business")],
        orders=[("Flyttehjelp, Bydel Gamle Oslo", "one_off", 3, False, True, "requested"),
                ("Rydding av bakgård, Bydel Sagene", "one_off", 4, False, False, "accepted"),
                ("Møterigging, rådhuset", "recurring", 2, True, False, "in_progress"),
                ("Henting og levering, Nyttig Butikk", "recurring", 2, False, True, "in_progress")],
    ),
]



def _demo_weekdays(title: str) -> list[int]:
    """A demo recurring order's days: the food bank on Wednesdays, the lawn on Mondays and
    Thursdays (the example of issue 15), the rest every weekday."""
    if "onsdag" in title:
        return [3]
    if title.startswith("Plenklipp"):
        return [1, 4]
    return [1, 2, 3, 4, 5]

def _participants(db: Session, org: Organization, spec: DemoOrg, rng: random.Random, today: dt.date) -> list[Participant]:
    out = []
    n_women = round(spec.participants * spec.women_share)
    used_codes: set[str] = set()
    for i in range(spec.participants):
        woman = i < n_women
        first = rng.choice(WOMEN if woman else MEN)
        age = rng.randint(*spec.ages)
        birth = today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
        code = f"{spec.slug[:3].upper()}{1000 + i}"
        used_codes.add(code)
        p = Participant(
            organization_id=org.id, first_name=first, last_name=rng.choice(LAST),
            nickname=rng.choice(NICKS) if rng.random() < 0.12 else "", birth_date=birth,
            gender="woman" if woman else "man", phone=f"9{rng.randint(1000000, 9999999)}", card_code=code,
            active=rng.random() > 0.08,
        )
        db.add(p)
        out.append(p)
    db.flush()
    return out


def load_demo(factory: sessionmaker[Session], plugins: Plugins, *, seed: int = 2026, reset: bool = False) -> list[tuple[str, str, str, str]]:
    """Load both demo organizations in one transaction; returns (org, username, role, password) rows."""
    rng = random.Random(seed)
    today = oslo_today()
    logins: list[tuple[str, str, str, str]] = []
    with scoped_session(factory, None) as db:
        existing = db.scalars(select(Organization).where(Organization.slug.in_([o.slug for o in ORGS]))).all()
        if existing and not reset:
            return []
        if existing:
            from core.services.privacy import purge_permit

            # Removing a demo organization takes its access log with it: the one
            # controlled path past the log's append-only trigger.
            with purge_permit(db, "demo reset"):
                for org in existing:
                    db.delete(org)
                db.flush()
        if existing:
            from core.models import StaffUser

            for user in db.scalars(select(StaffUser).where(StaffUser.username.like("demo-%"))):
                db.delete(user)
            db.flush()
        for spec in ORGS:
            org = Organization(slug=spec.slug, name=spec.name, program_name=spec.program)
            db.add(org)
            db.flush()
            for plugin in spec.plugins:
                if plugin in plugins.program_plugins:
                    db.add(OrganizationPlugin(organization_id=org.id, plugin=plugin, enabled=True))
            site = Site(organization_id=org.id, name=spec.site, address=spec.address)
            db.add(site)
            context = DemoContext(rng=rng, today=today, site=site)
            for role, names in spec.staff.items():
                for i, full_name in enumerate(names):
                    username = f"demo-{spec.slug}-{role.replace('_', '')}" + (f"{i + 1}" if i else "")
                    roles = [role] + (["work_leader"] if role == "leader" else [])
                    user = create_user(db, org, username, full_name, DEMO_PASSWORD, roles)
                    context.staff.setdefault(role, []).append(user)
                    if i == 0:
                        logins.append((spec.name, username, role, DEMO_PASSWORD))
            _participants(db, org, spec, rng, today)
            customers = []
            for name, kind in spec.customers:
                c = Customer(organization_id=org.id, name=name, kind=kind, contact_name=rng.choice(WOMEN + MEN) + " " + rng.choice(LAST),
                             phone=f"7{rng.randint(1000000, 9999999)}")
                db.add(c)
                customers.append(c)
            db.flush()
            for title, kind, needed, indoor, heavy, status in spec.orders:
                db.add(WorkOrder(
                    organization_id=org.id, title=title, kind=kind, people_needed=needed, indoor=indoor, heavy=heavy,
                    status=status, customer_id=rng.choice(customers).id, site_id=site.id,
                    start_date=today - dt.timedelta(days=rng.randint(0, 30)) if status != "requested" else today + dt.timedelta(days=rng.randint(1, 14)),
                    status_reason="Arbeid deltakerne kan gjøre, og noen betaler for det." if status != "requested" else "",
                    repeat_weekdays=_demo_weekdays(title) if kind == "recurring" else [],
                ))
            db.flush()
            db.info["organization_id"] = org.id  # plugin demo hooks query within this organization
            plugins.for_organization("lavterskel_demo_data", spec.plugins)(db=db, organization=org, context=context)
            db.info["organization_id"] = None
            db.flush()
        db.commit()
    return logins
