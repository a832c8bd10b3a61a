"""Reads for the admin's set-up pages: lists with their filters and counts, each in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.models import Unit, User
from campaign.models import (
    Campaign,
    CheckItem,
    Content,
    EventCategory,
    Framework,
    NegativeListItem,
    PointType,
    Site,
    Standard,
)


def setup_counts() -> dict[str, int]:
    """How many of each set-up object exist, for the index page's links."""
    return {
        "units": Unit.objects.count(),
        "people": User.objects.filter(is_active=True).count(),
        "campaigns": Campaign.objects.count(),
        "frameworks": Framework.objects.count(),
        "point_types": PointType.objects.count(),
        "sites": Site.objects.count(),
        "categories": EventCategory.objects.count(),
    }


def people_list(*, unit: Unit | None = None, role: str = "", search: str = "") -> QuerySet[User]:
    """Everyone, active or not (an admin re-activates people here); a unit filter includes its sub-units."""
    qs = User.objects.select_related("unit").order_by("unit__path", "username")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if role:
        qs = qs.filter(role=role)
    if search:
        qs = qs.filter(Q(username__icontains=search) | Q(full_name__icontains=search)
                       | Q(title__icontains=search) | Q(phone__icontains=search))
    return qs


def sites_filtered(*, unit: Unit | None = None, point_type: PointType | None = None) -> QuerySet[Site]:
    qs = Site.objects.select_related("unit", "point_type").order_by("unit__path", "name")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if point_type is not None:
        qs = qs.filter(point_type=point_type)
    return qs


def campaigns_list() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("framework").order_by("-start_date")


def point_types_with_counts() -> QuerySet[PointType]:
    """Point types with how many checks and sites each has, counted in the database."""
    return PointType.objects.annotate(
        check_count=Count("checks", distinct=True), site_count=Count("sites", distinct=True),
    ).order_by("sort_order", "name")


def negative_items(framework: Framework) -> QuerySet[NegativeListItem]:
    return framework.negative_items.order_by("code")



def checks_of(point_type: PointType) -> QuerySet[CheckItem]:
    """The check list of a point type in its order (empty for one not saved yet)."""
    if point_type.pk is None:
        return CheckItem.objects.none()
    return point_type.checks.order_by("sort_order", "pk")


def content_choices() -> QuerySet[Content]:
    """Contents a check can point at: the editions' contents in framework order."""
    return Content.objects.order_by("framework__edition", "sort_order", "code")


def standard_choices() -> QuerySet[Standard]:
    return Standard.objects.order_by("framework__edition", "content__sort_order", "number")
