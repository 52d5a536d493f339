"""首页: the own unit's card and the way to the everyday screens."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_appbuilder import IndexView, expose
from flask_babel import gettext as _

from app.services.core import dicts, messages, notices
from app.services.core import units as unit_service
from app.services.core import users as user_service
from app.workflow import progress_counts, todo_counts


class HomeView(IndexView):
    route_base = ""
    default_view = "index"
    index_template = "home.html"

    @expose("/")
    def index(self) -> Any:
        user = getattr(g, "user", None)
        ctx: dict[str, Any] = {"title": _("首页")}
        if user is not None and getattr(user, "is_authenticated", False) and getattr(user, "user_type", "") == "person":
            from app.modules import person_links

            ctx.update(person=True, person_links=person_links(user), unread=messages.unread_count(user),
                       latest=messages.latest_unread(user))
        elif user is not None and getattr(user, "is_authenticated", False) and getattr(user, "unit", None) is not None:
            unit = user.unit
            ctx.update(
                unit=unit,
                region=dicts.full_label("region", unit.region_code),
                nature=dicts.label("unit_nature", unit.nature),
                admin=user_service.unit_admin(unit.id),
                subtree=unit_service.count_subtree(unit) - 1,
                todos=[(str(m.name), n, m.list_endpoint) for m, n in todo_counts(user) if m.list_endpoint],
                progress=[(str(m.name), c, m.list_endpoint) for m, c in progress_counts(user)],
                unread=messages.unread_count(user),
                latest=messages.latest_unread(user),
            )
        else:
            ctx.update(portal=notices.latest_by_kind(), kinds=dicts.choices("notice_type"),
                       kind_labels=dict(dicts.choices("notice_type")), kind=None)
        return self.render_template(self.index_template, appbuilder=self.appbuilder, **ctx)
