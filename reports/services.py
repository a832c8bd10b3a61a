"""Writes for bulletins, meetings, meeting packs and notices.

Every job-facing service is safe to run twice and on two workers at once: it
locks the campaign row (``select_for_update``) before looking for existing
rows, and the models' named unique constraints are the backstop.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import is_admin
from accounts.models import User
from campaign import fragments
from campaign.models import Campaign
from campaign.navigation import NOTICES
from reports import documents
from reports.figures import bulletin_figures, issue_number
from reports.models import AgendaItem, Bulletin, Meeting, MeetingPack, Notice, iso_week_bounds

log = logging.getLogger(__name__)


def previous_iso_week(now: datetime.datetime | None = None) -> tuple[int, int]:
    today = timezone.localdate(now) if now else timezone.localdate()
    iso = (today - datetime.timedelta(days=7)).isocalendar()
    return iso.year, iso.week


def _lock_campaign(campaign_id: int) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign_id)


def write_bulletin(*, campaign_id: int, iso_year: int, iso_week: int) -> tuple[Bulletin, bool]:
    """The week's bulletin: the existing current one, or a newly written version 1. Returns (bulletin, created)."""
    try:
        with transaction.atomic():
            campaign = _lock_campaign(campaign_id)
            existing = Bulletin.objects.filter(campaign=campaign, iso_year=iso_year, iso_week=iso_week,
                                               is_current=True).first()
            if existing is not None:
                return existing, False
            return _create_version(campaign, iso_year, iso_week, version=1, by=None), True
    except IntegrityError:
        # Another worker won the race between our check and our insert: its bulletin stands.
        return Bulletin.objects.get(campaign_id=campaign_id, iso_year=iso_year, iso_week=iso_week,
                                    is_current=True), False


def _create_version(campaign: Campaign, iso_year: int, iso_week: int, *, version: int, by: User | None) -> Bulletin:
    start, end = iso_week_bounds(iso_year, iso_week)
    if end < campaign.start_date or start > campaign.end_date:
        raise ValidationError(_("That week is outside the campaign."))
    bulletin = Bulletin(
        campaign=campaign, iso_year=iso_year, iso_week=iso_week, week_start=start, week_end=end,
        number=issue_number(campaign, iso_year, iso_week), version=version, generated_by=by,
        figures=bulletin_figures(campaign, iso_year, iso_week),
    )
    bulletin.full_clean(validate_constraints=False)
    bulletin.save()
    return bulletin


@transaction.atomic
def regenerate_bulletin(*, bulletin: Bulletin, by: User) -> Bulletin:
    """Write the same week again as a new version; the old version is kept, no longer current."""
    if not is_admin(by):
        raise PermissionDenied(_("Only an administrator can regenerate a bulletin."))
    campaign = _lock_campaign(bulletin.campaign_id)
    latest = Bulletin.objects.filter(campaign=campaign, iso_year=bulletin.iso_year, iso_week=bulletin.iso_week)
    top = latest.aggregate(v=Max("version"))["v"] or 0
    latest.filter(is_current=True).update(is_current=False)
    return _create_version(campaign, bulletin.iso_year, bulletin.iso_week, version=top + 1, by=by)


def publish_bulletin(*, bulletin: Bulletin, by: User | None, email: bool = True) -> Bulletin:
    """Mark it published and email it, with the PDF attached, to the bureau's leaders (and admins)."""
    if by is not None and not is_admin(by):
        raise PermissionDenied(_("Only an administrator can publish a bulletin."))
    with transaction.atomic():
        updated = Bulletin.objects.filter(pk=bulletin.pk, published_at__isnull=True).update(
            published_at=timezone.now(), published_by=by)
    bulletin.refresh_from_db()
    if updated:
        _notify_readers(bulletin)
        if email:
            transaction.on_commit(lambda: _email_bulletin(bulletin))
    return bulletin


def _notify_readers(bulletin: Bulletin) -> None:
    """Everyone who reads bulletins finds the new one in their reminders (one notice each, ever)."""
    from reports.selectors import BULLETIN_READERS

    day = timezone.localdate()
    message = _("Weekly bulletin No. %(n)s is out: %(start)s to %(end)s") % {
        "n": bulletin.number, "start": bulletin.week_start.isoformat(), "end": bulletin.week_end.isoformat()}
    url = reverse("reports:bulletin", args=[bulletin.pk])
    readers = User.objects.filter(role__in=BULLETIN_READERS, is_active=True).values_list("pk", flat=True)
    Notice.objects.bulk_create(
        [Notice(user_id=pk, kind=Notice.Kind.BULLETIN, key=f"bulletin:{bulletin.campaign_id}:{bulletin.iso_year}-"
                f"{bulletin.iso_week}", day=day, message=message, url=url, emailed_at=timezone.now())
         for pk in readers],
        ignore_conflicts=True,
    )
    fragments.bump_after_commit(NOTICES)  # the readers' unread counts (a bulk insert sends no signal)


def _email_bulletin(bulletin: Bulletin) -> None:
    recipients = list(User.objects.filter(role__in=[User.Role.LEADER, User.Role.ADMIN], is_active=True)
                      .exclude(email="").values_list("email", flat=True))
    if not recipients:
        return
    context = {"bulletin": bulletin, "f": bulletin.figures, "site_url": settings.SITE_URL}
    subject = render_to_string("reports/email/bulletin_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string("reports/email/bulletin.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL, to=recipients,
    )
    message.attach_alternative(render_to_string("reports/email/bulletin.html", context), "text/html")
    message.attach(f"周通报-第{bulletin.number}期.pdf", documents.bulletin_pdf(bulletin), "application/pdf")
    message.send()


def notify(*, user: User, kind: str, key: str, message: str, url: str = "", day: datetime.date | None = None
           ) -> tuple[Notice, bool]:
    """One notice per person, subject and day: a second run of the daily job adds nothing."""
    day = day or timezone.localdate()
    return Notice.objects.get_or_create(user=user, key=key, day=day,
                                        defaults={"kind": kind, "message": message[:400], "url": url})


def mark_notices_read(*, user: User) -> int:
    read = Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
    fragments.bump_after_commit(NOTICES)  # the top bar's unread count (an update sends no signal)
    return read


# --- monthly meeting -------------------------------------------------------------------------

def propose_meeting(*, campaign_id: int, month: datetime.date, today: datetime.date | None = None
                    ) -> tuple[Meeting, bool]:
    """The month's meeting with a proposed agenda; an existing meeting (perhaps edited) is left alone."""
    from reports.selectors import meeting_date, proposed_agenda

    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            campaign = _lock_campaign(campaign_id)
            existing = Meeting.objects.filter(campaign=campaign, month=month).first()
            if existing is not None:
                return existing, False
            agenda = proposed_agenda(campaign, month, today)
            date = meeting_date(campaign, month)
            meeting = Meeting.objects.create(
                campaign=campaign, month=month, date=date,
                title=_("%(campaign)s: progress meeting, %(month)s") % {
                    "campaign": campaign.name, "month": f"{month.year}年{month.month}月"},
                figures={"units": agenda["units"], "period": agenda["period"]},
            )
            _add_agenda_items(meeting, agenda)
            return meeting, True
    except IntegrityError:
        return Meeting.objects.get(campaign_id=campaign_id, month=month), False


def _add_agenda_items(meeting: Meeting, agenda: dict) -> None:
    from reports.selectors import squad_leader_of

    K = AgendaItem.Kind
    items = [AgendaItem(kind=K.PROGRESS, title=_("Progress of the campaign this month (创建办)"), minutes=15,
                        note=_("Task completion, rectification on time, rework and rebounds by unit; "
                               "see the unit tables in the meeting pack."))]
    for row in agenda["experience"]:
        items.append(AgendaItem(kind=K.EXPERIENCE, unit_id=row["unit_id"], speaker=squad_leader_of(row["unit_id"]),
                                title=_("%(unit)s shares its experience") % {"unit": row["unit"]}, minutes=8,
                                note=_("Score %(score)s, rank %(rank)s.") % {"score": row["score"],
                                                                             "rank": row["rank"]}))
    for row in agenda["statement"]:
        reason = (_("no progress for %(days)s days") % {"days": meeting.campaign.stalled_days} if row["stalled"]
                  else _("score %(score)s below the bar of %(bar)s") % {"score": row["score"],
                                                                        "bar": meeting.campaign.lagging_bar})
        items.append(AgendaItem(kind=K.STATEMENT, unit_id=row["unit_id"], speaker=squad_leader_of(row["unit_id"]),
                                title=_("%(unit)s makes a statement speech") % {"unit": row["unit"]}, minutes=5,
                                note=reason))
    problems = [_("Blocked: %(task)s (%(unit)s)") % {"task": t.content[:60], "unit": t.unit.name}
                for t in agenda["blocked"]]
    problems += [_("%(unit)s: %(n)s open findings past deadline") % {"unit": r["unit"], "n": r["count"]}
                 for r in agenda["overdue_findings"]]
    items.append(AgendaItem(kind=K.PROBLEMS, title=_("Open problems to solve"), minutes=15,
                            note="\n".join(problems) or _("None recorded.")))
    tasks = [f"{t.deadline:%m-%d} {t.content[:60]}（{t.unit.name}）" for t in agenda["key_tasks"]]
    items.append(AgendaItem(kind=K.KEY_TASKS, title=_("Key tasks for next month"), minutes=10,
                            note="\n".join(tasks) or _("No tasks fall due next month.")))
    for order, item in enumerate(items, start=1):
        item.meeting = meeting
        item.order = order * 10
    AgendaItem.objects.bulk_create(items)


class StaleEdit(Exception):
    """The object changed since the form was opened; nothing was saved."""


def update_agenda(*, meeting: Meeting, by: User, form, formset, expected_version: int) -> Meeting:
    """Save the meeting's details and agenda items together, refusing a stale edit (call inside atomic)."""
    if not is_admin(by):
        raise PermissionDenied(_("Only an administrator can edit the agenda."))
    updated = Meeting.objects.filter(pk=meeting.pk, version=expected_version).update(version=expected_version + 1)
    if not updated:
        raise StaleEdit
    if not (form.is_valid() and formset.is_valid()):
        raise ValidationError(_("Please correct the errors below."))
    meeting = form.save(commit=False)
    meeting.version = expected_version + 1
    meeting.save()
    formset.instance = meeting
    formset.save()
    return meeting


@transaction.atomic
def approve_meeting(*, meeting: Meeting, by: User) -> Meeting:
    if not is_admin(by):
        raise PermissionDenied(_("Only an administrator can approve the agenda."))
    meeting.status = Meeting.Status.APPROVED
    meeting.approved_by, meeting.approved_at = by, timezone.now()
    meeting.save(update_fields=["status", "approved_by", "approved_at"])
    return meeting


@transaction.atomic
def request_pack(*, meeting: Meeting, by: User) -> MeetingPack:
    """Queue the meeting-pack export; the job starts after the transaction commits."""
    if not is_admin(by):
        raise PermissionDenied(_("Only an administrator can export the meeting pack."))
    running = meeting.packs.filter(status__in=[MeetingPack.Status.QUEUED, MeetingPack.Status.RUNNING]).first()
    if running is not None:
        return running
    pack = MeetingPack.objects.create(meeting=meeting, requested_by=by)
    from reports.jobs import export_meeting_pack

    transaction.on_commit(lambda: export_meeting_pack.delay(pack.pk))
    return pack


def set_pack_progress(pack: MeetingPack, progress: int, step: str) -> None:
    MeetingPack.objects.filter(pk=pack.pk).update(progress=progress, step=step[:200])


def build_pack(*, pack_id: int) -> MeetingPack:
    """Write the ZIP: agenda (Word), the month's unit tables (Excel), the month's bulletins (PDF)."""
    from reports import packs

    started = MeetingPack.objects.filter(pk=pack_id, status=MeetingPack.Status.QUEUED).update(
        status=MeetingPack.Status.RUNNING, step=_("Starting"))
    pack = MeetingPack.objects.select_related("meeting__campaign").get(pk=pack_id)
    if not started:
        return pack  # another worker has it, or it is finished: running it twice changes nothing
    try:
        content = packs.meeting_zip(pack.meeting, progress=lambda p, s: set_pack_progress(pack, p, s))
        pack.file.save("pack.zip", ContentFile(content), save=False)
        pack.size = len(content)
        pack.status, pack.progress, pack.step = MeetingPack.Status.DONE, 100, _("Ready")
        pack.finished_at = timezone.now()
        pack.save(update_fields=["file", "size", "status", "progress", "step", "finished_at"])
    except Exception as exc:
        log.exception("meeting pack %s failed", pack_id)
        MeetingPack.objects.filter(pk=pack_id).update(status=MeetingPack.Status.FAILED, error=str(exc)[:2000],
                                                      finished_at=timezone.now())
        raise
    return pack


# --- reminders -------------------------------------------------------------------------------

def _task_url(task) -> str:
    return reverse("tasks:detail", args=[task.pk])


def _finding_url(finding) -> str:
    return reverse("inspections:finding_detail", args=[finding.pk])


def remind(*, campaign: Campaign, today: datetime.date | None = None) -> int:
    """Give each person their overdue and due-soon items, and tell the next level up about long-overdue ones.

    Returns the number of new notices. Running it twice on a day adds nothing
    (one notice per person, subject and day).
    """
    from reports.selectors import open_items_for_reminders

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
    """One email per person with the notices not yet emailed; marks them emailed."""
    pending = (Notice.objects.filter(emailed_at__isnull=True).exclude(user__email="")
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


# --- task change notices (queued through the outbox, reports.outbox) --------------------------------

def notify_task_change(*, update_id: int) -> list[Notice]:
    """Tell the people a task change concerns, other than the person who made it.

    A status change goes to the responsible person; an assignment to the new
    assignee and to the person who held the task before. The notice key names
    the update, so the job run twice (a redelivered message, an outbox row sent
    twice) adds nothing.
    """
    from tasks.models import TaskUpdate

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
