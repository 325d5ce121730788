"""Probability of detection from SNR (refs/physics.md §3.2).

Models (SNR is the single-pulse SNR in dB; Pfa the false-alarm probability per resolution cell and look):

- ``"albersheim"``: Albersheim's empirical equation (IEEE Trans. AES-17, 1981) for a non-fluctuating target, a
  linear detector and N pulses integrated non-coherently. With A = ln(0.62/Pfa), B = ln(Pd/(1 − Pd)):
  SNR_dB = −5 log10 N + (6.2 + 4.54/√(N + 0.44)) · log10(A + 0.12·A·B + 1.7·B). Its inverse gives Pd from SNR.
  Stated accuracy 0.2 dB for 0.1 ≤ Pd ≤ 0.9, 1e-7 ≤ Pfa ≤ 1e-3, 1 ≤ N ≤ 8096; above Pd = 0.9 it extrapolates
  smoothly, below Pd = 0.1 the inverse hands over to the exact square-law curve (see `albersheim_pd`).
- ``"swerling1"``: Swerling 1 (slow Rayleigh fluctuation), one pulse, square-law detector, closed form
  Pd = Pfa^(1/(1 + SNR)). N = 1 only.
- ``"swerling0"``: non-fluctuating target, square-law detector, exact (Marcum): the noise-only sum of N pulses
  is χ²(2N), the threshold T its upper-Pfa quantile, and Pd = P[χ'²(2N, λ = 2N·SNR) > T] (scipy.stats.ncx2).
  The reference against which Albersheim is checked.

All functions are pure and vectorised (numpy broadcasting over SNR, Pd, Pfa and N); a 0-d result is returned
as a numpy scalar.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

from amdx.sensors._arrays import f64 as _f64
from amdx.sensors._arrays import out as _out

try:  # scipy.stats.ncx2.sf's own kernel: a private name, so a scipy without it gets the public call
    from scipy.special._ufuncs import _ncx2_sf
except ImportError:  # pragma: no cover - depends on the installed scipy
    _ncx2_sf = None

_Array = NDArray[np.float64]

DetectionModel = Literal["swerling1", "albersheim", "swerling0"]
"""Names of the Pd models a radar can use."""

DETECTION_MODELS: tuple[str, ...] = get_args(DetectionModel)

__all__ = [
    "DETECTION_MODELS",
    "DetectionModel",
    "albersheim_pd",
    "albersheim_snr_db",
    "detection_probability",
    "swerling0_pd",
    "swerling1_pd",
    "swerling1_snr_db",
]


def _albersheim_slope(n: _Array) -> _Array:
    return 6.2 + 4.54 / np.sqrt(n + 0.44)


def albersheim_snr_db(pd: ArrayLike, pfa: ArrayLike, n_pulses: ArrayLike = 1) -> _Array:
    """Single-pulse SNR (dB) that Albersheim's equation requires for `pd` at `pfa` with `n_pulses` integrated
    non-coherently (non-fluctuating target, linear detector)."""
    pd, pfa, n = _f64(pd), _f64(pfa), _f64(n_pulses)
    a = np.log(0.62 / pfa)
    b = np.log(pd / (1.0 - pd))
    return _out(-5.0 * np.log10(n) + _albersheim_slope(n) * np.log10(a + 0.12 * a * b + 1.7 * b))


def albersheim_pd(snr_db: ArrayLike, pfa: ArrayLike, n_pulses: ArrayLike = 1) -> _Array:
    """Pd from the single-pulse SNR (dB) by Albersheim's equation inverted (refs/physics.md §3.2):
    Z = (SNR_dB + 5 log10 N)/(6.2 + 4.54/√(N + 0.44)), B = (10^Z − A)/(1.7 + 0.12·A), Pd = 1/(1 + e^−B).

    Below Pd = 0.1 (outside the stated validity) the inverse flattens to a floor of
    1/(1 + e^(A/(1.7 + 0.12A))) (≈ 0.017 at Pfa = 1e-6) instead of falling to Pfa, which would let every faint
    target in view be detected now and then. There the exact square-law curve takes over, scaled to meet
    Albersheim's at Pd = 0.1: Pd = swerling0_pd(SNR) · 0.1 / swerling0_pd(SNR_0.1); continuous, increasing,
    and tending to about 2·Pfa at vanishing SNR.

    Raises:
        ValueError: a Pfa above 1e-3 (the formula's stated domain ends there; above ~4e-3 its Pd floor exceeds
            0.1 and the continuation is undefined).
    """
    if np.ndim(pfa) == 0 and np.ndim(n_pulses) == 0:  # the usual case (a radar's Pd): one Pfa and N
        return _albersheim_pd_one(_f64(snr_db), float(pfa), float(n_pulses))
    snr_db, pfa, n = np.broadcast_arrays(_f64(snr_db), _f64(pfa), _f64(n_pulses))
    if np.any(pfa > 1e-3):
        raise ValueError(f"Albersheim's equation needs Pfa <= 1e-3; got {pfa.max():g}")
    if pfa.size and np.all(pfa == pfa.flat[0]) and np.all(n == n.flat[0]):  # one Pfa and N after all
        return _albersheim_pd_one(snr_db, float(pfa.flat[0]), float(n.flat[0]))
    a = np.log(0.62 / pfa)
    z = (snr_db + 5.0 * np.log10(n)) / _albersheim_slope(n)
    pd = np.array(special.expit((10.0**z - a) / (1.7 + 0.12 * a)), dtype=np.float64, ndmin=1)
    snr_joint = np.atleast_1d(albersheim_snr_db(0.1, pfa, n))
    low = np.atleast_1d(snr_db < snr_joint)
    if low.any():
        s, p_low, m_low, j_low = (np.atleast_1d(x)[low] for x in (snr_db, pfa, n, snr_joint))
        pd[low] = swerling0_pd(s, p_low, m_low) * (0.1 / swerling0_pd(j_low, p_low, m_low))
    return _out(pd.reshape(snr_db.shape))


def _albersheim_pd_one(snr_db: _Array, pfa: float, n_pulses: float) -> _Array:
    """`albersheim_pd` of SNRs (dB, any shape) at one Pfa and N: the terms that depend on Pfa and N alone come
    from `_albersheim_terms`, the same floats the elementwise formula makes, so the same Pd."""
    if pfa > 1e-3:
        raise ValueError(f"Albersheim's equation needs Pfa <= 1e-3; got {pfa:g}")
    a, lead, slope, spread, j, scale = _albersheim_terms(pfa, n_pulses)
    pd = np.array(special.expit((10.0 ** ((snr_db + lead) / slope) - a) / spread), dtype=np.float64, ndmin=1)
    low = np.atleast_1d(snr_db < j)
    if low.any():
        pd[low] = swerling0_pd(np.atleast_1d(snr_db)[low], pfa, n_pulses) * scale
    return _out(pd.reshape(np.shape(snr_db)))


@lru_cache(maxsize=256)
def _albersheim_terms(pfa: float, n_pulses: float) -> tuple[float, ...]:
    """The terms of `albersheim_pd` that depend on Pfa and N alone, computed once per radar type rather than per
    scan: (A = ln(0.62/Pfa), 5 log10 N, the slope 6.2 + 4.54/√(N + 0.44), 1.7 + 0.12·A, the SNR dB at which
    Albersheim's Pd is 0.1 (where the square-law curve takes over), 0.1 over the square-law Pd there). Each is
    computed by the same numpy operation on the same operands as the elementwise formula."""
    p, n = np.full(1, pfa), np.full(1, n_pulses)
    a = np.log(0.62 / p)
    j = float(albersheim_snr_db(0.1, pfa, n_pulses))
    return (float(a[0]), float((5.0 * np.log10(n))[0]), float(_albersheim_slope(n)[0]),
            float((1.7 + 0.12 * a)[0]), j, 0.1 / float(swerling0_pd(j, pfa, n_pulses)))


@lru_cache(maxsize=256)
def _chi2_threshold(pfa: float, dof: float) -> float:
    """Upper-Pfa quantile of χ²(dof), memoised (scipy's per-call overhead dwarfs the arithmetic)."""
    return float(stats.chi2.isf(pfa, dof))


def swerling1_pd(snr_db: ArrayLike, pfa: ArrayLike) -> _Array:
    """Pd of a Swerling 1 target, one pulse, square-law detector: Pfa^(1/(1 + SNR)), SNR linear from dB."""
    snr = 10.0 ** (_f64(snr_db) / 10.0)
    return _out(np.exp(np.log(_f64(pfa)) / (1.0 + snr)))


def swerling1_snr_db(pd: ArrayLike, pfa: ArrayLike) -> _Array:
    """Single-pulse SNR (dB) a Swerling 1 target needs for `pd` at `pfa`: SNR = ln Pfa / ln Pd − 1."""
    snr = np.log(_f64(pfa)) / np.log(_f64(pd)) - 1.0
    return _out(10.0 * np.log10(snr))


def swerling0_pd(snr_db: ArrayLike, pfa: ArrayLike, n_pulses: ArrayLike = 1) -> _Array:
    """Exact Pd of a non-fluctuating target with a square-law detector and `n_pulses` integrated
    non-coherently (Marcum): threshold T = χ²(2N) upper-Pfa quantile, Pd = ncx2.sf(T, 2N, 2N·SNR)."""
    snr = 10.0 ** (_f64(snr_db) / 10.0)
    dof = 2.0 * _f64(n_pulses)
    pfa = _f64(pfa)
    threshold = _chi2_threshold(float(pfa), float(dof)) if pfa.ndim == 0 and dof.ndim == 0 \
        else stats.chi2.isf(pfa, dof)
    # scipy.stats.ncx2.sf's own kernels, called directly (the frozen-distribution machinery around them costs
    # some 0.4 ms a call, ten times the arithmetic of a scan): the same numbers for every valid argument
    nc = dof * snr
    with np.errstate(over="ignore"):  # as ncx2._sf (scipy gh-17432)
        if _ncx2_sf is None:  # pragma: no cover - depends on the installed scipy
            return _out(np.asarray(stats.ncx2.sf(threshold, dof, nc), dtype=np.float64))
        pd = np.where(nc != 0.0, _ncx2_sf(threshold, dof, nc), special.chdtrc(dof, threshold))
    return _out(np.asarray(pd, dtype=np.float64))


def detection_probability(snr_db: ArrayLike, pfa: ArrayLike, model: DetectionModel = "swerling1",
                          n_pulses: int = 1) -> _Array:
    """Pd from the single-pulse SNR (dB) by the named model (see the module docstring).

    Raises:
        ValueError: unknown model, or ``"swerling1"`` with more than one pulse (its closed form is
            single-pulse).
    """
    if model == "swerling1":
        if n_pulses != 1:
            raise ValueError(f"the swerling1 model is single-pulse; got n_pulses={n_pulses}")
        return swerling1_pd(snr_db, pfa)
    if model == "albersheim":
        return albersheim_pd(snr_db, pfa, n_pulses)
    if model == "swerling0":
        return swerling0_pd(snr_db, pfa, n_pulses)
    raise ValueError(f"unknown detection model {model!r}; expected one of {', '.join(DETECTION_MODELS)}")
