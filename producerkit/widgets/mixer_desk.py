"""MixerDesk: a small mixing desk for a session's stems, with master meters and an A/B player.

One channel strip per stem (fader, pan, mute, solo and a level meter), a master section
(integrated loudness, true peak, clip indicator) and an :class:`~producerkit.widgets.ABPlayer`
that compares where you started (A) with your mix (B).

The desk works on an excerpt (by default 4 bars from the first chorus, 9.6 s of Paper
Lanterns) so that a fader move re-mixes, re-measures and re-sends the audio in a few tens of
milliseconds. It keeps the mix as a sum of per-channel contributions: moving one fader adds the
*change* of that channel's contribution to the sum (one multiply-add over its samples), it does
not re-render the other channels. When you like the balance, ``desk.to_mixer()`` gives the same
settings as a :class:`producerkit.mix.Mixer`, ready to render the whole song in code.

Lesson: course/04-workflow.ipynb
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import NamedTuple

import ipywidgets as w
import numpy as np

from .._validate import finite, flag, in_range
from ..audio import SILENCE_DB, amp_to_db, as_channels, check_sr, ensure_audio
from ..errors import AudioError, ParameterError
from ._common import Explorer, Stopwatch
from .abplayer import MAX_SECONDS, ABPlayer

#: The fader's range in dB, as on most desks: -60 (nearly off) to +12.
FADER_RANGE_DB = (-60.0, 12.0)
#: Where every fader starts unless ``gains`` says otherwise: a flat balance that leaves the mix
#: bus some headroom (the eight Paper Lanterns stems at 0 dB sum to peaks over full scale).
START_FADER_DB = -6.0
#: Default excerpt: this many bars from the first chorus (or from the start) of a session.
DEFAULT_BARS = 4
#: Default excerpt for plain stems (no tempo to count bars with): the first 10 s.
DEFAULT_SECONDS = 10.0
#: A true peak above this lights the master's red indicator (the usual delivery ceiling).
TRUE_PEAK_WARN_DBTP = -1.0
#: The meters' scale, in dBFS.
METER_FLOOR_DB = -60.0

_PAN_STEP = 0.05
_FADER_STEP = 0.5
# Incremental updates between full re-sums (keeps float64 rounding drift far below 16-bit LSB).
_RESUM_EVERY = 200


class ChannelSettings(NamedTuple):
    """One strip's controls: fader (dB), pan (-1..1), mute, solo.

    Lesson: not yet taught
    """

    gain_db: float
    pan: float
    mute: bool
    solo: bool


class ChannelLevel(NamedTuple):
    """One strip's meter: post-fader, pre-pan sample peak and RMS in dBFS, and whether it is heard.

    Measured like :meth:`producerkit.mix.Mixer.gain_staging` measures a track, over the excerpt.

    Lesson: not yet taught
    """

    peak_dbfs: float
    rms_dbfs: float
    playing: bool


class MasterLevels(NamedTuple):
    """The master meters over the excerpt: BS.1770 integrated loudness (LUFS, ``-inf`` if silent),
    true peak (dBTP), sample peak (dBFS) and the number of samples beyond ±1.0 (clipped).

    Lesson: not yet taught
    """

    integrated_lufs: float
    true_peak_dbtp: float
    sample_peak_dbfs: float
    clipped_samples: int


# --------------------------------------------------------------------------- input


def _stems_and_sr(session, sr):
    """Duck typing: anything with ``.stems`` and ``.sr`` (a Session), or a dict of stems and ``sr``."""
    if hasattr(session, "stems") and hasattr(session, "sr"):
        if sr is not None and check_sr(sr) != session.sr:
            raise ParameterError(f"the session runs at {session.sr} Hz; leave sr out (got sr={sr}).")
        return session.stems, check_sr(session.sr)
    if isinstance(session, Mapping):
        if sr is None:
            raise ParameterError("give the stems' sample rate: MixerDesk(stems, sr=44100).")
        return session, check_sr(sr)
    raise ParameterError(
        f"MixerDesk takes a session (load_session('paper_lanterns')) or a dict of name -> audio with sr "
        f"(got {type(session).__name__})."
    )


def _number(value, name: str) -> float:
    return finite(name, value)


def _bars_text(start_bar: float, bars: float) -> str:
    """Song bars ``[start_bar, start_bar + bars)`` (counted from 0) as a DAW shows them, from 1: "bars 11–14"."""
    first, last = start_bar + 1, start_bar + bars
    if float(start_bar).is_integer() and float(bars).is_integer():
        return f"bar {first:g}" if bars == 1 else f"bars {first:g}–{last:g}"
    return f"{bars:g} bars from bar {first:g}"


def _excerpt(session, stems_n: int, sr: int, start_bar, bars, start_s, seconds) -> tuple[int, int, str]:
    """The excerpt as (first sample, length, description)."""
    if (start_bar is not None or bars is not None) and (start_s is not None or seconds is not None):
        raise ParameterError("give the excerpt in bars (start_bar, bars) or in seconds (start_s, seconds), not both.")
    spb = getattr(session, "seconds_per_bar", None)
    if start_s is None and seconds is None:
        if spb is None:
            if start_bar is not None or bars is not None:
                raise ParameterError("these stems have no tempo to count bars with; give start_s and seconds.")
            start_s, seconds = 0.0, min(DEFAULT_SECONDS, stems_n / sr)
            where = "from the start"
        else:
            if start_bar is None:
                chorus = [s for s in getattr(session, "sections", []) if s.name == "chorus"]
                start_bar = chorus[0].start_bar if chorus else 0
            start_bar = _number(start_bar, "start_bar")
            bars = _number(DEFAULT_BARS if bars is None else bars, "bars")
            if start_bar < 0 or bars <= 0:
                raise ParameterError(f"start_bar must be 0 or more and bars more than 0 (got {start_bar:g}, {bars:g}).")
            start_s, seconds = start_bar * spb, bars * spb
            where = _bars_text(start_bar, bars)
    else:
        start_s = _number(0.0 if start_s is None else start_s, "start_s")
        seconds = _number(DEFAULT_SECONDS if seconds is None else seconds, "seconds")
        if start_s < 0 or seconds <= 0:
            raise ParameterError(f"start_s must be 0 or more and seconds more than 0 (got {start_s:g}, {seconds:g}).")
        where = f"{seconds:g} s from {start_s:g} s"
    first = int(round(start_s * sr))
    length = min(int(round(seconds * sr)), stems_n - first)
    if first >= stems_n or length <= 0:
        raise ParameterError(
            f"the excerpt starts at {start_s:.2f} s, after the end of the stems ({stems_n / sr:.2f} s)."
        )
    if length / sr > MAX_SECONDS:
        raise ParameterError(f"the excerpt lasts {length / sr:.0f} s; the desk plays at most {MAX_SECONDS:.0f} s.")
    return first, length, f"{where} ({length / sr:.1f} s)"


# --------------------------------------------------------------------------- the desk


class MixerDesk(Explorer):
    """A mixing desk for a session's stems: a strip per stem, master meters and an A/B player.

    Each strip has a fader (-60..+12 dB), a pan slider (-1 left .. +1 right, ``pan_law``), mute
    (**M**) and solo (**S**) buttons and a meter of the channel's post-fader peak and RMS. The
    master shows the mix's BS.1770 integrated loudness, its true peak (red above -1 dBTP) and a
    clip light. The player's **A** is the start (every fader at ``START_FADER_DB``, centred, or
    your ``gains``/``pans``; **Set A = this mix** takes a new snapshot) and **B** is your mix.

    Args:
        session: a :class:`producerkit.datasets.Session` (anything with ``.stems`` and ``.sr``),
            or a dict of name -> mono ``(n,)`` or stereo ``(2, n)`` stems with ``sr``.
        sr: the stems' sample rate (only for a dict).
        start_bar, bars: the excerpt in bars (sessions only; ``start_bar`` counts from 0 as the
            session's sections do, and the desk shows it from 1 as a DAW does). Default:
            ``DEFAULT_BARS`` (4) bars from the first chorus, bars 11–14 (9.6 s) of Paper Lanterns.
        start_s, seconds: the excerpt in seconds. Default for a dict: the first 10 s.
        gains, pans: starting fader (dB) and pan per stem; the rest start at
            ``START_FADER_DB`` and centre.
        pan_law: "-3dB" (default), "-4.5dB", "-6dB" or "0dB" (see :class:`producerkit.mix.Pan`).
        match_loudness: the player turns the louder of A and B down while you compare (the gain
            is shown). On by default, the course's convention: you judge the *balance*, not
            which mix is louder. Turn it off to hear the level change too.

    A longer excerpt makes every move slower (the work is proportional to its length).

    Use ``desk.update(...)`` in code (see :meth:`update`); read ``desk.settings``,
    ``desk.levels``, ``desk.master_levels``, ``desk.mix``, ``desk.error`` and ``desk.timings``
    (milliseconds per stage of the last update); take the balance into code with
    ``desk.to_mixer()``. The sliders' moves are debounced (``_common.DEBOUNCE_S``).

    Lessons: 04, 09
    """

    def __init__(self, session, sr: int | None = None, *, start_bar=None, bars=None, start_s=None,
                 seconds=None, gains=None, pans=None, pan_law: str = "-3dB", match_loudness: bool = True):
        from ..mix import Pan

        stems, sr = _stems_and_sr(session, sr)
        if len(stems) == 0:
            raise ParameterError("there are no stems to mix.")
        names = list(stems)
        for name in names:
            if not isinstance(name, str) or not name:
                raise ParameterError(f"stem names must be non-empty strings (got {name!r}).")
        full = {}
        for name in names:
            y = ensure_audio(stems[name], name=f"stem {name!r}", allow_transposed=True)
            if y.ndim == 2 and y.shape[0] != 2:
                raise AudioError(f"stem {name!r} has {y.shape[0]} channels; a stem is mono or stereo.")
            full[name] = y
        total = max(y.shape[-1] for y in full.values())
        first, length, self.excerpt = _excerpt(session, total, sr, start_bar, bars, start_s, seconds)
        self.sr = sr
        self.start_s = first / sr
        self.duration = length / sr
        self.pan_law = Pan(0.0, pan_law).law
        self._full = full
        self._first = first
        self._names = names

        # The pre-fader excerpt of every stem, one row per stem channel (mono: 1 row, stereo: 2).
        rows, self._rows = [], {}
        for name in names:
            y2 = as_channels(full[name])[:, first:first + length]
            if y2.shape[1] < length:
                y2 = np.pad(y2, ((0, 0), (0, length - y2.shape[1])))
            self._rows[name] = list(range(len(rows), len(rows) + y2.shape[0]))
            rows.extend(y2)
        self._x = np.ascontiguousarray(np.array(rows, dtype=np.float32))
        self._x.setflags(write=False)
        self._tmp = np.empty(length)
        # Pre-fader peak and RMS per stem: the strip meters are these plus the fader.
        self._stem_peak_db, self._stem_rms_db = {}, {}
        for name in names:
            part = self._x[self._rows[name]]
            self._stem_peak_db[name] = float(amp_to_db(np.max(np.abs(part))))
            ms = float(np.mean(np.square(part, dtype=np.float64)))
            self._stem_rms_db[name] = 10.0 * math.log10(ms) if ms > 0 else SILENCE_DB

        self._settings = {n: ChannelSettings(START_FADER_DB, 0.0, False, False) for n in names}
        self._settings = self._validated(self._settings, gains=gains or {}, pans=pans or {})
        self._coef = self._coefficients(self._settings)
        self._mix64 = self._coef @ self._x
        self._since_resum = 0
        self._mix32 = self._mix64.astype(np.float32)

        super().__init__()
        self.player = ABPlayer(self._mix32, self._mix32, sr, labels=("Start", "Your mix"),
                               match_loudness=match_loudness)
        self._measure()
        self.children = self._build()
        self.add_class("pk-mixer")
        self._refresh()

    # ------------------------------------------------------------------ public API

    def update(self, channel: str | None = None, *, gain_db=None, pan=None, mute=None, solo=None,
               gains=None, pans=None, mutes=None, solos=None, match_loudness=None) -> bool:
        """Change the desk and recompute the mix, the meters and the player's B, synchronously.

        One channel: ``desk.update("kick", gain_db=-3, pan=0.2)``. Several at once:
        ``desk.update(gains={"kick": -3, "bass": -8}, pans={"guitar": -0.5}, mutes={"pad": True},
        solos={"lead": False})``. Also ``match_loudness`` for the player.

        An invalid value (an unknown channel, a pan outside -1..1, a fader outside -60..+12 dB or
        not finite) shows its message in the desk (``desk.error``) and changes nothing; it does
        not raise; ``update`` returns False. The sliders call this (debounced) when you move them.

        Lesson: not yet taught
        """
        return super().update(channel=channel, gain_db=gain_db, pan=pan, mute=mute, solo=solo, gains=gains,
                              pans=pans, mutes=mutes, solos=solos, match_loudness=match_loudness)

    def snapshot(self) -> None:
        """Make the current mix the player's A ("Snapshot"), to compare your next moves against it."""
        self.player.update(a=self._mix32, labels=("Snapshot", "Your mix"))

    def to_mixer(self, excerpt: bool = True):
        """The desk's settings as a :class:`producerkit.mix.Mixer` (one :class:`~producerkit.mix.Track`
        per stem with its fader, pan, mute and solo; the desk's pan law).

        ``excerpt=True``: the tracks hold the desk's excerpt, so ``to_mixer().render()`` is
        ``desk.mix``. ``excerpt=False``: the whole stems, to render the full song with your balance.

        Lesson: course/04-workflow.ipynb
        """
        from ..mix import Mixer, Track

        tracks = []
        for name in self._names:
            s = self._settings[name]
            if excerpt:
                rows = self._x[self._rows[name]]
                audio = rows[0] if rows.shape[0] == 1 else rows
            else:
                audio = self._full[name]
            tracks.append(Track(name, audio, gain_db=s.gain_db, pan=s.pan, mute=s.mute, solo=s.solo, sr=self.sr))
        return Mixer(tracks, self.sr, pan_law=self.pan_law)

    @property
    def mixer(self):
        """``to_mixer()``: the desk as a :class:`producerkit.mix.Mixer` over the excerpt."""
        return self.to_mixer()

    @property
    def channels(self) -> list[str]:
        """The channel (stem) names, in strip order."""
        return list(self._names)

    @property
    def settings(self) -> dict[str, ChannelSettings]:
        """Each channel's fader, pan, mute and solo."""
        return dict(self._settings)

    @property
    def levels(self) -> dict[str, ChannelLevel]:
        """Each channel's meter: post-fader peak and RMS (dBFS) over the excerpt, and whether it plays."""
        return dict(self._levels)

    @property
    def master_levels(self) -> MasterLevels:
        """The master meters: integrated loudness, true peak, sample peak, clipped samples."""
        return self._master

    @property
    def mix(self) -> np.ndarray:
        """The current mix of the excerpt, stereo ``(2, n)`` float32 (a copy)."""
        return self._mix32.copy()

    def __repr__(self) -> str:
        m = self._master
        return (f"MixerDesk({len(self._names)} channels, {self.excerpt}, {_lufs_text(m.integrated_lufs)}, "
                f"true peak {_db_text(m.true_peak_dbtp)} dBTP)")

    # ------------------------------------------------------------------ state

    def _validated(self, settings, channel=None, gain_db=None, pan=None, mute=None, solo=None,
                   gains=None, pans=None, mutes=None, solos=None) -> dict:
        """New settings with the changes applied, or a ParameterError; ``settings`` is not touched."""
        changes: dict[str, dict] = {}

        def put(name, field, value):
            if not isinstance(name, str) or name not in settings:
                raise ParameterError(f"there is no channel {name!r}; the channels are {', '.join(self._names)}.")
            changes.setdefault(name, {})[field] = value

        single = {"gain_db": gain_db, "pan": pan, "mute": mute, "solo": solo}
        if channel is None:
            given = [k for k, v in single.items() if v is not None]
            if given:
                raise ParameterError(f"say which channel {given[0]} is for: desk.update('kick', {given[0]}=...).")
        else:
            for field, value in single.items():
                if value is not None:
                    put(channel, field, value)
            if all(v is None for v in single.values()) and (not isinstance(channel, str) or channel not in settings):
                put(channel, "gain_db", None)  # only reports the unknown channel
        for field, mapping in (("gain_db", gains), ("pan", pans), ("mute", mutes), ("solo", solos)):
            if mapping is None:
                continue
            if not isinstance(mapping, Mapping):
                raise ParameterError(f"{field} changes go in a dict of channel -> value, e.g. {{'kick': ...}} "
                                     f"(got {mapping!r}).")
            for name, value in mapping.items():
                put(name, field, value)

        lo, hi = FADER_RANGE_DB
        new = dict(settings)
        for name, fields in changes.items():
            s = new[name]._asdict()
            for field, value in fields.items():
                if field == "gain_db":
                    finite(f"the {name} fader", value, unit="dB", hint="to silence a channel, mute it")
                    value = in_range(f"the {name} fader", value, lo, hi, unit="dB")
                elif field == "pan":
                    value = in_range(f"the {name} pan", value, -1.0, 1.0,
                                     hint="-1 is hard left, 0 is centre, +1 is hard right")
                else:
                    value = flag(f"{field} of {name}", value)
                s[field] = value
            new[name] = ChannelSettings(**s)
        return new

    def _coefficients(self, settings) -> np.ndarray:
        """(2, rows) gains from every stem channel to the left and right of the mix bus."""
        from ..mix import balance_gains, pan_gains

        coef = np.zeros((2, self._x.shape[0]))
        any_solo = any(s.solo for s in settings.values())
        for name, s in settings.items():
            if s.mute or (any_solo and not s.solo):
                continue
            g = 10.0 ** (s.gain_db / 20.0)
            rows = self._rows[name]
            if len(rows) == 1:
                left, right = pan_gains(s.pan, self.pan_law)
                coef[:, rows[0]] = (g * left, g * right)
            else:
                left, right = balance_gains(s.pan, self.pan_law)
                coef[0, rows[0]], coef[1, rows[1]] = g * left, g * right
        return coef

    def _apply(self, channel=None, gain_db=None, pan=None, mute=None, solo=None, gains=None, pans=None,
               mutes=None, solos=None, match_loudness=None) -> None:
        settings = self._validated(self._settings, channel, gain_db, pan, mute, solo, gains, pans, mutes, solos)
        if match_loudness is not None:
            flag("match_loudness", match_loudness)
        coef = self._coefficients(settings)
        # Everything is valid: commit.
        watch = Stopwatch(self.timings)
        with watch("mix"):
            delta = coef - self._coef
            changed = np.flatnonzero(np.any(delta != 0.0, axis=0))
            self._settings, self._coef = settings, coef
            if changed.size:
                self._since_resum += 1
                if changed.size * 2 > self._x.shape[0] or self._since_resum >= _RESUM_EVERY:
                    self._mix64 = coef @ self._x
                    self._since_resum = 0
                else:
                    tmp = self._tmp
                    for row in changed:
                        for side in (0, 1):
                            if delta[side, row] != 0.0:
                                np.multiply(self._x[row], delta[side, row], out=tmp)
                                self._mix64[side] += tmp
                self._mix32 = self._mix64.astype(np.float32)
        with watch("player"):  # encode B and measure its loudness (the master LUFS reading)
            if match_loudness is not None:
                self.player.update(match_loudness=bool(match_loudness))
            if changed.size:
                self.player.update(b=self._mix32)
        with watch("meters"):
            self._measure()
        with watch("view"):
            self._refresh()

    def _from_controls(self, **changes) -> None:
        """Slider and button moves, collected by the debouncer as ``"<field>:<channel>"`` keys."""
        groups: dict[str, dict] = {"gains": {}, "pans": {}, "mutes": {}, "solos": {}}
        for key, value in changes.items():
            group, name = key.split(":", 1)
            groups[group][name] = value
        self.update(**{k: v for k, v in groups.items() if v})

    def _measure(self) -> None:
        """Channel meters (from the cached pre-fader levels) and the master meters of the mix."""
        from .. import meters

        any_solo = any(s.solo for s in self._settings.values())
        self._levels = {}
        for name, s in self._settings.items():
            peak = self._stem_peak_db[name]
            rms = self._stem_rms_db[name]
            self._levels[name] = ChannelLevel(
                peak + s.gain_db if peak > SILENCE_DB else SILENCE_DB,
                rms + s.gain_db if rms > SILENCE_DB else SILENCE_DB,
                not s.mute and (s.solo or not any_solo),
            )
        y = self._mix32
        hi, lo = float(y.max()), float(y.min())
        peak = max(hi, -lo)
        clipped = 0 if peak <= 1.0 else int(np.count_nonzero(np.abs(y) > 1.0))
        # The player measures B's integrated loudness (BS.1770) when it receives the mix: reuse it.
        player = getattr(self, "player", None)
        if player is not None and player.error == "":
            lufs = player.loudness_b
            lufs = -math.inf if lufs is None else float(lufs)
        else:
            lufs = float(meters.integrated_loudness(y, self.sr))
        tp = float(meters.true_peak(y, self.sr)) if peak > 0 else SILENCE_DB
        self._master = MasterLevels(lufs, tp, float(amp_to_db(peak)), clipped)

    # ------------------------------------------------------------------ view

    def _build(self) -> list:
        lo, hi = FADER_RANGE_DB
        self._faders, self._pans, self._mutes, self._solos, self._meters = {}, {}, {}, {}, {}
        strips = []
        for i, name in enumerate(self._names):
            s = self._settings[name]
            fader = w.FloatSlider(value=s.gain_db, min=lo, max=hi, step=_FADER_STEP, orientation="vertical",
                                  readout=True, readout_format="+.1f", continuous_update=True,
                                  description="", layout=w.Layout(height="170px"))
            fader.add_class("pk-mixer-fader")
            pan = w.FloatSlider(value=s.pan, min=-1.0, max=1.0, step=_PAN_STEP, readout=False,
                                continuous_update=True, layout=w.Layout(width="70px"))
            pan.add_class("pk-mixer-pan")
            mute = w.ToggleButton(value=s.mute, description="M", tooltip=f"mute {name}",
                                  layout=w.Layout(width="36px"))
            mute.add_class("pk-mixer-mute")
            solo = w.ToggleButton(value=s.solo, description="S", tooltip=f"solo {name}",
                                  layout=w.Layout(width="36px"))
            solo.add_class("pk-mixer-solo")
            meter = w.HTML(layout=w.Layout(width="94px", margin="2px 0"))
            meter.add_class("pk-mixer-meter")
            for control, group in ((fader, "gains"), (pan, "pans"), (mute, "mutes"), (solo, "solos")):
                self._observe_control(control, f"{group}:{name}")
            self._faders[name], self._pans[name] = fader, pan
            self._mutes[name], self._solos[name], self._meters[name] = mute, solo, meter
            label = w.HTML(f"<b title='{html.escape(name)}'>{html.escape(name)}</b>")
            pan_row = w.HBox([w.HTML("<small>L</small>"), pan, w.HTML("<small>R</small>")])
            strip = w.VBox([label, fader, pan_row, w.HBox([mute, solo]), meter],
                           layout=w.Layout(align_items="center", border="1px solid #ddd", padding="4px",
                                           margin="0 2px", width="108px", flex="0 0 auto"))
            strip.add_class("pk-mixer-strip")
            strip.add_class(f"pk-mixer-strip-{i}")
            strips.append(strip)
        self._master_html = w.HTML(layout=w.Layout(width="190px"))
        self._master_html.add_class("pk-mixer-master")
        snap = w.Button(description="Set A = this mix", tooltip="compare your next moves with the mix as it is now",
                        layout=w.Layout(width="170px"))
        snap.add_class("pk-mixer-snapshot")
        snap.on_click(lambda _b: self.snapshot())
        master = w.VBox([w.HTML("<b>Master</b>"), self._master_html, snap],
                        layout=w.Layout(border="1px solid #bbb", padding="4px", margin="0 2px",
                                        width="206px", flex="0 0 auto"))
        self._error_line.add_class("pk-mixer-error")
        title = w.HTML(f"<b>Mixer desk</b> · {html.escape(self.excerpt)} · pan law {self.pan_law} · "
                       "meters: post-fader peak / RMS over the excerpt")
        # Strips keep their width; on a narrow page the master wraps below them rather than squashing them.
        desk = w.HBox(strips + [master], layout=w.Layout(flex_flow="row wrap", align_items="flex-start"))
        return [title, desk, self._error_line, self.player]

    def _refresh(self) -> None:
        """Show the state: controls (without re-triggering their observers), meters, master."""
        controls = {}
        for name, s in self._settings.items():
            controls.update({self._faders[name]: s.gain_db, self._pans[name]: s.pan,
                             self._mutes[name]: s.mute, self._solos[name]: s.solo})
            meter = _meter_html(self._levels[name])
            if self._meters[name].value != meter:
                self._meters[name].value = meter
        self._set_controls(controls)
        self._master_html.value = _master_html(self._master)


# --------------------------------------------------------------------------- HTML


def _db_text(db: float) -> str:
    return "-inf" if not math.isfinite(db) or db <= SILENCE_DB else f"{db:+.1f}"


def _lufs_text(lufs: float) -> str:
    return "-inf LUFS" if not math.isfinite(lufs) else f"{lufs:.1f} LUFS"


def _bar(db: float, colour: str) -> str:
    frac = 0.0 if db <= METER_FLOOR_DB else min(1.0, (db - METER_FLOOR_DB) / -METER_FLOOR_DB)
    return (f'<div style="background:#eee;height:8px;width:100%;margin:1px 0">'
            f'<div style="background:{colour};height:8px;width:{100 * frac:.1f}%"></div></div>')


def _level_colour(peak_db: float) -> str:
    if peak_db > 0.0:
        return "#c62828"
    if peak_db > -6.0:
        return "#ef6c00"
    return "#2e7d32"


def _meter_html(level: ChannelLevel) -> str:
    colour = _level_colour(level.peak_dbfs) if level.playing else "#9e9e9e"
    state = "" if level.playing else ' <span style="color:#9e9e9e">(off)</span>'
    return (f'<div style="font-size:11px;line-height:1.2" data-peak="{level.peak_dbfs:.2f}">'
            f"{_bar(level.peak_dbfs, colour)}{_bar(level.rms_dbfs, colour)}"
            f"peak {_db_text(level.peak_dbfs)}<br>RMS {_db_text(level.rms_dbfs)}{state}</div>")


def _master_html(m: MasterLevels) -> str:
    tp_hot = m.true_peak_dbtp > TRUE_PEAK_WARN_DBTP
    tp_light = "#c62828" if tp_hot else "#2e7d32"
    clip_light = "#c62828" if m.clipped_samples else "#ccc"
    clip_text = f"CLIP ({m.clipped_samples} samples)" if m.clipped_samples else "no clipping"
    lufs = "-inf" if not math.isfinite(m.integrated_lufs) else f"{m.integrated_lufs:.1f}"
    return (
        f'<div class="pk-mixer-readout" style="font-size:12px;line-height:1.5" data-lufs="{lufs}" '
        f'data-true-peak="{m.true_peak_dbtp:.2f}" data-clipped="{m.clipped_samples}">'
        f'<span style="font-size:20px"><b class="pk-mixer-lufs">{lufs}</b></span> LUFS integrated<br>'
        f'<span style="color:{tp_light}">●</span> true peak <b class="pk-mixer-tp">{_db_text(m.true_peak_dbtp)}</b>'
        f" dBTP{' (over -1)' if tp_hot else ''}<br>"
        f"{_bar(m.true_peak_dbtp, tp_light)}"
        f"sample peak {_db_text(m.sample_peak_dbfs)} dBFS<br>"
        f'<span style="color:{clip_light}">●</span> {clip_text}</div>'
    )
