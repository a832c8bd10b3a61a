"""The API's one exception handler: services raise Django's exceptions and the project's own, never DRF's.

* ``django.core.exceptions.ValidationError`` → 400 with the messages by field (``detail`` when no field);
* :class:`~campaign.core.errors.StaleEdit` → 409 Conflict with the object as it is now (``current``, read
  through the view's own queryset, so it has the shape of the view's answers) and its version as the ETag;
* :class:`~campaign.core.errors.VersionRequired` → 428 Precondition Required;
* ``Http404`` and ``PermissionDenied`` → 404 and 403, as DRF's own handler does.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from campaign.core.errors import StaleEdit, VersionRequired


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    elif isinstance(exc, StaleEdit):
        return _stale(exc, context.get("view"))
    elif isinstance(exc, VersionRequired):
        return Response({"detail": str(exc)}, status=status.HTTP_428_PRECONDITION_REQUIRED)
    return drf_exception_handler(exc, context)


def _stale(exc: StaleEdit, view) -> Response:
    body = {"detail": str(exc)}
    current = exc.current
    if current is not None and view is not None and hasattr(view, "get_queryset"):
        shown = view.get_queryset().filter(pk=current.pk).first()
        if shown is not None:
            body["current"] = view.get_serializer(shown).data
    response = Response(body, status=status.HTTP_409_CONFLICT)
    if current is not None and getattr(current, "version", None) is not None:
        response["ETag"] = f'"{current.version}"'
    return response
