"""专家服务基层示范团 through the real views: locks, batches, projects, experts, evaluations,
the summary gate and the managing units' review."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.extensions import db
from models.experts.expert import Expert
from models.grassroots.team import ProjectExpert, ServiceProject, ServiceTeam, TeamEvaluation, TeamFunding, TeamSummary
from tests.conftest import unique, unit_by_name
from tests.experts.test_experts import id_number

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXEC = "hb_wh_ja_e1_admin"  # 江岸区第一人民医院, below 江岸区 below 武汉市


def _team(app, login_as) -> int:
    city = login_as("hb_wh_admin")
    with app.app_context():
        exec_id = unit_by_name("江岸区第一人民医院").id
    name = unique("武汉市卫生健康专家服务团")
    r = city.post("/grassroots/teams/add", data={"name": name, "year": "2027", "field": "卫生健康",
                                                 "approval_no": "人社专家函〔2027〕1号", "unit": str(exec_id)})
    import re

    assert r.status_code == 302, re.findall(r"(?:error|danger)[^>]*>([^<]+)", r.get_data(as_text=True))
    with app.app_context():
        return db.session.scalar(select(ServiceTeam.id).where(ServiceTeam.name == name))


def _team_row(app, pk: int) -> dict:
    with app.app_context():
        t = db.session.get(ServiceTeam, pk)
        return {"started": t.started, "start_date": str(t.start_date), "mode": t.mode, "ended": t.ended,
                "end_date": str(t.end_date), "batches": [(b.seq, str(b.start_date), str(b.end_date)) for b in t.batches]}


def _flash(r) -> str:
    return r.get_data(as_text=True)


def test_start_batches_end_are_locked(app, login_as):
    pk = _team(app, login_as)
    ex = login_as(EXEC)
    page = ex.get(f"/grassroots/teams/run/{pk}").get_data(as_text=True)
    assert "保存启动设置" in page
    # the managing unit watches but cannot start it
    city = login_as("hb_wh_admin")
    city.post(f"/grassroots/teams/run/{pk}/start", data={"started": "1", "start_date": "2027-03-01", "mode": "multi"})
    assert _team_row(app, pk)["started"] is False
    # missing fields are refused; then start with several batches
    r = ex.post(f"/grassroots/teams/run/{pk}/start", data={"started": "1", "mode": "multi"}, follow_redirects=True)
    assert "请填写启动时间" in _flash(r)
    # the start date lies in the team's year (2027)
    r = ex.post(f"/grassroots/teams/run/{pk}/start", data={"started": "1", "start_date": "2026-12-01", "mode": "multi"},
                follow_redirects=True)
    assert "启动时间应在服务团年度（2027年）内" in _flash(r) and _team_row(app, pk)["started"] is False
    ex.post(f"/grassroots/teams/run/{pk}/start", data={"started": "1", "start_date": "2027-03-01", "mode": "multi"})
    row = _team_row(app, pk)
    assert row["started"] and row["mode"] == "multi" and row["batches"] == [(1, "2027-03-01", "None")]
    # a forged second start cannot change the locked fields
    r = ex.post(f"/grassroots/teams/run/{pk}/start", data={"started": "1", "start_date": "2027-01-01", "mode": "single"},
                follow_redirects=True)
    assert "启动设置不可修改" in _flash(r)
    assert _team_row(app, pk)["start_date"] == "2027-03-01" and _team_row(app, pk)["mode"] == "multi"
    # nor can the managing unit edit the basic information any more
    r = city.post(f"/grassroots/teams/edit/{pk}", data={"name": "改名", "year": "2027", "field": "x", "unit": "1"},
                  follow_redirects=True)
    assert "服务团已启动，基本信息不可修改" in _flash(r)
    # a new batch ends the previous one
    r = ex.post(f"/grassroots/teams/run/{pk}/batch", data={"start_date": "2027-02-01"}, follow_redirects=True)
    assert "不能早于第1批次的启动时间" in _flash(r)
    ex.post(f"/grassroots/teams/run/{pk}/batch", data={"start_date": "2027-05-10"})
    assert _team_row(app, pk)["batches"] == [(1, "2027-03-01", "2027-05-10"), (2, "2027-05-10", "None")]
    # end: locked, no more batches, a forged end cannot move the date
    ex.post(f"/grassroots/teams/run/{pk}/end", data={"ended": "1", "end_date": "2027-09-30"})
    row = _team_row(app, pk)
    assert row["ended"] and row["end_date"] == "2027-09-30" and row["batches"][-1][2] == "2027-09-30"
    r = ex.post(f"/grassroots/teams/run/{pk}/batch", data={"start_date": "2027-10-01"}, follow_redirects=True)
    assert "服务团已结束，不能再新增批次" in _flash(r)
    r = ex.post(f"/grassroots/teams/run/{pk}/end", data={"ended": "1", "end_date": "2027-12-31"}, follow_redirects=True)
    assert "结束设置不可修改" in _flash(r)
    assert _team_row(app, pk)["end_date"] == "2027-09-30" and len(_team_row(app, pk)["batches"]) == 2
    # another branch cannot even see the team
    assert login_as("hb_yc_admin").get(f"/grassroots/teams/run/{pk}").status_code == 404
    assert login_as("hb_yc_admin").post(f"/grassroots/teams/run/{pk}/end", data={}).status_code == 404


def test_projects_experts_evaluations_summary_and_review(app, login_as):
    pk = _team(app, login_as)
    ex = login_as(EXEC)
    # nothing before the start
    r = ex.post(f"/grassroots/teams/run/{pk}/project", data={"name": "义诊", "place": "江岸区", "content": "x",
                                                             "start_date": "2027-03-02"}, follow_redirects=True)
    assert "服务团启动后才能填报开展情况" in _flash(r)
    ex.post(f"/grassroots/teams/run/{pk}/start", data={"started": "1", "start_date": "2027-03-01", "mode": "single"})
    ex.post(f"/grassroots/teams/run/{pk}/project", data={"name": "社区义诊", "place": "江岸区百步亭社区",
                                                         "content": "心血管疾病筛查与健康讲座", "start_date": "2027-03-02",
                                                         "end_date": "2027-03-05", "beneficiaries": "320"})
    with app.app_context():
        project = db.session.scalar(select(ServiceProject).where(ServiceProject.team_id == pk))
        project_id = project.id
    # 修改服务项目 (G-05): the form comes back filled; a bad value is refused and nothing changes
    page = ex.get(f"/grassroots/teams/run/{pk}?tab=projects&edit={project_id}").get_data(as_text=True)
    assert "修改服务项目" in page and 'value="江岸区百步亭社区"' in page
    edit = f"/grassroots/teams/run/{pk}/project/{project_id}/edit"
    r = ex.post(edit, data={"name": "社区义诊", "place": "江岸区百步亭社区", "content": "心血管疾病筛查",
                            "start_date": "2027-03-06", "end_date": "2027-03-05"}, follow_redirects=True)
    assert "结束日期不能早于开始日期" in _flash(r)
    r = ex.post(edit, data={"name": "社区义诊（第二场）", "place": "江岸区百步亭社区", "content": "心血管疾病筛查与健康讲座",
                            "start_date": "2027-03-02", "end_date": "2027-03-06", "beneficiaries": "350"},
                follow_redirects=True)
    assert "已修改服务项目" in _flash(r)
    assert login_as("hb_wh_ja_admin").post(edit, data={"name": "x", "place": "x", "content": "x",
                                                       "start_date": "2027-03-02"}).status_code in (302, 403, 404)
    with app.app_context():
        project = db.session.get(ServiceProject, project_id)
        assert (project.name, project.beneficiaries, str(project.end_date)) == ("社区义诊（第二场）", 350, "2027-03-06")
        county_expert = db.session.scalar(select(Expert).where(Expert.unit_id == unit_by_name("江岸区人力资源局").id))
        county_expert_id = county_expert.id
    # an expert of the county (the unit above) is not in this unit's library: refused
    r = ex.post(f"/grassroots/teams/run/{pk}/project/{project_id}/match", data={"expert_id": str(county_expert_id)},
                follow_redirects=True)
    assert "只能匹配本单位及下级单位专家库中的专家" in _flash(r)
    # 新增专家 from the project (G-06): the expert joins the library and is matched in one step
    page = ex.get(f"/grassroots/teams/run/{pk}?tab=experts").get_data(as_text=True)
    assert f"/experts/add?project={project_id}" in page
    number = id_number(200 + hash(unique("g")) % 30)  # disjoint ranges per test: see id_number
    r = ex.post(f"/experts/add?project={project_id}", data={"nationality": "中国", "name": "周医生", "id_type": "01", "id_number": number,
                                      "sex": "1", "birth_ym": "197805", "work_unit": "江岸区第一人民医院",
                                      "admin_post": "无", "phone": "13912345670", "honours": "无", "major": "心内科",
                                      "title": "2"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/grassroots/teams/run/{pk}?tab=experts")
    with app.app_context():
        expert_id = db.session.scalar(select(Expert.id).where(Expert.id_number == number))
        assert db.session.scalar(select(ProjectExpert.id).where(ProjectExpert.project_id == project_id,
                                                                 ProjectExpert.expert_id == expert_id))
    assert "周医生" in ex.get(f"/grassroots/teams/run/{pk}?tab=experts").get_data(as_text=True)
    with app.app_context():
        row_id = db.session.scalar(select(ProjectExpert.id).where(ProjectExpert.project_id == project_id))
    ex.post(f"/grassroots/teams/run/{pk}/expert/{row_id}/evaluate", data={"rating": "1", "comment": "服务认真"})
    with app.app_context():
        assert db.session.get(ProjectExpert, row_id).rating == "1"
    # the managing city watches it live
    watch = login_as("hb_wh_admin").get(f"/grassroots/teams/run/{pk}").get_data(as_text=True)
    assert "项目1个，参团专家1人次，已评价1人次" in watch
    # summary materials only after the end, and only all three together
    r = ex.post(f"/grassroots/teams/run/{pk}/funding", data={"item": "交通费", "amount": "1200"}, follow_redirects=True)
    assert "服务团结束后才能填报总结材料" in _flash(r)
    ex.post(f"/grassroots/teams/run/{pk}/end", data={"ended": "1", "end_date": "2027-06-30"})
    ex.post(f"/grassroots/teams/run/{pk}/funding", data={"item": "交通费", "amount": "1200.50", "note": "专家往返"})
    r = ex.post(f"/grassroots/teams/run/{pk}/submit", follow_redirects=True)
    assert "总结材料不完整" in _flash(r) and "成效评估" in _flash(r) and "服务团总结" in _flash(r)
    ex.post(f"/grassroots/teams/run/{pk}/evaluation", data={"served": "320", "trained": "45", "techniques": "2",
                                                            "benefit": "12.5", "description": "开展义诊和培训，效果良好。"})
    ex.post(f"/grassroots/teams/run/{pk}/summary_upload",
            data={"file": (io.BytesIO(PDF), "服务团工作总结.pdf")}, content_type="multipart/form-data")
    r = ex.post(f"/grassroots/teams/run/{pk}/submit", follow_redirects=True)
    assert "总结材料已提交管理单位审核" in _flash(r)
    with app.app_context():
        recs = {m.__name__: db.session.scalar(select(m).where(m.team_id == pk))
                for m in (TeamFunding, TeamEvaluation, TeamSummary)}
        assert {r.review_state for r in recs.values()} == {"pending"}
        ids = {k: v.id for k, v in recs.items()}
    # a submitted material is locked for the executing unit
    r = ex.post(f"/grassroots/teams/run/{pk}/funding", data={"item": "餐费", "amount": "10"}, follow_redirects=True)
    assert "已提交审核" in _flash(r)
    # the route: 江岸区 first, then 武汉市 (the managing unit); item by item
    county, city = login_as("hb_wh_ja_admin"), login_as("hb_wh_admin")
    assert "交通费" in county.get(f"/grassroots/funding/review/{ids['TeamFunding']}").get_data(as_text=True)
    county.post(f"/grassroots/funding/review/{ids['TeamFunding']}", data={"action": "approve"})
    county.post(f"/grassroots/summary/review/{ids['TeamSummary']}", data={"action": "approve"})
    county.post(f"/grassroots/evaluation/review/{ids['TeamEvaluation']}",
                data={"action": "return", "opinion": "请补充培训人员构成"})
    city.post(f"/grassroots/funding/review/{ids['TeamFunding']}", data={"action": "approve"})
    city.post(f"/grassroots/summary/review/{ids['TeamSummary']}", data={"action": "approve"})
    with app.app_context():
        states = {m.__name__: db.session.get(m, ids[m.__name__]).review_state
                  for m in (TeamFunding, TeamEvaluation, TeamSummary)}
    assert states == {"TeamFunding": "approved", "TeamEvaluation": "returned", "TeamSummary": "approved"}
    # the returned evaluation is edited and goes up again alone
    ex.post(f"/grassroots/teams/run/{pk}/evaluation", data={"served": "320", "trained": "45", "techniques": "2",
                                                            "benefit": "12.5", "description": "补充：培训基层医生45人。"})
    r = ex.post(f"/grassroots/teams/run/{pk}/submit", follow_redirects=True)
    assert "总结材料已提交管理单位审核" in _flash(r)
    county.post(f"/grassroots/evaluation/review/{ids['TeamEvaluation']}", data={"action": "approve"})
    city.post(f"/grassroots/evaluation/review/{ids['TeamEvaluation']}", data={"action": "approve"})
    with app.app_context():
        assert db.session.get(TeamEvaluation, ids["TeamEvaluation"]).review_state == "approved"
        assert "补充" in db.session.get(TeamEvaluation, ids["TeamEvaluation"]).description


def test_projects_imported_into_the_team(app, login_as):
    from openpyxl import Workbook

    pk = _team(app, login_as)
    ex = login_as(EXEC)
    # before the start the import is refused
    assert ex.get(f"/imports/grassroots.projects/?ctx={pk}").status_code == 404
    ex.post(f"/grassroots/teams/run/{pk}/start", data={"started": "1", "start_date": "2027-03-01", "mode": "single"})
    r = ex.get(f"/imports/grassroots.projects/template?ctx={pk}")
    assert r.status_code == 200
    wb = Workbook()
    ws = wb.active
    ws.append(["*项目名称", "*服务地点", "*服务内容", "*开始日期", "结束日期", "受益人数"])
    ws.append(["乡村义诊", "黄陂区", "健康咨询", "2027-03-02", "2027-03-03", 120])
    ws.append(["技术培训", "新洲区", "培训", "2027-04-10", "2027-04-01", 30])  # ends before it starts
    buf = io.BytesIO()
    wb.save(buf)
    r = ex.post("/imports/grassroots.projects/", data={"ctx": str(pk), "file": (io.BytesIO(buf.getvalue()), "项目.xlsx")},
                content_type="multipart/form-data")
    page = ex.get(r.headers["Location"]).get_data(as_text=True)
    assert "检查通过1条" in page and "结束日期不能早于开始日期" in page
    batch = int(r.headers["Location"].rstrip("/").split("/")[-1])
    r = ex.post(f"/imports/batch/{batch}/commit")
    assert r.headers["Location"].endswith(f"/grassroots/teams/run/{pk}?tab=projects")
    with app.app_context():
        names = db.session.scalars(select(ServiceProject.name).where(ServiceProject.team_id == pk)).all()
    assert names == ["乡村义诊"]
    # another unit cannot import into this team
    assert login_as("hb_wh_jh_e1_admin").get(f"/imports/grassroots.projects/?ctx={pk}").status_code == 404
