"""通知公告管理 (P-11) and the public portal (no login) that shows what is published."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from app.services.core import attachments, dicts
from app.services.core import notices as service
from app.services.core.validators import to_id
from models.core.notice import NOTICE_STATES, Notice
from views.base import FormError, ScopedModelView, scoped_interface
from views.writes import write


def _when(v: Any) -> str:
    from app.filters import local_time

    return local_time(v)


class NoticeView(ScopedModelView):
    route_base = "/notices"
    datamodel = scoped_interface(Notice)
    entity_title = _l("通知公告")
    show_template = "notices/show.html"
    label_columns = {"kind": _l("公告类型"), "title": _l("标题"), "content": _l("内容"), "state": _l("状态"),
                     "published_at": _l("发布时间"), "unit": _l("发布单位"), "author": _l("编辑人"),
                     "changed_on": _l("修改时间")}
    list_columns = ["kind", "title", "state", "published_at", "unit"]
    show_columns = ["kind", "title", "content", "state", "published_at", "unit", "author", "changed_on"]
    add_columns = edit_columns = ["kind", "title", "content"]
    search_columns = ["kind", "title", "state"]
    base_order = ("id", "desc")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete", "publish", "revoke"]
    formatters_columns = {"state": lambda v: str(_l(NOTICE_STATES.get(v, v))), "published_at": _when}
    add_form_extra_fields = edit_form_extra_fields = {
        "content": TextAreaField(_l("内容"), validators=[DataRequired(message=_l("请填写内容")),
                                                       Length(max=20000, message=_l("内容不能超过20000字"))],
                                 render_kw={"rows": 12}),
    }
    validators_columns = {"title": [DataRequired(message=_l("请填写标题")), Length(max=200)]}

    def pre_add(self, item: Notice) -> None:
        item.unit_id = g.user.unit_id
        item.unit = g.user.unit
        item.author_id = g.user.id
        item.state = "draft"

    def pre_update(self, item: Notice) -> None:
        item.author_id = g.user.id

    def pre_delete(self, item: Notice) -> None:
        try:
            service.check_deletable(item)
        except service.NoticeError as e:
            raise FormError(str(e)) from e

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk: Any) -> Any:
        item = self.get_scoped(pk)
        return self.render_template(
            self.show_template, pk=pk, title=str(self.show_title), widgets=self._get_show_widget(pk, item),
            related_views=[], notice=item, owner=attachments.owner_of(item), files=attachments.current(item),
            editable=self.appbuilder.sm.has_access("can_edit", "NoticeView"),
        )

    def _transition(self, items: Any, fn: Any, done: str) -> Any:
        items = items if isinstance(items, list) else [items]
        ok = 0
        for item in items:
            if write(lambda item=item: fn(item, g.user)):
                ok += 1
        if ok:
            flash(_("%(a)s%(n)s条", a=done, n=ok), "success")
        return redirect(url_for("NoticeView.list"))

    @action("publish", _l("发布"), _l("确定发布所选公告？发布后在门户首页公开。"), "fa-bullhorn")
    def publish(self, items: Any) -> Any:
        return self._transition(items, service.publish, _("已发布"))

    @action("revoke", _l("撤销"), _l("确定撤销所选公告？撤销后门户首页不再显示。"), "fa-undo")
    def revoke(self, items: Any) -> Any:
        return self._transition(items, service.revoke, _("已撤销"))


class PortalView(BaseView):
    """门户首页: published notices by type, search, paging and detail pages; no login needed."""

    route_base = "/portal"
    default_view = "index"
    scope_model = Notice  # only published notices answer

    def _kinds(self) -> list[tuple[str, str]]:
        return dicts.choices("notice_type")

    @expose("/")
    def index(self) -> Any:
        kind = request.args.get("kind") or None
        q = (request.args.get("q") or "").strip()[:50]
        page = request.args.get("page", "1")
        page = max(to_id(page) or 1, 1)
        kinds = self._kinds()
        if kind and kind not in dict(kinds):
            abort(404)
        rows, total = service.portal_page(kind, q, page)
        pages = max((total + 14) // 15, 1)
        return self.render_template("notices/portal_list.html", rows=rows, total=total, page=page, pages=pages,
                                    kind=kind, q=q, kinds=kinds, kind_labels=dict(kinds),
                                    title=dict(kinds).get(kind, _("通知公告")) if kind else _("通知公告"))

    @expose("/notice/<int:pk>")
    def notice(self, pk: int) -> Any:
        item = service.published(pk)
        if item is None:
            abort(404)
        return self.render_template("notices/portal_show.html", notice=item, files=attachments.current(item),
                                    kind_labels=dict(self._kinds()), title=item.title,
                                    actions=service.portal_actions(item))
