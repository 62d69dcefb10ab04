"""The API's pagination (imported by DRF settings, so it imports nothing of DRF's views)."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Window
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination

# No list has a billion pages; larger numbers would overflow OFFSET (a 64-bit integer).
MAX_PAGE_NUMBER = 10**9


class ApiPagination(PageNumberPagination):
    """Numbered pages; ``page_size`` up to 100. Lists order by a unique key, so pages never overlap."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class WindowCountPagination(ApiPagination):
    """The same pages, with the total counted by ``COUNT(*) OVER ()`` in the page's own query.

    Saves the separate COUNT query of the hottest list. The queryset must not use DISTINCT
    (the window would count duplicates); scope with ``pk__in`` subqueries instead.
    """

    def paginate_queryset(self, queryset, request, view=None):
        page_size = self.get_page_size(request)
        number = self._page_number(request)
        offset = (number - 1) * page_size
        rows = list(queryset.annotate(_total_count=Window(Count("pk")))[offset : offset + page_size])
        if not rows and number > 1:
            raise NotFound(self.invalid_page_message.format(page_number=number, message=""))
        paginator = Paginator([], page_size)
        paginator.__dict__["count"] = rows[0]["_total_count"] if rows else 0
        for row in rows:
            del row["_total_count"]
        self.request = request
        self.page = Page(rows, number, paginator)
        return rows

    def _page_number(self, request) -> int:
        raw = request.query_params.get(self.page_query_param) or "1"
        if raw in self.last_page_strings:
            raise NotFound(self.invalid_page_message.format(page_number=raw, message="last is not supported here"))
        try:
            number = int(raw)
        except ValueError:
            number = 0
        if number < 1:
            raise NotFound(self.invalid_page_message.format(page_number=raw, message="not a page number"))
        if number > MAX_PAGE_NUMBER:  # its offset would not fit the database's 64-bit OFFSET
            raise NotFound(self.invalid_page_message.format(page_number=raw, message="That page contains no results"))
        return number
