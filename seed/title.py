"""Demo data of 职称评审 (seed 004): a 四川 evaluation season up to the committee's receipt of applications.

四川省人力资源和社会保障厅 (人社部门, the platform demo's ``sc``) with 乐山市人力资源和社会保障局 below it; two 主管部门 of 乐山
(住房和城乡建设局, 经济和信息化局) with their 申报单位; a provincial 主管部门 (四川省教育厅).
Accounts: ``<login>_admin`` and ``<login>_staff`` of every unit (password: seed.demo.DEMO_PASSWORD).

The season: 乐山市工程技术系列中级职称评审委员会 (constituted and issued by 乐山市人社局, filed, 60 experts with
chairs and vice-chairs), a second committee of 乐山市住建局 waiting for its filing review, 主管部门配置 for 乐山's
districts, a published public activity whose 业绩成果 items use every template kind, and applicants (login: their
ID number, see APPLICANTS) in every state: filling in, at their unit, at the 主管部门, returned, rejected, 委托评审,
received by the committee.
"""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import select

from app.extensions import db
from models.core.unit import Unit

# login, name, parent login, region, categories, nature
UNITS = [
    ("sc", "四川省人力资源和社会保障厅", None, "510000", ["title.hr"], "10"),
    ("sc_jyt", "四川省教育厅", "sc", "510000", ["title.competent"], "10"),
    ("ls", "乐山市人力资源和社会保障局", "sc", "511100", ["title.hr"], "10"),
    ("ls_zjj", "乐山市住房和城乡建设局", "ls", "511100", ["title.competent"], "10"),
    ("ls_jxj", "乐山市经济和信息化局", "ls", "511100", ["title.competent"], "10"),
    ("ls_jzy", "乐山市建筑设计研究院", "ls_zjj", "511102", ["title.applicant"], "20"),
    ("ls_lq", "乐山市路桥建设有限公司", "ls_zjj", "511102", ["title.applicant"], "30"),
    ("ls_jx", "乐山市机械制造有限公司", "ls_jxj", "511112", ["title.applicant"], "40"),
]


def units() -> dict[str, Unit]:
    """The demo's units by login prefix (after ``load_title``)."""
    by_name = {u.name: u for u in db.session.scalars(select(Unit).where(Unit.name.in_([n for _l, n, *_r in UNITS])))}
    return {login: by_name[name] for login, name, *_rest in UNITS if name in by_name}


# name, ID number, unit login, level, state
APPLICANTS = [
    ("周建明", "511102198503120019", "ls_jzy", "3", "draft"),
    ("吴思远", "51110219870423002X", "ls_jzy", "3", "at_unit"),
    ("郑国华", "511102198211050039", "ls_lq", "3", "at_competent"),
    ("冯晓东", "511102199001150044", "ls_lq", "4", "returned"),
    ("陈志刚", "511112198406180055", "ls_jx", "3", "rejected"),
    ("褚文静", "511112198809210060", "ls_jx", "3", "entrusted"),
    ("卫海涛", "511102198012300074", "ls_jzy", "3", "received"),
]
# the experts' workplaces: one in ten works at each of two applicants' units (an expert never reviews an
# applicant of their own unit), so every major has at most two of each
OTHER_WORKPLACES = ["乐山市城市建设投资有限公司", "乐山职业技术学院", "西南交通大学峨眉校区"]


def workplace(i: int) -> str:
    return {3: "乐山市建筑设计研究院", 8: "乐山市路桥建设有限公司"}.get(i % 10, OTHER_WORKPLACES[i % 3])
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ENTRIES = {
    "general": {"start": "2019-03-01", "end": "2021-10-31", "work_name": "乐山市中心城区排水管网改造工程", "after_title": "是",
                "role": "项目技术负责人，主持施工组织设计与质量控制。", "result": "工程获乐山市优质工程奖。"},
    "paper": {"name": "高填方路基沉降控制技术研究", "published_on": "2021-06-15", "category": "期刊论文", "journal": "四川建筑",
              "issn": "CN51-1144/TU", "rank": "1", "words": "8"},
    "patent": {"name": "一种路基压实度检测装置", "patent_type": "实用新型专利", "patent_no": "ZL202120123456.7",
               "approved_on": "2022-03-01", "rank": "1", "country": "中国"},
}


def load_title(root: Unit, rng: random.Random) -> None:
    from seed import demo
    from seed.demo import _accounts, _unit

    if db.session.scalar(select(Unit.id).where(Unit.name == UNITS[2][1])):
        return
    demo._seq[0] = max(demo._seq[0], 4000)  # credit codes of their own, also when run alone
    made: dict[str, Any] = {}
    for login, name, parent, region, cats, nature in UNITS:
        existing = db.session.scalar(select(Unit).where(Unit.name == name))
        if existing is not None:  # the platform demo's province (sc_admin, sc_staff)
            made[login] = existing
            continue
        made[login] = _unit(made[parent] if parent else root, name, region, cats, nature)
        _accounts(made[login], login, rng)
    db.session.commit()
    _season(made, rng)
    from seed.title_meetings import load_meetings

    load_meetings(made, rng)


def _user(login: str) -> Any:
    from models.core.user import UnitUser

    return db.session.scalar(select(UnitUser).where(UnitUser.username == login))


def _experts(unit: Unit, n: int, rng: random.Random) -> list[Any]:
    from models.experts.expert import Expert
    from seed.demo import GIVEN, SURNAMES, id_number

    out = []
    majors = ["建筑工程", "市政工程", "道路桥梁", "给排水", "工程管理", "岩土工程"]
    for i in range(n):
        num = id_number(rng, "511100")
        expert = Expert(unit_id=unit.id, name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), id_type="01",
                        id_number=num, sex=rng.choice(["1", "2"]), birth_ym=num[6:12], work_unit=workplace(i), admin_post="总工程师" if i % 5 == 0 else "无",
                        phone=f"1398133{i:04d}", honours="四川省学术和技术带头人后备人选" if i % 7 == 0 else "无",
                        series="08", major=majors[i % len(majors)], title="1" if i % 3 == 0 else "2")
        db.session.add(expert)
        out.append(expert)
    db.session.flush()
    return out


def _season(units: dict[str, Unit], rng: random.Random) -> None:
    """Committees, their experts, the activity and the applicants (through the engine, as users would)."""
    import datetime as dt
    import io

    from app.services.core import attachments
    from app.services.title import applications as apps
    from app.services.title.activities import ACTIVITY
    from app.services.title.committees import COMMITTEE
    from app.services.title.review import APPLICATION, decide
    from app.workflow import act
    from models.title import (
        AchievementEntry,
        AchievementItem,
        Activity,
        ActivityCondition,
        ActivityLevel,
        ActivityMaterial,
        Application,
        ApplicationWork,
        Committee,
        CommitteeExpert,
        CompetentConfig,
    )
    from seed.demo import DEMO_PASSWORD

    ls, zjj = units["ls"], units["ls_zjj"]
    ls_admin = _user("ls_admin")
    # 1. the filed committee: 60 experts (3 主任委员, 6 副主任委员), the filing request, filed by 乐山市人社局
    committee = Committee(unit_id=ls.id, name="乐山市工程技术系列中级职称评审委员会", agency="乐山市职称改革工作领导小组办公室",
                          office="乐山市人力资源和社会保障局专业技术人员管理科", review_type="review", levels="3,4",
                          authority_unit_id=ls.id, filing_unit_id=ls.id, contact="李文", contact_phone="0833-2433000",
                          address="乐山市市中区嘉定北路", internal_only=False, applicant_natures="", build_mode="series",
                          series="08", region_codes="511100", funded=False)
    db.session.add(committee)
    db.session.flush()
    for i, expert in enumerate(_experts(ls, 60, rng)):
        db.session.add(CommitteeExpert(committee_id=committee.id, expert_id=expert.id, unit_id=ls.id, state="draft",
                                       chair="chair" if i < 3 else "vice" if i < 9 else ""))
    db.session.flush()
    attachments.save_upload(committee, "request", io.BytesIO(PDF), "关于组建乐山市工程技术系列中级职称评审委员会的请示.pdf",
                            ls_admin)
    act(COMMITTEE, committee, ls_admin, "submit")
    act(COMMITTEE, committee, ls_admin, "approve", opinion="同意备案")
    # 2. a second committee of 乐山市住建局, waiting for its 授权管理单位 (乐山市住建局) and 备案单位 (乐山市人社局)
    zjj_admin = _user("ls_zjj_admin")
    second = Committee(unit_id=zjj.id, name="乐山市建设工程技术系列初级职称评审委员会", agency="乐山市住房和城乡建设局人事科",
                       office="乐山市住房和城乡建设局人事科", review_type="review", levels="4,5", authority_unit_id=zjj.id,
                       filing_unit_id=ls.id, contact="王静", contact_phone="0833-2120000", address="乐山市市中区",
                       series="08", region_codes="511100")
    db.session.add(second)
    db.session.flush()
    for expert in _experts(zjj, 8, rng):
        db.session.add(CommitteeExpert(committee_id=second.id, expert_id=expert.id, unit_id=zjj.id, state="draft"))
    db.session.flush()
    attachments.save_upload(second, "request", io.BytesIO(PDF), "核准备案请示.pdf", zjj_admin)
    act(COMMITTEE, second, zjj_admin, "submit")
    # 3. 主管部门配置: 市中区 applicants through 住建局, 五通桥区 through 经信局
    db.session.add(CompetentConfig(unit_id=ls.id, committee_id=committee.id, region_code="511102", competent_unit_id=zjj.id))
    db.session.add(CompetentConfig(unit_id=ls.id, committee_id=committee.id, region_code="511112",
                                   competent_unit_id=units["ls_jxj"].id))
    # 4. the activity, every part saved, every template kind among its items, published
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    activity = Activity(unit_id=ls.id, committee_id=committee.id, name=f"{now.year}年度乐山市工程技术系列中级职称评审",
                        scope_text="全市在岗从事工程技术工作的专业技术人才", year=now.year, kind="annual", method="expert",
                        written_test="none", defense="partial", apply_start=now - dt.timedelta(days=10),
                        first_submit_until=now + dt.timedelta(days=30), resubmit_until=now + dt.timedelta(days=40),
                        receive_until=now + dt.timedelta(days=50), doc_number="乐人社函〔2026〕18号", public=True,
                        exceptional=True, groups=True, group_method="vote", saved_part="materials")
    db.session.add(activity)
    db.session.flush()
    db.session.add(ActivityLevel(activity_id=activity.id, level="3", majors="建筑工程\n市政工程\n道路桥梁\n给排水"))
    db.session.add(ActivityLevel(activity_id=activity.id, level="4", majors="建筑工程\n市政工程"))
    items = {}
    for sort, (heading, kinds, text) in enumerate([
        ("取得现专业技术职称后主要业绩", "general", "填写取得现职称后主持或参与的主要工程项目，附验收或证明材料。"),
        ("论文论著", "paper,book", "取得现职称后公开发表的论文或出版的著作。"),
        ("业绩成果", "patent,standard", "取得现职称后授权的专利或参与编制的标准规范。"),
        ("示范引领和影响力", "award,sci_award", "取得现职称后获得的奖项、荣誉称号或科技成果奖。"),
        ("专业能力", "report", "取得现职称后撰写的重要专业报告。"),
    ], start=1):
        item = AchievementItem(activity_id=activity.id, sort=sort, heading=heading, templates=kinds, requirement=text)
        db.session.add(item)
        items[kinds.split(",")[0]] = item
    db.session.add(ActivityCondition(activity_id=activity.id, sort=1,
                                     text="获得省部级科技进步三等奖以上奖项的主要完成人，可破格申报。"))
    db.session.add(ActivityMaterial(activity_id=activity.id, sort=1, name="诚信承诺书", required=True,
                                    note="本人签字后扫描上传"))
    db.session.add(ActivityMaterial(activity_id=activity.id, sort=2, name="继续教育证明", required=False))
    db.session.flush()
    act(ACTIVITY, activity, ls_admin, "submit")
    act(ACTIVITY, activity, ls_admin, "approve", opinion="同意发布")
    db.session.commit()
    # 5. the applicants, registered with their ID numbers, in every state
    for i, (name, idn, unit_login, level, state) in enumerate(APPLICANTS):
        person = apps.register_person({"name": name, "id_number": idn, "phone": f"1358133{i:04d}", "password": DEMO_PASSWORD,
                                       "password2": DEMO_PASSWORD, "unit": str(units[unit_login].id)})
        db.session.flush()
        unit = units[unit_login]
        rec = Application(unit_id=unit.id, user_id=person.id, activity_id=activity.id, committee_id=committee.id,
                          year=activity.year, series="08", level=level, major="建筑工程", eval_method="normal",
                          category="direct", name=name, sex=apps.sex_of(idn), id_number=idn, birth_date=apps.birth_of(idn),
                          ethnicity="01", politics="01" if i % 2 else "13", phone=person.phone, workplace=unit.name,
                          post="项目技术负责人", work_start=dt.date(2008, 7, 1), current_series="08",
                          current_level="4", current_title="助理工程师", current_title_date=dt.date(2014, 12, 1),
                          education="21", school="西南交通大学", school_major="土木工程", graduated_on=dt.date(2008, 6, 30),
                          summary="参加工作以来一直从事建筑工程施工技术与管理工作，主持完成多项市政与房建工程。")
        db.session.add(rec)
        db.session.flush()
        db.session.add(ApplicationWork(application_id=rec.id, start=dt.date(2008, 7, 1), workplace=unit.name,
                                       post="技术员、项目技术负责人"))
        for kind, data in ENTRIES.items():
            db.session.add(AchievementEntry(application_id=rec.id, item_id=items[kind].id, template=kind, data=data))
        db.session.flush()
        material = activity.materials[0]
        apps.upload_material(person, rec, material, io.BytesIO(PDF), "诚信承诺书.pdf")
        entry = db.session.scalar(select(AchievementEntry).where(AchievementEntry.application_id == rec.id))
        attachments.save_upload(entry, "file", io.BytesIO(PDF), "工程竣工验收证明.pdf", person)
        db.session.commit()
        if state == "draft":
            continue
        act(APPLICATION, rec, person, "submit")
        if state == "at_unit":
            db.session.commit()
            continue
        unit_admin = _user(f"{unit_login}_admin")
        if state == "returned":
            act(APPLICATION, rec, unit_admin, "return", opinion="请补充取得现职称后的主要业绩证明材料", target="applicant")
            db.session.commit()
            continue
        for slot, file_name in (("gongshi", "公示证明.pdf"), ("tuijian", "单位综合推荐意见.pdf")):
            attachments.save_upload(rec, slot, io.BytesIO(PDF), file_name, unit_admin)
        act(APPLICATION, rec, unit_admin, "approve", opinion="经公示无异议，同意推荐")
        competent_admin = _user("ls_zjj_admin" if unit_login != "ls_jx" else "ls_jxj_admin")
        if state == "at_competent":
            db.session.commit()
            continue
        if state == "rejected":
            act(APPLICATION, rec, competent_admin, "reject", opinion="不符合申报条件：取得现职称年限不足")
            db.session.commit()
            continue
        if state == "entrusted":
            attachments.save_upload(rec, "entrust", io.BytesIO(PDF), "委托评审函.pdf", competent_admin)
            decide(rec, competent_admin, "approve", opinion="同意委托乐山市工程技术系列中级职称评审委员会评审", entrust=True)
            db.session.commit()
            continue
        act(APPLICATION, rec, competent_admin, "approve", opinion="同意上报")
        act(APPLICATION, rec, ls_admin, "approve", opinion="材料齐全，予以接收")
        db.session.commit()
