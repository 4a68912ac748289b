"""Verification recomputes the chain and checkpoints and names the first entry
that does not match. Each tampering test gets past the append-only triggers
with ``helpers.tamper`` (see its docstring)."""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from oneteam.ledger.chain import checkpoint_document, entry_hash
from oneteam.ledger.keys import public_hex
from oneteam.ledger.models import LedgerCheckpoint, LedgerEntry
from oneteam.ledger.offline_verify import checkpoint_statement, key_id
from oneteam.ledger.services import make_checkpoint
from oneteam.ledger.verification import verify_ledger

from .helpers import add_entries, rewrite_chain_from, tamper, tamper_entry

pytestmark = pytest.mark.django_db


def codes(report) -> list[str]:
    return [p.code for p in report.problems]


def test_verify_empty_ledger_ok():
    report = verify_ledger()
    assert report.ok and report.entries_checked == 0


def test_verify_intact_ledger_with_checkpoints_ok_with_counts():
    add_entries(5)
    make_checkpoint()
    add_entries(3)
    make_checkpoint()
    add_entries(2)
    report = verify_ledger()
    assert report.ok, report.summary()
    assert (report.entries_checked, report.checkpoints_checked) == (10, 2)
    assert "全过程记录完整" in report.summary() and "10 条" in report.summary()


def test_verify_progress_callback_reports_total():
    add_entries(5)
    calls = []
    verify_ledger(progress=lambda done, total: calls.append((done, total)), chunk_size=2)
    assert calls[-1] == (5, 5) and (2, 5) in calls


def test_verify_edited_payload_names_entry_hash_mismatch():
    add_entries(6)
    tamper_entry(4, payload={"i": 300})
    report = verify_ledger()
    assert not report.ok
    assert codes(report) == ["hash_mismatch"]
    assert report.first_problem.seq == 4
    assert "第 4 条的内容与其哈希不符" in report.summary()
    assert report.entries_checked == 3


@pytest.mark.parametrize("column,value", [("actor_name", "别人"), ("action", "forged"), ("object_id", "99")])
def test_verify_edited_column_names_entry_hash_mismatch(column, value):
    add_entries(3)
    tamper_entry(2, **{column: value})
    assert verify_ledger().first_problem.seq == 2


def test_verify_edited_timestamp_names_entry_hash_mismatch():
    add_entries(3)
    tamper("UPDATE ledger_ledgerentry SET recorded_at = %s WHERE seq = 2", ["2020-01-01 00:00:00"])
    report = verify_ledger()
    assert (codes(report), report.first_problem.seq) == (["hash_mismatch"], 2)


def test_verify_edited_payload_with_recomputed_hash_names_next_entry_link():
    add_entries(6)
    entry = LedgerEntry.objects.get(seq=3)
    entry.payload = {"i": 300}
    tamper_entry(3, payload=entry.payload, hash=entry_hash(entry))
    report = verify_ledger()
    assert codes(report) == ["prev_hash_mismatch"]
    assert report.first_problem.seq == 4
    assert "第 3 条被替换或重算过哈希" in report.first_problem.message


def test_verify_deleted_middle_row_names_missing_entry():
    add_entries(6)
    tamper("DELETE FROM ledger_ledgerentry WHERE seq = 4")
    report = verify_ledger()
    assert codes(report) == ["seq_gap"]
    assert report.first_problem.seq == 4
    assert "第 4 条缺失" in report.first_problem.message


def test_verify_deleted_last_row_detected_by_head():
    add_entries(5)
    tamper("DELETE FROM ledger_ledgerentry WHERE seq = 5")
    report = verify_ledger()
    assert codes(report) == ["head_mismatch"]
    assert report.first_problem.seq == 5


def test_verify_deleted_last_rows_and_head_reset_detected_by_checkpoint():
    add_entries(5)
    make_checkpoint()
    tamper("DELETE FROM ledger_ledgerentry WHERE seq >= 4")
    tamper("UPDATE ledger_ledgerhead SET seq = 3, hash = (SELECT hash FROM ledger_ledgerentry WHERE seq = 3)")
    report = verify_ledger()
    assert codes(report) == ["checkpoint_beyond_end"]
    assert "末尾的条目被删除" in report.first_problem.message


def test_verify_reordered_entries_names_first_moved_entry():
    add_entries(6)
    tamper("UPDATE ledger_ledgerentry SET seq = 1000 WHERE seq = 3")
    tamper("UPDATE ledger_ledgerentry SET seq = 3 WHERE seq = 4")
    tamper("UPDATE ledger_ledgerentry SET seq = 4 WHERE seq = 1000")
    report = verify_ledger()
    assert not report.ok
    assert report.first_problem.seq == 3
    assert report.first_problem.code in {"prev_hash_mismatch", "hash_mismatch"}


def test_verify_rewritten_chain_after_checkpoint_detected_by_checkpoint_root():
    add_entries(4)
    make_checkpoint()
    add_entries(4)
    make_checkpoint()
    rewrite_chain_from(6, {"i": "forged"})
    report = verify_ledger()
    assert codes(report) == ["checkpoint_root_mismatch"]
    assert report.first_problem.seq == 5  # between the last matching checkpoint (4) and this one (8)
    assert "第 5 至 8 条之间" in report.first_problem.message


def test_verify_rewritten_chain_after_last_checkpoint_not_detected_without_checkpoint():
    """The limit of a hash chain: entries after the last checkpoint can be rewritten
    consistently by someone with database access. Checkpoint often."""
    add_entries(4)
    make_checkpoint()
    add_entries(2)
    rewrite_chain_from(6, {"i": "forged"})
    assert verify_ledger().ok


def test_verify_forged_insert_without_head_detected():
    add_entries(3)
    last = LedgerEntry.objects.get(seq=3)
    forged = LedgerEntry(
        seq=4,
        recorded_at=last.recorded_at,
        actor_name="",
        body_name="",
        object_type="x.y",
        object_id="1",
        action="forged",
        payload={},
        prev_hash=last.hash,
    )
    forged.hash = entry_hash(forged)
    forged.save()
    assert codes(verify_ledger()) == ["head_mismatch"]


def test_verify_checkpoint_root_edited_signature_invalid():
    add_entries(3)
    checkpoint, _ = make_checkpoint()
    tamper("UPDATE ledger_ledgercheckpoint SET root = %s WHERE id = %s", ["ab" * 32, checkpoint.pk])
    report = verify_ledger()
    assert codes(report) == ["checkpoint_root_mismatch", "checkpoint_signature_invalid"]


def test_verify_checkpoint_signed_by_other_key_untrusted():
    add_entries(3)
    real, _ = make_checkpoint()
    other = Ed25519PrivateKey.generate()
    forged = LedgerCheckpoint(
        tree_size=real.tree_size,
        root=real.root,
        head_hash=real.head_hash,
        created_at=real.created_at,
        origin=real.origin,
        public_key=public_hex(other.public_key()),
    )
    forged.key_id = key_id(forged.public_key)
    forged.signature = other.sign(checkpoint_statement(checkpoint_document(forged, signed=False))).hex()
    forged.save()
    report = verify_ledger()
    assert codes(report) == ["checkpoint_key_untrusted"]
    assert report.problems[0].checkpoint_id == forged.pk


def test_verify_pinned_trusted_keys_other_key_untrusted():
    add_entries(1)
    make_checkpoint()
    report = verify_ledger(trusted_keys={"00" * 32})
    assert codes(report) == ["checkpoint_key_untrusted"]


def test_verify_head_tampered_detected():
    add_entries(3)
    tamper("UPDATE ledger_ledgerhead SET hash = %s", ["cd" * 32])
    assert codes(verify_ledger()) == ["head_mismatch"]
