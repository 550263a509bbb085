from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest


def paginate[T: Model](request: HttpRequest, queryset: QuerySet[T], per_page: int) -> Page[T]:
    """Page from ?page=; a bad or out-of-range number gives the nearest page, never a 500."""
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    """The current filters, to keep them in pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
