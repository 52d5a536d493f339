"""评审会议管理 (004 §1.2.5–1.2.6, TR-11 … TR-18): from the committee's receipt of applications to
the published result.

An activity has at most two meetings: the 破格评审会议 (``kind="exceptional"``, when the activity opens
exceptional review) and the 普通评审会议 (``kind="normal"``). Every meeting row carries the committee's
unit as ``unit_id`` (the 组建单位, the activity's ``unit_id``), so the unit scope sees a meeting as it
sees its activity; the rows below a meeting (groups, drawn experts, pool, rounds, ballots) are reached
only through their meeting.

* The draw (TR-15 §1): ``DrawGroup`` (major, title level, count) → ``Draw`` (one row per draw or
  redraw: the pool snapshot, the rules applied, the random seed and the resulting list, so that
  重放抽选 recomputes the same list) → ``MeetingExpert`` (the drawn experts of the current draw, in
  draw order, with attendance, chair marks and the professional group).
* The pool (TR-15 §2, TR-16 §3): ``MeetingApplicant`` (received applicants, exceptional passers,
  written-test passers) in the imported order, with the main and assistant reviewer and the
  professional group.
* Voting (TR-15 §3–4, TR-16 §4–5, TR-17): ``VoteRound`` (a group round or the full round) with its
  list ``RoundEntry`` and its experts ``RoundExpert`` (open / submitted / absent); ``Ballot`` is one
  expert's choice or score on one entry, hash-chained when the round is sealed (计票完成).
* Before and after (TR-11 … TR-14, TR-18): ``ScoringStandard``, ``Defense`` (答辩安排),
  ``Publicity`` (评审结果公示) and ``Objection`` (我要反馈 online, 线下投诉 offline).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_appbuilder.models.sqla import Model
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.mixins import TimestampMixin, UnitScopedMixin

MEETING_KINDS = {"exceptional": "破格评审会议", "normal": "普通评审会议"}
# a meeting's steps, in order (the hub's tabs); ``state`` is the furthest step reached
MEETING_STATES = {"drawing": "专家抽选", "grouping": "专家分组", "assigning": "人员分配", "voting": "专家投票",
                  "tallied": "计票完成"}
MULTIPLIERS = ("1.5", "2", "3")
ATTENDANCE = {"pending": "待确认", "confirmed": "确认参评", "cancelled": "取消参评"}
POOL_SOURCES = {"received": "评委会已接收", "exceptional": "破格评议通过", "written": "笔试通过"}
ROUND_KINDS = {"group": "专业组投票", "full": "评委会投票"}
ROUND_STATES = {"open": "投票中", "sealed": "计票完成"}
EXPERT_STATES = {"open": "未提交", "submitted": "已提交", "absent": "缺席"}
CHOICES = {"agree": "同意", "disagree": "不同意", "abstain": "弃权"}
QUALIFICATION = {"pass": "审核通过", "fail": "审核不通过"}
OBJECTION_KINDS = {"online": "我要反馈", "offline": "线下投诉"}


class ScoringStandard(Model):
    """设置评分标准 (TR-12): one item of an activity's scoring standard, shown to the experts when the
    group method is scoring."""

    __tablename__ = "title_scoring_standard"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_activity.id", ondelete="CASCADE"),
                                             nullable=False, index=True)
    sort: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    name: Mapped[str] = mapped_column(String(50), nullable=False)  # 评分项
    weight: Mapped[Decimal] = mapped_column(Numeric(5, 2), nullable=False)  # 权重 (%)
    max_score: Mapped[Decimal] = mapped_column(Numeric(6, 2), nullable=False, default=100)  # 满分
    description: Mapped[str | None] = mapped_column(String(500))  # 评分说明


class Defense(Model):
    """导入答辩安排 (TR-13): one applicant's defense arrangement (one per application)."""

    __tablename__ = "title_defense"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_application.id", ondelete="CASCADE"),
                                                nullable=False, unique=True)
    activity_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_activity.id", ondelete="CASCADE"),
                                             nullable=False, index=True)
    day: Mapped[dt.date] = mapped_column(Date, nullable=False)  # 答辩日期
    arrive_at: Mapped[str] = mapped_column(String(20), nullable=False)  # 答辩到会时间
    address: Mapped[str] = mapped_column(String(200), nullable=False)  # 答辩地址
    checkin: Mapped[str | None] = mapped_column(String(100))  # 答辩签到处
    seq: Mapped[int | None] = mapped_column(Integer)  # 答辩序号
    room: Mapped[str | None] = mapped_column(String(50))  # 答辩会议室
    group: Mapped[str | None] = mapped_column(String(50))  # 答辩分组
    imported_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    imported_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("ab_user.id"))
    # 确认发布答辩通知: the 答辩通知 shows on the applicant's and the route units' pages once published
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("ab_user.id"))

    application = relationship("models.title.application.Application")


class Meeting(UnitScopedMixin, TimestampMixin, Model):
    """One review meeting of one activity (``unit_id`` = the committee's unit)."""

    __tablename__ = "title_meeting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_activity.id", ondelete="CASCADE"),
                                             nullable=False)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)  # MEETING_KINDS
    state: Mapped[str] = mapped_column(String(12), nullable=False, default="drawing", server_default="drawing")
    multiplier: Mapped[str | None] = mapped_column(String(4))  # 抽选倍数 of the current draw
    current_draw_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("title_draw.id", use_alter=True,
                                                                            name="fk_title_meeting_draw"))
    # 开启专家投票: the plan, the supervising committee (normal meeting), the threshold
    plan: Mapped[str | None] = mapped_column(Text)  # 评审方案
    supervisor_committee_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("title_committee.id"))
    pass_numerator: Mapped[int] = mapped_column(Integer, nullable=False, default=2, server_default="2")
    pass_denominator: Mapped[int] = mapped_column(Integer, nullable=False, default=3, server_default="3")
    vote_opened_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    vote_opened_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("ab_user.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # the last round sealed

    activity = relationship("models.title.activity.Activity")
    groups = relationship("DrawGroup", back_populates="meeting", cascade="all, delete-orphan",
                          order_by="DrawGroup.sort")
    experts = relationship("MeetingExpert", back_populates="meeting", cascade="all, delete-orphan",
                           order_by="MeetingExpert.draw_order")
    prof_groups = relationship("ProfGroup", back_populates="meeting", cascade="all, delete-orphan",
                               order_by="ProfGroup.sort")
    rounds = relationship("VoteRound", back_populates="meeting", cascade="all, delete-orphan",
                          order_by="VoteRound.number")

    __table_args__ = (UniqueConstraint("activity_id", "kind", name="uq_title_meeting_activity_kind"),)

    def __repr__(self) -> str:
        return f"{self.activity.name if self.activity else ''}·{MEETING_KINDS.get(self.kind, self.kind)}"


class DrawGroup(Model):
    """抽选小组: the experts of a major and a title level, and how many to draw."""

    __tablename__ = "title_draw_group"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_meeting.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    sort: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    name: Mapped[str] = mapped_column(String(50), nullable=False)  # 小组名称
    major: Mapped[str] = mapped_column(String(30), nullable=False)  # 从事专业 (Expert.major)
    title_level: Mapped[str] = mapped_column(String(4), nullable=False)  # 职称层级 (Expert.title)
    count: Mapped[int] = mapped_column(Integer, nullable=False)  # 抽取人数

    meeting = relationship(Meeting, back_populates="groups")


class Draw(Model):
    """One draw (or redraw) of a meeting, everything needed to replay it: the candidates of each group
    as they were (``pool``: expert ids, chair marks, last year's chair, the years sat), the rules and
    the multiplier applied, the seed, and the list it gave (``result``: expert ids in draw order, with
    group, chair and reserve marks). ``result_digest`` is the SHA-256 of the canonical result."""

    __tablename__ = "title_draw"
    # not copied whole into the audit log by the flush listener (the pool is large): the draw service
    # records each draw itself with the seed and the SHA-256 of the pool, the rules and the result
    __audit__ = False

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_meeting.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)  # 1 = the draw, 2… = redraws
    seed: Mapped[str] = mapped_column(String(64), nullable=False)  # hex
    multiplier: Mapped[str] = mapped_column(String(4), nullable=False)
    rules: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    pool: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    result: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    result_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    reason: Mapped[str | None] = mapped_column(String(500))  # a redraw's reason
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    created_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("ab_user.id"))

    __table_args__ = (UniqueConstraint("meeting_id", "number", name="uq_title_draw_number"),)


class ProfGroup(Model):
    """专业组 (normal meeting with groups): drawn experts grouped, with a leader."""

    __tablename__ = "title_prof_group"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_meeting.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    sort: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    leader_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("title_meeting_expert.id", use_alter=True,
                                                                      name="fk_title_prof_group_leader"))

    meeting = relationship(Meeting, back_populates="prof_groups")


class MeetingExpert(Model):
    """An expert drawn for a meeting (the current draw), in draw order; ``reserve`` marks those drawn
    beyond the group's count (they replace a cancelled expert, in draw order)."""

    __tablename__ = "title_meeting_expert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_meeting.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    draw_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_draw.id", ondelete="CASCADE"), nullable=False)
    group_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("title_draw_group.id", ondelete="SET NULL"))
    expert_id: Mapped[int] = mapped_column(Integer, ForeignKey("expert.id"), nullable=False, index=True)
    draw_order: Mapped[int] = mapped_column(Integer, nullable=False)
    chair: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    executive_chair: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                                  server_default=text("false"))  # 执行主任
    reserve: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    attendance: Mapped[str] = mapped_column(String(10), nullable=False, default="pending",
                                            server_default="pending")  # ATTENDANCE
    attendance_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    attendance_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("ab_user.id"))
    replaces_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("title_meeting_expert.id"))
    prof_group_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("title_prof_group.id",
                                                                          ondelete="SET NULL"))

    meeting = relationship(Meeting, back_populates="experts")
    expert = relationship("models.experts.expert.Expert")
    group = relationship(DrawGroup)
    prof_group = relationship(ProfGroup, foreign_keys=[prof_group_id])

    __table_args__ = (UniqueConstraint("meeting_id", "expert_id", name="uq_title_meeting_expert"),)

    def __repr__(self) -> str:
        return self.expert.name if self.expert else ""


class MeetingApplicant(Model):
    """One applicant in a meeting's pool, in the imported order (``sort``), with the main and
    assistant reviewers and the professional group; ``result`` is the meeting's outcome for them
    (pass / fail), written when the last round is sealed."""

    __tablename__ = "title_meeting_applicant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_meeting.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    application_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_application.id", ondelete="CASCADE"),
                                                nullable=False, index=True)
    source: Mapped[str] = mapped_column(String(12), nullable=False, default="received")  # POOL_SOURCES
    sort: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # 排序号
    prof_group_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("title_prof_group.id",
                                                                          ondelete="SET NULL"))
    main_expert_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("title_meeting_expert.id",
                                                                           ondelete="SET NULL"))  # 主审
    assistant_expert_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("title_meeting_expert.id",
                                                                                ondelete="SET NULL"))  # 辅审
    result: Mapped[str | None] = mapped_column(String(8))  # pass | fail

    application = relationship("models.title.application.Application")
    prof_group = relationship(ProfGroup)
    main_expert = relationship(MeetingExpert, foreign_keys=[main_expert_id])
    assistant_expert = relationship(MeetingExpert, foreign_keys=[assistant_expert_id])

    __table_args__ = (UniqueConstraint("meeting_id", "application_id", name="uq_title_meeting_applicant"),)


class VoteRound(Model):
    """One round of voting: the group round (``kind="group"``, per professional group) or the full
    round (``kind="full"``, the whole committee). Sealing (计票完成) writes each entry's counts and
    result and the head of the ballots' hash chain (``seal_hash``)."""

    __tablename__ = "title_vote_round"
    # not copied into the audit log by the flush listener (``accounts`` holds initial passwords): the voting
    # service records the opening and the seal itself (with the head hash)
    __audit__ = False

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_meeting.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)  # ROUND_KINDS
    method: Mapped[str] = mapped_column(String(8), nullable=False, default="vote")  # vote | score
    state: Mapped[str] = mapped_column(String(8), nullable=False, default="open", server_default="open")
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    sealed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    sealed_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("ab_user.id"))
    seal_hash: Mapped[str | None] = mapped_column(String(64))
    ballot_count: Mapped[int | None] = mapped_column(Integer)  # ballots in the chain at the seal
    # 专家账号通知单: the accounts created for the experts at the opening, with their initial passwords,
    # shown to the staff once (cleared when shown)
    accounts: Mapped[list | None] = mapped_column(JSON)

    meeting = relationship(Meeting, back_populates="rounds")
    entries = relationship("RoundEntry", back_populates="round", cascade="all, delete-orphan",
                           order_by="RoundEntry.sort")
    experts = relationship("RoundExpert", back_populates="round", cascade="all, delete-orphan",
                           order_by="RoundExpert.id")

    __table_args__ = (UniqueConstraint("meeting_id", "number", name="uq_title_vote_round"),)


class RoundEntry(Model):
    """An applicant on a round's list (in the pool's order), and the round's counts and result once
    sealed. ``prof_group_id`` (group round) limits the voters to that group's experts."""

    __tablename__ = "title_round_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_vote_round.id", ondelete="CASCADE"),
                                          nullable=False, index=True)
    meeting_applicant_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_meeting_applicant.id",
                                                                          ondelete="CASCADE"), nullable=False)
    sort: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    prof_group_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("title_prof_group.id",
                                                                          ondelete="SET NULL"))
    agree: Mapped[int | None] = mapped_column(Integer)
    disagree: Mapped[int | None] = mapped_column(Integer)
    abstain: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))  # average weighted score (score rounds)
    result: Mapped[str | None] = mapped_column(String(8))  # pass | fail (sealed)

    round = relationship(VoteRound, back_populates="entries")
    applicant = relationship(MeetingApplicant)

    __table_args__ = (UniqueConstraint("round_id", "meeting_applicant_id", name="uq_title_round_entry"),)


class RoundExpert(Model):
    """An expert's part in a round: open, submitted or absent; ``returned`` counts 回退."""

    __tablename__ = "title_round_expert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_vote_round.id", ondelete="CASCADE"),
                                          nullable=False, index=True)
    meeting_expert_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_meeting_expert.id",
                                                                       ondelete="CASCADE"), nullable=False)
    prof_group_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("title_prof_group.id",
                                                                          ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="open", server_default="open")
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    returned: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    return_reason: Mapped[str | None] = mapped_column(String(500))  # the last 回退's reason, shown to the expert

    round = relationship(VoteRound, back_populates="experts")
    meeting_expert = relationship(MeetingExpert)

    __table_args__ = (UniqueConstraint("round_id", "meeting_expert_id", name="uq_title_round_expert"),)


class Ballot(Model):
    """One expert's choice (or scores) on one entry of a round. At the seal the round's ballots are
    ordered (entry sort, round expert id) and chained: ``hash`` = SHA-256(previous hash + the canonical
    ballot); the round keeps the head. No screen shows a ballot with its expert."""

    __tablename__ = "title_ballot"
    # secret: never copied into the audit log (a row there would pair an expert with a choice); the seal's
    # hash chain is the ballots' integrity record
    __audit__ = False

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_vote_round.id", ondelete="CASCADE"),
                                          nullable=False)
    round_expert_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_round_expert.id", ondelete="CASCADE"),
                                                 nullable=False)
    entry_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_round_entry.id", ondelete="CASCADE"),
                                          nullable=False)
    choice: Mapped[str | None] = mapped_column(String(8))  # CHOICES
    scores: Mapped[dict | None] = mapped_column(JSON)  # {standard id: score}
    score: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))  # weighted total
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    hash: Mapped[str | None] = mapped_column(String(64))  # set at the seal

    __table_args__ = (
        UniqueConstraint("round_id", "round_expert_id", "entry_id", name="uq_title_ballot"),
        Index("ix_title_ballot_round_entry", "round_id", "entry_id"),
    )


class Publicity(UnitScopedMixin, TimestampMixin, Model):
    """评审结果公示 (TR-18): the period and contact; the generated notice is on the portal for exactly
    that period (``notice_id``)."""

    __tablename__ = "title_publicity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_activity.id", ondelete="CASCADE"),
                                             nullable=False, unique=True)
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    contact: Mapped[str] = mapped_column(String(100), nullable=False)  # 联系方式
    notice_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("core_notice.id", ondelete="SET NULL"))

    activity = relationship("models.title.activity.Activity")


class Objection(UnitScopedMixin, TimestampMixin, Model):
    """An objection to a publicised passer: 我要反馈 by a logged-in user (``kind="online"``) or a
    线下投诉 recorded by the committee's staff (``kind="offline"``, with evidence files, attachment
    owner "title.objection/evidence"). ``unit_id`` is the committee's unit."""

    __tablename__ = "title_objection"
    __personal_columns__ = {"complainant_id_number": "id", "complainant_phone": "phone"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_activity.id", ondelete="CASCADE"),
                                             nullable=False, index=True)
    application_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_application.id", ondelete="CASCADE"),
                                                nullable=False, index=True)  # 被投诉人
    kind: Mapped[str] = mapped_column(String(8), nullable=False)  # OBJECTION_KINDS
    complainant_name: Mapped[str] = mapped_column(String(30), nullable=False)
    complainant_id_number: Mapped[str | None] = mapped_column(String(18))
    complainant_phone: Mapped[str | None] = mapped_column(String(11))
    reason: Mapped[str] = mapped_column(Text, nullable=False)  # 投诉原因
    result: Mapped[str | None] = mapped_column(Text)  # 处理结果 (offline)
    user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("ab_user.id"))  # the online complainant

    application = relationship("models.title.application.Application")
