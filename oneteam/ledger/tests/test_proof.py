"""Inclusion proofs, checked by the standalone offline verifier."""

import copy
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from oneteam.core.errors import InvalidInput
from oneteam.ledger import offline_verify, services
from oneteam.ledger.keys import signing_key
from oneteam.ledger.proofs import inclusion_proof
from oneteam.ledger.services import LedgerBroken, make_checkpoint

from .helpers import add_entries, tamper_entry

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[3]
VERIFIER = REPO / "oneteam" / "ledger" / "offline_verify.py"


def mixed_ledger() -> None:
    """Entries about two objects, interleaved, in a tree whose size is not a power of two."""
    with transaction.atomic():
        for i in range(13):
            services.append(
                "test.act",
                object_type="org.township",
                object_id="5" if i % 3 == 0 else "6",
                payload={"i": i, "名称": "甲镇"},
            )


def proof_for(object_id: str = "5", **kwargs) -> dict:
    return inclusion_proof("org.township", object_id, **kwargs)


def test_proof_object_entries_verify_offline():
    mixed_ledger()
    proof = proof_for()
    assert [item["entry"]["seq"] for item in proof["entries"]] == [1, 4, 7, 10, 13]
    assert proof["checkpoint"]["tree_size"] == 13
    lines = offline_verify.verify_proof(proof)
    assert "已核验 5 条记录" in lines[-2]


def test_proof_pinned_signing_key_verifies_other_key_fails():
    mixed_ledger()
    proof = proof_for()
    offline_verify.verify_proof(proof, pinned_key_hex=signing_key().public_hex)
    with pytest.raises(offline_verify.ProofError, match="不是指定的公钥"):
        offline_verify.verify_proof(proof, pinned_key_hex="11" * 32)


@pytest.mark.parametrize(
    "mutate,message",
    [
        (lambda p: p["entries"][1]["entry"]["payload"].update(i=999), "内容与其哈希不符"),
        (lambda p: p["entries"][1]["entry"].update(actor_name="别人"), "内容与其哈希不符"),
        (lambda p: p["entries"][2]["audit_path"].__setitem__(0, "00" * 32), "根哈希与检查点的根哈希不符"),
        (lambda p: p["entries"][2]["audit_path"].pop(), "审计路径长度"),
        (lambda p: p["entries"][0].update(leaf_index=1), "叶子序号"),
        (lambda p: p["checkpoint"].update(root="00" * 32), "签名无效"),
        (lambda p: p["checkpoint"].update(tree_size=14), "签名无效"),
        (lambda p: p["checkpoint"].update(signature="00" * 64), "签名无效"),
        (lambda p: p["entries"][0]["entry"].update(object_id="6"), "内容与其哈希不符"),
    ],
)
def test_proof_tampered_fails_offline_verification(mutate, message):
    mixed_ledger()
    proof = copy.deepcopy(proof_for())
    mutate(proof)
    with pytest.raises(offline_verify.ProofError, match=message):
        offline_verify.verify_proof(proof)


def test_proof_entry_of_other_object_swapped_in_fails():
    mixed_ledger()
    proof, other = proof_for("5"), proof_for("6")
    proof["entries"][0] = other["entries"][0]
    with pytest.raises(offline_verify.ProofError, match="不属于"):
        offline_verify.verify_proof(proof)


def test_proof_newer_entries_without_new_checkpoint_listed_uncovered():
    mixed_ledger()
    make_checkpoint()
    add_entries(2, object_id="5")
    proof = proof_for(new_checkpoint=False)
    assert proof["uncovered_seqs"] == [14, 15]
    assert "未覆盖" in offline_verify.verify_proof(proof)[-2]


def test_proof_newer_entries_default_signs_new_checkpoint():
    mixed_ledger()
    make_checkpoint()
    add_entries(2, object_id="5")
    proof = proof_for()
    assert proof["checkpoint"]["tree_size"] == 15 and proof["uncovered_seqs"] == []
    offline_verify.verify_proof(proof)


def test_proof_unknown_object_refused():
    mixed_ledger()
    with pytest.raises(InvalidInput, match="没有关于"):
        proof_for("404")


def test_proof_tampered_entry_refused():
    mixed_ledger()
    make_checkpoint()
    tamper_entry(4, payload={"i": 0})
    with pytest.raises(LedgerBroken, match="第 4 条"):
        proof_for()


def test_proof_command_writes_file_and_verifier_script_exits_zero(tmp_path):
    mixed_ledger()
    out = io.StringIO()
    path = tmp_path / "proof.json"
    call_command("ledger-proof", "org.township:5", "--out", str(path), stdout=out)
    assert "5 条记录的证明" in out.getvalue()
    result = subprocess.run(
        [sys.executable, "-m", "oneteam.ledger.offline_verify", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "核验通过" in result.stdout

    proof = json.loads(path.read_text())
    proof["entries"][0]["entry"]["payload"]["i"] = 42
    path.write_text(json.dumps(proof))
    result = subprocess.run([sys.executable, str(VERIFIER), str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "核验失败" in result.stdout


def test_offline_verifier_copied_alone_runs_without_django(tmp_path):
    """The verifier must work on a machine with only Python and ``cryptography``."""
    mixed_ledger()
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(proof_for()))
    key = tmp_path / "key.pem"
    key.write_text(signing_key().public_pem())
    (tmp_path / "offline_verify.py").write_text(VERIFIER.read_text())
    check = (
        "import runpy, sys\n"
        f"sys.argv = ['offline_verify.py', {str(path)!r}, '--public-key', {str(key)!r}]\n"
        "try:\n    runpy.run_path('offline_verify.py', run_name='__main__')\n"
        "except SystemExit as exc:\n    code = exc.code\n"
        "assert not [m for m in sys.modules if m == 'django' or m.startswith(('django.', 'oneteam'))], 'imported'\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", check], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_offline_verifier_unreadable_file_exits_two(tmp_path):
    assert offline_verify.main([str(tmp_path / "missing.json")]) == 2


def test_proof_command_bad_object_ref_errors():
    with pytest.raises(CommandError, match=r"应用\.模型:编号"):
        call_command("ledger-proof", "township-5", stdout=io.StringIO())
