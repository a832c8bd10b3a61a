"""待办: each person's work in one place, the count in the top bar, and the home page of the people who act."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from campaign.core import todo
from campaign.templatetags.todo import remaining, waiting
from inspections import services as inspection_services
from reports.models import AgendaItem, Meeting
from tasks import services as task_services
from tasks.models import Task
from tests.inspections.factories import close, due_soon, log_finding, overdue, rectify
from tests.tasks.factories import make_task

pytestmark = pytest.mark.django_db


def _signed_in(client, user):
    client.force_login(user)
    return client


def _count(client) -> int:
    """The figure the top bar shows, as the polling fragment answers it."""
    body = client.get(reverse("todo_count")).content.decode()
    found = re.search(r'<span class="count"[^>]*>(\d+)</span>', body)
    return int(found.group(1)) if found else 0


def _keys(user) -> dict[str, int]:
    return {s.key: s.total for s in todo.sections(user, timezone.now())}


def test_a_dispatched_finding_is_in_its_units_todo_and_nobody_elses(people, district):
    finding = log_finding(by=people["inspector1"])
    assert finding.responsible_unit == district.squads[0]
    for name in ("squad1", "member1", "member2"):
        assert _keys(people[name]).get("findings_rectify") == 1, name
    for name in ("squad2", "member4", "inspector2", "leader", "admin"):
        assert "findings_rectify" not in _keys(people[name]), name


def test_the_entry_says_how_long_is_left_and_opens_the_finding(client, people):
    finding = due_soon(log_finding(by=people["inspector1"]))
    page = _signed_in(client, people["squad1"]).get(reverse("todo"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = page.content.decode()
    assert page.status_code == 200
    assert "待整改问题" in body
    assert f'href="{reverse("inspections:finding_detail", args=[finding.pk])}#rectify"' in body
    assert re.search(r"剩余 \d+ 小时", body), body
    assert "二级督查" in body
    [section] = [s for s in todo.sections(people["squad1"], timezone.now()) if s.key == "findings_rectify"]
    assert (section.total, section.due_soon, section.overdue) == (1, 1, 0)


def test_an_overdue_finding_counts_as_overdue(client, people):
    overdue(log_finding(by=people["inspector1"]))
    body = _signed_in(client, people["squad1"]).get(reverse("todo"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert re.search(r"逾期 \d+ 分钟", body), body
    assert todo.totals(todo.sections(people["squad1"], timezone.now())).overdue == 1


def test_the_loop_moves_the_entry_from_the_unit_to_the_verifier_and_closing_clears_both(client, people):
    finding = log_finding(by=people["inspector1"])
    leader, inspector = people["squad1"], people["inspector1"]
    assert _count(_signed_in(client, leader)) == 1
    rectify(finding, people["member2"])  # a member rectifies: the entry leaves the leader's list too
    assert "findings_rectify" not in _keys(leader)
    assert _keys(inspector)["findings_verify"] == 1
    assert _keys(people["inspector2"])["findings_verify"] == 1  # the inspection squad's shared queue
    close(finding, people["inspector2"])  # closed by another inspector: gone for everyone
    assert "findings_verify" not in _keys(inspector)
    assert _count(_signed_in(client, leader)) == 0
    assert _count(_signed_in(client, inspector)) == 0


def test_a_finding_returned_for_rework_comes_back_with_its_new_deadline(people):
    finding = rectify(log_finding(by=people["inspector1"]), people["squad1"])
    new_deadline = timezone.now() + datetime.timedelta(hours=5, minutes=30)
    inspection_services.finding_return(finding=finding, by=people["inspector1"], note="仍有货架",
                                       new_deadline=new_deadline)
    [section] = [s for s in todo.sections(people["squad1"], timezone.now()) if s.key == "findings_rework"]
    assert section.total == 1
    assert section.entries[0].due == new_deadline
    assert "findings_verify" not in _keys(people["inspector1"])


def test_a_leaders_own_tier_1_finding_waits_for_them_alone(people):
    finding = rectify(log_finding(by=people["leader"]), people["squad1"])
    assert finding.tier == 1
    assert _keys(people["leader"])["findings_verify"] == 1
    assert "findings_verify" not in _keys(people["inspector1"])


def test_my_tasks_and_the_squads_overdue_ones(people, district):
    squad, leader, member = district.squads[0], people["squad1"], people["member2"]
    today = timezone.localdate()
    mine = make_task(campaign=district.campaign, unit=squad, responsible=member, by=leader,
                     deadline=today + datetime.timedelta(days=1))
    late = make_task(campaign=district.campaign, unit=squad, responsible=member, by=leader,
                     deadline=today - datetime.timedelta(days=2), content="沿街商户门前三包告知书签订")
    found = {s.key: s for s in todo.sections(member, timezone.now())}
    assert (found["tasks_mine"].total, found["tasks_mine"].overdue, found["tasks_mine"].due_soon) == (2, 1, 1)
    assert [e.url for e in found["tasks_mine"].entries] == [reverse("tasks:detail", args=[late.pk]),
                                                            reverse("tasks:detail", args=[mine.pk])]
    # The squad leader chases the member's overdue task; the one still in time is the member's business.
    held = {s.key: s for s in todo.sections(leader, timezone.now())}
    assert held["tasks_unit_overdue"].total == 1
    assert held["tasks_unit_overdue"].entries[0].url == reverse("tasks:detail", args=[late.pk])
    task_services.task_update_status(task=late, by=member, status=Task.Status.DONE, progress=100, note="已完成",
                                     expected_version=late.version)
    assert "tasks_unit_overdue" not in _keys(leader)
    assert _keys(member)["tasks_mine"] == 1


def test_remaining_time_in_words():
    now = timezone.now()
    today = timezone.localdate(now)
    with timezone.override("Asia/Shanghai"):
        from django.utils import translation

        with translation.override("zh-hans"):
            assert remaining(now + datetime.timedelta(hours=5, minutes=10), now) == "剩余 5 小时"
            assert remaining(now - datetime.timedelta(days=2, hours=1), now) == "逾期 2 天"
            assert remaining(now + datetime.timedelta(minutes=20), now) == "剩余 20 分钟"
            assert remaining(today, now) == "今天到期"
            assert remaining(today + datetime.timedelta(days=3), now) == "剩余 3 天"
            assert remaining(today - datetime.timedelta(days=1), now) == "逾期 1 天"
            assert waiting(now - datetime.timedelta(hours=3), now) == "已等待 3 小时"
        with translation.override("en"):
            assert remaining(now + datetime.timedelta(hours=1, minutes=5), now) == "1 hour left"
            assert remaining(today - datetime.timedelta(days=2), now) == "2 days overdue"


def test_a_squad_leader_speaking_at_the_next_meeting_has_it_in_their_todo_and_may_read_the_agenda(client, people,
                                                                                                  district):
    squad = district.squads[0]
    meeting = Meeting.objects.create(campaign=district.campaign, month=timezone.localdate().replace(day=1),
                                     date=timezone.localdate() + datetime.timedelta(days=2), title="11月推进会",
                                     status=Meeting.Status.APPROVED)
    AgendaItem.objects.create(meeting=meeting, kind=AgendaItem.Kind.STATEMENT, order=1, title="第一中队表态发言",
                              unit=squad, minutes=5)
    found = {s.key: s for s in todo.sections(people["squad1"], timezone.now())}
    assert found["meetings_speaking"].total == 1
    assert found["meetings_speaking"].entries[0].urgency == todo.DUE_SOON
    assert "meetings_speaking" not in _keys(people["squad2"])
    page = _signed_in(client, people["squad1"]).get(reverse("reports:meeting", args=[meeting.pk]))
    assert page.status_code == 200 and "第一中队表态发言" in page.content.decode()
    assert client.get(f"/api/v1/meetings/{meeting.pk}/").json()["title"] == "11月推进会"
    assert client.get("/api/v1/meetings/").status_code == 403  # the list of meetings stays the leaders'
    _signed_in(client, people["squad2"])
    assert client.get(reverse("reports:meeting", args=[meeting.pk])).status_code == 404
    assert client.get(f"/api/v1/meetings/{meeting.pk}/").status_code == 404
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.PROPOSED)  # not settled: nobody is told yet
    assert "meetings_speaking" not in _keys(people["squad1"])


def test_the_top_bar_count_equals_the_page_and_polls(client, people):
    log_finding(by=people["inspector1"])
    log_finding(by=people["inspector1"], minor="非法小广告")
    _signed_in(client, people["squad1"])
    page = client.get(reverse("tasks:list")).content.decode()
    assert f'hx-get="{reverse("todo_count")}" hx-trigger="every 30s"' in page
    assert re.search(r'<span class="count"[^>]*>2</span>', page)
    assert _count(client) == todo.totals(todo.sections(people["squad1"], timezone.now())).total == 2
    answer = client.get(reverse("todo_count"))
    assert "no-cache" in answer["Cache-Control"] or "max-age=0" in answer["Cache-Control"]


def test_the_top_bar_count_is_one_query(client, people, django_assert_num_queries):
    log_finding(by=people["inspector1"])
    _signed_in(client, people["squad1"])
    cache.clear()  # the fixtures' writes left tombstones, under which the reference data is never kept
    client.get(reverse("todo_count"))  # the reference data (campaigns, the unit tree) is read once
    with django_assert_num_queries(3):  # the session, the user, the count
        assert _count(client) == 1


@pytest.mark.parametrize("n", [1, 12])
def test_the_todo_page_costs_the_same_queries_for_1_and_12_of_each(client, people, district, n,
                                                                 django_assert_num_queries):
    squad, leader = district.squads[0], people["squad1"]
    for i in range(n):
        log_finding(by=people["inspector1"], minor=f"店外经营{i}")
        make_task(campaign=district.campaign, unit=squad, responsible=leader, by=leader)
    _signed_in(client, leader)
    cache.clear()
    client.get(reverse("todo"))
    # The session, the user, the top bar's count and reminders; findings: figures and one list; tasks: figures
    # and one list; meetings: one list.
    with django_assert_num_queries(9):
        page = client.get(reverse("todo"))
    assert page.content.decode().count('class="todo-entry') == 2 * n


def test_the_home_page_of_a_squad_leader_is_their_day(client, people, district):
    overdue(log_finding(by=people["inspector1"]))
    body = _signed_in(client, people["squad1"]).get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "今日工作" in body and "全部待办" in body
    assert body.index("今日工作") < body.index(district.campaign.name)
    assert re.search(r"逾期 \d+ 分钟", body)
    admin_home = _signed_in(client, people["admin"]).get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "今日工作" not in admin_home


def test_nothing_to_do_says_so(client, people):
    body = _signed_in(client, people["squad3"]).get(reverse("todo"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "暂无待办" in body
    assert _count(client) == 0


def test_signed_out_the_todo_page_asks_to_sign_in_and_the_poll_stops(client):
    answer = client.get(reverse("todo"))
    assert answer.status_code == 302 and reverse("login") in answer["Location"]
    # The top bar's poll must not paste the sign-in page into the bar: 286 is htmx's "stop polling".
    answer = client.get(reverse("todo_count"))
    assert answer.status_code == 286 and answer.content == b""
