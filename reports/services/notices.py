"""Notices: one per person, subject and day; the daily reminders and escalation; task-change notices."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit, User
from campaign.core.channels import Message
from campaign.models import Campaign
from reports.models import Notice
from reports.selectors import open_tasks_for_reminders
from reports.services import deliveries
from tasks.models import TaskUpdate

log = logging.getLogger(__name__)


@transaction.atomic
def notify(*, user: User, kind: str, key: str, message: str, url: str = "", day: datetime.date | None = None,
           push: Message | None = None) -> tuple[Notice, bool]:
    """One notice per person, subject and day: a second run of the daily job adds nothing.

    A new notice is also pushed through the person's channels (``deliveries.plan_for_notice``), worded as
    ``push`` or, by default, as the notice reads in the app; the pushes commit with the notice.
    """
    day = day or timezone.localdate()
    notice, created = Notice.objects.get_or_create(user=user, key=key, day=day,
                                                   defaults={"kind": kind, "message": message[:400], "url": url})
    if created:
        deliveries.plan_for_notice(notice=notice, message=push)
    return notice, created


def mark_notices_read(*, user: User) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def _task_url(task) -> str:
    return reverse("tasks:detail", args=[task.pk])


def remind(*, campaign: Campaign, today: datetime.date | None = None) -> int:
    """Give each person their overdue and due-soon tasks, and escalate long-overdue ones up the chain.

    A task overdue by more than the campaign's escalation days goes one level up (member → squad leader →
    分管领导 → the bureau's head), and one more level for each further such stretch; each level hears of it
    once. Findings are not here: they are announced as their lights change (``handoffs.sweep_lights``).
    Returns the number of new notices; running it twice on a day adds nothing.
    """
    today = today or timezone.localdate()
    tasks = open_tasks_for_reminders(campaign, today)
    leaders = list(User.objects.filter(role=User.Role.LEADER, is_active=True).order_by("pk"))
    squad_leaders = {u.unit_id: u for u in User.objects.filter(role=User.Role.SQUAD_LEADER, is_active=True)}
    head_id = Unit.objects.filter(kind=Unit.Kind.BUREAU).values_list("supervisor", flat=True).first()
    head = next((leader for leader in leaders if leader.pk == head_id), None)
    created = 0
    for task in tasks:
        late = (today - task.deadline).days
        if late > 0:
            text = _("Overdue by %(days)s days: %(task)s") % {"days": late, "task": task.content[:80]}
            created += notify(user=task.responsible, kind=Notice.Kind.OVERDUE, key=f"task:{task.pk}:overdue",
                              message=text, url=_task_url(task), day=today)[1]
        else:
            text = _("Due %(date)s: %(task)s") % {"date": task.deadline.isoformat(), "task": task.content[:80]}
            created += notify(user=task.responsible, kind=Notice.Kind.DUE_SOON, key=f"task:{task.pk}:soon",
                              message=text, url=_task_url(task), day=today)[1]
        chain = _chain_above(task, squad_leaders, leaders, head)
        levels = min(len(chain), (late - 1) // campaign.escalation_days if late > 0 else 0)
        for number, people in enumerate(chain[:levels], start=1):
            for boss in people:
                created += notify(user=boss, kind=Notice.Kind.ESCALATION, key=f"task:{task.pk}:escalated:{number}",
                                  message=_("%(person)s's item is %(days)s days overdue: %(task)s") % {
                                      "person": task.responsible.display_name, "days": late,
                                      "task": task.content[:80]},
                                  # dated the day it reached this level, so the level is told once
                                  url=_task_url(task), day=task.deadline + datetime.timedelta(
                                      days=number * campaign.escalation_days + 1))[1]
    return created


def _chain_above(task, squad_leaders: dict, leaders: list[User], head: User | None) -> list[list[User]]:
    """Who hears of a long-overdue task, level by level above its responsible person: their squad leader,
    the task's (or else its unit's) 分管领导, the bureau's head. Nobody twice, never the person themselves;
    where no leader is named at all, every bureau leader, so an escalation never falls on nobody."""
    squad_leader = squad_leaders.get(task.unit_id) or (squad_leaders.get(task.unit.parent_id)
                                                       if task.unit.parent_id else None)
    supervisor = task.supervisor or task.unit.supervisor
    chain, seen = [], {task.responsible_id}
    for person in (squad_leader, supervisor, head):
        if person is not None and person.is_active and person.pk not in seen:
            chain.append([person])
            seen.add(person.pk)
    if not any(p.role == User.Role.LEADER for (p,) in chain):
        others = [leader for leader in leaders if leader.pk not in seen]
        if others:
            chain.append(others)
    return chain


def email_notice_digests() -> int:
    """One email per person with the notices not yet emailed; marks them emailed. People who turned email
    off get none; notices a delivery already emails are marked emailed when it is planned."""
    pending = (Notice.objects.filter(emailed_at__isnull=True, user__notify_by_email=True).exclude(user__email="")
               .select_related("user").order_by("user_id", "kind", "created_at"))
    by_user: dict[int, list[Notice]] = {}
    for notice in pending:
        by_user.setdefault(notice.user_id, []).append(notice)
    sent = 0
    for notices in by_user.values():
        user = notices[0].user
        context = {"user": user, "notices": notices, "site_url": settings.SITE_URL}
        message = EmailMultiAlternatives(
            subject=render_to_string("reports/email/reminders_subject.txt", context).strip(),
            body=render_to_string("reports/email/reminders.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email])
        message.attach_alternative(render_to_string("reports/email/reminders.html", context), "text/html")
        message.send()
        Notice.objects.filter(pk__in=[n.pk for n in notices]).update(emailed_at=timezone.now())
        sent += 1
    return sent


def notify_task_change(*, update_id: int) -> list[Notice]:
    """Tell the people a task change concerns, other than the person who made it.

    A status change goes to the responsible person; an assignment to the new
    assignee and to the person who held the task before. The notice key names
    the update, so the job run twice (a redelivered message, an outbox row sent
    twice) adds nothing.
    """
    update = TaskUpdate.objects.select_related("task", "by", "assignee_after").get(pk=update_id)
    task, by = update.task, update.by
    url = reverse("tasks:detail", args=[task.pk])
    subject = task.content[:60]
    if update.kind == TaskUpdate.Kind.ASSIGN:
        recipients = [update.assignee_after_id, update.assignee_before_id]
        message = _("%(person)s assigned “%(task)s” to %(assignee)s.") % {
            "person": by.display_name, "task": subject, "assignee": update.assignee_after.display_name}
    else:
        recipients = [task.responsible_id]
        message = _("%(person)s changed “%(task)s” to %(status)s.") % {
            "person": by.display_name, "task": subject, "status": update.get_status_after_display()}
    day = timezone.localdate(update.at)
    notices = []
    for user in User.objects.filter(pk__in=[pk for pk in recipients if pk and pk != by.pk], is_active=True):
        notice, _created = notify(user=user, kind=Notice.Kind.TASK, key=f"task-update:{update.pk}", message=message,
                                  url=url, day=day)
        notices.append(notice)
    return notices
