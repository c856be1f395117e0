"""Read JSON text quickly, when yamlread would read it to the same values.

`parse_yaml` walks PyYAML's event stream in Python: about 1.4 s per 1 000
plants, where `json.loads` takes 0.04 s. JSON is YAML (SPEC §2.2.1), so a JSON
file must read exactly as `parse_yaml` reads it: the same values, the same
refusals, the same positions. `parse_json` returns None whenever it cannot
promise that, and the caller runs `parse_yaml`, which reports as before:

- not JSON at all, or invalid JSON, `NaN`/`Infinity`, a duplicate key;
- JSON that libyaml reads differently or refuses: raw characters YAML forbids
  or takes as line breaks (DEL, C1 controls, U+2028/U+2029, U+FEFF, U+FFFE,
  U+FFFF, a lone CR), surrogate escapes, a tab outside the outer brackets, a
  key whose colon is on a later line or more than 1024 characters on (YAML's
  simple-key limit);
- yamlread's limits: nesting deeper than MAX_DEPTH, a number longer than
  MAX_NUMBER_CHARS.

Some of these checks also refuse harmless text (a 64-space gap after a
string, a run of 101 digits inside a string): that only costs the fast path.

Positions are found only when asked for: `JsonDocument.locate` walks the text
down the path, noting where each member of each container it passes starts
(json's C scanner skips over the members). A valid file is never walked:
loading asks for a position only to report a problem (a repeated plant id
included). They are the positions `parse_yaml` gives: a value at its first
character (the bracket, the opening quote, the digit or sign), a key at its
opening quote; lines and columns are 1-based, columns counted in characters.
"""

from __future__ import annotations

import json
import operator
import re
from bisect import bisect_right
from itertools import accumulate
from typing import Any

from reerisk.yamlread import MAX_DEPTH, MAX_NUMBER_CHARS, Document, Path, Position

# A key longer than this many characters sends the file to parse_yaml. Even
# written as \uXXXX escapes (6 characters each) such a key, with its quotes and
# a gap of under _MAX_GAP spaces, stays within YAML's 1024-character limit
# between a simple key's start and its colon.
MAX_KEY_CHARS = 150
_MAX_GAP = 64

_WS = re.compile(r"[ \t\n\r]*")
# Characters libyaml refuses ("control characters are not allowed") or reads as
# line breaks, that json.loads takes inside a string. json.loads already
# refuses the C0 controls.
_ODD_CHAR = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_LONE_CR = re.compile(r"\r(?!\n)")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_KEY_BREAK = re.compile(r'"[ \t\r]*\n[ \t\r\n]*:')
_KEY_GAP = re.compile(f'"[ \\t]{{{_MAX_GAP}}}')
# Bytes: a character that may be part of a JSON number becomes "0", any other " ".
_NUMBER_CHARS = bytes(
    ord("0") if chr(code) in "0123456789+-.eE" else ord(" ") for code in range(256)
)
_NOT_STRUCTURE = bytes(code for code in range(256) if code not in b'[]{}"')
_BRACKET_STEP = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")


def _skip(text: str, at: int) -> int:
    """The offset of the first non-whitespace character from `at` on."""
    match = _WS.match(text, at)
    assert match is not None  # `*` always matches
    return match.end()


class _NotPlain(ValueError):
    """The text is JSON that parse_yaml would read differently (or refuse)."""


def _mapping(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        raise _NotPlain("duplicate key")
    if mapping and max(map(len, mapping)) > MAX_KEY_CHARS:
        raise _NotPlain("long key")
    return mapping


def _constant(name: str) -> Any:
    raise _NotPlain(f"{name} is not JSON")


def _reads_alike(text: str, start: int, end: int) -> bool:
    """Whether libyaml would read this (JSON) text as json.loads does, within yamlread's limits."""
    if "\t" in text[:start] or "\t" in text[end:]:
        return False  # a tab where YAML is in block context
    if text.isascii():
        if "\x7f" in text:
            return False
    elif _ODD_CHAR.search(text):
        return False
    if "\r" in text and _LONE_CR.search(text):
        return False
    if "\\" in text and _SURROGATE_ESCAPE.search(text):
        return False
    return not (_KEY_BREAK.search(text) or _KEY_GAP.search(text))


def _depth(data: bytes, value: Any) -> int:
    """How deeply the containers nest (1 for a flat list)."""
    if b"\\" not in data:
        # Strings hold no escaped quotes, so once every other byte is gone, a
        # string without brackets is a `""` pair. If none are left, only
        # brackets outside strings remain.
        structure = data.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
        if b'"' not in structure:
            steps = structure.translate(_BRACKET_STEP)
            return max(map(operator.sub, accumulate(steps), range(1, len(steps) + 1)), default=0)
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        members = node.values() if type(node) is dict else node
        stack.extend((m, depth + 1) for m in members if type(m) is dict or type(m) is list)
    return deepest


def parse_json(text: str) -> JsonDocument | None:
    """`text` read as JSON, or None when parse_yaml must read it (see the module docstring)."""
    start = _skip(text, 0)
    if start == len(text) or text[start] not in "{[":
        return None
    try:
        value = json.loads(text, object_pairs_hook=_mapping, parse_constant=_constant)
    except (ValueError, RecursionError):  # not JSON, or not plain; too deep; >4300 digits
        return None
    if not _reads_alike(text, start, len(text.rstrip(" \t\n\r"))):
        return None
    data = text.encode()
    if b"0" * (MAX_NUMBER_CHARS + 1) in data.translate(_NUMBER_CHARS):
        return None
    if _depth(data, value) > MAX_DEPTH:
        return None
    return JsonDocument(value, text, start)


_SKIP_VALUE = json.JSONDecoder().raw_decode  # (value, offset after it)


class JsonDocument(Document):
    """A Document read by `parse_json`, whose positions are found as `locate` asks for them.

    `positions` and `key_positions` stay empty: ask `locate`, which answers as
    `Document.locate` does (the path's deepest part that exists, or its key).
    Each container is read only as far as the members asked for so far, so
    asking for each plant's id reads the plants list once.
    """

    def __init__(self, value: Any, text: str, start: int) -> None:
        super().__init__(value)
        self._text = text
        self._offsets: dict[Path, int] = {(): start}  # where each value found so far starts
        self._key_offsets: dict[Path, int] = {}  # ... and the key that names it
        self._next: dict[Path, tuple[int, int]] = {}  # per container: next member's offset, index
        self._line_starts: list[int] | None = None

    def locate(self, path: Path, *, at_key: bool = False) -> Position:
        node: Path = ()
        value = self.value
        for part in path:
            if isinstance(value, dict):
                found = isinstance(part, str) and part in value
            else:
                found = isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)
            if not found:
                break
            child = (*node, part)
            while child not in self._offsets:
                self._read_member(node)
            node, value = child, value[part]
        if at_key and node in self._key_offsets:
            return self._position(self._key_offsets[node])
        return self._position(self._offsets[node])

    def _read_member(self, path: Path) -> None:
        """Note where the next unread member of the container at `path` (and its key) starts."""
        text = self._text
        if path in self._next:
            at, index = self._next[path]
        else:
            at, index = _skip(text, self._offsets[path] + 1), 0
        part: str | int = index
        if text[self._offsets[path]] == "{":
            part, after_key = _SKIP_VALUE(text, at)
            colon = _skip(text, after_key)
            self._key_offsets[(*path, part)] = at
            at = _skip(text, colon + 1)
        self._offsets[(*path, part)] = at
        _, after = _SKIP_VALUE(text, at)
        at = _skip(text, after)
        if text[at] == ",":
            at = _skip(text, at + 1)
        self._next[path] = (at, index + 1)

    def _position(self, offset: int) -> Position:
        if self._line_starts is None:
            lengths = map(len, self._text.split("\n"))
            self._line_starts = [0, *accumulate(map((1).__add__, lengths))]
        line = bisect_right(self._line_starts, offset)
        return Position(line, offset - self._line_starts[line - 1] + 1)
