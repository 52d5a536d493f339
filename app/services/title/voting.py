"""评审会议管理 — the voting part (004 §1.2.5–1.2.6, TR-15 §3–4, TR-16 §4–5, TR-17): the rounds, the
experts' ballots, 计票 and the seal.

How a meeting is driven (the seed and the assign part call these, in order)::

    round1 = open_first_round(meeting, staff)           # after the assign part's checks (开启专家投票)
    save_ballot(expert_user, round1, entry_id, choice="agree")     # or scores={standard_id: 90}
    submit(expert_user, round1)
    send_back(staff, round1, round_expert_id, "理由")    # optional: the expert saves and submits again
    mark_absent(staff, round1, round_expert_id)          # optional: an expert who did not come
    nxt = seal(staff, round1)    # 计票完成: the next round (group → full) or None when the meeting is done
    verify(round1)               # [] while no sealed ballot was changed

Secrecy: a ballot is never shown or exported with its expert; the tally shows per-expert counts (图2.5.14)
and per-applicant counts (图2.5.15). Integrity: at the seal the round's ballots, in (entry sort, round
expert id) order, are chained — ``hash = sha256(previous hash + canonical ballot)`` — and the head is kept
on the round; :func:`verify` recomputes the chain (the tally page does on every view of a sealed round).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import secrets
import string
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Text, and_, bindparam, cast, false, func, select, update

from app.extensions import db
from app.services.core import audit
from app.services.errors import BusinessError
from app.services.title.common import TitleError
from app.services.title.meetings import NOT_FOUND
from models.experts.expert import Expert
from models.title.meeting import (
    CHOICES,
    Ballot,
    Meeting,
    MeetingApplicant,
    MeetingExpert,
    RoundEntry,
    RoundExpert,
    ScoringStandard,
    VoteRound,
)

EXCEPTIONAL_FAILED = "破格评议未通过"
NORMAL_FAILED = "评委会评议未通过"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# -- opening ------------------------------------------------------------------------------------------


def _password() -> str:
    """A random initial password meeting the platform's rule (upper, lower, digit, symbol)."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _i in range(8))
    return "Zj" + body + secrets.choice("23456789") + secrets.choice("@#%&")


def expert_account(expert: Expert) -> tuple[Any, str | None]:
    """The expert's login (the user whose ID number or login name is the expert's ID number), given the
    role 评审专家; created as a person account (login = ID number, a random password to change at the first
    login) when none exists. Returns (user, the initial password when created)."""
    from app.services.core import users as user_service
    from app.services.title.module import EXPERT
    from models.core.unit import Unit
    from models.core.user import UnitUser

    role = user_service.role_by_name(EXPERT)
    if role is None:
        raise TitleError(_("系统尚未设置“评审专家”角色，请联系管理员"))
    number = expert.id_number
    user = db.session.scalar(select(UnitUser).where(UnitUser.id_number == number).order_by(UnitUser.id).limit(1)) \
        or db.session.scalar(select(UnitUser).where(UnitUser.username == number).limit(1))
    password = None
    if user is None:
        unit = db.session.get(Unit, expert.unit_id)
        password = _password()
        try:
            user = user_service.create_user(unit, username=number, name=expert.name, phone=expert.phone,
                                            password=password, roles=[role], commit=False)
        except BusinessError as e:
            raise TitleError(_("无法为专家%(n)s创建登录账号：%(e)s", n=expert.name, e=str(e))) from e
        user.roles = [role]
        user.user_type = "person"
        user.line = "title"
        user.id_number = number
        user.must_change_password = True
        db.session.flush()
    if user.id_number is None:
        user.id_number = number
    if role not in user.roles:
        user.roles = [*user.roles, role]
    return user, password


def open_first_round(meeting: Meeting, user: Any) -> VoteRound:
    """开启专家投票 (after the assign part's checks): round 1 — the group round when a normal meeting's activity
    has professional groups, else the full round — over the pool in its order and the confirmed experts;
    the experts' accounts (created when missing: the 专家账号通知单 on the round, shown once)."""
    if meeting.rounds:
        raise TitleError(_("该评审会议已开启专家投票"))
    activity = meeting.activity
    group = meeting.kind == "normal" and bool(activity.groups)
    round_ = VoteRound(meeting_id=meeting.id, number=1, kind="group" if group else "full",
                       method=(activity.group_method or "vote") if group else "vote", state="open", opened_at=_now())
    db.session.add(round_)
    db.session.flush()
    applicants = list(db.session.scalars(select(MeetingApplicant).where(MeetingApplicant.meeting_id == meeting.id)
                                         .order_by(MeetingApplicant.sort, MeetingApplicant.id)))
    if not applicants:
        raise TitleError(_("评审会议没有参评人员，不能开启专家投票"))
    experts = list(db.session.scalars(select(MeetingExpert).where(MeetingExpert.meeting_id == meeting.id,
                                                                  MeetingExpert.attendance == "confirmed")
                                      .order_by(MeetingExpert.draw_order, MeetingExpert.id)))
    if not experts:
        raise TitleError(_("评审会议没有确认出席的专家，不能开启专家投票"))
    for i, a in enumerate(applicants, start=1):
        db.session.add(RoundEntry(round_id=round_.id, meeting_applicant_id=a.id, sort=i,
                                  prof_group_id=a.prof_group_id if group else None))
    created = []
    for me in experts:
        db.session.add(RoundExpert(round_id=round_.id, meeting_expert_id=me.id, state="open",
                                   prof_group_id=me.prof_group_id if group else None))
        account, password = expert_account(me.expert)
        if password:
            created.append({"name": me.expert.name, "login": account.username, "password": password})
    round_.accounts = created or None
    meeting.state = "voting"
    meeting.vote_opened_at = _now()
    meeting.vote_opened_by = getattr(user, "id", None)
    db.session.flush()
    audit.record("open_vote", meeting, user=user,
                 changes={"round": round_.number, "kind": round_.kind, "method": round_.method,
                          "entries": len(applicants), "experts": len(experts), "accounts_created": len(created)})
    return round_


def take_accounts(meeting: Meeting, user: Any) -> list[dict[str, str]]:
    """专家账号通知单: the accounts created at the opening with their initial passwords, once — cleared here."""
    rows: list[dict[str, str]] = []
    for r in meeting.rounds:
        if r.accounts:
            rows.extend(r.accounts)
            r.accounts = None
    if rows:
        audit.record("expert_accounts", meeting, user=user, changes={"accounts": len(rows)})
    return rows


# -- the expert ---------------------------------------------------------------------------------------


def round_expert_of(user: Any, round_: VoteRound) -> RoundExpert | None:
    """The user's part in the round (identity: the user's ID number is the drawn expert's)."""
    number = getattr(user, "id_number", None)
    if not number:
        return None
    return db.session.scalar(
        select(RoundExpert).join(MeetingExpert, MeetingExpert.id == RoundExpert.meeting_expert_id)
        .join(Expert, Expert.id == MeetingExpert.expert_id)
        .where(RoundExpert.round_id == round_.id, Expert.id_number == number))


def round_for_expert(user: Any, round_id: Any) -> tuple[VoteRound, RoundExpert]:
    """A round the user is an expert of (anything else is not found)."""
    rid = _int(round_id)
    round_ = db.session.get(VoteRound, rid) if rid is not None else None
    rex = round_expert_of(user, round_) if round_ is not None else None
    if round_ is None or rex is None:
        raise TitleError(str(NOT_FOUND))
    return round_, rex


def tasks(user: Any) -> list[tuple[VoteRound, RoundExpert]]:
    """我的评审任务: the rounds (open first) where the user is a confirmed expert and not absent."""
    number = getattr(user, "id_number", None)
    if not number:
        return []
    rows = db.session.execute(
        select(VoteRound, RoundExpert).join(RoundExpert, RoundExpert.round_id == VoteRound.id)
        .join(MeetingExpert, MeetingExpert.id == RoundExpert.meeting_expert_id)
        .join(Expert, Expert.id == MeetingExpert.expert_id)
        .where(Expert.id_number == number, RoundExpert.state != "absent", MeetingExpert.attendance == "confirmed")
        .order_by(VoteRound.state, VoteRound.opened_at.desc(), VoteRound.id.desc())).all()
    return [(r, x) for r, x in rows]


def assigned_entries(round_: VoteRound, rex: RoundExpert) -> list[RoundEntry]:
    """The entries the expert decides, in the set order: their group's in a group round, all in a full round."""
    q = select(RoundEntry).where(RoundEntry.round_id == round_.id)
    if round_.kind == "group":
        q = q.where(RoundEntry.prof_group_id == rex.prof_group_id) if rex.prof_group_id is not None \
            else q.where(RoundEntry.prof_group_id.is_(None))
    return list(db.session.scalars(q.order_by(RoundEntry.sort, RoundEntry.id)))


def ballots_of(rex: RoundExpert) -> dict[int, Ballot]:
    """The expert's own ballots by entry (only the expert's own page shows them)."""
    return {b.entry_id: b for b in db.session.scalars(select(Ballot).where(Ballot.round_expert_id == rex.id))}


def standards_of(round_: VoteRound) -> list[ScoringStandard]:
    """The activity's scoring standards (设置评分标准, prep.py), shown to the experts of a score round."""
    from app.services.title import prep

    return prep.standards_of(round_.meeting.activity)


def _check_open(round_: VoteRound, rex: RoundExpert) -> None:
    if round_.state != "open":
        raise TitleError(_("本轮投票已计票完成，不能再投票"))
    if rex.state == "absent":
        raise TitleError(_("您已被置为缺席，不能投票"))
    if rex.state == "submitted":
        raise TitleError(_("您已提交本轮投票，不能再修改"))


def _entry(round_: VoteRound, rex: RoundExpert, entry_id: Any) -> RoundEntry:
    eid = _int(entry_id)
    entry = db.session.get(RoundEntry, eid) if eid is not None else None
    if entry is None or entry.round_id != round_.id or (
            round_.kind == "group" and entry.prof_group_id != rex.prof_group_id):
        raise TitleError(_("所选申报人不在您本轮的评审名单中"))
    return entry


def _values(round_: VoteRound, standards: list[ScoringStandard] | None, choice: str | None,
            scores: dict[Any, Any] | None) -> dict[str, Any]:
    """A ballot's values, checked: a choice in a vote round, a score per standard in a score round."""
    values: dict[str, Any] = {"choice": None, "scores": None, "score": None}
    if round_.method == "score":
        from app.services.title import prep

        # the one rule of the weighted total and of each score (prep.weighted_score), refusals by item name
        given = {str(k): v for k, v in (scores or {}).items()}
        values["score"] = prep.weighted_score(round_.meeting.activity, given)
        values["scores"] = {k: f"{Decimal(str(v).strip()):.2f}" for k, v in given.items()}
    else:
        if choice not in CHOICES:
            raise TitleError(_("请选择同意、不同意或弃权"))
        values["choice"] = choice
    return values


def _store(round_: VoteRound, rex: RoundExpert, entry: RoundEntry, values: dict[str, Any],
           existing: Ballot | None) -> Ballot:
    ballot = existing
    if ballot is None:
        ballot = Ballot(round_id=round_.id, round_expert_id=rex.id, entry_id=entry.id, saved_at=_now())
        db.session.add(ballot)
    for k, v in values.items():
        setattr(ballot, k, v)
    ballot.saved_at = _now()
    return ballot


def _voter(user: Any, round_: VoteRound) -> RoundExpert:
    rex = round_expert_of(user, round_)
    if rex is None:
        raise TitleError(_("您不是本轮投票的评审专家"))
    # the expert's row, locked against a concurrent send back / absent / seal (PostgreSQL; SQLite serialises)
    db.session.execute(select(RoundExpert.id).where(RoundExpert.id == rex.id).with_for_update())
    db.session.refresh(rex)
    db.session.refresh(round_)
    _check_open(round_, rex)
    return rex


def save_ballot(user: Any, round_: VoteRound, entry_id: Any, choice: str | None = None,
                scores: dict[Any, Any] | None = None) -> Ballot:
    """保存 one ballot of the user's (a choice in a vote round, scores per standard in a score round)."""
    rex = _voter(user, round_)
    entry = _entry(round_, rex, entry_id)
    values = _values(round_, None, choice, scores)
    existing = db.session.scalar(select(Ballot).where(Ballot.round_id == round_.id, Ballot.round_expert_id == rex.id,
                                                      Ballot.entry_id == entry.id))
    ballot = _store(round_, rex, entry, values, existing)
    db.session.flush()
    return ballot


def submit(user: Any, round_: VoteRound) -> RoundExpert:
    """提交: every assigned entry decided; then locked (a conditional update: a second submission is refused)."""
    rex = round_expert_of(user, round_)
    if rex is None:
        raise TitleError(_("您不是本轮投票的评审专家"))
    _check_open(round_, rex)
    entries = assigned_entries(round_, rex)
    mine = ballots_of(rex)
    missing = [e for e in entries if e.id not in mine
               or (mine[e.id].choice is None if round_.method != "score" else mine[e.id].score is None)]
    if missing:
        raise TitleError(_("还有%(n)s名申报人未评议，不能提交", n=len(missing)))
    done = db.session.execute(update(RoundExpert).where(RoundExpert.id == rex.id, RoundExpert.state == "open")
                              .values(state="submitted", submitted_at=_now())
                              .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise TitleError(_("您已提交本轮投票，不能再修改"))
    db.session.refresh(rex)
    audit.record("submit_ballot", round_.meeting, user=user,
                 changes={"round": round_.number, "round_expert": rex.id, "ballots": len(entries)})
    return rex


def save_form(user: Any, round_: VoteRound, choices: dict[Any, str], scores: dict[Any, dict[Any, Any]],
              final: bool) -> int:
    """The expert's page: save every given ballot (choices {entry id: choice}, scores {entry id: {standard id:
    score}}) in one go, then submit when ``final``. Any refusal refuses the whole form. Returns the number saved."""
    rex = _voter(user, round_)
    mine = {e.id: e for e in assigned_entries(round_, rex)}
    have = ballots_of(rex)
    standards = standards_of(round_) if round_.method == "score" else None
    given: list[tuple[Any, str | None, dict[Any, Any] | None]] = []
    if round_.method == "score":
        given = [(k, None, per) for k, per in scores.items() if any(str(v).strip() for v in per.values())]
    else:
        given = [(k, c, None) for k, c in choices.items() if c]
    for key, choice, per in given:
        entry = mine.get(_int(key))  # type: ignore[arg-type]
        if entry is None:
            raise TitleError(_("所选申报人不在您本轮的评审名单中"))
        _store(round_, rex, entry, _values(round_, standards, choice, per), have.get(entry.id))
    db.session.flush()
    if final:
        submit(user, round_)
    return len(given)


# -- the staff ----------------------------------------------------------------------------------------


def _staff_round(user: Any, round_: VoteRound) -> None:
    if round_.meeting.unit_id != getattr(user, "unit_id", None):
        raise TitleError(_("只有评委会组建单位可以办理评审会议"))
    # the round's row, locked: a seal at the same moment waits (PostgreSQL; SQLite serialises writers)
    state = db.session.scalar(select(VoteRound.state).where(VoteRound.id == round_.id).with_for_update())
    if state != "open":
        raise TitleError(_("本轮投票已计票完成，不能再办理"))


def _round_expert(round_: VoteRound, round_expert_id: Any) -> RoundExpert:
    rid = _int(round_expert_id)
    rex = db.session.get(RoundExpert, rid) if rid is not None else None
    if rex is None or rex.round_id != round_.id:
        raise TitleError(_("所选专家不是本轮投票的评审专家"))
    return rex


def send_back(user: Any, round_: VoteRound, round_expert_id: Any, reason: str) -> RoundExpert:
    """回退: a submitted ballot goes back to its expert (reason required, logged)."""
    _staff_round(user, round_)
    rex = _round_expert(round_, round_expert_id)
    reason = (reason or "").strip()
    if not reason:
        raise TitleError(_("请填写回退原因"))
    if len(reason) > 500:
        raise TitleError(_("回退原因不能超过500字"))
    done = db.session.execute(update(RoundExpert).where(RoundExpert.id == rex.id, RoundExpert.state == "submitted")
                              .values(state="open", submitted_at=None, returned=RoundExpert.returned + 1,
                                      return_reason=reason)
                              .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise TitleError(_("该专家尚未提交投票，不能回退"))
    db.session.refresh(rex)
    audit.record("send_back_ballot", round_.meeting, user=user,
                 changes={"round": round_.number, "round_expert": rex.id, "expert": rex.meeting_expert.expert.name,
                          "reason": reason})
    return rex


def mark_absent(user: Any, round_: VoteRound, round_expert_id: Any) -> RoundExpert:
    """置为缺席: an expert who has not submitted; their drafts are dropped and they no longer count."""
    _staff_round(user, round_)
    rex = _round_expert(round_, round_expert_id)
    if rex.state == "absent":
        raise TitleError(_("该专家已是缺席状态"))
    if rex.state == "submitted":
        raise TitleError(_("该专家已提交投票，请先回退再置为缺席"))
    done = db.session.execute(update(RoundExpert).where(RoundExpert.id == rex.id, RoundExpert.state == "open")
                              .values(state="absent").execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise TitleError(_("该专家的状态已变化，请刷新后重试"))
    db.session.execute(Ballot.__table__.delete().where(Ballot.round_expert_id == rex.id))
    db.session.refresh(rex)
    audit.record("absent_expert", round_.meeting, user=user,
                 changes={"round": round_.number, "round_expert": rex.id, "expert": rex.meeting_expert.expert.name})
    return rex


# -- the tally ----------------------------------------------------------------------------------------


@dataclass
class Progress:
    """One row of 专家投票进度 (图2.5.14): counts only."""

    rex: RoundExpert
    name: str
    agree: int = 0
    disagree: int = 0
    abstain: int = 0
    assigned: int = 0
    scored: int = 0  # score rounds: the entries scored

    @property
    def undecided(self) -> int:
        return max(self.assigned - self.agree - self.disagree - self.abstain - self.scored, 0)

    @property
    def rate(self) -> str:
        return f"{self.agree * 100 / self.assigned:.1f}%" if self.assigned else "—"


@dataclass
class Result:
    """One row of 计票结果 (图2.5.15)."""

    entry: RoundEntry
    name: str
    workplace: str
    agree: int = 0
    disagree: int = 0
    abstain: int = 0
    present: int = 0
    needed: int = 0
    score: Decimal | None = None
    scored: int = 0
    result: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def needed(present: int, numerator: int, denominator: int) -> int:
    """Agreeing experts needed: ceil(present × numerator / denominator) (integers, no float error)."""
    return -(-present * numerator // denominator) if present else 0


def progress(round_: VoteRound) -> list[Progress]:
    experts = list(db.session.execute(
        select(RoundExpert, Expert.name).join(MeetingExpert, MeetingExpert.id == RoundExpert.meeting_expert_id)
        .join(Expert, Expert.id == MeetingExpert.expert_id).where(RoundExpert.round_id == round_.id)
        .order_by(MeetingExpert.draw_order, RoundExpert.id)).all())
    per_group: dict[Any, int] = {}
    for g, n in db.session.execute(select(RoundEntry.prof_group_id, func.count()).where(
            RoundEntry.round_id == round_.id).group_by(RoundEntry.prof_group_id)):
        per_group[g] = n
    total = sum(per_group.values())
    rows = {rex.id: Progress(rex, name, assigned=per_group.get(rex.prof_group_id, 0) if round_.kind == "group"
                             else total) for rex, name in experts}
    if round_.method == "score":
        for rid, n in db.session.execute(select(Ballot.round_expert_id, func.count()).where(
                Ballot.round_id == round_.id, Ballot.score.is_not(None)).group_by(Ballot.round_expert_id)):
            if rid in rows:
                rows[rid].scored = n
    else:
        for rid, choice, n in db.session.execute(select(Ballot.round_expert_id, Ballot.choice, func.count()).where(
                Ballot.round_id == round_.id).group_by(Ballot.round_expert_id, Ballot.choice)):
            if rid in rows and choice in CHOICES:
                setattr(rows[rid], choice, n)
    return list(rows.values())


def results(round_: VoteRound, sealed: bool = False) -> list[Result]:
    """Per entry: the counts of the present experts, the agreeing needed and pass/fail (or the average score);
    ``sealed``: the counts and results written at the seal (the ballots are not counted again)."""
    from models.title.application import Application

    meeting = round_.meeting
    present_by_group: dict[Any, int] = {}
    for g, n in db.session.execute(select(RoundExpert.prof_group_id, func.count()).where(
            RoundExpert.round_id == round_.id, RoundExpert.state != "absent").group_by(RoundExpert.prof_group_id)):
        present_by_group[g] = n
    all_present = sum(present_by_group.values())
    rows: dict[int, Result] = {}
    for entry, name, workplace in db.session.execute(
            select(RoundEntry, Application.name, Application.workplace)
            .join(MeetingApplicant, MeetingApplicant.id == RoundEntry.meeting_applicant_id)
            .join(Application, Application.id == MeetingApplicant.application_id)
            .where(RoundEntry.round_id == round_.id).order_by(RoundEntry.sort, RoundEntry.id)):
        present = present_by_group.get(entry.prof_group_id, 0) if round_.kind == "group" else all_present
        rows[entry.id] = Result(entry, name, workplace or "", present=present,
                                needed=needed(present, meeting.pass_numerator, meeting.pass_denominator))
    if sealed:
        for r in rows.values():
            e = r.entry
            r.agree, r.disagree, r.abstain, r.score, r.result = (e.agree or 0, e.disagree or 0, e.abstain or 0,
                                                                 e.score, e.result)
        return list(rows.values())
    counted = and_(Ballot.round_id == round_.id, RoundExpert.state != "absent")
    if round_.method == "score":
        for eid, avg, n in db.session.execute(
                select(Ballot.entry_id, func.avg(Ballot.score), func.count()).join(
                    RoundExpert, RoundExpert.id == Ballot.round_expert_id)
                .where(counted, Ballot.score.is_not(None)).group_by(Ballot.entry_id)):
            if eid in rows:
                rows[eid].score = Decimal(str(avg)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                rows[eid].scored = n
    else:
        for eid, choice, n in db.session.execute(
                select(Ballot.entry_id, Ballot.choice, func.count()).join(
                    RoundExpert, RoundExpert.id == Ballot.round_expert_id)
                .where(counted).group_by(Ballot.entry_id, Ballot.choice)):
            if eid in rows and choice in CHOICES:
                setattr(rows[eid], choice, n)
        for r in rows.values():
            r.result = "pass" if r.present and r.agree >= r.needed else "fail"
    return list(rows.values())


# -- the chain ----------------------------------------------------------------------------------------


def canonical(round_id: int, entry_id: int, round_expert_id: int, choice: str | None, scores: Any,
              score: Any) -> str:
    """The canonical JSON of one ballot: keys sorted, no spaces, scores as fixed-point text — the same text as
    ``json.dumps(…, sort_keys=True, ensure_ascii=False, separators=(",", ":"))``, written out for speed (the
    tally verifies every sealed ballot on every view)."""
    sc = "null" if score is None else f'"{Decimal(str(score)):.2f}"'
    if scores is None:
        sd = "null"
    else:
        sd = json.dumps({str(k): f"{Decimal(str(v)):.2f}" for k, v in scores.items()}, sort_keys=True,
                        ensure_ascii=False, separators=(",", ":"))
    ch = "null" if choice is None else json.dumps(choice, ensure_ascii=False)
    return (f'{{"choice":{ch},"entry":{int(entry_id)},"round":{int(round_id)},'
            f'"round_expert":{int(round_expert_id)},"score":{sc},"scores":{sd}}}')


def link(prev: str, text: str) -> str:
    return hashlib.sha256((prev + text).encode()).hexdigest()


def _chain_rows(round_: VoteRound) -> list[tuple[Any, ...]]:
    """The round's ballots in chain order (entry sort, entry id, round expert id) as plain tuples
    (id, entry id, round expert id, choice, scores JSON text, score, hash, entry sort)."""
    b = Ballot.__table__
    sorts = dict(db.session.execute(select(RoundEntry.id, RoundEntry.sort).where(RoundEntry.round_id == round_.id))
                 .tuples().all())
    rows = [(*r, sorts.get(r[1], 0)) for r in db.session.execute(
        select(b.c.id, b.c.entry_id, b.c.round_expert_id, b.c.choice, cast(b.c.scores, Text), b.c.score, b.c.hash)
        .where(b.c.round_id == round_.id)).tuples()]
    rows.sort(key=lambda r: (r[7], r[1], r[2]))
    return rows


def _scores(raw: Any) -> Any:
    """The scores of a chain row (JSON text; JSON null and SQL NULL alike are none)."""
    if raw is None or raw == "null":
        return None
    return json.loads(raw) if isinstance(raw, str) else raw


def _hashes(round_id: int, rows: list[tuple[Any, ...]]) -> list[str]:
    """The chain over ``rows``: each ballot's hash from the previous one (the fast path for plain votes gives
    exactly :func:`canonical`'s text)."""
    quoted = {c: json.dumps(c, ensure_ascii=False) for c in CHOICES}
    sha = hashlib.sha256
    out: list[str] = []
    prev = ""
    for _id, entry_id, rex_id, choice, scores, score, _hash, _sort in rows:
        if score is None and (scores is None or scores == "null") and choice in quoted:
            text_ = (f'{{"choice":{quoted[choice]},"entry":{entry_id},"round":{round_id},'
                     f'"round_expert":{rex_id},"score":null,"scores":null}}')
        else:
            text_ = canonical(round_id, entry_id, rex_id, choice, _scores(scores), score)
        prev = sha((prev + text_).encode()).hexdigest()
        out.append(prev)
    return out


def verify(round_: VoteRound) -> list[str]:
    """The problems of a sealed round's chain (none when no ballot changed after the seal)."""
    if round_.state != "sealed":
        return []
    problems: list[str] = []
    rows = _chain_rows(round_)
    # each link is checked against the stored previous hash, so one changed ballot is named alone
    quoted = {c: json.dumps(c, ensure_ascii=False) for c in CHOICES}
    sha = hashlib.sha256
    prev = ""
    rid = round_.id
    for pos, (_id, entry_id, rex_id, choice, scores, score, stored, sort) in enumerate(rows, start=1):
        if score is None and (scores is None or scores == "null") and choice in quoted:
            text_ = (f'{{"choice":{quoted[choice]},"entry":{entry_id},"round":{rid},'
                     f'"round_expert":{rex_id},"score":null,"scores":null}}')
        else:
            text_ = canonical(rid, entry_id, rex_id, choice, _scores(scores), score)
        if stored != sha((prev + text_).encode()).hexdigest():
            problems.append(_("第%(p)s张选票（排序号%(s)s）与计票完成时的记录不一致：该选票在封存后被改动",
                              p=pos, s=sort))
        prev = stored or ""
    if round_.ballot_count is not None and len(rows) != round_.ballot_count:
        problems.append(_("计票完成时共有%(a)s张选票，现有%(b)s张：选票在封存后被增删", a=round_.ballot_count, b=len(rows)))
    elif (prev or None) != round_.seal_hash:
        problems.append(_("选票链的末端摘要与计票完成时记录的不一致"))
    return problems


def _seal_chain(round_: VoteRound) -> tuple[str, int]:
    b = Ballot.__table__
    rows = _chain_rows(round_)
    hashes = _hashes(round_.id, rows)
    if rows:
        db.session.execute(update(b).where(b.c.id == bindparam("bid")).values(hash=bindparam("h")),
                           [{"bid": r[0], "h": h} for r, h in zip(rows, hashes, strict=True)])
    return (hashes[-1] if hashes else ""), len(rows)


def seal(user: Any, round_: VoteRound) -> VoteRound | None:
    """计票完成: refused while an expert present has not submitted; one of two staff sealing at once wins
    (a conditional update on the round). Writes the counts and results, chains the ballots, audits the head;
    then the next round (after a group round) or the meeting's results. Returns the next round or None."""
    if round_.meeting.unit_id != getattr(user, "unit_id", None):
        raise TitleError(_("只有评委会组建单位可以办理评审会议"))
    if round_.state != "open":
        raise TitleError(_("本轮已计票完成，不能重复计票"))
    won = db.session.execute(update(VoteRound).where(VoteRound.id == round_.id, VoteRound.state == "open")
                             .values(state="sealed", sealed_at=_now(), sealed_by=getattr(user, "id", None))
                             .execution_options(synchronize_session=False))
    if won.rowcount != 1:
        raise TitleError(_("本轮已计票完成，不能重复计票"))
    db.session.refresh(round_)
    # the experts' rows, locked: no ballot is saved, submitted or sent back while the round seals
    db.session.execute(select(RoundExpert.id).where(RoundExpert.round_id == round_.id).with_for_update())
    waiting = db.session.scalar(select(func.count()).select_from(RoundExpert).where(
        RoundExpert.round_id == round_.id, RoundExpert.state == "open"))
    if waiting:
        raise TitleError(_("还有%(n)s名专家未提交投票（未到会的专家请先置为缺席），不能计票完成", n=waiting))
    present = db.session.scalar(select(func.count()).select_from(RoundExpert).where(
        RoundExpert.round_id == round_.id, RoundExpert.state == "submitted"))
    if not present:
        raise TitleError(_("本轮没有提交投票的专家，不能计票完成"))
    rows = results(round_)
    for r in rows:
        e = r.entry
        e.agree, e.disagree, e.abstain = r.agree, r.disagree, r.abstain
        e.score, e.result = r.score, r.result
    db.session.flush()
    head, count = _seal_chain(round_)
    round_.seal_hash = head or None
    round_.ballot_count = count
    db.session.flush()
    audit.record("seal_round", round_.meeting, user=user,
                 changes={"round": round_.number, "kind": round_.kind, "method": round_.method, "ballots": count,
                          "seal_hash": head, "passed": sum(1 for r in rows if r.result == "pass"),
                          "entries": len(rows)})
    if round_.kind == "group":
        survivors = [r.entry for r in rows if round_.method == "score" or r.result == "pass"]
        if survivors:
            return _next_round(round_, survivors)
    _finish(user, round_.meeting, round_ if round_.kind == "full" else None)
    return None


def _next_round(prev: VoteRound, entries: list[RoundEntry]) -> VoteRound:
    """评委会投票 over the group round's survivors (everyone after a score round), all confirmed experts."""
    meeting = prev.meeting
    round_ = VoteRound(meeting_id=meeting.id, number=prev.number + 1, kind="full", method="vote", state="open",
                       opened_at=_now())
    db.session.add(round_)
    db.session.flush()
    for i, e in enumerate(entries, start=1):
        db.session.add(RoundEntry(round_id=round_.id, meeting_applicant_id=e.meeting_applicant_id, sort=i))
    for me in db.session.scalars(select(MeetingExpert).where(MeetingExpert.meeting_id == meeting.id,
                                                             MeetingExpert.attendance == "confirmed")
                                 .order_by(MeetingExpert.draw_order, MeetingExpert.id)):
        db.session.add(RoundExpert(round_id=round_.id, meeting_expert_id=me.id, state="open"))
    db.session.flush()
    return round_


def _finish(user: Any, meeting: Meeting, last: VoteRound | None) -> None:
    """The meeting's results: the pool's pass/fail, the applications' end (exceptional failers end; a normal
    meeting decides), the experts' participation; the meeting is 计票完成."""
    from models.title.committee import ExpertParticipation

    passed = set()
    if last is not None:
        passed = {e.meeting_applicant_id for e in last.entries if e.result == "pass"}
    for ma in db.session.scalars(select(MeetingApplicant).where(MeetingApplicant.meeting_id == meeting.id)):
        ma.result = "pass" if ma.id in passed else "fail"
        app_ = ma.application
        if meeting.kind == "exceptional":
            if ma.result == "fail":
                app_.result, app_.result_reason = "failed", EXCEPTIONAL_FAILED
        else:
            app_.result = "passed" if ma.result == "pass" else "failed"
            app_.result_reason = None if ma.result == "pass" else NORMAL_FAILED
    activity = meeting.activity
    sat = {me_id for (me_id,) in db.session.execute(
        select(RoundExpert.meeting_expert_id).join(VoteRound, VoteRound.id == RoundExpert.round_id)
        .where(VoteRound.meeting_id == meeting.id, RoundExpert.state == "submitted"))}
    # the chair who sat: the 执行主任 (one chair drawn: that chair)
    executive = any(me.executive_chair for me in meeting.experts)
    for me in db.session.scalars(select(MeetingExpert).where(MeetingExpert.id.in_(sat) if sat else false())):
        exists = db.session.scalar(select(ExpertParticipation.id).where(
            ExpertParticipation.committee_id == activity.committee_id, ExpertParticipation.expert_id == me.expert_id,
            ExpertParticipation.year == activity.year, ExpertParticipation.activity_id == activity.id))
        if exists is None:
            db.session.add(ExpertParticipation(committee_id=activity.committee_id, expert_id=me.expert_id,
                                               year=activity.year, activity_id=activity.id,
                                               as_chair=bool(me.executive_chair if executive else me.chair)))
    meeting.state = "tallied"
    meeting.closed_at = _now()
    db.session.flush()
    audit.record("meeting_tallied", meeting, user=user,
                 changes={"passed": len(passed), "kind": meeting.kind})


# -- staff reading ------------------------------------------------------------------------------------


def round_of_meeting(meeting: Meeting, round_id: Any = None) -> VoteRound | None:
    """A round of the meeting (the chosen one, else the latest); a round of another meeting is refused."""
    if round_id not in (None, ""):
        rid = _int(round_id)
        round_ = db.session.get(VoteRound, rid) if rid is not None else None
        if round_ is None or round_.meeting_id != meeting.id:
            raise TitleError(str(NOT_FOUND))
        return round_
    return meeting.rounds[-1] if meeting.rounds else None


def group_scores(round_: VoteRound) -> dict[int, Any]:
    """A full round after a score group round: each applicant's average group score (shown to the staff),
    by meeting applicant id."""
    if round_.kind != "full":
        return {}
    prev = db.session.scalar(select(VoteRound).where(VoteRound.meeting_id == round_.meeting_id,
                                                     VoteRound.number < round_.number, VoteRound.kind == "group",
                                                     VoteRound.method == "score"))
    if prev is None:
        return {}
    return dict(db.session.execute(select(RoundEntry.meeting_applicant_id, RoundEntry.score).where(
        RoundEntry.round_id == prev.id)).tuples().all())


def export_rows(round_: VoteRound) -> tuple[list[str], list[list[Any]]]:
    """评委会表决票结果: per applicant the counts and the result — no expert beside a choice."""
    headers = [_("排序号"), _("姓名"), _("工作单位"), _("到会专家数"), _("投票通过专家数"), _("投票不通过专家数"),
               _("弃权专家数"), _("计票结果")]
    if round_.method == "score":
        headers = [_("排序号"), _("姓名"), _("工作单位"), _("到会专家数"), _("评分专家数"), _("平均加权得分")]
    rows: list[list[Any]] = []
    for r in results(round_, sealed=round_.state == "sealed"):
        if round_.method == "score":
            rows.append([r.entry.sort, r.name, r.workplace, r.present, r.scored,
                         float(r.score) if r.score is not None else None])
        else:
            rows.append([r.entry.sort, r.name, r.workplace, r.present, r.agree, r.disagree, r.abstain,
                         _("通过") if r.result == "pass" else _("不通过")])
    return headers, rows


def ceil_ratio(present: int, numerator: int, denominator: int) -> int:
    """The same as :func:`needed` by floats (used by the tests as an oracle)."""
    return math.ceil(present * numerator / denominator) if present else 0


# -- the expert's reading -----------------------------------------------------------------------------


def entry_for_expert(round_: VoteRound, rex: RoundExpert, entry_id: Any) -> RoundEntry:
    """An entry the expert decides in the round (their applicants only)."""
    return _entry(round_, rex, entry_id)


def meeting_files(meeting: Meeting) -> list[Any]:
    """专家评议材料: the meeting's own attachments (when the assign part registers an owner for meetings)."""
    from models.core.attachment import Attachment

    code = getattr(Meeting, "__attachment_owner__", None)
    if not code:
        return []
    return list(db.session.scalars(select(Attachment).where(Attachment.owner_type == code,
                                                            Attachment.owner_id == meeting.id)
                                   .order_by(Attachment.id)))


def expert_file(user: Any, round_: VoteRound, rex: RoundExpert, attachment_id: Any) -> Any:
    """A file the expert may download: of an application on their list in this round (its own files and
    its achievement entries'), or of the meeting's 专家评议材料. Anything else is not found."""
    from models.core.attachment import Attachment
    from models.title.application import AchievementEntry, Application

    aid = _int(attachment_id)
    row = db.session.get(Attachment, aid) if aid is not None else None
    if row is None:
        raise TitleError(str(NOT_FOUND))
    app_ids = {ma.application_id for ma in db.session.scalars(
        select(MeetingApplicant).where(MeetingApplicant.id.in_([e.meeting_applicant_id
                                                                 for e in assigned_entries(round_, rex)])))}
    owner = row.owner_type
    ok = False
    if owner == getattr(Application, "__attachment_owner__", None):
        ok = row.owner_id in app_ids
    elif owner == getattr(AchievementEntry, "__attachment_owner__", None):
        entry = db.session.get(AchievementEntry, row.owner_id)
        ok = entry is not None and entry.application_id in app_ids
    elif owner == getattr(Meeting, "__attachment_owner__", None):
        ok = row.owner_id == round_.meeting_id
    if not ok:
        raise TitleError(str(NOT_FOUND))
    audit.record("download", row, user=user, detail=f"{row.slot}:{row.file_name}")
    return row
