"""Problems are reported all at once, each at its line:column with the field path, expected and found."""

from __future__ import annotations

import pickle

import pytest

from amdx.scenario import Problem, ScenarioError, load_scenario, load_scenario_text, parse_scenario_text

# Line numbers are written beside the text; the test checks them against the reported problems.
SEVERAL = """\
exercise:
  name: Several errors
  epoch: "2026-05-04T06:00:00Z"
  duration_s: -10
  seed: 1
nations:
  - id: north
    name: Norland
    colour: "2b6cb0"
    command:
      - {id: north.ncc, name: NCC, role: national, lat_dg: -41.28, lon_deg: 174.78}
adversaries:
  - {id: red, name: Kharad, colour: "#c53030"}
assets:
  - {id: a1, name: A, owner: north, lat_deg: 123.4, lon_deg: 174.7, radius_km: 8, value: 100, priority: 1}
msel:
  - {kind: note, t_s: 5, text: "hello"}
  - {kind: launch, id: t1, t_s: 60, threat: srbm-a, actor: red, origin: {lat_deg: -43.9, lon_deg: -176.5},
     aim: {lat_deg: 123.4, lon_deg: 174.0}}
  - {kind: lanch, t_s: 5}
"""
#   line  4: duration_s negative                  line 15: asset latitude out of range
#   line  9: colour without '#'                   line 19: aim latitude out of range (col of 123.4)
#   line 11: typo 'lat_dg' (and lat_deg missing)  line 20: unknown kind 'lanch'


def _at(line: int, fragment: str) -> tuple[int, int]:
    """(line, column) of ``fragment`` on a 1-based line of SEVERAL, found by plain string search."""
    return line, SEVERAL.splitlines()[line - 1].index(fragment) + 1


def test_several_errors_are_all_reported_at_their_lines(kit):
    problems = kit.problems_of(SEVERAL, "several.yaml")
    got = {(p.line, p.column, p.path) for p in problems}
    expected = {
        (*_at(4, "-10"), "exercise.duration_s"),
        (*_at(9, '"2b6cb0"'), "nations[0].colour"),
        (*_at(11, "lat_dg"), "nations[0].command[0].lat_dg"),
        (*_at(11, "{id"), "nations[0].command[0].lat_deg"),  # missing: at the enclosing mapping
        (*_at(15, "123.4"), "assets[0].lat_deg"),
        (*_at(19, "123.4"), "msel[1].aim.lat_deg"),
        (*_at(20, "lanch"), "msel[2].kind"),
    }
    assert expected == got
    assert all(p.source == "several.yaml" for p in problems)
    assert [(p.line, p.column) for p in problems] == sorted((p.line, p.column) for p in problems)


def test_problem_text_names_file_line_column_path_expected_and_found(kit):
    problems = kit.problems_of(SEVERAL, "scenario.yaml")
    aim = next(p for p in problems if p.path == "msel[1].aim.lat_deg")
    assert str(aim) == "scenario.yaml:19:21: msel[1].aim.lat_deg: expected a latitude in [-90, 90], found 123.4"
    assert aim.expected == "a latitude in [-90, 90]" and aim.found == "123.4"
    duration = next(p for p in problems if p.path == "exercise.duration_s")
    assert "found -10" in duration.message


def test_unknown_keys_suggest_the_closest_allowed_key(kit):
    problems = kit.problems_of(SEVERAL)
    typo = next(p for p in problems if p.path.endswith("lat_dg"))
    assert typo.message == "unknown key 'lat_dg'; did you mean 'lat_deg'?"
    assert "lon_deg" in typo.expected
    kind = next(p for p in problems if p.path == "msel[2].kind")
    assert kind.message == "unknown kind 'lanch'; did you mean 'launch'?"


def test_a_key_far_from_every_allowed_key_lists_nothing_to_mean(kit):
    text = kit.replace_once(kit.BASE_TEXT, "  seed: 1\n", "  seed: 1\n  zzzqqq: 3\n")
    (problem,) = kit.problems_of(text)
    assert problem.message == "unknown key 'zzzqqq'"
    assert (problem.line, problem.column, problem.path) == (kit.line_of(text, "zzzqqq"), 3, "exercise.zzzqqq")


def test_scenario_error_lists_every_problem_and_survives_pickling():
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(SEVERAL, "several.yaml")
    err = info.value
    text = str(err)
    assert text.splitlines()[0] == f"{len(err.problems)} problems in the scenario:"
    for p in err.problems:
        assert str(p) in text
    again = pickle.loads(pickle.dumps(err))
    assert again.problems == err.problems


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("exercise: [1, 2\nnations: []\n", 2, 8),  # unclosed flow sequence
        ("exercise:\n  name: a\n name: b\n", 3, 2),  # bad indentation
        ("exercise: 1\nexercise: 2\n", 2, 1),  # duplicate key
        ("a: 1\n\tb: 2\n", 2, 1),  # tab
    ],
)
def test_yaml_syntax_errors_give_one_problem_at_the_parser_position(text, line, column, kit):
    (problem,) = kit.problems_of(text)
    assert (problem.line, problem.column) == (line, column)
    assert problem.message.startswith("cannot read the YAML")


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "the document is empty"), ("# only a comment\n", "the document is empty"),
     ("- a\n- b\n", "expected a mapping at the top, found a list of 2 items"),
     ("42\n", "expected a mapping at the top, found 42")],
)
def test_empty_or_non_mapping_documents(text, message, kit):
    (problem,) = kit.problems_of(text)
    assert problem.message == message and (problem.line, problem.column) == (1, 1)


def test_missing_top_level_sections_point_at_the_top(kit):
    problems = kit.problems_of("exercise:\n  name: x\n  epoch: '2026-01-01T00:00:00Z'\n  duration_s: 10\n")
    assert [(p.path, p.line) for p in problems] == [("nations", 1)]


def test_wrong_types_are_not_coerced(kit):
    text = kit.replace_once(kit.BASE_TEXT, "launchers: 4", "launchers: '4'")
    text = kit.replace_once(text, "duration_s: 1800", "duration_s: true")
    text = kit.replace_once(text, "rounds_per_launcher: 4", "rounds_per_launcher: 4.0")
    found = {p.path: p.found for p in kit.problems_of(text)}
    assert found == {"batteries[0].launchers": "'4'", "exercise.duration_s": "true",
                     "batteries[0].rounds_per_launcher": "4.0"}


@pytest.mark.parametrize(("value", "found"), [(".nan", "nan"), (".inf", "inf"), ("-.inf", "-inf"),
                                              ("1e999", "inf"), ("9" * 400, "an integer of 400 digits")])
def test_non_finite_and_huge_numbers_are_problems(value, found, kit):
    text = kit.replace_once(kit.BASE_TEXT, "radius_km: 8,\n     value: 100, priority: 1}\n  - {id: south",
                        f"radius_km: {value},\n     value: 100, priority: 1}}\n  - {{id: south")
    (problem,) = kit.problems_of(text)
    assert problem.path == "assets[0].radius_km" and problem.found == found


def test_a_number_too_long_for_python_is_a_problem_at_its_line(kit):
    text = kit.replace_once(kit.BASE_TEXT, "seed: 1", "seed: " + "7" * 6000)
    (problem,) = kit.problems_of(text)
    assert problem.line == kit.line_of(text, "seed:")


def test_epoch_must_be_a_utc_date_time(kit):
    for bad, found in (("2026-05-04", "2026-05-04 (a date without a time)"), ("'2026-05-04T06:00:00'",
                                                                               "'2026-05-04T06:00:00'"),
                       ("1714800000", "1714800000")):
        text = kit.replace_once(kit.BASE_TEXT, 'epoch: "2026-05-04T06:00:00Z"', f"epoch: {bad}")
        (problem,) = kit.problems_of(text)
        assert problem.path == "exercise.epoch" and problem.found == found, problem


def test_custom_tags_and_non_text_keys_are_problems(kit):
    text = kit.replace_once(kit.BASE_TEXT, "duration_s: 1800", "duration_s: !seconds 1800")
    (problem,) = kit.problems_of(text)
    assert problem.path == "exercise.duration_s" and "tag" in problem.message
    text = kit.replace_once(kit.BASE_TEXT, "  seed: 1\n", "  seed: 1\n  7: x\n")
    (problem,) = kit.problems_of(text)
    assert problem.message == "keys must be text, found 7" and problem.line == kit.line_of(text, "7: x")


def test_alias_bombs_and_deep_nesting_are_refused_quickly(kit):
    bomb = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n" for p, c in zip("abcdef", "bcdefg", strict=True)
    )
    (problem,) = kit.problems_of(bomb)
    assert "aliases" in problem.message
    for deep in ("a: " + "[" * 3000 + "]" * 3000, "- " * 3000 + "x", "a: " + "[" * 100 + "]" * 100):
        (problem,) = kit.problems_of(deep)
        assert "nest" in problem.message and problem.line == 1


def test_files_that_cannot_be_read_or_decoded(tmp_path, kit):
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(kit.replace_once(kit.BASE_TEXT, "Test exercise", "Caf\xe9").encode("latin-1"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(latin1)
    (problem,) = info.value.problems
    assert (problem.line, problem.column) == (kit.line_of(kit.BASE_TEXT, "Test exercise"), 12)
    assert "UTF-8" in problem.message and problem.source == str(latin1)
    for path in (tmp_path / "missing.yaml", tmp_path):
        with pytest.raises(ScenarioError):
            load_scenario(path)


def test_a_valid_text_has_no_problems_and_a_bom_is_accepted(tmp_path, kit):
    scenario, problems = parse_scenario_text(kit.BASE_TEXT)
    assert scenario is not None and problems == []
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + kit.BASE_TEXT.encode())
    assert load_scenario(path) == scenario


def test_problem_is_a_frozen_value():
    p = Problem("f.yaml", "a.b", 1, 2, "m", "e", "x")
    with pytest.raises(AttributeError):
        p.line = 3  # type: ignore[misc]
    assert str(p) == "f.yaml:1:2: a.b: m"
