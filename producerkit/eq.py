"""Equalisation: EQ bands in musical units, an EQ chain, and their frequency responses.

Every band is a small dataclass (``freq`` in Hz, ``gain_db``, ``q``) called as ``band(y, sr)``;
:class:`EQ` chains bands and runs them all in one second-order-sections pass.

Two designs turn a band into digital filter coefficients (biquads):

* ``design="matched"`` (the default) matches the magnitude of the analog prototype, after
  M. Vicanek, "Matched Second Order Digital Filters" (2016): the poles are the analog poles
  mapped by impulse invariance, ``z = exp(s T)``, and the numerator is solved in Vicanek's
  basis ``|B|^2 = B0 phi0 + B1 phi1 + B2 phi2`` so the digital magnitude equals the analog one
  at DC and at the band's frequency. Where a degree of freedom is left (Peak, shelves,
  BandPass, LowPass) it is fitted by least squares in relative power from half the band's
  frequency to 0.95 x Nyquist, instead of Vicanek's zero-slope condition: his closed form
  strays up to 1.45 dB (BandPass) and 1.2 dB (a +18 dB bell) at 16 kHz. HighPass is his
  closed form. The Notch keeps its zeros exactly at ``freq`` and fits the poles instead.
  Shelves use the same recipe (no separate shelf paper). Low-passes below 0.01 rad/sample
  (70 Hz at 44.1 kHz) use the RBJ section, which is within 0.01 dB there.
* ``design="rbj"`` is R. Bristow-Johnson's "Audio EQ Cookbook" (bilinear transform with the
  centre frequency pre-warped): exact at the centre frequency, squeezed towards Nyquist
  ("cramping"). The lesson plots both against ``analog_response`` to show the difference.

Measured at 44.1 kHz over 20 Hz - 20 kHz with centre frequencies up to 16 kHz (see
tests/test_eq.py): matched Peak within 1 dB of the analog prototype for q 0.1 - 50 and gains
up to ±18 dB (0.85 dB worst; ±24 dB stays within 1 dB, ±36 dB reaches 1.07 dB at 16 kHz),
Notch and BandPass within 1 dB for q 0.05 - 50 (0.99 dB worst, at 16 kHz), shelves within
1 dB for q up to 1, HighPass/LowPass within 2 dB (1.6 dB worst: an order-2 q = 10 high-pass
at 16 kHz) wherever the analog response
is above -12 dB. Cuts (negative gains) are the exact inverses of the boosts, so a cut and a
boost of the same size cancel.

Lessons: 00, 01, 04
"""

from __future__ import annotations

import math
from collections.abc import MutableSequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from . import _validate
from .audio import _kernel_input, amp_to_db, as_channels, check_sr, ensure_audio, like_input
from .errors import ParameterError

DESIGNS = ("matched", "rbj")
ORDERS = (2, 4, 6, 8)
Q_RANGE = (0.05, 50.0)
MAX_GAIN_DB = 36.0
MIN_FREQ = 1.0
BUTTERWORTH_Q = 1.0 / math.sqrt(2.0)
_ORDER_HINT = "2, 4, 6, 8 give slopes of 12, 24, 36, 48 dB per octave"

#: ``response()`` never reports less than this (a notch's exact zero would be -inf dB).
RESPONSE_FLOOR_DB = -240.0

#: The least-squares part of the matched design fits from FIT_BAND[0] x the band's frequency
#: up to FIT_BAND[1] x Nyquist (0.95: 20.9 kHz at 44.1 kHz), on FIT_POINTS log-spaced frequencies.
FIT_BAND = (0.5, 0.95)
FIT_POINTS = 48
#: Below this normalised frequency (0.01 rad/sample: 70 Hz at 44.1 kHz) a matched low-pass fit is
#: ill-conditioned and the bilinear (RBJ) section is within 0.01 dB of the analog one: use it.
LOWPASS_MATCHED_ABOVE = 0.01

#: The six named frequency ranges producers use, (name, low Hz, high Hz); spectra shade them.
FREQUENCY_RANGES = (
    ("sub", 20, 60),
    ("bass", 60, 250),
    ("low-mids", 250, 500),
    ("mids", 500, 2000),
    ("presence", 2000, 6000),
    ("air", 6000, 20000),
)
#: What lives in each range, in a producer's words.
FREQUENCY_RANGE_CONTENTS = {
    "sub": "the weight you feel more than hear: kick and bass fundamentals",
    "bass": "the body and punch of kick and bass",
    "low-mids": "where mud and boxiness build up",
    "mids": "the honk and body of voices, guitars and piano",
    "presence": "where pick and consonants live",
    "air": "cymbals, breath and sparkle",
}


# --------------------------------------------------------------------------- helpers


def log_freqs(n: int = 512, fmin: float = 20.0, fmax: float = 20000.0) -> np.ndarray:
    """``n`` frequencies in Hz spaced evenly on a log axis, the way we hear pitch.

    The default grid (20 Hz to 20 kHz, 512 points) is what the EQ plots use.

    Lesson: not yet taught
    """
    n = _validate.whole("n", n, 2, unit="points")
    fmin = _validate.positive("fmin", fmin, unit="Hz")
    fmax = _validate.in_range("fmax", fmax, fmin, lo_open=True, unit="Hz", hint="fmax is the top of the grid")
    return np.geomspace(fmin, fmax, n)


def butterworth_qs(order: int) -> tuple[float, ...]:
    """The Q of each second-order section of a Butterworth filter of even ``order``.

    Section ``k`` of ``order // 2`` has ``Q = 1 / (2 cos((2k - 1) pi / (2 order)))``: the poles
    sit evenly on a half circle, which keeps the passband maximally flat and puts the cutoff at
    -3 dB. Order 2 gives 0.7071; order 4 gives 0.5412 and 1.3066.

    Lesson: not yet taught
    """
    _validate.one_of("order", order, ORDERS, hint=_ORDER_HINT)
    return tuple(
        1.0 / (2.0 * math.cos((2 * k - 1) * math.pi / (2 * order))) for k in range(1, order // 2 + 1)
    )


def _butterworth_poles(order: int) -> np.ndarray:
    """The analog Butterworth prototype's poles (cutoff 1 rad/s), in ``scipy.signal.buttap``'s order."""
    return -np.exp(1j * np.pi * np.arange(-order + 1, order, 2) / (2 * order))


def _prewarped(freq_hz: float, sr: float) -> float:
    """The analog frequency (rad/s) that the bilinear transform at ``sr`` puts at ``freq_hz``."""
    return 2.0 * sr * math.tan(math.pi * freq_hz / sr)


def butterworth_bandpass_sos(order: int, low_hz: float, high_hz: float, sr: int) -> np.ndarray:
    """A Butterworth band-pass from ``low_hz`` to ``high_hz`` (-3 dB at both) as second-order sections.

    The design ``scipy.signal.butter(order, [low_hz, high_hz], "bandpass", fs=sr, output="sos")``
    makes (the analog prototype's poles moved to the band, then the bilinear transform with both
    edges pre-warped), built with NumPy: importing ``scipy.signal`` costs a lesson over a second.
    Each section pairs one pole pair with a zero at DC and one at Nyquist; the first carries the gain.

    Raises:
        ParameterError: ``order`` not a whole number from 1 to 8, or the edges not
            ``0 < low_hz < high_hz < sr / 2``.

    Lesson: not yet taught
    """
    order = _validate.whole("order", order, 1, 8, hint="4 gives 24 dB per octave on each side")
    sr = _validate.positive("sr", sr, unit="Hz")
    low_hz = _validate.in_range("low_hz", low_hz, 0.0, sr / 2, lo_open=True, hi_open=True, unit="Hz")
    high_hz = _validate.in_range("high_hz", high_hz, low_hz, sr / 2, lo_open=True, hi_open=True, unit="Hz",
                                 hint="the band's top edge, above low_hz")
    low, high = (_prewarped(f, sr) for f in (low_hz, high_hz))
    centre, width = math.sqrt(low * high), high - low
    prototype = _butterworth_poles(order) * width / 2
    shift = np.sqrt(prototype**2 - centre**2)
    analog = np.concatenate([prototype + shift, prototype - shift])
    poles = (2.0 * sr + analog) / (2.0 * sr - analog)
    gain = np.prod(2.0 * sr * width / ((2.0 * sr - analog[:order]) * (2.0 * sr - analog[order:])))
    upper = poles[poles.imag > 1e-12 * np.abs(poles)]
    real = np.sort(poles[np.abs(poles.imag) <= 1e-12 * np.abs(poles)].real)
    dens = [[1.0, -2.0 * p.real, abs(p) ** 2] for p in upper]
    dens += [[1.0, -(a + b), a * b] for a, b in zip(real[::2], real[1::2], strict=True)]
    sos = np.array([[1.0, 0.0, -1.0, *den] for den in dens])
    sos[0, :3] *= gain.real
    return sos


def butterworth_highpass_sos(order: int, cutoff_hz: float, sr: int) -> np.ndarray:
    """A Butterworth high-pass at ``cutoff_hz`` (-3 dB there) as second-order sections.

    The design ``scipy.signal.butter(order, cutoff_hz, "highpass", fs=sr, output="sos")`` makes
    (the prototype's poles moved to ``w / p`` at the pre-warped cutoff ``w``, then the bilinear
    transform; every zero at DC), built with NumPy: importing ``scipy.signal`` costs a lesson over
    a second. An odd order's real pole gets a first-order section, which comes first and carries
    the gain; the pole pairs follow, the one nearest the unit circle last. Even orders give scipy's
    very sections; odd ones its response (scipy sometimes pairs their zeros the other way round).

    Raises:
        ParameterError: ``order`` not a whole number from 1 to 8, or not ``0 < cutoff_hz < sr / 2``.

    Lesson: not yet taught
    """
    order = _validate.whole("order", order, 1, 8, hint="4 gives 24 dB per octave")
    sr = _validate.positive("sr", sr, unit="Hz")
    cutoff_hz = _validate.in_range("cutoff_hz", cutoff_hz, 0.0, sr / 2, lo_open=True, hi_open=True, unit="Hz")
    analog = _prewarped(cutoff_hz, sr) / _butterworth_poles(order)
    poles = (2.0 * sr + analog) / (2.0 * sr - analog)
    gain = np.prod(2.0 * sr / (2.0 * sr - analog)).real
    upper = poles[poles.imag > 1e-12 * np.abs(poles)]
    upper = upper[np.argsort(-np.abs(1.0 - np.abs(upper)), kind="stable")]
    sections = [[1.0, -1.0, 0.0, 1.0, -p.real, 0.0] for p in poles[np.abs(poles.imag) <= 1e-12 * np.abs(poles)]]
    sections += [[1.0, -2.0, 1.0, 1.0, -2.0 * p.real, abs(p) ** 2] for p in upper]
    sos = np.array(sections)
    sos[0, :3] *= gain
    return sos


def _sos_response(sos: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Complex response of second-order sections at normalised angular frequencies ``w``."""
    z1 = np.exp(-1j * w)
    z2 = z1 * z1
    h = np.ones_like(z1)
    for b0, b1, b2, a0, a1, a2 in sos:
        h = h * (b0 + b1 * z1 + b2 * z2) / (a0 + a1 * z1 + a2 * z2)
    return h


def sos_response_db(sos: np.ndarray, freqs: np.ndarray, sr: int) -> np.ndarray:
    """Magnitude response in dB of second-order sections ``sos`` at ``freqs`` (Hz, checked) and ``sr`` (checked).

    What :meth:`Band.response` gives for the band's ``sos``, for a caller that already has them.

    Lesson: not yet taught
    """
    h = _sos_response(sos, 2.0 * np.pi * freqs / sr)
    return amp_to_db(np.abs(h), floor_db=RESPONSE_FLOOR_DB)


def _analog_mag2(num, den, x: np.ndarray) -> np.ndarray:
    """``|H(j x)|^2`` of ``H(s) = (n2 s^2 + n1 s + n0) / (d2 s^2 + d1 s + d0)``, ``x`` real."""
    n2, n1, n0 = num
    d2, d1, d0 = den
    x2 = x * x
    return ((n0 - n2 * x2) ** 2 + (n1 * x) ** 2) / ((d0 - d2 * x2) ** 2 + (d1 * x) ** 2)


def _check_freqs(freqs) -> np.ndarray:
    f = np.asarray(freqs, dtype=np.float64)
    if f.size and (not np.isfinite(f).all() or (f < 0).any()):
        raise ParameterError("freqs must be finite frequencies in Hz, 0 or above; try log_freqs().")
    return f


# --------------------------------------------------------------------------- matched design


def _phi(w) -> np.ndarray:
    """Vicanek's basis at normalised frequency ``w``: ``|B(e^jw)|^2 = B . phi(w)``."""
    s = np.sin(np.asarray(w, dtype=np.float64) / 2.0) ** 2
    return np.stack([1.0 - s, s, 4.0 * (1.0 - s) * s], axis=-1)


def _power_coeffs(p) -> np.ndarray:
    """``(P0, P1, P2)`` with ``|p0 + p1 z^-1 + p2 z^-2|^2 = P . phi(w)`` on the unit circle."""
    p0, p1, p2 = p
    return np.array([(p0 + p1 + p2) ** 2, (p0 - p1 + p2) ** 2, -4.0 * p0 * p2])


def _poly_from_power(P) -> np.ndarray | None:
    """The minimum-phase polynomial whose squared magnitude is ``P . phi``; None if none exists."""
    p0_, p1_, p2_ = (float(v) for v in P)
    scale = max(abs(p0_), abs(p1_), abs(p2_))
    tol = 1e-12 * scale
    if p0_ < -tol or p1_ < -tol:
        return None
    s0, s1 = math.sqrt(max(p0_, 0.0)), math.sqrt(max(p1_, 0.0))
    half_sum = 0.5 * (s0 + s1)  # = c0 + c2
    disc = half_sum * half_sum + p2_
    if disc < -tol * 4 or half_sum <= 0:
        return None
    c0 = 0.5 * (half_sum + math.sqrt(max(disc, 0.0)))
    return np.array([c0, 0.5 * (s0 - s1), -p2_ / (4.0 * c0)])


def _impulse_invariant_poles(den, w0: float) -> np.ndarray:
    """Denominator ``[1, a1, a2]`` whose poles are the analog poles mapped by ``z = exp(s T)``."""
    d2, d1, d0 = den
    roots = np.roots([d2, d1, d0]).astype(np.complex128) * w0
    z = np.exp(roots)
    return np.array([1.0, -float((z[0] + z[1]).real), float((z[0] * z[1]).real)])


def _fit_grid(w0: float) -> np.ndarray:
    lo = min(w0 * FIT_BAND[0], np.pi * FIT_BAND[1] / 2)
    return np.geomspace(lo, np.pi * FIT_BAND[1], FIT_POINTS)


def _fit_power(rows: np.ndarray, targets: np.ndarray, grid_rows: np.ndarray, grid_targets: np.ndarray):
    """Solve ``rows @ P = targets`` exactly and fit the remaining freedom by least squares.

    The fit minimises the relative error ``(grid_rows @ P - t) / t`` over the grid.
    """
    if rows.shape[0] >= 3:
        return np.linalg.solve(rows, targets)
    particular, *_ = np.linalg.lstsq(rows, targets, rcond=None)
    null = np.linalg.svd(rows)[2][rows.shape[0] :].T  # (3, free)
    weight = 1.0 / np.maximum(grid_targets, 1e-300)
    resid = (grid_rows @ particular - grid_targets) * weight
    basis = (grid_rows @ null) * weight[:, None]
    x, *_ = np.linalg.lstsq(basis, -resid, rcond=None)
    return particular + null @ x


def _matched_section(num, den, w0: float, dc_zeros: int) -> tuple[np.ndarray | None, np.ndarray]:
    """Matched-magnitude biquad ``(b, a)`` of the analog section ``num/den`` (s normalised to ``w0``).

    The poles come from impulse invariance; the numerator's squared magnitude equals the analog
    one at DC (with ``dc_zeros`` zeros there) and at ``w0``, and is least-squares fitted above.
    The numerator is None when no real polynomial has the fitted magnitude.
    """
    a = _impulse_invariant_poles(den, w0)
    a_pow = _power_coeffs(a)
    target = lambda w: _analog_mag2(num, den, np.asarray(w) / w0) * (_phi(w) @ a_pow)  # noqa: E731
    rows, targets = [], []
    if dc_zeros == 0:
        rows.append([1.0, 0.0, 0.0])
        targets.append(_analog_mag2(num, den, np.zeros(1))[0] * a_pow[0])
    if dc_zeros >= 1:
        rows.append([1.0, 0.0, 0.0])
        targets.append(0.0)
    if dc_zeros == 2:  # |B|^2 ~ w^4: the phi1 term vanishes as well
        rows.append([0.0, 1.0, 4.0])
        targets.append(0.0)
    rows.append(_phi(w0))
    targets.append(float(target(w0)))
    grid = _fit_grid(w0)
    power = _fit_power(np.array(rows), np.array(targets), _phi(grid), target(grid))
    return _poly_from_power(power), a


def _matched_notch(q: float, w0: float) -> tuple[np.ndarray, np.ndarray]:
    """Matched notch: zeros exactly at ``w0``; the poles fitted so the magnitude matches the analog
    notch at DC and in slope at the null (so the notch has the analog width), least squares above.
    """
    num, den = (1.0, 0.0, 1.0), (1.0, 1.0 / q, 1.0)
    b = np.array([1.0, -2.0 * math.cos(w0), 1.0])
    b_pow = _power_coeffs(b)
    # |A|^2 = |B|^2 / |H|^2; at w0 both vanish and the ratio tends to (slope of |B| / slope of |H|)^2.
    at_null = (w0 * math.sin(w0) / q) ** 2
    rows = np.array([[1.0, 0.0, 0.0], _phi(w0)])
    targets = np.array([b_pow[0], at_null])
    grid = _fit_grid(w0)
    grid = grid[np.abs(grid - w0) > 1e-3 * w0]
    grid_targets = (_phi(grid) @ b_pow) / _analog_mag2(num, den, grid / w0)
    a = _poly_from_power(_fit_power(rows, targets, _phi(grid), grid_targets))
    if a is None or a[0] <= 0:
        a = _impulse_invariant_poles(den, w0)
        b = b * (a.sum() / b.sum())
        return b, a
    return b / a[0], a / a[0]


# --------------------------------------------------------------------------- RBJ cookbook


def _rbj(kind: str, w0: float, q: float, gain_db: float = 0.0) -> tuple[list[float], list[float]]:
    """R. Bristow-Johnson, "Cookbook formulae for audio EQ biquad filter coefficients"."""
    cw, sw = math.cos(w0), math.sin(w0)
    alpha = sw / (2.0 * q)
    amp = 10.0 ** (gain_db / 40.0)
    if kind == "lowpass":
        return [(1 - cw) / 2, 1 - cw, (1 - cw) / 2], [1 + alpha, -2 * cw, 1 - alpha]
    if kind == "highpass":
        return [(1 + cw) / 2, -(1 + cw), (1 + cw) / 2], [1 + alpha, -2 * cw, 1 - alpha]
    if kind == "bandpass":
        return [alpha, 0.0, -alpha], [1 + alpha, -2 * cw, 1 - alpha]
    if kind == "notch":
        return [1.0, -2 * cw, 1.0], [1 + alpha, -2 * cw, 1 - alpha]
    if kind == "peak":
        return [1 + alpha * amp, -2 * cw, 1 - alpha * amp], [1 + alpha / amp, -2 * cw, 1 - alpha / amp]
    sq = 2.0 * math.sqrt(amp) * alpha
    if kind == "lowshelf":
        return (
            [
                amp * ((amp + 1) - (amp - 1) * cw + sq),
                2 * amp * ((amp - 1) - (amp + 1) * cw),
                amp * ((amp + 1) - (amp - 1) * cw - sq),
            ],
            [
                (amp + 1) + (amp - 1) * cw + sq,
                -2 * ((amp - 1) + (amp + 1) * cw),
                (amp + 1) + (amp - 1) * cw - sq,
            ],
        )
    if kind == "highshelf":
        return (
            [
                amp * ((amp + 1) + (amp - 1) * cw + sq),
                -2 * amp * ((amp - 1) + (amp + 1) * cw),
                amp * ((amp + 1) + (amp - 1) * cw - sq),
            ],
            [
                (amp + 1) - (amp - 1) * cw + sq,
                2 * ((amp - 1) - (amp + 1) * cw),
                (amp + 1) - (amp - 1) * cw - sq,
            ],
        )
    raise ValueError(kind)


# --------------------------------------------------------------------------- validation


def _check_freq(freq) -> None:
    _validate.in_range("freq", freq, MIN_FREQ, unit="Hz", hint="we hear from about 20 Hz upwards; try 1000")


def _check_q(q) -> None:
    _validate.in_range(
        "q", q, *Q_RANGE,
        hint="small q is a broad band (0.7 is about two octaves), large q a narrow one (10 is a surgical cut)",
    )


def _check_gain(gain_db) -> None:
    _validate.in_range(
        "gain_db", gain_db, -MAX_GAIN_DB, MAX_GAIN_DB, unit="dB",
        hint="EQ moves are usually within ±12 dB. For a bigger level change use a gain stage",
    )


def _check_design(design) -> None:
    _validate.one_of(
        "design", design, DESIGNS,
        hint="'matched' stays close to the analog filter up to Nyquist, 'rbj' is the Audio EQ Cookbook's "
        "bilinear design",
    )


def _check_bypass(bypass) -> None:
    _validate.flag("bypass", bypass)


_CHECKS = {
    "freq": _check_freq,
    "q": _check_q,
    "gain_db": _check_gain,
    "design": _check_design,
    "bypass": _check_bypass,
}


# --------------------------------------------------------------------------- bands


class Band:
    """What every EQ band can do: filter audio, give its sections and its responses.

    Subclasses are dataclasses with ``freq`` (Hz), ``q``, ``design`` and ``bypass`` fields (and
    ``gain_db`` or ``order`` where they apply). Every parameter is checked when it is set;
    ``freq`` is checked against the Nyquist frequency when the band meets a sample rate.

    Lesson: not yet taught
    """

    kind = ""

    def __setattr__(self, name, value):
        check = _CHECKS.get(name)
        if check is not None:
            check(value)
        if name in ("q", "order") and getattr(self, "_ready", False):
            old = getattr(self, name)
            object.__setattr__(self, name, value)
            try:
                self._check_together()
            except ParameterError:
                object.__setattr__(self, name, old)
                raise
        else:
            object.__setattr__(self, name, value)

    def __post_init__(self):
        self._check_together()
        object.__setattr__(self, "_ready", True)

    def _check_together(self) -> None:
        """Checks that involve more than one field (none by default)."""

    # -- the filter

    def _w0(self, sr) -> float:
        sr = check_sr(sr)
        nyquist = sr / 2.0
        if not self.freq < nyquist:
            raise ParameterError(
                f"freq = {self.freq:g} Hz is {'at' if self.freq == nyquist else 'above'} the Nyquist frequency "
                f"({nyquist:g} Hz at sr = {sr}); pick a frequency below {nyquist:g} Hz."
            )
        return 2.0 * math.pi * float(self.freq) / sr

    def _analog_sections(self) -> list[tuple[tuple, tuple]]:
        """The s-domain prototype as ``(num, den)`` pairs in powers ``(s^2, s, 1)``, ``s`` normalised to freq."""
        raise NotImplementedError

    def _matched_sections(self, w0: float) -> list[tuple[np.ndarray, np.ndarray]]:
        raise NotImplementedError

    def _rbj_sections(self, w0: float) -> list[tuple[list[float], list[float]]]:
        raise NotImplementedError

    def sos(self, sr) -> np.ndarray:
        """Second-order sections ``(k, 6)`` = ``[b0, b1, b2, 1, a1, a2]`` per row, for ``scipy.signal.sosfilt``.

        A bypassed band still returns its sections; :class:`EQ` leaves it out.

        Lesson: not yet taught
        """
        w0 = self._w0(sr)
        sections = self._rbj_sections(w0) if self.design == "rbj" else self._matched_sections(w0)
        rows = []
        for b, a in sections:
            b = np.asarray(b, dtype=np.float64)
            a = np.asarray(a, dtype=np.float64)
            rows.append(np.concatenate([b / a[0], a / a[0]]))
        return np.array(rows, dtype=np.float64)

    def response(self, freqs, sr) -> np.ndarray:
        """Magnitude response in dB of the digital filter at ``freqs`` (Hz); 0 dB when bypassed.

        Lesson: course/09-mixing.ipynb
        """
        f = _check_freqs(freqs)
        if self.bypass:
            self._w0(sr)
            return np.zeros(f.shape)
        sr = check_sr(sr)
        return sos_response_db(self.sos(sr), f, sr)

    def analog_response(self, freqs) -> np.ndarray:
        """Magnitude response in dB of the analog (s-domain) prototype at ``freqs`` (Hz).

        It is what both digital designs approximate; the difference near Nyquist is "cramping".

        Lesson: not yet taught
        """
        x = _check_freqs(freqs) / float(self.freq)
        power = np.ones(x.shape)
        for num, den in self._analog_sections():
            power = power * _analog_mag2(num, den, x)
        return amp_to_db(np.sqrt(power), floor_db=RESPONSE_FLOOR_DB)

    def __call__(self, y, sr) -> np.ndarray:
        """Filter audio ``y`` (mono ``(n,)`` or ``(channels, n)``) at sample rate ``sr``; float32 out."""
        return _filter(y, sr, self.sos(sr), self.bypass)


def _filter(y, sr, sos: np.ndarray, bypass: bool) -> np.ndarray:
    y = ensure_audio(y)
    check_sr(sr)
    if bypass or sos.shape[0] == 0:
        return y.copy()
    return like_input(filter_sos(sos, as_channels(y)), y)


def _cascade_biquads_py(sos, split, x, mid, out):
    """Run ``x`` (channels, n) through the biquads ``sos`` (k, 6), a0 = 1: sections ``[0, split)``
    into ``mid``, then from ``mid`` on through sections ``[split, k)`` into ``out``.

    Direct Form II transposed, as ``scipy.signal.sosfilt``; float64 arithmetic and state,
    float32 samples in and out. ``mid`` is rounded to float32 and the later sections start from
    it, so ``out`` is bit for bit what a second pass over ``mid`` would give. Every section of a
    sample is computed before the next sample, and channels go two at a time, so the sections'
    and the channels' recursions overlap in the CPU instead of running one after another.
    """
    channels, n = x.shape
    k = sos.shape[0]
    c = 0
    while c + 1 < channels:
        z = np.zeros((k, 2, 2))  # [section, z1 or z2, channel]: a pair's states side by side
        for i in range(n):
            va = np.float64(x[c, i])
            vb = np.float64(x[c + 1, i])
            for part in range(2):
                lo, hi = (0, split) if part == 0 else (split, k)
                for s in range(lo, hi):
                    b0, b1, b2, a1, a2 = sos[s, 0], sos[s, 1], sos[s, 2], sos[s, 4], sos[s, 5]
                    wa = b0 * va + z[s, 0, 0]
                    wb = b0 * vb + z[s, 0, 1]
                    z[s, 0, 0] = b1 * va - a1 * wa + z[s, 1, 0]
                    z[s, 0, 1] = b1 * vb - a1 * wb + z[s, 1, 1]
                    z[s, 1, 0] = b2 * va - a2 * wa
                    z[s, 1, 1] = b2 * vb - a2 * wb
                    va = wa
                    vb = wb
                ra = np.float32(va)
                rb = np.float32(vb)
                if part == 0:
                    mid[c, i] = ra
                    mid[c + 1, i] = rb
                    va = np.float64(ra)
                    vb = np.float64(rb)
                else:
                    out[c, i] = ra
                    out[c + 1, i] = rb
        c += 2
    if c < channels:  # an odd channel left over
        z1 = np.zeros(k)
        z2 = np.zeros(k)
        for i in range(n):
            v = np.float64(x[c, i])
            for part in range(2):
                lo, hi = (0, split) if part == 0 else (split, k)
                for s in range(lo, hi):
                    w = sos[s, 0] * v + z1[s]
                    z1[s] = sos[s, 1] * v - sos[s, 4] * w + z2[s]
                    z2[s] = sos[s, 2] * v - sos[s, 5] * w
                    v = w
                r = np.float32(v)
                if part == 0:
                    mid[c, i] = r
                    v = np.float64(r)
                else:
                    out[c, i] = r


@cache
def _cascade_kernel():
    """The numba-compiled cascade (compiled on first use, cached on disk); None without numba."""
    try:
        from numba import njit
    except ImportError:  # pragma: no cover - numba is a dependency; sosfilt is the fallback
        return None
    return njit(cache=True, nogil=True)(_cascade_biquads_py)


def _is_identity(sos: np.ndarray) -> np.ndarray:
    """Which rows of ``sos`` (a0 = 1) pass the signal unchanged: ``[1, 0, 0, 1, 0, 0]`` (a flat band)."""
    return (sos[:, 0] == 1.0) & (sos[:, 1] == 0.0) & (sos[:, 2] == 0.0) & (sos[:, 4] == 0.0) & (sos[:, 5] == 0.0)


def filter_sos(sos: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Filter float32 ``x`` of shape ``(channels, n)`` through second-order sections ``sos`` (k, 6).

    The same result as ``scipy.signal.sosfilt(sos, x, axis=-1)`` in float64 (to about 1e-7 of
    full scale), returned as float32 ``(channels, n)``, about twice as fast: a numba kernel when
    numba is available, ``sosfilt`` otherwise. With no section it returns a copy.

    Lesson: not yet taught
    """
    return _filter_split(sos, 0, x)[1]


def filter_sos_split(sos: np.ndarray, split: int, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Filter ``x`` through the first ``split`` sections of ``sos``, then on through the rest, in one pass.

    Returns ``(mid, out)``, float32 ``(channels, n)``: ``mid`` is ``filter_sos(sos[:split], x)``
    and ``out`` is ``filter_sos(sos[split:], mid)``, bit for bit, for the price of about one pass
    (an explorer keeps ``mid``, the clip through the bands that did not change). Flat sections
    (``[1, 0, 0, 1, 0, 0]``, a band at 0 dB) are skipped: they pass finite samples unchanged.

    Lesson: not yet taught
    """
    mid, out = _filter_split(sos, split, x)
    return mid, (out.copy() if out is mid else out)


def _filter_split(sos, split, x) -> tuple[np.ndarray, np.ndarray]:
    """``filter_sos_split``, where ``out`` may be ``mid`` itself when no section follows the split."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    sos = np.ascontiguousarray(sos, dtype=np.float64)
    if x.ndim != 2:
        raise ParameterError(f"filter_sos takes audio of shape (channels, n) (got shape {x.shape}).")
    split = int(split)
    if not 0 <= split <= sos.shape[0]:
        raise ParameterError(f"split must be from 0 to the number of sections, {sos.shape[0]} (got {split}).")
    sos = sos / sos[:, 3:4]
    keep = ~_is_identity(sos)
    split = int(keep[:split].sum())
    sos = np.ascontiguousarray(sos[keep])
    first, rest = sos[:split], sos[split:]
    kernel = _cascade_kernel()
    if kernel is None:  # pragma: no cover
        from scipy.signal import sosfilt  # scipy.signal takes about a second to import: only when filtering

        def run(part, audio):
            if part.shape[0] == 0:
                return audio.copy()
            return sosfilt(part, audio.astype(np.float64), axis=-1).astype(np.float32)

        mid = run(first, x)
        return mid, run(rest, mid)
    if sos.shape[0] == 0:
        return x.copy(), x.copy()
    mid = np.empty_like(x)
    out = np.empty_like(x) if rest.shape[0] else mid
    kernel(sos, split, _kernel_input(x), mid, out)
    return mid, out


def _default_padlen(sos: np.ndarray) -> int:
    """The samples :func:`filter_sos_zero_phase` adds at each end by default: three times the filter's taps,
    counted as ``scipy.signal.sosfiltfilt`` counts them (``2 k + 1`` for ``k`` sections, less the trailing
    zero coefficients all sections share), so the default padding is scipy's."""
    sos = np.asarray(sos)
    return 3 * (2 * len(sos) + 1 - min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum())))


def filter_sos_zero_phase(sos: np.ndarray, x: np.ndarray, padlen: int | None = None) -> np.ndarray:
    """Filter ``x`` of shape ``(channels, n)`` through ``sos`` forwards, then backwards: no phase shift.

    ``scipy.signal.sosfiltfilt(sos, x, axis=-1, padlen=padlen)``'s result (measured within 2.2e-7
    of the clip's peak), as float32 ``(channels, n)``: each end is extended by ``padlen`` samples
    mirrored through the end sample (default three times scipy's count of the filter's taps), and each pass
    starts in the steady state of its first sample, so the clip's edges do not ring. The magnitude
    response is the filter's squared. Both passes run :func:`filter_sos`; by linearity, starting in
    the steady state of ``x0`` equals ``x0`` times the DC gain plus filtering ``x - x0`` from rest.

    Raises:
        ParameterError: ``x`` not of shape ``(channels, n)``, ``sos`` not of shape ``(k, 6)``, a
            section with a pole at DC (no steady state), or ``padlen`` not a whole number below ``n``.

    Lesson: not yet taught
    """
    sos = np.asarray(sos, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ParameterError(f"filter_sos_zero_phase takes audio of shape (channels, n) (got shape {x.shape}).")
    if sos.ndim != 2 or sos.shape[1] != 6 or np.any(sos[:, 3] == 0.0):
        raise ParameterError(f"sos must be second-order sections of shape (k, 6) with a0 != 0 (got {sos.shape}).")
    sos = sos / sos[:, 3:4]
    dens = sos[:, 3:].sum(axis=1)
    if np.any(dens == 0.0):
        raise ParameterError("a section has a pole at DC, so the filter has no steady state to start from: "
                             "zero-phase filtering needs a stable filter.")
    n = x.shape[1]
    edge = _default_padlen(sos) if padlen is None else _validate.whole("padlen", padlen, 0,
                                                                        hint="scipy's default is 3 x taps")
    if n <= edge:
        raise ParameterError(f"the clip has {n} samples: zero-phase filtering extends each end by padlen={edge} "
                             "samples of the clip itself, so give a longer clip or a smaller padlen.")
    if edge:
        x = np.concatenate([2.0 * x[:, :1] - x[:, edge:0:-1], x, 2.0 * x[:, -1:] - x[:, -2 : -edge - 2 : -1]], axis=1)
    dc_gain = float(np.prod(sos[:, :3].sum(axis=1) / dens))
    x0 = x[:, :1]
    ahead = filter_sos(sos, (x - x0).astype(np.float32)).astype(np.float64)  # the forward pass minus dc_gain * x0
    y0 = dc_gain * x0 + ahead[:, -1:]  # the forward pass's last sample: where the backward pass starts
    back = filter_sos(sos, (ahead[:, ::-1] - ahead[:, -1:]).astype(np.float32)).astype(np.float64)
    out = (dc_gain * y0 + back)[:, ::-1]
    return np.ascontiguousarray(out[:, edge : edge + n], dtype=np.float32)


class _PassFilter(Band):
    def _check_together(self) -> None:
        _validate.one_of("order", self.order, ORDERS, hint=_ORDER_HINT)
        if self.order != 2 and not math.isclose(self.q, BUTTERWORTH_Q, rel_tol=1e-3):
            raise ParameterError(
                f"q only shapes order-2 filters; order {self.order} is a Butterworth cascade (flat, "
                f"-3 dB at freq) with fixed section Qs, so leave q at {BUTTERWORTH_Q:.4f} (got q = {self.q:g}). "
                "For a resonant cutoff use order=2 with a higher q."
            )

    def _qs(self) -> tuple[float, ...]:
        return (float(self.q),) if self.order == 2 else butterworth_qs(self.order)

    def _analog_sections(self):
        num = (0.0, 0.0, 1.0) if self.kind == "lowpass" else (1.0, 0.0, 0.0)
        return [(num, (1.0, 1.0 / q, 1.0)) for q in self._qs()]

    def _matched_sections(self, w0):
        dc_zeros = 0 if self.kind == "lowpass" else 2
        sections = []
        for q, (num, den) in zip(self._qs(), self._analog_sections(), strict=True):
            b, a = (
                (None, None)
                if dc_zeros == 0 and w0 < LOWPASS_MATCHED_ABOVE
                else _matched_section(num, den, w0, dc_zeros)
            )
            sections.append((b, a) if b is not None else _rbj(self.kind, w0, q))
        return sections

    def _rbj_sections(self, w0):
        return [_rbj(self.kind, w0, q) for q in self._qs()]


@dataclass(eq=True)
class HighPass(_PassFilter):
    """High-pass filter: removes rumble and mud below ``freq``, 12 dB/oct per order 2.

    ``order`` 2, 4, 6, 8 gives 12, 24, 36, 48 dB per octave. Order 2 is the analog
    ``s^2 / (s^2 + s/q + 1)``, its ``q`` setting the bump at the cutoff (0.7071 is flat,
    Butterworth). Orders 4-8 are Butterworth cascades (each section's Q from the pole angles,
    see :func:`butterworth_qs`), -3 dB at ``freq``; ``q`` must stay at its default there.

    Lessons: 00, 01, 04
    """

    freq: float
    q: float = BUTTERWORTH_Q
    order: int = 2
    design: str = "matched"
    bypass: bool = False
    kind = "highpass"


@dataclass(eq=True)
class LowPass(_PassFilter):
    """Low-pass filter: removes hiss and harshness above ``freq``, 12 dB/oct per order 2.

    ``order`` 2, 4, 6, 8 gives 12, 24, 36, 48 dB per octave. Order 2 is the analog
    ``1 / (s^2 + s/q + 1)``, its ``q`` setting the bump at the cutoff (0.7071 is flat,
    Butterworth). Orders 4-8 are Butterworth cascades (each section's Q from the pole angles,
    see :func:`butterworth_qs`), -3 dB at ``freq``; ``q`` must stay at its default there.

    Lesson: course/01-eq.ipynb
    """

    freq: float
    q: float = BUTTERWORTH_Q
    order: int = 2
    design: str = "matched"
    bypass: bool = False
    kind = "lowpass"


class _GainBand(Band):
    """Bands with a gain: matched designs build the boost and invert it for a cut."""

    def _boost_sections(self, amp: float):
        """``(num, den)`` of the prototype for linear amplitude ``amp`` = 10^(|gain_db|/40) >= 1."""
        raise NotImplementedError

    #: True when the boost's poles are the low, resonant pair (design the boost, invert for cuts).
    design_boost = True

    def _analog_sections(self):
        amp = 10.0 ** (abs(self.gain_db) / 40.0)
        num, den = self._boost_sections(amp)
        return [(num, den) if self.gain_db >= 0 else (den, num)]

    def _matched_sections(self, w0):
        if self.gain_db == 0:
            return [(np.array([1.0, 0.0, 0.0]), np.array([1.0, 0.0, 0.0]))]
        amp = 10.0 ** (abs(self.gain_db) / 40.0)
        num, den = self._boost_sections(amp)
        if not self.design_boost:
            num, den = den, num
        b, a = _matched_section(num, den, w0, 0)
        if b is None:
            return self._rbj_sections(w0)
        return [(b, a) if (self.gain_db > 0) == self.design_boost else (a, b)]

    def _rbj_sections(self, w0):
        return [_rbj(self.kind, w0, float(self.q), float(self.gain_db))]


@dataclass(eq=True)
class Peak(_GainBand):
    """Peaking (bell) EQ: boost or cut ``gain_db`` around ``freq``, ``q`` wide.

    The analog prototype is the cookbook's ``(s^2 + s A/q + 1) / (s^2 + s/(A q) + 1)`` with
    ``A = 10^(gain_db/40)``: exactly ``gain_db`` at ``freq``, and a cut is the inverse of the boost.

    Lessons: 00, 01
    """

    freq: float
    gain_db: float = 0.0
    q: float = 1.0
    design: str = "matched"
    bypass: bool = False
    kind = "peak"

    def _boost_sections(self, amp):
        q = float(self.q)
        return (1.0, amp / q, 1.0), (1.0, 1.0 / (amp * q), 1.0)


@dataclass(eq=True)
class LowShelf(_GainBand):
    """Low shelf: raise or lower everything below ``freq`` by ``gain_db``.

    The analog prototype is the cookbook's ``A (s^2 + s sqrt(A)/q + A) / (A s^2 + s sqrt(A)/q + 1)``,
    half the gain at ``freq``; ``q`` 0.7071 is the steepest shelf without overshoot. The matched
    design uses the same recipe as the other bands (the boost's poles, at ``freq / sqrt(A)``,
    by impulse invariance; a cut is the inverse of the boost).

    Lesson: course/01-eq.ipynb
    """

    freq: float
    gain_db: float = 0.0
    q: float = BUTTERWORTH_Q
    design: str = "matched"
    bypass: bool = False
    kind = "lowshelf"

    def _boost_sections(self, amp):
        k = math.sqrt(amp) / float(self.q)
        return (amp, amp * k, amp * amp), (amp, k, 1.0)


@dataclass(eq=True)
class HighShelf(_GainBand):
    """High shelf: raise or lower everything above ``freq`` by ``gain_db`` ("air", or taming harshness).

    The analog prototype is the cookbook's ``A (A s^2 + s sqrt(A)/q + 1) / (s^2 + s sqrt(A)/q + A)``,
    half the gain at ``freq``. The matched design builds the cut, whose poles (at ``freq / sqrt(A)``)
    stay below Nyquist, by impulse invariance, and inverts it for a boost.

    Lessons: 00, 01
    """

    freq: float
    gain_db: float = 0.0
    q: float = BUTTERWORTH_Q
    design: str = "matched"
    bypass: bool = False
    kind = "highshelf"
    design_boost = False

    def _boost_sections(self, amp):
        k = math.sqrt(amp) / float(self.q)
        return (amp * amp, amp * k, amp), (1.0, k, amp)


@dataclass(eq=True)
class Notch(Band):
    """Notch: removes a narrow band around ``freq`` completely (a hum, a ringing resonance).

    Analog prototype ``(s^2 + 1) / (s^2 + s/q + 1)``; the higher ``q``, the narrower the notch.
    The matched design puts the zeros exactly at ``freq`` and fits the poles so the notch has the
    analog width and the analog level elsewhere.

    Lesson: course/01-eq.ipynb
    """

    freq: float
    q: float = 10.0
    design: str = "matched"
    bypass: bool = False
    kind = "notch"

    def _analog_sections(self):
        return [((1.0, 0.0, 1.0), (1.0, 1.0 / float(self.q), 1.0))]

    def _matched_sections(self, w0):
        return [_matched_notch(float(self.q), w0)]

    def _rbj_sections(self, w0):
        return [_rbj("notch", w0, float(self.q))]


@dataclass(eq=True)
class BandPass(Band):
    """Band-pass: keeps only a band around ``freq`` (0 dB at ``freq``), for telephone or solo-a-band effects.

    Analog prototype ``(s/q) / (s^2 + s/q + 1)`` (the cookbook's constant 0 dB peak gain).

    Lesson: course/01-eq.ipynb
    """

    freq: float
    q: float = 1.0
    design: str = "matched"
    bypass: bool = False
    kind = "bandpass"

    def _analog_sections(self):
        q = float(self.q)
        return [((0.0, 1.0 / q, 0.0), (1.0, 1.0 / q, 1.0))]

    def _matched_sections(self, w0):
        num, den = self._analog_sections()[0]
        b, a = _matched_section(num, den, w0, 1)
        return [(b, a)] if b is not None else self._rbj_sections(w0)

    def _rbj_sections(self, w0):
        return [_rbj("bandpass", w0, float(self.q))]


BAND_TYPES = (HighPass, LowPass, LowShelf, HighShelf, Peak, Notch, BandPass)


# --------------------------------------------------------------------------- the chain


@dataclass(eq=True)
class EQ(MutableSequence):
    """A chain of EQ bands, run in one pass: ``EQ([HighPass(80), Peak(3000, gain_db=-4, q=2)])(y, sr)``.

    It behaves like a list of bands (``len``, indexing, iteration, ``append``, ``insert``,
    ``del``); ``bypass=True`` (or a band's own ``bypass``) takes bands out. All active bands'
    second-order sections go through one :func:`filter_sos` pass (the sosfilt recursion, in float64 inside).

    Lesson: course/01-eq.ipynb
    """

    bands: list = field(default_factory=list)
    bypass: bool = False

    def __post_init__(self):
        _check_bypass(self.bypass)
        if isinstance(self.bands, Band):
            raise ParameterError("EQ takes a list of bands: EQ([band]), not EQ(band).")
        try:
            bands = list(self.bands)
        except TypeError:
            raise ParameterError(
                f"EQ takes a list of bands, such as EQ([HighPass(80)]) (got {self.bands!r})."
            ) from None
        for i, band in enumerate(bands):
            _check_band(band, i)
        self.bands = bands

    # -- list behaviour

    def __len__(self) -> int:
        return len(self.bands)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return EQ(self.bands[index], bypass=self.bypass)
        return self.bands[index]

    def __setitem__(self, index, band):
        if isinstance(index, slice):
            band = list(band)
            for b in band:
                _check_band(b, index)
        else:
            _check_band(band, index)
        self.bands[index] = band

    def __delitem__(self, index):
        del self.bands[index]

    def insert(self, index: int, band) -> None:
        """Insert ``band`` before position ``index``."""
        _check_band(band, index)
        self.bands.insert(index, band)

    # -- the filter

    def active(self) -> list[Band]:
        """The bands that process audio: none when the EQ is bypassed, else the non-bypassed bands.

        Lesson: not yet taught
        """
        return [] if self.bypass else [b for b in self.bands if not b.bypass]

    def sos(self, sr) -> np.ndarray:
        """All active bands' second-order sections stacked, shape ``(k, 6)`` (``k`` may be 0).

        Lesson: not yet taught
        """
        parts = [b.sos(sr) for b in self.active()]
        check_sr(sr)
        return np.concatenate(parts) if parts else np.zeros((0, 6))

    def __call__(self, y, sr) -> np.ndarray:
        """Filter ``y`` (mono ``(n,)`` or ``(channels, n)``) through every active band; float32 out.

        With no active band the result is a copy of the input.
        """
        return _filter(y, sr, self.sos(sr), False)

    def response(self, freqs, sr) -> np.ndarray:
        """Magnitude response in dB at ``freqs`` (Hz): the sum of the active bands' responses.

        Lesson: not yet taught
        """
        f = _check_freqs(freqs)
        total = np.zeros(f.shape)
        check_sr(sr)
        for band in self.active():
            total = total + band.response(f, sr)
        return total

    def analog_response(self, freqs) -> np.ndarray:
        """Sum of the active bands' analog-prototype responses in dB at ``freqs`` (Hz).

        Lesson: not yet taught
        """
        f = _check_freqs(freqs)
        total = np.zeros(f.shape)
        for band in self.active():
            total = total + band.analog_response(f)
        return total


def _check_band(band, position) -> None:
    if not isinstance(band, Band):
        names = ", ".join(t.__name__ for t in BAND_TYPES)
        raise ParameterError(
            f"EQ bands must be band objects ({names}), such as Peak(1000, gain_db=3); "
            f"got {band!r} at position {position}."
        )


__all__ = [
    "BAND_TYPES",
    "EQ",
    "BandPass",
    "Band",
    "HighPass",
    "HighShelf",
    "LowPass",
    "LowShelf",
    "Notch",
    "Peak",
    "butterworth_bandpass_sos",
    "butterworth_highpass_sos",
    "butterworth_qs",
    "filter_sos",
    "filter_sos_split",
    "filter_sos_zero_phase",
    "log_freqs",
    "sos_response_db",
]
