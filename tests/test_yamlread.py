"""reerisk.yamlread.parse_yaml: the YAML 1.2 core schema, positions, and refusals (SPEC §2.2.1)."""

from __future__ import annotations

import json
import math
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reerisk.yamlread import Document, Position, YamlError, parse_yaml


def value(text: str) -> object:
    document = parse_yaml(text)
    assert document.errors == []
    return document.value


def refused(text: str, **limits: int) -> YamlError:
    with pytest.raises(YamlError) as caught:
        parse_yaml(text, **limits)
    return caught.value


# --- core schema resolution ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plain", "expected"),
    [
        ("true", True),
        ("false", False),
        ("True", True),
        ("False", False),
        ("TRUE", True),
        ("FALSE", False),
    ],
)
def test_only_true_false_are_booleans(plain: str, expected: bool) -> None:
    assert value(f"v: {plain}") == {"v": expected}


@pytest.mark.parametrize(
    "plain", ["yes", "no", "on", "off", "Yes", "No", "NO", "ON", "Off", "y", "n", "Y", "N"]
)
def test_yaml_11_booleans_stay_text(plain: str) -> None:
    result = value(f"v: {plain}")
    assert result == {"v": plain}
    assert type(result["v"]) is str  # type: ignore[index]


def test_country_no_is_norway() -> None:
    assert value("country: NO") == {"country": "NO"}


@pytest.mark.parametrize("plain", ["null", "Null", "NULL", "~", ""])
def test_nulls(plain: str) -> None:
    assert value(f"v: {plain}") == {"v": None}


@pytest.mark.parametrize("plain", ["nUll", "none", "None", "nil"])
def test_not_nulls(plain: str) -> None:
    assert value(f"v: {plain}") == {"v": plain}


@pytest.mark.parametrize(
    ("plain", "expected"),
    [
        ("0", 0),
        ("42", 42),
        ("-7", -7),
        ("+12", 12),
        ("-0", 0),
        ("010", 10),  # YAML 1.2: decimal, not octal
        ("0o17", 15),
        ("0x1F", 31),
        ("0xff", 255),
        ("9" * 100, int("9" * 100)),
    ],
)
def test_integers(plain: str, expected: int) -> None:
    result = value(f"v: {plain}")["v"]  # type: ignore[index]
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize(
    ("plain", "expected"),
    [
        ("1.5", 1.5),
        ("-2.25", -2.25),
        (".5", 0.5),
        ("-.5", -0.5),
        ("1.", 1.0),
        ("1e3", 1000.0),
        ("1E-2", 0.01),
        ("+3.0e+2", 300.0),
    ],
)
def test_floats(plain: str, expected: float) -> None:
    result = value(f"v: {plain}")["v"]  # type: ignore[index]
    assert result == expected
    assert type(result) is float


@pytest.mark.parametrize(
    ("plain", "sign"),
    [(".inf", 1), (".Inf", 1), (".INF", 1), ("+.inf", 1), ("-.inf", -1), ("-.Inf", -1)],
)
def test_infinities(plain: str, sign: int) -> None:
    result = value(f"v: {plain}")["v"]  # type: ignore[index]
    assert math.isinf(result) and math.copysign(1, result) == sign


@pytest.mark.parametrize("plain", [".nan", ".NaN", ".NAN"])
def test_nan(plain: str) -> None:
    assert math.isnan(value(f"v: {plain}")["v"])  # type: ignore[index]


@pytest.mark.parametrize(
    "plain",
    [
        "0b101",  # YAML 1.1 binary
        "0o8",
        "0X1F",
        "1_000",  # YAML 1.1 underscores
        "12:30",  # YAML 1.1 sexagesimal
        "inf",
        "nan",
        "NaN",
        "1e",
        "1.2.3",
        "0x",
        "- 1",
    ],
)
def test_other_plain_scalars_stay_text(plain: str) -> None:
    text = f"v: '{plain}'" if plain.startswith("-") else f"v: {plain}"
    assert value(text) == {"v": plain}


@pytest.mark.parametrize(
    "plain", ["2025-06-02", "2025-02-30", "2025-06-02T10:00:00", "2025-06-02 10:00:00"]
)
def test_dates_stay_text(plain: str) -> None:
    assert value(f"v: {plain}") == {"v": plain}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v: 'true'", "true"),
        ('v: "123"', "123"),
        ("v: '~'", "~"),
        ("v: ''", ""),
        ("v: '2025-06-02'", "2025-06-02"),
        ("v: |\n  line\n", "line\n"),
        ("v: >\n  a\n  b\n", "a b\n"),
        ("v: ! 12", "12"),  # non-specific tag: a string
    ],
)
def test_quoted_and_block_scalars_are_text(text: str, expected: str) -> None:
    assert value(text) == {"v": expected}


def test_numbers_over_100_characters_refused_at_the_value() -> None:
    error = refused("a: 1\nv: " + "9" * 5000 + "\n")
    assert error.position == Position(2, 4)
    assert "5000 digits" in error.message
    error = refused("v: [1, 2." + "5" * 5000 + "]")
    assert error.position == Position(1, 8)


def test_merge_key_is_refused_with_a_reason() -> None:
    """YAML 1.2 has no merge keys; `<<` is reported, not silently kept as a key."""
    doc = parse_yaml("<<: {a: 1}\nb: 2")
    assert doc.value == {"b": 2}
    (error,) = doc.errors
    assert error.position == Position(1, 1)
    assert "merge keys (<<)" in error.message


def test_json_is_yaml() -> None:
    text = '{"id": "p1", "n": 1.5, "ok": true, "none": null, "list": [1, "2"]}'
    assert value(text) == json.loads(text)


def test_empty_explicit_document_is_null() -> None:
    assert value("---\n") is None
    assert value("--- a\n...\n") == "a"


# --- positions -------------------------------------------------------------------------------


def test_positions_of_values_and_keys() -> None:
    text = "plants:\n  - id: a\n    inventory: {Dy: 40}\n    shutdowns:\n      - x\n"
    document = parse_yaml(text)
    assert document.value == {"plants": [{"id": "a", "inventory": {"Dy": 40}, "shutdowns": ["x"]}]}
    positions = document.positions
    assert positions[()] == Position(1, 1)
    assert positions[("plants",)] == Position(2, 3)
    assert positions[("plants", 0)] == Position(2, 5)
    assert positions[("plants", 0, "id")] == Position(2, 9)
    assert positions[("plants", 0, "inventory")] == Position(3, 16)
    assert positions[("plants", 0, "inventory", "Dy")] == Position(3, 21)
    assert positions[("plants", 0, "shutdowns", 0)] == Position(5, 9)
    keys = document.key_positions
    assert keys[("plants",)] == Position(1, 1)
    assert keys[("plants", 0, "id")] == Position(2, 5)
    assert keys[("plants", 0, "inventory")] == Position(3, 5)
    assert keys[("plants", 0, "inventory", "Dy")] == Position(3, 17)
    assert keys[("plants", 0, "shutdowns")] == Position(4, 5)


def test_positions_are_1_based_for_a_scalar_document() -> None:
    document = parse_yaml("  hello\n")
    assert document.value == "hello"
    assert document.positions[()] == Position(1, 3)


def test_positions_count_characters_not_bytes() -> None:
    document = parse_yaml("name: Zürich\nv: 1\nw: é\n")
    assert document.positions[("v",)] == Position(2, 4)
    assert document.positions[("w",)] == Position(3, 4)
    document = parse_yaml("a: ääää\nb: [x, yy]\n")
    assert document.positions[("b", 1)] == Position(2, 8)


def test_positions_with_crlf() -> None:
    document = parse_yaml("a: 1\r\nb:\r\n  c: 2\r\n")
    assert document.value == {"a": 1, "b": {"c": 2}}
    assert document.positions[("b", "c")] == Position(3, 6)
    assert document.key_positions[("b", "c")] == Position(3, 3)


def test_locate_falls_back_to_the_nearest_ancestor() -> None:
    document = parse_yaml("a:\n  b: {c: 1}\n")
    assert document.locate(("a", "b", "missing")) == Position(2, 6)
    assert document.locate(("a", "b", "c")) == Position(2, 10)
    assert document.locate(("a", "b", "c"), at_key=True) == Position(2, 7)
    assert document.locate(("a", "b"), at_key=True) == Position(2, 3)
    assert document.locate(("nowhere", 3)) == Position(1, 1)


# --- duplicate keys ----------------------------------------------------------------------------


def test_duplicate_key_at_top_level() -> None:
    document = parse_yaml("a: 1\nb: 2\na: 3\n")
    assert [(e.message, e.position) for e in document.errors] == [
        ("duplicate key 'a' (first given on line 1)", Position(3, 1))
    ]
    assert document.value == {"a": 1, "b": 2}  # the repeat is not silently kept


@pytest.mark.parametrize(
    ("text", "position", "first_line"),
    [
        ("x:\n  y:\n    c: 1\n    c: 2\n", Position(4, 5), 3),
        ("- {a: 1, b: 2, a: 3}\n", Position(1, 16), 1),
        ("l:\n  - k: 1\n  - k: 1\n    k: 2\n", Position(4, 5), 3),
        ('{"a": {"b": 1, "b": 2}}', Position(1, 16), 1),
    ],
    ids=["nested-block", "flow-in-list", "second-list-item", "json"],
)
def test_duplicate_key_at_any_depth(text: str, position: Position, first_line: int) -> None:
    document = parse_yaml(text)
    assert len(document.errors) == 1
    (error,) = document.errors
    assert error.position == position
    assert f"(first given on line {first_line})" in error.message


def test_same_key_in_sibling_mappings_is_not_a_duplicate() -> None:
    document = parse_yaml("x: {a: 1}\ny: {a: 2}\nz:\n  - {a: 3}\n  - {a: 4}\n")
    assert document.errors == []
    assert document.value == {"x": {"a": 1}, "y": {"a": 2}, "z": [{"a": 3}, {"a": 4}]}


def test_every_repeat_is_reported() -> None:
    document = parse_yaml("a: 1\na: 2\na: 3\nb: 1\nb: 1\n")
    assert [(e.position.line, e.message) for e in document.errors] == [
        (2, "duplicate key 'a' (first given on line 1)"),
        (3, "duplicate key 'a' (first given on line 1)"),
        (5, "duplicate key 'b' (first given on line 4)"),
    ]


def test_duplicates_inside_a_repeated_key_are_still_reported() -> None:
    document = parse_yaml("a: 1\na:\n  b: 1\n  b: 2\nc: 3\n")
    assert [e.position for e in document.errors] == [Position(2, 1), Position(4, 3)]
    assert document.value == {"a": 1, "c": 3}


def test_keys_that_differ_only_in_type_or_quotes() -> None:
    # `1` and `'1'` are both the text key "1" for reerisk: a duplicate.
    document = parse_yaml("'1': a\n1: b\n")
    assert len(document.errors) == 1
    assert document.errors[0].position == Position(2, 1)


# --- aliases -----------------------------------------------------------------------------------


def test_aliases_within_budget() -> None:
    text = "base: &b {qty: 5, unit: kg}\nfirst: *b\nsecond: *b\nlist: &l [1, 2]\nagain: *l\n"
    assert value(text) == {
        "base": {"qty": 5, "unit": "kg"},
        "first": {"qty": 5, "unit": "kg"},
        "second": {"qty": 5, "unit": "kg"},
        "list": [1, 2],
        "again": [1, 2],
    }


def test_scalar_alias_and_alias_as_key() -> None:
    assert value("a: &k key\n*k : 3\nb: *k\n") == {"a": "key", "key": 3, "b": "key"}


def test_alias_budget_counts_expanded_values() -> None:
    anchor = "a: &x [" + ", ".join(["1"] * 9) + "]\n"  # 10 values: the list and 9 items
    assert parse_yaml(anchor + "b: [*x, *x, *x, *x, *x]\n", alias_budget=50).errors == []
    error = refused(anchor + "b: [*x, *x, *x, *x, *x, *x]\n", alias_budget=50)
    # SPEC §2.2.1: an alias bomb points at FILE:1:1; the message names the alias that went over.
    assert error.position == Position(1, 1)
    assert "alias *x on line 2" in error.message


def test_billion_laughs_refused_quickly() -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    text = "\n".join(lines)
    started = time.perf_counter()
    error = refused(text)
    assert time.perf_counter() - started < 5
    row, column = error.position.line, error.position.column
    assert (row, column) == (1, 1) or text.splitlines()[row - 1][column - 1] == "*"


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("a: &x [1, *x]\n", Position(1, 11)),
        ("a: &x {b: *x}\n", Position(1, 11)),
        ("a: &x\n  - 1\n  - b: *x\n", Position(3, 8)),
    ],
)
def test_recursive_alias_refused(text: str, position: Position) -> None:
    error = refused(text)
    assert error.position == position
    assert "cycle" in error.message


def test_undefined_alias_refused() -> None:
    error = refused("a: 1\nb: *nowhere\n")
    assert error.position == Position(2, 4)
    assert "*nowhere" in error.message


def test_non_text_key_refused() -> None:
    assert refused("? [1, 2]\n: x\n").position == Position(1, 3)
    assert refused("{a: 1}: x\n").position.line == 1
    assert refused("a: &l [1]\n*l : 2\n").position == Position(2, 1)


# --- documents, nesting, syntax --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line"),
    [("a: 1\n---\nb: 2\n", 2), ("--- 1\n--- 2\n", 2), ("a: 1\n...\n---\nb: 2\n", 3)],
)
def test_multi_document_refused(text: str, line: int) -> None:
    error = refused(text)
    assert error.position == Position(line, 1)
    assert "one YAML document" in error.message


@pytest.mark.parametrize("text", ["", "\n\n", "# comment only\n", "   "])
def test_empty_text_refused_at_1_1(text: str) -> None:
    error = refused(text)
    assert error.position == Position(1, 1)
    assert "empty" in error.message


def test_max_depth() -> None:
    assert value("[[[1]]]") == [[[1]]]
    assert parse_yaml("[[[1]]]", max_depth=3).value == [[[1]]]
    error = refused("[[[[1]]]]", max_depth=3)
    assert error.position == Position(1, 4)
    assert "nesting" in error.message
    error = refused("a:\n  b:\n    c:\n      d: 1\n", max_depth=3)
    assert error.position.line == 4


@pytest.mark.parametrize(
    "text",
    ["[" * 10_000 + "]" * 10_000, "{a: " * 10_000 + "1" + "}" * 10_000, "- " * 5_000 + "x"],
    ids=["lists", "flow-mappings", "block-lists"],
)
def test_deep_nesting_refused_quickly(text: str) -> None:
    started = time.perf_counter()
    error = refused(text)
    assert time.perf_counter() - started < 5
    assert "nest" in error.message
    assert error.position.line == 1


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("a: [1\n", Position(2, 1)),
        ("a: 1\n b: 2\n", Position(2, 3)),
        ("a: 'open\n", Position(2, 1)),
        ("a:\tb: c\n", None),
        ("a: 1\x00\n", Position(1, 5)),
    ],
)
def test_syntax_errors_have_a_position(text: str, position: Position | None) -> None:
    error = refused(text)
    assert error.message.startswith("invalid YAML")
    assert error.position.line >= 1 and error.position.column >= 1
    if position is not None:
        assert error.position == position


# --- tags ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v: !!str 1", "1"),
        ("v: !!str true", "true"),
        ("v: !!int '3'", 3),
        ("v: !!float 1", 1.0),
        ("v: !!float '2.5'", 2.5),
        ("v: !!bool true", True),
        ("v: !!null ''", None),
        ("v: !!map {a: 1}", {"a": 1}),
        ("v: !!seq [1]", [1]),
    ],
)
def test_core_tags_accepted(text: str, expected: object) -> None:
    result = value(text)["v"]  # type: ignore[index]
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    "text",
    [
        "v: !!python/object:os.system x",
        "v: !!python/object/apply:os.system ['echo hi']",
        "v: !!python/name:os.system ''",
        "v: !!binary aGVsbG8=",
        "v: !!timestamp 2025-06-02",
        "v: !!set {a, b}",
        "v: !!omap [{a: 1}]",
        "v: !custom x",
        "v: !<tag:example.com,2025:thing> x",
        "v: !!str {a: 1}",
    ],
)
def test_other_tags_refused_at_the_tagged_node(text: str) -> None:
    error = refused(text)
    assert error.position == Position(1, 4)
    assert "not allowed" in error.message


@pytest.mark.parametrize("text", ["v: !!int abc", "v: !!int 1.5", "v: !!bool yes", "v: !!float x"])
def test_core_tag_with_a_wrong_value_refused(text: str) -> None:
    error = refused(text)
    assert error.position == Position(1, 4)


# --- nothing else ever escapes -----------------------------------------------------------------

TEXT = st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=TEXT, max_size=20)
)
VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(alphabet=TEXT, max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_json_round_trip(data: object) -> None:
    document = parse_yaml(json.dumps(data, ensure_ascii=False))
    assert document.errors == []
    assert document.value == data


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_any_text_parses_or_raises_yaml_error(text: str) -> None:
    try:
        document = parse_yaml(text)
    except YamlError as error:
        assert error.position.line >= 1 and error.position.column >= 1
        assert error.message
    else:
        assert isinstance(document, Document)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=list("ab:-[]{}&*!?|>'\"#,.~ \n\t019%@`\\"), max_size=120))
def test_yaml_like_text_parses_or_raises_yaml_error(text: str) -> None:
    try:
        parse_yaml(text)
    except YamlError as error:
        assert error.position.line >= 1 and error.position.column >= 1
