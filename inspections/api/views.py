"""/api/v1/inspections/ and /api/v1/findings/: resources on the router, the closed loop as one action each.

Every write calls the same service as the pages, so tier rules, visibility
and bad-input refusals are identical: another unit's finding answers 404, a
forbidden action 403, bad input 400, a stale ``version`` 409 and none 428
(campaign/core/api.py).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from campaign.core.errors import VERSION_MISSING
from campaign.core.uploads import serve_private_file
from inspections import selectors, services
from inspections.api import serializers as s
from inspections.filters import FindingFilter
from inspections.models import FindingPhoto

STALE = {409: OpenApiResponse(s.FindingStaleSerializer, description="Stale `version`: the finding changed; "
                                                                    "here it is now."),
         428: OpenApiResponse(description="No `version` was sent.")}


def _expected_version(data):
    """The version the client saw; without one the service answers 428 (after checking the caller may act),
    since a change could otherwise overwrite one the client never saw."""
    version = data.get("version")
    return VERSION_MISSING if version is None else version


@extend_schema_view(
    list=extend_schema(summary="Inspections the user may see"),
    retrieve=extend_schema(summary="An inspection with its check-list results", responses=s.InspectionSerializer),
    create=extend_schema(summary="Start an inspection", request=s.InspectionCreateSerializer,
                         responses={201: s.InspectionSerializer}),
)
class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    serializer_class = s.InspectionSerializer
    filterset_fields = ["tier", "status"]

    def get_queryset(self):
        return selectors.inspections_visible_to(self.request.user).prefetch_related(
            "inspectors", "target_units", "target_sites", "results__check_item")

    def create(self, request, *args, **kwargs):
        incoming = s.InspectionCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        inspection = services.inspection_start(by=request.user, **incoming.validated_data)
        shown = self.get_queryset().get(pk=inspection.pk)
        return Response(s.InspectionSerializer(shown, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Findings the user may see, filtered"),
    retrieve=extend_schema(summary="A finding with its photos and history", responses=s.FindingSerializer),
)
class FindingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.FindingSerializer
    filterset_class = FindingFilter
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        return self._with_history(selectors.findings_visible_to(self.request.user))

    @staticmethod
    def _with_history(queryset):
        photos = FindingPhoto.objects.order_by("uploaded_at", "pk")
        return queryset.prefetch_related(Prefetch("photos", queryset=photos), "rectifications", "verifications",
                                         "events", "extensions")

    def _answer(self, finding_pk, code=status.HTTP_200_OK):
        finding = self.get_queryset().get(pk=finding_pk)
        return Response(s.FindingSerializer(finding, context={"request": self.request}).data, status=code)

    def _run(self, service, finding, data, **kwargs):
        service(finding=finding, by=self.request.user, expected_version=_expected_version(data), **kwargs)
        return self._answer(finding.pk)

    @extend_schema(summary="Log a finding (multipart, with photos)",
                   request={"multipart/form-data": s.FindingCreateSerializer},
                   responses={201: s.FindingSerializer})
    def create(self, request, *args, **kwargs):
        incoming = s.FindingCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        data["photos"] = request.FILES.getlist("photos") if hasattr(request, "FILES") else []
        finding = services.finding_create(by=request.user, **data)
        return self._answer(finding.pk, status.HTTP_201_CREATED)

    @extend_schema(summary="Rectify (整改): the responsible unit answers with after-photos",
                   request={"multipart/form-data": s.RectifySerializer},
                   responses={200: s.FindingSerializer, **STALE})
    @action(detail=True, methods=["post"])
    def rectify(self, request, pk=None):
        finding = self.get_object()  # another unit's finding is 404 before its input is even read
        incoming = s.RectifySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return self._run(services.finding_rectify, finding, incoming.validated_data,
                         note=incoming.validated_data["note"], photos=request.FILES.getlist("photos"))

    @extend_schema(summary="Verify and close (销号)", request=s.VerifySerializer,
                   responses={200: s.FindingSerializer, **STALE})
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        finding = self.get_object()  # another unit's finding is 404 before its input is even read
        incoming = s.VerifySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return self._run(services.finding_close, finding, incoming.validated_data,
                         note=incoming.validated_data.get("note", ""))

    @extend_schema(summary="Return for rework (返工) with a new deadline", request=s.ReturnSerializer,
                   responses={200: s.FindingSerializer, **STALE})
    @action(detail=True, methods=["post"], url_path="return")
    def return_for_rework(self, request, pk=None):
        finding = self.get_object()  # another unit's finding is 404 before its input is even read
        incoming = s.ReturnSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return self._run(services.finding_return, finding, incoming.validated_data,
                         note=incoming.validated_data["note"], new_deadline=incoming.validated_data["new_deadline"])

    @extend_schema(summary="Send back (退回): not the unit's; the dispatcher re-dispatches it",
                   request=s.SendBackSerializer, responses={200: s.FindingSerializer, **STALE})
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        finding = self.get_object()  # another unit's finding is 404 before its input is even read
        incoming = s.SendBackSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return self._run(services.finding_send_back, finding, incoming.validated_data,
                         reason=incoming.validated_data["reason"])

    @extend_schema(summary="Re-dispatch (改派) to the rightful unit with a new deadline",
                   request=s.RedispatchSerializer, responses={200: s.FindingSerializer, **STALE})
    @action(detail=True, methods=["post"])
    def redispatch(self, request, pk=None):
        finding = self.get_object()
        incoming = s.RedispatchSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        return self._run(services.finding_redispatch, finding, data, unit=data["unit"], deadline=data["deadline"],
                         note=data["note"])

    @extend_schema(summary="Correct a finding before its unit acts (history keeps before → after)",
                   request=s.CorrectSerializer, responses={200: s.FindingSerializer, **STALE})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        finding = self.get_object()
        incoming = s.CorrectSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        changes = {k: v for k, v in incoming.validated_data.items() if k != "version"}
        return self._run(services.finding_correct, finding, incoming.validated_data, changes=changes)

    @extend_schema(summary="Hand the finding to a member of the unit (交办)", request=s.FindingAssignSerializer,
                   responses={200: s.FindingSerializer, **STALE})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        finding = self.get_object()
        incoming = s.FindingAssignSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return self._run(services.finding_assign, finding, incoming.validated_data,
                         person=incoming.validated_data["person"])

    @extend_schema(summary="Withdraw (作废) a finding before its unit acts", request=s.WithdrawSerializer,
                   responses={200: s.FindingSerializer, **STALE})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        finding = self.get_object()
        incoming = s.WithdrawSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return self._run(services.finding_withdraw, finding, incoming.validated_data,
                         reason=incoming.validated_data["reason"])

    @extend_schema(summary="Ask for more time (申请延期)", request=s.ExtensionAskSerializer,
                   responses={200: s.FindingSerializer, **STALE})
    @action(detail=True, methods=["post"])
    def extension(self, request, pk=None):
        finding = self.get_object()
        incoming = s.ExtensionAskSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        return self._run(services.extension_ask, finding, data, reason=data["reason"], deadline=data["deadline"])

    @extend_schema(summary="Approve or refuse the request for more time", request=s.ExtensionDecideSerializer,
                   responses={200: s.FindingSerializer, **STALE})
    @action(detail=True, methods=["post"], url_path="extension/decide")
    def extension_decide(self, request, pk=None):
        finding = self.get_object()
        incoming = s.ExtensionDecideSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        return self._run(services.extension_decide, finding, data, approve=data["approve"], answer=data["answer"],
                         deadline=data["deadline"])

    @extend_schema(summary="A photo of the finding", responses={(200, "image/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"photos/(?P<photo_id>\d+)", url_name="photo",
            filterset_class=None, pagination_class=None)
    def photo(self, request, pk=None, photo_id=None):
        finding = self.get_object()
        photo = FindingPhoto.objects.filter(finding=finding, pk=photo_id).first()
        if photo is None:
            raise Http404
        return serve_private_file(photo)
