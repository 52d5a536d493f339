"""站内消息 (P-12): 写消息, 消息推送, 收件箱, 已发送 (read receipts), 草稿箱."""

from __future__ import annotations

from typing import Any

from flask import abort, g, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.services.core import messages as service
from app.services.core.validators import to_id
from models.core.message import Message, MessageRecipient
from models.core.unit import Unit
from models.core.user import UnitUser
from views.base import ScopedModelView, scoped_interface
from views.writes import write


class NotDeleted(BaseFilter):
    name = "not_deleted"

    def apply(self, query: Any, value: Any) -> Any:
        query = query.filter(self.model.deleted_at.is_(None))
        if request.args.get("unread") == "1":
            query = query.filter(self.model.read_at.is_(None))
        return query


def _when(v: Any) -> str:
    from app.filters import local_time

    return local_time(v)


class InboxView(ScopedModelView):
    """收件箱: the user's own copies (scope "owner": never another user's)."""

    route_base = "/inbox"
    datamodel = scoped_interface(MessageRecipient)
    list_title = _l("收件箱")
    show_title = _l("消息详情")
    list_template = "messages/inbox.html"
    show_template = "messages/show.html"
    label_columns = {"title": _l("标题"), "sender_label": _l("发件人"), "sent_at": _l("发送时间"),
                     "read_at": _l("阅读时间"), "via_unit": _l("收件单位")}
    list_columns = ["title", "sender_label", "sent_at", "read_at"]
    show_columns = ["title", "sender_label", "sent_at", "read_at"]
    base_permissions = ["can_list", "can_show", "markread", "remove"]
    base_filters = [["id", NotDeleted, None]]
    base_order = ("id", "desc")
    search_columns: list[str] = []
    formatters_columns = {"sent_at": _when,
                          "read_at": lambda v: _when(v) if v else str(_l("未读"))}

    @expose("/show/<pk>", methods=["GET", "POST"])
    @has_access
    def show(self, pk: Any) -> Any:
        item = self.get_scoped(pk)
        if item.deleted_at is not None:
            abort(404)
        if request.method == "POST":  # 确认已读
            write(lambda: service.mark_read(g.user, [item.id]), _("已确认阅读"))
            return redirect(url_for("InboxView.show", pk=pk))
        return self.render_template(self.show_template, item=item, message=item.message, title=str(self.show_title))

    @action("markread", _l("标记已读"), "", "fa-check", single=False)
    def markread(self, items: Any) -> Any:
        items = items if isinstance(items, list) else [items]
        write(lambda: service.mark_read(g.user, [i.id for i in items]), lambda n: _("已标记%(n)s条为已读", n=n))
        return redirect(self.get_redirect())

    @action("remove", _l("删除"), _l("确定删除所选消息？"), "fa-trash", single=False)
    def remove(self, items: Any) -> Any:
        items = items if isinstance(items, list) else [items]

        def remove() -> None:
            for item in items:
                item.deleted_at = service.now()

        write(remove, _("已删除%(n)s条消息", n=len(items)))
        return redirect(self.get_redirect())


class SentView(ScopedModelView):
    """已发送: the user's sent messages with their read receipts."""

    route_base = "/sentmessages"
    datamodel = scoped_interface(Message)
    list_title = _l("已发送")
    show_title = _l("消息详情")
    show_template = "messages/sent_show.html"
    label_columns = {"title": _l("标题"), "kind": _l("类型"), "sent_at": _l("发送时间"),
                     "recipient_count": _l("收件人数"), "read_count": _l("已读人数")}
    list_columns = ["title", "kind", "sent_at", "recipient_count", "read_count"]
    show_columns = list_columns
    base_permissions = ["can_list", "can_show"]
    base_filters = [["state", FilterEqual, "sent"]]
    base_order = ("id", "desc")
    search_columns = ["title"]
    formatters_columns = {"sent_at": _when,
                          "kind": lambda v: str(_l("消息推送")) if v == "push" else str(_l("站内消息"))}

    @expose("/show/<pk>")
    @has_access
    def show(self, pk: Any) -> Any:
        item = self.get_scoped(pk)
        return self.render_template(self.show_template, message=item, title=str(self.show_title))


class DraftView(ScopedModelView):
    """草稿箱: unsent messages; 编辑 opens the compose page with what was saved."""

    route_base = "/draftmessages"
    datamodel = scoped_interface(Message)
    list_title = _l("草稿箱")
    label_columns = {"title": _l("标题"), "created_at": _l("保存时间")}
    list_columns = ["title", "created_at"]
    base_permissions = ["can_list", "can_show", "can_delete"]
    base_filters = [["state", FilterEqual, "draft"]]
    base_order = ("id", "desc")
    search_columns = ["title"]
    formatters_columns = {"created_at": _when}

    @expose("/show/<pk>")
    @has_access
    def show(self, pk: Any) -> Any:
        item = self.get_scoped(pk)
        endpoint = "ComposeView.compose" if item.kind == "personal" else "ComposeView.push"
        return redirect(url_for(endpoint, draft=item.id))


class ComposeView(BaseView):
    """写消息 and 消息推送; the recipient pickers offer only reachable units and users."""

    route_base = "/messages"
    default_view = "compose"
    base_permissions = ["can_compose", "can_push"]
    method_permission_name = {"compose": "compose", "push": "push", "options": "compose"}

    def _form_state(self, message: Message | None, mode: str) -> dict[str, Any]:
        if request.method == "POST":
            units = request.form.getlist("units")
            users = request.form.getlist("users")
            title, body = request.form.get("title", ""), request.form.get("body", "")
        elif message is not None:
            units = (message.draft_units or "").split(",") if message.draft_units else []
            users = (message.draft_users or "").split(",") if message.draft_users else []
            title, body = message.title, message.body
        else:
            units = request.args.getlist("unit")
            users = request.args.getlist("user")
            title, body = self._reply_title(), ""
        # keep what was chosen, but show only what the user may reach
        unit_ids = {n for n in map(to_id, units) if n}
        user_ids = {n for n in map(to_id, users) if n}
        unit_reach = set(service.reachable_unit_ids(g.user, "write" if mode == "write" else "push_units"))
        user_reach = set(service.reachable_unit_ids(g.user, "push_users" if mode == "push_users" else "write"))
        chosen_units = db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids & unit_reach))).all()
        chosen_users = db.session.scalars(select(UnitUser).where(UnitUser.id.in_(user_ids),
                                                                 UnitUser.unit_id.in_(user_reach))).all()
        return {"title_value": title, "body": body, "chosen_units": chosen_units, "chosen_users": chosen_users}

    @staticmethod
    def _reply_title() -> str:
        """回复: the title of the message answered, once prefixed (回复：…), if the user received it."""
        pk = request.args.get("reply")
        if not pk or not pk.isdigit():
            return ""
        received = db.session.scalar(select(MessageRecipient).where(MessageRecipient.message_id == int(pk),
                                                                    MessageRecipient.user_id == g.user.id))
        if received is None:
            return ""
        title = received.message.title or ""
        prefix = _("回复：")
        return (title if title.startswith(prefix) else prefix + title)[:200]

    def _page(self, mode: str) -> Any:
        draft_id = request.values.get("draft")
        message = None
        if draft_id:
            message = db.session.get(Message, to_id(draft_id)) if to_id(draft_id) else None
            if message is None or message.sender_id != g.user.id or message.state != "draft":
                abort(404)
        errors: dict[str, str] = {}
        if request.method == "POST":
            draft = request.form.get("op") == "draft"
            done = write(lambda: service.save(
                g.user, title=request.form.get("title", ""), body=request.form.get("body", ""),
                unit_ids=request.form.getlist("units"), user_ids=request.form.getlist("users"), mode=mode, draft=draft,
                message=message), lambda msg: _("已保存到草稿箱") if draft else _("已发送给%(n)s人", n=len(msg.recipients)),
                errors=errors)
            if done.value is not None:
                msg = done.value
                return redirect(url_for("DraftView.list") if draft else url_for("SentView.show", pk=msg.id))
        endpoint = "ComposeView.push" if mode != "write" else "ComposeView.compose"
        title = _("写消息") if mode == "write" else _("消息推送")
        return self.render_template(
            "messages/compose.html", title=title, mode=mode, errors=errors, draft=message, endpoint=endpoint,
            **self._form_state(message, mode),
        )

    @expose("/compose", methods=["GET", "POST"])
    @has_access
    def compose(self) -> Any:
        return self._page("write")

    @expose("/push", methods=["GET", "POST"])
    @has_access
    def push(self) -> Any:
        mode = request.values.get("to", "push_units")
        if mode not in ("push_units", "push_users"):
            abort(404)
        return self._page(mode)

    @expose("/options/<kind>")
    @has_access
    def options(self, kind: str) -> Any:
        """Select2 options (units or users) for one mode; nothing outside the sender's reach."""
        mode = request.args.get("mode", "write")
        if mode not in ("write", "push_units", "push_users") or kind not in ("units", "users"):
            abort(404)
        q = (request.args.get("q") or "").strip()[:50]
        page = max(to_id(request.args.get("page", "1")) or 1, 1)
        if kind == "units":
            rows, more = service.unit_options(g.user, mode, q, page)
            own = g.user.unit
            results = []
            for u in rows:
                rel = _("本单位") if u.id == own.id else (_("上级单位") if u.id == own.parent_id else _("下级单位"))
                results.append({"id": u.id, "text": f"{u.name}（{rel}）"})
        else:
            rows, more = service.user_options(g.user, mode, q, page)
            results = [{"id": u.id, "text": f"{u.name}（{u.unit.name if u.unit else ''}）"} for u in rows]
        return jsonify({"results": results, "pagination": {"more": more}})
