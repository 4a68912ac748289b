"""Check digits of identifiers that appear across contexts (rules.md §6).

- 统一社会信用代码 (GB 32100-2015): 18 characters from ``CREDIT_ALPHABET``;
  weights 3^i mod 31 for positions 1–17; check = 31 − (Σ mod 31), 31 → 0.
- 居民身份证号码 (GB 11643-1999): MOD 11-2 over 17 digits; a lowercase x is
  accepted and stored uppercase. The address part is not checked against the
  current division list (divisions change; old numbers stay valid).
- Inspection codes (行政行为码 of a combined inspection): random characters of
  the credit-code alphabet followed by one check character computed the same
  way as the credit code's, so a mistyped code is refused before any lookup.

Pure functions; ``validate_*`` are Django validators (``ValidationError`` with
a Chinese message), ``normalise_*`` return the canonical form or raise.
"""

from __future__ import annotations

import re
import secrets

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_VALUE = {c: i for i, c in enumerate(CREDIT_ALPHABET)}

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")


# ----- 统一社会信用代码 ----------------------------------------------------------------


def mod31_check_char(body: str) -> str:
    """The GB 32100 check character of ``body`` (characters of ``CREDIT_ALPHABET``);
    weights are 3^i mod 31, which are exactly the standard's 17 weights."""
    total = sum(_CREDIT_VALUE[c] * pow(3, i, 31) for i, c in enumerate(body))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_check_char(first17: str) -> str:
    assert len(first17) == 17
    return mod31_check_char(first17)


def is_valid_credit_code(value: str) -> bool:
    if not isinstance(value, str) or len(value) != 18 or any(c not in _CREDIT_VALUE for c in value):
        return False
    return credit_code_check_char(value[:17]) == value[17]


def normalise_credit_code(value: str) -> str:
    """Upper-case and strip ``value``; raise ``ValidationError`` unless it is a
    valid 统一社会信用代码 (characters, length, check character)."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(_("统一社会信用代码应为18位。"), code="credit_code_length")
    bad = sorted({c for c in code if c not in _CREDIT_VALUE})
    if bad:
        raise ValidationError(_("统一社会信用代码含有不允许的字符：%(c)s") % {"c": "".join(bad)},
                              code="credit_code_chars")
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对。"), code="credit_code_check")
    return code


def validate_credit_code(value: str) -> None:
    normalise_credit_code(value)
    if value != value.strip().upper():
        raise ValidationError(_("统一社会信用代码应使用大写字母。"), code="credit_code_case")


# ----- 居民身份证号码 ------------------------------------------------------------------


def id_number_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def is_valid_id_number(value: str) -> bool:
    try:
        normalise_id_number(value)
    except ValidationError:
        return False
    return True


def normalise_id_number(value: str) -> str:
    """Upper-case (a lowercase x is accepted) and check a 18-digit resident ID
    number by MOD 11-2; return it in canonical (uppercase) form."""
    number = (value or "").strip().upper()
    if not _ID_RE.match(number):
        raise ValidationError(_("居民身份证号码应为17位数字加1位校验码（数字或X）。"), code="id_number_format")
    if id_number_check_char(number[:17]) != number[17]:
        raise ValidationError(_("居民身份证号码校验码不正确，请核对。"), code="id_number_check")
    return number


def validate_id_number(value: str) -> None:
    normalise_id_number(value)
    if value != value.strip().upper():
        raise ValidationError(_("居民身份证号码应以大写X保存。"), code="id_number_case")


# ----- inspection codes -----------------------------------------------------------------

INSPECTION_CODE_LENGTH = 10  # 9 random characters (31^9 ≈ 2.6 × 10^13) + 1 check character


def new_inspection_code() -> str:
    body = "".join(secrets.choice(CREDIT_ALPHABET) for _ in range(INSPECTION_CODE_LENGTH - 1))
    return body + mod31_check_char(body)


def normalise_inspection_code(value: str) -> str | None:
    """The canonical code typed by a person (spaces, hyphens and case ignored,
    an optional ``JC`` prefix dropped), or None when it cannot be a valid code."""
    text = re.sub(r"[\s\-]", "", (value or "")).upper()
    if len(text) == INSPECTION_CODE_LENGTH + 2 and text.startswith("JC"):
        text = text[2:]
    if len(text) != INSPECTION_CODE_LENGTH or any(c not in _CREDIT_VALUE for c in text):
        return None
    if mod31_check_char(text[:-1]) != text[-1]:
        return None
    return text


def format_inspection_code(code: str) -> str:
    """``JC-XXXXX-XXXXX`` for display and print."""
    return f"JC-{code[:5]}-{code[5:]}"
