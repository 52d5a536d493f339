"""The review engine's tables (P-14): one review per record, its trail, in-unit posts."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.models.sqla import Model
from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from models.mixins import UnitScopedMixin


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


STATES = {
    "draft": "草稿", "pending": "审核中", "returned": "已退回", "approved": "已通过",
    "rejected": "不通过", "withdrawn": "已撤回",
}


# the states in which the applicant may still change a reviewed record: before submission, returned, withdrawn
EDITABLE_STATES = ("draft", "returned", "withdrawn")


def editable_state(state: str | None) -> bool:
    """Whether a record in review state ``state`` (None: not created yet) may still be changed."""
    return state is None or state in EDITABLE_STATES


class ReviewedMixin:
    """Columns a reviewed record carries so that lists can filter by review state."""

    @property
    def editable(self) -> bool:
        """The applicant may still change the record (the one rule; templates get this boolean)."""
        return editable_state(self.review_state)

    @declared_attr
    def review_state(cls) -> Mapped[str]:  # noqa: N805
        return mapped_column(String(16), nullable=False, default="draft", index=True)

    @declared_attr
    def review_unit_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(Integer, nullable=True, index=True)


class Review(Model):
    __tablename__ = "core_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    matter: Mapped[str] = mapped_column(String(64), nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    step: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    level: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # in-unit post level
    round: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # increments on entering a node
    current_unit_id: Mapped[int | None] = mapped_column(Integer, index=True)
    returned_step: Mapped[int | None] = mapped_column(Integer)
    applicant_user_id: Mapped[int | None] = mapped_column(Integer)
    applicant_unit_id: Mapped[int | None] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    barred_until: Mapped[dt.date | None] = mapped_column(Date)

    nodes = relationship("ReviewNode", order_by="ReviewNode.position", cascade="all, delete-orphan",
                         back_populates="review")
    trail = relationship("ReviewTrail", order_by="ReviewTrail.id", cascade="all, delete-orphan",
                         back_populates="review")

    __table_args__ = (
        UniqueConstraint("matter", "record_id", name="uq_core_review_record"),
        Index("ix_core_review_todo", "state", "current_unit_id", "matter"),
    )


class ReviewNode(Model):
    """One unit on a review's route (kind: review, accept — a pushed unit's decision)."""

    __tablename__ = "core_review_node"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(Integer, ForeignKey("core_review.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    unit_id: Mapped[int] = mapped_column(Integer, ForeignKey("core_unit.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="review")
    review = relationship(Review, back_populates="nodes")
    unit = relationship("Unit")


class ReviewTrail(Model):
    """经办流程: who, unit, post, action, opinion, time — append only."""

    __tablename__ = "core_review_trail"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(Integer, ForeignKey("core_review.id", ondelete="CASCADE"), nullable=False,
                                           index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    user_id: Mapped[int | None] = mapped_column(Integer)
    user_name: Mapped[str | None] = mapped_column(String(64))
    unit_id: Mapped[int | None] = mapped_column(Integer)
    unit_name: Mapped[str | None] = mapped_column(String(200))
    post: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    opinion: Mapped[str | None] = mapped_column(Text)
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    step: Mapped[int | None] = mapped_column(Integer)
    level: Mapped[int | None] = mapped_column(Integer)
    round: Mapped[int | None] = mapped_column(Integer)
    review = relationship(Review, back_populates="trail")


class ReviewPost(UnitScopedMixin, Model):
    """多岗审核: in-unit review levels per matter type, lowest first."""

    __tablename__ = "core_review_post"
    __dict_columns__: dict = {}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    matter: Mapped[str] = mapped_column(String(64), nullable=False)
    level: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("ab_user.id"), nullable=False)
    mode: Mapped[str] = mapped_column(String(8), nullable=False, default="any")  # any | all
    user = relationship("UnitUser")

    __table_args__ = (UniqueConstraint("unit_id", "matter", "level", "user_id", name="uq_core_review_post"),)


class CommonOpinion(Model):
    """常用意见 of one user."""

    __tablename__ = "core_common_opinion"
    __scope__ = "owner"
    __scope_owner__ = "user_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    text: Mapped[str] = mapped_column(String(500), nullable=False)

    def __repr__(self) -> str:
        return self.text
