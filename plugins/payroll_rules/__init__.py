"""Pay rules for both programs: the flat day wage, the hourly motivation wage, and the
effect of each person's benefit status."""
from plugins.payroll_rules.hooks import *  # noqa: F403
from plugins.payroll_rules.hooks import TABLES  # noqa: F401
