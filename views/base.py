"""The base views every module uses. They close the scope gaps FAB leaves open.

FAB applies ``base_filters`` to list, show, edit and delete, but not to ``@action``
and ``action_post``, not to foreign-key values written on add/edit, not to downloads.
``ScopedModelView`` and ``ScopedModelRestApi`` close each of these:

* a ``ScopeFilter`` built from :func:`app.security.scope.scope_clause` is prepended to
  ``base_filters`` (list, show, edit, delete, related views, master-detail, API);
* actions load their rows through the same filters and answer 404 for anything else;
* every relation in add/edit/search forms offers only in-scope rows, a relation to
  ``Unit`` becomes an AJAX picker, and the saved item is checked again before commit;
* FAB's generic ``/download/<filename>`` is closed (files go through a scoped view);
* ``__dict_columns__`` on the model turns columns into dictionary selects and labels.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from operator import itemgetter
from typing import Any
from urllib.parse import urlsplit

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import ModelRestApi, ModelView
from flask_appbuilder.baseviews import expose
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.widgets import ListWidget
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy import types as sa_types
from werkzeug.routing import BuildError
from wtforms import StringField

from app.extensions import db
from app.filters import local_time, local_time_formatter
from app.security.interface import ScopedInterface
from app.security.personal import can_view_full, personal_columns, shown
from app.security.scope import ScopeError, record_in_scope, scope_clause
from app.services.core import dicts
from app.services.core.users import PLACEHOLDER_EMAIL
from app.services.errors import BusinessError
from models.core.unit import Unit
from views.fields import DictSelectField, MaskedStringField, RegionField, UnitSelectField, attach_error

log = logging.getLogger(__name__)


class ScopeFilter(BaseFilter):
    """Restricts a query to the acting user's scope; the value is ignored."""

    name = "scope"

    def apply(self, query: Any, value: Any) -> Any:
        return query.filter(scope_clause(self.model))


SCOPE_FILTER = ["id", ScopeFilter, None]


def display_value(value: Any) -> Any:
    """How a value reads in a list or detail page: no None, True or [..] on screen."""

    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_l("是")) if value else str(_l("否"))
    if isinstance(value, str) and value.endswith(PLACEHOLDER_EMAIL):
        return ""  # an account created without an address holds a placeholder; it is not shown
    if isinstance(value, dt.datetime):
        return local_time(value)
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, (list, tuple, set)) or type(value).__name__ == "InstrumentedList":
        return "、".join(t for t in (str(display_value(v)) for v in value) if t)
    if type(value).__str__ is object.__str__ and type(value).__repr__ is object.__repr__:
        return ""  # an object without a name: never its Python repr (<… object at 0x…>)
    return value


def _dict_formatter(code: str) -> Any:
    """The label of a dictionary column (marked ``auto``: the export reads the same labels faster)."""

    def fmt(value: Any) -> str:
        return dicts.full_label(code, value) if code == "region" else dicts.label(code, value)

    fmt.auto = True  # type: ignore[attr-defined]
    return fmt


class ChineseDisplayMixin:
    """Every list and detail column without a formatter reads as Chinese text."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        formatters = dict(getattr(self, "formatters_columns", None) or {})
        cols = list(getattr(self, "list_columns", []) or []) + list(getattr(self, "show_columns", []) or [])
        cols += list(getattr(self, "export_columns", None) or [])
        for _title, fs in (getattr(self, "show_fieldsets", None) or []) + (getattr(self, "user_show_fieldsets", None) or []):
            cols.extend(fs.get("fields", []))
        for col in cols:
            formatters.setdefault(col, display_value)
        model = getattr(getattr(self, "datamodel", None), "obj", None)
        for col, kind in personal_columns(model).items():
            formatters[col] = lambda v, k=kind: display_value(shown(k, v))
        for col in cols:  # a related object's personal column (commissioner.phone) is masked the same way
            kind = related_personal_kind(model, col)
            if kind:
                formatters[col] = lambda v, k=kind: display_value(shown(k, v))
        self.formatters_columns = formatters


def related_personal_kind(model: Any, dotted: str) -> str | None:
    """The personal kind ("id", "phone") of a dotted column such as ``commissioner.phone``, if any."""
    if model is None or "." not in dotted:
        return None
    target = model
    *path, last = dotted.split(".")
    for part in path:
        rel = sa_inspect(target).relationships.get(part) if hasattr(target, "__mapper__") else None
        if rel is None:
            return None
        target = rel.mapper.class_
    return personal_columns(target).get(last)


class FormError(BusinessError):
    """A business rule refused the form; shown beside ``field`` (or on top), with any other problems
    (field, reason) beside theirs: a form shows all its errors at once."""


def check_item_scope(item: Any) -> None:
    """Refuse an item whose own unit or any related object it is given lies outside the scope.

    A new item's references are all checked; a saved item's only where the save changes them: the
    parent of one's own unit lies outside one's scope, and saving the unit's phone keeps it."""
    mapper = sa_inspect(type(item))
    state = sa_inspect(item)
    free = set(getattr(type(item), "__scope_free__", ()))
    for rel in mapper.relationships:
        if rel.key in free:
            continue
        if state.persistent and not state.attrs[rel.key].history.has_changes() and not any(
                col.key in state.attrs and state.attrs[col.key].history.has_changes() for col in rel.local_columns):
            continue
        target = rel.mapper.class_
        if not hasattr(target, "__scope__") or target.__scope__ == "public":
            continue
        if rel.direction.name != "MANYTOONE" and not rel.uselist:
            continue
        value = getattr(item, rel.key)
        values = value if rel.uselist else [value]
        for v in values or []:
            if v is not None and not record_in_scope(v):
                raise ScopeError(str(_l("所选数据不存在或不在您的管理范围内")))
    if getattr(type(item), "__scope__", None) in ("unit", "self"):
        if type(item).__scope__ == "unit" and getattr(item, "unit", None) is None:
            uid = getattr(item, "unit_id", None)
            item_unit = db.session.get(Unit, uid) if uid else None
            if item_unit is None:
                raise ScopeError(str(_l("所选数据不存在或不在您的管理范围内")))
        if not record_in_scope(item):
            raise ScopeError(str(_l("所选数据不存在或不在您的管理范围内")))


def _relation_targets(model: Any) -> dict[str, Any]:
    mapper = sa_inspect(model)
    return {rel.key: rel for rel in mapper.relationships}


class ScopedViewMixin:
    """Titles and dictionary handling shared by scoped model views."""

    #: Chinese name of the entity, used for the page titles.
    entity_title: Any = None

    def _scoped_setup(self) -> None:
        model = self.datamodel.obj
        if type(self.datamodel) is SQLAInterface:
            self.datamodel = ScopedInterface(model)
        self.base_filters = [SCOPE_FILTER] + list(self.base_filters or [])
        rels = _relation_targets(model)
        for attr in ("add_form_query_rel_fields", "edit_form_query_rel_fields",
                     "search_form_query_rel_fields"):
            current = dict(getattr(self, attr, None) or {})
            for key, rel in rels.items():
                if hasattr(rel.mapper.class_, "__scope__"):
                    current[key] = [SCOPE_FILTER] + list(current.get(key, []))
            setattr(self, attr, current)
        for attr in ("add_form_extra_fields", "edit_form_extra_fields"):
            extra = dict(getattr(self, attr, None) or {})
            for key, rel in rels.items():
                if rel.mapper.class_ is Unit and not rel.uselist and key not in extra:
                    col = next(iter(rel.local_columns))
                    extra[key] = UnitSelectField(
                        self.label_columns.get(key, _l("所属单位")),
                        required=not col.nullable,
                    )
            for col, kind in personal_columns(model).items():
                current = extra.get(col)
                if current is None:
                    extra[col] = MaskedStringField(self.label_columns.get(col, col), kind=kind,
                                                   widget=BS3TextFieldWidget())
                elif getattr(current, "field_class", None) is StringField:
                    extra[col] = MaskedStringField(*current.args, kind=kind, **current.kwargs)
            for col, code in getattr(model, "__dict_columns__", {}).items():
                if col in extra:
                    continue
                label = self.label_columns.get(col, col)
                if code == "region":
                    extra[col] = RegionField(label, dict_code=code)
                else:
                    extra[col] = DictSelectField(label, dict_code=code)
            setattr(self, attr, extra)
        from views.fields import add_length_validators

        add_length_validators(self, model)  # every typed value fits its column (Text: TEXT_MAX_LENGTH)
        formatters = dict(getattr(self, "formatters_columns", None) or {})
        for col, code in getattr(model, "__dict_columns__", {}).items():
            formatters.setdefault(col, _dict_formatter(code))
        self.formatters_columns = formatters
        if self.entity_title:
            t = self.entity_title
            self.list_title = self.list_title or t
            self.show_title = self.show_title or _l("查看%(t)s", t=t)
            self.add_title = self.add_title or _l("新增%(t)s", t=t)
            self.edit_title = self.edit_title or _l("编辑%(t)s", t=t)


class StrictActionsMixin:
    """Actions, deletes and downloads that refuse with 403/404/405 instead of redirecting.

    FAB runs ``@action`` on any primary key without the base filters; here every row
    is loaded through ``_base_filters`` (the scope, in scoped views) or answers 404.
    """

    def get_redirect(self) -> str:
        """Where the user goes after an action, a delete or a refusal: back to the page they were
        on (this site only; never back to a form just posted), else FAB's page history, else this
        view's list — not the home page."""
        ref = request.referrer or ""
        if ref.startswith(request.host_url):
            path = urlsplit(ref).path
            if path != request.path and "/edit/" not in path and not path.rstrip("/").endswith("/add"):
                return ref
        url = super().get_redirect()  # type: ignore[misc]
        if url == self.appbuilder.get_url_for_index:  # type: ignore[attr-defined]
            try:
                return url_for(f"{type(self).__name__}.list")
            except BuildError:
                return url
        return url

    def get_scoped(self, pk: Any) -> Any:
        """One record by primary key through the scope, or 404."""
        item = self.datamodel.get(self._deserialize_pk_if_composite(pk), self._base_filters)
        if item is None:
            abort(404)
        return item

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name: str, pk: Any) -> Any:
        if request.method != "POST":
            abort(405)
        if name not in self.actions:
            abort(404)
        permission_name = self.get_action_permission_name(name)
        if not self.appbuilder.sm.has_access(permission_name, self.class_permission_name):
            abort(403)
        item = self.get_scoped(pk)
        return self.actions[name].func(item)

    @expose("/action_post", methods=["POST"])
    def action_post(self) -> Any:
        name = request.form.get("action", "")
        if name not in self.actions:
            abort(404)
        permission_name = self.get_action_permission_name(name)
        if not self.appbuilder.sm.has_access(permission_name, self.class_permission_name):
            abort(403)
        pks = request.form.getlist("rowid")
        items = [self.get_scoped(pk) for pk in pks]
        if not items:
            flash(str(_l("请先选择记录")), "warning")
            return redirect(self.get_redirect())
        return self.actions[name].func(items)

    @expose("/download/<string:filename>")
    @has_access
    def download(self, filename: str) -> Any:
        abort(404)


    @expose("/delete/<pk>", methods=["GET", "POST"])
    @has_access
    def delete(self, pk: Any) -> Any:
        if request.method != "POST":
            self.get_scoped(pk)  # 404 outside the scope
            abort(405)
        self._delete(self._deserialize_pk_if_composite(pk))
        return self.post_delete_redirect()


class ExportMixin:
    """导出Excel of the current list: same filters, same order, within scope, masked as shown.

    Whoever may list may export what the list shows (the permission is the list's); a view
    may name ``export_columns`` (default: its list columns). Above ``EXPORT_JOB_ROWS`` rows
    the export runs as a background job with a progress page.
    """

    export_columns: list[str] | None = None
    export_chunk = 5000  # rows fetched per round trip while streaming

    def _export_query(self) -> Any:
        from flask_appbuilder.urltools import get_filter_args, get_order_args

        # the list's own filter and order rules: only its search columns, personal data by exact
        # match only for a role that sees it masked, only the list's orderable columns
        get_filter_args(self._filters)
        refuse = getattr(self, "refuse_partial_personal_filters", None)
        if refuse is not None:
            refuse()
        joined = self._filters.get_joined_filters(self._base_filters)
        model = self.datamodel.obj
        query = joined.apply_all(db.session.query(model))
        order = get_order_args().get(self.__class__.__name__)
        if order and order[0] not in (getattr(self, "order_columns", None) or []):
            order = None
        column, direction = order if order and order[0] else (self.base_order or ("id", "asc"))
        attr = getattr(model, column, None) if isinstance(column, str) else None
        if attr is not None and hasattr(attr, "asc"):
            query = query.order_by(attr.desc() if direction == "desc" else attr.asc())
        pk = getattr(model, "id", None)
        if pk is not None:
            query = query.order_by(pk.asc())
        return query

    def _export_plan(self) -> tuple[list[str], list[str]]:
        cols = list(self.export_columns or self.list_columns)
        return cols, [str(self.label_columns.get(c, c)) for c in cols]

    def export_rows(self, query: Any) -> Any:
        """The export's rows as plain cell values, formatted and masked as on screen.

        Plain columns, dictionary and personal columns, many-to-one relations and properties
        computed from the row's own columns are read as tuples (no ORM object per row, the
        relation's objects loaded once per distinct key); any other column falls back to the
        ORM objects, row by row.
        """
        plan = self._export_fast_plan()
        if plan is None:
            yield from self._export_rows_orm(query)
            return
        selected, cells = plan
        # the statement (the list's filters and scope included) on the session's connection: plain rows,
        # without the ORM's per-row result processing (half the fetch's cost)
        rows = iter(db.session.connection().execute(query.with_entities(*selected).statement,
                                                     execution_options={"yield_per": self.export_chunk}))
        first = next(rows, None)
        if first is None:
            return
        try:  # a property that needs more than the row's own columns: the ORM path instead
            head = [cell(first) for cell in cells]
        except AttributeError:
            close = getattr(rows, "close", None)
            if close is not None:
                close()
            yield from self._export_rows_orm(query)
            return
        yield head
        for row in rows:
            yield [cell(row) for cell in cells]

    def _export_rows_orm(self, query: Any) -> Any:
        cols, _headers = self._export_plan()
        formatters = self.formatters_columns or {}
        for item in query.yield_per(min(self.export_chunk, 1000)):
            row = []
            for c in cols:
                value: Any = item
                for part in c.split("."):
                    value = getattr(value, part, None) if value is not None else None
                if c in formatters:
                    value = formatters[c](value)
                else:
                    value = display_value(value)
                if value is not None and not isinstance(value, (str, int, float, bool)):
                    value = str(value)
                row.append(value)
            yield row

    def _export_fast_plan(self) -> tuple[list[Any], list[Any]] | None:
        """(expressions to select, one function row -> cell value per export column), or None."""
        from app.security.personal import mask

        model = self.datamodel.obj
        mapper = sa_inspect(model)
        column_keys = {p.key for p in mapper.column_attrs}
        relations = {r.key: r for r in mapper.relationships}
        formatters = self.formatters_columns or {}
        dict_columns = getattr(model, "__dict_columns__", {}) or {}
        personal = personal_columns(model)
        full = can_view_full()
        selected: list[Any] = []
        index: dict[str, int] = {}

        text_keys = {p.key for p in mapper.column_attrs
                     if isinstance(p.columns[0].type, (sa_types.String, sa_types.Integer))
                     and not isinstance(p.columns[0].type, sa_types.Boolean)}

        def passthrough(i: int) -> Any:
            """Text and integers go to the writer as they are (it skips None)."""
            key = next(k for k, v in index.items() if v == i)
            return itemgetter(i) if key in text_keys else (lambda r, i=i: plain(r[i]))

        def pick(key: str) -> int:
            if key not in index:
                index[key] = len(selected)
                selected.append(getattr(model, key).label(key))
            return index[key]

        yes, no = str(_l("是")), str(_l("否"))
        when = local_time_formatter()

        def plain(value: Any) -> Any:
            kind = type(value)
            if kind is str or kind is int or kind is float:
                return value
            if value is None:
                return ""
            if kind is bool:
                return yes if value else no
            if kind is dt.datetime:
                return when(value)
            value = display_value(value)
            return value if isinstance(value, (str, int, float)) else str(value)

        def finish(fn: Any) -> Any:
            def cell(value: Any) -> Any:
                return plain(fn(value))
            return cell

        cells: list[Any] = []
        cols, _headers = self._export_plan()
        for c in cols:
            head, _sep, rest = c.partition(".")
            custom = formatters.get(c)
            if custom is display_value:
                custom = None
            if c in column_keys:
                i = pick(c)
                if c in personal:
                    kind = personal[c]
                    cells.append(passthrough(i) if full else
                                 (lambda r, i=i, k=kind: plain(mask(k, r[i]))))
                elif custom is not None and not getattr(custom, "auto", False):
                    fn = finish(custom)
                    cells.append(lambda r, i=i, fn=fn: fn(r[i]))
                elif c in dict_columns and dict_columns[c] != "region":
                    table = dicts.labels(dict_columns[c])
                    cells.append(lambda r, i=i, t=table: t.get(r[i], r[i]))
                elif c in dict_columns:  # a region: the full label, memoised per code
                    memo: dict[Any, str] = {}
                    code = dict_columns[c]

                    def region(r: Any, i: int = i, memo: dict[Any, str] = memo, code: str = code) -> str:
                        v = r[i]
                        if v not in memo:
                            memo[v] = dicts.full_label(code, v) if v else ""
                        return memo[v]

                    cells.append(region)
                else:
                    cells.append(passthrough(i))
            elif head in relations:
                rel = relations[head]
                if rel.uselist or rel.direction.name != "MANYTOONE" or len(rel.local_columns) != 1:
                    return None
                fk = next(iter(rel.local_columns)).key
                if fk not in column_keys:
                    return None
                i = pick(fk)
                target = rel.mapper.class_
                cache: dict[Any, Any] = {}
                fmt = finish(custom) if custom is not None else plain

                def related(r: Any, i: int = i, target: Any = target, cache: dict[Any, Any] = cache,
                            rest: str = rest, fmt: Any = fmt) -> Any:
                    key = r[i]
                    if key not in cache:
                        obj = db.session.get(target, key) if key is not None else None
                        value: Any = obj
                        for part in rest.split(".") if rest else []:
                            value = getattr(value, part, None) if value is not None else None
                        cache[key] = fmt(value)
                    return cache[key]

                cells.append(related)
            elif isinstance(getattr(model, c, None), property):
                getter = getattr(model, c).fget
                fmt = finish(custom) if custom is not None else plain
                inputs = _property_inputs(getter, column_keys)
                for key in column_keys if inputs is None else inputs:
                    pick(key)
                if inputs is None:
                    cells.append(lambda r, g_=getter, fmt=fmt: fmt(g_(r)))
                else:  # read from the row's own columns alone: computed once per distinct input
                    cells.append(_memoised_cell(getter, fmt, [index[k] for k in inputs]))
            else:
                return None
        return selected, cells

    @expose("/export/")
    @has_access
    def export(self) -> Any:
        from flask import current_app, send_file

        from app.services.core import audit
        from app.services.documents import exports, jobs

        query = self._export_query()
        total = query.order_by(None).count()
        title = str(self.list_title or self.__class__.__name__)
        filters = {k: v for k, v in request.args.items()}
        if total > int(current_app.config.get("EXPORT_JOB_ROWS", 5000)):
            job = jobs.submit("export", str(_l("导出：%(t)s", t=title)), g.user,
                              {"view": type(self).__name__, "query": request.query_string.decode(), "title": title})
            flash(str(_l("数据较多（%(n)s条），已转为后台导出，完成后可在此页下载", n=total)), "info")
            return redirect(f"/jobs/{job.id}")
        path = exports.temp_path()
        cols, headers = self._export_plan()
        n = exports.write_xlsx(path, title, headers, self.export_rows(query))
        audit.record_now("export", object_type=type(self).__name__, object_repr=title,
                         detail=f"rows={n} filters={filters}")
        name = f"{title}_{dt.date.today():%Y%m%d}.xlsx"
        response = send_file(path, as_attachment=True, download_name=name, max_age=0,
                             mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response.call_on_close(lambda: os.remove(path))
        return response


def _property_inputs(getter: Any, column_keys: set[str]) -> list[str] | None:
    """The columns a property reads, when its code does nothing with ``self`` but read columns of it
    (``self.birth_ym``); ``None`` for anything else (another property, a relation, a method, ``self``
    passed on, a nested function): its value is then a function of those columns (and of the day)."""
    import dis

    code = getattr(getter, "__code__", None)
    if code is None or code.co_argcount != 1 or code.co_freevars or code.co_cellvars:
        return None
    if any(isinstance(const, type(code)) for const in code.co_consts):
        return None
    me = code.co_varnames[0]
    instructions = list(dis.get_instructions(code))
    inputs: set[str] = set()
    for i, ins in enumerate(instructions):
        arg = ins.argval
        if ins.opname.startswith(("LOAD_FAST", "STORE_FAST", "DELETE_FAST")) and (
                arg == me or (isinstance(arg, tuple) and me in arg)):
            nxt = instructions[i + 1] if i + 1 < len(instructions) else None
            if (ins.opname not in ("LOAD_FAST", "LOAD_FAST_CHECK") or nxt is None
                    or nxt.opname not in ("LOAD_ATTR", "LOAD_METHOD") or nxt.argval not in column_keys):
                return None
            inputs.add(nxt.argval)
    return sorted(inputs)


def _memoised_cell(getter: Any, fmt: Any, positions: list[int], limit: int = 50_000) -> Any:
    """row -> fmt(getter(row)), computed once per distinct value of the row's ``positions``."""
    memo: dict[Any, Any] = {}
    pick = itemgetter(*positions) if positions else (lambda r: None)

    def cell(r: Any) -> Any:
        key = pick(r)
        try:
            return memo[key]
        except KeyError:
            if len(memo) >= limit:
                memo.clear()
            value = memo[key] = fmt(getter(r))
            return value

    return cell


class PlatformListWidget(ListWidget):
    """FAB's list widget with per-row 编辑/删除 (see ScopedModelView.row_rights)."""

    template = "platform/list_widget.html"


class ScopedModelView(ChineseDisplayMixin, StrictActionsMixin, ScopedViewMixin, ExportMixin, ModelView):
    """The base of every scoped screen."""

    list_title = ""
    show_title = ""
    add_title = ""
    edit_title = ""
    page_size = 25
    list_template = "platform/list.html"
    list_widget = PlatformListWidget
    import_spec: str | None = None  # an ImportSpec code: the list offers 批量导入

    def _init_properties(self) -> None:
        super()._init_properties()
        # a related column (unit.name) cannot be ordered on the scoped query: FAB would order by a
        # table that is not joined
        # nor a personal column: sorting by a masked ID number or phone would give its digits away
        personal = personal_columns(self.datamodel.obj)
        self.order_columns = [c for c in self.order_columns or [] if "." not in c and c not in personal]

    def _get_list_widget(self, filters: Any, order_column: str = "", order_direction: str = "", **kw: Any) -> Any:
        if order_column and order_column not in self.order_columns:  # a typed ?_oc_= of anything else is ignored
            order_column, order_direction = "", ""
        widgets = super()._get_list_widget(filters, order_column=order_column, order_direction=order_direction, **kw)
        args = widgets["list"].template_args
        args["row_rights"] = self.row_rights(list(args.get("pks") or []))
        # each row's cells drawn here, each column's formatter looked up once (the template drew them
        # one Jinja call per cell); the same values, escaped as the template escapes them
        values = list(args.get("value_columns") or [])
        plan = [(c, (args.get("formatters_columns") or {}).get(c)) for c in args.get("include_columns") or []]
        args["value_columns"] = values
        args["row_cells"] = [
            Markup("".join([f"<td>{escape(fmt(row[c]) if fmt else row[c])}</td>" for c, fmt in plan]))
            for row in values
        ]
        args["add_here"] = self.can_add_here()
        return widgets

    def can_add_here(self) -> bool:
        """Whether 新增 can succeed for the current user (the permission aside); views whose add
        depends on the user's unit say so."""
        return True

    def row_rights(self, pks: list[Any]) -> dict[Any, tuple[bool, bool]] | None:
        """Per row (编辑, 删除) where the view's rule depends on the record (the list then shows
        only the buttons that can succeed); ``None``: the permissions alone decide."""
        rule = self.row_rule()
        if rule is None or not pks:
            return None
        model = self.datamodel.obj
        edit_clause, delete_clause = rule
        editable = set(db.session.scalars(select(model.id).where(model.id.in_(pks), edit_clause)))
        deletable = set(db.session.scalars(select(model.id).where(model.id.in_(pks), delete_clause)))
        return {pk: (pk in editable, pk in deletable) for pk in pks}

    def row_rule(self) -> tuple[Any, Any] | None:
        """SQL conditions (edit, delete) of a row the current user may change — the same rule as
        the view's pre_update and pre_delete; ``None`` when the permissions alone decide."""
        return None

    def show_with_attachments(self, pk: Any, editable: bool = False, title: Any = None) -> Any:
        """The show page of a record that owns attachments: FAB's fields, then its attachment panel."""
        from app.services.core import attachments

        item = self.get_scoped(pk)
        return self.render_template(
            self.show_template, pk=pk, title=str(title or self.show_title or item),
            widgets=self._get_show_widget(pk, item), related_views=[], record=item,
            owner=attachments.owner_of(item), files=attachments.current(item),
            editable=editable(item) if callable(editable) else editable,
        )

    def render_template(self, template: str, **kwargs: Any) -> Any:
        spec = None
        if self.import_spec:
            from app.services.documents.imports import SPECS

            found = SPECS.get(self.import_spec)
            if found and (not found.permission or self.appbuilder.sm.has_access(*found.permission)):
                spec = found.code
        kwargs.setdefault("import_spec", spec)
        return super().render_template(template, **kwargs)

    def __init__(self, **kwargs: Any) -> None:
        self._scoped_setup()
        # 导出Excel is part of reading a list: whoever may list may export what the list shows
        self.method_permission_name = {"export": "list", **(getattr(self, "method_permission_name", None) or {})}
        if self.base_permissions:
            self.base_permissions = [p for p in self.base_permissions if p != "can_export"]
        super().__init__(**kwargs)
        self.add_row_message = str(_l("已保存"))
        self.edit_row_message = str(_l("已保存"))
        self.delete_row_message = str(_l("已删除"))

    # -- add / edit that keep the typed form on a business refusal --------------

    def _validate_and_save(self, form: Any, item: Any, is_created: bool) -> bool:
        try:
            with db.session.no_autoflush:
                form.populate_obj(item)
                if is_created:
                    self.pre_add(item)
                else:
                    self.pre_update(item)
                check_item_scope(item)
            if is_created:
                db.session.add(item)
            db.session.commit()
        except BusinessError as e:  # the view's or a service's rule: every problem beside its field
            db.session.rollback()
            for field, message in e.problems:
                attach_error(form, message, field)
            return False
        except ScopeError as e:
            db.session.rollback()
            flash(str(e), "danger")
            return False
        except Exception as e:  # integrity errors and the like
            log.warning("save refused: %r", e)
            db.session.rollback()
            flash(self.translate_db_error(e), "danger")
            return False
        if is_created:
            self.post_add(item)
        else:
            self.post_update(item)
        return True

    def form_problems(self, item: Any, is_created: bool) -> list[tuple[str | None, str]]:
        """The view's own checks of typed values that need nothing saved (formats, duplicates), as
        (field, reason). Where the form's validators refuse it, these are shown with their errors, so
        the form shows all its errors at once; the view's pre_add / pre_update raise them too."""
        return []

    def _show_all_problems(self, form: Any, item: Any, is_created: bool) -> None:
        """A form WTForms refused: add the view's own problems of the other fields; nothing is kept."""
        try:
            with db.session.no_autoflush:
                form.populate_obj(item)
                problems = self.form_problems(item, is_created)
        except Exception as e:  # a half-typed form the checks cannot read: its validators' errors stand
            log.debug("form problems not collected: %r", e)
            problems = []
        finally:
            db.session.rollback()
        for field, message in problems:
            target = getattr(form, field, None) if field else None
            if target is not None and not target.errors:
                attach_error(form, message, field)

    def refuse_partial_personal_filters(self) -> None:
        """A role that sees personal data masked may only search it by exact match."""
        cols = personal_columns(self.datamodel.obj)
        if not cols or can_view_full():
            return
        for key in request.args:
            m = re.match(r"_flt_(\d+)_(.+)$", key)
            if not m or m.group(2) not in cols:
                continue
            options = self._filters.get_search_filters().get(m.group(2), [])
            idx = int(m.group(1))
            if idx >= len(options) or type(options[idx]).__name__ != "FilterEqual":
                abort(403)

    @expose("/list/")
    @has_access
    def list(self) -> Any:
        self.refuse_partial_personal_filters()
        return super().list()

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk: Any) -> Any:
        response = super().show(pk)
        shown_cols = set(self.show_columns or []) | {
            c for _t, fs in (self.show_fieldsets or []) for c in fs.get("fields", [])
        }
        if can_view_full() and set(personal_columns(self.datamodel.obj)) & shown_cols:
            audit_event("view_full", self.datamodel.get(self._deserialize_pk_if_composite(pk)))
        return response

    def translate_db_error(self, exc: Exception) -> str:
        text = str(getattr(exc, "orig", exc)).lower()
        if "unique" in text or "duplicate" in text:
            return str(_l("保存失败：数据与已有记录重复"))
        return str(_l("保存失败：数据不符合要求"))

    def _add(self) -> Any:
        from flask_appbuilder.urltools import get_filter_args

        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        form = self.add_form.refresh()
        if request.method == "POST":
            self._fill_form_exclude_cols(exclude_cols, form)
            if form.validate():
                self.process_form(form, True)
                item = self.datamodel.obj()
                if self._validate_and_save(form, item, True):
                    flash(self.add_row_message, "success")
                    return None
            else:
                self._show_all_problems(form, self.datamodel.obj(), True)
        else:
            self.update_redirect()
            own = getattr(getattr(g, "user", None), "unit", None)
            for field in form:
                if isinstance(field, UnitSelectField) and field.data is None and own is not None:
                    field.data = own  # a new record belongs to the own unit unless chosen
        return self._get_add_widget(form=form, exclude_cols=exclude_cols)

    def _edit(self, pk: Any) -> Any:
        from flask_appbuilder.urltools import (
            get_filter_args,
            get_order_args,
            get_page_args,
            get_page_size_args,
        )

        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        pk = self.datamodel.get_pk_value(item)
        if request.method == "POST":
            form = self.edit_form.refresh(request.form)
            self._fill_form_exclude_cols(exclude_cols, form)
            form._id = pk
            if form.validate():
                self.process_form(form, False)
                if self._validate_and_save(form, item, False):
                    flash(self.edit_row_message, "success")
                    return None
            else:
                self._show_all_problems(form, item, False)
            item = self.datamodel.get(pk, self._base_filters)
            if not item:
                abort(404)
        else:
            form = self.edit_form.refresh(obj=item)
            self.prefill_form(form, pk)
            self.update_redirect()
        widgets = self._get_edit_widget(form=form, exclude_cols=exclude_cols)
        return self._get_related_views_widgets(
            item,
            filters={},
            orders=get_order_args(),
            pages=get_page_args(),
            page_sizes=get_page_size_args(),
            widgets=widgets,
        )

    def _delete(self, pk: Any) -> None:
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        try:
            self.pre_delete(item)
            db.session.delete(item)
            db.session.commit()
        except (BusinessError, ScopeError) as e:
            db.session.rollback()
            flash(str(e), "danger")
            return
        except Exception as e:
            db.session.rollback()
            flash(self.translate_db_error(e), "danger")
            return
        self.post_delete(item)
        flash(self.delete_row_message, "success")
        self.update_redirect()

class ScopedModelRestApi(ModelRestApi):
    """REST API with the same scope: reads filtered, writes checked."""

    allow_browser_login = True
    page_size = 25

    def __init__(self, **kwargs: Any) -> None:
        if type(self.datamodel) is SQLAInterface:
            self.datamodel = ScopedInterface(self.datamodel.obj)
        self.base_filters = [SCOPE_FILTER] + list(self.base_filters or [])
        rels = _relation_targets(self.datamodel.obj)
        for attr in ("add_query_rel_fields", "edit_query_rel_fields"):
            current = dict(getattr(self, attr, None) or {})
            for key, rel in rels.items():
                if hasattr(rel.mapper.class_, "__scope__"):
                    current[key] = [SCOPE_FILTER] + list(current.get(key, []))
            setattr(self, attr, current)
        super().__init__(**kwargs)
        # personal columns are never an order (sorting by a masked value gives its digits away)
        personal = personal_columns(self.datamodel.obj)
        self.order_columns = [c for c in self.order_columns or [] if c not in personal]

    def pre_add(self, item: Any) -> None:
        check_item_scope(item)

    def pre_update(self, item: Any) -> None:
        check_item_scope(item)

    def _get_field_info(self, field: Any, filter_rel_field: Any, page: Any = None, page_size: Any = None) -> Any:
        info = super()._get_field_info(field, filter_rel_field, page=page, page_size=page_size)
        if not (self.description_columns or {}).get(field.name):
            info["description"] = ""  # FAB translates "", which yields the catalogue's header
        return info

    def _mask_row(self, row: dict[str, Any]) -> None:
        for col, kind in personal_columns(self.datamodel.obj).items():
            if col in row:
                row[col] = shown(kind, row[col])

    def pre_get(self, data: dict[str, Any]) -> None:
        self._mask_row(data.get("result") or {})

    def pre_get_list(self, data: dict[str, Any]) -> None:
        for row in data.get("result") or []:
            self._mask_row(row)

    def get_list_headless(self, **kwargs: Any) -> Any:
        cols = personal_columns(self.datamodel.obj)
        if cols and not can_view_full():
            for f in (kwargs.get("rison") or {}).get("filters", []) or []:
                if f.get("col") in cols and f.get("opr") != "eq":
                    return self.response_403()
        return super().get_list_headless(**kwargs)

    def post_headless(self) -> Any:
        try:
            return super().post_headless()
        except ScopeError as e:
            db.session.rollback()
            return self.response(403, message=str(e))
        except BusinessError as e:  # a service's rule: every problem beside its field, nothing written
            db.session.rollback()
            return self.response_400(message={f or "_": [r] for f, r in reversed(e.problems)})

    def put_headless(self, pk: Any) -> Any:
        try:
            return super().put_headless(pk)
        except ScopeError as e:
            db.session.rollback()
            return self.response(403, message=str(e))
        except BusinessError as e:  # a service's rule: every problem beside its field, nothing written
            db.session.rollback()
            return self.response_400(message={f or "_": [r] for f, r in reversed(e.problems)})


def audit_event(action: str, obj: Any) -> None:
    """Record an audit event when the audit service is installed."""
    try:
        from app.services.core import audit
    except ImportError:  # pragma: no cover
        return
    audit.record_now(action, obj)


def xlsx_download(title: str, headers: list[str], rows: Any, file_name: str | None = None) -> Any:
    """A small table (a roster, a tally, a statistic) as an .xlsx download through the export writer; the
    temporary file is removed once sent. Large lists go through ``ExportMixin`` (jobs above EXPORT_JOB_ROWS)."""
    from flask import send_file

    from app.services.documents import exports

    path = exports.temp_path()
    exports.write_xlsx(path, title, headers, rows)
    response = send_file(path, as_attachment=True, download_name=file_name or f"{title}.xlsx", max_age=0,
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.call_on_close(lambda: os.remove(path))
    return response


def scoped_interface(model: Any) -> SQLAInterface:
    return SQLAInterface(model)


def export_job_runner(job: Any, report: Any) -> tuple[str | None, str | None, str | None]:
    """Run a list export in the background as the user who asked for it, with their filters."""
    import json
    import uuid

    from flask import current_app
    from flask_login import login_user

    from app.services.core import audit
    from app.services.core.attachments import storage
    from app.services.documents import exports
    from models.core.user import UnitUser

    params = json.loads(job.params)
    user = db.session.get(UnitUser, job.user_id)
    view = next(v for v in current_app.appbuilder.baseviews if type(v).__name__ == params["view"])
    with current_app.test_request_context(f"{view.route_base}/export/", query_string=params["query"]):
        login_user(user)
        g.user = user
        query = view._export_query()
        total = query.order_by(None).count()
        report(0, total)
        path = exports.temp_path()
        cols, headers = view._export_plan()
        try:
            n = exports.write_xlsx(path, params["title"], headers, view.export_rows(query),
                                   progress=lambda done: report(done, total))
            key = uuid.uuid4().hex
            with open(path, "rb") as fh:
                storage().save(key, iter(lambda: fh.read(1 << 20), b""))
        finally:
            os.remove(path)
        audit.record_now("export", object_type=params["view"], object_repr=params["title"],
                         detail=f"rows={n} job={job.id}", user=user)
    return key, f"{params['title']}_{dt.date.today():%Y%m%d}.xlsx", str(_l("共导出%(n)s条", n=n))
