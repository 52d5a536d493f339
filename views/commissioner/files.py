"""附件上传/下载 (TC-07 … TC-09): each department's bundles, and the bulk upload of stamped scans.

The city downloads its individual applications, stamps them and uploads the scans; the legal unit
does the same with its teams' applications; the province downloads everything: applications,
the legal units' stamped applications (单位附件), the stamped application scans (审核附件) and both
kinds of agreement. Every bundle is built from the viewer's scope only.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, abort, flash, g, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.security.scope import scoped_query
from app.services.commissioner import bundles
from app.services.commissioner import individual as ind
from app.services.commissioner import org as org_service
from app.services.commissioner import team as team_service
from app.services.core import audit
from models.commissioner.individual import Agreement, Application
from models.commissioner.org import KtpOrg
from models.commissioner.team import TeamAgreement, TeamApplication
from models.core.unit import Unit

LIMIT = 500
# what each kind of unit finds on the page: bundles to download, and the upload it makes
SECTIONS = {
    "province": ("individual", "team", "orgs", "stamped", "agreements", "team_agreements"),
    "city": ("individual", "agreements"),
    "legal": ("team", "team_agreements"),
}
UPLOADS = {"city": "individual", "legal": "team"}


def _individual_label(rec: Any) -> str:
    return rec.commissioner.name


def _team_label(rec: Any) -> str:
    return rec.team.name


class KtpFilesView(BaseView):
    route_base = "/ktp/files"
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
        return self.render_template("ktp/files.html", kind=kind, sections=SECTIONS[kind], upload=UPLOADS.get(kind),
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
        body, n, title = self._build(what)
        audit.record_now("export", object_type="KtpFilesView", object_repr=what, detail=f"records={n}")
        name = quote(f"{title}_{n}份.zip")
        return Response(body, mimetype="application/zip",
                        headers={"Content-Disposition": f"attachment; filename={what}.zip; filename*=UTF-8''{name}"})

    def _rows(self, model: Any) -> list[Any]:
        return list(db.session.scalars(scoped_query(model).order_by(model.id).limit(LIMIT)).all())

    def _build(self, what: str) -> tuple[bytes, int, str]:
        def agreement(model: Any) -> Any:
            return lambda rec: db.session.scalar(select(model).where(model.application_id == rec.id))

        if what == "individual":
            body, n = bundles.zip_sheets(self._rows(Application), label=_individual_label, sheet_name="个人申请表",
                                         sheet=ind.sheet_pdf, scans="city_stamped", agreement_of=agreement(Agreement))
            return body, n, _("个人申请表")
        if what == "team":
            body, n = bundles.zip_sheets(self._rows(TeamApplication), label=_team_label, sheet_name="团队申请表",
                                         sheet=team_service.sheet_pdf, scans="unit_stamped",
                                         agreement_of=agreement(TeamAgreement))
            return body, n, _("团队申请表")
        if what == "orgs":
            orgs = [o for o in self._rows(KtpOrg) if org_service.kind_of(o.unit) == "legal"]
            body, n = bundles.zip_attachments(orgs, label=lambda o: o.unit.name)
            return body, n, _("单位附件")
        if what == "stamped":
            z = bundles.ZipBuilder()
            n = 0
            for rec in self._rows(Application):
                n += 1
                z.add_attachments(bundles.prefix(rec, _individual_label(rec)), rec, "city_stamped")
            for rec in self._rows(TeamApplication):
                n += 1
                z.add_attachments(bundles.prefix(rec, _team_label(rec)), rec, "unit_stamped")
            return z.finish(), n, _("审核附件")
        if what == "agreements":
            body, n = bundles.zip_attachments(
                self._rows(Agreement), label=lambda a: a.application.commissioner.name,
                fallback=lambda a: ("个人服务协议（未盖章）.pdf", ind.agreement_pdf(a)))
            return body, n, _("个人服务协议")
        body, n = bundles.zip_attachments(
            self._rows(TeamAgreement), label=lambda a: a.application.team.name,
            fallback=lambda a: ("团队服务协议（未盖章）.pdf", team_service.agreement_pdf(a)))
        return body, n, _("团队服务协议")

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
        try:
            outcomes = bundles.attach_scans(upload.filename, data, records, slot=model_slot, label=label, user=g.user)
            db.session.commit()
        except bundles.BundleError as e:
            db.session.rollback()
            return self._page(refused=str(e))
        ok = sum(1 for o in outcomes if o.error is None)
        flash(_("上传完成：保存%(ok)s个文件，未保存%(bad)s个", ok=ok, bad=len(outcomes) - ok),
              "success" if ok == len(outcomes) else "warning")
        return self._page(outcomes=outcomes)
