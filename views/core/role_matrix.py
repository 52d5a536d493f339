"""角色权限矩阵 (P-05): read and edit a role as menus × actions, in Chinese."""

from __future__ import annotations

from typing import Any

from flask import abort, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.security.sqla.models import Role
from flask_babel import gettext as _

from app.extensions import db
from app.services.core import role_matrix as service
from app.services.core.validators import to_id
from views.writes import write


class RoleMatrixView(BaseView):
    route_base = "/rolematrix"
    scope_model = Role  # the walker tries another unit's custom role
    default_view = "index"
    base_permissions = ["can_list", "can_edit"]
    method_permission_name = {"index": "list", "role": "edit"}

    @expose("/")
    @has_access
    def index(self) -> Any:
        roles = service.editable_roles(g.user)
        return self.render_template("roles/matrix_index.html", roles=roles, title=_("角色权限矩阵"))

    @expose("/role/<int:pk>", methods=["GET", "POST"])
    @has_access
    def role(self, pk: int) -> Any:
        role = db.session.get(Role, pk)
        try:
            service.check_role(g.user, role)
        except service.MatrixError:
            abort(404)
        if request.method == "POST":
            ids = [n for n in map(to_id, request.form.getlist("pv")) if n]
            if write(lambda: service.save(g.user, role, ids), lambda _saved: _("角色“%(r)s”的权限已保存", r=role.name)):
                return redirect(url_for("RoleMatrixView.role", pk=pk))
        return self.render_template("roles/matrix.html", role=role, groups=service.matrix(g.user, role),
                                    columns=service.COLUMNS, title=_("角色权限矩阵：%(r)s", r=role.name),
                                    crumb_tail=[(role.name, None)])
