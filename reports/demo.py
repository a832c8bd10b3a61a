"""Demo: the bulletins of the campaign's past weeks, this month's proposed agenda, today's reminders, and a
group robot (switched off) for each squad, the inspection squad and the leaders."""

from __future__ import annotations

import datetime

from django.utils import timezone

from reports import services
from reports.figures import campaign_weeks
from reports.models import Robot
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
    services.sweep_lights()  # the yellow and red lights of today's open findings, as beat would every 5 min
    _robots(district)


def _robots(district) -> None:
    """Switched off, with placeholder keys: the demo needs no internet. An admin pastes the group's real
    webhook address, switches the robot on and sends it a test message."""
    units = [district.bureau, district.inspection, *district.squads]
    for i, unit in enumerate(units):
        kind = Robot.Kind.DINGTALK if i % 2 else Robot.Kind.WECOM
        name = "局领导工作群" if unit == district.bureau else f"{unit.name}工作群"
        if not Robot.objects.filter(unit=unit, name=name).exists():
            services.robot_save(by=district.people["admin"], robot=Robot(
                unit=unit, name=name, kind=kind, key=f"demo-{unit.code}-replace-me", enabled=False,
                secret="SECdemoreplaceme" if kind == Robot.Kind.DINGTALK else ""))
