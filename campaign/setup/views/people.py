"""Set-up of units (the tree, jurisdictions, boundaries) and people (roles, units, passwords)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from accounts.importing import import_people
from accounts.importing import template_workbook as people_template_workbook
from accounts.models import Unit, User
from accounts.selectors import unit_tree
from accounts.services import unit_save, user_save
from campaign.core.spreadsheets import XLSX_TYPE
from campaign.setup import selectors
from campaign.setup.forms import (
    PasswordResetForm,
    PeopleFilterForm,
    PeopleImportForm,
    PersonCreateForm,
    PersonForm,
    UnitForm,
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

# Each section's title in the breadcrumb and its list page, where a form goes back to.
UNITS = (gettext_lazy("Units"), "setup:units")
PEOPLE = (gettext_lazy("People"), "setup:people")


# --- units ----------------------------------------------------------------------------------


@admin_required
@require_safe
def unit_list(request):
    units = unit_tree()
    rows = [(u, "　" * (u.depth - 1) + "└ " if u.depth else "") for u in units]
    return render(request, "setup/units.html", {"object_list": units, "rows": rows})


@admin_required
@form_methods
def unit_edit(request, pk: int | None = None):
    """A new unit, or (with ``pk``) an existing one."""
    form = UnitForm(posted(request), instance=get_object_or_404(Unit, pk=pk) if pk is not None else None)
    return edit(request, form=form, save=lambda: unit_save(unit=form.instance), heading=heading_for(form.instance),
                section=UNITS)


# --- people ---------------------------------------------------------------------------------


@admin_required
@require_safe
def people_list(request):
    filter_form = PeopleFilterForm(request.GET or None)
    chosen = chosen_filters(filter_form)
    people = selectors.people_list(unit=chosen.get("unit"), role=chosen.get("role") or "",
                                   search=chosen.get("q") or "")
    return filtered_page(request, "setup/people.html", people, filter_form)


@admin_required
@form_methods
def person_create(request):
    form = PersonCreateForm(posted(request))
    return edit(request, form=form, heading=heading_for(form.instance), section=PEOPLE,
                save=lambda: user_save(user=form.instance, password=form.cleaned_data["password1"]))


@admin_required
@form_methods
def person_update(request, pk: int):
    person = get_object_or_404(User, pk=pk)
    heading = heading_for(person)
    form = PersonForm(posted(request), instance=person)
    return edit(request, form=form, save=lambda: user_save(user=person, by=request.user), heading=heading,
                section=PEOPLE)


@admin_required
@form_methods
def person_password(request, pk: int):
    person = get_object_or_404(User, pk=pk)
    form = PasswordResetForm(posted(request), user=person)
    return edit(request, form=form, section=PEOPLE,
                save=lambda: user_save(user=person, password=form.cleaned_data["password1"]),
                heading=_("Reset the password of %(name)s") % {"name": person.display_name},
                cancel_url=reverse("setup:person_update", args=[person.pk]),
                message=_("The password of %(name)s is reset."))


@admin_required
@form_methods
def people_import(request):
    """花名册: the bureau's roster from Excel; every row checked first, a bad one imports nothing."""
    form = PeopleImportForm(posted(request), request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = import_people(upload=form.cleaned_data["file"], by=request.user,
                               password=form.cleaned_data["password"])
        if result.ok:
            messages.success(request, _("%(new)s people added, %(updated)s brought up to date.") % {
                "new": len(result.created), "updated": len(result.updated)})
            return redirect(reverse("setup:people"))
    return render(request, "setup/people_import.html", {"form": form, "result": result, "section_title": PEOPLE[0],
                                                        "section_url": reverse(PEOPLE[1])},
                  status=400 if (result is not None and not result.ok) or form.errors else 200)


@admin_required
@require_safe
def people_template(request):
    response = HttpResponse(people_template_workbook(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E8%8A%B1%E5%90%8D%E5%86%8C%E6%A8%A1%E6%9D%BF.xlsx"
    return response
