"""campaign.filtering: filters copied shallowly per filter set, yet as independent as deep copies; unit and
category choices looked up among cached choices, yet refused and renewed as Django's own field would."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from campaign.models import Standard
from tasks.filters import TaskFilter
from tasks.models import Task
from tests.factories import UnitFactory, squad_leader
from tests.factories import leader as bureau_leader

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


def test_a_chosen_unit_is_found_among_the_cached_choices_without_a_query():
    east = UnitFactory(name="东中队")
    chief = squad_leader(east)
    assert _filter(chief, f"?unit={east.pk}").is_valid()  # the reader's choices are read and kept
    chosen = _filter(chief, f"?unit={east.pk}")
    with CaptureQueriesContext(connection) as queries:
        assert chosen.is_valid()
    assert chosen.form.cleaned_data["unit"] == east
    assert not [q for q in queries.captured_queries if "accounts_unit" in q["sql"]]


def test_a_unit_outside_the_readers_choices_or_not_an_id_is_refused():
    east, west = UnitFactory(name="东中队"), UnitFactory(name="西中队")
    chief = squad_leader(east)
    for value in (west.pk, "abc", 10**30, -1):
        chosen = _filter(chief, f"?unit={value}")
        assert not chosen.is_valid()
        assert "unit" in chosen.form.errors


def test_a_new_unit_is_among_the_choices_at_once():
    leader = bureau_leader()
    assert _filter(leader, f"?unit={UnitFactory().pk}").is_valid()
    added = UnitFactory(name="新中队")  # saving a unit moves the reference generation on
    assert _filter(leader, f"?unit={added.pk}").is_valid()
