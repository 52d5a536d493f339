"""附件上传/下载, 数据统计, 机构信息 and the 选派管理 menus of the commissioner departments
(TC-07 … TC-09), through the real views and within each department's scope."""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.services.core import attachments
from models.commissioner.individual import Application, Commissioner
from models.commissioner.team import TeamApplication
from tests.conftest import line_slugs


def _names(data: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, body in files.items():
            zf.writestr(name, body)
    return buf.getvalue()


def _app_id(app, person: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Application.id).join(Commissioner).where(Commissioner.name == person))


def test_city_uploads_its_stamped_scans_in_one_zip(app, login_as):
    city = login_as("hbkj_yc_admin")
    r = city.get("/commissioner/files/bundle/individual")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    names = _names(r.data)
    sheet = next(n for n in names if "张果林_个人申请表.pdf" in n)  # 宜昌 is 张果林's home city
    assert re.match(r"^\d{5}_张果林_", sheet)
    assert not any("王晓农" in n for n in names)  # 武汉's applicant
    pdf = zipfile.ZipFile(io.BytesIO(r.data)).read(sheet)
    foreign = _app_id(app, "王晓农")
    upload = _zip({
        sheet: pdf,  # the downloaded name, stamped and scanned
        f"{foreign:05d}_王晓农_个人申请表.pdf": pdf,  # another city's applicant: not in this city's records
        "扫描件_无法识别.pdf": pdf,
        f"{sheet[:6]}张果林_照片.pdf": b"GIF89a not a pdf",
    })
    r = city.post("/commissioner/files/upload", data={"file": (io.BytesIO(upload), "盖章扫描件.zip")},
                  content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert "上传完成：保存1个文件，未保存3个" in page
    assert page.count("未找到对应的记录") == 2 and "不是允许的类型" in page
    with app.app_context():
        mine = db.session.get(Application, _app_id(app, "张果林"))
        assert [f.file_name for f in attachments.current(mine, "city_stamped")] == [sheet]
        assert attachments.current(db.session.get(Application, foreign), "city_stamped") == []
    # the next download carries the scan; the province finds it among the 审核附件
    assert any(n.endswith(f"_{sheet}") for n in _names(city.get("/commissioner/files/bundle/individual").data))
    stamped = _names(login_as("hbkj_admin").get("/commissioner/files/bundle/stamped").data)
    assert any("张果林" in n for n in stamped)
    # not a zip nor a PDF: refused whole, nothing stored
    r = city.post("/commissioner/files/upload", data={"file": (io.BytesIO(b"hello"), "x.txt")},
                  content_type="multipart/form-data")
    assert "请上传PDF文件或包含PDF文件的zip压缩包" in r.get_data(as_text=True)


def test_legal_unit_uploads_its_teams_stamped_applications(app, login_as):
    legal = login_as("hbkj_hzau_admin")
    names = _names(legal.get("/commissioner/files/bundle/team").data)
    assert any("柑橘绿色生产技术服务团队_团队申请表.pdf" in n for n in names)
    assert not any("茶叶提质增效" in n for n in names)  # 湖北省农业科学院's team
    sheet = next(n for n in names if "水稻优质高产技术服务团队_团队申请表.pdf" in n)
    r = legal.post("/commissioner/files/upload", data={"file": (io.BytesIO(b"%PDF-1.4 scan"), sheet)},
                   content_type="multipart/form-data")
    assert "保存1个文件" in r.get_data(as_text=True)
    with app.app_context():
        rec = db.session.scalar(select(TeamApplication).where(TeamApplication.id == int(sheet[:5])))
        assert [f.slot for f in attachments.current(rec)] == ["unit_stamped"]
    # a legal unit has no individual applications nor other bundles
    assert legal.get("/commissioner/files/bundle/individual").status_code == 404
    assert legal.get("/commissioner/files/bundle/orgs").status_code == 404


def test_province_downloads_every_kind_of_attachment(login_as):
    prov = login_as("hbkj_admin")
    page = prov.get("/commissioner/files/").get_data(as_text=True)
    for label in ("个人申请表", "团队申请表", "单位附件", "审核附件", "个人服务协议", "团队服务协议"):
        assert label in page
    orgs = _names(prov.get("/commissioner/files/bundle/orgs").data)
    assert any("华中农业大学_盖章法人申请表.pdf" in n for n in orgs)
    agreements = _names(prov.get("/commissioner/files/bundle/agreements").data)
    assert any("赵丰收" in n for n in agreements)
    teams = _names(prov.get("/commissioner/files/bundle/team_agreements").data)
    assert any("柑橘绿色生产技术服务团队" in n for n in teams)
    assert prov.get("/commissioner/files/bundle/nothing").status_code == 404
    # a city gets its own bundles only
    assert login_as("hbkj_wh_admin").get("/commissioner/files/bundle/orgs").status_code == 404


def test_statistics_tables_stay_within_scope_and_export(login_as):
    prov = login_as("hbkj_admin").get("/commissioner/stats/").get_data(as_text=True)
    assert "科技特派员派出统计" in prov and "法人单位信息统计" in prov and "单位团队统计" in prov
    wb = load_workbook(io.BytesIO(login_as("hbkj_admin").get("/commissioner/stats/export/dispatch").data))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0] == ("服务地市", "个人科技特派员人数", "法人科技特派员人数", "团队负责人人数", "派出团队数", "法人单位数")
    by_city = {r[0]: r for r in rows[1:]}
    assert by_city["武汉市科学技术局"][1] >= 1  # 赵丰收 serves 武汉
    assert by_city["宜昌市科学技术局"][2] >= 4 and by_city["宜昌市科学技术局"][4] >= 1  # the approved citrus team
    assert "合计" in by_city
    # a city sees its own row only; a legal unit its own unit and teams
    city = login_as("hbkj_wh_admin").get("/commissioner/stats/data").get_json()
    assert city["xAxis"]["data"] == ["武汉市科学技术局"]
    legal = login_as("hbkj_hzau_admin")
    page = legal.get("/commissioner/stats/").get_data(as_text=True)
    assert "华中农业大学" in page and "湖北省农业科学院" not in page and "茶叶提质增效" not in page
    assert legal.get("/commissioner/stats/export/dispatch").status_code == 404
    wb = load_workbook(io.BytesIO(legal.get("/commissioner/stats/export/teams").data))
    assert {r[1] for r in list(wb.active.iter_rows(values_only=True))[1:]} == {"华中农业大学"}


def test_stage_lists_show_what_waits_at_each_step(login_as):
    prov = login_as("hbkj_admin")
    push = prov.get("/commissioner/applications/list/?todo=push").get_data(as_text=True)
    assert "张果林" in push and "李田丰" not in push  # 张果林 waits for 推送; 李田丰 still at 武汉
    assert 'value="push"' in push and 'value="approve"' not in push  # the batch bar of 推送管理
    accept = login_as("hbkj_yc_admin").get("/commissioner/applications/list/?todo=accept").get_data(as_text=True)
    assert "刘茶香" in accept and 'value="decline"' in accept  # pushed to 宜昌
    review = login_as("hbkj_yc_admin").get("/commissioner/applications/list/?todo=review").get_data(as_text=True)
    assert "刘茶香" not in review
    team = login_as("hbkj_hbaas_admin").get("/commissioner/team-applications/list/?todo=review").get_data(as_text=True)
    assert "茶叶提质增效技术服务团队" in team


def test_each_department_finds_the_manuals_menu(login_as):
    def menu(login: str) -> str:
        return login_as(login).get("/commissioner/org/").get_data(as_text=True)

    prov = menu("hbkj_admin")
    for item in ("机构信息", "法人审核", "附件上传/下载", "申请审核", "推送管理", "审核记录", "数据统计", "单位信息",
                 "科技特派员人员", "团队服务协议（查看）"):
        assert item in prov, item
    assert "对接审核" not in prov
    assert "专家服务基层" not in prov  # another business line's menu
    if "grassroots" in line_slugs():
        assert "专家服务基层" in login_as("hb_admin").get("/").get_data(as_text=True)
    city = menu("hbkj_yc_admin")
    assert all(i in city for i in ("机构信息", "附件上传/下载", "申请审核", "对接审核", "审核记录", "数据统计"))
    assert "推送管理" not in city and "法人审核" not in city
    legal = menu("hbkj_hzau_admin")
    assert all(i in legal for i in ("机构信息", "附件上传/下载", "申请审核", "审核记录", "团队服务协议（查看）", "数据统计"))
    assert "推送管理" not in legal and "对接审核" not in legal and "科技特派员人员" not in legal
    # a unit of another business line sees none of it
    other = login_as("hb_wh_admin").get("/").get_data(as_text=True)
    assert "/commissioner/org/" not in other and "/commissioner/files/" not in other


def test_org_info_is_edited_by_the_administrator_only(app, login_as):
    staff = login_as("hbkj_xy_staff")
    r = staff.post("/commissioner/org/", data={"name": "襄阳市科学技术局", "location": "襄阳", "phone": "0710-3000000",
                                      "contact": "某人", "contact_phone": "0710-3000001"}, follow_redirects=True)
    assert "只有单位管理员可以修改机构信息" in r.get_data(as_text=True)
    admin = login_as("hbkj_xy_admin")
    r = admin.post("/commissioner/org/", data={"name": "襄阳市科学技术局", "location": "襄阳市樊城区", "phone": "0710-3000000",
                                      "contact": "周联络", "contact_phone": "电话"}, follow_redirects=True)
    assert "请填写正确的电话号码" in r.get_data(as_text=True)
    r = admin.post("/commissioner/org/", data={"name": "襄阳市科学技术局", "location": "襄阳市樊城区", "phone": "0710-3000000",
                                      "contact": "周联络", "contact_phone": "0710-3000001"})
    assert r.status_code == 302
    # the province's 单位信息 table exports every unit's information
    wb = load_workbook(io.BytesIO(login_as("hbkj_admin").get("/commissioner/orgs/export/").data))
    rows = {r[0]: r for r in wb.active.iter_rows(values_only=True)}
    assert rows["襄阳市科学技术局"][4] == "襄阳市樊城区" and rows["华中农业大学"][2] == "事业单位"
    assert rows["湖北省林业科学研究院"][-1] == "待审核"


def test_the_legal_unit_reviews_but_cannot_withdraw_a_leaders_application(app, login_as):
    with app.app_context():
        pk = db.session.scalar(select(TeamApplication.id).join(TeamApplication.team).where(
            TeamApplication.team.has(name="茶叶提质增效技术服务团队")))
    legal = login_as("hbkj_hbaas_admin")
    page = legal.get(f"/commissioner/team-applications/review/{pk}").get_data(as_text=True)
    assert 'value="approve"' in page and 'value="withdraw"' not in page
    r = legal.post(f"/commissioner/team-applications/review/{pk}", data={"action": "withdraw"}, follow_redirects=True)
    assert "当前状态或您的权限不能执行该操作" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(TeamApplication, pk).review_state == "pending"


def test_lists_ignore_ordering_by_related_or_unknown_columns(login_as):
    prov = login_as("hbkj_admin")
    for column in ("unit.active", "unit.categories", "unit.legal_name", "no_such_column", "contact"):
        r = prov.get(f"/commissioner/orgs/list/?_oc_CommissionerOrgListView={column}&_od_CommissionerOrgListView=asc")
        assert r.status_code == 200 and "华中农业大学" in r.get_data(as_text=True), column
    if "grassroots" in line_slugs():
        r = login_as("hb_admin").get("/grassroots/bases/list/?_oc_GrassrootsExpertBaseView=unit.parent&_od_GrassrootsExpertBaseView=desc")
        assert r.status_code == 200
