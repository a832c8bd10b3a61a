"""The pressure thermometer (上热中温下冷): medians from hand-off to first action per level, idle items, the
clock of a finding starting when its dispatch reached the unit, the leader's board and its links."""

import datetime
import io
import re

import docx
import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports import pressure
from reports.charts import thermometer_svg
from reports.models import Delivery
from tasks.models import Task
from tests import factories as f
from tests.reports.builders import Scene, at, d, finding, task

pytestmark = pytest.mark.django_db

END = at(11, 23, 0)


def scene() -> Scene:
    campaign = f.CampaignFactory(name="测试百日攻坚", start_date=d(10, 5), end_date=d(10, 5) + datetime.timedelta(99),
                                 evaluation_date=d(10, 5) + datetime.timedelta(100), idle_days=7)
    a = f.UnitFactory(name="第一中队", code="sa", sort_order=1)
    b = f.UnitFactory(name="第二中队", code="sb", sort_order=2)
    return Scene(campaign=campaign, a=a, b=b, leader_a=f.squad_leader(a), leader_b=f.squad_leader(b),
                 members_a=[f.member(a)], members_b=[f.member(b)], inspector=f.inspector(), leader=f.leader(),
                 admin=f.admin())


def chain(s: Scene) -> None:
    """Hot at the top, warm in the middle, cold at the bottom: the bureau's diagnosis, in rows."""
    bureau = f.bureau()
    task(s, "B", unit=bureau, responsible=s.leader, deadline=d(12, 20), level=Task.Level.BUREAU,
         assigned=at(11, 10, 8), response=at(11, 10, 10), activity=at(11, 22))  # 2 h
    ua = task(s, "UA", unit=s.a, responsible=s.leader_a, deadline=d(12, 20), level=Task.Level.UNIT,
              assigned=at(11, 10, 8), response=at(11, 11, 8), activity=at(11, 22))  # 24 h
    task(s, "UB", unit=s.b, responsible=s.leader_b, deadline=d(12, 20), level=Task.Level.UNIT,
         assigned=at(11, 10, 8), response=at(11, 11, 20), activity=at(11, 22))  # 36 h
    task(s, "a1", unit=s.a, responsible=s.members_a[0], deadline=d(12, 10), parent=ua, assigned=at(11, 10, 8),
         response=at(11, 15, 8), activity=at(11, 15, 8))  # 120 h, then idle since 11-15
    task(s, "a2", unit=s.a, responsible=s.members_a[0], deadline=d(12, 10), parent=ua, assigned=at(11, 12, 8),
         activity=at(11, 12, 8))  # never answered: waiting and idle


def test_the_chain_reads_hot_at_the_top_and_cold_at_the_bottom():
    s = scene()
    chain(s)
    levels = pressure.overall(pressure.thermometer(s.campaign, end=END))
    assert [(lv["level"], lv["median_hours"], lv["temperature"]) for lv in levels] == [
        ("bureau", 2.0, "hot"), ("squad", 30.0, "cool"), ("member", 120.0, "cold")]
    member = levels[2]
    assert (member["answered"], member["waiting"], member["idle"], member["idle_tasks"]) == (1, 1, 2, 2)


def test_by_squad_and_by_person_from_the_same_rows():
    s = scene()
    chain(s)
    figures = pressure.thermometers(s.campaign, end=END, by=("squad", "person"))
    assert figures["squad"]["squad"][s.a.pk]["median_hours"] == 24.0
    assert figures["squad"]["squad"][s.b.pk]["median_hours"] == 36.0
    assert figures["squad"]["member"][s.a.pk]["idle"] == 2 and s.b.pk not in figures["squad"]["member"]
    assert figures["person"]["member"][s.members_a[0].pk]["waiting"] == 1
    assert figures["person"]["squad"][s.leader_b.pk]["median_hours"] == 36.0


def test_a_findings_clock_starts_when_its_dispatch_reached_the_unit():
    s = scene()
    found = finding(s, "f", unit=s.a, tier=2, reported=at(11, 20, 9), deadline=at(11, 21, 9),
                    rectified=at(11, 20, 15))
    squad = pressure.thermometer(s.campaign, end=END, by="squad")["squad"][s.a.pk]
    assert squad["median_hours"] == 6.0  # no push got through: from the dispatch
    Delivery.objects.create(key=f"finding:{found.pk}:dispatched@20261120", channel=Delivery.Channel.SMS,
                            user=s.leader_a, title="整改通知", text="…", status=Delivery.Status.SENT,
                            sent_at=at(11, 20, 12))
    Delivery.objects.create(key=f"finding:{found.pk}:dispatched@20261120", channel=Delivery.Channel.EMAIL,
                            user=s.leader_a, title="整改通知", text="…", status=Delivery.Status.SENT,
                            sent_at=at(11, 20, 13))
    Delivery.objects.create(key=f"finding:{found.pk}:returned:1", channel=Delivery.Channel.SMS,  # another hand-off
                            user=s.leader_a, title="返工", text="…", status=Delivery.Status.SENT,
                            sent_at=at(11, 20, 10))
    squad = pressure.thermometer(s.campaign, end=END, by="squad")["squad"][s.a.pk]
    assert squad["median_hours"] == 3.0  # from the first push that got through, 12:00


def test_an_unrectified_finding_waits_and_after_the_idle_days_is_idle():
    s = scene()
    finding(s, "old", unit=s.a, tier=2, reported=at(11, 10, 9), deadline=at(11, 11, 9))
    finding(s, "new", unit=s.a, tier=2, reported=at(11, 20, 9), deadline=at(11, 21, 9))
    squad = pressure.thermometer(s.campaign, end=END)["squad"]["all"]
    assert (squad["waiting"], squad["idle_findings"], squad["median_hours"], squad["temperature"]) == (
        2, 1, None, "none")


def test_the_thermometer_is_drawn_with_each_levels_colour_and_figures():
    levels = [{"level": "bureau", "median_hours": 2.0, "waiting": 0, "idle": 0, "temperature": "hot"},
              {"level": "squad", "median_hours": 30.0, "waiting": 3, "idle": 1, "temperature": "cool"},
              {"level": "member", "median_hours": None, "waiting": 5, "idle": 4, "temperature": "none"}]
    svg = thermometer_svg(levels)
    assert svg.startswith("<svg") and svg.count("<rect") == 4
    assert 'fill="#c62828"' in svg and 'fill="#64b5f6"' in svg and 'fill="#d0d5da"' in svg
    assert "局领导：热" in svg and "中队长：凉" in svg and "队员：暂无数据" in svg
    assert "首次行动中位 30 小时" in svg and "待行动 3 件 · 无行动 1 件" in svg


# --- the board ----------------------------------------------------------------------------------

@pytest.fixture
def live(settings):
    """The scene's campaign running today, its rows moved so that "now" sees them as the tests mean."""
    s = scene()
    today = timezone.localdate()
    s.campaign.start_date, s.campaign.end_date = today - datetime.timedelta(days=30), today + datetime.timedelta(70)
    s.campaign.evaluation_date = today + datetime.timedelta(71)
    s.campaign.save()
    shift = timezone.now() - END
    chain(s)
    for row in Task.objects.all():
        Task.objects.filter(pk=row.pk).update(
            assigned_at=row.assigned_at + shift, last_activity_at=row.last_activity_at + shift,
            first_response_at=row.first_response_at + shift if row.first_response_at else None)
    return s


def test_the_board_shows_each_squad_and_person_and_links_to_the_idle_items(client, live):
    client.force_login(live.leader)
    response = client.get("/reports/pressure/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "上热中温下冷" in body and "<svg" in body and "第一中队" in body and "第二中队" in body
    assert f'href="/tasks/?unit={live.a.pk}&amp;level=personal&amp;idle=true">2</a>' in body
    assert f'href="/tasks/?responsible={live.members_a[0].pk}&amp;level=personal&amp;idle=true">2</a>' in body
    # The link's list holds exactly the rows behind the figure.
    listed = client.get(f"/tasks/?unit={live.a.pk}&level=personal&idle=true").content.decode()
    assert "任务a1" in listed and "任务a2" in listed and "任务UA" not in listed


def test_the_board_costs_the_same_queries_whatever_the_district(client, live):
    client.force_login(live.leader)
    client.get("/reports/pressure/")
    with CaptureQueriesContext(connection) as small:
        client.get("/reports/pressure/")
    for n in range(12):
        squad = f.UnitFactory(name=f"新{n}中队", code=f"x{n}")
        holder = f.squad_leader(squad)
        task(live, f"x{n}", unit=squad, responsible=holder, deadline=d(12, 20), level=Task.Level.UNIT,
             assigned=timezone.now() - datetime.timedelta(days=9))
    with CaptureQueriesContext(connection) as large:
        client.get("/reports/pressure/")
    assert len(large) == len(small)


def test_only_the_bureaus_leaders_and_admins_read_the_board(client, live):
    for person, status in ((live.leader_a, 403), (live.members_a[0], 403), (live.inspector, 403),
                           (live.admin, 200), (live.leader, 200)):
        client.force_login(person)
        assert client.get("/reports/pressure/").status_code == status
    client.force_login(live.leader)
    assert client.get("/reports/pressure/?page=abc").status_code == 200
    assert client.get("/reports/pressure/?page=99999").status_code == 200


def test_the_bulletin_carries_the_thermometer_of_its_week_on_the_web_and_in_the_pdf(client):
    from reports import documents, services

    s = scene()
    chain(s)
    bulletin, _created = services.write_bulletin(campaign_id=s.campaign.pk, iso_year=2026, iso_week=47)
    levels = bulletin.figures["pressure"]
    assert [(lv["level"], lv["median_hours"]) for lv in levels] == [("bureau", 2.0), ("squad", 30.0),
                                                                     ("member", 120.0)]
    client.force_login(s.leader)
    body = client.get(f"/reports/bulletins/{bulletin.pk}/").content.decode()
    assert 'aria-label="压力温度计：各层级从交办到首次行动的中位时间"' in body
    assert 'href="/tasks/?level=personal&amp;idle=true"' in body
    # The PDF is rendered from the same body, without the web's links; the Word file has the figures as a table.
    printed = render_to_string("reports/bulletin_pdf.html", {"bulletin": bulletin, "f": bulletin.figures,
                                                            "chart": "", "bureau": "区城管执法局", "pdf": True})
    assert "压力温度计" in printed and "idle=true" not in printed
    doc = docx.Document(io.BytesIO(documents.bulletin_docx(bulletin)))
    rows = [[cell.text for cell in row.cells] for table in doc.tables for row in table.rows]
    assert ["局领导", "2.0", "0", "0", "热"] in rows and ["队员", "120.0", "1", "2", "冷"] in rows


def test_the_findings_list_answers_the_idle_figure_with_its_rows(client, live):
    now = timezone.now()
    old = finding(live, "old", unit=live.a, tier=2, reported=now - datetime.timedelta(days=9),
                  deadline=now - datetime.timedelta(days=8))
    finding(live, "new", unit=live.a, tier=2, reported=now - datetime.timedelta(days=2),
            deadline=now - datetime.timedelta(days=1))
    finding(live, "answered", unit=live.a, tier=2, reported=now - datetime.timedelta(days=9),
            deadline=now - datetime.timedelta(days=8), rectified=now - datetime.timedelta(days=8, hours=2))
    board = pressure.board(live.campaign, now=now)
    row = next(r for r in board.squads if r["unit"].pk == live.a.pk)
    assert row["squad"]["idle_findings"] == 1
    client.force_login(live.leader)
    body = client.get(f"/inspections/findings/?unit={live.a.pk}&idle=true").content.decode()
    assert set(re.findall(r'href="/inspections/findings/(\d+)/"', body)) == {str(old.pk)}
