"""Reads for the campaign, its framework and the street data."""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from campaign.core import cache
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
    """The campaign running today; failing that the next one to start, then the latest that ended."""
    on = on or timezone.localdate()
    found = campaigns()
    running = [c for c in found if c.start_date <= on <= c.end_date]
    coming = [c for c in found if c.start_date > on]
    if running:
        return max(running, key=lambda c: (c.start_date, c.pk))
    if coming:
        return min(coming, key=lambda c: (c.start_date, c.pk))
    return max(found, key=lambda c: (c.end_date, c.pk), default=None)


def campaigns() -> list[Campaign]:
    """Every campaign with its framework: a handful of rows that nearly every page reads (cached data)."""
    return cache.cached(cache.campaigns_key(), lambda: list(Campaign.objects.select_related("framework")))


def active_campaigns(on: datetime.date | None = None) -> QuerySet[Campaign]:
    on = on or timezone.localdate()
    return Campaign.objects.filter(start_date__lte=on, end_date__gte=on).select_related("framework")


def idle_days() -> int:
    """The days without action after which an item counts as idle: the running campaign's setting."""
    days = active_campaigns().order_by("-start_date").values_list("idle_days", flat=True).first()
    return days or Campaign._meta.get_field("idle_days").default


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
