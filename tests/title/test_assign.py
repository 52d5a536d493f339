"""评审会议管理 — 专家分组, 人员分配, 开启专家投票 (004 §1.2.5 二 2–3, §1.2.6 2–4) through the real views.

Each test builds a received season (tests/title/meeting_fixtures.py), the activity's meetings (the hub
creates them), and — standing in for the draw part — a draw whose experts confirmed attendance.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.extensions import db
from tests.title.meeting_fixtures import meeting_season
from tests.title.test_review import PDF, Fresh


@pytest.fixture()
def login(app, login_as):
    def _login(name):
        with app.app_context():
            return Fresh(app, login_as(name))

    return _login


def qualify(*apps, value="pass"):
    for a in apps:
        a.qualification = value
    db.session.commit()


def meeting_of(s, kind="normal", state="assigning", confirmed=6, pending=1):
    """The activity's ``kind`` meeting at ``state`` with the first ``confirmed`` library experts drawn and
    confirmed (and ``pending`` more drawn, not confirmed)."""
    from app.services.title.meetings import meetings_of
    from models.title.meeting import Draw, MeetingExpert

    meeting = meetings_of(s.activity, create=True)[kind]
    meeting.state = state
    db.session.flush()
    draw = Draw(meeting_id=meeting.id, number=1, seed="00" * 8, multiplier="2", rules={}, pool={}, result=[],
                result_digest="0" * 64, created_at=dt.datetime.now(dt.UTC))
    db.session.add(draw)
    db.session.flush()
    meeting.current_draw_id = draw.id
    for i, expert in enumerate(s.experts[:confirmed + pending]):
        db.session.add(MeetingExpert(meeting_id=meeting.id, draw_id=draw.id, expert_id=expert.id, draw_order=i + 1,
                                     chair=i == 0, attendance="confirmed" if i < confirmed else "pending"))
    db.session.commit()
    return meeting


def experts_of(meeting):
    from models.title.meeting import MeetingExpert

    return db.session.scalars(select(MeetingExpert).where(MeetingExpert.meeting_id == meeting.id)
                              .order_by(MeetingExpert.draw_order)).all()


def pool_of(meeting):
    from models.title.meeting import MeetingApplicant

    db.session.expire_all()
    return db.session.scalars(select(MeetingApplicant).where(MeetingApplicant.meeting_id == meeting.id)
                              .order_by(MeetingApplicant.sort, MeetingApplicant.id)).all()


def flashed(client, url):
    """The page after a redirect, as text (the flashed refusal or success)."""
    return client.get(url).get_data(as_text=True)


def refused(r, client, text):
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    page = flashed(client, r.headers["Location"])
    assert text in page, re.findall(r'alert[^"]*"[^>]*>(.*?)</div>', page, re.S)[:3]
    return page


def sheet(body: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(body)).active
    return [[c for c in row] for row in ws.iter_rows(values_only=True)]


# -- 专家分组 ---------------------------------------------------------------------------------------


def test_grouping_through_the_views(ctx, login):
    from models.title.meeting import Meeting, ProfGroup

    s = meeting_season(applicants=2, groups=True)
    meeting = meeting_of(s, state="grouping", confirmed=4)
    other = meeting_of(meeting_season(applicants=1, groups=True), state="grouping", confirmed=2)
    me = experts_of(meeting)
    ls = login("ls_admin")
    base = f"/title/assign/{meeting.id}/groups"
    assert ls.get(base).status_code == 200
    for name in ("第一专业组", "第二专业组"):
        assert ls.post(base + "/add", data={"name": name}).status_code == 302
    refused(ls.post(base + "/add", data={"name": "第一专业组"}), ls, "已存在")
    groups = db.session.scalars(select(ProfGroup).where(ProfGroup.meeting_id == meeting.id)
                                .order_by(ProfGroup.sort)).all()
    assert [g.name for g in groups] == ["第一专业组", "第二专业组"]
    g1, g2 = groups
    ls.post(base + "/members", data={"meeting_expert_id": [me[0].id, me[1].id], "prof_group_id": g1.id})
    ls.post(base + "/members", data={"meeting_expert_id": [me[2].id], "prof_group_id": g2.id})
    # a pending (not confirmed) expert, an expert of another meeting, a group of another meeting: refused
    refused(ls.post(base + "/members", data={"meeting_expert_id": [me[4].id], "prof_group_id": g2.id}), ls, "未确认参评")
    oth = experts_of(other)
    refused(ls.post(base + "/members", data={"meeting_expert_id": [oth[0].id], "prof_group_id": g2.id}), ls,
            "不是本次评审会议抽选的专家")
    other_group = ProfGroup(meeting_id=other.id, name="他组", sort=1)
    db.session.add(other_group)
    db.session.commit()
    refused(ls.post(base + "/members", data={"meeting_expert_id": [me[3].id], "prof_group_id": other_group.id}), ls,
            "所选专业组不属于本次评审会议")
    db.session.expire_all()
    assert [x.prof_group_id for x in experts_of(meeting)] == [g1.id, g1.id, g2.id, None, None]
    assert db.session.get(type(oth[0]), oth[0].id).prof_group_id is None
    # 完成分组 refused, everything missing named
    page = refused(ls.post(base + "/finish"), ls, "不能完成分组")
    assert "尚未分组" in page and "尚未选择组长" in page
    # a leader must be a member of the group
    refused(ls.post(base + "/leader", data={"prof_group_id": g1.id, "meeting_expert_id": me[2].id}), ls,
            "不是专业组")
    ls.post(base + "/members", data={"meeting_expert_id": [me[3].id], "prof_group_id": g2.id})
    ls.post(base + "/leader", data={"prof_group_id": g1.id, "meeting_expert_id": me[1].id})
    ls.post(base + "/leader", data={"prof_group_id": g2.id, "meeting_expert_id": me[3].id})
    page = ls.get(base).get_data(as_text=True)
    assert "第一专业组" in page and s.experts[1].name in page
    r = ls.post(base + "/finish")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/title/assign/{meeting.id}/pool")
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).state == "assigning"
    assert [g.leader_id for g in db.session.scalars(select(ProfGroup).where(ProfGroup.meeting_id == meeting.id)
                                                     .order_by(ProfGroup.sort))] == [me[1].id, me[3].id]
    # after the grouping: no change of groups
    refused(ls.post(base + "/add", data={"name": "第三专业组"}), ls, "专家分组")


# -- 人员分配: the pool -------------------------------------------------------------------------------


def test_pool_sources_and_waiting(ctx, login):
    from models.title.meeting import MeetingApplicant

    s = meeting_season(applicants=3, exceptional=2)
    qualify(*s.applications[:2], *s.exceptional)
    normal = meeting_of(s, "normal")
    from app.services.title.meetings import meetings_of

    exc = meetings_of(s.activity)["exceptional"]
    exc.state = "assigning"
    db.session.commit()
    ls = login("ls_admin")
    page = ls.get(f"/title/assign/{normal.id}/pool").get_data(as_text=True)
    assert "1名已接收申报人尚未完成参评资格审核" in page
    rows = pool_of(normal)
    assert [r.application_id for r in rows] == [a.id for a in s.applications[:2]]
    assert {r.source for r in rows} == {"received"} and [r.sort for r in rows] == [1, 2]
    ls.get(f"/title/assign/{exc.id}/pool")
    assert [r.application_id for r in pool_of(exc)] == [a.id for a in s.exceptional]
    # the exceptional passers reach the normal pool only once the exceptional meeting passed them
    ls.get(f"/title/assign/{normal.id}/pool")
    assert len(pool_of(normal)) == 2
    failed, passed = pool_of(exc)
    passed.result, failed.result = "pass", "fail"
    db.session.commit()
    page = ls.get(f"/title/assign/{normal.id}/pool").get_data(as_text=True)
    rows = pool_of(normal)
    assert [(r.application_id, r.source) for r in rows] == [(s.applications[0].id, "received"),
                                                             (s.applications[1].id, "received"),
                                                             (s.exceptional[1].id, "exceptional")]
    assert "破格评议通过" in page
    # idempotent
    ls.get(f"/title/assign/{normal.id}/pool")
    assert db.session.scalar(select(func.count()).select_from(MeetingApplicant)
                             .where(MeetingApplicant.meeting_id == normal.id)) == 3
    # a failed qualification leaves the pool (before the vote)
    qualify(s.applications[0], value="fail")
    ls.get(f"/title/assign/{normal.id}/pool")
    assert [r.application_id for r in pool_of(normal)] == [s.applications[1].id, s.exceptional[1].id]


def test_pool_written_test_passers(ctx, login):
    s = meeting_season(applicants=3, written=True)
    qualify(*s.applications)
    s.applications[0].written_passed = True
    s.applications[1].written_passed = False
    db.session.commit()
    meeting = meeting_of(s)
    ls = login("ls_admin")
    page = ls.get(f"/title/assign/{meeting.id}/pool").get_data(as_text=True)
    assert [(r.application_id, r.source) for r in pool_of(meeting)] == [(s.applications[0].id, "written")]
    assert "1名申报人尚未导入笔试成绩" in page


# -- 参会人员再排序 ---------------------------------------------------------------------------------


def _workbook(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["排序号", "姓名", "身份证号", "工作单位"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_reorder_import_with_a_bad_row(ctx, login):
    from models.core.document import ImportRow

    s = meeting_season(applicants=3)
    qualify(*s.applications)
    meeting = meeting_of(s)
    other = meeting_of(meeting_season(applicants=1))
    qualify(*db.session.scalars(select(type(s.applications[0])).where(
        type(s.applications[0]).activity_id == other.activity_id)).all())
    ls = login("ls_admin")
    ls.get(f"/title/assign/{meeting.id}/pool")
    ls.get(f"/title/assign/{other.id}/pool")
    before = pool_of(meeting)
    ids = {r.application_id: r.id for r in before}
    # the template lists the pool: 排序号, 姓名, 身份证号, 工作单位
    r = ls.get(f"/imports/title.reorder/template?ctx={meeting.id}")
    assert r.status_code == 200
    cells = sheet(r.data)
    body = [row for row in cells[1:] if any(row)]
    assert [row[:4] for row in body] == [[x.sort, x.application.name, x.application.id_number,
                                          x.application.workplace] for x in before]
    a = s.applications
    stranger = pool_of(other)[0].application
    data = _workbook([[3, a[0].name, a[0].id_number, a[0].workplace], [1, a[1].name, a[1].id_number, a[1].workplace],
                      [2, a[2].name, a[2].id_number, a[2].workplace],
                      [4, stranger.name, stranger.id_number, stranger.workplace],
                      [5, a[1].name, a[1].id_number, a[1].workplace]])
    r = ls.post(f"/imports/title.reorder/?ctx={meeting.id}", data={"file": (io.BytesIO(data), "排序.xlsx")},
                content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:1500]
    pk = int(re.search(r"/batch/(\d+)", r.headers["Location"]).group(1))
    page = ls.get(r.headers["Location"]).get_data(as_text=True)
    assert "不在本次评审会议的参评人员中" in page
    bad = {n: e for n, e in db.session.execute(select(ImportRow.row_no, ImportRow.errors).where(
        ImportRow.batch_id == pk, ImportRow.ok.is_(False)))}
    assert set(bad) == {5, 6}, bad  # row 5: another meeting's applicant; row 6: a duplicate ID number
    assert "不在本次评审会议" in bad[5]
    # another meeting's id as the context: refused
    assert ls.get(f"/imports/title.reorder/template?ctx={other.id + 1000}").status_code == 404
    r = ls.post(f"/imports/batch/{pk}/commit")
    assert r.status_code == 302 and f"/title/assign/{meeting.id}/pool" in r.headers["Location"]
    after = pool_of(meeting)
    assert [x.application_id for x in after] == [a[1].id, a[2].id, a[0].id]
    assert {x.application_id: x.id for x in after} == ids  # the same rows, in the new order
    assert [x.sort for x in pool_of(other)] == [1]
    page = ls.get(f"/title/assign/{meeting.id}/pool").get_data(as_text=True)
    assert page.index(a[1].name) < page.index(a[2].name) < page.index(a[0].name)


def test_set_order_by_service(ctx):
    from app.services.title import assign as service
    from tests.title.meeting_fixtures import admin

    s = meeting_season(applicants=3)
    qualify(*s.applications)
    meeting = meeting_of(s)
    service.sync_pool(meeting)
    a = s.applications
    service.set_order(admin("ls_admin"), meeting, [a[2].id, a[0].id])
    db.session.commit()
    assert [r.application_id for r in pool_of(meeting)] == [a[2].id, a[0].id, a[1].id]


# -- 主辅审专家设置 ---------------------------------------------------------------------------------


def test_assign_reassign_and_avoidance(ctx, login):
    from app.services.core.audit import AuditLog  # noqa: F401
    from app.services.title import assign as service

    s = meeting_season(applicants=3, expert_applicant=True)
    qualify(*s.applications)
    meeting = meeting_of(s, confirmed=5)
    ls = login("ls_admin")
    ls.get(f"/title/assign/{meeting.id}/pool")
    rows, me = pool_of(meeting), experts_of(meeting)
    url = f"/title/assign/{meeting.id}/pool/assign"
    # expert 0 works at the applicants' unit: never their reviewer
    page = refused(ls.post(url, data={"meeting_applicant_id": [rows[1].id], "main_id": me[0].id,
                                      "assistant_id": me[2].id}), ls, "须回避")
    assert "乐山市建筑设计研究院" in page
    # expert 1 is an applicant of the same activity: avoided for every applicant of it
    refused(ls.post(url, data={"meeting_applicant_id": [rows[2].id], "main_id": me[2].id,
                               "assistant_id": me[1].id}), ls, "本人是本次评审活动的申报人")
    assert service.avoidance(me[1], rows[2].application) and service.avoidance(me[0], rows[0].application)
    assert service.avoidance(me[2], rows[0].application) is None
    refused(ls.post(url, data={"meeting_applicant_id": [rows[0].id], "main_id": me[2].id, "assistant_id": me[2].id}),
            ls, "不能是同一人")
    refused(ls.post(url, data={"meeting_applicant_id": [rows[0].id], "main_id": me[2].id, "assistant_id": me[5].id}),
            ls, "未确认参评")
    assert all(r.main_expert_id is None and r.assistant_expert_id is None for r in pool_of(meeting))
    # batch: all three at once
    r = ls.post(url, data={"meeting_applicant_id": [x.id for x in rows], "main_id": me[2].id, "assistant_id": me[3].id})
    assert r.status_code == 302
    assert [(x.main_expert_id, x.assistant_expert_id) for x in pool_of(meeting)] == [(me[2].id, me[3].id)] * 3
    # 重新分配 one of them (audited)
    ls.post(url, data={"meeting_applicant_id": [rows[0].id], "main_id": me[4].id, "assistant_id": me[3].id})
    assert pool_of(meeting)[0].main_expert_id == me[4].id
    from models.core.audit import AuditLog as Log

    assert db.session.scalar(select(func.count()).select_from(Log).where(
        Log.object_type == "title.MeetingApplicant", Log.object_id == str(rows[0].id))) >= 2
    page = ls.get(f"/title/assign/{meeting.id}/pool").get_data(as_text=True)
    assert s.experts[4].name in page and "已分配" in page


def test_assign_with_groups_and_auto(ctx, login):
    from models.title.meeting import ProfGroup

    s = meeting_season(applicants=4, groups=True)
    qualify(*s.applications)
    meeting = meeting_of(s, confirmed=6)
    me = experts_of(meeting)
    g1 = ProfGroup(meeting_id=meeting.id, name="建筑组", sort=1)
    g2 = ProfGroup(meeting_id=meeting.id, name="道桥组", sort=2)
    db.session.add_all([g1, g2])
    db.session.flush()
    for i, x in enumerate(me[:6]):
        x.prof_group_id = g1.id if i < 3 else g2.id
    g1.leader_id, g2.leader_id = me[1].id, me[3].id
    db.session.commit()
    ls = login("ls_admin")
    ls.get(f"/title/assign/{meeting.id}/pool")
    rows = pool_of(meeting)
    url = f"/title/assign/{meeting.id}/pool/assign"
    refused(ls.post(url, data={"meeting_applicant_id": [rows[0].id], "main_id": me[1].id, "assistant_id": me[2].id}),
            ls, "请先选择专业组")
    refused(ls.post(url, data={"meeting_applicant_id": [rows[0].id], "main_id": me[1].id, "assistant_id": me[3].id,
                               "prof_group_id": g1.id}), ls, "不是专业组“建筑组”的成员")
    ls.post(url, data={"meeting_applicant_id": [rows[0].id, rows[1].id], "main_id": me[1].id, "assistant_id": me[2].id,
                       "prof_group_id": g1.id})
    ls.post(url, data={"meeting_applicant_id": [rows[2].id], "main_id": me[3].id, "assistant_id": me[4].id,
                       "prof_group_id": g2.id})
    got = pool_of(meeting)
    assert [(x.prof_group_id, x.main_expert_id) for x in got[:3]] == [(g1.id, me[1].id), (g1.id, me[1].id),
                                                                      (g2.id, me[3].id)]
    # 自动分配: the last one has no group yet → left; then with a group it gets two of that group
    got[3].prof_group_id = g2.id
    db.session.commit()
    ls.post(f"/title/assign/{meeting.id}/pool/auto")
    last = pool_of(meeting)[3]
    assert last.main_expert_id in {me[3].id, me[4].id, me[5].id} and last.assistant_expert_id in {
        me[3].id, me[4].id, me[5].id} and last.main_expert_id != last.assistant_expert_id


def test_forged_ids_of_another_meeting(ctx, login):
    from models.title.meeting import ProfGroup

    s = meeting_season(applicants=2)
    qualify(*s.applications)
    meeting = meeting_of(s)
    s2 = meeting_season(applicants=1, groups=True)
    qualify(*s2.applications)
    other = meeting_of(s2)
    og = ProfGroup(meeting_id=other.id, name="他组", sort=1)
    db.session.add(og)
    db.session.commit()
    ls = login("ls_admin")
    ls.get(f"/title/assign/{meeting.id}/pool")
    ls.get(f"/title/assign/{other.id}/pool")
    rows, me = pool_of(meeting), experts_of(meeting)
    orow, ome = pool_of(other), experts_of(other)
    url = f"/title/assign/{meeting.id}/pool/assign"
    refused(ls.post(url, data={"meeting_applicant_id": [orow[0].id], "main_id": me[2].id, "assistant_id": me[3].id}),
            ls, "不在本次评审会议的参评人员中")
    refused(ls.post(url, data={"meeting_applicant_id": [rows[0].id], "main_id": ome[2].id, "assistant_id": me[3].id}),
            ls, "不是本次评审会议抽选的专家")
    refused(ls.post(url, data={"meeting_applicant_id": [rows[0].id], "main_id": me[2].id, "assistant_id": me[3].id,
                               "prof_group_id": og.id}), ls, "本次评审会议不分专业组")
    refused(ls.post(url, data={"meeting_applicant_id": ["x"], "main_id": me[2].id, "assistant_id": me[3].id}),
            ls, "不在本次评审会议的参评人员中")
    # the other meeting's rows untouched, ours too
    assert all(x.main_expert_id is None for x in pool_of(meeting) + pool_of(other))
    # the group of another meeting in a groups meeting
    refused(ls.post(f"/title/assign/{other.id}/pool/assign",
                    data={"meeting_applicant_id": [orow[0].id], "main_id": ome[2].id, "assistant_id": ome[3].id,
                          "prof_group_id": 999999}), ls, "所选专业组不属于本次评审会议")


# -- the exports --------------------------------------------------------------------------------------


def test_the_three_exports(ctx, login):
    s = meeting_season(applicants=2)
    qualify(*s.applications)
    meeting = meeting_of(s, confirmed=4)
    ls = login("ls_admin")
    ls.get(f"/title/assign/{meeting.id}/pool")
    rows, me = pool_of(meeting), experts_of(meeting)
    ls.post(f"/title/assign/{meeting.id}/pool/assign",
            data={"meeting_applicant_id": [rows[0].id], "main_id": me[2].id, "assistant_id": me[3].id})
    r = ls.get(f"/title/assign/{meeting.id}/export/roster")
    assert r.status_code == 200 and r.mimetype.endswith("sheet")
    cells = sheet(r.data)
    assert cells[0] == ["排序号", "姓名", "性别", "工作单位", "申报系列", "申报层级", "申报专业", "评价方式",
                              "主审专家", "辅审专家"]
    a = s.applications[0]
    assert cells[1][:4] == [1, a.name, "男", a.workplace]
    assert cells[1][6] == a.major and cells[1][7] == "正常申报"
    assert cells[1][8] == s.experts[2].name and cells[1][9] == s.experts[3].name
    assert cells[2][8] is None and len([c for c in cells[1:] if any(c)]) == 2
    cells = sheet(ls.get(f"/title/assign/{meeting.id}/export/summary").data)
    assert cells[0][:3] == ["排序号", "姓名", "性别"] and "业绩成果数" in cells[0] and "现专业技术职称" in cells[0]
    assert cells[1][1] == a.name and cells[1][list(cells[0]).index("业绩成果数")] == 1
    assert cells[1][list(cells[0]).index("现专业技术职称")] == "助理工程师"
    cells = sheet(ls.get(f"/title/assign/{meeting.id}/export/experts").data)
    assert cells[0] == ["序号", "姓名", "工作单位", "从事专业", "职称", "主任委员", "专业组", "联系电话"]
    body = [c for c in cells[1:] if any(c)]
    assert [c[1] for c in body] == [e.name for e in s.experts[:4]]  # the confirmed only, in draw order
    assert body[0][5] == "主任委员" and body[0][4] == "正高级"
    assert ls.get(f"/title/assign/{meeting.id}/export/nothing").status_code == 404
    # no ID numbers anywhere in the roster
    assert a.id_number not in str(sheet(ls.get(f"/title/assign/{meeting.id}/export/roster").data))


# -- 开启专家投票 -------------------------------------------------------------------------------------


def _voting_available() -> bool:
    try:
        from app.services.title.voting import open_first_round  # noqa: F401
    except ImportError:
        return False
    return True


def test_open_vote_refused_with_the_missing_things_then_opened(ctx, login):
    from models.title.meeting import Meeting

    s = meeting_season(applicants=2)
    qualify(*s.applications)
    meeting = meeting_of(s, confirmed=4)
    supervisor, _a = meeting_season(applicants=0).committee, None
    ls = login("ls_admin")
    ls.get(f"/title/assign/{meeting.id}/pool")
    page = ls.get(f"/title/assign/{meeting.id}/vote").get_data(as_text=True)
    assert "开启专家投票前还需完成" in page and supervisor.name in page
    assert s.committee.name not in page.split('id="supervisor"')[1].split("</select>")[0]  # not its own committee
    page = refused(ls.post(f"/title/assign/{meeting.id}/vote/open"), ls, "不能开启专家投票")
    for text in ("请填写评审方案", "请上传专家评议材料", "请选择监督的评委会", "未设置主审专家、辅审专家"):
        assert text in page, text
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).state == "assigning"
    # a committee that is not offered (the meeting's own) is refused
    refused(ls.post(f"/title/assign/{meeting.id}/vote/plan", data={"plan": "方案", "threshold": "2/3",
                                                                   "supervisor_committee_id": s.committee.id}),
            ls, "所选监督评委会不存在或不可选择")
    refused(ls.post(f"/title/assign/{meeting.id}/vote/plan", data={"plan": "方案", "threshold": "5/7"}), ls,
            "通过比例不正确")
    ls.post(f"/title/assign/{meeting.id}/vote/plan", data={"plan": "按评审标准逐人评议，无记名投票。", "threshold": "3/4",
                                                           "supervisor_committee_id": supervisor.id})
    r = ls.post(f"/attachments/upload/title.meeting/{meeting.id}/materials",
                data={"file": (io.BytesIO(PDF), "评议材料.pdf"), "next": "/"}, content_type="multipart/form-data")
    assert r.status_code == 302
    rows, me = pool_of(meeting), experts_of(meeting)
    ls.post(f"/title/assign/{meeting.id}/pool/assign",
            data={"meeting_applicant_id": [x.id for x in rows], "main_id": me[2].id, "assistant_id": me[3].id})
    db.session.expire_all()
    m = db.session.get(Meeting, meeting.id)
    assert (m.plan, m.supervisor_committee_id, m.pass_numerator, m.pass_denominator) == (
        "按评审标准逐人评议，无记名投票。", supervisor.id, 3, 4)
    page = ls.get(f"/title/assign/{meeting.id}/vote").get_data(as_text=True)
    assert "开启专家投票前还需完成" not in page and "评议材料.pdf" in page
    r = ls.post(f"/title/assign/{meeting.id}/vote/open")
    db.session.expire_all()
    if not _voting_available():
        refused(r, ls, "专家投票功能尚未启用")
        assert db.session.get(Meeting, meeting.id).state == "assigning"
        return
    assert db.session.get(Meeting, meeting.id).state == "voting"
    # once open: the pool and the plan are closed
    refused(ls.post(f"/title/assign/{meeting.id}/pool/assign",
                    data={"meeting_applicant_id": [rows[0].id], "main_id": me[3].id, "assistant_id": me[2].id}),
            ls, "专家投票已开启")
    refused(ls.post(f"/title/assign/{meeting.id}/vote/plan", data={"plan": "改"}), ls, "专家投票已开启")


# -- scope ----------------------------------------------------------------------------------------------


def test_another_unit_is_refused(ctx, login):
    from models.title.meeting import Meeting, ProfGroup

    s = meeting_season(applicants=2, groups=True)
    qualify(*s.applications)
    meeting = meeting_of(s, state="grouping", confirmed=2)
    zjj = login("ls_zjj_admin")  # 主管部门 below the committee's unit: the meeting is not in its scope
    for path in ("groups", "pool", "vote", "export/roster"):
        assert zjj.get(f"/title/assign/{meeting.id}/{path}").status_code in (403, 404), path
    for path, data in (("groups/add", {"name": "越权组"}), ("groups/finish", {}), ("vote/plan", {"plan": "越权"})):
        r = zjj.post(f"/title/assign/{meeting.id}/{path}", data=data)
        assert r.status_code in (302, 403, 404)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ProfGroup).where(ProfGroup.meeting_id == meeting.id)) == 0
    assert db.session.get(Meeting, meeting.id).plan is None
    # an applicant's unit neither
    jzy = login("ls_jzy_admin")
    assert jzy.get(f"/title/assign/{meeting.id}/pool").status_code in (403, 404)
    assert login("ls_admin").get(f"/title/assign/{meeting.id + 100000}/pool").status_code == 404


def test_a_unit_above_may_look_but_not_change(ctx, login):
    from models.title.meeting import Meeting

    s = meeting_season(applicants=2)
    qualify(*s.applications)
    meeting = meeting_of(s, confirmed=2)
    login("ls_admin").get(f"/title/assign/{meeting.id}/pool")
    sc = login("sc_admin")  # the province: the meeting is in its scope, the work is the committee's unit's
    page = sc.get(f"/title/assign/{meeting.id}/pool").get_data(as_text=True)
    assert s.applications[0].name in page and "主辅审专家设置" not in page and "导入排序表" not in page
    page = sc.get(f"/title/assign/{meeting.id}/vote").get_data(as_text=True)
    assert "导出报评人员名册" in page and 'name="plan"' in page and "readonly" in page
    refused(sc.post(f"/title/assign/{meeting.id}/vote/plan", data={"plan": "越权"}), sc, "只有评委会组建单位可以办理评审会议")
    rows, me = pool_of(meeting), experts_of(meeting)
    refused(sc.post(f"/title/assign/{meeting.id}/pool/assign",
                    data={"meeting_applicant_id": [rows[0].id], "main_id": me[0].id, "assistant_id": me[1].id}),
            sc, "只有评委会组建单位可以办理评审会议")
    assert sc.get(f"/imports/title.reorder/template?ctx={meeting.id}").status_code in (403, 404)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).plan is None and all(r.main_expert_id is None for r in pool_of(meeting))


def test_exceptional_meeting_needs_no_supervisor(ctx, login):
    from app.services.title import assign as service
    from app.services.title.meetings import meetings_of

    s = meeting_season(applicants=1, exceptional=1)
    qualify(*s.applications, *s.exceptional)
    meeting_of(s, "normal")
    exc = meetings_of(s.activity)["exceptional"]
    exc.state = "assigning"
    db.session.commit()
    page = login("ls_admin").get(f"/title/assign/{exc.id}/vote").get_data(as_text=True)
    assert 'id="supervisor"' not in page
    assert not any("监督" in p for p in service.vote_problems(exc))


def test_seed_order_end_to_end_with_the_real_draw(ctx):
    """The order the demo seed calls: draw (the draw part) → 专家分组 → 人员分配 → 开启专家投票 (the voting part)."""
    from app.services.core import attachments
    from app.services.title import assign as service
    from app.services.title import draw
    from app.services.title.meetings import meetings_of
    from models.title.meeting import MeetingApplicant, RoundEntry
    from tests.title.meeting_fixtures import admin

    s = meeting_season(applicants=4, groups=True)
    qualify(*s.applications)
    s.experts[0].work_unit = "乐山市其他单位"  # no avoidance here: any two members of a group may review
    db.session.commit()
    user = admin("ls_admin")
    meeting = meetings_of(s.activity, create=True)["normal"]
    draw.add_group(user, meeting, {"name": "建筑组", "major": "建筑工程", "title_level": "1", "count": 2})
    draw.add_group(user, meeting, {"name": "道桥组", "major": "道路桥梁", "title_level": "2", "count": 2})
    draw.start_draw(user, meeting, "1.5")
    db.session.commit()
    members = [r for r in meeting.experts if not r.reserve]
    draw.set_attendance(user, meeting, [r.id for r in members], "confirmed")
    chairs = [r for r in members if r.chair]
    if len(chairs) > 1:
        draw.set_executive_chair(user, meeting, chairs[0].id)
    draw.finish_attendance(user, meeting)
    db.session.commit()
    assert meeting.state == "grouping"
    groups = {}
    for dg in meeting.groups:
        pg = service.add_prof_group(user, meeting, dg.name)
        ids = [r.id for r in members if r.group_id == dg.id]
        service.set_prof_group(user, meeting, ids, pg.id)
        service.set_leader(user, meeting, pg.id, ids[0])
        groups[pg.id] = ids
    service.finish_grouping(user, meeting)
    db.session.commit()
    assert meeting.state == "assigning"
    service.sync_pool(meeting)
    a = s.applications
    service.set_order(user, meeting, [x.id for x in reversed(a)])
    rows = service.pool(meeting)
    assert [r.application_id for r in rows] == [x.id for x in reversed(a)]
    for i, row in enumerate(rows):
        gid, ids = list(groups.items())[i % 2]
        service.assign(user, meeting, [row.id], ids[0], ids[1], gid)
    service.save_plan(user, meeting, {"plan": "评审方案", "supervisor_committee_id": meeting_season(0).committee.id,
                                      "threshold": "2/3"})
    attachments.save_upload(meeting, "materials", io.BytesIO(PDF), "评议材料.pdf", user)
    assert service.vote_problems(meeting) == []
    vote_round = service.open_vote(user, meeting)
    db.session.commit()
    assert meeting.state == "voting" and vote_round.number == 1 and vote_round.kind == "group"
    assert db.session.scalar(select(func.count()).select_from(RoundEntry).where(
        RoundEntry.round_id == vote_round.id)) == db.session.scalar(select(func.count()).select_from(
            MeetingApplicant).where(MeetingApplicant.meeting_id == meeting.id)) == 4
    with pytest.raises(Exception, match="专家投票已开启"):
        service.assign(user, meeting, [rows[0].id], groups[rows[0].prof_group_id][1],
                       groups[rows[0].prof_group_id][0], rows[0].prof_group_id)
    db.session.rollback()


@pytest.mark.skipif(not os.environ.get("PYTEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="row locks: PostgreSQL")
def test_two_staff_open_the_vote_at_once(app, ctx):
    """Two 【开启专家投票】 at the same moment: the meeting row is locked, the second sees the vote open and is
    refused; one round 1."""
    import threading

    from app.services.core import attachments
    from app.services.title import assign as service
    from app.services.title.common import TitleError
    from models.title.meeting import Meeting, VoteRound
    from tests.title.meeting_fixtures import admin

    s = meeting_season(applicants=2)
    qualify(*s.applications)
    meeting = meeting_of(s, confirmed=4)
    user = admin("ls_admin")
    service.sync_pool(meeting)
    me = experts_of(meeting)
    service.assign(user, meeting, [r.id for r in service.pool(meeting)], me[2].id, me[3].id)
    service.save_plan(user, meeting, {"plan": "方案", "supervisor_committee_id": meeting_season(0).committee.id})
    attachments.save_upload(meeting, "materials", io.BytesIO(PDF), "材料.pdf", user)
    db.session.commit()
    mid = meeting.id
    barrier, results = threading.Barrier(2), []

    def run() -> None:
        with app.app_context():
            try:
                m = db.session.get(Meeting, mid)
                who = admin("ls_admin")
                barrier.wait()
                service.open_vote(who, m)
                db.session.commit()
                results.append("ok")
            except TitleError as e:
                db.session.rollback()
                results.append(str(e))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results, key=len)[0] == "ok" and "不能开启专家投票" in sorted(results, key=len)[1], results
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(VoteRound).where(VoteRound.meeting_id == mid)) == 1
