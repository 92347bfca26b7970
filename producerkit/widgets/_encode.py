"""Audio to compact bytes for the browser: 16-bit PCM WAV (NumPy, a few ms) or FLAC (soundfile).

The widgets send these bytes to the page as binary buffers (``traitlets.Bytes`` synced by
ipywidgets), never as base64 text in the notebook. The audio is never normalised: samples
beyond ±1.0 are clipped, as a 16-bit file or a sound card would clip them, and
:func:`count_clipped` says how many so the widget can show a clip warning.

16-bit WAV is the default because encoding 10 s of stereo at 44.1 kHz takes a few
milliseconds (FLAC takes several times longer for half the bytes; see ``tests/test_abplayer.py``
and the ABPlayer report for the numbers).

Lesson: course/00-welcome.ipynb
"""

from __future__ import annotations

import io
import struct

import numpy as np

from ..audio import as_channels, check_sr, ensure_audio
from ..errors import ParameterError

#: float → int16 scale. The same 32768 that ``ensure_audio`` divides int16 by, so int16 audio
#: passes through decode and encode unchanged.
_INT16_SCALE = 32768.0


def count_clipped(y) -> int:
    """Number of samples beyond ±1.0 (0 dBFS), which the 16-bit encoding clips.

    Lesson: course/00-welcome.ipynb
    """
    y = np.asarray(y)
    # Two reductions beat |y| > 1 (no temporary the size of the audio) on the common clean case.
    if y.size == 0 or (float(y.max()) <= 1.0 and float(y.min()) >= -1.0):
        return 0
    return int(np.count_nonzero(np.abs(y) > 1.0))


def to_int16(y, *, dither: bool = False, seed: int = 0) -> np.ndarray:
    """Quantise float audio to int16 samples, interleaved as ``(n, channels)``.

    Samples beyond ±1.0 are clipped (never normalised). With ``dither=True``, triangular (TPDF)
    dither of ±1 LSB is added before rounding, which turns quantisation distortion of very quiet
    material into a steady noise floor at about -96 dBFS; it is off by default so that the same
    input always gives the same bytes.
    """
    return _int16_checked(as_channels(ensure_audio(y, allow_empty=True)), dither=dither, seed=seed)


def _int16_checked(y2: np.ndarray, *, dither: bool = False, seed: int = 0) -> np.ndarray:
    """:func:`to_int16` of audio already checked (``ensure_audio``) and shaped ``(channels, n)``."""
    channels, n = y2.shape
    noise = None
    if dither:
        rng = np.random.default_rng(seed)
        noise = rng.random((n, channels), dtype=np.float32) - rng.random((n, channels), dtype=np.float32)
    # (channels, n) → (n, channels): WAV interleaves frames. One channel at a time through a
    # contiguous buffer, written straight into the interleaved output (3x faster than a transpose).
    out = np.empty((n, channels), "<i2")
    scaled = np.empty(n, np.float32)
    for c in range(channels):
        np.multiply(y2[c], np.float32(_INT16_SCALE), out=scaled)
        if noise is not None:
            scaled += noise[:, c]
        np.rint(scaled, out=scaled)
        np.clip(scaled, -32768.0, 32767.0, out=scaled)
        out[:, c] = scaled
    return out


def wav16_header(num_frames: int, channels: int, sr: int) -> bytes:
    """The 44-byte RIFF/WAVE header of a 16-bit PCM file (Microsoft WAVE format, ``fmt`` tag 1)."""
    block_align = 2 * channels
    data_bytes = num_frames * block_align
    if data_bytes + 36 > 0xFFFFFFFF:
        raise ParameterError("the audio is too long for a WAV file (over 4 GB); send a shorter clip.")
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + data_bytes,
        b"WAVE",
        b"fmt ",
        16,  # fmt chunk size
        1,  # PCM
        channels,
        sr,
        sr * block_align,  # byte rate
        block_align,
        16,  # bits per sample
        b"data",
        data_bytes,
    )


def encode_wav16(y, sr: int, *, dither: bool = False, seed: int = 0) -> bytes:
    """Encode audio as the bytes of a 16-bit PCM WAV file.

    Vectorised NumPy: about 3 ms for 10 s of stereo at 44.1 kHz. Values beyond ±1.0 are
    clipped (use :func:`count_clipped` to warn about it); nothing is normalised.

    Args:
        y: audio, mono ``(n,)`` or ``(channels, n)``, float or integer.
        sr: sample rate in Hz.
        dither: add TPDF dither before rounding (off by default: deterministic bytes).
        seed: the dither's random seed.

    Lesson: course/00-welcome.ipynb
    """
    sr = check_sr(sr)
    pcm = to_int16(y, dither=dither, seed=seed)
    frames, channels = pcm.shape
    return wav16_header(frames, channels, sr) + pcm.tobytes()


def _wav16_checked(y2: np.ndarray, sr: int) -> bytes:
    """:func:`encode_wav16` of audio a widget has checked already (``ensure_audio``, ``(channels, n)``)
    at a checked rate: the same bytes without checking every sample again."""
    pcm = _int16_checked(y2)
    frames, channels = pcm.shape
    return wav16_header(frames, channels, sr) + pcm.tobytes()


def encode_flac(y, sr: int, *, compression_level: float = 0.0) -> bytes:
    """Encode audio as the bytes of a 16-bit FLAC file (libsndfile through soundfile).

    About half the size of 16-bit WAV for music, but several times slower to encode; the
    widgets use :func:`encode_wav16` to keep an update within the 50 ms budget. Values beyond
    ±1.0 are clipped; nothing is normalised.

    Args:
        compression_level: 0 (fastest) to 1 (smallest), soundfile's scale.

    Lesson: course/00-welcome.ipynb
    """
    import soundfile as sf

    sr = check_sr(sr)
    pcm = to_int16(y)
    buf = io.BytesIO()
    kwargs = {}
    if "compression_level" in sf.write.__code__.co_varnames:  # soundfile >= 0.13
        kwargs["compression_level"] = compression_level
    sf.write(buf, pcm, sr, format="FLAC", subtype="PCM_16", **kwargs)
    return buf.getvalue()
