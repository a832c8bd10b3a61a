"""The people import (花名册): the roster brings people up to date and adds new ones, with their mobiles; a bad
row imports nothing and is named with its number and reason."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.models import User
from tests import factories as f
from tests.campaign.setup_helpers import text

pytestmark = pytest.mark.django_db

PASSWORD = "Str0ng-campaign-pass"
HEADER = ["登录名*", "姓名*", "角色*", "单位*", "职务", "手机", "邮箱", "三级督查员"]


def roster(*rows, header=HEADER, title_rows=1) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    for _ in range(title_rows):
        sheet.append(["滨江区城管执法局 花名册"])
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("花名册.xlsx", out.getvalue())


def post(client, upload, password=PASSWORD):
    return client.post(reverse("setup:people_import"), {"file": upload, "password": password})


def test_the_roster_updates_people_and_adds_new_ones_with_their_mobiles(setup_client):
    squad = f.UnitFactory(name="第一中队", short_name="解放路中队")
    known = f.member(squad, username="zhangsan", full_name="张三", phone="")
    response = post(setup_client, roster(
        ["zhangsan", "张三", "中队长", "第一中队", "中队长", "138 1234-5678", "zs@example.org", "否"],
        ["lisi", "李四", "队员", "解放路中队", "队员", "+86 13900001111", "", "是"]))
    assert response.status_code == 302 and response.url == reverse("setup:people")
    known.refresh_from_db()
    assert (known.role, known.phone, known.email, known.title) == (User.Role.SQUAD_LEADER, "13812345678",
                                                                    "zs@example.org", "中队长")
    new = User.objects.get(username="lisi")
    assert (new.full_name, new.unit, new.role, new.phone, new.is_tier3_inspector) == (
        "李四", squad, User.Role.MEMBER, "13900001111", True)
    assert new.check_password(PASSWORD) and not known.check_password(PASSWORD)
    assert "1 people added, 1 brought up to date." in text(setup_client.get(reverse("setup:people")))


def test_any_bad_row_imports_nothing_and_each_is_named(setup_client):
    squad = f.UnitFactory(name="第一中队")
    known = f.member(squad, username="zhangsan", full_name="张三", phone="13812345678")
    before = User.objects.count()
    response = post(setup_client, roster(
        ["zhangsan", "张三", "队员", "第一中队", "", "12345", "", ""],
        ["wangwu", "王五", "局长", "第一中队"],
        ["zhaoliu", "赵六", "队员", "第九中队"],
        ["zhangsan", "张三", "队员", "第一中队"],
        ["", "", "队员", ""]), password="")
    assert response.status_code == 400
    page = text(response)
    assert (4, "a new person: give the initial password on the form") in [
        (e.row, e.message) for e in response.context["result"].errors]
    errors = [(e.row, e.message) for e in response.context["result"].errors]
    assert f"{len(errors)} problems found; nothing was imported." in page
    rows = [row for row, _message in errors]
    assert rows == sorted(rows) and set(rows) == {3, 4, 5, 6, 7}
    messages = " ".join(message for _row, message in errors)
    assert "第九中队" in messages and "局长" in messages
    assert any(row == 3 and message.startswith("phone: Enter an 11-digit mobile number") for row, message in errors)
    assert (6, "登录名 “zhangsan” is on row 3 already") in errors
    assert User.objects.count() == before
    known.refresh_from_db()
    assert known.phone == "13812345678"


def test_a_file_that_is_not_a_roster_is_refused_plainly(setup_client):
    response = post(setup_client, SimpleUploadedFile("x.xlsx", b"not a spreadsheet"))
    assert response.status_code == 400 and response.context["result"].errors[0].row == 0
    response = post(setup_client, roster(["a"], header=["姓名", "单位"]))
    assert response.status_code == 400 and "登录名" in response.context["result"].errors[0].message
    response = post(setup_client, roster(header=["登录名", "姓名", "单位"]))
    assert response.status_code == 400 and "角色" in response.context["result"].errors[0].message
    response = post(setup_client, roster(), password="short")
    assert response.status_code == 400 and response.context["form"].errors["password"]


def test_the_template_is_a_roster_with_the_header(setup_client):
    response = setup_client.get(reverse("setup:people_template"))
    assert response.status_code == 200 and "UTF-8''" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == HEADER


def test_only_admins_import_people(client):
    squad = f.UnitFactory()
    for person in (f.squad_leader(squad), f.leader()):
        client.force_login(person)
        assert client.get(reverse("setup:people_import")).status_code == 403
        assert post(client, roster(["x", "X", "队员", squad.name])).status_code == 403
    assert not User.objects.filter(username="x").exists()
