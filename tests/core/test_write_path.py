"""One write path per rule (issue 16, item 4): a business rule lives in a service function that the
edit screen and the REST API both call; every refusal is a ``BusinessError``, which the views catch
as one (a line's own error included) and answer with the reason, nothing written."""

from __future__ import annotations

import pytest

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
        from sqlalchemy import select

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
