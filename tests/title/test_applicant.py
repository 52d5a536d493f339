"""职称申报人 through the real views (TR-10): registration and login by ID number, the application's
sections with their errors, achievement entries of three template kinds with files, the materials, each
deadline, the region refusal (and 委托评审), the year bar after a rejection, and one person never reaching
another's application, entries or files."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import os
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.conftest import Client, unique, unique_phone

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PASSWORD = "Zc@2026abc"
_seq = itertools.count(1)


def id_number(region: str = "511102", born: str = "19850301") -> str:
    """A valid 居民身份证号码 no other test of this run uses."""
    n = (next(_seq) * 37 + os.getpid()) % 1000
    body = f"{region}{born}{n:03d}"
    check = (1 - 2 * int(body, 13)) % 11
    return body + ("X" if check == 10 else str(check))


def unit_id(app, name: str) -> int:
    from models.core.unit import Unit

    with app.app_context():
        return db.session.scalar(select(Unit.id).where(Unit.name == name))


def errors_of(r) -> list[str]:
    return re.findall(r'field-error">([^<]+)', r.get_data(as_text=True))


def register(app, unit: str = "乐山市建筑设计研究院", name: str = "张工") -> tuple[Client, str]:
    c = Client(app)
    c.token()
    idn = id_number()
    r = c.post("/title/register/", data={"name": name, "id_number": idn, "phone": unique_phone(), "password": PASSWORD,
                                         "password2": PASSWORD, "unit": str(unit_id(app, unit))})
    assert r.status_code == 302, errors_of(r)
    person = Client(app)
    assert person.login(idn, PASSWORD).status_code == 302
    person._refresh_token()
    return person, idn


def make_activity(app, *, unit: str = "乐山市人力资源和社会保障局", region: str = "511100", series: str = "08",
                  start: float = -1, first: float = 10, resubmit: float = 12, receive: float = 15,
                  natures: str = "", internal: bool = False, public: bool = True) -> dict[str, int]:
    """A filed committee and its approved, published activity (levels, three achievement items, materials)."""
    from models.title import AchievementItem, Activity, ActivityLevel, ActivityMaterial, Committee

    owner = unit_id(app, unit)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    day = dt.timedelta(days=1)
    with app.app_context():
        committee = Committee(unit_id=owner, name=unique("工程技术系列中级职称评审委员会"), agency="职改办", office="职改办",
                              levels="3,4", authority_unit_id=owner, filing_unit_id=owner, contact="联系人",
                              contact_phone="0833-2100000", address="乐山", series=series, region_codes=region,
                              applicant_natures=natures, internal_only=internal, review_state="approved",
                              filed_at=now, valid_until=dt.date.today() + dt.timedelta(days=900))
        db.session.add(committee)
        db.session.flush()
        activity = Activity(unit_id=owner, committee_id=committee.id, name=unique("评审活动"), scope_text="全市", year=now.year,
                            apply_start=now + start * day, first_submit_until=now + first * day,
                            resubmit_until=now + resubmit * day, receive_until=now + receive * day, public=public,
                            review_state="approved", published_at=now, stage="receiving", saved_part="materials")
        db.session.add(activity)
        db.session.flush()
        db.session.add(ActivityLevel(activity_id=activity.id, level="3", majors="建筑工程\n结构工程"))
        items = [AchievementItem(activity_id=activity.id, sort=i, heading=h, templates=t, requirement=f"{h}的要求")
                 for i, (h, t) in enumerate([("业绩成果", "general"), ("论文论著", "paper,book"),
                                             ("专业能力", "patent,standard")], start=1)]
        db.session.add_all(items)
        db.session.add_all([ActivityMaterial(activity_id=activity.id, sort=1, name="学历证书", required=True),
                            ActivityMaterial(activity_id=activity.id, sort=2, name="其他材料", required=False)])
        db.session.commit()
        return {"committee": committee.id, "activity": activity.id, "general": items[0].id, "paper": items[1].id,
                "patent": items[2].id, "material": activity.materials[0].id}


def set_activity(app, pk: int, **days: float) -> None:
    from models.title import Activity

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with app.app_context():
        activity = db.session.get(Activity, pk)
        for key, value in days.items():
            setattr(activity, key, now + dt.timedelta(days=value))
        db.session.commit()


def application_of(app, activity: int, idn: str):
    from models.title import Application

    with app.app_context():
        row = db.session.scalar(select(Application).where(Application.activity_id == activity,
                                                          Application.id_number == idn))
        return (row.id, row.review_state, row.review_unit_id) if row else None


APPLY = {"level": "3", "major": "建筑工程", "eval_method": "normal", "category": "direct"}
SECTIONS = {
    "person": {"ethnicity": "01", "politics": "01", "phone": "13812345678", "post": "主任工程师", "work_start": "2008-07-01"},
    "current": {"current_series": "08", "current_level": "4", "current_title": "助理工程师", "current_title_date": "2012-12-01"},
    "education": {"education": "21", "school": "西南交通大学", "school_major": "土木工程", "graduated_on": "2008-06-30",
                  "edu_start": "2004-09-01", "edu_end": "2008-06-30", "edu_school": "西南交通大学", "edu_major": "土木工程",
                  "edu_education": "21"},
    "works": {"work_start": "2008-07-01", "work_end": "", "work_workplace": "乐山市建筑设计研究院", "work_post": "工程师",
              "work_content": "建筑结构设计"},
    "summary": {"summary": "从事建筑结构设计工作十余年。"},
}
ENTRIES = {
    "general": {"e_start": "2018-01-01", "e_end": "2019-12-31", "e_work_name": "乐山市体育中心结构设计",
                "e_after_title": "是", "e_role": "主持", "e_result": "已竣工"},
    "paper": {"e_name": "高层建筑抗震设计探讨", "e_published_on": "2020-05-01", "e_category": "期刊论文",
              "e_journal": "建筑结构", "e_issn": "CN11-2833/TU", "e_rank": "1", "e_words": "5"},
    "patent": {"e_name": "一种抗震支座", "e_patent_type": "实用新型专利", "e_patent_no": "ZL2020001",
               "e_approved_on": "2021-03-01", "e_rank": "1", "e_country": "中国"},
}


def fill(app, c: Client, ids: dict[str, int], *, entries: bool = True, material: bool = True) -> int:
    r = c.post(f"/title/my/activity/{ids['activity']}/apply", data=APPLY)
    assert r.status_code == 302, errors_of(r)
    pk = int(r.headers["Location"].rstrip("/").split("/")[-1])
    for section, data in SECTIONS.items():
        r = c.post(f"/title/my/application/{pk}/save", data={**data, "section": section})
        assert r.status_code == 302, (section, errors_of(r))
    if entries:
        r = c.post(f"/title/my/application/{pk}/item/{ids['general']}/entry?template=general", data=ENTRIES["general"])
        assert r.status_code == 302, errors_of(r)
    if material:
        r = c.post(f"/title/my/application/{pk}/material",
                   data={"material": str(ids["material"]), "file": (io.BytesIO(PDF), "毕业证.pdf")}, content_type="multipart/form-data")
        assert r.status_code == 302
    return pk


@pytest.fixture()
def review_right(monkeypatch):
    """Reviewers act through the engine here (the review screens are another part's): the matter's
    permission is taken as held."""
    from app.workflow import engine

    monkeypatch.setattr(engine, "_has_permission", lambda matter, user: True)


def review(app, pk: int, login: str, action: str, opinion: str = "意见", target: str | None = None) -> None:
    from app.services.title.review import APPLICATION
    from app.workflow import act
    from models.core.user import UnitUser
    from models.title import Application

    with app.test_request_context():
        user = db.session.scalar(select(UnitUser).where(UnitUser.username == login))
        act(APPLICATION, db.session.get(Application, pk), user, action, opinion=opinion, target=target)
        db.session.commit()
        db.session.remove()


# -- registration -----------------------------------------------------------------------------------


def test_register_and_login_by_id_number(app):
    c = Client(app)
    assert "职称申报人注册" in c.get("/title/register/").get_data(as_text=True)
    # the unit picker offers the title units by name, nothing of another line
    names = [row["text"] for row in c.get("/title/register/units?q=乐山").get_json()["results"]]
    assert "乐山市建筑设计研究院" in names and "乐山市住房和城乡建设局" in names
    assert not c.get("/title/register/units?q=湖北省科学技术厅").get_json()["results"]
    c.token()
    idn = id_number()
    phone = unique_phone()
    bad = {"name": "李工", "id_number": idn[:-1] + ("0" if idn[-1] != "0" else "1"), "phone": "123",
           "password": PASSWORD, "password2": "other", "unit": ""}
    r = c.post("/title/register/", data=bad)
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "身份证号码校验位不正确" in page and "请填写正确的11位手机号码" in page and "请选择工作单位" in page
    assert 'value="李工"' in page  # what was typed stays
    good = {"name": "李工", "id_number": idn.lower(), "phone": phone, "password": PASSWORD, "password2": PASSWORD,
            "unit": str(unit_id(app, "乐山市建筑设计研究院"))}
    r = c.post("/title/register/", data=good)
    assert r.status_code == 302, errors_of(r)
    from models.core.user import UnitUser

    with app.app_context():
        user = db.session.scalar(select(UnitUser).where(UnitUser.username == idn.upper()))
        assert user.user_type == "person" and user.line == "title" and user.id_number == idn.upper()
        assert [r.name for r in user.roles] == ["职称申报人"]
        assert user.unit.name == "乐山市建筑设计研究院"
    # the ID number is the login name
    person = Client(app)
    assert person.login(idn, PASSWORD).status_code == 302
    person._refresh_token()
    assert person.get("/title/my/activities").status_code == 200
    assert person.get("/title/my/applications").status_code == 200
    home = person.get("/").get_data(as_text=True)
    assert "我的职称申报" in home
    # an ID number or a phone registered once is refused
    for data in ({**good, "phone": unique_phone()}, {**good, "id_number": id_number()}):
        r = c.post("/title/register/", data=data)
        assert r.status_code == 200 and "该用户已经被注册" in r.get_data(as_text=True)


def test_portal_links_to_registration(app):
    page = Client(app).get("/title/register/").get_data(as_text=True)
    assert "证件号码" in page and "工作单位" in page


# -- the form ---------------------------------------------------------------------------------------


def test_sections_name_every_error_and_keep_what_was_typed(app):
    ids = make_activity(app)
    c, idn = register(app)
    page = c.get("/title/my/activities").get_data(as_text=True)
    assert "可申报的评审活动" in page and f"/title/my/activity/{ids['activity']}" in page
    # the activity's policy file is offered (its internal plan is not)
    from app.services.core import attachments
    from models.title import Activity

    with app.app_context():
        activity = db.session.get(Activity, ids["activity"])
        policy = attachments.save_upload(activity, "policy", io.BytesIO(PDF), "评审政策.pdf", owner_checked=True)
        plan = attachments.save_upload(activity, "plan", io.BytesIO(PDF), "内部方案.pdf", owner_checked=True)
        db.session.commit()
        policy_id, plan_id = policy.id, plan.id
    page = c.get(f"/title/my/activity/{ids['activity']}").get_data(as_text=True)
    assert "学历证书" in page and "论文论著" in page and "建筑工程" in page
    assert "评审政策.pdf" in page and "内部方案.pdf" not in page
    assert c.get(f"/title/my/activity/{ids['activity']}/file?file={policy_id}").status_code == 200
    assert c.get(f"/title/my/activity/{ids['activity']}/file?file={plan_id}").status_code == 404
    # 申报信息: a level the activity does not open, a major of no level
    r = c.post(f"/title/my/activity/{ids['activity']}/apply", data={**APPLY, "level": "1", "major": ""})
    assert r.status_code == 200
    errs = errors_of(r)
    assert any("未开设“正高级”层级" in e for e in errs) and "请选择申报专业" in errs
    assert application_of(app, ids["activity"], idn) is None
    r = c.post(f"/title/my/activity/{ids['activity']}/apply", data={**APPLY, "major": "道路工程"})
    assert any("未开设“道路工程”专业" in e for e in errors_of(r))
    pk = fill(app, c, ids, entries=False, material=False)
    # one application per person per activity
    r = c.post(f"/title/my/activity/{ids['activity']}/apply", data=APPLY, follow_redirects=True)
    assert "每人每个评审活动只能申报一次" in r.get_data(as_text=True)
    # 个人信息: every problem named beside its field, what was typed kept, nothing saved
    r = c.post(f"/title/my/application/{pk}/save", data={"section": "person", "ethnicity": "", "politics": "99", "phone": "1381234",
                                                                "post": "新职务", "work_start": "2008/07/01"})
    assert r.status_code == 200
    errs = errors_of(r)
    assert "请选择民族" in errs and "请从列表中选择政治面貌" in errs and "请填写正确的11位手机号码" in errs
    assert any("参加工作时间格式应为" in e for e in errs)
    page = r.get_data(as_text=True)
    assert 'value="1381234"' in page and 'value="新职务"' in page
    from models.title import Application

    with app.app_context():
        assert db.session.get(Application, pk).post == "主任工程师"
    # 学历: a study row without its school is named by its row
    r = c.post(f"/title/my/application/{pk}/save", data={"section": "education", **SECTIONS["education"],
                                                                "edu_school": "", "edu_end": "2003-01-01"})
    errs = errors_of(r)
    assert "请填写学校" in errs and "结束时间不能早于开始时间" in errs
    # 工作经历: at least one
    r = c.post(f"/title/my/application/{pk}/save", data={"section": "works", "work_start": "", "work_workplace": ""})
    assert "请至少填写一段工作经历" in errors_of(r)
    # the saved application shows the sections, the items and the materials
    page = c.get(f"/title/my/application/{pk}").get_data(as_text=True)
    for text in ("西南交通大学", "乐山市建筑设计研究院", "从事建筑结构设计工作十余年", "论文论著", "学历证书", "新增论文", "新增专利"):
        assert text in page, text


def test_entries_of_three_template_kinds_with_files(app, login_as):
    ids = make_activity(app)
    c, idn = register(app)
    pk = fill(app, c, ids, entries=False, material=False)
    # a missing required field and a value out of the template's choices: named, typed data kept
    r = c.post(f"/title/my/application/{pk}/item/{ids['paper']}/entry?template=paper",
               data={**ENTRIES["paper"], "e_journal": "", "e_category": "随笔", "e_words": "很多"})
    assert r.status_code == 200
    errs = errors_of(r)
    assert "请填写刊物名称" in errs and "请从列表中选择类别" in errs and "本人完成字数（千字）应为不小于0的数字" in errs
    assert "高层建筑抗震设计探讨" in r.get_data(as_text=True)
    # a template the item does not use
    assert c.get(f"/title/my/application/{pk}/item/{ids['paper']}/entry?template=patent").status_code == 404
    made = []
    for kind, item in (("general", "general"), ("paper", "paper"), ("patent", "patent")):
        r = c.post(f"/title/my/application/{pk}/item/{ids[item]}/entry?template={kind}", data=ENTRIES[kind])
        assert r.status_code == 302, errors_of(r)
        entry = int(r.headers["Location"].rstrip("/").split("/")[-1])
        r = c.post(f"/attachments/upload/title.achievement/{entry}/file",
                   data={"file": (io.BytesIO(PDF), f"{kind}证明.pdf"), "next": f"/title/my/application/{pk}/entry/{entry}"},
                   content_type="multipart/form-data")
        assert r.status_code == 302
        made.append(entry)
    from models.core.attachment import Attachment
    from models.title import AchievementEntry

    with app.app_context():
        rows = db.session.scalars(select(AchievementEntry).where(AchievementEntry.application_id == pk)).all()
        assert sorted(e.template for e in rows) == ["general", "paper", "patent"]
        assert rows[0].user_id and rows[0].unit_id == unit_id(app, "乐山市建筑设计研究院")
        files = db.session.scalars(select(Attachment).where(Attachment.owner_type == "title.achievement",
                                                            Attachment.owner_id.in_(made))).all()
        assert len(files) == 3
        file_id = files[0].id
    page = c.get(f"/title/my/application/{pk}").get_data(as_text=True)
    assert "乐山市体育中心结构设计" in page and "general证明.pdf" in page and "一种抗震支座" in page
    assert c.get(f"/attachments/download/{file_id}").status_code == 200
    # the applicant's own unit sees the file; another branch does not
    assert login_as("ls_jzy_admin").get(f"/attachments/download/{file_id}").status_code == 200
    assert login_as("ls_jx_admin").get(f"/attachments/download/{file_id}").status_code == 404
    # editing an entry keeps the rules; deleting removes it with its files
    r = c.post(f"/title/my/application/{pk}/entry/{made[2]}", data={**ENTRIES["patent"], "e_name": "很" * 21})
    assert "专利名称/标准名称不能超过20个字" in errors_of(r)
    r = c.post(f"/title/my/application/{pk}/entry/{made[2]}/delete")
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(AchievementEntry, made[2]) is None


# -- submission and deadlines ---------------------------------------------------------------------------


def test_submit_checks_and_each_deadline(app, review_right):
    ids = make_activity(app, start=1)  # 申报开始时间 tomorrow
    c, idn = register(app)
    pk = fill(app, c, ids, material=False)
    r = c.post(f"/title/my/application/{pk}/submit", follow_redirects=True)
    assert "尚未开始，不能提交" in r.get_data(as_text=True)
    set_activity(app, ids["activity"], apply_start=-1)
    # a required material missing
    r = c.post(f"/title/my/application/{pk}/submit", follow_redirects=True)
    assert "请上传评审会需求材料：学历证书" in r.get_data(as_text=True)
    r = c.post(f"/title/my/application/{pk}/material",
               data={"material": str(ids["material"]), "file": (io.BytesIO(PDF), "毕业证.pdf")}, content_type="multipart/form-data")
    page = c.get(f"/title/my/application/{pk}").get_data(as_text=True)
    assert "【学历证书】毕业证.pdf" in page
    # an entry lacking a field its template requires (kept from an earlier template, say): item, entry, field named
    from models.title import AchievementEntry

    with app.app_context():
        entry = db.session.scalar(select(AchievementEntry).where(AchievementEntry.application_id == pk))
        entry.data = {**entry.data, "after_title": ""}
        entry_id = entry.id
        db.session.commit()
    r = c.post(f"/title/my/application/{pk}/submit", follow_redirects=True)
    assert "业绩成果“业绩成果”的第1条（乐山市体育中心结构设计" in r.get_data(as_text=True)
    assert "缺少必填项：是否取得现职称后业绩成果" in r.get_data(as_text=True)
    assert application_of(app, ids["activity"], idn)[1] == "draft"
    with app.app_context():
        entry = db.session.get(AchievementEntry, entry_id)
        entry.data = {**entry.data, "after_title": "是"}
        db.session.commit()
    jzy = unit_id(app, "乐山市建筑设计研究院")
    r = c.post(f"/title/my/application/{pk}/submit", follow_redirects=True)
    assert "已提交审核" in r.get_data(as_text=True)
    assert application_of(app, ids["activity"], idn)[1:] == ("pending", jzy)
    page = c.get(f"/title/my/application/{pk}").get_data(as_text=True)
    assert "正在审核中，不能修改" in page and "撤回" in page
    r = c.post(f"/title/my/application/{pk}/save", data={"section": "summary", "summary": "改"})
    assert "正在审核中，不能修改" in r.get_data(as_text=True)
    # withdraw while nobody acted, then submit again
    c.post(f"/title/my/application/{pk}/submit", data={"action": "withdraw"})
    assert application_of(app, ids["activity"], idn)[1] == "withdrawn"
    c.post(f"/title/my/application/{pk}/submit")
    assert application_of(app, ids["activity"], idn)[1] == "pending"
    # a return: editable and resubmitted until 个人修改提交截止时间, even after the first deadline
    review(app, pk, "ls_jzy_admin", "return", "请补充论文", target="applicant")
    set_activity(app, ids["activity"], first_submit_until=-0.5)
    page = c.get(f"/title/my/application/{pk}").get_data(as_text=True)
    assert "请补充论文" in page and "已退回" in page and "title-readonly" not in page
    r = c.post(f"/title/my/application/{pk}/save", data={"section": "summary", "summary": "补充后的总结"})
    assert r.status_code == 302
    c.post(f"/title/my/application/{pk}/submit")
    assert application_of(app, ids["activity"], idn)[1:] == ("pending", jzy)
    # after 个人修改提交截止时间: read-only, saying why, and the resubmission refused
    review(app, pk, "ls_jzy_admin", "return", "再补充", target="applicant")
    set_activity(app, ids["activity"], resubmit_until=-0.1)
    page = c.get(f"/title/my/application/{pk}").get_data(as_text=True)
    assert "个人修改提交截止时间" in page and "已过，不能再修改" in page
    r = c.post(f"/title/my/application/{pk}/save", data={"section": "summary", "summary": "再改"})
    assert "已过，不能再修改" in r.get_data(as_text=True)
    r = c.post(f"/title/my/application/{pk}/submit", follow_redirects=True)
    assert "修改后再次提交已于" in r.get_data(as_text=True)
    assert application_of(app, ids["activity"], idn)[1] == "returned"
    # the messages about it show on the page
    assert "相关消息" in page and "退回" in page


def test_first_submission_deadline(app):
    ids = make_activity(app)
    c, idn = register(app)
    pk = fill(app, c, ids)
    set_activity(app, ids["activity"], first_submit_until=-0.1)
    r = c.post(f"/title/my/application/{pk}/submit", follow_redirects=True)
    assert "提交已于" in r.get_data(as_text=True) and "截止" in r.get_data(as_text=True)
    assert application_of(app, ids["activity"], idn)[1] == "draft"
    page = c.get(f"/title/my/application/{pk}").get_data(as_text=True)
    assert "个人初次提交截止时间" in page and "已过，不能再修改" in page
    # a new application is refused too
    other, _idn = register(app)
    r = other.post(f"/title/my/activity/{ids['activity']}/apply", data=APPLY, follow_redirects=True)
    assert "已过，不能再申报" in r.get_data(as_text=True)


def test_region_refusal_and_entrusted(app):
    # 成都's committee: its activity is listed apart, for 委托评审 only
    ids = make_activity(app, unit="四川省人力资源和社会保障厅", region="510100")
    c, idn = register(app)
    page = c.get("/title/my/activities").get_data(as_text=True)
    assert "其他地区的评审活动" in page and "查看（委托评审）" in page
    r = c.post(f"/title/my/activity/{ids['activity']}/apply", data=APPLY)
    assert any("评审区域不包含您所在单位" in e and "委托评审" in e for e in errors_of(r))
    assert application_of(app, ids["activity"], idn) is None
    r = c.post(f"/title/my/activity/{ids['activity']}/apply", data={**APPLY, "category": "entrusted"})
    assert r.status_code == 302
    # a fitting activity whose committee's region changes afterwards: the submission is refused, naming why
    ids2 = make_activity(app)
    pk = fill(app, c, ids2)
    from models.title import Committee

    with app.app_context():
        db.session.get(Committee, ids2["committee"]).region_codes = "510100"
        db.session.commit()
    r = c.post(f"/title/my/application/{pk}/submit", follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "的评审区域不包含您所在单位（乐山市建筑设计研究院）" in page and "委托评审" in page
    assert application_of(app, ids2["activity"], idn)[1] == "draft"
    # the committee taking other unit natures only, or made internal to another unit: refused, naming why
    with app.app_context():
        committee = db.session.get(Committee, ids2["committee"])
        committee.region_codes, committee.applicant_natures = "511100", "30,40"
        db.session.commit()
    r = c.post(f"/title/my/application/{pk}/submit", follow_redirects=True)
    assert "只受理单位性质为国有企业、民营企业的申报单位人员，您所在单位的单位性质为事业单位" in r.get_data(as_text=True)
    with app.app_context():
        committee = db.session.get(Committee, ids2["committee"])
        committee.applicant_natures, committee.internal_only = "", True
        db.session.commit()
    r = c.post(f"/title/my/application/{pk}/submit", follow_redirects=True)
    assert "为单位内部自主评审委员会，只受理乐山市人力资源和社会保障局及其下级单位人员的申报" not in r.get_data(as_text=True)
    assert application_of(app, ids2["activity"], idn)[1] == "pending"  # 乐山市人社局 is above the applicant's unit
    # a unit nature the committee does not take; an internal committee of another unit is not even shown
    ids3 = make_activity(app, natures="30,40")
    ids4 = make_activity(app, unit="乐山市经济和信息化局", internal=True)
    page = c.get("/title/my/activities").get_data(as_text=True)
    assert f"/title/my/activity/{ids3['activity']}" not in page and f"/title/my/activity/{ids4['activity']}" not in page
    assert c.get(f"/title/my/activity/{ids4['activity']}").status_code == 404
    # a committee internal to another unit (made so after the application): refused at submission
    ids5 = make_activity(app)
    pk5 = fill(app, c, ids5)
    with app.app_context():
        committee = db.session.get(Committee, ids5["committee"])
        committee.internal_only, committee.unit_id = True, unit_id(app, "乐山市经济和信息化局")
        db.session.commit()
    r = c.post(f"/title/my/application/{pk5}/submit", follow_redirects=True)
    assert "为单位内部自主评审委员会，只受理乐山市经济和信息化局及其下级单位人员的申报" in r.get_data(as_text=True)
    assert application_of(app, ids5["activity"], idn)[1] == "draft"


def test_year_bar_after_a_rejection(app, review_right):
    ids = make_activity(app)
    c, idn = register(app)
    pk = fill(app, c, ids)
    c.post(f"/title/my/application/{pk}/submit")
    review(app, pk, "ls_jzy_admin", "reject", "材料不实")
    assert application_of(app, ids["activity"], idn)[1] == "rejected"
    page = c.get(f"/title/my/application/{pk}").get_data(as_text=True)
    assert "材料不实" in page and "不通过" in page
    # another activity of the same series this year: refused; another series: allowed
    same = make_activity(app)
    pk2 = fill(app, c, same)
    r = c.post(f"/title/my/application/{pk2}/submit", follow_redirects=True)
    assert "本年度不能再申报该系列" in r.get_data(as_text=True)
    assert application_of(app, same["activity"], idn)[1] == "draft"
    other = make_activity(app, series="09")
    pk3 = fill(app, c, other)
    c.post(f"/title/my/application/{pk3}/submit")
    assert application_of(app, other["activity"], idn)[1] == "pending"


def test_one_person_never_reaches_another_application(app, login_as):
    ids = make_activity(app)
    a, _ida = register(app)
    pk = fill(app, a, ids)
    from models.core.attachment import Attachment
    from models.title import AchievementEntry

    with app.app_context():
        entry = db.session.scalar(select(AchievementEntry.id).where(AchievementEntry.application_id == pk))
        material = db.session.scalar(select(Attachment.id).where(Attachment.owner_type == "title.application",
                                                                 Attachment.owner_id == pk))
    a.post(f"/attachments/upload/title.achievement/{entry}/file",
           data={"file": (io.BytesIO(PDF), "证明.pdf"), "next": "/"}, content_type="multipart/form-data")
    with app.app_context():
        entry_file = db.session.scalar(select(Attachment.id).where(Attachment.owner_type == "title.achievement",
                                                                   Attachment.owner_id == entry))
    b, _idb = register(app, unit="乐山市路桥建设有限公司", name="王工")
    for url in (f"/title/my/application/{pk}", f"/title/my/application/{pk}/entry/{entry}",
                f"/title/my/application/{pk}/item/{ids['general']}/entry", f"/attachments/download/{material}",
                f"/attachments/download/{entry_file}"):
        assert b.get(url).status_code == 404, url
    for url, data in ((f"/title/my/application/{pk}/save", {"section": "summary", "summary": "x"}),
                      (f"/title/my/application/{pk}/submit", {}),
                      (f"/title/my/application/{pk}/entry/{entry}/delete", {}),
                      (f"/title/my/application/{pk}/material/delete", {"file": str(material)})):
        assert b.post(url, data=data).status_code == 404, url
    r = b.post(f"/attachments/upload/title.achievement/{entry}/file",
               data={"file": (io.BytesIO(PDF), "x.pdf"), "next": "/"}, content_type="multipart/form-data")
    assert r.status_code == 404
    assert b.post(f"/attachments/delete/{entry_file}", data={"next": "/"}).status_code == 404
    # a unit user cannot open the person's pages at all
    assert login_as("ls_jzy_admin").get(f"/title/my/application/{pk}").status_code in (302, 403, 404)
    # nothing changed
    assert a.get(f"/attachments/download/{entry_file}").status_code == 200
    assert a.get(f"/attachments/download/{material}").status_code == 200


def test_withdraw_only_while_nobody_acted(app, review_right):
    ids = make_activity(app)
    c, idn = register(app)
    pk = fill(app, c, ids)
    c.post(f"/title/my/application/{pk}/submit")
    assert 'value="withdraw"' in c.get(f"/title/my/application/{pk}").get_data(as_text=True)
    from app.services.core import attachments
    from models.title import Application

    with app.app_context():  # the unit's 公示证明 and 单位综合推荐意见 (the review screens are another part's)
        record = db.session.get(Application, pk)
        for slot in ("gongshi", "tuijian"):
            attachments.save_upload(record, slot, io.BytesIO(PDF), f"{slot}.pdf", owner_checked=True)
        db.session.commit()
    review(app, pk, "ls_jzy_admin", "approve", "同意推荐")
    zjj = unit_id(app, "乐山市住房和城乡建设局")
    assert application_of(app, ids["activity"], idn)[1:] == ("pending", zjj)
    page = c.get(f"/title/my/application/{pk}").get_data(as_text=True)
    assert 'value="withdraw"' not in page and "同意推荐" in page
    r = c.post(f"/title/my/application/{pk}/submit", data={"action": "withdraw"}, follow_redirects=True)
    assert "不能执行该操作" in r.get_data(as_text=True)
    assert application_of(app, ids["activity"], idn)[1:] == ("pending", zjj)
