"""业绩成果模板 (004 §1.2.4.1.1–1.2.4.1.8): the fields of each template kind, as the manual draws
them (图 2.4.7–2.4.14). One spec serves the activity's configuration (which kinds an item offers),
the applicant's form, the server-side check of an entry and the reviewer's page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

RANKS = [str(i) for i in range(1, 11)] + ["10名以后"]


@dataclass(frozen=True)
class TField:
    name: str
    label: Any
    kind: str = "text"  # text | textarea | date | month | select | number
    required: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    hint: Any = None


@dataclass(frozen=True)
class Template:
    code: str
    label: Any
    fields: tuple[TField, ...]
    note: Any = None  # the ① line the manual shows above the form
    summary: tuple[str, ...] = field(default_factory=tuple)  # the fields a list row shows


YES_NO = ("是", "否")
TEMPLATES: dict[str, Template] = {t.code: t for t in (
    Template("general", _l("通用"), (
        TField("start", _l("开始时间"), "date", True),
        TField("end", _l("结束时间"), "date", True),
        TField("work_name", _l("专业技术工作名称"), "text", True, 50),
        TField("after_title", _l("是否取得现职称后业绩成果"), "select", True, choices=YES_NO),
        TField("role", _l("工作内容/本人作用"), "textarea", False, 500,
               hint=_l("请输入工作内容、本人起何作用（主持、参加、独立）相关信息，限500字")),
        TField("result", _l("完成情况/效果"), "textarea", False, 500,
               hint=_l("请输入完成情况及效果（获何奖励、效益或专利）相关信息，限500字")),
    ), summary=("work_name", "start", "end")),
    Template("patent", _l("专利"), (
        TField("name", _l("专利名称/标准名称"), "text", True, 20),
        TField("patent_type", _l("专利类别"), "select", False, choices=("发明专利", "实用新型专利", "外观设计专利")),
        TField("patent_no", _l("专利号"), "text", False, 30),
        TField("approved_on", _l("批准时间/颁布时间"), "date", True),
        TField("rank", _l("完成人排名"), "select", True, choices=tuple(RANKS)),
        TField("country", _l("授权国别或组织"), "text", True, 30),
    ), note=_l("应填写取得当前职称后取得的：①专利：全部填写；②地方/行业标准：可不填专利类型和专利号。"),
        summary=("name", "approved_on", "rank")),
    Template("award", _l("获奖/荣誉称号"), (
        TField("name", _l("奖项/荣誉称号名称"), "text", True, 50),
        TField("project", _l("获奖项目名称"), "text", False, 50),
        TField("grantor", _l("奖项授予单位"), "text", True, 50),
        TField("award_level", _l("奖项级别"), "select", True, choices=("国家级", "省部级", "市厅级", "县处级", "其他")),
        TField("grade", _l("获奖等次"), "select", False, choices=("特等奖", "一等奖", "二等奖", "三等奖", "其他")),
        TField("awarded_on", _l("获奖时间"), "date", True),
        TField("rank", _l("完成人排名"), "select", False, choices=tuple(RANKS)),
        TField("cert_no", _l("证书编号"), "text", False, 30),
    ), summary=("name", "award_level", "awarded_on")),
    Template("paper", _l("论文"), (
        TField("name", _l("名称"), "text", True, 100),
        TField("published_on", _l("发表时间"), "date", True),
        TField("category", _l("类别"), "select", True, choices=("期刊论文", "会议论文", "学位论文", "其他")),
        TField("journal", _l("刊物名称"), "text", True, 100),
        TField("issn", _l("刊号"), "text", True, 50),
        TField("rank", _l("作者排名"), "select", True, choices=tuple(RANKS)),
        TField("words", _l("本人完成字数（千字）"), "number", True),
        TField("exchange", _l("出版、登载获奖或在学术会议上交流情况"), "textarea", False, 200),
    ), note=_l("应填写取得当前职称后的成果，包括：（项目、课题、成果等）名称、主要内容、本人角色（主持、独立承担及参加的名次）、"
               "完成情况及效果（获何奖励、级别、效益），并上传相应佐证材料附件（集体项目无个人姓名的应由该集体或提供个人在其中作用情况说明）。"),
        summary=("name", "journal", "published_on")),
    Template("sci_award", _l("科技成果奖"), (
        TField("project", _l("项目名称"), "text", True, 100),
        TField("award_name", _l("奖励名称"), "text", False, 100),
        TField("awarded_on", _l("获奖时间"), "date", True),
        TField("award_level", _l("奖项级别"), "select", True, choices=("国家级", "省部级", "市厅级", "其他")),
        TField("rank", _l("本人排名"), "select", False, choices=tuple(RANKS)),
        TField("grantor", _l("授予机构"), "text", False, 100),
    ), summary=("project", "award_level", "awarded_on")),
    Template("report", _l("重要专业报告"), (
        TField("name", _l("重要专业报告名称"), "text", True, 100),
        TField("published_on", _l("发表时间"), "date", True),
        TField("publisher", _l("刊物名称/主办单位"), "text", False, 100),
        TField("rank", _l("作者排名"), "select", True, choices=tuple(RANKS)),
        TField("exchange", _l("出版、登载获奖或在学术会议交流情况"), "textarea", False, 200),
    ), summary=("name", "published_on", "rank")),
    Template("book", _l("著作/译著"), (
        TField("name", _l("著作/译著名称"), "text", True, 100),
        TField("issued_on", _l("发行时间"), "date", True),
        TField("category", _l("类别"), "select", True, choices=("专著", "编著", "译著", "教材", "其他")),
        TField("isbn", _l("版号"), "text", False, 50),
        TField("rank", _l("作者排名"), "select", True, choices=tuple(RANKS)),
        TField("publisher", _l("出版单位"), "text", True, 100),
        TField("words", _l("本人完成字数（千字）"), "number", True),
        TField("exchange", _l("出版、登载获奖或在学术会议交流情况"), "textarea", False, 200),
    ), summary=("name", "publisher", "issued_on")),
    Template("standard", _l("标准/规范"), (
        TField("name", _l("标准名称"), "text", True, 50),
        TField("category", _l("类别"), "select", True, choices=("国家标准", "行业标准", "地方标准", "团体标准", "企业标准")),
        TField("code", _l("标准号"), "text", True, 50),
        TField("issued_on", _l("发布时间"), "date", True),
        TField("rank", _l("本人排名"), "select", False, choices=tuple(RANKS)),
    ), summary=("name", "code", "issued_on")),
)}


def labels() -> dict[str, str]:
    return {code: str(t.label) for code, t in TEMPLATES.items()}
