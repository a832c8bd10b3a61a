"""What every set-up page does: only admins get in, a form's post goes through a service, a list is paged.

Thin like every page of the project: a selector reads, a form shapes the input, a service writes
(``unit_save``, ``user_save``, ``save_validated`` …), and whatever that service still refuses is
shown on the form, with nothing written (:func:`edit`).
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import is_admin
from campaign.core.forms import add_service_errors
from campaign.core.lists import page_of
from campaign.setup import selectors

PAGE_SIZE = 50

# Form pages answer HEAD like GET, as list pages do (``require_safe``).
form_methods = require_http_methods(["GET", "HEAD", "POST"])


def admin_required(view):
    """Anonymous visitors go to sign-in; signed-in people who are not admins are told why they cannot.

    It runs before the view looks anything up, so nobody but an admin learns which ids exist."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_admin(request.user):
            raise PermissionDenied(_("Only an administrator can change the set-up."))
        return view(request, *args, **kwargs)

    return wrapper


def posted(request):
    """The form's data: bound on every POST, even an empty one, so an empty post shows what is missing."""
    return request.POST if request.method == "POST" else None


def heading_for(instance) -> str:
    """"New unit" for an object not saved yet, else "Edit unit: 第一中队".

    Call it before the form is validated: validation writes the typed values onto the object, and the
    heading names what is stored."""
    kind = type(instance)._meta.verbose_name
    if instance.pk is None:
        return _("New %(kind)s") % {"kind": kind}
    return _("Edit %(kind)s: %(name)s") % {"kind": kind, "name": instance}


def edit(request, *, form, save, heading: str, section: tuple[str, str], success_url: str | None = None,
         cancel_url: str | None = None, message: str | None = None, formset=None,
         template: str = "setup/form.html"):
    """Every set-up form's one flow: a valid post is written by ``save`` (a service call) and the admin goes
    on to ``success_url`` (the section's list unless given) with a message; what the service refuses is
    shown on the form. ``section`` is the breadcrumb: a title and the URL name of its list. ``message``
    formats ``%(name)s`` with what ``save`` returned."""
    title, list_url_name = section
    section_url = reverse(list_url_name)
    success_url = success_url or section_url
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        try:
            saved = save()
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, (message or _("Saved: %(name)s.")) % {"name": saved})
            return redirect(success_url)
    # A post that saved nothing answers 400, as every form page of the project does.
    return render(request, template, {
        "form": form, "formset": formset, "heading": heading, "cancel_url": cancel_url or success_url,
        "section_title": title, "section_url": section_url,
    }, status=400 if request.method == "POST" else 200)


def filtered_page(request, template: str, rows, filter_form):
    """A paginated list narrowed by a GET form; ``query`` keeps the filters in the pager's links."""
    page, query = page_of(request, rows, PAGE_SIZE)
    return render(request, template, {"page": page, "object_list": page.object_list, "filter_form": filter_form,
                                      "query": query})


def chosen_filters(form) -> dict:
    """What the filter form chose; nothing (every row) when it is empty or not valid."""
    return form.cleaned_data if form.is_valid() else {}


# --- index ----------------------------------------------------------------------------------


@admin_required
@require_safe
def index(request):
    return render(request, "setup/index.html", {"counts": selectors.setup_counts()})
