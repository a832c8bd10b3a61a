"""Weekly bulletins, monthly meetings with their packs, and the reminders people get.

A bulletin stores its figures (JSON) at the moment it is written, so an old
bulletin never changes when the data does; regenerating a week makes a new
version and keeps the old one. Jobs that write these rows are safe to run
twice or on two workers at once: they lock the campaign row and the named
constraints below are the backstop.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from campaign.core.uploads import private_upload_to
from campaign.models import Campaign


class Bulletin(models.Model):
    """周通报: one campaign's figures for one ISO week, numbered 第N期 and versioned."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT,
                                 related_name="bulletins")
    iso_year = models.PositiveSmallIntegerField(_("ISO year"))
    iso_week = models.PositiveSmallIntegerField(_("ISO week"))
    week_start = models.DateField(_("week from"))
    week_end = models.DateField(_("week to"))
    number = models.PositiveSmallIntegerField(_("issue number"), help_text=_("第N期: the campaign's Nth week."))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    figures = models.JSONField(_("figures"), default=dict)
    generated_at = models.DateTimeField(_("written at"), default=timezone.now)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     help_text=_("Empty when the weekly job wrote it."))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        verbose_name = _("weekly bulletin")
        verbose_name_plural = _("weekly bulletins")
        ordering = ["-iso_year", "-iso_week", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "iso_year", "iso_week", "version"],
                                    name="bulletin_version_unique_per_week"),
            models.UniqueConstraint(fields=["campaign", "iso_year", "iso_week"], condition=Q(is_current=True),
                                    name="bulletin_one_current_per_week"),
            models.CheckConstraint(condition=Q(iso_week__gte=1, iso_week__lte=53), name="bulletin_iso_week_range"),
        ]

    def __str__(self):
        return f"{self.campaign.name} 第{self.number}期"

    @property
    def issue_no(self) -> str:
        """发文字号, e.g. 城管创〔2026〕5号."""
        return f"{self.campaign.document_prefix}〔{self.week_end.year}〕{self.number}号"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Meeting(models.Model):
    """月推进会: the monthly progress meeting; its agenda is proposed by a job and edited by an admin."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT,
                                 related_name="meetings")
    month = models.DateField(_("month"), help_text=_("First day of the month the meeting reviews."))
    date = models.DateField(_("meeting date"))
    title = models.CharField(_("title"), max_length=200)
    location = models.CharField(_("location"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    figures = models.JSONField(_("figures"), default=dict, help_text=_("The month's unit figures when proposed."))
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("progress meeting")
        verbose_name_plural = _("progress meetings")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "month"], name="meeting_one_per_campaign_month"),
        ]

    def __str__(self):
        return self.title


class AgendaItem(models.Model):
    """One item of a meeting's agenda, in order."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Progress report")
        EXPERIENCE = "experience", _("Experience sharing (经验交流)")
        STATEMENT = "statement", _("Statement speech (表态发言)")
        PROBLEMS = "problems", _("Open problems")
        KEY_TASKS = "key_tasks", _("Next month's key tasks")
        OTHER = "other", _("Other")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("item"), max_length=300)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    speaker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("speaker"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=5)
    note = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order", "pk"]

    def __str__(self):
        return self.title


class MeetingPack(models.Model):
    """会议材料包: one export of a meeting's documents as a ZIP, built by a job that reports progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="packs")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    file = models.FileField(upload_to=private_upload_to, max_length=255, blank=True)
    size = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("meeting pack")
        verbose_name_plural = _("meeting packs")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="meetingpack_progress_at_most_100"),
        ]

    def __str__(self):
        return f"{self.meeting} ({self.get_status_display()})"

    @property
    def filename(self) -> str:
        return f"{self.meeting.title}-会议材料.zip"


class Notice(models.Model):
    """An in-app reminder: an item overdue or due soon, or an escalation to the next level up.

    ``key`` names what the notice is about ("task:12:overdue"); one notice per
    person, key and day makes the daily job safe to run twice.
    """

    class Kind(models.TextChoices):
        OVERDUE = "overdue", _("Overdue")
        DUE_SOON = "due_soon", _("Due soon")
        ESCALATION = "escalation", _("Escalation")
        BULLETIN = "bulletin", _("Bulletin published")
        TASK = "task", _("Task changed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=80)
    day = models.DateField(_("day"))
    message = models.CharField(_("message"), max_length=400)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key", "day"], name="notice_once_per_person_key_day"),
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_user_unread_idx")]

    def __str__(self):
        return self.message


def iso_week_bounds(iso_year: int, iso_week: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date.fromisocalendar(iso_year, iso_week, 1)
    return start, start + datetime.timedelta(days=6)
