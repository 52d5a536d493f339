"""评委会管理 screens (004 §1.2.2): 评委会备案申报 and 评委会备案审核 (one view: the unit's own committees,
and with ?todo=review the filings waiting for it), 专家库管理 and 专家库审核.

The views parse the request, call one service function (app/services/title/committees.py) through
``write`` and show the result; the rules live in the service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_

from app.security.personal import shown
from app.services.core import attachments, dicts
from app.services.title import committees as service
from app.services.title.common import COMMITTEE_KINDS
from models.core.workflow import EDITABLE_STATES
from models.title.committee import (
    BUILD_MODES,
    CHAIR_ROLES,
    EXPIRY_WARNING_DAYS,
    FILING_STATES,
    LIBRARY_STATES,
    REVIEW_TYPES,
    Committee,
    CommitteeExpert,
)
from views.base import ScopedModelView, scoped_interface
from views.review import ReviewViewMixin
from views.title.common import unit_kind
from views.writes import write

BASIC_SINGLE = ("name", "agency", "office", "review_type", "authority_unit_id", "filing_unit_id", "contact",
                "contact_phone", "address", "internal_only", "build_mode", "series", "majors", "funded")
BASIC_MULTI = ("levels", "applicant_natures", "region_codes")


def _require_committee_kind() -> None:
    """评委会管理 belongs to the committee kinds: a 申报单位 (or a person) is refused."""
    if not service.may_constitute(g.user):
        abort(403)


def _levels_text(value: Any) -> str:
    return "、".join(dicts.label("title_level", c) for c in str(value or "").split(",") if c)


def _valid_until_text(value: Any) -> str:
    if not value:
        return "—"
    days = (value - dt.date.today()).days
    if days < 0:
        return _("%(d)s（已过期）", d=value.isoformat())
    if days <= EXPIRY_WARNING_DAYS:
        return _("%(d)s（%(n)s天后到期）", d=value.isoformat(), n=days)
    return value.isoformat()


class OwnCommitteesFilter(BaseFilter):
    """评委会备案申报: the list (and its export) shows the committees the user's unit constituted; the
    审核 tabs (?todo, ?mine, ?all) show what the review scope reaches."""

    name = "own"

    def apply(self, query: Any, value: Any) -> Any:
        endpoint = request.endpoint or ""
        if not endpoint.endswith((".list", ".export")):
            return query
        if any(request.args.get(k) for k in ("todo", "mine", "all")):
            return query
        return query.filter(self.model.unit_id == getattr(g.user, "unit_id", None))


def _basic_values(committee: Committee | None) -> dict[str, Any]:
    """Step 1's values: as typed (a refused POST), else the committee's, else the defaults."""
    if request.method == "POST":
        f = request.form
        return {**{k: f.get(k, "") for k in BASIC_SINGLE}, **{k: f.getlist(k) for k in BASIC_MULTI}}
    if committee is None:
        own = str(g.user.unit_id)
        filing = service.filing_choices(g.user)
        return {**{k: "" for k in BASIC_SINGLE}, **{k: [] for k in BASIC_MULTI}, "review_type": "review",
                "internal_only": "0", "build_mode": "series", "funded": "0", "authority_unit_id": own,
                "filing_unit_id": str(filing[0].id) if filing else ""}
    c = committee
    return {"name": c.name, "agency": c.agency, "office": c.office, "review_type": c.review_type,
            "authority_unit_id": str(c.authority_unit_id), "filing_unit_id": str(c.filing_unit_id),
            "contact": c.contact, "contact_phone": c.contact_phone, "address": c.address,
            "internal_only": "1" if c.internal_only else "0", "build_mode": c.build_mode, "series": c.series,
            "majors": c.majors or "", "funded": "1" if c.funded else "0", "levels": c.level_codes,
            "applicant_natures": [x for x in (c.applicant_natures or "").split(",") if x],
            "region_codes": c.region_list}


def member_rows(rows: list[Any]) -> list[dict[str, Any]]:
    """The expert table's cells (序号 姓名 性别 身份证号(masked) 出生年月 年龄 工作单位 信息是否完整 …)."""
    out = []
    for i, row in enumerate(rows, start=1):
        e = row.expert
        missing = service.expert_missing(e)
        out.append({"n": i, "row": row, "expert": e, "sex": dicts.label("sex", e.sex),
                    "id_number": shown("id", e.id_number), "phone": shown("phone", e.phone),
                    "birth": f"{e.birth_ym[:4]}-{e.birth_ym[4:]}" if e.birth_ym and len(e.birth_ym) == 6 else "",
                    "age": e.age, "title": dicts.label("title_level", e.title), "missing": missing,
                    "state": str(LIBRARY_STATES.get(row.state, row.state)), "chair": CHAIR_ROLES.get(row.chair, ""),
                    "unit": row.unit.name if row.unit else ""})
    return out


class TitleCommitteeView(ReviewViewMixin, ScopedModelView):
    """评委会备案申报 (the unit's committees: 新增/编辑 in three steps, 提交备案, 查看详情) and
    评委会备案审核 (?todo=review: the filings waiting for the user's unit)."""

    class_permission_name = "title.Committee"
    route_base = "/title/committees"
    datamodel = scoped_interface(Committee)
    matter = service.COMMITTEE
    entity_title = _l("评委会")
    list_title = _l("评委会备案申报")
    base_filters = [["id", OwnCommitteesFilter, None]]
    label_columns = {"name": _l("评委会名称"), "series": _l("系列"), "levels": _l("层级"),
                     "filing_state": _l("备案状态"), "filed_at": _l("最近一次备案通过时间"),
                     "valid_until": _l("有效期至"), "authority_unit": _l("授权管理单位"), "filing_unit": _l("备案单位"),
                     "unit": _l("组建单位"), "review_state": _l("审核状态")}
    list_columns = ["name", "series", "levels", "filing_state", "filed_at", "valid_until", "authority_unit",
                    "filing_unit", "unit"]
    show_columns = list_columns
    search_columns = ["name", "review_state"]
    order_columns = ["name", "filed_at", "valid_until"]
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
    method_permission_name = {"step_new": "add", **{m: "edit" for m in (
        "step_basic", "step_experts", "pick", "remove_member", "step_request", "submit")}}
    formatters_columns = {
        "series": lambda v: dicts.label("title_series", v),
        "levels": _levels_text,
        "filing_state": lambda v: str(_l(FILING_STATES.get(v, v))) if v else "",
        "valid_until": _valid_until_text,
    }
    list_template = "title/committee_list.html"
    review_detail_template = "title/committee_detail.html"
    name_search = staticmethod(lambda text: Committee.name.contains(text))
    name_search_label = _l("评委会名称")
    base_order = ("id", "desc")

    # -- the list ---------------------------------------------------------------------------

    @expose("/list/")
    @has_access
    def list(self) -> Any:
        _require_committee_kind()
        return super().list()

    def can_add_here(self) -> bool:
        return service.may_constitute(g.user)

    def render_template(self, template: str, **kwargs: Any) -> Any:
        if template == self.list_template and any(request.args.get(k) for k in ("todo", "mine", "all")):
            kwargs["title"] = _("评委会备案审核")  # the same list, opened from 评委会备案审核
        return super().render_template(template, **kwargs)

    def row_rule(self) -> tuple[Any, Any]:
        mine = Committee.unit_id == g.user.unit_id
        due = dt.date.today() + dt.timedelta(days=EXPIRY_WARNING_DAYS)
        editable = and_(mine, or_(Committee.review_state.in_(EDITABLE_STATES),
                                  and_(Committee.review_state == "approved", Committee.valid_until <= due)))
        deletable = and_(mine, Committee.review_state == "draft", Committee.filed_at.is_(None))
        return editable, deletable

    def pre_delete(self, item: Committee) -> None:
        service.check_deletable(g.user, item)

    def review_context(self, record: Committee) -> dict[str, Any]:
        rows = service.members(record, states=("draft", "in", "recommended"))
        return {"committee": record, "members": member_rows(rows), "dicts": dicts, "build_modes": BUILD_MODES,
                "review_types": REVIEW_TYPES, "filing_states": FILING_STATES, "valid_text": _valid_until_text,
                "levels_text": _levels_text, "problems": service.filing_problems(record)
                if record.unit_id == g.user.unit_id and service.editable(record) else []}

    # -- 新增 / 编辑 in steps ------------------------------------------------------------------

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self) -> Any:
        return redirect(url_for("TitleCommitteeView.step_new"))

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk: Any) -> Any:
        self.get_scoped(pk)
        return redirect(url_for("TitleCommitteeView.step_basic", pk=pk))

    def _mine(self, pk: Any) -> Committee:
        """A committee of the user's unit that it may still change; another branch's: 404."""
        _require_committee_kind()
        committee = self.get_scoped(pk)
        if committee.unit_id != g.user.unit_id:
            abort(403)
        return committee

    def _step_page(self, step: int, committee: Committee | None, **kw: Any) -> Any:
        title = _("编辑评委会") if committee is not None else _("新增评委会")
        return self.render_template("title/committee_step.html", step=step, committee=committee, title=title,
                                    editable=committee is None or service.editable(committee), **kw)

    def _basic(self, committee: Committee | None) -> Any:
        errors: dict[str, str] = {}
        if request.method == "POST":
            done = write(lambda: service.save_basic(g.user, committee, request.form), _("基本信息已保存"),
                         errors=errors)
            if done:
                return redirect(url_for("TitleCommitteeView.step_experts", pk=done.value.id))
        return self._step_page(
            1, committee, values=_basic_values(committee), errors=errors,
            authority_units=service.authority_choices(g.user), filing_units=service.filing_choices(g.user),
            levels=dicts.choices("title_level"), series=dicts.choices("title_series"),
            natures=dicts.choices("unit_nature"), regions=service.region_choices(g.user),
            review_types=REVIEW_TYPES, build_modes=BUILD_MODES, unit=g.user.unit)

    @expose("/step/basic/", methods=["GET", "POST"])
    @has_access
    def step_new(self) -> Any:
        _require_committee_kind()
        return self._basic(None)

    @expose("/step/basic/<pk>", methods=["GET", "POST"])
    @has_access
    def step_basic(self, pk: Any) -> Any:
        return self._basic(self._mine(pk))

    @expose("/step/experts/<pk>")
    @has_access
    def step_experts(self, pk: Any) -> Any:
        committee = self._mine(pk)
        q = (request.args.get("q") or "").strip()[:30]
        found = service.search_library(g.user, q) if q else []
        listed = {r.expert_id for r in committee.members}
        return self._step_page(2, committee, members=member_rows(service.members(committee)), q=q,
                               candidates=[(e, shown("id", e.id_number), e.id in listed) for e in found])

    @expose("/step/experts/<pk>/pick", methods=["POST"])
    @has_access
    def pick(self, pk: Any) -> Any:
        committee = self._mine(pk)
        write(lambda: service.pick_expert(g.user, committee, request.form.get("expert_id")), _("已加入专家库名单"))
        return redirect(url_for("TitleCommitteeView.step_experts", pk=pk, q=request.form.get("q") or None))

    @expose("/step/experts/<pk>/remove", methods=["POST"])
    @has_access
    def remove_member(self, pk: Any) -> Any:
        committee = self._mine(pk)
        write(lambda: service.remove_member(g.user, committee, request.form.get("member_id")), _("已从名单中移除"))
        return redirect(url_for("TitleCommitteeView.step_experts", pk=pk))

    @expose("/step/request/<pk>")
    @has_access
    def step_request(self, pk: Any) -> Any:
        committee = self._mine(pk)
        return self._step_page(3, committee, owner=attachments.owner_of(committee),
                               files=attachments.current(committee), problems=service.filing_problems(committee))

    @expose("/submit/<pk>", methods=["POST"])
    @has_access
    def submit(self, pk: Any) -> Any:
        committee = self._mine(pk)
        if write(lambda: service.submit_filing(g.user, committee), _("已提交备案，等待授权管理单位审核")):
            return redirect(url_for("TitleCommitteeView.show", pk=pk))
        return redirect(url_for("TitleCommitteeView.step_request", pk=pk))


class TitleExpertLibraryView(BaseView):
    """专家库管理 (TR-05): choose a committee, then 新增待提交 / 下级单位推荐待审核 / 在库专家 / 退回专家."""

    class_permission_name = "title.ExpertLibrary"
    scope_model = CommitteeExpert  # what its ``pk`` names (the scope walker's records)
    route_base = "/title/expert-library"
    default_view = "index"
    base_permissions = ["can_list", "can_manage"]
    method_permission_name = {"index": "list", "expert": "list", **{m: "manage" for m in (
        "add", "submit", "remove", "chair", "active")}}

    def _committee(self, committee_id: Any) -> Any:
        _require_committee_kind()
        committee = service.library_committee(g.user, committee_id)
        if committee is None:
            abort(404)
        return committee

    def _back(self, committee: Any, tab: str) -> Any:
        return redirect(url_for("TitleExpertLibraryView.index", committee=committee.id, tab=tab))

    @expose("/")
    @has_access
    def index(self) -> Any:
        _require_committee_kind()
        committees = service.library_committees(g.user)
        committee = None
        if request.args.get("committee"):
            committee = self._committee(request.args.get("committee"))
        elif len(committees) == 1:
            committee = committees[0]
        tab = request.args.get("tab") if request.args.get("tab") in LIBRARY_STATES else "draft"
        rows = member_rows(service.library_rows(g.user, committee, tab)) if committee else []
        return self.render_template(
            "title/committee_library.html", committees=committees, committee=committee, tab=tab, rows=rows,
            tabs=LIBRARY_STATES, counts=service.library_counts(g.user, committee) if committee else {},
            own=committee is not None and service.is_committee_unit(g.user, committee), chair_roles=CHAIR_ROLES,
            levels_text=_levels_text, dicts=dicts, title=_("专家库管理"))

    @expose("/<int:committee_id>/expert/<int:pk>")
    @has_access
    def expert(self, committee_id: int, pk: int) -> Any:
        _require_committee_kind()
        # a library the user manages, or (专家库审核) any committee of the user's unit
        committee = service.library_committee(g.user, committee_id) or service.review_committee(g.user, committee_id)
        if committee is None:
            abort(404)
        row = service.member_of(g.user, committee, pk)
        if row is None:
            abort(404)
        e = row.expert
        return self.render_template(
            "title/committee_expert.html", committee=committee, row=row, expert=e, dicts=dicts,
            id_number=shown("id", e.id_number), phone=shown("phone", e.phone),
            phone2=shown("phone", e.phone2) if e.phone2 else "", state=LIBRARY_STATES.get(row.state, row.state),
            chair=CHAIR_ROLES.get(row.chair, ""), title=_("查看专家信息"))

    @expose("/<int:committee_id>/add", methods=["GET", "POST"])
    @has_access
    def add(self, committee_id: int) -> Any:
        committee = self._committee(committee_id)
        errors: dict[str, str] = {}
        if request.method == "POST":
            if write(lambda: service.add_expert(g.user, committee, request.form), _("已新增专家（新增待提交）"),
                     errors=errors):
                return self._back(committee, "draft")
        values = request.form if request.method == "POST" else {"nationality": "中国", "id_type": "01"}
        return self.render_template(
            "title/committee_expert_form.html", committee=committee, values=values, errors=errors,
            columns=service.expert_library.COLUMNS, dicts=dicts, title=_("新增专家信息"))

    @expose("/<int:committee_id>/submit", methods=["POST"])
    @has_access
    def submit(self, committee_id: int) -> Any:
        committee = self._committee(committee_id)
        own = service.is_committee_unit(g.user, committee)
        write(lambda: service.submit_experts(g.user, committee, request.form.getlist("rowid")),
              (lambda n: _("已提交%(n)s名专家，已进入在库专家", n=n)) if own
              else (lambda n: _("已推荐%(n)s名专家，等待评委会组建单位审核", n=n)))
        return self._back(committee, "draft")

    @expose("/<int:committee_id>/remove/<int:pk>", methods=["POST"])
    @has_access
    def remove(self, committee_id: int, pk: int) -> Any:
        committee = self._committee(committee_id)
        write(lambda: service.remove_expert(g.user, committee, pk), _("已删除"))
        return self._back(committee, request.form.get("tab") or "draft")

    @expose("/<int:committee_id>/chair/<int:pk>", methods=["POST"])
    @has_access
    def chair(self, committee_id: int, pk: int) -> Any:
        committee = self._committee(committee_id)
        write(lambda: service.set_chair(g.user, committee, pk, request.form.get("chair", "")), _("已保存"))
        return self._back(committee, "in")

    @expose("/<int:committee_id>/active/<int:pk>", methods=["POST"])
    @has_access
    def active(self, committee_id: int, pk: int) -> Any:
        committee = self._committee(committee_id)
        write(lambda: service.set_active(g.user, committee, pk, request.form.get("active") == "1"),
              _("已保存"))
        return self._back(committee, "in")


class TitleExpertReviewView(BaseView):
    """专家库审核 (TR-06): per committee of the user's unit its chairs, counts, 审核 and 查看详情."""

    class_permission_name = "title.ExpertReview"
    scope_model = Committee
    route_base = "/title/expert-review"
    default_view = "index"
    base_permissions = ["can_list", "can_review"]
    method_permission_name = {"index": "list", "detail": "list", "pending": "review", "decide": "review"}

    def _committee(self, committee_id: Any) -> Any:
        _require_committee_kind()
        committee = service.review_committee(g.user, committee_id)
        if committee is None:
            abort(404)
        return committee

    @expose("/")
    @has_access
    def index(self) -> Any:
        _require_committee_kind()
        return self.render_template("title/committee_review.html", summary=service.review_summary(g.user),
                                    levels_text=_levels_text, dicts=dicts, title=_("专家库审核"))

    @expose("/<int:committee_id>")
    @has_access
    def detail(self, committee_id: int) -> Any:
        committee = self._committee(committee_id)
        rows = member_rows(service.members(committee, states=("in",)))
        return self.render_template("title/committee_review_list.html", committee=committee, rows=rows,
                                    pending=False, title=_("查看专家库：%(n)s", n=committee.name))

    @expose("/<int:committee_id>/pending")
    @has_access
    def pending(self, committee_id: int) -> Any:
        committee = self._committee(committee_id)
        rows = member_rows(service.members(committee, states=("recommended",)))
        return self.render_template("title/committee_review_list.html", committee=committee, rows=rows,
                                    pending=True, title=_("审核专家：%(n)s", n=committee.name))

    @expose("/<int:committee_id>/decide", methods=["POST"])
    @has_access
    def decide(self, committee_id: int) -> Any:
        committee = self._committee(committee_id)
        approve = request.form.get("action") == "approve"
        ids = request.form.getlist("rowid")
        if not ids:
            flash(_("请先选择专家"), "warning")
        else:
            write(lambda: service.review_experts(g.user, committee, ids, approve, request.form.get("reason")),
                  (lambda n: _("已通过%(n)s名专家", n=n)) if approve else (lambda n: _("已退回%(n)s名专家", n=n)))
        return redirect(url_for("TitleExpertReviewView.pending", committee_id=committee_id))


def register_committees(appbuilder: Any) -> None:
    from views.registry import add_link, add_view

    cat, label = "TitleCommittee", _l("评委会管理")
    committee_units = unit_kind(*COMMITTEE_KINDS)
    add_view(appbuilder, TitleCommitteeView, "TitleCommittees", cat, label=_l("评委会备案申报"), icon="fa-file-signature",
             category_label=label, category_icon="fa-gavel", menu_cond=committee_units)
    add_link(appbuilder, TitleCommitteeView, "TitleCommitteeReview", "TitleCommitteeView.list", "can_review", cat,
             label=_l("评委会备案审核"), icon="fa-stamp", category_label=label, cond=unit_kind("hr", "competent"),
             args={"todo": "review"})
    add_view(appbuilder, TitleExpertLibraryView, "TitleExpertLibrary", cat, label=_l("专家库管理"), icon="fa-users",
             category_label=label, menu_cond=committee_units)
    add_view(appbuilder, TitleExpertReviewView, "TitleExpertReview", cat, label=_l("专家库审核"), icon="fa-user-check",
             category_label=label, menu_cond=committee_units)
