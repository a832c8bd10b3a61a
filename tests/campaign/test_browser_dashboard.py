"""A phone-sized browser signs in as squad1 and sees the dashboard in Chinese."""

import pytest

from tests.browser import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_squad_leader_signs_in_on_a_phone_and_sees_the_chinese_dashboard(live_server, browser_page):
    from campaign.demo import seed_district

    seed_district(activity=False)
    sign_in(browser_page, live_server, "squad1")
    body = browser_page.locator("main").inner_text()
    assert "2026年创建全国文明城区百日攻坚行动" in body
    assert "距测评天数" in body
    assert "第一中队" in body
    screenshot(browser_page, "dashboard-squad1-390")
