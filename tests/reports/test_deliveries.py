"""Deliveries through the channels, with jobs in-process and the fake gateways: a dispatched finding
reaches the unit's robot and leader; pacing, retries, failure, no duplicates, quiet hours."""

import datetime
import time
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone

from campaign.core.channels import Message
from campaign.core.outbox import OutboxMessage
from reports import jobs, services
from reports.models import Delivery, Notice, Robot
from reports.services import deliveries
from tests import factories as f
from tests.inspections.factories import log_finding

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
WECOM_KEY, DING_TOKEN, DING_SECRET = "wecom-squad-key-0001", "d" * 64, "SECsquadsecret0001"


@pytest.fixture
def squad(gateways):
    unit = f.UnitFactory(name="和平中队")
    # No quiet hours: these tests must not depend on the hour they run at (quiet hours have their own tests).
    leader = f.squad_leader(unit, phone="13812345678", full_name="王中队长", quiet_from=None, quiet_until=None)
    gateways.wecom_keys.add(WECOM_KEY)
    gateways.dingtalk[DING_TOKEN] = DING_SECRET
    wecom = Robot.objects.create(unit=unit, name="和平中队工作群", kind=Robot.Kind.WECOM, key=WECOM_KEY)
    return unit, leader, wecom


@pytest.fixture
def site(squad):
    return f.SiteFactory(unit=squad[0], name="和平路")


def dispatch(site, django_capture_on_commit_callbacks, **kw):
    with django_capture_on_commit_callbacks(execute=True):
        return log_finding(by=f.inspector(), site=site, **kw)


def robot_message(n: int) -> Message:
    return Message(title="整改通知", text=f"第{n}条", markdown=f"第{n}条")


def test_a_dispatched_finding_reaches_the_units_robot_with_the_leader_mentioned(
        squad, site, gateways, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://bairi.example"
    f.CampaignFactory()
    finding = dispatch(site, django_capture_on_commit_callbacks)
    deadline = timezone.localtime(finding.deadline, SHANGHAI)
    line = (f"【整改通知】和平路 店外经营（督察中队，二级督查）请于 {deadline.month}月{deadline.day}日 "
            f"{deadline:%H:%M} 前整改。")
    link = f"https://bairi.example/inspections/findings/{finding.pk}/"
    assert gateways.messages() == [{"msgtype": "text", "text": {
        "content": f"{line}查看：{link}", "mentioned_mobile_list": ["13812345678"]}}]
    assert Delivery.objects.get(robot=squad[2]).status == Delivery.Status.SENT


def test_the_units_leader_gets_a_notice_an_sms_and_an_email(squad, site, sms, django_capture_on_commit_callbacks):
    f.CampaignFactory()
    _unit, leader, _robot = squad
    finding = dispatch(site, django_capture_on_commit_callbacks)
    notice = Notice.objects.get(user=leader)
    assert (notice.kind, notice.key, notice.url) == ("dispatched", f"finding:{finding.pk}:dispatched",
                                                     f"/inspections/findings/{finding.pk}/")
    assert notice.message.startswith("【整改通知】和平路 店外经营") and "查看" not in notice.message
    (mobile, text), = sms
    assert mobile == "13812345678" and text.startswith("【整改通知】和平路") and text.endswith(
        f"查看：http://127.0.0.1:8000/inspections/findings/{finding.pk}/")
    (email,) = mail.outbox
    assert email.to == [leader.email] and email.subject == "整改通知" and email.body == text
    assert notice.emailed_at is not None  # the daily digest will not email it again


def test_a_dingtalk_robot_gets_the_signed_markdown_with_the_mention_in_the_text(
        squad, site, gateways, django_capture_on_commit_callbacks):
    f.CampaignFactory()
    Robot.objects.filter(pk=squad[2].pk).update(enabled=False)
    Robot.objects.create(unit=squad[0], name="和平中队钉钉群", kind=Robot.Kind.DINGTALK, key=DING_TOKEN,
                         secret=DING_SECRET)
    finding = dispatch(site, django_capture_on_commit_callbacks)
    (body,) = gateways.messages()  # the fake recomputed the signature before it took it
    assert body["msgtype"] == "markdown" and body["at"] == {"atMobiles": ["13812345678"], "isAtAll": False}
    assert body["markdown"]["title"] == "整改通知"
    assert body["markdown"]["text"].endswith(f"[查看](http://127.0.0.1:8000/inspections/findings/{finding.pk}/)"
                                             " @13812345678")


def test_another_units_robot_hears_nothing(squad, gateways, django_capture_on_commit_callbacks):
    f.CampaignFactory()
    other = f.SiteFactory(unit=f.UnitFactory(name="另一中队"))
    dispatch(other, django_capture_on_commit_callbacks)
    assert gateways.received == []


def test_the_jobs_run_twice_send_once(squad, site, gateways, sms, django_capture_on_commit_callbacks):
    f.CampaignFactory()
    finding = dispatch(site, django_capture_on_commit_callbacks)
    rows = Delivery.objects.count()
    jobs.announce_dispatch(finding.pk)
    for delivery in Delivery.objects.all():
        jobs.deliver(delivery.pk)
    assert (Delivery.objects.count(), len(gateways.received), len(sms), len(mail.outbox)) == (rows, 1, 1, 1)
    assert Notice.objects.count() == 1


def test_a_finding_closed_before_the_job_ran_is_not_announced(squad, site, gateways):
    f.CampaignFactory()
    finding = log_finding(by=f.inspector(), site=site)  # the after-commit job has not run
    finding.status = "closed"
    finding.closed_at = timezone.now()
    finding.save()
    assert jobs.announce_dispatch(finding.pk) == 0 and gateways.received == []


def test_a_dispatch_that_rolls_back_queues_nothing(squad, site):
    from django.db import transaction

    f.CampaignFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        log_finding(by=f.inspector(), site=site)
        raise RuntimeError
    assert not OutboxMessage.objects.filter(job="reports.jobs.announce_dispatch").exists()


# --- pacing ---------------------------------------------------------------------------------------

def plan(robot, n: int, key="burst") -> list[Delivery]:
    return [deliveries.plan_for_robot(key=f"{key}:{i}", robot=robot, message=robot_message(i)) for i in range(n)]


def test_21_messages_in_a_minute_to_one_robot_are_spread_and_none_is_dropped(squad, gateways):
    gateways.window = 0  # the clock below is simulated; the fake's own limit counts real seconds
    rows = plan(squad[2], 21)
    t0 = timezone.now()
    waits = [deliveries.deliver(delivery_id=d.pk, now=t0 + datetime.timedelta(seconds=i)) for i, d in enumerate(rows)]
    assert waits[:20] == [None] * 20 and len(gateways.received) == 20
    # When the first of the window's 20 places frees: 60 s after the gateway answered the first message.
    assert t0 + datetime.timedelta(seconds=60) < waits[20] < t0 + datetime.timedelta(seconds=61)
    assert Delivery.objects.get(pk=rows[20].pk).status == Delivery.Status.PENDING
    assert deliveries.deliver_due(now=t0 + datetime.timedelta(seconds=59)) == 0
    assert deliveries.deliver_due(now=waits[20]) == 1
    assert [m["markdown"]["content"] for m in gateways.messages()] == [f"第{i}条" for i in range(21)]
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_pacing_holds_against_the_real_clock_and_the_gateways_own_limit(squad, gateways, settings):
    settings.ROBOT_WINDOW_SECONDS, gateways.window = 2, 2.0  # the fake answers 45009 past 20 in 2 s
    rows = plan(squad[2], 21)
    started = time.monotonic()
    for d in rows:
        jobs.deliver(d.pk)  # in-process: returns at once, never waits out the window
    assert time.monotonic() - started < 1.5
    waiting = Delivery.objects.get(pk=rows[20].pk)
    assert waiting.status == Delivery.Status.PENDING and waiting.attempts == 0
    time.sleep(max(0.0, (waiting.next_attempt_at - timezone.now()).total_seconds()) + 0.05)
    assert deliveries.deliver_due() == 1
    assert len(gateways.messages()) == 21 and not [r for r in gateways.received if not r["ok"]]


def test_a_try_at_the_moment_the_window_frees_gets_its_place(squad, gateways):
    (row,) = plan(squad[2], 1)
    # 0.4 µs past a whole second: a datetime, which keeps whole microseconds, rounds it down.
    stamp = int(timezone.now().timestamp()) + 2 + 0.0000004
    Robot.objects.filter(pk=squad[2].pk).update(recent_sends=[stamp] * 20)
    held = deliveries.deliver(delivery_id=row.pk, now=datetime.datetime.fromtimestamp(stamp + 5, tz=datetime.UTC))
    assert held is not None and held.timestamp() > stamp + 60
    assert deliveries.deliver(delivery_id=row.pk, now=held) is None
    row.refresh_from_db()
    assert row.status == Delivery.Status.SENT


def test_the_window_is_per_robot(squad, gateways):
    gateways.window = 0
    other = Robot.objects.create(unit=squad[0], name="第二个群", kind=Robot.Kind.WECOM, key="wecom-second-key")
    gateways.wecom_keys.add("wecom-second-key")
    rows = plan(squad[2], 20) + plan(other, 20)
    t0 = timezone.now()
    for d in rows:
        assert deliveries.deliver(delivery_id=d.pk, now=t0) is None
    assert len(gateways.received) == 40


# --- retries and failure ----------------------------------------------------------------------------

def test_a_robot_answering_500_is_tried_again_with_back_off_until_it_takes_the_message(squad, gateways):
    gateways.script += [500, 502]
    (row,) = plan(squad[2], 1)
    t0 = timezone.now()
    assert deliveries.deliver(delivery_id=row.pk, now=t0) == t0 + datetime.timedelta(seconds=60)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Delivery.Status.PENDING, 1) and row.answer.startswith("HTTP 500")
    t1 = t0 + datetime.timedelta(seconds=60)
    assert deliveries.deliver(delivery_id=row.pk, now=t1) == t1 + datetime.timedelta(seconds=120)
    assert deliveries.deliver(delivery_id=row.pk, now=t1 + datetime.timedelta(seconds=120)) is None
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Delivery.Status.SENT, 3) and '"errcode": 0' in row.answer
    assert len(gateways.messages()) == 1


def test_a_timeout_is_tried_again(squad, gateways, settings):
    settings.CHANNEL_HTTP_TIMEOUT, gateways.hang_seconds = 0.3, 1.0
    gateways.script.append("timeout")
    (row,) = plan(squad[2], 1)
    assert deliveries.deliver(delivery_id=row.pk) is not None
    row.refresh_from_db()
    assert row.status == Delivery.Status.PENDING and row.answer.startswith("no answer")
    assert deliveries.deliver(delivery_id=row.pk, now=row.next_attempt_at) is None
    row.refresh_from_db()
    assert row.status == Delivery.Status.SENT


def test_after_the_last_try_the_delivery_is_failed_with_the_gateways_answer(squad, gateways, settings):
    settings.CHANNEL_MAX_ATTEMPTS = 3
    gateways.script += [500, 500, 503]
    (row,) = plan(squad[2], 1)
    at = timezone.now()
    while (at := deliveries.deliver(delivery_id=row.pk, now=at)) is not None:
        pass
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Delivery.Status.FAILED, 3)
    assert row.answer == 'HTTP 503 {"errcode": -1, "errmsg": "scripted 503"}'


def test_a_wrong_key_fails_at_once(squad, gateways):
    gateways.wecom_keys.clear()
    (row,) = plan(squad[2], 1)
    assert deliveries.deliver(delivery_id=row.pk) is None
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Delivery.Status.FAILED, 1) and "93000" in row.answer


def test_a_robot_that_is_down_loses_nothing(squad, gateways, settings):
    url = settings.WECOM_WEBHOOK_URL
    settings.WECOM_WEBHOOK_URL = "http://127.0.0.1:9/cgi-bin/webhook/send"
    rows = plan(squad[2], 3)
    at = timezone.now()
    for d in rows:
        deliveries.deliver(delivery_id=d.pk, now=at)
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.PENDING}
    settings.WECOM_WEBHOOK_URL = url  # back up
    assert deliveries.deliver_due(now=at + datetime.timedelta(minutes=2)) == 3
    assert len(gateways.messages()) == 3


def test_the_admin_sends_a_failed_delivery_again(squad, gateways, django_capture_on_commit_callbacks):
    gateways.script.append({"errcode": 93000, "errmsg": "invalid webhook url"})
    (row,) = plan(squad[2], 1)
    deliveries.deliver(delivery_id=row.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.delivery_resend(delivery=row, by=f.admin())
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Delivery.Status.SENT, 1)
    assert not services.delivery_resend(delivery=row, by=f.admin())  # sent: left alone


def test_a_delivery_whose_worker_died_while_sending_is_tried_again(squad, gateways):
    (row,) = plan(squad[2], 1)
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    Delivery.objects.filter(pk=row.pk).update(status=Delivery.Status.SENDING, claimed_at=long_ago, attempts=1)
    assert deliveries.deliver_due() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Delivery.Status.SENT, 2)


def test_a_switched_off_robot_fails_its_waiting_messages(squad, gateways):
    (row,) = plan(squad[2], 1)
    Robot.objects.filter(pk=squad[2].pk).update(enabled=False)
    deliveries.deliver(delivery_id=row.pk)
    row.refresh_from_db()
    assert row.status == Delivery.Status.FAILED and gateways.received == []


# --- a person's channels and quiet hours ------------------------------------------------------------

def night(hour: int, minute: int = 0, day: int = 1) -> datetime.datetime:
    """``hour`` o'clock ``day`` days from today: after the notice the test makes now is due."""
    date = timezone.localdate(timezone.now(), SHANGHAI) + datetime.timedelta(days=day)
    return datetime.datetime.combine(date, datetime.time(hour, minute), tzinfo=SHANGHAI)


def person_notice(kind: str, **person) -> Notice:
    user = f.member(f.UnitFactory(), phone="13900000001", **person)
    notice, _ = services.notify(user=user, kind=kind, key=f"test:{kind}", message="测试事项", url="/tasks/1/")
    return notice


def test_sms_wait_for_the_end_of_quiet_hours_and_email_does_not(sms):
    notice = person_notice(Notice.Kind.TASK)
    by_channel = {d.channel: d for d in notice.deliveries.all()}
    assert deliveries.deliver(delivery_id=by_channel["sms"].pk, now=night(23)) == night(7, day=2)
    assert deliveries.deliver(delivery_id=by_channel["email"].pk, now=night(23)) is None
    assert sms == [] and len(mail.outbox) == 1
    assert deliveries.deliver_due(now=night(7, day=2)) == 1
    assert sms == [("13900000001", "【任务变更】测试事项。查看：http://127.0.0.1:8000/tasks/1/")]


def test_an_escalation_comes_by_sms_through_quiet_hours(sms):
    notice = person_notice(Notice.Kind.ESCALATION)
    (delivery,) = notice.deliveries.all()  # escalations are emailed in the daily digest
    assert (delivery.channel, delivery.urgent) == ("sms", True)
    assert deliveries.deliver(delivery_id=delivery.pk, now=night(23)) is None
    assert len(sms) == 1


def test_a_person_who_turned_sms_and_email_off_gets_neither(sms):
    notice = person_notice(Notice.Kind.TASK, notify_by_sms=False, notify_by_email=False)
    assert not notice.deliveries.exists()
    services.email_notice_digests()
    assert mail.outbox == []


def test_daily_reminders_stay_in_the_app_and_the_digest(sms):
    notice = person_notice(Notice.Kind.OVERDUE)
    assert not notice.deliveries.exists()
    assert services.email_notice_digests() == 1


def test_a_notice_made_twice_is_pushed_once():
    notice = person_notice(Notice.Kind.TASK)
    again, created = services.notify(user=notice.user, kind=notice.kind, key=notice.key, message="测试事项")
    assert (again, created) == (notice, False)
    assert Delivery.objects.count() == 2


# --- the loop's other hand-offs -------------------------------------------------------------------

INSPECT_KEY = "wecom-inspect-key-001"


@pytest.fixture
def inspector(gateways):
    person = f.inspector(phone="13900001111", full_name="李督查", quiet_from=None, quiet_until=None)
    gateways.wecom_keys.add(INSPECT_KEY)
    Robot.objects.create(unit=person.unit, name="督察中队工作群", kind=Robot.Kind.WECOM, key=INSPECT_KEY)
    return person


def _forget(gateways, sms):
    gateways.received.clear()
    sms.clear()
    mail.outbox.clear()


def test_a_submitted_rectification_reaches_the_inspector_and_the_inspection_squads_group(
        squad, site, inspector, gateways, sms, django_capture_on_commit_callbacks):
    from tests.inspections.factories import rectify

    f.CampaignFactory()
    with django_capture_on_commit_callbacks(execute=True):
        finding = log_finding(by=inspector, site=site)
    _forget(gateways, sms)
    with django_capture_on_commit_callbacks(execute=True):
        rectify(finding, by=squad[1])
    rectified = timezone.localtime(finding.rectifications.get().at, SHANGHAI)
    line = (f"【待核查】和平路 店外经营：和平中队已于 {rectified.month}月{rectified.day}日 {rectified:%H:%M} "
            "整改，请核查销号。")
    link = f"http://127.0.0.1:8000/inspections/findings/{finding.pk}/"
    notice = Notice.objects.get(user=inspector)
    assert (notice.kind, notice.message, notice.url) == ("rectified", line, f"/inspections/findings/{finding.pk}/")
    assert gateways.messages() == [{"msgtype": "text", "text": {  # only the inspection squad's group
        "content": f"{line}查看：{link}", "mentioned_mobile_list": ["13900001111"]}}]
    assert sms == [("13900001111", f"{line}查看：{link}")] and mail.outbox[0].to == [inspector.email]
    assert not Notice.objects.filter(user=squad[1], kind="rectified").exists()
    rows = Delivery.objects.count()
    assert jobs.announce_rectified(finding.rectifications.get().pk) == 0 and Delivery.objects.count() == rows


def test_a_rectification_returned_for_rework_reaches_the_unit_with_the_reason_and_the_new_deadline(
        squad, site, inspector, gateways, sms, django_capture_on_commit_callbacks):
    from inspections import services as inspection_services
    from tests.inspections.factories import rectify

    f.CampaignFactory()
    _unit, leader, _robot = squad
    with django_capture_on_commit_callbacks(execute=True):
        finding = rectify(log_finding(by=inspector, site=site), by=leader)
    _forget(gateways, sms)
    new_deadline = timezone.now() + datetime.timedelta(hours=30)
    with django_capture_on_commit_callbacks(execute=True):
        inspection_services.finding_return(finding=finding, by=inspector, note="门口仍有杂物堆放",
                                           new_deadline=new_deadline)
    due = timezone.localtime(new_deadline, SHANGHAI)
    line = (f"【返工通知】和平路 店外经营（督察中队）：门口仍有杂物堆放。请于 {due.month}月{due.day}日 {due:%H:%M} "
            f"前重新整改。")
    notice = Notice.objects.get(user=leader, kind="returned")
    assert notice.message == line
    link = f"http://127.0.0.1:8000/inspections/findings/{finding.pk}/"
    assert gateways.messages() == [{"msgtype": "text", "text": {  # the unit's group, not the inspectors'
        "content": f"{line}查看：{link}", "mentioned_mobile_list": ["13812345678"]}}]
    assert sms == [("13812345678", f"{line}查看：{link}")]


def test_a_hand_off_already_answered_is_not_announced(squad, site, inspector, gateways):
    from tests.inspections.factories import close, rectify

    f.CampaignFactory()
    finding = rectify(log_finding(by=inspector, site=site), by=squad[1])  # the after-commit jobs have not run
    close(finding, by=inspector)
    assert jobs.announce_rectified(finding.rectifications.get().pk) == 0 and gateways.received == []


def test_a_close_reaches_the_unit_and_its_group_without_asking_anything(
        squad, site, inspector, gateways, sms, django_capture_on_commit_callbacks):
    from tests.inspections.factories import close, rectify

    f.CampaignFactory()
    _unit, leader, _robot = squad
    with django_capture_on_commit_callbacks(execute=True):
        finding = rectify(log_finding(by=inspector, site=site), by=leader)
    _forget(gateways, sms)
    with django_capture_on_commit_callbacks(execute=True):
        finding = close(finding, by=inspector)
    at = timezone.localtime(finding.closed_at, SHANGHAI)
    line = (f"【已销号】和平路 店外经营（督察中队，二级督查）：已于 {at.month}月{at.day}日 {at:%H:%M} 核查销号，"
            "按期整改。")
    notice = Notice.objects.get(user=leader, kind="closed")
    assert (notice.message, notice.key) == (line, f"finding:{finding.pk}:closed")
    link = f"http://127.0.0.1:8000/inspections/findings/{finding.pk}/"
    # Nobody is @-ed and nothing is texted or emailed: the group and the app are enough for good news.
    assert gateways.messages() == [{"msgtype": "markdown", "markdown": {"content": f"{line}[查看]({link})"}}]
    assert sms == [] and mail.outbox == []
    assert jobs.announce_closed(finding.verifications.get().pk) == 0


def test_a_finding_sent_back_reaches_the_inspection_squads_group_and_its_redispatch_the_rightful_units(
        squad, site, inspector, gateways, sms, django_capture_on_commit_callbacks):
    from inspections import services as inspection_services
    from reports import pressure

    campaign = f.CampaignFactory()
    _unit, leader, _robot = squad
    rightful = f.UnitFactory(name="解放中队")
    rightful_leader = f.squad_leader(rightful, phone="13800000002", quiet_from=None, quiet_until=None)
    gateways.wecom_keys.add("wecom-rightful-0002")
    Robot.objects.create(unit=rightful, name="解放中队工作群", kind=Robot.Kind.WECOM, key="wecom-rightful-0002")
    with django_capture_on_commit_callbacks(execute=True):
        finding = log_finding(by=inspector, site=site)
    _forget(gateways, sms)
    with django_capture_on_commit_callbacks(execute=True):
        inspection_services.finding_send_back(finding=finding, by=leader, reason="该路段属解放中队辖区")
    line = "【退回】和平路 店外经营：和平中队退回，理由：该路段属解放中队辖区。请改派。"
    link = f"http://127.0.0.1:8000/inspections/findings/{finding.pk}/"
    assert Notice.objects.get(user=inspector, kind="sent_back").message == line
    assert gateways.messages() == [{"msgtype": "text", "text": {  # the inspection squad's group only
        "content": f"{line}查看：{link}", "mentioned_mobile_list": ["13900001111"]}}]
    _forget(gateways, sms)
    deadline = timezone.now() + datetime.timedelta(hours=20)
    with django_capture_on_commit_callbacks(execute=True):
        inspection_services.finding_redispatch(finding=finding, by=inspector, unit=rightful, deadline=deadline)
    due = timezone.localtime(deadline, SHANGHAI)
    line = (f"【改派】和平路 店外经营（督察中队，二级督查）经核实是你单位的，请于 {due.month}月{due.day}日 "
            f"{due:%H:%M} 前整改。")
    assert Notice.objects.get(user=rightful_leader, kind="dispatched").message == line
    assert gateways.messages() == [{"msgtype": "text", "text": {
        "content": f"{line}查看：{link}", "mentioned_mobile_list": ["13800000002"]}}]
    # The gauge starts the rightful unit's clock at its own dispatch's push, not the first unit's.
    finding.refresh_from_db()
    (row,) = list(pressure.reached_findings(campaign, timezone.now() + datetime.timedelta(minutes=1)))
    pushed = Delivery.objects.filter(key__startswith=f"finding:{finding.pk}:dispatched:").order_by("sent_at")
    assert row[0] == rightful.pk and row[1] == finding.dispatched_at and row[2] == pushed.first().sent_at


def _due(finding, *, yellow_ago: datetime.timedelta, deadline_in: datetime.timedelta):
    from inspections.models import Finding

    now = timezone.now()
    yellow_at, deadline = now - yellow_ago, now + deadline_in
    Finding.objects.filter(pk=finding.pk).update(clock_start=min(yellow_at, deadline) - datetime.timedelta(days=1),
                                                 yellow_at=yellow_at, deadline=deadline)
    finding.refresh_from_db()
    return finding


def test_a_yellow_light_reaches_the_unit_once_per_deadline(squad, site, inspector, gateways, sms,
                                                           django_capture_on_commit_callbacks):
    f.CampaignFactory()
    _unit, leader, _robot = squad
    with django_capture_on_commit_callbacks(execute=True):
        finding = log_finding(by=inspector, site=site)
        untouched = log_finding(by=inspector, site=site, minor="乱堆乱放")  # still green
    _forget(gateways, sms)
    finding = _due(finding, yellow_ago=datetime.timedelta(minutes=1),
                   deadline_in=datetime.timedelta(hours=4, minutes=50))
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.light_tick() == 1  # the unit's robot; no SMS, no email
    due = timezone.localtime(finding.deadline, SHANGHAI)
    line = (f"【即将到期】和平路 店外经营（督察中队，二级督查）剩余 4 小时，请于 {due.month}月{due.day}日 "
            f"{due:%H:%M} 前整改。")
    notice = Notice.objects.get(user=leader, kind="yellow")
    assert notice.message == line
    assert gateways.messages() == [{"msgtype": "text", "text": {
        "content": f"{line}查看：http://127.0.0.1:8000/inspections/findings/{finding.pk}/",
        "mentioned_mobile_list": ["13812345678"]}}]
    assert sms == [] and not Notice.objects.filter(key__startswith=f"finding:{untouched.pk}:yellow").exists()
    # Run again, and again after the light settles: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.light_tick() == 0
    assert len(gateways.messages()) == 1 and Notice.objects.filter(kind="yellow").count() == 1


def test_a_red_light_reaches_the_units_leader_by_sms_and_a_new_deadline_is_announced_afresh(
        squad, site, inspector, gateways, sms, django_capture_on_commit_callbacks):
    f.CampaignFactory()
    _unit, leader, _robot = squad
    with django_capture_on_commit_callbacks(execute=True):
        finding = log_finding(by=inspector, site=site)
    _forget(gateways, sms)
    _due(finding, yellow_ago=datetime.timedelta(hours=5), deadline_in=-datetime.timedelta(minutes=3))
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_lights()
    notice = Notice.objects.get(user=leader, kind__in=["red", "yellow"])
    assert notice.kind == "red" and notice.message.startswith("【已逾期】和平路 店外经营（督察中队，二级督查）")
    assert notice.message.endswith("前未整改，请立即整改。")
    assert [mobile for mobile, _text in sms] == ["13812345678"] and len(gateways.messages()) == 1
    # Given a new deadline (as a return for rework would), the light is news again.
    _due(finding, yellow_ago=datetime.timedelta(minutes=1), deadline_in=datetime.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_lights()
    assert set(Notice.objects.filter(user=leader).values_list("kind", flat=True)) == {"dispatched", "red", "yellow"}


def test_a_long_overdue_finding_climbs_to_the_units_supervisor_then_the_bureaus_head(
        squad, site, inspector, gateways, sms, django_capture_on_commit_callbacks):
    from accounts.models import Unit

    f.CampaignFactory(escalation_days=2)
    unit, leader, _robot = squad
    head = f.leader(full_name="陈局长", phone="13700000001", quiet_from=None, quiet_until=None)
    deputy = f.leader(full_name="林副局长", phone="13700000002", quiet_from=None, quiet_until=None)
    other = f.leader(full_name="王副局长", phone="13700000003")
    Unit.objects.filter(pk=unit.parent_id).update(supervisor=head)
    Unit.objects.filter(pk=unit.pk).update(supervisor=deputy)
    with django_capture_on_commit_callbacks(execute=True):
        finding = log_finding(by=inspector, site=site)
    _forget(gateways, sms)
    _due(finding, yellow_ago=datetime.timedelta(days=3), deadline_in=-datetime.timedelta(days=2, hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_lights()
    escalated = Notice.objects.filter(kind="escalation")
    assert [n.user for n in escalated] == [deputy]  # two days late: the 分管领导 only
    assert escalated.get().message.startswith("【督办】和平路 店外经营（和平中队）已逾期 2 天")
    assert ("13700000002", escalated.get().message + "查看：http://127.0.0.1:8000/inspections/findings/"
            f"{finding.pk}/") in sms
    with django_capture_on_commit_callbacks(execute=True):  # two days on, still open
        services.sweep_lights(now=timezone.now() + datetime.timedelta(days=2))
    assert sorted(n.user.full_name for n in Notice.objects.filter(kind="escalation")) == ["林副局长", "陈局长"]
    assert not Notice.objects.filter(user=other).exists()
    # The unit heard no new red light: it turned red more than a day ago, and 待办 carries it.
    assert not Notice.objects.filter(user=leader, kind="red").exists()
