"""Random action sequences on the engine keep its invariants (Hypothesis, stateful)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import select

from app.extensions import db
from app.workflow import MatterType, ReviewError, act, register
from models.core.parent_change import ParentChange
from models.core.user import UnitUser
from models.core.workflow import Review
from tests.conftest import unit_by_name

TERMINAL = {"approved", "rejected"}
ACTIONS = ["submit", "withdraw", "approve", "return", "reject", "push", "accept", "decline"]


def make_machine(app):
    with app.app_context():
        ja = unit_by_name("江岸区人力资源局")
        wh, hb, yc = (unit_by_name(n) for n in ("武汉市人力资源和社会保障局", "湖北省人力资源和社会保障厅",
                                                "宜昌市人力资源和社会保障局"))
        route = [wh.id, hb.id]
        units = {"ja": ja.id, "wh": wh.id, "hb": hb.id, "yc": yc.id}
    matter = register(MatterType(code="test.stateful", name="测试", model=ParentChange,
                                 route_builder=lambda r: list(route), pushable=True))

    class EngineMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.ctx = app.app_context()
            self.ctx.push()
            rec = ParentChange(unit_id=units["ja"], old_parent_id=units["wh"], new_parent_id=units["wh"])
            db.session.add(rec)
            db.session.commit()
            self.record_id = rec.id
            self.terminal: str | None = None
            self.last_step = None

        def teardown(self) -> None:
            db.session.rollback()
            db.session.remove()
            self.ctx.pop()

        def _user(self, login: str) -> UnitUser:
            return db.session.scalar(select(UnitUser).where(UnitUser.username == login))

        @rule(who=st.sampled_from(["hb_wh_ja_admin", "hb_wh_admin", "hb_admin", "hb_yc_admin"]),
              action=st.sampled_from(ACTIONS), dest=st.sampled_from(["applicant", "previous", "0", None]))
        def do(self, who: str, action: str, dest: str | None) -> None:
            target = dest
            record = db.session.get(ParentChange, self.record_id)
            review = db.session.scalar(select(Review).where(Review.matter == matter.code,
                                                            Review.record_id == self.record_id))
            before = (review.state, review.step, review.version) if review else None
            if action == "push":
                target = str(units["yc"])
            try:
                act(matter, record, self._user(who), action, opinion="意见", target=target)
                db.session.commit()
            except ReviewError:
                db.session.rollback()
                review = db.session.scalar(select(Review).where(Review.matter == matter.code,
                                                                Review.record_id == self.record_id))
                after = (review.state, review.step, review.version) if review else None
                assert after == before  # a refused action changes nothing
                return
            review = db.session.scalar(select(Review).where(Review.matter == matter.code,
                                                            Review.record_id == self.record_id))
            assert before is None or before[0] not in TERMINAL  # terminal states stay terminal
            if before and action in ("approve", "accept", "decline") and review.state == "pending":
                assert review.step - before[1] in (0, 1)  # no step skipped
            if review.state in TERMINAL:
                self.terminal = review.state

        @invariant()
        def one_current_node_and_trail_consistent(self) -> None:
            review = db.session.scalar(select(Review).where(Review.matter == matter.code,
                                                            Review.record_id == self.record_id))
            if review is None:
                return
            if review.state == "pending":
                assert review.current_unit_id == review.nodes[review.step].unit_id
            else:
                assert review.current_unit_id is None
            # the trail replays to the state: its last entry leads to the current state
            assert review.trail and review.trail[-1].to_state == review.state
            assert review.version == len(review.trail)
            if self.terminal:
                assert review.state == self.terminal

    return EngineMachine


def test_engine_invariants(app):
    from app.workflow.engine import REGISTRY

    machine = make_machine(app)
    machine.TestCase.settings = settings(max_examples=25, stateful_step_count=12, deadline=None,
                                         suppress_health_check=list(HealthCheck))
    try:
        machine.TestCase().runTest()
    finally:
        REGISTRY.pop("test.stateful", None)
        with app.app_context():  # leave no half-reviewed test records behind
            for review in db.session.scalars(select(Review).where(Review.matter == "test.stateful")):
                record = db.session.get(ParentChange, review.record_id)
                if record is not None:
                    db.session.delete(record)
                db.session.delete(review)
            db.session.commit()
