"""Bulletins and meetings over the API: reads, downloads, and the pack export as an action."""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.response import Response

from reports import documents, selectors, services
from reports.api import serializers
from reports.models import Bulletin, Meeting, MeetingPack

FILE_RESPONSE = OpenApiResponse(response=OpenApiTypes.BINARY, description="The file.")


class BulletinViewSet(viewsets.ReadOnlyModelViewSet):
    """Current weekly bulletins; the detail carries the stored figures as JSON."""

    filterset_fields = ["campaign", "iso_year", "iso_week"]

    queryset = Bulletin.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Bulletin.objects.none()
        if not selectors.can_read_bulletins(self.request.user):
            raise ApiPermissionDenied("Your role does not read bulletins.")
        return selectors.bulletins_visible_to(self.request.user)

    def get_serializer_class(self):
        return serializers.BulletinDetailSerializer if self.action != "list" else serializers.BulletinListSerializer

    @extend_schema(responses={(200, documents.PDF): FILE_RESPONSE})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        return documents.bulletin_download(self.get_object(), "pdf")

    @extend_schema(responses={(200, documents.DOCX): FILE_RESPONSE})
    @action(detail=True, methods=["get"])
    def docx(self, request, pk=None):
        return documents.bulletin_download(self.get_object(), "docx")


class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    """Monthly meetings with their agenda; admins export the pack and follow its progress."""

    serializer_class = serializers.MeetingSerializer

    queryset = Meeting.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        # The list is for leaders and admins; a speaker reads the one approved meeting they speak at, and any
        # other meeting is one they cannot see (404), as on the page.
        if self.action == "list" and not selectors.can_read_meetings(self.request.user):
            raise ApiPermissionDenied("Only leaders and administrators see meetings.")
        return selectors.meetings_visible_to(self.request.user).prefetch_related("items__unit", "items__speaker")

    def _admin_meeting(self):
        meeting = self.get_object()
        if not selectors.can_manage_meetings(self.request.user):
            raise ApiPermissionDenied("Only an administrator can export the meeting pack.")
        return meeting

    @extend_schema(request=None, responses={200: serializers.MeetingPackSerializer,
                                            202: serializers.MeetingPackSerializer})
    @action(detail=True, methods=["get", "post"])
    def pack(self, request, pk=None):
        """GET: the latest export's status. POST: start an export (or return the one running)."""
        meeting = self._admin_meeting()
        if request.method == "POST":
            try:
                pack = services.request_pack(meeting=meeting, by=request.user)
            except PermissionDenied as exc:
                raise ApiPermissionDenied(str(exc)) from exc
            return Response(serializers.MeetingPackSerializer(pack, context={"request": request}).data,
                            status=status.HTTP_202_ACCEPTED)
        pack = selectors.latest_pack(meeting)
        if pack is None:
            raise Http404
        return Response(serializers.MeetingPackSerializer(pack, context={"request": request}).data)

    @extend_schema(responses={(200, "application/zip"): FILE_RESPONSE})
    @action(detail=True, methods=["get"], url_path="pack/download")
    def pack_download(self, request, pk=None):
        meeting = self._admin_meeting()
        pack = meeting.packs.filter(status=MeetingPack.Status.DONE).first()
        if pack is None or not pack.file:
            raise Http404
        return FileResponse(pack.file.open("rb"), as_attachment=True, filename=pack.filename,
                            content_type="application/zip")
