"""The notice file format: what loads, and the line-numbered Chinese errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from oneteam.worktime.engine import builtin_data
from oneteam.worktime.notice import NoticeError, parse_notice

SAMPLE_2026 = Path(__file__).resolve().parents[1] / "data" / "notice-2026.txt"


def errors_of(text: str) -> list[str]:
    with pytest.raises(NoticeError) as info:
        parse_notice(text)
    return info.value.errors


def test_parse_sample_2026_equals_builtin_data():
    parsed = parse_notice(SAMPLE_2026.read_text(encoding="utf-8"))
    holidays, working, _ = builtin_data()
    assert parsed.year == 2026 and parsed.scope == "year"
    assert parsed.published_on == dt.date(2025, 11, 4)
    assert parsed.holidays == {d: n for d, n in holidays.items() if d.year == 2026}
    assert parsed.working_days == {d: n for d, n in working.items() if d.year == 2026}


def test_parse_accepts_csv_spaces_chinese_commas_and_ranges():
    text = (
        "\ufeff年份，2027\n类型，名称，开始，结束\n放假\t元旦\t2027-01-01\t2027-01-03\n"
        "放假 春节 2027/02/06至2027/02/14\n"
        "上班\uff0c春节\uff0c2027年2月15日\n休 清明节 2027-04-03 ~ 2027-04-05\n"
    )
    parsed = parse_notice(text)
    assert parsed.year == 2027
    assert len(parsed.holidays) == 3 + 9 + 3
    assert parsed.working_days == {dt.date(2027, 2, 15): "春节"}


def test_parse_header_with_chinese_colon():
    parsed = parse_notice("年份\uff1a2027\n范围\uff1a修正\n放假， 元旦， 2027-01-01\n")
    assert parsed.scope == "amendment"


def test_parse_bad_lines_report_line_numbers_in_chinese():
    text = (
        "年份： 2027\n放假， 元旦， 2027-01-01, 2027-01-03\n放假 春节 2027-02-30\n休假 清明 2027-04-05\n上班 春节\n"
        "放假， 元旦， 2027-01-02\n放假， 国庆节， 2027-10-07, 2027-10-01\n"
    )
    errors = errors_of(text)
    assert errors == [
        "第3行：无法识别的日期“2027-02-30”（应为YYYY-MM-DD）",
        "第4行：类型应为“放假”或“上班”，收到“休假”",
        "第5行：缺少日期",
        "第6行：2027-01-02已在第2行出现",
        "第7行：结束日期2027-10-01早于开始日期2027-10-07",
    ]


def test_parse_missing_year_is_an_error():
    assert errors_of("放假， 元旦， 2027-01-01\n") == ["第1行起：缺少“年份: YYYY”"]


def test_parse_date_outside_notice_year_is_an_error():
    error = errors_of("年份： 2027\n放假， 国庆节， 2028-10-01\n")[0]
    assert error.startswith("第2行：日期2028-10-01不在2027年通知的范围内")


def test_parse_unknown_header_key_is_an_error():
    assert errors_of("年份： 2027\n来源： 网上\n放假， 元旦， 2027-01-01\n")[0].startswith(
        "第2行：无法识别的项目“来源”"
    )


def test_parse_missing_name_is_an_error():
    assert errors_of("年份： 2027\n放假， 2027-01-01\n")[0].startswith("第2行：缺少节日名称")


def test_parse_empty_notice_is_an_error():
    assert errors_of("年份： 2027\n# nothing\n") == ["文件中没有任何放假或上班日期"]


def test_parse_overlong_range_is_an_error():
    assert "超过31天" in errors_of("年份： 2027\n放假， 春节， 2027-01-01, 2027-03-01\n")[0]


def test_parse_weekday_marked_working_is_a_warning_not_an_error():
    parsed = parse_notice("年份： 2027\n上班， 春节， 2027-02-17\n")
    assert parsed.warnings and "本来就是工作日" in parsed.warnings[0]
