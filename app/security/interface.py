"""A SQLAInterface that pages in two steps: ids first, then the rows of one page.

FAB's list query sorts every row in scope with all its columns before the LIMIT; on
PostgreSQL that reads the heap for each of them. Selecting only the primary keys lets
the planner answer from the (unit_id, id) index, and the 25 rows are then fetched by key.
"""

from __future__ import annotations

from typing import Any

from flask_appbuilder.models.sqla.filters import FilterContains, SQLAFilterConverter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy.orm import selectinload


class ScopedInterface(SQLAInterface):
    def query(
        self,
        filters: Any = None,
        order_column: str = "",
        order_direction: str = "",
        page: int | None = None,
        page_size: int | None = None,
        select_columns: list[str] | None = None,
        outer_default_load: bool = False,
    ) -> tuple[int, list[Any]]:
        pk_name = self.get_pk_name()
        if not page_size or not isinstance(pk_name, str):
            return super().query(filters, order_column, order_direction, page, page_size, select_columns,
                                 outer_default_load)
        pk = getattr(self.obj, pk_name)
        base = self.session.query(self.obj)
        count = self.query_count(base, filters, select_columns)
        paged = self.apply_all(base, filters, order_column, order_direction, page, page_size, None,
                               outer_default_load)
        ids = [row[0] for row in paged.with_entities(pk).all()]
        if not ids:
            return count, []
        rows_q = self.session.query(self.obj).filter(pk.in_(ids))
        for rel in getattr(self.obj, "__list_eager__", ()):  # to-many columns shown in lists
            rows_q = rows_q.options(selectinload(getattr(self.obj, rel)))
        rows_q = self.apply_all(rows_q, None, "", "", None, None, select_columns, outer_default_load)
        rows = rows_q.all()
        items = [getattr(r, self.obj.__name__) if hasattr(r, self.obj.__name__) else r for r in rows]
        by_id = {getattr(i, pk_name): i for i in items}
        return count, [by_id[i] for i in ids if i in by_id]


class ContainsFirstConverter(SQLAFilterConverter):
    """List filters on text offer 包含 first (the default a person expects when searching a name),
    then FAB's others; a personal column still accepts only 等于 (views.base)."""

    conversion_table = tuple(
        (test, [FilterContains] + [f for f in found if f is not FilterContains] if FilterContains in found else found)
        for test, found in SQLAFilterConverter.conversion_table
    )


# every interface of the platform (scoped or not, FAB's security screens included)
SQLAInterface.filter_converter_class = ContainsFirstConverter
