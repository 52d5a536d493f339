"""站内消息 (P-12): a message, its recipients (one row per user) with read receipts."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.models.sqla import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


MESSAGE_KINDS = {"personal": "站内消息", "push": "消息推送", "system": "系统通知"}


class Message(Model):
    """Written by one user (or by the platform: sender_id empty); drafts keep their addressees."""

    __tablename__ = "core_message"
    __scope__ = "owner"
    __scope_owner__ = "sender_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("ab_user.id"), index=True)
    sender_unit_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("core_unit.id"))
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="personal")
    state: Mapped[str] = mapped_column(String(8), nullable=False, default="draft")  # draft | sent
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    link: Mapped[str | None] = mapped_column(String(300))
    draft_units: Mapped[str | None] = mapped_column(Text)  # comma-separated unit ids while a draft
    draft_users: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)

    sender = relationship("UnitUser", foreign_keys=[sender_id])
    sender_unit = relationship("Unit", foreign_keys=[sender_unit_id])
    recipients = relationship("MessageRecipient", back_populates="message", cascade="all, delete-orphan",
                              order_by="MessageRecipient.id")

    def __repr__(self) -> str:
        return self.title

    @property
    def sender_label(self) -> str:
        if self.sender is None:
            return str(_l("系统通知"))
        unit = self.sender_unit.name if self.sender_unit else ""
        return f"{self.sender.name}（{unit}）" if unit else self.sender.name

    @property
    def recipient_count(self) -> int:
        return len(self.recipients)

    @property
    def read_count(self) -> int:
        return sum(1 for r in self.recipients if r.read_at is not None)


class MessageRecipient(Model):
    """One user's copy: in the inbox until deleted; read_at is the read receipt."""

    __tablename__ = "core_message_recipient"
    __scope__ = "owner"
    __scope_owner__ = "user_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(Integer, ForeignKey("core_message.id", ondelete="CASCADE"),
                                            nullable=False)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("ab_user.id"), nullable=False)
    via_unit_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("core_unit.id"))  # addressed to a unit
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    message = relationship(Message, back_populates="recipients", lazy="joined")
    user = relationship("UnitUser", foreign_keys=[user_id])
    via_unit = relationship("Unit", foreign_keys=[via_unit_id])

    __table_args__ = (
        UniqueConstraint("message_id", "user_id", name="uq_core_message_recipient"),
        Index("ix_core_message_inbox", "user_id", "deleted_at", "read_at"),
    )

    def __repr__(self) -> str:
        return self.message.title if self.message else ""

    @property
    def title(self) -> str:
        return self.message.title

    @property
    def sender_label(self) -> str:
        return self.message.sender_label

    @property
    def sent_at(self) -> dt.datetime | None:
        return self.message.sent_at
