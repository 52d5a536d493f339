"""职称申报人 screens (004 §1.2.3, TR-10): 注册 (public), and the person's own pages — 评审活动 and
我的职称申报 with the application form (its sections follow the activity), its achievement entries and
their files, the 评审会需求材料, 提交 / 撤回, the state, the opinions (the engine's trail) and the
messages about it. Every record is the account's own: another person's id answers 404."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, jsonify, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.services.core import attachments, dicts
from app.services.title import applications as service
from app.services.title.meetings import APPLICANT_STATES, result_label
from app.services.title.templates import TEMPLATES
from app.workflow import act, allowed_actions, last_refusal, review_of
from models.core.workflow import STATES
from models.title.activity import DEFENSES, KINDS, METHODS, WRITTEN_TESTS
from models.title.application import CATEGORIES, EVAL_METHODS, Application
from views.review import ACTION_LABELS
from views.writes import save_then_redirect, write


class TitleRegisterView(BaseView):
    """职称申报人注册 (public): 姓名, 证件号码 (the login name), 手机号, 密码, 工作单位 (a title unit)."""

    class_permission_name = "title.Register"
    route_base = "/title/register"
    default_view = "form"

    @expose("/", methods=["GET", "POST"])
    def form(self) -> Any:
        errors: dict[str, str] = {}
        if request.method == "POST":
            if write(lambda: service.register_person(request.form), _("注册成功，请使用证件号码登录"), errors=errors,
                     refusal=None):
                return redirect(self.appbuilder.get_url_for_login)
        chosen = service.title_unit(request.form.get("unit")) if request.method == "POST" else None
        return self.render_template("title/applicant_register.html", form=request.form, errors=errors, chosen=chosen,
                                    title=_("职称申报人注册"))

    @expose("/units")
    def units(self) -> Any:
        """The unit picker's options: the title units by name (public, as the registration page is)."""
        page = service.to_id(request.args.get("page")) or 1
        rows, more = service.unit_options((request.args.get("q") or "").strip()[:50], page)
        return jsonify({"results": [{"id": u.id, "text": u.name} for u in rows], "pagination": {"more": more}})


def _choices() -> dict[str, Any]:
    return {"ethnicities": dicts.choices("ethnicity"), "politics": dicts.choices("politics"),
            "educations": dicts.choices("education"), "series": dicts.choices("title_series"),
            "levels": dicts.choices("title_level"), "eval_methods": EVAL_METHODS, "categories": CATEGORIES,
            "dict_label": dicts.label}


class TitleMyView(BaseView):
    """The applicant's own pages (their records are applications: the scope walker's model)."""

    class_permission_name = "title.My"
    route_base = "/title/my"
    scope_model = Application
    default_view = "applications"
    base_permissions = ["can_activities", "can_application"]
    method_permission_name = {
        "activities": "activities", "activity": "activities", "policy_file": "activities", "apply": "application", "applications": "application",
        "application": "application", "section": "application", "new_entry": "application", "entry": "application",
        "delete_entry": "application", "material": "application", "delete_material": "application",
        "submit": "application",
    }

    # -- 评审活动 --------------------------------------------------------------------------------

    @expose("/activities")
    @has_access
    def activities(self) -> Any:
        mine, others = service.open_activities(g.user)
        applied = {a.activity_id: a for a in service.my_applications(g.user)}
        return self.render_template("title/applicant_activities.html", mine=mine, others=others, applied=applied,
                                    phase=service.activity_phase, title=_("评审活动"))

    def _activity_page(self, activity: Any, errors: dict[str, str], values: Any) -> Any:
        existing = service.application_for(g.user, activity)
        region = service.region_problem(activity, g.user.unit)
        return self.render_template(
            "title/applicant_activity.html", activity=activity, existing=existing, errors=errors, values=values,
            region=region, files=service.policy_files(activity), phase=service.activity_phase(activity),
            closed=service.now() > service.aware(activity.first_submit_until), templates=TEMPLATES,
            kinds=KINDS, methods=METHODS, written_tests=WRITTEN_TESTS, defenses=DEFENSES, title=activity.name,
            **_choices())

    @expose("/activity/<int:pk>")
    @has_access
    def activity(self, pk: int) -> Any:
        activity = service.visible_activity(g.user, pk)
        if activity is None:
            abort(404)
        return self._activity_page(activity, {}, {"category": "entrusted" if service.region_problem(
            activity, g.user.unit) else "direct", "eval_method": "normal"})

    @expose("/activity/<int:pk>/file")
    @has_access
    def policy_file(self, pk: int) -> Any:
        """A 评审政策文件 (``?file=<id>``) of an activity the person may open."""
        row = service.policy_file(g.user, pk, service.to_id(request.args.get("file")) or 0)
        if row is None:
            abort(404)
        fh = attachments.storage().open(row.storage_key)
        return send_file(fh, mimetype=attachments.MIME.get(row.kind, "application/octet-stream"), as_attachment=True,
                         download_name=row.file_name, max_age=0)

    @expose("/activity/<int:pk>/apply", methods=["POST"])
    @has_access
    def apply(self, pk: int) -> Any:
        activity = service.visible_activity(g.user, pk)
        if activity is None:
            abort(404)
        errors: dict[str, str] = {}
        done = write(lambda: service.start_application(g.user, pk, request.form),
                     _("申报已创建，请依次填写各栏目后提交"), errors=errors)
        if done:
            return redirect(url_for("TitleMyView.application", pk=done.value.id))
        return self._activity_page(activity, errors, request.form)

    # -- 我的职称申报 ------------------------------------------------------------------------------

    @expose("/applications")
    @has_access
    def applications(self) -> Any:
        rows = service.my_applications(g.user)
        return self.render_template("title/applicant_list.html", rows=rows, states={**STATES, **APPLICANT_STATES},
                                    dict_label=dicts.label, result_label=result_label, title=_("我的职称申报"))

    def _own(self, pk: Any) -> Any:
        app = service.own_application(g.user, pk)
        if app is None:
            abort(404)
        return app

    def _page(self, app: Any, section: str | None = None, errors: dict[str, str] | None = None) -> Any:
        review = review_of(service.MATTER_CODE, app.id)
        values = service.values_of(app)
        rows = {"edu": service.rows_of(app, "edu"), "work": service.rows_of(app, "work")}
        if section is not None:  # the refused section as typed
            values.update({k: v for k, v in request.form.items() if k != "csrf_token"})
            if section == "education":
                rows["edu"] = service.posted_rows(request.form, "edu")
            if section == "works":
                rows["work"] = service.posted_rows(request.form, "work")
        from app.services.title.review import APPLICATION

        problem = service.edit_problem(app)
        entries: dict[int, list[Any]] = {}
        for entry in app.entries:
            entries.setdefault(entry.item_id, []).append(entry)
        returned = last_refusal(review, ("return",)) if app.review_state == "returned" else None
        return self.render_template(
            "title/applicant_application.html", app=app, activity=app.activity, values=values, rows=rows,
            errors=errors or {}, section=section, sections=service.SECTIONS, editable=problem is None,
            edit_problem=problem, review=review, states={**STATES, **APPLICANT_STATES},
            labels={**ACTION_LABELS, **APPLICATION.labels}, result_label=result_label,
            can_submit=problem is None, returned=returned,
            can_withdraw="withdraw" in allowed_actions(APPLICATION, review, g.user),
            entries=entries, templates=TEMPLATES, summary_of=service.entry_summary, missing_of=service.entry_missing,
            materials=service.materials_of(app), prefix_of=service.material_prefix,
            messages=service.related_messages(app, g.user), entry_files=lambda e: attachments.current(e),
            title=_("职称申报：%(a)s", a=app.activity.name), **_choices())

    @expose("/application/<int:pk>")
    @has_access
    def application(self, pk: int) -> Any:
        return self._page(self._own(pk))

    @expose("/application/<int:pk>/save", methods=["POST"])
    @has_access
    def section(self, pk: int) -> Any:
        """Save one section (the form's ``section``: apply, person, current, education, works, summary)."""
        app = self._own(pk)
        section = request.form.get("section") or ""
        if section not in service.SECTIONS:
            abort(404)
        errors: dict[str, str] = {}
        label = service.SECTIONS[section]
        done = save_then_redirect(lambda: service.save_section(g.user, app, section, request.form),
                                  _("“%(s)s”已保存", s=str(label)), "TitleMyView.application", errors, pk=pk,
                                  _anchor=f"sec-{section}")
        if done is not None:
            return done
        return self._page(self._own(pk), section, errors)

    # -- achievement entries ---------------------------------------------------------------------------

    def _entry_page(self, app: Any, item: Any, template: Any, entry: Any, values: Any, errors: dict[str, str]) -> Any:
        problem = service.edit_problem(app)
        return self.render_template(
            "title/applicant_entry.html", app=app, item=item, tpl=template, entry=entry, values=values,
            errors=errors, editable=problem is None, edit_problem=problem, field_key=service.field_key,
            pairs=lambda fd: [(c, c) for c in fd.choices],
            owner=attachments.OWNERS["title.achievement"], files=attachments.current(entry) if entry else [],
            title=_("业绩成果：%(h)s", h=item.heading))

    @expose("/application/<int:pk>/item/<int:item_id>/entry", methods=["GET", "POST"])
    @has_access
    def new_entry(self, pk: int, item_id: int) -> Any:
        app = self._own(pk)
        item = service.item_of(app, item_id)
        code = request.values.get("template") or (item.template_list[0] if item and item.template_list else "")
        if item is None or code not in item.template_list or code not in TEMPLATES:
            abort(404)
        errors: dict[str, str] = {}
        if request.method == "POST":
            done = write(lambda: service.save_entry(g.user, app, item, code, request.form),
                         _("业绩成果已保存，可继续上传佐证材料"), errors=errors)
            if done:
                return redirect(url_for("TitleMyView.entry", pk=pk, entry_id=done.value.id))
            app, item = self._own(pk), service.item_of(self._own(pk), item_id)
        return self._entry_page(app, item, TEMPLATES[code], None, request.form, errors)

    @expose("/application/<int:pk>/entry/<int:entry_id>", methods=["GET", "POST"])
    @has_access
    def entry(self, pk: int, entry_id: int) -> Any:
        app = self._own(pk)
        entry = service.entry_of(app, entry_id)
        if entry is None:
            abort(404)
        errors: dict[str, str] = {}
        if request.method == "POST":
            done = save_then_redirect(lambda: service.save_entry(g.user, app, entry.item, entry.template, request.form,
                                                                 entry),
                                      _("业绩成果已保存"), "TitleMyView.entry", errors, pk=pk, entry_id=entry_id)
            if done is not None:
                return done
            app = self._own(pk)
            entry = service.entry_of(app, entry_id)
            values: Any = request.form
        else:
            values = {service.field_key(k): v for k, v in (entry.data or {}).items()}
        return self._entry_page(app, entry.item, TEMPLATES[entry.template], entry, values, errors)

    @expose("/application/<int:pk>/entry/<int:entry_id>/delete", methods=["POST"])
    @has_access
    def delete_entry(self, pk: int, entry_id: int) -> Any:
        app = self._own(pk)
        entry = service.entry_of(app, entry_id)
        if entry is None:
            abort(404)
        write(lambda: service.delete_entry(g.user, app, entry), _("业绩成果已删除"))
        return redirect(url_for("TitleMyView.application", pk=pk, _anchor="sec-items"))

    # -- 评审会需求材料 ---------------------------------------------------------------------------------

    @expose("/application/<int:pk>/material", methods=["POST"])
    @has_access
    def material(self, pk: int) -> Any:
        """Upload files of one 评审会需求材料 (the form's ``material``)."""
        app = self._own(pk)
        material = service.material_of(app, request.form.get("material"))
        if material is None:
            abort(404)
        files = [f for f in request.files.getlist("file") if f and f.filename]
        if not files:
            flash(_("请选择要上传的文件"), "warning")
        else:
            write(lambda: [service.upload_material(g.user, app, material, f.stream, f.filename).file_name for f in files],
                  lambda names: _("已上传：%(n)s", n="、".join(names)))
        return redirect(url_for("TitleMyView.application", pk=pk, _anchor="sec-materials"))

    @expose("/application/<int:pk>/material/delete", methods=["POST"])
    @has_access
    def delete_material(self, pk: int) -> Any:
        """Delete one file (the form's ``file``) of the materials."""
        app = self._own(pk)
        write(lambda: service.delete_material_file(g.user, app, request.form.get("file")), lambda name: _("已删除附件：%(n)s", n=name))
        return redirect(url_for("TitleMyView.application", pk=pk, _anchor="sec-materials"))

    # -- 提交 / 撤回 ------------------------------------------------------------------------------------

    @expose("/application/<int:pk>/submit", methods=["POST"])
    @has_access
    def submit(self, pk: int) -> Any:
        from app.services.title.review import APPLICATION

        app = self._own(pk)
        action = "withdraw" if request.form.get("action") == "withdraw" else "submit"
        ok = _("已撤回，可修改后重新提交") if action == "withdraw" else _("已提交审核")
        write(lambda: act(APPLICATION, app, g.user, action), ok, errors={})
        return redirect(url_for("TitleMyView.application", pk=pk))


def register_applicant(appbuilder: Any) -> None:
    from views.registry import add_link

    appbuilder.add_view_no_menu(TitleRegisterView)
    appbuilder.add_view_no_menu(TitleMyView)
    cat, label = "TitleApplicant", _l("职称申报")
    add_link(appbuilder, TitleMyView, "TitleActivities", "TitleMyView.activities", "can_activities", cat,
             label=_l("评审活动"), icon="fa-bullhorn", category_label=label, category_icon="fa-award")
    add_link(appbuilder, TitleMyView, "TitleMyApplications", "TitleMyView.applications", "can_application", cat,
             label=_l("我的职称申报"), icon="fa-file-signature", category_label=label)
