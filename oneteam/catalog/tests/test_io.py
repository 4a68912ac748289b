import csv
import io

import pytest
from openpyxl import Workbook

from oneteam.catalog import services
from oneteam.catalog.io import HEADERS, export_catalogs, plan_import
from oneteam.catalog.models import CatalogVersion, DiscretionTier, Matter, MatterEntry
from oneteam.catalog.tests.conftest import D
from oneteam.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

CATALOG = "浙江省乡镇(街道)综合行政执法事项指导目录"
TIERS = "轻微|0|0|初次违法及时改正\n一般|500|2000|经责令后改正\n严重|2000|5000|拒不改正"


def row(code="330702101000", name="对测试行为的行政处罚", dept="市市场监督管理局", version="2025版",
        date="2025-01-01", **over):
    values = {"目录": CATALOG, "版本": version, "生效日期": date, "发布文件": "测试文件", "事项编码": code,
              "事项名称": name, "事项类型": "处罚", "执法领域": "市场监管", "法律依据": "《测试法》",
              "条款依据": "《测试法》第一条\n《测试法》第九条", "原业务主管部门": dept, "划转范围": "全部",
              "职责边界": "辖区内", "裁量基准": TIERS}
    values.update(over)
    return values


def csv_bytes(rows, headers=HEADERS) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    for r in rows:
        writer.writerow([r.get(h, "") for h in headers])
    return buf.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows, headers=HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append([r.get(h, "") for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _counts():
    return (CatalogVersion.objects.count(), Matter.objects.count(), MatterEntry.objects.count(),
            DiscretionTier.objects.count(), LedgerEntry.objects.count())


def test_import_valid_csv_creates_version_with_tiers_and_ledger(world):
    plan = plan_import("a.csv", data=csv_bytes([row(), row(code="330702102000", name="第二项")]))
    assert plan.ok, plan.errors
    before = LedgerEntry.objects.count()
    [version] = services.do_import_catalog(plan, actor=world.cast.admin)
    assert version.entries.count() == 2
    entry = version.entries.get(matter__code="330702101000")
    assert [t.name for t in entry.tiers.order_by("order")] == ["轻微", "一般", "严重"]
    assert entry.article_list == ["《测试法》第一条", "《测试法》第九条"]
    assert LedgerEntry.objects.count() == before + 1
    assert LedgerEntry.objects.last().action == "catalog.version_imported"


def test_import_new_version_plans_added_changed_retired(world):
    # 2022版 (fixture) has 330702001000, 330702002000, 330302001000.
    rows = [row(code="330702001000", name="对无照经营的行政处罚"),  # changed: dept, basis, tiers …
            row(code="330702999000", name="新事项")]
    plan = plan_import("a.csv", data=csv_bytes(rows))
    assert plan.ok, plan.errors
    [vp] = plan.versions
    assert vp.previous.label == "2022版"
    assert [c for c, _n in vp.added] == ["330702999000"]
    assert [c for c, _n, _f in vp.changed] == ["330702001000"]
    assert sorted(c for c, _n in vp.retired) == ["330302001000", "330702002000"]
    assert any("新增 1、变更 1、取消 2" in line for line in plan.summary_lines())


def test_import_dry_run_plan_writes_nothing(world):
    before = _counts()
    plan = plan_import("a.csv", data=csv_bytes([row()]))
    assert plan.ok and plan.has_changes
    assert _counts() == before


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_round_trip_changes_nothing(world, tmp_path, fmt):
    plan = plan_import("a.csv", data=csv_bytes([row(), row(code="330702102000", name="无裁量", **{"裁量基准": ""})]))
    services.do_import_catalog(plan, actor=None)
    path = tmp_path / f"export.{fmt}"
    count = export_catalogs(path, D(2025, 6, 1))
    assert count == 3  # 2 township-catalog matters of 2025版 + 1 of the unified catalog
    before = _counts()
    again = plan_import(path)
    assert again.ok, again.errors
    assert not again.has_changes
    assert services.do_import_catalog(again, actor=None) == []
    assert _counts() == before


def test_import_xlsx_with_date_and_numeric_code_cells_accepted(world):
    import datetime as dt

    data = xlsx_bytes([row(**{"生效日期": dt.datetime(2025, 1, 1), "事项编码": 330702101000})])
    plan = plan_import("a.xlsx", data=data)
    assert plan.ok, plan.errors
    assert plan.versions[0].effective_from == D(2025, 1, 1)


# --- broken files: the right row and column, nothing written ------------------------------------


def _rejected(data, name="bad.csv"):
    before = _counts()
    plan = plan_import(name, data=data)
    assert not plan.ok
    with pytest.raises(services.ImportRejected):
        services.do_import_catalog(plan, actor=None)
    assert _counts() == before
    return [str(e) for e in plan.errors]


def test_import_missing_column_rejected_with_column_name(world):
    headers = [h for h in HEADERS if h != "原业务主管部门"]
    errors = _rejected(csv_bytes([row()], headers=headers))
    assert errors == ["第1行：缺少必需的列「原业务主管部门」"]


def test_import_duplicate_code_rejected_with_both_rows(world):
    errors = _rejected(csv_bytes([row(), row(name="另一名称"), row(code="330702102000")]))
    assert errors == ["第3行 E列「事项编码」：事项编码 330702101000 与第2行重复（同一目录版本内）"]


def test_import_bad_code_length_rejected_with_row_and_column(world):
    errors = _rejected(csv_bytes([row(), row(code="33070210100")]))
    assert errors == ["第3行 E列「事项编码」：事项编码须为12位数字，收到「33070210100」（11位）"]


def test_import_unknown_department_rejected_with_row_and_column(world):
    errors = _rejected(xlsx_bytes([row(), row(code="330702102000"), row(code="330702103000", dept="市不存在局")]),
                       name="bad.xlsx")
    assert len(errors) == 1
    assert errors[0].startswith("第4行 K列「原业务主管部门」：未找到业务主管部门「市不存在局」")


def test_import_existing_version_with_other_content_rejected(world):
    errors = _rejected(csv_bytes([row(version="2022版", date="2022-01-01")]))
    assert "已发布的目录版本不可修改" in errors[0]


def test_import_bad_tier_and_kind_each_reported(world):
    errors = _rejected(csv_bytes([row(**{"事项类型": "罚款", "裁量基准": "轻微|abc|0|情形"})]))
    assert any("G列「事项类型」" in e for e in errors)
    assert any("N列「裁量基准」" in e and "第1档罚款金额" in e for e in errors)


def test_import_unsupported_extension_rejected(world):
    errors = _rejected(b"x", name="bad.txt")
    assert "不支持的文件类型" in errors[0]
