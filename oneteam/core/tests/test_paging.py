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


def test_chained_parts_read_as_one_list(rows):
    """Two ordered parts of one list: slices across the step, from inside
    the second part (the first counted then, once), counts, and paging."""
    evens = rows.filter(name__regex=r"[02468]$")
    odds = rows.exclude(name__regex=r"[02468]$").order_by("-name")
    chained = paging.Chained(rows, evens, odds)
    whole = [r.name for r in evens.all()] + [r.name for r in odds.all()]
    for start, stop in ((0, 7), (25, 35), (30, 31), (40, 60), (29, 30), (55, 70), (70, 80), (3, 3)):
        assert [r.name for r in chained[start:stop]] == whole[start:stop], (start, stop)
    with CaptureQueriesContext(connection) as inside_first:
        chained[0:10]
    with CaptureQueriesContext(connection) as across:
        chained[25:35]
    with CaptureQueriesContext(connection) as in_second:
        chained[40:50]
    # One part read; two parts read; the first part read empty, counted, then the second read.
    assert (len(inside_first), len(across), len(in_second)) == (1, 2, 3)
    assert (chained.count(), chained.cut_count(11)) == (60, 11)
    pager = BoundedPaginator(chained, 7, floor=14, ahead=0)
    assert (pager.count, pager.more, pager.num_pages) == (14, True, 2)
    assert [r.name for r in pager.get_page(2)] == whole[7:14]
    for bad in (slice(None, None, 2), slice(-1, 3), slice(2, None), 3):
        with pytest.raises((TypeError, ValueError)):
            chained[bad]
