"""Documents pipeline figures: reading an import, checking its rows, writing an export.

    python -m bench.documents [--rows 50000] [--export-rows 100000]

Each measurement runs in its own process so that peak memory (ru_maxrss) belongs to it.
Prints rows per second, seconds and peak memory; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import tempfile
import time

HEADERS = ["国别", "*姓名", "证件类型", "*证件号码", "*性别", "*出生年月", "是否退休", "*工作单位", "主管单位",
           "*行政职务", "行政职务级别", "*联系电话1", "联系电话2", "*所获荣誉、称号", "现专业技术系列", "*现从事专业",
           "*现职称"]


def id_number(seq: int) -> str:
    birth = seq % 3600  # 40 years x 9 months x 10 days, then the order number: unique up to 3.6 million
    body = "420102" + f"19{60 + birth // 90:02d}0{1 + birth // 10 % 9}1{birth % 10}" + f"{seq // 3600:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(a) * w for a, w in zip(body, weights, strict=True)) % 11]


def row(i: int) -> list:
    n = id_number(i)
    return ["中国", f"专家{i}", "居民身份证", n, "男" if int(n[16]) % 2 else "女", n[6:12], "否", "武汉大学",
            "教育部", "无", "无", f"139{i % 100000000:08d}", "", "全国优秀教师", "高等学校教师", "水利工程", "正高级"]


def make_xlsx(path: str, rows: int) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, HEADERS)
    for i in range(rows):
        ws.write_row(i + 1, 0, row(i))
    wb.close()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(target, *args) -> dict:
    q: mp.Queue = mp.Queue()
    p = mp.Process(target=lambda: q.put(target(*args)))
    p.start()
    out = q.get()
    p.join()
    return out


def read_calamine(path: str) -> dict:
    from python_calamine import CalamineWorkbook

    t = time.perf_counter()
    n = sum(1 for _r in CalamineWorkbook.from_path(path).get_sheet_by_index(0).iter_rows()) - 1
    return {"what": "read python-calamine", "rows": n, "s": time.perf_counter() - t, "peak_mb": _peak_mb()}


def read_openpyxl(path: str) -> dict:
    from openpyxl import load_workbook

    t = time.perf_counter()
    wb = load_workbook(path, read_only=True, data_only=True)
    n = sum(1 for _r in wb.worksheets[0].iter_rows(values_only=True)) - 1
    return {"what": "read openpyxl read-only", "rows": n, "s": time.perf_counter() - t, "peak_mb": _peak_mb()}


def check_rows(path: str) -> dict:
    """parse_file + validate of the real expert ImportSpec (the database lookup included)."""
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(tempfile.mkdtemp(), "b.db")})
    with app.app_context(), app.test_request_context():
        from flask_migrate import upgrade

        upgrade()
        from seed.dicts import sync_dicts

        sync_dicts()
        from app.services import experts
        from app.services.documents import imports

        data = open(path, "rb").read()
        t = time.perf_counter()
        rows = imports.parse_file(experts.IMPORT, data, "b.xlsx")
        t_read = time.perf_counter() - t
        errors = imports.validate(experts.IMPORT, rows)
        total = time.perf_counter() - t
    return {"what": "parse + validate (ImportSpec experts)", "rows": len(rows), "s": total, "read_s": t_read,
            "failed": len(errors), "peak_mb": _peak_mb()}


def write_xlsxwriter(rows: int) -> dict:
    from app.services.documents.exports import write_xlsx

    base = _peak_mb()
    path = tempfile.mktemp(suffix=".xlsx")
    t = time.perf_counter()
    write_xlsx(path, "bench", HEADERS, (row(i) for i in range(rows)))
    s = time.perf_counter() - t
    size = os.path.getsize(path)
    os.remove(path)
    return {"what": "write XlsxWriter constant_memory", "rows": rows, "s": s, "mb": size / 1e6,
            "peak_mb": _peak_mb(), "growth_mb": _peak_mb() - base}


def write_openpyxl(rows: int) -> dict:
    from openpyxl import Workbook

    base = _peak_mb()
    path = tempfile.mktemp(suffix=".xlsx")
    t = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(HEADERS)
    for i in range(rows):
        ws.append(row(i))
    wb.save(path)
    s = time.perf_counter() - t
    size = os.path.getsize(path)
    os.remove(path)
    return {"what": "write openpyxl write-only", "rows": rows, "s": s, "mb": size / 1e6, "peak_mb": _peak_mb(),
            "growth_mb": _peak_mb() - base}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=50000)
    ap.add_argument("--export-rows", type=int, default=100000)
    args = ap.parse_args()
    mp.set_start_method("fork")
    path = tempfile.mktemp(suffix=".xlsx")
    make_xlsx(path, args.rows)
    print(f"import file: {args.rows} rows, {os.path.getsize(path) / 1e6:.1f} MB")
    results = [_run(read_calamine, path), _run(read_openpyxl, path), _run(check_rows, path),
               _run(write_xlsxwriter, args.export_rows), _run(write_openpyxl, args.export_rows)]
    os.remove(path)
    for r in results:
        extra = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in r.items()
                 if k not in ("what", "rows", "s", "peak_mb")}
        print(f"{r['what']:<42} {r['rows']:>8} rows  {r['s']:7.2f} s  {r['rows'] / r['s']:>10,.0f} rows/s  "
              f"peak {r['peak_mb']:7.1f} MB  {json.dumps(extra, ensure_ascii=False) if extra else ''}")


if __name__ == "__main__":
    main()
