"""Paging: a query whose length is known already, a count that stops where
a reader can page, and a page read keys first."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

#: :class:`BoundedPaginator`'s defaults: rows counted at least, pages counted past the one asked for.
COUNT_AT_LEAST = 1000
COUNT_PAGES_AHEAD = 10
#: Page numbers past this are read as this one (the count's LIMIT stays a 64-bit integer).
MAX_PAGE = 10**9


class Counted:
    """A query and its length, for ``django.core.paginator.Paginator``: the
    paginator slices the query (LIMIT/OFFSET) and takes the length as given,
    without a second ``COUNT`` — where the count came from somewhere cheaper
    (a command room's counts, a metric's facts) or was needed to choose the
    query itself."""

    def __init__(self, queryset, length: int) -> None:
        self.queryset, self.length = queryset, length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, key):
        return self.queryset[key]


def count_limit(per_page: int, near=None, *, floor: int | None = None, ahead: int | None = None) -> int:
    """How many rows :class:`BoundedPaginator` counts from page ``near`` (the
    page number as the request gave it; anything that is not a number counts
    as page 1): at least ``floor`` rows (:data:`COUNT_AT_LEAST`) and ``ahead``
    pages (:data:`COUNT_PAGES_AHEAD`) past it, rounded up to whole pages."""
    floor = COUNT_AT_LEAST if floor is None else floor
    ahead = COUNT_PAGES_AHEAD if ahead is None else ahead
    try:
        number = min(max(int(near), 1), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    per_page = int(per_page)
    wanted = max(floor, (number + ahead) * per_page)
    return -(-wanted // per_page) * per_page


class BoundedPaginator(Paginator):
    """A paginator over a queryset that counts it only as far as it can be
    paged from the page asked for (:func:`count_limit`).

    Its count is one ``SELECT COUNT(*)`` over the list, unordered and cut at
    that limit plus one row. A list no longer than the limit is counted
    exactly; a longer one reports the limit, and :attr:`more` says there are
    more rows (pages say "more than 1,000"). Every page up to the limit is
    full, so the page numbers and the "next" link are right either way, and
    the limit moves on with the reader. Counting every lead a township sees
    was most of its list's time at 10⁶ leads (``benchmarks/README.md``, "A
    count that stops").
    """

    def __init__(self, object_list, per_page, *, near=None, floor: int | None = None, ahead: int | None = None,
                 **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        #: The most rows counted: whole pages.
        self.limit = count_limit(self.per_page, near, floor=floor, ahead=ahead)

    @cached_property
    def _counted(self) -> int:
        # Which rows fill the limit does not change how many there are: no
        # ORDER BY, so the database may take them in any order (a
        # department's party set without sorting the leads it names).
        cut_count = getattr(self.object_list, "cut_count", None)
        if cut_count is not None:
            return cut_count(self.limit + 1)
        return self.object_list.order_by()[: self.limit + 1].count()

    @property
    def count(self) -> int:
        return min(self._counted, self.limit)

    @property
    def more(self) -> bool:
        """Whether the list goes on past :attr:`limit`."""
        return self._counted > self.limit


def bounded_page(object_list, per_page: int, number):
    """Page ``number`` (as the request gave it) of ``object_list``, counted
    as far as :class:`BoundedPaginator` counts."""
    return BoundedPaginator(object_list, per_page, near=number).get_page(number)


class Chained:
    """Ordered querysets read one after the other as one list, for a
    paginator: the parts of ``whole`` in turn (``parts`` must partition it,
    each in its own order). A slice reads the part it starts in, and the next
    one only when the first runs out (then the first is counted, to know
    where the next one starts). So a list can be ordered in steps an index
    can walk: a sort the database could only do on the whole list."""

    def __init__(self, whole, *parts) -> None:
        self.whole, self.parts = whole, parts

    def count(self) -> int:
        return self.whole.count()

    def cut_count(self, limit: int) -> int:
        """The length of the list, counted up to ``limit`` rows (:class:`BoundedPaginator`)."""
        return self.whole.order_by()[:limit].count()

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step is not None:
            raise TypeError("Chained takes slices without a step")
        start, stop = key.start or 0, key.stop
        if start < 0 or stop is None or stop < start:
            raise ValueError("Chained takes slices from 0 or later with an end")
        rows: list = []
        for part in self.parts:
            got = list(part[start:stop])
            rows += got
            if len(got) == stop - start:
                break
            # This part ended inside the slice when it gave rows (or from 0); else it is counted.
            length = start + len(got) if got or not start else part.count()
            start, stop = max(start - length, 0), stop - length
        return rows


def keys_of(queryset):
    """The primary keys of ``queryset`` in its order, without its joins and
    prefetches: what a page sorts, counts and slices before it reads its rows
    by key (:func:`in_key_order`). Sorting whole rows spilled to disk for the
    city centre's 63,000 to-dos at 10⁶ leads."""
    return queryset.select_related(None).prefetch_related(None).values_list("pk", flat=True)


def in_key_order(queryset, keys: list) -> list:
    """The rows of ``queryset`` with primary keys ``keys``, in that order (one
    query; keys it does not find are left out): the second step of a page
    whose keys were sorted and sliced on their own."""
    found = queryset.in_bulk(keys)
    return [found[key] for key in keys if key in found]
