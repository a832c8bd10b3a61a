"""Celery jobs of the reports app: thin, take ids, safe to repeat (DESIGN.md section 5).

The schedules live in ``campaign/schedules.py``. The bulletin tick runs every
hour and writes a bulletin only when a campaign's own bulletin time (weekday
and hour, in its time zone) has passed for the week and the bulletin is
missing; so changing a campaign's bulletin day needs no schedule change, and
a beat that was down catches up at its next tick.
"""

from __future__ import annotations

import datetime
import logging
import zoneinfo

from celery import shared_task
from django.utils import timezone

from campaign.models import Campaign
from campaign.selectors import active_campaigns
from reports import selectors, services

log = logging.getLogger(__name__)


def last_bulletin_moment(campaign, now: datetime.datetime) -> datetime.datetime:
    """The latest bulletin time (campaign weekday and hour, local) at or before ``now``."""
    tz = zoneinfo.ZoneInfo(campaign.timezone)
    local = now.astimezone(tz)
    monday = local.date() - datetime.timedelta(days=local.weekday())
    moment = datetime.datetime.combine(monday + datetime.timedelta(days=campaign.bulletin_weekday),
                                       datetime.time(campaign.bulletin_hour), tzinfo=tz)
    if moment > local:
        moment -= datetime.timedelta(days=7)
    return moment


def due_week(campaign, now: datetime.datetime) -> tuple[int, int] | None:
    """The ISO week whose bulletin is due by ``now``: the week before the latest bulletin time."""
    moment = last_bulletin_moment(campaign, now)
    iso = (moment.date() - datetime.timedelta(days=7)).isocalendar()
    start = datetime.date.fromisocalendar(iso.year, iso.week, 1)
    if start + datetime.timedelta(days=6) < campaign.start_date or start > campaign.end_date:
        return None
    return iso.year, iso.week


@shared_task(name="reports.jobs.bulletin_tick")
def bulletin_tick() -> list[int]:
    """Hourly: queue the due bulletin of each active campaign (writing it is idempotent)."""
    now = timezone.now()
    queued = []
    for campaign in active_campaigns() | active_campaigns(timezone.localdate() - datetime.timedelta(days=7)):
        week = due_week(campaign, now)
        if week is not None:
            write_weekly_bulletin.delay(campaign.pk, *week)
            queued.append(campaign.pk)
    return queued


@shared_task(name="reports.jobs.write_weekly_bulletin", bind=True, max_retries=3, default_retry_delay=60)
def write_weekly_bulletin(self, campaign_id: int, iso_year: int, iso_week: int) -> int:
    bulletin, created = services.write_bulletin(campaign_id=campaign_id, iso_year=iso_year, iso_week=iso_week)
    if created and Campaign.objects.filter(pk=campaign_id, bulletin_auto_publish=True).exists():
        services.publish_bulletin(bulletin=bulletin, by=None)
    log.info("bulletin %s for campaign %s week %s-W%s (%s)", bulletin.pk, campaign_id, iso_year, iso_week,
             "written" if created else "already there")
    return bulletin.pk


@shared_task(name="reports.jobs.export_meeting_pack", acks_late=True)
def export_meeting_pack(pack_id: int) -> int:
    return services.build_pack(pack_id=pack_id).pk


@shared_task(name="reports.jobs.meeting_tick")
def meeting_tick() -> list[int]:
    """Daily: propose the agenda of each active campaign's meeting once it is within its days ahead."""
    today = timezone.localdate()
    proposed = []
    for campaign in active_campaigns():
        month = selectors.due_meeting_month(campaign, today)
        if month is not None:
            meeting, created = services.propose_meeting(campaign_id=campaign.pk, month=month, today=today)
            if created:
                proposed.append(meeting.pk)
    return proposed


@shared_task(name="reports.jobs.send_reminders")
def send_reminders() -> int:
    """Daily: overdue and due-soon notices for each person, escalations upward, one email digest each."""
    created = sum(services.remind(campaign=c) for c in active_campaigns())
    services.email_notice_digests()
    return created


@shared_task(name="reports.jobs.notify_task_change", acks_late=True)
def notify_task_change(update_id: int) -> int:
    """Queued through the outbox when someone changes or assigns another person's task; safe to repeat."""
    return len(services.notify_task_change(update_id=update_id))


@shared_task(name="reports.jobs.announce_dispatch", acks_late=True)
def announce_dispatch(finding_id: int) -> int:
    """Queued through the outbox when a finding is dispatched: the unit's leaders and group robots hear of it."""
    return len(services.announce_dispatch(finding_id=finding_id))


@shared_task(name="reports.jobs.announce_rectified", acks_late=True)
def announce_rectified(rectification_id: int) -> int:
    """Queued through the outbox when a unit submits its rectification: the inspector must verify it."""
    return len(services.announce_rectified(rectification_id=rectification_id))


@shared_task(name="reports.jobs.announce_returned", acks_late=True)
def announce_returned(verification_id: int) -> int:
    """Queued through the outbox when a rectification is returned for rework: the unit must act again."""
    return len(services.announce_returned(verification_id=verification_id))


@shared_task(name="reports.jobs.announce_closed", acks_late=True)
def announce_closed(verification_id: int) -> int:
    """Queued through the outbox when a finding is closed (销号): the unit hears it is finished."""
    return len(services.announce_closed(verification_id=verification_id))


@shared_task(name="reports.jobs.announce_sent_back", acks_late=True)
def announce_sent_back(event_id: int) -> int:
    """Queued through the outbox when a unit sends a finding back as not theirs: the dispatcher re-dispatches."""
    return len(services.announce_sent_back(event_id=event_id))


@shared_task(name="reports.jobs.announce_handed", acks_late=True)
def announce_handed(event_id: int) -> int:
    """Queued through the outbox when a squad leader hands a finding to a member: the member must act."""
    return len(services.announce_handed(event_id=event_id))


@shared_task(name="reports.jobs.announce_withdrawn", acks_late=True)
def announce_withdrawn(event_id: int) -> int:
    """Queued through the outbox when an inspector withdraws a finding: the unit hears it is not wanted."""
    return len(services.announce_withdrawn(event_id=event_id))


@shared_task(name="reports.jobs.announce_extension_asked", acks_late=True)
def announce_extension_asked(request_id: int) -> int:
    """Queued through the outbox when a unit asks for more time: the dispatcher decides."""
    return len(services.announce_extension_asked(request_id=request_id))


@shared_task(name="reports.jobs.announce_extension_decided", acks_late=True)
def announce_extension_decided(request_id: int) -> int:
    """Queued through the outbox when more time is granted or refused: the unit hears its deadline."""
    return len(services.announce_extension_decided(request_id=request_id))


@shared_task(name="reports.jobs.announce_bulletin", acks_late=True)
def announce_bulletin(bulletin_id: int) -> int:
    """Queued through the outbox when a bulletin is published: the leaders' group and each squad's own line."""
    return len(services.announce_bulletin(bulletin_id=bulletin_id))


@shared_task(name="reports.jobs.announce_speakers", acks_late=True)
def announce_speakers(meeting_id: int) -> int:
    """Queued through the outbox when an agenda is approved: each speaker hears what they speak on."""
    return len(services.announce_speakers(meeting_id=meeting_id))


@shared_task(name="reports.jobs.light_tick")
def light_tick() -> int:
    """Every five minutes: findings whose light turned yellow or red, and long-overdue ones up the chain."""
    return len(services.sweep_lights())


@shared_task(name="reports.jobs.deliver", acks_late=True)
def deliver(delivery_id: int) -> str | None:
    """Send one delivery; when it must wait (quiet hours, a full robot window, a failed try) the service queues
    the next try itself. Safe to repeat: a row sent, failed or claimed by another worker is left alone."""
    again = services.deliver(delivery_id=delivery_id)
    return again.isoformat() if again else None


@shared_task(name="reports.jobs.deliver_due")
def deliver_due() -> int:
    """Every minute: the deliveries whose next try is due and that no job of their own will send."""
    return services.deliver_due()
