"""Weekly bulletins, monthly meetings with their packs, the reminders people get and how they are pushed.

A bulletin stores its figures (JSON) at the moment it is written, so an old
bulletin never changes when the data does; regenerating a week makes a new
version and keeps the old one. Jobs that write these rows are safe to run
twice or on two workers at once: they lock the campaign row and the named
constraints below are the backstop.
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
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
        DISPATCHED = "dispatched", _("Finding dispatched")
        RECTIFIED = "rectified", _("Rectification to verify")
        RETURNED = "returned", _("Returned for rework")
        CLOSED = "closed", _("Finding closed")
        YELLOW = "yellow", _("Deadline near (yellow light)")
        RED = "red", _("Deadline passed (red light)")
        SPEAKING = "speaking", _("Speaking at the meeting")
        SENT_BACK = "sent_back", _("Finding sent back")
        EXTENSION_ASKED = "extension_asked", _("More time asked for")
        EXTENSION_DECIDED = "extension_decided", _("More time decided")
        WITHDRAWN = "withdrawn", _("Finding withdrawn")
        HANDED = "handed", _("Finding handed to me")

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
        # The light sweep asks which of its keys were announced already, whoever to.
        indexes = [models.Index(fields=["user", "read_at"], name="notice_user_unread_idx"),
                   models.Index(fields=["key"], name="notice_key_idx")]

    def __str__(self):
        return self.message


class Robot(models.Model):
    """A group robot: the 企业微信 or 钉钉 group of one unit (a squad's, the inspection squad's, the leaders').

    ``recent_sends`` holds the times (Unix seconds) of the messages sent in the robot's last window: both
    gateways refuse more than 20 a minute, so the delivery job reserves a place in it under a row lock
    before it sends, and waits for the window to free when it is full.
    """

    class Kind(models.TextChoices):
        WECOM = "wecom", _("WeCom group robot (企业微信)")
        DINGTALK = "dingtalk", _("DingTalk custom robot (钉钉)")

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("group"), max_length=60, help_text=_("The group's name, e.g. 第一中队工作群."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.WECOM)
    key = models.CharField(_("webhook key or access token"), max_length=200, help_text=_(
        "The key=… (企业微信) or access_token=… (钉钉) of the robot's webhook address; pasting the whole "
        "address is fine."))
    secret = models.CharField(_("signing secret"), max_length=200, blank=True, help_text=_(
        "钉钉 only, in signed mode (加签): the SEC… string from the robot's security settings."))
    enabled = models.BooleanField(_("enabled"), default=True)
    recent_sends = models.JSONField(default=list, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        ordering = ["unit__sort_order", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="robot_one_row_per_webhook",
                                    violation_error_message=_("This robot is set up already.")),
            models.CheckConstraint(condition=Q(secret="") | Q(kind="dingtalk"), name="robot_secret_only_dingtalk",
                                   violation_error_message=_("Only a 钉钉 robot has a signing secret.")),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.key and not re.fullmatch(r"[A-Za-z0-9_-]{8,200}", self.key):
            raise ValidationError({"key": _("A robot's key has only letters, digits and dashes: copy it from the "
                                            "robot's webhook address.")})
        if self.secret and self.kind != self.Kind.DINGTALK:
            raise ValidationError({"secret": _("Only a 钉钉 robot has a signing secret.")})
        if self.secret and not re.fullmatch(r"SEC[A-Za-z0-9]{8,197}", self.secret):
            raise ValidationError({"secret": _("A 钉钉 signing secret starts with SEC, then letters and digits.")})

    @property
    def masked_key(self) -> str:
        """Enough of the key to tell robots apart in a list, not enough to post as the robot."""
        return f"{self.key[:4]}…{self.key[-4:]}" if len(self.key) > 10 else "…"


class Delivery(models.Model):
    """One message of one hand-off: to one person by one channel, or to one group robot.

    ``key`` names the hand-off ("finding:12:dispatched"); the named constraints allow one message per
    hand-off, person and channel and one per hand-off and robot, so a job run twice sends once. The row is
    written with the change that calls for it and sent by a job after the commit; a failed try waits
    (``next_attempt_at``) and is tried again, and after the last try the row keeps the gateway's answer.
    """

    class Channel(models.TextChoices):
        WECOM = "wecom", _("企业微信 group")
        DINGTALK = "dingtalk", _("钉钉 group")
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(_("hand-off"), max_length=100)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="deliveries")
    robot = models.ForeignKey(Robot, verbose_name=_("group robot"), null=True, blank=True, on_delete=models.CASCADE,
                              related_name="deliveries")
    notice = models.ForeignKey(Notice, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries")
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("message"))
    markdown = models.TextField(blank=True)
    mobiles = models.JSONField(default=list, blank=True)
    urgent = models.BooleanField(default=False, help_text=_("Sent through quiet hours (escalations)."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("tries"), default=0)
    next_attempt_at = models.DateTimeField(_("next try"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    answer = models.CharField(_("gateway's answer"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["key", "channel", "user"], condition=Q(user__isnull=False),
                                    name="delivery_once_per_person_channel"),
            models.UniqueConstraint(fields=["key", "robot"], condition=Q(robot__isnull=False),
                                    name="delivery_once_per_robot"),
            models.CheckConstraint(condition=Q(user__isnull=False, robot__isnull=True)
                                   | Q(user__isnull=True, robot__isnull=False), name="delivery_to_person_or_robot"),
            models.CheckConstraint(condition=Q(status="sent", sent_at__isnull=False)
                                   | (~Q(status="sent") & Q(sent_at__isnull=True)), name="delivery_sent_at_iff_sent"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="delivery_due_idx"),
            models.Index(fields=["robot", "-created_at"], name="delivery_robot_log_idx"),
            models.Index(fields=["key"], name="delivery_key_idx"),  # the light sweep: which keys went out already
        ]

    def __str__(self):
        return f"{self.key} → {self.robot or self.user} ({self.get_channel_display()})"


def iso_week_bounds(iso_year: int, iso_week: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date.fromisocalendar(iso_year, iso_week, 1)
    return start, start + datetime.timedelta(days=6)
