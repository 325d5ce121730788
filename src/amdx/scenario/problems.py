"""Problems found in a scenario file, and the one exception the loader raises."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Loc = tuple[str | int, ...]
"""A location in the document: keys and list indexes from the top, e.g. ``("msel", 2, "aim", "lat_deg")``."""


def format_path(loc: Loc) -> str:
    """``("msel", 2, "aim", "lat_deg")`` → ``msel[2].aim.lat_deg``; the empty location is ``<top>``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "<top>"


@dataclass(frozen=True)
class Issue:
    """A problem before it has a place in the text: where in the document (``loc``) and what is wrong.

    ``at`` says whether the problem points at the key itself (an unknown key) or at its value.
    """

    loc: Loc
    message: str
    expected: str = ""
    found: str = ""
    at: Literal["key", "value"] = "value"


@dataclass(frozen=True)
class Problem:
    """One problem in a scenario file, placed at a 1-based line and column of the text.

    ``path`` is the field path (``msel[2].aim.lat_deg``); when the field itself is missing, ``line`` and
    ``column`` point at the nearest enclosing node. ``message`` is the whole sentence; ``expected`` and
    ``found`` are its two halves where they apply (empty otherwise).
    """

    source: str
    path: str
    line: int
    column: int
    message: str
    expected: str = ""
    found: str = ""

    def __str__(self) -> str:
        return f"{self.source}:{self.line}:{self.column}: {self.path}: {self.message}"


class ScenarioError(Exception):
    """A scenario that cannot be loaded; ``problems`` lists every problem found, in text order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the scenario"
        return "\n".join([head + ":", *(f"  {p}" for p in self.problems)])

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[list[Problem]]]:
        return (ScenarioError, (self.problems,))
