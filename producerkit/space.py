"""Space: an algorithmic reverb and a tempo-synced delay.

:class:`Reverb` is a feedback delay network (FDN, Jot & Chaigne 1991): sixteen delay lines of
mutually prime lengths, mixed by an orthogonal (Hadamard) matrix, each with a loss set so that
the reverberation time RT60 (the time to fall 60 dB) at mid frequencies equals ``decay_s``.
:class:`Delay` is a feedback echo whose repeats land on the tempo grid, optionally darkened
(or thinned) a little more on every repeat, and optionally bouncing between left and right.
:func:`rt60` measures a reverberation time the way room acousticians do (ISO 3382, Schroeder
backward integration), so a lesson can check a reverb by measurement rather than by its knob.

Layouts: ``Delay`` returns the input's layout (mono stays mono) unless ``ping_pong=True``,
which needs two channels and returns stereo. ``Reverb`` always returns at least two channels:
a mono ``(n,)`` input comes back as stereo ``(2, n)``, because turning a mono source into a
stereo space is a reverb's job in a mix. The shape never depends on a parameter (``width=0``
still returns two identical channels), so a width slider never changes what comes out.
Both take ``tail``: ``False`` keeps the input's length, ``True`` appends the decay so a snare's
full tail is heard, a number appends that many seconds.

The recursive loops are numba kernels compiled on first use (and cached on disk). Inside them,
values below :data:`FLUSH_TO_ZERO` are set to exactly zero, so a long silent tail never decays
into subnormal floats, which CPUs process many times slower.

Lessons: 00, 06
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache

import numpy as np

from ._validate import flag, in_range, one_of
from .audio import _kernel_input, as_channels, check_sr, ensure_audio, like_input
from .errors import AudioError, ParameterError

__all__ = ["Delay", "Reverb", "note_seconds", "rt60", "widen"]

#: Values smaller than this inside the feedback loops are set to exactly zero. Long tails
#: would otherwise decay into subnormal floats, which many CPUs process ~100x slower.
FLUSH_TO_ZERO = 1e-20

#: :func:`rt60` refuses decay curves less straight than this (ISO 3382-1's xi, per mille;
#: a clean exponential decay is under 15, a steady noise about 200).
MAX_NONLINEARITY = 50.0

#: The longest tail ``tail=True`` appends, in seconds.
MAX_TAIL_S = 60.0


def _check_tail(tail) -> bool | float:
    if isinstance(tail, bool | np.bool_):
        return bool(tail)
    return in_range(
        "tail", tail, 0.0, MAX_TAIL_S, unit="s",
        hint="pass True for the whole decay, False for none, or seconds to append",
    )


# --------------------------------------------------------------------------- reverb

#: Delay-line lengths at ``size=1``, in ms: log-spaced from 9 to 45 ms, made prime at run time.
_LINE_MS = tuple(float(v) for v in np.geomspace(9.0, 45.0, 16))
#: Input diffusion: four Schroeder all-passes (lengths from Dattorro 1997, at 29.76 kHz), gains.
_DIFFUSER_MS = (142 / 29.761, 107 / 29.761, 379 / 29.761, 277 / 29.761)
_DIFFUSER_GAINS = (0.75, 0.75, 0.625, 0.625)
#: RT60 at DC may exceed the mid-band RT60 by at most this factor once damping is on.
_MAX_LOW_RATIO = 2.0


def _is_prime(n: int) -> bool:
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    return all(n % d for d in range(3, int(n**0.5) + 1, 2))


def _distinct_primes(targets) -> np.ndarray:
    """The nearest prime at or above each target, each different (so all are mutually prime)."""
    used: set[int] = set()
    out = []
    for t in targets:
        n = max(2, int(round(t)))
        while not _is_prime(n) or n in used:
            n += 1
        used.add(n)
        out.append(n)
    return np.array(out, dtype=np.int64)


def _one_pole_gain(pole: np.ndarray, w: float) -> np.ndarray:
    """|(1 - p) / (1 - p e^{-jw})|: the unity-DC-gain one-pole low-pass at angular frequency w."""
    return (1 - pole) / np.sqrt(1 - 2 * pole * np.cos(w) + pole**2)


def _pole_for_ratio(ratio: np.ndarray, c_a: float, c_b: float) -> np.ndarray:
    """Pole p in [0, 1) whose one-pole gain at w_b is ``ratio`` times its gain at w_a (c = cos w).

    Solves (1 - r^2) p^2 - 2 (c_a - r^2 c_b) p + (1 - r^2) = 0 for its root below 1, or NaN when
    a first-order filter cannot fall that far between the two frequencies.
    """
    r2 = np.minimum(ratio, 1 - 1e-12) ** 2
    a = 1 - r2
    half_b = c_a - r2 * c_b
    disc = half_b**2 - a**2
    with np.errstate(invalid="ignore"):
        p = (half_b - np.sqrt(disc)) / a
    return np.where((disc >= 0) & (half_b > 0), p, np.nan)


@lru_cache(maxsize=1)
def _reverb_kernels():
    """Compile (once, cached on disk) the reverb: input diffusion and the 16-line FDN loop in one kernel."""
    from numba import njit

    @njit(cache=True)
    def reverb(x, pre, ap_delays, ap_gains, delays, b0, pole, b_in, blend, taps, flush, wet, dry,
               out):  # pragma: no cover
        """The whole reverb, a block at a time: pre-delay, input diffusion, the 16-line loop, the mix.

        Diffusion: ``x`` delayed by ``pre`` samples (zero after its end), then Schroeder all-passes
        in series on each channel: w = x + g w[-D], y = w[-D] - g w.
        The loop: read 16 lines, damp, mix (Hadamard), tap the outputs, inject, write.

        A block is at most the shortest line long, so every line output a block reads was written
        before the block began, and each all-pass runs pieces of at most its own delay: each step is
        a loop over samples whose delayed values are all known (the all-passes and the Hadamard
        butterflies vectorise; the 16 damping filters run side by side).
        Each delay is a stretch of a buffer read D samples behind where it is written; when a
        stretch is full, its last D samples move to its start, so no block wraps around.
        The outputs are rows ``taps`` of the mixed lines, blended across channels by ``blend``:
        the Hadamard transform is done once and serves both the feedback and the outputs. Output
        row c is ``wet * reverb + dry * x[c]`` in float32 (one row of ``x`` is shared by every
        output row).
        """
        n_in, n_dry = x.shape
        n_out, n = out.shape
        n_ap = ap_delays.shape[0]
        block = min(256, delays.min())
        ap_room = 16 * block
        ap_start = np.zeros(n_ap + 1, np.int64)  # each channel's all-pass m: a stretch of ap_buf[c]
        for i in range(n_ap):
            ap_start[i + 1] = ap_start[i] + ap_delays[i] + ap_room
        ap_buf = np.zeros((n_in, ap_start[n_ap]))
        ap_head = ap_start[:n_ap] + ap_delays  # shared by the channels, which move in step
        u = np.empty((n_in, block))  # the diffused input of the block
        silence = np.zeros(block)
        room = 16 * block  # samples written into a line between two moves
        start = np.zeros(17, np.int64)
        for i in range(16):
            start[i + 1] = start[i] + delays[i] + room
        buf = np.zeros(start[16])
        head = start[:16] + delays  # where each line is written next; it is read delays[i] behind
        v = np.zeros((16, block))
        inj = np.empty((16, block))
        state = np.zeros(16)
        acc = np.empty(block)
        for t0 in range(0, n, block):
            m = min(block, n - t0)
            lo = min(m, max(0, pre - t0))  # the block's samples before x starts (pre-delay) ...
            hi = max(lo, min(m, pre + n_dry - t0))  # ... and from where it has ended
            for c in range(n_in):
                uc = u[c, :m]
                for j in range(lo):
                    uc[j] = 0.0
                xc = x[c, t0 + lo - pre : t0 + hi - pre]
                for j in range(hi - lo):
                    uc[lo + j] = xc[j]
                for j in range(hi, m):
                    uc[j] = 0.0
            for i in range(n_ap):  # in pieces of at most d samples
                d = ap_delays[i]
                g = ap_gains[i]
                done = 0
                while done < m:
                    count = min(d, m - done)
                    if ap_head[i] + count > ap_start[i + 1]:  # the stretch is full: move its last d samples
                        for c in range(n_in):
                            ap_buf[c, ap_start[i] : ap_start[i] + d] = ap_buf[c, ap_head[i] - d : ap_head[i]].copy()
                        ap_head[i] = ap_start[i] + d
                    for c in range(n_in):
                        seg = u[c, done : done + count]
                        past = ap_buf[c, ap_head[i] - d : ap_head[i] - d + count]
                        now = ap_buf[c, ap_head[i] : ap_head[i] + count]
                        for j in range(count):
                            delayed = past[j]
                            w = seg[j] + g * delayed
                            if -flush < w < flush:
                                w = 0.0
                            now[j] = w
                            seg[j] = delayed - g * w
                    ap_head[i] += count
                    done += count
            for i in range(16):
                if head[i] + m > start[i + 1]:  # the line's stretch is full: move its last delays[i] samples
                    d = delays[i]
                    buf[start[i] : start[i] + d] = buf[head[i] - d : head[i]].copy()
                    head[i] = start[i] + d
            # The fast Walsh-Hadamard transform (the orthogonal, lossless feedback matrix) runs as two radix-4
            # passes. The 1st: eight lines at a time through their loss / damping filters (eight independent
            # recursions side by side), then butterflies (lo, lo + 1), (lo + 2, lo + 3), (lo, lo + 2), (lo + 1, lo + 3).
            for h in range(2):
                i0 = 8 * h
                i1 = 8 * h + 1
                i2 = 8 * h + 2
                i3 = 8 * h + 3
                i4 = 8 * h + 4
                i5 = 8 * h + 5
                i6 = 8 * h + 6
                i7 = 8 * h + 7
                # each line's output, written delays[i] samples ago
                x0 = buf[head[i0] - delays[i0] : head[i0] - delays[i0] + m]
                x1 = buf[head[i1] - delays[i1] : head[i1] - delays[i1] + m]
                x2 = buf[head[i2] - delays[i2] : head[i2] - delays[i2] + m]
                x3 = buf[head[i3] - delays[i3] : head[i3] - delays[i3] + m]
                x4 = buf[head[i4] - delays[i4] : head[i4] - delays[i4] + m]
                x5 = buf[head[i5] - delays[i5] : head[i5] - delays[i5] + m]
                x6 = buf[head[i6] - delays[i6] : head[i6] - delays[i6] + m]
                x7 = buf[head[i7] - delays[i7] : head[i7] - delays[i7] + m]
                c0, p0, s0 = b0[i0], pole[i0], state[i0]
                c1, p1, s1 = b0[i1], pole[i1], state[i1]
                c2, p2, s2 = b0[i2], pole[i2], state[i2]
                c3, p3, s3 = b0[i3], pole[i3], state[i3]
                c4, p4, s4 = b0[i4], pole[i4], state[i4]
                c5, p5, s5 = b0[i5], pole[i5], state[i5]
                c6, p6, s6 = b0[i6], pole[i6], state[i6]
                c7, p7, s7 = b0[i7], pole[i7], state[i7]
                r0 = v[i0, :m]
                r1 = v[i1, :m]
                r2 = v[i2, :m]
                r3 = v[i3, :m]
                r4 = v[i4, :m]
                r5 = v[i5, :m]
                r6 = v[i6, :m]
                r7 = v[i7, :m]
                for j in range(m):
                    s0 = c0 * x0[j] + p0 * s0
                    if abs(s0) < flush:
                        s0 = 0.0
                    s1 = c1 * x1[j] + p1 * s1
                    if abs(s1) < flush:
                        s1 = 0.0
                    s2 = c2 * x2[j] + p2 * s2
                    if abs(s2) < flush:
                        s2 = 0.0
                    s3 = c3 * x3[j] + p3 * s3
                    if abs(s3) < flush:
                        s3 = 0.0
                    s4 = c4 * x4[j] + p4 * s4
                    if abs(s4) < flush:
                        s4 = 0.0
                    s5 = c5 * x5[j] + p5 * s5
                    if abs(s5) < flush:
                        s5 = 0.0
                    s6 = c6 * x6[j] + p6 * s6
                    if abs(s6) < flush:
                        s6 = 0.0
                    s7 = c7 * x7[j] + p7 * s7
                    if abs(s7) < flush:
                        s7 = 0.0
                    a0 = s0 + s1
                    a1 = s0 - s1
                    a2 = s2 + s3
                    a3 = s2 - s3
                    r0[j] = a0 + a2
                    r2[j] = a0 - a2
                    r1[j] = a1 + a3
                    r3[j] = a1 - a3
                    a0 = s4 + s5
                    a1 = s4 - s5
                    a2 = s6 + s7
                    a3 = s6 - s7
                    r4[j] = a0 + a2
                    r6[j] = a0 - a2
                    r5[j] = a1 + a3
                    r7[j] = a1 - a3
                state[i0] = s0
                state[i1] = s1
                state[i2] = s2
                state[i3] = s3
                state[i4] = s4
                state[i5] = s5
                state[i6] = s6
                state[i7] = s7
            for i in range(16 if n_in > 2 else 0):  # the input injected into every line (below for 1 or 2 channels)
                r = inj[i, :m]
                r[:] = 0.0
                for c in range(n_in):
                    g = b_in[i, c]
                    uc = u[c, :m]
                    for j in range(m):
                        r[j] += g * uc[j]
            # the 2nd radix-4 pass: butterflies (q, q + 4), (q + 8, q + 12), then (q, q + 8), (q + 4, q + 12),
            # scaled by 1/4; it also writes each line (mixed output plus injected input)
            u0 = u[0, :m]
            u1 = u[1, :m] if n_in == 2 else silence[:m]  # (a mono input's second channel: zeros, so h * u1 is 0)
            for q in range(4):
                r0 = v[q, :m]
                r1 = v[q + 4, :m]
                r2 = v[q + 8, :m]
                r3 = v[q + 12, :m]
                w0 = buf[head[q] : head[q] + m]
                w1 = buf[head[q + 4] : head[q + 4] + m]
                w2 = buf[head[q + 8] : head[q + 8] + m]
                w3 = buf[head[q + 12] : head[q + 12] + m]
                if n_in <= 2:  # the input's one or two channels, injected here
                    g0, g4, g8, g12 = b_in[q, 0], b_in[q + 4, 0], b_in[q + 8, 0], b_in[q + 12, 0]
                    h0, h4, h8, h12 = 0.0, 0.0, 0.0, 0.0
                    if n_in == 2:
                        h0, h4, h8, h12 = b_in[q, 1], b_in[q + 4, 1], b_in[q + 8, 1], b_in[q + 12, 1]
                    for j in range(m):
                        a0 = r0[j] + r1[j]
                        a1 = r0[j] - r1[j]
                        a2 = r2[j] + r3[j]
                        a3 = r2[j] - r3[j]
                        y0 = 0.25 * (a0 + a2)
                        y2 = 0.25 * (a0 - a2)
                        y1 = 0.25 * (a1 + a3)
                        y3 = 0.25 * (a1 - a3)
                        r0[j] = y0
                        r1[j] = y1
                        r2[j] = y2
                        r3[j] = y3
                        w0[j] = y0 + (g0 * u0[j] + h0 * u1[j])
                        w1[j] = y1 + (g4 * u0[j] + h4 * u1[j])
                        w2[j] = y2 + (g8 * u0[j] + h8 * u1[j])
                        w3[j] = y3 + (g12 * u0[j] + h12 * u1[j])
                    continue
                e0 = inj[q, :m]
                e1 = inj[q + 4, :m]
                e2 = inj[q + 8, :m]
                e3 = inj[q + 12, :m]
                for j in range(m):
                    a0 = r0[j] + r1[j]
                    a1 = r0[j] - r1[j]
                    a2 = r2[j] + r3[j]
                    a3 = r2[j] - r3[j]
                    y0 = 0.25 * (a0 + a2)
                    y2 = 0.25 * (a0 - a2)
                    y1 = 0.25 * (a1 + a3)
                    y3 = 0.25 * (a1 - a3)
                    r0[j] = y0
                    r1[j] = y1
                    r2[j] = y2
                    r3[j] = y3
                    w0[j] = y0 + e0[j]
                    w1[j] = y1 + e1[j]
                    w2[j] = y2 + e2[j]
                    w3[j] = y3 + e3[j]
            for i in range(16):
                head[i] += m
            a = acc[:m]
            for c in range(n_out):
                a[:] = 0.0
                for k in range(taps.shape[0]):
                    g = blend[c, k]
                    w = v[taps[k], :m]
                    for j in range(m):
                        a[j] += g * w[j]
                o = out[c, t0 : t0 + m]
                live = max(0, min(m, n_dry - t0))  # samples that still have a dry input
                d = x[c if x.shape[0] > 1 else 0, t0 : t0 + live]
                for j in range(live):
                    o[j] = np.float32(a[j]) * wet + dry * d[j]
                for j in range(live, m):
                    o[j] = np.float32(a[j]) * wet

    return reverb


@dataclass
class Reverb:
    """An algorithmic reverb: a 16-line feedback delay network with input diffusion.

    The RT60 at mid frequencies (the 1 kHz octave) equals ``decay_s``: each line of length
    ``d`` samples loses ``60 * d / (decay_s * sr)`` dB per trip, so every path through the
    network falls 60 dB in ``decay_s`` seconds. ``damping`` puts a first-order low-pass in each
    line, designed (after Jot) so the 1 kHz gain still gives ``decay_s`` while the 8 kHz band
    dies faster (at ``damping=1`` about five times faster) and the lows linger a little longer,
    as in a real room with soft furnishings.

    Mono in, stereo out: a mono ``(n,)`` input returns ``(2, n)``; stereo and multichannel
    inputs keep their channel count. Each output channel reads a different, orthogonal mix of
    the lines, so the channels are decorrelated; ``width`` blends them towards their mean at
    constant power (0 = the same reverb in every channel, 1 = fully decorrelated).

    Args:
        decay_s: RT60 in seconds at mid frequencies (0.05 to 30).
        pre_delay_ms: silence before the reverb starts (0 to 500 ms); separates the dry sound
            from its space.
        damping: 0 (bright: every band decays in ``decay_s``) to 1 (dark: highs die fast).
        size: scales the delay-line lengths (0.1 small booth to 4 huge hall); bigger rooms have
            sparser, later reflections. It does not change the decay time.
        width: 0 (mono reverb) to 1 (full stereo).
        mix: 0 (dry only) to 1 (reverb only); a linear crossfade.
        tail: False keeps the input length; True appends the decay until the slowest band has
            fallen 60 dB (at most 60 s); a number appends that many seconds.

    Lessons: 00, 06
    """

    decay_s: float = 1.5
    pre_delay_ms: float = 10.0
    damping: float = 0.4
    size: float = 1.0
    width: float = 1.0
    mix: float = 0.25
    tail: bool | float = False

    def __post_init__(self):
        self.decay_s = in_range(
            "decay_s", self.decay_s, 0.05, 30.0, unit="s",
            hint="under 50 ms is heard as a tone colour rather than a space, and even cathedrals ring for "
            "less than 30 s",
        )
        self.pre_delay_ms = in_range("pre_delay_ms", self.pre_delay_ms, 0.0, 500.0, unit="ms")
        self.damping = in_range(
            "damping", self.damping, 0.0, 1.0, hint="0 is bright (no damping), 1 is dark (highs die fast)"
        )
        self.size = in_range(
            "size", self.size, 0.1, 4.0, hint="it scales the room (1 is a medium room); it must be above 0"
        )
        self.width = in_range("width", self.width, 0.0, 1.0, hint="0 is a mono reverb, 1 full stereo")
        self.mix = in_range("mix", self.mix, 0.0, 1.0, hint="0 is dry only, 1 is reverb only")
        self.tail = _check_tail(self.tail)

    # ---- design (depends on sr)

    def _design(self, sr: int):
        """Delay lengths (samples), filter coefficients b0 and poles, per line."""
        delays = _distinct_primes(np.array(_LINE_MS) * self.size * sr / 1000.0)
        # gain per trip at mid frequencies: -60 dB per decay_s  (g = 10^(-3 d / (T sr)))
        g_mid = 10.0 ** (-3.0 * delays / (self.decay_s * sr))
        w_mid = 2 * np.pi * min(1000.0, 0.1 * sr) / sr
        w_high = 2 * np.pi * min(8000.0, 0.4 * sr) / sr
        poles = np.zeros(delays.size)
        if self.damping > 0:
            # the high band's RT60 is (1 - 0.8 damping) times the mid band's
            high_ratio = 1.0 - 0.8 * self.damping
            wanted = _pole_for_ratio(g_mid ** (1.0 / high_ratio - 1.0), np.cos(w_mid), np.cos(w_high))
            # but keep the DC gain at most g_mid^(1/2): lows ring at most twice as long
            q = g_mid ** (1.0 - 1.0 / _MAX_LOW_RATIO)
            largest = _pole_for_ratio(q, 1.0, np.cos(w_mid))
            largest = np.where(np.isnan(largest), 0.0, largest)
            poles = np.where(np.isnan(wanted), largest, np.minimum(wanted, largest))
            poles = np.clip(poles, 0.0, 0.999)
        dc_gain = g_mid / _one_pole_gain(poles, w_mid)  # so the 1 kHz gain is exactly g_mid
        return delays, dc_gain * (1 - poles), poles, dc_gain

    def _tail_samples(self, sr: int) -> int:
        if self.tail is False:
            return 0
        if self.tail is True:
            delays, _, _, dc_gain = self._design(sr)
            slowest = np.max(-3.0 * delays / (sr * np.log10(dc_gain)))  # RT60 of the slowest band (DC)
            seconds = min(MAX_TAIL_S, self.pre_delay_ms / 1000 + slowest + delays.max() / sr + 0.05)
            return int(math.ceil(seconds * sr))
        return int(round(float(self.tail) * sr))

    @staticmethod
    def _matrices(n_in: int, n_out: int, width: float):
        hadamard = np.array([[1.0]])
        while hadamard.shape[0] < 16:
            hadamard = np.block([[hadamard, hadamard], [hadamard, -hadamard]])
        rng = np.random.default_rng(1991)  # fixed: the same input signs on every run
        b_in = rng.choice([-1.0, 1.0], size=(16, n_in)) / 4.0 / np.sqrt(n_in)
        # orthogonal unit-norm rows of hadamard / 4 (skipping the all-ones row while there are enough):
        # decorrelated outputs. The loop's feedback is hadamard / 4 times the lines, so it taps them there.
        taps = np.arange(1, n_out + 1) if n_out < 16 else np.arange(16)
        # width at constant power: mean + width * (each channel - mean), rescaled
        mean = np.full((n_out, n_out), 1.0 / n_out)
        blend = (mean + width * (np.eye(n_out) - mean)) * np.sqrt(n_out / (1 + width**2 * (n_out - 1)))
        return np.ascontiguousarray(b_in), np.ascontiguousarray(blend), taps

    # ---- processing

    def __call__(self, y, sr) -> np.ndarray:
        """Add the reverb; returns float32 ``(channels, n [+ tail])`` with at least two channels."""
        sr = check_sr(sr)
        y = ensure_audio(y)
        x = as_channels(y)
        n_in, n = x.shape
        n_out_ch = max(2, n_in)
        n_total = n + self._tail_samples(sr)
        if self.mix == 0:
            dry = np.zeros((n_out_ch, n_total), np.float32)
            dry[:, :n] = x  # a mono input is copied to both channels
            return dry
        pre = int(round(self.pre_delay_ms * sr / 1000))
        return self._mixed(x, pre, n_total, sr, n_out_ch)

    def _mixed(self, x: np.ndarray, pre: int, n_total: int, sr: int, n_out_ch: int) -> np.ndarray:
        """The reverb of ``x`` crossfaded with ``x`` itself by ``mix`` (a mono input's dry goes to both channels)."""
        delays, b0, poles, _ = self._design(sr)
        b_in, blend, taps = self._matrices(x.shape[0], n_out_ch, self.width)
        ap_delays = np.array([max(1, round(ms * sr / 1000)) for ms in _DIFFUSER_MS], np.int64)
        out = np.empty((n_out_ch, n_total), np.float32)
        _reverb_kernels()(_kernel_input(x), pre, ap_delays, np.array(_DIFFUSER_GAINS), delays, b0, poles, b_in,
                          blend, taps, FLUSH_TO_ZERO, np.float32(self.mix), np.float32(1 - self.mix), out)
        return out

    def impulse_response(self, sr: int, duration_s: float | None = None) -> np.ndarray:
        """The reverb's wet response to a unit impulse, stereo ``(2, n)`` float32.

        ``duration_s`` defaults to the full tail (see ``tail=True``).

        Lesson: course/06-space.ipynb
        """
        sr = check_sr(sr)
        impulse = np.zeros(1, np.float32)
        impulse[0] = 1.0
        tail = True if duration_s is None else in_range("duration_s", duration_s, 0.0, MAX_TAIL_S, unit="s")
        return replace(self, mix=1.0, tail=tail)(impulse, sr)


# --------------------------------------------------------------------------- rt60


def rt60(ir, sr, band_hz: float | None = None, method: str = "T20") -> float:
    """Reverberation time of an impulse response, measured as in ISO 3382-1.

    The energy decay curve is the backward integral of the squared response (Schroeder 1965);
    a straight line is fitted to it from -5 dB down to -25 dB (``"T20"``) or -35 dB (``"T30"``)
    and extrapolated to -60 dB. With ``band_hz``, the response is first filtered to that octave
    band (a 6th-order Butterworth band-pass from band/sqrt(2) to band*sqrt(2)). Channels are
    summed in energy.

    Raises:
        AudioError: the response never decays far enough for the chosen fit, or its decay
            curve is not straight enough (ISO 3382-1's non-linearity above 50 per mille) to
            have one decay time.

    Lesson: course/06-space.ipynb
    """
    sr = check_sr(sr)
    x = as_channels(ensure_audio(ir, name="ir")).astype(np.float64)
    one_of("method", method, ("T20", "T30"), hint="T20 fits the decay from -5 to -25 dB, T30 to -35 dB")
    if band_hz is not None:
        from .eq import butterworth_bandpass_sos, filter_sos

        band_hz = in_range("band_hz", band_hz, 20.0, sr / 2 / np.sqrt(2), unit="Hz",
                           hint="an octave band's centre, such as 1000")
        sos = butterworth_bandpass_sos(3, band_hz / np.sqrt(2), band_hz * np.sqrt(2), sr)
        x = filter_sos(sos, x).astype(np.float64)
    energy = np.sum(x**2, axis=0)
    edc = np.cumsum(energy[::-1])[::-1]
    if edc[0] <= 0:
        raise AudioError(
            "ir is silent; there is no decay to measure: pass an impulse response (a clap or a click through the room)."
        )
    with np.errstate(divide="ignore"):
        edc_db = 10 * np.log10(edc / edc[0])
    lo, hi = -5.0, (-25.0 if method == "T20" else -35.0)
    below_hi = np.flatnonzero(edc_db <= hi)
    if below_hi.size == 0:
        raise AudioError(
            f"ir decays only {-edc_db[-1]:.1f} dB; {method} needs {-hi:g} dB. Use a longer impulse response."
        )
    start = int(np.flatnonzero(edc_db <= lo)[0])
    stop = int(below_hi[0])
    if stop - start < 2:
        raise AudioError("ir decays too fast to fit a line to its energy decay curve.")
    t = np.arange(start, stop + 1) / sr
    slope, _ = np.polyfit(t, edc_db[start : stop + 1], 1)
    r = np.corrcoef(t, edc_db[start : stop + 1])[0, 1]
    nonlinearity = 1000 * (1 - r**2)  # xi, per mille (ISO 3382-1 Annex B)
    if nonlinearity > MAX_NONLINEARITY:
        raise AudioError(
            f"ir's energy decay curve is not a straight line in dB (non-linearity {nonlinearity:.0f} per "
            "mille, ISO 3382-1 Annex B), so it has no single decay time; pass an impulse response that "
            "includes its whole decay, not a steady sound."
        )
    return float(-60.0 / slope)


# --------------------------------------------------------------------------- delay

_NOTE = re.compile(r"^1/(1|2|4|8|16|32|64)([dt]?)$")


def _note_fraction(note: str) -> Fraction:
    """A note value as a fraction of a whole note: "1/8" -> 1/8, "1/8d" -> 3/16, "1/8t" -> 1/12."""
    match = _NOTE.match(note.strip().lower()) if isinstance(note, str) else None
    if match is None:
        raise ParameterError(
            f'note must look like "1/4", "1/8", "1/16" (with "d" for dotted or "t" for triplet, '
            f'for example "1/8d" or "1/8t") (got {note!r}).'
        )
    value = Fraction(1, int(match.group(1)))
    return value * {"": 1, "d": Fraction(3, 2), "t": Fraction(2, 3)}[match.group(2)]


def _exact(value: float) -> Fraction:
    """The decimal a float was typed as (0.1 -> 1/10), so tempo arithmetic stays exact."""
    return Fraction(repr(float(value)))


def note_seconds(note: str, bpm: float) -> float:
    """The length of a note value at a tempo, in seconds: ``note_seconds("1/8", 120)`` is 0.25.

    Lesson: course/06-space.ipynb
    """
    bpm = in_range("bpm", bpm, 20.0, 400.0, unit="bpm")
    return float(_note_fraction(note) * 240 / _exact(bpm))


@lru_cache(maxsize=1)
def _delay_kernels():
    """The echo kernels (compiled once, cached on disk): see :mod:`producerkit._delay_kernels`."""
    from ._delay_kernels import filtered, plain

    return plain, filtered


@dataclass
class Delay:
    """A feedback delay (echo), set in milliseconds or as a note value at a tempo.

    Echo ``k`` (k = 1, 2, ...) lands exactly on sample ``floor(k * time_s * sr + 0.5)``, i.e. the
    echoes stay locked to the tempo grid and never drift, even when the delay is not a whole
    number of samples (128 bpm, "1/8t"...). Echo ``k`` has the level ``feedback ** (k - 1)``
    (echoes more than 120 dB below the first may be left out when the echo pattern is irregular,
    see ``_echo_pattern``) and,
    when a repeat filter is set, has passed through that filter ``k`` times, so every repeat is a
    little darker (low-pass) or thinner (high-pass), like tape echo.

    Args:
        time_ms: delay time in milliseconds (0 to 5000), or
        note: a note value "1/4", "1/8", "1/16"... with "d" (dotted, x1.5) or "t" (triplet, x2/3),
            together with ``bpm``. Give exactly one of ``time_ms`` and ``note``.
        bpm: the tempo (20 to 400) for ``note``.
        feedback: how much of each echo comes back as the next one, 0 (a single echo) to below 1.
        repeats_lowpass_hz: a first-order low-pass applied once per repeat (None = off).
        repeats_highpass_hz: a first-order high-pass applied once per repeat (None = off).
        ping_pong: echoes alternate left, right, left...; the echoes come from the mono sum of
            the input, and a mono input returns stereo ``(2, n)``.
        mix: 0 (dry only) to 1 (echoes only); a linear crossfade.
        tail: False keeps the input length; True appends echoes until they are 60 dB below the
            first (at most 60 s); a number appends that many seconds.

    Lesson: course/06-space.ipynb
    """

    time_ms: float | None = None
    note: str | None = None
    bpm: float | None = None
    feedback: float = 0.35
    repeats_lowpass_hz: float | None = None
    repeats_highpass_hz: float | None = None
    ping_pong: bool = False
    mix: float = 0.3
    tail: bool | float = False

    def __post_init__(self):
        if (self.time_ms is None) == (self.note is None):
            raise ParameterError(
                "give exactly one of time_ms (milliseconds) or note (with bpm), for example "
                'Delay(time_ms=375) or Delay(note="1/8d", bpm=120).'
            )
        if self.note is not None:
            _note_fraction(self.note)
            if self.bpm is None:
                raise ParameterError(f'note={self.note!r} needs a tempo: pass bpm, e.g. Delay(note="1/8", bpm=120).')
            self.bpm = in_range("bpm", self.bpm, 20.0, 400.0, unit="bpm")
        else:
            if self.bpm is not None:
                raise ParameterError(
                    "bpm is only used with note; with time_ms the delay is already in milliseconds "
                    '(drop bpm, or use note="1/8" with bpm).'
                )
            self.time_ms = in_range("time_ms", self.time_ms, 0.0, 5000.0, lo_open=True, unit="ms",
                                    hint="a delay of 0 ms is no delay at all")
        self.feedback = in_range(
            "feedback", self.feedback, 0.0, 1.0, hi_open=True,
            hint="at 1 or more every repeat is as loud as the one before or louder, so the echoes would never "
            "die away (they run away). Try 0.3 to 0.6",
        )
        for name in ("repeats_lowpass_hz", "repeats_highpass_hz"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, in_range(name, value, 10.0, 40000.0, unit="Hz", hint="or None for off"))
        lp, hp = self.repeats_lowpass_hz, self.repeats_highpass_hz
        if lp is not None and hp is not None and hp >= lp:
            raise ParameterError(
                f"repeats_highpass_hz ({hp:g} Hz) must be below repeats_lowpass_hz ({lp:g} Hz), "
                "or the repeats would be filtered away entirely."
            )
        self.ping_pong = flag("ping_pong", self.ping_pong)
        self.mix = in_range("mix", self.mix, 0.0, 1.0, hint="0 is dry only, 1 is echoes only")
        self.tail = _check_tail(self.tail)

    @property
    def time_s(self) -> float:
        """The delay time in seconds (from ``time_ms`` or from ``note`` at ``bpm``)."""
        return float(self._time_fraction())

    def _time_fraction(self) -> Fraction:
        if self.note is not None:
            return _note_fraction(self.note) * 240 / _exact(self.bpm)
        return _exact(self.time_ms) / 1000

    def echo_positions(self, sr: int, count: int) -> np.ndarray:
        """The samples where echoes 1..count land: ``floor(k * time_s * sr + 0.5)``.

        Lesson: course/06-space.ipynb
        """
        period = self._time_fraction() * check_sr(sr)
        return np.array([math.floor(k * period + Fraction(1, 2)) for k in range(1, count + 1)], np.int64)

    def _tail_samples(self, sr: int) -> int:
        if self.tail is False:
            return 0
        if self.tail is True:
            echoes = 1 if self.feedback == 0 else 1 + math.ceil(math.log(1e-3) / math.log(self.feedback))
            return min(int(MAX_TAIL_S * sr), int(self.echo_positions(sr, echoes)[-1]))
        return int(round(float(self.tail) * sr))

    def _filter_coefs(self, sr: int) -> tuple[float, float]:
        nyquist = sr / 2
        coefs = []
        for name in ("repeats_lowpass_hz", "repeats_highpass_hz"):
            hz = getattr(self, name)
            if hz is None:
                coefs.append(0.0)
                continue
            if hz >= nyquist:
                raise ParameterError(
                    f"{name} = {hz:g} Hz is at or above the Nyquist frequency {nyquist:g} Hz for sr={sr}; lower it."
                )
            coefs.append(1.0 - math.exp(-2 * math.pi * hz / sr))
        return coefs[0], coefs[1]

    def __call__(self, y, sr) -> np.ndarray:
        """Add the echoes; float32 in the input's layout (stereo with ``ping_pong``)."""
        sr = check_sr(sr)
        y = ensure_audio(y)
        x = as_channels(y)
        n_ch, n = x.shape
        if self.ping_pong and n_ch > 2:
            raise AudioError(
                f"ping_pong bounces between two channels but y has {n_ch}; pass mono or stereo "
                "(for example producerkit.audio.to_stereo(y))."
            )
        period = self._time_fraction() * sr
        if period < 1:
            raise ParameterError(
                f"the delay time {float(self._time_fraction()) * 1000:g} ms is shorter than one sample "
                f"at sr={sr}; use a longer delay."
            )
        lp_a, hp_a = self._filter_coefs(sr)
        n_total = n + self._tail_samples(sr)
        out_ch = 2 if self.ping_pong else n_ch
        if self.mix == 0:
            dry = np.zeros((out_ch, n_total), np.float32)
            dry[:, :n] = x
            return dry if self.ping_pong else like_input(dry, y)
        x = _kernel_input(x)
        out = np.empty((out_ch, n_total), np.float32)
        pattern = self._echo_pattern(n_total, period)
        plain, filtered = _delay_kernels()
        positions, gains, rows, loop_len, loop_gain = pattern
        mix = float(self.mix)
        source = x.mean(axis=0, keepdims=True) if self.ping_pong else x
        if lp_a > 0 or hp_a > 0:  # all rows at once: the filters' recursions run side by side
            filtered(source, x, positions, gains, rows if self.ping_pong else np.full_like(rows, -1), loop_len,
                     loop_gain, lp_a, hp_a, FLUSH_TO_ZERO, 1.0 - mix, mix, out)
            return out if self.ping_pong else like_input(out, y)
        if self.ping_pong:
            groups = [(source[0], x, out)]
        else:
            groups = [(x[c], x[c : c + 1], out[c : c + 1]) for c in range(n_ch)]
        for src, dry_rows, rows_out in groups:  # each source row on its own: no recursion but the loop
            pad = int(positions[-1])
            padded = np.zeros(pad + n_total, np.float32)
            padded[pad : pad + n] = src
            for r in range(rows_out.shape[0]):
                mine = rows == r
                plain(padded, pad, dry_rows[r if dry_rows.shape[0] > 1 else 0], positions[mine], gains[mine],
                      loop_len, loop_gain, FLUSH_TO_ZERO, 1.0 - mix, mix, rows_out[r])
        return out if self.ping_pong else like_input(out, y)

    def _echo_pattern(self, n: int, period: Fraction):
        """The echoes as explicit taps plus, when the pattern repeats, a feedback loop.

        Echo k has the level feedback^(k-1) and has passed the repeat filters k times. The echo
        pattern repeats every ``b`` echoes when ``period = a / b`` samples (a fraction in lowest
        terms), so the first ``b`` echoes are placed explicitly and a feedback loop of exactly ``a``
        samples, gain ``feedback ** b`` and ``b`` passes of the filters repeats them: the grid stays
        exact with a recursion. When ``b`` is larger than the number of echoes that matter (until
        -120 dB or the end of the signal), the echoes are all placed explicitly instead.

        Returns (positions, gains, rows, loop length or 0, loop gain); rows is the output row of
        each echo: alternating 0, 1 with ping-pong, else 0 (the source's own channel).
        """
        fb = self.feedback
        audible = 1 if fb == 0 else 1 + math.ceil(math.log(1e-6) / math.log(fb))
        within = max(1, math.floor((n - 0.5) / period))  # echoes that start before the end
        b = period.denominator
        if self.ping_pong and b % 2:
            b *= 2  # the pattern must also repeat left/right
        explicit = min(audible, within, b)
        use_loop = explicit == b and within > b and fb > 0
        positions = np.array([math.floor(k * period + Fraction(1, 2)) for k in range(1, explicit + 1)], np.int64)
        gains = fb ** np.arange(explicit, dtype=np.float64)
        rows = (np.arange(explicit) % 2 if self.ping_pong else np.zeros(explicit)).astype(np.int64)
        if use_loop:
            return positions, gains, rows, int(period * b), fb**b
        return positions, gains, rows, 0, 0.0


# --------------------------------------------------------------------------- width


def widen(y, side_db: float) -> np.ndarray:
    """A stereo widener: the side (L - R) turned up or down by ``side_db`` against the mid (L + R).

    ``side_db=0`` returns the input unchanged, negative narrows it, positive widens it. Widening past
    the source's own width pushes part of the signal out of phase between the channels: the phase
    correlation falls below 0 and that part cancels when the mix is folded to mono.

    Raises:
        AudioError: ``y`` is not stereo ``(2, n)``.

    Lesson: course/06-space.ipynb
    """
    side_db = in_range("side_db", side_db, -60.0, 24.0, unit="dB", hint="0 leaves the width as it is")
    x = ensure_audio(y)
    if x.ndim != 2 or x.shape[0] != 2:
        raise AudioError(f"widen needs stereo audio (2, n) (got shape {x.shape}); a mono sound has no side to widen.")
    mid = (x[0] + x[1]) / 2
    side = (x[0] - x[1]) / 2 * np.float32(10 ** (side_db / 20))
    return np.stack([mid + side, mid - side]).astype(np.float32)
