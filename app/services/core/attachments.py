"""Attachments (P-17): slots declared per record type, content-checked, stored outside the web root.

A module declares its slots once::

    attachments.register_owner("core.notice", Notice, [Slot("files", _l("附件"), multiple=True)],
                               public=lambda notice: notice.state == "published")

Uploads keep the original (Chinese) file name, take their kind from the content (not
from the name), and land in a ``Storage`` (a local folder by default). Downloads go
through the owner record's scope; a download of a record holding personal data is
audited. The review engine asks :func:`missing` for a step's required slots.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import filetype
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.security.scope import get_user, record_in_scope
from models.core.attachment import Attachment

DEFAULT_KINDS = ("pdf", "jpg", "png", "doc", "docx", "xls", "xlsx", "zip")
KIND_LABELS = {"pdf": "PDF", "jpg": "JPG", "png": "PNG", "doc": "Word", "docx": "Word", "xls": "Excel",
               "xlsx": "Excel", "zip": "ZIP", "rar": "RAR", "ofd": "OFD"}
MIME = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "doc": "application/msword",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls": "application/vnd.ms-excel",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "zip": "application/zip"}
CHUNK = 1024 * 1024


class AttachmentError(Exception):
    """A refused upload or download; nothing was stored."""


@dataclass
class Slot:
    code: str
    label: Any
    kinds: tuple[str, ...] = DEFAULT_KINDS
    max_mb: int = 20
    required: bool = False
    multiple: bool = False


@dataclass
class Owner:
    code: str
    model: type
    slots: list[Slot]
    public: Callable[[Any], bool] | None = None  # e.g. a published notice: anyone may download
    personal: bool = False  # downloads are audited
    edit_permission: tuple[str, str] | None = None  # (permission, view) needed to upload or delete
    slot_map: dict[str, Slot] = field(default_factory=dict)


OWNERS: dict[str, Owner] = {}


def register_owner(code: str, model: type, slots: list[Slot], *, public: Callable[[Any], bool] | None = None,
                   personal: bool = False, edit_permission: tuple[str, str] | None = None) -> Owner:
    owner = Owner(code, model, slots, public, personal, edit_permission, {s.code: s for s in slots})
    OWNERS[code] = owner
    model.__attachment_owner__ = code  # type: ignore[attr-defined]
    return owner


def owner_of(record: Any) -> Owner:
    code = getattr(type(record), "__attachment_owner__", None)
    if code is None or code not in OWNERS:
        raise AttachmentError(_("该记录没有附件"))
    return OWNERS[code]


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
    still waiting for its registration to be approved has an empty scope)."""
    owner = owner_of(record)
    slot = owner.slot_map.get(slot_code)
    if slot is None:
        raise AttachmentError(_("附件类型不正确"))
    user = user or get_user()
    if not owner_checked and not record_in_scope(record, user):
        raise AttachmentError(_("无权为该记录上传附件"))
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

    def chunks() -> Iterator[bytes]:
        nonlocal size
        block = head
        while block:
            size += len(block)
            if size > limit:
                raise AttachmentError(_("文件“%(n)s”超过%(m)sMB", n=name, m=slot.max_mb))
            digest.update(block)
            yield block
            block = stream.read(CHUNK)

    try:
        store.save(key, chunks())
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
    """Delete the row now; the file goes only when the transaction commits."""
    db.session.info.setdefault("attachment_deletes", []).append(row.storage_key)
    db.session.delete(row)


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
