"""The import's fast paths give what the plain ones give: a column parsed as a whole against the
cell parser, a check split with a forked worker against one process (duplicates across the two
parts, keys already in the database, a blank row, texts that need JSON escaping), a worker that
fails or refuses the sheet, and the commit by INSERT … SELECT (``sql_values``) against
``row_values``."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from flask_login import login_user
from sqlalchemy import delete, select

from app.extensions import db
from app.services.documents import imports
from app.services.experts import COLUMNS
from models.core.document import ImportRow
from models.experts.expert import Expert
from tests.conftest import unique
from tests.experts.test_import_scale import big_row, valid_id, workbook

N = 120


def test_a_column_parsed_as_a_whole_gives_what_its_cells_give(app):
    today = dt.date.today()
    samples = ["", " ", "中国", " 张三 ", "否", "是", "1", 1.0, 0, True, None, "男", "女", "未知", "居民身份证", "01",
               "197805", "1978-05", "１９７８０５", "190001", "189912", "197813", "209901", f"{today:%Y%m}", 197805.0,
               "13800138000", " 13800138000", "1380013800", "027-88886666", "88886666", "12", "138001380001",
               13800138000.0, dt.date(1978, 5, 1), dt.datetime(1978, 5, 1, 8, 30), "x" * 31, "无", "正高级", "07"]
    with app.test_request_context():
        for col in COLUMNS:
            cell, whole = col.parser(), col.column_parser()
            columns = [samples, [s for s in samples if isinstance(s, str)], [s for s in samples if s and isinstance(s, str)]]
            columns += [[s] * 3 for s in samples]
            for values in columns:
                expected = [cell(v) for v in values]
                got, errors = whole(values)
                assert got == [v for v, _r in expected], (col.key, values)
                assert errors == [(i, r) for i, (_v, r) in enumerate(expected) if r is not None], (col.key, values)


def _rows(base: int) -> list[list]:
    rows = [big_row(valid_id("510104", base + i), f"路径{i}") for i in range(N)]
    x = next(i for i in range(base + 500, base + 2000) if valid_id("510104", i).endswith("X"))
    rows[5] = big_row(valid_id("510104", x).lower(), "小写x")       # upper-cased for the key and the insert
    rows[3][0] = ""                                                   # nationality: 中国
    rows[4][2] = ""                                                   # id_type: 01
    rows[6][6], rows[7][6] = "", "是"                                 # retired: False, True
    rows[8][1] = 'A"B\\C'                                             # JSON escapes
    rows[9][7] = "单位\x1f分隔"
    rows[10][4] = "未知"                                              # not an option
    rows[11][5] = "2099-01"                                           # later than now
    rows[12][5] = rows[12][3][6:10] + "-" + rows[12][3][10:12]        # a month with a dash: accepted
    rows[13][11] = " 13800138000 "
    rows[14][12], rows[15][12] = "027-8888666", "12"
    rows[16][10], rows[16][8] = "县处级正职", "主管"
    rows[20][3] = rows[19][3]                                         # duplicate in the first part
    rows[N - 5][3] = rows[2][3]                                       # the second part repeats the first
    rows[N - 8][3] = rows[N - 9][3]                                   # duplicate in the second part
    rows[30] = [""] * len(rows[30])                                   # a blank row
    rows[N - 20] = [""] * len(rows[30])
    return rows


def _staged(batch_id: int) -> list[tuple]:
    return [tuple(r) for r in db.session.execute(
        select(ImportRow.row_no, ImportRow.ok, ImportRow.key, ImportRow.data, ImportRow.errors)
        .where(ImportRow.batch_id == batch_id).order_by(ImportRow.row_no))]


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(imports, "STAGE_ROWS", 10)
    monkeypatch.setattr(imports, "COMMIT_ROWS", 30)


def _check(app, data: bytes, user, fork_rows: int, report: bool = True) -> int:
    app.config["IMPORT_FORK_ROWS"] = fork_rows
    try:
        batch = imports.start(imports.SPECS["experts"], data, "路径.xlsx", user,
                              report=(lambda d, t: None) if report else None)
        db.session.commit()
        return batch.id
    finally:
        app.config.pop("IMPORT_FORK_ROWS", None)


def test_a_worker_process_stages_what_one_process_stages_and_sql_commits_what_row_values_give(
        app, small_chunks, monkeypatch):
    base = (abs(hash(unique("paths"))) % 50) * 3000 + 200000
    rows = _rows(base)
    data = workbook(rows)
    with app.test_request_context():
        user = app.appbuilder.sm.find_user(username="sc_cd_admin")
        login_user(user)
        # two rows already in the database, one in each part
        present = workbook([rows[1], rows[N - 3]])
        first = imports.start(imports.SPECS["experts"], present, "已有.xlsx", user)
        imports.commit(imports.SPECS["experts"], first, user)
        db.session.commit()

        one = _staged(_check(app, data, user, 0))
        two = _staged(_check(app, data, user, 20))
        assert two == one
        reasons = {n: e for n, ok, _k, _d, e in one if not ok}
        assert "系统中已存在" in reasons[3] and "系统中已存在" in reasons[N - 1]
        assert "与第4行重复" in reasons[N - 3] and "与第21行重复" in reasons[22] and f"与第{N - 7}行重复" in reasons[N - 6]
        assert "不是有效的选项" in reasons[12] and "年月不能晚于当前" in reasons[13] and 32 not in {r[0] for r in one}
        assert "请填写正确的电话号码" in reasons[17]
        good = {n for n, ok, *_ in one if ok}
        assert {5, 6, 7, 8, 9, 10, 11, 14, 15, 16, 18} <= good

        # a worker that fails: this process reads on where it began
        def broken(*a, **k):
            raise RuntimeError("worker")

        prepare = imports._prepare
        monkeypatch.setattr(imports, "_prepare", broken)
        assert _staged(_check(app, data, user, 20)) == one
        calls = []

        def fails_later(*a, **k):  # one chunk handed over, then the worker dies
            calls.append(1)
            if len(calls) > 1:
                raise RuntimeError("worker")
            return prepare(*a, **k)

        monkeypatch.setattr(imports, "_prepare", fails_later)
        assert _staged(_check(app, data, user, 20)) == one
        monkeypatch.setattr(imports, "_prepare", prepare)

        # the commit: INSERT … SELECT against row_values, row for row
        spec = imports.SPECS["experts"]
        keys = [k for _n, ok, k, _d, _e in one if ok]
        columns = [c for c in Expert.__table__.columns if c.key not in ("id", "created_on", "changed_on")]

        def inserted() -> list[tuple]:
            return [tuple(r) for r in db.session.execute(select(*columns).where(Expert.id_number.in_(keys))
                                                         .order_by(Expert.id_number))]

        batch_sql = db.session.get(imports.ImportBatch, _check(app, data, user, 0, report=False))
        assert imports.commit(spec, batch_sql, user) == len(keys)
        db.session.commit()
        by_sql = inserted()
        assert ("中国", "01", False) in {(r[0], r[2], r[6]) for r in by_sql}
        assert rows[5][3].upper() in {r[3] for r in by_sql}
        db.session.execute(delete(Expert).where(Expert.id_number.in_(keys)))
        db.session.commit()
        batch_py = db.session.get(imports.ImportBatch, _check(app, data, user, 0, report=False))
        assert imports.commit(dataclasses.replace(spec, sql_values=None), batch_py, user) == len(keys)
        db.session.commit()
        assert inserted() == by_sql
        assert len(by_sql) == len(keys) and len({r[3] for r in by_sql}) == len(keys)


def test_a_worker_refusing_the_sheet_refuses_it_here(app, small_chunks):
    base = (abs(hash(unique("refuse"))) % 50) * 3000 + 400000
    data = workbook([big_row(valid_id("510104", base + i), f"拒绝{i}") for i in range(N)])
    with app.test_request_context():
        user = app.appbuilder.sm.find_user(username="sc_cd_admin")
        login_user(user)
        app.config["IMPORT_MAX_ROWS"] = 100
        try:
            for fork_rows in (0, 20):
                with pytest.raises(imports.ImportError_, match="数据超过100行"):
                    _check(app, data, user, fork_rows)
                db.session.rollback()
        finally:
            app.config.pop("IMPORT_MAX_ROWS", None)
