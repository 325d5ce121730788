"""Read YAML text into plain data plus the line:column of every key and value.

ruamel.yaml's round-trip loader keeps positions (``.lc``); this module walks its result once, turning it into
plain ``dict``/``list``/``str``/``int``/``float``/``bool``/``None``/``datetime`` values and a table of positions,
so that the rest of the loader never sees ruamel types. Anything the text cannot give as plain data (syntax
errors, duplicate keys, non-text keys, custom tags, alias bombs, recursion) becomes an :class:`Issue` or a
:class:`Problem`, never an exception.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from ruamel.yaml import YAML
from ruamel.yaml.comments import TaggedScalar
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarbool import ScalarBoolean

from amdx.scenario.problems import Issue, Loc, Problem, format_path

MAX_NODES = 100_000
"""Most values a document may expand to (aliases included): a guard against alias bombs."""
MAX_DEPTH = 64
"""Deepest nesting accepted; scenario files need fewer than ten levels."""

MAX_CHARS = 5_000_000
"""Longest text read; a scenario file is a few kilobytes."""
MAX_FLOW_BRACKETS = 200
"""Most open ``[``/``{`` before parsing is refused: ruamel's scanner is quadratic in the flow depth."""

_STR_TAG = "tag:yaml.org,2002:str"


@dataclass
class Positions:
    """0-based (line, column) of values and keys in the text, by document location."""

    values: dict[Loc, tuple[int, int]] = field(default_factory=lambda: {(): (0, 0)})
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def place(self, loc: Loc, at: Literal["key", "value"] = "value") -> tuple[int, int]:
        """1-based (line, column) of ``loc``, or of its nearest enclosing node when it is not in the text."""
        if at == "key" and loc in self.keys:
            line, col = self.keys[loc]
            return line + 1, col + 1
        for n in range(len(loc), -1, -1):
            if loc[:n] in self.values:
                line, col = self.values[loc[:n]]
                return line + 1, col + 1
        return 1, 1


class _TooBig(Exception):
    pass


class _Walker:
    """Turns ruamel's round-trip tree into plain data, recording positions and issues."""

    def __init__(self) -> None:
        self.positions = Positions()
        self.issues: list[Issue] = []
        self.count = 0

    def plain(self, node: Any, loc: Loc, path_ids: tuple[int, ...]) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(f"the document expands to more than {MAX_NODES} values (aliases included)")
        if len(loc) > MAX_DEPTH:
            raise _TooBig(f"the document nests deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict | list) and id(node) in path_ids:
            self.issues.append(Issue(loc, "an alias refers to a node that contains it (a recursive structure)",
                                     "a finite value", "a recursive alias"))
            return None
        if isinstance(node, dict):
            return self._mapping(node, loc, (*path_ids, id(node)))
        if isinstance(node, list):
            return self._sequence(node, loc, (*path_ids, id(node)))
        return self._scalar(node, loc)

    def _mapping(self, node: dict[Any, Any], loc: Loc, path_ids: tuple[int, ...]) -> dict[str, Any]:
        self._check_tag(node, loc)
        out: dict[str, Any] = {}
        for key, value in node.items():
            key_pos = _lc(node, "key", key)
            if not isinstance(key, str):
                where = (*loc, f"<{_describe_key(key)}>")
                self.positions.keys[where] = key_pos or self.positions.values.get(loc, (0, 0))
                self.issues.append(Issue(where, f"keys must be text, found {_describe_key(key)}",
                                         "a text key such as 'lat_deg'", _describe_key(key), at="key"))
                continue
            key = str(key)
            here = (*loc, key)
            self.positions.keys[here] = key_pos or self.positions.values[loc]
            self.positions.values[here] = _lc(node, "value", key) or self.positions.keys[here]
            out[key] = self.plain(value, here, path_ids)
        return out

    def _sequence(self, node: list[Any], loc: Loc, path_ids: tuple[int, ...]) -> list[Any]:
        self._check_tag(node, loc)
        out = []
        for i, value in enumerate(node):
            here = (*loc, i)
            self.positions.values[here] = _lc(node, "item", i) or self.positions.values[loc]
            out.append(self.plain(value, here, path_ids))
        return out

    def _scalar(self, node: Any, loc: Loc) -> Any:
        if node is None or type(node) in (str, int, float, bool):
            return node
        if isinstance(node, ScalarBoolean):
            return bool(node)
        if isinstance(node, bool | int | float | str):
            return _base(node)
        if isinstance(node, dt.datetime):
            return dt.datetime.fromisoformat(node.isoformat())
        if isinstance(node, dt.date):
            return dt.date(node.year, node.month, node.day)
        if isinstance(node, TaggedScalar):
            tag = str(getattr(node.tag, "value", node.tag))
            if tag == _STR_TAG:
                return str(node.value)
            self.issues.append(Issue(loc, f"unsupported YAML tag '{tag}'", "a plain value without a tag",
                                     f"'{tag}'"))
            return None
        kind = type(node).__name__.replace("Commented", "").lower()
        self.issues.append(Issue(loc, f"unsupported YAML value of type {kind}",
                                 "a number, text, true/false, null, a list or a mapping", kind))
        return None

    def _check_tag(self, node: Any, loc: Loc) -> None:
        tag = getattr(getattr(node, "tag", None), "value", None)
        if isinstance(tag, str) and tag.startswith("!"):
            self.issues.append(Issue(loc, f"unsupported YAML tag '{tag}'", "a plain list or mapping", f"'{tag}'"))


def _base(node: bool | int | float | str) -> bool | int | float | str:
    """The plain Python value of a ruamel scalar subclass (``ScalarFloat`` → ``float`` …)."""
    for base in (bool, int, float, str):
        if isinstance(node, base):
            return base(node)
    raise TypeError(type(node))


def _lc(node: Any, what: str, key: Any) -> tuple[int, int] | None:
    """ruamel's position of a key, value or item, if it has one (merged keys have none)."""
    try:
        line, col = getattr(node.lc, what)(key)
    except Exception:  # ruamel has no position for merged keys and some constructed nodes
        return None
    return (line, col) if isinstance(line, int) and isinstance(col, int) else None


def _describe_key(key: Any) -> str:
    if key is None:
        return "null"
    if isinstance(key, bool | ScalarBoolean):
        return "true" if key else "false"
    text = repr(key) if not isinstance(key, tuple | list) else "a list"
    return text if len(text) < 40 else text[:37] + "..."


@dataclass(frozen=True)
class Document:
    """A parsed text: plain ``data`` (None if the text could not be read), positions, and issues found so far.

    ``problems`` are placed problems that end the reading (syntax errors); ``issues`` still need placing.
    """

    data: Any
    positions: Positions
    issues: list[Issue]
    problems: list[Problem]


def _line_col_of_offset(text: str, offset: int) -> tuple[int, int]:
    before = text[: max(0, min(offset, len(text)))]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def _syntax_problem(exc: Exception, text: str, source: str) -> Problem:
    """One Problem for a text that YAML cannot read, at the parser's line:column when it gives one."""
    line, col = 1, 1
    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        if mark is not None:
            line, col = mark.line + 1, mark.column + 1
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
    elif isinstance(exc, ReaderError):
        line, col = _line_col_of_offset(text, exc.position)
        what = f"character {exc.character!r} is not allowed in YAML text"
    elif isinstance(exc, ValueError) and "digits" in str(exc):
        match = re.search(r"\d{4000,}", text)
        if match:
            line, col = _line_col_of_offset(text, match.start())
        what = "a number with thousands of digits"
    elif isinstance(exc, RecursionError):
        what = "the text nests too deeply"
    else:
        what = f"{type(exc).__name__}: {exc}"
    what = " ".join(what.split())
    return Problem(source, "<yaml>", line, col, f"cannot read the YAML: {what}", "valid YAML text", what)


def _too_deep(text: str, source: str) -> Problem | None:
    """A problem if brackets open deeper than MAX_FLOW_BRACKETS (quotes ignored: an upper bound of the depth)."""
    depth = 0
    for offset, char in enumerate(text):
        if char in "[{":
            depth += 1
            if depth > MAX_FLOW_BRACKETS:
                line, col = _line_col_of_offset(text, offset)
                message = f"brackets nest deeper than {MAX_FLOW_BRACKETS} levels"
                return Problem(source, "<yaml>", line, col, message, "a scenario of ordinary depth", message)
        elif char in "]}":
            depth = max(0, depth - 1)
    return None


def read_yaml(text: str, source: str) -> Document:
    """Parse ``text``; never raises for bad input (its troubles come back as problems or issues)."""
    positions = Positions()
    if len(text) > MAX_CHARS:
        message = f"the text is longer than {MAX_CHARS} characters"
        return Document(None, positions, [], [Problem(source, "<yaml>", 1, 1, message, "a shorter text", message)])
    if (deep := _too_deep(text, source)) is not None:
        return Document(None, positions, [], [deep])
    try:
        tree = YAML(typ="rt").load(text)
    except Exception as exc:  # any failure of the parser is a problem of the text
        return Document(None, positions, [], [_syntax_problem(exc, text, source)])
    walker = _Walker()
    root = getattr(tree, "lc", None)
    if root is not None and isinstance(root.line, int) and isinstance(root.col, int):
        walker.positions.values[()] = (root.line, root.col)
    try:
        data = walker.plain(tree, (), ())
    except (_TooBig, RecursionError) as exc:
        message = str(exc) or "the document nests too deeply"
        return Document(None, positions, [], [Problem(source, format_path(()), 1, 1, message,
                                                      "a scenario of ordinary size", message)])
    return Document(data, walker.positions, walker.issues, [])
