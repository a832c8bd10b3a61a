"""Reads for the campaign, its framework and the street data."""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from campaign import fragments, models
from campaign.models import (
    Campaign,
    Content,
    EventCategory,
    Framework,
    FrameworkItem,
    Indicator,
    JobHeartbeat,
    Standard,
)


def current_campaign(on: datetime.date | None = None) -> Campaign | None:
    """The campaign running today; failing that the next one to start, then the latest that ended.

    Nearly every page asks, so the answer is cached for the day under the reference generation, which
    any change to a campaign or a framework moves on (campaign/fragments.py).
    """
    on = on or timezone.localdate()
    return fragments.cached_value("current-campaign", (on, fragments.generation()), lambda: _current_campaign(on),
                                  files=(models.__file__,))


def _current_campaign(on: datetime.date) -> Campaign | None:
    qs = Campaign.objects.select_related("framework")
    return (
        qs.filter(start_date__lte=on, end_date__gte=on).order_by("-start_date").first()
        or qs.filter(start_date__gt=on).order_by("start_date").first()
        or qs.order_by("-end_date").first()
    )


def active_campaigns(on: datetime.date | None = None) -> QuerySet[Campaign]:
    on = on or timezone.localdate()
    return Campaign.objects.filter(start_date__lte=on, end_date__gte=on).select_related("framework")


def framework_tree(framework: Framework) -> list[FrameworkItem]:
    """Items → indicators → contents → standards of one edition, in four queries whatever its size."""
    standards = Prefetch("standards", queryset=Standard.objects.order_by("number"))
    contents = Prefetch("contents", queryset=Content.objects.order_by("sort_order").prefetch_related(standards))
    indicators = Prefetch("indicators", queryset=Indicator.objects.order_by("sort_order").prefetch_related(contents))
    return list(framework.items.order_by("sort_order").prefetch_related(indicators))


def frameworks_with_counts() -> QuerySet[Framework]:
    return Framework.objects.annotate(
        item_count=Count("items", distinct=True),
        content_count=Count("contents", distinct=True),
        standard_count=Count("standards", distinct=True),
    )




def event_categories() -> list[EventCategory]:
    """Majors with their minors, in two queries."""
    minors = Prefetch("children", queryset=EventCategory.objects.order_by("sort_order", "name"))
    return list(EventCategory.objects.filter(parent__isnull=True).order_by("sort_order").prefetch_related(minors))


def heartbeats() -> dict[str, JobHeartbeat]:
    return {hb.name: hb for hb in JobHeartbeat.objects.all()}
