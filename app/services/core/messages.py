"""站内消息 (P-12) and the review engine's notifications.

A user writes to users of the parent unit, the own unit and the child units; a
message addressed to a unit reaches its administrator and staff. 消息推送 sends to
chosen child units or to chosen persons of the own unit. Every addressee is checked
here against what the sender may reach, whatever the form sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from flask import g, has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select, update

from app.extensions import db
from app.services.core.validators import check_length
from app.services.errors import BusinessError
from models.core.message import Message, MessageRecipient
from models.core.unit import Unit
from models.core.user import UnitUser


class MessageError(BusinessError):
    """A refused message; ``field`` names the form field."""


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# -- who may be reached ---------------------------------------------------------------------


def reachable_unit_ids(user: Any, mode: str = "write") -> list[int]:
    """write: parent, own, children; push_units: children; push_users: own unit."""
    unit = getattr(user, "unit", None)
    if unit is None or not unit.active or getattr(user, "user_type", "unit") != "unit":
        return []
    if mode == "push_users":
        return [unit.id]
    children = list(db.session.scalars(
        select(Unit.id).where(Unit.parent_id == unit.id, Unit.active.is_(True)).order_by(Unit.sort, Unit.id)
    ).all())
    if mode == "push_units":
        return children
    ids = [unit.id] + children
    if unit.parent_id is not None:
        ids.insert(0, unit.parent_id)
    return ids


def unit_options(user: Any, mode: str, q: str = "", page: int = 1, per_page: int = 30) -> tuple[list[Unit], bool]:
    ids = reachable_unit_ids(user, mode)
    if not ids:
        return [], False
    stmt = select(Unit).where(Unit.id.in_(ids), Unit.active.is_(True))
    if q:
        stmt = stmt.where(Unit.name.contains(q))
    rows = list(db.session.scalars(stmt.order_by(Unit.depth, Unit.sort, Unit.id)
                                   .offset((page - 1) * per_page).limit(per_page + 1)).all())
    return rows[:per_page], len(rows) > per_page


def user_options(user: Any, mode: str, q: str = "", page: int = 1,
                 per_page: int = 30) -> tuple[list[UnitUser], bool]:
    ids = reachable_unit_ids(user, "push_users" if mode == "push_users" else "write")
    if not ids:
        return [], False
    stmt = select(UnitUser).join(Unit, Unit.id == UnitUser.unit_id).where(
        UnitUser.unit_id.in_(ids), UnitUser.active.is_(True), UnitUser.user_type == "unit", UnitUser.id != user.id)
    if q:
        stmt = stmt.where(or_(UnitUser.first_name.contains(q), UnitUser.username.contains(q),
                              Unit.name.contains(q)))
    rows = list(db.session.scalars(stmt.order_by(Unit.depth, UnitUser.unit_id, UnitUser.id)
                                   .offset((page - 1) * per_page).limit(per_page + 1)).all())
    return rows[:per_page], len(rows) > per_page


def _ids(values: Iterable[Any]) -> list[int]:
    out: list[int] = []
    for v in values:
        s = str(v).strip()
        if not s:
            continue
        if not s.isdigit():
            raise MessageError(_("收件人不正确"))
        out.append(int(s))
    return list(dict.fromkeys(out))


def _check(sender: Any, unit_ids: list[int], user_ids: list[int], mode: str) -> dict[int, int | None]:
    """The final recipients {user id: unit addressed or None}; refuses anything out of reach."""
    if mode == "write":
        unit_mode, user_mode = "write", "write"
    elif mode == "push_units":
        unit_mode, user_mode = "push_units", None
    elif mode == "push_users":
        unit_mode, user_mode = None, "push_users"
    else:
        raise MessageError(_("收件人不正确"))
    allowed_units = set(reachable_unit_ids(sender, unit_mode)) if unit_mode else set()
    if any(u not in allowed_units for u in unit_ids):
        raise MessageError(_("所选单位不在可发送的范围内"), "units")
    out: dict[int, int | None] = {}
    if user_ids:
        if user_mode is None:
            raise MessageError(_("收件人不正确"), "users")
        allowed = set(reachable_unit_ids(sender, user_mode))
        rows = db.session.execute(
            select(UnitUser.id, UnitUser.unit_id).where(UnitUser.id.in_(user_ids), UnitUser.active.is_(True),
                                                        UnitUser.user_type == "unit")
        ).all()
        found = {uid: unit for uid, unit in rows}
        if any(uid not in found or found[uid] not in allowed or uid == sender.id for uid in user_ids):
            raise MessageError(_("所选人员不在可发送的范围内"), "users")
        out.update({uid: None for uid in user_ids})
    if unit_ids:
        rows = db.session.execute(
            select(UnitUser.id, UnitUser.unit_id).where(UnitUser.unit_id.in_(unit_ids), UnitUser.active.is_(True),
                                                        UnitUser.user_type == "unit")
        ).all()
        for uid, unit in rows:
            if uid != sender.id:
                out.setdefault(uid, unit)
    return out


def save(sender: Any, *, title: str, body: str, unit_ids: Iterable[Any] = (), user_ids: Iterable[Any] = (),
         mode: str = "write", draft: bool = False, message: Message | None = None) -> Message:
    """Save a draft or send; the caller commits."""
    title = (title or "").strip()
    body = (body or "").strip()
    units, users = _ids(unit_ids), _ids(user_ids)
    if not title:
        raise MessageError(_("请填写标题"), "title")
    if len(title) > 200:
        raise MessageError(_("标题不能超过200个字"), "title")
    reason = check_length(body, Message.body)
    if reason:
        raise MessageError(reason, "body")
    if message is not None and (message.sender_id != sender.id or message.state != "draft"):
        raise MessageError(_("只能编辑自己的草稿"))
    recipients = _check(sender, units, users, mode)
    if not draft:
        if not body:
            raise MessageError(_("请填写内容"), "body")
        if not recipients:
            raise MessageError(_("请选择收件单位或收件人（所选单位暂无用户）"), "users")
    msg = message or Message(sender_id=sender.id, sender_unit_id=sender.unit_id)
    msg.kind = "personal" if mode == "write" else "push"
    msg.title, msg.body = title, body
    msg.draft_units = ",".join(map(str, units)) or None
    msg.draft_users = ",".join(map(str, users)) or None
    if message is None:
        db.session.add(msg)
    if draft:
        msg.state = "draft"
    else:
        msg.state = "sent"
        msg.sent_at = now()
        msg.recipients = [MessageRecipient(user_id=uid, via_unit_id=via) for uid, via in recipients.items()]
        from app.services.core import audit

        audit.record("message", msg, detail=_("收件人%(n)s人", n=len(recipients)), user=sender)
    return msg


def notify(user_ids: Iterable[int], title: str, body: str, link: str | None = None) -> Message | None:
    """A system message from the platform (no sender), in the caller's transaction."""
    ids = [i for i in dict.fromkeys(user_ids) if i]
    if not ids:
        return None
    msg = Message(sender_id=None, kind="system", state="sent", title=title[:200], body=body, link=link,
                  sent_at=now())
    msg.recipients = [MessageRecipient(user_id=i) for i in ids]
    db.session.add(msg)
    return msg


# -- reading ---------------------------------------------------------------------------------


def unread_count_query(user_id: int) -> Select[Any]:
    """How many messages ``user_id`` has not read (the navbar's badge, the home panel)."""
    return select(func.count()).select_from(MessageRecipient).where(
        MessageRecipient.user_id == user_id, MessageRecipient.read_at.is_(None),
        MessageRecipient.deleted_at.is_(None))


def remember_unread(user_id: int, count: int) -> None:
    """Keep a count read elsewhere (the statement that loads the user) for this request only."""
    if has_request_context():
        g.__dict__.setdefault("_unread", {})[user_id] = int(count or 0)


def forget_unread(user_id: int) -> None:
    if has_request_context():
        g.__dict__.get("_unread", {}).pop(user_id, None)


def unread_count(user: Any) -> int:
    """Counted once per request at most, and never kept beyond it (another worker may change it)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    cache = g.__dict__.setdefault("_unread", {}) if has_request_context() else {}
    if user.id not in cache:
        cache[user.id] = db.session.scalar(unread_count_query(user.id)) or 0
    return cache[user.id]


def latest_unread(user: Any, limit: int = 5) -> list[MessageRecipient]:
    return list(db.session.scalars(
        select(MessageRecipient).where(MessageRecipient.user_id == user.id, MessageRecipient.read_at.is_(None),
                                       MessageRecipient.deleted_at.is_(None))
        .order_by(MessageRecipient.id.desc()).limit(limit)
    ).all())


def mark_read(user: Any, recipient_ids: Iterable[int]) -> int:
    result = db.session.execute(
        update(MessageRecipient).where(MessageRecipient.id.in_(list(recipient_ids)),
                                       MessageRecipient.user_id == user.id, MessageRecipient.read_at.is_(None))
        .values(read_at=now())
    )
    forget_unread(user.id)
    return result.rowcount or 0


# -- the review engine's messages -------------------------------------------------------------

ACTION_TEXT = {"return": "退回", "reject": "审核不通过", "approve": "审核通过", "push": "推送", "decline": "不接收（退回）"}


def _review_link(matter: Any, record: Any) -> str | None:
    if not matter.list_endpoint or not has_request_context():
        return None
    view = matter.list_endpoint.rsplit(".", 1)[0]
    try:
        return url_for(f"{view}.review", pk=record.id)
    except Exception:  # the view has no review page
        return None


def engine_notify(matter: Any, record: Any, review: Any, action: str, user: Any) -> None:
    """Tell the applicant of a return, a rejection and the final approval; tell a pushed unit."""
    title_of = matter.title_of(record)
    unit_name = getattr(getattr(user, "unit", None), "name", "")
    opinion = review.trail[-1].opinion if review.trail else None
    link = _review_link(matter, record)
    if action in ("return", "reject") or review.state in ("approved", "returned") and action in ("approve", "accept",
                                                                                                 "decline"):
        verb = ACTION_TEXT["approve"] if review.state == "approved" else ACTION_TEXT[action]
        title = _("【%(m)s】%(t)s：%(a)s", m=str(matter.name), t=title_of, a=verb)
        body = _("%(u)s%(a)s。", u=unit_name, a=verb) + (_("意见：%(o)s", o=opinion) if opinion else "")
        notify([review.applicant_user_id], title, body, link)
    elif action == "push":
        node = review.nodes[review.step]
        ids = db.session.scalars(select(UnitUser.id).where(UnitUser.unit_id == node.unit_id,
                                                           UnitUser.active.is_(True))).all()
        title = _("【%(m)s】%(t)s：请办理接收", m=str(matter.name), t=title_of)
        notify(ids, title, _("%(u)s推送给本单位，请接收或不接收。", u=unit_name), link)


def install() -> None:
    from app.workflow import NOTIFY

    if engine_notify not in NOTIFY:
        NOTIFY.append(engine_notify)
