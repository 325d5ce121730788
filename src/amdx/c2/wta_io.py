"""Reading static weapon-target assignment instances in the plain-text benchmark format.

Format (whitespace separated, optionally gzip'd): a header line `m n mu` (weapon types, targets, units per
type), then n lines with a target value each, then m*n lines `i j p_ij` (0-based type and target indices and
the single-shot kill probability of one unit of type i against target j). Pure parsing, no solving.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
from numpy.typing import NDArray


class WtaInstanceError(ValueError):
    """A malformed instance file; the message names the file, the line, what was expected and what was found.
    """


def _number(text: str, kind: type, where: str, what: str) -> float | int:
    try:
        value = kind(text)
    except ValueError:
        raise WtaInstanceError(f"{where}: expected {what}, found {text!r}") from None
    if kind is float and not np.isfinite(value):
        raise WtaInstanceError(f"{where}: expected {what}, found {text!r}")
    return value


def _parse_fast(text: str) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]] | None:
    """Vectorised parse of a well-formed file; None whenever anything is off (the slow path says what)."""
    try:
        rows = [ln.split() for ln in text.splitlines()]
        rows = [r for r in rows if r]
        m, n, mu = (int(h) for h in rows[0])
        if m < 1 or n < 1 or mu < 0 or len(rows) != 1 + n + m * n:
            return None
        if any(len(r) != 1 for r in rows[1:1 + n]) or any(len(r) != 3 for r in rows[1 + n:]):
            return None
        values = np.array([r[0] for r in rows[1:1 + n]], dtype=float)
        body = np.array(rows[1 + n:], dtype=float)
    except (ValueError, IndexError):
        return None
    i, j, p = body[:, 0], body[:, 1], body[:, 2]
    ok = (np.all(np.isfinite(values)) and np.all(values >= 0) and np.all(np.isfinite(body))
          and np.all(i == np.round(i)) and np.all(j == np.round(j))
          and np.all((i >= 0) & (i < m) & (j >= 0) & (j < n)) and np.all((p >= 0) & (p <= 1)))
    if not ok:
        return None
    flat = i.astype(np.int64) * n + j.astype(np.int64)
    if np.unique(flat).size != m * n:
        return None
    pk = np.empty(m * n)
    pk[flat] = p
    return values, pk.reshape(m, n), np.full(m, mu, dtype=np.int64)


def parse_wta_text(text: str, source: str = "<text>") -> tuple[NDArray[np.float64], NDArray[np.float64],
                                                                 NDArray[np.int64]]:
    """Parse instance text: (values (n,), pk (m, n) kill probabilities in [0, 1], units (m,) unit counts).

    Raises `WtaInstanceError` with the 1-based line number for wrong counts, bad numbers, indices out of
    range, duplicated pairs and probabilities outside [0, 1]. Blank lines are ignored; every (i, j) pair must
    be given once.
    """
    fast = _parse_fast(text)
    if fast is not None:
        return fast
    lines = [(k + 1, ln.split()) for k, ln in enumerate(text.splitlines())]
    lines = [(no, f) for no, f in lines if f]
    if not lines:
        raise WtaInstanceError(f"{source}: empty file; expected a header line 'm n mu'")
    no, head = lines[0]
    if len(head) != 3:
        raise WtaInstanceError(
            f"{source}:{no}: expected the header 'm n mu' (3 integers), found {len(head)} field(s)")
    m, n, mu = (int(_number(h, int, f"{source}:{no}", "an integer")) for h in head)
    if m < 1 or n < 1 or mu < 0:
        raise WtaInstanceError(f"{source}:{no}: expected m >= 1, n >= 1, mu >= 0, found {m} {n} {mu}")
    expected = 1 + n + m * n
    if len(lines) != expected:
        raise WtaInstanceError(
            f"{source}: expected {expected} non-blank lines for m={m}, n={n} (header, {n} values, {m * n} "
            f"'i j p' lines), found {len(lines)}")
    values = np.empty(n)
    for k in range(n):
        no, f = lines[1 + k]
        if len(f) != 1:
            raise WtaInstanceError(f"{source}:{no}: expected one target value, found {len(f)} field(s)")
        v = float(_number(f[0], float, f"{source}:{no}", "a target value (number)"))
        if v < 0:
            raise WtaInstanceError(f"{source}:{no}: expected a non-negative target value, found {f[0]}")
        values[k] = v
    pk = np.full((m, n), np.nan)
    for no, f in lines[1 + n:]:
        where = f"{source}:{no}"
        if len(f) != 3:
            raise WtaInstanceError(f"{where}: expected 'i j p' (3 fields), found {len(f)} field(s)")
        i = int(_number(f[0], int, where, "a weapon type index (integer)"))
        j = int(_number(f[1], int, where, "a target index (integer)"))
        p = float(_number(f[2], float, where, "a kill probability (number)"))
        if not 0 <= i < m:
            raise WtaInstanceError(f"{where}: weapon type index must be in [0, {m - 1}], found {i}")
        if not 0 <= j < n:
            raise WtaInstanceError(f"{where}: target index must be in [0, {n - 1}], found {j}")
        if not 0.0 <= p <= 1.0:
            raise WtaInstanceError(f"{where}: kill probability must be in [0, 1], found {f[2]}")
        if not np.isnan(pk[i, j]):
            raise WtaInstanceError(f"{where}: pair ({i}, {j}) given twice")
        pk[i, j] = p
    return values, pk, np.full(m, mu, dtype=np.int64)


def read_wta_instance(path: str | Path) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """Read an instance file (gzip'd if its name ends in .gz): (values (n,), pk (m, n), units (m,)).

    Raises `WtaInstanceError` (a `ValueError`) for unreadable or malformed files.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz" or raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise WtaInstanceError(f"{path}: cannot read the instance file ({why})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WtaInstanceError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return parse_wta_text(text, source=str(path))
