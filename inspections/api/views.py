"""/api/v1/inspections/ and /api/v1/findings/: resources on the router, the closed loop as one action each.

Every write calls the same service as the pages, so tier rules, visibility
and bad-input refusals are identical: another unit's finding answers 404, a
forbidden action 403, bad input 400, a stale ``version`` 409.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from campaign.paging import StampedListMixin
from campaign.uploads import serve_private_file
from inspections import selectors, services
from inspections.api import serializers as s
from inspections.filters import FindingFilter
from inspections.models import FindingPhoto

CONFLICT = OpenApiResponse(s.FindingSerializer, description="Stale `version`: the finding changed; here it is now.")


class Conflict(Exception):
    pass


def call(service, **kwargs):
    """Run a service; its Django ValidationError becomes a 400 (or 409 when the version was stale)."""
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        if getattr(exc, "code", None) == "stale":
            raise Conflict from exc
        raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


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
        inspection = call(services.inspection_start, by=request.user, **incoming.validated_data)
        shown = self.get_queryset().get(pk=inspection.pk)
        return Response(s.InspectionSerializer(shown, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Findings the user may see, filtered"),
    retrieve=extend_schema(summary="A finding with its photos and history", responses=s.FindingSerializer),
)
class FindingViewSet(StampedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.FindingSerializer
    filterset_class = FindingFilter
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    # The list is cached under its rows' stamps (campaign/paging.py); newest first walks an index, so the
    # count is read apart, and cached under the findings generation.
    row_stamp = selectors.ROW_STAMP
    count_with_rows = False

    def get_queryset(self):
        return self._with_history(selectors.findings_visible_to(self.request.user))

    @staticmethod
    def _with_history(queryset):
        photos = FindingPhoto.objects.order_by("uploaded_at", "pk")
        return queryset.prefetch_related(Prefetch("photos", queryset=photos), "rectifications", "verifications")

    def rows_in_order(self, pks):
        found = {f.pk: f for f in self._with_history(selectors.findings_visible_to(self.request.user))
                 .filter(pk__in=pks)}
        return [found[pk] for pk in pks if pk in found]

    def count_key(self, query, generation):
        return selectors.count_key(self.request.user, query, generation=generation)

    def _answer(self, finding_pk, code=status.HTTP_200_OK):
        finding = self.get_queryset().get(pk=finding_pk)
        return Response(s.FindingSerializer(finding, context={"request": self.request}).data, status=code)

    def _run(self, service, finding=None, **kwargs):
        finding = finding or self.get_object()
        try:
            call(service, finding=finding, by=self.request.user, **kwargs)
        except Conflict:
            return self._answer(finding.pk, status.HTTP_409_CONFLICT)
        return self._answer(finding.pk)

    @extend_schema(summary="Log a finding (multipart, with photos)",
                   request={"multipart/form-data": s.FindingCreateSerializer},
                   responses={201: s.FindingSerializer})
    def create(self, request, *args, **kwargs):
        incoming = s.FindingCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        data["photos"] = request.FILES.getlist("photos") if hasattr(request, "FILES") else []
        finding = call(services.finding_create, by=request.user, **data)
        return self._answer(finding.pk, status.HTTP_201_CREATED)

    @extend_schema(summary="Rectify (整改): the responsible unit answers with after-photos",
                   request={"multipart/form-data": s.RectifySerializer},
                   responses={200: s.FindingSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def rectify(self, request, pk=None):
        finding = self.get_object()  # another unit's finding is 404 before its input is even read
        incoming = s.RectifySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return self._run(services.finding_rectify, finding=finding, note=incoming.validated_data["note"],
                         photos=request.FILES.getlist("photos"), version=incoming.validated_data.get("version"))

    @extend_schema(summary="Verify and close (销号)", request=s.VerifySerializer,
                   responses={200: s.FindingSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        finding = self.get_object()  # another unit's finding is 404 before its input is even read
        incoming = s.VerifySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return self._run(services.finding_close, finding=finding, **incoming.validated_data)

    @extend_schema(summary="Return for rework (返工) with a new deadline", request=s.ReturnSerializer,
                   responses={200: s.FindingSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="return")
    def return_for_rework(self, request, pk=None):
        finding = self.get_object()  # another unit's finding is 404 before its input is even read
        incoming = s.ReturnSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return self._run(services.finding_return, finding=finding, **incoming.validated_data)

    @extend_schema(summary="A photo of the finding", responses={(200, "image/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"photos/(?P<photo_id>\d+)", url_name="photo",
            filterset_class=None, pagination_class=None)
    def photo(self, request, pk=None, photo_id=None):
        finding = self.get_object()
        photo = FindingPhoto.objects.filter(finding=finding, pk=photo_id).first()
        if photo is None:
            raise Http404
        return serve_private_file(photo)
