"""Hook implementations of the payroll_rules plugin."""
from __future__ import annotations

from decimal import Decimal

from core import hookimpl
from core.contrib import SettingDef
from core.i18n import lazy_gettext as _

TABLES: tuple[str, ...] = ()


@hookimpl
def lavterskel_plugin_info() -> dict[str, object]:
    return {
        "label": _("Pay rules"),
        "description": _("Day wage, hourly motivation wage, unpaid work on AAP and the monthly cap on social assistance."),
    }


@hookimpl
def lavterskel_settings() -> list[SettingDef]:
    return [
        # Dagsverket paid 200 NOK a day before; rates are dated so old days keep old pay.
        SettingDef("payroll.day_wage", _("Day wage (NOK)"), Decimal("250"), kind="decimal", dated=True),
        SettingDef("payroll.hourly_wage", _("Motivation wage per hour (NOK)"), Decimal("100"), kind="decimal", dated=True),
        SettingDef("payroll.social_assistance_cap", _("Monthly cap on social assistance (NOK)"), Decimal("2500"), kind="decimal", dated=True),
    ]
