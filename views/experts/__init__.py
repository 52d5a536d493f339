"""专家库 menus."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from views.registry import add_view


def register(appbuilder: Any) -> None:
    from views.experts.experts import ExpertView

    add_view(appbuilder, ExpertView, "Experts", "Talents", label=_l("专家库"), icon="fa-user-tie",
             category_label=_l("人才信息"), category_icon="fa-user-graduate")
