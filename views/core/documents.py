"""批量导入 (one screen for every ImportSpec) and 后台任务 (progress and result of a job)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, abort, current_app, flash, g, jsonify, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import gettext as _

from app.extensions import db
from app.security.scope import record_in_scope
from app.services.core.attachments import storage
from app.services.documents import imports, jobs
from models.core.document import ImportBatch, Job

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(body: bytes, name: str) -> Response:
    return Response(body, mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename=import.xlsx; filename*=UTF-8''{quote(name)}"})


def _login_required() -> Any:
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        abort(404)
    return user


class ImportView(BaseView):
    """The import pipeline's pages; the right to import is the spec's own permission."""

    route_base = "/imports"
    scope_model = ImportBatch

    def _spec(self, code: str) -> imports.ImportSpec:
        user = _login_required()
        spec = imports.SPECS.get(code)
        if spec is None:
            abort(404)
        if spec.permission and not self.appbuilder.sm.has_access(*spec.permission):
            abort(403)
        if spec.context is not None and request.endpoint in ("ImportView.start", "ImportView.template"):
            try:
                spec.context(request.values.get("ctx", ""), user)
            except imports.ImportError_:
                abort(404)
        return spec

    def _batch(self, pk: int) -> tuple[imports.ImportSpec, ImportBatch]:
        user = _login_required()
        batch = db.session.get(ImportBatch, pk)
        if batch is None or not record_in_scope(batch, user):
            abort(404)
        return self._spec(batch.spec), batch

    @expose("/<spec>/", methods=["GET", "POST"])
    def start(self, spec: str) -> Any:
        the_spec = self._spec(spec)
        if request.method == "POST":
            f = request.files.get("file")
            if f is None or not f.filename:
                flash(_("请选择要上传的文件"), "warning")
            else:
                data = f.read()
                if len(data) > int(current_app.config.get("IMPORT_JOB_BYTES", 2 * 1024 * 1024)):
                    key = imports.store_original(data)
                    job = jobs.submit("import", _("导入：%(t)s", t=the_spec.title), g.user,
                                      {"spec": the_spec.code, "key": key, "file_name": f.filename,
                                       "context": request.values.get("ctx")})
                    flash(_("文件较大，已转为后台检查，完成后可查看检查结果"), "info")
                    return redirect(url_for("JobView.page", pk=job.id))
                try:
                    batch = imports.start(the_spec, data, f.filename, g.user, context=request.values.get("ctx"))
                    db.session.commit()
                except imports.ImportError_ as e:
                    db.session.rollback()
                    flash(str(e), "danger")
                else:
                    return redirect(url_for("ImportView.batch", pk=batch.id))
        return self.render_template("imports/start.html", spec=the_spec, title=_("批量导入：%(t)s", t=the_spec.title))

    @expose("/<spec>/template")
    def template(self, spec: str) -> Any:
        the_spec = self._spec(spec)
        return _xlsx(imports.template(the_spec), f"{the_spec.title}导入模板.xlsx")

    @expose("/batch/<int:pk>")
    def batch(self, pk: int) -> Any:
        spec, batch = self._batch(pk)
        view = imports.preview(batch)
        fix = request.args.get("fix", type=int)
        found = next(((item, p) for item, p in view.bad if item["row"] == fix), None) if fix else None
        fixing, fix_problems = (found[0], dict(found[1])) if found else (None, {})
        return self.render_template("imports/preview.html", spec=spec, batch=batch, view=view, fixing=fixing,
                                    fix_problems=fix_problems, title=_("批量导入：%(t)s", t=spec.title))

    @expose("/batch/<int:pk>/fix/<int:row>", methods=["POST"])
    def fix(self, pk: int, row: int) -> Any:
        spec, batch = self._batch(pk)
        try:
            problems = imports.fix_row(spec, batch, row, {c.key: request.form.get(c.key, "") for c in spec.columns},
                                       g.user)
            db.session.commit()
        except imports.ImportError_ as e:
            db.session.rollback()
            flash(str(e), "danger")
            return redirect(url_for("ImportView.batch", pk=pk))
        if problems:
            flash(_("第%(n)s行仍有错误，请继续修改", n=row), "warning")
            return redirect(url_for("ImportView.batch", pk=pk, fix=row) + "#fix")
        flash(_("第%(n)s行已修改，检查通过", n=row), "success")
        return redirect(url_for("ImportView.batch", pk=pk))

    @expose("/batch/<int:pk>/delete", methods=["POST"])
    def delete(self, pk: int) -> Any:
        spec, batch = self._batch(pk)
        which = None if request.form.get("all") else [int(r) for r in request.form.getlist("row") if r.isdigit()]
        try:
            n = imports.delete_rows(spec, batch, which, g.user)
            db.session.commit()
        except imports.ImportError_ as e:
            db.session.rollback()
            flash(str(e), "danger")
        else:
            flash(_("已删除%(n)s条失败数据", n=n), "success")
        return redirect(url_for("ImportView.batch", pk=pk))

    @expose("/batch/<int:pk>/errors")
    def errors(self, pk: int) -> Any:
        spec, batch = self._batch(pk)
        return _xlsx(imports.error_workbook(spec, batch), f"{spec.title}导入错误报告.xlsx")

    @expose("/batch/<int:pk>/commit", methods=["POST"])
    def commit(self, pk: int) -> Any:
        spec, batch = self._batch(pk)
        try:
            n = imports.commit(spec, batch, g.user)
            db.session.commit()
        except imports.ImportError_ as e:
            db.session.rollback()
            flash(str(e), "danger")
            return redirect(url_for("ImportView.batch", pk=pk))
        except Exception as e:  # a database constraint: nothing was imported
            db.session.rollback()
            current_app.logger.warning("import commit refused: %r", e)
            flash(_("导入失败，没有数据被导入：数据与已有记录冲突，请重新检查"), "danger")
            return redirect(url_for("ImportView.batch", pk=pk))
        flash(_("导入完成：成功导入%(n)s条", n=n), "success")
        if spec.context_endpoint is not None and batch.context:
            return redirect(spec.context_endpoint(batch.context))
        return redirect(url_for(spec.list_endpoint) if spec.list_endpoint else url_for("ImportView.batch", pk=pk))


@jobs.runner("import")
def import_job_runner(job: Job, report: Any) -> tuple[str | None, str | None, str | None]:
    """Check a large upload in the background; the result is the batch's preview page."""
    import json

    from models.core.user import UnitUser

    params = json.loads(job.params)
    user = db.session.get(UnitUser, job.user_id)
    spec = imports.SPECS[params["spec"]]
    with storage().open(params["key"]) as fh:
        data = fh.read()
    report(0, 1)
    try:
        batch = imports.start(spec, data, params["file_name"], user, storage_key=params["key"],
                              context=params.get("context"))
    except imports.ImportError_ as e:
        db.session.rollback()
        return None, None, str(e)
    db.session.commit()
    job.result_link = f"/imports/batch/{batch.id}"
    report(1, 1)
    return None, None, _("检查完成：共%(n)s条", n=batch.total)


class JobView(BaseView):
    """后台任务: progress of one job and its result, for the user who started it."""

    route_base = "/jobs"
    scope_model = Job

    def _job(self, pk: int) -> Job:
        user = _login_required()
        job = db.session.get(Job, pk)
        if job is None or job.user_id != user.id:
            abort(404)
        return job

    @expose("/<int:pk>")
    def page(self, pk: int) -> Any:
        job = self._job(pk)
        return self.render_template("imports/job.html", job=job, status=jobs.status(job), title=job.title)

    @expose("/<int:pk>/status")
    def status(self, pk: int) -> Any:
        job = self._job(pk)
        return jsonify(jobs.status(job))

    @expose("/<int:pk>/download")
    def download(self, pk: int) -> Any:
        job = self._job(pk)
        if not job.result_key:
            abort(404)
        return send_file(storage().open(job.result_key), as_attachment=True, download_name=job.result_name or "result",
                         mimetype=XLSX, max_age=0)
