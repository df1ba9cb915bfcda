"""Translations, locale choice and locale-aware formatting.

Catalogues are ``.po`` files compiled in memory at start-up, so there is no build step
and no ``.mo`` file to forget. The locale of the request being served lives in a
context variable; the gettext callables installed in the one shared Jinja environment
read it, so concurrent requests in different languages never mix.
"""
from __future__ import annotations

import contextvars
import datetime as dt
import functools
import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.dates import format_time as _format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import LazyProxy, Translations

LOCALES = ("nb", "en")
DEFAULT_LOCALE = "nb"
ROOT_LOCALE_DIR = Path(__file__).resolve().parent.parent / "locales"
OSLO = ZoneInfo("Europe/Oslo")
# Babel locale used for formatting: "nb" alone formats like nb_NO.
_BABEL_LOCALE = {"nb": "nb_NO", "en": "en_GB"}

_catalogues: dict[str, Translations] = {}
_current: contextvars.ContextVar[str] = contextvars.ContextVar("lavterskel_locale", default=DEFAULT_LOCALE)


def _compile(po_path: Path, locale: str) -> Translations:
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(fp=buf)


def load_catalogues(extra_dirs: Iterable[str | Path] = ()) -> None:
    """Compile the root catalogues and merge plugin catalogues over them."""
    _catalogues.clear()
    for locale in LOCALES:
        po = ROOT_LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
        trans = _compile(po, locale) if po.exists() else Translations()
        for extra in extra_dirs:
            path = Path(extra) / locale / "LC_MESSAGES" / "messages.po"
            if path.exists():
                trans.merge(_compile(path, locale))
        _catalogues[locale] = trans


def current_locale() -> str:
    return _current.get()


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    token = _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current.reset(token)


def set_locale(locale: str) -> None:
    """Set the locale for the rest of the current context (one request)."""
    _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)


def _t() -> Translations:
    if not _catalogues:
        load_catalogues()
    return _catalogues.get(_current.get()) or _catalogues[DEFAULT_LOCALE]


def gettext(message: str, **variables: Any) -> str:
    text = _t().ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    text = _t().ungettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


def pgettext(context: str, message: str, **variables: Any) -> str:
    text = _t().upgettext(context, message)
    return text % variables if variables else text


def npgettext(context: str, singular: str, plural: str, n: int, **variables: Any) -> str:
    text = _t().unpgettext(context, singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


class LazyString(LazyProxy):
    """A string translated when it is shown, in the locale of that moment.

    Hashable (Babel's proxy is not), so a lazy label can be a dataclass default or a
    field of a frozen dataclass that gets hashed. The hash is the text's, like its
    equality, so it is stable within one locale.
    """

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(str(self))


def lazy_gettext(message: str, **variables: Any) -> LazyString:
    """For module-level strings: translated when shown, in the locale of that moment."""
    return LazyString(gettext, message, enable_cache=False, **variables)


def lazy_pgettext(context: str, message: str) -> LazyString:
    return LazyString(pgettext, context, message, enable_cache=False)


_ = gettext


# ---------------------------------------------------------------------------------------
# Choosing the locale
# ---------------------------------------------------------------------------------------


def _normalize(tag: str) -> str | None:
    tag = tag.strip().lower().replace("_", "-")
    primary = tag.split("-")[0]
    if primary in {"nb", "no", "nn"}:
        # Nynorsk readers understand Bokmål; Bokmål is the program's language.
        return "nb"
    if primary == "en":
        return "en"
    return None


def negotiate(user_setting: str | None, cookie: str | None, accept_language: str | None) -> str:
    """User's setting, then the cookie, then Accept-Language, then Bokmål."""
    for choice in (user_setting, cookie):
        if choice in LOCALES:
            return choice  # type: ignore[return-value]
    if accept_language:
        weighted: list[tuple[float, int, str]] = []
        for i, part in enumerate(accept_language.split(",")):
            tag, _sep, params = part.partition(";")
            q = 1.0
            if params.strip().startswith("q="):
                try:
                    q = float(params.strip()[2:])
                except ValueError:
                    q = 0.0
            weighted.append((-q, i, tag))
        for _q, _i, tag in sorted(weighted):
            if (loc := _normalize(tag)) is not None and _q < 0:
                return loc
    return DEFAULT_LOCALE


# ---------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------


def babel_locale() -> Locale:
    return _babel_locale(current_locale())


@functools.cache
def _babel_locale(code: str) -> Locale:
    # Parsing a locale costs ~20 µs; a pay-run page formats thousands of amounts.
    return Locale.parse(_BABEL_LOCALE[code])


def today() -> dt.date:
    """Today in Oslo, whatever the server's clock zone."""
    return dt.datetime.now(OSLO).date()


def format_date(value: dt.date | None, format: str = "medium") -> str:
    return "" if value is None else _date_text(value, format, current_locale())


@functools.lru_cache(maxsize=4096)
def _date_text(value: dt.date, format: str, locale: str) -> str:
    # A month's pay run shows the same twenty-odd dates hundreds of times.
    return _format_date(value, format=format, locale=_babel_locale(locale))


def format_datetime(value: dt.datetime | None, format: str = "short") -> str:
    if value is None:
        return ""
    if value.tzinfo is None:  # stored naive in UTC
        value = value.replace(tzinfo=dt.timezone.utc)
    return _format_datetime(value, format=format, tzinfo=OSLO, locale=babel_locale())


def format_time(value: dt.datetime | dt.time | None, format: str = "short") -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return _format_time(value, format=format, tzinfo=OSLO, locale=babel_locale())
    return _format_time(value, format=format, locale=babel_locale())


def format_number(value: int | Decimal | None) -> str:
    if value is None:
        return ""
    if type(value) is int:
        return _grouped(value, _number_shape(current_locale()))
    if isinstance(value, Decimal) and value.is_finite():
        # Up to three decimals (hours, quantities) read like Babel's "#,##0.###" pattern.
        sign, digits, exponent = value.normalize().as_tuple()
        if isinstance(exponent, int) and -3 <= exponent <= 0:
            return _decimal_text(value, -exponent, current_locale())
    return format_decimal(value, locale=babel_locale())


def _decimal_text(value: Decimal, places: int, locale: str) -> str:
    shape = _number_shape(locale)
    whole, fraction = divmod(abs(value), 1)
    text = f"{int(whole):,}".replace(",", shape.group)
    if places:
        text += _decimal_symbol(locale) + f"{int(fraction * 10**places):0{places}d}"
    return f"{shape.negative_prefix}{text}{shape.negative_suffix}" if value < 0 else f"{shape.prefix}{text}{shape.suffix}"


@functools.cache
def _decimal_symbol(locale: str) -> str:
    return _babel_locale(locale).number_symbols["latn"]["decimal"]


def format_decimal_plain(value: int | Decimal, pattern: str | None = None) -> str:
    """A number in the current locale, optionally with a Babel pattern such as ``0.0``."""
    return format_decimal(value, format=pattern, locale=babel_locale())


def format_money(value: int | Decimal | None, *, ore: bool = False) -> str:
    """Format kroner (Decimal) or, with ``ore=True``, integer øre. Never a float."""
    if value is None:
        return ""
    if isinstance(value, float):
        raise TypeError("money is never a float")
    if ore and type(value) is int:
        return _money_from_ore(value, current_locale())
    amount = Decimal(value) / 100 if ore else Decimal(value)
    # English shows the code before the amount with a space ("NOK 250.00"), as payroll
    # staff write it; Bokmål uses the CLDR pattern ("250,00 kr").
    pattern = "¤\u00a0#,##0.00" if current_locale() == "en" else None
    return format_currency(amount, "NOK", format=pattern, locale=babel_locale(), currency_digits=pattern is None)


# Fast paths. Babel re-reads the locale's pattern and symbols on every call (~60 µs); a
# pay-run page formats over a thousand amounts. The shapes below are read from Babel's
# own output once per locale, and tests/core/test_i18n_formats.py checks with random
# values that the fast paths give exactly what Babel gives.


@dataclass(frozen=True)
class _Shape:
    prefix: str
    suffix: str
    negative_prefix: str
    negative_suffix: str
    group: str
    decimal: str


def _shape_of(positive: str, negative: str, digits: str) -> _Shape:
    """Cut Babel's rendering of 1234.56 (or 1234) into its fixed parts around the digits."""
    def around(text: str) -> tuple[str, str, str, str]:
        first, last = text.index("1"), text.rindex(digits[-1]) + 1
        body = text[first:last]
        group = body[1:body.index("2")]
        decimal = body[body.index("4") + 1:body.index("5")] if "5" in body else ""
        return text[:first], text[last:], group, decimal

    pre, suf, group, decimal = around(positive)
    npre, nsuf, _g, _d = around(negative)
    return _Shape(pre, suf, npre, nsuf, group, decimal)


@functools.cache
def _number_shape(locale: str) -> _Shape:
    loc = _babel_locale(locale)
    return _shape_of(format_decimal(1234, locale=loc), format_decimal(-1234, locale=loc), "1234")


@functools.cache
def _money_shape(locale: str) -> _Shape:
    with use_locale(locale):
        return _shape_of(format_money(Decimal("1234.56")), format_money(Decimal("-1234.56")), "123456")


def _grouped(value: int, shape: _Shape) -> str:
    digits = f"{abs(value):,}".replace(",", shape.group)
    return f"{shape.negative_prefix}{digits}{shape.negative_suffix}" if value < 0 else f"{shape.prefix}{digits}{shape.suffix}"


def _money_from_ore(ore: int, locale: str) -> str:
    shape = _money_shape(locale)
    kroner, rest = divmod(abs(ore), 100)
    digits = f"{kroner:,}".replace(",", shape.group) + f"{shape.decimal}{rest:02d}"
    return f"{shape.negative_prefix}{digits}{shape.negative_suffix}" if ore < 0 else f"{shape.prefix}{digits}{shape.suffix}"

