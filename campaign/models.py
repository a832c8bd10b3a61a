"""The campaign, the evaluation framework it is measured against, and the places and categories of the street."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit

#: The largest id a BigAutoField holds (PostgreSQL and SQLite alike): filters refuse larger ones with a 400.
MAX_ID = 2**63 - 1

WEIGHT_FIELDS = (
    "weight_task_completion",
    "weight_task_on_time",
    "weight_rectification_on_time",
    "weight_rework",
    "weight_rebound",
)


class Framework(models.Model):
    """One edition of the 全国文明城市测评体系. Editions differ, so it is data, never constants in code."""

    edition = models.CharField(_("edition"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("evaluation framework")
        verbose_name_plural = _("evaluation frameworks")
        ordering = ["-edition"]

    def __str__(self):
        return self.name


class FrameworkItem(models.Model):
    """测评项目 (level Ⅰ)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("evaluation item")
        verbose_name_plural = _("evaluation items")
        ordering = ["sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="frameworkitem_code_unique_per_edition")
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Indicator(models.Model):
    """指标名称 (level Ⅱ)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="indicators")
    item = models.ForeignKey(FrameworkItem, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="indicator_code_unique_per_edition")
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Content(models.Model):
    """测评内容 (level Ⅲ). ``bureau_scope`` marks the contents this bureau answers for."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="contents")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="contents")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    bureau_scope = models.BooleanField(_("bureau's responsibility"), default=False)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("evaluation content")
        verbose_name_plural = _("evaluation contents")
        ordering = ["sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="content_code_unique_per_edition")
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Standard(models.Model):
    """测评标准: a numbered clause of a content, coded like Ⅲ-59-2 in responsibility lists."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="standards")
    content = models.ForeignKey(Content, on_delete=models.CASCADE, related_name="standards")
    number = models.PositiveSmallIntegerField(_("number"))
    code = models.CharField(_("code"), max_length=30)
    text = models.TextField(_("text"))
    bureau_scope = models.BooleanField(_("bureau's responsibility"), default=False)

    class Meta:
        verbose_name = _("evaluation standard")
        verbose_name_plural = _("evaluation standards")
        ordering = ["content__sort_order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="standard_code_unique_per_edition"),
            models.UniqueConstraint(fields=["content", "number"], name="standard_number_unique_per_content"),
        ]

    def __str__(self):
        return f"{self.code} {self.text}"

    def clean_fields(self, exclude=None):
        # The edition and the code follow from the content; derive them before they are checked.
        if self.content_id:
            self.framework_id = self.content.framework_id
            if not self.code and self.number:
                self.code = f"{self.content.code}-{self.number}"
        super().clean_fields(exclude)

    def clean(self):
        super().clean()
        if self.content_id and self.number:
            expected = f"{self.content.code}-{self.number}"
            if self.code != expected:
                raise ValidationError({"code": _("The code of standard %(n)s of this content is %(c)s.") % {
                    "n": self.number, "c": expected}})


class NegativeListItem(models.Model):
    """负面清单: a clause that costs points or the title, whatever the score."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="negative_items")
    code = models.CharField(_("code"), max_length=20)
    text = models.TextField(_("clause"))
    penalty = models.TextField(_("penalty"), blank=True)

    class Meta:
        verbose_name = _("negative-list clause")
        verbose_name_plural = _("negative-list clauses")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="negativeitem_code_unique_per_edition")
        ]

    def __str__(self):
        return f"{self.code} {self.text}"


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


class PointType(models.Model):
    """点位类型: a kind of place the evaluators visit (主次干道, 背街小巷, 农贸市场 …)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("point type")
        verbose_name_plural = _("point types")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class CheckItem(models.Model):
    """One line of a point type's check list, as the field-inspection manual words it."""

    point_type = models.ForeignKey(PointType, on_delete=models.CASCADE, related_name="checks")
    content = models.ForeignKey(
        Content, verbose_name=_("evaluation content"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="checks",
    )
    standard = models.ForeignKey(
        Standard, verbose_name=_("evaluation standard"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="checks",
    )
    reference = models.CharField(
        _("reference"), max_length=60, blank=True,
        help_text=_("Where the check comes from when it is not in the framework (e.g. 未成年人测评 5.4)."),
    )
    text = models.CharField(_("check"), max_length=300)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("check-list item")
        verbose_name_plural = _("check-list items")
        ordering = ["point_type", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["point_type", "text"], name="checkitem_text_unique_per_point_type")
        ]

    def __str__(self):
        return self.text


class Site(models.Model):
    """点位: a concrete place on the street, inside one unit's jurisdiction."""

    name = models.CharField(_("name"), max_length=120)
    point_type = models.ForeignKey(PointType, verbose_name=_("point type"), on_delete=models.PROTECT,
                                   related_name="sites")
    unit = models.ForeignKey(Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT,
                             related_name="sites")
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)])
    marked_line_zone = models.BooleanField(
        _("marked-line zone"), default=False,
        help_text=_("Shops may trade inside lines painted by the bureau here; that is not 占道经营."),
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["unit__sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="site_name_unique_per_unit")]
        indexes = [models.Index(fields=["latitude", "longitude"], name="site_lat_lon_idx")]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        located = self.unit_id and self.latitude is not None and self.longitude is not None
        if located and self.unit.boundary and not self.unit.contains_point(self.latitude, self.longitude):
            raise ValidationError({"unit": _("These coordinates lie outside %(unit)s's jurisdiction.") % {
                "unit": self.unit.name}})


class EventCategory(models.Model):
    """数字城管 event category: a 大类 (no parent) or a 小类 with the time limit for dealing with it."""

    parent = models.ForeignKey("self", verbose_name=_("major category"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="children")
    name = models.CharField(_("name"), max_length=60)
    time_limit_hours = models.PositiveIntegerField(
        _("time limit (hours)"), null=True, blank=True,
        help_text=_("Natural hours allowed from dispatch to rectification."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("event category")
        verbose_name_plural = _("event categories")
        ordering = ["parent__sort_order", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], condition=Q(parent__isnull=True),
                                    name="eventcategory_major_name_unique"),
            models.UniqueConstraint(fields=["parent", "name"], name="eventcategory_minor_name_unique"),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(time_limit_hours__isnull=False, time_limit_hours__gt=0),
                name="eventcategory_minor_has_time_limit",
                violation_error_message=_("A sub-category needs a time limit."),
            ),
        ]

    def __str__(self):
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name

    @property
    def is_major(self) -> bool:
        return self.parent_id is None

    def clean(self):
        super().clean()
        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": _("Categories have two levels: 大类 and 小类.")})
        if self.parent_id and not self.time_limit_hours:
            raise ValidationError({"time_limit_hours": _("A sub-category needs a time limit.")})


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
