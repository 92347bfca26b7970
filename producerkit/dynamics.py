"""Dynamics: compressor, limiter, gate and expander, each with its gain-reduction trace.

Every processor here works the same way, after the feed-forward, log-domain design of
Giannoulis, Massberg and Reiss, "Digital Dynamic Range Compressor Design - A Tutorial and
Analysis", JAES 60(6), 2012:

1. a **level detector** turns the signal (or an external sidechain) into a level in dBFS,
   one value per sample;
2. a **gain computer** (the static curve) says how many dB to turn each sample down;
3. a **smoothing detector** applies attack and release to that gain reduction: it moves
   towards a larger reduction with one time constant and back towards a smaller one with
   another (their "smooth branching peak detector", eq. 17);
4. the smoothed gain (plus makeup) multiplies the audio.

``process(y, sr)`` returns a :class:`DynamicsResult` with the audio and the gain reduction in
dB (one value per sample, >= 0), so a lesson can plot what the processor did; calling the
processor, ``proc(y, sr)``, returns the audio alone.

Time constants are 63 % times: after a level step, the gain reduction covers 63 % (1 - 1/e)
of its way to the new value in ``attack_ms`` (or ``release_ms``): alpha = exp(-1 / (tau * sr)).

Lookahead never delays the output: producerkit works on whole files, so the detector reads
``lookahead_ms`` ahead instead, and the output stays time-aligned with the input (a real-time
plug-in would delay the audio by the lookahead and report that latency to the DAW).

Lessons: 00, 02
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from ._validate import finite, flag, in_range, one_of
from .audio import SILENCE_DB, as_channels, check_sr, ensure_audio, like_input
from .errors import AudioError, ParameterError

__all__ = ["Compressor", "DynamicsResult", "Expander", "Gate", "Limiter"]

_DB_PER_NEPER = 20.0 / math.log(10.0)  # 20 * log10(a) == _DB_PER_NEPER * ln(a)
_SILENCE_AMP = 10.0 ** (SILENCE_DB / 20.0)


@dataclass(frozen=True)
class DynamicsResult:
    """What a dynamics processor did: the processed audio and its gain reduction.

    Attributes:
        audio: float32, in the input's layout (mono ``(n,)`` or ``(channels, n)``).
        gain_reduction_db: how many dB the processor turned each sample down (>= 0), before
            makeup gain and before the dry/wet mix. ``(n,)`` when one gain serves every channel
            (mono input, or ``stereo_link=True``), ``(channels, n)`` when each channel has its own.

    Lesson: course/02-compression.ipynb
    """

    audio: np.ndarray
    gain_reduction_db: np.ndarray


# --------------------------------------------------------------------------- numba kernels


def _smooth_gain_reduction_py(target, alpha_up, alpha_down, shift, rest, out):
    """Branching one-pole smoother on a gain reduction in dB (Giannoulis eq. 17).

    out[c, i] follows target[c, i + shift] (``rest`` beyond the end) with ``alpha_up`` while
    the target is above the current value and ``alpha_down`` otherwise.
    """
    channels, n = target.shape
    one = np.float32(1.0)
    tiny = np.float32(1e-20)  # below this a reduction is 0: keeps denormals (slow) out of the loop
    for c in range(channels):
        state = rest
        for i in range(n):
            j = i + shift
            x = target[c, j] if j < n else rest
            if x > state:
                state = alpha_up * state + (one - alpha_up) * x
            else:
                state = alpha_down * state + (one - alpha_down) * x
                if state < tiny:
                    state = np.float32(0.0)
            out[c, i] = state


_TAPS = 20  # taps per phase of the limiter's 4x interpolator (see _interpolation_phases)


def _peak_envelope_4x_py(y, phases, block, floor, done, block_peaks, out):
    """Per-sample true peak over channels from a 4x oversampled signal, refined between points.

    For each sample i the signal is interpolated a quarter, a half and three quarters of a
    sample later (``phases``, a polyphase FIR of ``_TAPS`` taps). ``out[i]`` is the largest |value| on
    the grid from i to i + 1, each grid maximum refined by the parabola through it and its two
    neighbours, which recovers most of what falls between the grid points. Blocks whose sample
    peak cannot rise above ``floor`` (already divided by the filters' worst-case gain) are skipped;
    there ``out`` is the sample peak. ``y`` is padded with silence to a whole number of blocks.

    ``done`` is the floor of an earlier call on the same ``y`` and ``out`` (``inf`` for the first):
    the blocks it refined are left as they are, only those between it and ``floor`` are refined now.
    The first call finds the sample peaks (``out``) and each block's (``block_peaks``); later calls
    read them.

    Each step runs over a block of samples without branches (selects instead) and reads the audio
    through slices (whose indices numba knows are not negative), so that the compiler vectorises it:
    the three interpolated points of a sample, each summing its taps in order, then the grid's local
    maxima and their refinement, one grid point at a time. Compile with ``error_model="numpy"``: the
    refinement is computed everywhere and kept only at a genuine peak, so a flat grid's 0/0 is
    computed and thrown away.
    """
    channels, n = y.shape
    before = _TAPS // 2 - 1
    n_blocks = n // block  # y is padded to whole blocks
    eight = np.float32(8.0)
    zero = np.float32(0.0)
    # the points a quarter, a half and three quarters of a sample after each sample, from the one
    # before the block's first to its last (three arrays: as rows of one, the compiler cannot tell
    # that the stores to one do not change the audio it reads, and stops vectorising)
    quarter = np.zeros(block + 1, dtype=np.float32)
    half = np.zeros(block + 1, dtype=np.float32)
    three = np.zeros(block + 1, dtype=np.float32)
    best = np.empty(block, dtype=np.float32)
    if done == np.inf:
        for b in range(n_blocks):
            peak = zero
            for i in range(b * block, (b + 1) * block):
                m = abs(y[0, i])
                for c in range(1, channels):
                    v = abs(y[c, i])
                    m = v if v > m else m
                out[i] = m
                peak = m if m > peak else peak
            block_peaks[b] = peak
    for b in range(n_blocks):
        near = block_peaks[b]
        if b > 0 and block_peaks[b - 1] > near:
            near = block_peaks[b - 1]
        if b + 1 < n_blocks and block_peaks[b + 1] > near:
            near = block_peaks[b + 1]
        if near <= floor or near > done:
            continue
        start = max(b * block, before + 1)
        stop = min((b + 1) * block, n - _TAPS + before)
        m_len = stop - start
        if m_len <= 0:
            continue
        for j in range(m_len):
            best[j] = out[start + j]
        for c in range(channels):
            yc = y[c]
            taps_in = yc[start - 1 - before : stop - 1 - before + _TAPS]
            for j in range(m_len + 1):  # the sample start - 1 + j
                a0 = zero
                a1 = zero
                a2 = zero
                for k in range(_TAPS):
                    v = taps_in[j + k]
                    a0 += phases[0, k] * v
                    a1 += phases[1, k] * v
                    a2 += phases[2, k] * v
                quarter[j] = a0
                half[j] = a1
                three[j] = a2
            # the grid from sample i = start + j to i + 1: the three-quarter point before i, i, the
            # three points after it, i + 1; each interior point checked against its two neighbours
            samples = yc[start : start + m_len]
            next_samples = yc[start + 1 : start + 1 + m_len]
            three_before = three[0:m_len]
            quarter_after = quarter[1 : m_len + 1]
            half_after = half[1 : m_len + 1]
            three_after = three[1 : m_len + 1]
            for q in range(4):
                if q == 0:
                    left, mid, right = three_before, samples, quarter_after
                elif q == 1:
                    left, mid, right = samples, quarter_after, half_after
                elif q == 2:
                    left, mid, right = quarter_after, half_after, three_after
                else:
                    left, mid, right = half_after, three_after, next_samples
                for j in range(m_len):
                    g = mid[j]
                    a = abs(g)
                    curvature = left[j] - g - g + right[j]
                    slope = left[j] - right[j]
                    refined = g - slope * slope / (eight * curvature)
                    v = abs(refined) if g * curvature < 0 else a
                    # only a local maximum of |grid| counts (a flat stretch counts too)
                    v = v if (a >= abs(left[j]) and a >= abs(right[j])) else zero
                    best[j] = v if v > best[j] else best[j]
        for j in range(m_len):
            out[start + j] = best[j]


def _hold_max_py(env, window, out):
    """``out[i] = max(env[i : i + window])``, with silence (0) past the end; ``env`` is >= 0.

    The van Herk / Gil-Werman running maximum: in blocks of ``window`` samples, the maximum from
    each sample to its block's end and from its block's start to it; a window starting at i spans
    at most two blocks, so its maximum is the larger of two such values (the same maximum a
    sliding comparison finds, in three comparisons a sample however long the window).
    """
    n = env.shape[0]
    zero = np.float32(0.0)
    blocks = (n + window - 1) // window + 1  # so that i + window - 1 falls in a block for every i < n
    to_end = np.empty(blocks * window, dtype=np.float32)
    from_start = np.empty(blocks * window, dtype=np.float32)
    for b in range(blocks):
        first = b * window
        m = zero
        for i in range(first, first + window):
            v = env[i] if i < n else zero
            m = v if v > m else m
            from_start[i] = m
        m = zero
        for i in range(first + window - 1, first - 1, -1):
            v = env[i] if i < n else zero
            m = v if v > m else m
            to_end[i] = m
    for i in range(n):
        a = to_end[i]
        c = from_start[i + window - 1]
        out[i] = a if a > c else c


def _limiter_gain_py(env, env_db, hold, ceiling, ceiling_db, margin, alpha, ahead, smoothed, out):
    """The limiter's gain reduction in dB from its detector envelope; returns how many samples were over.

    One pass: the envelope's maximum over [i, i + hold - 1] (``hold`` 1 for an envelope already held),
    each sample's need (dB over ``ceiling``, plus ``margin``, where that maximum is over it), attack at
    once and release with ``alpha`` (the smoother of :func:`_smooth_gain_reduction_py` with
    ``alpha_up = 0``), into ``smoothed``; then ``out`` is its moving average over [i - ahead, i], the
    first value repeated before the start (a running sum in float64, exactly 0 where the window holds
    only zeros).

    The hold keeps a queue of the samples over the ceiling in the window whose values fall from its
    front (the window's maximum) to its back: a sample under the ceiling never enters it, so on a
    lightly limited mix it is nearly always empty and costs one comparison a sample.

    ``env_db``, when not empty, is the (held) envelope in dB, found once by a caller that limits the same
    audio many times: the need is then ``env_db - ceiling_db`` instead of a logarithm per sample.
    """
    n = env.shape[0]
    zero = np.float32(0.0)
    one = np.float32(1.0)
    tiny = np.float32(1e-20)  # below this a reduction is 0: keeps denormals (slow) out of the loop
    db = np.float32(_DB_PER_NEPER)
    keep = one - alpha
    in_db = env_db.shape[0] == n and hold <= 1
    over = 0
    state = zero
    size = ahead + 1
    inverse = 1.0 / size
    first = zero
    total = 0.0
    nonzero = 0
    queue = np.empty(max(hold, 1), dtype=np.int64)  # a ring of sample indices
    head = 0  # the front's position in the ring
    count = 0
    if in_db:  # every sample's need at once, a loop the compiler vectorises
        for i in range(n):
            is_over = env[i] > ceiling
            smoothed[i] = ((env_db[i] - ceiling_db) + margin) if is_over else zero
            over += 1 if is_over else 0
    for i in range(-hold + 1, n):
        if hold > 1:
            j = i + hold - 1  # the sample entering the window [i, i + hold - 1]
            if j < n and env[j] > ceiling:
                v = env[j]
                while count > 0 and env[queue[(head + count - 1) % hold]] <= v:
                    count -= 1
                queue[(head + count) % hold] = j
                count += 1
            if i < 0:
                continue
            while count > 0 and queue[head] < i:
                head = (head + 1) % hold
                count -= 1
            e = env[queue[head]] if count > 0 else zero
        else:
            e = env[i]
        if in_db:
            x = smoothed[i]
        else:
            x = zero
            if e > ceiling:
                x = db * np.log(e / ceiling) + margin
                over += 1
        # attack at once, release with alpha (as selects: which branch is taken is as random as the music)
        released = alpha * state + keep * x
        released = zero if released < tiny else released
        state = x if x > state else released
        smoothed[i] = state
        # the moving average, in the same loop (its running sum and the release are two independent chains)
        if ahead == 0:
            out[i] = state
            continue
        if i == 0:
            first = state
            total = np.float64(first) * size
            nonzero = size if first != zero else 0
        old = smoothed[i - size] if i >= size else first
        total += np.float64(state) - np.float64(old)
        nonzero += (1 if state != zero else 0) - (1 if old != zero else 0)
        total = 0.0 if nonzero == 0 else total
        out[i] = np.float32(total * inverse)
    return over


def _to_db_py(env, out):
    """``out = 20 log10(env)`` in float32, -inf where ``env`` is 0; a held envelope repeats each value for
    many samples, so the logarithm is taken only where the value changes."""
    db = np.float32(_DB_PER_NEPER)
    previous = np.float32(-1.0)
    value = np.float32(0.0)
    for i in range(env.shape[0]):
        e = env[i]
        if e != previous:
            value = db * np.log(e) if e > 0 else -np.inf
            previous = e
        out[i] = value


@cache
def _kernel(name: str):
    """Compile a numba kernel on first use (cached on disk), never at import time."""
    from numba import njit

    source = {"smooth": _smooth_gain_reduction_py, "peak4x": _peak_envelope_4x_py, "hold": _hold_max_py,
              "limiter": _limiter_gain_py, "db": _to_db_py}[name]
    if name == "peak4x":
        return njit(cache=True, nogil=True, error_model="numpy")(source)
    return njit(cache=True, nogil=True)(source)


def _smooth(target: np.ndarray, alpha_up: float, alpha_down: float, shift: int, rest: float) -> np.ndarray:
    out = np.empty_like(target)
    _kernel("smooth")(target, np.float32(alpha_up), np.float32(alpha_down), int(shift), np.float32(rest), out)
    return out


# --------------------------------------------------------------------------- shared helpers


def _alpha(time_ms: float, sr: int) -> float:
    """One-pole coefficient for a 63 % time constant: exp(-1 / (tau * sr)); 0 ms is instant."""
    return 0.0 if time_ms == 0 else math.exp(-1000.0 / (time_ms * sr))


def _samples(time_ms: float, sr: int) -> int:
    return int(round(time_ms * sr / 1000.0))


def _check_times(proc, *names: str) -> None:
    for name in names:
        in_range(name, getattr(proc, name), 0, 10_000, unit="ms")


def _check_sidechain_highpass(proc) -> None:
    if proc.sidechain_highpass_hz is not None:
        in_range("sidechain_highpass_hz", proc.sidechain_highpass_hz, 1, unit="Hz",
                 hint="it is the key filter's corner frequency, e.g. 100, or None for off")


def _prepare_key(y2d: np.ndarray, sidechain, sr: int, highpass_hz) -> np.ndarray:
    """The signal the detector listens to: the input or an external sidechain, high-passed if asked."""
    if sidechain is None:
        key = y2d
    else:
        key = as_channels(ensure_audio(sidechain, name="sidechain"))
        if key.shape[1] != y2d.shape[1]:
            raise AudioError(
                f"sidechain has {key.shape[1]} samples but the audio has {y2d.shape[1]}; "
                "they must line up sample for sample (trim or pad the sidechain to the same length)."
            )
        if key.shape[0] not in (1, y2d.shape[0]):
            raise AudioError(
                f"sidechain has {key.shape[0]} channels but the audio has {y2d.shape[0]}; pass a mono "
                "sidechain (it drives every channel) or one with the same number of channels."
            )
    if highpass_hz is not None:
        if highpass_hz >= sr / 2:
            raise ParameterError(
                f"sidechain_highpass_hz = {highpass_hz:g} Hz is at or above the Nyquist frequency {sr / 2:g} Hz; "
                "use something like 80-150 Hz to keep kick and bass from pumping the compressor."
            )
        from scipy.signal import butter, sosfilt

        sos = butter(2, highpass_hz, btype="highpass", fs=sr, output="sos").astype(np.float32)
        key = sosfilt(sos, key, axis=-1).astype(np.float32, copy=False)
    return key


def _peak_level_db(key: np.ndarray, linked: bool, n_out: int) -> np.ndarray:
    """Per-sample |x| in dBFS, as (1, n) when linked (loudest channel) or (channels, n)."""
    if linked:
        level = np.abs(key[0])
        for c in range(1, key.shape[0]):
            np.maximum(level, np.abs(key[c]), out=level)
        level = level[np.newaxis]
    else:
        level = np.abs(key)
        if level.shape[0] != n_out:  # mono sidechain driving every channel
            level = np.repeat(level, n_out, axis=0)
    np.maximum(level, np.float32(_SILENCE_AMP), out=level)
    np.log(level, out=level)
    level *= np.float32(_DB_PER_NEPER)
    return level


def _rms_level_db(key: np.ndarray, linked: bool, n_out: int, rms_ms: float, sr: int) -> np.ndarray:
    """Mean square through a one-pole average with a 63 % time of ``rms_ms``, in dBFS."""
    from scipy.signal import lfilter

    power = np.square(key)
    if linked:
        power = power.max(axis=0, keepdims=True)
    elif power.shape[0] != n_out:
        power = np.repeat(power, n_out, axis=0)
    a = _alpha(rms_ms, sr)
    if a > 0:
        power = lfilter([np.float32(1.0 - a)], [np.float32(1.0), np.float32(-a)], power, axis=-1)
        power = power.astype(np.float32, copy=False)
    np.maximum(power, np.float32(_SILENCE_AMP**2), out=power)
    np.log(power, out=power)
    power *= np.float32(_DB_PER_NEPER / 2)
    return power


def _held_level_db(key: np.ndarray, linked: bool, n_out: int, hold: int) -> np.ndarray:
    """Peak level held for ``hold`` samples (max of |x| over the last hold + 1 samples), in dBFS."""
    from scipy.ndimage import maximum_filter1d

    level = np.abs(key)
    if linked:
        level = level.max(axis=0, keepdims=True)
    elif level.shape[0] != n_out:
        level = np.repeat(level, n_out, axis=0)
    if hold > 0:
        # window [n - hold, n]: the level stays up for `hold` samples after the signal drops
        level = maximum_filter1d(level, size=hold + 1, axis=-1, origin=hold // 2, mode="nearest")
    np.maximum(level, np.float32(_SILENCE_AMP), out=level)
    np.log(level, out=level)
    level *= np.float32(_DB_PER_NEPER)
    return level


def _knee_reduction(over_db: np.ndarray, slope: float, knee_db: float) -> np.ndarray:
    """Gain reduction for a level ``over_db`` past the threshold, in place (Giannoulis eq. 4).

    ``slope * over`` well past the knee, 0 well before it, and the quadratic
    ``slope * (over + W/2)^2 / (2W)`` inside a knee of width W. Written branch-free:
    with v = max(over + W/2, 0) and s = min(v, W), the reduction is slope * (v - s + s^2 / (2W)).
    Computed in ``over_db``'s own precision: float32 for audio, float64 for the static curves.
    """
    t = over_db.dtype.type
    if knee_db == 0:
        np.maximum(over_db, t(0.0), out=over_db)
        over_db *= t(slope)
        return over_db
    v = over_db
    v += t(knee_db / 2)
    np.maximum(v, t(0.0), out=v)
    s = np.minimum(v, t(knee_db))
    # slope * (v - s + s^2/(2W)) = slope * v + s * (slope/(2W) * s - slope)
    bend = s * t(slope / (2 * knee_db))
    bend -= t(slope)
    bend *= s
    v *= t(slope)
    v += bend
    np.maximum(v, t(0.0), out=v)  # rounding must never make a reduction negative
    return v


def _apply(y2d: np.ndarray, gr_db: np.ndarray, makeup_db: float = 0.0, mix: float = 1.0) -> np.ndarray:
    """Multiply the audio by 10^((makeup - gr) / 20), blended with the dry signal by ``mix``."""
    gain = gr_db * np.float32(-1.0 / _DB_PER_NEPER)
    if makeup_db != 0:
        gain += np.float32(makeup_db / _DB_PER_NEPER)
    np.exp(gain, out=gain)
    if mix != 1.0:
        gain *= np.float32(mix)
        gain += np.float32(1.0 - mix)
    return y2d * gain


def _result(out2d, gr, y, linked_or_mono: bool) -> DynamicsResult:
    return DynamicsResult(like_input(out2d, y), gr[0] if linked_or_mono else gr)


class _Processor:
    def __call__(self, y, sr, sidechain=None) -> np.ndarray:
        """Process ``y`` and return the audio alone (see ``process`` for the gain reduction)."""
        return self.process(y, sr, sidechain=sidechain).audio


# --------------------------------------------------------------------------- Compressor


@dataclass
class Compressor(_Processor):
    """A feed-forward compressor (Giannoulis, Massberg and Reiss, JAES 2012).

    The level in dBFS goes through the soft-knee gain computer (their eq. 4), the resulting
    gain reduction through a smooth branching peak detector (eq. 17) with the attack and
    release times, and makeup is added in dB.

    Args:
        threshold_db: level in dBFS above which the compressor turns the signal down.
        ratio: how many dB the input must rise above the threshold for the output to rise 1 dB
            (>= 1; use :class:`Limiter` for a brick wall).
        knee_db: width of the soft knee centred on the threshold, in dB (0 = hard knee).
        attack_ms: 63 % time of the gain reduction rising after a level step up.
        release_ms: 63 % time of the gain reduction falling after a level step down.
            Both use alpha = exp(-1 / (tau * sr)). JUCE's compressor, which pedalboard wraps,
            uses tau = time / (2 pi) instead, so pedalboard's ``attack_ms=10`` reacts like
            producerkit's ``attack_ms=1.6``: multiply by 2 pi to set pedalboard to our times.
        makeup_db: gain added after compression, in dB, or ``"auto"``: half the gain reduction
            the static curve applies to a 0 dBFS input (for -18 dB at 4:1 that is half of
            13.5 dB, +6.75 dB). Quiet passages come up by that much while a full-scale peak
            still ends a little lower, which leaves headroom for transients the attack lets through.
        detector: ``"peak"`` (|x| per sample) or ``"rms"`` (the mean square averaged with a
            63 % time of ``rms_ms``, then attack and release on the gain reduction as usual).
            An RMS detector reads a sine 3 dB below its peak.
        rms_ms: averaging time of the RMS detector in ms.
        stereo_link: True: one gain for all channels, from the loudest channel at each sample,
            so the stereo image does not shift. False: each channel is compressed on its own.
        lookahead_ms: how far ahead the detector reads, so the gain reduction is under way
            before a transient arrives. The output stays time-aligned with the input.
        mix: 1 = fully compressed; below 1 blends in the dry signal (parallel, "New York"
            compression). The gain-reduction trace is the compressor's own, before the blend.
        sidechain_highpass_hz: None, or a frequency in Hz: a 12 dB/octave high-pass on the detector
            path only, so kick and bass do not pump the whole mix.

    ``process(y, sr, sidechain=kick)`` lets an external signal drive the detector (ducking);
    a mono sidechain drives every channel and must be as long as ``y``.

    Lessons: 00, 02
    """

    threshold_db: float = -18.0
    ratio: float = 4.0
    knee_db: float = 6.0
    attack_ms: float = 10.0
    release_ms: float = 100.0
    makeup_db: float | str = 0.0
    detector: str = "peak"
    stereo_link: bool = True
    lookahead_ms: float = 0.0
    mix: float = 1.0
    sidechain_highpass_hz: float | None = None
    rms_ms: float = 10.0

    def __post_init__(self):
        in_range("threshold_db", self.threshold_db, -120, 24, unit="dB",
                 hint="the threshold is a level in dBFS such as -18")
        in_range("ratio", self.ratio, 1, hint="a ratio below 1 would expand, use Expander")
        in_range("knee_db", self.knee_db, 0, 48, unit="dB", hint="0 is a hard knee; 6-12 dB is soft")
        _check_times(self, "attack_ms", "release_ms", "lookahead_ms", "rms_ms")
        if isinstance(self.makeup_db, str):
            if self.makeup_db != "auto":
                raise ParameterError(f"makeup_db must be a number of dB or 'auto' (got {self.makeup_db!r}).")
        else:
            in_range("makeup_db", self.makeup_db, -48, 48, unit="dB")
        one_of("detector", self.detector, ("peak", "rms"))
        flag("stereo_link", self.stereo_link)
        in_range("mix", self.mix, 0, 1, hint="1 is fully compressed, 0.5 half dry (parallel)")
        _check_sidechain_highpass(self)

    @property
    def makeup_gain_db(self) -> float:
        """The makeup gain in dB that is actually applied (resolves ``makeup_db="auto"``)."""
        if self.makeup_db == "auto":
            return 0.5 * float(self._static_reduction(np.zeros(1, dtype=np.float32))[0])
        return float(self.makeup_db)

    def _static_reduction(self, level_db: np.ndarray) -> np.ndarray:
        over = np.subtract(level_db, np.float32(self.threshold_db), dtype=np.float32)
        return _knee_reduction(over, 1.0 - 1.0 / self.ratio, float(self.knee_db))

    def curve(self, levels_dbfs) -> np.ndarray:
        """Static transfer curve: the steady output level (dBFS) for each input level, makeup included.

        Lesson: course/02-compression.ipynb
        """
        levels = np.asarray(levels_dbfs, dtype=np.float64)
        reduction = _knee_reduction(levels - self.threshold_db, 1.0 - 1.0 / self.ratio, float(self.knee_db))
        return levels - reduction + self.makeup_gain_db

    def process(self, y, sr, sidechain=None) -> DynamicsResult:
        """Compress ``y`` and return the audio with its gain-reduction trace.

        Lesson: course/02-compression.ipynb
        """
        y = ensure_audio(y)
        sr = check_sr(sr)
        x = as_channels(y)
        level, linked = self._detector_level_db(x, sr, sidechain)
        gr = self._smoothed_reduction(self._static_reduction(level), sr)
        out = _apply(x, gr, self.makeup_gain_db, float(self.mix))
        return _result(out, gr, y, linked)

    # process()'s stages, one method each: CompressorExplorer keeps each stage's result by the settings it reads.

    def _detector_level_db(self, x: np.ndarray, sr: int, sidechain=None) -> tuple[np.ndarray, bool]:
        """The detector's level in dB of ``(channels, n)`` audio (or its sidechain), and whether it is linked."""
        key = _prepare_key(x, sidechain, sr, self.sidechain_highpass_hz)
        linked = bool(self.stereo_link) or x.shape[0] == 1
        if self.detector == "rms":
            return _rms_level_db(key, linked, x.shape[0], self.rms_ms, sr), linked
        return _peak_level_db(key, linked, x.shape[0]), linked

    def _smoothed_reduction(self, target_db: np.ndarray, sr: int) -> np.ndarray:
        """The gain computer's target reduction smoothed by attack and release, lookahead applied."""
        return _smooth(target_db, _alpha(self.attack_ms, sr), _alpha(self.release_ms, sr),
                       _samples(self.lookahead_ms, sr), 0.0)


# --------------------------------------------------------------------------- Limiter


@cache
def _interpolation_phases() -> tuple[np.ndarray, float]:
    """Polyphase filters for the points 1/4, 2/4 and 3/4 of a sample after each sample.

    The Kaiser-windowed sinc (81 taps, beta 5) that ``scipy.signal.resample_poly(y, 4, 1)``
    designs (``firwin(81, 1 / 4, window=("kaiser", 5.0))``, built here with NumPy: importing
    ``scipy.signal`` costs a lesson over a second), split into its phases: 20 taps each, on the
    samples i - 9 ... i + 10. Phase 0 is the sample itself. Returns the (3, 20) filters and their
    worst-case gain sum(|h|).
    """
    h = np.sinc(np.arange(-40, 41) / 4) * np.kaiser(81, 5.0)
    h *= 4 / h.sum()  # unity gain at DC, times the 4 of the upsampling
    offsets = np.arange(-9, 11)
    phases = np.array([h[p - 4 * offsets + 40] for p in (1, 2, 3)], dtype=np.float32)
    return phases, float(np.abs(phases).sum(axis=1).max())


def _to_db(env: np.ndarray) -> np.ndarray:
    """A detector envelope in dB, float32 (-inf where it is 0), for :meth:`Limiter._limit`'s ``env_db``."""
    out = np.empty(env.shape, dtype=np.float32)
    _kernel("db")(np.ascontiguousarray(env, dtype=np.float32), out)
    return out


def _peak_envelope(x: np.ndarray, true_peak: bool, floor: float) -> np.ndarray:
    """Peak each sample's gain must respect: over channels, and with ``true_peak`` between samples.

    Outside the audio is silence (as a DAC would see it), so the overshoot of a signal that
    starts or stops abruptly counts against the first or last sample. A peak between samples
    i and i + 1 constrains the gain at both.
    """
    if not true_peak:
        env = np.abs(x[0])
        for c in range(1, x.shape[0]):
            np.maximum(env, np.abs(x[c]), out=env)
        return env
    return _Detector(x).envelope(floor)


class _Detector:
    """The limiter's true-peak detector on one signal (see :func:`_peak_envelope_4x_py`), refined on demand.

    ``envelope(floor)`` is exact wherever a peak can exceed ``floor``. A caller that needs it lower later
    (``master()`` raising its gain) asks again, and only the blocks between the two floors are computed.
    """

    block = 256

    def __init__(self, x: np.ndarray):
        n = x.shape[1]
        self.n = n
        pad = _TAPS
        n_blocks = -(-(n + 2 * pad) // self.block)
        self.padded = np.empty((x.shape[0], n_blocks * self.block), dtype=np.float32)
        self.padded[:, :pad] = 0.0
        self.padded[:, pad : pad + n] = x
        self.padded[:, pad + n :] = 0.0
        self.full = np.empty(self.padded.shape[1], dtype=np.float32)
        self.block_peaks = np.empty(n_blocks, dtype=np.float32)
        self.floor = math.inf  # in units of the kernel's floor (divided by the filters' worst-case gain)

    def envelope(self, floor: float) -> np.ndarray:
        """The detector envelope (see :func:`_peak_envelope`), exact where a peak can exceed ``floor``."""
        phases, worst_gain = _interpolation_phases()
        floor = float(np.float32(floor / worst_gain))
        if floor < self.floor:
            _kernel("peak4x")(self.padded, phases, self.block, np.float32(floor), np.float32(self.floor),
                              self.block_peaks, self.full)
            self.floor = floor
        pad, n, full = _TAPS, self.n, self.full
        first = full[: pad + 1].max()  # the overshoot before the audio counts against its first sample
        last = full[pad + n - 1 :].max()  # and after it against its last
        env = np.empty(n, dtype=np.float32)
        if n == 1:
            env[0] = max(first, last)
            return env
        np.maximum(full[pad + 1 : pad + n], full[pad : pad + n - 1], out=env[1:])
        env[0] = first
        env[1] = max(env[1], first)
        env[-1] = max(env[-1], last)
        return env


@dataclass
class Limiter(_Processor):
    """A lookahead brick-wall limiter: the output's (true) peak never exceeds the ceiling.

    The detector finds each sample's peak (with ``true_peak``, over a 4x oversampled signal,
    which catches the inter-sample peaks a DAC or an MP3 encoder would clip), and the gain
    each peak needs to sit at the ceiling. A windowed minimum over the lookahead holds that
    gain, an exponential release lets it recover, and a moving average as long as the lookahead
    turns each step into a ramp that is complete exactly when the peak arrives.

    A signal whose peaks are already below the ceiling passes bit for bit: no hidden makeup
    gain (JUCE's limiter, behind pedalboard, raises the level so its threshold hits 0 dBFS).
    Limited peaks land 0.05 dB under the ceiling, a margin for the oversampled detector's
    small error between its points.

    Args:
        ceiling_dbtp: highest output true peak in dBTP, e.g. -1.0 for streaming. With
            ``true_peak=False`` only the sample peaks (in dBFS) are held under it, and the
            inter-sample peaks between them may pass it.
        release_ms: 63 % time for the gain to recover after a peak.
        lookahead_ms: length of the gain ramp before each peak; longer is smoother (less
            distortion), shorter keeps more punch. 0 clips the gain on the peak sample itself.
        true_peak: detect inter-sample peaks (4x oversampling, as in ITU-R BS.1770-4) rather
            than sample peaks only.

    The output is time-aligned with the input (the lookahead is latency-compensated).

    Lessons: 00, 02
    """

    ceiling_dbtp: float = -1.0
    release_ms: float = 100.0
    lookahead_ms: float = 5.0
    true_peak: bool = True

    #: limited peaks are aimed this far under the ceiling (dB)
    margin_db = 0.05

    def __post_init__(self):
        in_range("ceiling_dbtp", self.ceiling_dbtp, -60, 0, unit="dB",
                 hint="the ceiling is a peak level such as -1.0 dBTP")
        _check_times(self, "release_ms")
        in_range("lookahead_ms", self.lookahead_ms, 0, 200, unit="ms", hint="1-10 ms is usual")
        flag("true_peak", self.true_peak)

    def process(self, y, sr, sidechain=None) -> DynamicsResult:
        """Limit ``y`` and return the audio with its gain-reduction trace (one gain for all channels).

        Lesson: course/02-compression.ipynb
        """
        if sidechain is not None:
            raise ParameterError("Limiter has no sidechain: it must see the peaks it limits.")
        y = ensure_audio(y)
        sr = check_sr(sr)
        x = as_channels(y)
        ceiling = 10.0 ** (self.ceiling_dbtp / 20.0)
        env = _peak_envelope(x, bool(self.true_peak), ceiling)
        return self._limit(x, env, ceiling, sr, y)

    def _limit(self, x: np.ndarray, env: np.ndarray, ceiling: float, sr: int, like, held: bool = False,
               gain_db: float = 0.0, env_db: np.ndarray | None = None) -> DynamicsResult:
        """Limit ``x`` from its detector envelope ``env`` (see :func:`_peak_envelope`) at the linear ``ceiling``.

        The envelope scales with the input, so a caller that limits the same audio at many gains
        (``master()``) computes it once, held over the lookahead (:meth:`_hold`, ``held=True``), and
        passes ``ceiling / gain`` with ``gain_db``, a gain applied together with the limiting; and
        ``env_db``, that envelope in dB (:func:`_to_db`), to save a logarithm per sample on every pass.
        """
        ahead = _samples(self.lookahead_ms, sr)
        # each sample's need, held over [n, n + ahead] so the ramp can start before the peak (holding the
        # envelope first is the same: the dB need rises with it), released, then averaged over [n - ahead, n]:
        # every sample in that window already holds the peak's need, so the ramp reaches it exactly on the peak
        gr = np.empty((1, x.shape[1]), dtype=np.float32)
        smoothed = np.empty(x.shape[1], dtype=np.float32)
        in_db = held and env_db is not None
        over = _kernel("limiter")(np.ascontiguousarray(env, dtype=np.float32),
                                  env_db if in_db else np.empty(0, dtype=np.float32), 1 if held else ahead + 1,
                                  np.float32(ceiling), np.float32(_DB_PER_NEPER * math.log(ceiling)) if in_db else
                                  np.float32(0.0), np.float32(self.margin_db),
                                  np.float32(_alpha(self.release_ms, sr)), ahead, smoothed, gr[0])
        if not over:  # nothing to limit: the audio passes untouched
            out = x * np.float32(10.0 ** (gain_db / 20.0)) if gain_db else x.copy()
            return _result(out, np.zeros((1, x.shape[1]), dtype=np.float32), like, True)
        # _apply's arithmetic, with the release buffer (no longer needed) for the gain
        gain = smoothed[np.newaxis]
        np.multiply(gr, np.float32(-1.0 / _DB_PER_NEPER), out=gain)
        if gain_db != 0:
            gain += np.float32(gain_db / _DB_PER_NEPER)
        np.exp(gain, out=gain)
        return _result(x * gain, gr, like, True)

    def _hold(self, env: np.ndarray, sr: int) -> np.ndarray:
        """The envelope's maximum over each sample's lookahead window [n, n + ahead]."""
        ahead = _samples(self.lookahead_ms, sr)
        if ahead == 0:
            return env
        out = np.empty(env.shape, dtype=np.float32)
        _kernel("hold")(np.ascontiguousarray(env, dtype=np.float32), ahead + 1, out)
        return out


# --------------------------------------------------------------------------- Gate and Expander


def _check_range(range_db) -> float:
    value = finite("range_db", range_db, unit="dB")
    if value > 0:
        raise ParameterError(
            f"range_db is how far the closed gate turns the signal down, a negative number of dB "
            f"such as -60 (got {value:g}); pass {-value:g}."
        )
    return in_range("range_db", value, -120, 0, unit="dB", hint="-80 is already silence")


def _latch(level_db: np.ndarray, open_at: float, close_below: float) -> np.ndarray:
    """Open where the level reaches ``open_at``; stay open until it falls below ``close_below``."""
    opens = level_db >= np.float32(open_at)
    if close_below >= open_at:
        return opens
    closes = level_db < np.float32(close_below)
    n = level_db.shape[-1]
    last_event = np.where(opens | closes, np.arange(n), -1)
    np.maximum.accumulate(last_event, axis=-1, out=last_event)
    state = np.take_along_axis(opens, np.maximum(last_event, 0), axis=-1)
    return state & (last_event >= 0)  # closed until the first time the level crosses either way


class _BelowThreshold(_Processor):
    """Gate and Expander: a held-peak detector and a reduction that grows as the signal falls away.

    Subclasses give ``_target_reduction(level_db) -> (reduction_db, resting_reduction)``.
    """

    def process(self, y, sr, sidechain=None) -> DynamicsResult:
        """Process ``y`` and return the audio with its gain-reduction trace.

        Lesson: course/02-compression.ipynb
        """
        y = ensure_audio(y)
        sr = check_sr(sr)
        x = as_channels(y)
        key = _prepare_key(x, sidechain, sr, self.sidechain_highpass_hz)
        linked = bool(self.stereo_link) or x.shape[0] == 1
        level = _held_level_db(key, linked, x.shape[0], _samples(self.hold_ms, sr))
        target, rest = self._target_reduction(level)
        # a rising reduction is the signal falling away (release); a falling one is it returning (attack)
        gr = _smooth(target, _alpha(self.release_ms, sr), _alpha(self.attack_ms, sr),
                     _samples(self.lookahead_ms, sr), rest)
        return _result(_apply(x, gr), gr, y, linked)


@dataclass
class Gate(_BelowThreshold):
    """A noise gate: turns the signal down by ``range_db`` while its level is under the threshold.

    The detector holds the peak level for ``hold_ms``, so the gate stays open through the
    zero crossings of a note and for ``hold_ms`` after the note ends; then it closes with
    ``release_ms``. Attack and release are 63 % times of the gain change in dB (opening from
    -60 dB, the gate is at -22 dB after ``attack_ms``).

    Args:
        threshold_db: level in dBFS at which the gate opens.
        range_db: gain of the closed gate in dB, <= 0: -60 or lower mutes, -10 just dips.
        attack_ms: 63 % time to open.
        hold_ms: how long the gate stays open after the level drops below the threshold.
            Keep it longer than one period of the lowest note (10 ms is 100 Hz), or the gate
            chatters on every zero crossing.
        release_ms: 63 % time to close once the hold has run out.
        hysteresis_db: once open, the gate closes only below ``threshold_db - hysteresis_db``,
            which stops it fluttering on a level that hovers around the threshold.
        lookahead_ms: the detector reads ahead, so the gate is open when the transient
            arrives instead of cutting off its front; the output stays time-aligned.
        stereo_link: one gate for all channels (from the loudest), or one per channel.
        sidechain_highpass_hz: None or Hz: high-pass the detector path (a key filter), e.g. so a
            snare gate ignores the kick's low end. ``process(y, sr, sidechain=key)`` keys
            the gate from another track.

    Lesson: not yet taught
    """

    threshold_db: float = -40.0
    range_db: float = -60.0
    attack_ms: float = 1.0
    hold_ms: float = 20.0
    release_ms: float = 100.0
    hysteresis_db: float = 0.0
    lookahead_ms: float = 0.0
    stereo_link: bool = True
    sidechain_highpass_hz: float | None = None

    def __post_init__(self):
        in_range("threshold_db", self.threshold_db, -120, 0, unit="dB",
                 hint="the threshold is a level in dBFS such as -40")
        _check_range(self.range_db)
        _check_times(self, "attack_ms", "hold_ms", "release_ms", "lookahead_ms")
        in_range("hysteresis_db", self.hysteresis_db, 0, 40, unit="dB",
                 hint="it is how far below the threshold the gate closes, e.g. 3")
        flag("stereo_link", self.stereo_link)
        _check_sidechain_highpass(self)

    def curve(self, levels_dbfs) -> np.ndarray:
        """Static curve: output level (dBFS) per input level; a drop of ``range_db`` under the threshold.

        Lesson: not yet taught
        """
        levels = np.asarray(levels_dbfs, dtype=np.float64)
        return np.where(levels >= self.threshold_db, levels, levels + self.range_db)

    def _target_reduction(self, level_db: np.ndarray):
        is_open = _latch(level_db, self.threshold_db, self.threshold_db - self.hysteresis_db)
        closed_gr = np.float32(-self.range_db)
        return np.where(is_open, np.float32(0.0), closed_gr), closed_gr


@dataclass
class Expander(_BelowThreshold):
    """A downward expander: below the threshold, every dB quieter in becomes ``ratio`` dB quieter out.

    The gentle cousin of the gate: it pushes noise and spill down without an on/off switch.
    The static curve mirrors the compressor's (Giannoulis et al. eq. 4, soft knee optional),
    the reduction is limited to ``range_db``, and, as in the gate, the detector holds the
    peak level for ``hold_ms`` so it does not react to every zero crossing.

    Args:
        threshold_db: level in dBFS below which the expander turns the signal down.
        ratio: >= 1; 2 doubles every dB below the threshold, large values act like a gate.
        knee_db: width of the soft knee centred on the threshold (0 = hard knee).
        attack_ms: 63 % time of the reduction falling when the signal gets louder.
        hold_ms: peak-hold time of the level detector.
        release_ms: 63 % time of the reduction rising when the signal gets quieter.
        range_db: the most the expander turns down, in dB (<= 0).
        lookahead_ms: how far ahead the detector reads (the output stays time-aligned).
        stereo_link: one gain for all channels (from the loudest), or one per channel.
        sidechain_highpass_hz: None or Hz: high-pass the detector path only.

    Lesson: not yet taught
    """

    threshold_db: float = -40.0
    ratio: float = 2.0
    knee_db: float = 0.0
    attack_ms: float = 1.0
    hold_ms: float = 10.0
    release_ms: float = 100.0
    range_db: float = -60.0
    lookahead_ms: float = 0.0
    stereo_link: bool = True
    sidechain_highpass_hz: float | None = None

    def __post_init__(self):
        in_range("threshold_db", self.threshold_db, -120, 0, unit="dB",
                 hint="the threshold is a level in dBFS such as -40")
        in_range("ratio", self.ratio, 1, hint="an expander's ratio says how many dB quieter the output gets per dB "
                 "below the threshold; to reduce loud parts, use Compressor")
        in_range("knee_db", self.knee_db, 0, 48, unit="dB", hint="0 is a hard knee; 6-12 dB is soft")
        _check_times(self, "attack_ms", "hold_ms", "release_ms", "lookahead_ms")
        _check_range(self.range_db)
        flag("stereo_link", self.stereo_link)
        _check_sidechain_highpass(self)

    def _static_reduction(self, level_db: np.ndarray) -> np.ndarray:
        under = np.subtract(np.float32(self.threshold_db), level_db, dtype=np.float32)
        gr = _knee_reduction(under, self.ratio - 1.0, float(self.knee_db))
        np.minimum(gr, np.float32(-self.range_db), out=gr)
        return gr

    def curve(self, levels_dbfs) -> np.ndarray:
        """Static curve: output level (dBFS) per input level.

        Lesson: not yet taught
        """
        levels = np.asarray(levels_dbfs, dtype=np.float64)
        reduction = _knee_reduction(self.threshold_db - levels, self.ratio - 1.0, float(self.knee_db))
        return levels - np.minimum(reduction, -self.range_db)

    def _target_reduction(self, level_db: np.ndarray):
        rest = float(self._static_reduction(np.full(1, SILENCE_DB, dtype=np.float32))[0])
        return self._static_reduction(level_db), rest
