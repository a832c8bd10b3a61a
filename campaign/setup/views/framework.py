"""Set-up of the campaign (dates, rules, weights, schedule) and its evaluation framework (loading, edits)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from campaign import loader
from campaign.models import Campaign, Content, Framework, NegativeListItem, Standard
from campaign.selectors import framework_tree, frameworks_with_counts
from campaign.services import save_validated, standard_add
from campaign.setup import selectors
from campaign.setup.forms import CampaignForm, ContentForm, NegativeListItemForm, StandardForm
from campaign.setup.views.shared import admin_required, edit, form_methods, heading_for, posted

CAMPAIGNS = (gettext_lazy("Campaigns"), "setup:campaigns")
FRAMEWORKS = (gettext_lazy("Evaluation framework"), "setup:frameworks")


# --- campaign -------------------------------------------------------------------------------


@admin_required
@require_safe
def campaign_list(request):
    return render(request, "setup/campaigns.html", {"object_list": selectors.campaigns_list()})


@admin_required
@form_methods
def campaign_edit(request, pk: int | None = None):
    form = CampaignForm(posted(request), instance=get_object_or_404(Campaign, pk=pk) if pk is not None else None)
    return edit(request, form=form, save=lambda: save_validated(instance=form.instance),
                heading=heading_for(form.instance), section=CAMPAIGNS)


# --- evaluation framework -----------------------------------------------------------------


@admin_required
@require_safe
def framework_list(request):
    return render(request, "setup/frameworks.html", {"object_list": frameworks_with_counts()})


REPORT_KINDS = {
    "framework": gettext_lazy("evaluation framework"), "item": gettext_lazy("evaluation items"),
    "indicator": gettext_lazy("indicators"), "content": gettext_lazy("evaluation contents"),
    "standard": gettext_lazy("evaluation standards"), "negative": gettext_lazy("negative-list clauses"),
    "point_type": gettext_lazy("point types"), "check": gettext_lazy("check-list items"),
    "category": gettext_lazy("event categories"),
}


@admin_required
@require_POST
def framework_load(request):
    """Load the shipped data files: all or nothing, and loading again only adds what is missing."""
    try:
        # Read the paths at call time, so a deployment (or a test) can point them elsewhere.
        framework, report = loader.load_all(loader.FRAMEWORK_FILE, loader.POINTS_FILE, loader.CASES_FILE)
    except loader.DataFileError as exc:
        return render(request, "setup/framework_load.html", {"error": exc}, status=422)
    kinds = [(label, report.created.get(kind, 0), report.existing.get(kind, 0))
             for kind, label in REPORT_KINDS.items()]
    return render(request, "setup/framework_load.html",
                  {"framework": framework, "report": report, "kinds": kinds})


@admin_required
@require_safe
def framework_detail(request, pk: int):
    framework = get_object_or_404(Framework, pk=pk)
    return render(request, "setup/framework_detail.html", {
        "framework": framework, "items": framework_tree(framework),
        "negative_items": selectors.negative_items(framework),
    })


def _framework_part(request, form, *, framework_id: int, heading: str, save=None):
    """Edits inside one framework go back to its page."""
    return edit(request, form=form, save=save or (lambda: save_validated(instance=form.instance)),
                heading=heading, section=FRAMEWORKS,
                success_url=reverse("setup:framework_detail", args=[framework_id]))


@admin_required
@form_methods
def content_update(request, pk: int):
    content = get_object_or_404(Content, pk=pk)
    return _framework_part(request, ContentForm(posted(request), instance=content),
                           framework_id=content.framework_id, heading=heading_for(content))


@admin_required
@form_methods
def standard_update(request, pk: int):
    standard = get_object_or_404(Standard, pk=pk)
    return _framework_part(request, StandardForm(posted(request), instance=standard),
                           framework_id=standard.framework_id, heading=heading_for(standard))


@admin_required
@form_methods
def standard_create(request, content_pk: int):
    content = get_object_or_404(Content, pk=content_pk)
    form = StandardForm(posted(request))

    def save():
        # The service gives the standard its number and code; the form only supplies what the admin typed.
        return standard_add(content=content, text=form.cleaned_data["text"],
                            bureau_scope=form.cleaned_data["bureau_scope"])

    return _framework_part(request, form, framework_id=content.framework_id, save=save,
                           heading=_("New standard of %(content)s") % {"content": content})


@admin_required
@form_methods
def negative_update(request, pk: int):
    clause = get_object_or_404(NegativeListItem, pk=pk)
    return _framework_part(request, NegativeListItemForm(posted(request), instance=clause),
                           framework_id=clause.framework_id, heading=heading_for(clause))


@admin_required
@form_methods
def negative_create(request, framework_pk: int):
    clause = NegativeListItem(framework=get_object_or_404(Framework, pk=framework_pk))
    return _framework_part(request, NegativeListItemForm(posted(request), instance=clause),
                           framework_id=framework_pk, heading=heading_for(clause))
