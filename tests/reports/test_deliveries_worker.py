"""Deliveries on a real Celery worker through Redis: the job re-queues itself for the moment the robot's
window frees or a retry is due (an ``eta``), instead of the every-minute sweep jobs in-process rely on."""

import pytest
from django.db import transaction

from reports.models import Delivery, Notice, Robot
from reports.services import deliveries
from tests import factories as f
from tests.celery_worker import running_workers, wait_for
from tests.fake_gateways import WECOM_PATH
from tests.inspections.factories import log_finding
from tests.reports.test_deliveries import robot_message

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

KEY = "wecom-worker-key-01"
WINDOW = 3  # seconds: the robots' minute, shortened so the test waits seconds, not a minute


@pytest.fixture
def robot(gateways, settings):
    gateways.wecom_keys.add(KEY)
    gateways.window = float(WINDOW)  # the fake refuses a 21st message within the window, as 企业微信 does
    settings.ROBOT_WINDOW_SECONDS = WINDOW
    return Robot.objects.create(unit=f.UnitFactory(name="和平中队"), name="和平中队工作群", key=KEY)


def worker_env(gateways) -> dict:
    return {"WECOM_WEBHOOK_URL": gateways.base + WECOM_PATH, "ROBOT_WINDOW_SECONDS": str(WINDOW),
            "CHANNEL_RETRY_SECONDS": "1", "CHANNEL_HTTP_TIMEOUT": "1",
            "SMS_BACKEND": "campaign.core.channels.sms.ConsoleSMSBackend"}


def test_21_messages_to_one_robot_are_spread_over_two_windows_by_the_worker(robot, gateways):
    with running_workers(1, extra_env=worker_env(gateways)):
        with transaction.atomic():  # queued when this commits, through the outbox
            for i in range(21):
                deliveries.plan_for_robot(key=f"burst:{i}", robot=robot, message=robot_message(i))
        wait_for(lambda: len(gateways.messages()) == 21, timeout=30)
    times = sorted(r["at"] for r in gateways.received if r["ok"])
    assert times[19] - times[0] < WINDOW  # twenty at once …
    assert times[20] - times[0] >= WINDOW - 0.05  # … the 21st when the first place of the window freed
    assert not [r for r in gateways.received if not r["ok"]]  # the fake never had to refuse one
    assert sorted(m["markdown"]["content"] for m in gateways.messages()) == sorted(f"第{i}条" for i in range(21))
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_the_worker_tries_again_after_500s(robot, gateways):
    gateways.script += [500, 500]
    with running_workers(1, extra_env=worker_env(gateways)):
        with transaction.atomic():
            row = deliveries.plan_for_robot(key="retry", robot=robot, message=robot_message(1))
        wait_for(lambda: Delivery.objects.filter(pk=row.pk, status=Delivery.Status.SENT).exists(), timeout=30)
    row.refresh_from_db()
    assert row.attempts == 3 and len(gateways.received) == 3 and len(gateways.messages()) == 1


def test_a_finding_dispatched_on_the_web_reaches_the_units_robot_through_the_worker(robot, gateways):
    f.CampaignFactory()
    leader = f.squad_leader(robot.unit, phone="13812345678", quiet_from=None, quiet_until=None)
    site = f.SiteFactory(unit=robot.unit, name="和平路")
    with running_workers(1, extra_env=worker_env(gateways)):
        finding = log_finding(by=f.inspector(), site=site)  # commits; the outbox queues the hand-off
        (body,) = wait_for(lambda: gateways.messages(), timeout=30)
        wait_for(lambda: not Delivery.objects.exclude(status=Delivery.Status.SENT).exists(), timeout=30)
    assert body["text"]["mentioned_mobile_list"] == ["13812345678"]
    assert body["text"]["content"].startswith("【整改通知】和平路 店外经营（督察中队，二级督查）")
    assert Notice.objects.get(user=leader).key == f"finding:{finding.pk}:dispatched"
    assert set(Delivery.objects.values_list("channel", flat=True)) == {"wecom", "sms", "email"}
