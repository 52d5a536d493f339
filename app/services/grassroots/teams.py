"""专家服务基层示范团 (G-01 … G-09): the rules of a team's year, on the shared engine and pipeline.

* a managing unit records a team for an executing unit below it (G-01);
* the executing unit starts it — started?, date, single or multiple batches — and the start
  fields lock once saved (G-02); 新增批次 starts a batch and ends the previous one (G-03);
  ending locks the team and refuses new batches (G-04);
* projects (imported or one by one), experts matched from the library or added new (who
  then join it), an evaluation of each (G-05 … G-07) — none required to end;
* after the end, three summary materials — funding, effectiveness evaluation (save, then
  submit), summary files — all required before they go up; each is then reviewed by the
  managing units on the review engine (G-08, G-09).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.security.scope import path_in_subtree, record_in_scope, unit_in_scope
from app.services.core import attachments, audit
from app.services.core.validators import to_id, too_long_message
from app.services.documents import imports
from app.services.documents.columns import Column
from app.services.errors import BusinessError
from app.workflow import MatterType, Require, act, last_refusal, register, review_of
from models.core.unit import Category, Unit
from models.grassroots.team import (
    ProjectExpert,
    ServiceProject,
    ServiceTeam,
    TeamBatch,
    TeamEvaluation,
    TeamFunding,
    TeamFundingItem,
    TeamSummary,
)


class TeamError(BusinessError):
    """A refused service-team operation."""


# -- who does what ----------------------------------------------------------------------------


def is_executor(team: ServiceTeam, user: Any) -> bool:
    """The executing unit runs the team; the units above only watch and review."""
    return user is not None and getattr(user, "unit_id", None) == team.unit_id


def _require_executor(team: ServiceTeam, user: Any) -> None:
    if not is_executor(team, user):
        raise TeamError(_("只有执行单位可以办理"))


def can_record_teams(user: Any) -> bool:
    """Whether the user's unit has a 基层执行单位 below it (a team needs one)."""
    unit = getattr(user, "unit", None)
    if unit is None:
        return False
    below = select(Unit.id).join(Unit.categories).where(
        path_in_subtree(Unit.path, unit.path), Unit.id != unit.id, Category.code == "grassroots.exec").limit(1)
    return db.session.execute(below).first() is not None


def check_new_team(team: ServiceTeam, user: Any) -> None:
    unit = team.unit if team.unit is not None else (db.session.get(Unit, team.unit_id) if team.unit_id else None)
    if unit is None or unit.id == user.unit_id or not unit_in_scope(unit, user):
        raise TeamError(_("请选择本单位下级的执行单位"), "unit")
    if "grassroots.exec" not in {c.code for c in unit.categories}:
        raise TeamError(_("所选单位不是基层执行单位"), "unit")
    if not 2000 <= int(team.year or 0) <= dt.date.today().year + 1:
        raise TeamError(_("年度不正确"), "year")
    team.unit_id = unit.id
    team.managing_unit_id = user.unit_id


# -- start, batches, end ----------------------------------------------------------------------


def start(team: ServiceTeam, user: Any, *, started: bool, start_date: dt.date | None, mode: str | None) -> None:
    _require_executor(team, user)
    if team.started:
        raise TeamError(_("服务团已启动，启动设置不可修改"))
    if not started:
        raise TeamError(_("请选择“是”启动服务团"), "started")
    if start_date is None:
        raise TeamError(_("请填写启动时间"), "start_date")
    if team.year and start_date.year != int(team.year):
        raise TeamError(_("启动时间应在服务团年度（%(y)s年）内", y=team.year), "start_date")
    if mode not in ("single", "multi"):
        raise TeamError(_("请选择单批次或多批次"), "mode")
    team.started, team.start_date, team.mode = True, start_date, mode
    if mode == "multi":
        team.batches.append(TeamBatch(seq=1, start_date=start_date))
    audit.record("start", team, user=user)


def add_batch(team: ServiceTeam, user: Any, start_date: dt.date | None) -> TeamBatch:
    _require_executor(team, user)
    if not team.started or team.mode != "multi":
        raise TeamError(_("只有已启动的多批次服务团可以新增批次"))
    if team.ended:
        raise TeamError(_("服务团已结束，不能再新增批次"))
    if start_date is None:
        raise TeamError(_("请填写新批次的启动时间"), "start_date")
    last = team.batches[-1] if team.batches else None
    if last is not None and start_date < last.start_date:
        raise TeamError(_("新批次的启动时间不能早于第%(n)s批次的启动时间", n=last.seq), "start_date")
    if last is not None:
        last.end_date = start_date  # the new batch ends the previous one
    batch = TeamBatch(seq=(last.seq + 1) if last else 1, start_date=start_date)
    team.batches.append(batch)
    audit.record("batch", team, detail=f"batch {batch.seq}", user=user)
    return batch


def end(team: ServiceTeam, user: Any, *, ended: bool, end_date: dt.date | None) -> None:
    _require_executor(team, user)
    if not team.started:
        raise TeamError(_("服务团尚未启动"))
    if team.ended:
        raise TeamError(_("服务团已结束，结束设置不可修改"))
    if not ended:
        raise TeamError(_("请选择“是”结束服务团"), "ended")
    if end_date is None:
        raise TeamError(_("请填写结束时间"), "end_date")
    if team.start_date and end_date < team.start_date:
        raise TeamError(_("结束时间不能早于启动时间"), "end_date")
    if team.batches and end_date < team.batches[-1].start_date:
        raise TeamError(_("结束时间不能早于最后一个批次的启动时间"), "end_date")
    team.ended, team.end_date = True, end_date
    if team.batches and team.batches[-1].end_date is None:
        team.batches[-1].end_date = end_date
    audit.record("end", team, user=user)


# -- projects, experts, evaluations -----------------------------------------------------------


def check_running(team: ServiceTeam, user: Any) -> None:
    _require_executor(team, user)
    if not team.started:
        raise TeamError(_("服务团启动后才能填报开展情况"))


def _project_fields(data: dict[str, Any]) -> dict[str, Any]:
    """A project form's text values (dates as 2027-03-01), checked; raises TeamError naming the field."""
    name, place, content = (str(data.get(k) or "").strip() for k in ("name", "place", "content"))
    start, end = parse_date(data.get("start_date")), parse_date(data.get("end_date"))
    if not (name and place and content and start):
        raise TeamError(_("请填写项目名称、服务地点、服务内容和开始日期"))
    for key, value, limit in (("name", name, 100), ("place", place, 100), ("content", content, 2000)):
        if len(value) > limit:
            raise TeamError(too_long_message(limit), key)
    people = str(data.get("beneficiaries") or "").strip()
    if people and not people.isdigit():
        raise TeamError(_("受益人数须为整数"), "beneficiaries")
    return {"name": name, "place": place, "content": content, "start_date": start, "end_date": end,
            "beneficiaries": int(people) if people else None}


def new_project(team: ServiceTeam, user: Any, data: dict[str, Any]) -> ServiceProject:
    """新增服务项目 from a form."""
    return add_project(team, user, ServiceProject(**_project_fields(data)))


def update_project(project: ServiceProject, user: Any, data: dict[str, Any]) -> ServiceProject:
    """修改服务项目 (G-05): the executing unit, while the team runs; the same checks as 新增."""
    check_running(project.team, user)
    fields = _project_fields(data)
    if fields["end_date"] and fields["end_date"] < fields["start_date"]:
        raise TeamError(_("结束日期不能早于开始日期"), "end_date")
    for key, value in fields.items():
        setattr(project, key, value)
    return project


def parse_date(raw: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(raw).strip()) if raw and str(raw).strip() else None
    except ValueError:
        return None


def add_project(team: ServiceTeam, user: Any, project: ServiceProject) -> ServiceProject:
    check_running(team, user)
    if project.end_date and project.start_date and project.end_date < project.start_date:
        raise TeamError(_("结束日期不能早于开始日期"), "end_date")
    project.team_id, project.unit_id = team.id, team.unit_id
    db.session.add(project)
    return project


def project_run_by(project_id: Any, user: Any) -> ServiceProject | None:
    """A project of a team the user's unit runs (新增专家 from it joins the expert to it), or None."""
    project = db.session.get(ServiceProject, to_id(project_id)) if to_id(project_id) else None
    return project if project is not None and is_executor(project.team, user) else None


def match_expert(project: ServiceProject, expert: Any, user: Any) -> ProjectExpert:
    """数据库匹配专家: an expert the user's unit may use (its own and lower units' entries)."""
    check_running(project.team, user)
    if expert is None or not record_in_scope(expert, user):
        raise TeamError(_("只能匹配本单位及下级单位专家库中的专家"))
    exists = db.session.scalar(select(ProjectExpert.id).where(ProjectExpert.project_id == project.id,
                                                              ProjectExpert.expert_id == expert.id))
    if exists:
        raise TeamError(_("该专家已匹配到本项目"))
    row = ProjectExpert(project_id=project.id, expert_id=expert.id, unit_id=project.unit_id)
    db.session.add(row)
    return row


def evaluate(row: ProjectExpert, user: Any, rating: str | None, comment: str | None) -> None:
    check_running(row.project.team, user)
    if rating not in ("1", "2", "3", "4"):
        raise TeamError(_("请选择评价等级"), "rating")
    row.rating, row.comment = rating, (comment or "").strip() or None


# -- project import (G-05) --------------------------------------------------------------------


def _team_context(ctx: str, user: Any) -> ServiceTeam:
    team = db.session.get(ServiceTeam, to_id(ctx)) if to_id(ctx) else None
    if team is None or not record_in_scope(team, user):
        raise imports.ImportError_(_("服务团不存在"))
    try:
        check_running(team, user)
    except TeamError as e:
        raise imports.ImportError_(str(e)) from e
    return team


def _project_values(values: dict[str, Any], user: Any, team: ServiceTeam) -> dict[str, Any]:
    """One project's column values for the import's bulk insert, in the team's unit."""
    return {**{c.key: values.get(c.key) for c in PROJECT_COLUMNS}, "team_id": team.id, "unit_id": team.unit_id}


def _check_project(values: dict[str, Any]) -> list[tuple[str, str]]:
    if values.get("start_date") and values.get("end_date") and values["end_date"] < values["start_date"]:
        return [("end_date", _("结束日期不能早于开始日期"))]
    return []


PROJECT_COLUMNS = [
    Column("name", _l("项目名称"), required=True, max_len=100, width=28),
    Column("place", _l("服务地点"), required=True, max_len=100, width=24),
    Column("content", _l("服务内容"), required=True, max_len=2000, width=40),
    Column("start_date", _l("开始日期"), required=True, kind="date"),
    Column("end_date", _l("结束日期"), kind="date"),
    Column("beneficiaries", _l("受益人数"), kind="int"),
]

PROJECT_IMPORT = imports.register(imports.ImportSpec(
    code="grassroots.projects", title=_l("服务项目"), model=ServiceProject, columns=PROJECT_COLUMNS,
    row_values=_project_values, row_check=_check_project, permission=("can_list", "grassroots.ServiceTeam"),
    context=_team_context, context_endpoint=lambda ctx: f"/grassroots/teams/run/{ctx}?tab=projects",
))


# -- summary materials (G-08, G-09) -----------------------------------------------------------


def _funding_has_items(record: TeamFunding, review: Any, user: Any) -> str | None:
    return None if record.items else _("请先新增支出项目")


def _evaluation_filled(record: TeamEvaluation, review: Any, user: Any) -> str | None:
    return None if record.description else _("请先填写成效描述并保存")


def _managers(record: Any) -> list[int]:
    """From the executing unit's parent up to the unit that recorded the team (逐级审核)."""
    team = record.team
    unit = db.session.get(Unit, team.unit_id)
    route: list[int] = []
    for uid in reversed(unit.ancestor_ids[:-1]):
        route.append(uid)
        if uid == team.managing_unit_id:
            break
    return route


def _title(record: Any) -> str:
    return str(record)


FUNDING = register(MatterType(
    code="grassroots.funding", name=_l("服务团经费管理"), model=TeamFunding, route_builder=_managers,
    returns_to="applicant", list_endpoint="GrassrootsTeamFundingView.list", permission=("can_review", "grassroots.TeamFunding"),
    requires=[Require(actions=("submit",), check=_funding_has_items)], title_of=_title,
))
EVALUATION = register(MatterType(
    code="grassroots.evaluation", name=_l("服务团成效评估"), model=TeamEvaluation, route_builder=_managers,
    returns_to="applicant", list_endpoint="GrassrootsTeamEvaluationView.list",
    permission=("can_review", "grassroots.TeamEvaluation"),
    requires=[Require(actions=("submit",), check=_evaluation_filled)], title_of=_title,
))
SUMMARY = register(MatterType(
    code="grassroots.summary", name=_l("服务团总结"), model=TeamSummary, route_builder=_managers,
    returns_to="applicant", list_endpoint="GrassrootsTeamSummaryView.list", permission=("can_review", "grassroots.TeamSummary"),
    requires=[Require(actions=("submit",), attachments=("summary",))], title_of=_title,
))
MATERIALS = [(TeamFunding, FUNDING), (TeamEvaluation, EVALUATION), (TeamSummary, SUMMARY)]

attachments.register_owner("grassroots.summary", TeamSummary, [
    attachments.Slot("summary", _l("服务团总结材料"), kinds=("pdf", "doc", "docx", "jpg", "png", "zip"), max_mb=50,
                     required=True, multiple=True),
], edit_permission=("can_run", "grassroots.ServiceTeam"),
    # the executing unit (the applicant) while the summary is not under review nor approved
    writers=attachments.Writers(attachments.RECORD_UNIT, ("can_run", "grassroots.ServiceTeam"),
                                states=attachments.EDITABLE_STATES, label=_l("执行单位")))


def materials(team: ServiceTeam, create: bool = False) -> dict[str, Any]:
    """The team's three materials (created empty on first use by the executing unit)."""
    out: dict[str, Any] = {}
    for model, matter in MATERIALS:
        rec = db.session.scalar(select(model).where(model.team_id == team.id))
        if rec is None and create:
            rec = model(team_id=team.id, unit_id=team.unit_id)
            db.session.add(rec)
            db.session.flush()
        out[matter.code] = rec
    return out


def check_summary_open(team: ServiceTeam, user: Any) -> None:
    _require_executor(team, user)
    if not team.ended:
        raise TeamError(_("服务团结束后才能填报总结材料"))


def editable_material(record: Any) -> bool:
    """A material can be edited before it is submitted and after it was returned."""
    return record is None or record.editable


def open_material(team: ServiceTeam, user: Any, code: str) -> Any:
    """A summary material the executing unit may still change (created on first use)."""
    check_summary_open(team, user)
    rec = materials(team, create=True)[code]
    if not editable_material(rec):
        raise TeamError(_("该材料已提交审核，退回后才能修改"))
    return rec


def add_funding_item(team: ServiceTeam, user: Any, item: str, amount: str, note: str | None) -> TeamFundingItem:
    rec = open_material(team, user, FUNDING.code)
    item = (item or "").strip()
    try:
        value: Decimal | None = Decimal((amount or "").strip())
    except InvalidOperation:
        value = None
    if not item or value is None or value < 0:
        raise TeamError(_("请填写支出项目和不小于0的金额"))
    note = (note or "").strip()
    for key, text_value, limit in (("item", item, 100), ("note", note, 200)):
        if len(text_value) > limit:
            raise TeamError(too_long_message(limit), key)
    row = TeamFundingItem(item=item, amount=value, unit_id=team.unit_id, note=note or None)
    rec.items.append(row)
    return row


def delete_funding_item(team: ServiceTeam, user: Any, row: TeamFundingItem) -> None:
    open_material(team, user, FUNDING.code)
    db.session.delete(row)


def save_evaluation(team: ServiceTeam, user: Any, data: dict[str, Any]) -> TeamEvaluation:
    """成效评估: counts as integers, the benefit as a number, the description required to submit."""
    rec = open_material(team, user, EVALUATION.code)
    for key in ("served", "trained", "techniques"):
        raw = str(data.get(key) or "").strip()
        if raw and not raw.isdigit():
            raise TeamError(_("人次和项数应为整数"))
        setattr(rec, key, int(raw) if raw else None)
    raw = str(data.get("benefit") or "").strip()
    try:
        rec.benefit = Decimal(raw) if raw else None
    except InvalidOperation as e:
        raise TeamError(_("经济效益应为数字")) from e
    rec.description = str(data.get("description") or "").strip() or None
    return rec


def upload_summary(team: ServiceTeam, user: Any, files: list[Any]) -> None:
    rec = open_material(team, user, SUMMARY.code)
    if not files:
        raise TeamError(_("请选择要上传的文件"))
    for f in files:
        try:
            attachments.save_upload(rec, "summary", f.stream, f.filename, user)
        except attachments.AttachmentError as e:
            raise TeamError(str(e)) from e


def submit_materials(team: ServiceTeam, user: Any) -> int:
    """提交审核: all three materials must be complete; the ones not yet under review go up together."""
    check_summary_open(team, user)
    recs = materials(team, create=True)
    missing: list[str] = []
    if not recs[FUNDING.code].items:
        missing.append(_("经费管理（至少一项支出）"))
    if not recs[EVALUATION.code].description:
        missing.append(_("成效评估"))
    if attachments.missing(recs[SUMMARY.code], ("summary",)):
        missing.append(_("服务团总结（上传总结材料）"))
    if missing:
        raise TeamError(_("总结材料不完整，请先填报：%(m)s", m="、".join(missing)))
    n = 0
    for _model, matter in MATERIALS:
        rec = recs[matter.code]
        if editable_material(rec):
            act(matter, rec, user, "submit")
            n += 1
    if n == 0:
        raise TeamError(_("总结材料已提交，无需重复提交"))
    return n


def progress(team: ServiceTeam) -> dict[str, int]:
    """办团情况 for the managing units: live counts of projects, experts, evaluations."""
    projects = db.session.scalar(select(func.count()).select_from(ServiceProject)
                                 .where(ServiceProject.team_id == team.id)) or 0
    rows = db.session.execute(
        select(func.count(), func.count(ProjectExpert.rating)).select_from(ProjectExpert)
        .join(ServiceProject, ServiceProject.id == ProjectExpert.project_id).where(ServiceProject.team_id == team.id)
    ).one()
    return {"projects": projects, "experts": rows[0], "evaluated": rows[1]}


def review_states(team: ServiceTeam) -> dict[str, str]:
    out = {}
    for model, matter in MATERIALS:
        rec = db.session.scalar(select(model).where(model.team_id == team.id))
        out[matter.code] = rec.review_state if rec is not None else "draft"
    return out


def return_opinions(team: ServiceTeam) -> dict[str, str]:
    """The opinion of each material's latest 退回 or 不通过 (shown beside its state)."""
    out: dict[str, str] = {}
    for model, matter in MATERIALS:
        rec = db.session.scalar(select(model).where(model.team_id == team.id))
        review = review_of(matter.code, rec.id) if rec is not None else None
        if review is None or rec.review_state not in ("returned", "rejected"):
            continue
        last = last_refusal(review)
        if last is not None and last.opinion:
            out[matter.code] = f"{last.unit_name or ''}：{last.opinion}"
    return out


__all__ = ["review_of"]


def open_teams(unit: Unit, subtree: Any) -> list[str]:
    """What keeps a unit from changing its parent (P-07): 专家服务基层示范团 of the subtree recorded by
    a unit outside it and not finished (its three summary materials not all decided) — the managing
    unit would lose the team, and the materials would climb past it."""
    from app.services.core.parent_change import unit_name

    teams = db.session.scalars(
        select(ServiceTeam)
        .where(ServiceTeam.unit_id.in_(subtree), ServiceTeam.managing_unit_id.not_in(subtree))
        .order_by(ServiceTeam.id)
    ).all()
    out: list[str] = []
    for team in teams:
        states = [db.session.scalar(select(model.review_state).where(model.team_id == team.id))
                  for model, _matter in MATERIALS]
        if team.ended and all(s in ("approved", "rejected") for s in states):
            continue
        out.append(_("专家服务团“%(team)s”（由%(unit)s管理，尚未办结）", team=team.name,
                     unit=unit_name(team.managing_unit_id)))
    return out


def _declare_open_teams() -> None:
    from app.services.core.parent_change import OPEN_MATTERS

    if open_teams not in OPEN_MATTERS:
        OPEN_MATTERS.append(open_teams)


_declare_open_teams()
