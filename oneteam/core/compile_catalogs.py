"""Compile the translation catalogs (``.po`` → ``.mo``) with polib.

Pure Python, so a fresh machine needs no GNU gettext to run the English
interface. ``make install`` (hence ``make run`` and ``make test``) runs it;
the ``.mo`` files are build output and not kept in git. Only catalogs whose
``.po`` is newer than their ``.mo`` are compiled again.

    python -m oneteam.core.compile_catalogs
"""

from __future__ import annotations

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[1] / "locale"


def compile_catalogs(locale_dir: Path = LOCALE, *, force: bool = False) -> list[Path]:
    """Write ``<domain>.mo`` next to each ``<lang>/LC_MESSAGES/<domain>.po``; return those written."""
    written = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if force or not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            polib.pofile(str(po)).save_as_mofile(str(mo))
            written.append(mo)
    return written


def main() -> None:
    for mo in compile_catalogs():
        print(f"compiled {mo}")


if __name__ == "__main__":
    main()
