"""职称评审 menus (seed 004): one set of views for 人社部门, 主管部门 and 申报单位, each kind seeing
the menus its chapter of the manual gives it (views/title/common.unit_kind), the applicant their own
pages by their role.

Menu categories: 评委会管理, 评审活动管理, 申报材料审核, and the applicant's 职称申报.
"""

from __future__ import annotations

from typing import Any


def register(appbuilder: Any) -> None:
    from views.title.activities import register_activities
    from views.title.applicant import register_applicant
    from views.title.assign import register_assign
    from views.title.cert import register_cert
    from views.title.committees import register_committees
    from views.title.confirm import register_confirm
    from views.title.draw import register_draw
    from views.title.history import register_history
    from views.title.meetings import register_meetings
    from views.title.prep import register_prep
    from views.title.publicity import register_publicity
    from views.title.review import register_review
    from views.title.talent import register_talent
    from views.title.voting import register_voting

    register_committees(appbuilder)
    register_activities(appbuilder)
    register_review(appbuilder)
    register_meetings(appbuilder)
    register_prep(appbuilder)
    register_draw(appbuilder)
    register_assign(appbuilder)
    register_voting(appbuilder)
    register_publicity(appbuilder)
    register_confirm(appbuilder)
    register_cert(appbuilder)
    register_history(appbuilder)
    register_talent(appbuilder)
    register_applicant(appbuilder)
