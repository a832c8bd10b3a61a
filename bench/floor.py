"""Floor views: the same middleware and authentication as the site, ONE query for the rows, plain JSON.

Each returns the rows its real counterpart shows (page 1, 50 rows) with no
serializer, no template, no access helper beyond the login: the fastest the
framework can answer these requests. bench/run.py reports every real page as a
fraction of its floor.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from inspections.models import Finding
from reports.models import Bulletin
from tasks.models import Task, TaskUpdate

PAGE = 50
TASK_FIELDS = ("id", "seq", "content", "status", "progress", "deadline", "unit__name", "responsible__full_name")
FINDING_FIELDS = ("id", "status", "tier", "deadline", "yellow_at", "reported_at", "category__name",
                  "responsible_unit__name", "site__name", "description")


@login_required
def tasks(request):
    """A unit's list (the squad list page and /api/v1/tasks/?unit=…): ?unit= or the user's own unit."""
    unit = request.GET.get("unit") or request.user.unit_id
    rows = Task.objects.filter(unit_id=unit).order_by("deadline", "seq").values(*TASK_FIELDS)[:PAGE]
    return JsonResponse({"results": list(rows)})


@login_required
def task(request, pk: int):
    """A task page: the task's fields and its history, in one joined query."""
    rows = (TaskUpdate.objects.filter(task_id=pk).order_by("-at", "-pk")
            .values("task__seq", "task__content", "task__status", "task__progress", "task__deadline",
                    "kind", "at", "by__full_name", "status_after", "progress_after", "note"))
    return JsonResponse({"results": list(rows)})


@login_required
@require_POST
def task_update(request, pk: int):
    """A status update: one conditional UPDATE (version check included), no history row, no roll-up."""
    changed = Task.objects.filter(pk=pk, version=int(request.POST["version"])).update(
        progress=int(request.POST["progress"]), version=F("version") + 1)
    return JsonResponse({"saved": bool(changed)}, status=200 if changed else 409)


@login_required
def findings(request):
    """The findings list and /api/v1/findings/: ?unit= and ?status= filters, newest first."""
    rows = Finding.objects.all()
    if request.GET.get("unit"):
        rows = rows.filter(responsible_unit_id=request.GET["unit"])
    if request.GET.get("status"):
        rows = rows.filter(status=request.GET["status"])
    rows = rows.order_by("-reported_at", "-pk").values(*FINDING_FIELDS)[:PAGE]
    return JsonResponse({"results": list(rows)})


@login_required
def bulletin(request, pk: int):
    """A bulletin page: its stored figures."""
    row = Bulletin.objects.filter(pk=pk).values("iso_year", "iso_week", "version", "figures").first()
    return JsonResponse(row or {}, json_dumps_params={"ensure_ascii": False})
