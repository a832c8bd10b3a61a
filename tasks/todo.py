"""What the responsibility list asks of a person (campaign.core.todo): the tasks they answer for, and for a
squad leader the overdue tasks of their squad that members hold.

A task is due at the end of its deadline day; it is due soon from the campaign's reminder window
(``Campaign.due_soon_days``) before that, as the daily reminders count it.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import in_own_subtree
from accounts.models import User
from campaign.core import todo
from campaign.selectors import current_campaign
from tasks.models import Task

Role = User.Role

TITLES = {
    "mine": gettext_lazy("My tasks"),
    "unit_overdue": gettext_lazy("Overdue in my unit"),
}


def _scopes(user, campaign) -> dict[str, Q]:
    open_ = Q(campaign=campaign) & ~Q(status=Task.Status.DONE)
    mine = Q(responsible_id=user.pk)
    scopes = {}
    if user.role == Role.SQUAD_LEADER and user.unit_id:
        # A unit task nobody holds is the squad leader's to move.
        mine |= Q(unit_id=user.unit_id, responsible__isnull=True)
    scopes["mine"] = open_ & mine
    if user.role == Role.SQUAD_LEADER and user.unit_id:
        today = timezone.localdate()
        scopes["unit_overdue"] = open_ & in_own_subtree(user, "unit") & Q(deadline__lt=today) & ~mine
    return scopes


def _urgency(today: datetime.date, days: int) -> dict[str, Q]:
    return {todo.OVERDUE: Q(deadline__lt=today),
            todo.DUE_SOON: Q(deadline__gte=today, deadline__lte=today + datetime.timedelta(days=days))}


class Tasks:
    def pending(self, user, now: datetime.datetime) -> QuerySet[Task] | None:
        campaign = current_campaign()
        if campaign is None:
            return None
        either = Q()
        for scope in _scopes(user, campaign).values():
            either |= scope
        return Task.objects.filter(either)

    def sections(self, user, now: datetime.datetime, limit: int) -> list[todo.Section]:
        campaign = current_campaign()
        if campaign is None:
            return []
        today = timezone.localdate(now)
        scopes = _scopes(user, campaign)
        urgency = _urgency(today, campaign.due_soon_days)
        counts = {}
        for key, scope in scopes.items():
            counts[f"{key}_total"] = Count("pk", filter=scope)
            counts[f"{key}_overdue"] = Count("pk", filter=scope & urgency[todo.OVERDUE])
            counts[f"{key}_due_soon"] = Count("pk", filter=scope & urgency[todo.DUE_SOON])
        figures = Task.objects.aggregate(**counts)
        found = []
        for key, scope in scopes.items():
            section = todo.Section(key=f"tasks_{key}", title=str(TITLES[key]), total=figures[f"{key}_total"],
                                   overdue=figures[f"{key}_overdue"], due_soon=figures[f"{key}_due_soon"])
            if section.total:
                section.entries = [_entry(t, today, campaign.due_soon_days) for t in _rows(scope)[:limit]]
                section.more_url = _more_url(key)
            found.append(section)
        return found


def _rows(scope: Q) -> QuerySet[Task]:
    return (Task.objects.filter(scope).select_related("unit", "responsible")
            .only("seq", "content", "deadline", "status", "progress", "unit__name", "unit__short_name",
                  "responsible__username", "responsible__first_name", "responsible__last_name",
                  "responsible__full_name")
            .order_by("deadline", "seq"))


def _entry(task: Task, today: datetime.date, due_soon_days: int) -> todo.Entry:
    if task.deadline < today:
        urgency = todo.OVERDUE
    elif task.deadline <= today + datetime.timedelta(days=due_soon_days):
        urgency = todo.DUE_SOON
    else:
        urgency = todo.OPEN
    who = task.responsible.display_name if task.responsible_id else task.unit.label
    detail = f"{who} · {task.get_status_display()} · {task.progress}%"
    end_of_day = datetime.datetime.combine(task.deadline, datetime.time.max, tzinfo=timezone.get_current_timezone())
    return todo.Entry(title=Truncator(task.content).chars(60), detail=detail,
                      url=reverse("tasks:detail", args=[task.pk]), urgency=urgency, due=task.deadline,
                      action=_("Update progress"), sort_key=end_of_day.timestamp())


def _more_url(key: str) -> str:
    return reverse("tasks:list") + ("?mine=on" if key == "mine" else "?overdue=on")
