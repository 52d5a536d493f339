"""附件上传/下载 (TC-07 … TC-09): each department's bundles, and the bulk upload of stamped scans.

The city downloads its individual applications, stamps them and uploads the scans; the legal unit
does the same with its teams' applications; the province downloads everything: applications,
the legal units' stamped applications (单位附件), the stamped application scans (审核附件) and both
kinds of agreement. Every bundle is built from the viewer's scope only.

A bundle of more than ``BUNDLE_JOB_FILES`` records (config, default 50) is built by a background
job (``commissioner_bundle``) with its progress counted in records; the browser follows it on /jobs/<id>
and downloads the zip from there. The job rebuilds the user's request, so the same scope applies.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask import Response, abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.security.scope import scoped_query
from app.services.commissioner import bundles
from app.services.commissioner import individual as ind
from app.services.commissioner import org as org_service
from app.services.commissioner import team as team_service
from app.services.core import audit
from app.services.documents import jobs
from models.commissioner.individual import Agreement, Application
from models.commissioner.org import CommissionerOrg
from models.commissioner.team import TeamAgreement, TeamApplication
from models.core.unit import Unit
from views.writes import write

LIMIT = 500
# what each kind of unit finds on the page: bundles to download, and the upload it makes
SECTIONS = {
    "province": ("individual", "team", "orgs", "stamped", "agreements", "team_agreements"),
    "city": ("individual", "agreements"),
    "legal": ("team", "team_agreements"),
}
UPLOADS = {"city": "individual", "legal": "team"}
TITLES = {"individual": _l("个人申请表"), "team": _l("团队申请表"), "orgs": _l("单位附件"), "stamped": _l("审核附件"),
          "agreements": _l("个人服务协议"), "team_agreements": _l("团队服务协议")}
JOB_KIND = "commissioner_bundle"
BUNDLE_JOB_FILES = 50  # default of the config value: bundles of more records run as a job
Progress = Callable[[int, int], None]


def _individual_label(rec: Any) -> str:
    return rec.commissioner.name


def _team_label(rec: Any) -> str:
    return rec.team.name


class CommissionerFilesView(BaseView):
    class_permission_name = "commissioner.Files"
    previous_class_permission_name = "KtpFilesView"
    route_base = "/commissioner/files"
    default_view = "index"
    base_permissions = ["can_files", "can_upload"]
    method_permission_name = {"index": "files", "bundle": "files", "upload": "upload"}

    def _kind(self) -> str:
        unit = db.session.get(Unit, g.user.unit_id) if getattr(g.user, "unit_id", None) else None
        kind = org_service.kind_of(unit)
        if kind not in SECTIONS:
            abort(404)
        return kind

    def _page(self, outcomes: list[Any] | None = None, refused: str | None = None) -> Any:
        kind = self._kind()
        return self.render_template("commissioner/files.html", kind=kind, sections=SECTIONS[kind], upload=UPLOADS.get(kind),
                                    outcomes=outcomes, refused=refused, title=_("附件上传/下载"))

    @expose("/")
    @has_access
    def index(self) -> Any:
        return self._page()

    @expose("/bundle/<what>")
    @has_access
    def bundle(self, what: str) -> Any:
        if what not in SECTIONS[self._kind()]:
            abort(404)
        if self._size(what) > int(current_app.config.get("BUNDLE_JOB_FILES", BUNDLE_JOB_FILES)):
            job = jobs.submit(JOB_KIND, _("打包下载：%(title)s", title=TITLES[what]), g.user, {"what": what})
            return redirect(url_for("JobView.page", pk=job.id))
        body, n, title = self._build(what)
        audit.record_now("export", object_type="commissioner.Files", object_repr=what, detail=f"records={n}")
        name = quote(f"{title}_{n}份.zip")
        return Response(body, mimetype="application/zip",
                        headers={"Content-Disposition": f"attachment; filename={what}.zip; filename*=UTF-8''{name}"})

    def _rows(self, model: Any) -> list[Any]:
        return list(db.session.scalars(scoped_query(model).order_by(model.id).limit(LIMIT)).all())

    def _count(self, model: Any) -> int:
        return min(LIMIT, db.session.scalar(select(func.count()).select_from(scoped_query(model).subquery())) or 0)

    def _size(self, what: str) -> int:
        """How many records the bundle covers (what decides between the request and a job)."""
        models = {"individual": [Application], "team": [TeamApplication], "orgs": [CommissionerOrg],
                  "stamped": [Application, TeamApplication], "agreements": [Agreement],
                  "team_agreements": [TeamAgreement]}[what]
        return sum(self._count(m) for m in models)

    def _build(self, what: str, progress: Progress | None = None) -> tuple[bytes, int, str]:
        """The bundle's zip, the number of records in it and its title; ``progress(done, total)``
        after each record."""
        title = str(TITLES[what])

        def agreement(model: Any) -> Any:
            return lambda rec: db.session.scalar(select(model).where(model.application_id == rec.id))

        if what == "individual":
            body, n = bundles.zip_sheets(self._rows(Application), label=_individual_label, sheet_name=_("个人申请表"),
                                         sheet=ind.sheet_pdf, scans="city_stamped", agreement_of=agreement(Agreement),
                                         progress=progress)
        elif what == "team":
            body, n = bundles.zip_sheets(self._rows(TeamApplication), label=_team_label, sheet_name=_("团队申请表"),
                                         sheet=team_service.sheet_pdf, scans="unit_stamped",
                                         agreement_of=agreement(TeamAgreement), progress=progress)
        elif what == "orgs":
            orgs = [o for o in self._rows(CommissionerOrg) if org_service.kind_of(o.unit) == "legal"]
            body, n = bundles.zip_attachments(orgs, label=lambda o: o.unit.name, progress=progress)
        elif what == "stamped":
            z = bundles.ZipBuilder()
            rows = [(rec, _individual_label(rec), "city_stamped") for rec in self._rows(Application)]
            rows += [(rec, _team_label(rec), "unit_stamped") for rec in self._rows(TeamApplication)]
            n = 0
            for rec, label, slot in rows:
                n += 1
                z.add_attachments(bundles.prefix(rec, label), rec, slot)
                if progress is not None:
                    progress(n, len(rows))
            body = z.finish()
        elif what == "agreements":
            body, n = bundles.zip_attachments(
                self._rows(Agreement), label=lambda a: a.application.commissioner.name, progress=progress,
                fallback=lambda a: (_("个人服务协议（未盖章）.pdf"), ind.agreement_pdf(a)))
        else:
            body, n = bundles.zip_attachments(
                self._rows(TeamAgreement), label=lambda a: a.application.team.name, progress=progress,
                fallback=lambda a: (_("团队服务协议（未盖章）.pdf"), team_service.agreement_pdf(a)))
        return body, n, title

    @expose("/upload", methods=["POST"])
    @has_access
    def upload(self) -> Any:
        """打包上传: the stamped scans, one zip of PDFs (or one PDF), matched to the records in scope."""
        what = UPLOADS.get(self._kind())
        if what is None:
            abort(404)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("请选择要上传的文件"), "warning")
            return self._page()
        data = upload.read(bundles.MAX_TOTAL + 1)
        if len(data) > bundles.MAX_TOTAL:
            return self._page(refused=_("文件过大，请分批上传"))
        if what == "individual":
            # the city stamps the applications of its own people (home city), not those pushed to it
            records = [r for r in self._rows(Application) if r.unit_id == g.user.unit_id]
            model_slot, label = "city_stamped", _individual_label
        else:
            records = [r for r in self._rows(TeamApplication) if r.unit_id == g.user.unit_id]
            model_slot, label = "unit_stamped", _team_label
        done = write(lambda: bundles.attach_scans(upload.filename, data, records, slot=model_slot, label=label,
                                                  user=g.user), refusal=None)
        if not done:
            return self._page(refused=str(done.error))
        outcomes = done.value or []
        ok = sum(1 for o in outcomes if o.error is None)
        flash(_("上传完成：保存%(ok)s个文件，未保存%(bad)s个", ok=ok, bad=len(outcomes) - ok),
              "success" if ok == len(outcomes) else "warning")
        return self._page(outcomes=outcomes)


@jobs.runner(JOB_KIND)
def bundle_job_runner(job: Any, report: Progress) -> tuple[str | None, str | None, str | None]:
    """Build a bundle in the background as the user who asked for it (their unit, their scope),
    reporting the records done; the zip goes to the attachment storage for /jobs/<id>/download."""
    from flask_login import login_user

    from app.services.core.attachments import storage
    from models.core.user import UnitUser

    what = json.loads(job.params)["what"]
    user = db.session.get(UnitUser, job.user_id)
    view = next(v for v in current_app.appbuilder.baseviews if isinstance(v, CommissionerFilesView))
    with current_app.test_request_context(f"{view.route_base}/bundle/{what}"):
        login_user(user)
        g.user = user
        unit = db.session.get(Unit, user.unit_id) if user is not None and user.unit_id else None
        if what not in SECTIONS.get(org_service.kind_of(unit) or "", ()):
            raise bundles.BundleError(_("无权下载该附件包"))
        # report(done, total) after every record; jobs.run decides how often it is written
        body, n, title = view._build(what, progress=report)
        key = uuid.uuid4().hex
        storage().save(key, iter([body]))
        audit.record_now("export", object_type="commissioner.Files", object_repr=what, detail=f"records={n} job={job.id}",
                         user=user)
        return key, f"{title}_{n}份.zip", _("共打包%(n)s份", n=n)
