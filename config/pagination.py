"""Pages of a list, for the lists that grow without bound (caseload, inbox)."""

from django.core.paginator import Page, Paginator


def page_of(request, queryset, per_page: int) -> Page:
    """The page asked for in `?page=`; a page number that is not one (or past the
    last) gives the first (or the last) page rather than an error."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """The query string of this request less `page`, for the links to other pages."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
