"""Events' construction against the plain frozen dataclass of the same fields (`dataclasses.make_dataclass`): the
same instance dict in the same order, the same repr, equality and hash; refused like it (missing, unknown or
positional fields: TypeError; assignment: FrozenInstanceError)."""

from __future__ import annotations

import dataclasses

import pytest

from amdx.engine import events as ev

KINDS = [ev.Event, *ev.Event.__subclasses__()]


def _values(cls: type) -> dict[str, object]:
    return {f.name: (f"{f.name}-value", i) for i, f in enumerate(dataclasses.fields(cls))}


@pytest.mark.parametrize("cls", KINDS, ids=lambda c: c.__name__)
def test_an_event_is_its_plain_frozen_dataclass(cls: type) -> None:
    plain = dataclasses.make_dataclass(cls.__name__, [(f.name, f.type) for f in dataclasses.fields(cls)],
                                       frozen=True, kw_only=True)
    values = _values(cls)
    event, reference = cls(**values), plain(**values)
    assert list(vars(event).items()) == list(vars(reference).items()) == list(values.items())
    assert repr(event) == repr(reference)
    assert event == cls(**values) and hash(event) == hash(cls(**values))
    name = dataclasses.fields(cls)[-1].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(event, name, 0)
    with pytest.raises(TypeError):
        cls(**{k: v for k, v in values.items() if k != name})
    with pytest.raises(TypeError):
        cls(**values, unknown=1)
    with pytest.raises(TypeError):
        cls(*values.values())


def test_records_keep_the_journal_form() -> None:
    e = ev.FirstTrack(t_s=1.25, visible_to=ev.visibility(), threat_id="m1", nation="north", track_id="r/7",
                      source="own")
    assert e.record() == {"kind": "first_track", "t_s": 1.25, "visible_to": ["controller"],
                          "data": {"threat_id": "m1", "nation": "north", "track_id": "r/7", "source": "own"}}
