"""Recomputing the record: the hash chain, every checkpoint, the chain's tip.

One pass over the entries in sequence order, with O(log n) memory. For each
entry: its sequence number follows the previous one, its ``prev_hash`` is the
previous entry's hash, and its fields hash to its stored hash. Each checkpoint
is checked when the pass reaches its tree size: the recomputed Merkle root and
chain hash must equal the signed ones. Signatures are checked against the
trusted public keys (:func:`oneteam.ledger.keys.trusted_public_keys`).

The pass stops at the first entry that does not match, since everything after
it follows from it, and names that entry and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from oneteam.core.errors import ServiceError

from . import keys
from .chain import GENESIS_HASH, ROW_COLUMNS, checkpoint_document, format_time, row_fields
from .merkle import Frontier, leaf_hash
from .models import LedgerCheckpoint, LedgerEntry, LedgerHead
from .offline_verify import CHECKPOINT_TYPE, checkpoint_statement, verify_signature
from .offline_verify import entry_hash as spec_entry_hash
from .offline_verify import key_id as spec_key_id


class LedgerBroken(ServiceError):
    """The record does not verify, so the operation (signing, a proof) is refused."""

    status_code = 409
    default_code = "ledger_broken"


@dataclass
class Problem:
    code: str
    message: str
    seq: int | None = None
    checkpoint_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "seq": self.seq, "checkpoint_id": self.checkpoint_id}


@dataclass
class VerifyReport:
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    entries_checked: int = 0
    checkpoints_checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> Problem | None:
        return self.problems[0] if self.problems else None

    @property
    def seconds(self) -> float:
        return ((self.finished_at or timezone.now()) - self.started_at).total_seconds()

    def summary(self) -> str:
        at = timezone.localtime(self.finished_at or timezone.now()).strftime("%Y-%m-%d %H:%M:%S")
        if self.ok:
            return _("全过程记录完整：已核验 %(n)s 条记录和 %(c)s 个检查点，用时 %(s).2f 秒（核验时间 %(at)s）。") % {
                "n": self.entries_checked,
                "c": self.checkpoints_checked,
                "s": self.seconds,
                "at": at,
            }
        text = _("全过程记录异常：%(first)s") % {"first": self.problems[0].message}
        if len(self.problems) > 1:
            text += _("（另有 %(k)s 处问题）") % {"k": len(self.problems) - 1}
        return text + _("（已核验 %(n)s 条，核验时间 %(at)s）") % {"n": self.entries_checked, "at": at}

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries_checked": self.entries_checked,
            "checkpoints_checked": self.checkpoints_checked,
            "started_at": format_time(self.started_at),
            "finished_at": format_time(self.finished_at) if self.finished_at else None,
            "summary": self.summary(),
            "problems": [p.as_dict() for p in self.problems],
            "warnings": self.warnings,
        }


def _checkpoint_label(cp: LedgerCheckpoint) -> str:
    return _("检查点 %(id)s（覆盖至第 %(n)s 条，签署于 %(at)s）") % {
        "id": cp.pk,
        "n": cp.tree_size,
        "at": timezone.localtime(cp.created_at).strftime("%Y-%m-%d %H:%M:%S"),
    }


def _check_signatures(checkpoints: list[LedgerCheckpoint], trusted: set[str], report: VerifyReport) -> list[Problem]:
    problems = []
    if not trusted and checkpoints:
        report.warnings.append(_("未找到签名密钥或受信任的公钥，检查点签名只按其自带公钥核验。"))
    for cp in checkpoints:
        doc = checkpoint_document(cp)
        if doc["type"] != CHECKPOINT_TYPE or not verify_signature(
            cp.public_key, cp.signature, checkpoint_statement(doc)
        ):
            problems.append(
                Problem(
                    "checkpoint_signature_invalid",
                    _("%(cp)s 的签名无效：其根哈希、规模或时间在签署后被改动。") % {"cp": _checkpoint_label(cp)},
                    checkpoint_id=cp.pk,
                )
            )
        elif trusted and cp.public_key not in trusted:
            problems.append(
                Problem(
                    "checkpoint_key_untrusted",
                    _("%(cp)s 由不受信任的公钥（指纹 %(kid)s）签署：可能是伪造的检查点。")
                    % {"cp": _checkpoint_label(cp), "kid": spec_key_id(cp.public_key)},
                    checkpoint_id=cp.pk,
                )
            )
        elif cp.key_id != spec_key_id(cp.public_key):
            problems.append(
                Problem(
                    "checkpoint_key_id_mismatch",
                    _("%(cp)s 的公钥指纹与公钥不符。") % {"cp": _checkpoint_label(cp)},
                    checkpoint_id=cp.pk,
                )
            )
    return problems


def verify_ledger(
    *,
    progress: Callable[[int, int], None] | None = None,
    trusted_keys: set[str] | None = None,
    chunk_size: int = 2000,
) -> VerifyReport:
    """Verify the whole record. ``progress(done, total)`` is called every
    ``chunk_size`` entries. ``trusted_keys`` (raw public keys in hex) defaults
    to the key file and retired keys beside it."""
    report = VerifyReport(started_at=timezone.now())
    trusted = keys.trusted_public_keys() if trusted_keys is None else set(trusted_keys)
    checkpoints = list(LedgerCheckpoint.objects.order_by("tree_size", "id"))
    signature_problems = _check_signatures(checkpoints, trusted, report)
    total = LedgerEntry.objects.count() if progress else 0

    chain_problems: list[Problem] = []
    frontier = Frontier()
    prev_seq, prev_hash = 0, GENESIS_HASH
    last_matching_size = 0  # tree size of the last checkpoint whose root matched
    pending = iter(checkpoints)
    next_cp = next(pending, None)

    def check_checkpoints_at(size: int, chain_hash: str) -> bool:
        nonlocal next_cp, last_matching_size
        while next_cp is not None and next_cp.tree_size == size:
            cp = next_cp
            report.checkpoints_checked += 1
            if frontier.root().hex() != cp.root or chain_hash != cp.head_hash:
                first = min(last_matching_size + 1, size)
                chain_problems.append(
                    Problem(
                        "checkpoint_root_mismatch",
                        _(
                            "%(cp)s 与重新计算的结果不符：第 %(a)s 至 %(b)s 条之间有条目在签署后被改写"
                            "（哈希链随后被重新计算过）。"
                        )
                        % {"cp": _checkpoint_label(cp), "a": first, "b": size},
                        seq=first,
                        checkpoint_id=cp.pk,
                    )
                )
                return False
            last_matching_size = size
            next_cp = next(pending, None)
        return True

    ok = check_checkpoints_at(0, GENESIS_HASH)
    rows = LedgerEntry.objects.order_by("seq").values_list(*ROW_COLUMNS).iterator(chunk_size=chunk_size)
    prev_index = ROW_COLUMNS.index("prev_hash")
    for row in rows if ok else ():
        seq, stored_hash = row[0], row[-1]
        if seq != prev_seq + 1:
            if seq > prev_seq + 1:
                message = _("第 %(want)s 条缺失：序号从第 %(prev)s 条跳到第 %(seq)s 条（条目被删除或序号被改动）。")
            else:
                message = _("第 %(seq)s 条的序号重复或顺序错乱（应为第 %(want)s 条）。")
            chain_problems.append(
                Problem("seq_gap", message % {"want": prev_seq + 1, "prev": prev_seq, "seq": seq}, seq=prev_seq + 1)
            )
            break
        if row[prev_index] != prev_hash:
            chain_problems.append(
                Problem(
                    "prev_hash_mismatch",
                    _(
                        "第 %(seq)s 条记录的“前一条哈希”与第 %(prev)s 条的哈希不符：第 %(prev)s 条被替换或重算过哈希，"
                        "或条目顺序被调换。"
                    )
                    % {"seq": seq, "prev": prev_seq},
                    seq=seq,
                )
            )
            break
        recomputed = spec_entry_hash(row_fields(row))
        if recomputed != stored_hash:
            chain_problems.append(
                Problem(
                    "hash_mismatch",
                    _(
                        "第 %(seq)s 条的内容与其哈希不符（记录的哈希 %(stored)s…，按内容重新计算为 %(got)s…）："
                        "该条在写入后被改动。"
                    )
                    % {"seq": seq, "stored": stored_hash[:16], "got": recomputed[:16]},
                    seq=seq,
                )
            )
            break
        frontier.append(leaf_hash(stored_hash))
        prev_seq, prev_hash = seq, stored_hash
        report.entries_checked += 1
        if not check_checkpoints_at(seq, stored_hash):
            break
        if progress and report.entries_checked % chunk_size == 0:
            progress(report.entries_checked, total)
    else:
        if ok:
            if next_cp is not None:
                chain_problems.append(
                    Problem(
                        "checkpoint_beyond_end",
                        _("%(cp)s 覆盖至第 %(n)s 条，但记录只到第 %(last)s 条：末尾的条目被删除。")
                        % {"cp": _checkpoint_label(next_cp), "n": next_cp.tree_size, "last": prev_seq},
                        seq=prev_seq + 1,
                        checkpoint_id=next_cp.pk,
                    )
                )
            head = LedgerHead.objects.filter(pk=1).first()
            if head is not None and (head.seq, head.hash) != (prev_seq, prev_hash):
                chain_problems.append(
                    Problem(
                        "head_mismatch",
                        _(
                            "链头记录为第 %(h)s 条（哈希 %(hh)s…），而最后一条是第 %(last)s 条（哈希 %(lh)s…）："
                            "末尾的条目被删除，或链头被改动。"
                        )
                        % {"h": head.seq, "hh": head.hash[:16], "last": prev_seq, "lh": prev_hash[:16]},
                        seq=min(head.seq, prev_seq) + 1,
                    )
                )
    if progress:
        progress(report.entries_checked, total)
    report.problems = chain_problems + signature_problems
    report.finished_at = timezone.now()
    return report
