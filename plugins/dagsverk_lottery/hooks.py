"""Hook implementations of the dagsverk_lottery plugin."""
from __future__ import annotations

from core import hookimpl
from core.contrib import SettingDef
from core.i18n import lazy_gettext as _

TABLES: tuple[str, ...] = ()


@hookimpl
def lavterskel_plugin_info() -> dict[str, object]:
    return {
        "label": _("Dagsverket: drop-in and daily lottery"),
        "description": _("Morning check-in, a fair and checkable draw with first-day and third-day rights, teams and the day wage."),
    }


@hookimpl
def lavterskel_settings() -> list[SettingDef]:
    return [
        # 15 at the start (2008), 18 from 2016, 23 from 2018, 15 again under COVID.
        SettingDef("dagsverk.capacity", _("Places in the daily draw"), 23, kind="int", dated=True),
        SettingDef("dagsverk.draw_time", _("Time of the draw"), "09:00", kind="time"),
    ]
