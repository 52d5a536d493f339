"""通知公告 (P-11): publish, revoke, and the public portal's queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.services.core import attachments, audit
from app.services.errors import BusinessError
from models.core.notice import Notice

attachments.register_owner(
    "core.notice", Notice, [attachments.Slot("files", _l("附件"), multiple=True, max_mb=50)],
    public=lambda notice: shown_now(notice), edit_permission=("can_edit", "NoticeView"),
    # as the notice's own edit form: units whose scope holds it, with the edit right, in any state
    writers=attachments.Writers(attachments.IN_SCOPE, ("can_edit", "NoticeView")),
)


def shown_now(notice: Notice) -> bool:
    """Whether the portal shows ``notice`` now: published and within its window (see :func:`on_portal`)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return notice.state == "published" and (notice.visible_from is None or notice.visible_from <= now) \
        and (notice.visible_until is None or notice.visible_until >= now)


class NoticeError(BusinessError):
    """A refused notice operation."""


def publish(notice: Notice, user: Any) -> None:
    if notice.state == "published":
        raise NoticeError(_("“%(t)s”已经发布", t=notice.title))
    notice.state = "published"
    notice.published_at = dt.datetime.now(dt.UTC)
    audit.record("publish", notice, user=user)


def revoke(notice: Notice, user: Any) -> None:
    if notice.state != "published":
        raise NoticeError(_("“%(t)s”未发布，不能撤销", t=notice.title))
    notice.state = "revoked"
    audit.record("revoke", notice, user=user)


def check_deletable(notice: Notice) -> None:
    if notice.state == "published":
        raise NoticeError(_("“%(t)s”已发布，请先撤销再删除", t=notice.title))


def on_portal() -> Any:
    """A published notice within its window (``visible_from`` … ``visible_until``, either bound may be
    unset): what the portal lists and shows."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return and_(Notice.state == "published", or_(Notice.visible_from.is_(None), Notice.visible_from <= now),
                or_(Notice.visible_until.is_(None), Notice.visible_until >= now))


def portal_page(kind: str | None = None, q: str = "", page: int = 1, per_page: int = 15) -> tuple[list[Notice], int]:
    """Published notices within their window, newest first, by type and words in the title or content."""
    where = [on_portal()]
    if kind:
        where.append(Notice.kind == kind)
    if q:
        where.append(or_(Notice.title.contains(q), Notice.content.contains(q)))
    total = db.session.scalar(select(func.count()).select_from(Notice).where(*where)) or 0
    rows = db.session.scalars(select(Notice).where(*where).order_by(Notice.published_at.desc(), Notice.id.desc())
                              .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def latest_by_kind(limit: int = 6) -> dict[str, list[Notice]]:
    """For the portal home: the newest few of each type that has any."""
    out: dict[str, list[Notice]] = {}
    kinds = db.session.scalars(select(Notice.kind).where(on_portal()).group_by(Notice.kind)).all()
    for kind in sorted(kinds):
        out[kind] = portal_page(kind, per_page=limit)[0]
    return out


# a line may offer actions on its own notices' portal pages (职称评审: 我要反馈 on a 评审结果公示):
# each provider gives (label, url) pairs for a notice, usually none
ACTION_PROVIDERS: list[Callable[[Notice], list[tuple[str, str]]]] = []


def portal_actions(notice: Notice) -> list[tuple[str, str]]:
    """The actions the lines offer on ``notice``'s portal page."""
    return [action for provider in ACTION_PROVIDERS for action in provider(notice)]


def published(notice_id: int) -> Notice | None:
    """The notice when the portal shows it now (published, within its window)."""
    return db.session.scalar(select(Notice).where(Notice.id == notice_id, on_portal()))
