"""Demo data of 职称评审 II (seed 004 §1.2.5–1.2.6): the seeded season carried into its meetings, through the
services the screens call, as the committee's staff and the experts would.

* The annual activity (``{year}年度乐山市工程技术系列中级职称评审``): more applicants received (four of them 破格),
  参评资格审核 done (one refused), scoring standards set; its 破格评审会议 finished (drawn, attended, assigned,
  voted by every expert, 计票完成: three passers go on, one fails); its 普通评审会议 with professional groups
  mid-vote — drawn with a cancelled expert replaced from the reserve, grouped, assigned, the group round open:
  some experts submitted, one sent back (回退), one absent, the others still voting.
* A special activity (``…专项评审（乡村振兴）``): its normal meeting voted and sealed, and its 评审结果公示
  running now on the portal, with one 我要反馈 and one 线下投诉.
* Three years of sittings (ExpertParticipation): last year's chair, and experts who sat three years running,
  so that the draws show the rules at work.

Expert accounts: every expert confirmed for a meeting logs in with their ID number and the demo password;
``EXPERT_LOGINS`` lists three of the normal meeting's (written to the README by hand from a fresh seed).
"""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

from sqlalchemy import select

from app.extensions import db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DRAW_SEED_NOTE = "演示数据"


def _user(login: str) -> Any:
    from models.core.user import UnitUser

    return db.session.scalar(select(UnitUser).where(UnitUser.username == login))


def load_meetings(units: dict[str, Any], rng: random.Random) -> None:
    from models.title import Activity, Committee

    committee = db.session.scalar(select(Committee).where(Committee.name == "乐山市工程技术系列中级职称评审委员会"))
    if committee is None:
        return
    annual = db.session.scalar(select(Activity).where(Activity.committee_id == committee.id, Activity.kind == "annual"))
    _history(committee, annual.year, rng)
    supervisor = _supervisor(units, rng)
    # the annual activity: more applicants, 资格审核, standards, the exceptional meeting finished, the normal mid-vote
    _applicants(annual, units, rng, normal=14, exceptional=4)
    _qualify(annual, refuse=1)
    _standards(annual)
    meetings = _meetings(annual)
    ex = meetings["exceptional"]
    _draw(ex, [("建筑工程组", "建筑工程", "1", 3), ("市政工程组", "市政工程", "2", 2)], "2")
    _attend(ex)
    _assign(ex, supervisor=None)
    rnd = _open(ex)
    _vote_all(rnd, fail_last=True)
    _seal(rnd)
    normal = meetings["normal"]
    _draw(normal, [("建筑工程组", "建筑工程", "1", 4), ("市政工程组", "市政工程", "2", 3),
                   ("道路桥梁组", "道路桥梁", "2", 3)], "1.5", cancel_one=True)
    _attend(normal)
    _groups(normal, [("建筑工程专业组", ("建筑工程",)), ("市政道桥专业组", ("市政工程", "道路桥梁"))])
    _assign(normal, supervisor=supervisor)
    rnd = _open(normal)
    _mid_vote(rnd)
    # the special activity: voted, sealed, its publicity running now
    special = _special(committee, annual)
    _applicants(special, units, rng, normal=6, exceptional=0)
    _qualify(special, refuse=0)
    sp = _meetings(special)["normal"]
    _draw(sp, [("给排水组", "给排水", "1", 3), ("市政工程组", "市政工程", "2", 3)], "1.5")
    _attend(sp)
    _assign(sp, supervisor=supervisor)
    rnd = _open(sp)
    _vote_all(rnd, fail_last=True)
    _seal(rnd)
    _publicity(special)
    _passwords()
    db.session.commit()


# -- the committee's history and a supervising committee -------------------------------------------------


def _history(committee: Any, year: int, rng: random.Random) -> None:
    """Three years of sittings: the first chair sat as chair last year (not a chair candidate this year); four
    non-chair experts sat the three previous years running (not drawn this year); others sat now and then."""
    from models.title import CommitteeExpert, ExpertParticipation

    members = list(db.session.scalars(select(CommitteeExpert).where(CommitteeExpert.committee_id == committee.id,
                                                                    CommitteeExpert.state == "in")
                                      .order_by(CommitteeExpert.id)))
    chairs = [m for m in members if m.chair == "chair"]
    others = [m for m in members if not m.chair]
    rows = [(chairs[0].expert_id, year - 1, True)]
    for m in others[:4]:  # 建筑工程 … 给排水: three years running
        rows += [(m.expert_id, year - k, False) for k in (1, 2, 3)]
    for m in others[4:20]:
        rows += [(m.expert_id, year - k, False) for k in (1, 2, 3) if rng.random() < 0.4]
    for expert_id, y, chair in rows:
        db.session.add(ExpertParticipation(committee_id=committee.id, expert_id=expert_id, year=y, as_chair=chair))
    db.session.flush()


def _supervisor(units: dict[str, Any], rng: random.Random) -> Any:
    """四川省工程技术系列高级职称评审委员会 of the province, filed: the normal meetings' supervising committee."""
    from app.services.core import attachments
    from app.services.title.committees import COMMITTEE
    from app.workflow import act
    from models.title import Committee, CommitteeExpert
    from seed.title import _experts

    sc_admin = _user("sc_admin")
    committee = Committee(unit_id=units["sc"].id, name="四川省工程技术系列高级职称评审委员会", agency="四川省职称改革工作领导小组办公室",
                          office="四川省人力资源和社会保障厅专业技术人员管理处", review_type="review", levels="1,2",
                          authority_unit_id=units["sc"].id, filing_unit_id=units["sc"].id, contact="张敏",
                          contact_phone="028-86110000", address="成都市青羊区", series="08", region_codes="510000")
    db.session.add(committee)
    db.session.flush()
    for i, expert in enumerate(_experts(units["sc"], 9, rng)):
        db.session.add(CommitteeExpert(committee_id=committee.id, expert_id=expert.id, unit_id=units["sc"].id,
                                       state="draft", chair="chair" if i == 0 else ""))
    db.session.flush()
    attachments.save_upload(committee, "request", io.BytesIO(PDF), "组建请示.pdf", sc_admin)
    act(COMMITTEE, committee, sc_admin, "submit")
    act(COMMITTEE, committee, sc_admin, "approve", opinion="同意备案")
    db.session.flush()
    return committee


# -- applicants and what comes before the meeting ---------------------------------------------------------


def _applicants(activity: Any, units: dict[str, Any], rng: random.Random, normal: int, exceptional: int) -> None:
    """Persons of 乐山市建筑设计研究院 and 乐山市路桥建设有限公司 apply and are received, through the engine."""
    from app.services.core import attachments
    from app.services.title import applications as apps
    from app.services.title.review import APPLICATION
    from app.workflow import act
    from models.title import AchievementEntry, Application, ApplicationWork
    from seed.demo import DEMO_PASSWORD, GIVEN, SURNAMES, id_number

    majors = ["建筑工程", "市政工程", "道路桥梁", "给排水"]
    items = {i.templates.split(",")[0]: i for i in activity.items}
    item = items.get("general") or activity.items[0]
    ls_admin = _user("ls_admin")
    for i in range(normal + exceptional):
        unit_login = "ls_jzy" if i % 2 == 0 else "ls_lq"
        unit = units[unit_login]
        idn = id_number(rng, "511102")
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        person = apps.register_person({"name": name, "id_number": idn, "phone": f"1378133{rng.randrange(10000):04d}",
                                       "password": DEMO_PASSWORD, "password2": DEMO_PASSWORD, "unit": str(unit.id)})
        db.session.flush()
        rec = Application(unit_id=unit.id, user_id=person.id, activity_id=activity.id, committee_id=activity.committee_id,
                          year=activity.year, series="08", level="3", major=majors[i % len(majors)],
                          eval_method="exceptional" if i >= normal else "normal", category="direct", name=name,
                          sex=apps.sex_of(idn), id_number=idn, birth_date=apps.birth_of(idn), ethnicity="01",
                          politics="13", phone=person.phone, workplace=unit.name, post="工程师",
                          work_start=dt.date(2009, 7, 1), current_series="08", current_level="4",
                          current_title="助理工程师", current_title_date=dt.date(2015, 12, 1), education="21",
                          school="西南交通大学", school_major="土木工程", graduated_on=dt.date(2009, 6, 30),
                          summary="参加工作以来从事工程设计与施工技术管理，主持完成多项市政与房建工程。")
        db.session.add(rec)
        db.session.flush()
        db.session.add(ApplicationWork(application_id=rec.id, start=dt.date(2009, 7, 1), workplace=unit.name, post="技术员、工程师"))
        db.session.add(AchievementEntry(application_id=rec.id, item_id=item.id, template="general", data={
            "start": "2020-03-01", "end": "2022-10-31", "work_name": f"乐山市{majors[i % len(majors)]}项目{i + 1}",
            "after_title": "是", "role": "项目技术负责人", "result": "通过竣工验收。"}))
        db.session.flush()
        for material in activity.materials:
            if material.required:
                apps.upload_material(person, rec, material, io.BytesIO(PDF), f"{material.name}.pdf")
        db.session.commit()
        act(APPLICATION, rec, person, "submit")
        unit_admin = _user(f"{unit_login}_admin")
        for slot, file_name in (("gongshi", "公示证明.pdf"), ("tuijian", "单位综合推荐意见.pdf")):
            attachments.save_upload(rec, slot, io.BytesIO(PDF), file_name, unit_admin)
        act(APPLICATION, rec, unit_admin, "approve", opinion="经公示无异议，同意推荐")
        act(APPLICATION, rec, _user("ls_zjj_admin"), "approve", opinion="同意上报")
        act(APPLICATION, rec, ls_admin, "approve", opinion="材料齐全，予以接收")
        db.session.commit()


def _qualify(activity: Any, refuse: int) -> None:
    """参评资格审核: every received applicant passes but the last ``refuse`` (任职年限不足)."""
    from app.services.title import prep

    ls_admin = _user("ls_admin")
    received = prep.received(activity)
    cut = len(received) - refuse
    if received[:cut]:
        prep.decide(ls_admin, activity.id, [a.id for a in received[:cut]], "pass")
    if received[cut:]:
        prep.decide(ls_admin, activity.id, [a.id for a in received[cut:]], "fail",
                    reason="取得现职称后从事本专业技术工作未满四年，不符合申报条件")
    db.session.commit()


def _standards(activity: Any) -> None:
    from app.services.title import prep

    ls_admin = _user("ls_admin")
    for name, weight, text in (("专业理论水平", "30", "掌握本专业系统的基础理论和专业知识"),
                               ("工作业绩", "40", "取得现职称后的主要业绩与成果"),
                               ("论文论著", "20", "论文、著作、专业报告的水平"),
                               ("答辩表现", "10", "答辩中对专业问题的理解与表达")):
        prep.save_standard(ls_admin, activity.id, {"name": name, "weight": weight, "max_score": "100",
                                                   "description": text})
    db.session.commit()


def _special(committee: Any, annual: Any) -> Any:
    """A special activity of the same committee, published (through the engine)."""
    from app.services.title.activities import ACTIVITY
    from app.workflow import act
    from models.title import AchievementItem, Activity, ActivityLevel

    ls_admin = _user("ls_admin")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    activity = Activity(unit_id=annual.unit_id, committee_id=committee.id,
                        name=f"{now.year}年乐山市工程技术系列中级职称专项评审（乡村振兴）",
                        scope_text="在乡镇及以下基层一线从事工程技术工作的专业技术人才", year=now.year, kind="special",
                        method="expert", written_test="none", defense="none", apply_start=now - dt.timedelta(days=60),
                        first_submit_until=now + dt.timedelta(days=1), resubmit_until=now + dt.timedelta(days=2),
                        receive_until=now + dt.timedelta(days=3), doc_number="乐人社函〔2026〕9号", public=True,
                        exceptional=False, groups=False, saved_part="materials")
    db.session.add(activity)
    db.session.flush()
    db.session.add(ActivityLevel(activity_id=activity.id, level="3", majors="建筑工程\n市政工程\n道路桥梁\n给排水"))
    db.session.add(AchievementItem(activity_id=activity.id, sort=1, heading="取得现专业技术职称后主要业绩", templates="general",
                                   requirement="基层一线工程项目业绩"))
    db.session.flush()
    act(ACTIVITY, activity, ls_admin, "submit")
    act(ACTIVITY, activity, ls_admin, "approve", opinion="同意发布")
    db.session.commit()
    return activity  # its deadlines are moved into the past once its applicants are received (_close_deadlines)


def _close_deadlines(activity: Any) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    activity.first_submit_until = now - dt.timedelta(days=45)
    activity.resubmit_until = now - dt.timedelta(days=40)
    activity.receive_until = now - dt.timedelta(days=30)


# -- the meetings ---------------------------------------------------------------------------------------


def _meetings(activity: Any) -> dict[str, Any]:
    from app.services.title import meetings

    found = meetings.meetings_of(activity, create=True)
    db.session.commit()
    return found


def _draw(meeting: Any, groups: list[tuple[str, str, str, int]], multiplier: str, cancel_one: bool = False) -> None:
    """抽选小组, 开始抽选; all members confirmed (with ``cancel_one``: the first member of the first group cancels
    and the next reserve replaces them), the 执行主任 chosen when several chairs were drawn."""
    from app.services.title import draw

    ls_admin = _user("ls_admin")
    for name, major, level, count in groups:
        draw.add_group(ls_admin, meeting, {"name": name, "major": major, "title_level": level, "count": str(count)})
    draw.start_draw(ls_admin, meeting, multiplier, seed=f"{meeting.activity_id:04d}{meeting.kind}".encode().hex())
    db.session.commit()
    db.session.expire(meeting)
    members = [m for m in meeting.experts if not m.reserve]
    if cancel_one:
        gone = members[0]
        draw.set_attendance(ls_admin, meeting, [gone.id], "cancelled")
        draw.replace_from_reserve(ls_admin, meeting, gone.id)
        db.session.commit()
        db.session.expire(meeting)
        members = [m for m in meeting.experts if not m.reserve and m.attendance != "cancelled"]
    draw.set_attendance(ls_admin, meeting, [m.id for m in members], "confirmed")
    chairs = [m for m in members if m.chair]
    if len(chairs) > 1:
        draw.set_executive_chair(ls_admin, meeting, chairs[0].id)
    db.session.commit()


def _attend(meeting: Any) -> None:
    from app.services.title import draw

    draw.finish_attendance(_user("ls_admin"), meeting)
    db.session.commit()


def _groups(meeting: Any, groups: list[tuple[str, tuple[str, ...]]]) -> None:
    """专业组 by the experts' majors, the first member the leader; 完成分组."""
    from app.services.title import assign

    ls_admin = _user("ls_admin")
    confirmed = assign.confirmed_experts(meeting)
    for name, majors in groups:
        group = assign.add_prof_group(ls_admin, meeting, name)
        ids = [m.id for m in confirmed if m.expert.major in majors]
        assign.set_prof_group(ls_admin, meeting, ids, group.id)
        assign.set_leader(ls_admin, meeting, group.id, ids[0])
    assign.finish_grouping(ls_admin, meeting)
    db.session.commit()


def _assign(meeting: Any, supervisor: Any) -> None:
    """The pool, its applicants' professional groups (by major), the reviewers (自动分配, avoidance respected),
    the plan, a material, the supervising committee."""
    from app.services.core import attachments
    from app.services.title import assign

    ls_admin = _user("ls_admin")
    assign.sync_pool(meeting)
    db.session.commit()
    if assign.uses_groups(meeting):
        by_major = {}
        for g in assign.prof_groups(meeting):
            for m in meeting.experts:
                if m.prof_group_id == g.id:
                    by_major.setdefault(m.expert.major, g.id)
        pool = assign.pool(meeting)
        first = assign.prof_groups(meeting)[0].id
        for ma in pool:
            assign.set_applicant_group(ls_admin, meeting, [ma.id], by_major.get(ma.application.major, first))
    assign.auto_assign(ls_admin, meeting)
    plan = {"plan": "评审会议按“个人陈述—主审专家介绍—专家评议—无记名投票”的程序进行；同意票数达到出席专家三分之二（含）以上为通过。",
            "threshold": "2/3"}
    if supervisor is not None and meeting.kind == "normal":
        plan["supervisor_committee_id"] = str(supervisor.id)
    assign.save_plan(ls_admin, meeting, plan)
    attachments.save_upload(meeting, "materials", io.BytesIO(PDF), "评审会议专家评议材料汇编.pdf", ls_admin)
    db.session.commit()


def _open(meeting: Any) -> Any:
    from app.services.title import assign

    rnd = assign.open_vote(_user("ls_admin"), meeting)
    db.session.commit()
    return rnd


def _expert_user(rex: Any) -> Any:
    from models.core.user import UnitUser

    number = rex.meeting_expert.expert.id_number
    return db.session.scalar(select(UnitUser).where(UnitUser.id_number == number).order_by(UnitUser.id).limit(1))


def _ballots(rnd: Any, rex: Any, fail_ids: set[int]) -> None:
    from app.services.title import voting

    user = _expert_user(rex)
    for entry in voting.assigned_entries(rnd, rex):
        choice = "disagree" if entry.id in fail_ids else "agree"
        voting.save_ballot(user, rnd, entry.id, choice=choice)


def _vote_all(rnd: Any, fail_last: bool) -> None:
    """Every expert votes (the last entry refused by all when ``fail_last``) and submits."""
    from app.services.title import voting

    fail_ids = {rnd.entries[-1].id} if fail_last and rnd.entries else set()
    for rex in rnd.experts:
        _ballots(rnd, rex, fail_ids)
        voting.submit(_expert_user(rex), rnd)
    db.session.commit()


def _mid_vote(rnd: Any) -> None:
    """The group round mid-vote: in each professional group the first expert submits; the second submits and is
    sent back (回退) to correct a mistaken vote; the third is absent; the rest have saved part of their votes."""
    from app.services.title import voting

    ls_admin = _user("ls_admin")
    by_group: dict[Any, list[Any]] = {}
    for rex in rnd.experts:
        by_group.setdefault(rex.prof_group_id, []).append(rex)
    for experts in by_group.values():
        for i, rex in enumerate(experts):
            user = _expert_user(rex)
            if i == 0:
                _ballots(rnd, rex, set())
                voting.submit(user, rnd)
            elif i == 1:
                _ballots(rnd, rex, set())
                voting.submit(user, rnd)
                voting.send_back(ls_admin, rnd, rex.id, "第2位申报人的投票误选为“不同意”，专家申请更正")
            elif i == 2:
                voting.mark_absent(ls_admin, rnd, rex.id)
            else:
                entries = voting.assigned_entries(rnd, rex)
                for entry in entries[: len(entries) // 2]:
                    voting.save_ballot(user, rnd, entry.id, choice="agree")
    db.session.commit()


def _seal(rnd: Any) -> None:
    from app.services.title import voting

    nxt = voting.seal(_user("ls_admin"), rnd)
    db.session.commit()
    if nxt is not None:  # a group round's successor: the full round, voted by all
        _vote_all(nxt, fail_last=False)
        _seal(nxt)


# -- after the meeting ----------------------------------------------------------------------------------


def _publicity(activity: Any) -> None:
    """评审结果公示 from yesterday for seven days; one 我要反馈 by a registered applicant, one 线下投诉 with evidence."""
    from app.services.title import publicity

    ls_admin = _user("ls_admin")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    _close_deadlines(activity)
    # the publicity must start in the future or now when published: published yesterday, as the office did
    pub = publicity.publish(ls_admin, activity, now - dt.timedelta(days=1), now + dt.timedelta(days=6),
                            "乐山市人力资源和社会保障局专业技术人员管理科 0833-2433000")
    db.session.commit()
    passers = publicity.passers(activity)
    if not passers:
        return
    from models.core.user import UnitUser

    complainant = db.session.scalar(select(UnitUser).where(UnitUser.username == "511102198503120019"))
    if complainant is not None:
        publicity.feedback(complainant, activity, passers[0].id, "据了解，该同志申报材料中所列项目其本人并非项目技术负责人，请核实。",
                           "13581330000")
    publicity.record_offline(ls_admin, activity, {
        "application": str(passers[-1].id), "name": "刘某", "id_number": "511102197806150018", "phone": "13981330001",
        "reason": "来信反映该同志论文存在一稿多投情况。", "result": "经核查，该论文发表情况属实、无一稿多投，投诉不成立。"},
        files=[(io.BytesIO(PDF), "来信扫描件.pdf"), (io.BytesIO(PDF), "核查情况说明.pdf")])
    db.session.commit()
    del pub


def _passwords() -> None:
    """The expert accounts made when the votes opened get the demo password (a real opening hands out one-time
    passwords on the 专家账号通知单); like every demo account, it is changed at the first login."""
    from app.services.core.users import hash_password
    from app.services.title.module import EXPERT
    from models.core.user import UnitUser
    from models.title import VoteRound
    from seed.demo import DEMO_PASSWORD

    for user in db.session.scalars(select(UnitUser).where(UnitUser.roles.any(name=EXPERT))):
        user.password = hash_password(DEMO_PASSWORD)
    for rnd in db.session.scalars(select(VoteRound).where(VoteRound.accounts.is_not(None))):
        rnd.accounts = None  # the 专家账号通知单 was taken (its passwords replaced by the demo's)
    db.session.flush()
