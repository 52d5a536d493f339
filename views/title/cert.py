"""电子证书管理 (004 §1.2.8.1, TR-21): the issuing unit's 初定发证 / 评审发证 / 委托发证 / 历史证书 pages (未发放,
发放中, 已发放), a batch's page (persons, 取消发证, 批准时间 and 职称文件文号, 导出汇总表, the stamped PDF, 发放), the
issued list (证书详情, 下载评审表, 撤销); the holder's 我的证书; the public verification page (no login, rate
limited): /title/certificate/verify?no=…&name=… and the QR code's /title/certificate/v/<token>.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, g, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.services.core import attachments
from app.services.title import cert as service
from app.services.title.common import TitleError
from models.title.certificate import Certificate, CertificateBatch
from views.base import xlsx_download
from views.registry import add_link
from views.title.common import unit_kind
from views.writes import write

ISSUING_KINDS = ("hr", "competent", "self_review", "central")  # the units that may hold an issuing right
TABS = {"pending": _l("未发放"), "issuing": _l("发放中"), "issued": _l("已发放")}
PUBLIC_ENDPOINTS = ("TitleCertVerifyView.verify", "TitleCertVerifyView.by_token")  # no record, no login


def verify_url(token: str) -> str:
    return url_for("TitleCertVerifyView.by_token", token=token, _external=True)


def _kind(kind: str) -> str:
    if kind not in service.KIND_LABELS:
        abort(404)
    return kind


def _batch(batch_id: int) -> CertificateBatch:
    try:
        return service.batch_for(g.user, batch_id)
    except TitleError:
        abort(404)


def _cert(cert_id: int) -> Certificate:
    try:
        return service.certificate_for(g.user, cert_id)
    except TitleError:
        abort(404)


def _pdf(data: bytes, name: str, inline: bool = True) -> Any:
    import io

    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=not inline, download_name=name,
                     max_age=0)


class TitleCertView(BaseView):
    """The issuing unit's certificate pages, one set per kind."""

    class_permission_name = "title.Certificate"
    route_base = "/title/cert"
    default_view = "index"
    base_permissions = ["can_list", "can_manage"]
    method_permission_name = {"index": "list", "batch": "list", "summary": "list", "certificate": "list",
                              "review_form": "list", "create": "manage", "update": "manage", "cancel": "manage",
                              "delete": "manage", "issue": "manage", "revoke": "manage"}

    @expose("/<kind>/")
    @has_access
    def index(self, kind: str) -> Any:
        kind = _kind(kind)
        tab = request.args.get("tab", "pending")
        if tab not in TABS:
            tab = "pending"
        ctx: dict[str, Any] = {"kind": kind, "tab": tab, "tabs": TABS, "kind_label": service.KIND_LABELS[kind],
                               "has_source": service.source_of(kind) is not None}
        if tab == "pending":
            ctx["rows"] = service.pending_records(g.user, kind) if ctx["has_source"] else []
        elif tab == "issuing":
            ctx["batches"] = service.batches(g.user, kind, "issuing")
        else:
            ctx["q"] = request.args.get("q", "")
            ctx["certs"] = service.issued(g.user, kind, ctx["q"])
            ctx["batches"] = service.batches(g.user, kind, "issued")
        return self.render_template("title/cert/index.html", states=service.CERT_STATE_LABELS,
                                    application_kinds=service.APPLICATION_KINDS,
                                    title=str(service.KIND_LABELS[kind]), **ctx)

    @expose("/<kind>/batch", methods=["POST"])
    @has_access
    def create(self, kind: str) -> Any:
        kind = _kind(kind)
        f = request.form
        done = write(lambda: service.create_batch(g.user, kind, f.getlist("ids"), service.parse_date(f.get("approved_on")),
                                                  f.get("doc_number")), _("已添加批次，请导出汇总表盖章后上传"))
        if done:
            return redirect(url_for("TitleCertView.batch", batch_id=done.value.id))
        return redirect(url_for("TitleCertView.index", kind=kind))

    @expose("/batch/<int:batch_id>")
    @has_access
    def batch(self, batch_id: int) -> Any:
        batch = _batch(batch_id)
        owner = attachments.owner_of(batch)
        return self.render_template("title/cert/batch.html", batch=batch, owner=owner, files=service.stamped(batch),
                                    editable=batch.state == "issuing", kind_label=service.KIND_LABELS[batch.kind],
                                    batch_states=service.BATCH_STATE_LABELS, states=service.CERT_STATE_LABELS,
                                    title=_("发证批次"))

    @expose("/batch/<int:batch_id>/info", methods=["POST"])
    @has_access
    def update(self, batch_id: int) -> Any:
        batch = _batch(batch_id)
        f = request.form
        write(lambda: service.update_batch(g.user, batch, service.parse_date(f.get("approved_on")),
                                           f.get("doc_number")), _("已设置批准时间和职称文件文号"))
        return redirect(url_for("TitleCertView.batch", batch_id=batch_id))

    @expose("/batch/<int:batch_id>/cancel", methods=["POST"])
    @has_access
    def cancel(self, batch_id: int) -> Any:
        batch = _batch(batch_id)
        write(lambda: service.cancel_person(g.user, batch, request.form.get("cert")),
              lambda name: _("已取消%(n)s的发证", n=name))
        return redirect(url_for("TitleCertView.batch", batch_id=batch_id))

    @expose("/batch/<int:batch_id>/delete", methods=["POST"])
    @has_access
    def delete(self, batch_id: int) -> Any:
        batch = _batch(batch_id)
        kind = batch.kind
        if write(lambda: service.delete_batch(g.user, batch), _("已删除批次，人员已退回未发放")):
            return redirect(url_for("TitleCertView.index", kind=kind))
        return redirect(url_for("TitleCertView.batch", batch_id=batch_id))

    @expose("/batch/<int:batch_id>/summary")
    @has_access
    def summary(self, batch_id: int) -> Any:
        batch = _batch(batch_id)
        title = _("发证汇总表")
        return xlsx_download(title, [str(h) for h in service.SUMMARY_HEADERS], service.summary_rows(batch),
                             f"{title}-{batch.doc_number}.xlsx")

    @expose("/batch/<int:batch_id>/issue", methods=["POST"])
    @has_access
    def issue(self, batch_id: int) -> Any:
        batch = _batch(batch_id)
        write(lambda: service.issue(g.user, batch, verify_url), lambda n: _("已发放%(n)s张证书", n=n))
        return redirect(url_for("TitleCertView.batch", batch_id=batch_id))

    @expose("/certificate/<int:cert_id>")
    @has_access
    def certificate(self, cert_id: int) -> Any:
        """证书详情: the stored PDF, unchanged."""
        cert = _cert(cert_id)
        try:
            data = service.stored_pdf(cert, g.user)
        except TitleError:
            abort(404)
        return _pdf(data, f"{cert.number}.pdf")

    @expose("/certificate/<int:cert_id>/form")
    @has_access
    def review_form(self, cert_id: int) -> Any:
        """下载评审表."""
        cert = _cert(cert_id)
        try:
            data = service.review_form_pdf(cert)
        except TitleError:
            abort(404)
        return _pdf(data, _("评审表-%(n)s.pdf", n=cert.name), inline=False)

    @expose("/certificate/<int:cert_id>/revoke", methods=["POST"])
    @has_access
    def revoke(self, cert_id: int) -> Any:
        cert = _cert(cert_id)
        write(lambda: service.revoke(g.user, cert, request.form.get("reason", "")),
              _("证书%(n)s已撤销", n=cert.number))
        return redirect(url_for("TitleCertView.index", kind=cert.kind, tab="issued"))


class TitleMyCertView(BaseView):
    """我的证书: the holder's own certificates and their PDF (with the full ID number)."""

    class_permission_name = "title.MyCertificate"
    route_base = "/title/my-certificates"
    default_view = "index"
    base_permissions = ["can_list"]
    method_permission_name = {"index": "list", "download": "list"}
    scope_model = Certificate

    @expose("/")
    @has_access
    def index(self) -> Any:
        return self.render_template("title/cert/mine.html", certs=service.my_certificates(g.user),
                                    states=service.CERT_STATE_LABELS, title=_("我的证书"))

    @expose("/<int:cert_id>.pdf")
    @has_access
    def download(self, cert_id: int) -> Any:
        try:
            cert = service.holder_certificate(g.user, cert_id)
            data = service.stored_pdf(cert, g.user)
        except TitleError:
            abort(404)
        return _pdf(data, f"{cert.number}.pdf", inline=False)


class TitleCertVerifyView(BaseView):
    """证书验证 (no login): by number and name, or from the QR code's token. A wrong name answers exactly
    like an unknown number; the ID number is masked. Rate limited per address (TITLE_CERT_VERIFY_LIMIT)."""

    route_base = "/title/certificate"
    default_view = "verify"

    def _answer(self, cert: Certificate | None, asked: bool, form: dict[str, str]) -> Any:
        return self.render_template("title/cert/verify.html", cert=cert, asked=asked, form=form,
                                    facts=service.public_facts(cert) if cert is not None else [],
                                    title=_("职称证书查询验证"))

    @expose("/verify")
    def verify(self) -> Any:
        no, name = request.args.get("no", ""), request.args.get("name", "")
        asked = bool(no.strip() or name.strip())
        cert = service.verify(no, name) if asked else None
        return self._answer(cert, asked, {"no": no, "name": name})

    @expose("/v/<token>")
    def by_token(self, token: str) -> Any:
        return self._answer(service.by_token(token), True, {"no": "", "name": ""})


def register_cert(appbuilder: Any) -> None:
    appbuilder.add_view_no_menu(TitleCertView)
    appbuilder.add_view_no_menu(TitleMyCertView)
    verify_view = appbuilder.add_view_no_menu(TitleCertVerifyView)
    limit = current_app.config.get("TITLE_CERT_VERIFY_LIMIT", "20 per minute")
    limiter = getattr(appbuilder.sm, "limiter", None)
    if limiter is not None and verify_view.blueprint is not None:
        limiter.limit(limit)(verify_view.blueprint)  # the 429 page: app.security.baseline (操作过于频繁)
    for kind, icon in (("initial", "fa-stamp"), ("review", "fa-certificate"), ("entrusted", "fa-share-square"),
                       ("history", "fa-history")):
        add_link(appbuilder, TitleCertView, f"TitleCert{kind.capitalize()}", "TitleCertView.index", "can_list",
                 "TitleCertificate", label=service.KIND_LABELS[kind], icon=icon, cond=unit_kind(*ISSUING_KINDS),
                 args={"kind": kind}, category_label=_l("电子证书管理"), category_icon="fa-certificate")
