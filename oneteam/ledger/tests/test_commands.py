import io
import json

import pytest
from django.core.management import call_command

from oneteam.ledger.keys import signing_key
from oneteam.ledger.services import make_checkpoint

from .helpers import add_entries, tamper_entry

pytestmark = pytest.mark.django_db


def run_verify(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify-ledger", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_verify_ledger_command_intact_says_so_exit_zero():
    add_entries(4)
    make_checkpoint()
    code, out, _err = run_verify()
    assert code == 0
    assert "全过程记录完整：已核验 4 条记录和 1 个检查点" in out


def test_verify_ledger_command_tampered_names_entry_exit_one():
    add_entries(4)
    tamper_entry(2, payload={"i": "改"})
    code, _out, err = run_verify()
    assert code == 1
    assert "全过程记录异常" in err and "第 2 条的内容与其哈希不符" in err


def test_verify_ledger_command_json_output_parses():
    add_entries(2)
    code, out, _err = run_verify("--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] and report["entries_checked"] == 2


def test_verify_ledger_command_pinned_other_public_key_fails(tmp_path):
    add_entries(1)
    make_checkpoint()
    other = tmp_path / "other.pem"
    other.write_text("ab" * 32)
    code, _out, err = run_verify("--public-key", str(other))
    assert code == 1 and "不受信任的公钥" in err
    mine = tmp_path / "mine.pem"
    mine.write_text(signing_key().public_pem())
    assert run_verify("--public-key", str(mine))[0] == 0
