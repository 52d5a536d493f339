"""法人科技特派员 (TC-05, TC-06): the leader creates the team in an approved legal-person unit,
members join it, the application (≥ 3 people) goes legal unit → province → 推送 → intended city →
province; the team agreement opens after the final approval."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.services.commissioner import individual as ind
from app.services.core import attachments
from app.services.core.validators import check_length, to_id
from app.workflow import MatterType, Require, register
from models.commissioner.team import Team, TeamAgreement, TeamApplication, TeamMember
from models.core.unit import Unit

MIN_TEAM = 3

APPLICATION_FIELDS = [("field", _l("负责人所从事的专业技术领域")), ("achievements", _l("在此领域取得的成就")),
                      ("intended_county", _l("拟服务的县（市）")), ("intended_enterprise", _l("拟服务企业")),
                      ("chain", _l("团队依托农业科技产业链"))]
AGREEMENT_FIELDS = [(k, v) for k, v in ind.AGREEMENT_FIELDS if k != "specialty"]


def legal_units() -> list[Unit]:
    """Approved legal-person units (an unapproved unit is inactive and cannot take part)."""
    return ind._units_of("commissioner.legal")


def _legal(raw: Any) -> Unit:
    unit = db.session.get(Unit, to_id(raw)) if to_id(raw) else None
    if unit is None or unit.id not in {u.id for u in legal_units()}:
        raise ind.CommissionerError(_("请选择已通过审核的法人单位"), "unit")
    return unit


def team_of_leader(user: Any) -> Team | None:
    return db.session.scalar(select(Team).where(Team.leader_user_id == user.id))


def save_team(user: Any, data: dict[str, Any]) -> Team:
    if ind.profile_of(user) is None:
        raise ind.CommissionerError(_("请先填写团队负责人基本信息"))
    name = (data.get("name") or "").strip()
    if not name:
        raise ind.CommissionerError(_("请填写团队名称"), "name")
    reason = check_length(name, Team.name)
    if reason:
        raise ind.CommissionerError(reason, "name")
    unit = _legal(data.get("unit"))
    team = team_of_leader(user)
    app_rec = application_of(team) if team else None
    if app_rec is not None and not app_rec.editable:
        raise ind.CommissionerError(_("团队申请已提交审核，退回后才能修改团队"))
    clash = db.session.scalar(select(Team.id).where(Team.name == name, Team.leader_user_id != user.id))
    if clash:
        raise ind.CommissionerError(_("团队名称已被使用"), "name")
    team = team or Team(leader_user_id=user.id)
    team.name, team.unit_id = name, unit.id
    for m in team.members:
        m.unit_id = unit.id
    db.session.add(team)
    return team


def _check_membership_change(team: Team, change: str) -> None:
    """Who is in a team follows its application (``change``: join, leave or remove).

    Members join, leave or are removed only while the application is a draft, returned or
    withdrawn (or not yet written). Once it has been submitted and sent back (returned: the
    resubmission goes straight back to the node that returned it), no change may leave the
    team below ``MIN_TEAM`` people."""
    db.session.execute(select(Team.id).where(Team.id == team.id).with_for_update())  # one change at a time
    app_rec = application_of(team)
    if app_rec is not None and not app_rec.editable:
        if change == "join":
            raise ind.CommissionerError(_("该团队的申请已提交审核或已通过，暂不能加入"), "team")
        if change == "leave":
            raise ind.CommissionerError(_("您所在团队“%(t)s”的申请已提交审核或已通过，不能退出或加入其他团队", t=team.name),
                               "team")
        raise ind.CommissionerError(_("团队申请已提交审核或已通过，不能删除成员"))
    if change != "join" and app_rec is not None and app_rec.review_state == "returned" and team.size - 1 < MIN_TEAM:
        if change == "leave":
            raise ind.CommissionerError(_("您所在团队“%(t)s”的申请已提交过审核，退出后团队总人数将少于%(n)s人", t=team.name,
                                 n=MIN_TEAM), "team")
        raise ind.CommissionerError(_("团队申请已提交过审核，删除后团队总人数将少于%(n)s人", n=MIN_TEAM))


def join_team(user: Any, team_id: Any) -> TeamMember:
    """团队成员: choose the unit's team; one team per member (joining another leaves the current one)."""
    if ind.profile_of(user) is None:
        raise ind.CommissionerError(_("请先填写基本信息"))
    team = db.session.get(Team, to_id(team_id)) if to_id(team_id) else None
    if team is None or team.unit_id not in {u.id for u in legal_units()}:
        raise ind.CommissionerError(_("请选择所属团队"), "team")
    row = db.session.scalar(select(TeamMember).where(TeamMember.user_id == user.id))
    if row is not None and row.team_id == team.id:
        return row
    if row is not None:
        _check_membership_change(row.team, "leave")
    _check_membership_change(team, "join")
    row = row or TeamMember(user_id=user.id)
    row.team_id, row.unit_id = team.id, team.unit_id
    db.session.add(row)
    return row


def leave_team(user: Any) -> None:
    """退出团队: the member's own leaving, under the same rules as a removal."""
    row = db.session.scalar(select(TeamMember).where(TeamMember.user_id == user.id))
    if row is None:
        raise ind.CommissionerError(_("您尚未加入团队"))
    _check_membership_change(row.team, "leave")
    db.session.delete(row)


def remove_member(leader: Any, member_id: Any) -> None:
    team = team_of_leader(leader)
    row = db.session.get(TeamMember, to_id(member_id)) if to_id(member_id) else None
    if team is None or row is None or row.team_id != team.id:
        raise ind.CommissionerError(_("该成员不在本团队"))
    _check_membership_change(team, "remove")
    db.session.delete(row)


def application_of(team: Team | None) -> TeamApplication | None:
    if team is None:
        return None
    return db.session.scalar(select(TeamApplication).where(TeamApplication.team_id == team.id))


def save_application(user: Any, data: dict[str, Any]) -> TeamApplication:
    team = team_of_leader(user)
    if team is None:
        raise ind.CommissionerError(_("请先创建团队"))
    rec = application_of(team)
    if rec is not None and not rec.editable:
        raise ind.CommissionerError(_("申请表已提交审核，退回后才能修改"))
    values = ind._required(data, APPLICATION_FIELDS, TeamApplication)
    city = ind._city(data.get("intended_city"), "intended_city")
    rec = rec or TeamApplication(team_id=team.id, user_id=user.id)
    for k, v in values.items():
        setattr(rec, k, v)
    rec.intended_city_id, rec.unit_id = city.id, team.unit_id
    db.session.add(rec)
    return rec


def _team_size(record: TeamApplication, review: Any, user: Any) -> str | None:
    size = record.team.size
    return None if size >= MIN_TEAM else _("团队总人数应不少于%(n)s人（当前%(m)s人）", n=MIN_TEAM, m=size)


def _route(rec: TeamApplication) -> list[Any]:
    prov = ind.province().id
    return [rec.unit_id, prov, (prov, "push")]


def _certified(rec: TeamApplication, review: Any) -> None:
    now = dt.datetime.now(dt.UTC)
    for uid in [rec.team.leader_user_id] + [m.user_id for m in rec.team.members]:
        profile = db.session.scalar(select(ind.Commissioner).where(ind.Commissioner.user_id == uid))
        if profile is not None:
            profile.certified_at = now


TEAM = register(MatterType(
    code="commissioner.team", name=_l("法人科技特派员团队申请"), model=TeamApplication, route_builder=_route,
    returns_to="applicant", push_target=lambda r: r.intended_city_id, decline_returns=True,
    # seed 003: 不通过 asks for a 退回意见 and the applicant edits and submits again
    final_reject=False, labels={"return": _l("不通过")},
    list_endpoint="CommissionerTeamApplicationView.list", permission=("can_review", "commissioner.TeamApplication"),
    on_approved=_certified, requires=[Require(actions=("submit",), check=_team_size)], title_of=lambda r: str(r),
))


MATTER = TEAM  # the matter of this module's applicant pages (views/commissioner/pages.py)


def approved(user: Any) -> TeamApplication | None:
    rec = application_of(team_of_leader(user))
    return rec if rec is not None and rec.review_state == "approved" else None


def agreement_of(user: Any) -> TeamAgreement | None:
    return db.session.scalar(select(TeamAgreement).where(TeamAgreement.user_id == user.id))


def save_agreement(user: Any, data: dict[str, Any]) -> TeamAgreement:
    rec_app = approved(user)
    if rec_app is None:
        raise ind.CommissionerError(_("团队申请通过省科技厅终审后，才能填写团队服务协议"))
    values = ind._required(data, AGREEMENT_FIELDS, TeamAgreement)
    rec = agreement_of(user) or TeamAgreement(application_id=rec_app.id, user_id=user.id, unit_id=rec_app.unit_id)
    for k, v in values.items():
        setattr(rec, k, v)
    db.session.add(rec)
    return rec


attachments.register_owner("commissioner.team_agreement", TeamAgreement, [
    attachments.Slot("stamped", _l("盖章后的团队服务协议（PDF扫描件）"), kinds=("pdf",), max_mb=20, required=True),
], edit_permission=("can_team", "commissioner.Team"),
    # the team leader, once the team application has passed the final review
    writers=attachments.Writers(attachments.OWNER_PERSON, ("can_team", "commissioner.Team"), states=("approved",),
                                state_of=lambda rec: rec.application.review_state, label=_l("团队负责人")))


attachments.register_owner("commissioner.team_application", TeamApplication, [
    attachments.Slot("unit_stamped", _l("法人单位盖章的团队申请表（PDF扫描件）"), kinds=("pdf",), max_mb=20),
], edit_permission=("can_upload", "commissioner.Files"),
    # the legal unit (the record's unit, first node of the route), once submitted and not sent back
    writers=attachments.Writers(attachments.RECORD_UNIT, ("can_upload", "commissioner.Files"),
                                states=attachments.SUBMITTED_STATES, label=_l("团队所在法人单位")))


def sheet_pdf(rec: TeamApplication) -> bytes:
    from app.services.documents import pdf
    from models.core.workflow import STATES

    return pdf.document("commissioner_team_application", application=rec,
                        state=str(STATES.get(rec.review_state, rec.review_state)))


def agreement_pdf(rec: TeamAgreement) -> bytes:
    from app.services.documents import pdf

    app_rec = rec.application
    return pdf.document("commissioner_team_agreement", agreement=rec, application=app_rec, team=app_rec.team,
                        leader=ind.profile_of(app_rec.team.leader), province=ind.province())
