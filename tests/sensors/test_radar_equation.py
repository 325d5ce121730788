"""Radar range equation against refs/physics.md §3.1 (MathWorks cases, the notional radar worked example)."""

from __future__ import annotations

import numpy as np
import pytest

from amdx.sensors.detection import albersheim_snr_db
from amdx.sensors.radar_equation import (
    db_to_linear,
    linear_to_db,
    peak_power_for_snr_w,
    range_for_snr_m,
    snr_energy,
    snr_energy_db,
    snr_reference,
    snr_reference_db,
    wavelength_m,
)

C = 299_792_458.0  # m/s, refs/physics.md §3.1 ("using c = 299,792,458 m/s")


def test_mathworks_snr_1():
    # refs/physics.md §3.1 SNR-1: f = 1 GHz, R = 50 km, Pt = 1 MW, tau = 0.2 us, G = 20 dB, sigma = 1,
    # Ts = 290 K
    snr = snr_energy_db(50e3, wavelength_m=C / 1e9, peak_power_w=1e6, pulse_width_s=0.2e-6, gain_db=20.0,
                        rcs_m2=1.0, system_temperature_k=290.0)
    assert snr == pytest.approx(5.5868, abs=0.001)


def test_mathworks_snr_2():
    # refs/physics.md §3.1 SNR-2: f = 10 GHz, R = 100 km, 1 MW, 1 us, G = 40 dB, 0.5 m², 300 K, L = 3 dB
    snr = snr_energy_db(100e3, wavelength_m=C / 10e9, peak_power_w=1e6, pulse_width_s=1e-6, gain_db=40.0,
                        rcs_m2=0.5, system_temperature_k=300.0, loss_db=3.0)
    assert snr == pytest.approx(14.3778, abs=0.001)


def test_mathworks_power_cases():
    # refs/physics.md §3.1 POW-1 (defaults G = 20 dB, sigma = 1, Ts = 290 K) and POW-2
    p1 = peak_power_for_snr_w(6.0, 50e3, wavelength_m=C / 1e9, pulse_width_s=1e-6)
    assert p1 == pytest.approx(2.1996e5, rel=5e-5)
    p2 = peak_power_for_snr_w(10.0, 50e3, wavelength_m=C / 10e9, pulse_width_s=1e-6, rcs_m2=0.5, gain_db=30.0,
                              system_temperature_k=300.0, loss_db=3.0)
    assert p2 == pytest.approx(2.2809e6, rel=5e-5)


NOTIONAL = dict(wavelength_m=C / 3e9, peak_power_w=1e6, pulse_width_s=1e-6, gain_db=40.0, rcs_m2=1.0,
                system_temperature_k=500.0, loss_db=6.0)
"""refs/physics.md §3.1 notional radar: 1 MW, 1 us, 40 dB, 3 GHz, 1 m², 500 K, 6 dB."""
NOTIONAL_RANGES_KM = np.array([50, 100, 150, 200, 250, 300, 400])
NOTIONAL_SNR_DB = np.array([34.67, 22.63, 15.58, 10.59, 6.71, 3.54, -1.46])  # refs/physics.md §3.1


def test_notional_radar_worked_example_row():
    snr = snr_energy_db(NOTIONAL_RANGES_KM * 1e3, **NOTIONAL)
    np.testing.assert_allclose(snr, NOTIONAL_SNR_DB, atol=0.005)


def test_linear_and_db_forms_agree():
    lin = snr_energy(NOTIONAL_RANGES_KM * 1e3, **NOTIONAL)
    np.testing.assert_allclose(10.0 * np.log10(lin), NOTIONAL_SNR_DB, atol=0.005)
    assert wavelength_m(3e9) == pytest.approx(0.099930819333, rel=1e-10)
    assert db_to_linear(30.0) == pytest.approx(1000.0)
    assert linear_to_db(0.01) == pytest.approx(-20.0)


def test_fourth_power_scaling():
    # refs/physics.md §3.1: doubling range costs 12.04 dB, a tenfold increase 40 dB
    kw = dict(reference_range_m=300e3, reference_snr_db=15.0, reference_rcs_m2=0.1)
    r = np.array([10e3, 77e3, 150e3])
    drop2 = snr_reference_db(r, 0.1, **kw) - snr_reference_db(2 * r, 0.1, **kw)
    np.testing.assert_allclose(drop2, 12.04, atol=0.005)
    drop10 = snr_reference_db(r, 0.1, **kw) - snr_reference_db(10 * r, 0.1, **kw)
    np.testing.assert_allclose(drop10, 40.0, atol=1e-9)
    drop = snr_energy_db(100e3, **NOTIONAL) - snr_energy_db(200e3, **NOTIONAL)
    assert drop == pytest.approx(12.04, abs=0.005)


def test_reference_form_reproduces_the_energy_form():
    # anchor the reference form at the table's 100 km point (refs/physics.md §3.1), read off the other ranges;
    # RCS scales linearly (10 m² is +10 dB)
    kw = dict(reference_range_m=100e3, reference_snr_db=22.63, reference_rcs_m2=1.0)
    got = snr_reference_db(NOTIONAL_RANGES_KM * 1e3, 1.0, **kw)
    np.testing.assert_allclose(got, NOTIONAL_SNR_DB, atol=0.011)
    assert snr_reference_db(100e3, 10.0, **kw) == pytest.approx(32.63)
    lin = snr_reference(NOTIONAL_RANGES_KM * 1e3, 1.0, **kw)
    np.testing.assert_allclose(10.0 * np.log10(lin), got, atol=1e-12)


def test_range_for_pd_0_9():
    # refs/physics.md §3.1: Pd = 0.9 (Albersheim, N = 1, Pfa = 1e-6) at R = 100 km × 10^((22.63 − 13.11)/40)
    need = albersheim_snr_db(0.9, 1e-6)
    r = range_for_snr_m(need, 1.0, reference_range_m=100e3, reference_snr_db=22.63, reference_rcs_m2=1.0)
    assert r == pytest.approx(172.9e3, abs=100.0)
    kw = dict(reference_range_m=100e3, reference_snr_db=22.63, reference_rcs_m2=1.0)
    assert snr_reference_db(r, 1.0, **kw) == pytest.approx(need, abs=1e-9)
