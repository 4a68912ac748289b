import datetime as dt
import decimal
import itertools

import pytest
from django.db import transaction

from oneteam.core.errors import InvalidInput
from oneteam.ledger import services
from oneteam.ledger.chain import GENESIS_HASH, entry_hash
from oneteam.ledger.models import AppendOnlyError, LedgerEntry, LedgerHead

from .helpers import add_entries

pytestmark = pytest.mark.django_db


def test_migration_creates_head_row_at_genesis():
    assert LedgerHead.objects.filter(pk=1, seq=0, hash=GENESIS_HASH).exists()


def test_append_outside_transaction_raises():
    # pytest-django wraps each test in a transaction: pretend it does not.
    connection = transaction.get_connection()
    saved, connection.in_atomic_block = connection.in_atomic_block, False
    try:
        with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
            services.append("test.act", object_type="org.township", object_id=1)
    finally:
        connection.in_atomic_block = saved


def test_append_several_chains_gap_free_and_hashes_recompute():
    entries = add_entries(5)
    stored = list(LedgerEntry.objects.order_by("seq"))
    assert [e.seq for e in stored] == [1, 2, 3, 4, 5]
    assert stored[0].prev_hash == GENESIS_HASH
    for prev, entry in itertools.pairwise(stored):
        assert entry.prev_hash == prev.hash
    assert all(entry_hash(e) == e.hash for e in stored)
    assert LedgerHead.objects.get(pk=1).seq == 5
    assert LedgerHead.objects.get(pk=1).hash == entries[-1].hash


def test_append_with_actor_copies_actor_and_body_names(cast):
    with transaction.atomic():
        entry = services.append("test.act", actor=cast.dispatcher, obj=cast.township, payload={"x": 1})
    assert (entry.actor_id, entry.actor_name) == (cast.dispatcher.pk, cast.dispatcher.full_name)
    assert (entry.body_id, entry.body_name) == (cast.command_room.pk, "甲镇综合信息指挥室")
    assert (entry.object_type, entry.object_id) == ("org.township", str(cast.township.pk))


def test_append_without_actor_records_system():
    (entry,) = add_entries(1)
    assert entry.actor_id is None
    assert entry.actor_name == "系统"


def test_append_rolled_back_with_caller_leaves_no_entry_and_head_unchanged():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        services.append("test.act", object_type="org.township", object_id=1)
        1 / 0  # noqa: B018
    assert not LedgerEntry.objects.exists()
    assert LedgerHead.objects.get(pk=1).seq == 0


def test_append_non_json_values_stored_as_strings_and_hash_matches_after_reload():
    with transaction.atomic():
        entry = services.append(
            "test.act",
            object_type="x.y",
            object_id=1,
            payload={"on": dt.date(2024, 5, 1), "amount": decimal.Decimal("12.50"), "names": ("甲", "乙")},
        )
    reloaded = LedgerEntry.objects.get(pk=entry.pk)
    assert reloaded.payload == {"on": "2024-05-01", "amount": "12.50", "names": ["甲", "乙"]}
    assert entry_hash(reloaded) == reloaded.hash


def test_append_awkward_numbers_hash_matches_after_reload():
    """jsonb stores numbers as numeric: -0.0, huge and tiny floats must still hash the same on read."""
    payload = {
        "neg_zero": -0.0,
        "huge": 1e20,
        "tiny": 1e-7,
        "lng": 120.654321,
        "big": 2**70,
        "text": '瑞安\n"引号"',
        "nested": [{"b": 1, "a": [0.1, -0.0]}],
        "flag": True,
        "none": None,
    }
    with transaction.atomic():
        entry = services.append("test.act", object_type="x.y", object_id=1, payload=payload)
    reloaded = LedgerEntry.objects.get(pk=entry.pk)
    assert entry_hash(reloaded) == reloaded.hash == entry.hash
    assert reloaded.payload["huge"] == 10**20


def test_append_nan_payload_raises():
    with pytest.raises(ValueError), transaction.atomic():
        services.append("test.act", object_type="x.y", object_id=1, payload={"v": float("nan")})


def test_append_head_row_missing_rebuilds_from_last_entry():
    add_entries(3)
    LedgerHead.objects.all().delete()
    (entry,) = add_entries(1)
    assert entry.seq == 4
    assert entry.prev_hash == LedgerEntry.objects.get(seq=3).hash


def test_save_existing_entry_through_orm_raises():
    (entry,) = add_entries(1)
    entry.action = "forged"
    with pytest.raises(AppendOnlyError):
        entry.save()


@pytest.mark.parametrize("operation", ["update", "delete", "instance_delete", "bulk_update"])
def test_change_entries_through_orm_raises(operation):
    (entry,) = add_entries(1)
    with pytest.raises(AppendOnlyError), transaction.atomic():
        if operation == "update":
            LedgerEntry.objects.filter(pk=entry.pk).update(action="forged")
        elif operation == "delete":
            LedgerEntry.objects.all().delete()
        elif operation == "instance_delete":
            entry.delete()
        else:
            entry.action = "forged"
            LedgerEntry.objects.bulk_update([entry], ["action"])
    assert LedgerEntry.objects.get(pk=entry.pk).action == "test.act"


def test_history_returns_object_entries_oldest_first(cast):
    with transaction.atomic():
        first = services.append("a", obj=cast.township)
        services.append("b", obj=cast.other_township)
        second = services.append("c", obj=cast.township)
    assert list(services.history(cast.township)) == [first, second]


def test_parse_object_ref_valid_and_invalid():
    assert services.parse_object_ref(" org.Township:5 ") == ("org.township", "5")
    for bad in ["", "org.township", "township:5", "org.township:"]:
        with pytest.raises(InvalidInput):
            services.parse_object_ref(bad)
