import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_wall_fills_one_full_hd_screen_with_live_figures(browser, live_server, command_demo):
    """The city centre's wall screen on a 1920×1080 display: one screen, no
    scrolling; the counts, the 30-day trend (one point a day) and the heat
    map are drawn from the server's data; the clock shows the city's time
    even when the display computer is set to UTC."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080}, timezone_id="UTC")
    page = context.new_page()
    try:
        login(page, live_server, "zhihui")
        page.goto(f"{live_server.url}/command/wall/")
        page.wait_for_selector("#wall.wall-ready")
        assert page.inner_text("h1") == "瑞安市行政执法协同指挥大屏"
        data = page.evaluate("fetch('/command/wall/data/').then((r) => r.json())")
        assert page.inner_text("[data-k=total]") == f"{data['counts']['total']:,}" and data["counts"]["total"] > 0
        assert len(data["trend"]) == 30
        points = page.evaluate("echarts.getInstanceByDom(document.getElementById('wall-trend'))"
                               ".getOption().series[0].data.length")
        assert points == 30
        assert page.locator("#wall-map canvas").count() >= 1
        assert page.evaluate("document.documentElement.scrollHeight") <= 1080
        assert page.evaluate("document.documentElement.scrollWidth") <= 1920
        # The clock reads Asia/Shanghai (UTC+8), not the browser's UTC.
        clock = page.inner_text("#wall-clock")
        hour_utc = page.evaluate("new Date().getUTCHours()")
        assert int(clock.split()[-1].split(":")[0]) == (hour_utc + 8) % 24
        screenshot(page, "wall")
    finally:
        context.close()
