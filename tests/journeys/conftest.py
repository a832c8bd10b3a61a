"""Every journey runs twice: on a phone (390 × 844) and on an office screen (1366 × 768).

Geolocation is granted in every context (only the inspector's journey uses
it) and downloads are accepted. ``shot(page, name)`` saves a screenshot named
after the journey step and the viewport width under test-artifacts/.
"""

import pytest

from tests.browser import DESKTOP, PHONE, screenshot, sign_in

# Inside 第一中队's jurisdiction in the demo district.
HERE = {"latitude": 30.2651, "longitude": 120.1502}


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def viewport(request):
    return request.param


@pytest.fixture
def browser_context_args(viewport):
    return {"viewport": viewport, "locale": "zh-CN", "geolocation": HERE, "permissions": ["geolocation"],
            "accept_downloads": True}


def shot(page, name: str) -> None:
    screenshot(page, f"journey-{name}-{page.viewport_size['width']}")


def switch_user(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, username)


def fits_the_screen(page) -> bool:
    """Nothing on the page is wider than the viewport (no sideways scrolling on a phone)."""
    return page.locator("html").evaluate("el => el.scrollWidth") <= page.viewport_size["width"]


def fill_a_finding(page, live_server, unit) -> None:
    """inspector1's finding form, filled as on the street: a photo, the phone's location, 店外经营; the form
    proposes ``unit`` and a deadline. Not sent."""
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/inspections/findings/new/")
    expect(page.locator("#id_latitude")).to_have_value("30.265100")  # filled from the granted geolocation
    page.set_input_files("#id_photos", [jpeg("street.jpg")])
    page.select_option("#id_category", label="店外经营")
    page.fill("#id_description", "商户店外摆放货架，占用人行道")
    expect(page.locator("#id_responsible_unit")).to_have_value(str(unit.pk))  # proposed from the location
    expect(page.locator("#id_deadline")).not_to_have_value("")


def jpeg(name: str, color=(60, 120, 180)) -> dict:
    """A phone-camera-sized JPEG as Playwright's set_input_files takes it."""
    from tests.tasks.factories import photo

    upload = photo(name, size=(800, 600))
    return {"name": name, "mimeType": "image/jpeg", "buffer": upload.read()}
