"""Read-only reference data for clients (the phone form needs sites, point types and categories)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response

from accounts.access import units_visible_to
from campaign.api import serializers
from campaign.models import Campaign, CheckItem, EventCategory, PointType, Site


@extend_schema(responses=serializers.MeSerializer)
@api_view(["GET"])
def me(request):
    """The signed-in person, their role and unit."""
    return Response(serializers.MeSerializer(request.user).data)


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.UnitSerializer
    filterset_fields = ["kind", "parent"]

    def get_queryset(self):
        return units_visible_to(self.request.user).order_by("sort_order", "code")


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.CampaignSerializer
    queryset = Campaign.objects.order_by("-start_date")


class PointTypeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.PointTypeSerializer
    queryset = PointType.objects.filter(is_active=True).prefetch_related(
        Prefetch("checks", queryset=CheckItem.objects.select_related("content", "standard"))
    )


class SiteViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.SiteSerializer
    filterset_fields = ["unit", "point_type"]
    queryset = Site.objects.filter(is_active=True).order_by("unit__sort_order", "name")


class EventCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.EventCategorySerializer
    filterset_fields = ["parent"]
    queryset = EventCategory.objects.filter(is_active=True).order_by("parent_id", "sort_order")
