"""系统菜单 (seed 003 七): the system administrator renames, reorders and hides menu entries."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.services.core import audit
from app.services.core import menus as service
from models.core.setting import MenuSetting


class SystemMenuView(BaseView):
    route_base = "/systemmenu"
    default_view = "index"
    base_permissions = ["can_index", "can_edit"]
    method_permission_name = {"index": "index", "save": "edit"}

    @expose("/")
    @has_access
    def index(self) -> Any:
        service.apply(force=True)
        rows = {r.name: r for r in db.session.scalars(select(MenuSetting))}
        return self.render_template("menus/index.html", entries=service.entries(), rows=rows, errors={},
                                    values=None, original=lambda item: service._originals(item)[0],
                                    title=_("系统菜单"))

    @expose("/save", methods=["POST"])
    @has_access
    def save(self) -> Any:
        try:
            n = service.save(request.form)
            audit.record("update", object_type="core_menu_setting", detail=f"{n}")
            db.session.commit()
        except service.MenuError as e:
            db.session.rollback()
            rows = {r.name: r for r in db.session.scalars(select(MenuSetting))}
            return self.render_template("menus/index.html", entries=service.entries(), rows=rows,
                                        errors={e.field: str(e)}, values=request.form,
                                        original=lambda item: service._originals(item)[0], title=_("系统菜单"))
        service.apply(force=True)
        flash(_("系统菜单已保存（%(n)s项变更）", n=n), "success")
        return redirect(url_for("SystemMenuView.index"))
