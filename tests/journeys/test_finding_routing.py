"""Journey (f): a finding dispatched to the wrong squad. The wrong squad's leader sends it back (退回), the
inspection squad re-dispatches it (改派), the right squad asks for a day more (申请延期) and gets it, rectifies
it, and the inspector verifies it from their 待办. Each person works on their own phone (a browser context of
their own, signed in once), as they would on the street."""

import datetime
import re

import pytest
from django.utils import timezone

from inspections.forms import local_input
from inspections.models import Finding
from tests.browser import sign_in
from tests.journeys.conftest import fill_a_finding, fits_the_screen, jpeg, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_finding_sent_to_the_wrong_squad_reaches_the_right_one_and_gets_a_day_more(
        live_server, browser_page, browser_context_args, district):
    from playwright.sync_api import expect

    page = browser_page
    first, second = district.squads[0], district.squads[1]
    phones = {"inspector1": page}

    def phone_of(username: str):
        """The person's own signed-in page, made the first time they act."""
        if username not in phones:
            context = page.context.browser.new_context(**browser_context_args)
            context.set_default_timeout(15_000)
            phones[username] = context.new_page()
            sign_in(phones[username], live_server, username)
        return phones[username]

    sign_in(page, live_server, "inspector1")
    fill_a_finding(page, live_server, first)
    page.select_option("#id_responsible_unit", str(second.pk))  # the inspector picks the wrong squad
    page.click("#finding-form button[type=submit]")
    page.wait_for_url(re.compile(r"/inspections/findings/\d+/$"))
    finding = Finding.objects.get()
    detail = f"{live_server.url}/inspections/findings/{finding.pk}/"

    page = phone_of("squad2")
    page.goto(detail)
    page.fill("#send-back textarea[name=reason]", "该路段属第一中队辖区")
    assert fits_the_screen(page)
    shot(page, "f-wrong-squad-sends-back")
    page.click("#send-back button[type=submit]")
    page.wait_for_url(re.compile(rf"/inspections/findings/{finding.pk}/$"))
    expect(page.locator("#finding-status")).to_have_attribute("data-status", "sent_back")

    page = phone_of("inspector2")
    page.goto(f"{live_server.url}/todo/")
    page.click(f"a[href$='/findings/{finding.pk}/#redispatch']")
    page.select_option("#redispatch select[name=unit]", str(first.pk))
    deadline = timezone.localtime() + datetime.timedelta(hours=24)
    page.fill("#redispatch input[name=deadline]", local_input(deadline))
    assert fits_the_screen(page)
    shot(page, "f-inspection-squad-redispatches")
    page.click("#redispatch button[type=submit]")
    page.wait_for_url(re.compile(rf"/inspections/findings/{finding.pk}/$"))
    expect(page.locator("#finding-status")).to_have_attribute("data-status", "dispatched")

    page = phone_of("squad1")
    page.goto(detail)
    page.fill("#ask-extension input[name=deadline]", local_input(deadline + datetime.timedelta(days=1)))
    page.fill("#ask-extension textarea[name=reason]", "需协调市场管理方腾退摊位")
    page.click("#ask-extension button[type=submit]")
    page.wait_for_url(re.compile(rf"/inspections/findings/{finding.pk}/$"))
    expect(page.locator("#pending-extension")).to_be_visible()

    page = phone_of("inspector1")
    page.goto(f"{live_server.url}/todo/")
    page.click(f"a[href$='/findings/{finding.pk}/#decide-extension']")
    page.check("#decide-extension input[value=approve]")
    assert fits_the_screen(page)
    shot(page, "f-inspector-grants-a-day")
    page.click("#decide-extension button[type=submit]")
    page.wait_for_url(re.compile(rf"/inspections/findings/{finding.pk}/$"))
    finding.refresh_from_db()
    assert finding.extension_count == 1 and finding.responsible_unit == first

    page = phone_of("squad1")
    page.goto(f"{live_server.url}/inspections/findings/ours/")
    card = page.locator(".finding-card", has_text=f"#{finding.pk}")
    card.locator("details summary").click()
    card.locator("textarea[name=note]").fill("已协调腾退，现场恢复通行")
    card.locator("input[name=photos]").set_input_files([jpeg("after.jpg")])
    card.locator(".rectify-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/inspections/findings/{finding.pk}/$"))

    page = phone_of("inspector1")
    page.goto(f"{live_server.url}/todo/")
    page.click(f"a[href$='/findings/{finding.pk}/#verify']")
    page.click("#verify button[name=close]")
    page.wait_for_url(re.compile(rf"/inspections/findings/{finding.pk}/$"))
    expect(page.locator("#finding-status")).to_have_attribute("data-status", "closed")
    history = page.locator(".history").inner_text()
    for words in ("退回", "改派至", "申请延期", "批准延期", "整改", "销号"):
        assert words in history
    assert fits_the_screen(page)
    shot(page, "f-closed-with-its-routing")
    finding.refresh_from_db()
    assert finding.status == Finding.Status.CLOSED and finding.closed_on_time and finding.redispatch_count == 1
