"""专家抽选 and 确认出席 (004 §1.2.5 一, TR-15 §1, TR-16 §1) through the real views, and a Hypothesis test of
the draw's rules on random pools and histories (every rule holds in every draw; replay equals the draw).

The season (tests/title/meeting_fixtures.py): the committee's experts cycle over three majors and two levels,
so with ``experts=48`` every (major, level) has 8 experts; experts 0, 1, 2 are the 主任委员 — one per
(建筑工程, 1), (道路桥梁, 2), (市政工程, 1).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db
from app.services.title import draw as service
from models.title.meeting import MULTIPLIERS
from tests.title.meeting_fixtures import meeting_season
from tests.title.test_review import Fresh


@pytest.fixture()
def login(app, login_as):
    def _login(name):
        with app.app_context():
            return Fresh(app, login_as(name))

    return _login


def flashes(r) -> str:
    return " ".join(re.findall(r'class="alert[^"]*"[^>]*>(.*?)</div>', r.get_data(as_text=True), re.S))


def make_meeting(experts: int = 48, groups: bool = False):
    from app.services.title import meetings

    s = meeting_season(applicants=0, experts=experts, groups=groups)
    m = meetings.meetings_of(s.activity, create=True)["normal"]
    db.session.commit()
    return s, m


def add_group(client, m, name, major, level, count):
    return client.post(f"/title/draw/{m.id}/group/add", data={"name": name, "major": major, "title_level": level,
                                                               "count": str(count)}, follow_redirects=True)


def draws(m):
    from models.title.meeting import Draw

    db.session.expire_all()
    return list(db.session.scalars(select(Draw).where(Draw.meeting_id == m.id).order_by(Draw.number)))


def audit_actions(obj_type: str, ids: list[int]) -> list[str]:
    from models.core.audit import AuditLog

    return list(db.session.scalars(select(AuditLog.action).where(AuditLog.object_type == obj_type,
                                                                 AuditLog.object_id.in_([str(i) for i in ids]))
                                   .order_by(AuditLog.id)))


def add_history(s, expert, years, as_chair_years=()):
    from models.title.committee import ExpertParticipation

    for y in years:
        db.session.add(ExpertParticipation(committee_id=s.committee.id, expert_id=expert.id, year=y,
                                           as_chair=y in as_chair_years))
    db.session.commit()


# -- the views ---------------------------------------------------------------------------------------


def test_groups_live_count_draw_replay_and_redraw(ctx, login):
    s, m = make_meeting()
    ls = login("ls_admin")
    page = ls.get(f"/title/draw/{m.id}/").get_data(as_text=True)
    assert "新增抽选小组" in page and "建筑工程" in page and "尚未抽选" in page
    # the live count: 8 experts of 建筑工程 / 正高级; the first group takes them, a second group of the same sees 0
    r = ls.get(f"/title/draw/{m.id}/count?major=建筑工程&title_level=1")
    assert r.status_code == 200 and r.json["eligible"] == 8 and r.json["chairs"] == 1
    assert "已新增抽选小组" in flashes(add_group(ls, m, "建筑组", "建筑工程", "1", 2))
    assert ls.get(f"/title/draw/{m.id}/count?major=建筑工程&title_level=1").json["eligible"] == 0
    # a second group of the same major and level has no candidate left: its count is refused
    assert "超过符合条件的专家人数0" in flashes(add_group(ls, m, "建筑二组", "建筑工程", "1", 1))
    assert "已新增抽选小组" in flashes(add_group(ls, m, "道桥组", "道路桥梁", "2", 3))
    # bad input: a major outside the library, no count
    assert "不在本评委会在库活跃专家的专业中" in flashes(add_group(ls, m, "X组", "临床医学", "1", 1))
    assert "抽取人数须为正整数" in flashes(add_group(ls, m, "X组", "市政工程", "1", ""))
    db.session.expire_all()
    assert [g.name for g in m.groups] == ["建筑组", "道桥组"]
    # 开始抽选 ×2: 2×2 + 3×2 = 10 drawn, members 5, reserves 5
    r = ls.post(f"/title/draw/{m.id}/start", data={"multiplier": "2"}, follow_redirects=True)
    assert "已完成第1次抽选，共抽中10人" in flashes(r), flashes(r)
    (d1,) = draws(m)
    assert d1.seed and len(d1.result) == 10 and d1.result_digest == service.digest(d1.result)
    assert sum(1 for e in m.experts if not e.reserve) == 5 and m.current_draw_id == d1.id and m.multiplier == "2"
    assert any(e.chair and not e.reserve for e in m.experts)
    assert [e.expert_id for e in m.experts] == [r["expert"] for r in d1.result]
    # 重放抽选 gives the identical list, and the page says so; the replay is logged
    assert service.replay(d1) == d1.result
    page = ls.get(f"/title/draw/{m.id}/replay/{d1.id}").get_data(as_text=True)
    assert "重放结果与原抽选结果一致" in page and "抽选规则检查通过" in page
    # a second draw without a reason is refused, nothing changed
    r = ls.post(f"/title/draw/{m.id}/start", data={"multiplier": "3"}, follow_redirects=True)
    assert "重新抽选须填写原因" in flashes(r)
    assert len(draws(m)) == 1 and m.multiplier == "2"
    # a bad multiplier is refused
    assert "抽选倍数只能是" in flashes(ls.post(f"/title/draw/{m.id}/start", data={"multiplier": "5", "reason": "x"},
                                               follow_redirects=True))
    # 重新抽选 with a reason: a new draw, number 2, the experts replaced, logged
    r = ls.post(f"/title/draw/{m.id}/start", data={"multiplier": "1.5", "reason": "专家临时出差较多"},
                follow_redirects=True)
    assert "已完成第2次抽选" in flashes(r)
    d1, d2 = draws(m)
    assert d2.number == 2 and d2.reason == "专家临时出差较多" and m.current_draw_id == d2.id
    assert len(d2.result) == 3 + 5 and len(m.experts) == 8  # round(2×1.5) = 3, round(3×1.5) = 4.5 → 5
    # the audit log: the draw, its replay, the redraw (the rows themselves are not copied by the flush listener)
    assert audit_actions("title_draw", [d1.id, d2.id]) == ["draw", "draw_replay", "redraw"]
    from app.services.title.draw import logged_draw

    assert logged_draw(d2)["reason"] == "专家临时出差较多" and logged_draw(d2)["seed"] == d2.seed
    # tampering with the stored result is detected by the replay
    d2.result = [dict(r, expert=r["expert"] + 100000) if r["order"] == 1 else r for r in d2.result]
    db.session.commit()
    page = ls.get(f"/title/draw/{m.id}/replay/{d2.id}").get_data(as_text=True)
    assert "重放结果与原抽选结果不一致" in page and "抽选记录已被改动" in page
    # so is a change to the stored pool snapshot (checked against the digest the audit log kept at the draw)
    assert "已与抽选时审计日志记录" in ls.get(f"/title/draw/{m.id}/replay/{d1.id}").get_data(as_text=True)
    d1.pool = {**d1.pool, "groups": [{**g, "chair": [0] * len(g["chair"])} for g in d1.pool["groups"]]}
    db.session.commit()
    page = ls.get(f"/title/draw/{m.id}/replay/{d1.id}").get_data(as_text=True)
    assert "抽选记录已被改动" in page


def test_pool_too_small_and_no_chair_are_refused(ctx, login):
    s, m = make_meeting()
    ls = login("ls_admin")
    add_group(ls, m, "建筑组", "建筑工程", "1", 5)
    r = ls.post(f"/title/draw/{m.id}/start", data={"multiplier": "2"}, follow_redirects=True)
    assert "“建筑组”组符合条件的专家8人，少于抽取人数5×倍数2＝10人" in flashes(r)
    assert draws(m) == []
    # 市政工程/1 has expert 2 as its only chair; make him last year's chair: no chair candidate anywhere
    s2, m2 = make_meeting()
    add_history(s2, s2.experts[2], [s2.activity.year - 1], as_chair_years=[s2.activity.year - 1])
    add_group(ls, m2, "市政组", "市政工程", "1", 2)
    assert ls.get(f"/title/draw/{m2.id}/count?major=市政工程&title_level=1").json["chairs"] == 0
    r = ls.post(f"/title/draw/{m2.id}/start", data={"multiplier": "1.5"}, follow_redirects=True)
    assert "没有可作为主任委员备选的专家" in flashes(r)
    assert draws(m2) == []


def test_three_year_rule_and_last_year_chair(ctx, login):
    s, m = make_meeting()
    ls = login("ls_admin")
    y = s.activity.year
    # 建筑工程/1: experts 0 (chair), 6, 12, 18, 24, 30, 36, 42; 6 and 12 sat three years running → not drawn;
    # 18 sat two of them → may be drawn; expert 0 (chair) sat three years and was chair last year → may be drawn
    # (the three-year rule is for non-chairs), never as a chair candidate; the only chair candidate left is
    # 道桥组's (expert 1), so the draw always makes him a member.
    add_history(s, s.experts[6], [y - 1, y - 2, y - 3])
    add_history(s, s.experts[12], [y - 1, y - 2, y - 3])
    add_history(s, s.experts[18], [y - 1, y - 3])
    add_history(s, s.experts[0], [y - 1, y - 2, y - 3], as_chair_years=[y - 1])
    live = ls.get(f"/title/draw/{m.id}/count?major=建筑工程&title_level=1").json
    assert live == {"candidates": 8, "eligible": 6, "excluded": 2, "chairs": 0}
    add_group(ls, m, "建筑组", "建筑工程", "1", 3)
    add_group(ls, m, "道桥组", "道路桥梁", "2", 1)
    for i in range(5):
        reason = None if i == 0 else f"第{i}次重抽"
        r = ls.post(f"/title/draw/{m.id}/start", data={"multiplier": "2", "reason": reason or ""},
                    follow_redirects=True)
        assert "抽选，共抽中8人" in flashes(r), flashes(r)
        d = draws(m)[-1]
        drawn = {row["expert"]: row for row in d.result}
        assert s.experts[6].id not in drawn and s.experts[12].id not in drawn
        if s.experts[0].id in drawn:
            assert drawn[s.experts[0].id]["chair"] is False
        # the only chair candidate is 道桥组's chair (expert 1): he is always a member
        assert drawn[s.experts[1].id]["chair"] is True and drawn[s.experts[1].id]["reserve"] is False
        assert service.check_rules(d.pool, d.rules, d.multiplier, d.result) == []
        assert service.replay(d) == d.result


def test_attendance_replace_executive_chair_and_finish(ctx, login):
    from models.title.committee import ExpertParticipation

    s, m = make_meeting()
    ls = login("ls_admin")
    add_group(ls, m, "建筑组", "建筑工程", "1", 8)  # all 8: chair expert 0 among them
    add_group(ls, m, "市政组", "市政工程", "1", 2)
    ls.post(f"/title/draw/{m.id}/start", data={"multiplier": "1.5"})
    db.session.expire_all()
    # 8×1.5=12 > 8 candidates: refused; make the 建筑组 smaller
    assert draws(m) == []
    g1 = m.groups[0]
    r = ls.post(f"/title/draw/{m.id}/group/{g1.id}/edit", data={"name": "建筑组", "major": "建筑工程",
                                                               "title_level": "1", "count": "4"}, follow_redirects=True)
    assert "已保存抽选小组" in flashes(r)
    r = ls.post(f"/title/draw/{m.id}/start", data={"multiplier": "2"}, follow_redirects=True)
    assert "共抽中12人" in flashes(r)
    db.session.expire_all()
    members = [e for e in m.experts if not e.reserve]
    reserves = [e for e in m.experts if e.reserve]
    assert len(members) == 6 and len(reserves) == 6
    page = ls.get(f"/title/draw/{m.id}/attendance").get_data(as_text=True)
    assert "确认出席专家名单" in page and "完成确认" in page
    # a reserve cannot be confirmed directly
    r = ls.post(f"/title/draw/{m.id}/attendance/set", data={"rowid": [reserves[0].id], "state": "confirmed"},
                follow_redirects=True)
    assert "是候补专家" in flashes(r)
    # finish too early: the shortfall is named
    r = ls.post(f"/title/draw/{m.id}/finish", follow_redirects=True)
    assert "尚无确认参评的专家" in flashes(r)
    # confirm all members but one, cancel that one
    gone = next(e for e in members if e.group_id == g1.id and not e.chair)
    ok = [e.id for e in members if e.id != gone.id]
    r = ls.post(f"/title/draw/{m.id}/attendance/set", data={"rowid": ok, "state": "confirmed"}, follow_redirects=True)
    assert "已确认参评" in flashes(r)
    ls.post(f"/title/draw/{m.id}/attendance/set", data={"rowid": [gone.id], "state": "cancelled"})
    r = ls.post(f"/title/draw/{m.id}/finish", follow_redirects=True)
    assert "“建筑组”组需4人，已确认3人" in flashes(r)
    db.session.expire_all()
    assert m.state == "drawing"
    # replace from the reserve: the group's first pending reserve in draw order
    expected = next(e for e in m.experts if e.reserve and e.group_id == g1.id)
    r = ls.post(f"/title/draw/{m.id}/replace/{gone.id}", follow_redirects=True)
    assert f"已由候补专家“{expected.expert.name}”替补" in flashes(r)
    db.session.expire_all()
    assert expected.reserve is False and expected.replaces_id == gone.id and expected.attendance == "pending"
    # replacing twice is refused
    assert "已由候补专家替补" in flashes(ls.post(f"/title/draw/{m.id}/replace/{gone.id}", follow_redirects=True))
    ls.post(f"/title/draw/{m.id}/attendance/set", data={"rowid": [expected.id], "state": "confirmed"})
    # a group changed after the draw: finishing asks for a redraw
    g2 = m.groups[1]
    ls.post(f"/title/draw/{m.id}/group/{g2.id}/edit", data={"name": "市政组", "major": "市政工程", "title_level": "1",
                                                           "count": "3"})
    assert "请重新抽选" in flashes(ls.post(f"/title/draw/{m.id}/finish", follow_redirects=True))
    ls.post(f"/title/draw/{m.id}/group/{g2.id}/edit", data={"name": "市政组", "major": "市政工程", "title_level": "1",
                                                           "count": "2"})
    # several chairs? make the 市政组's chair-less members count: the chairs are those marked chair
    db.session.expire_all()
    chairs = [e for e in m.experts if e.chair and not e.reserve and e.attendance == "confirmed"]
    if len(chairs) > 1:
        r = ls.post(f"/title/draw/{m.id}/finish", follow_redirects=True)
        assert "请设置本年度执行主任" in flashes(r)
        ls.post(f"/title/draw/{m.id}/executive/{chairs[-1].id}")
    r = ls.post(f"/title/draw/{m.id}/finish", follow_redirects=True)
    db.session.expire_all()
    assert m.state == "assigning", flashes(r)
    execs = [e for e in m.experts if e.executive_chair]
    assert len(execs) == 1 and execs[0].chair
    sat = db.session.scalar(select(func.count()).select_from(ExpertParticipation).where(
        ExpertParticipation.activity_id == s.activity.id))
    assert sat == 0  # who sat is recorded when the votes are counted (an absent expert did not sit)
    # after the step: no more draws or attendance changes
    r = ls.post(f"/title/draw/{m.id}/start", data={"multiplier": "2", "reason": "再抽"}, follow_redirects=True)
    assert "不能办理此操作" in flashes(r) and len(draws(m)) == 1


def test_executive_chair_among_several_and_grouping_state(ctx, login):
    s, m = make_meeting(groups=True)
    ls = login("ls_admin")
    # 建筑工程/1 (chair 0), 道路桥梁/2 (chair 1), 市政工程/1 (chair 2): each group of all 8 → every chair is a member
    for name, major, level in (("建筑组", "建筑工程", "1"), ("道桥组", "道路桥梁", "2"), ("市政组", "市政工程", "1")):
        add_group(ls, m, name, major, level, 1)
    # with count 1 a chair is a member only by chance; draw until ≥2 chairs confirmed is not needed: set them
    ls.post(f"/title/draw/{m.id}/start", data={"multiplier": "3"})
    db.session.expire_all()
    members = [e for e in m.experts if not e.reserve]
    ls.post(f"/title/draw/{m.id}/attendance/set", data={"rowid": [e.id for e in members], "state": "confirmed"})
    db.session.expire_all()
    chairs = [e for e in members if e.chair]
    assert chairs, "rule 《1》: at least one chair among the members"
    non_chair = next((e for e in members if not e.chair), None)
    if non_chair is not None:
        r = ls.post(f"/title/draw/{m.id}/executive/{non_chair.id}", follow_redirects=True)
        assert "执行主任须是确认参评的主任委员" in flashes(r)
    if len(chairs) > 1:
        assert "请设置本年度执行主任" in flashes(ls.post(f"/title/draw/{m.id}/finish", follow_redirects=True))
        ls.post(f"/title/draw/{m.id}/executive/{chairs[0].id}")
    ls.post(f"/title/draw/{m.id}/finish")
    db.session.expire_all()
    assert m.state == "grouping"  # a normal meeting of an activity with professional groups


def test_forged_ids_and_other_units_are_refused(ctx, login):
    s, m = make_meeting()
    s2, m2 = make_meeting()
    ls = login("ls_admin")
    add_group(ls, m, "建筑组", "建筑工程", "1", 2)
    add_group(ls, m2, "建筑组", "建筑工程", "1", 2)
    ls.post(f"/title/draw/{m.id}/start", data={"multiplier": "2"})
    ls.post(f"/title/draw/{m2.id}/start", data={"multiplier": "2"})
    db.session.expire_all()
    other = m2.experts[0]
    other_group = m2.groups[0]
    # another meeting's drawn expert in this meeting's forms
    assert "所选专家不属于本次评审会议" in flashes(ls.post(f"/title/draw/{m.id}/attendance/set",
                                                       data={"rowid": [other.id], "state": "confirmed"},
                                                       follow_redirects=True))
    assert "所选专家不属于本次评审会议" in flashes(ls.post(f"/title/draw/{m.id}/attendance/set",
                                                       data={"rowid": ["abc"], "state": "confirmed"},
                                                       follow_redirects=True))
    assert "所选专家不属于本次评审会议" in flashes(ls.post(f"/title/draw/{m.id}/replace/{other.id}",
                                                       follow_redirects=True))
    assert "所选专家不属于本次评审会议" in flashes(ls.post(f"/title/draw/{m.id}/executive/{other.id}",
                                                       follow_redirects=True))
    assert "不属于本次评审会议" in flashes(ls.post(f"/title/draw/{m.id}/group/{other_group.id}/delete",
                                                follow_redirects=True))
    db.session.expire_all()
    assert other.attendance == "pending" and len(m2.groups) == 1
    # another meeting's draw on this meeting's replay page
    assert ls.get(f"/title/draw/{m.id}/replay/{m2.current_draw_id}").status_code == 404
    # a unit below (主管部门) does not see the meeting; a unit above sees but does not draw
    zjj = login("ls_zjj_admin")
    assert zjj.get(f"/title/draw/{m.id}/").status_code in (403, 404)
    assert zjj.post(f"/title/draw/{m.id}/start", data={"multiplier": "2", "reason": "x"}).status_code in (403, 404)
    assert zjj.get(f"/title/draw/{m.id}/count?major=建筑工程&title_level=1").status_code in (403, 404)
    sc = login("sc_admin")
    page = sc.get(f"/title/draw/{m.id}/")
    if page.status_code == 200:
        html = page.get_data(as_text=True)
        assert "title-draw-start" not in html and "group-form" not in html  # a unit above looks, has no forms
    assert sc.post(f"/title/draw/{m.id}/start", data={"multiplier": "2", "reason": "x"}).status_code in (403, 404)
    assert sc.post(f"/title/draw/{m.id}/finish").status_code in (403, 404)
    assert len(draws(m)) == 1


def test_two_staff_drawing_at_once_make_one_draw(ctx, login):
    """Two staff press 开始抽选 at the same moment (PostgreSQL: the meeting row is locked): one draw is
    made, the other is refused as a redraw without a reason; nothing else changes."""
    import threading

    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent requests: PostgreSQL")
    s, m = make_meeting()
    a, b = login("ls_admin"), login("ls_admin")
    add_group(a, m, "建筑组", "建筑工程", "1", 2)
    barrier = threading.Barrier(2)
    out: list[str] = []

    def press(client):
        barrier.wait()
        out.append(flashes(client.post(f"/title/draw/{m.id}/start", data={"multiplier": "2"}, follow_redirects=True)))

    threads = [threading.Thread(target=press, args=(c,)) for c in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(draws(m)) == 1 and m.current_draw_id == draws(m)[0].id
    assert sorted("已完成第1次抽选，共抽中" in f for f in out) == [False, True], out
    assert any("重新抽选须填写原因" in f for f in out), out
    assert len(m.experts) == 4


# -- the rules, on random pools ------------------------------------------------------------------------

YEAR = 2026


@st.composite
def pools(draw_):
    """1–4 groups of 0–14 candidates: random 主任委员 marks, random sittings in the three previous years
    (the years-sat mask), last year's chair only among those who sat last year."""
    n_groups = draw_(st.integers(1, 4))
    ids = iter(range(1, 10_000))
    groups = []
    for gi in range(n_groups):
        cands = []
        for _i in range(draw_(st.integers(0, 14))):
            mask = draw_(st.integers(0, 7))
            cands.append((next(ids), draw_(st.booleans()), bool(mask & 1) and draw_(st.booleans()), mask))
        groups.append({"id": 100 + gi, "name": f"组{gi}", "count": draw_(st.integers(1, 5)), **service.pack(cands)})
    return {"year": YEAR, "groups": groups}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool=pools(), multiplier=st.sampled_from(MULTIPLIERS), seed=st.text(min_size=1, max_size=32))
def test_every_rule_holds_in_every_draw(pool, multiplier, seed):
    rules = dict(service.RULES)
    try:
        result = service.compute_draw(pool, rules, multiplier, seed)
    except service.DrawError as e:
        # refused only when a group is too small or no chair candidate can be drawn at all
        short = any(len(service.eligible_of(g, rules)) < service.drawn_count(g["count"], multiplier)
                    for g in pool["groups"])
        no_chair = not any(service.is_chair_candidate(c, rules) for g in pool["groups"]
                           for c in service.eligible_of(g, rules))
        assert short or no_chair, str(e)
        return
    assert service.check_rules(pool, rules, multiplier, result) == []
    by_id = {c[0]: (g, c) for g in pool["groups"] for c in service.candidates(g)}
    seen = set()
    for g in pool["groups"]:
        rows = [r for r in result if r["group"] == g["id"]]
        assert len(rows) == service.drawn_count(g["count"], multiplier)  # members + reserves
        assert [r["reserve"] for r in rows] == [False] * g["count"] + [True] * (len(rows) - g["count"])
    for r in result:
        group, (_id, chair, last_chair, sat) = by_id[r["expert"]]
        assert group["id"] == r["group"]  # one group per expert, its own
        assert r["expert"] not in seen
        seen.add(r["expert"])
        if not chair:
            assert sat != 0b111  # 《2》 a non-chair who sat the three previous years is not drawn
        if r["chair"]:
            assert chair and not last_chair  # 《1》 last year's chair is not a chair candidate
    assert any(r["chair"] and not r["reserve"] for r in result)  # 《1》 at least one chair among the members
    assert service.compute_draw(pool, rules, multiplier, seed) == result  # replay == draw


def test_check_rules_catches_a_tampered_result():
    cands = [(i, i == 1, False, 0b111 if i == 9 else 0) for i in range(1, 10)]
    pool = {"year": YEAR, "groups": [{"id": 1, "name": "甲", "count": 2, **service.pack(cands)}]}
    result = service.compute_draw(pool, service.RULES, "2", "abc")
    assert service.check_rules(pool, service.RULES, "2", result) == []
    assert 9 not in [r["expert"] for r in result]  # sat three years running, not a chair
    forged = [dict(r, expert=9) if r["order"] == 2 else r for r in result]
    assert service.check_rules(pool, service.RULES, "2", forged)
    assert service.check_rules(pool, service.RULES, "2", result[:-1])
    assert service.check_rules(pool, service.RULES, "2", [dict(r, chair=False) for r in result])


@pytest.mark.parametrize("count,mult,need", [(1, "1.5", 2), (3, "1.5", 5), (2, "1.5", 3), (4, "2", 8), (3, "3", 9)])
def test_drawn_count_rounds_half_up(count, mult, need):
    assert service.drawn_count(count, mult) == need
