"""机构信息 (TC-07 … TC-09): the commissioner units' own information; the legal unit's stamped
法人申请表, also while its registration waits; and the province's list of every unit with 导出Excel."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.services.commissioner import org as service
from app.services.core import attachments, dicts
from app.services.core.registration import REGISTRATION, registration_of
from app.workflow import review_of
from models.commissioner.org import CommissionerOrg
from models.core.attachment import Attachment
from models.core.unit import Unit
from models.core.workflow import STATES
from views.base import ScopedModelView, scoped_interface
from views.writes import save_then_redirect, write


class CommissionerOrgView(BaseView):
    """填写机构信息: the administrator edits; the staff read."""
    class_permission_name = "commissioner.Org"
    previous_class_permission_name = "KtpOrgView"

    route_base = "/commissioner/org"
    default_view = "org"
    base_permissions = ["can_org"]
    method_permission_name = {"org": "org", "upload": "org", "download": "org", "sheet": "org"}

    def _unit(self) -> Unit:
        unit = db.session.get(Unit, g.user.unit_id) if getattr(g.user, "unit_id", None) else None
        if unit is None or service.kind_of(unit) is None:
            abort(404)
        return unit

    @expose("/", methods=["GET", "POST"])
    @has_access
    def org(self) -> Any:
        unit = self._unit()
        kind = service.kind_of(unit)
        errors: dict[str, str] = {}
        if request.method == "POST":
            done = save_then_redirect(lambda: service.save_org(g.user, request.form), _("机构信息已保存"),
                                      "CommissionerOrgView.org", errors)
            if done is not None:
                return done
        values = request.form if request.method == "POST" else service.values_of(unit)
        record = registration_of(g.user) if kind == "legal" else None
        review = review_of(REGISTRATION.code, record.id) if record is not None else None
        return self.render_template(
            "commissioner/org.html", unit=unit, kind=kind, values=values, errors=errors, fields=service.fields_for(kind),
            natures=dicts.choices("unit_nature"), org=service.org_of(unit), files=service.stamped(unit),
            slot=attachments.OWNERS["commissioner.org"].slot_map[service.STAMPED], review=review, states=STATES,
            editable=g.user.is_unit_admin, title=_("机构信息"))

    @expose("/upload", methods=["POST"])
    @has_access
    def upload(self) -> Any:
        self._unit()
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("请选择要上传的文件"), "warning")
            return redirect(url_for("CommissionerOrgView.org"))
        write(lambda: service.save_stamped(g.user, upload.stream, upload.filename), _("盖章法人申请表已上传"))
        return redirect(url_for("CommissionerOrgView.org"))

    @expose("/sheet")
    @has_access
    def sheet(self) -> Any:
        """法人申请表（单位概况）filled from the saved 机构信息, to print and stamp."""
        unit = self._unit()
        if service.kind_of(unit) != "legal" or service.org_of(unit) is None:
            abort(404)
        name = quote(f"法人申请表_{unit.name}.pdf")
        return Response(service.sheet_pdf(unit), mimetype="application/pdf", headers={
            "Content-Disposition": f"attachment; filename=unit.pdf; filename*=UTF-8''{name}"})

    @expose("/download/<int:pk>")
    @has_access
    def download(self, pk: int) -> Any:
        """The unit's own scan (its scope is empty while the registration waits)."""
        org = service.org_of(self._unit())
        row = db.session.get(Attachment, pk)
        if org is None or row is None or row.owner_type != "commissioner.org" or row.owner_id != org.id:
            abort(404)
        with attachments.storage().open(row.storage_key) as fh:
            body = fh.read()
        return Response(body, mimetype="application/pdf", headers={
            "Content-Disposition": f"attachment; filename=file.pdf; filename*=UTF-8''{quote(row.file_name)}"})


def _kind_label(unit: Any) -> str:
    return str({"province": _l("省科技厅"), "city": _l("地市科技管理部门"), "legal": _l("法人单位"),
                "dispatched": _l("派驻单位")}.get(service.kind_of(unit) or "", ""))


class CommissionerOrgListView(ScopedModelView):
    """单位信息: every commissioner unit's 机构信息 in scope, the legal units' admission and scans."""
    class_permission_name = "commissioner.OrgList"
    previous_class_permission_name = "KtpOrgListView"

    route_base = "/commissioner/orgs"
    datamodel = scoped_interface(CommissionerOrg)
    entity_title = _l("单位信息")
    list_title = _l("单位信息")
    show_template = "commissioner/agreement_show.html"
    label_columns = {"unit": _l("单位名称"), "unit.categories": _l("类别"), "unit.nature": _l("单位性质"),
                     "unit.legal_name": _l("法人代表"), "location": _l("所在地"), "contact": _l("联系人"),
                     "contact_phone": _l("联系电话"), "unit.phone": _l("单位电话"), "business": _l("主营业务"),
                     "unit.active": _l("审核状态"), "changed_on": _l("更新时间")}
    list_columns = ["unit", "unit.categories", "unit.legal_name", "contact", "contact_phone", "unit.active"]
    show_columns = ["unit", "unit.categories", "unit.nature", "unit.legal_name", "location", "contact",
                    "contact_phone", "unit.phone", "business", "unit.active"]
    export_columns = show_columns
    search_columns = ["contact", "location"]
    base_permissions = ["can_list", "can_show"]
    base_order = ("id", "desc")
    formatters_columns = {
        "unit.categories": lambda v: "、".join(c.name for c in v or []),
        "unit.nature": lambda v: dicts.label("unit_nature", v),
        "unit.active": lambda v: str(_l("已通过") if v else _l("待审核")),
    }

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk: Any) -> Any:
        return self.show_with_attachments(pk)
