"""The Delay's numba kernels, at module level so numba can cache them on disk.

Kernels that call other kernels cannot be cached when they are defined inside a function (numba
sees the callee as a closure variable and compiles anew in every process: ten seconds for the
filtered delay); here they are plain module globals. Imported on first use by
:func:`producerkit.space._delay_kernels`, so ``import producerkit.space`` does not import numba.

Both kernels take one source channel ``src`` and write the output rows ``out`` (one row, or two
with ping-pong); ``rows[k]`` is the output row of echo k, and ``x`` holds the dry rows (one row is
shared by every output row). Output row r at sample t is ``dry * x[r, t] + wet * w[r, t]``, where
w is the sum of the explicit echoes (``gains[k]`` times the source ``positions[k]`` samples
earlier, echo k filtered k times by the repeat filter F) and, when ``loop_len`` > 0, the feedback
loop that repeats them: ``w[t] += loop_gain * F^K(w)[t - loop_len]`` for K echoes to a loop. The
filtered kernel computes the same thing with the loop in front of the filters (see ``filtered``).

Lesson: not yet taught
"""

import numpy as np
from numba import njit

# no nnan/ninf: the flushes compare, and a NaN in the input must stay a NaN, not be optimised away
FAST = {"contract", "arcp", "nsz", "reassoc"}
# the repeat filters' recursions: fused multiply-adds only (reassociating them lengthens the chain
# from one sample to the next: 60 % slower)
CONTRACT = {"contract"}


@njit(cache=True, fastmath=FAST)
def plain(padded, pad, x, positions, gains, loop_len, loop_gain, flush, dry, wet, out):  # pragma: no cover
    """Unfiltered echoes into one output row, a block at a time: ``padded`` is the source with
    ``pad`` zeros before it (and zeros after), so every tap reads a contiguous, in-range slice.
    A block is never longer than the loop, so the loop's return for a whole block is already known."""
    n = x.shape[0]
    n_total = out.shape[0]
    block = 2048 if loop_len == 0 else min(2048, loop_len)
    acc = np.empty(block)
    ring = np.zeros(max(loop_len, 1))  # w[t - loop_len] sits in ring[t % loop_len] (zeros before 0)
    for t0 in range(0, n_total, block):
        m = min(block, n_total - t0)
        a = acc[:m]
        a[:] = 0.0
        for k in range(positions.shape[0]):
            g = gains[k]
            off = pad + t0 - positions[k]
            seg = padded[off : off + m]
            for i in range(m):
                a[i] += g * seg[i]
        if loop_len > 0:
            done = 0
            while done < m:
                p = (t0 + done) % loop_len
                count = min(m - done, loop_len - p)
                r = ring[p : p + count]
                w = a[done : done + count]
                for i in range(count):
                    v = w[i] + loop_gain * r[i]
                    if -flush < v < flush:
                        v = 0.0
                    r[i] = v
                    w[i] = v
                done += count
        live = max(0, min(m, n - t0))  # samples that still have a dry input
        o = out[t0 : t0 + m]
        d = x[t0 : t0 + live]
        for i in range(live):
            o[i] = wet * a[i] + dry * d[i]
        for i in range(live, m):
            o[i] = wet * a[i]

@njit(cache=True, fastmath=CONTRACT)
def one_pole_pair(a, b, lp_a, hp_a, states):  # pragma: no cover
    """The repeat filter over two rows at once (two independent recursions keep the CPU busy)."""
    lp_p = 1.0 - lp_a  # state = p * state + a * input
    hp_p = 1.0 - hp_a
    la, ha, lb, hb = states[0], states[1], states[2], states[3]
    if lp_a > 0 and hp_a > 0:
        for i in range(a.shape[0]):
            la = lp_p * la + lp_a * a[i]
            ha = hp_p * ha + hp_a * la
            a[i] = la - ha
            lb = lp_p * lb + lp_a * b[i]
            hb = hp_p * hb + hp_a * lb
            b[i] = lb - hb
    elif lp_a > 0:
        for i in range(a.shape[0]):
            la = lp_p * la + lp_a * a[i]
            a[i] = la
            lb = lp_p * lb + lp_a * b[i]
            b[i] = lb
    else:
        for i in range(a.shape[0]):
            ha = hp_p * ha + hp_a * a[i]
            a[i] = a[i] - ha
            hb = hp_p * hb + hp_a * b[i]
            b[i] = b[i] - hb
    states[0], states[1], states[2], states[3] = la, ha, lb, hb

@njit(cache=True, fastmath=FAST)
def cascade(block, lp_a, hp_a, states, flush):  # pragma: no cover
    """One repeat filter (a one-pole low-pass then a one-pole high-pass; coefficient 0 = off) over
    each row of ``block`` in place; row r's states are ``states[r]`` (low-pass, high-pass). They are
    flushed to zero after the block once they have decayed below ``flush`` (a block is too short for
    them to reach a subnormal within it)."""
    rows = block.shape[0]
    pair = np.zeros(4)
    for r in range(0, rows, 2):
        other = r + 1 if r + 1 < rows else r  # an odd last row is filtered twice over a copy
        b = block[other].copy() if other == r else block[other]
        pair[0], pair[1] = states[r, 0], states[r, 1]
        pair[2], pair[3] = states[other, 0], states[other, 1]
        one_pole_pair(block[r], b, lp_a, hp_a, pair)
        states[r, 0], states[r, 1] = pair[0], pair[1]
        if other != r:
            states[other, 0], states[other, 1] = pair[2], pair[3]
    for r in range(rows):
        for j in range(2):
            if abs(states[r, j]) < flush:
                states[r, j] = 0.0

@njit(cache=True, fastmath=FAST)
def filtered(src, x, positions, gains, rows, loop_len, loop_gain, lp_a, hp_a, flush, dry, wet,
             out):  # pragma: no cover
    """Filtered echoes, a block at a time. Each source row q runs through K cascaded repeat filters
    (stage k's output is F^k(q), computed once and shared), and stage k's output, times gains[k],
    waits in a ring buffer for ``positions[k]`` samples, in output row ``rows[k]`` (-1: the source's
    own row); each output row then adds the dry signal.

    With a loop (``loop_len`` > 0, K echoes to a period), the feedback sits in front of the filter
    chain: q = src + loop_gain * F^K(q)[t - loop_len], so the K stages that place the first K echoes
    also filter every later trip, and each sample passes each filter once. This is the same linear
    system as filtering the echoes' sum K more times in a loop behind the taps (the filters and
    delays commute), in half the work. A block is never longer than the loop, so the loop's return
    for a whole block is already known."""
    n_src, n = src.shape
    out_rows, n_total = out.shape
    k_taps = positions.shape[0]
    block = 1024 if loop_len == 0 else min(1024, loop_len)
    # with a loop, echo K (at positions[K - 1] == loop_len) is read straight from the loop's buffer
    scattered = k_taps - 1 if loop_len > 0 else k_taps
    reach = positions[scattered - 1] if scattered > 0 else 0
    ring = (reach // block + 2) * block  # a whole number of blocks: reads never wrap
    pending = np.zeros((out_rows, ring))
    cur = np.empty((n_src, block))
    tap_states = np.zeros((k_taps, n_src, 2))
    loop_buf = np.zeros((n_src, max(loop_len, 1)))  # F^K(q)[t - loop_len] at [t % loop_len]
    for t0 in range(0, n_total, block):
        m = min(block, n_total - t0)
        live = max(0, min(m, n - t0))
        c = cur[:, :m]
        for j in range(n_src):
            for i in range(live):
                c[j, i] = src[j, t0 + i]
            for i in range(live, m):
                c[j, i] = 0.0
        read = t0 % ring
        if loop_len > 0:  # the loop's return, F^K(q) from loop_len samples ago: fed back, and echo K
            g_last = gains[k_taps - 1]
            for j in range(n_src):
                row = j if rows[k_taps - 1] < 0 else rows[k_taps - 1]
                p = t0 % loop_len
                done = 0
                while done < m:
                    count = min(m - done, loop_len - p)
                    back = loop_buf[j, p : p + count]
                    due = pending[row, read + done : read + done + count]
                    for i in range(count):
                        value = c[j, done + i] + loop_gain * back[i]
                        c[j, done + i] = 0.0 if abs(value) < flush else value
                        due[i] += g_last * back[i]
                    done += count
                    p = 0
        for k in range(k_taps):
            cascade(c, lp_a, hp_a, tap_states[k], flush)
            if k >= scattered:
                break
            g = gains[k]
            for j in range(n_src):
                row = j if rows[k] < 0 else rows[k]
                done = 0
                while done < m:
                    w = (t0 + done + positions[k]) % ring
                    count = min(m - done, ring - w)
                    dest = pending[row, w : w + count]
                    part = c[j, done : done + count]
                    for i in range(count):
                        dest[i] += g * part[i]
                    done += count
        if loop_len > 0:  # c is now F^K(q): it comes back loop_len samples later
            for j in range(n_src):
                p = t0 % loop_len
                done = 0
                while done < m:
                    count = min(m - done, loop_len - p)
                    loop_buf[j, p : p + count] = c[j, done : done + count]
                    done += count
                    p = 0
        for r in range(out_rows):  # the echoes due now leave the ring (which is cleared behind them)
            o = out[r, t0 : t0 + m]
            vr = pending[r, read : read + m]
            d = x[r if x.shape[0] > 1 else 0, t0 : t0 + live]
            for i in range(live):
                value = vr[i]
                if abs(value) < flush:
                    value = 0.0
                o[i] = wet * value + dry * d[i]
            for i in range(live, m):
                value = vr[i]
                if abs(value) < flush:
                    value = 0.0
                o[i] = wet * value
            vr[:] = 0.0
