"""法人科技特派员 through the real views: team creation, members joining and being removed, the
≥ 3 people rule, the route legal unit → province → 推送 → city → province with returns, the team
agreement locked until approval, and scope."""

from __future__ import annotations

import itertools
import os
import re

from sqlalchemy import select

from app.extensions import db
from models.commissioner.team import Team, TeamApplication, TeamMember
from models.core.unit import Unit
from tests.conftest import Client, unique


def _uid(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Unit.id).where(Unit.name == name))


_phones = itertools.count(1)


def _phone() -> str:
    """A mobile number nobody registered yet (a number registers one account only)."""
    return f"1372{os.getpid() % 1000:03d}{next(_phones):04d}"


def _person(app, kind: str, name: str) -> Client:
    login = unique("t" + kind)
    phone = _phone()
    c = Client(app)
    c.token()
    r = c.post("/commissioner/register/", data={"name": name, "username": login, "phone": phone,
                                       "password": "Ktp@2026x", "kind": kind})
    assert r.status_code == 302, re.findall(r"field-error\">([^<]+)", r.get_data(as_text=True))
    c2 = Client(app)
    assert c2.login(login, "Ktp@2026x").status_code == 302
    c2._refresh_token()
    r = c2.post("/commissioner/my/profile", data={"name": name, "sex": "1", "birth_ym": "198001", "native_place": "湖北",
                                         "politics": "13", "education": "11", "workplace": "华中农业大学", "post": "教授",
                                         "title": "正高级", "phone": phone})
    body = r.get_data(as_text=True)
    assert r.status_code == 302, (re.findall(r"<title>([^<]+)", body), re.findall(r'alert-[a-z]+">\s*<button[^>]*>[^<]*</button>\s*([^<]+)', body))
    return c2


def _state(app, pk: int) -> tuple[str, int | None]:
    with app.app_context():
        a = db.session.get(TeamApplication, pk)
        return a.review_state, a.review_unit_id


def test_team_path(app, login_as):
    hzau, prov, xy, wh = (_uid(app, n) for n in ("华中农业大学", "湖北省科学技术厅", "襄阳市科学技术局", "武汉市科学技术局"))
    leader = _person(app, "leader", "郑团长")
    team_name = unique("华农柑橘科技服务团队")
    # a team must belong to an approved legal-person unit
    r = leader.post("/commissioner/team/", data={"name": team_name, "unit": str(wh)}, follow_redirects=True)
    assert "请选择已通过审核的法人单位" in r.get_data(as_text=True)
    leader.post("/commissioner/team/", data={"name": team_name, "unit": str(hzau)})
    with app.app_context():
        team_id = db.session.scalar(select(Team.id).where(Team.name == team_name))
    # members register and choose the unit's team
    m1, m2 = _person(app, "member", "钱成员"), _person(app, "member", "孙成员")
    assert team_name in m1.get("/commissioner/team/join").get_data(as_text=True)
    m1.post("/commissioner/team/join", data={"team": str(team_id)})
    leader.post("/commissioner/team/application", data={"field": "柑橘栽培", "achievements": "育成新品种2个",
                                               "intended_city": str(xy), "intended_county": "宜城市",
                                               "intended_enterprise": "襄阳柑橘合作社", "chain": "柑橘产业链"})
    with app.app_context():
        pk = db.session.scalar(select(TeamApplication.id).where(TeamApplication.team_id == team_id))
    # two people are not enough
    r = leader.post("/commissioner/team/application/submit", follow_redirects=True)
    assert "团队总人数应不少于3人（当前2人）" in r.get_data(as_text=True)
    assert _state(app, pk)[0] == "draft"
    m2.post("/commissioner/team/join", data={"team": str(team_id)})
    assert "共3人" in leader.get("/commissioner/team/").get_data(as_text=True)
    # the agreement stays locked
    assert "只有团队申请通过省科技厅终审后" in leader.get("/commissioner/team/agreement").get_data(as_text=True)
    leader.post("/commissioner/team/application/submit")
    assert _state(app, pk) == ("pending", hzau)
    # members cannot be removed while it is under review
    with app.app_context():
        m2_row = db.session.scalar(select(TeamMember.id).where(TeamMember.team_id == team_id).order_by(
            TeamMember.id.desc()))
    r = leader.post(f"/commissioner/team/remove/{m2_row}", follow_redirects=True)
    assert "团队申请已提交审核" in r.get_data(as_text=True)
    # the legal unit reviews first and returns; the leader edits and resubmits
    unit_admin, province, city = login_as("hbkj_hzau_admin"), login_as("hbkj_admin"), login_as("hbkj_xy_admin")
    assert login_as("hbkj_hbaas_admin").get(f"/commissioner/team-applications/review/{pk}").status_code == 404
    unit_admin.post(f"/commissioner/team-applications/review/{pk}", data={"action": "return", "opinion": "请补充产业链情况"})
    assert "请补充产业链情况" in leader.get("/commissioner/team/application").get_data(as_text=True)
    leader.post("/commissioner/team/application/submit")
    assert _state(app, pk) == ("pending", hzau)
    unit_admin.post(f"/commissioner/team-applications/review/{pk}", data={"action": "approve"})
    assert _state(app, pk) == ("pending", prov)
    # a return at the province's first review: resubmitted, straight back to the province
    province.post(f"/commissioner/team-applications/review/{pk}", data={"action": "return", "opinion": "请补充团队业绩"})
    assert "请补充团队业绩" in leader.get("/commissioner/team/application").get_data(as_text=True)
    leader.post("/commissioner/team/application/submit")
    assert _state(app, pk) == ("pending", prov)
    province.post(f"/commissioner/team-applications/review/{pk}", data={"action": "approve", "opinion": "初审通过"})
    r = province.post(f"/commissioner/team-applications/review/{pk}", data={"action": "push", "push_to": str(wh)},
                      follow_redirects=True)
    assert "只能推送给申请中选择的单位：襄阳市科学技术局" in r.get_data(as_text=True)
    province.post(f"/commissioner/team-applications/review/{pk}", data={"action": "push", "push_to": str(xy)})
    assert _state(app, pk) == ("pending", xy)
    # 不接收 at the city: back to the leader with the opinion; resubmitted, it waits at 推送管理 again
    city.post(f"/commissioner/team-applications/review/{pk}", data={"action": "decline", "opinion": "暂无对接企业"})
    assert _state(app, pk)[0] == "returned"
    assert "暂无对接企业" in leader.get("/commissioner/team/application").get_data(as_text=True)
    leader.post("/commissioner/team/application/submit")
    assert _state(app, pk) == ("pending", prov)
    province.post(f"/commissioner/team-applications/review/{pk}", data={"action": "push", "push_to": str(xy)})
    city.post(f"/commissioner/team-applications/review/{pk}", data={"action": "accept"})
    assert _state(app, pk) == ("pending", prov)
    # a return at the final review: resubmitted, straight back to the final review
    province.post(f"/commissioner/team-applications/review/{pk}", data={"action": "return", "opinion": "请补充服务计划"})
    leader.post("/commissioner/team/application/submit")
    assert _state(app, pk) == ("pending", prov)
    province.post(f"/commissioner/team-applications/review/{pk}", data={"action": "approve", "opinion": "同意选派"})
    assert _state(app, pk) == ("approved", None)
    assert _state(app, pk)[0] == "approved" and prov
    # the agreement opens and its PDF downloads
    r = leader.post("/commissioner/team/agreement", data={"enterprise_business": "柑橘种植", "needs": "品种改良",
                                                 "work_plan": "全年驻点", "targets": "亩产提高10%"})
    assert r.status_code == 302
    r = leader.get("/commissioner/team/agreement/pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    # members see their team; a member cannot open the leader's pages
    assert team_name in m1.get("/commissioner/team/join").get_data(as_text=True)
    assert m1.get("/commissioner/team/application").status_code in (302, 403)


def test_legal_unit_zip_and_member_statistics(app, login_as):
    import io
    import zipfile

    # the team of test_team_path (or any team of 华中农业大学) is in 华中农业大学's zip; another unit's is not
    r = login_as("hbkj_hzau_admin").get("/commissioner/team-applications/zip")
    assert r.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(r.data)).namelist()
    other = login_as("hbkj_hbaas_admin").get("/commissioner/team-applications/zip")
    other_names = zipfile.ZipFile(io.BytesIO(other.data)).namelist()
    assert any("华农柑橘科技服务团队" in n and n.endswith("_团队申请表.pdf") for n in names)
    assert not any("华农柑橘科技服务团队" in n for n in other_names)  # another legal unit sees none of them
    stats = login_as("hbkj_admin").get("/statistics/data/commissioner_members_by_unit").get_json()
    assert stats["series"][0]["type"] == "bar"


# -- issue 14.8: membership follows the team's review state and the minimum size ---------------------


def _flash(c: Client, url: str) -> str:
    return c.get(url).get_data(as_text=True)


def _team_of(app, login: str) -> int | None:
    with app.app_context():
        from models.core.user import UnitUser

        uid = db.session.scalar(select(UnitUser.id).where(UnitUser.username == login))
        return db.session.scalar(select(TeamMember.team_id).where(TeamMember.user_id == uid))


def _team_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Team.id).where(Team.name == name))


def test_members_of_submitted_or_approved_teams_stay(app, login_as):
    draft_team = _team_id(app, "生猪健康养殖技术服务团队")
    for login in ("ktp_lead_done_m1", "ktp_lead_unit_m1"):  # approved; waiting at the legal unit
        before = _team_of(app, login)
        c = login_as(login)
        r = c.post("/commissioner/team/join", data={"team": str(draft_team)}, follow_redirects=True)
        assert "的申请已提交审核或已通过，不能退出或加入其他团队" in r.get_data(as_text=True)
        assert _team_of(app, login) == before
    # the service refuses a plain leaving the same way
    from app.services.commissioner import individual as ind
    from app.services.commissioner import team as service

    with app.app_context():
        from models.core.user import UnitUser

        member = db.session.scalar(select(UnitUser).where(UnitUser.username == "ktp_lead_done_m2"))
        try:
            service.leave_team(member)
        except ind.CommissionerError as e:
            assert "不能退出" in str(e)
        else:
            raise AssertionError("a member of an approved team left it")
        finally:
            db.session.rollback()
    assert _team_of(app, "ktp_lead_done_m2") is not None
    # nor can anyone join them
    r = login_as("ktp_lead_draft_m1").post("/commissioner/team/join", data={"team": str(_team_id(app, "柑橘绿色生产技术服务团队"))},
                                           follow_redirects=True)
    assert "暂不能加入" in r.get_data(as_text=True)


def test_a_returned_team_keeps_three_people(app, login_as):
    hzau, xy = _uid(app, "华中农业大学"), _uid(app, "襄阳市科学技术局")
    leader = _person(app, "leader", "冯团长")
    name = unique("退回后保持三人团队")
    leader.post("/commissioner/team/", data={"name": name, "unit": str(hzau)})
    team_id = _team_id(app, name)
    m1, m2 = _person(app, "member", "甲成员"), _person(app, "member", "乙成员")
    for m in (m1, m2):
        m.post("/commissioner/team/join", data={"team": str(team_id)})
    leader.post("/commissioner/team/application", data={"field": "茶叶", "achievements": "无", "intended_city": str(xy),
                                               "intended_county": "谷城县", "intended_enterprise": "谷城茶业",
                                               "chain": "茶叶产业链"})
    leader.post("/commissioner/team/application/submit")
    with app.app_context():
        pk = db.session.scalar(select(TeamApplication.id).where(TeamApplication.team_id == team_id))
        members = list(db.session.scalars(select(TeamMember.id).where(TeamMember.team_id == team_id)))
    assert _state(app, pk)[0] == "pending"
    login_as("hbkj_hzau_admin").post(f"/commissioner/team-applications/review/{pk}",
                                     data={"action": "return", "opinion": "请补充"})
    assert _state(app, pk)[0] == "returned"
    # a draft team elsewhere to move to
    other_leader = _person(app, "leader", "褚团长")
    other = unique("草稿团队")
    other_leader.post("/commissioner/team/", data={"name": other, "unit": str(hzau)})
    other_id = _team_id(app, other)
    # three people: nobody leaves, nobody is removed
    r = m2.post("/commissioner/team/join", data={"team": str(other_id)}, follow_redirects=True)
    assert "退出后团队总人数将少于3人" in r.get_data(as_text=True)
    r = leader.post(f"/commissioner/team/remove/{members[0]}", follow_redirects=True)
    assert "删除后团队总人数将少于3人" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(TeamMember)
                                 .where(TeamMember.team_id == team_id)) == 2
    # a returned team may take a fourth member; then one may go (the allowed changes)
    m3 = _person(app, "member", "丙成员")
    m3.post("/commissioner/team/join", data={"team": str(team_id)})
    r = m2.post("/commissioner/team/join", data={"team": str(other_id)}, follow_redirects=True)
    assert "已加入团队" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(TeamMember)
                                 .where(TeamMember.team_id == team_id)) == 2
    # a draft team's members come and go freely
    r = m2.post("/commissioner/team/join", data={"team": str(team_id)}, follow_redirects=True)
    assert "已加入团队" in r.get_data(as_text=True)
