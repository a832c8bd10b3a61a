"""campaign.filtering.FilterSet: filters copied shallowly per filter set, yet as independent as deep copies."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from campaign.models import Standard
from tasks.filters import TaskFilter
from tasks.models import Task
from tests.factories import UnitFactory, squad_leader

pytestmark = pytest.mark.django_db


def _filter(user, query: str = "") -> TaskFilter:
    request = RequestFactory().get("/tasks/" + query)
    request.user = user
    return TaskFilter(request.GET or None, queryset=Task.objects.all(), request=request)


def test_each_filter_set_offers_its_own_readers_choices_and_leaves_the_declared_filters_alone():
    east, west = UnitFactory(name="东中队"), UnitFactory(name="西中队")
    east_chief, west_chief = squad_leader(east), squad_leader(west)
    for_east, for_west = _filter(east_chief), _filter(west_chief)
    east_units = list(for_east.form.fields["unit"].queryset)
    west_units = list(for_west.form.fields["unit"].queryset)
    assert east in east_units and west not in east_units
    assert west in west_units and east not in west_units
    declared = TaskFilter.base_filters["unit"]
    assert declared.extra["queryset"] is declared.queryset  # still the declared callable, not a reader's rows
    assert callable(declared.queryset) and not hasattr(declared, "_field")
    assert not hasattr(declared, "parent")


def test_a_queryset_set_on_one_filter_set_does_not_reach_another():
    chief = squad_leader(UnitFactory())
    narrowed = _filter(chief)
    narrowed.filters["standard"].queryset = Standard.objects.none()
    assert narrowed.filters["standard"].queryset is not _filter(chief).filters["standard"].queryset
    assert TaskFilter.base_filters["standard"].queryset is not narrowed.filters["standard"].queryset


def test_a_filter_with_a_method_calls_back_into_its_own_filter_set():
    east = UnitFactory(name="东中队")
    chief = squad_leader(east)
    first, second = _filter(chief, f"?unit={east.pk}"), _filter(chief, f"?unit={east.pk}")
    assert first.filters["unit"].filter.f is first.filters["unit"]
    assert first.filters["unit"].parent is first and second.filters["unit"].parent is second
    assert first.is_valid() and list(first.qs) == []
