"""On a phone (390 × 844, geolocation granted): inspector1 logs a finding with a photo, squad1 rectifies it,
inspector1 closes it."""

import re

import pytest

from inspections.models import Finding
from tests.browser import PHONE, screenshot, sign_in
from tests.inspections.factories import photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Inside 第一中队's jurisdiction in the demo district.
HERE = {"latitude": 30.2651, "longitude": 120.1502}


@pytest.fixture
def browser_context_args():
    return {"viewport": PHONE, "locale": "zh-CN", "geolocation": HERE, "permissions": ["geolocation"]}


def _photo_payload(name):
    upload = photo(name)
    return {"name": name, "mimeType": "image/jpeg", "buffer": upload.read()}


def _switch_user(page, live_server, username):
    page.context.clear_cookies()
    sign_in(page, live_server, username)


def test_a_finding_goes_round_the_loop_on_a_phone(live_server, browser_page):
    from playwright.sync_api import expect

    from campaign.demo import seed_district

    district = seed_district(activity=False)
    page = browser_page

    sign_in(page, live_server, "inspector1")
    page.goto(f"{live_server.url}/inspections/findings/new/")
    # the script fills the location from the phone, then proposes the unit
    expect(page.locator("#id_latitude")).to_have_value("30.265100")
    page.set_input_files("#id_photos", [_photo_payload("street.jpg")])
    page.select_option("#id_category", label="店外经营")
    page.fill("#id_description", "商户店外摆放货架，占用人行道")
    # (expect() polls in Playwright's own world; the page's CSP forbids evaluating strings in it)
    expect(page.locator("#id_responsible_unit")).to_have_value(str(district.squads[0].pk))
    expect(page.locator("#id_deadline")).not_to_have_value("")
    screenshot(page, "inspections-finding-new-390")
    page.click("#finding-form button[type=submit]")
    page.wait_for_url(re.compile(r"/inspections/findings/\d+/$"))
    finding = Finding.objects.get()
    assert (finding.location_source, finding.responsible_unit) == ("browser", district.squads[0])
    assert page.get_attribute("#finding-status", "data-status") == "dispatched"

    _switch_user(page, live_server, "squad1")
    page.goto(f"{live_server.url}/inspections/findings/ours/")
    assert f"#{finding.pk}" in page.locator("main").inner_text()
    page.click(".finding-card details summary")
    page.fill(".finding-card textarea[name=note]", "已劝导商户收回货架，现场恢复通行")
    page.set_input_files(".finding-card input[name=photos]", [_photo_payload("after.jpg")])
    screenshot(page, "inspections-unit-findings-390")
    page.click(".finding-card .rectify-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/inspections/findings/{finding.pk}/$"))
    assert page.get_attribute("#finding-status", "data-status") == "rectified"

    _switch_user(page, live_server, "inspector1")
    page.goto(f"{live_server.url}/inspections/findings/{finding.pk}/")
    page.fill("#verify form:first-child textarea[name=note]", "复查合格")
    screenshot(page, "inspections-finding-verify-390")
    page.click("#verify button[name=close]")
    page.wait_for_url(re.compile(rf"/inspections/findings/{finding.pk}/$"))
    assert page.get_attribute("#finding-status", "data-status") == "closed"
    finding.refresh_from_db()
    assert finding.status == Finding.Status.CLOSED and finding.closed_on_time
    assert finding.photos.count() == 2
    # nothing on the page is wider than the phone
    assert page.locator("html").evaluate("el => el.scrollWidth") <= PHONE["width"]
