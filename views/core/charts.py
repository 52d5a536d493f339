"""统计分析 (P-20): every declared chart, drawn with the bundled ECharts, its table, Excel export."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, g, jsonify
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _

from app.services.core import charts as service
from app.services.core import statistics  # noqa: F401  (declares the platform's charts)


class StatisticsView(BaseView):
    route_base = "/statistics"
    default_view = "index"
    base_permissions = ["can_list", "can_export"]
    method_permission_name = {"index": "list", "chart": "list", "data": "list", "export": "export"}

    def _chart(self, code: str) -> Any:
        chart = service.REGISTRY.get(code)
        if chart is None:
            abort(404)
        if chart.permission and not self.appbuilder.sm.has_access(*chart.permission):
            abort(403)
        return chart

    def _visible(self) -> list[Any]:
        return [c for c in service.REGISTRY.values()
                if not c.permission or self.appbuilder.sm.has_access(*c.permission)]

    @expose("/")
    @has_access
    def index(self) -> Any:
        return self.render_template("charts/index.html", charts=self._visible(), title=_("统计分析"))

    @expose("/chart/<code>")
    @has_access
    def chart(self, code: str) -> Any:
        chart = self._chart(code)
        rows = chart.rows(g.user)
        return self.render_template("charts/chart.html", chart=chart, rows=rows, total=sum(v for _n, v in rows),
                                    charts=self._visible(), title=str(chart.title),
                                    crumb_tail=[(str(chart.title), None)])

    @expose("/data/<code>")
    @has_access
    def data(self, code: str) -> Any:
        chart = self._chart(code)
        return jsonify(service.option(chart, chart.rows(g.user)))

    @expose("/export/<code>")
    @has_access
    def export(self, code: str) -> Any:
        from urllib.parse import quote

        from app.services.core import audit

        chart = self._chart(code)
        body = service.to_xlsx(chart, chart.rows(g.user), g.user.unit.name if g.user.unit else "")
        audit.record_now("export", object_type="chart", object_id=code, object_repr=str(chart.title))
        name = quote(f"{chart.title}.xlsx")
        return Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f"attachment; filename=statistics.xlsx; filename*=UTF-8''{name}"})
