"""A list page read as its rows' stamps, with the total count in the same query (issue 7).

A cached list page is keyed by what identifies its rows (pk and version): one narrow
query reads them, and ``COUNT(*) OVER ()`` adds the total for the pager, so a page
served from the cache costs one query for its rows instead of a count, a wide joined
query and its prefetches. The rows themselves are read only when the cache misses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window


def stamped_page(queryset: QuerySet, number, per_page: int, fields: Sequence[str]) -> tuple[Page, list[tuple]]:
    """Page ``number`` of ``queryset`` (a bad number is page 1, one past the end the last page, as
    ``Paginator.get_page``) and the page's rows as tuples of ``fields``, in order."""
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    counted = (queryset.prefetch_related(None).annotate(_total=Window(Count("pk")))
               .values_list(*fields, "_total"))

    def read(n: int) -> list[tuple]:
        return list(counted[(n - 1) * per_page:n * per_page])

    rows = read(number)
    if rows:
        count = rows[0][-1]
    else:  # past the end, or nothing at all
        count = queryset.count()
        last = max(1, math.ceil(count / per_page))
        if count and number > last:
            number, rows = last, read(last)
    paginator = Paginator(queryset, per_page)
    paginator.count = count  # a cached_property: the count is known, Paginator must not run it again
    return paginator.page(number), [row[:-1] for row in rows]
