"""Pages of the three-tier inspection: thin views over ``selectors`` (reads) and ``services`` (writes)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaign.core.errors import StaleEdit
from campaign.core.forms import add_service_errors
from campaign.core.lists import page_of
from campaign.core.uploads import serve_private_file
from campaign.models import CheckItem, EventCategory, PointType, Site
from campaign.selectors import current_campaign
from inspections import exports, rules, selectors, services
from inspections.filters import FindingFilter
from inspections.forms import (
    AssignForm,
    CheckListForm,
    CloseForm,
    CorrectForm,
    ExtensionAskForm,
    ExtensionDecideForm,
    FindingForm,
    InspectionStartForm,
    RectifyForm,
    RedispatchForm,
    ReturnForm,
    SendBackForm,
    WithdrawForm,
    local_input,
)
from inspections.models import Finding, FindingPhoto, Inspection

PAGE_SIZE = 25


def _get_or_404(getter, *args):
    try:
        return getter(*args)
    except (Finding.DoesNotExist, Inspection.DoesNotExist, FindingPhoto.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


# --- inspections ------------------------------------------------------------------

@login_required
def inspection_list(request):
    page = Paginator(selectors.inspections_visible_to(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "inspections/inspection_list.html", {
        "page": page, "can_start": rules.can_inspect(request.user),
    })


@login_required
def inspection_start(request):
    if not rules.can_inspect(request.user):
        raise PermissionDenied(_("Only bureau leaders, the inspection squad and tier-3 inspectors start inspections."))
    form = InspectionStartForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.inspection_start(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Inspection started. Record the check lists and log the findings."))
            return redirect("inspections:inspection_detail", pk=inspection.pk)
    return render(request, "inspections/inspection_start.html", {"form": form})


@login_required
def inspection_detail(request, pk: int):
    """The inspection's report: what was inspected, the check-list results, the findings."""
    inspection = _get_or_404(selectors.inspection_detail, request.user, pk)
    findings = list(selectors.inspection_findings(request.user, inspection))
    return render(request, "inspections/inspection_detail.html", {
        "inspection": inspection,
        "groups": selectors.report_by_site(inspection),
        "findings": findings,
        "can_log": rules.can_log_in(request.user, inspection),
        "can_finish": rules.can_finish(request.user, inspection),
    })


@login_required
def inspection_checks(request, pk: int):
    """Record a site's check list; the failed checks become links to pre-filled findings."""
    inspection = _get_or_404(selectors.inspection_detail, request.user, pk)
    if not rules.can_log_in(request.user, inspection):
        raise PermissionDenied(_("Only the inspectors of this open inspection may record its check list."))
    site = Site.objects.select_related("point_type", "unit").filter(pk=request.GET.get("site") or 0).first()
    point_type = site.point_type if site else PointType.objects.filter(pk=request.GET.get("point_type") or 0).first()
    checks = selectors.checks_of(point_type)
    form = CheckListForm(request.POST or None, checks=checks)
    failed: list[CheckItem] = []
    if request.method == "POST" and form.is_valid():
        results = form.results()
        services.inspection_record_checks(inspection=inspection, by=request.user, site=site, results=results)
        failed = [check for check, passed in results.items() if not passed]
        messages.success(request, _("%(n)s checks recorded.") % {"n": len(results)})
        if not failed:
            return redirect("inspections:inspection_detail", pk=inspection.pk)
    sites = Site.objects.filter(is_active=True).select_related("unit")
    if inspection.squad_id:
        sites = sites.filter(unit__path__startswith=inspection.squad.path)
    return render(request, "inspections/inspection_checks.html", {
        "inspection": inspection, "site": site, "point_type": point_type, "form": form, "failed": failed,
        "sites": sites, "point_types": PointType.objects.filter(is_active=True),
    })


@login_required
@require_POST
def inspection_finish(request, pk: int):
    inspection = _get_or_404(selectors.inspection_detail, request.user, pk)
    services.inspection_finish(inspection=inspection, by=request.user, summary=request.POST.get("summary", ""))
    messages.success(request, _("The inspection is finished; its report is final."))
    return redirect("inspections:inspection_detail", pk=inspection.pk)


# --- findings ---------------------------------------------------------------------------

def _filtered(request, findings=selectors.findings_visible_to):
    return FindingFilter(request.GET or None, queryset=findings(request.user), request=request)


@login_required
def finding_list(request):
    """Findings newest first, with filters; a query the filters refuse lists nothing, and the form says why."""
    filters = _filtered(request, selectors.finding_rows)
    findings = filters.qs if not filters.is_bound or filters.is_valid() else filters.queryset.none()
    page, query = page_of(request, findings, PAGE_SIZE)
    return render(request, "inspections/finding_list.html", {
        "page": page, "query": query, "filters": filters, "can_log": rules.can_inspect(request.user),
    })


@login_required
@require_GET
def finding_export(request):
    filters = _filtered(request)
    content = exports.findings_workbook(filters.qs, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = 'attachment; filename="findings.xlsx"'
    return response


@login_required
def unit_findings(request):
    """The squad's own open findings, soonest deadline first, with the rectify form on each."""
    findings = list(selectors.unit_open_findings(request.user).prefetch_related("photos"))
    return render(request, "inspections/unit_findings.html", {
        "findings": [(f, rules.can_rectify(request.user, f)) for f in findings],
        "rectify_form": RectifyForm(),
    })


@login_required
def finding_new(request):
    if not rules.can_inspect(request.user):
        raise PermissionDenied(_("Only bureau leaders, the inspection squad and tier-3 inspectors log findings."))
    initial = {k: request.GET.get(k) for k in ("inspection", "site", "point_type", "check_item") if request.GET.get(k)}
    check = CheckItem.objects.select_related("standard", "point_type").filter(pk=initial.get("check_item") or 0).first()
    if check is not None:
        initial.update(point_type=check.point_type_id, description=check.text)
    form = FindingForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            finding = services.finding_create(by=request.user, check_results=form.check_results(), **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Finding #%(n)s logged and sent to %(unit)s.") % {
                "n": finding.pk, "unit": finding.responsible_unit.name})
            if finding.is_rebound:
                messages.warning(request, _("This is a rebound: the same problem was closed here recently."))
            return redirect("inspections:finding_detail", pk=finding.pk)
    checks = selectors.checks_of(_point_type_of(form))
    return render(request, "inspections/finding_new.html", {
        "form": form, "check": check,
        "rows": [(c, form.data.get(f"check_{c.pk}") or ("fail" if c == check else "")) for c in checks],
    })


def _point_type_of(form) -> PointType | None:
    value = form.data.get("point_type") or form.initial.get("point_type")
    return PointType.objects.filter(pk=value).first() if str(value or "").isdigit() else None


@login_required
@require_GET
def finding_checklist(request):
    """htmx partial: the check list of the chosen point type, pass / fail per line."""
    point_type = PointType.objects.filter(pk=request.GET.get("point_type") or 0).first()
    return render(request, "inspections/_checklist.html", {
        "rows": [(check, "") for check in selectors.checks_of(point_type)]})


@login_required
@require_GET
def finding_propose(request):
    """JSON for the finding form's script: the proposed responsible unit and deadline."""
    def number(name):
        try:
            return float(request.GET[name])
        except (KeyError, ValueError):
            return None

    category = EventCategory.objects.filter(pk=request.GET.get("category") or 0, parent__isnull=False).first()
    site = Site.objects.select_related("unit").filter(pk=request.GET.get("site") or 0).first()
    proposal = services.propose(category=category, site=site, latitude=number("lat"), longitude=number("lon"))
    return JsonResponse({
        "unit": proposal.responsible_unit.pk if proposal.responsible_unit else None,
        "unit_name": proposal.responsible_unit.name if proposal.responsible_unit else "",
        "deadline": local_input(proposal.deadline),
        "site": {"lat": str(site.latitude), "lon": str(site.longitude), "address": site.address} if site else None,
    })


@login_required
def finding_detail(request, pk: int):
    finding = _get_or_404(selectors.finding_detail, request.user, pk)
    return render(request, "inspections/finding_detail.html", _detail_context(request, finding))


#: Each action's form on the finding page, under the name the page knows it by.
DETAIL_FORMS = {"rectify_form": RectifyForm, "close_form": CloseForm, "return_form": ReturnForm,
                "send_back_form": SendBackForm, "redispatch_form": RedispatchForm,
                "extension_form": ExtensionAskForm, "decide_form": ExtensionDecideForm, "withdraw_form": WithdrawForm}


def _detail_context(request, finding, **forms) -> dict:
    user = request.user
    photos = list(finding.photos.all())
    pending = selectors.pending_extension(finding)
    context = {
        "finding": finding,
        "before": [p for p in photos if p.phase == FindingPhoto.Phase.BEFORE],
        "history": selectors.history(finding),
        "relapses": selectors.relapse_count_at(finding),
        "pending_extension": pending,
        "can_rectify": finding.is_open and rules.can_rectify(user, finding),
        "can_verify": rules.can_verify(user, finding),
        "can_send_back": rules.can_send_back(user, finding) and pending is None,
        "can_redispatch": rules.can_redispatch(user, finding),
        "can_ask_extension": rules.can_ask_extension(user, finding) and pending is None,
        "can_decide_extension": pending is not None and finding.is_open and rules.is_dispatcher(user, finding),
    }
    for name, form_class in DETAIL_FORMS.items():
        context[name] = forms.get(name) or form_class(initial={"version": finding.version})
    context["can_assign"] = rules.can_assign(user, finding)
    if context["can_assign"]:
        context["assign_form"] = forms.get("assign_form") or AssignForm(
            finding=finding, initial={"version": finding.version, "person": finding.handler_id})
    context["can_correct"] = rules.can_correct(user, finding)
    if context["can_correct"]:  # its category menu is read only where it is shown
        context["correct_form"] = forms.get("correct_form") or CorrectForm(initial={
            "version": finding.version, "category": finding.category_id, "description": finding.description,
            "severity": finding.severity, "address": finding.address})
    return context


def transition(request, pk, form_class, form_name, action):
    """A step of the closed loop: the service's refusal is shown on the form, a stale form answers 409."""
    finding = _get_or_404(selectors.finding_detail, request.user, pk)
    form = form_class(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            action(finding, form.cleaned_data)
        except StaleEdit:
            finding, status = _get_or_404(selectors.finding_detail, request.user, pk), 409
            form = _against_current(form, finding)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("inspections:finding_detail", pk=finding.pk)
    context = _detail_context(request, finding, **{form_name: form})
    return render(request, "inspections/finding_detail.html", context, status=status)


def _against_current(form, finding: Finding):
    """Keep what the person typed, against the version they are now shown, and say why nothing was saved."""
    data = form.data.copy()
    data["version"] = finding.version
    form.data = data
    form.add_error(None, _("Someone else changed this finding after you opened it. Nothing was saved; check "
                           "its current state and send again if still needed."))
    return form


@login_required
@require_POST
def finding_rectify(request, pk: int):
    def act(finding, data):
        services.finding_rectify(finding=finding, by=request.user, note=data["note"], photos=data["photos"],
                                 expected_version=data["version"])
        messages.success(request, _("Rectification sent; the inspectors will verify it."))
    return transition(request, pk, RectifyForm, "rectify_form", act)


@login_required
@require_POST
def finding_close(request, pk: int):
    def act(finding, data):
        services.finding_close(finding=finding, by=request.user, note=data["note"], expected_version=data["version"])
        messages.success(request, _("Finding closed (销号)."))
    return transition(request, pk, CloseForm, "close_form", act)


@login_required
@require_POST
def finding_return(request, pk: int):
    def act(finding, data):
        services.finding_return(finding=finding, by=request.user, note=data["note"],
                                new_deadline=data["new_deadline"], expected_version=data["version"])
        messages.success(request, _("Finding returned for rework (返工)."))
    return transition(request, pk, ReturnForm, "return_form", act)


@login_required
@require_GET
def finding_photo(request, pk: int):
    return serve_private_file(_get_or_404(selectors.photo_for, request.user, pk))


@login_required
def relapse_places(request):
    campaign = current_campaign()
    places = selectors.relapse_places(campaign, user=request.user) if campaign else []
    return render(request, "inspections/relapse_places.html", {
        "campaign": campaign, "places": places, "threshold": selectors.RELAPSE_THRESHOLD,
    })
