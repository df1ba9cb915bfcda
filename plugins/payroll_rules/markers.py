"""Who would not be paid in full for work on a day, by the effect of their benefit status:
the markers on the attendance list, the participant panel, the benefit page and the API."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from core.contrib import PayMarker
from core.i18n import lazy_gettext as _
from plugins.payroll_rules.benefits import Timelines
from plugins.payroll_rules.rules import EFFECT_SETTINGS, SETTINGS
from plugins.payroll_rules.runs import SettingReader


def setting_reader(db: Session) -> SettingReader:
    """The plugin's own dated settings (the effect of each status), read once."""
    return SettingReader(db, {d.key: d for d in SETTINGS})


def markers_for(db: Session, participant_ids: list[int], day: dt.date, setting: Any | None = None,
                timelines: Timelines | None = None) -> list[PayMarker]:
    """Who would not be paid in full for work on ``day``: by the effect of their status."""
    setting = setting or setting_reader(db)
    timelines = timelines or Timelines(db, participant_ids)
    out = []
    for pid in participant_ids:
        status = timelines.status_on(pid, day)
        effect = setting(EFFECT_SETTINGS.get(status, "payroll.effect_other"), day)
        if effect == "unpaid":
            label = _("Unpaid (AAP)") if status == "aap" else _("Unpaid")
            out.append(PayMarker(pid, "unpaid", label))
        elif effect == "held":
            out.append(PayMarker(pid, "held", _("Pay held")))
        elif effect == "capped":
            if timelines.approval_on(pid, day) is None:
                out.append(PayMarker(pid, "held", _("Pay held: no district approval")))
            else:
                out.append(PayMarker(pid, "capped", _("Pay capped per month")))
    return out
