"""Demo data of 专家服务基层: teams and bases in every state under 湖北 and 四川 (runs with the demo)."""

from __future__ import annotations

import datetime as dt
import io

from sqlalchemy import select

from app.extensions import db
from models.core.unit import Unit
from models.core.user import UnitUser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _user(login: str) -> UnitUser:
    return db.session.scalar(select(UnitUser).where(UnitUser.username == login))


def _unit(name: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.name == name))


def _team(prov: str, exec_name: str, name: str, field: str, state: str, year: int = 2026) -> None:
    from app.services.core import attachments
    from app.services.grassroots import teams as service
    from models.experts.expert import Expert
    from models.grassroots.team import ProjectExpert, ServiceProject, ServiceTeam, TeamFundingItem

    prov_unit, exec_unit = _unit(prov), _unit(exec_name)
    team = ServiceTeam(name=name, year=year, field=field, approval_no=f"人社专家函〔{year}〕{len(name)}号",
                       unit_id=exec_unit.id, managing_unit_id=prov_unit.id)
    db.session.add(team)
    db.session.flush()
    if state == "recorded":
        return
    executor = db.session.scalar(select(UnitUser).where(UnitUser.unit_id == exec_unit.id,
                                                        UnitUser.is_unit_admin.is_(True)))
    multi = state == "multi"
    service.start(team, executor, started=True, start_date=dt.date(year, 3, 1), mode="multi" if multi else "single")
    if multi:
        service.add_batch(team, executor, dt.date(year, 6, 1))
    project = ServiceProject(name=f"{field}义诊与技术指导", place=exec_unit.name.replace("第一人民医院", "").replace(
        "农业技术推广中心", "") + "乡镇", content=f"组织专家开展{field}咨询、培训和现场指导", start_date=dt.date(year, 3, 5),
        end_date=dt.date(year, 3, 9), beneficiaries=260)
    service.add_project(team, executor, project)
    db.session.flush()
    expert = Expert(unit_id=exec_unit.id, name="石" + name[-2:], id_type="01", id_number=_id(team.id), sex="1",
                    birth_ym="197604", work_unit=exec_unit.name, admin_post="无", phone="13987650000",
                    honours="无", major=field, title="2", entered_by=executor.id)
    db.session.add(expert)
    db.session.flush()
    db.session.add(ProjectExpert(project_id=project.id, expert_id=expert.id, unit_id=exec_unit.id, rating="1",
                                 comment="服务认真负责，群众满意"))
    if state in ("running", "multi"):
        return
    service.end(team, executor, ended=True, end_date=dt.date(year, 9, 30))
    mats = service.materials(team, create=True)
    mats[service.FUNDING.code].items.append(TeamFundingItem(item="专家差旅费", amount=8600, unit_id=exec_unit.id))
    mats[service.FUNDING.code].items.append(TeamFundingItem(item="培训资料印制", amount=1200, unit_id=exec_unit.id))
    ev = mats[service.EVALUATION.code]
    ev.served, ev.trained, ev.techniques, ev.benefit = 260, 48, 2, 15
    ev.description = "开展义诊和技术培训，带动基层人员能力提升。"
    attachments.save_upload(mats[service.SUMMARY.code], "summary", io.BytesIO(PDF), f"{name}工作总结.pdf", executor)
    db.session.flush()
    if state == "ended":
        return
    service.submit_materials(team, executor)
    if state == "submitted":
        return
    from app.workflow import act

    for _model, matter in service.MATERIALS:
        rec = mats[matter.code]
        for unit_id in service._managers(rec):
            reviewer = db.session.scalar(select(UnitUser).where(UnitUser.unit_id == unit_id,
                                                                UnitUser.is_unit_admin.is_(True)))
            if state == "returned" and matter is service.EVALUATION:
                act(matter, rec, reviewer, "return", opinion="请补充服务对象的构成情况")
                break
            act(matter, rec, reviewer, "approve", opinion="同意")


def _id(seed: int) -> str:
    from stdnum.cn import ric

    body = "420102" + "19760415" + f"{(seed * 7) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def load_grassroots(root: Unit | None = None, rng: object = None) -> dict[str, int]:
    """Teams in every state under 湖北 and 四川, a handed-down base with yearly records, regional summaries."""
    from app.services.grassroots import bases as base_service
    from app.workflow import act
    from models.grassroots.base import BaseYear, ExpertBase, RegionalSummary
    from models.grassroots.team import ServiceTeam

    if db.session.scalar(select(ServiceTeam.id).limit(1)) is not None:
        return {"teams": 0}
    plan: list[tuple[str, str, str, str, str]] = [
        ("湖北省人力资源和社会保障厅", "江岸区第一人民医院", "湖北省心血管病防治专家服务团", "卫生健康", "recorded"),
        ("湖北省人力资源和社会保障厅", "江汉区第一人民医院", "湖北省基层儿科诊疗专家服务团", "卫生健康", "running"),
        ("湖北省人力资源和社会保障厅", "西陵区农业技术推广中心", "湖北省柑橘产业专家服务团", "现代农业", "multi"),
        ("湖北省人力资源和社会保障厅", "伍家岗区农业技术推广中心", "湖北省茶产业专家服务团", "现代农业", "ended"),
        ("湖北省人力资源和社会保障厅", "江岸区农业技术推广中心", "湖北省水产养殖专家服务团", "现代农业", "submitted"),
        ("湖北省人力资源和社会保障厅", "江汉区农业技术推广中心", "湖北省蔬菜种植专家服务团", "现代农业", "approved"),
        ("四川省人力资源和社会保障厅", "锦江区第一人民医院", "四川省高原病防治专家服务团", "卫生健康", "running"),
        ("四川省人力资源和社会保障厅", "青羊区农业技术推广中心", "四川省猕猴桃产业专家服务团", "现代农业", "returned"),
    ]
    made = 0
    for prov, exec_name, name, field, state in plan:
        if _unit(exec_name) is None:
            continue
        _team(prov, exec_name, name, field, state)
        made += 1
    # a base approved in 2019, added by 湖北 and handed down to 武汉市, with two yearly records
    hb_admin = _user("hb_admin")
    if hb_admin is not None and db.session.scalar(select(ExpertBase.id).limit(1)) is None:
        from app.services.core import units as unit_service
        from seed.demo import credit_code

        data = unit_service.NewUnit(name="湖北省农业科学院专家服务基地", credit_code=credit_code(9901), nature="20",
                                    admin={"username": "hb_base1_admin", "name": "柯基地", "phone": "13700009901",
                                           "password": "Demo@2026"})
        base = base_service.add_legacy_base(hb_admin, data, approved_year=2019, field="现代农业",
                                            approval_no="人社部函〔2019〕88号")
        base_service.transfer(base, hb_admin, _unit("武汉市人力资源和社会保障局").id)
        host = _user("hb_base1_admin")
        y25 = BaseYear(base_id=base.id, unit_id=base.unit_id, year=2025, funds_received=50, funds_spent=46,
                       funds_note="专家劳务、差旅和培训", activities=14, experts=42, served=2300,
                       results="推广新品种4个，培训农技人员300人次", summary="2025年基地围绕现代农业开展服务14次。")
        y26 = BaseYear(base_id=base.id, unit_id=base.unit_id, year=2026, funds_received=30)
        db.session.add_all([y25, y26])
        db.session.flush()
        act(base_service.BASE_YEAR, y25, host, "submit")
    for prov, year, content, approve in [("湖北省人力资源和社会保障厅", 2026, "湖北省2026年组织专家服务团12个，服务基层群众3万余人次。", False),
                                         ("四川省人力资源和社会保障厅", 2025, "四川省2025年组织专家服务团9个。", True)]:
        unit = _unit(prov)
        if unit is None:
            continue
        rec = RegionalSummary(unit_id=unit.id, year=year, content=content)
        db.session.add(rec)
        db.session.flush()
        submitter = db.session.scalar(select(UnitUser).where(UnitUser.unit_id == unit.id, UnitUser.is_unit_admin.is_(True)))
        act(base_service.REGIONAL, rec, submitter, "submit")
        if approve:
            act(base_service.REGIONAL, rec, _user("center_admin"), "approve", opinion="同意")
    db.session.commit()
    return {"teams": made}
