import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser

BARS = ("echarts.getInstanceByDom(document.getElementById('metrics-chart')).getOption()"
        ".series[0].data.map((d) => d.value)")


def test_metrics_chart_compares_units_and_opens_the_drill_down(browser, live_server, command_demo):
    """The metrics page draws the chosen rate for every unit that has one (best
    first), switches rate on the selector, and a bar opens that unit's
    drill-down; on a phone the wide table scrolls inside the page."""
    from django.urls import reverse

    from oneteam.org.models import User
    from oneteam.oversight import selectors

    user = User.objects.get(username="zhihui")
    data = selectors.metrics(user, selectors.Filters.from_params({}))  # the page's default filters
    expected = [sorted((r["rates"][i]["value"] for r in data["rows"] if r["rates"][i]["den"] > 0), reverse=True)
                for i in range(len(data["rates"]))]
    assert any(len(bars) > 1 for bars in expected), "the demo has units to compare"

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        login(page, live_server, "zhihui")
        page.goto(f"{live_server.url}/oversight/metrics/")
        page.wait_for_selector("#metrics-chart canvas")
        assert page.evaluate(BARS) == expected[0]
        second = next(i for i, bars in enumerate(expected) if i and bars)
        page.select_option("#metrics-rate", str(second))
        assert page.evaluate(BARS) == expected[second]
        screenshot(page, "metrics")
        # Click the first (best) bar: its unit's drill-down for the rate's first counter.
        box = page.locator("#metrics-chart canvas").first.bounding_box()
        grid = page.evaluate("""(() => {
            const c = echarts.getInstanceByDom(document.getElementById('metrics-chart'));
            return c.convertToPixel({seriesIndex: 0}, [c.getOption().series[0].data[0].value / 2, 0]);
        })()""")
        page.mouse.click(box["x"] + grid[0], box["y"] + grid[1])
        page.wait_for_url(f"**{reverse('oversight:drill')}?**")
        assert f"metric={data['rates'][second].drill}" in page.url and "unit=" in page.url
    finally:
        context.close()

    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    try:
        login(page, live_server, "zhihui")
        page.goto(f"{live_server.url}/oversight/metrics/")
        page.wait_for_selector("#metrics-chart canvas")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.evaluate("document.querySelector('.table-scroll').scrollWidth") > 390
    finally:
        phone.close()
