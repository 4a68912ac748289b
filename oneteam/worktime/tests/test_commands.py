"""``oneteam deadline`` and ``oneteam calendar``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from oneteam.ledger.models import LedgerEntry
from oneteam.worktime import services
from oneteam.worktime.models import HolidayNotice

REPO = Path(__file__).resolve().parents[3]
SAMPLE_2026 = Path(__file__).resolve().parents[1] / "data" / "notice-2026.txt"


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_deadline_eve_of_national_day_prints_oct_13_and_explanation():
    out = run("deadline", "2026-09-30", "--working-days", "5")
    lines = out.splitlines()
    assert lines[0] == "到期：2026-10-13（周二）24:00前"
    assert "2026-10-01至2026-10-07 国庆节（7天）" in out
    assert "2026-10-10（周六，国庆节调休上班）" in out


@pytest.mark.django_db
def test_deadline_json_has_due_rule_skipped_warnings():
    data = json.loads(run("deadline", "2026-09-30", "--working-days", "5", "--json"))
    assert data["due"] == "2026-10-13T23:59:59+08:00"
    assert data["rule"].startswith("起算日2026-09-30")
    assert {"date": "2026-10-11", "reason": "周末", "cause": "weekend"} in data["skipped"]
    assert data["warnings"] == []


@pytest.mark.django_db
def test_deadline_calendar_days_with_pause_and_extension():
    data = json.loads(
        run(
            "deadline",
            "2026-04-29",
            "--days",
            "5",
            "--pause",
            "2026-04-30/2026-04-30",
            "--extend",
            "1：补正材料",
            "--json",
        )
    )
    # 04-29 + 5 + 1 days, 04-30 paused → last day 05-06 (Wednesday).
    assert data["due_date"] == "2026-05-06"
    assert data["extensions"][0]["reason"] == "补正材料"


@pytest.mark.django_db
def test_deadline_working_hours_from_iso_datetime():
    data = json.loads(run("deadline", "2026-11-27T11:00", "--working-hours", "2", "--json"))
    assert data["due"] == "2026-11-27T15:00:00+08:00"


@pytest.mark.django_db
def test_deadline_into_2027_prints_warning():
    assert "注意：2027年节假日安排未导入" in run("deadline", "2026-12-25", "--working-days", "10")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2026-02-30", "--working-days", "5"], "无法识别的日期“2026-02-30”"),
        (["yesterday", "--days", "5"], "无法识别的日期或时间“yesterday”"),
        (["2026-09-30", "--working-days", "-5"], "--working-days 不能为负数"),
        (["2026-09-30", "--working-days", "five"], "--working-days 的值应为非负整数"),
        (["2026-09-30", "--days", "5", "--hours", "3"], "只能指定一种期限"),
        (["2026-09-30"], "必须指定期限"),
        (["2026-09-30", "--days", "5", "--pause", "2026-10-01"], "中止期间应为 FROM/TO"),
    ],
)
def test_deadline_bad_input_is_chinese_error_with_status_2(args, message):
    with pytest.raises(CommandError) as info:
        run("deadline", *args)
    assert message in str(info.value)
    assert info.value.returncode == 2


def test_deadline_cli_bad_input_exits_2_with_one_chinese_line(tmp_path):
    env = {**os.environ, "ONETEAM_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "oneteam.settings"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from oneteam.cli import main; main()",
            "deadline",
            "2026-09-30",
            "--days",
            "5",
            "--hours",
            "3",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("错误")]
    assert errors == ["错误：只能指定一种期限，收到 --days、--hours"]
    assert result.stdout == ""


def test_deadline_cli_answers_oct_13_without_a_migrated_database(tmp_path):
    env = {**os.environ, "ONETEAM_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "oneteam.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "from oneteam.cli import main; main()", "deadline", "2026-09-30", "--working-days", "5"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("到期：2026-10-13（周二）24:00前")


@pytest.mark.django_db
def test_calendar_load_saves_notice_and_ledger(tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "2027.txt"
    path.write_text(
        "年份： 2027\n放假， 国庆节， 2027-10-01, 2027-10-07\n上班， 国庆节， 2027-09-26\n", encoding="utf-8"
    )
    with django_capture_on_commit_callbacks(execute=True):
        out = run("calendar", "load", str(path))
    assert "2027年 全年安排" in out and "已导入" in out
    assert HolidayNotice.objects.get().loaded_by_name == "系统"
    assert LedgerEntry.objects.filter(action="worktime.notice_loaded").count() == 1
    assert services.get_calendar().is_year_loaded(2027)


@pytest.mark.django_db
def test_calendar_load_dry_run_saves_nothing(tmp_path):
    path = tmp_path / "2027.csv"
    path.write_bytes("年份，2027\n放假，元旦，2027-01-01,2027-01-03\n".encode("gb18030"))
    out = run("calendar", "load", str(path), "--dry-run")
    assert "试运行：未保存" in out and "2027-01-01：工作日 → 放假（元旦）" in out
    assert not HolidayNotice.objects.exists()


@pytest.mark.django_db
def test_calendar_load_sample_2026_reports_no_change():
    assert "与现有日历相比没有变化" in run("calendar", "load", str(SAMPLE_2026), "--dry-run")


@pytest.mark.django_db
def test_calendar_load_bad_file_lists_line_errors_with_status_2(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("年份： 2027\n放假 元旦 2027-01-01\n放假 春节 2027-02-30\n休假 清明 2027-04-05\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("calendar", "load", str(path), stdout=StringIO(), stderr=err)
    assert info.value.returncode == 2
    assert "第3行：无法识别的日期“2027-02-30”" in err.getvalue()
    assert "第4行：类型应为“放假”或“上班”" in str(info.value)
    assert not HolidayNotice.objects.exists()


@pytest.mark.django_db
def test_calendar_load_missing_file_is_error():
    with pytest.raises(CommandError, match="无法读取文件"):
        run("calendar", "load", "/nonexistent/notice.txt")


@pytest.mark.django_db
def test_calendar_show_lists_year():
    out = run("calendar", "show", "2026")
    assert "2026年节假日安排：已导入；共 248 个工作日" in out
    assert "2026-10-10（周六） 调休上班 国庆节" in out
    assert "未导入" in run("calendar", "show", "2027")
