"""数据统计 (TC-07 … TC-09): 省厅信息统计 with its chart, the city's 派出统计 and the legal unit's
单位团队统计 / 法人单位信息统计, each with 导出Excel; figures never leave the viewer's scope."""

from __future__ import annotations

from typing import Any

from flask import abort, g, jsonify
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _

from app.services.commissioner import statistics as service
from app.services.core import audit
from app.services.core import charts as chart_service
from views.base import xlsx_download


class CommissionerStatsView(BaseView):
    class_permission_name = "commissioner.Stats"
    previous_class_permission_name = "KtpStatsView"
    route_base = "/commissioner/stats"
    default_view = "index"
    base_permissions = ["can_list", "can_export"]
    method_permission_name = {"index": "list", "data": "list", "export": "export"}

    def _table(self, code: str) -> tuple[str, list[str], list[list[Any]]]:
        if code not in service.tables_for(g.user):
            abort(404)
        title, fn, _kinds = service.TABLES[code]
        headers, rows = fn(g.user)
        return str(title), headers, rows

    @expose("/")
    @has_access
    def index(self) -> Any:
        tables = [(code, *self._table(code)) for code in service.tables_for(g.user)]
        if not tables:
            abort(404)
        wanted = service.CHARTS_FOR.get(service._kind(g.user) or "", ())
        charts = [c for c in chart_service.REGISTRY.values() if c.code in wanted
                  and (not c.permission or self.appbuilder.sm.has_access(*c.permission))]
        return self.render_template("commissioner/stats.html", tables=tables, charts=charts, title=_("数据统计"))

    @expose("/data")
    @has_access
    def data(self) -> Any:
        """The chart of 科技特派员派出统计: people and teams per service city."""
        _title, headers, rows = self._table("dispatch")
        rows = [r for r in rows if r[0] != _("合计")]
        return jsonify({
            "tooltip": {"trigger": "axis"}, "legend": {"top": 0},
            "grid": {"left": 40, "right": 20, "bottom": 60, "top": 40, "containLabel": True},
            "xAxis": {"type": "category", "data": [r[0] for r in rows], "axisLabel": {"interval": 0, "rotate": 20}},
            "yAxis": {"type": "value", "minInterval": 1},
            "series": [{"type": "bar", "name": headers[i], "data": [r[i] for r in rows],
                        "label": {"show": True, "position": "top"}} for i in (1, 2, 4)],
        })

    @expose("/export/<code>")
    @has_access
    def export(self, code: str) -> Any:
        title, headers, rows = self._table(code)
        audit.record_now("export", object_type="commissioner.Stats", object_repr=title, detail=f"rows={len(rows)}")
        return xlsx_download(title, headers, rows)
