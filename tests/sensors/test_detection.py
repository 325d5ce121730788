"""Pd models against refs/physics.md §3.2 (Albersheim table, Marcum square-law, Swerling 1) and §3.1 rows."""

from __future__ import annotations

import numpy as np
import pytest

from amdx.sensors.detection import (
    albersheim_pd,
    albersheim_snr_db,
    detection_probability,
    swerling0_pd,
    swerling1_pd,
    swerling1_snr_db,
)

N_PULSES = (1, 2, 5, 10, 20, 100)
# refs/physics.md §3.2, Albersheim SNR in dB: (Pd, Pfa) -> values for N = 1, 2, 5, 10, 20, 100
ALBERSHEIM_TABLE = {
    (0.5, 1e-6): (11.23, 8.74, 5.67, 3.56, 1.60, -2.51),
    (0.8, 1e-6): (12.51, 9.91, 6.71, 4.53, 2.52, -1.66),
    (0.9, 1e-4): (11.67, 9.14, 6.03, 3.89, 1.92, -2.22),
    (0.9, 1e-6): (13.11, 10.46, 7.21, 4.99, 2.96, -1.26),
    (0.9, 1e-8): (14.19, 11.44, 8.09, 5.81, 3.74, -0.54),
    (0.95, 1e-6): (13.61, 10.90, 7.61, 5.36, 3.31, -0.93),
}


@pytest.mark.parametrize(("pd", "pfa"), list(ALBERSHEIM_TABLE))
def test_albersheim_table(pd, pfa):
    got = albersheim_snr_db(pd, pfa, np.array(N_PULSES))
    # ±0.01 dB of the printed values (the -2.51 cell is -2.515 before rounding)
    np.testing.assert_allclose(got, ALBERSHEIM_TABLE[(pd, pfa)], atol=0.01)


def test_albersheim_pitfall_swapped_bracket():
    # refs/physics.md §3.2: a public snippet writes (A + 0.12B + 1.7AB); at Pd = 0.9, Pfa = 1e-6 it is far off
    a, b = np.log(0.62 / 1e-6), np.log(0.9 / 0.1)
    swapped = (6.2 + 4.54 / np.sqrt(1.44)) * np.log10(a + 0.12 * b + 1.7 * a * b)
    got = albersheim_snr_db(0.9, 1e-6)
    assert got == pytest.approx(13.11, abs=0.01)
    assert abs(got - swapped) > 3.0


@pytest.mark.parametrize(("pd", "pfa"), list(ALBERSHEIM_TABLE))
def test_albersheim_inverse(pd, pfa):
    # the printed table SNRs, fed to the inverse form, give back the table's Pd (rounding of 0.005 dB allowed)
    for n, snr in zip(N_PULSES, ALBERSHEIM_TABLE[(pd, pfa)], strict=True):
        lo, hi = albersheim_pd(snr - 0.011, pfa, n), albersheim_pd(snr + 0.011, pfa, n)
        assert lo <= pd <= hi


def test_albersheim_inverse_is_the_written_formula_and_falls_to_pfa_below_its_range():
    pfa, n = 1e-6, 4
    a = np.log(0.62 / pfa)
    snr = np.linspace(-40.0, 25.0, 2601)
    z = (snr + 5 * np.log10(n)) / (6.2 + 4.54 / np.sqrt(n + 0.44))
    formula = 1 / (1 + np.exp(-(10**z - a) / (1.7 + 0.12 * a)))
    pd = albersheim_pd(snr, pfa, n)
    valid = formula >= 0.1
    np.testing.assert_allclose(pd[valid], formula[valid], rtol=1e-12)
    # below Pd = 0.1 the formula flattens at 1/(1 + e^(A/(1.7 + 0.12A))) instead of falling to Pfa
    floor = 1 / (1 + np.exp(a / (1.7 + 0.12 * a)))
    assert formula.min() > 0.9 * floor > 100 * pfa
    assert np.all(np.diff(pd) >= 0) and pd[0] < 3 * pfa and pd[valid].min() >= 0.1
    joint = albersheim_snr_db(0.1, pfa, n)
    assert albersheim_pd(joint - 1e-9, pfa, n) == pytest.approx(0.1, abs=1e-7)
    with pytest.raises(ValueError, match="Pfa"):
        albersheim_pd(10.0, 1e-2)


def test_albersheim_against_exact_square_law():
    # refs/physics.md §3.2: sdr.min_snr(0.9, 1e-6, square-law) = 13.183490056794499 dB (N = 1);
    # 5.267 dB for N = 10
    assert swerling0_pd(13.183490056794499, 1e-6) == pytest.approx(0.9, abs=1e-6)
    assert swerling0_pd(5.267, 1e-6, 10) == pytest.approx(0.9, abs=0.001)
    assert albersheim_snr_db(0.9, 1e-6, 1) == pytest.approx(13.1835, abs=0.3)
    assert albersheim_snr_db(0.9, 1e-6, 10) == pytest.approx(5.267, abs=0.3)


def test_swerling_values_at_pfa_1e_6():
    # refs/physics.md §3.2 table at Pfa = 1e-6
    snr = np.array([10.0, 13.0, 16.0, 20.0])
    np.testing.assert_allclose(swerling1_pd(snr, 1e-6), [0.285, 0.517, 0.713, 0.872], atol=0.0005)
    np.testing.assert_allclose(swerling0_pd(snr, 1e-6), [0.248, 0.874, 0.9999, 1.000], atol=0.0005)
    # closed form written out: Pd = Pfa^(1/(1 + SNR))
    closed = 1e-6 ** (1.0 / (1.0 + 10.0 ** (snr / 10.0)))
    np.testing.assert_allclose(swerling1_pd(snr, 1e-6), closed, rtol=1e-12)


def test_swerling1_required_snr_and_fluctuation_loss():
    # refs/physics.md §3.2: Pd = 0.9 at Pfa = 1e-6 needs 21.14 dB, about 8 dB more than Swerling 0 (13.18 dB)
    assert swerling1_snr_db(0.9, 1e-6) == pytest.approx(21.14, abs=0.005)
    assert swerling1_snr_db(0.9, 1e-6) - 13.1835 == pytest.approx(8.0, abs=0.1)


# refs/physics.md §3.1 notional radar: exact single-pulse SNR at 50..400 km, the closed form written out here
# (Pt = 1 MW, tau = 1 us, G = 40 dB, f = 3 GHz, sigma = 1 m², Ts = 500 K, L = 6 dB)
_K, _C = 1.380649e-23, 299_792_458.0
_R = np.array([50, 100, 150, 200, 250, 300, 400]) * 1e3
_SNR_DB = 10 * np.log10(1e6 * 1e-6 * 1e4**2 * (_C / 3e9) ** 2 * 1.0
                        / ((4 * np.pi) ** 3 * _K * 500.0 * _R**4 * 10**0.6))
# printed rows and the unit of their last digit
PD_SWERLING0 = ([1.000, 1.000, 0.9996, 0.355, 0.019, 0.0014, 0.0001],
                [1e-3, 1e-3, 1e-4, 1e-3, 1e-3, 1e-4, 1e-4])
PD_SWERLING1 = ([0.995, 0.928, 0.690, 0.330, 0.088, 0.015, 0.0003],
                [1e-3, 1e-3, 1e-3, 1e-3, 1e-3, 1e-3, 1e-4])


def test_notional_radar_pd_rows():
    # within 0.6 of the last printed digit: the Swerling 1 value at 300 km is 0.01445, on a rounding boundary
    for model, (row, unit) in (("swerling0", PD_SWERLING0), ("swerling1", PD_SWERLING1)):
        got = detection_probability(_SNR_DB, 1e-6, model)
        assert np.all(np.abs(got - np.array(row)) <= 0.6 * np.array(unit)), (model, got)


def test_models_are_vectorised_and_ordered():
    snr = np.linspace(-10, 30, 41)
    for model in ("swerling0", "swerling1", "albersheim"):
        pd = detection_probability(snr, 1e-6, model)
        assert pd.shape == snr.shape
        assert np.all(np.diff(pd) >= 0) and np.all((pd >= 0) & (pd <= 1))
    # a fluctuating target needs more SNR at high Pd and less at low Pd than a steady one
    assert swerling1_pd(20.0, 1e-6) < swerling0_pd(20.0, 1e-6)
    assert swerling1_pd(8.0, 1e-6) > swerling0_pd(8.0, 1e-6)
    grid = detection_probability(np.array([[10.0], [15.0]]), np.array([1e-4, 1e-6, 1e-8]), "albersheim")
    assert grid.shape == (2, 3)


def test_bad_model_arguments():
    with pytest.raises(ValueError, match="single-pulse"):
        detection_probability(10.0, 1e-6, "swerling1", n_pulses=4)
    with pytest.raises(ValueError, match="unknown detection model"):
        detection_probability(10.0, 1e-6, "swerling9")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Pfa"):
        detection_probability(10.0, 0.01, "albersheim")
