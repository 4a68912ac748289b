"""Which language a text is written in.

Chinese is the installation's language (``settings.LANGUAGE_CODE``); a user
may read the pages in English (docs/development.md, "Languages"). What is
*shown* follows the reader. What is *kept* — a transition's action label, a
notification's text, the competence reasons stored on a lead — is written in
the installation's language whoever acted, so the record reads the same to
everyone and does not depend on the language of the person who wrote it.
Refusals raised to the user stay in the user's language.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext


def record_language() -> translation.override:
    """A context in which marked strings render in the installation's language."""
    return translation.override(settings.LANGUAGE_CODE)


def record_text(text: Any) -> str:
    """``text`` (a lazy translation or anything printable) in the installation's language."""
    with record_language():
        return str(text)


def _r(message: str) -> str:
    """``gettext`` in the installation's language, for a text that is kept (a
    process title, a note, a notification): ``_r("综合查一次：%(t)s") % {...}``.
    ``makemessages`` extracts it (``core/management/commands/makemessages.py``)."""
    with record_language():
        return gettext(message)
