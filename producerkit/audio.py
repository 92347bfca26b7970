"""Audio in and out: loading, atomic saving, the channel convention, decibels, resampling.

The convention everywhere in producerkit (librosa's): audio is a float32 NumPy array,
mono ``(n,)`` or multichannel ``(channels, n)``, and the sample rate travels beside it as
``f(y, sr)``. Other layouts and dtypes are accepted only at the edges, through
:func:`ensure_audio`, which says exactly what to pass instead when a shape is ambiguous.

Lesson: course/06-space.ipynb
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np

from ._files import write_atomic
from ._validate import one_of, whole
from .errors import AudioError

#: More channels than this on the first axis means the array is probably (samples, channels).
MAX_CHANNELS = 16

#: The quietest level producerkit reports, in dBFS; digital silence reads as this, not -inf.
SILENCE_DB = -120.0

READABLE_FORMATS = ("WAV", "FLAC", "OGG", "MP3", "AIFF")


class ClippingWarning(UserWarning):
    """Samples beyond ±1.0 (0 dBFS) were written: fixed-point files will clip them.

    Lesson: not yet taught
    """


# --------------------------------------------------------------------------- decibels


def db_to_amp(db):
    """Convert decibels to a linear amplitude factor: ``10 ** (db / 20)``.

    ``db_to_amp(-6.02)`` is 0.5; ``db_to_amp(0)`` is 1.

    Lesson: not yet taught
    """
    return np.power(10.0, np.asarray(db, dtype=np.float64) / 20.0)


def amp_to_db(amp, floor_db: float = SILENCE_DB):
    """Convert a linear amplitude to decibels, ``20 * log10(|amp|)``, never below ``floor_db``.

    Silence reads as ``floor_db`` rather than ``-inf`` so plots and arithmetic stay finite.

    Lesson: not yet taught
    """
    floor = 10.0 ** (floor_db / 20.0)
    return 20.0 * np.log10(np.maximum(np.abs(np.asarray(amp, dtype=np.float64)), floor))


def power_to_db(power, floor_db: float = SILENCE_DB):
    """Convert a power (mean square) to decibels, ``10 * log10(power)``, never below ``floor_db``.

    Lesson: not yet taught
    """
    floor = 10.0 ** (floor_db / 10.0)
    return 10.0 * np.log10(np.maximum(np.asarray(power, dtype=np.float64), floor))


# --------------------------------------------------------------------------- layout


def ensure_audio(y, *, name: str = "y", allow_transposed: bool = False, allow_empty: bool = False):
    """Validate audio and return it as float32, mono ``(n,)`` or ``(channels, n)``.

    Integer samples are scaled to ±1.0 (int16 by 32768, int32 by 2**31, uint8 around 128);
    float64 is converted to float32. A 2-D array whose first axis is longer than
    :data:`MAX_CHANNELS` looks like soundfile's ``(samples, channels)`` layout: it is
    transposed when ``allow_transposed=True`` (at the edges: files, widget inputs) and
    refused otherwise, with the fix in the message.

    Raises:
        AudioError: not an array of numbers, more than two dimensions, an ambiguous shape,
            no samples, or NaN/Inf samples.

    Lesson: not yet taught
    """
    if isinstance(y, tuple) and len(y) == 2 and np.ndim(y[1]) == 0:
        raise AudioError(
            f"{name} is a (y, sr) tuple; pass the array and the sample rate separately, "
            f"for example f(y, sr) after `y, sr = load(path)`."
        )
    try:
        arr = np.asarray(y)
    except Exception as exc:  # ragged lists and the like
        raise AudioError(f"{name} could not be read as an array of samples: {exc}") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise AudioError(
            f"{name} must be an array of numbers (got dtype {arr.dtype}); "
            "pass a NumPy array of samples, for example from producerkit.audio.load()."
        )
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise AudioError(f"{name} is complex; audio samples are real numbers (take .real or abs()).")
    if arr.dtype == bool:
        raise AudioError(
            f"{name} is boolean (True/False); audio samples are numbers between -1 and 1: "
            f"pass float samples, for example {name}.astype(np.float32)."
        )
    arr = _to_float32(arr)

    if arr.ndim == 0:
        raise AudioError(
            f"{name} is a single number; pass an array of samples: 1-D (n,) for mono or 2-D (channels, n)."
        )
    if arr.ndim > 2:
        raise AudioError(
            f"{name} has {arr.ndim} dimensions {arr.shape}; audio is mono (n,) or (channels, n). "
            "For a batch of clips, pass them one at a time."
        )
    if arr.ndim == 2:
        rows, cols = arr.shape
        if rows == 0 or cols == 0:
            if allow_empty:
                return np.ascontiguousarray(arr)
            raise AudioError(f"{name} is empty (shape {arr.shape}: no samples); pass at least one sample of audio.")
        if rows > MAX_CHANNELS and cols <= MAX_CHANNELS:
            if allow_transposed:
                arr = arr.T
            else:
                raise AudioError(
                    f"{name} has shape {arr.shape}, which looks like (samples, channels); "
                    f"producerkit uses (channels, samples). Pass {name}.T (shape {(cols, rows)})."
                )
        elif rows > MAX_CHANNELS:
            raise AudioError(
                f"{name} has shape {arr.shape}: neither axis looks like channels (at most {MAX_CHANNELS}). "
                "Pass mono audio as (n,) or multichannel audio as (channels, n)."
            )
        if arr.shape[0] == 1:
            arr = arr[0]
    if arr.shape[-1] == 0 and not allow_empty:
        raise AudioError(f"{name} is empty (no samples); pass at least one sample of audio.")
    if not np.isfinite(arr).all():
        bad = int(np.count_nonzero(~np.isfinite(arr)))
        raise AudioError(
            f"{name} contains {bad} NaN or infinite sample(s); audio must be finite. "
            "Check the processing that produced it (a division by zero, an unstable filter)."
        )
    return np.ascontiguousarray(arr)


def _to_float32(arr: np.ndarray) -> np.ndarray:
    if arr.dtype == np.float32:
        return arr
    if np.issubdtype(arr.dtype, np.floating):
        with np.errstate(over="ignore"):
            return arr.astype(np.float32)
    if arr.dtype == np.uint8:
        return ((arr.astype(np.float32) - 128.0) / 128.0).astype(np.float32)
    if np.issubdtype(arr.dtype, np.signedinteger):
        scale = float(2 ** (8 * arr.dtype.itemsize - 1))
        return (arr.astype(np.float64) / scale).astype(np.float32)
    if np.issubdtype(arr.dtype, np.unsignedinteger):
        half = float(2 ** (8 * arr.dtype.itemsize - 1))
        return ((arr.astype(np.float64) - half) / half).astype(np.float32)
    return arr.astype(np.float32)


def check_sr(sr, *, name: str = "sr") -> int:
    """Validate a sample rate and return it as an int (Hz).

    Lesson: not yet taught
    """
    return whole(name, sr, 1000, 768_000, unit="Hz", hint="a sample rate such as 44100 or 48000")


def num_channels(y) -> int:
    """Number of channels of audio in producerkit's layout: 1 for ``(n,)``, else ``y.shape[0]``.

    Lesson: not yet taught
    """
    return 1 if np.ndim(y) == 1 else int(np.shape(y)[0])


def as_channels(y: np.ndarray) -> np.ndarray:
    """View audio as 2-D ``(channels, n)``; mono becomes ``(1, n)``. Undo with :func:`like_input`.

    Lesson: not yet taught
    """
    return y[np.newaxis, :] if y.ndim == 1 else y


def _kernel_input(x: np.ndarray) -> np.ndarray:
    """``x`` as the C-contiguous, writable array producerkit's numba kernels are compiled for.

    numba compiles separate machine code for a read-only array, and the course's audio is read-only (the
    datasets share one decoded copy): the first such call in a lesson would compile for 5-10 s per kernel,
    where copying the array costs milliseconds.
    """
    if x.flags.writeable and x.flags.c_contiguous:
        return x
    return np.array(x, order="C")


def like_input(y2d: np.ndarray, original: np.ndarray) -> np.ndarray:
    """Give a ``(channels, n)`` result the layout of ``original``: back to ``(n,)`` if it was mono.

    Lesson: not yet taught
    """
    return y2d[0] if original.ndim == 1 else y2d


def to_mono(y) -> np.ndarray:
    """Mix audio down to mono ``(n,)`` by averaging the channels.

    Averaging (not summing) keeps a centred stereo signal at the same level.

    Lesson: course/06-space.ipynb
    """
    y = ensure_audio(y)
    return y if y.ndim == 1 else y.mean(axis=0, dtype=np.float32)


def to_stereo(y) -> np.ndarray:
    """Return audio as stereo ``(2, n)``.

    Mono is copied to both channels; stereo passes through; 5.0 and 5.1 (L, R, C, [LFE,] Ls, Rs)
    are folded down with the ITU-R BS.775 coefficients (centre and surrounds at -3 dB, LFE
    dropped). Other channel counts raise, because there is no single right fold-down.

    Lesson: course/06-space.ipynb
    """
    y = ensure_audio(y)
    if y.ndim == 1:
        return np.stack([y, y])
    ch = y.shape[0]
    if ch == 2:
        return y
    if ch in (5, 6):
        g = np.float32(10 ** (-3 / 20))
        left, right, centre = y[0], y[1], y[2]
        ls, rs = (y[3], y[4]) if ch == 5 else (y[4], y[5])
        return np.stack([left + g * centre + g * ls, right + g * centre + g * rs]).astype(np.float32)
    raise AudioError(
        f"cannot fold {ch} channels down to stereo; pick the two channels you want, for example y[:2]."
    )


def resample(y, sr_in: int, sr_out: int) -> np.ndarray:
    """Resample audio from ``sr_in`` to ``sr_out`` Hz with a high-quality polyphase filter (soxr).

    Lesson: not yet taught
    """
    y = ensure_audio(y)
    sr_in, sr_out = check_sr(sr_in, name="sr_in"), check_sr(sr_out, name="sr_out")
    if sr_in == sr_out:
        return y
    try:
        import soxr

        out = soxr.resample(y.T, sr_in, sr_out, quality="HQ").T
    except ImportError:  # soxr ships with librosa; fall back to SciPy if it is missing
        from math import gcd

        from scipy.signal import resample_poly

        g = gcd(sr_in, sr_out)
        out = resample_poly(y, sr_out // g, sr_in // g, axis=-1)
    return np.ascontiguousarray(out, dtype=np.float32)


# --------------------------------------------------------------------------- files


def load(path, sr: int | None = None, mono: bool = False):
    """Load an audio file as float32 ``(y, sr)``: mono ``(n,)`` or ``(channels, n)``.

    Reads WAV, FLAC, OGG/Vorbis, MP3 and AIFF through soundfile (libsndfile). With ``sr``
    the audio is resampled to that rate; with ``mono=True`` the channels are averaged.

    Raises:
        AudioError: the file is missing, unreadable or corrupt, has no samples, or
            contains NaN/Inf samples. The message names the file.

    Lesson: not yet taught
    """
    import soundfile as sf

    path = Path(path)
    if not path.exists():
        raise AudioError(f"{path}: file not found. Check the path (relative paths start at {Path.cwd()}).")
    if path.is_dir():
        raise AudioError(f"{path}: is a folder, not an audio file.")
    try:
        data, file_sr = sf.read(str(path), dtype="float32", always_2d=True)
    except Exception as exc:
        raise AudioError(
            f"{path}: could not read it as audio ({_first_line(exc)}). "
            f"producerkit reads {', '.join(READABLE_FORMATS)}; is the file complete and of one of these kinds?"
        ) from None
    if data.shape[0] == 0:
        raise AudioError(f"{path}: the file holds no samples (zero-length audio).")
    if not np.isfinite(data).all():
        raise AudioError(f"{path}: the file contains NaN or infinite samples; it is corrupt or was written wrongly.")
    y = np.ascontiguousarray(data.T)
    if mono or y.shape[0] == 1:
        y = y.mean(axis=0, dtype=np.float32) if y.shape[0] > 1 else y[0]
    if sr is not None:
        sr = check_sr(sr)
        y = resample(y, file_sr, sr)
        file_sr = sr
    return np.ascontiguousarray(y, dtype=np.float32), int(file_sr)


_DEFAULT_SUBTYPES = {"OGG": "VORBIS", "MP3": "MPEG_LAYER_III"}


def save(path, y, sr: int, subtype: str = "PCM_24", overwrite: bool = False, clip: str = "warn",
         dither: bool = True) -> Path:
    """Write audio to a file atomically and return its path.

    The audio is written to a temporary file beside the target and then renamed into place,
    so a crash never leaves a half-written file. An existing file is never replaced unless
    ``overwrite=True``. The format follows the extension (.wav, .flac, .ogg, .mp3, .aiff);
    ``subtype`` sets the bit depth for WAV/FLAC/AIFF (``"PCM_16"``, ``"PCM_24"``, ``"FLOAT"``).
    A ``"PCM_16"`` file is dithered (TPDF, ±1 LSB) unless ``dither=False`` or the audio is
    already on the 16-bit grid (:func:`dither_to_16bit`).

    Args:
        clip: what to do with samples beyond ±1.0, which fixed-point files clip:
            ``"warn"`` (a :class:`ClippingWarning`) or ``"error"`` (an :class:`AudioError`).
        dither: add TPDF dither before cutting to 16 bits (only ``"PCM_16"`` is affected).

    Lesson: not yet taught
    """
    import soundfile as sf

    one_of("clip", clip, ("warn", "error"))
    sr = check_sr(sr)
    y = ensure_audio(y)
    path = Path(path)
    ext = path.suffix.lower().lstrip(".")
    formats = {"wav": "WAV", "flac": "FLAC", "ogg": "OGG", "mp3": "MP3", "aif": "AIFF", "aiff": "AIFF"}
    if ext not in formats:
        raise AudioError(f"{path}: unknown extension {path.suffix!r}; use one of .wav, .flac, .ogg, .mp3, .aiff.")
    fmt = formats[ext]
    if fmt in _DEFAULT_SUBTYPES:
        subtype = _DEFAULT_SUBTYPES[fmt]
    if not sf.check_format(fmt, subtype):
        raise AudioError(f"{path}: {fmt} files cannot hold subtype {subtype!r}; try 'PCM_16' or 'PCM_24'.")
    if not path.parent.exists():
        raise AudioError(f"{path}: the folder {path.parent} does not exist; create it first.")
    if path.exists() and not overwrite:
        raise AudioError(f"{path}: already exists and was left untouched; pass overwrite=True to replace it.")
    peak = float(np.max(np.abs(y)))
    if peak > 1.0 and subtype != "FLOAT" and subtype != "DOUBLE":
        msg = (
            f"{path}: {int(np.count_nonzero(np.abs(y) > 1.0))} sample(s) exceed ±1.0 "
            f"(peak {amp_to_db(peak):+.2f} dBFS) and will clip in a {subtype} file; "
            "lower the level or use a limiter (producerkit.dynamics.Limiter)."
        )
        if clip == "error":
            raise AudioError(msg)
        warnings.warn(msg, ClippingWarning, stacklevel=2)

    try:
        buf = io.BytesIO()
        data = dither_to_16bit(y, dither=dither) if subtype == "PCM_16" else y
        sf.write(buf, data.T if data.ndim == 2 else data, sr, subtype=subtype, format=fmt)
        write_atomic(path, buf.getvalue(), replace=overwrite)
    except FileExistsError:
        raise AudioError(f"{path}: already exists and was left untouched; pass overwrite=True to replace it.") from None
    except Exception as exc:
        raise AudioError(f"{path}: could not write the file ({_first_line(exc)}); nothing was changed.") from None
    return path


def dither_to_16bit(y, seed: int = 0, *, dither: bool = True) -> np.ndarray:
    """Cut float audio to 16-bit integers with TPDF dither: the cutting error becomes a steady hiss.

    Rounding alone leaves an error that follows the music (distortion on fades and reverb tails);
    adding triangular noise of ±1 LSB first (the difference of two uniform noises) makes the error
    independent of the signal. Audio already on the 16-bit grid (read from a 16-bit file) is only
    converted. ``seed`` makes the noise, and so the file, the same on every run; ``dither=False`` only rounds.

    Lesson: course/10-mastering.ipynb
    """
    scaled = np.asarray(y, dtype=np.float64) * 32768.0
    if dither and not np.array_equal(scaled, np.round(scaled)):
        rng = np.random.default_rng(seed)
        scaled = scaled + rng.random(scaled.shape) - rng.random(scaled.shape)
    return np.clip(np.round(scaled), -32768, 32767).astype(np.int16)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
