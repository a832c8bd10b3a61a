"""The set-up pages on a 360 px phone: nothing runs off the side, and an admin can add a site by hand."""

import pytest

from campaign.models import Site
from tests.browser import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 360, "height": 780}
PAGES = ["", "units/", "people/", "campaigns/", "frameworks/", "point-types/", "sites/", "categories/",
         "units/new/", "people/new/", "campaigns/new/", "sites/new/", "categories/minor/new/"]


@pytest.fixture
def browser_context_args():
    return {"viewport": NARROW, "locale": "zh-CN"}


def test_every_set_up_page_fits_a_360px_phone(browser_page, live_server, district):
    page = browser_page
    sign_in(page, live_server, "admin")
    detail = [f"frameworks/{district.campaign.framework_id}/", f"point-types/{district.sites[0].point_type_id}/",
              f"sites/{district.sites[0].pk}/", f"units/{district.squads[0].pk}/"]
    for path in PAGES + detail:
        page.goto(f"{live_server.url}/setup/{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"/setup/{path} is {overflow}px too wide"
        screenshot(page, "setup-" + (path.strip("/").replace("/", "-") or "index"))


def test_an_admin_adds_a_site_and_is_offered_its_squad(browser_page, live_server, district):
    page = browser_page
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/setup/sites/new/")
    page.fill("#id_name", "河坊街东口")
    page.select_option("#id_point_type", label="背街小巷")
    (south, west), _, (north, east), _ = district.squads[1].boundary
    page.fill("#id_latitude", f"{(south + north) / 2:.6f}")
    page.fill("#id_longitude", f"{(west + east) / 2:.6f}")
    page.click("button[type=submit].primary")
    assert page.input_value("#id_unit") == str(district.squads[1].pk)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/setup/sites/")
    assert Site.objects.get(name="河坊街东口").unit == district.squads[1]
