"""法人科技特派员: a team of a legal-person unit (leader and members), its application (reviewed:
the legal unit → province → 推送 to the intended city → accept → province) and its agreement."""

from __future__ import annotations

from flask_appbuilder.models.sqla import Model
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.workflow import ReviewedMixin
from models.mixins import TimestampMixin, UnitScopedMixin


class Team(UnitScopedMixin, TimestampMixin, Model):
    """unit_id: the legal-person unit the team belongs to."""

    __tablename__ = "commissioner_team"
    __scope_owner__ = "leader_user_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    leader_user_id: Mapped[int] = mapped_column(Integer, ForeignKey("ab_user.id"), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    leader = relationship("models.core.user.UnitUser", foreign_keys=[leader_user_id])
    members = relationship("models.commissioner.team.TeamMember", back_populates="team", cascade="all, delete-orphan",
                           order_by="TeamMember.id")

    @property
    def size(self) -> int:
        return len(self.members) + 1  # the leader counts

    def __repr__(self) -> str:
        return self.name


class TeamMember(UnitScopedMixin, Model):
    __tablename__ = "commissioner_team_member"
    __scope_owner__ = "user_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer, ForeignKey("commissioner_team.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("ab_user.id"), nullable=False, unique=True)
    team = relationship(Team, back_populates="members")
    user = relationship("models.core.user.UnitUser", foreign_keys=[user_id])


class TeamApplication(UnitScopedMixin, ReviewedMixin, TimestampMixin, Model):
    __tablename__ = "commissioner_team_application"
    __scope_owner__ = "user_id"
    __review_matter__ = "commissioner.team"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer, ForeignKey("commissioner_team.id"), nullable=False, unique=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("ab_user.id"), nullable=False)  # the leader
    field: Mapped[str] = mapped_column(String(100), nullable=False)  # 负责人所从事的专业技术领域
    achievements: Mapped[str] = mapped_column(Text, nullable=False)  # 在此领域取得的成就
    intended_city_id: Mapped[int] = mapped_column(Integer, ForeignKey("core_unit.id"), nullable=False)
    intended_county: Mapped[str] = mapped_column(String(50), nullable=False)
    intended_enterprise: Mapped[str] = mapped_column(String(100), nullable=False)
    chain: Mapped[str] = mapped_column(String(100), nullable=False)  # 团队依托农业科技产业链
    team = relationship(Team)
    intended_city = relationship("models.core.unit.Unit", foreign_keys=[intended_city_id])

    def __repr__(self) -> str:
        return f"{self.team.name if self.team else ''}的团队申请表"


class TeamAgreement(UnitScopedMixin, TimestampMixin, Model):
    __tablename__ = "commissioner_team_agreement"
    __scope_owner__ = "user_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(Integer, ForeignKey("commissioner_team_application.id"), nullable=False,
                                                unique=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("ab_user.id"), nullable=False)
    enterprise_business: Mapped[str] = mapped_column(Text, nullable=False)
    needs: Mapped[str] = mapped_column(Text, nullable=False)
    work_plan: Mapped[str] = mapped_column(Text, nullable=False)
    targets: Mapped[str] = mapped_column(Text, nullable=False)
    application = relationship(TeamApplication)

    def __repr__(self) -> str:
        return "团队服务协议"
