"""reerisk.jsonread: JSON files read by json.loads, exactly as parse_yaml reads them (issue 7).

A JSON file must give the same values, the same problems and the same
FILE:LINE:COL whether `parse_json` or `parse_yaml` reads it (SPEC §2.2.1:
JSON is YAML). Anything `parse_json` cannot promise that for, it hands to
`parse_yaml`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import PROBLEM, assert_input_error, assert_no_traceback, run, where, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reerisk.sources
from reerisk.jsonread import MAX_KEY_CHARS, JsonDocument, parse_json
from reerisk.sources import parse_source
from reerisk.yamlread import MAX_DEPTH, MAX_NUMBER_CHARS, Position, YamlError, parse_yaml


def yaml_reading(text: str) -> Any:
    """parse_yaml's document, or None when it refuses the text (or reports problems)."""
    try:
        document = parse_yaml(text)
    except YamlError:
        return None
    return None if document.errors else document


def assert_reads_alike(text: str) -> bool:
    """If `parse_json` reads `text`, it reads it as parse_yaml does; True if it did."""
    fast = parse_json(text)
    slow = yaml_reading(text)
    if fast is None:
        return False
    assert slow is not None, f"parse_json accepts what parse_yaml refuses: {text!r}"
    assert repr(fast.value) == repr(slow.value)  # types too: 1, 1.0 and True differ
    for path in slow.positions:
        for asked in (path, (*path, "no such key"), (*path, 10**6), (*path, -1), (*path, 0)):
            for at_key in (False, True):
                expected = slow.locate(asked, at_key=at_key)
                assert fast.locate(asked, at_key=at_key) == expected, (asked, at_key, text)
    return True


# --- values and positions: parse_json == parse_yaml ------------------------------------------

# Characters libyaml refuses or reads as line breaks: parse_json leaves them to parse_yaml.
ODD = "".join(map(chr, range(0x7F, 0xA0))) + "\u2028\u2029\ufeff\ufffe\uffff"
safe_text = st.text(st.characters(codec="utf-8", exclude_characters=ODD), max_size=12)
bmp_text = st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"]), max_size=12)
any_text = st.text(max_size=12)


def json_values(text: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | text
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
        max_leaves=25,
    )


def containers(text: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    values = json_values(text)
    return st.lists(values, max_size=4) | st.dictionaries(text, values, max_size=4)


LAYOUT = st.fixed_dictionaries(
    {
        "indent": st.sampled_from([None, 0, 2, "\t"]),
        "separators": st.sampled_from([None, (",", ":"), (" , ", " : ")]),
        "newline": st.sampled_from(["\n", "\r\n"]),
        "around": st.sampled_from(["", "\n", "  \n\n ", "\r\n"]),
    }
)


def dumps(value: Any, layout: dict[str, Any], *, ensure_ascii: bool) -> str:
    text = json.dumps(
        value, indent=layout["indent"], separators=layout["separators"], ensure_ascii=ensure_ascii
    )
    around = layout["around"]
    return around + text.replace("\n", layout["newline"]) + around


@settings(max_examples=300, deadline=None)
@given(containers(safe_text), LAYOUT)
def test_plain_json_is_read_fast_and_alike(value: Any, layout: dict[str, Any]) -> None:
    assert assert_reads_alike(dumps(value, layout, ensure_ascii=False))


@settings(max_examples=200, deadline=None)
@given(containers(bmp_text), LAYOUT)
def test_escaped_json_is_read_fast_and_alike(value: Any, layout: dict[str, Any]) -> None:
    assert assert_reads_alike(dumps(value, layout, ensure_ascii=True))


GAPS = st.sampled_from(["", " ", "  ", "\t", "\n", "\r\n", "\n  ", " \t\r\n\t", "\r"])


def scattered(value: Any, data: st.DataObject) -> str:
    """JSON for `value` with arbitrary JSON whitespace between the tokens."""

    def gap() -> str:
        return data.draw(GAPS)

    def token(item: Any) -> str:
        return json.dumps(item, ensure_ascii=data.draw(st.booleans()))

    if isinstance(value, dict):
        members = [
            f"{gap()}{token(k)}{gap()}:{gap()}{scattered(v, data)}{gap()}" for k, v in value.items()
        ]
        return "{" + (",".join(members) or gap()) + "}"
    if isinstance(value, list):
        items = [f"{gap()}{scattered(v, data)}{gap()}" for v in value]
        return "[" + (",".join(items) or gap()) + "]"
    return token(value)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(containers(any_text), st.data())
def test_any_json_is_read_alike_or_left_to_yaml(value: Any, data: st.DataObject) -> None:
    # Unicode, whitespace and line breaks anywhere JSON allows them: where libyaml
    # would refuse the text or read it otherwise, parse_json must leave it to parse_yaml.
    text = data.draw(GAPS) + scattered(value, data) + data.draw(GAPS)
    assert_reads_alike(text)


@pytest.mark.parametrize(
    "text",
    [
        '{"a":1,"b":[true,false,null],"c":{"d":-0,"e":-0.0,"f":1E5,"g":"x\\/y\\u0000"}}',
        '{"\U0001f600": "\U0001f600", "b": [1, {"c": "é"}]}',  # columns count characters
        '{\n\t"a": [\n\t\t1\n\t]\n}',  # tabs inside the brackets are fine
        '{\r\n  "a": 1,\r\n  "b": [2, 3]\r\n}\r\n',
        '\n\n   [1, [2, [3, {}]], [], {"": ""}]\n',
        '{"' + "k" * MAX_KEY_CHARS + '": 1}',
        "[" + "0." + "1" * (MAX_NUMBER_CHARS - 2) + "]",
        "[" * MAX_DEPTH + "]" * MAX_DEPTH,
        '{"a": "[{\\"]}"}',  # brackets and quotes inside strings are not nesting
        '{"a": "' + "[" * 200 + '", "b": "' + "]" * 200 + '"}',
        "[1e999, -1e999, 1e-999, 12345678901234567890123]",
        '{"<<": {"a": 1}}',  # quoted, so only text: not a YAML 1.1 merge key
    ],
)
def test_json_read_fast_and_alike(text: str) -> None:
    assert assert_reads_alike(text)


@pytest.mark.parametrize(
    ("text", "yaml_refuses"),
    [
        ('{"a": 1, "a": 2}', True),  # duplicate key: reported by parse_yaml
        ('{"a": NaN}', False),  # YAML reads NaN as text
        ('{"a": -Infinity}', False),
        ('{"a": 1,}', False),  # not JSON (YAML allows the comma)
        ("{a: 1}", False),  # YAML, not JSON
        ('\t{"a": 1}', True),  # a tab where YAML is in block context
        ('{"a": 1}\n\t', True),
        ('{"a"\n: 1}', True),  # a key's colon on another line
        ('{"' + "k" * 1100 + '": 1}', True),  # beyond YAML's simple-key limit
        ('{"a"' + " " * 1100 + ": 1}", True),
        ('{"' + "k" * (MAX_KEY_CHARS + 1) + '": 1}', False),
        ('{"a": "\\ud83d\\ude00"}', True),  # libyaml refuses surrogate escapes
        ('{"a": "\x7f"}', True),  # characters libyaml refuses
        ('{"a": "\ufffe"}', True),
        ('{"a": "x\x85y"}', False),  # ... or reads as line breaks
        ('{"a": "x \u2028y"}', False),
        ('{"a":\r1}', False),  # a lone CR is a line break to YAML only
        ("[" + "0." + "1" * (MAX_NUMBER_CHARS - 1) + "]", True),
        ("[" + "9" * 5000 + "]", True),  # json.loads refuses it too (4300 digits)
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), True),
        ('["]", ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "]", True),  # a string's "]" is not nesting
        ("[" * 100_000 + "]" * 100_000, True),  # json.loads: RecursionError
        ('{"a": [' * 60 + "]}" * 60, True),
        ('"a"', False),  # only a mapping or a list is read fast
        ("1", False),
        ("", True),
    ],
)
def test_left_to_yaml(text: str, yaml_refuses: bool) -> None:
    assert parse_json(text) is None
    assert (yaml_reading(text) is None) == yaml_refuses


# --- through the CLI: the same problems at the same places -----------------------------------

PORTFOLIO = {
    "materials": {
        "arc": {"unit": "pcs", "mass_g": 45, "composition": {"Nd": 23.5, "Xx": 7.0, "Dy": 1.0}}
    },
    "plants": [
        {
            "id": "p1",
            "name": "Ünïcode 😀 plant",
            "country": "de",
            "as_of": "2025-06-02",
            "colour": "red",
            "materials": {"Dy": {}},
            "inventory": {"Dy": 100, "arc": "lots"},
            "demand": {"Dy": 1},
            "supply": [
                {"material": "Dy", "qty": -5, "arrives": "2025-02-30"},
                {"material": "Tb", "qty": 1, "filed": "2025-06-01", "arrives": "2025-07-01"},
                {"material": "Dy", "qty": 1.5e308, "arrives": "2025-07-01"},
            ],
        },
        {"name": "no id", "materials": {"Dy": {}}},
        {"id": "p1", "materials": {"Dy": {}}, "lines": [{"units_per_day": 0, "bom": {"x": 1}}]},
    ],
}


def at(path: Path, text: str, needle: str, nth: int = 1) -> str:
    """`FILE:LINE:COL` of the nth `needle` in the file `path` holding `text`."""
    return f"{path}:{where(text, needle, nth)}"


def validate_both(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """`reerisk validate PATH` read fast, then by parse_yaml: the same stderr; its lines."""
    fast = run("validate", path)
    with monkeypatch.context() as patch:
        patch.setattr(reerisk.sources, "parse_json", lambda text: None)
        slow = run("validate", path)
    assert (fast.exit_code, fast.stdout, fast.stderr) == (slow.exit_code, slow.stdout, slow.stderr)
    assert_no_traceback(fast)
    return fast.stderr.splitlines()


@pytest.mark.parametrize(
    ("indent", "newline"), [(2, "\n"), (None, "\n"), ("\t", "\r\n"), (0, "\n")]
)
def test_cli_reports_json_problems_where_yaml_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, indent: int | str | None, newline: str
) -> None:
    text = json.dumps(PORTFOLIO, indent=indent, ensure_ascii=False).replace("\n", newline)
    path = write(tmp_path, "portfolio.json", text)
    assert isinstance(parse_source("p", text.encode()).doc, JsonDocument)
    lines = validate_both(path, monkeypatch)
    assert len(lines) >= 10, lines
    for line in lines:
        assert PROBLEM.match(line), line
    shown = "\n".join(lines)
    assert at(path, text, '"de"') + ": plants[0].country: expected an ISO 3166" in shown
    assert at(path, text, '"colour"') + ": plants[0].colour: unknown key 'colour'" in shown
    assert at(path, text, "-5") + ": plants[0].supply[0].qty: Input should be greater" in shown
    assert "duplicate plant id 'p1' (first at " + at(path, text, '"p1"') + ")" in shown


def test_cli_json_with_a_leading_space_shifts_columns_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One line, so every problem is on line 1 and only the columns move.
    text = json.dumps({"id": "p1", "as_of": "2025-06-02", "inventory": {"Dy": -1}, "extra": 1})
    flush = validate_both(write(tmp_path, "p.json", text), monkeypatch)
    shifted = validate_both(write(tmp_path, "p.json", " " + text), monkeypatch)
    assert len(flush) == len(shifted) >= 3

    def columns(lines: list[str]) -> list[tuple[str, int, str]]:
        found = [PROBLEM.match(line) for line in lines]
        return [(m["line"], int(m["col"]), m["rest"]) for m in found if m]

    assert [(ln, c + 1, r) for ln, c, r in columns(flush)] == columns(shifted)
    assert all(line == "1" for line, _, _ in columns(flush))


def test_duplicate_key_in_json_is_reported_at_the_second_key(tmp_path: Path) -> None:
    text = '{\n  "id": "p1",\n  "materials": {"Dy": {}},\n  "id": "p2"\n}\n'
    path = write(tmp_path, "p.json", text)
    assert parse_json(text) is None
    assert_input_error(
        run("validate", path),
        at(path, text, '"id"', 2) + ": id: duplicate key 'id' (first given on line 2)",
    )


def test_duplicate_key_deep_in_json(tmp_path: Path) -> None:
    text = '{"id": "p1", "materials": {"Dy": {}}, "inventory": {"Dy": 1, "Dy": 2}}'
    path = write(tmp_path, "p.json", text)
    assert_input_error(
        run("validate", path),
        at(path, text, '"Dy"', 3) + ": inventory.Dy: duplicate key 'Dy'",
    )


# --- refusals: exit 2, a positioned problem, no traceback ------------------------------------

PLANT_START = '{"id": "p1", "as_of": "2025-06-02", "materials": {"Dy": {}}, '


@pytest.mark.parametrize(
    ("tail", "needle", "message"),
    [
        ('"inventory": {"Dy": NaN}}', "NaN", "inventory.Dy: "),
        ('"inventory": {"Dy": -Infinity}}', "-Infinity", "inventory.Dy: "),
        ('"inventory": {"Dy": 1e999}}', "1e999", "inventory.Dy: "),
        ('"demand": {"Dy": -1e999}}', "-1e999", "demand.Dy: "),
        ('"inventory": {"Dy": ' + "9" * 5000 + "}}", "9", "inventory.Dy: number has 5000 digits"),
        ('"inventory": {"Dy": ' + "1" * 200 + "}}", "1" * 200, "inventory.Dy: number has 200"),
        ('"name": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}", "[", "nesting is deeper than 100"),
        ('"name": ' + "[" * 50_000 + "]" * 50_000 + "}", "[", "nesting is deeper than 100"),
    ],
)
def test_json_refusals_are_positioned(tmp_path: Path, tail: str, needle: str, message: str) -> None:
    text = PLANT_START + tail
    path = write(tmp_path, "p.json", text)
    line, column = where(text, needle).split(":")
    if needle == "[":  # the list nested one deeper than allowed, counting the plant's `{`
        column = str(int(column) + MAX_DEPTH - 1)
    lines = assert_input_error(run("validate", path), f"{path}:{line}:{column}: {message}")
    for problem in lines:
        assert PROBLEM.match(problem), problem


# --- the fast path is the one taken ----------------------------------------------------------


def forbid_yaml(monkeypatch: pytest.MonkeyPatch, text: str) -> list[str]:
    """Make parse_yaml fail loudly on `text` (the shipped elements.yaml is still YAML)."""
    calls: list[str] = []
    real = reerisk.sources.parse_yaml

    def refuse(read: str, **limits: int) -> Any:
        if read != text:
            return real(read, **limits)
        calls.append(read)
        raise AssertionError("parse_yaml called on the JSON file")

    monkeypatch.setattr(reerisk.sources, "parse_yaml", refuse)
    return calls


def test_valid_json_never_reaches_parse_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = PLANT_START + '"inventory": {"Dy": 100}, "demand": {"Dy": 1}}'
    path = write(tmp_path, "p.json", text)
    calls = forbid_yaml(monkeypatch, text)
    result = run("validate", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: 1 plant"), result.stdout
    assert calls == []


def test_positions_of_json_problems_need_no_parse_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = PLANT_START + '\n  "inventory": {"Dy": "lots"}, "colour": 1}'
    path = write(tmp_path, "p.json", text)
    calls = forbid_yaml(monkeypatch, text)
    assert_input_error(
        run("validate", path),
        at(path, text, '"lots"') + ": inventory.Dy: Input should be a valid number",
        at(path, text, '"colour"') + ": colour: unknown key 'colour'",
    )
    assert calls == []


def test_json_that_yaml_must_read_goes_to_parse_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = '{"id": "p1", "id": "p2"}'
    calls: list[str] = []
    real = reerisk.sources.parse_yaml

    def spy(text: str, **limits: int) -> Any:
        calls.append(text)
        return real(text, **limits)

    monkeypatch.setattr(reerisk.sources, "parse_yaml", spy)
    source = parse_source("p.json", text.encode())
    assert calls == [text]
    assert not isinstance(source.doc, JsonDocument)
    assert [str(p) for p in source.problems] == [
        "p.json:" + where(text, '"id"', 2) + ": id: duplicate key 'id' (first given on line 1)"
    ]


def test_bom_json_is_read_fast(tmp_path: Path) -> None:
    text = '{"id": "p1", "inventory": {"Dy": true}}'
    source = parse_source("p.json", b"\xef\xbb\xbf" + text.encode())
    assert isinstance(source.doc, JsonDocument)
    assert source.doc.value == {"id": "p1", "inventory": {"Dy": True}}
    assert source.doc.locate(("inventory", "Dy")) == parse_yaml(text).locate(("inventory", "Dy"))


def test_yaml_is_not_tried_as_json() -> None:
    assert parse_json("id: p1\ninventory: {Dy: 1}\n") is None
    assert parse_json("# a comment\n{}") is None


def test_no_key_is_taken_for_a_dropped_duplicate() -> None:
    # parse_yaml once marked a dropped duplicate with the key "\0duplicate", so a
    # file's own key of that text vanished (json.loads kept it).
    text = '{"\\u0000duplicate": 1, "a": {"b": 1, "b": 2}}'
    document = parse_yaml(text)
    assert document.value == {"\x00duplicate": 1, "a": {"b": 1}}
    assert [error.message for error in document.errors] == [
        "duplicate key 'b' (first given on line 1)"
    ]
    # The kept value, not the dropped one, answers for a.b.
    assert document.locate(("a", "b")) == Position(1, text.index('"b": 1') + len('"b": ') + 1)
    assert assert_reads_alike('{"\\u0000duplicate": 1}')


def test_only_a_plain_double_angle_key_is_a_merge_key() -> None:
    assert [error.message for error in parse_yaml("<<: {a: 1}").errors] == [
        "merge keys (<<) are YAML 1.1 and not supported; write the keys out"
    ]
    for text in ('"<<": {a: 1}', "'<<': {a: 1}", '{"<<": {"a": 1}}'):
        document = parse_yaml(text)
        assert (document.value, document.errors) == ({"<<": {"a": 1}}, [])
