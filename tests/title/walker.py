"""职称评审 records of the 宜昌 side for the scope walker (tests/core/test_scope_walker.py): a committee of
宜昌市人社局 with an expert, an activity, an application of one of its units with an achievement entry, a
confirmation and a 主管部门配置 — every one out of the walking actors' scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from app.extensions import db
from models.core.unit import Unit


def foreign_records(yc: Any, hb: Any, admin: Any, staff: Any, expert: Any) -> tuple[dict[Any, list[int]], dict[str, Any]]:
    from models.title import (
        AchievementEntry,
        AchievementItem,
        Activity,
        ActivityLevel,
        Application,
        Committee,
        CommitteeExpert,
        CompetentConfig,
        Confirmation,
    )

    committee = db.session.scalar(select(Committee).where(Committee.unit_id == yc.id))
    if committee is None:
        now = dt.datetime.now()
        committee = Committee(unit_id=yc.id, name="宜昌市工程技术系列中级职称评审委员会", agency="宜昌职改办", office="宜昌职改办",
                              levels="3", authority_unit_id=yc.id, filing_unit_id=yc.id, contact="宜昌联系人",
                              contact_phone="0717-6000000", address="宜昌", series="08", region_codes="420500",
                              review_state="approved", filed_at=now, valid_until=dt.date.today() + dt.timedelta(days=900))
        db.session.add(committee)
        db.session.flush()
        db.session.add(CommitteeExpert(committee_id=committee.id, expert_id=expert.id, unit_id=yc.id, state="in"))
        activity = Activity(unit_id=yc.id, committee_id=committee.id, name="宜昌走查评审活动", scope_text="宜昌", year=now.year,
                            apply_start=now - dt.timedelta(days=1), first_submit_until=now + dt.timedelta(days=10),
                            resubmit_until=now + dt.timedelta(days=12), receive_until=now + dt.timedelta(days=15),
                            review_state="approved", published_at=now, stage="receiving", saved_part="materials")
        db.session.add(activity)
        db.session.flush()
        db.session.add(ActivityLevel(activity_id=activity.id, level="3", majors="建筑工程"))
        item = AchievementItem(activity_id=activity.id, sort=1, heading="业绩成果", templates="general")
        db.session.add(item)
        unit = db.session.scalar(select(Unit).where(Unit.parent_id == yc.id)) or yc
        application = Application(unit_id=unit.id, user_id=staff.id, activity_id=activity.id, committee_id=committee.id,
                                  year=now.year, series="08", level="3", major="建筑工程", name="宜昌申报人", sex="1",
                                  id_number="420502198001010014", phone="13900000001", workplace=unit.name)
        db.session.add(application)
        db.session.flush()
        db.session.add(AchievementEntry(application_id=application.id, item_id=item.id, template="general",
                                        data={"work_name": "宜昌项目"}))
        db.session.add(Confirmation(unit_id=unit.id, user_id=staff.id, name="宜昌确认人", sex="1",
                                    id_number="420502198001010014", phone="13900000001", workplace=unit.name, series="08",
                                    level="3", title_name="工程师", obtained_on=dt.date(2015, 1, 1), issuer="外省人社厅"))
        db.session.add(CompetentConfig(unit_id=yc.id, committee_id=committee.id, region_code="420500",
                                       competent_unit_id=yc.id))
        db.session.commit()

    def ids(model: Any, *where: Any) -> list[int]:
        return list(db.session.scalars(select(model.id).where(*where).order_by(model.id).limit(2)).all())

    activity_ids = ids(Activity, Activity.committee_id == committee.id)
    application_ids = ids(Application, Application.committee_id == committee.id)
    out = {
        Committee: [committee.id],
        CommitteeExpert: ids(CommitteeExpert, CommitteeExpert.committee_id == committee.id),
        Activity: activity_ids,
        Application: application_ids,
        Confirmation: ids(Confirmation, Confirmation.user_id == staff.id),
        CompetentConfig: ids(CompetentConfig, CompetentConfig.committee_id == committee.id),
    }
    assert all(out.values()), "the walker holds records of every title model"
    entry_id = db.session.scalar(select(AchievementEntry.id).where(AchievementEntry.application_id.in_(application_ids)))
    return out, {"committee_id": committee.id, "activity_id": activity_ids[0], "application_id": application_ids[0],
                 "entry_id": entry_id}
