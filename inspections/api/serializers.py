"""Shapes of /api/v1/inspections/ and /api/v1/findings/. Writes are validated here for form, by services for rules."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Unit, User
from campaign.models import CheckItem, EventCategory, PointType, Site, Standard
from inspections.models import (
    CheckResult,
    ExtensionRequest,
    Finding,
    FindingEvent,
    FindingPhoto,
    Inspection,
    Rectification,
    Tier,
    Verification,
)


class CheckResultSerializer(serializers.ModelSerializer):
    check_text = serializers.CharField(source="check_item.text", read_only=True)

    class Meta:
        model = CheckResult
        fields = ["site", "check_item", "check_text", "passed", "note", "checked_by", "checked_at"]
        read_only_fields = fields


class InspectionSerializer(serializers.ModelSerializer):
    """One shape for list and detail, so each enum lives in one schema component."""

    tier_label = serializers.CharField(source="get_tier_display", read_only=True)
    finding_count = serializers.IntegerField(read_only=True)
    results = CheckResultSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "campaign", "tier", "tier_label", "topic", "date", "created_by", "inspectors", "squad",
                  "target_units", "target_sites", "status", "summary", "finished_at", "finding_count", "results"]
        read_only_fields = fields


class InspectionCreateSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices)
    topic = serializers.CharField(max_length=200)
    date = serializers.DateField()
    inspectors = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), many=True,
                                                    required=False)
    target_units = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), many=True, required=False)
    target_sites = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all(), many=True, required=False)


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = FindingPhoto
        fields = ["id", "phase", "url", "width", "height", "captured_at", "latitude", "longitude"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, photo) -> str:
        path = reverse("finding-photo", args=[photo.finding_id, photo.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class RectificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rectification
        fields = ["id", "by", "note", "at"]
        read_only_fields = fields


class VerificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Verification
        fields = ["id", "by", "result", "note", "new_deadline", "at"]
        read_only_fields = fields


class FindingEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = FindingEvent
        fields = ["id", "kind", "by", "at", "note", "from_unit", "to_unit", "deadline", "person", "changes"]
        read_only_fields = fields


class ExtensionRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExtensionRequest
        fields = ["id", "by", "at", "reason", "old_deadline", "proposed_deadline", "status", "decided_by",
                  "decided_at", "granted_deadline", "answer"]
        read_only_fields = fields


class FindingSerializer(serializers.ModelSerializer):
    """One shape for list and detail: the photos and the history come along (prefetched)."""

    light = serializers.CharField(read_only=True, help_text="green, yellow, red; empty once rectified or closed.")
    category_name = serializers.CharField(source="category.name", read_only=True)
    major_category_name = serializers.CharField(source="category.parent.name", read_only=True)
    responsible_unit_name = serializers.CharField(source="responsible_unit.name", read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)
    rectifications = RectificationSerializer(many=True, read_only=True)
    verifications = VerificationSerializer(many=True, read_only=True)
    events = FindingEventSerializer(many=True, read_only=True)
    extensions = ExtensionRequestSerializer(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = ["id", "campaign", "inspection", "tier", "reporter", "site", "point_type", "check_item", "standard",
                  "category", "category_name", "major_category_name", "description", "severity", "latitude",
                  "longitude", "location_source", "address", "responsible_unit", "responsible_unit_name",
                  "deadline", "status", "light", "rework_count", "is_rebound", "rebound_of", "reported_at",
                  "dispatched_at", "first_rectified_at", "rectified_at", "closed_at", "closed_on_time", "version",
                  "redispatch_count", "extension_count", "handler", "photos", "rectifications", "verifications",
                  "events", "extensions"]
        read_only_fields = fields


class FindingCreateSerializer(serializers.Serializer):
    """multipart/form-data: repeat ``photos`` for several photos; ``check_<id>`` answers are not taken here."""

    photos = serializers.ListField(child=serializers.FileField(), allow_empty=True, required=False)
    category = serializers.PrimaryKeyRelatedField(queryset=EventCategory.objects.all(),
                                                  help_text="An event sub-category (小类).")
    description = serializers.CharField()
    severity = serializers.ChoiceField(choices=Finding.Severity.choices, default=Finding.Severity.GENERAL)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True,
                                        min_value=-90, max_value=90)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True,
                                         min_value=-180, max_value=180)
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all(), required=False, allow_null=True)
    point_type = serializers.PrimaryKeyRelatedField(queryset=PointType.objects.all(), required=False,
                                                    allow_null=True)
    check_item = serializers.PrimaryKeyRelatedField(queryset=CheckItem.objects.all(), required=False,
                                                    allow_null=True)
    standard = serializers.PrimaryKeyRelatedField(queryset=Standard.objects.all(), required=False, allow_null=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    responsible_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False,
                                                          allow_null=True)
    deadline = serializers.DateTimeField(required=False, allow_null=True)
    inspection = serializers.PrimaryKeyRelatedField(queryset=Inspection.objects.all(), required=False,
                                                    allow_null=True)


def _version():
    return serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                    help_text="The version you saw (needed); a stale one answers 409, none 428.")


class RectifySerializer(serializers.Serializer):
    note = serializers.CharField()
    photos = serializers.ListField(child=serializers.FileField(), allow_empty=True, required=False)
    version = _version()


class VerifySerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = _version()


class ReturnSerializer(serializers.Serializer):
    note = serializers.CharField()
    new_deadline = serializers.DateTimeField()
    version = _version()


class SendBackSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the finding is not the unit's (退回).")
    version = _version()


class RedispatchSerializer(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), help_text="The rightful unit (改派).")
    deadline = serializers.DateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = _version()


class CorrectSerializer(serializers.Serializer):
    """Only the fields sent are corrected."""

    category = serializers.PrimaryKeyRelatedField(queryset=EventCategory.objects.all(), required=False)
    description = serializers.CharField(required=False)
    severity = serializers.ChoiceField(choices=Finding.Severity.choices, required=False)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    version = _version()


class FindingAssignSerializer(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True),
                                                help_text="The unit's member who handles it (承办人).")
    version = _version()


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the finding is withdrawn (作废).")
    version = _version()


class ExtensionAskSerializer(serializers.Serializer):
    reason = serializers.CharField()
    deadline = serializers.DateTimeField(help_text="The deadline asked for (申请延期).")
    version = _version()


class ExtensionDecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    deadline = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                         help_text="The deadline granted; the one asked for when absent.")
    answer = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text="Needed when refusing.")
    version = _version()


class FindingStaleSerializer(serializers.Serializer):
    """The 409 answer to a stale change: why, and the finding as it is now."""

    detail = serializers.CharField()
    current = FindingSerializer()
