"""Writes for the monthly progress meeting: its proposed agenda, the admin's edits and approval, the pack."""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import is_admin
from accounts.models import User
from campaign.core import outbox
from campaign.core.errors import StaleEdit
from reports import packs
from reports.models import AgendaItem, Meeting, MeetingPack
from reports.selectors import meeting_date, proposed_agenda, squad_leader_of
from reports.services.locks import lock_campaign

log = logging.getLogger(__name__)


def propose_meeting(*, campaign_id: int, month: datetime.date, today: datetime.date | None = None
                    ) -> tuple[Meeting, bool]:
    """The month's meeting with a proposed agenda; an existing meeting (perhaps edited) is left alone."""
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            campaign = lock_campaign(campaign_id)
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


AGENDA_ITEM_FIELDS = ("order", "kind", "title", "unit", "speaker", "minutes", "note")


@transaction.atomic
def update_agenda(*, meeting: Meeting, by: User, details: dict, items: list[dict], removed: list[int],
                  expected_version: int) -> Meeting:
    """Save the meeting's details (title, date, location) and its agenda together, or nothing if stale.

    ``items`` are the changed and new agenda items (with ``id`` for an existing one, of this meeting);
    ``removed`` the ids of items to delete.
    """
    if not is_admin(by):
        raise PermissionDenied(_("Only an administrator can edit the agenda."))
    updated = Meeting.objects.filter(pk=meeting.pk, version=expected_version).update(version=expected_version + 1)
    if not updated:
        raise StaleEdit(current=Meeting.objects.get(pk=meeting.pk))
    for name in ("title", "date", "location"):
        setattr(meeting, name, details[name])
    meeting.version = expected_version + 1
    meeting.full_clean()
    meeting.save()
    for values in items:
        known = values.get("id")
        item = meeting.items.get(pk=known) if known else AgendaItem(meeting=meeting)
        for name in AGENDA_ITEM_FIELDS:
            setattr(item, name, values[name])
        item.full_clean()
        item.save()
    meeting.items.filter(pk__in=removed).delete()
    return meeting


@transaction.atomic
def approve_meeting(*, meeting: Meeting, by: User) -> Meeting:
    if not is_admin(by):
        raise PermissionDenied(_("Only an administrator can approve the agenda."))
    meeting.status = Meeting.Status.APPROVED
    meeting.approved_by, meeting.approved_at = by, timezone.now()
    meeting.save(update_fields=["status", "approved_by", "approved_at"])
    outbox.enqueue("reports.jobs.announce_speakers", meeting.pk)  # each speaker hears what they speak on
    return meeting


@transaction.atomic
def request_pack(*, meeting: Meeting, by: User) -> MeetingPack:
    """Queue the meeting-pack export through the outbox: the job starts after the transaction commits."""
    if not is_admin(by):
        raise PermissionDenied(_("Only an administrator can export the meeting pack."))
    running = meeting.packs.filter(status__in=[MeetingPack.Status.QUEUED, MeetingPack.Status.RUNNING]).first()
    if running is not None:
        return running
    pack = MeetingPack.objects.create(meeting=meeting, requested_by=by)
    outbox.enqueue("reports.jobs.export_meeting_pack", pack.pk)
    return pack


def set_pack_progress(pack: MeetingPack, progress: int, step: str) -> None:
    MeetingPack.objects.filter(pk=pack.pk).update(progress=progress, step=step[:200])


def build_pack(*, pack_id: int) -> MeetingPack:
    """Write the ZIP: agenda (Word), the month's unit tables (Excel), the month's bulletins (PDF)."""
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
