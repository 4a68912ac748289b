"""The field check before closing, in the browser: the demo has a reported-back
lead whose check waits for ``anyang_grid``. On a phone the officer finds it on
the patrol page and answers with a verdict, a note and a photo; the
dispatcher's room marks the result and the lead can be closed."""

import pytest

from .conftest import login, screenshot
from .test_closed_loop import _act, _photo

pytestmark = pytest.mark.browser


def test_field_check_from_patrol_page_to_close(browser, live_server, command_demo):
    phone_ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                    locale="zh-CN")
    phone = phone_ctx.new_page()
    login(phone, live_server, "anyang_grid")
    phone.goto(f"{live_server.url}/command/patrol/")
    link = phone.locator("ul.checks a").first
    number = link.inner_text().split()[0]
    screenshot(phone, "patrol-checks")
    link.click()
    phone.wait_for_url("**/flows/events/**")
    detail_url = phone.url
    form = _act(phone, "现场核查反馈")
    form.locator("select[name=data_check_verdict]").select_option("passed")
    form.locator("textarea[name=data_check_note]").fill("早市摊位已撤离，人行道畅通")
    form.locator("input[type=file]").set_input_files(_photo("核查.png"))
    form.locator("button[type=submit]").click()
    phone.wait_for_selector(".messages .msg-success")
    phone.goto(f"{live_server.url}/command/patrol/")
    assert number not in phone.inner_text("main")
    phone_ctx.close()

    desk_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = desk_ctx.new_page()
    login(page, live_server, "anyang_room")
    page.goto(f"{live_server.url}/command/?bucket=to_verify")
    row = page.locator("#room-rows tr", has_text=number)
    assert "核查通过" in row.inner_text()
    page.goto(detail_url)
    assert "早市摊位已撤离" in page.inner_text("main")  # the answer is in the timeline
    form = _act(page, "核查结案")
    for box in form.locator("input[type=checkbox]").all():
        box.check()
    form.locator("button[type=submit]").click()
    page.wait_for_selector("h1 .badge:has-text('已结案待回访')")
    desk_ctx.close()
