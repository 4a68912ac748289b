"""Helpers shared by the ledger commands (not a command: the leading underscore
keeps Django from listing it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_json(path: Path, document: dict[str, Any]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
