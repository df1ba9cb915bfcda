"""The core's tables, one small module per area, re-exported here."""
from core.models.access import AccessChange, PendingChange
from core.models.organization import DatedSetting, Department, Organization, OrganizationPlugin, Site
from core.models.privacy import (
    AccessLogEntry,
    AccessLogPurgePermit,
    Consent,
    FollowUpNote,
    IntakeRecord,
    OutsideContact,
    ParticipantErasure,
    SessionSecondFactor,
    StaffTotp,
)
from core.models.people import CUSTOMER_KINDS, GENDERS, Customer, Participant
from core.models.staff import ROLES, ApiToken, LoginSession, LoginThrottle, Membership, StaffUser
from core.models.work import (
    ORDER_KINDS,
    ORDER_STATUSES,
    ORDER_TRANSITIONS,
    SHIFT_OUTCOMES,
    Attendance,
    ProgramDay,
    Shift,
    Team,
    WorkOrder,
    team_work_order,
)

__all__ = [
    "AccessChange", "PendingChange",
    "AccessLogEntry", "AccessLogPurgePermit", "Consent", "FollowUpNote", "IntakeRecord", "OutsideContact",
    "ParticipantErasure", "SessionSecondFactor", "StaffTotp",
    "ApiToken", "Attendance", "CUSTOMER_KINDS", "Customer", "DatedSetting", "Department", "GENDERS",
    "LoginSession", "LoginThrottle", "Membership", "ORDER_KINDS", "ORDER_STATUSES", "ORDER_TRANSITIONS", "Organization",
    "OrganizationPlugin", "Participant", "ProgramDay", "ROLES", "SHIFT_OUTCOMES", "Shift", "Site",
    "StaffUser", "Team", "WorkOrder", "team_work_order",
]
