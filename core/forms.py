"""Input validation shared by the HTML forms and the JSON API.

A form is a list of fields; ``validate`` turns raw input (form data or JSON) into clean
Python values or a dict of translated error messages per field. Nothing is written
unless everything validates, so a rejected form never leaves half a record behind.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from core.i18n import gettext as _


INT_MAX = 2**31 - 1
"""The largest value an INTEGER column holds on every database we run on."""

DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2199, 12, 31)
"""The dates the app works with: a birth date, a program day, a pay period. Beyond them
lie only typing errors and attacks, and near ``date.min``/``date.max`` every week or
month computed from the date overflows Python's calendar (a 500 the fuzzer found)."""


def parse_date(raw: Any) -> dt.date:
    """A date typed or sent as ``YYYY-MM-DD`` within ``DATE_MIN``..``DATE_MAX``, or a
    ``ValueError`` with a translated message. Every date read from a request (form field,
    query string, path) goes through here, so none reaches a calendar computation unchecked."""
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        value = raw
    elif not isinstance(raw, str):  # 19700101 as a JSON number is not a date
        raise ValueError(_("Must be a date (YYYY-MM-DD)."))
    else:
        try:
            value = dt.date.fromisoformat(raw.strip())
        except ValueError:
            raise ValueError(_("Must be a date (YYYY-MM-DD).")) from None
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValueError(_("Must be a date between %(first)s and %(last)s.", first=DATE_MIN.isoformat(), last=DATE_MAX.isoformat()))
    return value


class FormError(Exception):
    """Input did not validate. ``errors`` maps field names (or ``"__all__"``) to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass
class Field:
    name: str
    kind: str = "str"
    """``str``, ``text``, ``int``, ``decimal``, ``date``, ``bool``, ``choice``, ``ref``, or
    ``weekdays`` (a list of ISO weekday numbers, 1 Monday .. 7 Sunday: a row of checkboxes)."""
    required: bool = False
    max_length: int = 200
    choices: Sequence[str] = ()
    min_value: int | Decimal | None = None
    max_value: int | Decimal | None = None
    default: Any = None
    check: Callable[[Any], str | None] | None = field(default=None, repr=False)
    """Extra check returning a translated message or None."""


def _clean_text(value: str) -> str:
    # Keep every script and emoji as typed; drop control characters except newline/tab,
    # which a pasted spreadsheet cell can smuggle in and which break CSV exports.
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


def _weekdays(raw: Any) -> list[int]:
    """Ticked weekday boxes (``["1", "4"]``) or a JSON list (``[1, 4]``), sorted, each once."""
    values = raw if isinstance(raw, list) else [raw]
    days: set[int] = set()
    for value in values:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit() \
                or not 1 <= int(str(value).strip()) <= 7:
            raise ValueError(_("Choose weekdays from Monday to Sunday."))
        days.add(int(str(value).strip()))
    return sorted(days)


def _one(f: Field, raw: Any) -> Any:
    if f.kind == "weekdays":
        return _weekdays(raw)
    if f.kind == "bool" and isinstance(raw, list) and raw:
        # A checkbox with a hidden "0" before it sends both when ticked: the last one wins.
        raw = raw[-1]
    empty = raw is None or (isinstance(raw, str) and raw.strip() == "")
    if empty:
        if f.required:
            raise ValueError(_("This field is required."))
        if f.kind == "bool":  # absent: the declared default (a new participant is active)
            return bool(f.default)
        if f.kind in {"str", "text", "choice"}:
            return f.default if f.default is not None else ""
        return f.default
    if f.kind in {"str", "text", "choice"}:
        if not isinstance(raw, str):
            raise ValueError(_("Must be text."))
        value = _clean_text(raw)
        if f.kind == "str":
            value = " ".join(value.split())
        if not value:
            # Only control characters: nothing is left, so it is as empty as blank input.
            if f.required:
                raise ValueError(_("This field is required."))
            return f.default if f.default is not None else ""
        limit = f.max_length if f.kind != "text" else max(f.max_length, 5000)
        if len(value) > limit:
            raise ValueError(_("At most %(n)s characters.", n=limit))
        if f.kind == "choice" and value not in f.choices:
            raise ValueError(_("Not one of the allowed choices."))
        return value
    if f.kind in {"int", "ref"}:
        if isinstance(raw, bool):
            raise ValueError(_("Must be a whole number."))
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise ValueError(_("Must be a whole number.")) from None
        # Columns are 32-bit integers: a larger number is refused here, not by the driver.
        if f.kind == "ref" and not 1 <= value <= INT_MAX:
            raise ValueError(_("No such record."))
        if f.max_value is None and value > INT_MAX:
            raise ValueError(_("Must be at most %(n)s.", n=INT_MAX))
        if f.min_value is None and value < -INT_MAX:
            raise ValueError(_("Must be at least %(n)s.", n=-INT_MAX))
    elif f.kind == "decimal":
        if isinstance(raw, (bool, float)):
            # Floats from JSON are refused on purpose: money and hours are exact.
            raise ValueError(_("Must be a number written as text, like \"7.5\"."))
        try:
            value = Decimal(str(raw).strip().replace(",", "."))
        except InvalidOperation:
            raise ValueError(_("Must be a number.")) from None
        if not value.is_finite():
            raise ValueError(_("Must be a number."))
        # As for whole numbers: beyond this no amount or count is meant, and a NUMERIC
        # column would overflow in the driver.
        if f.max_value is None and value > INT_MAX:
            raise ValueError(_("Must be at most %(n)s.", n=INT_MAX))
        if f.min_value is None and value < -INT_MAX:
            raise ValueError(_("Must be at least %(n)s.", n=-INT_MAX))
    elif f.kind == "date":
        return parse_date(raw)
    elif f.kind == "bool":
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() in {"1", "true", "on", "yes"}:
            return True
        if str(raw).lower() in {"0", "false", "off", "no"}:
            return False
        raise ValueError(_("Must be yes or no."))
    else:  # pragma: no cover - a programming error, caught by tests of each form
        raise RuntimeError(f"unknown field kind {f.kind}")
    if f.min_value is not None and value < f.min_value:
        raise ValueError(_("Must be at least %(n)s.", n=f.min_value))
    if f.max_value is not None and value > f.max_value:
        raise ValueError(_("Must be at most %(n)s.", n=f.max_value))
    return value


def validate(fields: Sequence[Field], data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Clean ``data`` by ``fields``. With ``partial`` (API PATCH), absent fields are left out."""
    if not isinstance(data, Mapping):
        raise FormError({"__all__": _("The request body must be an object.")})
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in fields:
        if partial and f.name not in data:
            continue
        try:
            value = _one(f, data.get(f.name))
            if f.check is not None and value not in (None, ""):
                if (msg := f.check(value)) is not None:
                    raise ValueError(msg)
            clean[f.name] = value
        except ValueError as exc:
            errors[f.name] = str(exc)
    if errors:
        raise FormError(errors)
    return clean
