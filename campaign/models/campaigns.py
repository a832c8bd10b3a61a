"""The campaign (百日攻坚战) and the settings every job reads; the jobs' heartbeats."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.models.framework import Framework

#: The largest id a BigAutoField holds (PostgreSQL and SQLite alike): filters refuse larger ones with a 400.
MAX_ID = 2**63 - 1

WEIGHT_FIELDS = (
    "weight_task_completion",
    "weight_task_on_time",
    "weight_rectification_on_time",
    "weight_rework",
    "weight_rebound",
)



class Campaign(models.Model):
    """百日攻坚战: a hundred-day push towards one evaluation date, and the settings every job reads."""

    name = models.CharField(_("name"), max_length=200)
    framework = models.ForeignKey(
        Framework, verbose_name=_("evaluation framework"), on_delete=models.PROTECT, related_name="campaigns"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    evaluation_date = models.DateField(_("evaluation date"))
    timezone = models.CharField(_("time zone"), max_length=50, default="Asia/Shanghai")
    rebound_radius_m = models.PositiveIntegerField(
        _("rebound radius (m)"), default=50, validators=[MinValueValidator(1), MaxValueValidator(5000)]
    )
    rebound_window_days = models.PositiveIntegerField(
        _("rebound window (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    weight_task_completion = models.PositiveSmallIntegerField(_("weight: tasks done"), default=30)
    weight_task_on_time = models.PositiveSmallIntegerField(_("weight: tasks done on time"), default=20)
    weight_rectification_on_time = models.PositiveSmallIntegerField(_("weight: rectified on time"), default=20)
    weight_rework = models.PositiveSmallIntegerField(_("weight: no rework"), default=15)
    weight_rebound = models.PositiveSmallIntegerField(_("weight: no rebound"), default=15)
    bulletin_weekday = models.PositiveSmallIntegerField(
        _("bulletin weekday"), default=0, validators=[MaxValueValidator(6)],
        help_text=_("0 is Monday, 6 is Sunday."),
    )
    bulletin_hour = models.PositiveSmallIntegerField(_("bulletin hour"), default=8, validators=[MaxValueValidator(23)])
    meeting_day = models.PositiveSmallIntegerField(
        _("meeting day of month"), default=25, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    meeting_days_ahead = models.PositiveSmallIntegerField(
        _("agenda proposed days ahead"), default=3, validators=[MaxValueValidator(27)]
    )
    escalation_days = models.PositiveSmallIntegerField(
        _("escalate after overdue days"), default=3, validators=[MinValueValidator(1)]
    )
    due_soon_days = models.PositiveSmallIntegerField(
        _("remind days before deadline"), default=3, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    idle_days = models.PositiveSmallIntegerField(
        _("idle after days without activity"), default=7, validators=[MinValueValidator(1)]
    )
    stalled_days = models.PositiveSmallIntegerField(
        _("stalled after days without progress"), default=14, validators=[MinValueValidator(1)]
    )
    praise_count = models.PositiveSmallIntegerField(_("units praised at most"), default=3)
    praise_bar = models.PositiveSmallIntegerField(
        _("score to be praised"), default=85, validators=[MaxValueValidator(100)]
    )
    lagging_bar = models.PositiveSmallIntegerField(
        _("score below which a unit lags"), default=60, validators=[MaxValueValidator(100)]
    )
    experience_speakers = models.PositiveSmallIntegerField(
        _("units sharing experience at the meeting"), default=2, validators=[MinValueValidator(1)]
    )
    document_prefix = models.CharField(
        _("issuing-number prefix"), max_length=20, default="城管创",
        help_text=_("发文字号 prefix: bulletins are numbered like 城管创〔2026〕5号."),
    )
    bulletin_auto_publish = models.BooleanField(
        _("publish bulletins when written"), default=True,
        help_text=_("Email each weekly bulletin to the leaders as soon as the job writes it."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")),
                name="campaign_ends_after_start",
                violation_error_message=_("A campaign ends after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(evaluation_date__gte=F("start_date")),
                name="campaign_evaluation_not_before_start",
                violation_error_message=_("The evaluation cannot come before the campaign starts."),
            ),
            models.CheckConstraint(
                condition=Exact(
                    F("weight_task_completion") + F("weight_task_on_time") + F("weight_rectification_on_time")
                    + F("weight_rework") + F("weight_rebound"),
                    100,
                ),
                name="campaign_weights_add_up_to_100",
                violation_error_message=_("The score weights must add up to 100."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            errors["end_date"] = _("A campaign ends after it starts.")
        if self.start_date and self.evaluation_date and self.evaluation_date < self.start_date:
            errors["evaluation_date"] = _("The evaluation cannot come before the campaign starts.")
        if sum(getattr(self, f) or 0 for f in WEIGHT_FIELDS) != 100:
            errors["weight_task_completion"] = _("The score weights must add up to 100.")
        if errors:
            raise ValidationError(errors)

    # --- derived, never stored -------------------------------------------
    @property
    def duration_days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    def today(self) -> datetime.date:
        return timezone.localdate()

    def day_number(self, on: datetime.date | None = None) -> int:
        """Day N of the campaign (1 on the start date), clamped to the campaign."""
        on = on or self.today()
        return max(0, min((on - self.start_date).days + 1, self.duration_days))

    def days_to_evaluation(self, on: datetime.date | None = None) -> int:
        on = on or self.today()
        return max(0, (self.evaluation_date - on).days)

    def is_active(self, on: datetime.date | None = None) -> bool:
        on = on or self.today()
        return self.start_date <= on <= self.end_date

    @property
    def weights(self) -> dict[str, int]:
        return {f.removeprefix("weight_"): getattr(self, f) for f in WEIGHT_FIELDS}




class JobHeartbeat(models.Model):
    """When a periodic job last ran: /healthz shows it, so a dead beat or worker is visible."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField()
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("job heartbeat")
        verbose_name_plural = _("job heartbeats")

    def __str__(self):
        return self.name
