"""BoundedPaginator: a count that stops where a reader can page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oneteam.core import paging
from oneteam.core.models import MemoGeneration
from oneteam.core.paging import BoundedPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    MemoGeneration.objects.bulk_create(MemoGeneration(name=f"row-{i:03d}") for i in range(60))
    return MemoGeneration.objects.order_by("name")


def test_a_short_list_is_counted_exactly(rows):
    pager = BoundedPaginator(rows, 3, floor=100)
    assert (pager.count, pager.num_pages, pager.more) == (60, 20, False)
    last = pager.get_page(20)
    assert [r.name for r in last] == ["row-057", "row-058", "row-059"] and not last.has_next()


def test_a_long_list_is_counted_to_whole_pages_and_says_there_is_more(rows):
    pager = BoundedPaginator(rows, 3, floor=10, ahead=2)
    # max(10 rows, (page 1 + 2) × 3 = 9 rows) = 10, rounded up to whole pages: 12.
    assert (pager.limit, pager.count, pager.more, pager.num_pages) == (12, 12, True, 4)
    last_counted = pager.get_page(4)
    assert [r.name for r in last_counted] == ["row-009", "row-010", "row-011"]
    assert last_counted.has_next() is False  # the reader moves on from a later page, which counts further


def test_the_limit_moves_on_with_the_page_asked_for(rows):
    pager = BoundedPaginator(rows, 3, near="5", floor=10, ahead=2)
    assert (pager.limit, pager.count, pager.more) == (21, 21, True)
    page = pager.get_page("5")
    assert page.number == 5 and page.has_next() and [r.name for r in page] == ["row-012", "row-013", "row-014"]
    far = BoundedPaginator(rows, 3, near="19", floor=10, ahead=2)
    assert (far.count, far.more, far.num_pages) == (60, False, 20)  # the end is in reach: exact


@pytest.mark.parametrize("near", [None, "", "abc", "1.5"])
def test_a_page_that_is_not_a_number_counts_as_page_one(rows, near):
    pager = BoundedPaginator(rows, 3, near=near, floor=10, ahead=2)
    assert pager.limit == 12
    assert pager.get_page(near).number == 1


@pytest.mark.parametrize("near", ["0", "-3"])
def test_a_page_below_one_counts_as_page_one_and_lands_where_django_puts_it(rows, near):
    pager = BoundedPaginator(rows, 3, near=near, floor=10, ahead=2)
    assert pager.limit == 12
    assert pager.get_page(near).number == 4  # get_page: out of range → the last page (of those counted)


def test_a_huge_page_number_still_counts_and_lands_on_the_last_page(rows):
    pager = BoundedPaginator(rows, 3, near="9" * 40, floor=10, ahead=2)
    assert pager.limit == (paging.MAX_PAGE + 2) * 3
    assert pager.get_page("9" * 40).number == 20


def test_the_count_is_one_query_cut_at_the_limit(rows):
    pager = BoundedPaginator(rows, 3, floor=10, ahead=2)
    with CaptureQueriesContext(connection) as captured:
        assert pager.count == 12
        assert pager.count == 12  # cached
    assert len(captured.captured_queries) == 1
    sql = captured.captured_queries[0]["sql"]
    assert sql.startswith("SELECT COUNT(*)") and "LIMIT 13" in sql
