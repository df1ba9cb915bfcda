"""Organization settings, plain and dated. Defaults come from the hook declarations."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.contrib import SettingDef
from core.forms import INT_MAX, Field, FormError, validate
from core.i18n import gettext as _
from core.models import DatedSetting

EPOCH = dt.date(1900, 1, 1)
"""valid_from of a plain (undated) setting's single value."""


def coerce(defn: SettingDef, raw: Any) -> Any:
    """A stored or typed value as the kind says; JSON keeps decimals as strings."""
    if isinstance(raw, (list, dict)):
        raise FormError({defn.key: _("Not a valid value.")})
    try:
        # Bounded like form fields: "NaN", "1e999" or a 20-digit number stored as a setting
        # would break every page that computes with it, not only the one that saved it.
        if defn.kind == "int":
            if isinstance(raw, bool):
                raise ValueError
            number = int(raw)
            if abs(number) > INT_MAX:
                raise ValueError
            return number
        if defn.kind == "decimal":
            if isinstance(raw, float):
                raise ValueError
            amount = Decimal(str(raw).strip().replace(",", "."))
            if not amount.is_finite() or abs(amount) > INT_MAX:
                raise ValueError
            return amount
        if defn.kind == "bool":
            return raw if isinstance(raw, bool) else str(raw).lower() in {"1", "true", "on", "yes"}
        if defn.kind == "time":
            return dt.time.fromisoformat(str(raw)).isoformat(timespec="minutes")
        return str(raw)
    except (ValueError, TypeError, InvalidOperation):
        raise FormError({defn.key: _("Not a valid value.")}) from None


def setting_on(db: Session, defs: dict[str, SettingDef], key: str, day: dt.date | None = None) -> Any:
    """The value in force on ``day`` (today's for plain settings), else the declared default."""
    defn = defs[key]
    stmt = select(DatedSetting.value).where(DatedSetting.key == key)
    if day is not None:
        stmt = stmt.where(DatedSetting.valid_from <= day)
    value = db.scalars(stmt.order_by(DatedSetting.valid_from.desc()).limit(1)).first()
    return coerce(defn, defn.default if value is None else value)


def history(db: Session, key: str) -> list[DatedSetting]:
    return list(db.scalars(select(DatedSetting).where(DatedSetting.key == key).order_by(DatedSetting.valid_from)))


def set_setting(
    db: Session, organization_id: int, defn: SettingDef, value: Any, valid_from: dt.date | None = None, note: str = ""
) -> DatedSetting:
    """Record a value. A dated setting adds a row from ``valid_from``; a plain one has one row."""
    clean = coerce(defn, value)
    stored = str(clean) if isinstance(clean, Decimal) else clean
    start = (valid_from or EPOCH) if defn.dated else EPOCH
    row = db.scalars(select(DatedSetting).where(DatedSetting.key == defn.key, DatedSetting.valid_from == start)).first()
    if row is None:
        row = DatedSetting(organization_id=organization_id, key=defn.key, valid_from=start, value=stored, note=note)
        db.add(row)
    else:
        row.value = stored
        row.note = note
    db.commit()
    return row


SETTING_FIELDS = [Field("key", required=True, max_length=120), Field("valid_from", kind="date"), Field("note", max_length=300)]


def save_setting(db: Session, organization_id: int, defs: dict[str, SettingDef], data: dict[str, Any]) -> DatedSetting:
    """Validate and record one value typed by an administrator (HTML form or API)."""
    clean = validate(SETTING_FIELDS, {k: data.get(k) for k in ("key", "valid_from", "note")})
    defn = defs.get(clean["key"])
    if defn is None:
        raise FormError({"key": _("No such setting.")})
    if defn.dated and clean["valid_from"] is None:
        raise FormError({"valid_from": _("This field is required.")})
    value = data.get("value")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise FormError({"value": _("This field is required.")})
    if isinstance(value, str) and len(value) > 300:
        raise FormError({"value": _("At most %(n)s characters.", n=300)})
    try:
        return set_setting(db, organization_id, defn, value.strip() if isinstance(value, str) else value, clean["valid_from"], clean["note"])
    except FormError as exc:
        raise FormError({"value": next(iter(exc.errors.values()))}) from None


def settings_overview(db: Session, defs: dict[str, SettingDef], day: dt.date) -> list[dict[str, Any]]:
    """Every declared setting with the value in force on ``day`` and, if dated, its history."""
    return [
        {"def": defn, "value": setting_on(db, defs, key, day if defn.dated else None), "history": history(db, key) if defn.dated else []}
        for key, defn in sorted(defs.items())
    ]
