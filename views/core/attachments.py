"""Attachment upload, download and removal for every record type (P-17).

Downloads are answered only through the owner record's scope (or its public rule);
uploads and removals need the permission the owner declared for editing.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, g, redirect, request, send_file
from flask_appbuilder import BaseView, expose
from flask_babel import gettext as _

from app.extensions import db
from app.security.scope import record_in_scope
from app.services.core import attachments as service
from models.core.attachment import Attachment


def _next() -> str:
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return current_app.appbuilder.get_url_for_index


def _editable_record(owner_code: str, owner_id: int) -> tuple[service.Owner, Any]:
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        abort(404)
    owner = service.OWNERS.get(owner_code)
    if owner is None:
        abort(404)
    record = db.session.get(owner.model, owner_id)
    if record is None or not record_in_scope(record, user):
        abort(404)
    if owner.edit_permission is None or not current_app.appbuilder.sm.has_access(*owner.edit_permission):
        abort(403)
    return owner, record


class AttachmentView(BaseView):
    route_base = "/attachments"
    scope_model = Attachment

    @expose("/upload/<owner>/<int:owner_id>/<slot>", methods=["POST"])
    def upload(self, owner: str, owner_id: int, slot: str) -> Any:
        _owner, record = _editable_record(owner, owner_id)
        files = [f for f in request.files.getlist("file") if f and f.filename]
        if not files:
            flash(_("请选择要上传的文件"), "warning")
            return redirect(_next())
        try:
            names = []
            for f in files:
                names.append(service.save_upload(record, slot, f.stream, f.filename, g.user).file_name)
            db.session.commit()
        except service.AttachmentError as e:
            db.session.rollback()
            flash(str(e), "danger")
        else:
            flash(_("已上传：%(n)s", n="、".join(names)), "success")
        return redirect(_next())

    @expose("/download/<int:pk>")
    def download(self, pk: int) -> Any:
        row = db.session.get(Attachment, pk)
        if row is None:
            abort(404)
        try:
            fh = service.open_for_download(row, getattr(g, "user", None))
        except service.AttachmentError:
            abort(404)
        return send_file(fh, mimetype=service.MIME.get(row.kind, "application/octet-stream"), as_attachment=True,
                         download_name=row.file_name, max_age=0)

    @expose("/delete/<int:pk>", methods=["POST"])
    def delete(self, pk: int) -> Any:
        row = db.session.get(Attachment, pk)
        if row is None:
            abort(404)
        _owner, _record = _editable_record(row.owner_type, row.owner_id)
        name = row.file_name
        service.remove(row)
        from app.services.core import audit

        audit.record("delete", _record, detail=f"{row.slot}:{name}")
        db.session.commit()
        flash(_("已删除附件：%(n)s", n=name), "success")
        return redirect(_next())
