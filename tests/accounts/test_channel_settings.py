"""A person's own channels and quiet hours: the rule, and the page where they set them."""

import datetime
import zoneinfo

import pytest

from accounts.models import User
from tests import factories as f

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
URL = "/accounts/channels/"


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("moment", "end"), [
    (at(3, 22, 0), at(4, 7, 0)),   # quiet from 22:00 …
    (at(3, 23, 30), at(4, 7, 0)),
    (at(4, 6, 59), at(4, 7, 0)),   # … over midnight …
    (at(4, 7, 0), None),           # … until 07:00
    (at(3, 12, 0), None),
    (at(3, 21, 59), None),
])
def test_the_default_quiet_hours_run_from_ten_at_night_to_seven_in_the_morning(moment, end):
    person = User(quiet_from=datetime.time(22), quiet_until=datetime.time(7))
    assert person.quiet_hours_end(moment) == end


def test_quiet_hours_may_lie_within_one_day_or_be_off():
    nap = User(quiet_from=datetime.time(12), quiet_until=datetime.time(14))
    assert nap.quiet_hours_end(at(3, 13)) == at(3, 14)
    assert nap.quiet_hours_end(at(3, 23)) is None
    assert User(quiet_from=None, quiet_until=None).quiet_hours_end(at(3, 23)) is None


def test_a_new_person_gets_sms_and_email_and_quiet_nights_by_default():
    person = f.member(f.UnitFactory())
    assert (person.notify_by_sms, person.notify_by_email) == (True, True)
    assert (person.quiet_from, person.quiet_until) == (datetime.time(22), datetime.time(7))


def _post(client, **data):
    form = {"phone": "", "notify_by_sms": "", "notify_by_email": "on", "quiet_hours": "on",
            "quiet_from": "22:00", "quiet_until": "07:00", **data}
    return client.post(URL, {k: v for k, v in form.items() if v != ""})


def test_a_person_sets_their_own_mobile_channels_and_quiet_hours(client):
    person = f.member(f.UnitFactory())
    client.force_login(person)
    response = _post(client, phone="+86 138 1234-5678", notify_by_sms="on", notify_by_email="",
                     quiet_from="21:30", quiet_until="06:30")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.phone == "13812345678"
    assert (person.notify_by_sms, person.notify_by_email) == (True, False)
    assert (person.quiet_from, person.quiet_until) == (datetime.time(21, 30), datetime.time(6, 30))


def test_turning_quiet_hours_off_lets_sms_come_at_any_time(client):
    person = f.member(f.UnitFactory())
    client.force_login(person)
    assert _post(client, quiet_hours="").status_code == 302
    person.refresh_from_db()
    assert (person.quiet_from, person.quiet_until) == (None, None)


@pytest.mark.parametrize(("data", "message"), [
    ({"phone": "0571-8888888"}, "请输入 11 位手机号码"),
    ({"phone": "1381234567"}, "请输入 11 位手机号码"),
    ({"notify_by_sms": "on", "phone": ""}, "短信需要手机号码"),
    ({"quiet_from": "22:00", "quiet_until": "22:00"}, "免打扰时段的结束时间须不同于开始时间"),
    ({"quiet_from": "", "quiet_until": "07:00"}, "免打扰时段需要开始和结束时间"),
    ({"quiet_from": "25:00"}, "时间"),
])
def test_bad_input_is_refused_with_a_clear_message_and_changes_nothing(client, data, message):
    person = f.member(f.UnitFactory(), phone="13900000000")
    client.force_login(person)
    before = User.objects.filter(pk=person.pk).values().get()
    response = _post(client, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.filter(pk=person.pk).values().get() == before


def test_the_page_shows_what_is_stored_and_links_from_the_user_menu(client):
    person = f.member(f.UnitFactory(), phone="13900000000")
    client.force_login(person)
    page = client.get(URL).content.decode()
    assert 'value="13900000000"' in page and 'value="22:00"' in page
    assert f'href="{URL}"' in client.get("/").content.decode()


def test_signing_in_comes_first(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

