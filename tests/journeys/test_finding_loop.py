"""Journey (b): inspector1 logs a finding with a photo and the phone's location, squad1 rectifies it,
inspector1 re-inspects and closes it."""

import re

import pytest

from inspections.models import Finding
from tests.browser import sign_in
from tests.journeys.conftest import fill_a_finding, fits_the_screen, jpeg, shot, switch_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_finding_goes_round_the_closed_loop(live_server, browser_page, district):
    from playwright.sync_api import expect

    page = browser_page
    first_squad = district.squads[0]

    sign_in(page, live_server, "inspector1")
    fill_a_finding(page, live_server, first_squad)
    assert fits_the_screen(page)
    shot(page, "b-finding-new")
    page.click("#finding-form button[type=submit]")
    page.wait_for_url(re.compile(r"/inspections/findings/\d+/$"))
    finding = Finding.objects.get()
    assert (finding.location_source, finding.responsible_unit) == ("browser", first_squad)
    expect(page.locator("#finding-status")).to_have_attribute("data-status", "dispatched")

    switch_user(page, live_server, "squad1")
    page.goto(f"{live_server.url}/inspections/findings/ours/")
    card = page.locator(".finding-card", has_text=f"#{finding.pk}")
    card.locator("details summary").click()
    card.locator("textarea[name=note]").fill("已劝导商户收回货架，现场恢复通行")
    card.locator("input[name=photos]").set_input_files([jpeg("after.jpg")])
    assert fits_the_screen(page)
    shot(page, "b-unit-rectifies")
    card.locator(".rectify-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/inspections/findings/{finding.pk}/$"))
    expect(page.locator("#finding-status")).to_have_attribute("data-status", "rectified")

    switch_user(page, live_server, "inspector1")
    page.goto(f"{live_server.url}/inspections/findings/{finding.pk}/")
    page.fill("#verify form:first-child textarea[name=note]", "复查合格")
    shot(page, "b-inspector-verifies")
    page.click("#verify button[name=close]")
    page.wait_for_url(re.compile(rf"/inspections/findings/{finding.pk}/$"))
    expect(page.locator("#finding-status")).to_have_attribute("data-status", "closed")
    assert fits_the_screen(page)
    shot(page, "b-finding-closed")
    finding.refresh_from_db()
    assert finding.status == Finding.Status.CLOSED and finding.closed_on_time
    assert finding.photos.count() == 2
