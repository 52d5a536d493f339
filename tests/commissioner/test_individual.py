"""个人科技特派员 through the real views: registration, profile, application, the whole route with a
return at each step, push to the wrong city refused, the agreement locked until approval, its
PDF and the stamped scan, and a city never reaching another city's applicants."""

from __future__ import annotations

import io
import itertools
import os
import re

from sqlalchemy import select

from app.extensions import db
from models.commissioner.individual import Application, Commissioner
from models.core.unit import Unit
from tests.conftest import Client, unique

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _unit_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Unit.id).where(Unit.name == name))


_phones = itertools.count(1)


def _register(app, login: str) -> Client:
    c = Client(app)
    c.token()
    phone = f"1373{os.getpid() % 1000:03d}{next(_phones):04d}"  # a number registers one account only
    r = c.post("/commissioner/register/", data={"name": "测试特派员", "username": login, "phone": phone,
                                       "password": "Ktp@2026x", "kind": "individual"})
    assert r.status_code == 302, re.findall(r"field-error\">([^<]+)", r.get_data(as_text=True))
    c2 = Client(app)
    assert c2.login(login, "Ktp@2026x").status_code == 302
    c2._refresh_token()
    return c2


def _fill(app, c: Client, home: str, intended: str) -> int:
    r = c.post("/commissioner/my/profile", data={"name": "测试特派员", "sex": "1", "birth_ym": "198204", "native_place": "湖北武汉",
                                        "politics": "01", "education": "14", "workplace": "华中农业大学",
                                        "post": "无", "title": "副高级", "phone": "13712345678",
                                        "city": str(_unit_id(app, home))})
    assert r.status_code == 302
    r = c.post("/commissioner/my/application", data={"major": "果树栽培", "intended_city": str(_unit_id(app, intended)),
                                            "intended_county": "夷陵区", "intended_enterprise": "宜昌柑橘公司",
                                            "industry": "柑橘", "introduction": "从事柑橘研究", "achievements": "无"})
    assert r.status_code == 302
    with app.app_context():
        return db.session.scalar(select(Application.id).join(Commissioner).where(
            Commissioner.user_id == Application.user_id, Application.major == "果树栽培").order_by(Application.id.desc()))


def _state(app, pk: int) -> tuple[str, int | None]:
    with app.app_context():
        a = db.session.get(Application, pk)
        return a.review_state, a.review_unit_id


def test_individual_path_with_returns_push_and_agreement(app, login_as):
    c = _register(app, unique("ktp"))
    # every field required ("无" allowed)
    r = c.post("/commissioner/my/profile", data={"name": "测试特派员", "sex": "1"})
    assert "为必填项，若无相关信息请填写“无”" in r.get_data(as_text=True)
    pk = _fill(app, c, "武汉市科学技术局", "宜昌市科学技术局")
    wh, yc, prov = (_unit_id(app, n) for n in ("武汉市科学技术局", "宜昌市科学技术局", "湖北省科学技术厅"))
    # the agreement is locked before the final approval
    assert "只有个人申请表通过省科技厅终审后" in c.get("/commissioner/my/agreement").get_data(as_text=True)
    r = c.post("/commissioner/my/agreement", data={"specialty": "x"})
    assert "只有个人申请表通过省科技厅终审后" in r.get_data(as_text=True)
    c.post("/commissioner/my/application/submit")
    assert _state(app, pk) == ("pending", wh)
    city, province, target = login_as("hbkj_wh_admin"), login_as("hbkj_admin"), login_as("hbkj_yc_admin")
    # another city neither sees it now nor can act on it
    assert target.get(f"/commissioner/applications/review/{pk}").status_code == 404
    assert login_as("hbkj_xy_admin").get(f"/commissioner/applications/show/{pk}").status_code == 404
    # return at the home city: the opinion shows under the form, the edit goes straight back there
    city.post(f"/commissioner/applications/review/{pk}", data={"action": "return", "opinion": "请补充主要业绩"})
    page = c.get("/commissioner/my/application").get_data(as_text=True)
    assert "请补充主要业绩" in page and "已退回" in page
    c.post("/commissioner/my/application", data={"major": "果树栽培", "intended_city": str(yc), "intended_county": "夷陵区",
                                        "intended_enterprise": "宜昌柑橘公司", "industry": "柑橘",
                                        "introduction": "从事柑橘研究", "achievements": "主持省级项目2项"})
    c.post("/commissioner/my/application/submit")
    assert _state(app, pk) == ("pending", wh)
    city.post(f"/commissioner/applications/review/{pk}", data={"action": "approve", "opinion": "同意"})
    assert _state(app, pk) == ("pending", prov)
    # a return at the province, then the province approves and reaches 推送管理
    province.post(f"/commissioner/applications/review/{pk}", data={"action": "return", "opinion": "请核实服务企业"})
    c.post("/commissioner/my/application/submit")
    assert _state(app, pk) == ("pending", prov)
    province.post(f"/commissioner/applications/review/{pk}", data={"action": "approve", "opinion": "初审通过"})
    # a return at 推送管理 (the province may push or return there): resubmitted, it is back at 推送管理
    province.post(f"/commissioner/applications/review/{pk}", data={"action": "return", "opinion": "请明确服务内容"})
    assert _state(app, pk)[0] == "returned" and "请明确服务内容" in c.get("/commissioner/my/application").get_data(as_text=True)
    c.post("/commissioner/my/application/submit")
    assert _state(app, pk) == ("pending", prov)
    page = province.get(f"/commissioner/applications/review/{pk}").get_data(as_text=True)
    assert "推送至" in page and "宜昌市科学技术局" in page
    # a forged push to another city is refused and changes nothing
    r = province.post(f"/commissioner/applications/review/{pk}", data={"action": "push", "push_to": str(wh)},
                      follow_redirects=True)
    assert "只能推送给申请中选择的单位：宜昌市科学技术局" in r.get_data(as_text=True)
    assert _state(app, pk) == ("pending", prov)
    province.post(f"/commissioner/applications/review/{pk}", data={"action": "push", "push_to": str(yc)})
    assert _state(app, pk) == ("pending", yc)
    # 不接收: back to the applicant with the opinion; resubmitted, it returns to 推送管理
    target.post(f"/commissioner/applications/review/{pk}", data={"action": "decline", "opinion": "企业需求不匹配"})
    assert _state(app, pk)[0] == "returned"
    assert "企业需求不匹配" in c.get("/commissioner/my/application").get_data(as_text=True)
    c.post("/commissioner/my/application/submit")
    assert _state(app, pk) == ("pending", prov)
    province.post(f"/commissioner/applications/review/{pk}", data={"action": "push", "push_to": str(yc)})
    target.post(f"/commissioner/applications/review/{pk}", data={"action": "accept"})
    assert _state(app, pk) == ("pending", prov)
    # a return at the final review: resubmitted, it goes straight back to the province's final review
    province.post(f"/commissioner/applications/review/{pk}", data={"action": "return", "opinion": "请补充协议意向"})
    assert "请补充协议意向" in c.get("/commissioner/my/application").get_data(as_text=True)
    c.post("/commissioner/my/application/submit")
    assert _state(app, pk) == ("pending", prov)
    assert 'value="approve"' in province.get(f"/commissioner/applications/review/{pk}").get_data(as_text=True)
    province.post(f"/commissioner/applications/review/{pk}", data={"action": "approve", "opinion": "同意选派"})
    assert _state(app, pk) == ("approved", None)
    assert "审核成功" in c.get("/commissioner/my/application").get_data(as_text=True)
    assert "省级科技特派员" in c.get("/commissioner/my/profile").get_data(as_text=True)
    # the agreement now opens; its PDF downloads; the stamped scan uploads (PDF only)
    r = c.post("/commissioner/my/agreement", data={"specialty": "柑橘品种改良", "enterprise_business": "柑橘种植",
                                          "needs": "提高优质果率", "work_plan": "每季度驻企10天", "targets": "优质果率提高10%"})
    assert r.status_code == 302
    r = c.get("/commissioner/my/agreement/pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    with app.app_context():
        from models.commissioner.individual import Agreement

        agreement_id = db.session.scalar(select(Agreement.id).where(Agreement.application_id == pk))
    r = c.post(f"/attachments/upload/commissioner.agreement/{agreement_id}/stamped",
               data={"file": (io.BytesIO(b"not a pdf"), "盖章协议.pdf")}, content_type="multipart/form-data",
               follow_redirects=True)
    assert "内容不是允许的类型" in r.get_data(as_text=True)
    c.post(f"/attachments/upload/commissioner.agreement/{agreement_id}/stamped",
           data={"file": (io.BytesIO(PDF), "盖章协议.pdf")}, content_type="multipart/form-data")
    assert "盖章协议.pdf" in c.get("/commissioner/my/agreement").get_data(as_text=True)


def test_individuals_see_only_their_own(app, login_as):
    a = _register(app, unique("ktpa"))
    pk = _fill(app, a, "襄阳市科学技术局", "黄冈市科学技术局")
    b = _register(app, unique("ktpb"))
    assert b.get(f"/commissioner/applications/show/{pk}").status_code in (302, 403, 404)
    assert "果树栽培" not in b.get("/commissioner/my/application").get_data(as_text=True)
    # the home city sees it in its list; the province too; another city does not
    assert "测试特派员" in login_as("hbkj_xy_admin").get("/commissioner/applications/list/").get_data(as_text=True)
    assert login_as("hbkj_wh_admin").get(f"/commissioner/applications/show/{pk}").status_code == 404


def test_push_management_in_batches_each_to_its_own_city(app, login_as):
    people = []
    for home, intended in [("武汉市科学技术局", "宜昌市科学技术局"), ("襄阳市科学技术局", "黄冈市科学技术局")]:
        c = _register(app, unique("ktpbatch"))
        pk = _fill(app, c, home, intended)
        c.post("/commissioner/my/application/submit")
        people.append((pk, _unit_id(app, home), _unit_id(app, intended)))
    for pk, home, _intended in people:
        with app.app_context():
            from models.core.user import UnitUser

            login = db.session.scalar(select(UnitUser.username).where(UnitUser.unit_id == home,
                                                                      UnitUser.is_unit_admin.is_(True)))
        login_as(login).post(f"/commissioner/applications/review/{pk}", data={"action": "approve"})
    province = login_as("hbkj_admin")
    province.post("/commissioner/applications/review_batch", data={"action": "approve", "rowid": [str(p[0]) for p in people]})
    r = province.post("/commissioner/applications/review_batch", data={"action": "push", "rowid": [str(p[0]) for p in people]},
                      headers={"Referer": "/commissioner/applications/list/"}, follow_redirects=True)
    assert "批量处理完成：成功2条，失败0条" in r.get_data(as_text=True)
    for pk, _home, intended in people:
        assert _state(app, pk) == ("pending", intended)


def test_a_phone_registers_one_account(app):
    """issue 14.9: a number already registered by another account is refused; the form keeps what was typed."""
    from models.core.user import UnitUser

    first = unique("ktpphone")
    _register(app, first)
    with app.app_context():
        phone = db.session.scalar(select(UnitUser.phone).where(UnitUser.username == first))
    second = unique("ktpphone")
    c = Client(app)
    c.token()
    r = c.post("/commissioner/register/", data={"name": "重复号码", "username": second, "phone": phone,
                                       "password": "Ktp@2026x", "kind": "individual"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "该手机号码已被注册" in body
    assert f'value="{second}"' in body and f'value="{phone}"' in body and 'value="重复号码"' in body
    with app.app_context():
        assert db.session.scalar(select(UnitUser.id).where(UnitUser.username == second)) is None


def test_the_applicant_withdraws_until_the_city_acts(app, login_as):
    """撤回 (issue 15.4): offered on 个人申请表 while nobody acted since the submission."""
    c = _register(app, unique("ktpwd"))
    pk = _fill(app, c, "武汉市科学技术局", "宜昌市科学技术局")
    assert "commissioner-withdraw" not in c.get("/commissioner/my/application").get_data(as_text=True)  # a draft
    c.post("/commissioner/my/application/submit")
    page = c.get("/commissioner/my/application").get_data(as_text=True)
    assert "commissioner-withdraw" in page and 'value="withdraw"' in page
    r = c.post("/commissioner/my/application/submit", data={"action": "withdraw"}, follow_redirects=True)
    assert "已撤回" in r.get_data(as_text=True) and _state(app, pk)[0] == "withdrawn"
    # changed and submitted again; once the city acted, 撤回 is gone and refused
    c.post("/commissioner/my/application/submit")
    city = login_as("hbkj_wh_admin")
    city.post(f"/commissioner/applications/review/{pk}", data={"action": "approve", "opinion": "同意"})
    assert "commissioner-withdraw" not in c.get("/commissioner/my/application").get_data(as_text=True)
    before = _state(app, pk)
    r = c.post("/commissioner/my/application/submit", data={"action": "withdraw"}, follow_redirects=True)
    assert _state(app, pk) == before and "当前状态或您的权限不能执行该操作" in r.get_data(as_text=True)


def test_review_lists_search_by_name(app, login_as):
    """TC-08: 审核记录 (and every tab) can be narrowed to an applicant by name."""
    from models.commissioner.individual import Commissioner as Person

    province = login_as("hbkj_admin")
    with app.app_context():
        from app.security.scope import scope_clause
        from models.core.user import UnitUser

        user = db.session.scalar(select(UnitUser).where(UnitUser.username == "hbkj_admin"))
        names = list(dict.fromkeys(db.session.scalars(
            select(Person.name).join(Application, Application.commissioner_id == Person.id)
            .where(scope_clause(Application, user)).order_by(Application.id))))
    assert len(names) >= 2
    wanted, other = names[0], names[-1]
    page = province.get("/commissioner/applications/list/").get_data(as_text=True)
    assert "review-name-search" in page and wanted in page and other in page
    # on 审核记录 the search keeps the tab
    page = province.get(f"/commissioner/applications/list/?mine=1&q_name={wanted}").get_data(as_text=True)
    assert 'name="mine" value="1"' in page and other not in page
    page = province.get(f"/commissioner/applications/list/?q_name={wanted}").get_data(as_text=True)
    assert wanted in page and other not in page


def test_buttons_say_what_the_manual_says(app, login_as):
    """Seed 003: at the city and the province, 通过 and 不通过; 不通过 asks for a 退回意见 and the
    applicant edits and submits again — there is no final refusal on these steps."""
    c = _register(app, unique("ktpbtn"))
    pk = _fill(app, c, "武汉市科学技术局", "宜昌市科学技术局")
    c.post("/commissioner/my/application/submit")
    city = login_as("hbkj_wh_admin")
    page = city.get(f"/commissioner/applications/show/{pk}").get_data(as_text=True)
    assert 'value="approve"' in page and re.search(r'value="return"[^>]*>\s*不通过', page)
    assert 'value="reject"' not in page and ">退回<" not in page
    # a typed 驳回 (reject) is refused and changes nothing
    r = city.post(f"/commissioner/applications/review/{pk}", data={"action": "reject", "opinion": "x"}, follow_redirects=True)
    assert "当前状态或您的权限不能执行该操作" in r.get_data(as_text=True) and _state(app, pk)[0] == "pending"
    r = city.post(f"/commissioner/applications/review/{pk}", data={"action": "return", "opinion": "请补充业绩"},
                  follow_redirects=True)
    assert "已不通过" in r.get_data(as_text=True) and _state(app, pk)[0] == "returned"
    # the applicant reads the opinion under 不通过 and may edit and submit again
    page = c.get("/commissioner/my/application").get_data(as_text=True)
    assert "请补充业绩" in page and "不通过" in page and "commissioner-submit" in page


def test_profile_fields_say_their_format(app):
    """Issue 15.9: 出生年月 says its format before anything is typed."""
    c = _register(app, unique("ktpfmt"))
    page = c.get("/commissioner/my/profile").get_data(as_text=True)
    assert "格式 yyyyMM，如 198203" in page and 'placeholder="如：198203"' in page
