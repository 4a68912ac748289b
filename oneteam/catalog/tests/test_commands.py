import json

import pytest
from django.core.management import CommandError, call_command

from oneteam.catalog.models import CatalogVersion
from oneteam.catalog.tests.test_io import csv_bytes, row

pytestmark = pytest.mark.django_db


def test_who_handles_command_json_contract(world, capsys):
    call_command("who-handles", "--matter", world.matter_a.code, "--township", "乙镇", "--date", "2023-06-01",
                 "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["body"] == world.dispatched_team.name
    assert isinstance(data["reasons"], list) and data["supervising"]


@pytest.mark.parametrize("args", [
    ["--matter", "999999999999", "--township", "乙镇"],
    ["--matter", "330702001000", "--township", "火星镇"],
    ["--matter", "330702001000", "--point", "100,10"],
    ["--matter", "330702001000", "--township", "乙镇", "--date", "2020-01-01"],
])
def test_who_handles_command_bad_input_exit_status_2(world, args):
    with pytest.raises(CommandError) as exc:
        call_command("who-handles", *args)
    assert exc.value.returncode == 2


def test_import_catalog_command_dry_run_writes_nothing(world, tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_bytes(csv_bytes([row()]))
    before = CatalogVersion.objects.count()
    call_command("import-catalog", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "新增 1" in out and "+ 330702101000" in out
    assert CatalogVersion.objects.count() == before
    call_command("import-catalog", str(path))
    assert CatalogVersion.objects.count() == before + 1


def test_import_catalog_command_broken_file_exit_2(world, tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_bytes(csv_bytes([row(code="1")]))
    with pytest.raises(CommandError) as exc:
        call_command("import-catalog", str(path))
    assert exc.value.returncode == 2
    assert "第2行 E列「事项编码」" in capsys.readouterr().err


def test_export_catalog_command_writes_csv(world, tmp_path):
    path = tmp_path / "out.csv"
    call_command("export-catalog", str(path), "--date", "2023-01-01")
    assert path.read_text(encoding="utf-8-sig").count("\n") == 5  # header + 4 matters
