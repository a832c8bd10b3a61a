"""Three-tier inspection (三级督查): who inspects, an inspection's outing and its check-list results."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from campaign.models import Campaign, CheckItem, Site


class Tier(models.IntegerChoices):
    """三级督查: who inspects, and therefore where they may inspect."""

    BUREAU = 1, _("Tier 1 · bureau leaders' special inspection")
    DIRECTED = 2, _("Tier 2 · inspection squad's directed inspection")
    INTERNAL = 3, _("Tier 3 · squad's internal full inspection")


#: The tiers' short names (一级督查 …), for a line where the whole label would not fit.
TIER_NAMES = {Tier.BUREAU: _("Tier 1"), Tier.DIRECTED: _("Tier 2"), Tier.INTERNAL: _("Tier 3")}


class Inspection(models.Model):
    """督查: one outing of one tier, with its inspectors, its targets and, at the end, its report."""

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        FINISHED = "finished", _("Finished")

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT,
                                 related_name="inspections")
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices)
    topic = models.CharField(_("topic"), max_length=200)
    date = models.DateField(_("date"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("lead inspector"),
                                   on_delete=models.PROTECT, related_name="inspections_led")
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("inspectors"),
                                        related_name="inspections", blank=True)
    squad = models.ForeignKey(
        Unit, verbose_name=_("squad"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("For a tier-3 inspection: the squad inspecting itself."),
    )
    target_units = models.ManyToManyField(Unit, verbose_name=_("units inspected"), blank=True,
                                          related_name="inspections")
    target_sites = models.ManyToManyField(Site, verbose_name=_("sites inspected"), blank=True,
                                          related_name="inspections")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    summary = models.TextField(_("summary"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(tier__gte=1, tier__lte=3), name="inspection_tier_1_to_3"),
            models.CheckConstraint(
                condition=Q(tier=3, squad__isnull=False) | (~Q(tier=3) & Q(squad__isnull=True)),
                name="inspection_squad_iff_tier3",
                violation_error_message=_("A tier-3 inspection belongs to one squad; tiers 1 and 2 to none."),
            ),
            models.CheckConstraint(
                condition=Q(status="open", finished_at__isnull=True)
                | Q(status="finished", finished_at__isnull=False),
                name="inspection_finished_at_iff_finished",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "tier", "date"], name="inspection_campaign_tier_idx"),
            # The finding form offers the open inspections one takes part in. Open ones are a handful (an
            # inspection closes the day it is done) among every inspection ever held, which without this index
            # are read one by one to find them.
            models.Index(fields=["-date", "-id"], condition=Q(status="open"), name="inspection_open_idx"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.topic}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class CheckResult(models.Model):
    """One line of a point type's check list, passed or failed, at one site of one inspection."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    site = models.ForeignKey(Site, verbose_name=_("site"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    check_item = models.ForeignKey(CheckItem, verbose_name=_("check"), on_delete=models.PROTECT, related_name="+")
    passed = models.BooleanField(_("passed"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(_("checked at"), auto_now=True)

    class Meta:
        verbose_name = _("check result")
        verbose_name_plural = _("check results")
        ordering = ["inspection", "site", "check_item__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "site", "check_item"], condition=Q(site__isnull=False),
                                    name="checkresult_once_per_site"),
            models.UniqueConstraint(fields=["inspection", "check_item"], condition=Q(site__isnull=True),
                                    name="checkresult_once_without_site"),
        ]

    def __str__(self):
        return f"{self.check_item} — {'✓' if self.passed else '✗'}"
