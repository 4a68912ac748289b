"""Paging: a query whose length is known already, and a page read keys first."""

from __future__ import annotations


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


def in_key_order(queryset, keys: list) -> list:
    """The rows of ``queryset`` with primary keys ``keys``, in that order (one
    query; keys it does not find are left out): the second step of a page
    whose keys were sorted and sliced on their own."""
    found = queryset.in_bulk(keys)
    return [found[key] for key in keys if key in found]
