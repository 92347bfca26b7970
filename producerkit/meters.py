"""Meters: BS.1770-4 loudness (momentary, short-term, integrated, LRA), true peak, RMS, crest, correlation.

Loudness follows ITU-R BS.1770-4 and EBU R 128 (Tech 3341 for the meter, Tech 3342 for the
loudness range):

* **K-weighting**: a +4 dB high shelf (the head) and a 38 Hz high-pass (RLB), designed for any
  sample rate from the analog prototype behind the standard's 48 kHz table, so that at 48 kHz
  it reproduces the published coefficients and at 44.1 kHz (or 96 kHz) it has the same curve.
* **Momentary** loudness over 400 ms and **short-term** loudness over 3 s, both every 100 ms.
* **Integrated** loudness over 400 ms blocks (75 % overlap) gated at -70 LUFS (absolute) and
  10 LU under the ungated level (relative).
* **Loudness range** (LRA, Tech 3342): the spread between the 10th and the 95th percentile of
  the short-term loudness, gated at -70 LUFS and 20 LU under its level.
* **True peak** (BS.1770-4 Annex 2): the peak of the signal oversampled 4x, which catches the
  overs that appear between samples when a DAC or a codec reconstructs the waveform.

Lessons: 01, 02, 04
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from ._validate import in_range, whole
from .audio import SILENCE_DB, _kernel_input, amp_to_db, as_channels, check_sr, ensure_audio
from .errors import AudioError

#: Blocks quieter than this never count towards integrated loudness or LRA (BS.1770-4, Tech 3342).
ABSOLUTE_GATE_LUFS = -70.0
#: Integrated loudness ignores blocks more than 10 LU under the absolute-gated level (BS.1770-4).
RELATIVE_GATE_LU = -10.0
#: Loudness range ignores short-term values more than 20 LU under their level (EBU Tech 3342).
LRA_RELATIVE_GATE_LU = -20.0
#: The percentiles of the gated short-term loudness whose distance is the loudness range.
LRA_PERCENTILES = (10.0, 95.0)
#: Momentary window, short-term window and the hop between readings, in seconds.
MOMENTARY_S, SHORT_TERM_S, HOP_S = 0.4, 3.0, 0.1
#: Lowest sample rate loudness is measured at: the K-weighting shelf sits at 1.7 kHz.
MIN_LOUDNESS_SR = 8000

# BS.1770-4 defines mean square → LKFS as -0.691 + 10 log10(sum_i G_i z_i); the offset makes a
# 997 Hz sine read its RMS level through the K-weighting.
_LKFS_OFFSET = -0.691

# ITU-R BS.1770-4, Annex 1, Tables 1 and 2: the two K-weighting stages at 48 kHz (a0 = 1).
_BS1770_SHELF_48K = (
    (1.53512485958697, -2.69169618940638, 1.19839281085285),
    (1.0, -1.69065929318241, 0.73248077421585),
)
_BS1770_HIGHPASS_48K = ((1.0, -2.0, 1.0), (1.0, -1.99004745483398, 0.99007225036621))

# BS.1770 channel weights: L, R, C 1.0 (0 dB); Ls, Rs 1.41 (+1.5 dB); LFE not measured.
_WEIGHTS_5_0 = (1.0, 1.0, 1.0, 1.41, 1.41)
_WEIGHTS_5_1 = (1.0, 1.0, 1.0, 0.0, 1.41, 1.41)

# True-peak interpolator: 4x oversampling with a Kaiser-windowed sinc, 16 taps per phase
# (BS.1770-4 Annex 2 shows a 48-tap example; any interpolator within Tech 3341's tolerance will
# do). Flat within 0.05 dB up to 0.4 fs, so the 4x grid itself (at most -0.55 dB just under
# Nyquist) is the main under-read, as with the standard's filter.
_OVERSAMPLING = 4
_TP_HALF_TAPS = 8
_TP_KAISER_BETA = 5.0
# Blocks of samples the true-peak search skips or measures as a whole.
_TP_BLOCK = 512


# --------------------------------------------------------------------------- K-weighting


def _prototype_from_biquad(b, a, sr: float) -> tuple[float, float, float, float, float]:
    """Invert a prewarped bilinear transform: digital biquad at ``sr`` → analog prototype.

    The prototype is H(s) = (vh s² + vb s/q + vl) / (s² + s/q + 1) with s normalised to
    2π f0; :func:`_biquad_from_prototype` maps it back to any sample rate. This is the idea of
    Brecht De Man's derivation of the BS.1770 filters, solved exactly instead of fitted, so the
    48 kHz table is reproduced to rounding.
    """
    b0, b1, b2 = (float(v) for v in b)
    _, a1, a2 = (float(v) for v in a)
    k2 = (1.0 + a1 + a2) / (1.0 - a1 + a2)  # K = tan(pi f0 / sr)
    d = 4.0 / (1.0 - a1 + a2)  # 1 + K/q + K²
    k_over_q = 2.0 * (1.0 - a2) / (1.0 - a1 + a2)
    k = math.sqrt(k2)
    f0 = sr * math.atan(k) / math.pi
    q = k / k_over_q
    vh = (b0 + b2 - b1) * d / 4.0
    vl = (b0 + b2 + b1) * d / (4.0 * k2)
    vb = (b0 - b2) * d / (2.0 * k_over_q)
    return f0, q, vh, vb, vl


def _biquad_from_prototype(f0: float, q: float, vh: float, vb: float, vl: float, sr: float) -> np.ndarray:
    """Bilinear transform of the analog prototype, prewarped at ``f0``: one SOS row (b, a)."""
    k = math.tan(math.pi * f0 / sr)
    d = 1.0 + k / q + k * k
    b = (vh + vb * k / q + vl * k * k, 2.0 * (vl * k * k - vh), vh - vb * k / q + vl * k * k)
    a = (d, 2.0 * (k * k - 1.0), 1.0 - k / q + k * k)
    return np.array([*b, *a], dtype=np.float64) / d


_SHELF_PROTOTYPE = _prototype_from_biquad(*_BS1770_SHELF_48K, 48000.0)
_HIGHPASS_PROTOTYPE = _prototype_from_biquad(*_BS1770_HIGHPASS_48K, 48000.0)


@cache
def _k_weighting(sr: int) -> np.ndarray:
    sos = np.stack([_biquad_from_prototype(*_SHELF_PROTOTYPE, sr), _biquad_from_prototype(*_HIGHPASS_PROTOTYPE, sr)])
    sos.setflags(write=False)
    return sos


@cache
def _k_weighting_polynomials(sr: int) -> tuple[np.ndarray, np.ndarray]:
    """The K-weighting cascade as one 4th-order filter (b, a), for the energy kernel."""
    sos = _k_weighting(sr)
    return np.convolve(sos[0, :3], sos[1, :3]), np.convolve(sos[0, 3:], sos[1, 3:])


def k_weighting(sr: int) -> np.ndarray:
    """The BS.1770-4 K-weighting filter at ``sr`` as second-order sections, shape ``(2, 6)``.

    Row 0 is the high shelf (+4 dB above about 2 kHz, the acoustic effect of the head), row 1
    the high-pass (the "revised low-frequency B" curve, -3 dB near 40 Hz). Each row is
    ``b0, b1, b2, a0, a1, a2`` with ``a0 = 1``, ready for ``scipy.signal.sosfilt`` or
    ``scipy.signal.sosfreqz``. At 48 kHz it equals the standard's table; at other rates it is the
    same analog curve, bilinear-transformed with prewarping.

    Lesson: not yet taught
    """
    sr = _check_loudness_sr(sr)
    return _k_weighting(sr).copy()


def channel_weights(channels: int) -> np.ndarray:
    """BS.1770-4 channel weights for ``channels`` channels.

    Mono and stereo weigh 1.0 per channel. Five channels are read as 5.0 in the order
    L, R, C, Ls, Rs and weigh 1, 1, 1, 1.41, 1.41 (the surrounds +1.5 dB); six channels as 5.1
    in ITU order L, R, C, LFE, Ls, Rs, with the LFE left out (weight 0). Any other count weighs
    1.0 per channel, because BS.1770 defines no layout for it.

    Lesson: not yet taught
    """
    channels = whole("channels", channels, 1)
    if channels == 5:
        return np.array(_WEIGHTS_5_0)
    if channels == 6:
        return np.array(_WEIGHTS_5_1)
    return np.ones(int(channels))


def _check_loudness_sr(sr) -> int:
    return whole(
        "sr", check_sr(sr), MIN_LOUDNESS_SR, unit="Hz",
        hint="loudness meters need it, as the K-weighting shelf sits at 1.7 kHz. "
        "Resample first with producerkit.audio.resample(y, sr, 48000)",
    )


# --------------------------------------------------------------------------- numba kernels


@cache
def _kernels():
    """Compile (or load from numba's cache) the three loops that cannot be vectorised."""
    from numba import njit

    # "contract" lets LLVM fuse multiply-adds (a shorter recursion) without reordering anything.
    @njit(cache=True, fastmath={"contract"})
    def kweighted_energy(x, b, a, bounds, peak_block, peaks):
        # Sum of squares of the K-weighted signal between consecutive bounds, per channel; and, when
        # ``peaks`` has room for them, each channel's sample peak per block of ``peak_block`` samples
        # (found in the segment just read, while it is in cache: the true-peak search needs them, and a
        # pass of its own over the audio costs as much as reading it).
        # The cascade runs as one 4th-order filter: its FIR part over a segment at a time (a loop
        # the compiler vectorises), then the all-pole recursion, ordered so that the newest output
        # enters last (one fused multiply-add on the loop-carried path), two channels at a time
        # so that their recursions overlap in the pipeline. Nothing else is stored.
        channels, _ = x.shape
        segments = bounds.shape[0] - 1
        out = np.zeros((channels, segments))
        b0, b1, b2, b3, b4 = b[0], b[1], b[2], b[3], b[4]
        a1, a2, a3, a4 = a[1], a[2], a[3], a[4]
        longest = 0
        for k in range(segments):
            longest = max(longest, bounds[k + 1] - bounds[k])
        buf = np.zeros((2, longest + 4))
        with_peaks = peaks.shape[1] > 0
        for first in range(0, channels, 2):
            count = min(2, channels - first)
            p1 = p2 = p3 = p4 = 0.0
            q1 = q2 = q3 = q4 = 0.0
            for k in range(segments):
                start = bounds[k]
                m = bounds[k + 1] - start
                for j in range(2):
                    f = buf[j]
                    if j >= count:  # an odd channel count: the second lane filters silence
                        f[:m] = 0.0
                        continue
                    row = x[first + j]
                    for i in range(4):  # the four inputs before the segment (zeros before the clip)
                        f[i] = row[start - 4 + i] if start - 4 + i >= 0 else 0.0
                    segment = row[start : start + m]
                    for i in range(m):
                        f[i + 4] = segment[i]
                    if with_peaks:
                        for blk in range(start // peak_block, (start + m - 1) // peak_block + 1):
                            part = row[max(blk * peak_block, start) : min((blk + 1) * peak_block, start + m)]
                            top = np.float32(0.0)
                            for i in range(part.shape[0]):
                                v = abs(part[i])
                                top = v if v > top else top
                            if top > peaks[first + j, blk]:
                                peaks[first + j, blk] = top
                    for i in range(m):
                        f[i] = b0 * f[i + 4] + b1 * f[i + 3] + b2 * f[i + 2] + b3 * f[i + 1] + b4 * f[i]
                f0 = buf[0]
                f1 = buf[1]
                acc0 = 0.0
                acc1 = 0.0
                for i in range(m):
                    t = f0[i] - a4 * p4
                    u = f1[i] - a4 * q4
                    t = t - a3 * p3
                    u = u - a3 * q3
                    t = t - a2 * p2
                    u = u - a2 * q2
                    t = t - a1 * p1
                    u = u - a1 * q1
                    p4 = p3
                    p3 = p2
                    p2 = p1
                    p1 = t
                    q4 = q3
                    q3 = q2
                    q2 = q1
                    q1 = u
                    acc0 += t * t
                    acc1 += u * u
                out[first, k] = acc0
                if count == 2:
                    out[first + 1, k] = acc1
        return out

    # fastmath lets the compiler vectorise the running maximum (abs and max are exact; the audio is finite).
    @njit(cache=True, fastmath=True)
    def block_peaks(x, block):
        # max |x| per block, read through slices (indices numba knows are not negative, so no wraparound
        # check stands in the way of the vectorised loop).
        channels, n = x.shape
        blocks = (n + block - 1) // block
        out = np.zeros((channels, blocks), dtype=np.float32)
        for c in range(channels):
            row = x[c]
            for b in range(blocks):
                part = row[b * block : min(n, (b + 1) * block)]
                m = np.float32(0.0)
                for i in range(part.shape[0]):
                    v = abs(part[i])
                    m = v if v > m else m
                out[c, b] = m
        return out

    @njit(cache=True, fastmath=True)
    def true_peak_search(x, taps, block, order, bounds, peak):
        # Visit blocks loudest bound first; stop at the first block that cannot beat the peak.
        channels, n = x.shape
        phases, width = taps.shape
        half = width // 2
        blocks = (n + block - 1) // block
        buf = np.zeros(block + width, dtype=np.float32)
        acc = np.zeros(block, dtype=np.float32)
        for idx in range(order.shape[0]):
            if bounds[idx] <= peak:
                break
            c = order[idx] // blocks
            start = (order[idx] % blocks) * block
            m = min(block, n - start)
            lo = start - half + 1
            for i in range(m + width - 1):
                j = lo + i
                buf[i] = x[c, j] if 0 <= j < n else np.float32(0.0)
            for p in range(phases):
                for i in range(m):
                    acc[i] = 0.0
                for t in range(width):
                    h = taps[p, t]
                    for i in range(m):
                        acc[i] += h * buf[i + t]
                for i in range(m):
                    v = abs(acc[i])
                    if v > peak:
                        peak = v
        return peak

    return kweighted_energy, block_peaks, true_peak_search


# --------------------------------------------------------------------------- true peak


def _interpolator_taps() -> np.ndarray:
    """Polyphase taps of the 4x interpolator for the phases between samples, shape (3, 16).

    Row p gives the value at ``m + (p + 1) / 4`` from samples ``m - 7 … m + 8``. Phase 0 is
    the samples themselves (a windowed sinc is zero at the other integers), so the true peak is
    never below the sample peak. Each phase is normalised to unity gain at DC.
    """
    half = _TP_HALF_TAPS
    offsets = np.arange(-half + 1, half + 1, dtype=np.float64)
    rows = []
    for p in range(1, _OVERSAMPLING):
        t = p / _OVERSAMPLING - offsets
        window = np.i0(_TP_KAISER_BETA * np.sqrt(np.clip(1.0 - (t / half) ** 2, 0.0, None))) / np.i0(_TP_KAISER_BETA)
        h = np.sinc(t) * window
        rows.append(h / h.sum())
    return np.array(rows)


_TP_TAPS64 = _interpolator_taps()
_TP_TAPS = _TP_TAPS64.astype(np.float32)
# No interpolated value exceeds this times the largest nearby sample (the taps' L1 norm).
_TP_GAIN_BOUND = float(np.abs(_TP_TAPS64).sum(axis=1).max()) * (1.0 + 1e-6)


def _peaks(x: np.ndarray, peaks: np.ndarray | None = None) -> tuple[float, float]:
    """Sample peak and true peak (linear) of a ``(channels, n)`` float32 signal.

    The true peak is found without oversampling the whole signal: each block of samples is
    bounded by its neighbourhood's sample peak times the interpolator's gain bound, blocks are
    visited loudest bound first, and the search stops at the first one that cannot beat the
    peak found so far. The result is the same as a full 4x search.
    """
    _, block_peaks, search = _kernels()
    x = _kernel_input(x)
    if peaks is None:  # each channel's sample peak per block of _TP_BLOCK (the loudness analysis can find them)
        peaks = block_peaks(x, _TP_BLOCK)
    sample_peak = float(peaks.max())
    if sample_peak == 0.0:
        return 0.0, 0.0
    # An interpolated value depends on samples up to 8 away, so on this block and its neighbours.
    neighbourhood = peaks.copy()
    neighbourhood[:, 1:] = np.maximum(neighbourhood[:, 1:], peaks[:, :-1])
    neighbourhood[:, :-1] = np.maximum(neighbourhood[:, :-1], peaks[:, 1:])
    bounds = (neighbourhood * _TP_GAIN_BOUND).ravel()
    candidates = np.flatnonzero(bounds > sample_peak)
    order = candidates[np.argsort(-bounds[candidates], kind="stable")]
    return sample_peak, float(search(x, _TP_TAPS, _TP_BLOCK, order, bounds[order].astype(np.float64), sample_peak))


def true_peak(y, sr) -> float:
    """True-peak level in dBTP (BS.1770-4 Annex 2): the peak after 4x oversampling, max over channels.

    A sample peak of -0.1 dBFS can reconstruct to +0.5 dBTP or more between the samples, and
    that over is what clips a DAC or an MP3/AAC encoder. Delivery specs therefore limit true
    peak (EBU R 128: -1 dBTP; most streaming services: -1 or -2 dBTP). At 44.1 kHz and above
    this reads the standard's 4x grid; ``sr`` is checked but any rate works, because the
    oversampling is relative to it. Digital silence reads :data:`producerkit.audio.SILENCE_DB`.

    Lesson: course/02-compression.ipynb
    """
    check_sr(sr)
    x = as_channels(ensure_audio(y))
    return float(amp_to_db(_peaks(x)[1]))


def oversample_4x(y) -> np.ndarray:
    """``y`` at four times its rate, through the true-peak meter's own interpolator: ``(channels, 4 n)`` float64.

    Every fourth value is a sample of ``y``; the three between are what a DAC (or the meter)
    reconstructs there. Their highest value is :func:`true_peak`. Meant for drawing a short
    stretch (a few ms around a peak): it oversamples the whole of what it is given.

    Lesson: not yet taught
    """
    x = as_channels(ensure_audio(y)).astype(np.float64)
    half = _TP_HALF_TAPS
    padded = np.pad(x, ((0, 0), (half - 1, half)))
    out = np.empty((x.shape[0], x.shape[1] * _OVERSAMPLING))
    out[:, 0::_OVERSAMPLING] = x
    for p, taps in enumerate(_TP_TAPS64, start=1):  # row p: the value at m + p/4 from samples m-7 ... m+8
        for ch in range(x.shape[0]):
            out[ch, p::_OVERSAMPLING] = np.convolve(padded[ch], taps[::-1], mode="valid")[: x.shape[1]]
    return out


# --------------------------------------------------------------------------- loudness


@dataclass(frozen=True, eq=False)
class Loudness:
    """Everything a BS.1770 / EBU R 128 loudness meter shows for one clip.

    Attributes:
        integrated_lufs: programme loudness in LUFS (gated, BS.1770-4); ``-inf`` when no 400 ms block
            passes the -70 LUFS gate (silence), because the loudness of silence is undefined.
        lra_lu: loudness range in LU (EBU Tech 3342), from the short-term readings whose 3 s
            window lies inside the clip; 0.0 when the clip is shorter than 3 s or nothing
            passes the gates.
        true_peak_dbtp: dBTP, the peak after 4x oversampling, max over channels.
        sample_peak_dbfs: dBFS, the largest sample, max over channels.
        momentary_lufs: LUFS over 400 ms, one value every 100 ms.
        short_term_lufs: LUFS over 3 s, one value every 100 ms.
        times_s: seconds; the *end* of each momentary and short-term window. The meter starts
            from silence, so the first windows (before 0.4 s and 3 s) include silence before
            the clip, as on a live meter. Silence reads ``SILENCE_DB`` (-120) in both curves.
        duration_s: length of the clip in seconds.

    Lesson: course/04-workflow.ipynb
    """

    integrated_lufs: float
    lra_lu: float
    true_peak_dbtp: float
    sample_peak_dbfs: float
    momentary_lufs: np.ndarray = field(repr=False)
    short_term_lufs: np.ndarray = field(repr=False)
    times_s: np.ndarray = field(repr=False)
    duration_s: float = 0.0

    @property
    def momentary_max_lufs(self) -> float:
        """Loudest momentary reading in LUFS (``SILENCE_DB`` for a clip shorter than 100 ms)."""
        return float(self.momentary_lufs.max()) if self.momentary_lufs.size else SILENCE_DB

    @property
    def short_term_max_lufs(self) -> float:
        """Loudest short-term reading in LUFS, the "max S" that some delivery specs limit."""
        return float(self.short_term_lufs.max()) if self.short_term_lufs.size else SILENCE_DB

    def summary(self) -> str:
        """One line, e.g. ``-14.1 LUFS integrated, LRA 6.2 LU, true peak -1.0 dBTP``."""
        return (f"{self.integrated_lufs:.1f} LUFS integrated, LRA {self.lra_lu:.1f} LU, "
                f"true peak {self.true_peak_dbtp:.1f} dBTP")

    def __repr__(self) -> str:
        return (
            f"Loudness({self.summary()}, sample peak {self.sample_peak_dbfs:.1f} dBFS, max momentary "
            f"{self.momentary_max_lufs:.1f} LUFS, max short-term {self.short_term_max_lufs:.1f} LUFS, "
            f"{self.duration_s:.1f} s)"
        )


def _hop_bound(k, sr: int):
    """Sample index of hop boundary ``k`` (k × 100 ms, rounded); works for negative ``k``."""
    return (np.asarray(k, dtype=np.int64) * sr + 5) // 10


def _count_hops(n: int, sr: int) -> int:
    """Number of whole 100 ms hops in ``n`` samples."""
    hops = int((n * 10) // sr)
    while _hop_bound(hops, sr) > n:
        hops -= 1
    while _hop_bound(hops + 1, sr) <= n:
        hops += 1
    return hops


class _Analysis:
    """K-weighted, channel-weighted energy per 100 ms hop; the basis of every loudness reading."""

    def __init__(self, x: np.ndarray, sr: int, peaks: bool = False):
        self.sr = sr
        self.n = x.shape[1]
        self.hops = hops = _count_hops(self.n, sr)
        bounds = _hop_bound(np.arange(hops + 1), sr)
        if bounds[-1] < self.n:
            bounds = np.append(bounds, self.n)
        energy, _, _ = _kernels()
        x = _kernel_input(x)
        # with peaks=True, each channel's sample peak per block of _TP_BLOCK, for _peaks
        self.block_peaks = np.zeros((x.shape[0], -(-self.n // _TP_BLOCK) if peaks else 0), dtype=np.float32)
        per_channel = energy(x, *_k_weighting_polynomials(sr), bounds, _TP_BLOCK, self.block_peaks)
        weighted = channel_weights(x.shape[0]) @ per_channel
        self.total = float(weighted.sum())
        self.cumulative = np.concatenate([[0.0], np.cumsum(weighted[:hops])])

    def windows(self, hops_per_window: int) -> np.ndarray:
        """Mean-square power of the windows of ``hops_per_window`` hops ending at hops 1..N."""
        k = np.arange(1, self.hops + 1)
        first = np.maximum(k - hops_per_window, 0)
        length = _hop_bound(k, self.sr) - _hop_bound(k - hops_per_window, self.sr)
        return (self.cumulative[k] - self.cumulative[first]) / length

    def gating_blocks(self) -> np.ndarray:
        """Mean-square power of the complete 400 ms blocks (75 % overlap) in the clip.

        A clip shorter than 400 ms is one block: its mean square over the samples it has. That
        is the measurement BS.1770 defines for any interval (its eq. 2), gated like a block.
        """
        hops = round(MOMENTARY_S / HOP_S)
        if self.hops < hops:
            return np.array([self.total / self.n])
        return self.windows(hops)[hops - 1 :]


def _lkfs(power) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return _LKFS_OFFSET + 10.0 * np.log10(np.asarray(power, dtype=np.float64))


def _gated_integrated(block_power: np.ndarray) -> float:
    level = _lkfs(block_power)
    above_absolute = block_power[level > ABSOLUTE_GATE_LUFS]
    if above_absolute.size == 0:
        return float("-inf")
    relative_gate = float(_lkfs(above_absolute.mean())) + RELATIVE_GATE_LU
    gated = block_power[(level > ABSOLUTE_GATE_LUFS) & (level > relative_gate)]
    return float(_lkfs(gated.mean())) if gated.size else float("-inf")


def _integrated(x: np.ndarray, sr: int) -> tuple[float, np.ndarray]:
    """Integrated loudness of an already checked ``(channels, n)`` float32 signal, and its gating blocks' powers.

    For callers that measure their own output many times (``master()``); the blocks of ``x`` times a gain g
    are these times g², gated with :func:`_gated_integrated`.
    """
    blocks = _Analysis(x, sr).gating_blocks()
    return _gated_integrated(blocks), blocks


def _loudness_range(short_term_lufs: np.ndarray) -> float:
    above_absolute = short_term_lufs[short_term_lufs >= ABSOLUTE_GATE_LUFS]
    if above_absolute.size == 0:
        return 0.0
    relative_gate = 10.0 * np.log10(np.mean(10.0 ** (above_absolute / 10.0))) + LRA_RELATIVE_GATE_LU
    gated = above_absolute[above_absolute >= relative_gate]
    low, high = np.percentile(gated, LRA_PERCENTILES)
    return float(high - low)


def _prepare(y, sr) -> tuple[np.ndarray, int]:
    sr = _check_loudness_sr(sr)
    return _kernel_input(as_channels(ensure_audio(y))), sr  # once, for both _Analysis and _peaks


def integrated_loudness(y, sr) -> float:
    """Integrated (programme) loudness in LUFS, BS.1770-4 with both gates.

    The number streaming services normalise to (-14 LUFS on Spotify and YouTube, -16 on Apple
    Music) and EBU R 128 broadcasts at (-23 LUFS). Clips shorter than 400 ms are measured as a
    single block over the samples they have. Returns ``float('-inf')`` when nothing is louder
    than the -70 LUFS absolute gate (silence): BS.1770 leaves the loudness of silence undefined.

    Raises:
        AudioError: invalid audio (see :func:`producerkit.audio.ensure_audio`).
        ParameterError: a sample rate under 8 kHz.

    Lessons: 01, 02, 04
    """
    x, sr = _prepare(y, sr)
    return _gated_integrated(_Analysis(x, sr).gating_blocks())


def loudness(y, sr) -> Loudness:
    """Measure a clip like an EBU R 128 loudness meter: I, LRA, true peak, sample peak, M and S curves.

    Channels follow :func:`channel_weights` (mono, stereo, 5.0 as L R C Ls Rs, 5.1 as
    L R C LFE Ls Rs). See :class:`Loudness` for what each reading means and how silence and
    short clips read.

    Example:
        >>> from producerkit import meters, signals
        >>> meters.loudness(signals.sine(997, 5, 48000, level_dbfs=0), 48000).summary()
        '-3.0 LUFS integrated, LRA 0.0 LU, true peak 0.0 dBTP'

    Raises:
        AudioError: invalid audio (see :func:`producerkit.audio.ensure_audio`).
        ParameterError: a sample rate under 8 kHz.

    Lesson: course/04-workflow.ipynb
    """
    x, sr = _prepare(y, sr)
    analysis = _Analysis(x, sr, peaks=True)
    momentary_hops = round(MOMENTARY_S / HOP_S)
    short_term_hops = round(SHORT_TERM_S / HOP_S)
    momentary = _lkfs(analysis.windows(momentary_hops))
    short_term = _lkfs(analysis.windows(short_term_hops))
    sample_peak, peak = _peaks(x, analysis.block_peaks)

    def readonly(a):
        a = np.ascontiguousarray(a, dtype=np.float64)
        a.setflags(write=False)
        return a

    return Loudness(
        integrated_lufs=_gated_integrated(analysis.gating_blocks()),
        lra_lu=_loudness_range(short_term[short_term_hops - 1 :]),
        true_peak_dbtp=float(amp_to_db(peak)),
        sample_peak_dbfs=float(amp_to_db(sample_peak)),
        momentary_lufs=readonly(np.maximum(momentary, SILENCE_DB)),
        short_term_lufs=readonly(np.maximum(short_term, SILENCE_DB)),
        times_s=readonly(_hop_bound(np.arange(1, analysis.hops + 1), sr) / sr),
        duration_s=analysis.n / sr,
    )


# --------------------------------------------------------------------------- levels and correlation


def rms_dbfs(y) -> float:
    """RMS level in dBFS over all samples of all channels (a 0 dBFS sine reads -3.01 dBFS).

    Digital silence reads :data:`producerkit.audio.SILENCE_DB`.

    Lesson: not yet taught
    """
    y = ensure_audio(y).ravel()
    return float(amp_to_db(math.sqrt(_mean_square(y))))


def _mean_square(y: np.ndarray) -> float:
    # float64 accumulation in chunks: exact enough for hours of audio without a float64 copy.
    total = 0.0
    step = 1 << 20
    for start in range(0, y.size, step):
        part = y[start : start + step].astype(np.float64)
        total += float(np.dot(part, part))
    return total / y.size


def crest_factor_db(y) -> float:
    """Crest factor in dB: sample peak (dBFS) minus RMS (dBFS), over all channels.

    About 3 dB for a sine, 10-12 dB for noise, 12-20 dB for a dynamic mix, 6-8 dB for a
    heavily limited master: the number compression and limiting bring down. Silence reads 0.

    Lesson: course/02-compression.ipynb
    """
    y = ensure_audio(y)
    peak = float(amp_to_db(np.abs(y).max()))
    return peak - rms_dbfs(y)


def _stereo_pair(y) -> np.ndarray | None:
    y = ensure_audio(y)
    if y.ndim == 1:
        return None
    if y.shape[0] != 2:
        raise AudioError(
            f"correlation needs stereo audio (2, n) (got {y.shape[0]} channels); "
            "pick the pair to compare, for example y[:2], or fold down with producerkit.audio.to_stereo(y)."
        )
    return y


def correlation(y) -> float:
    """Stereo phase correlation of L and R, from -1 to +1, as on a correlation meter.

    ``sum(L·R) / sqrt(sum(L²) · sum(R²))`` (no mean removal, so a DC offset counts as shared
    content). +1: the channels are the same up to level, which folds to mono safely; around 0:
    wide, unrelated channels; below 0: out-of-phase content that cancels in mono. A mono ``(n,)``
    input reads +1. When either channel is silent the phase relation is undefined and the meter
    reads 0, as a hardware correlation meter rests at the centre with only one channel playing.

    Raises:
        AudioError: more than two channels (pick a pair or fold down with ``audio.to_stereo``).

    Lessons: 06, 09
    """
    pair = _stereo_pair(y)
    if pair is None:
        return 1.0
    left = pair[0].astype(np.float64)
    right = pair[1].astype(np.float64)
    # einsum, not np.dot: BLAS runs a long dot product on every core, and on a shared machine its threads
    # wait for each other (qc took 4x the CPU); the sum is memory-bound, one core is as fast.
    denominator = math.sqrt(float(np.einsum("i,i->", left, left)) * float(np.einsum("i,i->", right, right)))
    if denominator == 0.0:
        return 0.0
    return float(np.clip(np.einsum("i,i->", left, right) / denominator, -1.0, 1.0))


def correlation_curve(y, sr, window_ms: float = 400.0) -> tuple[np.ndarray, np.ndarray]:
    """Phase correlation over time: ``(times, values)``, one reading every 100 ms.

    Each value is :func:`correlation` over the ``window_ms`` ending at its time (the meter starts
    from silence, like the loudness curves); silent windows read 0, mono input reads +1.

    Lesson: not yet taught
    """
    sr = check_sr(sr)
    in_range("window_ms", window_ms, HOP_S * 1000, unit="ms", hint="at least one hop of the meter")
    y = ensure_audio(y)
    n = y.shape[-1]
    hops = _count_hops(n, sr)
    times = _hop_bound(np.arange(1, hops + 1), sr) / sr
    if y.ndim == 1:
        return times, np.ones(hops)
    pair = _stereo_pair(y).astype(np.float64)
    bounds = _hop_bound(np.arange(hops + 1), sr)
    if hops == 0:
        return times, np.zeros(0)
    products = np.stack([pair[0] * pair[1], pair[0] ** 2, pair[1] ** 2])[:, : bounds[-1]]
    per_hop = np.add.reduceat(products, bounds[:-1], axis=1)
    cumulative = np.concatenate([np.zeros((3, 1)), np.cumsum(per_hop, axis=1)], axis=1)
    span = max(1, round(window_ms / (HOP_S * 1000)))
    k = np.arange(1, hops + 1)
    lr, ll, rr = cumulative[:, k] - cumulative[:, np.maximum(k - span, 0)]
    denominator = np.sqrt(ll * rr)
    values = np.divide(lr, denominator, out=np.zeros(hops), where=denominator > 0)
    return times, np.clip(values, -1.0, 1.0)
