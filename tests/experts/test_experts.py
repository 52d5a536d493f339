"""专家库 (G-13) on the documents pipeline: import with every check, fix in place, error workbook,
commit once, export masked and within scope, the information sheet PDF, own-entries-only editing."""

from __future__ import annotations

import io
import subprocess
import tempfile

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.extensions import db
from models.experts.expert import Expert
from tests.conftest import unique

HEADERS = ["国别", "*姓名", "证件类型", "*证件号码", "*性别", "*出生年月", "是否退休", "*工作单位", "主管单位",
           "*行政职务", "行政职务级别", "*联系电话1", "联系电话2", "*所获荣誉、称号", "现专业技术系列", "*现从事专业",
           "*现职称"]


def id_number(seq: int, birth: str = "19780512", sex_male: bool = True) -> str:
    """A valid 18-digit number (湖北武汉 420102) with the GB 11643 check digit.

    Tests of one session share the database: each takes its own range of ``seq % 300`` so that two
    of them never make the same number (e2e 0–41, jobs 50–80, person import 90–111, experts
    120–184 and 250–289, teams 200–229)."""
    order = f"{(seq % 300) * 2 + (1 if sex_male else 0):03d}"[-3:]
    if (int(order[-1]) % 2 == 1) != sex_male:
        order = order[:-1] + str((int(order[-1]) + 1) % 10)
    body = "420102" + birth + order
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(a) * w for a, w in zip(body, weights, strict=True)) % 11]
    return body + check


def row(name: str, number: str, birth_ym: str = "197805", sex: str = "男", phone: str = "13800138000") -> list:
    return ["中国", name, "居民身份证", number, sex, birth_ym, "否", "武汉大学", "教育部", "无", "无", phone, "",
            "全国优秀教师", "高等学校教师", "水利工程", "正高级"]


def workbook(rows: list[list], trailing_blank: int = 3) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    for _i in range(trailing_blank):
        ws.append([None] * len(HEADERS))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(c, data: bytes, name: str = "专家导入.xlsx"):
    return c.post("/imports/experts/", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_template_has_chinese_headers_dropdowns_and_text_ids(login_as):
    c = login_as("hb_wh_admin")
    r = c.get("/imports/experts/template")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.data))
    ws = wb.worksheets[0]
    headers = [cell.value for cell in ws[1]]
    assert headers == HEADERS
    assert "必填" in ws["D1"].comment.text  # 证件号码
    assert "必填" in ws["B1"].comment.text
    assert ws["D2"].number_format == "@"  # ID numbers stay text
    formulas = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert any("选项" in (f or "") for f in formulas)  # dictionary drop-downs


def test_import_checks_fix_errors_commit_once(app, login_as):
    c = login_as("hb_wh_admin")
    base = 120 + (hash(unique("x")) % 60)
    good1, good2 = id_number(base), id_number(base + 1, sex_male=False)
    rows = [
        row("张三", good1),
        row("李四", good2, sex="女"),
        row("王五", good1[:-1] + ("0" if good1[-1] != "0" else "1")),     # bad check digit
        row("赵六", good2, sex="女"),                                     # duplicate in the file
        row("", id_number(base + 2)),                                     # name missing
        row("钱七", id_number(base + 3), birth_ym="197813"),              # bad month
        row("孙八", id_number(base + 4), phone="12345"),                  # bad phone
        row("周九", id_number(base + 5)) [:16] + ["特级"],                # not a dictionary value
    ]
    r = upload(c, workbook(rows))
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    url = r.headers["Location"]
    page = c.get(url).get_data(as_text=True)
    assert "检查通过2条" in page and "检查失败6条" in page
    for reason in ("身份证号码校验位不正确", "与第3行重复", "姓名：必填", "年月格式不正确", "请填写正确的11位手机号码",
                   "“特级”不是有效的选项"):
        assert reason in page, reason
    batch_id = int(url.rstrip("/").split("/")[-1])
    # the error workbook: the original rows with 错误信息 and the bad cells marked red
    r = c.get(f"/imports/batch/{batch_id}/errors")
    ws = load_workbook(io.BytesIO(r.data)).worksheets[0]
    assert ws.cell(1, len(HEADERS) + 1).value == "错误信息"
    assert "校验位" in ws.cell(4, len(HEADERS) + 1).value
    assert ws.cell(4, 4).fill.fgColor.rgb.endswith("FFC7CE")
    assert ws.cell(2, len(HEADERS) + 1).value in (None, "")
    # fix the bad phone in place; delete one failure; the rest stays failing
    values = dict(zip(["nationality", "name", "id_type", "id_number", "sex", "birth_ym", "retired", "work_unit",
                       "supervising_unit", "admin_post", "admin_level", "phone", "phone2", "honours", "series",
                       "major", "title"], row("孙八", id_number(base + 4)), strict=True))
    r = c.post(f"/imports/batch/{batch_id}/fix/8", data=values)
    assert "第8行已修改" in c.get(r.headers["Location"]).get_data(as_text=True)
    # 修改 with over-long values (issue 14.6): the row stays failing with the reason, nothing stored
    long = {k: "测" * 30000 for k in ("name", "work_unit", "honours", "major", "phone")}
    r = c.post(f"/imports/batch/{batch_id}/fix/7", data={**values, **long})
    assert r.status_code == 302 and "第7行仍有错误" in c.get(r.headers["Location"]).get_data(as_text=True)
    c.post(f"/imports/batch/{batch_id}/delete", data={"row": ["6"]})
    page = c.get(f"/imports/batch/{batch_id}").get_data(as_text=True)
    assert "检查通过3条" in page and "检查失败4条" in page
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Expert))
    r = c.post(f"/imports/batch/{batch_id}/commit")
    assert r.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Expert)) == before + 3
        e = db.session.scalar(select(Expert).where(Expert.id_number == good1))
        assert e.name == "张三" and e.sex == "1" and e.title == "1" and e.series and e.unit.name == "武汉市人力资源和社会保障局"
    # a committed batch cannot be committed again; the same file again imports nothing new
    assert c.post(f"/imports/batch/{batch_id}/commit").status_code == 302
    r = upload(c, workbook(rows))
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "检查通过0条" in page and "系统中已存在" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Expert)) == before + 3
    # another user cannot see this batch
    assert login_as("hb_yc_admin").get(f"/imports/batch/{batch_id}").status_code == 404


def test_bad_files_are_refused_and_change_nothing(app, login_as):
    c = login_as("hb_wh_admin")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Expert))
    r = upload(c, b"this is not a workbook at all", "假的.xlsx")
    assert r.status_code == 200  # the upload page again, with the reason
    assert "请上传Excel文件" in r.get_data(as_text=True)
    r = upload(c, b"PK\x03\x04broken zip", "坏的.xlsx")
    assert "不是有效的Excel工作簿" in r.get_data(as_text=True)
    # a zip bomb: a small file that unpacks to far more than a workbook may
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (30 * 1024 * 1024))
    assert len(buf.getvalue()) < 2 * 1024 * 1024
    r = upload(c, buf.getvalue(), "炸弹.xlsx")
    assert "已拒绝" in r.get_data(as_text=True)
    # wrong headers
    wb = Workbook()
    wb.active.append(["编号", "名称"])
    wb.active.append([1, "x"])
    out = io.BytesIO()
    wb.save(out)
    r = upload(c, out.getvalue(), "别的表.xlsx")
    assert "缺少必填列“姓名”" in r.get_data(as_text=True)
    # a million empty rows after the header is "no data", quickly
    with tempfile.NamedTemporaryFile(suffix=".csv") as fh:
        fh.write(("姓名,证件号码\n" + ",\n" * 1_000_000).encode())
        fh.flush()
        data = open(fh.name, "rb").read()
    r = upload(c, data, "空行.csv")
    assert "缺少必填列" in r.get_data(as_text=True) or "没有数据" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Expert)) == before


def test_scope_edit_own_only_export_masked_and_pdf(app, login_as, tmp_path):
    from app.services.documents.columns import Column  # noqa: F401

    c = login_as("hb_wh_ja_admin")  # 江岸区 enters an expert
    number = id_number(250 + hash(unique("p")) % 40)
    data = {"nationality": "中国", "name": "陈专家", "id_type": "01", "id_number": number, "sex": "1",
            "birth_ym": "197805", "work_unit": "江岸区人民医院", "admin_post": "无", "phone": "13912345678",
            "honours": "湖北省有突出贡献中青年专家", "series": "07", "major": "心血管内科", "title": "1"}
    r = c.post("/experts/add", data=data)
    import re

    assert r.status_code == 302, re.findall(r"(?:error|danger)[^>]*>([^<]+)", r.get_data(as_text=True))
    with app.app_context():
        pk = db.session.scalar(select(Expert.id).where(Expert.id_number == number))
    # the same person again is refused with a clear reason
    r = c.post("/experts/add", data={**data, "name": "陈专家二"})
    assert "一人只能录入一次" in r.get_data(as_text=True)
    # the parent city sees and uses it but cannot edit or delete it; a sibling county does not see it
    city = login_as("hb_wh_admin")
    assert "陈专家" in city.get(f"/experts/show/{pk}").get_data(as_text=True)
    assert city.get(f"/experts/edit/{pk}").status_code == 403
    city.post(f"/experts/delete/{pk}")
    with app.app_context():
        assert db.session.get(Expert, pk) is not None
    assert login_as("hb_wh_jh_admin").get(f"/experts/show/{pk}").status_code == 404
    # export within scope, masked for staff, formula-safe
    staff = login_as("hb_wh_staff")
    r = staff.get("/experts/export/?_flt_0_name=陈专家")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).worksheets[0]
    headers = [c.value for c in ws[1]]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert len(rows) >= 1 and all(r[headers.index("姓名")] == "陈专家" for r in rows)
    idx = headers.index("证件号码")
    assert rows[0][idx] != number and "*" in rows[0][idx]
    assert rows[0][headers.index("性别")] == "男" and rows[0][headers.index("录入单位")] == "江岸区人力资源局"
    assert login_as("sc_admin").get("/experts/export/?_flt_0_name=陈专家").status_code == 200
    sc_rows = list(load_workbook(io.BytesIO(login_as("sc_admin").get("/experts/export/?_flt_0_name=陈专家").data))
                   .worksheets[0].iter_rows(min_row=2))
    assert sc_rows == []
    # the information sheet: a Chinese PDF, rendered and checked as text
    r = c.get(f"/experts/sheet/{pk}")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    path = tmp_path / "sheet.pdf"
    path.write_bytes(r.data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "专家信息表" in text and "陈专家" in text and "心血管内科" in text
    assert login_as("sc_admin").get(f"/experts/sheet/{pk}").status_code == 404


def test_pdf_embeds_the_chinese_font_wherever_the_process_runs(app, monkeypatch, tmp_path):
    """xhtml2pdf reads local files only below the document's base path; the shipped font must be
    found even when the server's working directory is elsewhere (a service manager's, say)."""
    from app.services.documents import pdf

    monkeypatch.chdir(tmp_path)
    with app.test_request_context():
        body = pdf.render("pdf/commissioner_org_sheet.html", unit=type("U", (), {"name": "测试单位", "credit_code": "",
                                                                        "legal_name": "", "phone": ""})(),
                          org=None, nature="")
    assert body.startswith(b"%PDF") and b"WenQuanYiMicroHei" in body
