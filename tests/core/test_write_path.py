"""One write path per rule (issue 16, item 4): a business rule lives in a service function that the
edit screen and the REST API both call; every refusal is a ``BusinessError``, which the views catch
as one (a line's own error included) and answer with the reason, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.services.errors import BusinessError
from models.core.unit import Unit
from tests.conftest import unit_by_name


def test_the_unit_phone_rule_holds_on_the_api_as_on_the_screen(app, login_as):
    with app.app_context():
        unit = unit_by_name("武汉市人力资源和社会保障局")
        pk, phone = unit.id, unit.phone
    c = login_as("hb_admin")
    r = c.json("PUT", f"/api/v1/unit/{pk}", {"phone": "not-a-phone"})
    assert r.status_code == 400, r.get_data(as_text=True)
    assert "请填写正确的电话号码" in r.get_json()["message"]["phone"][0]
    with app.app_context():
        assert db.session.get(Unit, pk).phone == phone
    # the same rule on the edit screen, beside the field, with the form kept
    r = c.post(f"/units/edit/{pk}", data={"name": "武汉市人力资源和社会保障局", "phone": "not-a-phone"},
               follow_redirects=True)
    assert "请填写正确的电话号码" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Unit, pk).phone == phone
    r = c.json("PUT", f"/api/v1/unit/{pk}", {"phone": "027-88886666"})
    assert r.status_code == 200
    with app.app_context():
        assert db.session.get(Unit, pk).phone == "027-88886666"
        db.session.get(Unit, pk).phone = phone
        db.session.commit()


def test_every_service_refusal_is_a_business_error():
    from app.services.commissioner.individual import CommissionerError
    from app.services.core.attachments import AttachmentError
    from app.services.core.menus import MenuError
    from app.services.core.messages import MessageError
    from app.services.core.notices import NoticeError
    from app.services.core.units import UnitError
    from app.services.core.users import UserError
    from app.services.grassroots.bases import BaseError
    from app.services.grassroots.teams import TeamError
    from app.workflow import ReviewError

    for cls in (CommissionerError, AttachmentError, MenuError, MessageError, NoticeError, UnitError, UserError,
                BaseError, TeamError, ReviewError):
        assert issubclass(cls, BusinessError), cls
    e = TeamError("请填写名称", "name")
    assert (str(e), e.field, e.problems) == ("请填写名称", "name", [("name", "请填写名称")])


class _LineRefusal(BusinessError):
    """A refusal of a line the review views never heard of."""


@pytest.mark.parametrize("batch", [False, True])
def test_a_lines_own_refusal_in_a_review_hook_is_shown_not_a_500(app, login_as, monkeypatch, batch):
    import views.review as review_views

    def refuse(*_a, **_k):
        raise _LineRefusal("该服务团尚未结束，不能审核")

    monkeypatch.setattr(review_views, "act", refuse)
    with app.app_context():
        from app.services.core.users import unit_admin
        from models.grassroots.team import TeamFunding

        record = db.session.scalars(select(TeamFunding).order_by(TeamFunding.id)).first()
        assert record is not None, "the demo has 经费管理 records"
        pk, login = record.id, unit_admin(record.unit_id).username
    c = login_as(login)
    if batch:
        r = c.post("/grassroots/funding/review_batch", data={"action": "approve", "rowid": [str(pk)]},
                   follow_redirects=True)
    else:
        r = c.post(f"/grassroots/funding/review/{pk}", data={"action": "approve"}, follow_redirects=True)
    assert r.status_code == 200, r.status_code
    assert "该服务团尚未结束，不能审核" in r.get_data(as_text=True)


def _transactions_owned(path: Path) -> list[int]:
    """Lines of ``path`` that commit or roll back the session themselves, outside a background job's
    runner (a ``@jobs.runner`` function owns its transactions: no request, nothing to flash)."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    in_runner: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and ast.unparse(d.func).endswith("runner") for d in node.decorator_list):
            in_runner.update(id(n) for n in ast.walk(node))
    return sorted(node.lineno for node in ast.walk(tree)
                  if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr in ("commit", "rollback") and ast.unparse(node.func.value) == "db.session"
                  and id(node) not in in_runner)


def test_views_write_through_the_one_helper():
    """No view commits or rolls back by hand: views/writes.py does (and views/base.py, whose add/edit/delete
    keep FAB's own transaction)."""
    root = Path(__file__).resolve().parents[2] / "views"
    assert _transactions_owned(root / "writes.py"), "the check finds a commit where there is one"
    found = [f"{path.relative_to(root.parent)}:{line}" for path in sorted(root.rglob("*.py"))
             if path not in (root / "writes.py", root / "base.py") for line in _transactions_owned(path)]
    assert not found, f"commit / rollback outside views/writes.py: {found}"


def test_write_rolls_back_and_shows_every_field_once(app):
    from flask import get_flashed_messages

    from models.core.setting import MenuSetting
    from views.writes import write

    def refuse() -> None:
        db.session.add(MenuSetting(name="WriteHelperProbe", label="探针"))
        db.session.flush()
        raise _LineRefusal.of([("name", "请填写名称"), ("name", "名称太长"), (None, "整页的原因")])

    with app.test_request_context():
        errors: dict[str, str] = {}
        done = write(refuse, "不应出现", errors=errors)
        assert not done and isinstance(done.error, _LineRefusal)
        assert errors == {"name": "请填写名称", "_": "整页的原因"}
        assert get_flashed_messages(with_categories=True) == [("danger", "请填写名称")]
        assert db.session.scalar(select(MenuSetting).where(MenuSetting.name == "WriteHelperProbe")) is None
    with app.test_request_context():
        done = write(lambda: 3, lambda n: f"已处理{n}条", refusal=None)
        assert done and done.value == 3
        assert get_flashed_messages(with_categories=True) == [("success", "已处理3条")]


def test_a_refusal_in_a_converted_view_keeps_nothing(app, login_as, monkeypatch):
    """公告发布 refused by a rule the view never heard of: flashed, the notice unchanged (was a 500)."""
    from app.services.core import notices as notice_service
    from models.core.notice import Notice
    from tests.conftest import unique

    c = login_as("hb_admin")
    title = unique("写入路径公告")
    assert c.post("/notices/add", data={"kind": "01", "title": title, "content": "正文"}).status_code == 302
    with app.app_context():
        pk = db.session.scalar(select(Notice.id).where(Notice.title == title))
        state = db.session.get(Notice, pk).state

    def refuse(item, user):
        item.title = "不应保存"
        raise _LineRefusal("该公告尚未审定，不能发布")

    monkeypatch.setattr(notice_service, "publish", refuse)
    r = c.post("/notices/action_post", data={"action": "publish", "rowid": [str(pk)]}, follow_redirects=True)
    assert r.status_code == 200
    assert "该公告尚未审定，不能发布" in r.get_data(as_text=True)
    with app.app_context():
        notice = db.session.get(Notice, pk)
        assert (notice.title, notice.state) == (title, state)
