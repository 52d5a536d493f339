"""ReviewViewMixin: gives a scoped ModelView the review actions, status tabs and trail.

A module's view declares ``matter = <MatterType>`` and mixes this in before
``ScopedModelView``. The engine decides everything; the view only parses and flashes.
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.services.core import attachments
from app.workflow import act, allowed_actions, review_of
from models.core.unit import Unit
from models.core.workflow import STATES, CommonOpinion
from views.base import display_value
from views.writes import write

ACTION_LABELS = {
    "submit": _l("提交"), "withdraw": _l("撤回"), "approve": _l("通过"), "return": _l("退回"),
    "reject": _l("不通过"), "push": _l("推送"), "accept": _l("接收"), "decline": _l("不接收"),
}


# ?todo=1: everything waiting for the user's unit; or one stage: review (申请审核), push (推送管理),
# accept (对接审核)
STAGES = ("1", "review", "push", "accept")


class TodoFilter(BaseFilter):
    """待我审核: pending records whose current node is the user's unit (of one stage, if asked)."""

    name = "todo"

    def apply(self, query: Any, value: Any) -> Any:
        stage = request.args.get("todo")
        if stage not in STAGES:
            return query
        query = query.filter(self.model.review_state == "pending",
                             self.model.review_unit_id == getattr(g.user, "unit_id", None))
        if stage == "1":
            return query
        from models.core.workflow import Review, ReviewNode

        at_stage = (select(Review.record_id).join(ReviewNode, ReviewNode.review_id == Review.id)
                    .where(Review.matter == value, Review.state == "pending", ReviewNode.position == Review.step,
                           ReviewNode.kind == stage))
        return query.filter(self.model.id.in_(at_stage))


class NameFilter(BaseFilter):
    """?q_name=…: the records whose applicant's or team's name contains the text (the view's
    ``name_search``), on every tab — 审核记录 included (TC-08)."""

    name = "q_name"

    def apply(self, query: Any, value: Any) -> Any:
        text = (request.args.get("q_name") or "").strip()[:30]
        if not text or value is None:
            return query
        return query.filter(value(text))


def stage_count(matter: Any, user: Any, stage: str) -> int:
    """How many records of ``matter`` wait for the user's unit at ``stage`` (for the tabs' badges)."""
    from sqlalchemy import func

    from models.core.workflow import Review, ReviewNode

    unit_id = getattr(user, "unit_id", None)
    stmt = (select(func.count()).select_from(Review).join(ReviewNode, ReviewNode.review_id == Review.id)
            .where(Review.matter == matter.code, Review.state == "pending", Review.current_unit_id == unit_id,
                   ReviewNode.position == Review.step))
    if stage != "1":
        stmt = stmt.where(ReviewNode.kind == stage)
    return int(db.session.scalar(stmt) or 0)


class ActedFilter(BaseFilter):
    """审核记录: the records the current user acted on (any action but submitting), with ?mine=1."""

    name = "acted"

    def apply(self, query: Any, value: Any) -> Any:
        if request.args.get("mine") != "1":
            return query
        from models.core.workflow import Review, ReviewTrail

        acted = (select(Review.record_id).join(ReviewTrail, ReviewTrail.review_id == Review.id)
                 .where(Review.matter == value, ReviewTrail.user_id == getattr(g.user, "id", None),
                        ReviewTrail.action != "submit"))
        return query.filter(self.model.id.in_(acted))


class ReviewViewMixin:
    matter: Any = None
    review_attachments = True  # the generic attachments panel (off where the detail shows its own)
    # text -> SQL condition "the applicant's name contains text" (the lists' 按姓名查询), or None
    name_search: Any = None
    name_search_label: Any = _l("姓名")
    review_template = "review/page.html"
    review_detail_template: str | None = None  # what the reviewer reads above the actions
    list_template = "review/list.html"

    def __init__(self, **kwargs: Any) -> None:
        self._review_setup()
        super().__init__(**kwargs)

    def _review_setup(self) -> None:
        self.base_filters = list(self.base_filters or []) + [["id", TodoFilter, self.matter.code],
                                                             ["id", ActedFilter, self.matter.code]]
        if self.name_search is not None:
            self.base_filters.append(["id", NameFilter, type(self).name_search])
        perms = set(self.base_permissions or []) | {"can_review", "batch_approve"}
        self.base_permissions = sorted(perms)
        # the record's page is its review page, open to whoever may see the record (can_show): the
        # engine decides what each user may press there (a reviewer's actions need can_review)
        self.method_permission_name = {**(getattr(self, "method_permission_name", None) or {}),
                                       "review": "show", "review_batch": "review"}
        fmt = dict(getattr(self, "formatters_columns", None) or {})
        fmt["review_state"] = lambda v: str(_l(STATES.get(v, v))) if v else ""
        self.formatters_columns = fmt

    def _do(self, record: Any, action: str, opinion: str | None, version: Any, target: Any,
            label: str | None = None) -> bool:
        """One transition committed, or refused with its reason flashed (prefixed by the row in batches)."""
        # the engine or a line's hook refused (a BusinessError, or a ValueError: e.g. a cycle)
        return bool(write(lambda: act(self.matter, record, g.user, action, opinion=opinion, expected_version=version,
                                      target=target), label=label, refuse=(ValueError,)))

    def _batch(self, records: list[Any], action: str, opinion: str | None, target: Any = None) -> None:
        ok = 0
        for record in records:
            label = self.matter.title_of(record)
            row_target = target
            if action == "push" and self.matter.push_target is not None:
                row_target = self.matter.push_target(record)  # 推送管理 in batches: each to its own unit
            if self._do(record, action, opinion, None, row_target, label=label):
                ok += 1
                flash(_("%(r)s：已%(a)s", r=label, a=str(self.action_labels().get(action, action))), "info")
        flash(_("批量处理完成：成功%(ok)s条，失败%(bad)s条", ok=ok, bad=len(records) - ok),
              "success" if ok == len(records) else "warning")

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk: Any) -> Any:
        """查看 from a list, the to-do list or a message: the whole record with its route, trail,
        attachments and the buttons the user may press now (the review page)."""
        return self._review_page(self.get_scoped(pk), pk)

    @expose("/review/<pk>", methods=["GET", "POST"])
    @has_access
    def review(self, pk: Any) -> Any:
        record = self.get_scoped(pk)
        if request.method == "POST":
            action = request.form.get("action", "")
            target = request.form.get("push_to") if action == "push" else request.form.get("target")
            if self._do(record, action, request.form.get("opinion"), request.form.get("version"), target):
                flash(_("已%(a)s", a=str(self.action_labels().get(action, action))), "success")
                if request.form.get("save_opinion") and request.form.get("opinion"):
                    write(lambda: db.session.add(CommonOpinion(user_id=g.user.id,
                                                               text=request.form["opinion"].strip()[:500])))
                return redirect(url_for(f"{type(self).__name__}.review", pk=pk))
        return self._review_page(record, pk)

    def _review_page(self, record: Any, pk: Any) -> Any:
        review = review_of(self.matter.code, record.id)
        actions = allowed_actions(self.matter, review, g.user, record)
        owner = None
        if self.review_attachments:
            try:
                owner = attachments.owner_of(record)
            except attachments.AttachmentError:
                owner = None
        # the applicant, while the record is theirs to change, edits it from here
        can_edit = ("submit" in actions and "can_edit" in (self.base_permissions or [])
                    and self.appbuilder.sm.has_access("can_edit", self.class_permission_name))
        opinions = db.session.scalars(select(CommonOpinion).where(CommonOpinion.user_id == g.user.id)).all()
        nodes = [(n, db.session.get(Unit, n.unit_id)) for n in (review.nodes if review else [])]
        return self.render_template(
            self.review_template, record=record, review=review, actions=actions, labels=self.action_labels(),
            states=STATES, opinions=opinions, nodes=nodes, title=str(self.matter.name),
            view_name=type(self).__name__, pk=pk, detail_template=self.review_detail_template,
            returns_to=self.matter.returns_to, fields=None if self.review_detail_template else self.record_fields(record),
            att_owner=owner, att_files=attachments.current(record) if owner is not None else [], can_edit=can_edit,
            **self.review_context(record),
        )

    def action_labels(self) -> dict[str, Any]:
        """The buttons' names: the engine's, as the matter's manual words them."""
        return {**ACTION_LABELS, **(self.matter.labels or {})}

    def review_context(self, record: Any) -> dict[str, Any]:
        """Extra values for the detail template."""
        return {}

    def record_fields(self, record: Any) -> list[tuple[str, str]]:
        """The record's show columns as (label, text) for a page without its own detail template:
        the view's labels and formatters, never a Python object."""
        out: list[tuple[str, str]] = []
        formatters = getattr(self, "formatters_columns", None) or {}
        for col in self.show_columns or []:
            value: Any = record
            for part in col.split("."):
                value = getattr(value, part, None) if value is not None else None
            if col in formatters:
                value = formatters[col](value)
            out.append((str(self.label_columns.get(col) or col), str(display_value(value))))
        return out

    def render_template(self, template: str, **kwargs: Any) -> Any:
        kwargs.setdefault("batch_push", getattr(self.matter, "push_target", None) is not None)
        kwargs.setdefault("review_labels", self.action_labels())
        kwargs.setdefault("final_reject", self.matter.final_reject)
        kwargs.setdefault("name_search_label", str(self.name_search_label) if self.name_search is not None else None)
        return super().render_template(template, **kwargs)

    @action("batch_approve", _l("批量通过"), _l("确定通过所选记录？"), "fa-check", single=False)
    def batch_approve(self, items: Any) -> Any:
        self._batch(items if isinstance(items, list) else [items], "approve", None)
        return redirect(self.get_redirect())

    @expose("/review_batch", methods=["POST"])
    @has_access
    def review_batch(self) -> Any:
        """One action over the selected rows, with a result per row."""
        action = request.form.get("action", "")
        ids = request.form.getlist("rowid")
        if not ids:
            flash(_("请先选择记录"), "warning")
            return redirect(request.referrer or url_for(f"{type(self).__name__}.list"))
        self._batch([self.get_scoped(pk) for pk in ids], action, request.form.get("opinion"),
                    request.form.get("target") or None)
        return redirect(request.referrer or url_for(f"{type(self).__name__}.list"))
