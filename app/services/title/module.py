"""职称评审 (seed 004): the line's manifest (see app/modules.py).

The manual's three chapters are the same screens for 人社部门, 主管部门 and 申报单位: one set of
views, the menus of each kind by its category (views/title/__init__.py), the rights by the
permissions below.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.modules import Module

CRUD = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
REVIEW = ["can_list", "can_show", "can_review", "batch_approve"]
PERSON_SELF = {
    "PlatformUserDBModelView": ["can_userinfo"],
    "ChangeMyPasswordView": ["can_this_form_get", "can_this_form_post"],
    "InboxView": ["can_list", "can_show", "markread", "remove"],
    "Portal": ["menu_access"],
}
APPLICANT = "职称申报人"
EXPERT = "评审专家"  # an expert drawn for a meeting, voting in their own pages (TR-17)

# the units' work (each kind finds its menus by its category)
WORK: dict[str, list[str]] = {
    # committees and their expert libraries (TR-03 … TR-06)
    "title.Committee": CRUD + ["can_review", "batch_approve"],
    "title.ExpertLibrary": ["can_list", "can_manage"],
    "title.ExpertReview": ["can_list", "can_review"],
    # review activities (TR-09)
    "title.Activity": CRUD + ["can_review", "batch_approve"],
    # material review, query, statistics, 主管部门配置, 职称确认审核 (TR-07, TR-08, TR-25)
    "title.Application": REVIEW, "title.Query": ["can_list"], "title.Stats": ["can_list", "can_edit"],
    "title.CompetentConfig": CRUD, "title.Confirmation": REVIEW,
    # 评审会议管理 (TR-11 … TR-18): every page of the meetings reads with can_list and writes with can_manage
    "title.Meeting": ["can_list", "can_manage"],
    # 电子证书管理 (TR-21): 初定发证, 评审发证, 委托发证, 历史证书 — read with can_list, write with can_manage
    "title.Certificate": ["can_list", "can_manage"],
    # 历史职称数据管理 (TR-22): 数据上传, 数据审核 (review through the engine), 历史评审机构管理
    "title.History": ["can_list", "can_manage", "can_review"],
    # 专技人才审核 and 专技人才统计 (TR-24)
    "title.Talent": REVIEW, "title.TalentStats": ["can_list", "can_export"],
}

MODULE = Module(
    slug="title",
    label=_l("职称评审"),
    models="models.title",
    views="views.title:register",
    declarations=("app.services.title.committees", "app.services.title.activities", "app.services.title.applications",
                  "app.services.title.review", "app.services.title.prep", "app.services.title.draw",
                  "app.services.title.assign", "app.services.title.voting", "app.services.title.publicity",
                  "app.services.title.confirm", "app.services.title.cert", "app.services.title.history",
                  "app.services.title.talent"),
    categories={
        "title.hr": ("人社部门", 20, ["title.hr", "title.competent", "title.applicant", "title.self_review",
                                     "title.central"]),
        "title.competent": ("主管部门", 21, ["title.competent", "title.applicant"]),
        "title.applicant": ("申报单位", 22, ["title.applicant"]),
        "title.self_review": ("自主评审单位", 23, ["title.applicant"]),
        "title.central": ("中央在川单位", 24, ["title.applicant"]),
    },
    root_grants=("title.hr",),
    roles={
        APPLICANT: {**PERSON_SELF, "title.My": ["can_activities", "can_application"],
                    "title.MyConfirmation": CRUD, "title.MyTalent": CRUD,
                    "title.MyCertificate": ["can_list"]},
        # the expert's own pages (TR-17: 我的评审任务, 专家投票), given at the opening of a vote
        EXPERT: {**PERSON_SELF, "title.ExpertVote": ["can_list", "can_vote"]},
    },
    platform_roles={"单位管理员": WORK, "工作人员": WORK},
    demo="seed.title:load_title",
    person_links=(("TitleMyView.activities", "fa-bullhorn", _l("评审活动")),
                  ("TitleMyView.applications", "fa-file-signature", _l("我的职称申报")),
                  ("TitleExpertVoteView.tasks", "fa-gavel", _l("我的评审任务")),
                  ("TitleTalentMyView.mine", "fa-id-badge", _l("专技人才信息")),
                  ("TitleMyCertView.index", "fa-certificate", _l("我的证书"))),
    portal_links=(("TitleRegisterView.form", _l("职称申报人注册")), ("TitleCertVerifyView.verify", _l("职称证书查询验证")),),
    portal_panels=("title/activity_portal.html", "title/publicity/_portal.html"),
    object_types={"title_talent": _l("专技人才信息"), "title_committee_expert": _l("评委会专家"), "title_activity_level": _l("开设级别"),
                  "title_achievement_item": _l("业绩成果配置"), "title_achievement_entry": _l("业绩成果"),
                  "title_application_education": _l("学习经历"), "title_application_work": _l("工作经历"),
                  "title_activity_condition": _l("破格条件需求配置"), "title_activity_material": _l("评审会需求材料配置"),
                  "title_expert_participation": _l("专家参会记录"), "title_scoring_standard": _l("评分标准"),
                  "title_defense": _l("答辩安排"), "title_meeting": _l("评审会议"), "title_draw_group": _l("抽选小组"),
                  "title_draw": _l("专家抽选记录"), "title_prof_group": _l("专业组"), "title_meeting_expert": _l("抽选专家"),
                  "title_meeting_applicant": _l("参评人员"), "title_vote_round": _l("投票轮次"),
                  "title_round_entry": _l("投票名单"), "title_round_expert": _l("投票专家"), "title_ballot": _l("选票"),
                  "title_publicity": _l("评审结果公示"), "title_objection": _l("公示异议"),
                  "title_history_institution": _l("历史评审机构"), "title_history_group": _l("历史职称数据"),
                  "title_history_title": _l("历史职称证书"),
                  "title_cert_batch": _l("发证批次"), "title_certificate": _l("电子证书")},
)
