"""Named random streams spawned from one run seed.

Each stream is keyed by a stable name (`threat/tbm1`, `sensor/north.ewr1`), not by the order in which streams
are requested, so adding a sensor never changes a threat's draws. The key is the UTF-8 bytes of the name used
as a SeedSequence spawn key, which is stable across machines and Python versions.
"""

from __future__ import annotations

import numpy as np


class RngStreams:
    """Factory of independent `numpy.random.Generator`s for one run seed."""

    def __init__(self, seed: int) -> None:
        if seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed}")
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}

    def stream(self, name: str) -> np.random.Generator:
        """The generator for `name`; the same object on every call within a run."""
        gen = self._streams.get(name)
        if gen is None:
            ss = np.random.SeedSequence(self.seed, spawn_key=tuple(name.encode("utf-8")))
            gen = np.random.Generator(np.random.PCG64(ss))
            self._streams[name] = gen
        return gen
