"""StepSequencer: program a drum pattern on a grid and hear it in the browser, in time.

A grid of instruments by steps. Click a step to switch it on or off; shift-click steps its velocity
down (full → medium → ghost → full). Play / stop, tempo, swing, steps per bar and bars, and a mute and a
volume per row; a moving step indicator shows where the beat is.

Timing is done the way "A Tale of Two Clocks" (Chris Wilson, https://web.dev/articles/audio-scheduling)
describes: a short timer in the page wakes every 25 ms and schedules every hit of the next 100 ms on the Web
Audio clock, sample-accurately.
No hit is timed by ``setTimeout`` and none by the kernel: the kernel only hears edits. Each step's time is
``beats.step_times``' rule, computed by the same JavaScript function in live playback and in
:meth:`StepSequencer.render_in_browser`, which renders in an ``OfflineAudioContext`` and sends the samples
back, so a test can hold the browser to :func:`producerkit.beats.render`.

The kit's one-shots go to the page once, as FLAC (lossless 16-bit, a third of WAV's bytes). Edits while it
plays take effect on the next pass of that step. The pattern is synced back as ``seq.pattern``, a
:class:`producerkit.beats.Pattern`, so a check cell can judge it.

Lesson: course/07-beats.ipynb
"""

from __future__ import annotations

import weakref
from pathlib import Path

import anywidget
import numpy as np
import traitlets

from .. import beats
from .._validate import flag, in_range, whole
from ..errors import ParameterError, ProducerkitError
from ._common import widget_module
from ._encode import encode_flac
from .abplayer import DEFAULT_VOLUME_DB, VOLUME_RANGE_DB, showing_errors

#: Most bars the grid shows (a longer pattern is programmed in code and rendered with ``beats.render``).
MAX_BARS = 8
#: A row's volume range in dB (the row's fader: cut a lot, boost a little).
ROW_VOLUME_RANGE_DB = (-40.0, 6.0)
#: Rows an empty sequencer starts with, when the kit has them.
DEFAULT_ROWS = ("kick", "snare", "clap", "hat", "open_hat")
#: Parameters the page may ask to change (typed or chosen by the student); the kernel validates them.
_PAGE_PARAMS = ("bpm", "swing", "steps_per_bar", "bars")
#: Traits only the page sets.
_PAGE_OWNED = frozenset({"playing", "decoded"})


def _kit(kit) -> beats.Kit:
    if kit is None:
        return beats.Kit()
    if not isinstance(kit, beats.Kit):
        raise ParameterError(
            f"kit must be a beats.Kit (got {type(kit).__name__}): Kit() for the session's one-shots, "
            "Kit.recorded() for the recorded kit, or Kit({'kick': (y, sr), ...})."
        )
    return kit


def _blank(kit: beats.Kit) -> beats.Pattern:
    names = [n for n in DEFAULT_ROWS if n in kit] or kit.pieces[:4]
    return beats.Pattern({n: "." * 16 for n in names})


def _check_pattern(pattern, kit: beats.Kit) -> beats.Pattern:
    if not isinstance(pattern, beats.Pattern):
        raise ParameterError(
            f"pattern must be a beats.Pattern (got {type(pattern).__name__}): preset('boom_bap'), "
            "Pattern.from_text('kick: x...x...x...x...'), or None for an empty grid."
        )
    missing = [n for n in pattern.instruments if n not in kit]
    if missing:
        raise ParameterError(
            f"every row must be a piece of the kit (got {', '.join(map(repr, missing))}; the kit has "
            f"{', '.join(kit.pieces)}): rename the row, drop it with pattern.without(name), or add the piece "
            "with kit.with_piece(name, (y, sr))."
        )
    if pattern.bars > MAX_BARS:
        raise ParameterError(
            f"the sequencer shows at most {MAX_BARS} bars (got a pattern of {pattern.bars}): program longer "
            "patterns in code and hear them with beats.render."
        )
    return pattern


def _bars_param(value) -> int:
    return whole("bars", value, 1, MAX_BARS, hint=f"the grid shows 1 to {MAX_BARS} bars; the pattern loops")


def _row_volume(name: str, value) -> float:
    return in_range(f"volume of {name!r}", value, *ROW_VOLUME_RANGE_DB, unit="dB",
                    hint="0 dB plays the row as programmed")


def _master_volume(value) -> float:
    return in_range("volume_db", value, *VOLUME_RANGE_DB, unit="dB",
                    hint="the sequencer never boosts, so turn your speakers up instead of going above 0 dB")


def _rows_state(pattern: beats.Pattern) -> list[dict]:
    out = []
    for name in pattern.instruments:
        row = {"name": name, "steps": [float(v) for v in pattern[name]]}
        nudges = pattern.nudges_ms(name)
        if np.any(nudges):
            row["nudges"] = [float(v) for v in nudges]
        out.append(row)
    return out


def _pattern_from_rows(rows, steps_per_bar: int, bars: int) -> beats.Pattern:
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) and "name" in r for r in rows):
        raise ParameterError("the page sent a pattern without rows; run the cell again to redraw the sequencer.")
    steps = {r["name"]: r.get("steps", []) for r in rows}
    nudges = {r["name"]: r["nudges"] for r in rows if r.get("nudges")}
    return beats.Pattern(steps, steps_per_bar, bars, nudges or None)


def _resized(pattern: beats.Pattern, bars: int) -> beats.Pattern:
    """The pattern at ``bars`` bars: longer repeats its bars in turn (as a DAW duplicates a loop), shorter keeps
    the first ones."""
    if bars == pattern.bars:
        return pattern
    total = bars * pattern.steps_per_bar
    index = np.arange(total) % pattern.steps
    rows = {n: np.asarray(pattern[n])[index] for n in pattern.instruments}
    nudges = {n: np.asarray(pattern.nudges_ms(n))[index] for n in pattern.instruments}
    return beats.Pattern(rows, pattern.steps_per_bar, bars, nudges)


#: The page's copy of each kit (FLAC bytes of every layer), encoded once per Kit object however many
#: sequencers show it (a lesson shows several).
_KIT_STATES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _kit_state(kit: beats.Kit) -> dict:
    if kit not in _KIT_STATES:
        _KIT_STATES[kit] = _encode_kit(kit)
    return dict(_KIT_STATES[kit])


def _encode_kit(kit: beats.Kit) -> dict:
    layers = []
    for piece in kit.pieces:
        for velocity, y in kit._layers[piece]:
            layers.append({"piece": piece, "velocity": float(velocity), "channels": int(y.shape[0]),
                           "audio": encode_flac(y, kit.sr)})
    return {"kit_layers": layers, "kit_sr": int(kit.sr), "kit_channels": int(kit.channels),
            "kit_name": str(kit.name), "kit_pieces": list(kit.pieces),
            "choke_groups": [list(g) for g in kit.choke_groups], "choke_fade_ms": float(beats.CHOKE_FADE_MS)}


def _number_or_text(value):
    """A value typed in the page: a number when it reads as one, else the text (the validator says why not)."""
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    return value


class StepSequencer(anywidget.AnyWidget):
    """A drum step sequencer that plays in the browser: a grid of instruments by steps.

    Click a step to switch it on (full velocity) or off; shift-click steps its velocity down: full (x, MIDI
    127) → medium (o, 80) → ghost (g, 40) → full. Press **Play** (nothing plays before you do). Type a tempo
    or a swing and press Enter; a bad value shows its message and the beat plays on at the last good one.
    Edits while it plays are heard the next time the loop reaches that step.

    Args:
        pattern: a :class:`~producerkit.beats.Pattern` (``preset("boom_bap")``), or None for an empty bar of
            the kit's kick, snare, clap and hats. Every row must be a piece of the kit; 1 to 8 bars.
        kit: a :class:`~producerkit.beats.Kit` (default ``Kit()``, the session's one-shots);
            ``Kit.recorded()`` is the recorded acoustic kit.
        bpm: tempo, 20 to 400 BPM.
        swing: MPC swing percent, 50 (straight) to 75 (3:1); 66 is close to a triplet feel.
        volume_db: master volume, -60 to 0 dB (default -12: a safe start).
        mutes: ``{row: True}`` rows to mute; volumes_db: ``{row: dB}`` row volumes, -40 to +6.

    Raises:
        ProducerkitError: an invalid value at construction (later, :meth:`update` shows it in the widget).

    Read back: ``seq.pattern`` (the grid as a Pattern, with every click), ``seq.bpm``, ``seq.swing``,
    ``seq.playing``, ``seq.error``; ``seq.render()`` is the pattern as ``beats.render`` plays it (mutes and
    row volumes are for listening and are not applied).

    Lesson: course/07-beats.ipynb
    """

    _esm = widget_module("step_sequencer.js")
    _css = Path(__file__).with_name("step_sequencer.css")

    # The grid (two-way: the page toggles steps, the kernel validates and keeps seq.pattern).
    rows = traitlets.List().tag(sync=True)
    steps_per_bar = traitlets.Int(16).tag(sync=True)
    bars = traitlets.Int(1).tag(sync=True)
    bpm = traitlets.Float(120.0).tag(sync=True)
    swing = traitlets.Float(50.0).tag(sync=True)
    mutes = traitlets.Dict().tag(sync=True)
    volumes_db = traitlets.Dict().tag(sync=True)
    volume_db = traitlets.Float(DEFAULT_VOLUME_DB).tag(sync=True)

    # The kit, sent once.
    kit_layers = traitlets.List().tag(sync=True)
    kit_sr = traitlets.Int(44100).tag(sync=True)
    kit_channels = traitlets.Int(1).tag(sync=True)
    kit_name = traitlets.Unicode("").tag(sync=True)
    kit_pieces = traitlets.List().tag(sync=True)
    choke_groups = traitlets.List().tag(sync=True)
    choke_fade_ms = traitlets.Float(beats.CHOKE_FADE_MS).tag(sync=True)

    # Set by the page.
    playing = traitlets.Bool(False).tag(sync=True)
    decoded = traitlets.Bool(False).tag(sync=True)

    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, pattern: beats.Pattern | None = None, kit: beats.Kit | None = None, bpm: float = 120.0,
                 swing: float = 50.0, *, volume_db: float = DEFAULT_VOLUME_DB, mutes=None, volumes_db=None) -> None:
        self._kit = _kit(kit)
        self._pattern = _check_pattern(_blank(self._kit) if pattern is None else pattern, self._kit)
        self._browser_render: tuple[np.ndarray, int] | None = None
        self._render_requests = 0
        state = {
            "rows": _rows_state(self._pattern), "steps_per_bar": self._pattern.steps_per_bar,
            "bars": self._pattern.bars, "bpm": beats._bpm(bpm), "swing": beats._swing(swing),
            "volume_db": _master_volume(volume_db),
            "mutes": self._mutes(mutes or {}, self._pattern),
            "volumes_db": self._volumes(volumes_db or {}, self._pattern),
            **_kit_state(self._kit),
        }
        self._syncing = True
        try:
            super().__init__(**state)
        finally:
            self._syncing = False
        self.observe(self._rows_from_page, names=["rows"])
        self.observe(self._mixer_from_page, names=["mutes", "volumes_db"])
        self.on_msg(self._on_page_message)

    # ------------------------------------------------------------------ reading

    @property
    def pattern(self) -> beats.Pattern:
        """The grid as a :class:`~producerkit.beats.Pattern`, with every click made in the page."""
        return self._pattern

    @pattern.setter
    def pattern(self, value: beats.Pattern) -> None:
        self.update(pattern=value)

    @property
    def kit(self) -> beats.Kit:
        """The kit the sequencer plays."""
        return self._kit

    def render(self, bars: int | None = None) -> np.ndarray:
        """The pattern played by :func:`producerkit.beats.render` at the sequencer's tempo and swing.

        Lesson: not yet taught
        """
        return beats.render(self._pattern, self._kit, self.bpm, self.swing, bars=bars)

    # ------------------------------------------------------------------ editing

    def update(self, **params) -> None:
        """Change ``pattern``, ``bpm``, ``swing``, ``steps_per_bar``, ``bars``, ``volume_db``, ``mutes`` or
        ``volumes_db``; the page follows at once (while playing, from the next step it schedules).

        An invalid value shows its message in the widget (``seq.error``), keeps the last good state, and does
        not raise: playback goes on.

        Lesson: not yet taught
        """
        with showing_errors(self):
            self._apply(**params)

    def toggle(self, instrument: str, step: int, velocity: float = 1.0) -> None:
        """Switch one step, as a click in the grid does (steps count from 0 over all bars)."""
        with showing_errors(self):
            self._apply(pattern=self._pattern.toggle(self._pattern._known(instrument), step, velocity))

    def stop(self) -> None:
        """Stop playback in the page (only the Play button starts it)."""
        self.send({"type": "stop"})

    def render_in_browser(self, bars: int | None = None) -> None:
        """Ask the page to render the pattern in an ``OfflineAudioContext`` with the scheduling code it plays
        with; the samples arrive in :attr:`browser_render` (None until then; run it in a later cell).

        Mutes, row volumes and the master volume are not applied, so it compares with :meth:`render`.

        Lesson: not yet taught
        """
        bars = self._pattern.bars if bars is None else whole("bars", bars, 1, 64, hint="the pattern loops")
        self._browser_render = None
        self._render_requests += 1
        self.send({"type": "render", "bars": bars, "id": self._render_requests})

    @property
    def browser_render(self) -> tuple[np.ndarray, int] | None:
        """``(y, sr)`` the page rendered for :meth:`render_in_browser`: float32 ``(n,)`` or ``(channels, n)``."""
        return self._browser_render

    # ------------------------------------------------------------------ internals

    _PARAMS = frozenset({"pattern", "bpm", "swing", "steps_per_bar", "bars", "volume_db", "mutes", "volumes_db"})

    def _apply(self, **params) -> None:
        unknown = sorted(set(params) - self._PARAMS)
        if unknown:
            raise ParameterError(
                f"StepSequencer has no parameter {', '.join(map(repr, unknown))}; it takes "
                f"{', '.join(sorted(self._PARAMS))}."
            )
        for key, example in (("mutes", "{'hat': True}"), ("volumes_db", "{'hat': -6.0}")):
            if key in params and not isinstance(params[key], dict):
                raise ParameterError(f"{key} must be a dict of row names (got {params[key]!r}): for example {example}.")
        new: dict = {}
        pattern = self._pattern
        if "pattern" in params:
            pattern = _check_pattern(params["pattern"], self._kit)
        if "steps_per_bar" in params:
            pattern = pattern.at_steps_per_bar(beats._steps_per_bar(params["steps_per_bar"]))
        if "bars" in params:
            pattern = _resized(pattern, _bars_param(params["bars"]))
        if "bpm" in params:
            new["bpm"] = beats._bpm(params["bpm"])
        if "swing" in params:
            new["swing"] = beats._swing(params["swing"])
        if "volume_db" in params:
            new["volume_db"] = _master_volume(params["volume_db"])
        mutes = self._mutes({**self.mutes, **params.get("mutes", {})}, pattern) if "mutes" in params \
            else self._mutes(self.mutes, pattern)
        volumes = self._volumes({**self.volumes_db, **params.get("volumes_db", {})}, pattern) \
            if "volumes_db" in params else self._volumes(self.volumes_db, pattern)
        # Everything is valid: assign in one message.
        if pattern is not self._pattern:
            new["rows"] = _rows_state(pattern)
            new["steps_per_bar"], new["bars"] = pattern.steps_per_bar, pattern.bars
        new["mutes"], new["volumes_db"] = mutes, volumes
        self._pattern = pattern
        self._syncing = True
        try:
            with self.hold_sync():
                for name, value in new.items():
                    if getattr(self, name) != value:
                        setattr(self, name, value)
        finally:
            self._syncing = False

    @staticmethod
    def _mutes(mutes, pattern: beats.Pattern) -> dict:
        if not isinstance(mutes, dict):
            raise ParameterError(f"mutes must be a dict of row -> True/False (got {type(mutes).__name__}).")
        out = {}
        for name, value in mutes.items():
            pattern._known(name)
            if flag(f"mutes[{name!r}]", value):
                out[name] = True
        return out

    @staticmethod
    def _volumes(volumes, pattern: beats.Pattern) -> dict:
        if not isinstance(volumes, dict):
            raise ParameterError(f"volumes_db must be a dict of row -> dB (got {type(volumes).__name__}).")
        out = {}
        for name, value in volumes.items():
            pattern._known(name)
            db = _row_volume(name, value)
            if db != 0:
                out[name] = db
        return out

    def _rows_from_page(self, change) -> None:
        """A click in the page changed the grid: keep it as ``seq.pattern`` (or put back the last good one)."""
        if self._syncing:
            return
        try:
            self._pattern = _check_pattern(_pattern_from_rows(change["new"], self.steps_per_bar, self.bars),
                                           self._kit)
            self.error = ""
        except ProducerkitError as exc:
            self.error = str(exc)
            self._syncing = True
            try:
                self.rows = _rows_state(self._pattern)
            finally:
                self._syncing = False

    def _mixer_from_page(self, change) -> None:
        if self._syncing:
            return
        name = change["name"]
        try:
            check = self._mutes if name == "mutes" else self._volumes
            value = check(change["new"], self._pattern)
        except ProducerkitError as exc:
            self.error = str(exc)
            value = change["old"]
        self._syncing = True
        try:
            setattr(self, name, value)  # the validated value (-9.0 dB for the page's -9); sent only if it differs
        finally:
            self._syncing = False

    def _on_page_message(self, _widget, content, buffers) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "set" and content.get("name") in _PAGE_PARAMS:
            # A value typed or chosen in the page: validated here, shown as a message if bad.
            self.update(**{content["name"]: _number_or_text(content.get("value"))})
            if self.error:
                self.send({"type": "rejected", "name": content["name"]})
        elif kind == "rendered" and content.get("id") == self._render_requests:
            channels = int(content["channels"])
            data = [np.frombuffer(bytes(b), dtype="<f4") for b in buffers[:channels]]
            y = np.stack(data) if channels > 1 else data[0]
            self._browser_render = (y.astype(np.float32, copy=True), int(content["sr"]))
        elif kind == "resync":
            self.send_state(key=[name for name in self.keys if name not in _PAGE_OWNED])

    def __repr__(self) -> str:
        return (f"StepSequencer({self._pattern.bars} bar(s) of {self._pattern.steps_per_bar} steps, "
                f"{self.bpm:g} BPM, swing {self.swing:g} %, kit {self._kit.name!r})\n{self._pattern.to_text()}")

    def _repr_keys(self):  # the kit's bytes do not belong in a repr
        return iter(())
