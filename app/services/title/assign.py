"""评审会议管理 — 专家分组, 人员分配, 开启专家投票 (004 §1.2.5 二 2–3, §1.2.6 2–4; TR-15 §2–3, TR-16 §2–4).

* 专家分组 (normal meeting of an activity with professional groups, 图 2.5.17): ``ProfGroup`` rows, each
  confirmed drawn expert in one group, each group's leader one of its members; 完成分组 moves the
  meeting from "grouping" to "assigning".
* 人员分配 (图 2.5.11, 2.5.12, 2.5.18): the pool (``MeetingApplicant``, filled by :func:`sync_pool` from the
  received, qualified applications, the written-test passers and the exceptional meeting's passers), its
  order (参会人员再排序: the import "title.reorder" from a template prefilled with the pool, or
  :func:`set_order`), and per applicant the main (主审) and assistant (辅审) reviewer among the confirmed
  experts, never one who must avoid the applicant (:func:`avoidance`).
* 开启专家投票 (图 2.5.13, 2.5.19): the 评审方案, the 专家评议材料 (attachment owner "title.meeting", slot
  "materials"), the supervising committee (normal meeting) and the pass threshold; the three exports
  (报评人员名册, 申报人员汇总表, 参评专家信息); :func:`open_vote` checks everything, naming each missing
  thing, then hands over to ``app.services.title.voting.open_first_round``.

Nothing of the pool changes once the vote is open (meeting state "voting" / "tallied").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flask import g, has_app_context, has_request_context, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from app.extensions import db
from app.security.scope import record_in_scope
from app.services.core import attachments, audit, dicts
from app.services.core.validators import to_id
from app.services.documents import imports
from app.services.documents.columns import Column
from app.services.title.common import TitleError
from app.services.title.meetings import meeting_for, require_state
from models.experts.expert import Expert
from models.title.application import EVAL_METHODS, AchievementEntry, Application
from models.title.committee import Committee
from models.title.meeting import Meeting, MeetingApplicant, MeetingExpert, ProfGroup

CLOSED_STATES = ("voting", "tallied")
THRESHOLDS = {"1/2": (1, 2), "2/3": (2, 3), "3/4": (3, 4)}
THRESHOLD_LABELS = {"1/2": _l("二分之一"), "2/3": _l("三分之二"), "3/4": _l("四分之三")}
SOURCE_LABELS = {"received": _l("评委会已接收"), "exceptional": _l("破格评议通过"), "written": _l("笔试通过")}
PLAN_MAX = 5000


# -- common --------------------------------------------------------------------------------------


def _require_own(user: Any, meeting: Meeting) -> None:
    """Only the committee's unit (组建单位) changes a meeting."""
    if meeting.unit_id != getattr(user, "unit_id", None):
        raise TitleError(_("只有评委会组建单位可以办理评审会议"))


def _lock(meeting: Meeting) -> Meeting:
    """The meeting row locked for this transaction (PostgreSQL: SELECT … FOR UPDATE) and re-read, so that
    two staff finishing or opening at once are taken one after the other (the second sees the first)."""
    db.session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    db.session.refresh(meeting)
    return meeting


def _require_open_pool(meeting: Meeting) -> None:
    if meeting.state in CLOSED_STATES:
        raise TitleError(_("专家投票已开启，参评人员和主辅审专家不能再修改"))


def uses_groups(meeting: Meeting) -> bool:
    """A normal meeting of an activity that votes in professional groups (专家分组, 专业组)."""
    return meeting.kind == "normal" and bool(meeting.activity.groups)


def confirmed_experts(meeting: Meeting) -> list[MeetingExpert]:
    """The drawn experts who confirmed attendance, in draw order."""
    return list(db.session.scalars(select(MeetingExpert).where(
        MeetingExpert.meeting_id == meeting.id, MeetingExpert.attendance == "confirmed")
        .order_by(MeetingExpert.draw_order, MeetingExpert.id)))


def prof_groups(meeting: Meeting) -> list[ProfGroup]:
    return list(db.session.scalars(select(ProfGroup).where(ProfGroup.meeting_id == meeting.id)
                                   .order_by(ProfGroup.sort, ProfGroup.id)))


def meeting_expert(meeting: Meeting, meeting_expert_id: Any, *, confirmed: bool = True) -> MeetingExpert:
    """A drawn expert of this meeting (a forged id of another meeting's expert is refused)."""
    pk = to_id(meeting_expert_id)
    row = db.session.get(MeetingExpert, pk) if pk else None
    if row is None or row.meeting_id != meeting.id:
        raise TitleError(_("所选专家不是本次评审会议抽选的专家"))
    if confirmed and row.attendance != "confirmed":
        raise TitleError(_("专家“%(n)s”未确认参评，不能安排", n=row.expert.name))
    return row


def prof_group(meeting: Meeting, prof_group_id: Any) -> ProfGroup:
    """A professional group of this meeting (a forged id is refused)."""
    pk = to_id(prof_group_id)
    row = db.session.get(ProfGroup, pk) if pk else None
    if row is None or row.meeting_id != meeting.id:
        raise TitleError(_("所选专业组不属于本次评审会议"))
    return row


def meeting_applicant(meeting: Meeting, meeting_applicant_id: Any) -> MeetingApplicant:
    """An applicant of this meeting's pool (a forged id is refused)."""
    pk = to_id(meeting_applicant_id)
    row = db.session.get(MeetingApplicant, pk) if pk else None
    if row is None or row.meeting_id != meeting.id:
        raise TitleError(_("所选申报人不在本次评审会议的参评人员中"))
    return row


def _ids(values: Any) -> list[Any]:
    if values is None:
        return []
    if isinstance(values, (str, int)):
        return [values]
    return list(values)


# -- 专家分组 ------------------------------------------------------------------------------------


def _require_grouping(user: Any, meeting: Meeting) -> None:
    _require_own(user, meeting)
    if not uses_groups(meeting):
        raise TitleError(_("本次评审会议不分专业组投票，无需专家分组"))
    require_state(meeting, "grouping")


def add_prof_group(user: Any, meeting: Meeting, name: str) -> ProfGroup:
    """新增专业组."""
    _require_grouping(user, meeting)
    name = (name or "").strip()
    if not name:
        raise TitleError(_("请填写专业组名称"))
    if len(name) > 50:
        raise TitleError(_("专业组名称不能超过50个字"))
    groups = prof_groups(meeting)
    if any(gr.name == name for gr in groups):
        raise TitleError(_("专业组“%(n)s”已存在", n=name))
    row = ProfGroup(meeting_id=meeting.id, name=name, sort=max((gr.sort for gr in groups), default=0) + 1)
    db.session.add(row)
    db.session.flush()
    audit.record("create", row, object_type="title.ProfGroup", object_repr=name, user=user,
                 detail=_("%(m)s：新增专业组“%(n)s”", m=str(meeting), n=name))
    return row


def delete_prof_group(user: Any, meeting: Meeting, prof_group_id: Any) -> None:
    """删除专业组 (its members become ungrouped)."""
    _require_grouping(user, meeting)
    row = prof_group(meeting, prof_group_id)
    row.leader_id = None
    for me in db.session.scalars(select(MeetingExpert).where(MeetingExpert.prof_group_id == row.id)):
        me.prof_group_id = None
    db.session.flush()
    audit.record("delete", row, object_type="title.ProfGroup", object_repr=row.name, user=user,
                 detail=_("%(m)s：删除专业组“%(n)s”", m=str(meeting), n=row.name))
    db.session.delete(row)
    db.session.flush()


def set_prof_group(user: Any, meeting: Meeting, meeting_expert_ids: Any, prof_group_id: Any) -> int:
    """Put confirmed experts into one professional group (``prof_group_id`` empty: out of any group).
    A leader moved out of their group stops being its leader."""
    _require_grouping(user, meeting)
    group = prof_group(meeting, prof_group_id) if prof_group_id not in (None, "", 0, "0") else None
    experts = [meeting_expert(meeting, pk) for pk in _ids(meeting_expert_ids)]
    if not experts:
        raise TitleError(_("请选择专家"))
    for me in experts:
        old = me.prof_group_id
        if old == (group.id if group else None):
            continue
        if old:
            before = db.session.get(ProfGroup, old)
            if before is not None and before.leader_id == me.id:
                before.leader_id = None
        me.prof_group_id = group.id if group else None
        audit.record("update", me, object_type="title.MeetingExpert", object_repr=me.expert.name, user=user,
                     changes={"prof_group_id": [old, me.prof_group_id]},
                     detail=_("%(m)s：专家“%(e)s”分入专业组“%(g)s”", m=str(meeting), e=me.expert.name,
                              g=group.name if group else _("（未分组）")))
    db.session.flush()
    return len(experts)


def set_leader(user: Any, meeting: Meeting, prof_group_id: Any, meeting_expert_id: Any) -> ProfGroup:
    """选择组长: a member of the group."""
    _require_grouping(user, meeting)
    group = prof_group(meeting, prof_group_id)
    me = meeting_expert(meeting, meeting_expert_id)
    if me.prof_group_id != group.id:
        raise TitleError(_("专家“%(e)s”不是专业组“%(g)s”的成员，不能担任组长", e=me.expert.name, g=group.name))
    old = group.leader_id
    group.leader_id = me.id
    db.session.flush()
    audit.record("update", group, object_type="title.ProfGroup", object_repr=group.name, user=user,
                 changes={"leader_id": [old, me.id]},
                 detail=_("%(m)s：专业组“%(g)s”组长为“%(e)s”", m=str(meeting), g=group.name, e=me.expert.name))
    return group


def grouping_problems(meeting: Meeting) -> list[str]:
    """What stops 完成分组, each named."""
    problems: list[str] = []
    groups = prof_groups(meeting)
    experts = confirmed_experts(meeting)
    if not groups:
        problems.append(_("请先新增专业组"))
    if not experts:
        problems.append(_("没有确认参评的专家"))
    for me in experts:
        if me.prof_group_id is None:
            problems.append(_("专家“%(e)s”尚未分组", e=me.expert.name))
    for gr in groups:
        members = [me for me in experts if me.prof_group_id == gr.id]
        if not members:
            problems.append(_("专业组“%(g)s”没有成员", g=gr.name))
        if gr.leader_id is None or gr.leader_id not in {me.id for me in members}:
            problems.append(_("专业组“%(g)s”尚未选择组长", g=gr.name))
    return problems


def finish_grouping(user: Any, meeting: Meeting) -> None:
    """完成分组: grouping → assigning."""
    meeting = _lock(meeting)
    _require_grouping(user, meeting)
    problems = grouping_problems(meeting)
    if problems:
        raise TitleError(_("不能完成分组：%(p)s", p="；".join(problems)))
    meeting.state = "assigning"
    db.session.flush()
    audit.record("update", meeting, object_type="title.Meeting", object_repr=str(meeting), user=user,
                 changes={"state": ["grouping", "assigning"]}, detail=_("%(m)s：完成专家分组", m=str(meeting)))


# -- 人员分配: the pool ------------------------------------------------------------------------------


def _received(meeting: Meeting) -> Any:
    return select(Application).where(Application.activity_id == meeting.activity_id,
                                     Application.review_state == "approved")


def _wanted(meeting: Meeting) -> dict[int, str]:
    """The applications that belong in the pool now: application id -> source."""
    activity = meeting.activity
    base = _received(meeting).where(Application.qualification == "pass", Application.result.is_(None))
    if meeting.kind == "exceptional":
        return {a.id: "received" for a in db.session.scalars(base.where(Application.eval_method == "exceptional"))}
    out: dict[int, str] = {}
    query = base.where(Application.eval_method != "exceptional")
    written = (activity.written_test or "none") != "none"
    if written:
        query = query.where(Application.written_passed.is_(True))
    for a in db.session.scalars(query):
        out[a.id] = "written" if written else "received"
    other = db.session.scalar(select(Meeting).where(Meeting.activity_id == meeting.activity_id,
                                                    Meeting.kind == "exceptional"))
    if other is not None:
        for app_id in db.session.scalars(select(MeetingApplicant.application_id).where(
                MeetingApplicant.meeting_id == other.id, MeetingApplicant.result == "pass")):
            out[app_id] = "exceptional"
    return out


def sync_pool(meeting: Meeting) -> int:
    """Fill the pool (idempotent): the applications that belong in it are added at the end of the
    order, those that no longer do are taken out; nothing changes once the vote is open. Returns the
    pool's size."""
    if meeting.state in CLOSED_STATES:
        return db.session.scalar(select(func.count()).select_from(MeetingApplicant)
                                 .where(MeetingApplicant.meeting_id == meeting.id)) or 0
    wanted = _wanted(meeting)
    have = {r.application_id: r for r in db.session.scalars(select(MeetingApplicant).where(
        MeetingApplicant.meeting_id == meeting.id))}
    for app_id, row in have.items():
        if app_id not in wanted:
            db.session.delete(row)
        elif row.source != wanted[app_id]:
            row.source = wanted[app_id]
    last = max((r.sort for a, r in have.items() if a in wanted), default=0)
    for app_id in sorted(set(wanted) - set(have)):
        last += 1
        db.session.add(MeetingApplicant(meeting_id=meeting.id, application_id=app_id, source=wanted[app_id],
                                        sort=last))
    db.session.flush()
    return len(wanted)


def pool(meeting: Meeting) -> list[MeetingApplicant]:
    """The pool in its order (排序号, then arrival)."""
    return list(db.session.scalars(select(MeetingApplicant).where(MeetingApplicant.meeting_id == meeting.id)
                                   .order_by(MeetingApplicant.sort, MeetingApplicant.id)))


def pool_counts(meeting: Meeting) -> dict[str, Any]:
    """The pool by source, and the received applicants still waiting for 参评资格审核 (or, with a written
    test, for their score), so the user knows why someone is missing."""
    by_source: dict[str, int] = dict.fromkeys(SOURCE_LABELS, 0)
    for source, n in db.session.execute(select(MeetingApplicant.source, func.count()).where(
            MeetingApplicant.meeting_id == meeting.id).group_by(MeetingApplicant.source)):
        by_source[source] = n
    method = (Application.eval_method == "exceptional") if meeting.kind == "exceptional" \
        else (Application.eval_method != "exceptional")
    waiting = db.session.scalar(select(func.count()).select_from(
        _received(meeting).where(method, Application.qualification.is_(None)).subquery())) or 0
    written_waiting = 0
    if meeting.kind == "normal" and (meeting.activity.written_test or "none") != "none":
        written_waiting = db.session.scalar(select(func.count()).select_from(
            _received(meeting).where(method, Application.qualification == "pass", Application.result.is_(None),
                                     Application.written_passed.is_(None)).subquery())) or 0
    return {"sources": [(SOURCE_LABELS[k], n) for k, n in by_source.items()], "waiting": waiting,
            "written_waiting": written_waiting}


def set_order(user: Any, meeting: Meeting, application_ids: Sequence[Any]) -> None:
    """参会人员再排序 by hand: the listed applications first, in that order; the rest after, as they were."""
    _require_own(user, meeting)
    _require_open_pool(meeting)
    rows = {r.application_id: r for r in pool(meeting)}
    order: list[int] = []
    for value in application_ids:
        pk = to_id(value)
        if pk not in rows:
            raise TitleError(_("所选申报人不在本次评审会议的参评人员中"))
        if pk in order:
            raise TitleError(_("申报人“%(n)s”重复排序", n=rows[pk].application.name))
        order.append(pk)
    rest = [a for a in rows if a not in order]
    for n, app_id in enumerate(order + rest, start=1):
        rows[app_id].sort = n
    db.session.flush()
    audit.record("update", meeting, object_type="title.Meeting", object_repr=str(meeting), user=user,
                 detail=_("%(m)s：参会人员再排序（%(n)s人）", m=str(meeting), n=len(order)))


# the import: 排序号, 姓名, 身份证号, 工作单位 (the template lists the pool in its current order)

REORDER_COLUMNS = [
    Column("sort", _l("排序号"), required=True, kind="int"),
    Column("name", _l("姓名"), required=True, max_len=30),
    Column("id_number", _l("身份证号"), required=True, kind="idcard"),
    Column("workplace", _l("工作单位"), max_len=100),
]
_REORDER_KEY = "_title_reorder_meeting"


def _reorder_context(ctx: str, user: Any) -> Meeting:
    try:
        meeting = meeting_for(user, ctx, write=True)
        _require_open_pool(meeting)
    except TitleError as e:
        raise imports.ImportError_(str(e)) from e
    if has_app_context():
        setattr(g, _REORDER_KEY, meeting.id)  # the row checks (which get no context) read it
    return meeting


def _reorder_meeting_id() -> int | None:
    """The meeting of the import being checked: set by the context, or (fixing a row of a batch) the
    batch's context."""
    if not has_app_context():
        return None
    found = getattr(g, _REORDER_KEY, None)
    if found is None and has_request_context() and request.view_args and request.view_args.get("pk"):
        from models.core.document import ImportBatch

        batch = db.session.get(ImportBatch, request.view_args["pk"])
        if batch is not None and batch.spec == "title.reorder":
            found = to_id(batch.context)
    return found


def _pool_by_id_number(meeting_id: int) -> dict[str, tuple[int, str]]:
    return {num: (ma_id, name) for ma_id, num, name in db.session.execute(
        select(MeetingApplicant.id, Application.id_number, Application.name)
        .join(Application, Application.id == MeetingApplicant.application_id)
        .where(MeetingApplicant.meeting_id == meeting_id))}


def _reorder_check(chunk: dict[str, list[Any]]) -> list[tuple[int, str, str]]:
    meeting_id = _reorder_meeting_id()
    known = _pool_by_id_number(meeting_id) if meeting_id else {}
    known = {k.upper(): v for k, v in known.items()}
    problems: list[tuple[int, str, str]] = []
    seen: dict[int, int] = {}
    for i, (num, name, sort) in enumerate(zip(chunk.get("id_number", []), chunk.get("name", []),
                                              chunk.get("sort", []), strict=False)):
        num = (num or "").upper()
        if isinstance(sort, int):
            if sort in seen:
                problems.append((i, "sort", _("排序号%(s)s在文件中重复", s=sort)))
            seen.setdefault(sort, i)
        if num and num not in known:
            problems.append((i, "id_number", _("该身份证号不在本次评审会议的参评人员中")))
        elif num and name and known[num][1] != name:
            problems.append((i, "name", _("姓名与身份证号不一致（应为“%(n)s”）", n=known[num][1])))
        if sort is not None and (not isinstance(sort, int) or sort < 1):
            problems.append((i, "sort", _("排序号应为正整数")))
    return problems


def _reorder_row(values: dict[str, Any], user: Any, meeting: Meeting) -> dict[str, Any]:
    """One imported row: the pool row written again with its new 排序号 (same id, same reviewers)."""
    row = db.session.execute(select(MeetingApplicant.__table__).join(
        Application, Application.id == MeetingApplicant.application_id).where(
        MeetingApplicant.meeting_id == meeting.id, Application.id_number == values["id_number"])).mappings().first()
    if row is None:
        raise imports.ImportError_(_("身份证号%(n)s不在本次评审会议的参评人员中", n=values["id_number"]))
    data = dict(row)
    data["sort"] = int(values["sort"])
    db.session.execute(delete(MeetingApplicant).where(MeetingApplicant.id == data["id"]))
    return data


def _reorder_template(meeting: Meeting, user: Any) -> Iterable[list[Any]]:
    for row in pool(meeting):
        a = row.application
        yield [row.sort, a.name, a.id_number, a.workplace]


REORDER_IMPORT = imports.register(imports.ImportSpec(
    code="title.reorder", title=_l("参会人员排序表"), model=MeetingApplicant, columns=REORDER_COLUMNS,
    row_values=_reorder_row, rows_check=_reorder_check, key="id_number", key_in_database=False,
    max_rows=5000, permission=("can_manage", "title.Meeting"), context=_reorder_context,
    context_endpoint=lambda ctx: f"/title/assign/{ctx}/pool", template_rows=_reorder_template,
))


# -- 主辅审专家设置 ----------------------------------------------------------------------------------


def applicant_id_numbers(activity_id: int) -> set[str]:
    """The ID numbers of every application of the activity (upper case)."""
    return {(n or "").upper() for n in db.session.scalars(
        select(Application.id_number).where(Application.activity_id == activity_id))}


def avoidance(meeting_expert: MeetingExpert, application: Application,
              applicants: set[str] | None = None) -> str | None:
    """Why the expert may not review the applicant (None: no reason): the expert is an applicant of the
    same activity (same ID number as any of its applications), or works in the applicant's unit.
    ``applicants``: :func:`applicant_id_numbers` of the activity, when already at hand."""
    expert: Expert = meeting_expert.expert
    if applicants is None:
        applicants = applicant_id_numbers(application.activity_id)
    if (expert.id_number or "").upper() in applicants:
        return _("专家“%(e)s”本人是本次评审活动的申报人，须回避", e=expert.name)
    if (expert.work_unit or "").strip() and (expert.work_unit or "").strip() == (application.workplace or "").strip():
        return _("专家“%(e)s”与申报人“%(a)s”同在“%(u)s”工作，须回避", e=expert.name, a=application.name,
                 u=expert.work_unit)
    return None


def assign(user: Any, meeting: Meeting, meeting_applicant_ids: Any, main_id: Any, assistant_id: Any,
           prof_group_id: Any = None) -> int:
    """主辅审专家设置 / 重新分配 / 批量分配: the chosen applicants get one main and one assistant reviewer
    (and, with professional groups, their group first; both reviewers of that group). Every check is
    made before anything changes."""
    _require_own(user, meeting)
    meeting = _lock(meeting)
    _require_open_pool(meeting)
    require_state(meeting, "assigning")
    rows = [meeting_applicant(meeting, pk) for pk in _ids(meeting_applicant_ids)]
    if not rows:
        raise TitleError(_("请选择申报人"))
    if not to_id(main_id):
        raise TitleError(_("请选择主审专家"))
    if not to_id(assistant_id):
        raise TitleError(_("请选择辅审专家"))
    main = meeting_expert(meeting, main_id)
    assistant = meeting_expert(meeting, assistant_id)
    if main.id == assistant.id:
        raise TitleError(_("主审专家和辅审专家不能是同一人"))
    group = None
    if uses_groups(meeting):
        if not to_id(prof_group_id):
            raise TitleError(_("请先选择专业组"))
        group = prof_group(meeting, prof_group_id)
        for role, me in ((_("主审专家"), main), (_("辅审专家"), assistant)):
            if me.prof_group_id != group.id:
                raise TitleError(_("%(r)s“%(e)s”不是专业组“%(g)s”的成员", r=role, e=me.expert.name, g=group.name))
    elif prof_group_id not in (None, "", 0, "0"):
        raise TitleError(_("本次评审会议不分专业组"))
    problems = []
    applicants = applicant_id_numbers(meeting.activity_id)
    for row in rows:
        for me in (main, assistant):
            reason = avoidance(me, row.application, applicants)
            if reason:
                problems.append(_("申报人“%(a)s”：%(r)s", a=row.application.name, r=reason))
    if problems:
        raise TitleError("；".join(problems))
    for row in rows:
        old = [row.main_expert_id, row.assistant_expert_id, row.prof_group_id]
        row.main_expert_id, row.assistant_expert_id = main.id, assistant.id
        row.prof_group_id = group.id if group else None
        again = old[0] is not None or old[1] is not None
        audit.record("update", row, object_type="title.MeetingApplicant", object_repr=row.application.name,
                     user=user, changes={"main_expert_id": [old[0], main.id],
                                         "assistant_expert_id": [old[1], assistant.id],
                                         "prof_group_id": [old[2], row.prof_group_id]},
                     detail=_("%(m)s：%(k)s申报人“%(a)s”主审“%(x)s”、辅审“%(y)s”", m=str(meeting),
                              k=_("重新分配") if again else _("分配"), a=row.application.name,
                              x=main.expert.name, y=assistant.expert.name))
    db.session.flush()
    return len(rows)


def auto_assign(user: Any, meeting: Meeting) -> int:
    """自动分配: every applicant without reviewers gets two of the confirmed experts (of their group when
    groups: the group must be set first), round robin, respecting avoidance; returns how many got them."""
    _require_own(user, meeting)
    _require_open_pool(meeting)
    require_state(meeting, "assigning")
    experts = confirmed_experts(meeting)
    grouped = uses_groups(meeting)
    applicants = applicant_id_numbers(meeting.activity_id)
    done = 0
    turn = 0
    for row in pool(meeting):
        if row.main_expert_id and row.assistant_expert_id:
            continue
        if grouped and row.prof_group_id is None:
            continue
        candidates = [me for me in experts if (not grouped or me.prof_group_id == row.prof_group_id)
                      and avoidance(me, row.application, applicants) is None]
        if len(candidates) < 2:
            continue
        k = turn % len(candidates)
        main, assistant = candidates[k], candidates[(k + 1) % len(candidates)]
        turn += 1
        assign(user, meeting, [row.id], main.id, assistant.id, row.prof_group_id if grouped else None)
        done += 1
    return done


def set_applicant_group(user: Any, meeting: Meeting, meeting_applicant_ids: Any, prof_group_id: Any) -> int:
    """Choose the applicants' professional group (with groups; reviewers of another group are cleared)."""
    _require_own(user, meeting)
    _require_open_pool(meeting)
    require_state(meeting, "assigning")
    if not uses_groups(meeting):
        raise TitleError(_("本次评审会议不分专业组"))
    group = prof_group(meeting, prof_group_id)
    rows = [meeting_applicant(meeting, pk) for pk in _ids(meeting_applicant_ids)]
    if not rows:
        raise TitleError(_("请选择申报人"))
    for row in rows:
        if row.prof_group_id != group.id:
            old = row.prof_group_id
            row.prof_group_id = group.id
            row.main_expert_id = row.assistant_expert_id = None
            audit.record("update", row, object_type="title.MeetingApplicant", object_repr=row.application.name,
                         user=user, changes={"prof_group_id": [old, group.id]},
                         detail=_("%(m)s：申报人“%(a)s”分入专业组“%(g)s”", m=str(meeting), a=row.application.name,
                                  g=group.name))
    db.session.flush()
    return len(rows)


# -- 开启专家投票 ----------------------------------------------------------------------------------


def _may_write_materials(record: Meeting, user: Any) -> str | None:
    return _("计票已完成，不能再修改专家评议材料") if record.state == "tallied" else None


MEETING_OWNER = attachments.register_owner("title.meeting", Meeting, [
    attachments.Slot("materials", _l("专家评议材料"), multiple=True,
                     kinds=("pdf", "doc", "docx", "xls", "xlsx", "jpg", "png", "zip")),
], edit_permission=("can_manage", "title.Meeting"),
    writers=attachments.Writers(attachments.RECORD_UNIT, ("can_manage", "title.Meeting"), states=None,
                                check=_may_write_materials, label=_l("评委会组建单位")))


def supervisor_choices(user: Any, meeting: Meeting) -> list[Committee]:
    """选择监督的评委会: the other filed committees within the user's scope or of a unit above (a province's
    committee supervising a city's meeting)."""
    rows = db.session.scalars(select(Committee).where(Committee.review_state == "approved",
                                                      Committee.id != meeting.activity.committee_id)
                              .order_by(Committee.id))
    own_path = getattr(getattr(user, "unit", None), "path", None) or ""

    def above(c: Committee) -> bool:
        path = getattr(c.unit, "path", None)
        return bool(path and own_path.startswith(path))

    return [c for c in rows if record_in_scope(c, user) or above(c)]


def threshold_key(meeting: Meeting) -> str:
    return f"{meeting.pass_numerator}/{meeting.pass_denominator}"


def save_plan(user: Any, meeting: Meeting, data: Mapping[str, Any]) -> Meeting:
    """评审方案设置: ``plan`` (text), ``supervisor_committee_id`` (normal meeting; one of
    :func:`supervisor_choices`), ``threshold`` ("1/2", "2/3", "3/4")."""
    _require_own(user, meeting)
    if meeting.state in CLOSED_STATES:
        raise TitleError(_("专家投票已开启，评审方案不能再修改"))
    changes: dict[str, Any] = {}
    plan = (data.get("plan") or "").strip() or None
    if plan and len(plan) > PLAN_MAX:
        raise TitleError(_("评审方案不能超过%(n)s个字", n=PLAN_MAX))
    if plan != meeting.plan:
        changes["plan"] = [meeting.plan, plan]
        meeting.plan = plan
    if meeting.kind == "normal" and "supervisor_committee_id" in data:
        raw = data.get("supervisor_committee_id")
        pk = to_id(raw) if raw not in (None, "") else None
        if raw not in (None, "") and pk not in {c.id for c in supervisor_choices(user, meeting)}:
            raise TitleError(_("所选监督评委会不存在或不可选择"))
        if pk != meeting.supervisor_committee_id:
            changes["supervisor_committee_id"] = [meeting.supervisor_committee_id, pk]
            meeting.supervisor_committee_id = pk
    if data.get("threshold"):
        key = str(data.get("threshold"))
        if key not in THRESHOLDS:
            raise TitleError(_("通过比例不正确"))
        num, den = THRESHOLDS[key]
        if (num, den) != (meeting.pass_numerator, meeting.pass_denominator):
            changes["threshold"] = [threshold_key(meeting), key]
            meeting.pass_numerator, meeting.pass_denominator = num, den
    db.session.flush()
    if changes:
        audit.record("update", meeting, object_type="title.Meeting", object_repr=str(meeting), user=user,
                     changes=changes, detail=_("%(m)s：评审方案设置", m=str(meeting)))
    return meeting


def vote_problems(meeting: Meeting) -> list[str]:
    """What stops 开启专家投票, each named."""
    from models.title.meeting import MEETING_STATES

    problems: list[str] = []
    if meeting.state != "assigning":
        problems.append(_("评审会议当前处于“%(s)s”环节，不能开启专家投票",
                          s=MEETING_STATES.get(meeting.state, meeting.state)))
    if not (meeting.plan or "").strip():
        problems.append(_("请填写评审方案"))
    if not attachments.current(meeting, "materials"):
        problems.append(_("请上传专家评议材料"))
    if meeting.kind == "normal" and meeting.supervisor_committee_id is None:
        problems.append(_("请选择监督的评委会"))
    if not confirmed_experts(meeting):
        problems.append(_("没有确认参评的专家"))
    if uses_groups(meeting) and meeting.activity.group_method == "score":  # the experts score by the standards
        from app.services.title import prep

        if not prep.standards_of(meeting.activity):
            problems.append(_("专业组评审方式为打分，请先设置评分标准"))
        elif prep.weights_problem(meeting.activity):
            problems.append(str(prep.weights_problem(meeting.activity)))
    rows = pool(meeting)
    if not rows:
        problems.append(_("没有参评人员"))
    grouped = uses_groups(meeting)
    for row in rows:
        missing = []
        if grouped and row.prof_group_id is None:
            missing.append(_("专业组"))
        if row.main_expert_id is None:
            missing.append(_("主审专家"))
        if row.assistant_expert_id is None:
            missing.append(_("辅审专家"))
        if missing:
            problems.append(_("申报人“%(a)s”未设置%(m)s", a=row.application.name, m="、".join(missing)))
        for me in (row.main_expert, row.assistant_expert):
            if me is not None and me.attendance != "confirmed":
                problems.append(_("申报人“%(a)s”的评审专家“%(e)s”未确认参评，请重新分配", a=row.application.name,
                                  e=me.expert.name))
    return problems


def open_vote(user: Any, meeting: Meeting) -> Any:
    """【开启专家投票】: every check named, then round 1 (the voting part's ``open_first_round``)."""
    _require_own(user, meeting)
    meeting = _lock(meeting)
    problems = vote_problems(meeting)
    if problems:
        raise TitleError(_("不能开启专家投票：%(p)s", p="；".join(problems)))
    from app.services.title.voting import open_first_round

    vote_round = open_first_round(meeting, user)  # round 1, the expert accounts, state "voting" (audited there)
    if meeting.vote_opened_at is None:
        meeting.vote_opened_at = dt.datetime.now(dt.UTC)
        meeting.vote_opened_by = getattr(user, "id", None)
    db.session.flush()
    return vote_round


# -- the exports ----------------------------------------------------------------------------------


def _label(code_type: str, value: Any) -> str:
    return dicts.label(code_type, value) if value else ""


def roster(meeting: Meeting) -> tuple[str, list[str], list[list[Any]]]:
    """报评人员名册: the pool in order."""
    headers = [_("排序号"), _("姓名"), _("性别"), _("工作单位"), _("申报系列"), _("申报层级"), _("申报专业"),
               _("评价方式"), _("主审专家"), _("辅审专家")]
    rows = []
    for r in pool(meeting):
        a = r.application
        rows.append([r.sort, a.name, _label("sex", a.sex), a.workplace, _label("title_series", a.series),
                     _label("title_level", a.level), a.major, _(EVAL_METHODS.get(a.eval_method, a.eval_method)),
                     r.main_expert.expert.name if r.main_expert else "",
                     r.assistant_expert.expert.name if r.assistant_expert else ""])
    return _("报评人员名册"), headers, rows


def summary(meeting: Meeting) -> tuple[str, list[str], list[list[Any]]]:
    """申报人员汇总表: one fuller line per applicant."""
    headers = [_("排序号"), _("姓名"), _("性别"), _("出生日期"), _("工作单位"), _("现任职务"), _("参加工作时间"),
               _("现专业技术职称"), _("取得时间"), _("最高学历"), _("毕业院校"), _("所学专业"), _("申报系列"),
               _("申报层级"), _("申报专业"), _("评价方式"), _("笔试成绩"), _("业绩成果数"), _("来源"), _("专业组"),
               _("主审专家"), _("辅审专家")]
    rows_ = pool(meeting)
    counts = dict(db.session.execute(select(AchievementEntry.application_id, func.count()).where(
        AchievementEntry.application_id.in_([r.application_id for r in rows_] or [0]))
        .group_by(AchievementEntry.application_id)).all())
    rows = []
    for r in rows_:
        a = r.application
        rows.append([r.sort, a.name, _label("sex", a.sex), a.birth_date, a.workplace, a.post or "", a.work_start,
                     a.current_title or "", a.current_title_date, _label("education", a.education), a.school or "",
                     a.school_major or "", _label("title_series", a.series), _label("title_level", a.level), a.major,
                     _(EVAL_METHODS.get(a.eval_method, a.eval_method)),
                     float(a.written_score) if a.written_score is not None else "", counts.get(a.id, 0),
                     str(SOURCE_LABELS.get(r.source, r.source)), r.prof_group.name if r.prof_group else "",
                     r.main_expert.expert.name if r.main_expert else "",
                     r.assistant_expert.expert.name if r.assistant_expert else ""])
    return _("申报人员汇总表"), headers, rows


def expert_sheet(meeting: Meeting, full: bool = False) -> tuple[str, list[str], list[list[Any]]]:
    """参评专家信息: the confirmed experts (the phone masked unless ``full``)."""
    from app.security.personal import mask

    headers = [_("序号"), _("姓名"), _("工作单位"), _("从事专业"), _("职称"), _("主任委员"), _("专业组"), _("联系电话")]
    rows = []
    for n, me in enumerate(confirmed_experts(meeting), start=1):
        e = me.expert
        chair = _("执行主任委员") if me.executive_chair else (_("主任委员") if me.chair else "")
        rows.append([n, e.name, e.work_unit, e.major, _label("title_level", e.title), chair,
                     me.prof_group.name if me.prof_group else "", e.phone if full else mask("phone", e.phone)])
    return _("参评专家信息"), headers, rows


EXPORTS = {"roster": roster, "summary": summary, "experts": expert_sheet}
