"""Excel import and export in the bureau's layout: every bad row reported, nothing half-imported, round trips."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from tasks import spreadsheets
from tasks.models import Task
from tests.factories import CampaignFactory, UnitFactory, admin, leader, member, squad_leader, standard
from tests.tasks.factories import make_task

pytestmark = pytest.mark.django_db
HEADER = spreadsheets.COLUMNS


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English; the site's default language is zh-hans."""
    with translation.override("en"):
        yield


def xlsx(rows, header=HEADER, title_row: str | None = None) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    if title_row:
        ws.append([title_row])
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("list.xlsx", out.getvalue(), content_type=spreadsheets.XLSX_TYPE)


@pytest.fixture
def world():
    campaign = CampaignFactory()
    squad = UnitFactory(name="第一中队", short_name="解放路中队", code="squad1")
    chief = squad_leader(squad, username="squad1", full_name="王队长")
    worker = member(squad, username="member1", full_name="李队员")
    boss = leader(username="leader", full_name="陈局长")
    std1 = standard("Ⅲ-59", 1, framework=campaign.framework)
    std2 = standard("Ⅲ-59", 2, framework=campaign.framework)
    return {"campaign": campaign, "squad": squad, "chief": chief, "worker": worker, "leader": boss,
            "by": admin(), "std1": std1, "std2": std2, "bureau": squad.parent}


def day(campaign, n):
    return campaign.start_date + datetime.timedelta(days=n)


def good_rows(w):
    c = w["campaign"]
    return [
        [1, "背街小巷环境整治", w["bureau"].name, "陈局长", "陈局长", day(c, 60), "无乱堆乱放", "Ⅲ-59-1", None],
        [2, "解放路背街小巷整治", "解放路中队", "squad1", None, day(c, 50).strftime("%Y/%m/%d"), "",
         "Ⅲ-59-1、Ⅲ-59-2", 1],
        [3, "中山中路每日巡查", "第一中队", "李队员", "", day(c, 40).strftime("%Y年%m月%d日"), "", "III-59-2", 2],
    ]


def test_a_good_file_imports_the_whole_tree(world):
    result = spreadsheets.import_tasks(campaign=world["campaign"], by=world["by"], upload=xlsx(good_rows(world)))
    assert result.ok, result.errors
    tasks = {t.seq: t for t in Task.objects.filter(campaign=world["campaign"])}
    assert [tasks[n].level for n in (1, 2, 3)] == [Task.Level.BUREAU, Task.Level.UNIT, Task.Level.PERSONAL]
    assert tasks[3].parent == tasks[2] and tasks[2].parent == tasks[1]
    assert tasks[3].responsible == world["worker"] and tasks[1].supervisor == world["leader"]
    assert set(tasks[2].standards.all()) == {world["std1"], world["std2"]}
    assert tasks[3].deadline == day(world["campaign"], 40)
    assert tasks[1].progress == 0 and tasks[1].updates.count() == 1


def test_a_title_row_above_the_header_is_fine_and_rows_may_come_in_any_order(world):
    rows = list(reversed(good_rows(world)))
    result = spreadsheets.import_tasks(campaign=world["campaign"], by=world["by"],
                                       upload=xlsx(rows, title_row="2026年百日攻坚责任清单"))
    assert result.ok, result.errors
    assert Task.objects.count() == 3


def test_a_parent_may_be_a_task_already_in_the_campaign(world):
    existing = make_task(campaign=world["campaign"], content="已有任务")
    row = [None, "分解到中队", "第一中队", "王队长", None, existing.deadline, "", "", existing.seq]
    result = spreadsheets.import_tasks(campaign=world["campaign"], by=world["by"], upload=xlsx([row]))
    assert result.ok, result.errors
    child = Task.objects.get(content="分解到中队")
    assert child.parent == existing and child.seq == existing.seq + 1


BAD = {
    "unknown unit": (2, "不存在的中队", "unknown unit"),
    "unknown person": (3, "查无此人", "unknown person"),
    "person not in unit": (3, "陈局长", "does not belong"),
    "not a date": (5, "下周五", "is not a date"),
    "outside campaign": (5, "2099-01-01", "outside the campaign"),
    "unknown standard": (7, "Ⅲ-99-9", "unknown standard code"),
    "missing parent": (8, 42, "neither in this file nor in the campaign"),
    "empty content": (1, "", "任务内容 is empty"),
}


@pytest.mark.parametrize("kind", list(BAD))
def test_each_kind_of_bad_row_is_reported_by_number_and_nothing_is_imported(world, kind):
    column, value, message = BAD[kind]
    rows = good_rows(world)
    rows[2][column] = value
    result = spreadsheets.import_tasks(campaign=world["campaign"], by=world["by"], upload=xlsx(rows))
    assert not result.ok
    assert [e.row for e in result.errors] == [4]  # header is row 1; the third task is row 4
    assert message in result.errors[0].message
    assert not Task.objects.exists()


def test_every_bad_row_is_reported_at_once(world):
    rows = good_rows(world)
    rows[0][2] = "不存在的单位"
    rows[1][5] = "不是日期"
    rows[2][7] = "Ⅲ-0-0"
    result = spreadsheets.import_tasks(campaign=world["campaign"], by=world["by"], upload=xlsx(rows))
    assert [e.row for e in result.errors] == [2, 3, 4]
    assert not Task.objects.exists()


def test_a_missing_required_column_refuses_the_file(world):
    header = [h for h in HEADER if h != "责任人"]
    rows = [r[:3] + r[4:] for r in good_rows(world)]
    result = spreadsheets.import_tasks(campaign=world["campaign"], by=world["by"], upload=xlsx(rows, header=header))
    assert len(result.errors) == 1 and "责任人" in result.errors[0].message and result.errors[0].row == 1
    assert not Task.objects.exists()


def test_duplicate_and_taken_numbers_are_bad_rows(world):
    make_task(campaign=world["campaign"])  # takes 序号 1
    rows = good_rows(world)
    rows[2][0] = 2
    result = spreadsheets.import_tasks(campaign=world["campaign"], by=world["by"], upload=xlsx(rows))
    messages = {e.row: e.message for e in result.errors}
    assert "already used" in messages[2] and "appears twice" in messages[4]
    assert Task.objects.count() == 1


def test_a_rule_only_the_service_knows_still_rolls_everything_back(world):
    rows = good_rows(world)
    rows[2][5] = day(world["campaign"], 55)  # after its parent's deadline (day 50)
    result = spreadsheets.import_tasks(campaign=world["campaign"], by=world["by"], upload=xlsx(rows))
    assert [e.row for e in result.errors] == [4]
    assert "parent task's deadline" in result.errors[0].message
    assert not Task.objects.exists()


def test_not_an_excel_file_is_refused(world):
    upload = SimpleUploadedFile("list.xlsx", b"MZ\x90\x00 not a zip", content_type=spreadsheets.XLSX_TYPE)
    result = spreadsheets.import_tasks(campaign=world["campaign"], by=world["by"], upload=upload)
    assert not result.ok and result.errors[0].row == 0


def test_export_then_import_gives_the_same_list(world):
    spreadsheets.import_tasks(campaign=world["campaign"], by=world["by"], upload=xlsx(good_rows(world)))
    make_task(campaign=world["campaign"], unit=world["squad"], by=world["chief"], responsible=world["worker"],
              content="=HYPERLINK(\"http://evil\")", criteria="@SUM(A1)")
    exported = spreadsheets.export_workbook(Task.objects.filter(campaign=world["campaign"]))
    again = CampaignFactory(framework=world["campaign"].framework, start_date=world["campaign"].start_date)
    result = spreadsheets.import_tasks(campaign=again, by=world["by"],
                                       upload=SimpleUploadedFile("x.xlsx", exported))
    assert result.ok, result.errors

    def shape(campaign):
        return [
            (t.seq, t.content, t.unit_id, t.responsible_id, t.supervisor_id, t.deadline, t.criteria,
             sorted(s.code for s in t.standards.all()), t.parent.seq if t.parent else None, t.level)
            for t in Task.objects.filter(campaign=campaign).order_by("seq").prefetch_related("standards")
        ]

    assert shape(again) == shape(world["campaign"])


def test_export_neutralises_formulas(world):
    make_task(campaign=world["campaign"], unit=world["squad"], by=world["chief"], responsible=world["worker"],
              content="=cmd|' /C calc'!A0", criteria="+1+1")
    sheet = load_workbook(io.BytesIO(spreadsheets.export_workbook(Task.objects.all()))).active
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet["B2"].value == "'=cmd|' /C calc'!A0" and sheet["B2"].data_type == "s"
    assert sheet["G2"].value == "'+1+1"


def test_template_has_the_bureau_layout(client, world):
    client.force_login(world["worker"])
    response = client.get(reverse("tasks:import-template"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == HEADER


def test_import_page_lists_errors_and_imports_nothing(client, world):
    client.force_login(world["by"])
    rows = good_rows(world)
    rows[1][3] = "查无此人"
    response = client.post(reverse("tasks:import"), {"file": xlsx(rows)})
    assert response.status_code == 400
    assert [e.row for e in response.context["result"].errors] == [3]
    assert "import-errors" in response.content.decode()
    assert not Task.objects.exists()
    response = client.post(reverse("tasks:import"), {"file": xlsx(good_rows(world))})
    assert response.status_code == 302 and Task.objects.count() == 3


def test_only_admins_and_leaders_import(client, world):
    client.force_login(world["chief"])
    assert client.get(reverse("tasks:import")).status_code == 403


def test_export_by_unit_and_by_person_keeps_to_what_the_user_sees(client, world):
    other = UnitFactory(name="第二中队")
    mine = make_task(campaign=world["campaign"], unit=world["squad"], by=world["chief"], responsible=world["worker"],
                     content="我的")
    make_task(campaign=world["campaign"], unit=world["squad"], by=world["chief"], responsible=world["chief"],
              content="队长的")
    make_task(campaign=world["campaign"], unit=other, responsible=squad_leader(other), content="别队的")

    def contents(user, **params):
        client.force_login(user)
        response = client.get(reverse("tasks:export"), params)
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        return sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True))

    assert contents(world["chief"]) == ["我的", "队长的"]
    assert contents(world["chief"], responsible=world["worker"].pk) == [mine.content]
    assert contents(world["by"], unit=other.pk) == ["别队的"]
    client.force_login(world["chief"])
    assert client.get(reverse("tasks:export"), {"unit": other.pk}).status_code == 404
