"""系统菜单 (seed 003 七, issue 15.8): rename, reorder and hide navigation entries per deployment."""

from __future__ import annotations

from sqlalchemy import delete

from app.extensions import db
from models.core.setting import MenuSetting


def _navbar(c) -> str:
    body = c.get("/").get_data(as_text=True)
    return body[body.index("navbar"):body.index("</nav>")] if "</nav>" in body else body


def test_rename_reorder_and_hide_menu_entries(app, login_as):
    from app.services.core import menus

    admin = login_as("sysadmin")
    page = admin.get("/systemmenu/").get_data(as_text=True)
    assert "技术服务设置" in page and "审计日志" in page and 'name="label_SupportEdit"' in page
    assert login_as("hb_admin").get("/systemmenu/").status_code in (302, 403)
    try:
        # a bad order is refused with its reason, what was typed stays, nothing is stored
        r = admin.post("/systemmenu/save", {"label_SupportEdit": "技术支持", "sort_SupportEdit": "第一"})
        body = r.get_data(as_text=True)
        assert r.status_code == 200 and "排序须为整数" in body and 'value="技术支持"' in body
        with app.app_context():
            assert db.session.query(MenuSetting).count() == 0
        r = admin.post("/systemmenu/save", {"label_SupportEdit": "技术支持联系方式", "sort_SystemMenu": "-5",
                                            "hidden_Dictionaries": "1"})
        assert r.status_code == 302
        nav = _navbar(admin)
        assert "技术支持联系方式" in nav and "技术服务设置" not in nav and "数据字典" not in nav
        assert nav.index("系统菜单") < nav.index("技术支持联系方式")  # moved to the front of 系统管理
        # hiding is not a permission: the page still opens for those who hold it
        assert admin.get("/dicttypes/list/").status_code == 200
    finally:
        with app.app_context():
            db.session.execute(delete(MenuSetting))
            db.session.commit()
        with app.test_request_context():
            menus.apply(force=True)
    nav = _navbar(admin)
    assert "技术服务设置" in nav and "数据字典" in nav and "技术支持联系方式" not in nav
