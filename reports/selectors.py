"""Reads for bulletins, meetings and notices, and the agenda the meeting job proposes."""

from __future__ import annotations

import calendar
import datetime

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from accounts.access import is_admin, is_leader, restrict_to_units
from accounts.models import User
from campaign.models import Campaign
from inspections.models import Finding
from reports import indicators
from reports.indicators import SquadGroups, Week, leaf_tasks
from reports.models import AgendaItem, Bulletin, Delivery, Meeting, MeetingPack, Notice, Robot
from tasks.models import Task

#: Who reads bulletins (DESIGN.md section 6: leaders, squad leaders; admins publish; inspectors write the findings).
BULLETIN_READERS = frozenset({User.Role.ADMIN, User.Role.LEADER, User.Role.SQUAD_LEADER, User.Role.INSPECTOR})


def can_read_pressure(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or is_admin(user) or is_leader(user)))


def can_read_bulletins(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in BULLETIN_READERS))


def bulletins_visible_to(user) -> QuerySet[Bulletin]:
    """Current versions; drafts (not yet published) only for admins and leaders."""
    if not can_read_bulletins(user):
        return Bulletin.objects.none()
    qs = Bulletin.objects.select_related("campaign").filter(is_current=True)
    if not (is_admin(user) or is_leader(user)):
        qs = qs.filter(published_at__isnull=False)
    return qs.order_by("-iso_year", "-iso_week")


def bulletin_list(user) -> QuerySet[Bulletin]:
    """:func:`bulletins_visible_to` for the list page: each row with ``rates``, the two rates it shows.

    Only those are read out of the figures: a city's figures are hundreds of kilobytes of JSON a bulletin,
    and decoding them for every line was most of the page's time.
    """
    return bulletins_visible_to(user).defer("figures").annotate(
        rates=KeyTransform("rates", KeyTransform("overall", "figures")))


def bulletin_versions(bulletin: Bulletin) -> QuerySet[Bulletin]:
    return Bulletin.objects.filter(campaign_id=bulletin.campaign_id, iso_year=bulletin.iso_year,
                                   iso_week=bulletin.iso_week).select_related("generated_by").order_by("-version")


def bulletin_for(user, pk: int, *, any_version: bool = False) -> Bulletin:
    """A bulletin the user may read; Bulletin.DoesNotExist (→ 404) otherwise."""
    qs = bulletins_visible_to(user)
    if any_version and (is_admin(user) or is_leader(user)):
        qs = Bulletin.objects.select_related("campaign")
    # The figures are read when they are used: the page's body is cached (reports.views._bulletin_body).
    return qs.defer("figures").get(pk=pk)


def can_manage_meetings(user) -> bool:
    return is_admin(user)


def can_read_meetings(user) -> bool:
    return bool(user.is_authenticated and (is_admin(user) or is_leader(user)))


def meetings_visible_to(user) -> QuerySet[Meeting]:
    """Every meeting for leaders and admins; for anyone else the approved meetings they or their unit speak at,
    so a squad leader reads the agenda they speak to."""
    qs = Meeting.objects.select_related("campaign", "approved_by").order_by("-date")
    if can_read_meetings(user):
        return qs
    if not (user.is_authenticated and user.is_active):
        return Meeting.objects.none()
    return qs.filter(Exists(speaking_items(user).filter(meeting=OuterRef("pk"))), status=Meeting.Status.APPROVED)


def speaking_items(user) -> QuerySet[AgendaItem]:
    """The agenda items ``user`` speaks to: named as the speaker, or a squad leader for their unit's item."""
    mine = Q(speaker_id=user.pk)
    if user.role == User.Role.SQUAD_LEADER and user.unit_id:
        mine |= Q(unit_id=user.unit_id, speaker__isnull=True)
    return AgendaItem.objects.filter(mine)


def meeting_detail(user, pk: int) -> Meeting:
    return meetings_visible_to(user).prefetch_related("items__unit", "items__speaker").get(pk=pk)


def latest_pack(meeting: Meeting) -> MeetingPack | None:
    return meeting.packs.select_related("requested_by").first()


def month_bulletins(meeting: Meeting) -> QuerySet[Bulletin]:
    """The current bulletins of the weeks that end in the meeting's month."""
    last = meeting.month.replace(day=calendar.monthrange(meeting.month.year, meeting.month.month)[1])
    return Bulletin.objects.filter(campaign=meeting.campaign, is_current=True, week_end__gte=meeting.month,
                                   week_end__lte=last).order_by("iso_year", "iso_week")


def notices_for(user) -> QuerySet[Notice]:
    return Notice.objects.filter(user=user).order_by("-created_at")


def unread_count(user) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).count() if user.is_authenticated else 0


# --- group robots and deliveries --------------------------------------------------------

def robots_visible_to(user) -> QuerySet[Robot]:
    """The robots of the units ``user`` may see: another unit's robot does not exist for them (404)."""
    return restrict_to_units(Robot.objects.select_related("unit"), user)


def robot_list(user) -> QuerySet[Robot]:
    """Each robot with what its last week looked like, counted in the one query that lists them."""
    since = timezone.now() - datetime.timedelta(days=7)
    recent = Q(deliveries__created_at__gte=since)
    return robots_visible_to(user).annotate(
        sent_week=Count("deliveries", filter=recent & Q(deliveries__status=Delivery.Status.SENT)),
        failed_week=Count("deliveries", filter=recent & Q(deliveries__status=Delivery.Status.FAILED)),
        waiting=Count("deliveries", filter=Q(deliveries__status__in=[Delivery.Status.PENDING,
                                                                     Delivery.Status.SENDING])),
    ).order_by("unit__path", "name", "pk")


def robot_log(robot: Robot, limit: int = 50) -> QuerySet[Delivery]:
    """The robot's latest deliveries, newest first (delivery_robot_log_idx)."""
    return robot.deliveries.order_by("-created_at", "-pk")[:limit]


def deliveries_visible_to(user) -> QuerySet[Delivery]:
    """Every delivery for those who see every unit; for the others, those to their own units' robots."""
    return restrict_to_units(Delivery.objects.select_related("robot__unit", "user"), user, unit_field="robot__unit")


def delivery_list(user, *, status: str = "", channel: str = "") -> QuerySet[Delivery]:
    qs = deliveries_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    return qs.order_by("-created_at", "-pk")


# --- the monthly meeting ---------------------------------------------------------------

def meeting_date(campaign: Campaign, month: datetime.date) -> datetime.date:
    return month.replace(day=min(campaign.meeting_day, calendar.monthrange(month.year, month.month)[1]))


def due_meeting_month(campaign: Campaign, today: datetime.date) -> datetime.date | None:
    """The month whose meeting agenda should exist by ``today`` (days ahead of the meeting), if any."""
    month = today.replace(day=1)
    date = meeting_date(campaign, month)
    if date - datetime.timedelta(days=campaign.meeting_days_ahead) <= today <= date and (
            campaign.start_date <= date <= campaign.end_date + datetime.timedelta(days=31)):
        return month
    return None


def stalled_squads(campaign: Campaign, on: datetime.datetime) -> dict[int, datetime.datetime | None]:
    """Squads with open tasks and no activity on any of them for ``stalled_days``: {squad id: last activity}."""
    squad_of = SquadGroups().squad_of
    since = on - datetime.timedelta(days=campaign.stalled_days)
    last: dict[int, datetime.datetime] = {}
    for unit_id, moved in (leaf_tasks(campaign).filter(done_at__isnull=True).values("unit_id")
                           .annotate(last=Max("last_activity_at")).values_list("unit_id", "last").order_by()):
        squad = squad_of.get(unit_id)
        if squad is not None and (squad not in last or moved > last[squad]):
            last[squad] = moved
    return {squad: moved for squad, moved in last.items() if moved < since}


def proposed_agenda(campaign: Campaign, month: datetime.date, today: datetime.date) -> dict:
    """What the meeting should hear: figures for the month so far, speakers and the problems to solve."""
    period = Week(campaign, month, today)
    units = indicators.unit_table(period)
    now = timezone.now()
    stalled = stalled_squads(campaign, now)
    # A stalled squad does not share experience, whatever its score: nothing moved there.
    experience = [r for r in units if r["score"] >= campaign.lagging_bar and r["unit_id"] not in stalled][
        : campaign.experience_speakers]
    chosen = {r["unit_id"] for r in experience}
    statement = [r for r in reversed(units)
                 if r["unit_id"] not in chosen and (r["score"] < campaign.lagging_bar or r["unit_id"] in stalled)]
    next_month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    next_end = next_month.replace(day=calendar.monthrange(next_month.year, next_month.month)[1])
    key_tasks = list(Task.objects.filter(campaign=campaign, deadline__gte=next_month, deadline__lte=next_end)
                     .exclude(level=Task.Level.PERSONAL).select_related("unit", "responsible")
                     .order_by("deadline", "seq")[:30])
    blocked = list(Task.objects.filter(campaign=campaign, status=Task.Status.BLOCKED)
                   .select_related("unit").order_by("deadline")[:20])
    overdue_findings = (Finding.objects.filter(campaign=campaign, status__in=indicators.OPEN, deadline__lt=now)
                        .values("responsible_unit__name").annotate(n=Count("pk")).order_by("-n"))
    return {
        "units": units,
        "experience": experience,
        "statement": [{**r, "stalled": r["unit_id"] in stalled} for r in statement],
        "key_tasks": key_tasks,
        "blocked": blocked,
        "overdue_findings": [{"unit": r["responsible_unit__name"], "count": r["n"]} for r in overdue_findings],
        "period": {"start": month.isoformat(), "end": today.isoformat()},
    }


def squad_leader_of(unit_id: int) -> User | None:
    return User.objects.filter(unit_id=unit_id, role=User.Role.SQUAD_LEADER, is_active=True).first()


def open_tasks_for_reminders(campaign: Campaign, today: datetime.date) -> QuerySet[Task]:
    """Tasks overdue or due within ``due_soon_days``. (Findings are announced as their lights change.)"""
    soon = today + datetime.timedelta(days=campaign.due_soon_days)
    return (Task.objects.filter(campaign=campaign, deadline__lte=soon).exclude(status=Task.Status.DONE)
            .select_related("responsible", "supervisor", "unit__supervisor", "unit__parent"))
