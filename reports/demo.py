"""Demo: the bulletins of the campaign's past weeks, this month's proposed agenda, and today's reminders."""

from __future__ import annotations

import datetime

from django.utils import timezone

from reports import services
from reports.figures import campaign_weeks
from reports.selectors import meeting_date


def seed(district) -> None:
    campaign = district.campaign
    today = timezone.localdate()
    last_week_end = today - datetime.timedelta(days=today.weekday() + 1)
    for iso_year, iso_week in campaign_weeks(campaign, last_week_end):
        bulletin, created = services.write_bulletin(campaign_id=campaign.pk, iso_year=iso_year, iso_week=iso_week)
        if created:
            services.publish_bulletin(bulletin=bulletin, by=None, email=False)
    month = today.replace(day=1)
    if meeting_date(campaign, month) < today:  # this month's meeting is past: prepare next month's
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    services.propose_meeting(campaign_id=campaign.pk, month=month, today=today)
    services.remind(campaign=campaign, today=today)
