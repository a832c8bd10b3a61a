"""Findings (问题) and the closed loop each goes through.

A finding follows the 数字城管 loop: the inspector reports it on site and, in the
same step, dispatches it (names the responsible unit and a deadline) → the unit
rectifies it with after-photos → an inspector closes it (销号) or returns it for
rework (返工, counted) → … Rectifications and verifications are append-only rows;
the finding carries denormalised timestamps so the bulletin's indicators are
plain SQL aggregates.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from campaign.core.uploads import PrivateFile
from campaign.models import Campaign, CheckItem, EventCategory, PointType, Site, Standard
from inspections.models.inspections import Inspection, Tier


class Finding(models.Model):
    """问题: something wrong at a place, with photos, owned by one unit until an inspector closes it.

    ``yellow_at`` (80 % of the current period) is stored next to ``deadline`` so
    the traffic light is a plain comparison in SQL; the light itself is never
    stored (``selectors.with_light``). ``clock_start`` is when the current period
    began: the dispatch, or the last return for rework.
    """

    class Status(models.TextChoices):
        DISPATCHED = "dispatched", _("Dispatched")
        RECTIFIED = "rectified", _("Rectified, awaiting verification")
        RETURNED = "returned", _("Returned for rework")
        CLOSED = "closed", _("Closed")
        # 退回: the unit says it is not theirs; the dispatcher re-dispatches it (改派) to the right unit.
        SENT_BACK = "sent_back", _("Sent back, awaiting re-dispatch")
        # 作废: withdrawn by the inspector before the unit acted; it leaves every figure and keeps its history.
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Severity(models.TextChoices):
        GENERAL = "general", _("General")
        SERIOUS = "serious", _("Serious")
        URGENT = "urgent", _("Severe")

    class LocationSource(models.TextChoices):
        BROWSER = "browser", _("Phone location")
        SITE = "site", _("Site")
        PHOTO = "photo", _("Photo GPS")

    OPEN_STATUSES = (Status.DISPATCHED, Status.RETURNED)

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT,
                                 related_name="findings")
    inspection = models.ForeignKey(Inspection, verbose_name=_("inspection"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="findings")
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported by"),
                                 on_delete=models.PROTECT, related_name="findings_reported")
    site = models.ForeignKey(Site, verbose_name=_("site"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="findings")
    point_type = models.ForeignKey(PointType, verbose_name=_("point type"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="findings")
    check_item = models.ForeignKey(CheckItem, verbose_name=_("failed check"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="findings")
    standard = models.ForeignKey(Standard, verbose_name=_("evaluation standard"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="findings")
    category = models.ForeignKey(EventCategory, verbose_name=_("event category"), on_delete=models.PROTECT,
                                 related_name="findings")
    description = models.TextField(_("description"))
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices, default=Severity.GENERAL)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)])
    location_source = models.CharField(_("location from"), max_length=20, choices=LocationSource.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    responsible_unit = models.ForeignKey(Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT,
                                         related_name="findings")
    #: 承办人: the member the squad leader handed it to; the unit, and its squad leader, stay responsible.
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handled by"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="findings_handled")
    deadline = models.DateTimeField(_("deadline"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DISPATCHED)
    rework_count = models.PositiveSmallIntegerField(_("reworks"), default=0)
    redispatch_count = models.PositiveSmallIntegerField(_("re-dispatches"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extensions granted"), default=0)
    is_rebound = models.BooleanField(_("rebound"), default=False)
    rebound_of = models.ForeignKey("self", verbose_name=_("rebound of"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="rebounds")
    # Denormalised for the bulletin's SQL aggregates.
    reported_at = models.DateTimeField(_("reported at"))
    #: The current dispatch: a re-dispatch starts the rightful unit's clock afresh.
    dispatched_at = models.DateTimeField(_("dispatched at"))
    clock_start = models.DateTimeField(_("current period started"))
    yellow_at = models.DateTimeField(_("light turns yellow at"))
    first_rectified_at = models.DateTimeField(_("first rectified at"), null=True, blank=True)
    rectified_at = models.DateTimeField(_("last rectified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_on_time = models.BooleanField(_("rectified on time"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-reported_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(tier__gte=1, tier__lte=3), name="finding_tier_1_to_3"),
            models.CheckConstraint(
                condition=Q(is_rebound=False, rebound_of__isnull=True) | Q(is_rebound=True, rebound_of__isnull=False),
                name="finding_rebound_flag_matches_link",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gt=F("clock_start")),
                name="finding_deadline_after_period_start",
                violation_error_message=_("The deadline must come after the finding is dispatched."),
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="finding_closed_at_iff_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status", "deadline"], name="finding_campaign_status_idx"),
            models.Index(fields=["responsible_unit", "status"], name="finding_unit_status_idx"),
            models.Index(fields=["category", "closed_at"], name="finding_category_closed_idx"),
            models.Index(fields=["latitude", "longitude"], name="finding_lat_lon_idx"),
            # Lists show the newest first: walking this index avoids sorting every finding.
            models.Index(fields=["-reported_at", "-id"], name="finding_newest_first_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.category.name} · {self.responsible_unit.label}"

    def clean(self):
        super().clean()
        if self.category_id and self.category.parent_id is None:
            raise ValidationError({"category": _("Choose a sub-category (小类), not a major category.")})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def place(self) -> str:
        """Where it is, in words: its site, else the address it was given, else "the reported spot"."""
        return self.site.name if self.site_id else (self.address or str(_("the reported spot")))

    @property
    def maps_url(self) -> str:
        """A geo: link: the phone opens its own map app; nothing is fetched from the internet by the page."""
        return f"geo:{self.latitude},{self.longitude}?q={self.latitude},{self.longitude}"


class Rectification(models.Model):
    """整改: the responsible unit's answer, with after-photos. Never edited; a rework adds another."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="rectifications")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
                           related_name="+")
    note = models.TextField(_("what was done"))
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.finding_id} {self.at:%Y-%m-%d %H:%M}"


class Verification(models.Model):
    """复查: an inspector's verdict on a rectification: closed (销号) or returned for rework (返工)."""

    class Result(models.TextChoices):
        CLOSED = "closed", _("Closed")
        RETURNED = "returned", _("Returned for rework")

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="verifications")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
                           related_name="+")
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    note = models.TextField(_("note"), blank=True)
    new_deadline = models.DateTimeField(_("new deadline"), null=True, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(result="closed", new_deadline__isnull=True)
                | Q(result="returned", new_deadline__isnull=False),
                name="verification_return_has_new_deadline",
                violation_error_message=_("A return for rework needs a new deadline."),
            ),
        ]

    def __str__(self):
        return f"{self.finding_id} {self.get_result_display()}"


class FindingPhoto(PrivateFile):
    """A photo of a finding: before (on report) or after (with a rectification)."""

    class Phase(models.TextChoices):
        BEFORE = "before", _("Before")
        AFTER = "after", _("After")

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="photos")
    rectification = models.ForeignKey(Rectification, null=True, blank=True, on_delete=models.CASCADE,
                                      related_name="photos")
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices)

    class Meta:
        verbose_name = _("finding photo")
        verbose_name_plural = _("finding photos")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(phase="before", rectification__isnull=True)
                | Q(phase="after", rectification__isnull=False),
                name="findingphoto_after_belongs_to_rectification",
            ),
        ]
