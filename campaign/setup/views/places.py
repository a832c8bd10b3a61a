"""Set-up of point types with their check lists, sites on the map, and the 数字城管 event categories."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from campaign.models import EventCategory, PointType, Site
from campaign.selectors import event_categories
from campaign.services import point_type_save, save_validated
from campaign.setup import selectors
from campaign.setup.forms import (
    CheckItemFormSet,
    MajorCategoryForm,
    MinorCategoryForm,
    PointTypeForm,
    SiteFilterForm,
    SiteForm,
)
from campaign.setup.views.shared import (
    admin_required,
    chosen_filters,
    edit,
    filtered_page,
    form_methods,
    heading_for,
    posted,
)

POINT_TYPES = (gettext_lazy("Point types"), "setup:point_types")
SITES = (gettext_lazy("Sites"), "setup:sites")
CATEGORIES = (gettext_lazy("Event categories"), "setup:categories")


# --- point types and check lists ----------------------------------------------------------


@admin_required
@require_safe
def point_type_list(request):
    return render(request, "setup/point_types.html", {"object_list": selectors.point_types_with_counts()})


@admin_required
@form_methods
def point_type_edit(request, pk: int | None = None):
    """A point type and its check list, edited on one page and saved together."""
    form = PointTypeForm(posted(request), instance=get_object_or_404(PointType, pk=pk) if pk is not None else None)
    point_type, heading = form.instance, heading_for(form.instance)
    formset = CheckItemFormSet(posted(request), instance=point_type, prefix="checks",
                               queryset=selectors.checks_of(point_type), contents=selectors.content_choices(),
                               standards=selectors.standard_choices())

    def save():
        checks = formset.save(commit=False)  # unsaved rows: the service writes them with the point type
        return point_type_save(point_type=point_type, checks=checks, deleted=formset.deleted_objects)

    return edit(request, form=form, formset=formset, save=save, heading=heading, section=POINT_TYPES,
                template="setup/point_type_form.html")


# --- sites ----------------------------------------------------------------------------------


@admin_required
@require_safe
def site_list(request):
    filter_form = SiteFilterForm(request.GET or None)
    chosen = chosen_filters(filter_form)
    sites = selectors.sites_filtered(unit=chosen.get("unit"), point_type=chosen.get("point_type"))
    return filtered_page(request, "setup/sites.html", sites, filter_form)


@admin_required
@form_methods
def site_edit(request, pk: int | None = None):
    form = SiteForm(posted(request), instance=get_object_or_404(Site, pk=pk) if pk is not None else None)
    return edit(request, form=form, save=lambda: save_validated(instance=form.instance),
                heading=heading_for(form.instance), section=SITES)


# --- event categories -----------------------------------------------------------------------


@admin_required
@require_safe
def category_list(request):
    return render(request, "setup/categories.html", {"object_list": event_categories()})


@admin_required
@form_methods
def major_edit(request, pk: int | None = None):
    """A 大类 (a category without a parent); a 小类's id is not found here."""
    if pk is None:
        major, heading = None, _("New 大类")
    else:
        major = get_object_or_404(EventCategory, pk=pk, parent__isnull=True)
        heading = heading_for(major)
    form = MajorCategoryForm(posted(request), instance=major)
    return edit(request, form=form, save=lambda: save_validated(instance=form.instance), heading=heading,
                section=CATEGORIES)


@admin_required
@form_methods
def minor_edit(request, pk: int | None = None):
    """A 小类; a new one starts under the 大类 named by ``?parent=``, and a 大类's id is not found here."""
    if pk is None:
        minor, heading = None, _("New 小类")
        initial = {"parent": request.GET.get("parent")}
    else:
        minor = get_object_or_404(EventCategory.objects.select_related("parent"), pk=pk, parent__isnull=False)
        heading, initial = heading_for(minor), None
    form = MinorCategoryForm(posted(request), instance=minor, initial=initial)
    return edit(request, form=form, save=lambda: save_validated(instance=form.instance), heading=heading,
                section=CATEGORIES)
