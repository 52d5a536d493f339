"""人社部批准的专家服务基地 and 地区年度总结 screens."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.services.core import units as unit_service
from app.services.core.validators import to_id
from app.services.grassroots import bases as service
from models.core.unit import Unit
from models.grassroots.base import BaseTransfer, BaseYear, ExpertBase, RegionalSummary
from views.base import FormError, ScopedModelView, scoped_interface
from views.review import ReviewViewMixin
from views.writes import write


def _int(name: str) -> int | None:
    raw = (request.form.get(name) or "").strip()
    return to_id(raw)


class GrassrootsExpertBaseView(ScopedModelView):
    """专家基地: the list, one base's page (years, transfer), 新增2022年之前基地单位."""
    class_permission_name = "grassroots.ExpertBase"
    previous_class_permission_name = "ExpertBaseView"

    route_base = "/grassroots/bases"
    datamodel = scoped_interface(ExpertBase)
    entity_title = _l("专家服务基地")
    list_title = _l("人社部批准的专家服务基地")
    label_columns = {"unit": _l("基地（依托单位）"), "approved_year": _l("批准设立年度"), "field": _l("服务领域"),
                     "approval_no": _l("批准文号"), "unit.parent": _l("管理单位")}
    list_columns = ["unit", "approved_year", "field", "unit.parent"]
    search_columns = ["approved_year", "field"]
    base_order = ("id", "desc")
    base_permissions = ["can_list", "can_show", "can_legacy", "can_transfer"]
    method_permission_name = {"legacy": "legacy", "transfer": "transfer", "year": "show"}

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk: Any) -> Any:
        base = self.get_scoped(pk)
        years = db.session.scalars(select(BaseYear).where(BaseYear.base_id == base.id).order_by(BaseYear.year)).all()
        transfers = db.session.scalars(select(BaseTransfer).where(BaseTransfer.base_id == base.id)
                                       .order_by(BaseTransfer.id)).all()
        return self.render_template(
            "grassroots/base_show.html", base=base, years=years, transfers=transfers,
            host=g.user.unit_id == base.unit_id, targets=service.transfer_targets(base, g.user),
            title=str(base), crumb_tail=[(str(base), None)],
        )

    @expose("/show/<pk>/year", methods=["POST"])
    @has_access
    def year(self, pk: Any) -> Any:
        base = self.get_scoped(pk)
        done = write(lambda: service.add_year(base, g.user, _int("year")),
                     lambda rec: _("已新增%(y)s年度记录，请填报经费情况、成效汇总和年度总结", y=rec.year))
        if done.value is None:
            return redirect(url_for("GrassrootsExpertBaseView.show", pk=pk))
        return redirect(url_for("GrassrootsBaseYearView.edit", pk=done.value.id))

    @expose("/show/<pk>/transfer", methods=["POST"])
    @has_access
    def transfer(self, pk: Any) -> Any:
        base = self.get_scoped(pk)
        if not write(lambda: service.transfer(base, g.user, _int("target")),
                     lambda row: _("基地已转移至%(u)s", u=row.to_unit.name)):
            return redirect(url_for("GrassrootsExpertBaseView.show", pk=pk))
        return redirect(url_for("GrassrootsExpertBaseView.list"))

    @expose("/legacy", methods=["GET", "POST"])
    @has_access
    def legacy(self) -> Any:
        """新增2022年之前基地单位 (province only): the base unit, its administrator, the base."""
        f = request.form
        errors: dict[str, str] = {}
        if request.method == "POST":
            data = unit_service.NewUnit(
                name=f.get("name", ""), credit_code=f.get("credit_code", ""), nature=f.get("nature") or "20",
                phone=f.get("phone") or None,
                admin={"username": f.get("admin_username", "").strip(), "name": f.get("admin_name", "").strip(),
                       "phone": f.get("admin_phone", "").strip(), "password": f.get("admin_password", "")},
            )
            done = write(lambda: service.add_legacy_base(g.user, data, approved_year=_int("approved_year"),
                                                         field=f.get("field", ""), approval_no=f.get("approval_no")),
                         _("已新增基地单位并分配管理员"), errors=errors)
            if done.value is not None:
                return redirect(url_for("GrassrootsExpertBaseView.show", pk=done.value.id))
        return self.render_template("grassroots/base_legacy.html", form=f, errors=errors,
                                    allowed=service.is_province(g.user), title=_("新增2022年之前基地单位"))


class GrassrootsBaseYearView(ReviewViewMixin, ScopedModelView):
    """A base's year record: filled by the base unit, reviewed by the managing unit above it."""
    class_permission_name = "grassroots.BaseYear"
    previous_class_permission_name = "BaseYearView"

    route_base = "/grassroots/baseyears"
    datamodel = scoped_interface(BaseYear)
    matter = service.BASE_YEAR
    entity_title = _l("基地年度材料")
    list_title = _l("基地年度材料审核")
    review_detail_template = "grassroots/base_year_detail.html"
    label_columns = {"base": _l("专家基地"), "year": _l("年度"), "unit": _l("依托单位"), "review_state": _l("审核状态"),
                     "funds_received": _l("到位经费（万元）"), "funds_spent": _l("支出经费（万元）"),
                     "funds_note": _l("经费使用情况"), "activities": _l("开展活动（次）"), "experts": _l("参与专家（人次）"),
                     "served": _l("服务群众（人次）"), "results": _l("成效汇总"), "summary": _l("年度总结")}
    list_columns = ["base", "year", "review_state"]
    edit_columns = ["funds_received", "funds_spent", "funds_note", "activities", "experts", "served", "results",
                    "summary"]
    show_columns = ["base", "year", "review_state"] + edit_columns
    search_columns = ["year", "review_state"]
    base_order = ("id", "desc")
    base_permissions = ["can_list", "can_show", "can_edit"]

    def pre_update(self, item: BaseYear) -> None:
        if item.unit_id != g.user.unit_id:
            raise FormError(_("只有基地依托单位可以填报"))
        if not item.editable:
            raise FormError(_("已提交审核，退回后才能修改"))



class GrassrootsRegionalSummaryView(ReviewViewMixin, ScopedModelView):
    """地区年度总结: provinces write one per year, the centre reviews."""
    class_permission_name = "grassroots.RegionalSummary"
    previous_class_permission_name = "RegionalSummaryView"

    route_base = "/grassroots/regional"
    datamodel = scoped_interface(RegionalSummary)
    matter = service.REGIONAL
    entity_title = _l("地区年度总结")
    list_title = _l("地区年度总结")
    review_detail_template = "grassroots/regional_detail.html"
    label_columns = {"unit": _l("地区（单位）"), "year": _l("年度"), "content": _l("总结内容"),
                     "review_state": _l("审核状态")}
    list_columns = ["unit", "year", "review_state"]
    add_columns = ["year", "content"]
    edit_columns = ["content"]
    show_columns = ["unit", "year", "content", "review_state"]
    search_columns = ["year", "review_state"]
    base_order = ("id", "desc")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]

    def _only_regions(self) -> None:
        try:
            service.check_regional_user(g.user)
        except service.BaseError:
            abort(403)

    @expose("/list/")
    @has_access
    def list(self) -> Any:
        self._only_regions()
        return super().list()

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self) -> Any:
        self._only_regions()
        if not service.is_province(g.user):
            flash(_("地区年度总结由省级单位填报"), "warning")
            return redirect(url_for("GrassrootsRegionalSummaryView.list"))
        return super().add()

    def pre_add(self, item: RegionalSummary) -> None:
        item.unit_id = g.user.unit_id
        item.unit = g.user.unit
        exists = db.session.scalar(select(RegionalSummary.id).where(RegionalSummary.unit_id == g.user.unit_id,
                                                                    RegionalSummary.year == item.year))
        if exists:
            raise FormError(_("%(y)s年度总结记录已存在", y=item.year), "year")

    def pre_update(self, item: RegionalSummary) -> None:
        if item.unit_id != g.user.unit_id:
            raise FormError(_("只有本地区可以修改"))
        if not item.editable:
            raise FormError(_("已提交审核，退回后才能修改"))

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk: Any) -> Any:
        self._only_regions()
        return super().show(pk)


def province_menu() -> bool:
    """新增2022年之前基地单位 is for the provincial managing units."""
    return service.is_province(getattr(g, "user", None))


def regional_menu() -> bool:
    """Only the centre and the units directly below it see 地区年度总结."""
    user = getattr(g, "user", None)
    unit = getattr(user, "unit", None)
    return unit is not None and unit.depth <= 1


__all__ = ["Unit"]
