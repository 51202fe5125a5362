"""List attributes (issue 14): lists and tuples of str, of numbers, and mixed."""

import pytest

import flagcore

CONFIG = """{"schemaVersion": 1, "flags": {
  "any": {"enabled": true, "rules": [{"conditions": [{"attribute": "groups", "op": "anyOf", "values": ["beta", 7]}], "serve": {"variant": "on"}}], "default": {"variant": "off"}},
  "all": {"enabled": true, "rules": [{"conditions": [{"attribute": "groups", "op": "allOf", "values": ["BETA", "staff"], "ignoreCase": true}], "serve": {"variant": "on"}}], "default": {"variant": "off"}},
  "size": {"enabled": true, "rules": [{"conditions": [{"attribute": "groups", "op": "sizeEq", "value": 0}], "serve": {"variant": "on"}}], "default": {"variant": "off"}}
}}"""


@pytest.fixture(scope="module")
def store():
    return flagcore.Store(CONFIG)


@pytest.mark.parametrize(
    "groups, any_, all_, empty",
    [
        (["beta", "staff"], True, True, False),
        (("Beta", "STAFF"), False, True, False),
        ([7.0, 8], True, False, False),
        (["x", 7], True, False, False),
        ([], False, False, True),
        ((), False, False, True),
        ("beta", True, False, False),
    ],
)
def test_lists_and_tuples(store, groups, any_, all_, empty):
    for ctx in ({"key": "u", "groups": groups}, flagcore.Context("u", {"groups": groups})):
        assert store.is_enabled("any", ctx) is any_
        assert store.is_enabled("all", ctx) is all_
        assert store.is_enabled("size", ctx) is empty


@pytest.mark.parametrize("bad", [[True], [None], [["nested"]], [{"a": 1}], ["x"] * 1025])
def test_bad_lists_are_refused(bad):
    with pytest.raises(flagcore.ContextError):
        flagcore.Context("u", {"groups": bad})
