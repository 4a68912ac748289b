import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_login_as_township_dispatcher_sees_township_map(page, live_server, demo):
    login(page, live_server, "anyang_room")
    page.wait_for_selector("h1:has-text('您好')")
    page.click("a.stat[href='/org/townships/']")
    # A township dispatcher sees only their own township.
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 1
    assert "安阳街道" in rows.first.inner_text()
    assert "派驻+赋权" in rows.first.inner_text()
    rows.first.locator("a").first.click()
    page.wait_for_selector("#map.map-ready")
    assert int(page.get_attribute("#map", "data-features")) == 12
    assert page.locator("#map canvas").count() >= 1  # polygons drawn on canvas (preferCanvas)
    screenshot(page, "township-detail")


def test_city_centre_sees_all_townships_and_locates_a_point(page, live_server, demo):
    login(page, live_server, "zhihui")
    page.goto(f"{live_server.url}/org/townships/")
    assert page.locator("table.list tbody tr").count() == 23
    assert page.locator("table.list .badge.mode-hub_served").count() == 2
    page.goto(f"{live_server.url}/org/map/")
    page.wait_for_selector("#map.map-ready")
    assert int(page.get_attribute("#map", "data-features")) == 276
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#locate-result dl, #locate-result p")
    screenshot(page, "city-map")


def test_wrong_password_shows_chinese_error(page, live_server, demo):
    login(page, live_server, "zhihui", "wrong-password")
    assert "请输入一个正确的" in page.content() or "正确" in page.inner_text(".errorlist")
