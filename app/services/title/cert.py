"""电子证书管理 (004 §1.2.8.1, TR-21): 初定发证, 评审发证, 委托发证 and 历史证书 — batches, the issue, the
certificate PDF, the holder's download and the public verification.

Sources. The parts that produce persons to certify register a source per kind
(:func:`register_source`): ``eligible(user)`` lists the records the user's unit may certify now (the
unit is the issuing unit), ``facts(record)`` gives the certificate's facts (holder_user_id, name,
id_number, series, level, qualification, approved_on, doc_number, issuing_unit_id, source_id). A
record already in a batch (pending) or issued is not offered again; a revoked certificate frees it.

The life of a batch (the issuing unit's staff): :func:`create_batch` (the chosen records → 发放中, each
person a numbered pending certificate; the approval date and the document number checked: 〔〕 brackets,
the year in them the approval year) → :func:`cancel_person` / :func:`update_batch` → the summary sheet
(:func:`summary_rows`) stamped offline and uploaded back (attachment slot ``stamped``) → :func:`issue`
(refused without the stamped PDF; exactly one of two simultaneous issues wins: a conditional update of
the batch's state) draws each certificate once (:func:`render_certificate`, reportlab, the shipped
font, reportlab's QR widget), stores it and keeps its SHA-256 → :func:`revoke`.

Verification (no login): :func:`verify` by number + name, :func:`by_token` from the QR code; a wrong
name answers exactly like an unknown number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.security.personal import mask_id
from app.services.core import attachments, audit
from app.services.title.common import TitleError
from models.title.certificate import CERT_KINDS, Certificate, CertificateBatch

KIND_LABELS = {"initial": _l("初定发证"), "review": _l("评审发证"), "entrusted": _l("委托发证"),
               "history": _l("历史证书")}
BATCH_STATE_LABELS = {"issuing": _l("发放中"), "issued": _l("已发放")}
CERT_STATE_LABELS = {"pending": _l("待发证"), "issued": _l("有效"), "revoked": _l("已撤销")}
assert set(KIND_LABELS) == set(CERT_KINDS)
APPLICATION_KINDS = ("initial", "review", "entrusted")  # sources whose record is an Application
NUMBER_PREFIX = "51"  # 四川: the certificate number is 51 + year + 8 digits
OWNER = "title.cert_batch"
PERMISSION = "title.Certificate"
FACT_KEYS = ("holder_user_id", "name", "id_number", "series", "level", "qualification", "approved_on",
             "doc_number", "issuing_unit_id", "source_id")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# -- sources ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    kind: str
    label: Any
    eligible: Callable[[Any], list[Any]]
    facts: Callable[[Any], dict[str, Any]]


SOURCES: dict[str, Source] = {}


def register_source(kind: str, label: Any, eligible: Callable[[Any], list[Any]],
                    facts: Callable[[Any], dict[str, Any]]) -> Source:
    """A part's persons to certify of one kind ("initial", "review", "entrusted", "history")."""
    if kind not in CERT_KINDS:
        raise ValueError(f"unknown certificate kind {kind!r}")
    source = Source(kind, label, eligible, facts)
    SOURCES[kind] = source
    return source


def source_of(kind: str) -> Source | None:
    return SOURCES.get(kind)


def taken_ids(kind: str, ids: Iterable[int] | None = None) -> set[int]:
    """Source ids of ``kind`` already in a batch (pending) or issued."""
    q = select(Certificate.source_id).where(Certificate.kind == kind, Certificate.state.in_(("pending", "issued")))
    if ids is not None:
        ids = list(ids)
        if not ids:
            return set()
        q = q.where(Certificate.source_id.in_(ids))
    return set(db.session.scalars(q).all())


def _label(type_code: str, value: Any) -> str:
    """A dict code as its label (a label given is kept)."""
    from app.services.core import dicts

    value = "" if value is None else str(value)
    if value and dicts.has_code(type_code, value):
        return dicts.label(type_code, value)
    return value


def facts_of(source: Source, record: Any) -> dict[str, Any]:
    facts = dict(source.facts(record))
    missing = [k for k in FACT_KEYS if k not in facts]
    if missing:
        raise TitleError(_("证书信息不完整：%(k)s", k="、".join(missing)))
    facts["series"] = _label("title_series", facts["series"])
    facts["level"] = _label("title_level", facts["level"])
    return facts


def pending_records(user: Any, kind: str) -> list[tuple[Any, dict[str, Any]]]:
    """未发放: the source's eligible records of the user's unit not yet in a batch, with their facts."""
    source = source_of(kind)
    if source is None:
        return []
    records = list(source.eligible(user) or [])
    taken = taken_ids(kind, [r.id for r in records])
    out = []
    for record in records:
        if record.id in taken:
            continue
        facts = facts_of(source, record)
        if facts.get("issuing_unit_id") != user.unit_id:
            continue
        out.append((record, facts))
    return out


# -- checks -----------------------------------------------------------------------------------

DOC_YEAR = re.compile(r"〔(\d{4})〕")


def check_doc_number(doc_number: str | None, approved_on: dt.date | None) -> str:
    """The document number: 〔〕 brackets around the approval year (乐人社函〔2026〕18号); returns it
    stripped or raises TitleError."""
    doc = (doc_number or "").strip()
    if not doc:
        raise TitleError(_("请填写职称文件文号"))
    if approved_on is None:
        raise TitleError(_("请填写批准时间"))
    if len(doc) > 50:
        raise TitleError(_("职称文件文号不能超过50个字"))
    match = DOC_YEAR.search(doc)
    if match is None:
        raise TitleError(_("职称文件文号“%(d)s”须用六角括号〔〕标注年份，如：乐人社函〔%(y)s〕18号", d=doc,
                           y=approved_on.year))
    if int(match.group(1)) != approved_on.year:
        raise TitleError(_("职称文件文号“%(d)s”中的年份%(a)s与批准时间的年份%(y)s不一致", d=doc, a=match.group(1),
                           y=approved_on.year))
    return doc


def parse_date(value: str | None) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as e:
        raise TitleError(_("批准时间“%(v)s”不是有效的日期", v=value)) from e


def _own_unit(user: Any) -> int:
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None or getattr(user, "user_type", "unit") != "unit":
        raise TitleError(_("只有发证单位的工作人员可以办理发证"))
    return unit_id


def batch_for(user: Any, batch_id: int, write: bool = False) -> CertificateBatch:
    """A batch of the user's unit (the issuing unit); TitleError (the views answer 404) otherwise."""
    batch = db.session.get(CertificateBatch, batch_id)
    if batch is None or batch.unit_id != getattr(user, "unit_id", None):
        raise TitleError(_("批次不存在"))
    return batch


def certificate_for(user: Any, cert_id: int) -> Certificate:
    """A certificate of the user's unit (the issuing unit)."""
    cert = db.session.get(Certificate, cert_id)
    if cert is None or cert.unit_id != getattr(user, "unit_id", None):
        raise TitleError(_("证书不存在"))
    return cert


def holder_certificate(user: Any, cert_id: int) -> Certificate:
    """The holder's own issued (or revoked) certificate."""
    cert = db.session.get(Certificate, cert_id)
    if cert is None or cert.holder_user_id is None or cert.holder_user_id != getattr(user, "id", None) \
            or cert.state == "pending":
        raise TitleError(_("证书不存在"))
    return cert


def _require_issuing(batch: CertificateBatch) -> None:
    if batch.state != "issuing":
        raise TitleError(_("该批次已发放，不能再修改"))


# -- batches ----------------------------------------------------------------------------------


def _next_numbers(year: int, n: int) -> list[str]:
    prefix = f"{NUMBER_PREFIX}{year}"
    last = db.session.scalar(select(func.max(Certificate.number)).where(Certificate.number.like(prefix + "%")))
    start = int(last[len(prefix):]) + 1 if last else 1
    return [f"{prefix}{i:08d}" for i in range(start, start + n)]


def create_batch(user: Any, kind: str, source_ids: Iterable[Any], approved_on: dt.date | None = None,
                 doc_number: str | None = None) -> CertificateBatch:
    """添加批次: the chosen records (ids of the source's 未发放 records) into one batch, 发放中. The approval
    date and document number given, or else the records' own when they all share them."""
    unit_id = _own_unit(user)
    if kind not in CERT_KINDS or source_of(kind) is None:
        raise TitleError(_("发证类型不正确"))
    try:
        wanted = {int(i) for i in source_ids if str(i).strip()}
    except (TypeError, ValueError) as e:
        raise TitleError(_("请选择需要发证的人员")) from e
    if not wanted:
        raise TitleError(_("请选择需要发证的人员"))
    offered = {record.id: facts for record, facts in pending_records(user, kind)}
    unknown = wanted - set(offered)
    if unknown:
        raise TitleError(_("所选人员中有%(n)s人不在本单位的未发放名单中", n=len(unknown)))
    chosen = [offered[i] for i in sorted(wanted)]
    if approved_on is None:
        dates = {f["approved_on"] for f in chosen}
        approved_on = dates.pop() if len(dates) == 1 else None
    if not (doc_number or "").strip():
        docs = {f["doc_number"] for f in chosen}
        doc_number = docs.pop() if len(docs) == 1 else None
    doc = check_doc_number(doc_number, approved_on)
    assert approved_on is not None
    unit_name = user.unit.name
    batch = CertificateBatch(kind=kind, unit_id=unit_id, approved_on=approved_on, doc_number=doc, state="issuing",
                             created_by=user.id)
    db.session.add(batch)
    db.session.flush()
    numbers = _next_numbers(approved_on.year, len(chosen))
    for number, f in zip(numbers, chosen, strict=True):
        db.session.add(Certificate(
            batch_id=batch.id, unit_id=unit_id, number=number, token=secrets.token_urlsafe(24), kind=kind,
            source_id=f["source_id"], holder_user_id=f["holder_user_id"], name=f["name"],
            id_number=str(f["id_number"]), series=f["series"], level=f["level"],
            qualification=f["qualification"] or "", approved_on=approved_on, doc_number=doc,
            issuing_unit_name=unit_name, state="pending"))
    try:
        db.session.flush()
    except IntegrityError as e:  # a number taken by a batch made at the same moment
        raise TitleError(_("证书编号已被占用（另一批次同时生成），请重试")) from e
    audit.record("create", batch, detail=f"{len(chosen)}")
    return batch


def update_batch(user: Any, batch: CertificateBatch, approved_on: dt.date | None, doc_number: str | None) -> None:
    """设置批准时间、职称文件文号 of a batch 发放中 (every person in it follows)."""
    _require_issuing(batch)
    doc = check_doc_number(doc_number, approved_on)
    assert approved_on is not None
    before = {"approved_on": batch.approved_on.isoformat(), "doc_number": batch.doc_number}
    batch.approved_on, batch.doc_number = approved_on, doc
    for cert in batch.certificates:
        cert.approved_on, cert.doc_number = approved_on, doc
    audit.record("update", batch, changes={"approved_on": [before["approved_on"], approved_on.isoformat()],
                                           "doc_number": [before["doc_number"], doc]})


def cancel_person(user: Any, batch: CertificateBatch, cert_id: Any) -> str:
    """取消发证: one person leaves the batch (back to 未发放); returns the name."""
    _require_issuing(batch)
    cert = next((c for c in batch.certificates if str(c.id) == str(cert_id)), None)
    if cert is None:
        raise TitleError(_("该人员不在本批次中"))
    if len(batch.certificates) == 1:
        raise TitleError(_("批次中只剩一人，不能取消；请删除整个批次"))
    name = cert.name
    batch.certificates.remove(cert)
    audit.record("update", batch, detail=f"cancel:{name}")
    return name


def delete_batch(user: Any, batch: CertificateBatch) -> None:
    """Delete a batch 发放中: its persons go back to 未发放."""
    _require_issuing(batch)
    for row in attachments.current(batch):
        attachments.remove(row)
    audit.record("delete", batch)
    db.session.delete(batch)


def batches(user: Any, kind: str, state: str) -> list[CertificateBatch]:
    return list(db.session.scalars(
        select(CertificateBatch).where(CertificateBatch.unit_id == user.unit_id, CertificateBatch.kind == kind,
                                       CertificateBatch.state == state).order_by(CertificateBatch.id.desc())).all())


def issued(user: Any, kind: str, q: str = "") -> list[Certificate]:
    """已发放: the unit's certificates of ``kind`` issued or revoked."""
    stmt = select(Certificate).where(Certificate.unit_id == user.unit_id, Certificate.kind == kind,
                                     Certificate.state.in_(("issued", "revoked")))
    q = (q or "").strip()
    if q:
        stmt = stmt.where((Certificate.name.contains(q)) | (Certificate.number == q) | (Certificate.doc_number == q))
    return list(db.session.scalars(stmt.order_by(Certificate.id.desc()).limit(500)).all())


SUMMARY_HEADERS = [_l("序号"), _l("证书编号"), _l("姓名"), _l("证件号码"), _l("职称系列"), _l("职称层级"),
                   _l("资格名称"), _l("批准时间"), _l("职称文件文号"), _l("发证单位")]


def summary_rows(batch: CertificateBatch) -> list[list[Any]]:
    """导出汇总表: one row per person of the batch (stamped offline, uploaded back as PDF)."""
    return [[i, c.number, c.name, c.id_number, c.series, c.level, c.qualification, c.approved_on.isoformat(),
             c.doc_number, c.issuing_unit_name] for i, c in enumerate(batch.certificates, 1)]


def stamped(batch: CertificateBatch) -> list[Any]:
    return attachments.current(batch, "stamped")


# -- the issue --------------------------------------------------------------------------------


def issue(user: Any, batch: CertificateBatch, verify_url: Callable[[str], str]) -> int:
    """发放: draw, store and hash every certificate of the batch once; the batch becomes 已发放.

    Refused without the stamped summary PDF or when the batch is empty; of two issues at the same
    moment exactly one passes the conditional update, the other is told the batch is issued.
    ``verify_url(token)`` gives the public verification URL the QR code carries."""
    if batch.state != "issuing":
        raise TitleError(_("该批次已发放"))
    if not stamped(batch):
        raise TitleError(_("请先导出汇总表，线下盖章后上传盖章的PDF文件，再发放"))
    now = utcnow()
    done = db.session.execute(
        update(CertificateBatch).where(CertificateBatch.id == batch.id, CertificateBatch.state == "issuing")
        .values(state="issued", issued_at=now, issued_by=user.id).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise TitleError(_("该批次已发放"))
    db.session.expire(batch, ["state", "issued_at", "issued_by"])
    certs = list(db.session.scalars(select(Certificate).where(Certificate.batch_id == batch.id,
                                                              Certificate.state == "pending")
                                    .order_by(Certificate.id)).all())
    if not certs:
        raise TitleError(_("批次中没有待发证人员"))
    store = attachments.storage()
    saved: list[str] = []
    try:
        for cert in certs:
            data = render_certificate(cert, verify_url(cert.token))
            key = uuid.uuid4().hex
            store.save(key, iter((data,)))
            saved.append(key)
            cert.pdf_key, cert.sha256 = key, hashlib.sha256(data).hexdigest()
            cert.state, cert.issued_at = "issued", now
        db.session.flush()
    except Exception:
        for key in saved:
            store.delete(key)
        raise
    audit.record("issue", batch, detail=f"{len(certs)}", user=user)
    return len(certs)


def revoke(user: Any, cert: Certificate, reason: str) -> None:
    """撤销: an issued certificate becomes revoked (it stays listed; verification says 已撤销)."""
    reason = (reason or "").strip()
    if cert.state != "issued":
        raise TitleError(_("只有有效的证书可以撤销"))
    if not reason:
        raise TitleError(_("请填写撤销原因"))
    if len(reason) > 500:
        raise TitleError(_("撤销原因不能超过500个字"))
    cert.state, cert.revoked_reason, cert.revoked_at = "revoked", reason, utcnow()
    audit.record("revoke", cert, changes={"state": ["issued", "revoked"]}, detail=reason)


def stored_pdf(cert: Certificate, user: Any = None) -> bytes:
    """The certificate's PDF as stored at the issue (never drawn again); a download by ``user`` is audited
    (it carries the full ID number)."""
    if not cert.pdf_key:
        raise TitleError(_("证书尚未发放"))
    try:
        with attachments.storage().open(cert.pdf_key) as fh:
            data = fh.read()
    except attachments.AttachmentError as e:
        raise TitleError(_("证书文件不存在")) from e
    if user is not None:
        audit.record_now("download", cert, detail=cert.number, user=user)
    return data


def issued_for_applications(application_ids: Iterable[int]) -> set[int]:
    """The applications (of 初定/评审/委托发证) whose certificate is issued and not revoked."""
    ids = [int(i) for i in application_ids]
    if not ids:
        return set()
    return set(db.session.scalars(select(Certificate.source_id).where(
        Certificate.kind.in_(APPLICATION_KINDS), Certificate.state == "issued",
        Certificate.source_id.in_(ids))).all())


def my_certificates(user: Any) -> list[Certificate]:
    """我的证书: the holder's certificates, issued or revoked."""
    return list(db.session.scalars(select(Certificate).where(
        Certificate.holder_user_id == user.id, Certificate.state.in_(("issued", "revoked")))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())).all())


# -- public verification -------------------------------------------------------------------------


def verify(number: str | None, name: str | None) -> Certificate | None:
    """The certificate with this number and holder's name, issued or revoked; None otherwise (an unknown
    number and a wrong name answer the same)."""
    number, name = (number or "").strip(), (name or "").strip()
    if not number or not name or len(number) > 20 or len(name) > 30:
        return None
    cert = db.session.scalar(select(Certificate).where(Certificate.number == number))
    if cert is None or cert.state == "pending" or not secrets.compare_digest(cert.name.encode(), name.encode()):
        return None
    return cert


def by_token(token: str) -> Certificate | None:
    token = (token or "").strip()
    if not token or len(token) > 40:
        return None
    cert = db.session.scalar(select(Certificate).where(Certificate.token == token))
    if cert is None or cert.state == "pending":
        return None
    return cert


def public_facts(cert: Certificate) -> list[tuple[Any, str]]:
    """What the public page prints: the ID number masked."""
    return [(_l("姓名"), cert.name), (_l("证件号码"), mask_id(cert.id_number)), (_l("职称系列"), cert.series),
            (_l("职称层级"), cert.level), (_l("资格名称"), cert.qualification),
            (_l("批准时间"), cert.approved_on.isoformat()), (_l("职称文件文号"), cert.doc_number),
            (_l("发证单位"), cert.issuing_unit_name), (_l("证书编号"), cert.number)]


# -- drawing --------------------------------------------------------------------------------------


def certificate_lines(cert: Any) -> list[tuple[str, str]]:
    return [(_("姓　　名"), cert.name), (_("证件号码"), cert.id_number), (_("职称系列"), cert.series),
            (_("职称层级"), cert.level), (_("资格名称"), cert.qualification),
            (_("批准时间"), _("%(y)s年%(m)s月%(d)s日", y=cert.approved_on.year, m=cert.approved_on.month,
                               d=cert.approved_on.day)),
            (_("职称文件文号"), cert.doc_number), (_("发证单位"), cert.issuing_unit_name),
            (_("证书编号"), cert.number)]


QR_MASK = 2  # a fixed mask pattern (any of the eight is valid QR; choosing the "best" costs 8 encodings)


def draw_qr(c: Any, url: str, x: float, y: float, size: float, border: int = 2) -> None:
    """The QR code of ``url`` by reportlab's own QR widget's encoder (``QrCodeWidget(...).qr``, level M),
    its dark modules drawn as one filled path (the widget's Drawing makes a shape per run: 10× slower)."""
    from reportlab.graphics.barcode.qr import QrCodeWidget

    qr = QrCodeWidget(url, barLevel="M").qr
    qr.version = qr.calculate_version()
    qr.makeImpl(False, QR_MASK)
    n = qr.getModuleCount()
    box = size / (n + 2 * border)
    path = c.beginPath()
    for r, row in enumerate(qr.modules):
        col = 0
        while col < n:
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                path.rect(x + (start + border) * box, y + size - (r + border + 1) * box, (col - start) * box, box)
            else:
                col += 1
    c.saveState()
    c.setFillColorRGB(0, 0, 0)
    c.drawPath(path, stroke=0, fill=1)
    c.restoreState()


def render_certificate(cert: Any, url: str) -> bytes:
    """The certificate: one A4 landscape page in the shipped font, the facts, the QR code of ``url``
    (reportlab's own widget) and the URL printed under it."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import cm
    from reportlab.pdfgen import canvas

    from app.services.documents import pdf

    font = pdf.register_font()
    width, height = landscape(A4)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), invariant=1)
    c.setTitle(_("职称证书") + " " + cert.number)
    c.setAuthor(cert.issuing_unit_name)
    red = colors.HexColor("#a61b1b")
    c.setStrokeColor(red)
    c.setLineWidth(4)
    c.rect(1.2 * cm, 1.2 * cm, width - 2.4 * cm, height - 2.4 * cm)
    c.setLineWidth(1)
    c.rect(1.5 * cm, 1.5 * cm, width - 3 * cm, height - 3 * cm)
    c.setFillColor(red)
    c.setFont(font, 30)
    c.drawCentredString(width / 2, height - 4 * cm, _("专业技术职务任职资格证书"))
    c.setFillColor(colors.black)
    c.setFont(font, 11)
    c.drawCentredString(width / 2, height - 4.9 * cm,
                        _("经评审（认定），%(n)s具备%(q)s任职资格，特发此证。", n=cert.name, q=cert.qualification))
    y = height - 6.4 * cm
    x_label, x_value = 4 * cm, 8 * cm
    for label, value in certificate_lines(cert):
        c.setFont(font, 13)
        c.drawString(x_label, y, label)
        c.drawString(x_value, y, str(value or ""))
        c.setStrokeColor(colors.HexColor("#999999"))
        c.setLineWidth(0.4)
        c.line(x_value, y - 4, x_value + 11 * cm, y - 4)
        y -= 1.05 * cm
    size = 4.2 * cm
    qx, qy = width - 3 * cm - size, 3.4 * cm
    draw_qr(c, url, qx, qy, size)
    c.linkURL(url, (qx, qy, qx + size, qy + size), relative=0)
    c.setFont(font, 8)
    c.drawCentredString(qx + size / 2, qy - 0.4 * cm, _("扫码验证证书真伪"))
    c.setFont(font, 12)
    c.drawRightString(width - 3 * cm - size - 1 * cm, 4.2 * cm, cert.issuing_unit_name)
    c.drawRightString(width - 3 * cm - size - 1 * cm, 3.4 * cm,
                      _("%(y)s年%(m)s月%(d)s日", y=cert.approved_on.year, m=cert.approved_on.month,
                        d=cert.approved_on.day))
    c.setFont(font, 7)
    c.setFillColor(colors.HexColor("#666666"))
    c.drawString(2 * cm, 1.9 * cm, _("验证地址：%(u)s", u=url))
    c.showPage()
    c.save()
    return buf.getvalue()


def review_form_pdf(cert: Certificate) -> bytes:
    """下载评审表: the application's facts as a form (sources of an application only)."""
    from app.services.core import dicts
    from app.services.documents import pdf_rl
    from models.title.application import Application

    if cert.kind not in APPLICATION_KINDS:
        raise TitleError(_("历史证书没有评审表"))
    app_row = db.session.get(Application, cert.source_id)
    if app_row is None:
        raise TitleError(_("评审表不存在"))
    P, W = pdf_rl.Pair, pdf_rl.Wide

    def date(d: Any) -> str:
        return d.isoformat() if d else ""

    rows: list[Any] = [
        pdf_rl.Section(_("基本信息")),
        P(_("姓名"), app_row.name, _("性别"), dicts.label("sex", app_row.sex)),
        P(_("证件号码"), app_row.id_number, _("出生日期"), date(app_row.birth_date)),
        W(_("工作单位"), app_row.workplace),
        P(_("现任职务"), app_row.post or "", _("参加工作时间"), date(app_row.work_start)),
        P(_("学历"), dicts.label("education", app_row.education) if app_row.education else "",
          _("毕业院校"), app_row.school or ""),
        pdf_rl.Section(_("申报信息")),
        P(_("申报系列"), _label("title_series", app_row.series), _("申报层级"), _label("title_level", app_row.level)),
        P(_("申报专业"), app_row.major, _("年度"), str(app_row.year)),
        pdf_rl.Section(_("评审结果")),
        P(_("资格名称"), cert.qualification, _("证书编号"), cert.number),
        P(_("批准时间"), cert.approved_on.isoformat(), _("职称文件文号"), cert.doc_number),
        W(_("发证单位"), cert.issuing_unit_name),
        pdf_rl.Section(_("个人专业技术工作总结")),
        pdf_rl.Full(app_row.summary or "", height=120),
    ]
    form = pdf_rl.Form(_("专业技术职务任职资格评审表"), _("%(n)s　证书编号：%(c)s", n=cert.name, c=cert.number), rows,
                       [pdf_rl.Stamps([_("评审委员会意见"), _("发证单位意见")])])
    return pdf_rl.draw(form)


# -- declarations -------------------------------------------------------------------------------------


def _batch_writers() -> attachments.Writers:
    return attachments.Writers(attachments.RECORD_UNIT, permission=("can_manage", PERMISSION), states=("issuing",),
                               state_of=lambda b: b.state, label=_l("发证单位"))


attachments.register_owner(OWNER, CertificateBatch, [
    attachments.Slot("stamped", _l("盖章汇总表"), kinds=("pdf",), max_mb=20, required=True)],
    edit_permission=("can_manage", PERMISSION), writers=_batch_writers())
