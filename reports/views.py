"""Pages for bulletins, meetings and notices. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import is_admin
from campaign.core import cache
from campaign.core.errors import StaleEdit
from campaign.core.forms import add_service_errors
from campaign.selectors import current_campaign
from reports import charts, documents, pressure, selectors, services
from reports.charts import trend_svg
from reports.forms import AgendaFormSet, MeetingForm, VersionForm, WeekForm, agenda_items, removed_items
from reports.models import Bulletin, Meeting, MeetingPack

BULLETIN_BODY = "reports/_bulletin_body.html"
PEOPLE_PER_PAGE = 50


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _bulletin_or_404(user, pk: int, *, any_version: bool = False) -> Bulletin:
    _require(selectors.can_read_bulletins(user), _("Your role does not read bulletins."))
    try:
        return selectors.bulletin_for(user, pk, any_version=any_version)
    except Bulletin.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def bulletin_list(request):
    _require(selectors.can_read_bulletins(request.user), _("Your role does not read bulletins."))
    bulletins = list(selectors.bulletin_list(request.user)[:60])
    return render(request, "reports/bulletin_list.html", {
        "bulletins": bulletins, "latest": bulletins[0] if bulletins else None,
        "can_write": is_admin(request.user), "week_form": WeekForm(),
    })


@login_required
def bulletin_detail(request, pk: int):
    bulletin = _bulletin_or_404(request.user, pk, any_version=True)
    return render(request, "reports/bulletin_detail.html", {
        "bulletin": bulletin, "body": _bulletin_body(bulletin),
        "versions": selectors.bulletin_versions(bulletin) if is_admin(request.user) else [],
        "can_manage": is_admin(request.user),
    })


def _bulletin_body(bulletin: Bulletin):
    """The bulletin's body, rendered once per bulletin row and language: its figures never change.

    Regenerating writes a new row (a new pk); publishing changes only the header around the body.
    """
    def render_body() -> str:
        figures = bulletin.figures
        return render_to_string(BULLETIN_BODY, {
            "bulletin": bulletin, "f": figures, "chart": trend_svg(figures.get("trend", []))})

    key = cache.bulletin_body_key(bulletin.pk, bulletin.generated_at.isoformat(), bulletin.issue_no, get_language())
    return mark_safe(cache.frozen(key, render_body))  # noqa: S308 (our own autoescaping template's output)


@login_required
def bulletin_pdf(request, pk: int):
    return documents.bulletin_download(_bulletin_or_404(request.user, pk, any_version=True), "pdf")


@login_required
def bulletin_docx(request, pk: int):
    return documents.bulletin_download(_bulletin_or_404(request.user, pk, any_version=True), "docx")


@login_required
@require_POST
def bulletin_write(request):
    """An admin writes (or finds) the bulletin of any campaign week now, without waiting for Monday."""
    _require(is_admin(request.user), _("Only an administrator can write a bulletin."))
    form = WeekForm(request.POST)
    campaign = current_campaign()
    if campaign is None or not form.is_valid():
        messages.error(request, _("Choose a day of a week inside the campaign."))
        return redirect("reports:bulletins")
    iso = form.cleaned_data["day"].isocalendar()
    try:
        bulletin, created = services.write_bulletin(campaign_id=campaign.pk, iso_year=iso.year, iso_week=iso.week)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reports:bulletins")
    messages.success(request, _("Bulletin written.") if created else _("That week's bulletin already exists."))
    return redirect("reports:bulletin", bulletin.pk)


@login_required
@require_POST
def bulletin_regenerate(request, pk: int):
    bulletin = _bulletin_or_404(request.user, pk, any_version=True)
    new = services.regenerate_bulletin(bulletin=bulletin, by=request.user)
    messages.success(request, _("Version %(v)s written; earlier versions are kept.") % {"v": new.version})
    return redirect("reports:bulletin", new.pk)


@login_required
@require_POST
def bulletin_publish(request, pk: int):
    bulletin = _bulletin_or_404(request.user, pk, any_version=True)
    was_published = bulletin.is_published
    services.publish_bulletin(bulletin=bulletin, by=request.user)
    messages.success(request, _("Already published.") if was_published
                     else _("Published and emailed to the leaders."))
    return redirect("reports:bulletin", bulletin.pk)


# --- meetings -------------------------------------------------------------------------------

def _meeting_or_404(user, pk: int) -> Meeting:
    try:
        return selectors.meeting_detail(user, pk)
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def meeting_list(request):
    _require(selectors.can_read_meetings(request.user), _("Only leaders and administrators see meetings."))
    return render(request, "reports/meeting_list.html", {
        "meetings": selectors.meetings_visible_to(request.user)[:24], "can_manage": is_admin(request.user),
    })


@login_required
@require_POST
def meeting_propose(request):
    _require(is_admin(request.user), _("Only an administrator can propose an agenda."))
    campaign = current_campaign()
    if campaign is None:
        raise Http404
    today = timezone.localdate()
    meeting, created = services.propose_meeting(campaign_id=campaign.pk, month=today.replace(day=1), today=today)
    messages.success(request, _("Agenda proposed.") if created else _("This month's meeting already exists."))
    return redirect("reports:meeting", meeting.pk)


@login_required
def meeting_detail(request, pk: int):
    meeting = _meeting_or_404(request.user, pk)
    return render(request, "reports/meeting_detail.html", {
        "meeting": meeting, "items": list(meeting.items.all()), "pack": selectors.latest_pack(meeting),
        "bulletins": selectors.month_bulletins(meeting), "can_manage": is_admin(request.user),
        "can_list": selectors.can_read_meetings(request.user),
    })


@login_required
def meeting_edit(request, pk: int):
    meeting = _meeting_or_404(request.user, pk)
    _require(is_admin(request.user), _("Only an administrator can edit the agenda."))
    form = MeetingForm(request.POST or None, instance=meeting)
    formset = AgendaFormSet(request.POST or None, instance=meeting)
    status = 200
    if request.method == "POST":
        status = 400
        version = VersionForm(request.POST)
        if version.is_valid() and form.is_valid() and formset.is_valid():
            try:
                services.update_agenda(meeting=meeting, by=request.user, details=form.cleaned_data,
                                       items=agenda_items(formset), removed=removed_items(formset),
                                       expected_version=version.cleaned_data["version"])
            except StaleEdit as exc:
                # What the person typed stays on the form, against the version they have now been shown.
                meeting.version, status = exc.current.version, 409
                form.add_error(None, _("Someone else changed this agenda while you were editing. Nothing was "
                                       "saved; check the agenda as it is now and send your changes again."))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Agenda saved."))
                return redirect("reports:meeting", meeting.pk)
    return render(request, "reports/meeting_edit.html", {"meeting": meeting, "form": form, "formset": formset},
                  status=status)


@login_required
@require_POST
def meeting_approve(request, pk: int):
    meeting = _meeting_or_404(request.user, pk)
    services.approve_meeting(meeting=meeting, by=request.user)
    messages.success(request, _("Agenda approved."))
    return redirect("reports:meeting", meeting.pk)


@login_required
@require_POST
def pack_request(request, pk: int):
    meeting = _meeting_or_404(request.user, pk)
    services.request_pack(meeting=meeting, by=request.user)
    return redirect("reports:meeting", meeting.pk)


def _pack_or_404(user, pk: int) -> MeetingPack:
    _require(is_admin(user), _("Only an administrator can export the meeting pack."))
    try:
        return MeetingPack.objects.select_related("meeting").get(pk=pk)
    except MeetingPack.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def pack_status(request, pk: int):
    """The progress box; htmx polls it while the job runs."""
    pack = _pack_or_404(request.user, pk)
    return render(request, "reports/_pack_status.html", {"pack": pack, "meeting": pack.meeting})


@login_required
def pack_download(request, pk: int):
    pack = _pack_or_404(request.user, pk)
    if pack.status != MeetingPack.Status.DONE or not pack.file:
        raise Http404
    response = FileResponse(pack.file.open("rb"), as_attachment=True, filename=pack.filename,
                            content_type="application/zip")
    response["Cache-Control"] = "private, no-store"
    return response


# --- pressure -----------------------------------------------------------------------------------

@login_required
def pressure_board(request):
    """上热中温下冷 by level, squad and person, for the bureau's leaders: each idle figure opens its items."""
    if not selectors.can_read_pressure(request.user):
        raise PermissionDenied(_("Only the bureau's leaders and administrators read the pressure board."))
    campaign = current_campaign()
    if campaign is None:
        return render(request, "reports/pressure.html", {"campaign": None})
    board = pressure.board(campaign, now=timezone.now())
    page = Paginator(board.people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    names = charts.level_names()
    for row in [*board.levels, *page.object_list]:
        row["name"] = names[row["level"]]
    return render(request, "reports/pressure.html", {"campaign": campaign, "board": board, "page": page})


# --- notices --------------------------------------------------------------------------------

@login_required
def notice_list(request):
    notices = list(selectors.notices_for(request.user)[:100])
    if request.method == "POST":
        services.mark_notices_read(user=request.user)
        return redirect("reports:notices")
    return render(request, "reports/notice_list.html", {"notices": notices})

