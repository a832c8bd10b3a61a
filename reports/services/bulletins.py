"""Writes for the weekly bulletin: a version per campaign and week, published once, sent to its readers."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import is_admin
from accounts.models import User
from campaign.core import outbox
from campaign.models import Campaign
from reports import documents
from reports.figures import bulletin_figures, issue_number
from reports.models import Bulletin, Notice, iso_week_bounds
from reports.selectors import BULLETIN_READERS
from reports.services.locks import lock_campaign

log = logging.getLogger(__name__)


def previous_iso_week(now: datetime.datetime | None = None) -> tuple[int, int]:
    today = timezone.localdate(now) if now else timezone.localdate()
    iso = (today - datetime.timedelta(days=7)).isocalendar()
    return iso.year, iso.week




def write_bulletin(*, campaign_id: int, iso_year: int, iso_week: int) -> tuple[Bulletin, bool]:
    """The week's bulletin: the existing current one, or a newly written version 1. Returns (bulletin, created)."""
    try:
        with transaction.atomic():
            campaign = lock_campaign(campaign_id)
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
    campaign = lock_campaign(bulletin.campaign_id)
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
        outbox.enqueue("reports.jobs.announce_bulletin", bulletin.pk)  # the leaders' and each squad's group
        if email:
            transaction.on_commit(lambda: _email_bulletin(bulletin))
    return bulletin


def _notify_readers(bulletin: Bulletin) -> None:
    """Everyone who reads bulletins finds the new one in their reminders (one notice each, ever)."""
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
