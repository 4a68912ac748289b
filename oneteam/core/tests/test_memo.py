"""Per-process memos: dropped on change here at once, elsewhere (simulated by
a second memo of the same name) at the next generation check."""

import pytest

from oneteam.core.memo import Memo
from oneteam.core.models import MemoGeneration
from oneteam.org.models import Township

pytestmark = pytest.mark.django_db


def township_names(memo: Memo, calls: list) -> dict:
    def compute():
        calls.append(1)
        return dict(Township.objects.values_list("pk", "name"))

    return memo.get("names", compute)


def test_answer_kept_until_a_watched_model_is_saved(cast):
    memo, calls = Memo("test.names-a", watch=["org.Township"]), []
    first = township_names(memo, calls)
    assert township_names(memo, calls) is first and len(calls) == 1
    cast.township.name = "改名镇"
    cast.township.save()
    assert township_names(memo, calls)[cast.township.pk] == "改名镇" and len(calls) == 2
    assert MemoGeneration.objects.get(name="test.names-a").generation == 1


def test_other_process_drops_its_memo_at_the_next_check(cast):
    here, calls_here = Memo("test.names-b", watch=["org.Township"]), []
    there, calls_there = Memo("test.names-b", watch=["org.Township"]), []
    there._connected = True  # another server process: this one's signals never reach it
    here.get("warm", lambda: None)  # connects "here" to the signals
    township_names(there, calls_there)
    cast.township.name = "新名镇"
    cast.township.save()  # in "here"'s process: moves the generation
    assert township_names(there, calls_there)[cast.township.pk] != "新名镇"  # not re-checked yet
    there._checked = float("-inf")  # the recheck interval has passed
    assert township_names(there, calls_there)[cast.township.pk] == "新名镇" and len(calls_there) == 2
    township_names(here, calls_here)
    assert len(calls_here) == 1


def test_unchanged_memo_survives_rechecks(cast):
    memo, calls = Memo("test.names-c", watch=["org.Township"]), []
    township_names(memo, calls)
    for _ in range(3):
        memo._checked = float("-inf")
        township_names(memo, calls)
    assert len(calls) == 1


def test_refused_answers_and_exceptions_are_not_kept():
    memo = Memo("test.keep")
    assert memo.get("x", lambda: None, keep=lambda v: v is not None) is None
    assert memo.get("x", lambda: 5, keep=lambda v: v is not None) == 5
    assert memo.get("x", lambda: 6) == 5

    def boom():
        raise ValueError("no")

    with pytest.raises(ValueError):
        memo.get("y", boom)
    assert memo.get("y", lambda: 7) == 7


def test_rolled_back_change_moves_no_generation(cast):
    from django.db import transaction

    memo = Memo("test.names-d", watch=["org.Township"])
    township_names(memo, [])
    with pytest.raises(RuntimeError), transaction.atomic():
        cast.township.save()
        raise RuntimeError
    assert not MemoGeneration.objects.filter(name="test.names-d").exists()


def test_pruned_answers_are_computed_again_and_the_rest_kept():
    memo = Memo("test.prune")
    for day in (1, 2, 3):
        memo.get(("window", day), lambda d=day: d * 10)
    memo.prune(lambda key: key[1] < 3)
    assert memo.get(("window", 3), lambda: "again") == 30
    assert memo.get(("window", 1), lambda: "again") == "again"
