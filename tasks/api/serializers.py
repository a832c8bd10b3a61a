"""API shapes for tasks. Reading serializers show; writing serializers only parse: services decide."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Unit, User
from campaign.models import Campaign
from tasks.models import Attachment, Task, TaskUpdate


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name"]


class UnitBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name"]


class TaskSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True)
    responsible = PersonSerializer(read_only=True)
    supervisor = PersonSerializer(read_only=True, allow_null=True)
    standards = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    parent_seq = serializers.IntegerField(source="parent.seq", read_only=True, allow_null=True, default=None)
    overdue = serializers.SerializerMethodField()
    days_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id", "campaign", "seq", "level", "parent", "parent_seq", "content", "criteria", "deadline", "unit",
            "responsible", "supervisor", "standards", "status", "progress", "overdue", "days_overdue", "version",
            "created_at", "updated_at", "assigned_at", "first_response_at", "done_at", "last_activity_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, task: Task) -> bool:
        annotated = getattr(task, "overdue", None)
        return task.is_overdue() if annotated is None else bool(annotated)

    @extend_schema_field(OpenApiTypes.INT)
    def get_days_overdue(self, task: Task) -> int:
        return task.days_overdue()


class TaskWriteSerializer(serializers.Serializer):
    """Create a task (``campaign`` defaults to the running one) or, with ``parent``, split one."""

    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all(), required=False)
    parent = serializers.PrimaryKeyRelatedField(queryset=Task.objects.none(), required=False, allow_null=True)
    content = serializers.CharField(max_length=2000)
    criteria = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    deadline = serializers.DateField()
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    responsible = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    supervisor = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False,
                                                    allow_null=True, default=None)
    standards = serializers.ListField(child=serializers.CharField(max_length=30), required=False, default=list,
                                      help_text="Standard codes such as Ⅲ-59-2, from the campaign's framework.")

    def __init__(self, *args, visible_tasks=None, **kwargs):
        super().__init__(*args, **kwargs)
        if visible_tasks is not None:
            self.fields["parent"].queryset = visible_tasks


class TaskEditSerializer(serializers.Serializer):
    """Change what a task says. Send ``version`` or an If-Match header: a stale one answers 409, none 428."""

    content = serializers.CharField(max_length=2000, required=False)
    criteria = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    deadline = serializers.DateField(required=False)
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False)
    responsible = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False)
    supervisor = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False,
                                                    allow_null=True)
    standards = serializers.ListField(child=serializers.CharField(max_length=30), required=False,
                                      help_text="Standard codes such as Ⅲ-59-2, from the campaign's framework.")
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1, required=False)


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "is_image", "width", "height", "captured_at",
                  "latitude", "longitude", "url"]

    def get_url(self, stored: Attachment) -> str:
        path = reverse("task-file", kwargs={"pk": stored.update.task_id, "file_id": stored.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


@extend_schema_field({"type": "string", "description": "A task status (see `status` of Task), or empty when "
                                                       "the change did not touch the status."})
class HistoryStatusField(serializers.CharField):
    """A plain string in the schema: a second enum of the same statuses would get a second name."""


class TaskUpdateSerializer(serializers.ModelSerializer):
    by = PersonSerializer(read_only=True)
    status_before = HistoryStatusField(read_only=True)
    status_after = HistoryStatusField(read_only=True)
    assignee_before = PersonSerializer(read_only=True, allow_null=True)
    assignee_after = PersonSerializer(read_only=True, allow_null=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = TaskUpdate
        fields = ["id", "kind", "by", "at", "status_before", "status_after", "progress_before", "progress_after",
                  "assignee_before", "assignee_after", "note", "version", "attachments"]
        read_only_fields = fields


class StatusUpdateSerializer(serializers.Serializer):
    """A progress report: status, progress, a note and evidence files (multipart)."""

    status = serializers.ChoiceField(choices=Task.Status.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100, required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=10)
    version = serializers.IntegerField(min_value=1, required=False)


class AssignSerializer(serializers.Serializer):
    responsible = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1, required=False)


class ReopenSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000)
    version = serializers.IntegerField(min_value=1, required=False)


class StaleSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current = TaskSerializer()
