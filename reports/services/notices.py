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

from accounts.models import User
from campaign.core.channels import Message
from campaign.models import Campaign
from reports.models import Notice
from reports.selectors import open_items_for_reminders
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


def _finding_url(finding) -> str:
    return reverse("inspections:finding_detail", args=[finding.pk])


def remind(*, campaign: Campaign, today: datetime.date | None = None) -> int:
    """Give each person their overdue and due-soon items, and tell the next level up about long-overdue ones.

    Returns the number of new notices. Running it twice on a day adds nothing
    (one notice per person, subject and day).
    """
    today = today or timezone.localdate()
    tasks, findings = open_items_for_reminders(campaign, today)
    leaders = list(User.objects.filter(role=User.Role.LEADER, is_active=True))
    squad_leaders = {u.unit_id: u for u in User.objects.filter(role=User.Role.SQUAD_LEADER, is_active=True)}
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
        if late > campaign.escalation_days:
            for boss in _next_level_up(task, squad_leaders, leaders):
                created += notify(user=boss, kind=Notice.Kind.ESCALATION, key=f"task:{task.pk}:escalated",
                                  message=_("%(person)s's item is %(days)s days overdue: %(task)s") % {
                                      "person": task.responsible.display_name, "days": late,
                                      "task": task.content[:80]},
                                  url=_task_url(task), day=today)[1]
    now = timezone.now()
    for finding in findings:
        owner = squad_leaders.get(finding.responsible_unit_id)
        late_days = (now - finding.deadline).days
        if owner is not None:
            kind, key = ((Notice.Kind.OVERDUE, "overdue") if finding.deadline < now else (Notice.Kind.DUE_SOON, "soon"))
            created += notify(user=owner, kind=kind, key=f"finding:{finding.pk}:{key}", url=_finding_url(finding),
                              message=_("Finding #%(n)s (%(category)s) must be rectified by %(deadline)s") % {
                                  "n": finding.pk, "category": finding.category.name,
                                  "deadline": timezone.localtime(finding.deadline).strftime("%m-%d %H:%M")},
                              day=today)[1]
        if late_days > campaign.escalation_days:
            for boss in leaders:
                created += notify(user=boss, kind=Notice.Kind.ESCALATION, key=f"finding:{finding.pk}:escalated",
                                  url=_finding_url(finding), day=today,
                                  message=_("Finding #%(n)s of %(unit)s is %(days)s days past its deadline") % {
                                      "n": finding.pk, "unit": finding.responsible_unit.name, "days": late_days})[1]
    return created


def _next_level_up(task, squad_leaders: dict, leaders: list[User]) -> list[User]:
    """A member's item goes to their squad leader; a squad leader's to the supervising leader (or all leaders)."""
    boss = squad_leaders.get(task.unit_id) or (squad_leaders.get(task.unit.parent_id) if task.unit.parent_id else None)
    if boss is not None and boss.pk != task.responsible_id:
        return [boss]
    if task.supervisor_id and task.supervisor_id != task.responsible_id:
        return [task.supervisor]
    return [leader for leader in leaders if leader.pk != task.responsible_id]


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
