"""Dagsverket's drop-in model (Trondheim): morning check-in, the daily lottery with its
first-day and third-day rights, teams, and the flat day wage.

The hook implementations live in :mod:`plugins.dagsverk_lottery.hooks`; this package
re-exports them so the entry point names one module.
"""
from plugins.dagsverk_lottery.hooks import *  # noqa: F403
from plugins.dagsverk_lottery.hooks import TABLES  # noqa: F401
