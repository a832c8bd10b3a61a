"""待办 in a real browser: a finding an inspector logs reaches the squad leader's top bar within one poll,
without a reload, and their unit's robot; the leader rectifies it from their 待办, the inspector verifies
it from theirs, and closing it clears both."""

import re

import pytest

from accounts.models import User
from inspections.models import Finding
from reports.models import Robot
from tests.browser import PHONE, screenshot, sign_in
from tests.journeys.conftest import HERE, fill_a_finding, fits_the_screen, jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WECOM_KEY = "wecom-first-squad-0001"
PHONE_ON_THE_STREET = {"viewport": PHONE, "locale": "zh-CN", "geolocation": HERE, "permissions": ["geolocation"]}


@pytest.fixture
def browser_context_args():
    return PHONE_ON_THE_STREET


def test_a_logged_finding_reaches_the_squad_leaders_todo_without_a_reload(live_server, browser_page, district,
                                                                         gateways):
    from playwright.sync_api import expect

    first_squad = district.squads[0]
    gateways.wecom_keys.add(WECOM_KEY)
    Robot.objects.create(unit=first_squad, name="第一中队工作群", kind=Robot.Kind.WECOM, key=WECOM_KEY)
    # The robot speaks to the group whatever the hour; the leader's quiet hours must not decide this test.
    User.objects.filter(username="squad1").update(quiet_from=None, quiet_until=None)

    leader = browser_page
    sign_in(leader, live_server, "squad1")
    expect(leader.locator("#todo-link")).to_have_text("待办")  # nothing waits yet: no figure

    inspector = leader.context.browser.new_context(**PHONE_ON_THE_STREET).new_page()  # a second phone
    sign_in(inspector, live_server, "inspector1")
    fill_a_finding(inspector, live_server, first_squad)
    inspector.click("#finding-form button[type=submit]")
    inspector.wait_for_url(re.compile(r"/inspections/findings/\d+/$"))
    finding = Finding.objects.get()

    # The leader's page was not reloaded: the top bar asks again within 30 seconds.
    expect(leader.locator("#todo-link .count")).to_have_text("1", timeout=40_000)
    (message,) = gateways.messages()
    content = message["text"]["content"]
    assert "店外经营" in content and f"/inspections/findings/{finding.pk}/" in content  # what, and the link

    leader.click("#todo-link")
    leader.wait_for_url(f"{live_server.url}/todo/")
    entry = leader.locator(".todo-entry", has_text="店外经营")
    expect(entry).to_contain_text("剩余")
    assert fits_the_screen(leader)
    screenshot(leader, "todo-squad-leader-390")
    entry.locator("a.btn").click()
    leader.wait_for_url(re.compile(rf"/inspections/findings/{finding.pk}/#rectify$"))
    leader.locator("#rectify textarea[name=note]").fill("已劝导商户收回货架，现场恢复通行")
    leader.locator("#rectify input[name=photos]").set_input_files([jpeg("after.jpg")])
    leader.locator("#rectify button[type=submit]").click()
    leader.wait_for_url(re.compile(rf"/inspections/findings/{finding.pk}/$"))
    expect(leader.locator("#finding-status")).to_have_attribute("data-status", "rectified")
    expect(leader.locator("#todo-link")).to_have_text("待办")  # rectified: off the leader's list

    inspector.goto(f"{live_server.url}/todo/")
    entry = inspector.locator("#findings_verify .todo-entry", has_text="店外经营")
    expect(entry).to_contain_text("已等待")
    expect(inspector.locator("#todo-link .count")).to_have_text("1")
    entry.locator("a.btn").click()
    inspector.fill("#verify form:first-child textarea[name=note]", "复查合格")
    inspector.click("#verify button[name=close]")
    inspector.wait_for_url(re.compile(rf"/inspections/findings/{finding.pk}/$"))
    expect(inspector.locator("#finding-status")).to_have_attribute("data-status", "closed")
    expect(inspector.locator("#todo-link")).to_have_text("待办")
    leader.goto(f"{live_server.url}/todo/")
    expect(leader.locator("main")).to_contain_text("暂无待办")
    inspector.context.close()
