"""Property tests: whatever is done to a valid scenario, loading gives a scenario or a ScenarioError whose every
problem has a path, a line ≥ 1 and a message; never another exception. A renamed key is never accepted."""

from __future__ import annotations

import copy
import io
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from amdx.scenario import Scenario, ScenarioError, bundled_scenario_path, load_scenario, load_scenario_text

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                derandomize=True)


def read_plain(text: str):
    return YAML(typ="safe").load(text)


def dump(data) -> str:
    stream = io.StringIO()
    YAML(typ="safe").dump(data, stream)
    return stream.getvalue()


def check(text: str) -> Scenario | None:
    """Load; assert the outcome is a scenario or a well-formed ScenarioError; return the scenario or None."""
    try:
        return load_scenario_text(text, "fuzz.yaml")
    except ScenarioError as exc:
        problems = exc.problems
    assert problems
    lines = text.count("\n") + 2
    for p in problems:
        assert p.source == "fuzz.yaml" and p.path and p.message
        assert 1 <= p.line <= lines and p.column >= 1, p
    return None


def paths(node, prefix=()):
    """Every location in plain data: (path to the container, key or index)."""
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((prefix, key))
            out += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.append((prefix, i))
            out += paths(value, (*prefix, i))
    return out


def container(data, path):
    for key in path:
        data = data[key]
    return data


BAD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30), st.just(10**400),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([-1, -1e9, 0, 1e308, math.nan, -math.inf]),
    st.text(max_size=12), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=6),
                                                                               st.integers(), max_size=2),
    st.sampled_from(["north", "south.capital", "srbm-a", "cm-a", "north.ncc", "red", "launch", "#123456"]),
)


@st.composite
def mutations(draw, base):
    data = copy.deepcopy(base)
    parent_path, key = draw(st.sampled_from(paths(data)))
    parent = container(data, parent_path)
    op = draw(st.sampled_from(["delete", "replace", "duplicate", "typo"]))
    if op == "delete":
        del parent[key]
    elif op == "replace":
        parent[key] = draw(BAD_VALUES)
    elif op == "duplicate" and isinstance(parent, list):
        parent.insert(key, copy.deepcopy(parent[key]))
    elif op == "duplicate":
        parent[key + "_2"] = copy.deepcopy(parent[key])
        op = "typo"  # a new key next to the old one is an unknown key too
    elif isinstance(parent, dict):
        typo = key[:-1] + "xq"  # never an allowed key: no field name ends in 'xq'
        parent[typo] = parent.pop(key)
    else:
        op = "none"  # no key to rename in a list
    return op, data


@pytest.fixture(scope="module")
def compact(kit):
    return read_plain(kit.BASE_TEXT)


@pytest.fixture(scope="module")
def default():
    return read_plain(bundled_scenario_path("default").read_text(encoding="utf-8"))


@FAST
@given(data=st.data())
def test_mutations_of_a_valid_scenario_never_raise_anything_else(compact, data):
    op, mutated = data.draw(mutations(compact))
    result = check(dump(mutated))
    if op == "typo":
        assert result is None, "a renamed key passed silently"


@settings(FAST, max_examples=25)
@given(data=st.data())
def test_mutations_of_the_default_scenario(default, data):
    op, mutated = data.draw(mutations(default))
    result = check(dump(mutated))
    if op == "typo":
        assert result is None


@FAST
@given(data=st.data())
def test_text_edits_never_raise_anything_else(kit, data):
    text = kit.BASE_TEXT
    lines = text.splitlines(keepends=True)
    op = data.draw(st.sampled_from(["drop line", "repeat line", "insert", "truncate", "swap lines"]))
    i = data.draw(st.integers(0, len(lines) - 1))
    if op == "drop line":
        del lines[i]
    elif op == "repeat line":
        lines.insert(i, lines[i])
    elif op == "swap lines":
        j = data.draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    text = "".join(lines)
    if op == "insert":
        at = data.draw(st.integers(0, len(text)))
        noise = data.draw(st.text(st.sampled_from(list(":-[]{}&*!|>'\"#,? \t\nxyz0.9%@`")), max_size=6))
        text = text[:at] + noise + text[at:]
    elif op == "truncate":
        text = text[: data.draw(st.integers(0, len(text)))]
    check(text)


@FAST
@given(text=st.text(max_size=200))
def test_arbitrary_text_never_raises_anything_else(text):
    check(text)


@settings(FAST, max_examples=40)
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes_in_a_file_give_only_scenario_errors(raw):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.yaml"
        path.write_bytes(raw)
        try:
            load_scenario(path)
        except ScenarioError as exc:
            assert all(p.path and p.line >= 1 and p.message for p in exc.problems)
