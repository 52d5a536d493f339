"""科技特派员 (seed 003): the line's manifest (see app/modules.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.modules import Module

REVIEW = ["can_list", "can_show", "can_review", "batch_approve"]
PERSON_SELF = {
    "PlatformUserDBModelView": ["can_userinfo"],
    "ChangeMyPasswordView": ["can_this_form_get", "can_this_form_post"],
    "InboxView": ["can_list", "can_show", "markread", "remove"],
    "Portal": ["menu_access"],
}
# the units' work: each kind (province, city, legal unit) finds its menus by its category
WORK = {
    "commissioner.Application": REVIEW, "commissioner.TeamApplication": REVIEW, "commissioner.Dispatched": ["can_index"],
    **{v: ["can_list", "can_show"] for v in ("commissioner.People", "commissioner.AgreementList", "commissioner.TeamList",
                                             "commissioner.TeamAgreementList")},
    "commissioner.Org": ["can_org"], "commissioner.Files": ["can_files", "can_upload"],
    "commissioner.OrgList": ["can_list", "can_show"], "commissioner.Stats": ["can_list", "can_export"],
}
# the line's person roles (registration takes one of them: individual.PERSON_ROLES)
INDIVIDUAL, LEADER, MEMBER = "个人科技特派员", "法人科技特派员（团队负责人）", "法人科技特派员（团队成员）"

MODULE = Module(
    slug="commissioner",
    label=_l("科技特派员"),
    models="models.commissioner",
    views="views.commissioner:register",
    declarations=("app.services.commissioner.org", "app.services.commissioner.individual",
                  "app.services.commissioner.team", "app.services.commissioner.statistics",
                  "app.services.commissioner.documents"),
    categories={
        "commissioner.province": ("省科技厅", 50, ["commissioner.city", "commissioner.legal",
                                                 "commissioner.dispatched"]),
        "commissioner.city": ("地市科技管理部门", 51, ["commissioner.legal", "commissioner.dispatched"]),
        "commissioner.legal": ("法人单位", 52, []),
        "commissioner.dispatched": ("派驻单位", 53, []),
    },
    root_grants=("commissioner.province",),
    roles={
        INDIVIDUAL: {**PERSON_SELF, "commissioner.My": ["can_profile", "can_application", "can_agreement"]},
        LEADER: {**PERSON_SELF, "commissioner.My": ["can_profile"], "commissioner.Team": ["can_team"]},
        MEMBER: {**PERSON_SELF, "commissioner.My": ["can_profile"], "commissioner.Team": ["can_join"]},
    },
    platform_roles={"单位管理员": WORK, "工作人员": WORK},
    demo="seed.commissioner:load_commissioner",
    person_links=(("CommissionerMyView.profile", "fa-id-card", _l("基本信息")),
                  ("CommissionerMyView.application", "fa-file-signature", _l("个人申请表")),
                  ("CommissionerMyView.agreement", "fa-handshake", _l("个人服务协议"))),
    portal_links=(("CommissionerRegisterView.form", _l("科技特派员注册")),),
    object_types={"commissioner_team_member": _l("团队成员")},
)
