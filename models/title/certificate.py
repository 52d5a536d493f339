"""电子证书管理 (004 §1.2.8.1, TR-21): certificate batches and the certificates they issue.

A ``CertificateBatch`` belongs to the issuing unit (``unit_id``, the 授权管理单位 / 发证机构): chosen
persons of one source (初定发证, 评审发证, 委托发证, 历史证书) go into a batch (发放中) with its approval
date and document number; the summary sheet is stamped offline and uploaded back (attachment owner
``title.cert_batch``, slot ``stamped``); 发放 issues the batch once (已发放). Each ``Certificate`` is one
person's certificate: its number (``51`` + year + 8 digits) is given when the person enters the batch,
its facts are frozen then, its PDF is drawn once at the issue, stored and served again unchanged
(``pdf_key``, ``sha256``). ``token`` is the unguessable key of the QR code's public verification URL.
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.models.sqla import Model
from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.mixins import UnitScopedMixin

CERT_KINDS = {"initial": "初定发证", "review": "评审发证", "entrusted": "委托发证", "history": "历史证书"}
BATCH_STATES = {"issuing": "发放中", "issued": "已发放"}
CERT_STATES = {"pending": "待发证", "issued": "有效", "revoked": "已撤销"}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class CertificateBatch(UnitScopedMixin, Model):
    """One batch of certificates of one kind at the issuing unit (``unit_id``)."""

    __tablename__ = "title_cert_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)  # CERT_KINDS
    approved_on: Mapped[dt.date] = mapped_column(Date, nullable=False)  # 批准时间
    doc_number: Mapped[str] = mapped_column(String(50), nullable=False)  # 职称文件文号
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="issuing")  # BATCH_STATES
    created_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("ab_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    issued_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("ab_user.id"))
    issued_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    certificates = relationship("Certificate", back_populates="batch", order_by="Certificate.id",
                                cascade="all, delete-orphan")

    __table_args__ = (Index("ix_title_cert_batch_unit_kind", "unit_id", "kind", "state"),)

    def __repr__(self) -> str:
        return f"{CERT_KINDS.get(self.kind, self.kind)} {self.doc_number}"


class Certificate(UnitScopedMixin, Model):
    """One person's certificate; ``unit_id`` is the issuing unit, ``holder_user_id`` the holder's account
    (None for a historical holder without one)."""

    __tablename__ = "title_certificate"
    __scope_owner__ = "holder_user_id"
    __personal_columns__ = {"id_number": "id"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(Integer, ForeignKey("title_cert_batch.id", ondelete="CASCADE"),
                                          nullable=False, index=True)
    number: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)  # 证书编号
    token: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)  # the QR code's key
    kind: Mapped[str] = mapped_column(String(12), nullable=False)  # CERT_KINDS (the source)
    source_id: Mapped[int] = mapped_column(Integer, nullable=False)  # the source record (an application …)
    holder_user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("ab_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(30), nullable=False)
    id_number: Mapped[str] = mapped_column(String(18), nullable=False)
    series: Mapped[str] = mapped_column(String(50), nullable=False)  # 职称系列 (its label)
    level: Mapped[str] = mapped_column(String(20), nullable=False)  # 职称层级 (its label)
    qualification: Mapped[str] = mapped_column(String(100), nullable=False)  # 资格名称
    approved_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    doc_number: Mapped[str] = mapped_column(String(50), nullable=False)
    issuing_unit_name: Mapped[str] = mapped_column(String(100), nullable=False)
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="pending")  # CERT_STATES
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    pdf_key: Mapped[str | None] = mapped_column(String(64))  # the stored PDF (attachments storage)
    sha256: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    batch = relationship("CertificateBatch", back_populates="certificates")

    __table_args__ = (Index("ix_title_certificate_source", "kind", "source_id"),)

    def __repr__(self) -> str:
        return self.number
