"""Issue 15: a reviewer decides from 待办事项 — home page, the to-do button, the row's 查看, the
record's review page (the whole record, route, trail, attachments, buttons), the decision — for
three review kinds of three lines."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from models.core.workflow import Review
from tests.e2e.conftest import login, shot

# (matter, shot name): the grassroots summary, a commissioner application, a base's year record
KINDS = [("grassroots.summary", "44-todo-review-grassroots-summary.png"),
         ("commissioner.individual", "45-todo-review-commissioner-application.png"),
         ("grassroots.base_year", "46-todo-review-base-year.png")]


def _pending(app, code: str):
    """A record of ``code`` waiting at a unit whose administrator may decide it now."""
    with app.app_context():
        from app.services.core import users as user_service
        from app.workflow.engine import REGISTRY

        matter = REGISTRY[code]
        for review in db.session.scalars(select(Review).where(Review.matter == code, Review.state == "pending")
                                         .order_by(Review.id)):
            node = review.nodes[review.step]
            admin = user_service.unit_admin(review.current_unit_id)
            if admin is not None and node.kind == "review":
                return review.record_id, admin.username, str(matter.name)
    return None


@pytest.mark.parametrize("code,shot_name", KINDS)
def test_decide_from_the_todo_list(app, page, code, shot_name):
    found = _pending(app, code)
    assert found is not None, f"the seed holds a pending {code}"
    pk, user, name = found
    login(page, user)
    # 待办事项 on the home page leads to the list of what waits for this unit
    page.click(f".todo-list a:has-text('{name}')")
    page.wait_for_load_state("networkidle")
    assert "todo=1" in page.url
    # the row's 查看 opens the review page, not a bare show page
    page.click(f"a[href$='/show/{pk}']")
    page.wait_for_load_state("networkidle")
    body = page.content()
    assert "经办流程" in body and "审核意见" in body
    assert page.locator("button[value=approve]").count() == 1
    assert page.locator("button[value=return]").count() == 1
    assert "object at 0x" not in body and "&lt;models." not in body
    shot(page, shot_name)
    page.fill("textarea[name=opinion]", "材料齐全，同意")
    page.click("button[value=approve]")
    page.wait_for_load_state("networkidle")
    assert "已通过" in page.content()
    # the trail shows the decision with its opinion
    assert page.locator(".review-trail td:has-text('材料齐全，同意')").count() == 1
