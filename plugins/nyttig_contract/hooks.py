"""Hook implementations of the nyttig_contract plugin."""
from __future__ import annotations

from core import hookimpl
from core.contrib import SettingDef
from core.i18n import lazy_gettext as _

TABLES: tuple[str, ...] = ()


@hookimpl
def lavterskel_plugin_info() -> dict[str, object]:
    return {
        "label": _("Nyttig Arbeid: contracts and departments"),
        "description": _("Recruitment, waiting list, job talk and start, contact persons, departments and timesheets."),
    }


@hookimpl
def lavterskel_settings() -> list[SettingDef]:
    return [
        SettingDef("nyttig.max_start_age", _("Age limit for new starts"), 62, kind="int"),
    ]
