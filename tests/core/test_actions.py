"""Turning a submitted form into an action's typed input: the page's half of one definition."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
import pytest

from core.actions import Input, form_input, validation_errors
from core.api_types import Date, Hours, Name
from core.forms import FormError
from core.i18n import use_locale


class Example(Input):
    first_name: Name
    on: Date
    hours: Hours | None = None
    outcome: Literal["worked", "absent"] = "worked"
    is_open: bool = True
    team_ids: list[int] = []
    places: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 10


def test_a_form_becomes_the_typed_input() -> None:
    got = form_input(Example, {"first_name": " Øyvind\x07 ", "on": "2026-12-03", "hours": "7,5", "team_ids": ["1", "2"],
                               "_csrf_token": "x", "places": ""})
    assert got.first_name == "Øyvind"
    assert got.on == dt.date(2026, 12, 3) and got.hours == Decimal("7.5") and got.team_ids == [1, 2]
    assert got.is_open is False  # an unticked checkbox sends nothing
    assert got.places == 10  # an empty field is not given: the default applies


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"on": "2026-12-03"}, "first_name", "This field is required."),
    ({"first_name": "   ", "on": "2026-12-03"}, "first_name", "This field is required."),
    ({"first_name": "Åse", "on": "3.12.2026"}, "on", "Must be a date (YYYY-MM-DD)."),
    ({"first_name": "Åse", "on": "1066-10-14"}, "on", "Must be a date between 1900-01-01 and 2199-12-31."),
    ({"first_name": "Åse", "on": "2026-12-03", "places": "1001"}, "places", "Must be at most 1000."),
    ({"first_name": "Åse", "on": "2026-12-03", "places": "ti"}, "places", "Must be a whole number."),
    ({"first_name": "Åse", "on": "2026-12-03", "outcome": "stole"}, "outcome", "Not one of the allowed choices."),
    ({"first_name": "Åse", "on": "2026-12-03", "hours": "sju"}, "hours", "Must be a number."),
])
def test_bad_form_input_is_a_message_on_its_field(form: dict[str, str], field: str, message: str) -> None:
    with use_locale("en"), pytest.raises(FormError) as caught:
        form_input(Example, form)
    assert caught.value.errors == {field: message}


def test_unknown_json_fields_are_named() -> None:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.convert({"first_name": "Åse", "on": "2026-12-03", "hour": "7"}, Example)
    with use_locale("en"):
        assert validation_errors(str(caught.value)) == {"__all__": "Unknown fields: hour"}
    with use_locale("nb"):
        assert validation_errors(str(caught.value)) == {"__all__": "Ukjente felt: hour"}
