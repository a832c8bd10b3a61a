"""A finding's routing outside the rectify-and-verify loop: sent back, re-dispatched, corrected, withdrawn,
and the requests for more time."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from inspections.models.findings import Finding


class FindingEvent(models.Model):
    """A step of a finding's life outside the rectify-and-verify loop, kept for its history: sent back by the
    unit it was dispatched to, re-dispatched to another, corrected or withdrawn by its inspector."""

    class Kind(models.TextChoices):
        SENT_BACK = "sent_back", _("Sent back: not this unit's")
        REDISPATCHED = "redispatched", _("Re-dispatched")
        ASSIGNED = "assigned", _("Handed to a member")
        CORRECTED = "corrected", _("Corrected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
                           related_name="+")
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("reason"), blank=True)
    from_unit = models.ForeignKey(Unit, verbose_name=_("from"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    to_unit = models.ForeignKey(Unit, verbose_name=_("to"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handed to"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    #: A correction's fields, each as {"field": [before, after]} in the words the page shows them.
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("finding event")
        verbose_name_plural = _("finding events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.finding_id} {self.get_kind_display()}"


class ExtensionRequest(models.Model):
    """申请延期: the unit asks for a later deadline, with a reason; the dispatcher or a leader decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting a decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        LAPSED = "lapsed", _("Lapsed: answered or moved before a decision")

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="extensions")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT,
                           related_name="+")
    at = models.DateTimeField(_("asked at"))
    reason = models.TextField(_("reason"))
    old_deadline = models.DateTimeField(_("deadline asked about"))
    proposed_deadline = models.DateTimeField(_("proposed deadline"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    granted_deadline = models.DateTimeField(_("granted deadline"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["finding"], condition=Q(status="pending"),
                                    name="extension_one_pending_per_finding",
                                    violation_error_message=_("This finding already has a request waiting.")),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="extension_decided_at_iff_decided",
            ),
            models.CheckConstraint(condition=~Q(status="approved") | Q(granted_deadline__isnull=False),
                                   name="extension_approval_grants_a_deadline"),
        ]

    def __str__(self):
        return f"{self.finding_id} {self.get_status_display()}"
