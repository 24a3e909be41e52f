"""Database models (one module per aggregate), the engine and the queries pages need."""

from concours.db.accounts import EventStaff, LoginToken, OutboxMessage, User, WebSession
from concours.db.awards import AwardCandidate, AwardRoll, AwardVoter, SpecialAward, VotingCode, VotingCodeBatch
from concours.db.base import Base, utcnow
from concours.db.ceremony import CeremonyLine, EventBranding
from concours.db.entries import ApplicationInvitation, Entrant, Entry, Vehicle, VehiclePhoto
from concours.db.events import AwardLevel, Event, EventClass, JudgingSystem, Rubric, RubricCategory
from concours.db.installation import BackupSetting
from concours.db.jobs import ReportDocument, ReportJob
from concours.db.judging import (
    Assignment,
    AuditLog,
    AwardTrack,
    CalibrationReview,
    Certification,
    ClassResult,
    Conflict,
    Judge,
    ScoreLine,
    ScoreSheet,
    SheetChange,
    Team,
    TeamMember,
    TieDecision,
)
from concours.db.placings import ClassSystem, PlacingLine, PlacingSheet
from concours.db.throttle import ThrottleState

__all__ = [
    "ApplicationInvitation",
    "Assignment",
    "AwardCandidate",
    "AwardRoll",
    "AwardVoter",
    "AuditLog",
    "AwardLevel",
    "AwardTrack",
    "BackupSetting",
    "Base",
    "CalibrationReview",
    "CeremonyLine",
    "Certification",
    "ClassResult",
    "ClassSystem",
    "Conflict",
    "Entrant",
    "Entry",
    "Event",
    "EventBranding",
    "EventClass",
    "EventStaff",
    "Judge",
    "JudgingSystem",
    "LoginToken",
    "OutboxMessage",
    "PlacingLine",
    "PlacingSheet",
    "ReportDocument",
    "ReportJob",
    "Rubric",
    "RubricCategory",
    "ScoreLine",
    "ScoreSheet",
    "SheetChange",
    "SpecialAward",
    "Team",
    "TeamMember",
    "ThrottleState",
    "TieDecision",
    "User",
    "Vehicle",
    "VehiclePhoto",
    "VotingCode",
    "VotingCodeBatch",
    "WebSession",
    "utcnow",
]
