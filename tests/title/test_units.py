"""职称评审 units (TR-01, TR-23): each kind of unit finds its chapter's menus; the platform's 单位管理 serves
them — a 人社部门 creates lower units only of the types it may grant, and 多岗审核配置 offers the three matter
types of this issue (评委会备案, 评审活动发布, 职称申报) with the platform's own, not another line's."""

from __future__ import annotations

import re


def _menu(client) -> str:
    return client.get("/").get_data(as_text=True)


def test_each_kind_sees_its_chapter(login_as):
    hr = _menu(login_as("ls_admin"))  # 人社部门 (chapter 1)
    for label in ("评委会管理", "评审活动管理", "申报材料审核", "单位及用户管理"):
        assert label in hr, label
    competent = _menu(login_as("ls_zjj_admin"))  # 主管部门 (chapter 2)
    for label in ("评委会管理", "评审活动管理", "申报材料审核"):
        assert label in competent, label
    applicant = _menu(login_as("ls_jzy_admin"))  # 申报单位 (chapter 3): 申报材料审核 and 单位管理 only
    assert "申报材料审核" in applicant and "单位及用户管理" in applicant
    assert "评委会管理" not in applicant and "评审活动管理" not in applicant
    assert "职称确认审核" not in applicant and "职称确认审核" in hr


def test_new_lower_unit_offers_the_types_the_parent_may_grant(login_as):
    page = login_as("ls_admin").get("/newunit/").get_data(as_text=True)
    for name in ("主管部门", "申报单位", "自主评审单位", "中央在川单位"):
        assert name in page, name
    page = login_as("ls_zjj_admin").get("/newunit/").get_data(as_text=True)
    assert "申报单位" in page and "自主评审单位" not in page


def test_multi_post_configuration_offers_the_lines_matters(login_as):
    page = login_as("ls_admin").get("/reviewposts/add").get_data(as_text=True)
    options = set(re.findall(r'<option[^>]*value="([a-z_.]+)"', page))
    assert {"title.committee", "title.activity", "title.application"} <= options
    assert not [o for o in options if o.startswith("commissioner.")]
