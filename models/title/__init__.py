"""职称评审 (seed 004): committees and their expert libraries, review activities, applications."""

from models.title.activity import AchievementItem, Activity, ActivityCondition, ActivityLevel, ActivityMaterial
from models.title.application import (
    AchievementEntry,
    Application,
    ApplicationEducation,
    ApplicationWork,
    Confirmation,
)
from models.title.certificate import Certificate, CertificateBatch
from models.title.committee import Committee, CommitteeExpert, ExpertParticipation
from models.title.config import CompetentConfig
from models.title.history import HistoryGroup, HistoryInstitution, HistoryTitle
from models.title.meeting import (
    Ballot,
    Defense,
    Draw,
    DrawGroup,
    Meeting,
    MeetingApplicant,
    MeetingExpert,
    Objection,
    ProfGroup,
    Publicity,
    RoundEntry,
    RoundExpert,
    ScoringStandard,
    VoteRound,
)
from models.title.talent import Talent

__all__ = [
    "AchievementEntry", "AchievementItem", "Activity", "ActivityCondition", "ActivityLevel", "ActivityMaterial",
    "Application", "ApplicationEducation", "ApplicationWork", "Committee", "CommitteeExpert", "CompetentConfig",
    "Certificate", "CertificateBatch",
    "Confirmation", "ExpertParticipation", "Ballot", "Defense", "Draw", "DrawGroup", "Meeting", "MeetingApplicant",
    "MeetingExpert", "Objection", "ProfGroup", "Publicity", "RoundEntry", "RoundExpert", "ScoringStandard",
    "VoteRound", "Talent", "HistoryGroup", "HistoryInstitution", "HistoryTitle",
]
