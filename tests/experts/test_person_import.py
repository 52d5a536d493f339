"""The import pipeline's unit column: a row may name only the importer's own or lower units."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import select

from app.extensions import db
from models.core.person import Person
from tests.conftest import unique
from tests.experts.test_experts import id_number


def test_person_rows_must_name_units_in_scope(app, login_as):
    c = login_as("hb_wh_admin")
    seq = 90 + hash(unique("pi")) % 20  # disjoint ranges per test: see id_number
    ok, foreign, unknown = id_number(seq), id_number(seq + 1), id_number(seq + 2)
    wb = Workbook()
    ws = wb.active
    ws.append(["*所属单位", "*姓名", "性别", "证件类型", "*证件号码", "出生日期", "手机号码", "职称系列"])
    ws.append(["江岸区人力资源局", "甲", "男", "居民身份证", ok, "1978-05-12", "13800138000", "工程技术人员"])
    ws.append(["宜昌市人力资源和社会保障局", "乙", "男", "居民身份证", foreign, "1978-05-12", "", ""])
    ws.append(["不存在的单位", "丙", "男", "居民身份证", unknown, "1978-05-13", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    r = c.post("/imports/persons/", data={"file": (io.BytesIO(buf.getvalue()), "人员.xlsx")},
               content_type="multipart/form-data")
    assert r.status_code == 302
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "检查通过1条" in page and "检查失败2条" in page
    assert "不在本单位管辖范围内" in page and "单位“不存在的单位”不存在" in page
    assert "出生日期与身份证号码不一致" in page  # 1978-05-13 vs the number's 19780512
    batch = int(r.headers["Location"].rstrip("/").split("/")[-1])
    c.post(f"/imports/batch/{batch}/commit")
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.id_number == ok))
        assert person.unit.name == "江岸区人力资源局" and person.title_series
        assert db.session.scalar(select(Person).where(Person.id_number == foreign)) is None
    # the list offers 批量导入 and 导出Excel
    listing = c.get("/persons/list/").get_data(as_text=True)
    assert "/imports/persons/" in listing and "/persons/export/" in listing
