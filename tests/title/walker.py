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
    results_ids, results_args = results_records(yc, staff, committee, activity_ids[0], application_ids[0])
    out.update(results_ids)
    assert all(out.values()), "the walker holds records of every title model"
    entry_id = db.session.scalar(select(AchievementEntry.id).where(AchievementEntry.application_id.in_(application_ids)))
    meeting_args = meeting_records(activity_ids[0], application_ids[0], expert, committee, yc, staff)
    from models.title import Meeting, Objection, Publicity

    out.update({Meeting: [meeting_args["meeting_id"]], Publicity: [meeting_args["publicity_id"]],
                Objection: [meeting_args["objection_id"]]})
    return out, {"committee_id": committee.id, "activity_id": activity_ids[0], "application_id": application_ids[0],
                 "entry_id": entry_id, **meeting_args, **results_args}


def meeting_records(activity_id: int, application_id: int, expert: Any, committee: Any, yc: Any,
                    staff: Any) -> dict[str, int]:
    """The 宜昌 activity's meeting carried to a sealed round, its publicity and an objection: one row of each
    meeting model, and the URL arguments of the meeting routes."""
    from models.core.attachment import Attachment
    from models.title import (
        Ballot,
        Defense,
        Draw,
        DrawGroup,
        Meeting,
        MeetingApplicant,
        MeetingExpert,
        Objection,
        ProfGroup,
        Publicity,
        RoundEntry,
        RoundExpert,
        ScoringStandard,
        VoteRound,
    )

    meeting = db.session.scalar(select(Meeting).where(Meeting.activity_id == activity_id))
    if meeting is None:
        now = dt.datetime.now(dt.UTC)
        meeting = Meeting(activity_id=activity_id, kind="normal", unit_id=yc.id, state="voting", multiplier="2",
                          plan="宜昌评审方案")
        db.session.add(meeting)
        db.session.flush()
        group = DrawGroup(meeting_id=meeting.id, sort=1, name="宜昌水利组", major="水利", title_level="1", count=1)
        db.session.add(group)
        db.session.flush()
        draw = Draw(meeting_id=meeting.id, number=1, seed="00" * 16, multiplier="2", rules={}, pool={}, result=[],
                    result_digest="0" * 64, created_at=now)
        db.session.add(draw)
        db.session.flush()
        meeting.current_draw_id = draw.id
        prof = ProfGroup(meeting_id=meeting.id, sort=1, name="宜昌专业组")
        db.session.add(prof)
        db.session.flush()
        member = MeetingExpert(meeting_id=meeting.id, draw_id=draw.id, group_id=group.id, expert_id=expert.id,
                               draw_order=1, chair=True, attendance="confirmed", prof_group_id=prof.id)
        db.session.add(member)
        db.session.flush()
        prof.leader_id = member.id
        applicant = MeetingApplicant(meeting_id=meeting.id, application_id=application_id, sort=1,
                                     prof_group_id=prof.id, main_expert_id=member.id)
        db.session.add(applicant)
        db.session.flush()
        rnd = VoteRound(meeting_id=meeting.id, number=1, kind="full", method="vote", opened_at=now)
        db.session.add(rnd)
        db.session.flush()
        entry = RoundEntry(round_id=rnd.id, meeting_applicant_id=applicant.id, sort=1)
        rexp = RoundExpert(round_id=rnd.id, meeting_expert_id=member.id)
        db.session.add_all([entry, rexp])
        db.session.flush()
        db.session.add(Ballot(round_id=rnd.id, round_expert_id=rexp.id, entry_id=entry.id, choice="agree", saved_at=now))
        db.session.add(ScoringStandard(activity_id=activity_id, sort=1, name="宜昌评分项", weight=100, max_score=100))
        db.session.add(Defense(application_id=application_id, activity_id=activity_id, day=dt.date.today(),
                               arrive_at="08:30", address="宜昌"))
        db.session.add(Publicity(activity_id=activity_id, unit_id=yc.id, starts_at=dt.datetime.now(),
                                 ends_at=dt.datetime.now() + dt.timedelta(days=5), contact="0717-6000000"))
        db.session.add(Objection(activity_id=activity_id, application_id=application_id, unit_id=yc.id, kind="offline",
                                 complainant_name="宜昌投诉人", reason="宜昌投诉原因"))
        db.session.commit()

    def first(model: Any, *where: Any) -> int:
        return int(db.session.scalar(select(model.id).where(*where).order_by(model.id).limit(1)))

    rnd_id = first(VoteRound, VoteRound.meeting_id == meeting.id)
    return {
        "meeting_id": meeting.id,
        "draw_id": first(Draw, Draw.meeting_id == meeting.id),
        "group_id": first(DrawGroup, DrawGroup.meeting_id == meeting.id),
        "prof_group_id": first(ProfGroup, ProfGroup.meeting_id == meeting.id),
        "meeting_expert_id": first(MeetingExpert, MeetingExpert.meeting_id == meeting.id),
        "meeting_applicant_id": first(MeetingApplicant, MeetingApplicant.meeting_id == meeting.id),
        "round_id": rnd_id,
        "entry_id_": first(RoundEntry, RoundEntry.round_id == rnd_id),
        "round_expert_id": first(RoundExpert, RoundExpert.round_id == rnd_id),
        "standard_id": first(ScoringStandard, ScoringStandard.activity_id == activity_id),
        "defense_id": first(Defense, Defense.activity_id == activity_id),
        "publicity_id": first(Publicity, Publicity.activity_id == activity_id),
        "objection_id": first(Objection, Objection.activity_id == activity_id),
        # a drawn expert, an export's code, an attachment (any: the route refuses the round before the file)
        "expert_id": first(MeetingExpert, MeetingExpert.meeting_id == meeting.id),
        "code": "roster",
        "attachment_id": int(db.session.scalar(select(Attachment.id).order_by(Attachment.id).limit(1)) or 1),
    }


def results_records(yc: Any, staff: Any, committee: Any, activity_id: int,
                    application_id: int) -> tuple[dict[Any, list[int]], dict[str, Any]]:
    """职称评审 III of the 宜昌 side: a 专技人才 record, a certificate batch with a certificate, a historical
    institution and an import group with one title."""
    from models.core.attachment import Attachment
    from models.title import (
        Certificate,
        CertificateBatch,
        HistoryGroup,
        HistoryInstitution,
        HistoryTitle,
        Talent,
    )

    if db.session.scalar(select(Talent.id).where(Talent.user_id == staff.id)) is None:
        db.session.add(Talent(unit_id=staff.unit_id, user_id=staff.id, name="宜昌专技人", sex="1",
                              id_number="420502198001010014", birth_date=dt.date(1980, 1, 1), ethnicity="01",
                              politics="13", education="21", kind="title", series="08", level="3",
                              review_state="approved"))
    if db.session.scalar(select(CertificateBatch.id).where(CertificateBatch.unit_id == yc.id)) is None:
        batch = CertificateBatch(unit_id=yc.id, kind="review", approved_on=dt.date.today(), doc_number="宜人社〔2026〕1号",
                                 state="issuing")
        db.session.add(batch)
        db.session.flush()
        db.session.add(Certificate(number="51201500000001", token="yichang-walker-token-000000000000",
                                   kind="review", batch_id=batch.id, source_id=application_id, name="宜昌申报人",
                                   id_number="420502198001010014", series="工程技术", level="中级",
                                   qualification="工程师", approved_on=dt.date.today(), doc_number="宜人社〔2026〕1号",
                                   unit_id=yc.id, issuing_unit_name=yc.name, state="pending"))
    if db.session.scalar(select(HistoryInstitution.id).where(HistoryInstitution.unit_id == yc.id)) is None:
        db.session.add(HistoryInstitution(unit_id=yc.id, owner_unit_id=yc.id, name="宜昌市原工程技术中级评委会",
                                          series="08", levels="3"))
    if db.session.scalar(select(HistoryGroup.id).where(HistoryGroup.unit_id == yc.id)) is None:
        group = HistoryGroup(unit_id=yc.id, way="review", doc_number="宜人社〔2015〕3号", doc_year=2015,
                             review_state="draft")
        db.session.add(group)
        db.session.flush()
        db.session.add(HistoryTitle(group_id=group.id, unit_id=yc.id, name="宜昌历史人员", id_number="420502198001010014",
                                    series="08", level="3", qualification="工程师", institution="宜昌市原工程技术中级评委会",
                                    approved_on=dt.date(2015, 6, 1), doc_number="宜人社〔2015〕3号"))
    db.session.commit()

    def ids(model: Any, *where: Any) -> list[int]:
        return list(db.session.scalars(select(model.id).where(*where).order_by(model.id).limit(2)).all())

    found = {
        Talent: ids(Talent, Talent.user_id == staff.id),
        CertificateBatch: ids(CertificateBatch, CertificateBatch.unit_id == yc.id),
        Certificate: ids(Certificate, Certificate.unit_id == yc.id),
        HistoryInstitution: ids(HistoryInstitution, HistoryInstitution.unit_id == yc.id),
        HistoryGroup: ids(HistoryGroup, HistoryGroup.unit_id == yc.id),
    }
    args = {"batch_id": found[CertificateBatch][0], "cert_id": found[Certificate][0], "kind": "review",
            "file_id": int(db.session.scalar(select(Attachment.id).order_by(Attachment.id).limit(1)) or 1)}
    return found, args
