"""Translations, locale choice and locale-aware formatting.

Catalogues are ``.po`` files compiled in memory at start-up, so there is no build step
and no ``.mo`` file to forget. The locale of the request being served lives in a
context variable; the gettext callables installed in the one shared Jinja environment
read it, so concurrent requests in different languages never mix.
"""
from __future__ import annotations

import contextvars
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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
    return Locale.parse(_BABEL_LOCALE[current_locale()])


def today() -> dt.date:
    """Today in Oslo, whatever the server's clock zone."""
    return dt.datetime.now(OSLO).date()


def format_date(value: dt.date | None, format: str = "medium") -> str:
    return "" if value is None else _format_date(value, format=format, locale=babel_locale())


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
    return "" if value is None else format_decimal(value, locale=babel_locale())


def format_decimal_plain(value: int | Decimal, pattern: str | None = None) -> str:
    """A number in the current locale, optionally with a Babel pattern such as ``0.0``."""
    return format_decimal(value, format=pattern, locale=babel_locale())


def format_money(value: int | Decimal | None, *, ore: bool = False) -> str:
    """Format kroner (Decimal) or, with ``ore=True``, integer øre. Never a float."""
    if value is None:
        return ""
    if isinstance(value, float):
        raise TypeError("money is never a float")
    amount = Decimal(value) / 100 if ore else Decimal(value)
    # English shows the code before the amount with a space ("NOK 250.00"), as payroll
    # staff write it; Bokmål uses the CLDR pattern ("250,00 kr").
    pattern = "¤\u00a0#,##0.00" if current_locale() == "en" else None
    return format_currency(amount, "NOK", format=pattern, locale=babel_locale(), currency_digits=pattern is None)
