"""Array helpers shared by the sensor formulas: float64 in, scalar out for scalar input."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

_Array = NDArray[np.float64]


def f64(x: ArrayLike) -> _Array:
    """`x` as a float64 array (no copy when it already is one)."""
    return np.asarray(x, dtype=np.float64)


def out(x: _Array) -> _Array:
    """A 0-d result as a NumPy scalar, anything else unchanged."""
    return x[()] if np.ndim(x) == 0 else x
