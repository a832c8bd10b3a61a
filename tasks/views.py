"""Pages of the responsibility list. Thin: selectors read, services write, forms shape input."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.access import units_visible_to
from accounts.selectors import people_visible_to
from campaign.core.errors import StaleEdit
from campaign.core.forms import add_service_errors
from campaign.core.lists import page_of
from campaign.core.uploads import serve_private_file
from campaign.models import Campaign
from campaign.selectors import current_campaign
from tasks import rules, selectors, services, spreadsheets
from tasks.filters import TaskFilter
from tasks.forms import AssignForm, ExportForm, ImportForm, ReopenForm, TaskForm, UpdateForm
from tasks.models import Attachment, Task

PAGE_SIZE = 25


def _campaign_or_404() -> Campaign:
    campaign = current_campaign()
    if campaign is None:
        raise Http404(_("There is no campaign yet."))
    return campaign


def _task_or_404(request, pk: int, *, getter=selectors.task_detail) -> Task:
    try:
        return getter(request.user, pk)
    except Task.DoesNotExist:
        raise Http404(_("No such task.")) from None


def _task_filter(request, tasks, campaign: Campaign) -> TaskFilter:
    filterset = TaskFilter(request.GET or None, queryset=tasks, request=request)
    filterset.filters["standard"].queryset = selectors.standards_to_filter_by(campaign)
    return filterset


@login_required
@vary_on_headers("HX-Request")
def task_list(request):
    """The squad's list: overdue first, then by deadline; filters and search; htmx swaps only the results."""
    campaign = _campaign_or_404()
    filterset = _task_filter(request, selectors.task_rows(request.user, campaign=campaign), campaign)
    # A query the filters refuse lists nothing, and the form says why.
    tasks = filterset.qs if not filterset.is_bound or filterset.is_valid() else filterset.queryset.none()
    page, query = page_of(request, tasks, PAGE_SIZE)
    context = {"page": page, "query": query}
    if request.headers.get("HX-Request"):
        return render(request, "tasks/_results.html", context)
    chosen = filterset.form.cleaned_data if filterset.is_bound and filterset.is_valid() else {}
    export_query = (f"?unit={chosen['unit'].pk}" if chosen.get("unit")
                    else f"?responsible={chosen['responsible'].pk}" if chosen.get("responsible") else "")
    context |= {
        "campaign": campaign, "filter": filterset, "export_query": export_query,
        "active_filters": sum(1 for key, value in request.GET.items() if value and key not in ("q", "page")),
        "can_create": rules.can_create_any(request.user), "can_import": rules.can_import(request.user),
    }
    return render(request, "tasks/list.html", context)


def _detail(request, task: Task, *, status: int = 200, stale: bool = False, **forms):
    """The task page; after a refused post (stale version or bad input) ``forms`` are the bound forms."""
    user = request.user
    version = {"version": task.version}
    can_update = rules.can_update(user, task) and task.status != Task.Status.DONE
    can_manage = rules.can_manage(user, task)
    context = {
        "task": task, "stale": stale, "chain": selectors.parent_chain(task, user),
        # The deepest level (personal items) has no items under it: no query for them.
        "children": selectors.children_of(task) if task.may_have_children else [],
        "history": selectors.task_history().filter(task=task),
        "can_update": can_update, "can_manage": can_manage,
        "can_split": can_manage and task.may_have_children and task.status != Task.Status.DONE,
        "can_reopen": rules.can_reopen(user, task) and task.status == Task.Status.DONE,
        "update_form": forms.get("update_form") or UpdateForm(
            initial=version | {"status": task.status if task.status != Task.Status.NOT_STARTED
                               else Task.Status.IN_PROGRESS, "progress": task.progress}, task=task),
        "assign_form": forms.get("assign_form") or AssignForm(initial=version,
                                                              people=selectors.assignable_people(task)),
        "reopen_form": forms.get("reopen_form") or ReopenForm(initial=version),
    }
    return render(request, "tasks/detail.html", context, status=status)


@login_required
def task_detail(request, pk: int):
    return _detail(request, _task_or_404(request, pk))


def _refresh_version(form, task: Task):
    """After a stale edit keep what the person typed, but against the version they have now seen."""
    data = form.data.copy()
    data["version"] = task.version
    form.data = data
    form.add_error(None, _("This task was changed by someone else since you opened it. "
                           "Its current state is shown; check it and send again if still needed."))
    return form


def _run(request, pk: int, form_class, form_key: str, action, success: str, form_kwargs=None):
    """Shared POST flow: validate, call the service, and on stale or bad input re-render the task page."""
    task = _task_or_404(request, pk, getter=selectors.task_to_change)
    form = form_class(request.POST, request.FILES, **(form_kwargs(task) if form_kwargs else {}))
    if form.is_valid():
        try:
            action(task, form.cleaned_data)
        except StaleEdit as exc:
            fresh = _task_or_404(request, pk)
            return _detail(request, fresh, status=409, stale=True,
                           **{form_key: _refresh_version(form, exc.current)})
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("tasks:detail", pk=pk)
    return _detail(request, task, status=400, **{form_key: form})


@login_required
@require_POST
def task_update(request, pk: int):
    def action(task, data):
        services.task_update_status(task=task, by=request.user, status=data["status"], progress=data["progress"],
                                    note=data["note"], files=data["files"], expected_version=data["version"])
    return _run(request, pk, UpdateForm, "update_form", action, _("Update saved."),
                form_kwargs=lambda task: {"task": task})


@login_required
@require_POST
def task_assign(request, pk: int):
    def action(task, data):
        services.task_assign(task=task, by=request.user, responsible=data["responsible"], note=data["note"],
                             expected_version=data["version"])
    return _run(request, pk, AssignForm, "assign_form", action, _("Task assigned."),
                form_kwargs=lambda task: {"people": selectors.assignable_people(task)})


@login_required
@require_POST
def task_reopen(request, pk: int):
    def action(task, data):
        services.task_reopen(task=task, by=request.user, note=data["note"], expected_version=data["version"])
    return _run(request, pk, ReopenForm, "reopen_form", action, _("Task reopened."))


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request, parent_pk: int | None = None):
    """A new top-level task, or (with ``parent_pk``) split a task into items."""
    parent = _task_or_404(request, parent_pk) if parent_pk else None
    campaign = parent.campaign if parent else _campaign_or_404()
    if parent is not None and not rules.can_manage(request.user, parent):
        raise PermissionDenied(_("Only the unit's leader may split this task."))
    if not rules.can_create_any(request.user):
        raise PermissionDenied(_("Your role does not create tasks."))
    initial = {"deadline": parent.deadline, "criteria": parent.criteria, "unit": parent.unit_id,
               "standards": list(parent.standards.all())} if parent else {}
    form = TaskForm(request.POST or None, user=request.user, campaign=campaign, parent=parent, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_create(campaign=campaign, by=request.user, parent=parent, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Task %(seq)s created.") % {"seq": task.seq})
            return redirect("tasks:detail", pk=parent.pk if parent else task.pk)
    return render(request, "tasks/form.html", {"form": form, "parent": parent, "campaign": campaign},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request, pk: int):
    task = _task_or_404(request, pk)
    if not rules.can_manage(request.user, task):
        raise PermissionDenied(_("Only the unit's leader may edit this task."))
    initial = {name: getattr(task, name) for name in ("content", "criteria", "deadline", "unit", "responsible",
                                                        "supervisor")}
    initial |= {"standards": list(task.standards.all()), "version": task.version}
    form = TaskForm(request.POST or None, user=request.user, campaign=task.campaign, parent=task.parent,
                    initial=initial)
    form.fields["version"].required = True
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.task_edit(task=task, by=request.user, expected_version=form.cleaned_data["version"],
                               **form.service_kwargs())
        except StaleEdit as exc:
            task = _task_or_404(request, pk)
            form = _refresh_version(form, exc.current)
            status = 409
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Task saved."))
            return redirect("tasks:detail", pk=pk)
    if form.is_bound and form.errors and status == 200:
        status = 400
    return render(request, "tasks/form.html", {"form": form, "task": task, "parent": task.parent,
                                               "campaign": task.campaign}, status=status)


@login_required
def attachment(request, pk: int):
    """Evidence is served only to people who may see its task; anyone else gets 404."""
    try:
        stored = selectors.attachment_for(request.user, pk)
    except Attachment.DoesNotExist:
        raise Http404(_("No such file.")) from None
    return serve_private_file(stored, download=request.GET.get("download") == "1")


@login_required
def coverage(request):
    if not rules.can_see_coverage(request.user):
        raise PermissionDenied(_("The coverage of the framework is for bureau leaders, administrators and "
                                 "inspectors."))
    campaign = _campaign_or_404()
    standards = selectors.coverage(campaign)
    return render(request, "tasks/coverage.html", {
        "campaign": campaign, "standards": standards,
        "unowned": [s for s in standards if not s.campaign_tasks], "today": timezone.localdate(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def import_tasks(request):
    if not rules.can_import(request.user):
        raise PermissionDenied(_("Importing the responsibility list is for administrators and bureau leaders."))
    campaign = _campaign_or_404()
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = spreadsheets.import_tasks(campaign=campaign, by=request.user, upload=form.cleaned_data["file"])
        if result.ok:
            messages.success(request, _("%(n)s tasks imported.") % {"n": len(result.created)})
            return redirect(reverse("tasks:list"))
    export_form = ExportForm()
    export_form.fields["unit"].queryset = units_visible_to(request.user)
    export_form.fields["responsible"].queryset = people_visible_to(request.user)
    return render(request, "tasks/import.html", {"form": form, "result": result, "campaign": campaign,
                                                 "export_form": export_form},
                  status=400 if result is not None and not result.ok else 200)


@login_required
def import_template(request):
    return _xlsx(spreadsheets.template_workbook(), "responsibility-list-template.xlsx")


@login_required
def export_tasks(request):
    """Export what the user can see: all, one unit's (with its sub-units) or one person's items."""
    campaign = _campaign_or_404()
    form = ExportForm(request.GET)
    form.fields["unit"].queryset = units_visible_to(request.user)
    form.fields["responsible"].queryset = people_visible_to(request.user)
    if not form.is_valid():
        raise Http404(_("No such unit or person."))
    tasks = selectors.tasks_visible_to(request.user).filter(campaign=campaign)
    name = "responsibility-list"
    if form.cleaned_data["unit"]:
        tasks = tasks.filter(unit__path__startswith=form.cleaned_data["unit"].path)
        name += f"-{form.cleaned_data['unit'].code}"
    if form.cleaned_data["responsible"]:
        tasks = tasks.filter(responsible=form.cleaned_data["responsible"])
        name += f"-{form.cleaned_data['responsible'].username}"
    return _xlsx(spreadsheets.export_workbook(tasks), f"{name}-{timezone.localdate():%Y%m%d}.xlsx")


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=spreadsheets.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
