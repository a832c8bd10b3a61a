"""The project's FilterSet: django-filter's, with its filters copied shallowly per request (issue 7).

django-filter deep-copies every declared filter for each filter set it builds (each list request): the
copies' widgets, labels, choices and querysets, which was the largest cost of a warm, cached API list.
A filter's per-request state is only its ``parent``, ``model``, the form field it builds (``_field``), its
``extra`` arguments (where a request-dependent queryset is put) and the bound ``method`` that calls back
into its parent, so a shallow copy with its own ``extra`` and ``method`` and no form field yet is as
independent as a deep one. The form fields built from the copies
deep-copy their widgets themselves, as Django's fields always do.
"""

from __future__ import annotations

import copy

import django_filters
from django.http import QueryDict


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
