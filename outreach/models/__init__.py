"""The outreach app's tables, one module per noun; every model is importable from here."""

from outreach.models.alerts import DiscoveryAlert
from outreach.models.approvals import Approval, ApprovalDecision
from outreach.models.assessments import CrisisLevel, RiskAssessment, RiskModel
from outreach.models.cases import Case, CaseConference, CaseGoal, CaseNote, CaseStageChange
from outreach.models.field_days import FieldDay, FieldDaySetting, FieldDayStop, StopReason, Weekday
from outreach.models.pairings import CheckIn, Pairing
from outreach.models.rollups import (
    DiscoveryTarget,
    DongAgeToDate,
    DongDayUncontacted,
    DongHouseholds,
    DongMonthAge,
    DongMonthCompanion,
    DongMonthConcern,
    DongMonthFactor,
    DongMonthLink,
    DongMonthReach,
    DongMonthReferral,
    DongMonthStat,
    DongOpenAlerts,
    DongScoreToDate,
)
from outreach.models.signal_batches import RiskSignal, SignalBatch, SignalChunk, SignalRejection
from outreach.models.visits import NeedLevel, Visit, VisitNeed

__all__ = [
    "Approval", "ApprovalDecision",
    "Case", "CaseConference", "CaseGoal", "CaseNote", "CaseStageChange", "CheckIn",
    "CrisisLevel", "DiscoveryAlert", "DiscoveryTarget", "DongAgeToDate", "DongDayUncontacted",
    "DongHouseholds", "DongMonthAge",
    "DongMonthCompanion", "DongMonthConcern", "DongMonthFactor", "DongMonthLink",
    "DongMonthReach", "DongMonthReferral", "DongMonthStat",
    "DongOpenAlerts", "DongScoreToDate", "NeedLevel",
    "FieldDay", "FieldDaySetting", "FieldDayStop", "StopReason", "Weekday",
    "Pairing", "RiskAssessment", "RiskModel", "RiskSignal", "SignalBatch", "SignalChunk",
    "SignalRejection", "Visit", "VisitNeed",
]
