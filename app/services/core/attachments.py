"""Attachments (P-17): slots declared per record type, content-checked, stored outside the web root.

A module declares its slots once::

    attachments.register_owner("core.notice", Notice, [Slot("files", _l("附件"), multiple=True)],
                               public=lambda notice: notice.state == "published",
                               writers=Writers(IN_SCOPE, ("can_edit", "NoticeView")))

Uploads keep the original (Chinese) file name, take their kind from the content (not
from the name), and land in a ``Storage`` (a local folder by default). Downloads go
through the owner record's scope; a download of a record holding personal data is
audited. The review engine asks :func:`missing` for a step's required slots.

Writing follows the owner's rules, not visibility: every slot declares its ``Writers`` — which
unit or person may add or delete its files (the record's own unit, its owning person, the unit
reviewing it now, a unit a callable names, or any unit whose scope holds it), the permission
needed, and the review states in which it may. :func:`check_write` is the one check; every path
that stores or deletes a file goes through it (:func:`save_upload`, :func:`delete_upload`).
Scan slots (PDF only) refuse PDFs carrying scripts, launch or automatic actions, embedded files
or rich media (:func:`pdf_active_content`).
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import filetype
from flask import current_app, has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.security.scope import get_user, record_in_scope
from app.services.errors import BusinessError
from models.core.attachment import Attachment
from models.core.workflow import EDITABLE_STATES as WORKFLOW_EDITABLE_STATES

DEFAULT_KINDS = ("pdf", "jpg", "png", "doc", "docx", "xls", "xlsx", "zip")
KIND_LABELS = {"pdf": "PDF", "jpg": "JPG", "png": "PNG", "doc": "Word", "docx": "Word", "xls": "Excel",
               "xlsx": "Excel", "zip": "ZIP", "rar": "RAR", "ofd": "OFD"}
MIME = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "doc": "application/msword",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls": "application/vnd.ms-excel",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "zip": "application/zip"}
CHUNK = 1024 * 1024


class AttachmentError(BusinessError):
    """A refused upload or download; nothing was stored."""


class WriteRefused(AttachmentError):
    """The user may not add files to or delete files from this slot now (the endpoints answer 403)."""


# who may write a slot, relative to the record. RECORD_UNIT: users of the record's own unit (the
# applying unit; for a commissioner's application its home city or legal unit, the route's first node)
RECORD_UNIT = "record_unit"
OWNER_PERSON = "owner_person"  # the person owning the record (its ``__scope_owner__`` column)
CURRENT_REVIEWER = "current_reviewer"  # users of the unit the record waits at, who may act there now
IN_SCOPE = "in_scope"  # any unit whose scope holds the record (the rule of the record's own edit form)
EDITABLE_STATES = WORKFLOW_EDITABLE_STATES  # the applicant's states (one rule: models.core.workflow)
SUBMITTED_STATES = ("pending", "approved")  # submitted and not sent back: what a reviewer stamps
WHO_LABELS: dict[str, Any] = {RECORD_UNIT: _l("本记录所属单位"), OWNER_PERSON: _l("本人"),
                              CURRENT_REVIEWER: _l("当前审核单位"), IN_SCOPE: _l("本单位及上级单位")}


def review_state(record: Any) -> str | None:
    """The record's review state (``ReviewedMixin``); None for a record that is not reviewed."""
    return getattr(record, "review_state", None)


@dataclass(frozen=True)
class Writers:
    """Who may add or delete a slot's files, and when.

    ``who``: one of RECORD_UNIT, OWNER_PERSON, CURRENT_REVIEWER, IN_SCOPE, or a callable giving the
    id of the one unit whose users may write (e.g. a node of the record's route);
    ``permission``: (permission, view) the writer needs (None: the owner's ``edit_permission``;
    CURRENT_REVIEWER needs only the matter's review right); ``states``: the states of
    ``state_of(record)`` (default: its review state) in which writing is allowed, None for any;
    ``admin_only``: the unit's administrator only; ``check(record, user)`` returns a further refusal.
    """

    who: str | Callable[[Any], int | None] = RECORD_UNIT
    permission: tuple[str, str] | None = None
    states: tuple[str, ...] | None = None
    state_of: Callable[[Any], str | None] = review_state
    admin_only: bool = False
    check: Callable[[Any, Any], str | None] | None = None
    label: Any = None  # who, in words, for the refusal (default by ``who``)


@dataclass
class Slot:
    code: str
    label: Any
    kinds: tuple[str, ...] = DEFAULT_KINDS
    max_mb: int = 20
    required: bool = False
    multiple: bool = False
    writers: Writers | None = None  # None: the owner's writers; none at all: nobody writes
    scan: bool | None = None  # a scan: active PDF content refused (None: when the slot takes PDF only)

    @property
    def expects_scan(self) -> bool:
        return self.scan if self.scan is not None else tuple(self.kinds) == ("pdf",)


@dataclass
class Owner:
    code: str
    model: type
    slots: list[Slot]
    public: Callable[[Any], bool] | None = None  # e.g. a published notice: anyone may download
    personal: bool = False  # downloads are audited
    edit_permission: tuple[str, str] | None = None  # (permission, view) needed to upload or delete
    slot_map: dict[str, Slot] = field(default_factory=dict)
    writers: Writers | None = None  # the default of slots that declare none


OWNERS: dict[str, Owner] = {}


def register_owner(code: str, model: type, slots: list[Slot], *, public: Callable[[Any], bool] | None = None,
                   personal: bool = False, edit_permission: tuple[str, str] | None = None,
                   writers: Writers | None = None) -> Owner:
    owner = Owner(code, model, slots, public, personal, edit_permission, {s.code: s for s in slots}, writers)
    OWNERS[code] = owner
    model.__attachment_owner__ = code  # type: ignore[attr-defined]
    return owner


def owner_of(record: Any) -> Owner:
    code = getattr(type(record), "__attachment_owner__", None)
    if code is None or code not in OWNERS:
        raise AttachmentError(_("该记录没有附件"))
    return OWNERS[code]


# -- who may write ----------------------------------------------------------------------------


def writers_of(owner: Owner, slot: Slot) -> Writers | None:
    return slot.writers or owner.writers


def _holds(user: Any, permission: tuple[str, str]) -> bool:
    """Whether ``user`` (not necessarily the logged-in one) holds (permission, view)."""
    sm = current_app.appbuilder.sm
    return bool(sm._has_view_access(user, *permission))


def _reviewing_now(record: Any, user: Any) -> bool:
    """The record waits at the user's unit and the user may act there (post, permission)."""
    from app.workflow.engine import REGISTRY, _is_reviewer
    from models.core.workflow import Review

    matters = {m.code: m for m in REGISTRY.values() if m.model is type(record)}
    if not matters or record.id is None:
        return False
    reviews = db.session.scalars(select(Review).where(Review.matter.in_(matters), Review.record_id == record.id,
                                                      Review.state == "pending")).all()
    return any(_is_reviewer(matters[r.matter], r, user) for r in reviews)


def _is_writer(rule: Writers, record: Any, user: Any) -> bool:
    person = getattr(user, "user_type", "unit") == "person"
    if rule.who == OWNER_PERSON:
        col = getattr(type(record), "__scope_owner__", None)
        return bool(col) and getattr(record, col, None) == user.id
    if person:
        return False  # a person's account writes only what it owns
    if rule.who == RECORD_UNIT:
        return user.unit_id is not None and user.unit_id == record.unit_id
    if rule.who == CURRENT_REVIEWER:
        return _reviewing_now(record, user)
    if rule.who == IN_SCOPE:
        return record_in_scope(record, user)
    if callable(rule.who):
        unit_id = rule.who(record)
        return unit_id is not None and user.unit_id == unit_id
    return False


def check_write(record: Any, slot_code: str, user: Any = None, action: str = "upload") -> Slot:
    """The one rule for adding (``upload``, also replacing) and deleting (``delete``) a slot's files:
    the slot's writers, the permission they need and the record's state. Raises WriteRefused (a
    Chinese reason) and changes nothing; returns the slot."""
    owner = owner_of(record)
    slot = owner.slot_map.get(slot_code)
    if slot is None:
        raise AttachmentError(_("附件类型不正确"))
    rule = writers_of(owner, slot)
    user = user or get_user()
    label = str(slot.label)
    if rule is None or user is None or not getattr(user, "active", True):
        raise WriteRefused(_("“%(s)s”不能在这里上传或删除", s=label))
    if not _is_writer(rule, record, user):
        who = rule.label or (WHO_LABELS.get(rule.who) if isinstance(rule.who, str) else None) or _l("指定单位")
        raise WriteRefused(_("只有%(w)s可以上传或删除“%(s)s”", w=str(who), s=label))
    permission = rule.permission or (owner.edit_permission if rule.who != CURRENT_REVIEWER else None)
    if rule.who != CURRENT_REVIEWER and permission is None:
        raise WriteRefused(_("“%(s)s”不能在这里上传或删除", s=label))
    if permission is not None and not _holds(user, permission):
        raise WriteRefused(_("您没有上传或删除“%(s)s”的权限", s=label))
    if rule.admin_only and not getattr(user, "is_unit_admin", False):
        raise WriteRefused(_("只有单位管理员可以上传或删除“%(s)s”", s=label))
    if rule.states is not None:
        state = rule.state_of(record)
        if state not in rule.states:
            from models.core.workflow import STATES

            raise WriteRefused(_("记录当前状态为“%(st)s”，不能上传或删除“%(s)s”",
                                 st=STATES.get(state or "draft", state or ""), s=label))
    if rule.check is not None:
        problem = rule.check(record, user)
        if problem:
            raise WriteRefused(str(problem))
    return slot


def can_write(record: Any, slot_code: str, user: Any = None) -> bool:
    """For pages: whether to offer upload and delete on the slot."""
    try:
        check_write(record, slot_code, user)
    except AttachmentError:
        return False
    return True


# -- active PDF content -----------------------------------------------------------------------

# names that make a PDF act by itself: scripts, launching programs, actions on open/close/page
# events, embedded files and rich media, forms that run scripts or send data away
ACTIVE_PDF_NAMES = frozenset({b"JS", b"JavaScript", b"Launch", b"AA", b"EmbeddedFile", b"EmbeddedFiles",
                              b"RichMedia", b"XFA", b"SubmitForm", b"ImportData", b"GoToE"})
_PDF_DELIM = rb"\x00\t\n\x0c\r ()<>\[\]{}/%"
_PDF_NAME = re.compile(rb"/([^" + _PDF_DELIM + rb"]+)")
_PDF_ACTIVE = re.compile(rb"/(?:" + b"|".join(sorted(ACTIVE_PDF_NAMES, key=len, reverse=True))
                         + rb")(?=[" + _PDF_DELIM + rb"]|\Z)")
_PDF_ESCAPED = re.compile(rb"/[^" + _PDF_DELIM + rb"]*#[^" + _PDF_DELIM + rb"]*")  # a name spelled with #xx
_PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
_PDF_FLATE = frozenset({b"FlateDecode", b"Fl"})
_PDF_FILTERS = frozenset({b"FlateDecode", b"Fl", b"ASCIIHexDecode", b"AHx", b"ASCII85Decode", b"A85", b"LZWDecode",
                          b"LZW", b"RunLengthDecode", b"RL", b"Crypt", b"CCITTFaxDecode", b"CCF", b"DCTDecode",
                          b"DCT", b"JBIG2Decode", b"JPXDecode"})
PDF_INFLATE_LIMIT = 64 * 1024 * 1024  # object streams decompressed in all (beyond: not inspectable)


def _unescape(name: bytes) -> bytes:
    return _PDF_HEX.sub(lambda h: bytes([int(h.group(1), 16)]), name) if b"#" in name else name


def _pdf_names(chunk: bytes) -> set[bytes]:
    return {_unescape(m.group(1)) for m in _PDF_NAME.finditer(chunk)}


def _names_action(chunk: bytes) -> bool:
    """Whether the PDF text names an active key (plainly or spelled with #xx escapes)."""
    if _PDF_ACTIVE.search(chunk):
        return True
    return any(_unescape(m.group(0)[1:]) in ACTIVE_PDF_NAMES for m in _PDF_ESCAPED.finditer(chunk))


def pdf_active_content(data: bytes) -> str | None:
    """"active" when the PDF names a script, a launch or automatic action, an embedded file or rich
    media — in its objects or inside its compressed object streams; "unreadable" when an object
    stream cannot be inspected (another filter, a predictor, encryption, too large); None when clean.
    Stream contents other than object streams (page images, page text) are not names and not read."""
    pos = 0
    budget = PDF_INFLATE_LIMIT
    unreadable = False
    encrypted = b"/Encrypt" in data  # its object streams cannot be read without the key
    while True:
        m = _PDF_STREAM.search(data, pos)
        if m is None:
            return "active" if _names_action(data[pos:]) else ("unreadable" if unreadable else None)
        head = data[pos:m.start()]
        if _names_action(head):
            return "active"
        end = data.find(b"endstream", m.end())
        end = len(data) if end < 0 else end
        obj = head.rfind(b"obj")
        head_names = _pdf_names(head[obj:] if obj >= 0 else head[-4096:])
        if b"ObjStm" in head_names:
            body = data[m.end():end]
            filters = head_names & _PDF_FILTERS
            if filters - _PDF_FLATE or b"Predictor" in head_names or encrypted:
                unreadable = True
            else:
                try:
                    if filters:
                        body = zlib.decompressobj().decompress(body, budget + 1)
                except zlib.error:
                    unreadable = True
                else:
                    budget -= len(body)
                    if budget < 0:
                        unreadable = True
                    elif _names_action(body):
                        return "active"
        pos = end + len(b"endstream")


# -- storage --------------------------------------------------------------------------------


class LocalStorage:
    """Files under a folder outside the web root, named by a random key."""

    def __init__(self, root: str) -> None:
        self.root = root

    def _path(self, key: str) -> str:
        if "/" in key or "\\" in key or key.startswith("."):
            raise AttachmentError(_("文件不存在"))
        return os.path.join(self.root, key[:2], key)

    def save(self, key: str, chunks: Iterator[bytes]) -> None:
        path = self._path(key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)

    def open(self, key: str) -> IO[bytes]:
        try:
            return open(self._path(key), "rb")
        except FileNotFoundError as e:
            raise AttachmentError(_("文件不存在")) from e

    def delete(self, key: str) -> None:
        try:
            os.remove(self._path(key))
        except FileNotFoundError:
            pass


def storage() -> LocalStorage:
    return LocalStorage(current_app.config["UPLOAD_FOLDER"])


# -- upload ---------------------------------------------------------------------------------


def detect_kind(head: bytes) -> str | None:
    guess = filetype.guess(head)
    if guess is None:
        return None
    ext = guess.extension
    return "jpg" if ext == "jpeg" else ext


def clean_name(name: str) -> str:
    """Keep the Chinese name; drop folders and characters that break headers or paths."""
    name = os.path.basename((name or "").replace("\\", "/")).strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '/\\:*?"<>|')
    return name[:200] or "file"


def save_upload(record: Any, slot_code: str, stream: IO[bytes], file_name: str, user: Any = None, *,
                owner_checked: bool = False) -> Attachment:
    """Check and store one uploaded file for ``record``; the caller commits. ``owner_checked``: the
    caller has established that the record is the user's own where the scope cannot tell (a unit
    still waiting for its registration to be approved has an empty scope). The slot's writers
    (:func:`check_write`) apply on every path; only the system itself (no user and no request: the
    seed, the command line) stores without them."""
    owner = owner_of(record)
    slot = owner.slot_map.get(slot_code)
    if slot is None:
        raise AttachmentError(_("附件类型不正确"))
    user = user or get_user()
    if not owner_checked and not record_in_scope(record, user):
        raise AttachmentError(_("无权为该记录上传附件"))
    if user is not None or has_request_context():  # no user outside a request: the system (seed, CLI)
        check_write(record, slot_code, user, "upload")
    name = clean_name(file_name)
    head = stream.read(8192)
    if not head:
        raise AttachmentError(_("文件“%(n)s”是空的", n=name))
    kind = detect_kind(head)
    if kind not in slot.kinds:
        allowed = "、".join(dict.fromkeys(KIND_LABELS.get(k, k) for k in slot.kinds))
        raise AttachmentError(_("文件“%(n)s”的内容不是允许的类型（%(k)s）", n=name, k=allowed))
    limit = slot.max_mb * 1024 * 1024
    digest = hashlib.sha256()
    size = 0
    key = uuid.uuid4().hex
    store = storage()
    inspect = kind == "pdf" and slot.expects_scan
    body = bytearray()

    def chunks() -> Iterator[bytes]:
        nonlocal size
        block = head
        while block:
            size += len(block)
            if size > limit:
                raise AttachmentError(_("文件“%(n)s”超过%(m)sMB", n=name, m=slot.max_mb))
            digest.update(block)
            if inspect:
                body.extend(block)
            yield block
            block = stream.read(CHUNK)

    try:
        store.save(key, chunks())
        if inspect:
            problem = pdf_active_content(bytes(body))
            if problem == "active":
                raise AttachmentError(_("PDF文件“%(n)s”包含脚本或自动执行的动作，已拒绝，请重新扫描后上传", n=name))
            if problem:
                raise AttachmentError(_("PDF文件“%(n)s”含有无法检查的内容（压缩或加密），已拒绝，请重新扫描后上传",
                                        n=name))
    except AttachmentError:
        store.delete(key)
        raise
    if not slot.multiple:
        for old in current(record, slot_code):
            remove(old)
    row = Attachment(owner_type=owner.code, owner_id=record.id, slot=slot_code, file_name=name, storage_key=key,
                     kind=kind, size=size, sha256=digest.hexdigest(), uploaded_by=getattr(user, "id", None),
                     unit_id=record.unit_id)
    db.session.add(row)
    from app.services.core import audit

    audit.record("upload", record, detail=f"{slot_code}:{name}", user=user)
    return row


def current(record: Any, slot_code: str | None = None) -> list[Attachment]:
    owner = owner_of(record)
    q = select(Attachment).where(Attachment.owner_type == owner.code, Attachment.owner_id == record.id)
    if slot_code:
        q = q.where(Attachment.slot == slot_code)
    return list(db.session.scalars(q.order_by(Attachment.id)).all())


def remove(row: Attachment) -> None:
    """Delete the row now; the file goes only when the transaction commits. No rule is checked here:
    a user's deletion goes through :func:`delete_upload`."""
    db.session.info.setdefault("attachment_deletes", []).append(row.storage_key)
    db.session.delete(row)


def record_of(row: Attachment) -> Any:
    """The record a file belongs to; AttachmentError when it is gone."""
    owner = OWNERS.get(row.owner_type)
    record = db.session.get(owner.model, row.owner_id) if owner is not None else None
    if record is None:
        raise AttachmentError(_("文件不存在"))
    return record


def delete_upload(row: Attachment, user: Any = None) -> Any:
    """A user deletes one file: the slot's writers decide (:func:`check_write`); the caller commits.
    Returns the owner record."""
    record = record_of(row)
    user = user or get_user()
    if not record_in_scope(record, user):
        raise AttachmentError(_("文件不存在"))
    check_write(record, row.slot, user, "delete")
    name = row.file_name
    remove(row)
    from app.services.core import audit

    audit.record("delete", record, detail=f"{row.slot}:{name}", user=user)
    return record


def install_listeners() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    if getattr(install_listeners, "done", False):
        return
    install_listeners.done = True  # type: ignore[attr-defined]

    @event.listens_for(Session, "after_commit")
    def _delete_files(session: Session) -> None:
        keys = session.info.pop("attachment_deletes", None)
        if keys:
            store = storage()
            for key in keys:
                store.delete(key)

    @event.listens_for(Session, "after_rollback")
    def _keep_files(session: Session) -> None:
        session.info.pop("attachment_deletes", None)


def missing(record: Any, slot_codes: tuple[str, ...]) -> list[str]:
    """Labels of the given slots that hold no file (the review engine's requirement check)."""
    owner = owner_of(record)
    have = set(db.session.scalars(
        select(Attachment.slot).where(Attachment.owner_type == owner.code, Attachment.owner_id == record.id,
                                      Attachment.slot.in_(slot_codes)).group_by(Attachment.slot)
    ).all())
    return [str(owner.slot_map[c].label) for c in slot_codes if c not in have]


def missing_required(record: Any) -> list[str]:
    owner = owner_of(record)
    return missing(record, tuple(s.code for s in owner.slots if s.required))


def counts(record: Any) -> dict[str, int]:
    owner = owner_of(record)
    rows = db.session.execute(
        select(Attachment.slot, func.count()).where(Attachment.owner_type == owner.code,
                                                    Attachment.owner_id == record.id).group_by(Attachment.slot)
    ).all()
    return dict(rows)


# -- download -------------------------------------------------------------------------------


def readable(row: Attachment, user: Any = None) -> Any:
    """The owner record when ``user`` may download ``row``; AttachmentError otherwise."""
    owner = OWNERS.get(row.owner_type)
    if owner is None:
        raise AttachmentError(_("文件不存在"))
    record = db.session.get(owner.model, row.owner_id)
    if record is None:
        raise AttachmentError(_("文件不存在"))
    if owner.public is not None and owner.public(record):
        return record
    if not record_in_scope(record, user or get_user()):
        raise AttachmentError(_("文件不存在"))
    return record


def open_for_download(row: Attachment, user: Any = None) -> IO[bytes]:
    record = readable(row, user)
    owner = OWNERS[row.owner_type]
    if owner.personal:
        from app.services.core import audit

        audit.record_now("download", record, detail=f"{row.slot}:{row.file_name}", user=user)
    return storage().open(row.storage_key)


def register_engine_check() -> None:
    from app.workflow import ATTACHMENT_CHECK

    if missing not in ATTACHMENT_CHECK:
        ATTACHMENT_CHECK.append(missing)
