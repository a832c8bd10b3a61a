"""On a phone (390 × 844): squad1 updates a task with a photo and sees it in the history."""

import datetime

import pytest
from django.utils import timezone
from PIL import Image

from tasks import services
from tests.browser import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_squad_leader_updates_a_task_with_a_photo_on_a_phone(browser_page, live_server, district, tmp_path):
    page = browser_page
    squad1 = district.people["squad1"]
    task = services.task_create(
        campaign=district.campaign, by=squad1, content="解放路店外经营集中整治", unit=squad1.unit,
        responsible=squad1, deadline=timezone.localdate() + datetime.timedelta(days=7),
    )
    picture = tmp_path / "street.jpg"
    Image.new("RGB", (800, 600), (60, 120, 180)).save(picture, "JPEG")

    sign_in(page, live_server, "squad1")
    page.goto(f"{live_server.url}/tasks/")
    page.click(f"tr[data-task='{task.pk}'] a")
    page.wait_for_url(f"{live_server.url}/tasks/{task.pk}/")
    page.select_option("#id_status", "in_progress")
    page.fill("#id_progress", "60")
    page.fill("#id_note", "沿街商户已全部告知，清理占道物品")
    page.set_input_files("#id_files", str(picture))
    page.click("#update-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/tasks/{task.pk}/")

    history = page.locator("#history")
    assert "沿街商户已全部告知" in history.inner_text()
    assert "60%" in history.inner_text()
    thumb = history.locator(".evidence img").first
    thumb.wait_for()
    thumb.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    screenshot(page, "tasks-update-with-photo")
    task.refresh_from_db()
    assert task.progress == 60 and task.version == 2
