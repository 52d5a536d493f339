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
from app.services.core.validators import to_id
from app.services.documents import imports, jobs
from app.services.errors import BusinessError
from models.core.document import ImportBatch, Job
from views.writes import write

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
                    max_bytes = int(current_app.config.get("IMPORT_MAX_BYTES", 20 * 1024 * 1024))
                    if len(data) > max_bytes:
                        flash(_("文件超过%(m)sMB", m=max_bytes // (1024 * 1024)), "danger")
                        return self.render_template("imports/start.html", spec=the_spec,
                                                    title=_("批量导入：%(t)s", t=the_spec.title))
                    key = imports.store_original(data)
                    del data
                    job = jobs.submit("import", _("导入检查：%(t)s", t=the_spec.title), g.user,
                                      {"spec": the_spec.code, "key": key, "file_name": f.filename,
                                       "context": request.values.get("ctx")})
                    flash(_("文件较大，已转为后台检查，完成后可查看检查结果"), "info")
                    return redirect(url_for("JobView.page", pk=job.id))
                done = write(lambda: imports.start(the_spec, data, f.filename, g.user,
                                                   context=request.values.get("ctx")), refuse=(imports.ImportError_,))
                if done.value is not None:
                    return redirect(url_for("ImportView.batch", pk=done.value.id))
        return self.render_template("imports/start.html", spec=the_spec, title=_("批量导入：%(t)s", t=the_spec.title))

    @expose("/<spec>/template")
    def template(self, spec: str) -> Any:
        the_spec = self._spec(spec)
        rows: list[list[Any]] = []
        if the_spec.template_rows is not None and the_spec.context is not None:
            try:  # the context the user may import into, or none
                ctx = the_spec.context(request.args.get("ctx") or "", g.user)
            except BusinessError:
                abort(404)
            rows = list(the_spec.template_rows(ctx, g.user))
        return _xlsx(imports.template(the_spec, rows), f"{the_spec.title}导入模板.xlsx")

    @expose("/batch/<int:pk>")
    def batch(self, pk: int) -> Any:
        spec, batch = self._batch(pk)
        view = imports.preview(spec, batch, page=request.args.get("page", 1, type=int),
                               good_page=request.args.get("gpage", 1, type=int))
        fix = request.args.get("fix", type=int)
        fixing = imports.staged_row(spec, batch, fix) if fix else None
        fix_problems = dict(fixing.problems) if fixing else {}
        job_id = request.args.get("job", type=int)
        return self.render_template("imports/preview.html", spec=spec, batch=batch, view=view, fixing=fixing,
                                    fix_problems=fix_problems, job_id=job_id,
                                    title=_("批量导入：%(t)s", t=spec.title))

    @expose("/batch/<int:pk>/fix/<int:row>", methods=["POST"])
    def fix(self, pk: int, row: int) -> Any:
        spec, batch = self._batch(pk)
        done = write(lambda: imports.fix_row(spec, batch, row, {c.key: request.form.get(c.key, "") for c in spec.columns},
                                             g.user), refuse=(imports.ImportError_,))
        if not done:
            return redirect(url_for("ImportView.batch", pk=pk))
        if done.value:
            flash(_("第%(n)s行仍有错误，请继续修改", n=row), "warning")
            return redirect(url_for("ImportView.batch", pk=pk, fix=row) + "#fix")
        flash(_("第%(n)s行已修改，检查通过", n=row), "success")
        return redirect(url_for("ImportView.batch", pk=pk))

    @expose("/batch/<int:pk>/delete", methods=["POST"])
    def delete(self, pk: int) -> Any:
        spec, batch = self._batch(pk)
        which = None if request.form.get("all") else [n for n in map(to_id, request.form.getlist("row")) if n]
        write(lambda: imports.delete_rows(spec, batch, which, g.user), lambda n: _("已删除%(n)s条失败数据", n=n),
              refuse=(imports.ImportError_,))
        return redirect(url_for("ImportView.batch", pk=pk))

    @expose("/batch/<int:pk>/errors")
    def errors(self, pk: int) -> Any:
        spec, batch = self._batch(pk)
        return _xlsx(imports.error_workbook(spec, batch), f"{spec.title}导入错误报告.xlsx")

    @expose("/batch/<int:pk>/commit", methods=["POST"])
    def commit(self, pk: int) -> Any:
        spec, batch = self._batch(pk)
        if batch.state != "preview":
            flash(_("该批数据已处理，不能再修改"), "danger")
            return redirect(url_for("ImportView.batch", pk=pk))
        good, _bad = imports.counts(batch)
        if good > int(current_app.config.get("IMPORT_INLINE_ROWS", 2000)):
            # large batches are inserted by a job: the page follows its progress
            claimed = write(lambda: db.session.execute(db.update(ImportBatch).where(
                ImportBatch.id == batch.id, ImportBatch.state == "preview").values(state="committing")).rowcount).value
            if not claimed:
                flash(_("该批数据已处理，不能再修改"), "danger")
                return redirect(url_for("ImportView.batch", pk=pk))
            job = jobs.submit("import_commit", _("导入：%(t)s（%(n)s条）", t=spec.title, n=good), g.user,
                              {"batch": batch.id, "link": _after_commit(spec, batch)})
            return redirect(url_for("JobView.page", pk=job.id))
        try:
            done = write(lambda: imports.commit(spec, batch, g.user), lambda n: _("导入完成：成功导入%(n)s条", n=n),
                         refuse=(imports.ImportError_,))
        except Exception as e:  # a database constraint (rolled back): nothing was imported
            current_app.logger.warning("import commit refused: %r", e)
            flash(_("导入失败，没有数据被导入：数据与已有记录冲突，请重新检查"), "danger")
            return redirect(url_for("ImportView.batch", pk=pk))
        if not done:
            return redirect(url_for("ImportView.batch", pk=pk))
        return redirect(_after_commit(spec, batch))


def _after_commit(spec: imports.ImportSpec, batch: ImportBatch) -> str:
    if spec.context_endpoint is not None and batch.context:
        return spec.context_endpoint(batch.context)
    return url_for(spec.list_endpoint) if spec.list_endpoint else url_for("ImportView.batch", pk=batch.id)


def _job_user(job: Job) -> Any:
    from models.core.user import UnitUser

    return db.session.get(UnitUser, job.user_id)


@jobs.runner("import")
def import_job_runner(job: Job, report: Any) -> tuple[str | None, str | None, str | None]:
    """Check a large upload in the background (staged chunk by chunk); the result is the batch's preview."""
    import json

    params = json.loads(job.params)
    user = _job_user(job)
    spec = imports.SPECS[params["spec"]]
    with storage().open(params["key"]) as fh:
        data = fh.read()
    job_id = job.id
    try:
        batch = imports.start(spec, data, params["file_name"], user, storage_key=params["key"],
                              context=params.get("context"), report=report)
    except imports.ImportError_:
        db.session.rollback()
        raise  # the job fails with the reason (a refused file leaves no batch)
    del data
    total = batch.total
    db.session.commit()
    db.session.execute(db.update(Job).where(Job.id == job_id).values(result_link=f"/imports/batch/{batch.id}"))
    db.session.commit()
    report(total, total)
    return None, None, _("检查完成：共%(n)s条", n=total)


@jobs.runner("import_commit")
def import_commit_runner(job: Job, report: Any) -> tuple[str | None, str | None, str | None]:
    """Insert a checked batch's good rows in one transaction; progress is rows inserted of rows to insert."""
    import json

    params = json.loads(job.params)
    user = _job_user(job)
    batch = db.session.get(ImportBatch, int(params["batch"]))
    spec = imports.SPECS[batch.spec]
    job_id, batch_id = job.id, batch.id
    try:
        n = imports.commit(spec, batch, user, report=report)
        db.session.commit()
    except Exception as e:
        db.session.rollback()
        db.session.execute(db.update(ImportBatch).where(ImportBatch.id == batch_id,
                                                        ImportBatch.state == "committing").values(state="preview"))
        db.session.execute(db.update(Job).where(Job.id == job_id).values(
            result_link=f"/imports/batch/{batch_id}"))
        db.session.commit()
        if isinstance(e, imports.ImportError_):
            raise
        current_app.logger.warning("import commit refused: %r", e)
        raise imports.ImportError_(_("导入失败，没有数据被导入：数据与已有记录冲突，请重新检查")) from e
    db.session.execute(db.update(Job).where(Job.id == job_id).values(
        result_link=params.get("link") or f"/imports/batch/{batch_id}"))
    db.session.commit()
    return None, None, _("导入完成：成功导入%(n)s条", n=n)


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
        import mimetypes

        name = job.result_name or "result.xlsx"
        kind = XLSX if name.endswith(".xlsx") else (mimetypes.guess_type(name)[0] or "application/octet-stream")
        return send_file(storage().open(job.result_key), as_attachment=True, download_name=name, mimetype=kind,
                         max_age=0)
