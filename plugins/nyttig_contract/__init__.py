"""Nyttig Arbeid's contract model (Oslo): recruitment pipeline, waiting list, contracts,
departments, contact persons and timesheets."""
from plugins.nyttig_contract.hooks import *  # noqa: F403
from plugins.nyttig_contract.hooks import TABLES  # noqa: F401
