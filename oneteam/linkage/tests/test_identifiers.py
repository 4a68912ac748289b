"""Check characters of 统一社会信用代码, 居民身份证号码 and inspection codes (rules.md §6)."""

import pytest
from django.core.exceptions import ValidationError

from oneteam.linkage import identifiers as ids


def test_credit_code_standard_example_valid():
    assert ids.is_valid_credit_code("91350100M000100Y43")


def test_credit_code_wrong_check_char_invalid():
    assert not ids.is_valid_credit_code("91350100M000100Y44")


@pytest.mark.parametrize("value", ["", "91350100M000100Y4", "91350100M000100Y43X", "91350100I000100Y43",
                                   "91350100M000100O43"])
def test_credit_code_bad_shape_invalid(value):
    assert not ids.is_valid_credit_code(value)


def test_credit_code_weights_are_powers_of_three_mod_31():
    assert tuple(pow(3, i, 31) for i in range(17)) == ids.CREDIT_WEIGHTS


def test_normalise_credit_code_lowercase_upper_cased():
    assert ids.normalise_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"


def test_normalise_credit_code_bad_check_raises_chinese_message():
    with pytest.raises(ValidationError) as exc:
        ids.normalise_credit_code("91350100M000100Y44")
    assert "校验位" in exc.value.messages[0]


def test_validate_credit_code_lowercase_refused_for_storage():
    with pytest.raises(ValidationError):
        ids.validate_credit_code("91350100m000100y43")


def test_id_number_standard_example_valid():
    assert ids.is_valid_id_number("11010519491231002X")


def test_id_number_lowercase_x_accepted_and_stored_uppercase():
    assert ids.is_valid_id_number("11010519491231002x")
    assert ids.normalise_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize("value", ["110105194912310021", "11010519491231002", "1101051949123100XX", "abc"])
def test_id_number_bad_value_invalid(value):
    assert not ids.is_valid_id_number(value)


def test_inspection_code_round_trip_with_format_and_case():
    code = ids.new_inspection_code()
    assert len(code) == 10 and ids.normalise_inspection_code(code) == code
    assert ids.normalise_inspection_code(ids.format_inspection_code(code).lower()) == code


def test_inspection_code_single_typo_rejected():
    code = ids.new_inspection_code()
    alphabet = ids.CREDIT_ALPHABET
    for pos in range(10):
        wrong = alphabet[(alphabet.index(code[pos]) + 1) % 31]
        assert ids.normalise_inspection_code(code[:pos] + wrong + code[pos + 1:]) is None


def test_inspection_code_codes_differ():
    assert len({ids.new_inspection_code() for _ in range(200)}) == 200
