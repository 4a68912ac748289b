"""The API's page-number pagination, counted as far as a client can page.

A list answers ``{"count", "count_exact", "next", "previous", "results"}``.
``count`` is exact (``count_exact: true``) for any list no longer than
:func:`oneteam.core.paging.count_limit` allows from the page asked for — at
least 1,000 rows and ten pages past it. A longer list reports that limit
with ``count_exact: false`` and a ``next`` link, like the pages' "1000条以上":
counting every lead a township can see, for every page of its list, was most
of the list's time at 10⁶ leads. ``?page=last`` asks for the end, so it is
counted exactly.

A view with a ``list_rows(keys)`` method is paged keys first, as the pages
are: the count and the page's sort carry the primary keys alone (the view's
``list_keys(queryset)``, by default :func:`oneteam.core.paging.keys_of`),
then ``list_rows`` reads the page's rows by key with what a row shows.
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.response import Response

from oneteam.core.errors import Missing
from oneteam.core.paging import BoundedPaginator, keys_of


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        list_rows = getattr(view, "list_rows", None)
        if list_rows is not None:
            queryset = getattr(view, "list_keys", keys_of)(queryset)
        number = request.query_params.get(self.page_query_param) or 1
        if number in self.last_page_strings:
            paginator = Paginator(queryset, page_size)
            number = paginator.num_pages
        else:
            paginator = BoundedPaginator(queryset, page_size, near=number)
        try:
            self.page = paginator.page(number)
        except PageNotAnInteger:
            raise Missing(_("页码应为正整数或 last。")) from None
        except EmptyPage:
            asked = {"page": str(number)[:20], "pages": paginator.num_pages}
            if getattr(paginator, "more", False):  # the count stopped short: no total to give
                raise Missing(_("没有第 %(page)s 页。") % asked) from None
            raise Missing(_("没有第 %(page)s 页（共 %(pages)s 页）。") % asked) from None
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return list_rows(list(self.page)) if list_rows is not None else list(self.page)

    @property
    def count_exact(self) -> bool:
        return not getattr(self.page.paginator, "more", False)

    def get_paginated_response(self, data):
        return Response({
            "count": self.page.paginator.count,
            "count_exact": self.count_exact,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        })

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["required"] = ["count", "count_exact", "results"]
        answer["properties"]["count"]["description"] = str(_("行数；count_exact 为 false 时为已数到的下限"))
        answer["properties"] = {
            "count": answer["properties"]["count"],
            "count_exact": {
                "type": "boolean", "example": True,
                "description": str(_("count 是否为准确行数：长列表只数到本页之后十页（至少 1000 行）")),
            },
            **{k: v for k, v in answer["properties"].items() if k != "count"},
        }
        return answer
