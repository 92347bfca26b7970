"""Read-only audio (the course's datasets share one read-only decoded copy) reaches the numba kernels as writable
arrays, so no lesson compiles a second machine code for a kernel the warm-up already compiled.

numba types a read-only array differently from a writable one: before this, lesson 06 compiled the reverb, delay,
EQ and loudness kernels again for its read-only stems (28 s of CPU after a fresh ``python -m producerkit._warmup``).
"""

from __future__ import annotations

import numpy as np

from producerkit import eq, meters, space
from producerkit.eq import _cascade_kernel
from producerkit.meters import _kernels as meter_kernels
from producerkit.space import _delay_kernels, _reverb_kernels

SR = 44100


def _read_only(shape, seed):
    y = (np.random.default_rng(seed).standard_normal(shape) * 0.1).astype(np.float32)
    y.flags.writeable = False
    return y


def _read_only_signatures(dispatcher) -> list:
    from numba import types

    return [sig for sig in dispatcher.signatures if any(isinstance(t, types.Array) and not t.mutable for t in sig)]


def test_read_only_audio_reaches_every_kernel_writable():
    for y in (_read_only((2, SR), 1), _read_only(SR, 2)):
        space.Reverb(decay_s=0.5)(y, SR)
        space.Delay(time_ms=120, feedback=0.4)(y, SR)
        space.Delay(time_ms=120, feedback=0.4, repeats_lowpass_hz=3000, repeats_highpass_hz=300)(y, SR)
        eq.EQ([eq.HighPass(80), eq.Peak(1000, gain_db=3)])(y, SR)
        meters.loudness(y, SR)
        meters.integrated_loudness(y, SR)
        meters.true_peak(y, SR)
    kernels = [_reverb_kernels(), *_delay_kernels(), _cascade_kernel(), *meter_kernels()]
    compiled = [k for k in kernels if k.signatures]
    assert len(compiled) >= 6, [k.py_func.__name__ for k in kernels]
    assert not {k.py_func.__name__: _read_only_signatures(k) for k in kernels if _read_only_signatures(k)}
