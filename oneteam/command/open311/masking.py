"""Masking of personal data in free text shown outside the platform
(rules.md §5: contact details, ID numbers and bank accounts of natural
persons are masked). Names cannot be recognised reliably in free text, which
is why reporter names are never put into public output at all.

Candidate for ``oneteam.core`` once the public portal needs it too."""

from __future__ import annotations

import re

_DATE = r"(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
#: 18-digit (GB 11643) and old 15-digit resident ID numbers.
ID_18 = re.compile(rf"(?<![0-9A-Za-z])[1-9]\d{{5}}{_DATE}\d{{3}}[0-9Xx](?![0-9A-Za-z])")
ID_15 = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])")
#: Bank card numbers: 16–19 digits (optionally grouped by 4); 12-digit division and matter codes stay.
BANK = re.compile(r"(?<!\d)\d{4}(?:[ -]?\d{4}){3}(?:[ -]?\d{1,3})?(?!\d)")
#: Mainland mobile numbers, optionally with +86 and separators.
MOBILE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
#: Landlines with an area code (0577-6581 2345, 057765812345).
LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[ -]?(\d{3,4})[ -]?(\d{4})(?!\d)")
#: Any number right after a contact keyword (local numbers without area code, 110-style short numbers excluded).
KEYWORD = re.compile(r"((?:电话|手机|联系方式|联系电话|座机|微信|QQ|qq|tel|Tel|TEL)[号码]*[:：\s]*)"
                     r"([0-9][0-9 -]{4,}[0-9])")


def _id(m: re.Match) -> str:
    s = m.group(0)
    return s[:3] + "*" * (len(s) - 5) + s[-2:]


def _stars(m: re.Match) -> str:
    s = m.group(0)
    digits = sum(c.isdigit() for c in s)
    return "*" * max(digits - 4, 4) + re.sub(r"\D", "", s)[-4:]


def _mobile(m: re.Match) -> str:
    return f"{m.group(1)}****{m.group(3)}"


def _landline(m: re.Match) -> str:
    return f"{m.group(1)}-****{m.group(3)}"


def _keyword(m: re.Match) -> str:
    digits = re.sub(r"\D", "", m.group(2))
    return m.group(1) + "*" * max(len(digits) - 2, 3) + digits[-2:]


def mask_text(text: str) -> str:
    """``text`` with ID numbers, bank cards, phone numbers masked.

    >>> mask_text("联系人手机13812345678，身份证11010519491231002X")
    '联系人手机138****5678，身份证110*************2X'
    """
    if not text:
        return ""
    text = ID_18.sub(_id, text)
    text = ID_15.sub(_id, text)
    text = MOBILE.sub(_mobile, text)
    text = BANK.sub(_stars, text)
    text = LANDLINE.sub(_landline, text)
    return KEYWORD.sub(_keyword, text)
