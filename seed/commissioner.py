"""Demo data of 科技特派员: 湖北省科学技术厅 with its city departments, and applicants in every state."""

from __future__ import annotations

import random

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
    db.session.commit()
