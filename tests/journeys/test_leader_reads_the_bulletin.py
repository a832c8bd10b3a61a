"""Journey (c): the bureau leader opens the latest bulletin and downloads its PDF."""

import datetime

import pytest
from django.utils import timezone

from reports import services
from tests.browser import sign_in
from tests.journeys.conftest import fits_the_screen, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _publish_last_weeks_bulletins(campaign):
    """The bulletins the Monday job would have written: the week before last and last week."""
    bulletins = []
    for weeks_ago in (2, 1):
        iso = (timezone.localdate() - datetime.timedelta(weeks=weeks_ago)).isocalendar()
        bulletin, _ = services.write_bulletin(campaign_id=campaign.pk, iso_year=iso.year, iso_week=iso.week)
        bulletins.append(services.publish_bulletin(bulletin=bulletin, by=None, email=False))
    return bulletins


def test_the_leader_reads_the_latest_bulletin_and_downloads_its_pdf(live_server, browser_page, district):
    from playwright.sync_api import expect

    page = browser_page
    older, latest = _publish_last_weeks_bulletins(district.campaign)

    sign_in(page, live_server, "leader")
    page.goto(f"{live_server.url}/reports/")
    assert fits_the_screen(page)
    shot(page, "c-bulletin-list")
    page.click(f"a.btn.primary[href='/reports/bulletins/{latest.pk}/']")  # "read the latest"
    page.wait_for_url(f"{live_server.url}/reports/bulletins/{latest.pk}/")
    expect(page.locator("main")).to_contain_text("第一中队")
    assert fits_the_screen(page)
    shot(page, "c-bulletin")

    with page.expect_download() as info:
        page.click(f"a[href='/reports/bulletins/{latest.pk}/pdf/']")
    download = info.value
    assert download.suggested_filename == f"周通报-第{latest.number}期.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert latest.number == older.number + 1
