"""A received season for the meeting tests (issue 职称评审 II): a filed committee of 乐山市人力资源和社会保障局 with
its in-library experts, a published activity, and applications received by the committee through the engine
(申报单位 乐山市建筑设计研究院 → 主管部门 乐山市住房和城乡建设局 → the committee's unit), as users would.

    s = meeting_season(applicants=6, exceptional=2, groups=True)
    s.committee, s.activity, s.applications (received, in order), s.exceptional (the 破格 ones, received),
    s.members (CommitteeExpert, in library, active), s.experts (Expert), s.units

The experts: ``experts`` of them over three majors (建筑工程, 道路桥梁, 市政工程) and two title levels (1 正高, 2 副高),
the first three chairs (主任委员), the next three vice-chairs; expert 0 works at 乐山市建筑设计研究院 (the applicants'
unit: avoidance), and with ``expert_applicant=True`` one applicant is also an expert of the library (same ID number).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from dataclasses import dataclass, field
from typing import Any

from app.extensions import db
from tests.conftest import unique, unit_by_name
from tests.title.test_review import PDF, application, id_number, person, season

MAJORS = ("建筑工程", "道路桥梁", "市政工程")
_n = itertools.count(1)


@dataclass
class Season:
    committee: Any
    activity: Any
    applications: list[Any] = field(default_factory=list)
    exceptional: list[Any] = field(default_factory=list)
    members: list[Any] = field(default_factory=list)
    experts: list[Any] = field(default_factory=list)
    units: dict[str, Any] = field(default_factory=dict)


def admin(login: str) -> Any:
    from sqlalchemy import select

    from models.core.user import UnitUser

    return db.session.scalar(select(UnitUser).where(UnitUser.username == login))


def receive(rec: Any) -> Any:
    """Pass ``rec`` (submitted) up its route to the committee's unit, which receives it."""
    from app.services.core import attachments
    from app.services.title.review import APPLICATION
    from app.workflow import act

    unit_admin = admin("ls_jzy_admin")
    for slot, name in (("gongshi", "公示证明.pdf"), ("tuijian", "单位综合推荐意见.pdf")):
        attachments.save_upload(rec, slot, io.BytesIO(PDF), name, unit_admin)
    act(APPLICATION, rec, unit_admin, "approve", opinion="经公示无异议，同意推荐")
    act(APPLICATION, rec, admin("ls_zjj_admin"), "approve", opinion="同意上报")
    act(APPLICATION, rec, admin("ls_admin"), "approve", opinion="材料齐全，予以接收")
    db.session.commit()
    return rec


def add_experts(committee: Any, n: int, unit: Any) -> tuple[list[Any], list[Any]]:
    from models.experts.expert import Expert
    from models.title import CommitteeExpert

    experts, members = [], []
    for i in range(n):
        num = id_number()
        expert = Expert(unit_id=unit.id, name=f"专家{next(_n)}", id_type="01", id_number=num, sex="1",
                        birth_ym=num[6:12], work_unit="乐山市建筑设计研究院" if i == 0 else f"乐山市第{i}设计院",
                        admin_post="无", phone=f"139{next(_n) % 100000000:08d}", honours="无", series="08",
                        major=MAJORS[i % len(MAJORS)], title="1" if i % 2 == 0 else "2")
        db.session.add(expert)
        db.session.flush()
        member = CommitteeExpert(committee_id=committee.id, expert_id=expert.id, unit_id=unit.id, state="in",
                                 chair="chair" if i < 3 else ("vice" if i < 6 else ""), active=True)
        db.session.add(member)
        experts.append(expert)
        members.append(member)
    db.session.commit()
    return experts, members


def meeting_season(applicants: int = 6, exceptional: int = 0, groups: bool = False, group_method: str = "vote",
                   experts: int = 24, defense: bool = False, written: bool = False,
                   expert_applicant: bool = False) -> Season:
    from app.services.title.review import APPLICATION
    from app.workflow import act

    committee, activity = season()
    activity.exceptional = exceptional > 0
    activity.groups = groups
    activity.group_method = group_method if groups else None
    activity.defense = "defense" if defense else "none"
    activity.written_test = "test" if written else "none"
    db.session.commit()
    ls, jzy = unit_by_name("乐山市人力资源和社会保障局"), unit_by_name("乐山市建筑设计研究院")
    s = Season(committee, activity, units={"ls": ls, "jzy": jzy, "zjj": unit_by_name("乐山市住房和城乡建设局")})
    s.experts, s.members = add_experts(committee, experts, ls)
    for i in range(applicants + exceptional):
        who = person(jzy)
        rec = application(activity, who, name=unique("申报人"), major=MAJORS[i % 2])  # the levels open 建筑工程 and 道路桥梁
        if i >= applicants:
            rec.eval_method = "exceptional"
        if expert_applicant and i == 0:
            rec.id_number = s.experts[1].id_number
            rec.name = s.experts[1].name
        db.session.commit()
        act(APPLICATION, rec, who, "submit")
        db.session.commit()
        receive(rec)
        (s.exceptional if i >= applicants else s.applications).append(rec)
    return s


def now() -> dt.datetime:
    return dt.datetime.now()
