"""Attachment upload, download and removal for every record type (P-17).

Downloads are answered only through the owner record's scope (or its public rule). Uploads and
removals follow the owner's rules, not visibility: the service's ``check_write`` (the slot's
writers — which unit or person, which permission — and the record's review state) decides; a
record the user cannot see answers 404, a refused write 403 with the reason, and nothing changes.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, g, redirect, render_template, request, send_file
from flask_appbuilder import BaseView, expose
from flask_babel import gettext as _

from app.extensions import db
from app.security.scope import record_in_scope
from app.services.core import attachments as service
from models.core.attachment import Attachment
from views.writes import write


def _next() -> str:
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return current_app.appbuilder.get_url_for_index


def _user() -> Any:
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        abort(404)
    return user


def _visible_record(owner_code: str, owner_id: int) -> Any:
    """The record, when the user may see it (else 404: nothing is told about other branches)."""
    owner = service.OWNERS.get(owner_code)
    if owner is None:
        abort(404)
    record = db.session.get(owner.model, owner_id)
    if record is None or not record_in_scope(record, _user()):
        abort(404)
    return record


def _refused(reason: str) -> Any:
    appbuilder = current_app.appbuilder
    return render_template("error.html", code=403, message=reason, appbuilder=appbuilder,
                           base_template=appbuilder.base_template), 403


class AttachmentView(BaseView):
    route_base = "/attachments"
    scope_model = Attachment

    @expose("/upload/<owner>/<int:owner_id>/<slot>", methods=["POST"])
    def upload(self, owner: str, owner_id: int, slot: str) -> Any:
        record = _visible_record(owner, owner_id)
        try:
            service.check_write(record, slot, g.user, "upload")
        except service.WriteRefused as e:
            return _refused(str(e))
        except service.AttachmentError:
            abort(404)
        files = [f for f in request.files.getlist("file") if f and f.filename]
        if not files:
            flash(_("请选择要上传的文件"), "warning")
            return redirect(_next())
        try:
            write(lambda: [service.save_upload(record, slot, f.stream, f.filename, g.user).file_name for f in files],
                  lambda names: _("已上传：%(n)s", n="、".join(names)), passed_on=(service.WriteRefused,))
        except service.WriteRefused as e:  # rolled back: answered 403 with the reason
            return _refused(str(e))
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
        _visible_record(row.owner_type, row.owner_id)
        name = row.file_name
        try:
            write(lambda: service.delete_upload(row, g.user), _("已删除附件：%(n)s", n=name),
                  passed_on=(service.AttachmentError,))
        except service.WriteRefused as e:  # rolled back: answered 403 with the reason
            return _refused(str(e))
        except service.AttachmentError:
            abort(404)
        return redirect(_next())
