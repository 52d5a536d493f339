"""专家投票, 计票, 计票完成 (004 §1.2.5–1.2.6, TR-15 §3–4, TR-16 §4–5, TR-17) through the real views.

Each test builds a received season (meeting_fixtures), then the meeting as the draw and assign parts leave it
(drawn experts confirmed, the pool in order, professional groups), opens round 1 with
``voting.open_first_round`` and drives it: the experts log in as persons whose ID number is the expert's, the
committee's unit (ls_admin) tallies and seals.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import threading

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from tests.conftest import DEMO_PASSWORD, make_user
from tests.title.meeting_fixtures import admin, meeting_season
from tests.title.test_review import Fresh

PG = os.environ.get("PYTEST_DATABASE_URL", "").startswith("postgresql")


# -- building a meeting ------------------------------------------------------------------------------


class M:
    """A meeting ready to vote: ``meeting``, ``season``, ``experts`` (MeetingExpert, confirmed), ``users``
    (their accounts by MeetingExpert id), ``pool`` (MeetingApplicant in order), ``groups`` (ProfGroup)."""


def expert_user(expert):
    from app.services.core.users import role_by_name
    from app.services.title.module import EXPERT

    user = make_user(db.session.get(__import__("models.core.unit", fromlist=["Unit"]).Unit, expert.unit_id),
                     username=expert.id_number)
    user.roles = [role_by_name(EXPERT)]
    user.user_type, user.line, user.id_number = "person", "title", expert.id_number
    db.session.commit()
    return user


def build(n_applicants=4, n_experts=3, groups=0, method="vote", kind="normal", exceptional=0, accounts=True,
          threshold=(2, 3), season=None):
    """A meeting of ``kind`` with ``n_experts`` confirmed experts (split over ``groups`` professional groups)
    and the applicants in order (split the same way); accounts for the experts unless ``accounts`` is False
    (then open_first_round creates them)."""
    from app.services.title import meetings
    from models.title.meeting import Draw, MeetingApplicant, MeetingExpert, ProfGroup, ScoringStandard

    s = season or meeting_season(applicants=n_applicants, exceptional=exceptional, groups=bool(groups),
                                 group_method=method, experts=max(n_experts, 1))
    m = M()
    m.season = s
    meeting = meetings.meetings_of(s.activity, create=True)[kind]
    meeting.pass_numerator, meeting.pass_denominator = threshold
    meeting.state = "assigning"
    draw = Draw(meeting_id=meeting.id, number=1, seed="00", multiplier="1.5", rules={}, pool={}, result=[],
                result_digest="0" * 64, created_at=dt.datetime.now(dt.UTC))
    db.session.add(draw)
    db.session.flush()
    m.groups = []
    for i in range(groups):
        pg = ProfGroup(meeting_id=meeting.id, sort=i, name=f"第{i + 1}专业组")
        db.session.add(pg)
        m.groups.append(pg)
    db.session.flush()
    m.experts = []
    for i, ex in enumerate(s.experts[:n_experts]):
        me = MeetingExpert(meeting_id=meeting.id, draw_id=draw.id, expert_id=ex.id, draw_order=i + 1, chair=i == 0,
                           attendance="confirmed", prof_group_id=m.groups[i % groups].id if groups else None)
        db.session.add(me)
        m.experts.append(me)
    apps = s.exceptional if kind == "exceptional" else s.applications
    m.pool = []
    for i, a in enumerate(apps):
        ma = MeetingApplicant(meeting_id=meeting.id, application_id=a.id, sort=len(apps) - i,
                              prof_group_id=m.groups[i % groups].id if groups else None)
        db.session.add(ma)
        m.pool.append(ma)
    m.pool.sort(key=lambda x: x.sort)
    if method == "score":
        db.session.add_all([ScoringStandard(activity_id=s.activity.id, sort=1, name="业绩成果", weight=60, max_score=100),
                            ScoringStandard(activity_id=s.activity.id, sort=2, name="答辩表现", weight=40, max_score=100)])
    db.session.commit()
    m.users = {me.id: expert_user(me.expert) for me in m.experts} if accounts else {}
    m.meeting = meeting
    return m


def open_vote(m):
    from app.services.title import voting

    r = voting.open_first_round(m.meeting, admin("ls_admin"))
    db.session.commit()
    return r


def entries_of(round_, me=None):
    from app.services.title import voting
    from models.title.meeting import RoundEntry, RoundExpert

    db.session.expire_all()
    if me is None:
        return list(db.session.scalars(select(RoundEntry).where(RoundEntry.round_id == round_.id)
                                       .order_by(RoundEntry.sort)))
    rex = db.session.scalar(select(RoundExpert).where(RoundExpert.round_id == round_.id,
                                                      RoundExpert.meeting_expert_id == me.id))
    return voting.assigned_entries(round_, rex)


def rex_of(round_, me):
    from models.title.meeting import RoundExpert

    return db.session.scalar(select(RoundExpert).where(RoundExpert.round_id == round_.id,
                                                       RoundExpert.meeting_expert_id == me.id))


def ballots(round_):
    from models.title.meeting import Ballot

    return db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.round_id == round_.id))


def vote(client, round_, choices, action="save"):
    data = {f"choice_{eid}": c for eid, c in choices.items()}
    data["action"] = action
    return client.post(f"/title/vote/round/{round_.id}/save", data=data, follow_redirects=True)


def html(r):
    return r.get_data(as_text=True)


@pytest.fixture()
def login(app, login_as):
    def _login(name):
        with app.app_context():
            return Fresh(app, login_as(name))

    return _login


def as_expert(login, m, me):
    return login(m.users[me.id].username)


def tally(client, m, round_=None, tab="progress", **args):
    q = "&".join(f"{k}={v}" for k, v in {"tab": tab, **({"round": round_.id} if round_ else {}), **args}.items())
    return client.get(f"/title/tally/{m.meeting.id}/?{q}")


def seal(client, m, round_):
    return client.post(f"/title/tally/{m.meeting.id}/seal", data={"round_id": round_.id}, follow_redirects=True)


# -- the expert's pages -------------------------------------------------------------------------------


def test_expert_saves_submits_and_is_locked(ctx, login):
    m = build(n_applicants=3, n_experts=3)
    r1 = open_vote(m)
    assert r1.kind == "full" and r1.method == "vote" and m.meeting.state == "voting"
    e = as_expert(login, m, m.experts[0])
    page = html(e.get("/title/vote/"))
    assert "我的评审任务" in page and f'data-round="{r1.id}"' in page
    page = html(e.get(f"/title/vote/round/{r1.id}"))
    entries = entries_of(r1)
    # the applicants in the set order
    names = [en.applicant.application.name for en in entries]
    assert [page.index(n) for n in names] == sorted(page.index(n) for n in names)
    # save part, then the rest, then submit
    page = html(vote(e, r1, {entries[0].id: "agree"}))
    assert "已保存" in page and ballots(r1) == 1
    page = html(vote(e, r1, {entries[1].id: "disagree"}, action="submit"))
    assert "还有1名申报人未评议" in page and rex_of(r1, m.experts[0]).state == "open"
    page = html(vote(e, r1, {entries[1].id: "disagree", entries[2].id: "abstain"}, action="submit"))
    assert "已提交" in page
    db.session.expire_all()
    assert rex_of(r1, m.experts[0]).state == "submitted" and ballots(r1) == 3
    # locked: a change and a second submission are refused, nothing changes
    page = html(vote(e, r1, {entries[0].id: "disagree"}))
    assert "您已提交本轮投票，不能再修改" in page
    page = html(vote(e, r1, {entries[0].id: "agree"}, action="submit"))
    assert "您已提交本轮投票，不能再修改" in page
    from models.title.meeting import Ballot

    db.session.expire_all()
    assert db.session.scalar(select(Ballot.choice).where(Ballot.entry_id == entries[0].id)) == "agree"
    # the applicant's materials, read-only, and only the assigned ones
    page = html(e.get(f"/title/vote/round/{r1.id}/applicant/{entries[0].id}"))
    assert entries[0].applicant.application.name in page and "申报信息" in page


def test_expert_reads_only_assigned_files(ctx, login):
    from models.core.attachment import Attachment

    m = build(n_applicants=2, n_experts=2, groups=2)
    r1 = open_vote(m)
    e = as_expert(login, m, m.experts[0])
    mine, other = entries_of(r1, m.experts[0]), entries_of(r1, m.experts[1])
    assert mine and other and not {x.id for x in mine} & {x.id for x in other}
    f_mine = db.session.scalar(select(Attachment).where(Attachment.owner_type == "title.application",
                                                       Attachment.owner_id == mine[0].applicant.application_id))
    f_other = db.session.scalar(select(Attachment).where(Attachment.owner_type == "title.application",
                                                        Attachment.owner_id == other[0].applicant.application_id))
    assert e.get(f"/title/vote/round/{r1.id}/file/{f_mine.id}").status_code == 200
    assert e.get(f"/title/vote/round/{r1.id}/file/{f_other.id}").status_code == 404
    assert e.get(f"/title/vote/round/{r1.id}/applicant/{other[0].id}").status_code == 404
    # the generic download stays closed to the expert (out of scope)
    assert e.get(f"/attachments/download/{f_mine.id}").status_code in (302, 403, 404)


def test_refusals_change_nothing(ctx, login):
    m = build(n_applicants=2, n_experts=3, groups=2)
    r1 = open_vote(m)
    other = build(n_applicants=1, n_experts=1)
    r_other = open_vote(other)
    e = as_expert(login, m, m.experts[0])
    mine, not_mine = entries_of(r1, m.experts[0]), entries_of(r1, m.experts[1])
    foreign = entries_of(r_other)[0]
    # not assigned (another professional group), a forged id, another meeting's entry, a bad choice
    for eid, choice in ((not_mine[0].id, "agree"), (999999, "agree"), (foreign.id, "agree"), (mine[0].id, "maybe"),
                        ("x", "agree")):
        page = html(vote(e, r1, {eid: choice}))
        assert "不在您本轮的评审名单中" in page or "请选择同意、不同意或弃权" in page
    assert ballots(r1) == 0
    # another meeting's round: not found
    assert e.get(f"/title/vote/round/{r_other.id}").status_code == 404
    assert e.post(f"/title/vote/round/{r_other.id}/save", data={"action": "save"}).status_code == 404
    # the staff: a forged round expert id, another meeting's round
    staff = login("ls_admin")
    foreign_rex = rex_of(r_other, other.experts[0])
    page = html(staff.post(f"/title/tally/{m.meeting.id}/absent", data={"round_id": r1.id,
                                                                       "round_expert_id": foreign_rex.id},
                           follow_redirects=True))
    assert "所选专家不是本轮投票的评审专家" in page
    assert staff.post(f"/title/tally/{m.meeting.id}/absent", data={"round_id": r_other.id,
                                                                  "round_expert_id": foreign_rex.id}).status_code == 404
    db.session.expire_all()
    assert rex_of(r_other, other.experts[0]).state == "open"
    # absent: the expert's ballot is refused; the page is gone
    rex2 = rex_of(r1, m.experts[2])
    staff.post(f"/title/tally/{m.meeting.id}/absent", data={"round_id": r1.id, "round_expert_id": rex2.id})
    e2 = as_expert(login, m, m.experts[2])
    page = html(vote(e2, r1, {entries_of(r1, m.experts[2])[0].id: "agree"}))
    assert "您已被置为缺席，不能投票" in page and ballots(r1) == 0
    # other units: no tally, no seal
    zjj = login("ls_zjj_admin")
    assert zjj.post(f"/title/tally/{m.meeting.id}/seal", data={"round_id": r1.id}).status_code in (302, 404)
    db.session.expire_all()
    assert r1.state == "open"
    # a person who is no expert of the round
    assert login("ls_jzy_admin").get(f"/title/vote/round/{r1.id}").status_code in (302, 403, 404)


def test_seal_refused_while_an_expert_has_not_submitted_then_after_seal_nothing_votes(ctx, login):
    m = build(n_applicants=2, n_experts=2)
    r1 = open_vote(m)
    staff = login("ls_admin")
    e0 = as_expert(login, m, m.experts[0])
    entries = entries_of(r1)
    vote(e0, r1, {x.id: "agree" for x in entries}, action="submit")
    page = html(seal(staff, m, r1))
    assert "还有1名专家未提交投票" in page
    db.session.expire_all()
    assert r1.state == "open"
    # the absent expert no longer blocks
    staff.post(f"/title/tally/{m.meeting.id}/absent", data={"round_id": r1.id,
                                                           "round_expert_id": rex_of(r1, m.experts[1]).id})
    page = html(seal(staff, m, r1))
    assert "计票完成" in page
    db.session.expire_all()
    assert r1.state == "sealed" and r1.ballot_count == 2 and r1.seal_hash
    # after the seal: the ballots, send back, absent, a second seal — refused
    e1 = as_expert(login, m, m.experts[1])
    assert "本轮投票已计票完成，不能再投票" in html(vote(e1, r1, {entries[0].id: "agree"}))
    page = html(vote(e0, r1, {entries[0].id: "disagree"}))
    assert "本轮投票已计票完成，不能再投票" in page
    page = html(staff.post(f"/title/tally/{m.meeting.id}/send_back",
                           data={"round_id": r1.id, "round_expert_id": rex_of(r1, m.experts[0]).id, "reason": "x"},
                           follow_redirects=True))
    assert "本轮投票已计票完成" in page
    assert "本轮已计票完成，不能重复计票" in html(seal(staff, m, r1))
    assert ballots(r1) == 2


def test_threshold_maths():
    from app.services.title.voting import ceil_ratio, needed

    for present in range(0, 40):
        for num, den in ((2, 3), (1, 2), (3, 4), (1, 1), (3, 5)):
            assert needed(present, num, den) == ceil_ratio(present, num, den)
    assert needed(3, 2, 3) == 2 and needed(4, 2, 3) == 3 and needed(5, 2, 3) == 4 and needed(6, 2, 3) == 4


def test_tally_counts_threshold_abstentions_and_results(ctx, login):
    """4 experts present, two thirds: 3 agree needed. Applicant A: 3 agree → pass; B: 2 agree + 2 abstain →
    fail (abstentions do not agree); C: 2 agree, 1 disagree, 1 absent expert → 3 present, 2 needed → pass."""
    from models.title.meeting import RoundEntry

    m = build(n_applicants=3, n_experts=5)
    r1 = open_vote(m)
    a, b, c = entries_of(r1)
    plan = [{a.id: "agree", b.id: "agree", c.id: "agree"}, {a.id: "agree", b.id: "agree", c.id: "agree"},
            {a.id: "agree", b.id: "abstain", c.id: "disagree"}, {a.id: "disagree", b.id: "abstain", c.id: "abstain"}]
    staff = login("ls_admin")
    for me, choices in zip(m.experts[:4], plan, strict=True):
        assert "已提交" in html(vote(as_expert(login, m, me), r1, choices, action="submit"))
    page = html(tally(staff, m, r1, "result"))
    row = re.search(rf'<tr data-entry="{b.id}">(.*?)</tr>', page, re.S).group(1)
    assert "不通过" in row
    # the fifth expert is absent: 4 present (C's abstain of expert 4 counts as present-not-agree)
    staff.post(f"/title/tally/{m.meeting.id}/absent", data={"round_id": r1.id,
                                                           "round_expert_id": rex_of(r1, m.experts[4]).id})
    page = html(tally(staff, m, r1, "progress", submitted="1"))
    assert page.count("data-round-expert=") == 4
    assert "计票完成" in html(seal(staff, m, r1))
    db.session.expire_all()
    got = {e.id: (e.agree, e.disagree, e.abstain, e.result) for e in db.session.scalars(
        select(RoundEntry).where(RoundEntry.round_id == r1.id))}
    assert got[a.id] == (3, 1, 0, "pass")
    assert got[b.id] == (2, 0, 2, "fail")
    assert got[c.id] == (2, 1, 1, "fail")  # 4 present → 3 needed
    # the meeting's results (normal meeting, single round)
    db.session.expire_all()
    assert m.meeting.state == "tallied" and m.meeting.closed_at is not None
    results = {ma.application.name: (ma.result, ma.application.result) for ma in m.pool}
    assert sorted(v for v in results.values()) == sorted([("pass", "passed"), ("fail", "failed"), ("fail", "failed")])
    from models.title.committee import ExpertParticipation

    sat = db.session.scalar(select(func.count()).select_from(ExpertParticipation).where(
        ExpertParticipation.activity_id == m.season.activity.id))
    assert sat == 4  # the absent expert did not sit
    chair = db.session.scalar(select(ExpertParticipation.as_chair).where(
        ExpertParticipation.expert_id == m.experts[0].expert_id, ExpertParticipation.activity_id == m.season.activity.id))
    assert chair is True


def test_ballots_are_secret_in_the_tally_and_the_export(ctx, login):
    from openpyxl import load_workbook

    m = build(n_applicants=3, n_experts=3)
    r1 = open_vote(m)
    entries = entries_of(r1)
    first_log = db.session.scalar(text("SELECT coalesce(max(id), 0) FROM core_audit_log"))
    for i, me in enumerate(m.experts):
        vote(as_expert(login, m, me), r1, {x.id: ("agree", "disagree", "abstain")[(i + j) % 3]
                                           for j, x in enumerate(entries)}, action="submit")
    # the audit log holds the submissions, never a ballot
    logged = db.session.execute(text("SELECT action, object_type, changes FROM core_audit_log WHERE id > :i"),
                                {"i": first_log}).all()
    assert any(a == "submit_ballot" for a, _t, _c in logged)
    assert not any("ballot" in (t or "") or '"choice"' in (c or "") for _a, t, c in logged), logged
    staff = login("ls_admin")
    names = [me.expert.name for me in m.experts]
    applicants = [x.applicant.application.name for x in entries]
    for tab in ("progress", "result"):
        page = html(tally(staff, m, r1, tab))
        for row in re.findall(r"<tr.*?</tr>", page, re.S):
            # no row holds an expert and an applicant together (a ballot would be both)
            assert not (any(n in row for n in names) and any(a in row for a in applicants)), row
    # progress rows are counts only: 1 agree, 1 disagree, 1 abstain each
    page = html(tally(staff, m, r1, "progress"))
    assert page.count("<td>1</td><td>1</td><td>1</td>") == 3
    r = staff.get(f"/title/tally/{m.meeting.id}/export?round={r1.id}")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.data))
    cells = [str(c) for row in wb.active.iter_rows(values_only=True) for c in row if c is not None]
    assert not any(n in c for n in names for c in cells)
    assert any(a in c for a in applicants for c in cells)


def test_send_back_and_resubmit(ctx, login):
    m = build(n_applicants=2, n_experts=2)
    r1 = open_vote(m)
    entries = entries_of(r1)
    e0 = as_expert(login, m, m.experts[0])
    vote(e0, r1, {x.id: "agree" for x in entries}, action="submit")
    staff = login("ls_admin")
    rex = rex_of(r1, m.experts[0])
    page = html(staff.post(f"/title/tally/{m.meeting.id}/send_back", data={"round_id": r1.id, "round_expert_id": rex.id,
                                                                          "reason": ""}, follow_redirects=True))
    assert "请填写回退原因" in page
    page = html(staff.post(f"/title/tally/{m.meeting.id}/send_back", data={"round_id": r1.id, "round_expert_id": rex.id,
                                                                          "reason": "误投，请复核"}, follow_redirects=True))
    assert "已回退" in page
    db.session.expire_all()
    rex = rex_of(r1, m.experts[0])
    assert rex.state == "open" and rex.returned == 1
    # not submitted: a send back is refused
    page = html(staff.post(f"/title/tally/{m.meeting.id}/send_back", data={"round_id": r1.id, "round_expert_id": rex.id,
                                                                          "reason": "再退"}, follow_redirects=True))
    assert "该专家尚未提交投票，不能回退" in page
    page = html(vote(e0, r1, {entries[0].id: "disagree"}, action="submit"))
    assert "已提交" in page
    db.session.expire_all()
    assert rex_of(r1, m.experts[0]).state == "submitted" and ballots(r1) == 2
    row = db.session.execute(text("SELECT changes FROM core_audit_log WHERE action = 'send_back_ballot' ORDER BY id DESC")
                             ).first()
    assert row is not None and "误投，请复核" in str(row[0])


def test_sealed_ballot_changed_in_the_database_is_detected(ctx, login):
    m = build(n_applicants=3, n_experts=2)
    r1 = open_vote(m)
    entries = entries_of(r1)
    for me in m.experts:
        vote(as_expert(login, m, me), r1, {x.id: "agree" for x in entries}, action="submit")
    staff = login("ls_admin")
    seal(staff, m, r1)
    page = html(tally(staff, m, r1, "result"))
    assert "选票校验通过" in page and "title-chain-broken" not in page
    from app.services.title import voting
    from models.title.meeting import Ballot

    db.session.expire_all()
    assert voting.verify(r1) == []
    # the audit log holds the head
    row = db.session.execute(text("SELECT changes FROM core_audit_log WHERE action = 'seal_round' ORDER BY id DESC")).first()
    assert r1.seal_hash in str(row[0])
    # a ballot changed directly in the database after the seal (the second entry's, the first expert's)
    target = db.session.scalar(select(Ballot).where(Ballot.entry_id == entries[1].id).order_by(Ballot.round_expert_id))
    db.session.execute(text("UPDATE title_ballot SET choice = 'disagree' WHERE id = :i"), {"i": target.id})
    db.session.commit()
    page = html(tally(staff, m, r1, "result"))
    assert "title-chain-broken" in page and "第3张选票（排序号2）" in page
    db.session.expire_all()
    assert voting.verify(r1)
    # a ballot deleted
    db.session.execute(text("UPDATE title_ballot SET choice = 'agree' WHERE id = :i"), {"i": target.id})
    db.session.execute(text("DELETE FROM title_ballot WHERE id = (SELECT MAX(id) FROM title_ballot WHERE round_id = :r)"),
                       {"r": r1.id})
    db.session.commit()
    db.session.expire_all()
    assert any("被增删" in p for p in voting.verify(r1))


def test_group_round_then_full_round_over_the_passers(ctx, login):
    """Two professional groups, vote method: the group round eliminates; the full round (all experts) lists
    only the passers; after its seal the applications are decided."""
    m = build(n_applicants=4, n_experts=4, groups=2)
    r1 = open_vote(m)
    assert r1.kind == "group" and r1.method == "vote"
    # each expert sees their group's entries only
    for me in m.experts:
        assert all(x.prof_group_id == me.prof_group_id for x in entries_of(r1, me))
    first_of_group = {}
    for x in entries_of(r1):
        first_of_group.setdefault(x.prof_group_id, x.id)
    for me in m.experts:
        mine = entries_of(r1, me)
        vote(as_expert(login, m, me), r1, {x.id: "agree" if x.id == first_of_group[me.prof_group_id] else "disagree"
                                           for x in mine}, action="submit")
    staff = login("ls_admin")
    page = html(seal(staff, m, r1))
    assert "已生成下一轮评委会投票名单" in page
    db.session.expire_all()
    r2 = m.meeting.rounds[-1]
    assert r2.number == 2 and r2.kind == "full" and r2.state == "open"
    survivors = entries_of(r2)
    assert len(survivors) == 2 and {x.meeting_applicant_id for x in survivors} == {
        x.meeting_applicant_id for x in entries_of(r1) if x.result == "pass"}
    assert len(r2.experts) == 4
    page = html(tally(staff, m, r2))
    assert "专业组计票" in page and "评委会计票" in page
    for i, me in enumerate(m.experts):
        vote(as_expert(login, m, me), r2, {survivors[0].id: "agree", survivors[1].id: "agree" if i < 2 else "disagree"},
             action="submit")
    assert "计票完成" in html(seal(staff, m, r2))
    db.session.expire_all()
    assert m.meeting.state == "tallied"
    passed = {ma.application_id for ma in m.pool if ma.result == "pass"}
    assert passed == {survivors[0].applicant.application_id}
    assert all(ma.application.result == ("passed" if ma.application_id in passed else "failed") for ma in m.pool)


def test_score_group_round_informs_and_everyone_goes_to_the_full_round(ctx, login):
    from models.title.meeting import ScoringStandard

    m = build(n_applicants=2, n_experts=2, groups=2, method="score")
    r1 = open_vote(m)
    assert r1.method == "score"
    stds = list(db.session.scalars(select(ScoringStandard).where(ScoringStandard.activity_id == m.season.activity.id)
                                   .order_by(ScoringStandard.sort)))
    for me in m.experts:
        e = as_expert(login, m, me)
        page = html(e.get(f"/title/vote/round/{r1.id}"))
        assert "评分标准" in page and "业绩成果" in page
        x = entries_of(r1, me)[0]
        bad = html(e.post(f"/title/vote/round/{r1.id}/save", data={f"score_{x.id}_{stds[0].id}": "120",
                                                                   f"score_{x.id}_{stds[1].id}": "80",
                                                                   "action": "save"}, follow_redirects=True))
        assert "的分数应在0至" in bad
        ok = html(e.post(f"/title/vote/round/{r1.id}/save", data={f"score_{x.id}_{stds[0].id}": "90",
                                                                  f"score_{x.id}_{stds[1].id}": "80",
                                                                  "action": "submit"}, follow_redirects=True))
        assert "已提交" in ok
    staff = login("ls_admin")
    page = html(tally(staff, m, r1, "result"))
    assert "86.00" in page  # 90×0.6 + 80×0.4
    seal(staff, m, r1)
    db.session.expire_all()
    r2 = m.meeting.rounds[-1]
    assert r2.kind == "full" and r2.method == "vote" and len(entries_of(r2)) == 2
    page = html(tally(staff, m, r2, "result"))
    assert "专业组平均得分" in page and "86.00" in page


def test_exceptional_meeting_failers_end_and_passers_wait(ctx, login):
    m = build(n_applicants=1, n_experts=2, kind="exceptional", exceptional=2)
    r1 = open_vote(m)
    assert r1.kind == "full"
    a, b = entries_of(r1)
    for me in m.experts:
        vote(as_expert(login, m, me), r1, {a.id: "agree", b.id: "disagree"}, action="submit")
    seal(login("ls_admin"), m, r1)
    db.session.expire_all()
    ma_a, ma_b = a.applicant, b.applicant
    assert ma_a.result == "pass" and ma_a.application.result in (None, "qualified")
    assert ma_b.result == "fail" and ma_b.application.result == "failed"
    assert ma_b.application.result_reason == "破格评议未通过"


def test_accounts_created_at_the_opening_are_shown_once(ctx, login):
    from models.core.user import UnitUser

    m = build(n_applicants=1, n_experts=2, accounts=False)
    open_vote(m)
    staff = login("ls_admin")
    page = html(tally(staff, m))
    assert "查看专家账号通知单" in page
    page = html(staff.post(f"/title/tally/{m.meeting.id}/accounts"))
    found = re.findall(r"<code>([^<]+)</code>", page)
    assert len(found) == 2
    numbers = [me.expert.id_number for me in m.experts]
    assert all(n in page for n in numbers)
    logged = " ".join(str(c) for (c,) in db.session.execute(text("SELECT changes FROM core_audit_log")))
    assert not any(p in logged for p in found)  # no initial password in the audit log
    again = html(staff.post(f"/title/tally/{m.meeting.id}/accounts"))
    assert "<code>" not in again and "初始密码已显示过" in again
    db.session.expire_all()
    user = db.session.scalar(select(UnitUser).where(UnitUser.username == numbers[0]))
    assert user.user_type == "person" and user.must_change_password and "评审专家" in [r.name for r in user.roles]
    # the expert logs in with the initial password (must change it first)
    from tests.conftest import Client

    c = Client(staff.app)
    with staff.app.app_context():
        r = c.login(numbers[0], found[0])
    assert r.status_code == 302


def test_person_links_expert_only(ctx, login):
    m = build(n_applicants=1, n_experts=1)
    open_vote(m)
    page = html(as_expert(login, m, m.experts[0]).get("/"))
    assert "我的评审任务" in page and "我的职称申报" not in page


def test_tally_other_unit_and_steps(ctx, login):
    m = build(n_applicants=1, n_experts=1)
    open_vote(m)
    page = html(tally(login("ls_admin"), m))
    assert "专家投票进度" in page and "计票结果" in page and 'data-step="tally"' in page
    # a unit outside the committee's scope sees nothing
    other = login("ls_jzy_admin")
    assert other.get(f"/title/tally/{m.meeting.id}/").status_code in (302, 403, 404)


# -- the lifecycle, stateful -----------------------------------------------------------------------------


def test_ballot_lifecycle_stateful(ctx, app):
    """A Hypothesis state machine over save / submit / send back / absent / seal on one round: the
    invariants hold after every step (through the services the views call)."""
    from hypothesis import HealthCheck, settings
    from hypothesis import strategies as st
    from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

    from app.services.title import voting
    from app.services.title.common import TitleError
    from models.title.meeting import Ballot, RoundExpert

    staff = admin("ls_admin")

    class Lifecycle(RuleBasedStateMachine):
        @initialize()
        def setup(self):
            self.m = build(n_applicants=2, n_experts=3)
            self.r = open_vote(self.m)
            self.entries = [x.id for x in entries_of(self.r)]
            self.users = [self.m.users[me.id] for me in self.m.experts]
            self.rex = [rex_of(self.r, me).id for me in self.m.experts]
            self.model = {i: "open" for i in range(3)}
            self.saved = {i: set() for i in range(3)}
            self.sealed = False

        def _try(self, fn):
            try:
                out = fn()
                db.session.commit()
                return True, out
            except TitleError:
                db.session.rollback()
                return False, None

        @rule(i=st.integers(0, 2), j=st.integers(0, 1), c=st.sampled_from(["agree", "disagree", "abstain"]))
        def save(self, i, j, c):
            ok, _ = self._try(lambda: voting.save_ballot(self.users[i], self.r, self.entries[j], choice=c))
            assert ok == (not self.sealed and self.model[i] == "open")
            if ok:
                self.saved[i].add(j)

        @rule(i=st.integers(0, 2))
        def submit(self, i):
            ok, _ = self._try(lambda: voting.submit(self.users[i], self.r))
            assert ok == (not self.sealed and self.model[i] == "open" and len(self.saved[i]) == 2)
            if ok:
                self.model[i] = "submitted"

        @rule(i=st.integers(0, 2))
        def send_back(self, i):
            ok, _ = self._try(lambda: voting.send_back(staff, self.r, self.rex[i], "复核"))
            assert ok == (not self.sealed and self.model[i] == "submitted")
            if ok:
                self.model[i] = "open"

        @rule(i=st.integers(0, 2))
        def absent(self, i):
            ok, _ = self._try(lambda: voting.mark_absent(staff, self.r, self.rex[i]))
            assert ok == (not self.sealed and self.model[i] == "open")
            if ok:
                self.model[i] = "absent"
                self.saved[i] = set()

        @precondition(lambda self: not self.sealed)
        @rule()
        def seal(self):
            ok, _ = self._try(lambda: voting.seal(staff, self.r))
            expect = "open" not in self.model.values() and "submitted" in self.model.values()
            assert ok == expect
            if ok:
                self.sealed = True

        @invariant()
        def states_and_ballots(self):
            db.session.expire_all()
            for i, rid in enumerate(self.rex):
                assert db.session.get(RoundExpert, rid).state == self.model[i]
                n = db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.round_expert_id == rid))
                assert n == len(self.saved[i])
            if self.sealed:
                assert voting.verify(self.r) == []

    Lifecycle.TestCase.settings = settings(max_examples=8, stateful_step_count=12, deadline=None,
                                           suppress_health_check=list(HealthCheck))
    Lifecycle.TestCase().runTest()


# -- PostgreSQL: concurrency ------------------------------------------------------------------------------


@pytest.mark.skipif(not PG, reason="PostgreSQL only")
def test_two_staff_sealing_at_once_one_wins(ctx, app, login):
    from models.title.meeting import VoteRound

    m = build(n_applicants=2, n_experts=2)
    r1 = open_vote(m)
    entries = entries_of(r1)
    for me in m.experts:
        from app.services.title import voting

        for x in entries:
            voting.save_ballot(m.users[me.id], r1, x.id, choice="agree")
        voting.submit(m.users[me.id], r1)
        db.session.commit()
    clients = [login("ls_admin") for _i in range(2)]
    barrier = threading.Barrier(2)
    pages = []
    url, rid = f"/title/tally/{m.meeting.id}/seal", r1.id

    def press(c):
        barrier.wait()
        pages.append(html(c.post(url, data={"round_id": rid}, follow_redirects=True)))

    threads = [threading.Thread(target=press, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(pages) == 2
    assert sum("本轮已计票完成，不能重复计票" in p for p in pages) == 1
    assert sum("计票完成</" in p or "计票完成<" in p for p in pages) >= 1
    db.session.expire_all()
    assert db.session.get(VoteRound, r1.id).state == "sealed"
    n = db.session.scalar(text("SELECT count(*) FROM core_audit_log WHERE action = 'seal_round' AND changes LIKE :h"),
                          {"h": f"%{db.session.get(VoteRound, r1.id).seal_hash}%"})
    assert n == 1
    assert db.session.scalar(select(func.count()).select_from(VoteRound).where(
        VoteRound.meeting_id == m.meeting.id)) == 1


@pytest.mark.skipif(not PG, reason="PostgreSQL only")
def test_sixty_experts_submit_on_three_hundred_applicants_at_once(ctx, app, login):
    """60 experts × 300 applicants, each expert's whole ballot posted (save + submit) from its own thread and
    client at the same moment: every ballot kept."""
    from tests.title.meeting_fixtures import add_experts

    s = meeting_season(applicants=2, experts=1)
    extra, _members = add_experts(s.committee, 59, s.units["ls"])
    s.experts += extra
    # 300 applicants: the received ones plus light copies (the pool only needs applications)
    from models.title.application import Application

    base = s.applications[0]
    cols = {c.name: getattr(base, c.name) for c in Application.__table__.columns if c.name not in ("id",)}
    from app.services.core import users as user_service

    for i in range(298):
        who = user_service.create_user(s.units["jzy"], username=f"bulk{os.getpid()}_{base.id}_{i}", name="批量",
                                       phone="13900002222", password=DEMO_PASSWORD, commit=False)
        db.session.flush()
        a = Application(**{**cols, "user_id": who.id, "name": f"批量申报人{i}",
                           "id_number": f"51110219800101{i:04d}"})
        db.session.add(a)
        s.applications.append(a)
    db.session.commit()
    m = build(n_experts=60, season=s)
    r1 = open_vote(m)
    entries = entries_of(r1)
    assert len(entries) == 300
    clients = {me.id: login(m.users[me.id].username) for me in m.experts}
    barrier = threading.Barrier(len(clients))
    codes = []
    ids, url = [x.id for x in entries], f"/title/vote/round/{r1.id}/save"

    def go(c, k):
        data = {f"choice_{eid}": ("agree", "disagree", "abstain")[(k + j) % 3] for j, eid in enumerate(ids)}
        data["action"] = "submit"
        barrier.wait()
        codes.append(c.post(url, data=data).status_code)

    threads = [threading.Thread(target=go, args=(c, k)) for k, c in enumerate(clients.values())]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [302] * 60
    db.session.expire_all()
    assert ballots(r1) == 60 * 300
    from models.title.meeting import RoundExpert

    assert db.session.scalar(select(func.count()).select_from(RoundExpert).where(
        RoundExpert.round_id == r1.id, RoundExpert.state == "submitted")) == 60
    assert DEMO_PASSWORD
