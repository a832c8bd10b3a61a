"""Bulletins and packs written by real Celery workers through Redis, as in production."""

import datetime

import pytest

from reports import services
from reports.jobs import bulletin_tick, write_weekly_bulletin
from reports.models import Bulletin, MeetingPack
from tests.celery_worker import running_workers, wait_for
from tests.reports.builders import WEEK, build_week

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_writes_the_bulletin():
    scene = build_week()
    with running_workers(1):
        pk = write_weekly_bulletin.delay(scene.campaign.pk, *WEEK).get(timeout=60)
    bulletin = Bulletin.objects.get(pk=pk)
    assert bulletin.number == 7 and bulletin.published_at is not None
    assert {u["unit"] for u in bulletin.figures["units"]} == {"第一中队", "第二中队"}


def test_two_workers_given_the_same_week_twice_leave_one_bulletin():
    scene = build_week()
    with running_workers(2):
        results = [write_weekly_bulletin.delay(scene.campaign.pk, *WEEK) for _ in range(6)]
        pks = {r.get(timeout=60) for r in results}
    assert len(pks) == 1
    assert Bulletin.objects.count() == 1


def test_the_hourly_tick_queues_the_due_week():
    from django.utils import timezone

    from reports.jobs import due_week
    from tests import factories as f

    campaign = f.CampaignFactory()  # started 30 days ago, so last week's bulletin is due
    week = due_week(campaign, timezone.now())
    with running_workers(1):
        assert bulletin_tick.delay().get(timeout=30) == [campaign.pk]
        bulletin = wait_for(lambda: Bulletin.objects.filter(campaign=campaign).first(), timeout=60)
    assert (bulletin.iso_year, bulletin.iso_week) == week


def test_a_real_worker_exports_the_meeting_pack():
    scene = build_week()
    services.write_bulletin(campaign_id=scene.campaign.pk, iso_year=WEEK[0], iso_week=WEEK[1])
    meeting, _ = services.propose_meeting(campaign_id=scene.campaign.pk, month=datetime.date(2026, 11, 1),
                                          today=datetime.date(2026, 11, 22))
    with running_workers(1):
        pack = services.request_pack(meeting=meeting, by=scene.admin)  # queued on commit (autocommit here)
        done = wait_for(lambda: MeetingPack.objects.filter(pk=pack.pk, status=MeetingPack.Status.DONE).first(),
                        timeout=90)
    assert done.progress == 100 and done.size > 1000
