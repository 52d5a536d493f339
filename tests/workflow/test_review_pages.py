"""Issue 15 item 1: 查看 on every review list opens the record's review page (the whole record,
its route and trail, its attachments and the buttons the user may press now) — for the reviewer
who must decide, for the applicant, and for whoever else may see the record; never a bare page,
a Python object or an English column name."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from models.core.workflow import Review
from views.review import ReviewViewMixin

BAD = [re.compile(r"object at 0x"), re.compile(r"&lt;models\."), re.compile(r"<models\."),
       re.compile(r"\b(Show|Review|Unit Id|Team Funding)\b")]
DECISIONS = ('value="approve"', 'value="push"', 'value="accept"')


def _review_views(app):
    return [v for v in app.appbuilder.baseviews if isinstance(v, ReviewViewMixin)]


def _pending(app, matter_code):
    with app.app_context():
        rows = db.session.scalars(select(Review).where(Review.matter == matter_code, Review.state == "pending")
                                  .order_by(Review.id)).all()
        out = []
        for review in rows:
            from app.services.core import users as user_service

            admin = user_service.unit_admin(review.current_unit_id)
            if admin is not None:
                out.append((review.record_id, admin.username))
        return out


def _clean(body: str) -> None:
    main = body.split('<div class="container">', 1)[-1]
    for pattern in BAD:
        assert not pattern.search(main), (pattern.pattern, pattern.search(main).group(0))


def test_show_is_the_review_page_for_the_reviewer_on_every_review_list(app, login_as):
    seen = []
    for view in _review_views(app):
        name = type(view).__name__
        pending = _pending(app, view.matter.code)
        if not pending:
            continue
        pk, login = pending[0]
        c = login_as(login)
        # from the to-do list: the row's 查看 leads to the page that decides
        todo = c.get(f"{view.route_base}/list/?todo=1")
        if todo.status_code == 403:  # the person's own list of the same matter (职称确认申请, 专技人才信息)
            continue
        assert todo.status_code == 200, name
        assert f"{view.route_base}/show/{pk}" in todo.get_data(as_text=True), name
        r = c.get(f"{view.route_base}/show/{pk}")
        body = r.get_data(as_text=True)
        assert r.status_code == 200, (name, r.status_code)
        assert "经办流程" in body and "review-route" in body, name
        assert any(d in body for d in DECISIONS), (name, "no decision button for the reviewer")
        assert f'action="{view.route_base}/review/{pk}"' in body, name
        _clean(body)
        seen.append(name)
    # the seed holds pending items for the lines' review lists
    assert len(seen) >= 5, seen


def test_a_reviewer_decides_from_the_show_page(app, login_as):
    from app.services.core.parent_change import PARENT_CHANGE  # noqa: F401 (registered)
    from tests.conftest import make_unit, unique, unit_by_name

    with app.app_context():
        from app.services.core import users as user_service

        ja = unit_by_name("江岸区人力资源局")
        unit = make_unit(ja, name=unique("街道人社所"))
        applicant = user_service.unit_admin(unit.id).username
        hj_id = unit_by_name("江汉区人力资源局").id
    a = login_as(applicant)
    r = a.post("/parentchanges/request", {"new_parent": str(hj_id), "reason": "业务划转"})
    assert r.status_code == 302, r.get_data(as_text=True)[-400:]
    pk = int(r.headers["Location"].rstrip("/").split("/")[-1])
    # the applicant's own page: no decision, 撤回 while nobody acted
    body = a.get(f"/parentchanges/show/{pk}").get_data(as_text=True)
    assert 'value="withdraw"' in body and 'value="approve"' not in body and 'value="submit"' not in body
    reviewer = login_as("hb_wh_ja_admin")
    body = reviewer.get(f"/parentchanges/show/{pk}").get_data(as_text=True)
    assert 'value="approve"' in body and 'value="withdraw"' not in body
    r = reviewer.post(f"/parentchanges/review/{pk}", {"action": "return", "opinion": "请补充理由"},
                      follow_redirects=True)
    assert "已退回" in r.get_data(as_text=True)
    # returned: the reviewer has nothing to press, the applicant may resubmit
    body = reviewer.get(f"/parentchanges/show/{pk}").get_data(as_text=True)
    assert not any(f'value="{a}"' in body for a in ("submit", "approve", "return", "reject"))
    assert 'value="submit"' in a.get(f"/parentchanges/show/{pk}").get_data(as_text=True)
    # a reviewer's POST of 提交 is refused and changes nothing
    r = reviewer.post(f"/parentchanges/review/{pk}", {"action": "submit"}, follow_redirects=True)
    assert "只有申请单位可以提交" in r.get_data(as_text=True)


def test_the_batch_bar_only_where_it_can_succeed(app, login_as):
    """Issue 15.5: the batch bar on 待我审核, not on 审核记录 nor 全部."""
    c = login_as("hb_wh_admin")
    assert "review-batch-form" in c.get("/parentchanges/list/?todo=1").get_data(as_text=True)
    assert "review-batch-form" not in c.get("/parentchanges/list/?mine=1").get_data(as_text=True)
    assert "review-batch-form" not in c.get("/parentchanges/list/").get_data(as_text=True)


def test_return_to_a_chosen_earlier_node_from_the_page(app, login_as, monkeypatch):
    """P-14: where a matter lets the reviewer choose (returns_to any/previous), the page offers the
    earlier nodes it allows and the record goes back to the one chosen."""
    from app.services.core.parent_change import PARENT_CHANGE
    from tests.workflow.test_parent_change import _post, _request, _setup, _state

    county_id, _child, login, yc_id = _setup(app)
    rid = _request(login_as(login), yc_id)
    wh, yc = login_as("hb_wh_admin"), login_as("hb_yc_admin")
    with app.app_context():
        from tests.conftest import unit_by_name

        wh_id = unit_by_name("武汉市人力资源和社会保障局").id
    _post(wh, rid, "approve", opinion="同意", version=str(_state(app, rid)[2]))
    assert _state(app, rid)[:2] == ("pending", yc_id)
    # as declared (to the applicant only), the page offers no node
    assert 'name="target"' not in yc.get(f"/parentchanges/review/{rid}").get_data(as_text=True)
    for mode in ("previous", "any"):
        monkeypatch.setattr(PARENT_CHANGE, "returns_to", mode)
        page = yc.get(f"/parentchanges/review/{rid}").get_data(as_text=True)
        options = re.search(r'<select class="form-control" id="target" name="target">(.*?)</select>', page, re.S)
        assert options and "申请单位" in options.group(1) and 'value="0"' in options.group(1), mode
        assert "武汉市人力资源和社会保障局" in options.group(1)
    _post(yc, rid, "return", opinion="请原上级单位补充意见", target="0", version=str(_state(app, rid)[2]))
    assert _state(app, rid)[:2] == ("pending", wh_id)  # back at the chosen node, not at the applicant
    page = wh.get(f"/parentchanges/review/{rid}").get_data(as_text=True)
    assert "请原上级单位补充意见" in page and 'value="approve"' in page  # the trail, and it decides again
