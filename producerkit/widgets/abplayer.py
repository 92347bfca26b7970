"""ABPlayer: hear two versions of a sound in sync and switch between them instantly.

The player runs in the browser with Web Audio: both versions play at once from the same
clock, and switching ramps two gains over about 15 ms, so there is no restart and no click.
Loudness matching (ITU-R BS.1770 integrated loudness, on by default) turns the louder version
down so you judge tone, not volume; the gain it applies is shown. "B − A" plays the
difference (what the processing changed), and a blind ABX mode keeps score.

The audio travels to the page as 16-bit WAV bytes in binary websocket buffers, never as
base64 text in the notebook, and it is never normalised: samples beyond ±1.0 are clipped in
playback and the player says so.

Lessons: 00, 01, 02, 03, 04
"""

from __future__ import annotations

import math
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import anywidget
import numpy as np
import traitlets

from .._validate import flag, in_range
from ..audio import amp_to_db, as_channels, check_sr, ensure_audio
from ..errors import AudioError, ParameterError, ProducerkitError
from ._common import widget_module
from ._encode import _wav16_checked, count_clipped, encode_flac

#: Longest clip the player accepts, in seconds (16-bit stereo 44.1 kHz is 10.6 MB per minute).
MAX_SECONDS = 600.0

#: Default master volume in dB: about a quarter of full scale, a safe level to start from.
DEFAULT_VOLUME_DB = -12.0

#: The master volume slider's range in dB. The top is unity gain: the player never boosts.
VOLUME_RANGE_DB = (-60.0, 0.0)

#: Shortest loop region in seconds (shorter loops buzz rather than loop).
MIN_LOOP_SECONDS = 0.05

# The player's audio is checked (_prepare) and its rate too before it is encoded.
_ENCODERS = {"wav": _wav16_checked, "flac": encode_flac}
_SELECTIONS = ("a", "b", "diff", "x")
#: Traits only the page sets: a resync from the kernel leaves them alone.
_PAGE_OWNED = frozenset({"decoded", "playing", "position"})


@contextmanager
def showing_errors(widget, trait: str = "error"):
    """Run a widget update; show a :class:`ProducerkitError` in the widget instead of raising.

    On success the widget's error text is cleared. Any other exception (a bug) propagates.
    Use it in every widget's ``update(**params)`` so a bad slider value shows one readable
    message in place of a traceback, and the last good state stays on screen::

        def update(self, **params):
            with showing_errors(self):
                self._apply(**params)   # validate everything first, then assign

    Lesson: not yet taught
    """
    try:
        yield
    except ProducerkitError as exc:
        setattr(widget, trait, str(exc))
    else:
        setattr(widget, trait, "")


class ABXScore(NamedTuple):
    """The blind test so far: ``correct`` answers out of ``trials``.

    ``p_guessing`` is the chance of doing at least this well by guessing (one-sided binomial
    test, p = 0.5 per trial); below 0.05 you very probably hear the difference.

    Lesson: course/00-welcome.ipynb
    """

    correct: int
    trials: int
    p_guessing: float


def abx_p_value(correct: int, trials: int) -> float:
    """Probability of ``correct`` or more right answers in ``trials`` coin flips (one-sided binomial).

    Lesson: not yet taught
    """
    if trials <= 0:
        return 1.0
    hits = sum(math.comb(trials, k) for k in range(correct, trials + 1))
    return hits / 2.0**trials


def _prepare(y, name: str) -> np.ndarray:
    """Validate one widget input: float32 ``(channels, n)``; accepts ``(n, channels)`` and ints."""
    return as_channels(ensure_audio(y, name=name, allow_transposed=True))


def _pair(a2: np.ndarray, b2: np.ndarray, label_a: str, label_b: str) -> tuple[np.ndarray, np.ndarray]:
    """Give A and B the same channel count and length (mono is copied, the shorter is padded)."""
    ca, cb = a2.shape[0], b2.shape[0]
    if ca != cb:
        if ca == 1:
            a2 = np.repeat(a2, cb, axis=0)
        elif cb == 1:
            b2 = np.repeat(b2, ca, axis=0)
        else:
            raise AudioError(
                f"{label_a} has {ca} channels and {label_b} has {cb}; compare versions with the same "
                "channels (mono is fine with anything: it is copied to every channel)."
            )
    n = max(a2.shape[1], b2.shape[1])
    if a2.shape[1] < n:
        a2 = np.pad(a2, ((0, 0), (0, n - a2.shape[1])))
    if b2.shape[1] < n:
        b2 = np.pad(b2, ((0, 0), (0, n - b2.shape[1])))
    return a2, b2


def _loudness(y2: np.ndarray, sr: int) -> float | None:
    """BS.1770 integrated loudness in LUFS, or None when it cannot be measured.

    None for silence (nothing above the -70 LUFS gate) and for sample rates the K-weighting
    does not cover (under 8 kHz).
    """
    from .. import meters

    y = y2[0] if y2.shape[0] == 1 else y2
    try:
        lufs = float(meters.integrated_loudness(y, sr))
    except ProducerkitError:
        return None
    return lufs if math.isfinite(lufs) else None


def _clip_warning(label: str, y2: np.ndarray) -> str:
    clipped = count_clipped(y2)
    if not clipped:
        return ""
    peak = float(np.max(np.abs(y2)))
    return (
        f"{label} clips: {clipped} sample(s) beyond ±1.0 (peak {amp_to_db(peak):+.1f} dBFS) are cut off "
        "in playback. Nothing is normalised; turn it down or use a limiter."
    )


class ABPlayer(anywidget.AnyWidget):
    """Play two versions in sync and switch between them instantly, loudness-matched.

    Press **Play** (nothing plays before you do), then **A** / **B** while it plays: the switch
    is a 15 ms crossfade between two sources running from the same clock, so you hear the
    difference and nothing else. The loop region repeats a passage; **B − A** plays the
    difference; **Blind ABX** hides which is which and keeps score (``player.abx_score``).

    Args:
        a, b: the two versions: mono ``(n,)``, ``(channels, n)`` or ``(n, channels)``,
            float or int16. A mono version is copied to every channel of the other, and the
            shorter one is padded with silence at the end so both play for the same time.
        sr: their sample rate in Hz.
        labels: names shown on the A and B buttons.
        match_loudness: turn the louder version down to the other's BS.1770 integrated
            loudness while listening (the gain is shown); never turns anything up.
        volume_db: master volume in dB, -60 to 0; the default -12 dB is a safe start.
        loop: repeat the loop region (the whole clip unless ``loop_start``/``loop_end`` say).
        loop_start, loop_end: the loop region in seconds (``loop_end=None``: the end).
        abx: start in blind ABX mode.
        encoding: ``"wav"`` (16-bit, fastest to update) or ``"flac"`` (half the bytes, slower).

    Raises:
        ProducerkitError: invalid audio or parameters at construction (later, ``update``
            shows the message in the player instead and keeps the last good state).

    Synced state you can read: ``playing``, ``selected`` (``"a"``, ``"b"``, ``"diff"``,
    ``"x"``), ``position`` (s, where playback was at the last pause, seek or loop
    change: the page does not stream it), ``decoded`` (the page has
    decoded both versions), ``error``, ``warning``, ``loudness_a``/``loudness_b`` (LUFS),
    ``gain_a_db``/``gain_b_db`` (the loudness-match gains), ``abx_score``.

    Lessons: 00, 01, 02, 03, 04
    """

    _esm = widget_module("abplayer.js")
    _css = Path(__file__).with_name("abplayer.css")

    # Audio: the encoded bytes travel as binary buffers (ipywidgets extracts bytes from the state).
    audio_a = traitlets.Bytes(b"").tag(sync=True)
    audio_b = traitlets.Bytes(b"").tag(sync=True)
    audio_format = traitlets.Unicode("wav").tag(sync=True)
    sr = traitlets.Int(44100).tag(sync=True)
    duration = traitlets.Float(0.0).tag(sync=True)
    channels = traitlets.Int(1).tag(sync=True)
    label_a = traitlets.Unicode("Before").tag(sync=True)
    label_b = traitlets.Unicode("After").tag(sync=True)

    # Loudness matching (computed here, applied in the page).
    match_loudness = traitlets.Bool(True).tag(sync=True)
    loudness_a = traitlets.Float(None, allow_none=True).tag(sync=True)
    loudness_b = traitlets.Float(None, allow_none=True).tag(sync=True)
    gain_a_db = traitlets.Float(0.0).tag(sync=True)
    gain_b_db = traitlets.Float(0.0).tag(sync=True)
    match_note = traitlets.Unicode("").tag(sync=True)

    # Transport and listening controls (two-way).
    volume_db = traitlets.Float(DEFAULT_VOLUME_DB).tag(sync=True)
    loop = traitlets.Bool(True).tag(sync=True)
    loop_start = traitlets.Float(0.0).tag(sync=True)
    loop_end = traitlets.Float(0.0).tag(sync=True)
    selected = traitlets.Enum(_SELECTIONS, default_value="a").tag(sync=True)
    abx = traitlets.Bool(False).tag(sync=True)
    abx_trials = traitlets.Int(0).tag(sync=True)
    abx_correct = traitlets.Int(0).tag(sync=True)

    # Names this player on the page, so a Playhead finds its clock (see playhead.py).
    clock_id = traitlets.Unicode("").tag(sync=True)

    # Set by the page.
    playing = traitlets.Bool(False).tag(sync=True)
    position = traitlets.Float(0.0).tag(sync=True)
    decoded = traitlets.Bool(False).tag(sync=True)

    # Messages shown in the player.
    error = traitlets.Unicode("").tag(sync=True)
    warning = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        a,
        b,
        sr: int,
        labels=("Before", "After"),
        match_loudness: bool = True,
        *,
        volume_db: float = DEFAULT_VOLUME_DB,
        loop: bool = True,
        loop_start: float = 0.0,
        loop_end: float | None = None,
        abx: bool = False,
        encoding: str = "wav",
    ) -> None:
        if encoding not in _ENCODERS:
            raise ParameterError(f'encoding must be "wav" or "flac" (got {encoding!r}).')
        self._encoding = encoding
        # The validated inputs as given, and the paired (padded, same channels) audio that was sent.
        self._a_in: np.ndarray | None = None
        self._measured: dict = {}  # loudness a caller measured, for one update (see _update_measured)
        self._b_in: np.ndarray | None = None
        self._a2: np.ndarray | None = None
        self._b2: np.ndarray | None = None
        # Compute everything before the widget opens its channel to the page, so the opening
        # message carries the audio, labels and loudness. Raise here: there is no previous good
        # state to keep. (A later message can be dropped by a page that loads the player's code
        # late, see abplayer.js; the opening one always arrives.)
        state = self._compute(
            a=a,
            b=b,
            sr=sr,
            labels=labels,
            match_loudness=match_loudness,
            volume_db=volume_db,
            loop=loop,
            loop_start=loop_start,
            loop_end=loop_end,
            abx=abx,
        )
        super().__init__(**state, clock_id=uuid.uuid4().hex)
        self.on_msg(self._on_page_message)

    @traitlets.validate("volume_db")
    def _valid_volume(self, proposal):
        return _check_volume(proposal["value"])

    # ------------------------------------------------------------------ public API

    def update(self, **params) -> None:
        """Change any constructor parameter (``a``, ``b``, ``sr``, ``labels``, ``match_loudness``,
        ``volume_db``, ``loop``, ``loop_start``, ``loop_end``, ``abx``) or ``selected``.

        Recomputes synchronously (encoding, loudness) and sends one update to the page; if it
        is playing, the page swaps in the new audio at the same position without stopping. An
        invalid value shows its message in the player (``player.error``) and leaves the last
        good state in place; it does not raise.

        Lesson: course/01-eq.ipynb
        """
        with showing_errors(self):
            self._apply(**params)

    def _update_measured(self, loudness: dict, **params) -> None:
        """:meth:`update` from a caller that has measured the new audio: skips measuring it again.

        ``loudness`` maps ``"a"`` and/or ``"b"`` to that version's BS.1770 integrated loudness in
        LUFS, as :func:`producerkit.meters.integrated_loudness` reads it (``-inf`` when silent); it
        is used only for a version passed in ``params`` that plays as given (not padded or copied
        to more channels).
        """
        self._measured = dict(loudness)
        try:
            self.update(**params)
        finally:
            self._measured = {}

    def set_audio(self, a=None, b=None, sr: int | None = None) -> None:
        """Replace A and/or B (and their sample rate), as :meth:`update` does.

        Only the version you pass is re-encoded and re-sent (about 5 ms for 10 s of stereo).

        Lessons: 00, 03
        """
        params = {k: v for k, v in (("a", a), ("b", b), ("sr", sr)) if v is not None}
        self.update(**params)

    def stop(self) -> None:
        """Stop playback in the page (the page starts it only when you press Play)."""
        self.send({"type": "stop"})

    def reset_abx(self) -> None:
        """Start a new blind test: the score goes back to 0 of 0."""
        with self.hold_sync():
            self.abx_correct = 0
            self.abx_trials = 0

    @property
    def abx_score(self) -> ABXScore:
        """The blind ABX test so far: ``(correct, trials, p_guessing)``."""
        return ABXScore(self.abx_correct, self.abx_trials, abx_p_value(self.abx_correct, self.abx_trials))

    @property
    def match_gain_db(self) -> float:
        """Level of B relative to A applied by loudness matching, in dB (0 when matching is off)."""
        return (self.gain_b_db - self.gain_a_db) if self.match_loudness else 0.0

    # ------------------------------------------------------------------ internals

    _PARAMS = frozenset(
        {"a", "b", "sr", "labels", "match_loudness", "volume_db", "loop", "loop_start", "loop_end", "abx",
         "selected"}
    )

    def _apply(self, **params) -> None:
        """Validate every parameter, compute everything, then assign all traits in one sync."""
        new = self._compute(**params)
        with self.hold_sync():
            for name, value in new.items():
                if getattr(self, name) != value:
                    setattr(self, name, value)
            if new.get("abx") is False and self.selected == "x":
                self.selected = "a"

    def _loudness_of(self, version: str, paired: np.ndarray, given: np.ndarray, sr: int) -> float | None:
        """A version's integrated loudness: the caller's (see :meth:`_update_measured`) or measured."""
        if version in self._measured and paired is given:
            return _known_lufs(self._measured[version])
        return _loudness(paired, sr)

    def _on_page_message(self, _widget, content, _buffers) -> None:
        """The page asks for the state again when messages to it were lost (see abplayer.js).

        Everything but what the page itself owns (whether it decoded, plays, where the playhead is).
        """
        if isinstance(content, dict) and content.get("type") == "resync":
            self.send_state(key=[name for name in self.keys if name not in _PAGE_OWNED])

    def _compute(self, **params) -> dict:
        """Validate every parameter and compute the traits that change, without assigning any.

        Remembers the validated inputs (for the next update) only when everything is valid.
        """
        unknown = sorted(set(params) - self._PARAMS)
        if unknown:
            raise ParameterError(
                f"ABPlayer has no parameter {', '.join(map(repr, unknown))}; "
                f"it takes {', '.join(sorted(self._PARAMS))}."
            )
        new: dict = {}

        labels = params.get("labels")
        if labels is not None:
            if not isinstance(labels, list | tuple) or len(labels) != 2 or not all(isinstance(s, str) for s in labels):
                raise ParameterError(f'labels must be two names such as ("Before", "After") (got {labels!r}).')
            new["label_a"], new["label_b"] = labels
        label_a = new.get("label_a", self.label_a)
        label_b = new.get("label_b", self.label_b)

        sr = check_sr(params["sr"]) if params.get("sr") is not None else self.sr
        if sr != self.sr:
            new["sr"] = sr
        a_in = _prepare(params["a"], "a") if params.get("a") is not None else self._a_in
        b_in = _prepare(params["b"], "b") if params.get("b") is not None else self._b_in
        audio_changed = "a" in params or "b" in params or "sr" in new
        if audio_changed:
            a_new, b_new = _pair(a_in, b_in, label_a, label_b)
            seconds = a_new.shape[1] / sr
            if seconds > MAX_SECONDS:
                raise AudioError(
                    f"the clips are {seconds:.0f} s long; the player takes at most {MAX_SECONDS:.0f} s. "
                    "Trim them, for example y[..., : 30 * sr] for the first 30 s."
                )
            # Re-encode only what changed (padding or a new sr changes the bytes too).
            encode = _ENCODERS[self._encoding]
            a_changed = self._a2 is None or "sr" in new or not _same(a_new, self._a2)
            b_changed = self._b2 is None or "sr" in new or not _same(b_new, self._b2)
            if a_changed:
                new["audio_a"] = encode(a_new, sr)
            if b_changed:
                new["audio_b"] = encode(b_new, sr)
            new["audio_format"] = self._encoding
            new["duration"] = seconds
            new["channels"] = int(a_new.shape[0])
            # Loudness: reuse a cached value when the samples did not change, or the caller's measurement.
            la = self._loudness_of("a", a_new, a_in, sr) if a_changed else self.loudness_a
            lb = self._loudness_of("b", b_new, b_in, sr) if b_changed else self.loudness_b
            new.update(_match_gains(la, lb, label_a, label_b))
            new["warning"] = " ".join(w for w in (_clip_warning(label_a, a_new), _clip_warning(label_b, b_new)) if w)
        else:
            a_new, b_new = self._a2, self._b2
            if "label_a" in new or "label_b" in new:
                new.update(_match_gains(self.loudness_a, self.loudness_b, label_a, label_b))
        duration = new.get("duration", self.duration)

        if "match_loudness" in params:
            new["match_loudness"] = _as_bool(params["match_loudness"], "match_loudness")
        if "loop" in params:
            new["loop"] = _as_bool(params["loop"], "loop")
        if "abx" in params:
            new["abx"] = _as_bool(params["abx"], "abx")
        if "volume_db" in params:
            new["volume_db"] = _check_volume(params["volume_db"])
        if "selected" in params:
            sel = params["selected"]
            if not isinstance(sel, str) or sel not in _SELECTIONS:
                raise ParameterError(f'selected must be one of "a", "b", "diff" or "x" (got {sel!r}).')
            new["selected"] = sel

        # The loop region: keep it inside the clip; a region that ran to the old end follows the new end.
        old_full = self.duration == 0 or math.isclose(self.loop_end, self.duration)
        start = params.get("loop_start", self.loop_start)
        end = params.get("loop_end", self.loop_end if not (audio_changed and old_full) else None)
        new["loop_start"], new["loop_end"] = _check_loop(start, end, duration)

        # Everything is valid: keep the inputs for the next update.
        self._a_in, self._b_in, self._a2, self._b2 = a_in, b_in, a_new, b_new
        return new


def _known_lufs(value) -> float | None:
    """A caller's measurement as :func:`_loudness` says it: None when silent (or not a number)."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _same(x: np.ndarray, y: np.ndarray | None) -> bool:
    if y is None or x.shape != y.shape:
        return False
    # A new clip differs in its first samples: look there before comparing the whole of both.
    return x is y or (np.array_equal(x[..., :4096], y[..., :4096]) and np.array_equal(x, y))


def _as_bool(value, name: str) -> bool:
    return flag(name, value)


def _check_volume(volume_db) -> float:
    return in_range("volume_db", volume_db, *VOLUME_RANGE_DB, unit="dB",
                    hint="the player never boosts, so turn your speakers up instead of going above 0 dB")


def _check_loop(start, end, duration: float) -> tuple[float, float]:
    for name, value in (("loop_start", start), ("loop_end", end)):
        if value is None and name == "loop_end":
            continue
        in_range(name, value, 0, unit="s")
    end = duration if end is None else min(float(end), duration)
    start = float(start)
    if end - start < min(MIN_LOOP_SECONDS, duration):
        raise ParameterError(
            f"the loop region {start:.2f}–{end:.2f} s is empty or shorter than {MIN_LOOP_SECONDS * 1000:.0f} ms "
            f"(the clip lasts {duration:.2f} s); loop_start must come before loop_end."
        )
    return start, end


def _match_gains(la: float | None, lb: float | None, label_a: str, label_b: str) -> dict:
    """Loudness-match gains: the louder version is turned down to the quieter one's loudness."""
    out = {"loudness_a": la, "loudness_b": lb, "gain_a_db": 0.0, "gain_b_db": 0.0, "match_note": ""}
    if la is None or lb is None:
        silent = [name for name, lufs in ((label_a, la), (label_b, lb)) if lufs is None]
        out["match_note"] = (
            f"Loudness match unavailable: {' and '.join(silent)} could not be measured (silent, below "
            "the -70 LUFS gate, or a sample rate under 8 kHz); both play at their own level."
        )
        return out
    if abs(la - lb) < 0.05:  # shown to 0.1 dB, this is "already equal", not a "-0.0 dB" cut
        return out
    if lb > la:
        out["gain_b_db"] = round(la - lb, 2)
    else:
        out["gain_a_db"] = round(lb - la, 2)
    return out
