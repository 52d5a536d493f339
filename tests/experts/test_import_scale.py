"""The import pipeline at size, through the web paths: staged rows paged on the server, fix and
delete on single rows, the commit as a job with progress, one audit entry per batch, ID numbers
typed as numbers refused, and a sheet of empty rows read only as far as its data."""

from __future__ import annotations

import io
import re
import time
import zipfile

import xlsxwriter
from sqlalchemy import func, select

from app.extensions import db
from models.core.audit import AuditLog
from models.core.document import ImportBatch, ImportRow
from models.experts.expert import Expert
from tests.conftest import unique
from tests.experts.test_experts import HEADERS, upload

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def valid_id(region: str, seq: int) -> str:
    """A valid number for a birth in 1960-1993 (month and day from seq); odd order digits: male."""
    year, month, day = 1960 + seq % 34, 1 + (seq // 34) % 12, 1 + (seq // 408) % 28
    order = ((seq // 11424) % 500) * 2 + 1
    body = f"{region}{year:04d}{month:02d}{day:02d}{order:03d}"
    return body + "10X98765432"[sum(int(a) * w for a, w in zip(body, WEIGHTS, strict=True)) % 11]


def big_row(number: str, name: str) -> list:
    return ["中国", name, "居民身份证", number, "男", number[6:12], "否", "武汉大学", "", "无", "", "13800138000",
            "", "无", "高等学校教师", "水利工程", "正高级"]


def workbook(rows: list[list], numbers: dict[tuple[int, int], float] | None = None) -> bytes:
    """An .xlsx written with XlsxWriter; ``numbers`` puts numeric cells at (row, col) (0-based, header=0)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf)
    ws = wb.add_worksheet()
    for c, h in enumerate(HEADERS):
        ws.write_string(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if v != "":
                ws.write_string(r, c, v)
    for (r, c), v in (numbers or {}).items():
        ws.write_number(r, c, v)
    wb.close()
    return buf.getvalue()


def wait(c, location: str, timeout: float = 180) -> dict:
    job = int(location.rstrip("/").split("/")[-1])
    end = time.time() + timeout
    while time.time() < end:
        st = c.get(f"/jobs/{job}/status").get_json()
        if st["state"] in ("done", "failed"):
            return st
        time.sleep(0.2)
    raise AssertionError("job did not finish")


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_thousands_of_rows_paged_fixed_deleted_committed_as_a_job(app, login_as):
    c = login_as("sc_cd_admin")  # 成都: its own experts only
    region = "510104"
    base = (abs(hash(unique("scale"))) % 20) * 6000
    n = 4000
    rows = [big_row(valid_id(region, base + i), f"规模{i}") for i in range(n)]
    rows[9][3] = rows[9][3][:-1] + ("0" if rows[9][3][-1] != "0" else "1")   # row 11: bad check digit
    rows[19][4] = "女"                                                         # row 21: sex disagrees
    rows[29][3] = rows[0][3]                                                   # row 31: duplicate of row 2
    rows[39][11] = "12345"                                                     # row 41: bad phone
    for i in range(100, 160):                                                  # rows 102-161: name missing
        rows[i][1] = ""
    app.config.update(IMPORT_JOB_BYTES=1000, IMPORT_INLINE_ROWS=500)
    try:
        r = upload(c, workbook(rows), "规模.xlsx")
        assert r.status_code == 302 and "/jobs/" in r.headers["Location"]
        assert "任务状态" in c.get(r.headers["Location"]).get_data(as_text=True)
        st = wait(c, r.headers["Location"])
        assert st["state"] == "done" and st["progress"] == st["total"] == n, st
        batch_id = int(st["link"].rstrip("/").split("/")[-1])
        page = c.get(st["link"]).get_data(as_text=True)
        assert f"共{n}条数据" in page and f"检查通过{n - 64}条" in page and "检查失败64条" in page
        for reason in ("身份证号码校验位不正确", "性别与身份证号码不一致", "与第2行重复", "请填写正确的11位手机号码"):
            assert reason in page, reason
        # failures are paged by the server: 50 a page, the second page holds the rest
        assert page.count('name="row"') == 50 and "第1页，共2页" in page
        page2 = c.get(f"/imports/batch/{batch_id}?page=2").get_data(as_text=True)
        assert page2.count('name="row"') == 14 and ">161<" in page2 and ">11<" not in page2
        good2 = c.get(f"/imports/batch/{batch_id}?gpage=3").get_data(as_text=True)
        assert good2.count("<tr><td>") == 50 and "第3页" in good2
        with app.app_context():
            assert count(ImportRow, ImportRow.batch_id == batch_id) == n
            assert db.session.get(ImportBatch, batch_id).rows == "[]"  # no JSON blob any more
        # fix row 41 in place: only that row is checked again
        values = dict(zip(["nationality", "name", "id_type", "id_number", "sex", "birth_ym", "retired", "work_unit",
                           "supervising_unit", "admin_post", "admin_level", "phone", "phone2", "honours", "series",
                           "major", "title"], big_row(rows[39][3], "修好"), strict=True))
        form = c.get(f"/imports/batch/{batch_id}?fix=41").get_data(as_text=True)
        assert "修改第41行" in form and 'value="12345"' in form
        r = c.post(f"/imports/batch/{batch_id}/fix/41", data=values)
        assert "第41行已修改" in c.get(r.headers["Location"]).get_data(as_text=True)
        # fixing the duplicate (row 31) with the same number still clashes with row 2
        dup = dict(values, id_number=rows[0][3], birth_ym=rows[0][3][6:12], name="重复")
        r = c.post(f"/imports/batch/{batch_id}/fix/31", data=dup)
        assert "与第2行重复" in c.get(r.headers["Location"]).get_data(as_text=True)
        # delete one failure by hand, then all the others
        c.post(f"/imports/batch/{batch_id}/delete", data={"row": ["11"]})
        page = c.get(f"/imports/batch/{batch_id}").get_data(as_text=True)
        assert f"检查通过{n - 63}条" in page and "检查失败62条" in page
        r = c.post(f"/imports/batch/{batch_id}/delete", data={"all": "1"})
        assert "已删除62条失败数据" in c.get(r.headers["Location"]).get_data(as_text=True)
        with app.app_context():
            before = count(Expert)
            audits = db.session.scalar(select(func.max(AuditLog.id)))
        # the commit is a job: the page follows its progress and links to the list when done
        r = c.post(f"/imports/batch/{batch_id}/commit")
        assert r.status_code == 302 and "/jobs/" in r.headers["Location"]
        st = wait(c, r.headers["Location"])
        assert st["state"] == "done" and st["progress"] == st["total"] == n - 63 and st["percent"] == 100, st
        assert st["link"] == "/experts/list/"
        assert "查看导入结果" in c.get(r.headers["Location"]).get_data(as_text=True)
        with app.app_context():
            assert count(Expert) == before + n - 63
            e = db.session.scalar(select(Expert).where(Expert.id_number == rows[39][3]))
            assert e.name == "修好" and e.unit.name == "成都市人力资源和社会保障局" and e.created_on and e.title == "1"
            # one audit entry for the batch (not one per row), naming the batch, the file and the count
            added = db.session.scalars(select(AuditLog).where(AuditLog.id > audits)).all()
            assert not [a for a in added if a.object_type == "expert"]  # no entry per imported row
            entries = [a for a in added if a.action == "import"]
            assert len(entries) == 1 and len(added) < 10, [(a.action, a.object_type) for a in added]
            entry = entries[0]
            assert entry.object_id == str(batch_id) and entry.object_type == "experts"
            assert str(batch_id) in entry.detail and "规模.xlsx" in entry.detail and str(n - 63) in entry.detail
            batch = db.session.get(ImportBatch, batch_id)
            assert batch.state == "committed" and batch.imported == n - 63
            # the batch keeps the record of what each row came from
            assert count(ImportRow, ImportRow.batch_id == batch_id) == n - 63
        # a committed batch cannot be committed again, the same file again adds nothing
        assert c.post(f"/imports/batch/{batch_id}/commit").status_code == 302
        r = upload(c, workbook(rows), "规模.xlsx")
        st = wait(c, r.headers["Location"])
        page = c.get(st["link"]).get_data(as_text=True)
        assert "检查通过0条" in page and "系统中已存在" in page
        with app.app_context():
            assert count(Expert) == before + n - 63
    finally:
        app.config.update(IMPORT_JOB_BYTES=2 * 1024 * 1024, IMPORT_INLINE_ROWS=2000)
    # the error report of a batch above IMPORT_ERROR_XLSX_ROWS is written by streaming
    app.config["IMPORT_ERROR_XLSX_ROWS"] = 10
    try:
        from openpyxl import load_workbook

        batch2 = int(st["link"].rstrip("/").split("/")[-1])
        ws = load_workbook(io.BytesIO(c.get(f"/imports/batch/{batch2}/errors").data)).worksheets[0]
        assert ws.cell(1, len(HEADERS) + 1).value == "错误信息" and ws.max_row == n + 1
        assert "系统中已存在" in ws.cell(2, len(HEADERS) + 1).value
        assert ws.cell(2, 4).fill.fgColor.rgb.endswith("FFC7CE")
    finally:
        app.config["IMPORT_ERROR_XLSX_ROWS"] = 5000


def test_id_number_typed_as_a_number_is_refused_never_rounded(app, login_as):
    c = login_as("sc_my_admin")
    seq = abs(hash(unique("float"))) % 5000
    typed = valid_id("510104", seq + 130000)
    while typed.endswith("X"):  # a number typed into Excel has no X check digit
        seq += 1
        typed = valid_id("510104", seq + 130000)
    rounded = str(int(float(typed)))
    assert rounded != typed  # Excel keeps 15 digits: this is the number calamine hands over
    rows = [big_row(valid_id("510104", seq + 140000), "文本"), big_row("", "数字")]
    rows[1][5] = typed[6:12]
    r = upload(c, workbook(rows, numbers={(2, 3): float(typed)}), "数字证件号.xlsx")
    assert r.status_code == 302
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "检查通过1条" in page and "检查失败1条" in page
    assert re.search(r"<td>3</td>.*证件号码：证件号码须为文本格式", page, re.S)
    with app.app_context():
        batch = int(r.headers["Location"].rstrip("/").split("/")[-1])
        bad = db.session.scalar(select(ImportRow).where(ImportRow.batch_id == batch, ImportRow.ok.is_(False)))
        assert bad.row_no == 3 and '["id_number", "证件号码须为文本格式"]' in bad.errors
    c.post(f"/imports/batch/{batch}/commit")
    with app.app_context():
        assert db.session.scalar(select(Expert).where(Expert.id_number.in_([typed, rounded]))) is None
    # a CSV keeps the text of the number: read as typed
    csv = ("\n".join([",".join(HEADERS), ",".join(big_row(typed, "CSV"))]) + "\n").encode("utf-8")
    r = upload(c, csv, "证件号.csv")
    assert "检查通过1条" in c.get(r.headers["Location"]).get_data(as_text=True)


def _empty_rows_xlsx(rows: int, tail_value: bool = False) -> bytes:
    """Headers, then ``rows`` rows holding an empty shared string (and, optionally, data after them)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf)
    ws = wb.add_worksheet()
    for col, h in enumerate(HEADERS):
        ws.write_string(0, col, h)
    wb.close()
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/sharedStrings.xml":
                data = re.sub(rb'count="\d+" uniqueCount="\d+"', b'count="18" uniqueCount="18"', data)
                data = data.replace(b"</sst>", b"<si><t></t></si></sst>")
            elif info.filename == "xl/worksheets/sheet1.xml":
                head, rest = data.split(b"<sheetData>")
                first, tail = rest.split(b"</sheetData>")
                body = b"".join(b'<row r="%d"><c r="Q%d" t="s"><v>17</v></c></row>' % (r, r) for r in range(2, rows + 2))
                if tail_value:
                    body += b'<row r="%d"><c r="B%d" t="inlineStr"><is><t>late</t></is></c></row>' % (rows + 2, rows + 2)
                data = head + b"<sheetData>" + first + body + b"</sheetData>" + tail
            dst.writestr(info.filename, data)
    return out.getvalue()


def test_a_sheet_of_empty_rows_is_read_only_as_far_as_its_data(app, login_as):
    from app.services.documents import imports

    c = login_as("sc_cd_admin")
    data = _empty_rows_xlsx(200_000, tail_value=True)
    with app.app_context():
        before = count(ImportBatch)
    r = upload(c, data, "空行.xlsx")
    assert "文件中没有数据" in r.get_data(as_text=True)  # the row after 200,000 blank rows is never read
    with app.app_context():
        assert count(ImportBatch) == before
    # the read itself: the cut copy holds the header only, calamine never sees the 200,000 rows
    with app.app_context():
        source = imports.read(data, "空行.xlsx", 100)
        assert [n for n, _row in source.rows] == [1]
    # a row cap is enforced while reading
    rows = [big_row(valid_id("510105", 150000 + i), f"超{i}") for i in range(30)]
    with app.app_context():
        app.config["IMPORT_MAX_ROWS"] = 20
        try:
            r = upload(c, workbook(rows), "超限.xlsx")
        finally:
            app.config["IMPORT_MAX_ROWS"] = 100_000
    assert "数据超过20行" in r.get_data(as_text=True)


def test_blank_run_ends_the_sheet_but_short_gaps_do_not(app, login_as):
    from app.services.documents import imports

    rows = [big_row(valid_id("510105", 160000 + i), f"间{i}") for i in range(3)]
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf)
    ws = wb.add_worksheet()
    for col, h in enumerate(HEADERS):
        ws.write_string(0, col, h)
    for col, v in enumerate(rows[0]):
        ws.write_string(1, col, v)
    for col, v in enumerate(rows[1]):
        ws.write_string(500, col, v)  # 498 blank rows: still the same sheet
    for col, v in enumerate(rows[2]):
        ws.write_string(2000, col, v)  # 1,499 blank rows before it: the sheet ended
    wb.close()
    with app.app_context():
        got = [n for n, _row in imports.read(buf.getvalue(), "gap.xlsx", 100, blank_run=1000).rows]
    assert got == [1, 2, 501]


def test_a_legacy_xls_is_read_and_bounded_by_its_cells(app, login_as):
    """.xls (BIFF) has no stream to cut: its range (rows × columns) is checked against
    IMPORT_MAX_CELLS before any row is made, and a normal one imports like an .xlsx."""
    import xlwt

    from app.services.documents import imports

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("专家库")
    for col, head in enumerate(HEADERS):
        ws.write(0, col, head)
    for r in range(1, 41):
        ws.write(r, 1, f"旧格式{r}")
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    with app.app_context():
        assert [n for n, _row in imports.read(data, "旧格式.xls", 100).rows][:2] == [1, 2]
    c = login_as("sc_cd_admin")
    app.config["IMPORT_MAX_CELLS"] = 200  # 41 rows x 17 columns is more
    try:
        r = upload(c, data, "旧格式.xls")
    finally:
        app.config["IMPORT_MAX_CELLS"] = 4_000_000
    assert "表格范围过大（行数×列数超过200）" in r.get_data(as_text=True)


def test_a_legacy_xls_whose_cells_span_the_whole_sheet_is_refused_before_it_is_loaded(app, login_as):
    """Two cells at opposite corners make a 2 KB .xls whose range is 65,536 × 256 cells (calamine would
    hold all of them): the cell records are read first and the upload is refused, whatever the
    sheet's DIMENSIONS record claims."""
    import xlwt

    from app.services.documents import imports

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("专家库")
    ws.write(0, 0, "国籍")
    ws.write(65535, 255, "x")
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    assert len(data) < 20_000
    with app.app_context():
        assert imports._xls_extent(data) == (2, 65536 * 256)
    r = upload(login_as("sc_cd_admin"), data, "对角.xls")
    assert "表格范围过大（行数×列数超过1200000）" in r.get_data(as_text=True)
