"""Pay runs: compute a draft from the payable work, recompute it, approve it once.

How a run is computed (the same rules in ``docs/payroll.md``):

1. The work comes only through ``lavterskel_payable_work``, for whole calendar months:
   from ``payroll.correction_months`` months before the run's first month to the end of
   its last month. Each piece of work is priced by the first of the organization's rules
   (``payroll.rules``) that handles its kind.
2. Every person's work is taken month by month in date order and the benefit status in
   force on each day applies (paid, unpaid, held or capped). The social-assistance cap
   counts everything counted against benefits in the calendar month, across all runs;
   pay that is not counted against benefits (the day wage) never uses the cap.
3. Work up to the run's last day that no approved run has paid becomes a ``pay`` line
   (work from before the period is marked late). Work
   that approved runs already paid is compared with what it is worth now; a difference
   becomes an ``adjustment`` line in this run (also when the work was removed, or pay
   that was held may now be paid). Approved lines are never touched.
4. Approving recomputes first, under a lock; if anything changed since the draft was
   shown, the draft is refreshed and approval refused, so a leader approves exactly
   what they saw.
"""
from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from decimal import Decimal
from operator import attrgetter
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from core.contrib import PayableWork, PayRule, SettingDef
from core.db import utcnow
from core.forms import FormError
from core.i18n import gettext as _
from core.models import DatedSetting, Organization
from core.services.settings import coerce
from plugins.payroll_rules.benefits import Timelines
from plugins.payroll_rules.models import EFFECTS, PayLine, PayRun
from plugins.payroll_rules.rules import EFFECT_SETTINGS, kroner_to_ore

MAX_PERIOD_DAYS = 366
_WORK_ORDER = attrgetter("participant_id", "date", "source")
"""The order pay is computed in: person by person, each person's work by date."""


class RunConflict(FormError):
    """The run's state does not allow the change now (a 409): it is approved, or it changed
    under the approver's eyes. The message is in ``errors["__all__"]``."""


class StaleDraft(RunConflict):
    """The draft no longer matches its inputs; it was recomputed and must be checked again."""


@dataclass
class PayEnv:
    """What computing pay needs from the app: the rules offered, the setting declarations
    and the payable work, all through hooks for one organization."""

    organization: Any
    organization_id: int
    rules: dict[str, PayRule]
    defs: dict[str, SettingDef]
    payable: Callable[[Session, dt.date, dt.date], list[PayableWork]]


def pay_env(ctx: Any, organization: Any) -> PayEnv:
    """Build from the app context (``request.app.state["ctx"]``) for an organization
    (a model row or the request's ``OrgInfo``)."""
    return pay_env_from(ctx.plugins, ctx.setting_defs, organization)


def pay_env_from(plugins: Any, setting_defs: dict[str, SettingDef], organization: Any) -> PayEnv:
    """Build from the plugin manager and every declared setting, for an organization."""
    enabled = organization.enabled_plugins
    rules: dict[str, PayRule] = {}
    for result in plugins.for_organization("lavterskel_pay_rules", enabled)(organization=organization):
        for rule in result or ():
            rules.setdefault(rule.key, rule)

    def payable(db: Session, start: dt.date, end: dt.date) -> list[PayableWork]:
        out: list[PayableWork] = []
        for result in plugins.for_organization("lavterskel_payable_work", enabled)(db=db, organization=organization, start=start, end=end):
            out.extend(result or ())
        return out

    return PayEnv(organization, organization.id, rules, setting_defs, payable)


_UNSEEN = object()
"""Marks a (key, day) not asked before: a setting's value may itself be None."""


class SettingReader:
    """Dated settings loaded once and answered in memory: ``reader(key, day)``."""

    def __init__(self, db: Session, defs: dict[str, SettingDef]) -> None:
        self.defs = defs
        self._rows: dict[str, tuple[list[dt.date], list[Any]]] = {}
        rows = db.execute(select(DatedSetting.key, DatedSetting.valid_from, DatedSetting.value).order_by(DatedSetting.key, DatedSetting.valid_from))
        for key, valid_from, value in rows:
            dates, values = self._rows.setdefault(key, ([], []))
            dates.append(valid_from)
            values.append(value)
        self._cache: dict[tuple[str, int], Any] = {}
        # A month's run asks about seven settings per line on the same few dozen days:
        # answering a (key, day) seen before from a dict halves the pricing time.
        self._by_day: dict[tuple[str, dt.date], Any] = {}

    def __call__(self, key: str, day: dt.date) -> Any:
        answer = self._by_day.get((key, day), _UNSEEN)
        if answer is not _UNSEEN:
            return answer
        dates, values = self._rows.get(key, ([], []))
        i = bisect.bisect_right(dates, day)
        cached = self._cache.get((key, i))
        if cached is None:
            defn = self.defs[key]
            cached = coerce(defn, values[i - 1] if i else defn.default)
            self._cache[(key, i)] = cached
        self._by_day[key, day] = cached
        return cached


@dataclass(slots=True)
class Line:
    participant_id: int
    work_date: dt.date
    source: str
    work_kind: str
    rule: str
    unit: str
    quantity: Decimal
    rate_ore: int
    gross_ore: int
    amount_ore: int
    effect: str
    benefit_status: str
    reason: str = ""
    reason_params: dict[str, Any] = field(default_factory=dict)
    tax_free: bool = False
    counts_toward_cap: bool = True
    line_kind: str = "pay"
    note: str = ""

    def row(self) -> dict[str, Any]:
        """The fields as a dict; shallow, because a deep copy of every line was most of a
        month's run time."""
        d = dict(zip(LINE_FIELDS, _LINE_VALUES(self)))
        d["reason_params"] = dict(self.reason_params)
        return d

    def key(self) -> list[Any]:
        """The line's values in field-name order, as the fingerprint hashes them (the date as
        ISO text, the quantity to two decimals). Stored fingerprints depend on this order."""
        values = list(_KEY_VALUES(self))
        values[_KEY_DATE] = self.work_date.isoformat()
        values[_KEY_QUANTITY] = str(Decimal(self.quantity).quantize(_CENT))
        return values


LINE_FIELDS = tuple(f.name for f in fields(Line))
_KEY_ORDER = tuple(sorted(LINE_FIELDS))
_LINE_VALUES = attrgetter(*LINE_FIELDS)
_KEY_VALUES = attrgetter(*_KEY_ORDER)
_KEY_DATE = _KEY_ORDER.index("work_date")
_KEY_QUANTITY = _KEY_ORDER.index("quantity")
_CENT = Decimal("0.01")


def fingerprint(lines: list[Line]) -> str:
    return hashlib.sha256(json.dumps([ln.key() for ln in lines], sort_keys=True, default=str).encode()).hexdigest()


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    m = day.year * 12 + day.month - 1 + months
    return dt.date(m // 12, m % 12 + 1, 1)


def last_of_month(day: dt.date) -> dt.date:
    return add_months(day, 1) - dt.timedelta(days=1)


def check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise FormError({"date_to": _("Must be on or after the start date.")})
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise FormError({"date_to": _("A pay run covers at most a year.")})


def _price(w: PayableWork, rule: PayRule, status: str, setting: SettingReader, timelines: Timelines, counted: dict[tuple[int, int, int], int]) -> Line:
    quote = rule.price(w, setting)
    line = Line(
        participant_id=w.participant_id, work_date=w.date, source=w.source, work_kind=w.kind, rule=rule.key,
        unit=quote.unit if quote else ("hour" if w.kind == "hours" else "day"),
        quantity=quote.quantity if quote else Decimal(0), rate_ore=quote.rate_ore if quote else 0,
        gross_ore=quote.amount_ore if quote else 0, amount_ore=0, effect="paid", benefit_status=status,
        tax_free=rule.tax_free, counts_toward_cap=rule.counts_against_benefits,
        note=str(quote.note)[:300] if quote and quote.note else "",
    )
    if w.hours is not None and quote is not None and quote.unit == "hour" and Decimal(w.hours) != quote.quantity:
        line.reason_params["hours_worked"] = str(w.hours)
    if quote is None or quote.amount_ore == 0:
        line.effect = "unpaid"
        line.reason = "not_paid_by_rule"
        line.reason_params["outcome"] = w.outcome if w.kind == "day" else ""
        return line
    effect = setting(EFFECT_SETTINGS.get(status, "payroll.effect_other"), w.date)
    if effect not in EFFECTS:
        effect = "held"
        line.reason_params["bad_setting"] = True
    gross = line.gross_ore
    month = (w.participant_id, w.date.year, w.date.month)
    if effect == "capped" and not rule.counts_against_benefits:
        line.amount_ore, line.effect, line.reason = gross, "paid", "not_counted"
    elif effect == "paid":
        line.amount_ore = gross
    elif effect == "unpaid":
        line.effect, line.reason = "unpaid", "unpaid_status"
    elif effect == "held":
        line.effect, line.reason = "held", "held_status"
    else:  # capped
        approval = timelines.approval_on(w.participant_id, w.date)
        if approval is None:
            line.effect, line.reason = "held", "no_approval"
        else:
            cap = approval.cap_ore if approval.cap_ore is not None else kroner_to_ore(setting("payroll.social_assistance_cap", w.date))
            before = counted[month]
            line.amount_ore = min(gross, max(0, cap - before))
            line.reason_params.update(cap_ore=cap, counted_before_ore=before, district=approval.district)
            if line.amount_ore == gross:
                line.reason = "within_cap"
            else:
                line.effect = "capped"
                line.reason = "cap_reached" if line.amount_ore == 0 else "cap_partly"
    if rule.counts_against_benefits:
        # Everything counted against benefits in the month uses the cap, whatever the
        # status was on the day it was earned.
        counted[month] += line.amount_ore
    return line


def compute_lines(db: Session, env: PayEnv, start: dt.date, end: dt.date) -> list[Line]:
    """The lines a run for ``[start, end]`` should hold now. Pure: writes nothing."""
    check_period(start, end)
    setting = SettingReader(db, env.defs)
    chosen = [k for k in str(setting("payroll.rules", end)).replace(",", " ").split() if k in env.rules]
    rule_for_kind: dict[str, PayRule] = {}
    for key in chosen:
        for kind in env.rules[key].kinds:
            rule_for_kind.setdefault(kind, env.rules[key])
    months_back = max(0, min(int(setting("payroll.correction_months", end)), 24))
    window_start = add_months(first_of_month(start), -months_back)
    window_end = last_of_month(end)

    items: dict[str, PayableWork] = {}
    for w in sorted(env.payable(db, window_start, window_end), key=_WORK_ORDER):
        if w.kind in rule_for_kind and w.source not in items and window_start <= w.date <= window_end:
            items[w.source] = w

    paid = _paid_before(db, window_start, window_end)
    removed = _removed_work(db, [source for source in paid if source not in items], window_start, window_end)

    timelines = Timelines(db, {w.participant_id for w in items.values()})
    counted: dict[tuple[int, int, int], int] = defaultdict(int)
    expected: dict[str, Line] = {}
    for w in items.values():  # already in (person, date, source) order
        status = timelines.status_on(w.participant_id, w.date)
        expected[w.source] = _price(w, rule_for_kind[w.kind], status, setting, timelines, counted)

    # The work is in (person, date, source) order already; paid work that is no longer
    # payable (rare) is sorted in among it.
    in_order: Any = items
    if removed:
        in_order = [source for *_key, source in sorted([_WORK_ORDER(w) for w in items.values()]
                                                       + [(m.participant_id, m.work_date, m.source) for m in removed.values()])]
    lines: list[Line] = []
    for source in in_order:
        now = expected.get(source)
        if source not in paid:
            # Work in the period, and late work from before it that no approved run paid
            # (a timesheet approved after its month's run): paid now, marked as late.
            if now is not None and now.work_date <= end:
                if now.work_date < start:
                    now.reason_params["late"] = True
                lines.append(now)
            continue
        was = paid[source]
        if now is None:
            if was != 0:
                m = removed[source]
                lines.append(Line(
                    participant_id=m.participant_id, work_date=m.work_date, source=source, work_kind=m.work_kind, rule=m.rule,
                    unit=m.unit, quantity=Decimal(0), rate_ore=0, gross_ore=0, amount_ore=-was, effect="unpaid",
                    benefit_status=m.benefit_status, reason="work_removed", reason_params={"was_ore": was, "now_ore": 0},
                    tax_free=m.tax_free, counts_toward_cap=m.counts_toward_cap, line_kind="adjustment",
                ))
            continue
        if now.amount_ore != was:
            params = dict(now.reason_params)
            params.update(was_ore=was, now_ore=now.amount_ore, why=now.reason)
            lines.append(Line(**{**now.row(), "amount_ore": now.amount_ore - was, "line_kind": "adjustment", "reason": "recomputed", "reason_params": params}))
    return lines


def _approved_in_window(window_start: dt.date, window_end: dt.date) -> Any:
    """Approved lines for work in the window. Only runs ending in the window or later can
    hold such lines: a line's work is never after the end of its run's last month, and the
    window starts on the first of a month. Without that condition every approved line of
    the organization was read."""
    return (PayRun.status == "approved", PayRun.period_end >= window_start,
            PayLine.work_date >= window_start, PayLine.work_date <= window_end)


def _paid_before(db: Session, window_start: dt.date, window_end: dt.date) -> dict[str, int]:
    """What approved runs paid for each piece of work in the window, summed in SQL."""
    return dict(db.execute(
        select(PayLine.source, func.sum(PayLine.amount_ore)).join(PayRun, PayLine.run_id == PayRun.id)
        .where(*_approved_in_window(window_start, window_end)).group_by(PayLine.source)
    ).all())


def _removed_work(db: Session, sources: list[str], window_start: dt.date, window_end: dt.date) -> dict[str, Any]:
    """The latest approved line of each piece of paid work that is no longer payable (rare):
    what the correction line repeats of it."""
    found: dict[str, Any] = {}
    # In chunks: when a program's plugin is switched off, all of its paid work in the
    # window is no longer payable at once, more sources than a statement may list.
    for i in range(0, len(sources), _SOURCES_PER_STATEMENT):
        rows = db.execute(
            select(PayLine.source, PayLine.participant_id, PayLine.work_date, PayLine.work_kind, PayLine.rule, PayLine.unit,
                   PayLine.tax_free, PayLine.counts_toward_cap, PayLine.benefit_status)
            .join(PayRun, PayLine.run_id == PayRun.id)
            .where(*_approved_in_window(window_start, window_end), PayLine.source.in_(sources[i:i + _SOURCES_PER_STATEMENT]))
            .order_by(PayLine.id)
        )
        found.update((r.source, r) for r in rows)
    return found


_SOURCES_PER_STATEMENT = 5000


def _store(db: Session, run: PayRun, lines: list[Line]) -> None:
    """Replace a draft's lines: one bulk delete and one bulk insert (a year's run has
    100,000 lines; the ORM unit of work would take minutes)."""
    db.execute(delete(PayLine).where(PayLine.run_id == run.id).execution_options(synchronize_session=False))
    rows = []
    for i, ln in enumerate(lines):
        row = ln.row()
        row.update(organization_id=run.organization_id, run_id=run.id, position=i)
        rows.append(row)
    # Into the table, not through the ORM's bulk path: the lines are plain values already,
    # and the ORM's per-row bookkeeping was a quarter of a month's run.
    for chunk in range(0, len(rows), 5000):
        db.execute(insert(PayLine.__table__), rows[chunk:chunk + 5000])
    run.total_ore = sum(ln.amount_ore for ln in lines)
    run.line_count = len(lines)
    run.fingerprint = fingerprint(lines)
    run.computed_at = utcnow()
    db.expire(run, ["lines"])


def stored_lines(run: PayRun) -> list[Line]:
    names = Line.__dataclass_fields__.keys()
    return [Line(**{n: getattr(pl, n) for n in names}) for pl in sorted(run.lines, key=lambda pl: pl.position)]


def _lock_draft(db: Session, run: PayRun) -> None:
    """Serialize pay changes of one organization: a row lock on PostgreSQL, the write
    lock taken first on SQLite. Refuses when the run is no longer a draft."""
    db.commit()  # end any read transaction so the lock is taken on fresh data
    db.execute(select(Organization.id).where(Organization.id == run.organization_id).with_for_update())
    result = db.execute(
        update(PayRun).where(PayRun.id == run.id, PayRun.status == "draft").values(status="draft").execution_options(synchronize_session=False)
    )
    db.refresh(run)
    if result.rowcount == 0 or run.status != "draft":  # type: ignore[attr-defined]
        db.rollback()
        raise RunConflict({"__all__": _("This pay run is approved and can no longer change. Corrections go into a later run.")})


def create_run(db: Session, env: PayEnv, start: dt.date, end: dt.date, staff_id: int | None = None) -> PayRun:
    """A draft for the period, computed at once. An open draft for the same period is reused."""
    check_period(start, end)
    run = db.scalars(select(PayRun).where(PayRun.period_start == start, PayRun.period_end == end, PayRun.status == "draft")).first()
    if run is None:
        run = PayRun(organization_id=env.organization_id, period_start=start, period_end=end, status="draft", created_by_id=staff_id)
        db.add(run)
        db.commit()
    return recompute(db, env, run)


def recompute(db: Session, env: PayEnv, run: PayRun) -> PayRun:
    _lock_draft(db, run)
    try:
        _store(db, run, compute_lines(db, env, run.period_start, run.period_end))
        db.commit()
    except Exception:
        db.rollback()
        raise
    return run


def approve(db: Session, env: PayEnv, run: PayRun, staff_id: int | None, expected_fingerprint: str | None = None) -> PayRun:
    """Approve in one transaction. The draft is recomputed first; if its lines changed
    (or differ from ``expected_fingerprint``, what the approver saw), the fresh draft is
    saved and :class:`StaleDraft` raised instead."""
    _lock_draft(db, run)
    try:
        lines = compute_lines(db, env, run.period_start, run.period_end)
        fresh = fingerprint(lines)
        # run.fingerprint is the stored lines' own (set whenever they are stored).
        if fresh != run.fingerprint or (expected_fingerprint is not None and expected_fingerprint != run.fingerprint):
            _store(db, run, lines)
            db.commit()
            raise StaleDraft({"__all__": _("The work or the rates changed since this draft was computed. It has been recomputed: check it and approve again.")})
        run.status = "approved"
        run.approved_at = utcnow()
        run.approved_by_id = staff_id
        run.total_ore = sum(ln.amount_ore for ln in lines)
        db.commit()
    except StaleDraft:
        raise
    except Exception:
        db.rollback()
        raise
    return run


def delete_draft(db: Session, run: PayRun) -> None:
    _lock_draft(db, run)
    db.delete(run)
    db.commit()


def default_period(setting_value: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The program's period containing ``day``: the day itself, or its calendar month."""
    if setting_value == "day":
        return day, day
    return first_of_month(day), last_of_month(day)


def runs_page(db: Session, page: int, per_page: int) -> tuple[list[PayRun], int]:
    """One page of the organization's runs, the latest period first, and how many there are."""
    total = int(db.scalar(select(func.count()).select_from(PayRun)) or 0)
    rows = db.scalars(select(PayRun).order_by(PayRun.period_start.desc(), PayRun.id.desc()).limit(per_page).offset((page - 1) * per_page))
    return list(rows), total


def waiting_drafts(db: Session, limit: int) -> list[PayRun]:
    """The drafts not yet approved, the latest period first (the dashboard's reminder)."""
    return list(db.scalars(select(PayRun).where(PayRun.status == "draft").order_by(PayRun.period_start.desc()).limit(limit)))
