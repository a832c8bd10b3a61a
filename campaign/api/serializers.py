from rest_framework import serializers

from accounts.models import Unit, User
from campaign.models import Campaign, CheckItem, EventCategory, PointType, Site


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name", "short_name", "kind", "parent", "jurisdiction"]


class MeSerializer(serializers.ModelSerializer):
    unit = UnitSerializer(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "role", "unit", "is_tier3_inspector"]


class CampaignSerializer(serializers.ModelSerializer):
    day_number = serializers.IntegerField(read_only=True)
    days_to_evaluation = serializers.IntegerField(read_only=True)
    duration_days = serializers.IntegerField(read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id", "name", "start_date", "end_date", "evaluation_date", "timezone", "duration_days",
            "day_number", "days_to_evaluation", "rebound_radius_m", "rebound_window_days",
            "weight_task_completion", "weight_task_on_time", "weight_rectification_on_time",
            "weight_rework", "weight_rebound", "bulletin_weekday", "bulletin_hour", "meeting_day",
            "meeting_days_ahead", "escalation_days",
        ]


class CheckItemSerializer(serializers.ModelSerializer):
    content_code = serializers.CharField(source="content.code", default=None, read_only=True, allow_null=True)
    standard_code = serializers.CharField(source="standard.code", default=None, read_only=True, allow_null=True)

    class Meta:
        model = CheckItem
        fields = ["id", "text", "content_code", "standard_code", "reference"]


class PointTypeSerializer(serializers.ModelSerializer):
    checks = CheckItemSerializer(many=True, read_only=True)

    class Meta:
        model = PointType
        fields = ["id", "name", "checks"]


class SiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["id", "name", "point_type", "unit", "address", "latitude", "longitude", "marked_line_zone"]


class EventCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = EventCategory
        fields = ["id", "parent", "name", "time_limit_hours"]
