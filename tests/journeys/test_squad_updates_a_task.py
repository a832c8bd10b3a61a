"""Journey (a): squad1 signs in, opens the squad's list, updates a task with a photo and sees it in the history."""

import datetime
import re

import pytest
from django.utils import timezone

from tasks import services
from tasks.models import Task
from tests.browser import sign_in
from tests.journeys.conftest import fits_the_screen, jpeg, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_squad_leader_updates_a_task_with_a_photo(live_server, browser_page, district):
    from playwright.sync_api import expect

    page = browser_page
    squad1 = district.people["squad1"]
    task = services.task_create(
        campaign=district.campaign, by=district.people["admin"], content="解放路店外经营集中整治",
        unit=squad1.unit, responsible=squad1, deadline=timezone.localdate() + datetime.timedelta(days=7),
    )

    sign_in(page, live_server, "squad1")
    page.locator("a[href='/tasks/']").first.click()  # the list, from the navigation or the dashboard tile
    page.wait_for_url(f"{live_server.url}/tasks/")
    expect(page.locator(f"tr[data-task='{task.pk}']")).to_contain_text("解放路店外经营集中整治")
    assert fits_the_screen(page)
    shot(page, "a-squad-list")

    page.click(f"tr[data-task='{task.pk}'] a")
    page.wait_for_url(f"{live_server.url}/tasks/{task.pk}/")
    page.select_option("#id_status", "in_progress")
    page.fill("#id_progress", "60")
    page.fill("#id_note", "沿街商户已全部告知，清理占道物品")
    page.set_input_files("#id_files", [jpeg("street.jpg")])
    page.click("#update-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/tasks/{task.pk}/$"))

    history = page.locator("#history")
    expect(history).to_contain_text("沿街商户已全部告知")
    expect(history).to_contain_text("60%")
    thumb = history.locator(".evidence img").first
    thumb.scroll_into_view_if_needed()
    expect(thumb).to_have_js_property("complete", True)
    assert thumb.evaluate("img => img.naturalWidth") > 0  # the photo is served back, not a broken image
    assert fits_the_screen(page)
    shot(page, "a-task-history")
    task = Task.objects.get(pk=task.pk)
    assert (task.status, task.progress) == ("in_progress", 60)
    assert task.updates.get(kind="status").attachments.count() == 1
