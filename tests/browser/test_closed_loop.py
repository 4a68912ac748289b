"""Issue #6's browser test: a grid officer files a lead with a photo on a phone;
the township dispatcher sees it on the map and dispatches it; the team
handles it; the dispatcher verifies and closes it; the metrics count it."""

import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _photo(name):
    return {"name": name, "mimeType": "image/png", "buffer": PNG}


def _act(page, label):
    """Open the action's form on the kernel detail page and return it."""
    summary = page.locator("details.action-form summary", has_text=label).first
    details = summary.locator("xpath=..")
    if details.get_attribute("open") is None:
        summary.click()
    return details.locator("form")


def test_closed_loop_from_phone_to_metrics(browser, live_server, command_demo):
    from oneteam.org.models import Grid

    grid = Grid.objects.filter(village__township__name="安阳街道").order_by("code").first()
    from shapely.geometry import shape

    point = shape(grid.geometry).representative_point()

    # 1. The grid officer reports from a phone, with position and a photo.
    phone_ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                    locale="zh-CN", geolocation={"latitude": point.y, "longitude": point.x},
                                    permissions=["geolocation"])
    phone = phone_ctx.new_page()
    login(phone, live_server, "anyang_grid")
    phone.goto(f"{live_server.url}/command/report/")
    phone.wait_for_function("document.querySelector('[name=lng]').value !== ''")
    phone.select_option("#id_category", "ZDJY")
    phone.fill("#id_description", "浏览器测试：菜场门口流动摊贩占道经营")
    phone.set_input_files("#id_photos", _photo("现场.png"))
    screenshot(phone, "report-phone")
    phone.click("button[type=submit]")
    phone.wait_for_url("**/flows/events/**")
    from oneteam.workflow.models import Process

    pk = int(phone.url.rstrip("/").rsplit("/", 1)[1])
    number = Process.objects.get(pk=pk).number
    assert number in phone.content()
    phone_ctx.close()

    # 2. The township dispatcher sees it on the room's map and list, files and dispatches it.
    desk_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = desk_ctx.new_page()
    login(page, live_server, "anyang_room")
    page.goto(f"{live_server.url}/command/")
    page.wait_for_selector("#map.map-ready")
    assert int(page.get_attribute("#map", "data-events_loaded")) >= 1
    assert number in page.inner_text("#room-rows")
    screenshot(page, "command-room")
    page.click(f"#room-rows a:has-text('{number}')")
    form = _act(page, "立案")
    for box in form.locator("input[type=checkbox]").all():
        box.check()
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".messages .msg-success")
    form = _act(page, "派遣")
    form.locator("select[name=data_body]").select_option(index=1)  # the system's proposal comes first
    form.locator("button[type=submit]").click()
    page.wait_for_selector("h1 .badge:has-text('已派遣待签收')")
    detail_url = page.url

    # 3. The enforcement team accepts and reports back with a photo.
    team_ctx = browser.new_context(locale="zh-CN")
    team = team_ctx.new_page()
    login(team, live_server, "anyang_zf1")
    team.goto(detail_url)
    _act(team, "签收").locator("button[type=submit]").click()
    team.wait_for_selector("h1 .badge:has-text('处置中')")
    form = _act(team, "处置反馈")
    form.locator("textarea[name=data_result]").fill("已劝离摊贩，现场恢复整洁")
    form.locator("input[type=file]").set_input_files(_photo("处置后.png"))
    form.locator("button[type=submit]").click()
    team.wait_for_selector("h1 .badge:has-text('已反馈待核查')")
    team_ctx.close()

    # 4. The dispatcher verifies and closes it, then records the return visit.
    page.goto(detail_url)
    form = _act(page, "核查结案")
    for box in form.locator("input[type=checkbox]").all():
        box.check()
    form.locator("button[type=submit]").click()
    page.wait_for_selector("h1 .badge:has-text('已结案待回访')")
    form = _act(page, "回访评价")
    form.locator("select[name=satisfaction]").select_option("satisfied")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("h1 .badge:has-text('已归档')")
    screenshot(page, "event-detail")

    # 5. The metrics count it for the team.
    page.goto(f"{live_server.url}/oversight/metrics/")
    text = page.inner_text("main")
    assert "安阳街道综合行政执法队" in text
    desk_ctx.close()
