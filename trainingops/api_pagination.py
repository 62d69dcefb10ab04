"""The API's pagination (imported by DRF settings, so it imports nothing of DRF's views)."""

from rest_framework.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    """Numbered pages; ``page_size`` up to 100. Lists order by a unique key, so pages never overlap."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
