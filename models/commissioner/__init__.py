"""科技特派员 (seed 003): commissioners' profiles, applications and service agreements."""

from models.commissioner.individual import Agreement, Application, Commissioner
from models.commissioner.org import CommissionerOrg
from models.commissioner.team import Team, TeamAgreement, TeamApplication, TeamMember

__all__ = ["Agreement", "Application", "Commissioner", "CommissionerOrg", "Team", "TeamAgreement", "TeamApplication", "TeamMember"]
