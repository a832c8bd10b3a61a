"""What every paginated list page does with its query string."""

from __future__ import annotations

from django.core.paginator import Page, Paginator


def page_of(request, queryset, per_page: int) -> tuple[Page, str]:
    """The requested page (a bad number is the first page, one past the end the last: ``get_page``) and the
    query string without ``page``, for the pager's links and the export link."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
