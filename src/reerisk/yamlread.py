"""Read YAML text into plain values, remembering where each value stood.

PyYAML's own loaders are not safe enough for reerisk's files: they keep the
last of two duplicate keys, read `country: NO` as `False` (YAML 1.1), build
objects from tags, and expand alias bombs until memory runs out. So this
module reads PyYAML's *event stream* (libyaml's C parser when it is present)
and builds dicts, lists and scalars itself, with an explicit stack:

    plants:                 ->  {"plants": [{"id": "a", "inventory": {"Dy": 40}}]}
      - id: a                   positions[("plants", 0, "id")] = 2:9
        inventory: {Dy: 40}     keys[("plants", 0, "inventory")] = 3:5

Rules (SPEC §2.2.1):
- plain scalars resolve by the YAML 1.2 core schema: only `true`/`false` are
  booleans, `yes`/`no`/`on`/`off` and dates stay text;
- a duplicate key is an error at its second occurrence, at any depth;
- only the core tags (`!!str`, `!!int`, ...) are accepted; no tag builds an object;
- aliases may expand to at most `alias_budget` nodes in all;
- nesting deeper than `max_depth` is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

Path = tuple[str | int, ...]

ALIAS_BUDGET = 100_000
MAX_DEPTH = 100
MAX_NUMBER_CHARS = 100

_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(nan|NaN|NAN)\Z")
_CORE_TAG = "tag:yaml.org,2002:"
# Stands in for a repeated key, whose value is read (and positioned) but dropped. Not
# text, so that no key in a file can be taken for it: mapping keys are always text.
_DUPLICATE = -1
_SCALAR_TAGS = frozenset({"str", "int", "float", "bool", "null"})


@dataclass(frozen=True)
class Position:
    """A 1-based line and column in a file."""

    line: int
    column: int


class YamlError(Exception):
    """The text is not YAML that reerisk accepts. Carries a position, and a path when known."""

    def __init__(self, message: str, position: Position, path: Path = ()) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.path = path


@dataclass
class Document:
    """A parsed file: its value, and where each value and key stood.

    Ask `locate` for positions rather than reading the maps: a JSON file read
    by `jsonread` is a `JsonDocument`, which finds positions only when asked.
    """

    value: Any
    positions: dict[Path, Position] = field(default_factory=dict)
    key_positions: dict[Path, Position] = field(default_factory=dict)
    errors: list[YamlError] = field(default_factory=list)

    def locate(self, path: Path, *, at_key: bool = False) -> Position:
        """The position of `path`, or of its nearest ancestor that has one.

        With `at_key`, prefer the key that names the value (where an unknown
        key should be reported) over the value itself.
        """
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if at_key and prefix in self.key_positions:
                return self.key_positions[prefix]
            if prefix in self.positions:
                return self.positions[prefix]
        return Position(1, 1)


def resolve_plain(text: str) -> Any:
    """A plain scalar's value under the YAML 1.2 core schema."""
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.match(text):
        if len(text) > MAX_NUMBER_CHARS:
            raise ValueError(f"number has {len(text)} digits; that is not a quantity")
        return int(text)
    if _OCT.match(text) or _HEX.match(text):
        # 0x and 0o numbers obey the same length limit: a 5000-digit one would
        # otherwise become an int too long to print in a message.
        if len(text) > MAX_NUMBER_CHARS:
            raise ValueError(f"number has {len(text)} characters; that is not a quantity")
        return int(text[2:], 16 if text[1] == "x" else 8)
    if _FLOAT.match(text):
        if len(text) > MAX_NUMBER_CHARS:
            raise ValueError(f"number has {len(text)} characters; that is not a quantity")
        return float(text)
    if _INF.match(text):
        return float("-inf") if text.startswith("-") else float("inf")
    if _NAN.match(text):
        return float("nan")
    return text


def _position(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1)


def _scalar_value(event: Any) -> Any:
    tag = event.tag
    if tag in (None, "!"):
        # implicit[0] is true for a plain (unquoted) scalar; the C and Python
        # parsers disagree on `style` for those, so it is not used.
        if tag is None and event.implicit[0]:
            return resolve_plain(event.value)
        return event.value
    kind = tag[len(_CORE_TAG) :] if tag.startswith(_CORE_TAG) else None
    if kind not in _SCALAR_TAGS:
        raise ValueError(f"tag {tag} is not allowed: reerisk files hold plain data only")
    if kind == "str":
        return event.value
    value: Any = resolve_plain(event.value)
    expected: dict[str, tuple[type, ...]] = {
        "int": (int,),
        "float": (int, float),
        "bool": (bool,),
        "null": (type(None),),
    }
    if not isinstance(value, expected[kind]) or (
        kind in ("int", "float") and isinstance(value, bool)
    ):
        raise ValueError(f"'{event.value}' is not a valid !!{kind}")
    if kind == "float" and isinstance(value, int):
        return float(value)
    return value


@dataclass
class _Frame:
    value: dict[str, Any] | list[Any]
    path: Path
    anchor: str | None
    size: int = 1
    key: str | int | None = None  # the key whose value comes next, or _DUPLICATE
    key_position: Position | None = None
    first_key_lines: dict[str, int] = field(default_factory=dict)


class _Builder:
    """Turns events into values; one instance per document."""

    def __init__(self, alias_budget: int, max_depth: int) -> None:
        self.doc = Document(value=None)
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.alias_budget = alias_budget
        self.max_depth = max_depth
        self.expanded = 0
        self.done = False

    def child_path(self) -> Path:
        if not self.stack:
            return ()
        top = self.stack[-1]
        if isinstance(top.value, list):
            return (*top.path, len(top.value))
        assert top.key is not None
        return (*top.path, top.key)

    def start(self, event: Any, container: dict[str, Any] | list[Any]) -> None:
        position = _position(event.start_mark)
        if self.stack and isinstance(self.stack[-1].value, dict) and self.stack[-1].key is None:
            raise YamlError("a mapping key must be plain text, not a list or mapping", position)
        if len(self.stack) >= self.max_depth:
            raise YamlError(f"nesting is deeper than {self.max_depth} levels", position)
        path = self.child_path()
        self.doc.positions[path] = position
        tag = event.tag
        if tag is not None and tag not in (f"{_CORE_TAG}map", f"{_CORE_TAG}seq", "!"):
            raise YamlError(
                f"tag {tag} is not allowed: reerisk files hold plain data only", position, path
            )
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        self.stack.append(_Frame(container, path, event.anchor))

    def end(self) -> None:
        frame = self.stack.pop()
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
            self.anchors[frame.anchor] = (frame.value, frame.size)
        self.attach(frame.value, frame.size, None)

    def scalar(self, event: Any) -> None:
        position = _position(event.start_mark)
        top = self.stack[-1] if self.stack else None
        if isinstance(top, _Frame) and isinstance(top.value, dict) and top.key is None:
            plain = event.tag is None and event.implicit[0]
            self.mapping_key(top, event.value, position, plain=plain)
            return
        try:
            value = _scalar_value(event)
        except ValueError as exc:
            raise YamlError(str(exc), position, self.child_path()) from None
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1)
        self.attach(value, 1, position)

    def alias(self, event: Any) -> None:
        position = _position(event.start_mark)
        name = event.anchor
        if name in self.open_anchors:
            raise YamlError(f"alias *{name} refers to its own anchor (a cycle)", position)
        if name not in self.anchors:
            raise YamlError(f"alias *{name} has no anchor &{name} before it", position)
        value, size = self.anchors[name]
        self.expanded += size
        if self.expanded > self.alias_budget:
            # SPEC §2.2.1: no line is natural for an alias bomb; the file as a whole is refused.
            raise YamlError(
                f"aliases expand to more than {self.alias_budget} values (alias *{name} on "
                f"line {position.line}); refusing the file",
                Position(1, 1),
            )
        top = self.stack[-1] if self.stack else None
        if isinstance(top, _Frame) and isinstance(top.value, dict) and top.key is None:
            if not isinstance(value, str):
                raise YamlError("a mapping key must be plain text", position)
            self.mapping_key(top, value, position, plain=False)
            return
        self.attach(value, size, position)

    def mapping_key(self, frame: _Frame, text: str, position: Position, *, plain: bool) -> None:
        assert isinstance(frame.value, dict)
        key: str | int = text
        if text == "<<" and plain:  # a quoted "<<" (as in JSON) is only text
            message = "merge keys (<<) are YAML 1.1 and not supported; write the keys out"
            self.doc.errors.append(YamlError(message, position, (*frame.path, text)))
            key = _DUPLICATE
        elif text in frame.value:
            # Reported, and the second value dropped, so the rest of the file is still checked.
            first = frame.first_key_lines.get(text, position.line)
            message = f"duplicate key '{text}' (first given on line {first})"
            self.doc.errors.append(YamlError(message, position, (*frame.path, text)))
            key = _DUPLICATE
        else:
            frame.first_key_lines[text] = position.line
        frame.key = key
        frame.key_position = position

    def attach(self, value: Any, size: int, position: Position | None) -> None:
        if not self.stack:
            self.doc.value = value
            self.done = True
            if position is not None:
                self.doc.positions[()] = position
            return
        top = self.stack[-1]
        top.size += size
        path = self.child_path()
        if position is not None:
            self.doc.positions[path] = position
        if isinstance(top.value, list):
            top.value.append(value)
            return
        assert top.key is not None and top.key_position is not None
        if isinstance(top.key, str):  # not _DUPLICATE
            self.doc.key_positions[path] = top.key_position
            top.value[top.key] = value
        top.key = None


def _error_position(exc: Exception, text: str) -> Position:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return _position(mark)
    offset = getattr(exc, "position", None)
    if isinstance(offset, int):
        before = text[:offset]
        return Position(before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1)
    return Position(1, 1)


def _error_message(exc: Exception, text: str) -> str:
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    index = getattr(mark, "index", None)
    if isinstance(index, int) and 0 <= index < len(text) and text[index] == "\t":
        return "invalid YAML: a tab cannot indent YAML; use spaces"
    if problem:
        context = getattr(exc, "context", None)
        return f"invalid YAML: {context + ', ' if context else ''}{problem}"
    reason = getattr(exc, "reason", None)
    if reason:
        return f"invalid YAML: {reason}"
    return f"invalid YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"


def parse_yaml(
    text: str, *, alias_budget: int = ALIAS_BUDGET, max_depth: int = MAX_DEPTH
) -> Document:
    """Parse one YAML document from `text`. Raises `YamlError` with a position."""
    import yaml

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    builder: _Builder | None = None
    events = yaml.parse(text, Loader=loader_class)
    try:
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                if builder is not None:
                    raise YamlError(
                        "a file holds one YAML document; found a second",
                        _position(event.start_mark),
                    )
                builder = _Builder(alias_budget, max_depth)
            elif isinstance(event, yaml.ScalarEvent):
                assert builder is not None
                builder.scalar(event)
            elif isinstance(event, yaml.MappingStartEvent):
                assert builder is not None
                builder.start(event, {})
            elif isinstance(event, yaml.SequenceStartEvent):
                assert builder is not None
                builder.start(event, [])
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                assert builder is not None
                builder.end()
            elif isinstance(event, yaml.AliasEvent):
                assert builder is not None
                builder.alias(event)
    except yaml.YAMLError as exc:
        raise YamlError(_error_message(exc, text), _error_position(exc, text)) from None
    except RecursionError:
        raise YamlError("nesting is too deep", Position(1, 1)) from None
    if builder is None or not builder.done:
        raise YamlError("the file is empty", Position(1, 1))
    return builder.doc
