"""站内消息 (P-12): who may be written to, inbox/sent/drafts, read receipts, push, engine notices."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from models.core.message import Message, MessageRecipient
from models.core.user import UnitUser
from tests.conftest import make_unit, unique, unit_by_name


def _uid(login: str) -> int:
    return db.session.scalar(select(UnitUser.id).where(UnitUser.username == login))


def _inbox(login: str) -> list[MessageRecipient]:
    return list(db.session.scalars(select(MessageRecipient).where(MessageRecipient.user_id == _uid(login))).all())


def test_write_to_parent_own_and_children_only(app, login_as):
    c = login_as("hb_wh_admin")  # 武汉市: parent 湖北省, children 江岸区, 江汉区
    with app.app_context():
        hb, wh, ja = (unit_by_name(n) for n in ("湖北省人力资源和社会保障厅", "武汉市人力资源和社会保障局",
                                                "江岸区人力资源局"))
        yc = unit_by_name("宜昌市人力资源和社会保障局")
        sc = unit_by_name("四川省人力资源和社会保障厅")
        hb_id, wh_id, ja_id, yc_id, sc_id = hb.id, wh.id, ja.id, yc.id, sc.id
        ja_staff, yc_staff, ja_e1 = _uid("hb_wh_ja_staff"), _uid("hb_yc_staff"), _uid("hb_wh_ja_e1_admin")
    # the pickers offer only reachable units and users
    units = c.get("/messages/options/units?mode=write").get_json()["results"]
    ids = {u["id"] for u in units}
    assert {hb_id, wh_id, ja_id} <= ids and yc_id not in ids and sc_id not in ids
    assert any("上级单位" in u["text"] for u in units)
    users = c.get("/messages/options/users?mode=write&q=").get_json()["results"]
    user_ids = {u["id"] for u in users}
    assert ja_staff in user_ids and yc_staff not in user_ids and ja_e1 not in user_ids  # grandchild: no
    # a forged addressee (sibling city's staff) is refused, nothing is sent, the typed text is kept
    title = unique("越权消息")
    r = c.post("/messages/compose", data={"title": title, "body": "正文内容", "users": [str(yc_staff)], "op": "send"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "所选人员不在可发送的范围内" in page and title in page and "正文内容" in page
    r = c.post("/messages/compose", data={"title": title, "body": "x", "units": [str(sc_id)], "op": "send"})
    assert "所选单位不在可发送的范围内" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Message).where(Message.title == title)) is None
    # a message to a unit reaches its administrator and staff; one to the parent's admin too
    title = unique("工作通知")
    r = c.post("/messages/compose", data={"title": title, "body": "请于周五前报送材料。", "units": [str(ja_id)],
                                          "users": [str(_uid_app(app, "hb_admin"))], "op": "send"})
    assert r.status_code == 302
    with app.app_context():
        msg = db.session.scalar(select(Message).where(Message.title == title))
        got = {r.user.username for r in msg.recipients}
        assert got == {"hb_wh_ja_admin", "hb_wh_ja_staff", "hb_admin"}
        assert msg.state == "sent" and msg.kind == "personal"
        msg_id = msg.id
        rec_id = next(r.id for r in msg.recipients if r.user.username == "hb_wh_ja_staff")
    # the recipient sees it unread, opens it, confirms reading; the sender sees the receipt
    s = login_as("hb_wh_ja_staff")
    page = s.get("/inbox/list/?unread=1").get_data(as_text=True)
    assert title in page
    assert re.search(r'unread-badge">\d+<', s.get("/").get_data(as_text=True))
    assert "请于周五前报送材料" in s.get(f"/inbox/show/{rec_id}").get_data(as_text=True)
    assert s.post(f"/inbox/show/{rec_id}").status_code == 302
    with app.app_context():
        assert db.session.get(MessageRecipient, rec_id).read_at is not None
    sent = c.get(f"/sentmessages/show/{msg_id}").get_data(as_text=True)
    assert "已读1人" in sent and "共3人" in sent
    # nobody else reaches the copy or the sent message
    other = login_as("hb_wh_ja_admin")
    assert other.get(f"/inbox/show/{rec_id}").status_code == 404
    assert other.get(f"/sentmessages/show/{msg_id}").status_code == 404
    assert other.post("/inbox/action_post", data={"action": "markread", "rowid": [str(rec_id)]}).status_code == 404


def _uid_app(app, login: str) -> int:
    with app.app_context():
        return _uid(login)


def test_drafts_keep_addressees_then_send(app, login_as):
    c = login_as("hb_admin")
    with app.app_context():
        wh = unit_by_name("武汉市人力资源和社会保障局")
        wh_id = wh.id
    title = unique("草稿")
    r = c.post("/messages/compose", data={"title": title, "body": "", "units": [str(wh_id)], "op": "draft"})
    assert r.status_code == 302
    with app.app_context():
        draft = db.session.scalar(select(Message).where(Message.title == title))
        assert draft.state == "draft" and draft.recipients == []
        draft_id = draft.id
    assert title in c.get("/draftmessages/list/").get_data(as_text=True)
    page = c.get(f"/messages/compose?draft={draft_id}").get_data(as_text=True)
    assert "武汉市人力资源和社会保障局" in page and title in page
    # another user cannot open it
    assert login_as("hb_staff").get(f"/messages/compose?draft={draft_id}").status_code == 404
    r = c.post("/messages/compose", data={"draft": str(draft_id), "title": title, "body": "正式内容",
                                          "units": [str(wh_id)], "op": "send"})
    assert r.status_code == 302
    with app.app_context():
        sent = db.session.get(Message, draft_id)
        assert sent.state == "sent" and {r.user.username for r in sent.recipients} == {"hb_wh_admin", "hb_wh_staff"}


def test_push_to_children_or_own_people(app, login_as):
    c = login_as("hb_admin")
    with app.app_context():
        wh, yc = unit_by_name("武汉市人力资源和社会保障局"), unit_by_name("宜昌市人力资源和社会保障局")
        ja = unit_by_name("江岸区人力资源局")
        wh_id, yc_id, ja_id = wh.id, yc.id, ja.id
        staff = _uid("hb_staff")
        wh_admin = _uid("hb_wh_admin")
    units = {u["id"] for u in c.get("/messages/options/units?mode=push_units").get_json()["results"]}
    assert units == {wh_id, yc_id}
    people = {u["id"] for u in c.get("/messages/options/users?mode=push_users").get_json()["results"]}
    assert people == {staff}
    title = unique("推送")
    r = c.post("/messages/push", data={"to": "push_units", "title": title, "body": "年度总结",
                                       "units": [str(wh_id), str(yc_id)], "op": "send"})
    assert r.status_code == 302
    with app.app_context():
        msg = db.session.scalar(select(Message).where(Message.title == title))
        assert msg.kind == "push" and len(msg.recipients) == 4
    # a grandchild unit or a person of another unit cannot be pushed to
    r = c.post("/messages/push", data={"to": "push_units", "title": title, "body": "x", "units": [str(ja_id)],
                                       "op": "send"})
    assert "所选单位不在可发送的范围内" in r.get_data(as_text=True)
    r = c.post("/messages/push", data={"to": "push_users", "title": title, "body": "x", "users": [str(wh_admin)],
                                       "op": "send"})
    assert "所选人员不在可发送的范围内" in r.get_data(as_text=True)
    # staff hold no push permission
    assert login_as("hb_staff").get("/messages/push").status_code in (302, 403)


def test_review_return_tells_the_applicant(app, login_as):
    """The engine's message is written in the transition's own transaction."""
    from app.services.core.parent_change import PARENT_CHANGE
    from app.workflow import act
    from models.core.parent_change import ParentChange

    with app.app_context():
        # a unit of its own below 江岸区: the seeded districts have open matters that keep them
        # from moving (parent_change.OPEN_MATTERS), and this test is about the message only
        ja = unit_by_name("江岸区人力资源局")
        unit = make_unit(ja, name=unique("街道人社所"))
        applicant = db.session.scalar(select(UnitUser).where(UnitUser.unit_id == unit.id))
        login = applicant.username
        rec = ParentChange(unit_id=unit.id, old_parent_id=ja.id, new_parent_id=ja.id, reason="测试")
        db.session.add(rec)
        db.session.commit()
        before = len(_inbox(login))
        act(PARENT_CHANGE, rec, applicant, "submit")
        db.session.commit()
        reviewer = db.session.scalar(select(UnitUser).where(UnitUser.username == "hb_wh_ja_admin"))
        act(PARENT_CHANGE, rec, reviewer, "return", opinion="请补充变更理由")
        db.session.rollback()  # rolled back: no message either
        assert len(_inbox(login)) == before
        act(PARENT_CHANGE, rec, reviewer, "return", opinion="请补充变更理由")
        db.session.commit()
        inbox = _inbox(login)
        assert len(inbox) == before + 1
        last = inbox[-1].message
        assert "退回" in last.title and "请补充变更理由" in last.body and last.kind == "system"


def test_reply_keeps_the_title(app, login_as):
    """Issue 15.5: 回复 opens the compose form with 回复：<title> and the sender chosen."""
    wh = login_as("hb_wh_admin")
    with app.app_context():
        hb_id = unit_by_name("湖北省人力资源和社会保障厅").id
    title = unique("年度统计通知")
    r = wh.post("/messages/compose", data={"title": title, "body": "请查收", "units": [str(hb_id)], "op": "send"})
    assert r.status_code == 302
    with app.app_context():
        msg = db.session.scalar(select(Message).where(Message.title == title))
        item = db.session.scalar(select(MessageRecipient).where(MessageRecipient.message_id == msg.id,
                                                                MessageRecipient.user_id == _uid("hb_admin")))
        msg_id, item_id, sender = msg.id, item.id, msg.sender_id
    hb = login_as("hb_admin")
    page = hb.get(f"/inbox/show/{item_id}").get_data(as_text=True)
    assert f"reply={msg_id}" in page
    form = hb.get(f"/messages/compose?user={sender}&reply={msg_id}").get_data(as_text=True)
    assert f'value="回复：{title}"' in form
    # a message the user did not receive gives no title away
    other = login_as("hb_yc_admin").get(f"/messages/compose?reply={msg_id}").get_data(as_text=True)
    assert title not in other
