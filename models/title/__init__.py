"""职称评审 (seed 004): committees and their expert libraries, review activities, applications."""

from models.title.activity import AchievementItem, Activity, ActivityCondition, ActivityLevel, ActivityMaterial
from models.title.application import (
    AchievementEntry,
    Application,
    ApplicationEducation,
    ApplicationWork,
    Confirmation,
)
from models.title.committee import Committee, CommitteeExpert, ExpertParticipation
from models.title.config import CompetentConfig
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

__all__ = [
    "AchievementEntry", "AchievementItem", "Activity", "ActivityCondition", "ActivityLevel", "ActivityMaterial",
    "Application", "ApplicationEducation", "ApplicationWork", "Committee", "CommitteeExpert", "CompetentConfig",
    "Confirmation", "ExpertParticipation", "Ballot", "Defense", "Draw", "DrawGroup", "Meeting", "MeetingApplicant",
    "MeetingExpert", "Objection", "ProfGroup", "Publicity", "RoundEntry", "RoundExpert", "ScoringStandard",
    "VoteRound",
]
