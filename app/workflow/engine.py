"""One review engine for every module (P-14).

A module declares a ``MatterType``: its model, its route (``Climb(levels)``,
``ToCategory(code)``, ``ToUnit(id)`` or a ``route_builder``), where a return may go,
and hooks. The engine owns the state checks, the acting user's right (unit, in-unit
post, permission, scope), the transition, the version check with ``SELECT … FOR
UPDATE``, the trail and the audit entry — committed together or not at all.

States: draft → pending → approved | rejected (final); pending → returned → pending
(the resubmission goes straight back to the node that returned it); pending →
withdrawn (only while the current reviewer has not acted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.services.core.validators import OPINION_MAX_LENGTH, to_id, too_long_message
from app.services.errors import BusinessError
from models.core.unit import Category, Unit, unit_category
from models.core.workflow import Review, ReviewNode, ReviewPost, ReviewTrail, editable_state


class ReviewError(BusinessError):
    """A refused action; nothing changed."""


@dataclass
class Climb:
    """Each of the next ``levels`` ancestors reviews in turn."""

    levels: int = 1


@dataclass
class ToCategory:
    """The first ancestor holding the category reviews."""

    code: str


@dataclass
class ToUnit:
    """A named unit reviews (its id, or a callable giving it)."""

    unit_id: int | Callable[[], int]


@dataclass
class Push:
    """推送管理: the previous node's unit again, whose only step is to push the record to the
    unit ``MatterType.push_target`` names (then that unit accepts or declines, and the
    pushing unit decides)."""


@dataclass
class Require:
    """What an action needs first (P-14 "attachments a step requires"): filled fields,
    uploaded attachment slots, or a check returning a refusal message; ``when`` limits
    it to some steps (e.g. only the applicant's own unit)."""

    actions: tuple[str, ...] = ("approve",)
    fields: tuple[tuple[str, Any], ...] = ()  # (attribute, label)
    attachments: tuple[str, ...] = ()  # slot codes, counted by the documents pipeline
    check: Callable[[Any, Review | None, Any], str | None] | None = None
    when: Callable[[Any, Review | None, Any], bool] | None = None


@dataclass
class Deadlines:
    """Times after which a step closes (004 §1.2.4.1): first submission, resubmission
    after a return, and a node's last time to receive (callable of record, unit id)."""

    submit: Callable[[Any], dt.datetime | None] | None = None
    resubmit: Callable[[Any], dt.datetime | None] | None = None
    receive: Callable[[Any, int], dt.datetime | None] | None = None


# The documents pipeline registers a function (record, slot codes) -> missing slot labels.
ATTACHMENT_CHECK: list[Callable[[Any, tuple[str, ...]], list[str]]] = []
# The messaging service registers a function (matter, record, review, action, user) run inside
# the transition's transaction.
NOTIFY: list[Callable[[Any, Any, Review, str, Any], None]] = []


@dataclass
class MatterType:
    code: str
    name: str
    model: type
    route: list[Any] = field(default_factory=lambda: [Climb(1)])
    route_builder: Callable[[Any], list[int]] | None = None
    returns_to: str = "any"  # applicant | previous | any
    opinion_required: tuple[str, ...] = ("return", "reject", "decline")
    pushable: bool = False
    list_endpoint: str | None = None
    unit_of: Callable[[Any], int] = lambda record: record.unit_id
    on_approved: Callable[[Any, Review], None] | None = None
    on_rejected: Callable[[Any, Review], None] | None = None
    on_returned: Callable[[Any, Review], None] | None = None
    reject_bars_year: bool = False
    permission: tuple[str, str] | None = None  # (permission, view) a reviewer needs
    requires: list[Require] = field(default_factory=list)
    deadlines: Deadlines | None = None
    title_of: Callable[[Any], str] = lambda record: str(record)
    push_target: Callable[[Any], int | None] | None = None  # the only unit a push may go to
    decline_returns: bool = False  # 不接收 sends the record back to the applicant with the opinion
    # the manual's wording: a matter whose 不通过 sends the record back for editing (seed 003) offers
    # 通过 and 退回 only, with 退回 named by ``labels`` (e.g. {"return": "不通过"}); no final refusal
    final_reject: bool = True
    labels: dict[str, Any] = field(default_factory=dict)
    # an approved record that may be submitted again, as a new round on a freshly built route (a
    # committee's filing that expired: 申请备案); None: an approval is final
    renewable: Callable[[Any], bool] | None = None


def _renewable(matter: MatterType, review: Review | None, record: Any) -> bool:
    return (review is not None and review.state == "approved" and record is not None
            and matter.renewable is not None and bool(matter.renewable(record)))


REGISTRY: dict[str, MatterType] = {}


def register(matter: MatterType) -> MatterType:
    REGISTRY[matter.code] = matter
    return matter


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# -- route ------------------------------------------------------------------------------


def build_route(matter: MatterType, record: Any) -> list[Any]:
    """Unit ids in order; a push node is ``(unit id, "push")``."""
    if matter.route_builder is not None:
        return list(matter.route_builder(record))
    unit = db.session.get(Unit, matter.unit_of(record))
    ancestors = list(reversed(unit.ancestor_ids[:-1]))  # parent first
    route: list[int] = []
    cursor = 0
    for spec in matter.route:
        if isinstance(spec, Climb):
            for _ in range(spec.levels):
                if cursor >= len(ancestors):
                    raise ReviewError(_("审核路线超出单位树的顶端"))
                route.append(ancestors[cursor])
                cursor += 1
        elif isinstance(spec, ToCategory):
            rest = ancestors[cursor:]
            found = db.session.execute(
                select(unit_category.c.unit_id)
                .join(Category, Category.id == unit_category.c.category_id)
                .where(Category.code == spec.code, unit_category.c.unit_id.in_(rest))
            ).scalars().all()
            hit = next((u for u in rest if u in set(found)), None)
            if hit is None:
                raise ReviewError(_("找不到类型为“%(c)s”的上级单位", c=spec.code))
            route.append(hit)
            cursor = ancestors.index(hit) + 1
        elif isinstance(spec, ToUnit):
            route.append(spec.unit_id() if callable(spec.unit_id) else spec.unit_id)
        elif isinstance(spec, Push):
            if not route:
                raise ReviewError(_("推送环节之前必须有审核单位"))
            last = route[-1]
            route.append((last[0] if isinstance(last, tuple) else last, "push"))
    if not route:
        raise ReviewError(_("审核路线为空"))
    return route


# -- who may act ---------------------------------------------------------------------------


def _levels(unit_id: int, matter: str) -> dict[int, tuple[str, set[int]]]:
    rows = db.session.scalars(
        select(ReviewPost).where(ReviewPost.unit_id == unit_id, ReviewPost.matter == matter)
    ).all()
    out: dict[int, tuple[str, set[int]]] = {}
    for r in rows:
        mode, users = out.get(r.level, (r.mode, set()))
        users.add(r.user_id)
        out[r.level] = (r.mode if r.mode == "all" else mode, users)
    return out


def _level_now(review: Review, levels: dict[int, tuple[str, set[int]]]) -> int:
    """The rule for 多岗审核配置 changed while items wait: a pending item follows the unit's
    configuration as it stands when someone acts. Its level, if that level no longer exists (or
    the item arrived before there was any configuration), is the lowest configured one."""
    if not levels or review.level in levels:
        return review.level
    return min(levels)


def _has_permission(matter: MatterType, user: Any) -> bool:
    """Whether ``user`` — the one given, not the request's — holds the matter's permission; without
    an application to ask, nobody does."""
    if matter.permission is None:
        return True
    from flask import current_app, has_app_context

    if user is None or not has_app_context():
        return False
    return bool(current_app.appbuilder.sm.holds(user, *matter.permission))


def _is_applicant(review: Review, user: Any) -> bool:
    """The submitter, or a colleague in the applying unit; a person's own application (a commissioner's,
    say) belongs to that person alone, not to the unit that reviews it first."""
    if user is None:
        return False
    if user.id == review.applicant_user_id:
        return True
    if user.unit_id != review.applicant_unit_id:
        return False
    from models.core.user import UnitUser

    submitter = db.session.get(UnitUser, review.applicant_user_id) if review.applicant_user_id else None
    return submitter is None or getattr(submitter, "user_type", "unit") != "person"


def _is_reviewer(matter: MatterType, review: Review, user: Any) -> bool:
    if user is None or review.state != "pending" or user.unit_id != review.current_unit_id:
        return False
    levels = _levels(review.current_unit_id, matter.code)
    if levels:
        _mode, users = levels[_level_now(review, levels)]
        if user.id not in users:
            return False
    return _has_permission(matter, user)


def may_submit(matter: MatterType, record: Any, user: Any) -> bool:
    """提交 belongs to the applicant: the owner of a personal record, else the record's unit."""
    owner_col = getattr(type(record), "__scope_owner__", None)
    if owner_col:
        return getattr(record, owner_col, None) == getattr(user, "id", None)
    return getattr(user, "unit_id", None) == matter.unit_of(record)


def allowed_actions(matter: MatterType, review: Review | None, user: Any, record: Any = None) -> list[str]:
    """What ``user`` may do now. With ``record`` (pages), 提交 is offered to the applicant only;
    ``act`` leaves that check to ``submit``, which names the reason."""
    if review is None or editable_state(review.state) or _renewable(matter, review, record):
        if record is not None and not may_submit(matter, record, user):
            return []
        return ["submit"]
    if review.state == "pending":
        acts: list[str] = []
        if _is_applicant(review, user) and not _current_node_acted(review):
            acts.append("withdraw")
        if _is_reviewer(matter, review, user):
            node = review.nodes[review.step]
            if node.kind == "accept":
                acts += ["accept", "decline"]
            elif node.kind == "push":
                acts += ["push", "return"]
            else:
                acts += ["approve", "return"] + (["reject"] if matter.final_reject else [])
                if matter.pushable:
                    acts.append("push")
        return acts
    return []


def _current_node_acted(review: Review) -> bool:
    """Whether any reviewer acted since the last submission (then withdrawing is too late)."""
    return not review.trail or review.trail[-1].action != "submit"


# -- requirements and deadlines ---------------------------------------------------------------


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def _fmt(t: dt.datetime) -> str:
    from app.filters import local_time

    return local_time(t)


def _check_requirements(matter: MatterType, record: Any, review: Review | None, user: Any, action: str) -> None:
    missing: list[str] = []
    for req in matter.requires:
        if action not in req.actions or (req.when is not None and not req.when(record, review, user)):
            continue
        for attr, label in req.fields:
            value = getattr(record, attr, None)
            if value is None or (isinstance(value, str) and not value.strip()):
                missing.append(str(label))
        if req.attachments:
            if not ATTACHMENT_CHECK:
                raise ReviewError(_("附件检查未配置，不能办理"))
            missing += ATTACHMENT_CHECK[0](record, req.attachments)
        if req.check is not None:
            problem = req.check(record, review, user)
            if problem:
                raise ReviewError(str(problem))
    if missing:
        raise ReviewError(_("请先填写或上传：%(m)s", m="、".join(missing)))


def _check_submit_deadline(matter: MatterType, record: Any, resubmit: bool) -> None:
    if matter.deadlines is None:
        return
    fn = matter.deadlines.resubmit if resubmit else matter.deadlines.submit
    limit = fn(record) if fn else None
    if limit is not None and now() > _aware(limit):
        if resubmit:
            raise ReviewError(_("修改后再次提交已于%(t)s截止", t=_fmt(limit)))
        raise ReviewError(_("提交已于%(t)s截止", t=_fmt(limit)))


def _check_receive(matter: MatterType, record: Any, unit_id: int) -> None:
    if matter.deadlines is None or matter.deadlines.receive is None:
        return
    limit = matter.deadlines.receive(record, unit_id)
    if limit is not None and now() > _aware(limit):
        unit = db.session.get(Unit, unit_id)
        raise ReviewError(_("%(u)s已于%(t)s截止接收", u=getattr(unit, "name", ""), t=_fmt(limit)))


def _notify(matter: MatterType, record: Any, review: Review, action: str, user: Any) -> None:
    for fn in NOTIFY:
        fn(matter, record, review, action, user)


# -- transitions ---------------------------------------------------------------------------


def last_refusal(review: Review | None, actions: tuple[str, ...] = ("return", "reject")) -> Any:
    """The latest trail entry of a 退回 (or 不通过) — what the applicant is asked to change."""
    if review is None:
        return None
    return next((t for t in reversed(review.trail) if t.action in actions), None)


def review_of(matter_code: str, record_id: int, lock: bool = False) -> Review | None:
    q = select(Review).where(Review.matter == matter_code, Review.record_id == record_id)
    if lock:
        q = q.with_for_update()
    return db.session.scalar(q)


def _enter(review: Review, step: int) -> None:
    review.step = step
    review.level = min(_levels(review.nodes[step].unit_id, review.matter) or {0: None})
    review.round += 1
    review.current_unit_id = review.nodes[step].unit_id


def _sync_record(matter: MatterType, record: Any, review: Review) -> None:
    if hasattr(record, "review_state"):
        record.review_state = review.state
        record.review_unit_id = review.current_unit_id if review.state == "pending" else None


def _trail(review: Review, user: Any, action: str, opinion: str | None, before: str) -> None:
    # a person acts for themself: the trail names their unit but counts the step for no unit
    person = getattr(user, "user_type", "unit") == "person"
    unit = getattr(user, "unit", None) if not person else None
    unit_name = getattr(getattr(user, "unit", None) if person else unit, "name", None)
    review.trail.append(ReviewTrail(
        at=now(), user_id=getattr(user, "id", None), user_name=getattr(user, "name", None),
        unit_id=getattr(unit, "id", None), unit_name=unit_name,
        post=(_("第%(n)s级审核", n=review.level) if review.level else None), action=action, opinion=opinion,
        from_state=before, to_state=review.state, step=review.step, level=review.level, round=review.round,
    ))


def submit(matter: MatterType, record: Any, user: Any) -> Review:
    """提交 or, after a return, resubmit (straight back to the node that returned it)."""
    review = review_of(matter.code, record.id, lock=True)
    if not may_submit(matter, record, user):
        raise ReviewError(_("只有申请单位可以提交"))
    if review is not None and not (editable_state(review.state) or _renewable(matter, review, record)):
        raise ReviewError(_("当前状态不能提交"))
    if review is not None and review.barred_until and review.barred_until >= dt.date.today():
        raise ReviewError(_("本年度不能再次申请"))
    before = review.state if review else "draft"
    resubmit = review is not None and review.state == "returned"
    _check_submit_deadline(matter, record, resubmit)
    _check_requirements(matter, record, review, user, "submit")
    if review is None or review.state in ("withdrawn", "approved") or review.returned_step is None:
        route = build_route(matter, record)
        if review is None:
            review = Review(matter=matter.code, record_id=record.id)
            db.session.add(review)
        review.nodes = [ReviewNode(position=i, unit_id=u[0] if isinstance(u, tuple) else u,
                                   kind=u[1] if isinstance(u, tuple) else "review") for i, u in enumerate(route)]
        start = 0
    else:
        start = review.returned_step
    review.applicant_user_id = user.id
    review.applicant_unit_id = matter.unit_of(record)
    review.state = "pending"
    review.returned_step = None
    review.submitted_at = now()
    db.session.flush()
    _check_receive(matter, record, review.nodes[start].unit_id)
    _enter(review, start)
    review.version += 1
    _trail(review, user, "submit", None, before)
    _sync_record(matter, record, review)
    return review


def submit_new(matter: MatterType, record: Any, user: Any) -> Any:
    """Save a new record and submit it in one transaction (all or nothing)."""
    try:
        db.session.add(record)
        db.session.flush()
        act(matter, record, user, "submit")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return record


def act(matter: MatterType, record: Any, user: Any, action: str, *, opinion: str | None = None,
        expected_version: int | None = None, target: Any = None) -> Review:
    """One transition, checked on the server; the caller commits (or rolls back)."""
    from app.services.core import audit

    if action == "submit":
        review = submit(matter, record, user)
        audit.record("review", record, detail=f"{matter.code}:submit")
        _notify(matter, record, review, action, user)
        return review
    review = review_of(matter.code, record.id, lock=True)
    if review is None:
        raise ReviewError(_("该事项尚未提交"))
    if expected_version is not None and int(expected_version) != review.version:
        raise ReviewError(_("已被他人处理，请刷新后查看"))
    if action not in allowed_actions(matter, review, user):
        raise ReviewError(_("当前状态或您的权限不能执行该操作"))
    opinion = (opinion or "").strip() or None
    if action in matter.opinion_required and not opinion:
        raise ReviewError(_("请填写意见"))
    if opinion and len(opinion) > OPINION_MAX_LENGTH:
        raise ReviewError(too_long_message(OPINION_MAX_LENGTH, _("意见")))
    _check_requirements(matter, record, review, user, action)
    before = review.state
    if action == "withdraw":
        review.state = "withdrawn"
        review.current_unit_id = None
    elif action == "decline" and matter.decline_returns:
        push_step = review.step - 1 if review.step > 0 and review.nodes[review.step - 1].kind == "push" else None
        review.state = "returned"
        review.returned_step = push_step if push_step is not None else review.step
        review.current_unit_id = None
    elif action in ("approve", "accept", "decline"):
        _trail_and_advance(matter, record, review, user, action, opinion, before)
        review.version += 1
        _sync_record(matter, record, review)
        audit.record("review", record, detail=f"{matter.code}:{action}")
        _notify(matter, record, review, action, user)
        return review
    elif action == "return":
        _return(matter, review, target)
    elif action == "reject":
        review.state = "rejected"
        review.decided_at = now()
        review.current_unit_id = None
        if matter.reject_bars_year:
            review.barred_until = dt.date(dt.date.today().year, 12, 31)
    elif action == "push":
        unit = db.session.get(Unit, to_id(target)) if to_id(target) else None
        if unit is None or unit.id == review.current_unit_id:
            raise ReviewError(_("请选择推送的单位"))
        if matter.push_target is not None:
            expected = matter.push_target(record)
            if expected is None or unit.id != expected:
                named = db.session.get(Unit, expected) if expected else None
                raise ReviewError(_("只能推送给申请中选择的单位：%(u)s", u=getattr(named, "name", "—")))
        if review.nodes[review.step].kind == "push":
            # pushing again after a decline: what the earlier push added goes
            for n in [n for n in review.nodes if n.position > review.step]:
                review.nodes.remove(n)
            db.session.flush()
        pos = review.step + 1
        for n in review.nodes:
            if n.position >= pos:
                n.position += 2
        review.nodes.insert(pos, ReviewNode(position=pos, unit_id=unit.id, kind="accept"))
        review.nodes.insert(pos + 1, ReviewNode(position=pos + 1, unit_id=review.current_unit_id, kind="review"))
        db.session.flush()
        _trail(review, user, "push", opinion or unit.name, before)
        _enter(review, pos)
        review.version += 1
        _sync_record(matter, record, review)
        audit.record("review", record, detail=f"{matter.code}:push")
        _notify(matter, record, review, action, user)
        return review
    _trail(review, user, action, opinion, before)
    review.version += 1
    _sync_record(matter, record, review)
    if action == "reject" and matter.on_rejected:
        matter.on_rejected(record, review)
    if review.state == "returned" and matter.on_returned:
        matter.on_returned(record, review)
    audit.record("review", record, detail=f"{matter.code}:{action}")
    _notify(matter, record, review, action, user)
    return review


def _trail_and_advance(matter: MatterType, record: Any, review: Review, user: Any, action: str,
                       opinion: str | None, before: str) -> None:
    levels = _levels(review.current_unit_id, matter.code)
    review.level = _level_now(review, levels)
    _trail(review, user, action, opinion, before)
    if levels and review.level in levels:
        mode, users = levels[review.level]
        if mode == "all":
            done = {t.user_id for t in review.trail if t.round == review.round and t.level == review.level
                    and t.action == "approve"}
            if not users <= done:
                return  # the others of this level still have to approve
        higher = sorted(lv for lv in levels if lv > review.level)
        if higher:
            review.level = higher[0]
            return
    if review.step + 1 < len(review.nodes):
        _check_receive(matter, record, review.nodes[review.step + 1].unit_id)
        _enter(review, review.step + 1)
        return
    review.state = "approved"
    review.decided_at = now()
    review.current_unit_id = None
    review.trail[-1].to_state = "approved"
    if matter.on_approved:
        matter.on_approved(record, review)


def _return(matter: MatterType, review: Review, target: Any) -> None:
    where = target if target not in (None, "") else "applicant"
    if where == "applicant" or matter.returns_to == "applicant":
        review.state = "returned"
        review.returned_step = review.step
        review.current_unit_id = None
        return
    step = review.step - 1 if where == "previous" else int(where)
    if matter.returns_to == "previous" and step != review.step - 1:
        raise ReviewError(_("只能退回上一节点"))
    if step < 0 or step >= review.step:
        raise ReviewError(_("退回的节点不正确"))
    _enter(review, step)


# -- to-dos --------------------------------------------------------------------------------


def todo_counts(user: Any) -> list[tuple[MatterType, int]]:
    """The user's pending reviews per matter type (their unit is the current node)."""
    if user is None or getattr(user, "unit_id", None) is None:
        return []
    rows = db.session.execute(
        select(Review.matter, func.count())
        .where(Review.state == "pending", Review.current_unit_id == user.unit_id)
        .group_by(Review.matter)
    ).all()
    out = []
    for code, n in rows:
        matter = REGISTRY.get(code)
        if matter is not None and _has_permission(matter, user):
            out.append((matter, n))
    return out


def progress_counts(user: Any) -> list[tuple[MatterType, dict[str, int]]]:
    """评审工作监督: reviews applied for below the user's unit, by matter type and state."""
    from app.security.scope import path_in_subtree, user_unit

    unit = user_unit(user)
    if unit is None:
        return []
    rows = db.session.execute(
        select(Review.matter, Review.state, func.count())
        .join(Unit, Unit.id == Review.applicant_unit_id)
        .where(path_in_subtree(Unit.path, unit.path), Review.state != "draft")
        .group_by(Review.matter, Review.state)
    ).all()
    out: dict[str, dict[str, int]] = {}
    for code, state, n in rows:
        out.setdefault(code, {})[state] = n
    return [(REGISTRY[code], counts) for code, counts in sorted(out.items())
            if code in REGISTRY and _has_permission(REGISTRY[code], user)]
