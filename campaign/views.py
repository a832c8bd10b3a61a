"""Dashboard, health check and error pages."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import User
from campaign.core import todo
from campaign.core.navigation import entries
from campaign.selectors import current_campaign, heartbeats

log = logging.getLogger(__name__)


#: The people whose home page is their day: the counts of their 待办, then its most urgent entries.
DAY_ROLES = frozenset({User.Role.SQUAD_LEADER, User.Role.MEMBER, User.Role.INSPECTOR})
#: How many entries the home page shows; the 待办 page has the rest.
HOME_ENTRIES = 6
#: How many entries each section of the 待办 page shows before linking to its whole list.
SECTION_ENTRIES = 30


@login_required
def dashboard(request):
    user, now = request.user, timezone.now()
    context = {"campaign": current_campaign(), "entries": entries(user), "now": now}
    if user.role in DAY_ROLES:
        found = todo.sections(user, now, limit=HOME_ENTRIES)
        context.update(show_day=True, totals=todo.totals(found), urgent=todo.most_urgent(found, HOME_ENTRIES))
    return render(request, "campaign/dashboard.html", context)


@login_required
@require_GET
def todo_page(request):
    now = timezone.now()
    found = todo.sections(request.user, now, limit=SECTION_ENTRIES)
    return render(request, "campaign/todo.html", {"sections": found, "totals": todo.totals(found), "now": now})


@never_cache
@require_GET
def todo_count(request):
    """The top bar's 待办 link with its count, which the page asks for again every 30 seconds."""
    if not request.user.is_authenticated:
        # Not the sign-in page, which the poll would paste into the top bar: 286 tells htmx to stop polling.
        return HttpResponse(status=286)
    return render(request, "partials/todo_link.html", {"todo_count": todo.count(request.user, timezone.now())})


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
