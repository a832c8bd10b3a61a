"""Filters of the findings list, shared by the page, the Excel export and the API."""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.conf import settings as filter_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts.models import Unit
from campaign.core.forms import PlainSelect
from campaign.models import MAX_ID, EventCategory
from campaign.selectors import idle_days
from inspections.models import ExtensionRequest, Finding, Tier
from inspections.selectors import GREEN, RED, YELLOW


@extend_schema_field(OpenApiTypes.INT)
class UnitFilter(django_filters.ModelChoiceFilter):
    """A unit by id; it includes the units under it."""


class FindingFilter(django_filters.FilterSet):
    """Narrows a queryset from ``selectors.findings_visible_to`` (which already applied who may see what)."""

    # The menus are written in Python (PlainSelect, Django's markup): every unit of a city as an option
    # through the widget templates was a large part of the list page's rendering.
    tier = django_filters.TypedChoiceFilter(label=_("Tier"), choices=Tier.choices, coerce=int, widget=PlainSelect)
    # Each menu reads what its options show, and a unit's path (a chosen unit filters by it): a city's units'
    # boundaries are only weight on every page.
    unit = UnitFilter(
        label=_("Responsible unit"), queryset=Unit.objects.exclude(kind=Unit.Kind.BUREAU).only("name", "path"),
        method="filter_unit", widget=PlainSelect)
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=EventCategory.objects.select_related("parent").only("name", "parent__name"),
        method="filter_category", help_text=_("A major category includes its sub-categories."), widget=PlainSelect)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Finding.Status.choices, widget=PlainSelect)
    light = django_filters.ChoiceFilter(
        label=_("Light"), choices=[(GREEN, _("Green")), (YELLOW, _("Yellow")), (RED, _("Red"))],
        field_name="light", widget=PlainSelect)
    rebound = django_filters.BooleanFilter(label=_("Rebound"), field_name="is_rebound")
    idle = django_filters.BooleanFilter(label=_("Idle only"), method="filter_idle",
                                        help_text=_("Dispatched, and not rectified once in the campaign's idle days."))
    extension = django_filters.BooleanFilter(label=_("More time asked for"), method="filter_extension",
                                             help_text=_("Open, with a request for more time awaiting a decision."))
    date_from = django_filters.DateFilter(label=_("Reported from"), field_name="reported_at",
                                          lookup_expr="date__gte")
    date_to = django_filters.DateFilter(label=_("Reported until"), field_name="reported_at",
                                        lookup_expr="date__lte")
    inspection = django_filters.NumberFilter(label=_("Inspection"), field_name="inspection_id", min_value=1,
                                             max_value=MAX_ID, widget=django_filters.widgets.forms.HiddenInput)

    class Meta:
        model = Finding
        fields: list[str] = []

    def filter_unit(self, queryset, name, value):
        return queryset.filter(responsible_unit__path__startswith=value.path) if value else queryset

    def filter_idle(self, queryset, name, value):
        if not value:
            return queryset
        since = timezone.now() - datetime.timedelta(days=idle_days())
        return queryset.filter(status__in=Finding.OPEN_STATUSES, first_rectified_at__isnull=True,
                               dispatched_at__lt=since)

    def filter_extension(self, queryset, name, value):
        if value is None:
            return queryset
        pending = ExtensionRequest.objects.filter(finding=OuterRef("pk"), status=ExtensionRequest.Status.PENDING)
        return queryset.filter(Exists(pending) if value else ~Exists(pending))

    def filter_category(self, queryset, name, value):
        return queryset.filter(Q(category=value) | Q(category__parent=value)) if value else queryset

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("date_from", "date_to"):
            self.filters[name].field.widget.input_type = "date"
        for name in ("rebound", "idle", "extension"):
            self.filters[name].field.widget.choices = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]
        # The menu starts blank, as the others do (the API's schema keeps the three tiers): without it the
        # menu showed tier 1 as chosen while the list held every tier, and the next "Filter" narrowed it.
        self.filters["tier"].field.widget.choices = [("", filter_settings.EMPTY_CHOICE_LABEL), *Tier.choices]
