"""A published bulletin reaches the leaders' group and each squad's group with its own line; an approved agenda
reaches each speaker. Jobs in-process, the fake 企业微信 gateway on 127.0.0.1."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Unit
from reports import jobs, services
from reports.models import Delivery, Notice, Robot
from tests.reports.builders import WEEK, build_week

pytestmark = pytest.mark.django_db

LINK = "http://127.0.0.1:8000"


def robot(gateways, unit, key):
    gateways.wecom_keys.add(key)
    return Robot.objects.create(unit=unit, name=f"{unit.name}工作群", kind=Robot.Kind.WECOM, key=key)


def by_key(gateways) -> dict[str, str]:
    return {r["query"]["key"]: r["json"]["markdown"]["content"] for r in gateways.received if r["ok"]}


def test_a_published_bulletin_gives_each_squad_its_own_line_and_the_leaders_the_district(
        gateways, django_capture_on_commit_callbacks):
    scene = build_week()
    robot(gateways, scene.a, "group-a-key-0001")
    robot(gateways, scene.b, "group-b-key-0001")
    robot(gateways, Unit.objects.get(kind=Unit.Kind.BUREAU), "leaders-key-0001")
    bulletin, _created = services.write_bulletin(campaign_id=scene.campaign.pk, iso_year=WEEK[0], iso_week=WEEK[1])
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_bulletin(bulletin=bulletin, by=scene.admin, email=False)
    rows = {row["unit"]: row for row in bulletin.figures["units"]}
    a, b = rows["第一中队"], rows["第二中队"]
    head = (f"【周通报】第{bulletin.number}期（{bulletin.week_start.month}月{bulletin.week_start.day}日—"
            f"{bulletin.week_end.month}月{bulletin.week_end.day}日）")
    link = f"[查看]({LINK}/reports/bulletins/{bulletin.pk}/)"
    sent = by_key(gateways)
    assert sent["group-a-key-0001"] == (
        f"{head}：第一中队本周在 2 个单位中排名第 {a['rank']}；按期整改率 {a['rates']['rectification_on_time']:g}%；"
        f"逾期未整改 {a['open_past_deadline']} 件。{link}")
    assert sent["group-b-key-0001"].startswith(f"{head}：第二中队本周在 2 个单位中排名第 {b['rank']}；")
    overall = bulletin.figures["overall"]
    assert sent["leaders-key-0001"] == (
        f"{head}已发布：全区按期整改率 {overall['rates']['rectification_on_time']:g}%，逾期未整改 "
        f"{overall['open_past_deadline']} 件；排名第一：{bulletin.figures['units'][0]['unit']}。{link}")
    # Published once, announced once, whatever reruns.
    assert jobs.announce_bulletin(bulletin.pk) == 0 and Delivery.objects.count() == 3


def test_the_squads_line_says_how_its_rank_moved_since_last_week(gateways):
    from reports.pushes import bulletin_message

    scene = build_week()
    bulletin, _created = services.write_bulletin(campaign_id=scene.campaign.pk, iso_year=WEEK[0], iso_week=WEEK[1])
    row = dict(bulletin.figures["units"][0], rank=3, rank_change=2)
    assert "排名第 3，↑2；" in bulletin_message(bulletin, url="/", row=row).text
    assert "，↓1；" in bulletin_message(bulletin, url="/", row=dict(row, rank_change=-1)).text
    assert "，持平；" in bulletin_message(bulletin, url="/", row=dict(row, rank_change=0)).text


def test_a_draft_bulletin_is_not_announced(gateways):
    scene = build_week()
    robot(gateways, scene.a, "group-a-key-0001")
    bulletin, _created = services.write_bulletin(campaign_id=scene.campaign.pk, iso_year=WEEK[0], iso_week=WEEK[1])
    assert jobs.announce_bulletin(bulletin.pk) == 0 and gateways.received == []


def test_an_approved_agenda_tells_each_speaker_what_they_speak_on(sms, django_capture_on_commit_callbacks):
    from reports.models import AgendaItem

    scene = build_week()
    meeting, _ = services.propose_meeting(campaign_id=scene.campaign.pk, month=datetime.date(2026, 11, 1),
                                          today=datetime.date(2026, 11, 22))
    meeting.date = timezone.localdate() + datetime.timedelta(days=3)
    meeting.location = "三楼会议室"
    meeting.save()
    for person in (scene.leader_a, scene.leader_b):
        person.phone, person.quiet_from, person.quiet_until = f"1381234567{person.pk % 10}", None, None
        person.save()
    unit_items = list(meeting.items.filter(unit=scene.a).order_by("order", "pk"))
    assert unit_items, "the proposed agenda gives squad A an item"
    named = meeting.items.filter(unit=scene.b).first() or AgendaItem.objects.create(
        meeting=meeting, kind=AgendaItem.Kind.OTHER, title="第二中队发言", unit=scene.b, order=99)
    named.speaker = scene.members_b[0]
    named.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_meeting(meeting=meeting, by=scene.admin)
    notice = Notice.objects.get(user=scene.leader_a, kind="speaking")
    date = meeting.date
    assert notice.message.startswith(f"【会议发言】{meeting.title}（{date.month}月{date.day}日，三楼会议室）：请就")
    assert all(f"“{item.title}”（{item.minutes} 分钟）" in notice.message for item in unit_items)
    assert notice.url == f"/reports/meetings/{meeting.pk}/"
    # The named speaker, not the squad's leader, speaks to squad B's item.
    assert Notice.objects.filter(user=scene.members_b[0], kind="speaking").exists()
    assert not Notice.objects.filter(user=scene.leader_b, kind="speaking").exists()
    assert any(mobile == scene.leader_a.phone and text.startswith("【会议发言】") for mobile, text in sms)
    assert jobs.announce_speakers(meeting.pk) == 0
