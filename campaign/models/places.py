"""The street: point types and their check lists, sites, and the 数字城管 event categories."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from campaign.models.framework import Content, Standard


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

    def clean(self):
        super().clean()
        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": _("Categories have two levels: 大类 and 小类.")})
        if self.parent_id and not self.time_limit_hours:
            raise ValidationError({"time_limit_hours": _("A sub-category needs a time limit.")})
