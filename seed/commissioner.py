"""Demo data of 科技特派员: 湖北省科学技术厅 with its city departments, and applicants in every state."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import select

from app.extensions import db
from models.core.unit import Unit
from models.core.user import UnitUser

CITIES = [("wh", "武汉市科学技术局", "420100"), ("yc", "宜昌市科学技术局", "420500"), ("xy", "襄阳市科学技术局", "420600"),
          ("hg", "黄冈市科学技术局", "421100")]

# login, name, home city, intended city, state
APPLICANTS = [
    ("ktp_draft", "王晓农", "wh", "yc", "draft"),
    ("ktp_city", "李田丰", "wh", "xy", "at_city"),
    ("ktp_push", "张果林", "yc", "hg", "at_push"),
    ("ktp_accept", "刘茶香", "xy", "yc", "at_accept"),
    ("ktp_returned", "陈稻香", "hg", "wh", "returned"),
    ("ktp_done", "赵丰收", "yc", "wh", "approved"),
]


def load_commissioner(root: Unit, rng: random.Random) -> None:
    from app.services.commissioner import individual as service
    from app.workflow import act
    from seed.demo import DEMO_PASSWORD, _accounts, _unit

    if db.session.scalar(select(Unit.id).where(Unit.name == "湖北省科学技术厅")):
        return
    prov = _unit(root, "湖北省科学技术厅", "420000", ["commissioner.province"], "10")
    _accounts(prov, "hbkj", rng)
    units = {}
    for code, name, region in CITIES:
        units[code] = _unit(prov, name, region, ["commissioner.city"], "10")
        _accounts(units[code], f"hbkj_{code}", rng)
    for code, name in [("hzau", "华中农业大学"), ("hbaas", "湖北省农业科学院")]:
        legal = _unit(prov, name, "420100", ["commissioner.legal"], "20")
        _accounts(legal, f"hbkj_{code}", rng)
    db.session.flush()

    def user(login: str) -> UnitUser:
        return db.session.scalar(select(UnitUser).where(UnitUser.username == login))

    for login, name, home, intended, state in APPLICANTS:
        person = service.register_person({"kind": "individual", "username": login, "name": name,
                                          "phone": f"137{rng.randint(10**7, 10**8 - 1)}", "password": DEMO_PASSWORD})
        db.session.flush()
        service.save_profile(person, {
            "name": name, "sex": "1", "birth_ym": "198204", "native_place": "湖北" + units[home].name[:2],
            "politics": "01", "education": "14", "workplace": "华中农业大学", "post": "副教授", "title": "副高级",
            "phone": person.phone, "city": units[home].id})
        db.session.flush()
        rec = service.save_application(person, {
            "major": "果树栽培", "intended_city": units[intended].id, "intended_county": "无",
            "intended_enterprise": f"{units[intended].name[:2]}现代农业发展有限公司", "industry": "特色水果",
            "introduction": "长期从事果树栽培技术研究与推广。", "achievements": "主持省级科技项目3项。"})
        db.session.flush()
        if state == "draft":
            continue
        act(service.INDIVIDUAL, rec, person, "submit")
        if state == "at_city":
            continue
        if state == "returned":
            act(service.INDIVIDUAL, rec, user(f"hbkj_{home}_admin"), "return", opinion="请补充拟服务企业的具体需求")
            continue
        act(service.INDIVIDUAL, rec, user(f"hbkj_{home}_admin"), "approve", opinion="同意推荐")
        act(service.INDIVIDUAL, rec, user("hbkj_admin"), "approve", opinion="初审通过")
        if state == "at_push":
            continue
        act(service.INDIVIDUAL, rec, user("hbkj_admin"), "push", target=str(units[intended].id))
        if state == "at_accept":
            continue
        act(service.INDIVIDUAL, rec, user(f"hbkj_{intended}_admin"), "accept")
        act(service.INDIVIDUAL, rec, user("hbkj_admin"), "approve", opinion="同意选派")
        service.save_agreement(person, {
            "specialty": "柑橘品种改良与病虫害绿色防控", "enterprise_business": "柑橘种植与销售",
            "needs": "提高优质果率", "work_plan": "每季度驻企指导不少于10天", "targets": "优质果率提高10%"})
    db.session.flush()
    _orgs(prov, units, rng)
    _teams(units, user, rng)
    db.session.commit()


ORG = {"location": "湖北省武汉市", "contact": "周联络", "contact_phone": "027-87280001"}
# team leader login, team, legal unit login, intended city, members, state
TEAMS = [
    ("ktp_lead_done", "柑橘绿色生产技术服务团队", "hbkj_hzau_admin", "yc", 3, "approved"),
    ("ktp_lead_unit", "茶叶提质增效技术服务团队", "hbkj_hbaas_admin", "xy", 2, "at_unit"),
    ("ktp_lead_push", "水稻优质高产技术服务团队", "hbkj_hzau_admin", "hg", 2, "at_push"),
    ("ktp_lead_draft", "生猪健康养殖技术服务团队", "hbkj_hbaas_admin", "wh", 1, "draft"),
]


def _orgs(prov: Unit, units: dict[str, Unit], rng: random.Random) -> None:
    """机构信息 of every department and legal unit; the legal units' stamped 法人申请表; one legal
    unit still waiting for the province's 法人审核."""
    import io

    from app.services.commissioner import org as org_service
    from app.services.core import attachments, registration
    from app.services.core.units import NewUnit
    from models.commissioner.org import CommissionerOrg
    from models.core.unit import Category
    from seed.demo import credit_code

    for unit in [prov, *units.values()]:
        db.session.add(CommissionerOrg(unit_id=unit.id, location=unit.name[:2] + "市" if unit is not prov else "湖北省武汉市",
                              contact="周联络", contact_phone=unit.phone or "027-87280001"))
    legal = db.session.scalars(select(Unit).where(Unit.name.in_(["华中农业大学", "湖北省农业科学院"]))).all()
    cat = db.session.scalar(select(Category).where(Category.code == "commissioner.legal"))
    pending = registration.register_unit(
        prov, NewUnit(name="湖北省林业科学研究院", credit_code=credit_code(900), nature="20", region_code="420100",
                      phone="027-87654321", category_ids=[cat.id]),
        {"username": "hbkj_lky_admin", "name": "吴林森", "phone": "13971230001", "password": "Demo@2026"})
    db.session.flush()
    legal.append(db.session.get(Unit, pending.unit_id))
    for unit in legal:
        unit.legal_name = {"华中农业大学": "李召虎", "湖北省农业科学院": "焦春海"}.get(unit.name, "孟林")
        org = CommissionerOrg(unit_id=unit.id, business="农业科技研究、成果转化与技术推广", **ORG)
        db.session.add(org)
        db.session.flush()
        attachments.save_upload(org, org_service.STAMPED, io.BytesIO(org_service.sheet_pdf(unit)),
                                "盖章法人申请表.pdf", owner_checked=True)


def _teams(units: dict[str, Unit], user: Any, rng: random.Random) -> None:
    """Teams of the legal units in several states, with their leaders and members."""
    from app.services.commissioner import individual as ind
    from app.services.commissioner import team as service
    from app.workflow import act
    from seed.demo import DEMO_PASSWORD

    def person(kind: str, login: str, name: str) -> Any:
        p = ind.register_person({"kind": kind, "username": login, "name": name, "password": DEMO_PASSWORD,
                                 "phone": f"136{rng.randint(10**7, 10**8 - 1)}"})
        db.session.flush()
        ind.save_profile(p, {"name": name, "sex": rng.choice("12"), "birth_ym": "197906", "native_place": "湖北武汉",
                             "politics": "01", "education": "11", "workplace": "华中农业大学", "post": "教授",
                             "title": "正高级", "phone": p.phone})
        db.session.flush()
        return p

    names = iter(["孙橘红", "周茗香", "吴稻丰", "郑家畜", "冯果园", "陈茶山", "褚禾苗", "卫春耕", "蒋秋实", "沈田园",
                  "韩菜花", "杨麦香", "朱藕塘", "秦莲子"])
    for login, team_name, legal_login, intended, members, state in TEAMS:
        leader = person("leader", login, next(names))
        legal_user = user(legal_login)
        team = service.save_team(leader, {"name": team_name, "unit": legal_user.unit_id})
        db.session.flush()
        for i in range(members):
            member = person("member", f"{login}_m{i + 1}", next(names))
            service.join_team(member, team.id)
        db.session.flush()
        db.session.refresh(team)
        rec = service.save_application(leader, {
            "field": "农业技术推广", "achievements": "获省科技进步奖二等奖1项，推广新品种5个。",
            "intended_city": units[intended].id, "intended_county": "无", "chain": team_name[:2] + "产业链",
            "intended_enterprise": f"{units[intended].name[:2]}农业科技有限公司"})
        db.session.flush()
        if state == "draft":
            continue
        act(service.TEAM, rec, leader, "submit")
        if state == "at_unit":
            continue
        act(service.TEAM, rec, legal_user, "approve", opinion="同意推荐")
        act(service.TEAM, rec, user("hbkj_admin"), "approve", opinion="初审通过")
        if state == "at_push":
            continue
        act(service.TEAM, rec, user("hbkj_admin"), "push", target=str(units[intended].id))
        act(service.TEAM, rec, user(f"hbkj_{intended}_admin"), "accept")
        act(service.TEAM, rec, user("hbkj_admin"), "approve", opinion="同意选派")
        service.save_agreement(leader, {
            "enterprise_business": "柑橘种植、加工与销售", "needs": "绿色防控与品质提升",
            "work_plan": "每月驻企指导不少于5天", "targets": "减少农药使用20%"})
