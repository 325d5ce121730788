"""Radar range equation: single-pulse signal-to-noise ratio (refs/physics.md §3.1).

Two forms:

- **Energy form** (Skolnik; the form of MathWorks `radareqsnr`):
  SNR = P_t τ G_t G_r λ² σ / ((4π)³ k T_s R⁴ L), with k Boltzmann's constant (scipy.constants.k) and L the
  total losses. Used to check the model against published numbers and to rate a radar from its transmitter.
- **Reference-range form** (what the sensor catalog declares): SNR = SNR_ref · (σ/σ_ref) · (R_ref/R)⁴, the
  same equation with every constant folded into one measured point (reference target σ_ref at range R_ref
  gives SNR_ref).

SNR is a power ratio: `*_db` functions return 10·log10 of it, the others the linear ratio. SI units (m, s, W,
K, m²). All functions are pure and vectorised (numpy broadcasting); a 0-d result is returned as a numpy
scalar.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import constants

from amdx.sensors._arrays import f64 as _f64
from amdx.sensors._arrays import out as _out

SPEED_OF_LIGHT_MPS: float = constants.c
"""Speed of light in vacuum, m/s (exact SI value)."""
BOLTZMANN_J_K: float = constants.k
"""Boltzmann's constant, J/K (exact SI value 1.380649e-23)."""

_Array = NDArray[np.float64]
_FOUR_PI_CUBED = (4.0 * np.pi) ** 3

__all__ = [
    "BOLTZMANN_J_K",
    "SPEED_OF_LIGHT_MPS",
    "db_to_linear",
    "linear_to_db",
    "peak_power_for_snr_w",
    "range_for_snr_m",
    "snr_energy",
    "snr_energy_db",
    "snr_reference",
    "snr_reference_db",
    "wavelength_m",
]


def db_to_linear(x_db: ArrayLike) -> _Array:
    """Power ratio of a value in dB: 10^(x/10)."""
    return _out(10.0 ** (_f64(x_db) / 10.0))


def linear_to_db(x: ArrayLike) -> _Array:
    """10·log10 of a power ratio, dB (−inf for 0)."""
    with np.errstate(divide="ignore"):
        return _out(10.0 * np.log10(_f64(x)))


def wavelength_m(frequency_hz: ArrayLike) -> _Array:
    """Free-space wavelength λ = c/f, m, of a carrier frequency in Hz."""
    return _out(SPEED_OF_LIGHT_MPS / _f64(frequency_hz))


def snr_energy(range_m: ArrayLike, *, wavelength_m: ArrayLike, peak_power_w: ArrayLike,
               pulse_width_s: ArrayLike, gain_db: ArrayLike = 20.0, rcs_m2: ArrayLike = 1.0,
               system_temperature_k: ArrayLike = 290.0, loss_db: ArrayLike = 0.0,
               rx_gain_db: ArrayLike | None = None) -> _Array:
    """Single-pulse SNR (linear) by the energy form of the radar equation.

    Args:
        range_m: one-way range to the target, m.
        wavelength_m: carrier wavelength λ, m.
        peak_power_w: transmitted peak power P_t, W.
        pulse_width_s: pulse width τ, s (noise bandwidth B ≈ 1/τ).
        gain_db: transmit antenna gain G_t, dB (MathWorks default 20 dB).
        rcs_m2: target radar cross-section σ, m².
        system_temperature_k: system noise temperature T_s, K.
        loss_db: total system losses L, dB.
        rx_gain_db: receive gain G_r, dB; the transmit gain when None (monostatic, one antenna).
    """
    g_t = db_to_linear(gain_db)
    g_r = g_t if rx_gain_db is None else db_to_linear(rx_gain_db)
    num = _f64(peak_power_w) * _f64(pulse_width_s) * g_t * g_r * _f64(wavelength_m) ** 2 * _f64(rcs_m2)
    den = _FOUR_PI_CUBED * BOLTZMANN_J_K * _f64(system_temperature_k) * _f64(range_m) ** 4
    den = den * db_to_linear(loss_db)
    return _out(num / den)


def snr_energy_db(range_m: ArrayLike, *, wavelength_m: ArrayLike, peak_power_w: ArrayLike,
                  pulse_width_s: ArrayLike, gain_db: ArrayLike = 20.0, rcs_m2: ArrayLike = 1.0,
                  system_temperature_k: ArrayLike = 290.0, loss_db: ArrayLike = 0.0,
                  rx_gain_db: ArrayLike | None = None) -> _Array:
    """Single-pulse SNR in dB by the energy form; arguments as `snr_energy`."""
    return linear_to_db(snr_energy(range_m, wavelength_m=wavelength_m, peak_power_w=peak_power_w,
                                   pulse_width_s=pulse_width_s, gain_db=gain_db, rcs_m2=rcs_m2,
                                   system_temperature_k=system_temperature_k, loss_db=loss_db,
                                   rx_gain_db=rx_gain_db))


def peak_power_for_snr_w(snr_db: ArrayLike, range_m: ArrayLike, *, wavelength_m: ArrayLike,
                         pulse_width_s: ArrayLike, gain_db: ArrayLike = 20.0, rcs_m2: ArrayLike = 1.0,
                         system_temperature_k: ArrayLike = 290.0, loss_db: ArrayLike = 0.0,
                         rx_gain_db: ArrayLike | None = None) -> _Array:
    """Peak power P_t (W) that gives `snr_db` at `range_m`: the energy form solved for P_t (MathWorks
    `radareqpow`); other arguments as `snr_energy`."""
    per_watt = snr_energy(range_m, wavelength_m=wavelength_m, peak_power_w=1.0, pulse_width_s=pulse_width_s,
                          gain_db=gain_db, rcs_m2=rcs_m2, system_temperature_k=system_temperature_k,
                          loss_db=loss_db, rx_gain_db=rx_gain_db)
    return _out(db_to_linear(snr_db) / per_watt)


def snr_reference(range_m: ArrayLike, rcs_m2: ArrayLike, *, reference_range_m: ArrayLike,
                  reference_snr_db: ArrayLike, reference_rcs_m2: ArrayLike) -> _Array:
    """Single-look SNR (linear) from a reference point: SNR_ref · (σ/σ_ref) · (R_ref/R)⁴.

    Args:
        range_m: range to the target, m (> 0).
        rcs_m2: target radar cross-section, m².
        reference_range_m: range at which the reference target gives the reference SNR, m.
        reference_snr_db: SNR of the reference target at the reference range, dB.
        reference_rcs_m2: radar cross-section of the reference target, m².
    """
    ratio = _f64(reference_range_m) / _f64(range_m)
    return _out(db_to_linear(reference_snr_db) * (_f64(rcs_m2) / _f64(reference_rcs_m2)) * ratio**4)


def snr_reference_db(range_m: ArrayLike, rcs_m2: ArrayLike, *, reference_range_m: ArrayLike,
                     reference_snr_db: ArrayLike, reference_rcs_m2: ArrayLike) -> _Array:
    """Single-look SNR in dB from a reference point; arguments as `snr_reference`."""
    return _out(_f64(reference_snr_db) + 10.0 * np.log10(_f64(rcs_m2) / _f64(reference_rcs_m2))
                + 40.0 * np.log10(_f64(reference_range_m) / _f64(range_m)))


def range_for_snr_m(snr_db: ArrayLike, rcs_m2: ArrayLike, *, reference_range_m: ArrayLike,
                    reference_snr_db: ArrayLike, reference_rcs_m2: ArrayLike) -> _Array:
    """Range (m) at which a target of `rcs_m2` gives `snr_db`: the reference form solved for R,
    R = R_ref · (10^((SNR_ref − SNR)/10) · σ/σ_ref)^(1/4)."""
    excess_db = _f64(reference_snr_db) - _f64(snr_db) + 10.0 * np.log10(_f64(rcs_m2) / _f64(reference_rcs_m2))
    return _out(_f64(reference_range_m) * 10.0 ** (excess_db / 40.0))
