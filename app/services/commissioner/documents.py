"""科技特派员 documents: the application sheets, agreements and the legal unit's sheet.

Each kind has its HTML template (app/templates/pdf/commissioner_*.html, the reference look) and a
fixed reportlab layout for printing in bulk, registered with the PDF service here.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from app.services.documents import pdf
from app.services.documents.pdf_rl import Form, Line, Pair, Section, Stamps, Wide, register_layout


def _stamps() -> Stamps:
    return Stamps([_("派出单位（盖章）"), _("被服务企业（盖章）"), _("被服务企业所在市州科技局（盖章）"), _("省科技厅（盖章）")])


def _name(obj: Any) -> str:
    return obj.name if obj is not None else ""


def _members(team: Any) -> str:
    return "、".join(m.user.name for m in team.members)


def commissioner_application(c: dict[str, Any]) -> Form:
    rec, person = c["application"], c["person"]
    return Form(
        title=_("湖北省科技特派员个人申请表"),
        sub=_("所在地市：%(unit)s　　审核状态：%(state)s", unit=_name(rec.unit), state=c["state"]),
        rows=[
            Section(_("基本信息")),
            Pair(_("姓名"), person.name, _("性别"), c["sex"]),
            Pair(_("出生年月"), person.birth_ym, _("籍贯"), person.native_place),
            Pair(_("工作单位"), person.workplace, _("单位职务"), person.post),
            Pair(_("职称"), person.title, _("联系电话"), c["phone"]),
            Section(_("申请信息")),
            Pair(_("专业"), rec.major, _("服务产业领域"), rec.industry),
            Pair(_("拟服务地市"), _name(rec.intended_city), _("拟服务县（市、区）"), rec.intended_county),
            Wide(_("拟服务企业"), rec.intended_enterprise),
            Wide(_("个人介绍"), rec.introduction),
            Wide(_("主要业绩"), rec.achievements),
        ],
        after=[Line(_("所在地市科技管理部门（盖章）：____________　　　年　　月　　日"), "right", 30)],
    )


def commissioner_agreement(c: dict[str, Any]) -> Form:
    ag, rec, person = c["agreement"], c["application"], c["person"]
    return Form(
        title=_("湖北省科技特派员个人服务协议"),
        sub=_("%(province)s制", province=_name(c["province"])),
        rows=[
            Section(_("科技特派员基本情况")),
            Pair(_("姓名"), person.name, _("性别"), c["labels"]["sex"]),
            Pair(_("工作单位"), person.workplace, _("职务/职称"), f"{person.post or ''}／{person.title or ''}"),
            Pair(_("专业"), rec.major, _("联系电话"), person.phone),
            Section(_("服务对象")),
            Pair(_("拟服务地市"), _name(rec.intended_city), _("拟服务县（市、区）"), rec.intended_county),
            Wide(_("服务企业"), rec.intended_enterprise),
            Wide(_("服务企业主营业务"), ag.enterprise_business),
            Section(_("服务内容")),
            Wide(_("专业技术特长"), ag.specialty),
            Wide(_("科技服务需求"), ag.needs),
            Wide(_("工作内容及时间安排"), ag.work_plan),
            Wide(_("预期完成任务指标"), ag.targets),
        ],
        after=[_stamps()],
    )


def commissioner_team_application(c: dict[str, Any]) -> Form:
    rec = c["application"]
    team = rec.team
    return Form(
        title=_("湖北省法人科技特派员团队申请表"),
        sub=_("法人单位：%(unit)s　　审核状态：%(state)s", unit=_name(team.unit), state=c["state"]),
        rows=[
            Section(_("团队情况")),
            Pair(_("团队名称"), team.name, _("团队人数"), team.size),
            Pair(_("负责人"), _name(team.leader), _("团队成员"), _members(team)),
            Section(_("申请信息")),
            Wide(_("专业技术领域"), rec.field),
            Wide(_("取得的成就"), rec.achievements),
            Pair(_("拟服务地市"), _name(rec.intended_city), _("拟服务县（市）"), rec.intended_county),
            Wide(_("拟服务企业"), rec.intended_enterprise),
            Wide(_("依托产业链"), rec.chain),
        ],
        after=[Line(_("法人单位（盖章）：____________　　　年　　月　　日"), "right", 30)],
    )


def commissioner_team_agreement(c: dict[str, Any]) -> Form:
    ag, rec, team = c["agreement"], c["application"], c["team"]
    return Form(
        title=_("湖北省法人科技特派员团队服务协议"),
        sub=_("%(province)s制", province=_name(c["province"])),
        rows=[
            Section(_("团队基本情况")),
            Pair(_("团队名称"), team.name, _("法人单位"), _name(team.unit)),
            Pair(_("负责人"), _name(c.get("leader")), _("团队人数"), team.size),
            Wide(_("团队成员"), _members(team)),
            Wide(_("专业技术领域"), rec.field),
            Section(_("服务对象与内容")),
            Pair(_("拟服务地市"), _name(rec.intended_city), _("拟服务县（市）"), rec.intended_county),
            Wide(_("服务企业"), rec.intended_enterprise),
            Wide(_("服务企业主营业务"), ag.enterprise_business),
            Wide(_("科技服务需求"), ag.needs),
            Wide(_("工作内容及时间安排"), ag.work_plan),
            Wide(_("预期完成任务指标"), ag.targets),
        ],
        after=[_stamps()],
    )


def commissioner_org_sheet(c: dict[str, Any]) -> Form:
    unit, org = c["unit"], c.get("org")

    def of_org(attr: str) -> Any:
        return getattr(org, attr) if org is not None else ""

    return Form(
        title=_("湖北省法人科技特派员派出单位申请表"),
        sub=_("附件2　单位概况"),
        rows=[
            Section(_("单位概况")),
            Wide(_("单位名称"), unit.name),
            Pair(_("统一社会信用代码"), unit.credit_code, _("单位性质"), c.get("nature")),
            Pair(_("法人代表"), unit.legal_name, _("单位电话"), unit.phone),
            Wide(_("所在地"), of_org("location")),
            Pair(_("联系人"), of_org("contact"), _("联系电话"), of_org("contact_phone")),
            Wide(_("主营业务"), of_org("business")),
        ],
        after=[
            Line(_("本单位承诺以上信息真实有效，同意选派本单位科技人员作为法人科技特派员开展科技服务。"), "left", 30),
            Line(_("单位（盖章）：____________　　　年　　月　　日"), "right", 24),
        ],
    )


for _kind, _build in [("commissioner_application", commissioner_application), ("commissioner_agreement", commissioner_agreement),
                      ("commissioner_team_application", commissioner_team_application), ("commissioner_team_agreement", commissioner_team_agreement),
                      ("commissioner_org_sheet", commissioner_org_sheet)]:
    register_layout(_kind, _build)
    pdf.register_kind(_kind, pdf.DocumentKind(f"pdf/{_kind}.html", layout=_kind))
