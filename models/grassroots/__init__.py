"""专家服务基层 (seed 000): service teams, their projects, experts, evaluations and summaries."""

from models.grassroots.base import BaseTransfer, BaseYear, ExpertBase, RegionalSummary
from models.grassroots.team import (
    ProjectExpert,
    ServiceProject,
    ServiceTeam,
    TeamBatch,
    TeamEvaluation,
    TeamFunding,
    TeamFundingItem,
    TeamSummary,
)

__all__ = ["BaseTransfer", "BaseYear", "ExpertBase", "RegionalSummary", "ProjectExpert", "ServiceProject", "ServiceTeam", "TeamBatch", "TeamEvaluation", "TeamFunding",
           "TeamFundingItem", "TeamSummary"]
