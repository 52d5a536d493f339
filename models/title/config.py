"""主管部门配置 (004 §1.2.3.5): for a committee and a region, the 主管部门 through which the
applicants' units submit (the application's route passes it)."""

from __future__ import annotations

from flask_appbuilder.models.sqla import Model
from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.workflow import ReviewNode, ReviewTrail
from models.mixins import TimestampMixin, UnitScopedMixin
from models.title.application import Application

# 申报材料审核's tabs (已上报 / 已退回 / 不通过: what a unit decided last) and 评审人员统计 read the trail by
# unit and action (migration 0023)
Index("ix_title_trail_unit_action", ReviewTrail.unit_id, ReviewTrail.action, ReviewTrail.review_id, ReviewTrail.id)
# 上级单位退回,重审: the (few) 退回 entries
Index("ix_title_trail_action", ReviewTrail.action, ReviewTrail.review_id)
# a review's route (the review page, the engine's transitions): core_review_node had no index by review
Index("ix_title_review_node_review", ReviewNode.review_id, ReviewNode.position)
# what waits at a unit, by series and applicant's unit: the tabs' counts from the index alone
Index("ix_title_application_waiting", Application.review_unit_id, Application.review_state, Application.series,
      Application.unit_id)


class CompetentConfig(UnitScopedMixin, TimestampMixin, Model):
    """``unit_id`` is the unit that set it (a 人社部门 or 主管部门 of that region)."""

    __tablename__ = "title_competent_config"
    __dict_columns__ = {"region_code": "region"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_committee.id", ondelete="CASCADE"),
                                              nullable=False, index=True)
    region_code: Mapped[str] = mapped_column(String(12), nullable=False)
    competent_unit_id: Mapped[int] = mapped_column(Integer, ForeignKey("core_unit.id"), nullable=False)

    committee = relationship("models.title.committee.Committee")
    competent_unit = relationship("models.core.unit.Unit", foreign_keys=[competent_unit_id])

    __table_args__ = (UniqueConstraint("committee_id", "region_code", name="uq_title_competent_config"),)
