"""Turn pydantic validation errors into issues people can act on: the field path as written in the file,
what was expected (from the field's declaration) and what was found, and a did-you-mean for unknown keys.

pydantic's error locations include the tags of discriminated unions (``msel.2.launch.aim``); walking the model
types alongside the location drops them, and finds the field declaration an error is about.
"""

from __future__ import annotations

import datetime as dt
import types
from dataclasses import dataclass, field
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from amdx.scenario.fields import Expect
from amdx.scenario.problems import Issue, Loc
from amdx.scenario.references import did_you_mean, one_of

CHECKED_ELSEWHERE = frozenset({"amdx_references", "amdx_catalog_clash"})
"""Error types of model-level checks that the loader runs itself on the file's data (with positions)."""


@dataclass
class _Where:
    """What the model says about a location: the file path, the declared type there, and its context."""

    loc: list[str | int] = field(default_factory=list)
    tp: Any = None
    metadata: list[Any] = field(default_factory=list)
    parent_model: type[BaseModel] | None = None
    union: tuple[Any, ...] = ()
    discriminator: str | None = None


def _unwrap(tp: Any, metadata: list[Any]) -> Any:
    while get_origin(tp) is Annotated:
        base, *extra = get_args(tp)
        metadata.extend(extra)
        tp = base
    return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _file_key(name: str, info: FieldInfo) -> str:
    return info.alias or name


def _field(model: type[BaseModel], key: str) -> FieldInfo | None:
    return next((f for n, f in model.model_fields.items() if _file_key(n, f) == key), None)


def _tags(member: Any, discriminator: str | None) -> tuple[str, ...]:
    if not _is_model(member) or discriminator not in member.model_fields:
        return ()
    return tuple(str(a) for a in get_args(member.model_fields[discriminator].annotation))


def _settle(where: _Where) -> None:
    """Unwrap ``Annotated`` and ``Optional`` around ``where.tp``, noting a discriminated union if one is left."""
    where.union, where.discriminator = (), None
    while where.tp is not None:
        where.tp = _unwrap(where.tp, where.metadata)
        if get_origin(where.tp) not in (Union, types.UnionType):
            return
        members = tuple(a for a in get_args(where.tp) if a is not type(None))
        if len(members) == 1:
            where.tp = members[0]
            continue
        disc = next((m.discriminator for m in where.metadata if isinstance(m, FieldInfo) and m.discriminator), None)
        where.union, where.discriminator = members, disc if isinstance(disc, str) else None
        return


def _walk(root: type[BaseModel], raw: tuple[Any, ...]) -> _Where:
    """Follow pydantic's error location through the model types, dropping union tags from the path."""
    where = _Where(tp=root)
    for elem in raw:
        _settle(where)
        tp = where.tp
        if tp is not None and where.union:
            # the element is the union's tag, pydantic's and not the file's: pick the member it names
            where.tp = next((m for m in where.union if str(elem) in _tags(m, where.discriminator)), None)
            where.metadata = []
            continue
        where.loc.append(elem)
        if _is_model(tp):
            info = _field(tp, elem) if isinstance(elem, str) else None
            where.parent_model = tp
            where.tp = info.annotation if info else None
            where.metadata = list(info.metadata) if info else []
        elif get_origin(tp) in (tuple, list) and isinstance(elem, int):
            args = get_args(tp)
            variadic = get_origin(tp) is list or (len(args) == 2 and args[1] is Ellipsis)
            where.tp = args[0] if variadic else (args[elem] if 0 <= elem < len(args) else None)
            where.metadata = []
        else:
            where.tp = None
    _settle(where)
    return where


def describe(value: Any) -> str:
    """A short text for a value found in the file, in YAML's words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if abs(value) < 10**30:
            return str(value)
        try:
            return f"an integer of {len(str(abs(value)))} digits"
        except ValueError:  # beyond Python's int-to-text limit
            return "an integer of thousands of digits"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return repr(text)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return f"{value.isoformat()} (a date without a time)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    return type(value).__name__


_GENERIC: dict[str, str] = {
    "int_type": "an integer", "int_parsing": "an integer", "int_from_float": "an integer",
    "float_type": "a number", "float_parsing": "a number", "finite_number": "a finite number",
    "string_type": "text", "bool_type": "true or false", "bool_parsing": "true or false",
    "tuple_type": "a list", "list_type": "a list", "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values", "dict_type": "a mapping of keys to values",
    "datetime_type": "a date-time", "datetime_parsing": "a date-time", "datetime_from_date_parsing": "a date-time",
    "timezone_aware": "a date-time with a time zone (e.g. ending in Z)",
}


def _generic_expected(err: dict[str, Any]) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in _GENERIC:
        return _GENERIC[kind]
    bounds = {"greater_than_equal": ("≥", "ge"), "greater_than": (">", "gt"), "less_than_equal": ("≤", "le"),
              "less_than": ("<", "lt")}
    if kind in bounds:
        sign, key = bounds[kind]
        return f"a number {sign} {ctx.get(key)}"
    if kind == "literal_error":
        return f"one of {ctx.get('expected')}"
    if kind in ("too_short", "string_too_short"):
        n, unit = ctx.get("min_length"), "item" if kind == "too_short" else "character"
        return f"at least {n} {unit}{'s' if n != 1 else ''}"
    if kind in ("too_long", "string_too_long"):
        n, unit = ctx.get("max_length"), "item" if kind == "too_long" else "character"
        return f"at most {n} {unit}{'s' if n != 1 else ''}"
    if kind == "string_pattern_mismatch":
        return f"text matching {ctx.get('pattern')}"
    msg = str(err.get("msg", "a valid value"))
    return msg[:1].lower() + msg[1:]


def _issue(err: dict[str, Any], root: type[BaseModel]) -> Issue:
    kind, ctx = err["type"], err.get("ctx") or {}
    where = _walk(root, tuple(err["loc"]))
    loc: Loc = tuple(where.loc)
    expect = next((m.text for m in where.metadata if isinstance(m, Expect)), None)
    if kind == "amdx_model":
        if ctx.get("field"):
            loc = (*loc, ctx["field"])
        return Issue(loc, str(ctx.get("message")), str(ctx.get("expected", "")), str(ctx.get("found", "")))
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else "?"
        allowed = [_file_key(n, f) for n, f in where.parent_model.model_fields.items()] if where.parent_model else []
        return Issue(loc, f"unknown key '{key}'{did_you_mean(key, allowed)}", f"a key {one_of(allowed, 40)}",
                     f"'{key}'", at="key")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        disc = where.discriminator
        member = where.union[0] if where.union else None
        info = member.model_fields.get(disc) if _is_model(member) and disc else None
        key = _file_key(disc, info) if info and disc else str(ctx.get("discriminator", "kind"))
        tags = [t for m in where.union for t in _tags(m, disc)]
        if kind == "union_tag_not_found":
            return Issue((*loc, key), f"missing required field '{key}'", f"'{key}', {one_of(tags)}", "nothing")
        tag = str(ctx.get("tag"))
        hint = did_you_mean(tag, tags) or f"; expected {one_of(tags)}"
        return Issue((*loc, key), f"unknown {key} '{tag}'{hint}", f"a {key}, {one_of(tags)}", f"'{tag}'")
    if kind == "missing":
        name = loc[-1] if loc else "?"
        if isinstance(name, int):
            return Issue(loc, f"missing list item [{name}]", f"an item [{name}]", "nothing")
        what = f" ({expect})" if expect else ""
        return Issue(loc, f"missing required field '{name}'{what}", expect or f"a value for '{name}'", "nothing")
    expected = expect or _generic_expected(err)
    found = describe(err.get("input"))
    return Issue(loc, f"expected {expected}, found {found}", expected, found)


def _caused_by_items(err: dict[str, Any]) -> bool:
    """A too-short list that was long enough in the file: its invalid items (reported each) were dropped."""
    value, ctx = err.get("input"), err.get("ctx") or {}
    return err["type"] == "too_short" and isinstance(value, list) and len(value) >= ctx.get("min_length", 0)


def issues_from_validation(exc: ValidationError, root: type[BaseModel]) -> tuple[list[Issue], list[Issue]]:
    """The issues of a ValidationError raised by validating ``root``: (field issues, issues of the model-level
    checks in ``CHECKED_ELSEWHERE``, which the loader also runs on the file's data with positions)."""
    out: list[Issue] = []
    elsewhere: list[Issue] = []
    for err in exc.errors(include_url=False):
        if _caused_by_items(dict(err)):
            continue
        if err["type"] in CHECKED_ELSEWHERE:
            elsewhere.append(Issue(tuple(err["loc"]), str(err["msg"])))
            continue
        issue = _issue(dict(err), root)
        if issue not in out:
            out.append(issue)
    return out, elsewhere


def expected_keys(model: type[BaseModel]) -> list[str]:
    """The keys a mapping of this model may hold, as written in the file."""
    return [_file_key(n, f) for n, f in model.model_fields.items()]
