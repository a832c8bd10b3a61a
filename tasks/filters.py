"""List filters shared by the squad's list page and /api/v1/tasks/, so both answer the same questions."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import units_visible_to
from accounts.models import User
from accounts.selectors import people_visible_to
from campaign.core.forms import PlainSelect
from campaign.models import MAX_ID, Standard
from campaign.selectors import idle_days
from tasks.models import Task


# The menus read what their options show (a person's name, a unit's name) and what a chosen one is filtered
# by (a unit's path): a unit's boundary or a person's password hash is only weight on every page.
def _people(request):
    if request is None:
        return User.objects.none()
    return (people_visible_to(request.user).select_related(None).order_by("unit__sort_order", "full_name")
            .only("username", "first_name", "last_name", "full_name"))


def _units(request):
    return units_visible_to(request.user if request else None).order_by("sort_order", "code").only("name", "path")


def _standards(request):
    # Codes sort naturally within the framework's order; every edition's standards are codes like Ⅲ-59-2.
    return Standard.objects.select_related("content").order_by("content__sort_order", "number")


class TaskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search",
                                  widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Task text"),
                                                                "aria-label": _("Search")}))
    # The menus are written in Python (PlainSelect, Django's markup): a person or a standard per option
    # through the widget templates was a third of the list page's rendering.
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=_units, method="in_unit", widget=PlainSelect)
    responsible = django_filters.ModelChoiceFilter(label=_("Person"), queryset=_people, widget=PlainSelect)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Task.Status.choices, widget=PlainSelect)
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Task.Level.choices, widget=PlainSelect)
    standard = django_filters.ModelChoiceFilter(label=_("Standard"), queryset=_standards, field_name="standards",
                                                widget=PlainSelect)
    deadline_from = django_filters.DateFilter(label=_("Deadline from"), field_name="deadline", lookup_expr="gte",
                                              widget=forms.DateInput(attrs={"type": "date"}))
    deadline_to = django_filters.DateFilter(label=_("Deadline to"), field_name="deadline", lookup_expr="lte",
                                            widget=forms.DateInput(attrs={"type": "date"}))
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), method="only_overdue",
                                           widget=forms.CheckboxInput)
    mine = django_filters.BooleanFilter(label=_("My items"), method="only_mine", widget=forms.CheckboxInput)
    idle = django_filters.BooleanFilter(label=_("Idle only"), method="only_idle", widget=forms.CheckboxInput,
                                        help_text=_("Not done, and no action for the campaign's idle days."))
    # Ids are bounded so an absurd number is a 400, not an overflow inside the database driver.
    parent = django_filters.NumberFilter(label=_("Parent task"), field_name="parent", min_value=1, max_value=MAX_ID)
    campaign = django_filters.NumberFilter(label=_("Campaign"), field_name="campaign", min_value=1, max_value=MAX_ID)

    class Meta:
        model = Task
        fields = ["q", "unit", "responsible", "status", "level", "standard", "deadline_from", "deadline_to",
                  "overdue", "mine", "idle", "parent", "campaign"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        text = Q(content__icontains=value) | Q(criteria__icontains=value)
        text |= Q(responsible__full_name__icontains=value) | Q(unit__name__icontains=value)
        if value.isdigit():
            text |= Q(seq=int(value))
        return queryset.filter(text)

    def in_unit(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path)

    def only_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(deadline__lt=timezone.localdate()).exclude(status=Task.Status.DONE)

    def only_idle(self, queryset, name, value):
        if not value:
            return queryset
        since = timezone.now() - datetime.timedelta(days=idle_days())
        return queryset.filter(last_activity_at__lt=since).exclude(status=Task.Status.DONE)

    def only_mine(self, queryset, name, value):
        if not value or self.request is None:
            return queryset
        return queryset.filter(responsible=self.request.user)
