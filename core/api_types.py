"""The field types every action's input and every API answer is built from.

One naming convention, written down in ``docs/api.md`` and applied by using these types:
ids are positive integers named ``<thing>_id``; calendar dates are ``YYYY-MM-DD`` strings
named ``date`` or ``<what>_on``; moments are RFC 3339 strings named ``<what>_at``; money is
whole øre in an integer named ``<what>_ore``; hours and other exact decimals are strings
(``"7.5"``), never JSON numbers, so nothing is rounded on the way.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from msgspec import Meta

from core.forms import INT_MAX

Id = Annotated[int, Meta(ge=1, le=INT_MAX, description="A record's id.", examples=[1])]
ParticipantId = Annotated[int, Meta(ge=1, le=INT_MAX, description="The participant's id.", examples=[1])]
StaffId = Annotated[int, Meta(ge=1, le=INT_MAX, description="A staff member's id.", examples=[1])]
SiteId = Annotated[int, Meta(ge=1, le=INT_MAX, description="The site's id.", examples=[1])]
DayId = Annotated[int, Meta(ge=1, le=INT_MAX, description="The program day's id.", examples=[1])]
TeamId = Annotated[int, Meta(ge=1, le=INT_MAX, description="The team's id.", examples=[1])]

Date = Annotated[dt.date, Meta(description="A calendar date, YYYY-MM-DD (Europe/Oslo).", examples=["2026-12-03"])]
Moment = Annotated[dt.datetime, Meta(description="A moment, RFC 3339 with its offset.", examples=["2026-12-03T08:55:00+01:00"])]

Ore = Annotated[int, Meta(ge=-INT_MAX, le=INT_MAX, description="An amount in whole øre (100 øre = 1 krone).", examples=[85000])]
Hours = Annotated[Decimal, Meta(description="Hours as a decimal string, e.g. \"7.5\"; 0 to 24.", examples=["7.5"])]

Name = Annotated[str, Meta(min_length=1, max_length=100, pattern=r"\S", description="A name as the person writes it.", examples=["Øyvind"])]
Line = Annotated[str, Meta(max_length=300, description="A short text on one line.", examples=[""])]
Note = Annotated[str, Meta(max_length=5000, description="Free text; may span lines.", examples=[""])]
