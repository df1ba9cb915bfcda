"""Limits every request is held to before any handler sees it.

One ``before_request`` hook for every route of the core and of every plugin, so a route
added later is covered without saying so:

- an integer path parameter outside the INTEGER columns' range names no row: 404, not
  the driver's "integer out of range" (PostgreSQL) or "Python int too large" (SQLite);
- a date path parameter outside the dates the app works with (``core.forms.DATE_MIN`` ..
  ``DATE_MAX``) names no day: 404, not an overflow in the week or month computed from it;
- a JSON body nested deeper than ``MAX_JSON_DEPTH`` is refused with a translated 400
  before it is parsed: 10,000 nested brackets made the JSON decoder raise RecursionError.
"""
from __future__ import annotations

import datetime as dt
import itertools
import operator
import re
from typing import Any

from litestar.exceptions import ClientException, NotFoundException

from core.db import MAX_ID
from core.forms import DATE_MAX, DATE_MIN
from core.i18n import gettext as _

MAX_JSON_DEPTH = 32
"""No body the API accepts nests deeper than a few levels (an object of lists of objects)."""

_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_SAME_KIND = bytes.maketrans(b"{}", b"[]")
_WEIGHT = bytes.maketrans(b"[]", b"\x02\x00")
_CHUNK = 4096
_STRING = re.compile(rb'"[^"]*+"')
"""A string once its escapes are gone: possessive, so an unterminated one is scanned once."""


class RequestRefused(ClientException):
    """A request refused before its handler ran, with a translated message for the reader."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(detail=message)
        self.message = message


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text ``body`` nests arrays and objects deeper than ``limit``.

    Works on the bytes, before any parser recurses into them, and with C-speed operations
    only (a Python loop over a 2 MB body of brackets costs a second): a bracket inside a
    string is text, so strings are cut out; of what is left, the depth after a bracket is
    (opening brackets so far) - (closing brackets so far). Unbalanced input is measured
    the same way: ten thousand opening brackets and no closing one would also make the
    parser recurse before it finds the end.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # nearly every body: too few brackets to nest that deep
    # Escaped backslashes go first, then escaped quotes, so every quote left opens or
    # closes a string.
    unescaped = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    # Objects and arrays alike: [ for an opening bracket, ] for a closing one.
    brackets = _STRING.sub(b"", unescaped).translate(_SAME_KIND, _NOT_BRACKET)
    # A wide, shallow body ([[1], [2], ...]) collapses in a pass or two; each pass takes
    # exactly one level off every innermost pair.
    removed = 0
    for _pass in range(2):
        shorter = brackets.replace(b"[]", b"")
        if len(shorter) == len(brackets):
            break
        brackets, removed = shorter, removed + 1
    depth = removed
    for start in range(0, len(brackets), _CHUNK):
        # An opening bracket weighs 2 and a closing one 0: the running sum less the number
        # of brackets read is the change in depth. A deep body is found in its first chunk.
        weights = brackets[start:start + _CHUNK].translate(_WEIGHT)
        if depth + max(map(operator.sub, itertools.accumulate(weights), itertools.count(1))) > limit:
            return True
        depth += sum(weights) - len(weights)
    return False


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


async def screen_request(request: Any) -> None:
    """``before_request`` for the whole app: out-of-range path values are 404, a JSON body
    nested too deeply is a translated 400. Returns nothing, so the handler runs next."""
    for value in request.path_params.values():
        if isinstance(value, bool):
            continue
        if isinstance(value, int) and not -MAX_ID - 1 <= value <= MAX_ID:
            raise NotFoundException()
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date) and not DATE_MIN <= value <= DATE_MAX:
            raise NotFoundException()
    for _name, value in (request.query_params.multi_items() if request.url.path.startswith("/api/") else ()):
        # A date in the API's query string (a week, a period) is held to the same range, or
        # a year 600 would be computed with and echoed back as if it were a day we work with.
        # (A page with a week in its address shows this week instead, as staff expect.)
        if isinstance(value, str) and _ISO_DAY.fullmatch(value):
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                continue  # not a real date: the handler's parser says so
            if not DATE_MIN <= day <= DATE_MAX:
                raise RequestRefused(_("Must be a date between %(first)s and %(last)s.", first=DATE_MIN.isoformat(), last=DATE_MAX.isoformat()))
    if request.method in {"POST", "PUT", "PATCH", "DELETE"} and _is_json(request.headers.get("content-type", "")):
        body = await request.body()  # kept on the request: the handler's parser reads it again
        if json_depth_exceeds(body):
            raise RequestRefused(_("The request is nested too deeply (at most %(n)s levels).", n=MAX_JSON_DEPTH))
