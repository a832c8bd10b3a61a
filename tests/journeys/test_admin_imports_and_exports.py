"""Journey (d): the administrator imports the responsibility list from Excel (one bad row first: it is named,
fixed and imported), then exports the monthly meeting pack and downloads the ZIP."""

import datetime
import io
import re
import zipfile

import pytest
from django.utils import timezone
from openpyxl import Workbook

from reports import services as reports
from tasks.models import Task
from tasks.spreadsheets import COLUMNS
from tests.browser import sign_in
from tests.journeys.conftest import fits_the_screen, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sheet(tmp_path, name: str, second_unit: str):
    """Three items; the second names ``second_unit`` as its responsible unit."""
    deadline = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    ws.append([1, "解放路沿街店外经营清零", "第一中队", "squad1", "", deadline, "无店外经营", "", ""])
    ws.append([2, "人民路背街小巷垃圾清运", second_unit, "squad2", "", deadline, "日产日清", "", ""])
    ws.append([3, "城乡结合部私搭乱建排查", "第三中队", "squad3", "", deadline, "建立台账", "", ""])
    path = tmp_path / name
    wb.save(path)
    return path


def _meeting_with_a_bulletin(district):
    """Last week's bulletin and the meeting of the month that week ended in."""
    campaign = district.campaign
    last_sunday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().isoweekday())
    iso = last_sunday.isocalendar()
    reports.write_bulletin(campaign_id=campaign.pk, iso_year=iso.year, iso_week=iso.week)
    meeting, _ = reports.propose_meeting(campaign_id=campaign.pk, month=last_sunday.replace(day=1))
    return meeting


def test_the_admin_imports_the_list_and_exports_the_meeting_pack(live_server, browser_page, district, tmp_path):
    from playwright.sync_api import expect

    page = browser_page
    meeting = _meeting_with_a_bulletin(district)
    sign_in(page, live_server, "admin")

    page.goto(f"{live_server.url}/tasks/import/")
    page.set_input_files("form.form input[type=file]", str(_sheet(tmp_path, "清单.xlsx", "第九中队")))
    page.click("form.form button.primary")
    errors = page.locator("#import-errors")
    expect(errors).to_be_visible()
    rows = errors.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").first).to_have_text("3")  # the sheet's row 3: item 2, the unknown unit
    expect(rows.first).to_contain_text("第九中队")
    assert not Task.objects.exists()  # nothing imported while a row is wrong
    assert fits_the_screen(page)
    shot(page, "d-import-bad-row")

    page.set_input_files("form.form input[type=file]", str(_sheet(tmp_path, "清单-改.xlsx", "第二中队")))
    page.click("form.form button.primary")
    page.wait_for_url(f"{live_server.url}/tasks/")
    expect(page.locator(".messages")).to_be_visible()
    assert sorted(Task.objects.values_list("unit__name", flat=True)) == ["第一中队", "第三中队", "第二中队"]
    shot(page, "d-imported")

    page.goto(f"{live_server.url}/reports/meetings/{meeting.pk}/")
    page.click(f"form[action='/reports/meetings/{meeting.pk}/pack/'] button")
    page.wait_for_url(re.compile(rf"/reports/meetings/{meeting.pk}/$"))
    link = page.locator("#pack-status a[href$='/download/']")
    expect(link).to_be_visible()  # the job ran (in-process in tests) and the page offers the ZIP
    assert fits_the_screen(page)
    shot(page, "d-meeting-pack")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    with open(download.path(), "rb") as raw:
        names = zipfile.ZipFile(io.BytesIO(raw.read())).namelist()
    assert {name.rsplit(".", 1)[-1] for name in names} == {"docx", "xlsx", "pdf"}
