"""Demo tree: 部专家中心 → 3 provinces → 2 cities each → 2 counties each → 2 executing
units each, with an administrator and a staff account per unit (``flask seed demo``)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import select
from stdnum.cn import ric, uscc

from app.extensions import db
from app.services.core import users as user_service
from app.services.core.units import assign_path
from models.core.person import Person
from models.core.setting import SupportInfo
from models.core.unit import Category, Unit

DEMO_PASSWORD = "Demo@2026"
SYSADMIN = "sysadmin"

# province: (login prefix, name, region, [(city prefix, city, region, [(county prefix, county, region)])])
TREE = [
    ("hb", "湖北省人力资源和社会保障厅", "420000", [
        ("wh", "武汉市人力资源和社会保障局", "420100", [("ja", "江岸区人力资源局", "420102"), ("jh", "江汉区人力资源局", "420103")]),
        ("yc", "宜昌市人力资源和社会保障局", "420500", [("xl", "西陵区人力资源局", "420502"), ("wj", "伍家岗区人力资源局", "420503")]),
    ]),
    ("sc", "四川省人力资源和社会保障厅", "510000", [
        ("cd", "成都市人力资源和社会保障局", "510100", [("jj", "锦江区人力资源局", "510104"), ("qy", "青羊区人力资源局", "510105")]),
        ("my", "绵阳市人力资源和社会保障局", "510700", [("fc", "涪城区人力资源局", "510703"), ("yx", "游仙区人力资源局", "510704")]),
    ]),
    ("sd", "山东省人力资源和社会保障厅", "370000", [
        ("jn", "济南市人力资源和社会保障局", "370100", [("lx", "历下区人力资源局", "370102"), ("sz", "市中区人力资源局", "370103")]),
        ("qd", "青岛市人力资源和社会保障局", "370200", [("sn", "市南区人力资源局", "370202"), ("sb", "市北区人力资源局", "370203")]),
    ]),
]

MANAGE = ["grassroots.manage", "title.hr", "cedu.hr"]
EXEC = ["grassroots.exec", "title.applicant"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"

_seq = [0]


def credit_code(seed: int) -> str:
    body = f"12{seed:06d}MB{seed * 7919 % 10**7:07d}"[:17]
    body = body.replace("I", "1").replace("O", "0").replace("S", "5").replace("V", "5").replace("Z", "2")
    return body + uscc.calc_check_digit(body)


def id_number(rng: random.Random, region: str) -> str:
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 40))
    body = f"{region}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def _unit(parent: Unit | None, name: str, region: str | None, cats: list[str], nature: str) -> Unit:
    _seq[0] += 1
    by_code = {c.code: c for c in db.session.scalars(select(Category))}
    u = Unit(
        name=name, credit_code=credit_code(_seq[0]), parent_id=parent.id if parent else None,
        region_code=region, nature=nature, phone=f"027-{8600000 + _seq[0]}", path="",
    )
    u.categories = [by_code[c] for c in cats if c in by_code]  # a disabled line's categories are not there
    db.session.add(u)
    db.session.flush()
    assign_path(u, parent)
    return u


def _accounts(unit: Unit, login: str, rng: random.Random) -> None:
    def person() -> str:
        return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)

    user_service.create_user(
        unit, username=f"{login}_admin", name=person(), phone=f"139{rng.randint(10**7, 10**8 - 1)}",
        password=DEMO_PASSWORD, is_admin=True, commit=False,
    )
    user_service.create_user(
        unit, username=f"{login}_staff", name=person(), phone=f"138{rng.randint(10**7, 10**8 - 1)}",
        password=DEMO_PASSWORD, commit=False,
    )


def _persons(unit: Unit, region: str, rng: random.Random, n: int = 3) -> None:
    for _ in range(n):
        num = id_number(rng, region)
        db.session.add(Person(
            unit_id=unit.id, name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            sex=rng.choice(["1", "2"]), id_type="01", id_number=num,
            birth_date=dt.date(int(num[6:10]), int(num[10:12]), int(num[12:14])),
            phone=f"137{rng.randint(10**7, 10**8 - 1)}", ethnicity="01", politics=rng.choice(["01", "13"]),
            education=rng.choice(["11", "14", "21"]), title_series=f"{rng.randint(1, 29):02d}",
            title_level=str(rng.randint(1, 4)), major=rng.choice(["农学", "临床医学", "机械工程", "教育学"]),
        ))


HONOURS = ["享受国务院政府特殊津贴专家", "省有突出贡献中青年专家", "省级学术技术带头人", "全国五一劳动奖章获得者", "无"]
WORKPLACES = ["人民医院", "农业科学院", "职业技术学院", "水利规划设计院", "疾病预防控制中心"]


def _experts(unit: Unit, region: str, rng: random.Random, n: int = 2) -> None:
    """专家库: a few experts entered by the county unit."""
    from models.experts.expert import Expert

    for _ in range(n):
        num = id_number(rng, region)
        db.session.add(Expert(
            unit_id=unit.id, name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), id_type="01",
            id_number=num, sex="1" if int(num[16]) % 2 else "2", birth_ym=num[6:12], retired=rng.random() < 0.2,
            work_unit=unit.name.replace("人力资源局", "") + rng.choice(WORKPLACES), admin_post="无", admin_level="99",
            phone=f"139{rng.randint(10**7, 10**8 - 1)}", honours=rng.choice(HONOURS),
            series=f"{rng.choice([1, 6, 7, 8, 9]):02d}", major=rng.choice(["作物栽培", "心血管内科", "水利工程", "机械设计"]),
            title=rng.choice(["1", "2"]),
        ))


NOTICES = [
    ("01", "关于开展2027年度专家服务基层示范团工作的通知",
     "各省、自治区、直辖市及新疆生产建设兵团人力资源社会保障厅（局）：\n\n为深入实施人才强国战略，引导专家人才服务基层，"
     "现就开展2027年度专家服务基层示范团工作有关事项通知如下。\n\n一、各地要结合实际，围绕乡村振兴等重点领域组织专家服务团。\n"
     "二、服务结束后，请执行单位在信息系统中填报服务项目、专家和成效总结。"),
    ("02", "专业技术人才知识更新工程实施方案", "为加快建设高素质专业技术人才队伍，制定本方案。"),
    ("06", "信息系统常见问题解答", "一、忘记密码怎么办？\n在登录页点击“忘记密码”，按登录名和手机号码获取验证码后重置。\n\n"
     "二、单位信息填错了怎么办？\n单位管理员可在“本单位信息”中修改。"),
]


def _notices(root: Unit) -> None:
    from models.core.notice import Notice

    now = dt.datetime.now(dt.UTC)
    for i, (kind, title, content) in enumerate(NOTICES):
        db.session.add(Notice(unit_id=root.id, kind=kind, title=title, content=content, state="published",
                              published_at=now - dt.timedelta(days=i * 3)))


THREE_ADMINS = [("sysadmin", "系统管理员", "13900000000"), ("secadmin", "安全管理员", "13900000001"),
                ("auditadmin", "审计管理员", "13900000002")]


def create_three_admins(appbuilder: Any, root: Unit, password: str) -> list[str]:
    """三员: the system, security and audit administrators at the root unit.

    Their passwords must be changed at first login (like every created account)."""
    made = []
    for login, role_name, phone in THREE_ADMINS:
        role = appbuilder.sm.find_role(role_name)
        if role is None or user_service.login_taken(login):
            continue
        user = user_service.create_user(root, username=login, name=role_name, phone=phone, password=password,
                                        roles=[role], commit=False)
        user.roles = [role]  # only their own role: not also 工作人员 (三员分立)
        made.append(login)
    return made


def load_demo(appbuilder: Any) -> dict[str, int]:
    """Load the demo tree once; a second run changes nothing."""
    if db.session.scalar(select(Unit).where(Unit.parent_id.is_(None))) is not None:
        return {"units": 0}
    rng = random.Random(2026)
    root = _unit(None, "部专家中心", None, ["core.root", "grassroots.manage"], "20")
    _accounts(root, "center", rng)
    create_three_admins(appbuilder, root, DEMO_PASSWORD)
    count = 1
    for pcode, pname, preg, cities in TREE:
        prov = _unit(root, pname, preg, MANAGE, "10")
        _accounts(prov, pcode, rng)
        count += 1
        for ccode, cname, creg, counties in cities:
            city = _unit(prov, cname, creg, MANAGE, "10")
            _accounts(city, f"{pcode}_{ccode}", rng)
            count += 1
            for kcode, kname, kreg in counties:
                county = _unit(city, kname, kreg, MANAGE, "10")
                _accounts(county, f"{pcode}_{ccode}_{kcode}", rng)
                _experts(county, kreg, rng)
                count += 1
                for i, (suffix, nature) in enumerate([("第一人民医院", "20"), ("农业技术推广中心", "20")], start=1):
                    ex = _unit(county, kname.replace("人力资源局", "") + suffix, kreg, EXEC, nature)
                    _accounts(ex, f"{pcode}_{ccode}_{kcode}_e{i}", rng)
                    _persons(ex, kreg, rng)
                    count += 1
    _notices(root)
    if db.session.scalar(select(SupportInfo)) is None:
        db.session.add(SupportInfo(
            title="技术服务", contact="殷老师", phone="13270701708",
            office_hours="工作日 8:30-11:30，14:30-17:00",
            note="系统使用中遇到问题，请在办公时间联系技术服务人员。",
        ))
    db.session.commit()
    from app import modules

    modules.call_each("demo", root, rng)  # each enabled line's own demo records
    return {"units": count}
