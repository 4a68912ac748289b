import io
import json
import stat

import pytest
from django.core.management import call_command

from oneteam.ledger import keys
from oneteam.ledger.chain import checkpoint_document
from oneteam.ledger.merkle import EMPTY_ROOT, leaf_hash, root_of
from oneteam.ledger.models import LedgerCheckpoint, LedgerEntry
from oneteam.ledger.offline_verify import (
    checkpoint_statement,
    load_public_key_hex,
    verify_checkpoint,
    verify_signature,
)
from oneteam.ledger.services import LedgerBroken, make_checkpoint

from .helpers import add_entries, tamper

pytestmark = pytest.mark.django_db


def full_root() -> str:
    return root_of(leaf_hash(h) for h in LedgerEntry.objects.order_by("seq").values_list("hash", flat=True)).hex()


def test_make_checkpoint_first_use_creates_key_file_0600_in_data_dir(settings):
    add_entries(1)
    make_checkpoint()
    path = settings.DATA_DIR / "keys" / "ledger-ed25519.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_make_checkpoint_key_path_from_env_used(tmp_path, monkeypatch):
    path = tmp_path / "elsewhere" / "ledger.pem"
    monkeypatch.setenv("ONETEAM_LEDGER_KEY", str(path))
    checkpoint, _ = make_checkpoint()
    assert path.exists()
    assert checkpoint.public_key == keys.signing_key().public_hex


def test_make_checkpoint_existing_key_reused():
    first, _ = make_checkpoint()
    add_entries(1)
    second, _ = make_checkpoint()
    assert first.public_key == second.public_key


def test_make_checkpoint_empty_ledger_signs_empty_root():
    checkpoint, created = make_checkpoint()
    assert created and checkpoint.tree_size == 0 and checkpoint.root == EMPTY_ROOT.hex()


def test_make_checkpoint_root_equals_full_recompute_and_signature_verifies():
    entries = add_entries(7)
    checkpoint, created = make_checkpoint()
    assert created
    assert (checkpoint.tree_size, checkpoint.root, checkpoint.head_hash) == (7, full_root(), entries[-1].hash)
    doc = checkpoint_document(checkpoint)
    assert verify_signature(doc["public_key"], doc["signature"], checkpoint_statement(doc))
    verify_checkpoint(doc, pinned_key_hex=keys.signing_key().public_hex)


def test_make_checkpoint_incremental_from_frontier_equals_from_scratch():
    for n in (1, 2, 5, 8, 3):
        add_entries(n)
        checkpoint, _ = make_checkpoint()
        assert checkpoint.root == full_root()


def test_make_checkpoint_no_new_entries_returns_latest_unless_forced():
    add_entries(2)
    first, _ = make_checkpoint()
    again, created = make_checkpoint()
    assert (again.pk, created) == (first.pk, False)
    forced, created = make_checkpoint(force=True)
    assert created and forced.pk != first.pk and forced.root == first.root


def test_make_checkpoint_broken_chain_refused():
    add_entries(5)
    tamper("DELETE FROM ledger_ledgerentry WHERE seq = 3")
    with pytest.raises(LedgerBroken, match="第 3 条缺失"):
        make_checkpoint()
    assert not LedgerCheckpoint.objects.exists()


def test_checkpoint_command_writes_export_json(tmp_path):
    add_entries(3)
    out = io.StringIO()
    call_command("ledger-checkpoint", "--out", str(tmp_path / "cp.json"), stdout=out)
    doc = json.loads((tmp_path / "cp.json").read_text())
    assert set(doc) == {
        "type",
        "origin",
        "tree_size",
        "root",
        "head_hash",
        "created_at",
        "public_key",
        "key_id",
        "signature",
    }
    assert doc["tree_size"] == 3 and doc["type"] == "oneteam-ledger-checkpoint/v1"
    verify_checkpoint(doc)
    assert "已签署检查点" in out.getvalue()


def test_checkpoint_command_default_path_in_data_dir_and_nothing_new(settings):
    add_entries(1)
    call_command("ledger-checkpoint", stdout=io.StringIO())
    out = io.StringIO()
    call_command("ledger-checkpoint", stdout=out)
    assert "未新签" in out.getvalue()
    assert len(list((settings.DATA_DIR / "ledger" / "checkpoints").glob("checkpoint-*.json"))) == 1


def test_public_key_command_outputs_pem_of_signing_key(tmp_path):
    call_command("ledger-public-key", "--out", str(tmp_path / "k.pem"), stdout=io.StringIO())
    assert load_public_key_hex((tmp_path / "k.pem").read_text()) == keys.signing_key().public_hex


def test_trusted_public_keys_include_retired_keys_beside_current(settings):
    current = keys.signing_key()
    retired = keys.Ed25519PrivateKey.generate().public_key()
    (settings.DATA_DIR / "keys" / "2024.pub.pem").write_text(keys.public_pem(retired))
    assert keys.trusted_public_keys() == {current.public_hex, keys.public_hex(retired)}
