"""评审活动管理 (004 §1.2.4): 评审活动发布 (the committee's unit writes the activity part by part and
submits it) and 评审活动发布审核 (the 授权管理单位's to-do list, batch pass/return, the review page with
every part); the committee's default 业绩成果 set; the portal's public activities (no login).

The views parse the form, call one service function (app/services/title/activities.py) and flash
through ``views.writes.write``.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select

from app.extensions import db
from app.services.core import attachments, dicts
from app.services.title import activities as service
from app.services.title.templates import TEMPLATES
from app.workflow import review_of
from models.core.attachment import Attachment
from models.title.activity import (
    DEFENSES,
    GROUP_METHODS,
    HEADINGS,
    KINDS,
    METHODS,
    PARTS,
    WRITTEN_TESTS,
    Activity,
)
from models.title.committee import Committee
from views.base import ScopedModelView, scoped_interface
from views.review import ReviewViewMixin
from views.title.common import unit_kind
from views.writes import write

STATE_LABELS = {"pending": _l("审核中"), "returned": _l("已退回"), "approved": _l("已发布"), "rejected": _l("不通过")}


def state_label(value: str | None) -> str:
    """编辑中（which part saved）/ 审核中 / 已退回 / 已发布."""
    value = value or "editing:"
    if value.startswith("editing:"):
        part = value.split(":", 1)[1]
        if part in service.PART_LABELS:
            return _("编辑中（已保存：%(p)s）", p=str(service.PART_LABELS[part]))
        return _("编辑中")
    return str(STATE_LABELS.get(value, value))


class OwnOrReviewingFilter(BaseFilter):
    """评审活动: the activities of the user's unit's committees and those the unit reviews (on their route)."""

    name = "own_or_reviewing"

    def apply(self, query: Any, value: Any) -> Any:
        return query.filter(service.listed_clause(getattr(getattr(g, "user", None), "unit_id", None)))


def _form_values(activity: Activity | None) -> dict[str, Any]:
    """The basic and plan parts as the form shows them (stored values; times local)."""
    if activity is None:
        return {"kind": "annual", "method": "expert", "written_test": "none", "defense": "none", "page_health": "0",
                "page_school": "0", "page_vocational": "0", "public": "1"}
    out: dict[str, Any] = {k: getattr(activity, k) for k in (
        "committee_id", "name", "scope_text", "year", "kind", "method", "written_test", "defense", "doc_number",
        "group_method")}
    for key, _label in service.DEADLINES:
        out[key] = service.local_input(getattr(activity, key))
    for key in ("page_health", "page_school", "page_vocational", "public"):
        out[key] = "1" if getattr(activity, key) else "0"
    if activity.part_done >= 2:
        out["exceptional"] = "1" if activity.exceptional else "0"
        out["groups"] = "1" if activity.groups else "0"
    return out


def _item_rows(items: list[Any]) -> list[dict[str, Any]]:
    return [{"sort": i.sort, "heading": i.heading, "templates": i.template_list, "requirement": i.requirement}
            for i in items]


def _posted_item_rows() -> list[dict[str, Any]]:
    return [{**r, "templates": service.parse_template_kinds(r["templates"])[0]} for r in service.item_rows_of(request.form)]


class TitleActivityView(ReviewViewMixin, ScopedModelView):
    """评审活动发布 / 评审活动发布审核."""

    class_permission_name = "title.Activity"
    route_base = "/title/activities"
    datamodel = scoped_interface(Activity)
    matter = service.ACTIVITY
    entity_title = _l("评审活动")
    list_title = _l("评审活动发布")
    list_template = "title/activity_list.html"
    review_detail_template = "title/activity_detail.html"
    base_filters = [["id", OwnOrReviewingFilter, None]]
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
    method_permission_name = {"defaults": "edit", "add": "add", "edit": "edit", "delete": "delete"}
    name_search = staticmethod(lambda text: Activity.name.contains(text))
    name_search_label = _l("评审活动名称")
    label_columns = {
        "name": _l("评审活动名称"), "committee": _l("评委会名称"), "year": _l("评审归属年份"), "kind": _l("评审活动类别"),
        "apply_start": _l("申报开始时间"), "first_submit_until": _l("个人初次提交截止时间"),
        "resubmit_until": _l("个人修改提交截止时间"), "receive_until": _l("评委会接收申报截止时间"),
        "publish_state": _l("状态"), "public": _l("是否对外公开"), "review_state": _l("审核状态"), "unit": _l("组建单位"),
        "published_at": _l("发布时间"),
    }
    list_columns = ["name", "committee", "year", "kind", "apply_start", "first_submit_until", "resubmit_until",
                    "receive_until", "publish_state", "public"]
    show_columns = list_columns + ["unit", "published_at"]
    search_columns = ["name", "year", "kind", "review_state"]
    order_columns = ["name", "year", "apply_start"]
    base_order = ("id", "desc")
    formatters_columns = {"kind": lambda v: str(_l(KINDS.get(v, v or ""))), "publish_state": state_label}

    # -- the parts -----------------------------------------------------------------------------

    def _own(self, pk: Any) -> Activity:
        """An activity of the user's own unit (404 outside the scope, 403 for a reviewer's)."""
        activity = self.get_scoped(pk)
        if activity.unit_id != g.user.unit_id:
            abort(403)
        return activity

    def _form_page(self, activity: Activity | None, part: str, values: dict[str, Any] | None = None,
                   errors: dict[str, str] | None = None, rows: Any = None) -> Any:
        committees = service.filed_committees(g.user.unit_id)
        if activity is not None and activity.committee is not None and activity.committee not in committees:
            committees = [activity.committee] + committees
        values = values if values is not None else _form_values(activity)
        committee = activity.committee if activity is not None else None
        if rows is None and activity is not None:
            rows = {"items": _item_rows(activity.items),
                    "conditions": [c.text for c in activity.conditions],
                    "materials": [{"name": m.name, "required": m.required, "note": m.note or ""}
                                  for m in activity.materials],
                    "levels": {lv.level: lv.majors for lv in activity.levels}}
        rows = rows or {"items": [], "conditions": [], "materials": [], "levels": {}}
        owner = attachments.owner_of(activity) if activity is not None else None
        files = attachments.current(activity) if activity is not None else []
        review = review_of(service.ACTIVITY.code, activity.id) if activity is not None else None
        return self.render_template(
            "title/activity_form.html", activity=activity, part=part, parts=PARTS, part_labels=service.PART_LABELS,
            done=activity.part_done if activity is not None else 0, values=values, errors=errors or {},
            rows=rows, committees=committees, committee=committee, kinds=KINDS, methods=METHODS,
            written_tests=WRITTEN_TESTS, defenses=DEFENSES, group_methods=GROUP_METHODS, headings=HEADINGS,
            templates=TEMPLATES, levels=dicts.choices("title_level"), level_label=service.level_label,
            att_owner=owner, att_files=files, review=review, deadlines=service.DEADLINES,
            title=_("新增评审活动") if activity is None else _("评审活动：%(n)s", n=activity.name),
        )

    def _save(self, activity: Activity | None, part: str) -> Any:
        errors: dict[str, str] = {}
        done = write(lambda: service.save_part(g.user, activity, part, request.form),
                     _("“%(p)s”已保存", p=str(service.PART_LABELS.get(part, part))), errors=errors)
        if done:
            saved = done.value
            index = PARTS.index(part)
            following = PARTS[index + 1] if index + 1 < len(PARTS) else part
            return redirect(url_for("TitleActivityView.edit", pk=saved.id, part=following))
        # refused: the form as typed, the errors beside the fields
        if activity is not None:
            activity = db.session.get(Activity, activity.id)
        values = {**(_form_values(activity) if activity is not None else {}), **request.form.to_dict()}
        rows = None
        if part in ("levels", "achievements", "conditions", "materials"):
            levels = request.form.getlist("levels")
            rows = {"items": _posted_item_rows(),
                    "conditions": request.form.getlist("condition"),
                    "materials": service.material_rows_of(request.form),
                    "levels": {c: request.form.get(f"majors_{c}", "") for c in levels},
                    "chosen": levels}
        return self._form_page(activity, part, values, errors, rows)

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self) -> Any:
        """新增评审活动: the first part (基本信息); the activity exists once it is saved."""
        if request.method == "POST":
            return self._save(None, "basic")
        return self._form_page(None, "basic")

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk: Any) -> Any:
        activity = self._own(pk)
        part = request.args.get("part") or (PARTS[min(activity.part_done, len(PARTS) - 1)])
        if part not in PARTS:
            abort(404)
        if request.method == "POST":
            return self._save(activity, part)
        if PARTS.index(part) > activity.part_done:
            flash(_("请先保存“%(p)s”，再填写“%(q)s”", p=str(service.PART_LABELS[PARTS[activity.part_done]]),
                    q=str(service.PART_LABELS[part])), "warning")
            return redirect(url_for("TitleActivityView.edit", pk=activity.id, part=PARTS[activity.part_done]))
        return self._form_page(activity, part)

    def _delete(self, pk: Any) -> None:
        activity = self._own(pk)
        write(lambda: service.delete_activity(g.user, activity), _("已删除"))

    # -- the committee's default set ---------------------------------------------------------

    @expose("/defaults/<int:committee_id>", methods=["GET", "POST"])
    @has_access
    def defaults(self, committee_id: int) -> Any:
        """业绩成果默认配置 of a committee of the user's unit (new activities start from it)."""
        committee = db.session.get(Committee, committee_id)
        if committee is None or committee.unit_id != g.user.unit_id:
            abort(404)
        errors: dict[str, str] = {}
        if request.method == "POST":
            done = write(lambda: service.save_default_items(g.user, committee, service.item_rows_of(request.form)),
                         _("业绩成果默认配置已保存"), errors=errors)
            if done:
                return redirect(url_for("TitleActivityView.defaults", committee_id=committee_id))
            rows = _posted_item_rows()
        else:
            rows = _item_rows(service.default_items(committee))
        committees = db.session.scalars(select(Committee).where(Committee.unit_id == g.user.unit_id)
                                        .order_by(Committee.id)).all()
        return self.render_template("title/activity_defaults.html", committee=committee, committees=committees,
                                    rows=rows, errors=errors, headings=HEADINGS, templates=TEMPLATES,
                                    title=_("业绩成果默认配置：%(c)s", c=committee.name))

    # -- list and review page --------------------------------------------------------------

    def render_template(self, template: str, **kwargs: Any) -> Any:
        if template == self.list_template:
            own = db.session.scalars(select(Committee).where(Committee.unit_id == g.user.unit_id)
                                     .order_by(Committee.id)).all()
            kwargs.setdefault("own_committees", own)
            kwargs.setdefault("may_publish", service.may_publish(g.user))
        return super().render_template(template, **kwargs)

    def row_rule(self) -> tuple[Any, Any]:
        """编辑 while the activity is its unit's to change; 删除 only before it was ever submitted."""
        from models.core.workflow import EDITABLE_STATES

        own = Activity.unit_id == g.user.unit_id
        return (and_(own, Activity.review_state.in_(EDITABLE_STATES)), and_(own, Activity.review_state == "draft"))

    def can_add_here(self) -> bool:
        return service.may_publish(g.user)

    def review_context(self, record: Activity) -> dict[str, Any]:
        return {"activity": record, "part_labels": service.PART_LABELS, "kinds": KINDS, "methods": METHODS,
                "written_tests": WRITTEN_TESTS, "defenses": DEFENSES, "group_methods": GROUP_METHODS,
                "template_names": service.template_names, "level_label": service.level_label,
                "state_label": state_label, "submit_problem": service.submit_problem(record)
                if record.editable and record.unit_id == g.user.unit_id else None}


class TitleActivityPortalView(BaseView):
    """门户: the public activities (published and 对外公开), their public information and policy files; no
    login needed. Nothing else of an activity answers here."""

    route_base = "/title/portal"
    default_view = "activities"
    scope_model = Activity  # only published public activities answer

    @expose("/activities")
    def activities(self) -> Any:
        return self.render_template("title/activity_portal_list.html", rows=service.public_activities(),
                                    kinds=KINDS, title=_("评审活动"))

    @expose("/activity/<int:pk>")
    def activity(self, pk: int) -> Any:
        activity = service.public_activity(pk)
        if activity is None:
            abort(404)
        files = attachments.current(activity, "policy")
        return self.render_template("title/activity_portal_show.html", activity=activity, files=files, kinds=KINDS,
                                    methods=METHODS, written_tests=WRITTEN_TESTS, defenses=DEFENSES,
                                    level_label=service.level_label, title=activity.name)

    @expose("/file/<int:pk>")
    def file(self, pk: int) -> Any:
        """A policy file (评审政策文件, 对外发布使用) of a public activity; nothing else."""
        row = db.session.get(Attachment, pk)
        if row is None or row.owner_type != "title.activity" or row.slot != "policy":
            abort(404)
        if service.public_activity(row.owner_id) is None:
            abort(404)
        fh = attachments.storage().open(row.storage_key)
        return send_file(fh, mimetype=attachments.MIME.get(row.kind, "application/octet-stream"), as_attachment=True,
                         download_name=row.file_name, max_age=0)


def register_activities(appbuilder: Any) -> None:
    from views.registry import add_link, add_view

    cat, label = "TitleActivity", _l("评审活动管理")
    add_view(appbuilder, TitleActivityView, "TitleActivities", cat, label=_l("评审活动发布"), icon="fa-calendar-plus",
             category_label=label, category_icon="fa-calendar-check",
             menu_cond=unit_kind("hr", "competent", "self_review", "central"))
    add_link(appbuilder, TitleActivityView, "TitleActivityReview", "TitleActivityView.list", "can_review", cat,
             label=_l("评审活动发布审核"), icon="fa-clipboard-check", cond=unit_kind("hr", "competent"),
             args={"todo": "review"}, category_label=label)
    appbuilder.add_view_no_menu(TitleActivityPortalView)
    # the portal home page's panel reads its rows through this global (app.modules: portal_panels)
    from flask import current_app

    current_app.jinja_env.globals["title_activity_portal"] = service.portal_panel
