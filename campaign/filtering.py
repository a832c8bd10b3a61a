"""The project's FilterSet: django-filter's, with its filters copied shallowly per request (issue 7).

django-filter deep-copies every declared filter for each filter set it builds (each list request): the
copies' widgets, labels, choices and querysets, which was the largest cost of a warm, cached API list.
A filter's per-request state is only its ``parent``, ``model``, the form field it builds (``_field``), its
``extra`` arguments (where a request-dependent queryset is put) and the bound ``method`` that calls back
into its parent, so a shallow copy with its own ``extra`` and ``method`` and no form field yet is as
independent as a deep one. The form fields built from the copies deep-copy their widgets themselves, as
Django's fields always do.

Filters over reference data (units, event categories) look a chosen id up among cached choices
(:class:`ReferenceChoiceFilter`) instead of by a query per request.
"""

from __future__ import annotations

import copy
import sys

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from campaign import fragments


def _own_copy(declared):
    filter_ = copy.copy(declared)
    filter_.extra = dict(declared.extra)
    filter_.__dict__.pop("_field", None)
    if declared.method is not None:
        filter_.method = declared.method  # its FilterMethod must call back into the copy (and its parent)
    return filter_


class FilterSet(django_filters.FilterSet):
    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: _own_copy(declared) for name, declared in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self


class ReferenceChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` over reference data (units, event categories: few rows, and any change to
    them moves the reference generation on): a chosen id is looked up among the choices, read once per
    generation and ``cache_parts`` (who reads: the choices may depend on them) and kept in the cache,
    instead of by a query per request (issue 7). Anything not among the choices is refused as Django's
    field refuses it."""

    def __init__(self, *args, cache_parts: tuple = (), **kwargs):
        self.cache_parts = cache_parts
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, self.queryset.model):
            value = value.pk
        try:
            choice = self._choices_by_pk().get(int(str(value)))
        except (TypeError, ValueError):
            choice = None
        if choice is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                  params={"value": value})
        return choice

    def _choices_by_pk(self) -> dict:
        model = self.queryset.model
        return fragments.cached_value(
            f"choices.{model._meta.label_lower}", (fragments.generation(), *self.cache_parts),
            lambda: {choice.pk: choice for choice in self.queryset}, files=(sys.modules[model.__module__].__file__,))


class ReferenceChoiceFilter(django_filters.ModelChoiceFilter):
    """``ModelChoiceFilter`` with a :class:`ReferenceChoiceField`, its choices cached per filter and reader."""

    field_class = ReferenceChoiceField

    @property
    def field(self):
        request = self.get_request()
        reader = getattr(getattr(request, "user", None), "pk", None)
        self.extra["cache_parts"] = (type(self.parent).__qualname__, self.field_name, reader)
        return super().field
