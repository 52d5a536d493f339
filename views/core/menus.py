"""系统菜单 (seed 003 七): the system administrator renames, reorders and hides menu entries."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.services.core import audit
from app.services.core import menus as service
from models.core.setting import MenuSetting
from views.writes import write


class SystemMenuView(BaseView):
    route_base = "/systemmenu"
    default_view = "index"
    base_permissions = ["can_index", "can_edit"]
    method_permission_name = {"index": "index", "save": "edit"}

    def _page(self, errors: dict[str, str] | None = None, values: Any = None) -> Any:
        rows = {r.name: r for r in db.session.scalars(select(MenuSetting))}
        return self.render_template("menus/index.html", entries=service.entries(), rows=rows, errors=errors or {},
                                    values=values, original=service.original_label,
                                    title=_("系统菜单"))

    @expose("/")
    @has_access
    def index(self) -> Any:
        service.apply(force=True)
        return self._page()

    @expose("/save", methods=["POST"])
    @has_access
    def save(self) -> Any:
        def save() -> int:
            n = service.save(request.form)
            audit.record("update", object_type="core_menu_setting", detail=f"{n}")
            return n

        errors: dict[str, str] = {}
        if not write(save, lambda n: _("系统菜单已保存（%(n)s项变更）", n=n), errors=errors, refusal=None):
            return self._page(errors, request.form)
        service.apply(force=True)
        return redirect(url_for("SystemMenuView.index"))
