"""The format's test vectors, as published in docs/ledger.md."""

from oneteam.ledger.chain import canonical as app_canonical
from oneteam.ledger.chain import normalise_payload
from oneteam.ledger.offline_verify import canonical, entry_hash, leaf_hash, node_hash

VECTOR = {
    "seq": 1,
    "recorded_at": "2025-03-10T01:02:03.000004+00:00",
    "actor_id": 7,
    "actor_name": "张三",
    "body_id": 3,
    "body_name": "甲镇综合信息指挥室",
    "object_type": "org.township",
    "object_id": "5",
    "action": "master.update",
    "payload": {"name": {"old": "甲镇", "new": "甲镇街道"}, "ratio": 0.5},
    "prev_hash": "0" * 64,
}
VECTOR_CANONICAL = (
    '{"action":"master.update","actor_id":7,"actor_name":"张三","body_id":3,"body_name":"甲镇综合信息指挥室",'
    '"object_id":"5","object_type":"org.township","payload":{"name":{"new":"甲镇街道","old":"甲镇"},"ratio":0.5},'
    '"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000",'
    '"recorded_at":"2025-03-10T01:02:03.000004+00:00","seq":1}'
)


def test_canonical_vector_matches_documented_bytes_and_hashes():
    assert canonical(VECTOR).decode() == VECTOR_CANONICAL
    first = entry_hash(VECTOR)
    assert first == "31007d57a7892e5cf23ab0ea6e4f44e450629970b66f0b957c7dd2cd73adfeeb"
    assert leaf_hash(first).hex() == "b06a3ea815c6391af92836d742768b78e72d5731e0d0490b4ec2b8d320db7f89"
    second = entry_hash({**VECTOR, "seq": 2, "prev_hash": first, "action": "org.mode_decision", "payload": {}})
    assert second == "c0593acd32a72ea868514001c66518dbe8eac49db60920b5df68fd0744c934ba"
    assert node_hash(leaf_hash(first), leaf_hash(second)).hex() == (
        "846f79b1388af3991d1fc142ddb06a1fbb0d753462438d09b67c8eaa81b48ee9"
    )


def test_canonical_escapes_only_quote_backslash_and_controls():
    assert canonical({"s": 'a"b\\c\n\x01\x7f\u2028é'}).decode() == '{"s":"a\\"b\\\\c\\n\\u0001\x7f\u2028é"}'


def test_canonical_floats_written_as_python_repr():
    assert canonical([0.5, 1.0, 120.654321, 1e-07, 2.5e-05, 0.0001]).decode() == (
        "[0.5,1.0,120.654321,1e-07,2.5e-05,0.0001]"
    )


def test_app_canonical_equals_reference_for_json_values():
    assert app_canonical(VECTOR) == canonical(VECTOR)


def test_normalise_payload_writes_numbers_as_jsonb_returns_them():
    assert normalise_payload({"a": -0.0, "b": 1e16, "c": [2e20], "d": 1e15}) == {
        "a": 0.0,
        "b": 10**16,
        "c": [2 * 10**20],
        "d": 1e15,
    }
