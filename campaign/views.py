"""Dashboard, health check and error pages."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from campaign.core.navigation import entries
from campaign.selectors import current_campaign, heartbeats

log = logging.getLogger(__name__)


@login_required
def dashboard(request):
    campaign = current_campaign()
    return render(request, "campaign/dashboard.html", {
        "campaign": campaign,
        "entries": entries(request.user),
    })


@never_cache
@require_GET
def healthz(request):
    """200 with the state of the database and the broker; 503 when the database is unreachable."""
    body = {"status": "ok", "database": "ok", "broker": _broker_state()}
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        beat = heartbeats().get("heartbeat")
        body["heartbeat"] = beat.last_run_at.isoformat() if beat else None
    except DatabaseError as exc:
        log.warning("healthz: database unreachable: %s", exc)
        body.update(status="error", database="unreachable")
        return JsonResponse(body, status=503)
    return JsonResponse(body)


def _broker_state() -> str:
    if not settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        return "in-process"
    try:
        import redis

        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except Exception as exc:  # any failure means the same thing to a health check
        log.warning("healthz: broker unreachable: %s", exc)
        return "unreachable"
    return "ok"


def error_403(request, exception=None):
    message = str(exception) if exception and str(exception) else None
    return render(request, "403.html", {"message": message}, status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)
