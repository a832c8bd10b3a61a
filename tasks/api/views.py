"""/api/v1/tasks/: the list as a resource, and the workflow (updates, assign, reopen) as one endpoint each.

Every write names the version it is based on: an ``If-Match: "<version>"``
header or a ``version`` field. A stale one answers 409 Conflict with the task
as it is now, and nothing is overwritten; none at all answers 428 (both by the
project's exception handler, campaign/core/api.py). Reads send the version as
the ETag.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from campaign.core.errors import VersionRequired
from campaign.core.uploads import serve_private_file
from campaign.models import Campaign, Standard
from campaign.selectors import current_campaign
from tasks import selectors, services
from tasks.api import serializers as s
from tasks.filters import TaskFilter
from tasks.models import Attachment, Task

IF_MATCH = OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False,
                            description='The task version you saw, as an ETag ("3"); a stale one answers 409.')
STALE = {409: OpenApiResponse(s.StaleSerializer, description="Stale version: the task changed; here it is now."),
         428: OpenApiResponse(description="Neither If-Match nor version was sent.")}


def _expected_version(request, data) -> int:
    """The version the client based its change on: the If-Match header, else the ``version`` field."""
    header = request.headers.get("If-Match", "").strip()
    if header and header != "*":
        value = header.removeprefix("W/").strip('"')
        if not value.isdigit() or len(value) > 10:
            raise ValidationError({"If-Match": _("Send the task's ETag, e.g. \"3\".")})
        return int(value)
    if data.get("version") is None:
        raise VersionRequired
    return int(data["version"])


def _standards(campaign: Campaign, codes) -> list[Standard] | None:
    if codes is None:
        return None
    found = {st.code: st for st in Standard.objects.filter(framework=campaign.framework_id, code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ValidationError({"standards": [_("Unknown standard code: %(code)s") % {"code": c} for c in unknown]})
    return [found[code] for code in codes]


@extend_schema_view(
    list=extend_schema(summary="Tasks the user may see, overdue first, then by deadline"),
    retrieve=extend_schema(summary="One task; its version is the ETag"),
)
class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.TaskSerializer
    filterset_class = TaskFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    queryset = Task.objects.none()  # for the schema; get_queryset narrows to what the user may see

    def get_queryset(self):
        return selectors.task_list(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = f'"{response.data["version"]}"'
        return response

    def _answer(self, task: Task, *, code=status.HTTP_200_OK, data=None) -> Response:
        fresh = selectors.task_list(self.request.user).get(pk=task.pk)
        response = Response(data if data is not None else s.TaskSerializer(fresh).data, status=code)
        response["ETag"] = f'"{fresh.version}"'
        return response

    @extend_schema(request=s.TaskWriteSerializer, responses={201: s.TaskSerializer},
                   summary="Create a task, or split one by giving its parent")
    def create(self, request):
        serializer = s.TaskWriteSerializer(data=request.data, visible_tasks=selectors.tasks_visible_to(request.user))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        parent = data.pop("parent", None)
        campaign = parent.campaign if parent else (data.pop("campaign", None) or current_campaign())
        data.pop("campaign", None)
        if campaign is None:
            raise ValidationError({"campaign": _("There is no campaign yet.")})
        data["standards"] = _standards(campaign, data.get("standards") or [])
        task = services.task_create(campaign=campaign, by=request.user, parent=parent, **data)
        return self._answer(task, code=status.HTTP_201_CREATED)

    @extend_schema(request=s.TaskEditSerializer, parameters=[IF_MATCH], responses={200: s.TaskSerializer, **STALE},
                   summary="Change what a task says (text, deadline, unit, person, standards)")
    def update(self, request, pk=None, partial=False):
        task = self.get_object()
        serializer = s.TaskEditSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        note = data.pop("note", "")
        data.pop("version", None)
        standards = _standards(task.campaign, data.pop("standards", None))
        expected = _expected_version(request, serializer.validated_data)
        services.task_edit(task=task, by=request.user, expected_version=expected, note=note, standards=standards,
                           **data)
        return self._answer(task)

    @extend_schema(request=s.TaskEditSerializer, parameters=[IF_MATCH], responses={200: s.TaskSerializer, **STALE},
                   summary="Change some of what a task says")
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    @extend_schema(methods=["GET"], responses=s.TaskUpdateSerializer(many=True),
                   summary="The task's history, newest first, paginated as the lists are")
    @extend_schema(methods=["POST"], request={"multipart/form-data": s.StatusUpdateSerializer,
                                              "application/json": s.StatusUpdateSerializer},
                   parameters=[IF_MATCH], responses={201: s.TaskUpdateSerializer, **STALE},
                   summary="Report status and progress with a note and evidence files")
    @action(detail=True, methods=["get", "post"], url_path="updates")
    def updates(self, request, pk=None):
        task = self.get_object()
        if request.method == "GET":
            history = self.paginate_queryset(selectors.task_history().filter(task=task))
            return self.get_paginated_response(
                s.TaskUpdateSerializer(history, many=True, context={"request": request}).data)
        serializer = s.StatusUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        expected = _expected_version(request, data)
        row = services.task_update_status(task=task, by=request.user, status=data["status"],
                                          progress=data["progress"], note=data["note"], files=data["files"],
                                          expected_version=expected)
        row = selectors.task_history().get(pk=row.pk)
        return self._answer(task, code=status.HTTP_201_CREATED,
                            data=s.TaskUpdateSerializer(row, context={"request": request}).data)

    @extend_schema(responses={(200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The stored file")},
                   summary="Download one evidence file of the task")
    @action(detail=True, methods=["get"], url_path=r"files/(?P<file_id>[0-9]+)")
    def file(self, request, pk=None, file_id=None):
        task = self.get_object()  # 404 unless the user may see the task
        stored = Attachment.objects.filter(pk=file_id, update__task=task).first()
        if stored is None:
            raise NotFound(_("No such file."))
        return serve_private_file(stored, download=request.query_params.get("download") == "1")

    @extend_schema(request=s.AssignSerializer, parameters=[IF_MATCH], responses={200: s.TaskSerializer, **STALE},
                   summary="Give the task to another person of its unit")
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        task = self.get_object()
        serializer = s.AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        expected = _expected_version(request, data)
        services.task_assign(task=task, by=request.user, responsible=data["responsible"], note=data["note"],
                             expected_version=expected)
        return self._answer(task)

    @extend_schema(request=s.ReopenSerializer, parameters=[IF_MATCH], responses={200: s.TaskSerializer, **STALE},
                   summary="Send a done task back to work, with the reason")
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        task = self.get_object()
        serializer = s.ReopenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        expected = _expected_version(request, data)
        services.task_reopen(task=task, by=request.user, note=data["note"], expected_version=expected)
        return self._answer(task)
