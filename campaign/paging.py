"""A list page read as its rows' stamps, with the total count in the same query (issue 7).

A cached list page is keyed by what identifies its rows (pk and version): one narrow
query reads them (with the total for the pager where that is cheap, see
``count_with_rows``), so a page served from the cache costs a count and a narrow
query instead of a wide joined query and its prefetches. The rows themselves are
read only when the cache misses.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Sequence

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.http import HttpResponse
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from campaign import fragments


def stamped_page(queryset: QuerySet, number, per_page: int, fields: Sequence[str], *,
                 count_with_rows: bool = False, count_key: tuple | None = None) -> tuple[Page, list[tuple]]:
    """Page ``number`` of ``queryset`` (a bad number is page 1, one past the end the last page, as
    ``Paginator.get_page``) and the page's rows as tuples of ``fields``, in order.

    ``count_with_rows`` reads the total with the rows (``COUNT(*) OVER ()``), one query instead of two:
    right when the ordering has no index and every matching row is read anyway (the squad list); wrong
    when an index hands over the first rows of a large set (newest findings), where a separate count is
    far cheaper than numbering every row. There, ``count_key`` caches the count: it must name everything
    the count depends on (who reads, the filters, a generation that any change of the rows moves on).
    """
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    rows_only = queryset.prefetch_related(None)
    if count_with_rows:
        rows_only = rows_only.annotate(_total=Window(Count("pk")))
        read_fields = (*fields, "_total")
    else:
        read_fields = tuple(fields)
    narrow = rows_only.values_list(*read_fields)

    def read(n: int) -> list[tuple]:
        return list(narrow[(n - 1) * per_page:n * per_page])

    if count_with_rows:
        count = None
    elif count_key is None:
        count = queryset.count()
    else:
        count = fragments.cached_value("count", count_key, queryset.count, files=(__file__,))
    if count is not None:
        number = min(number, max(1, math.ceil(count / per_page)))
    rows = read(number) if count != 0 else []
    if count_with_rows:
        if rows:
            count = rows[0][-1]
            rows = [row[:-1] for row in rows]
        else:  # past the end, or nothing at all
            count = queryset.count()
            last = max(1, math.ceil(count / per_page))
            if count and number > last:
                number, rows = last, [row[:-1] for row in read(last)]
    paginator = Paginator(queryset, per_page)
    paginator.count = count  # a cached_property: the count is known, Paginator must not run it again
    return paginator.page(number), rows


class StampedListMixin:
    """``list()`` for a viewset: the whole answer cached under the page's rows' stamps (issue 7).

    The same scheme as the list pages: the reference generation is read first, then one narrow query
    reads the page's stamps (``row_stamp``) and the count; the answer (count, links, items) is cached under
    those, the host and the full path. Only on a miss are the rows read (``rows_in_order``) and
    serialized. Pages past the end answer 404 as DRF's ``PageNumberPagination`` does.
    """

    row_stamp: tuple[str, ...] = ("pk", "version")
    count_with_rows = True

    def rows_in_order(self, pks: list[int]) -> list:
        raise NotImplementedError

    def count_key(self, query: str, generation: str) -> tuple | None:
        """What the count depends on when it is cached apart (``count_with_rows`` off); None: not cached."""
        return None

    def list(self, request, *args, **kwargs):
        pagination = self.paginator
        number = request.query_params.get(pagination.page_query_param) or "1"
        if number in pagination.last_page_strings:
            return super().list(request, *args, **kwargs)
        generation = fragments.generation()  # before any data is read: see fragments.generation
        queryset = self.filter_queryset(self.get_queryset())
        query = request.query_params.copy()
        query.pop(pagination.page_query_param, None)
        query = query.urlencode()
        try:
            wanted = int(number)
        except ValueError:
            wanted = 0
        page, stamps = stamped_page(queryset, wanted, pagination.get_page_size(request), self.row_stamp,
                                    count_with_rows=self.count_with_rows,
                                    count_key=self.count_key(query, generation))
        if page.number != wanted:
            raise NotFound(pagination.invalid_page_message.format(page_number=number, message=""))

        def build() -> dict:
            pagination.page, pagination.request = page, request
            items = self.get_serializer(self.rows_in_order([pk for pk, *_rest in stamps]), many=True).data
            return pagination.get_paginated_response(items).data

        parts = (request.get_host(), query, wanted, page.paginator.count, generation, *stamps)
        files = (__file__, inspect.getfile(self.get_serializer_class()))
        renderer = request.accepted_renderer
        if type(renderer) is not JSONRenderer:  # the browsable API, say: cache the data, render it each time
            return Response(fragments.cached_value(f"api.{self.basename}", parts, build, files=files))
        # Plain JSON: the rendered bytes are cached, so a hit neither unpickles nor encodes 50 items.
        body = fragments.cached_value(
            f"api.{self.basename}.json", (*parts, request.accepted_media_type),
            lambda: renderer.render(build(), request.accepted_media_type, self.get_renderer_context()), files=files)
        return HttpResponse(body, content_type=renderer.media_type)
