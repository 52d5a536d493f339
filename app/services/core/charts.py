"""Statistics (P-20): declared charts of group-by counts and series over time, always within scope.

A module declares a chart and the chart screen draws it with the bundled ECharts, shows
its table and exports it to Excel::

    charts.register(GroupCount("units_by_category", _l("单位按类型统计"), model=Unit,
                               group=Category.name, joins=[...]))

``GroupCount`` counts rows of a model per value of a column; ``TimeSeries`` counts
rows per day or month of a time column. Both add the scope predicate of the model (or
``scope`` for tables that only name a unit) to every query.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.filters import local_now
from app.security.scope import scope_clause


@dataclass
class GroupCount:
    code: str
    title: Any
    model: Any
    group: Any  # a column or SQL expression
    kind: str = "bar"  # bar | pie
    joins: list[tuple[Any, Any]] = field(default_factory=list)  # (target, onclause)
    where: Callable[[], list[Any]] = lambda: []
    label: Callable[[Any], str] = lambda v: "" if v is None else str(v)
    scope: Callable[[Any], Any] | None = None  # user -> predicate; default: the model's scope
    value_title: Any = field(default_factory=lambda: _l("数量"))
    category_title: Any = field(default_factory=lambda: _l("分类"))
    permission: tuple[str, str] | None = None

    def rows(self, user: Any) -> list[tuple[str, int]]:
        q = select(self.group, func.count()).select_from(self.model)
        for target, on in self.joins:
            q = q.join(target, on)
        pred = self.scope(user) if self.scope else scope_clause(self.model, user)
        q = q.where(pred, *self.where()).group_by(self.group).order_by(self.group)
        return [(self.label(v), int(n)) for v, n in db.session.execute(q).all()]


@dataclass
class TimeSeries:
    code: str
    title: Any
    model: Any
    column: Any  # a timestamp column (UTC when aware)
    period: str = "day"  # day | month
    last: int = 30  # how many periods up to today
    kind: str = "line"
    where: Callable[[], list[Any]] = lambda: []
    scope: Callable[[Any], Any] | None = None
    value_title: Any = field(default_factory=lambda: _l("数量"))
    category_title: Any = field(default_factory=lambda: _l("日期"))
    permission: tuple[str, str] | None = None

    def _bucket(self) -> Any:
        from flask import current_app

        tz = current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
        if db.engine.dialect.name == "postgresql":
            fmt = "YYYY-MM" if self.period == "month" else "YYYY-MM-DD"
            return func.to_char(func.timezone(tz, self.column), fmt)
        from zoneinfo import ZoneInfo

        offset = dt.datetime.now(ZoneInfo(tz)).utcoffset() or dt.timedelta()
        fmt = "%Y-%m" if self.period == "month" else "%Y-%m-%d"
        return func.strftime(fmt, self.column, f"{int(offset.total_seconds() // 60):+d} minutes")

    def _today(self) -> dt.date:
        """Today where the users are (the configured zone), not where the server's clock is."""
        from zoneinfo import ZoneInfo

        from flask import current_app

        return dt.datetime.now(ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))).date()

    def _periods(self) -> list[str]:
        today = self._today()
        if self.period == "month":
            out, y, m = [], today.year, today.month
            for _i in range(self.last):
                out.append(f"{y:04d}-{m:02d}")
                y, m = (y, m - 1) if m > 1 else (y - 1, 12)
            return list(reversed(out))
        return [(today - dt.timedelta(days=i)).isoformat() for i in reversed(range(self.last))]

    def rows(self, user: Any) -> list[tuple[str, int]]:
        periods = self._periods()
        start = dt.date.fromisoformat(periods[0] + ("-01" if self.period == "month" else ""))
        from zoneinfo import ZoneInfo

        from flask import current_app

        zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))
        since = dt.datetime.combine(start, dt.time(), tzinfo=zone).astimezone(dt.UTC)
        bucket = self._bucket()
        pred = self.scope(user) if self.scope else scope_clause(self.model, user)
        q = (select(bucket, func.count()).select_from(self.model)
             .where(pred, self.column >= since, *self.where()).group_by(bucket))
        found = {str(k): int(n) for k, n in db.session.execute(q).all()}
        return [(p, found.get(p, 0)) for p in periods]


REGISTRY: dict[str, GroupCount | TimeSeries] = {}


def register(chart: GroupCount | TimeSeries) -> GroupCount | TimeSeries:
    REGISTRY[chart.code] = chart
    return chart


def option(chart: GroupCount | TimeSeries, rows: list[tuple[str, int]]) -> dict[str, Any]:
    """The ECharts option for the rows (the page script only draws it)."""
    names = [r[0] for r in rows]
    values = [r[1] for r in rows]
    base: dict[str, Any] = {"tooltip": {"trigger": "item" if chart.kind == "pie" else "axis"},
                            "toolbox": {"feature": {"saveAsImage": {"title": _("保存为图片")}}}}
    if chart.kind == "pie":
        base["legend"] = {"type": "scroll", "orient": "vertical", "left": "left"}
        base["series"] = [{"type": "pie", "radius": ["35%", "65%"], "name": str(chart.title),
                           "data": [{"name": n, "value": v} for n, v in rows],
                           "label": {"formatter": "{b}：{c}（{d}%）"}}]
        return base
    base["grid"] = {"left": 50, "right": 30, "bottom": 60, "containLabel": True}
    base["xAxis"] = {"type": "category", "data": names, "name": str(chart.category_title),
                     "axisLabel": {"rotate": 30 if len(names) > 8 else 0}}
    base["yAxis"] = {"type": "value", "name": str(chart.value_title), "minInterval": 1}
    series: dict[str, Any] = {"type": chart.kind, "name": str(chart.value_title), "data": values,
                              "label": {"show": len(values) <= 20, "position": "top"}}
    if chart.kind == "line":
        series["smooth"] = True
        series["areaStyle"] = {"opacity": 0.15}
    base["series"] = [series]
    return base


def to_xlsx(chart: GroupCount | TimeSeries, rows: list[tuple[str, int]], unit_name: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = str(chart.title)[:31]
    ws.append([str(chart.title)])
    ws["A1"].font = Font(bold=True, size=14)
    stamp = local_now()
    ws.append([_("统计范围：%(u)s及下级单位", u=unit_name), _("导出时间：%(t)s", t=stamp)])
    ws.append([str(chart.category_title), str(chart.value_title)])
    for c in ws[3]:
        c.font = Font(bold=True)
        c.alignment = Alignment(horizontal="center")
    for name, value in rows:
        ws.append([_escape(name), value])
    ws.append([_("合计"), sum(v for _n, v in rows)])
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 16
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _escape(text: str) -> str:
    """A cell must never start a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
