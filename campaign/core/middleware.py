"""Response headers Django's SecurityMiddleware does not set itself, and the 503 for a database outage."""

import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext

log = logging.getLogger("campaign.database")
# What a stopped, restarting or unreachable PostgreSQL raises.
DATABASE_DOWN = (OperationalError, InterfaceError)

# Everything the site loads is vendored under /static/, so nothing else is allowed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY)
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        response.setdefault("Permissions-Policy", "geolocation=(self), camera=(self)")
        return response


class DatabaseUnavailableMiddleware:
    """Answer 503 (a readable page, or JSON for the API) while the database is unreachable.

    A restarted or failed-over PostgreSQL makes queries raise ``OperationalError``
    or ``InterfaceError``. That is an outage, not a bug: the person should read
    "try again in a moment", a client should get a retryable status, and the
    web process must carry on (CONN_HEALTH_CHECKS drops the dead connection, so
    the next request reconnects). View errors arrive in ``process_exception``;
    an error raised by another middleware (the session saved on the way out)
    has already been turned into a 500 by Django, so the ``got_request_exception``
    signal marks the request and ``__call__`` swaps that 500 for the 503.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(_mark_database_error, dispatch_uid="campaign.database_unavailable")

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "_database_unavailable", False):
            return database_unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN):
            _log_outage(request, exception)
            return database_unavailable_response(request)
        return None


def _mark_database_error(sender, request=None, **kwargs):
    exception = sys.exc_info()[1]
    if request is not None and isinstance(exception, DATABASE_DOWN):
        request._database_unavailable = True
        _log_outage(request, exception)


def _log_outage(request, exception) -> None:
    log.warning("database unavailable on %s: %s", request.path, exception)


def database_unavailable_response(request):
    """The 503 itself: touches no database (no session, user or context processors)."""
    if request.path.startswith("/api/") or request.path == "/healthz":
        response = JsonResponse({"status": "error", "database": "unreachable",
                                 "detail": gettext("The database is unavailable. Try again in a moment.")},
                                status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "10"
    response["Cache-Control"] = "no-store"
    return response
