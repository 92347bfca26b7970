"""Playhead: see where you are while you listen, a cursor over every plot that belongs to a sound.

A :class:`Playhead` draws time-axis pictures of a clip (waveform envelopes, gain reduction,
loudness, a spectrogram, an arrangement's sections) and a cursor that follows an
:class:`~producerkit.widgets.ABPlayer` as it plays. The cursor moves in the browser, as an
animation the page's compositor runs (so a busy page does not freeze it), anchored to the Web Audio
clock the player plays on (``AudioContext.currentTime`` less the output latency the browser
reports) and checked against it every frame, so it is where the sound is, not where the kernel
last heard it was. The kernel hears only play, pause and seek: no message per frame.

Click the plot to jump there, drag across it to loop that region; with the keyboard, focus the
plot (Tab) and use ← → (1 s, with Shift 5 s), Home/End, and Space to play or pause. When the
player switches between A and B, the traces of the version you hear are drawn on top.

The pictures are decimated before they travel: each trace is its minimum and maximum per pixel
column (:func:`minmax_columns`), so a whole song costs the page no more than a short clip.
Several playheads may follow one player.

Lessons: 01, 03
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import anywidget
import ipywidgets as widgets
import numpy as np
import traitlets

from .._validate import in_range, whole
from ..errors import ParameterError
from ._common import widget_module
from .abplayer import ABPlayer

#: Default width of a playhead view in CSS pixels (as wide as the A/B player).
WIDTH = 860
#: Left and right margins around the plot area (axis labels on the left).
MARGIN_LEFT, MARGIN_RIGHT = 76, 16
#: Pixel columns of the plot area at the default width: one min/max pair per column.
COLUMNS = WIDTH - MARGIN_LEFT - MARGIN_RIGHT

_VERSIONS = (None, "a", "b")
_STYLES = ("band", "line")


def columns_for(width: int) -> int:
    """Pixel columns of the plot area of a playhead ``width`` pixels wide.

    Lesson: not yet taught
    """
    return int(width) - MARGIN_LEFT - MARGIN_RIGHT


# --------------------------------------------------------------------------- decimation


def minmax_columns(values, columns: int = COLUMNS, *, sr: float | None = None, times=None,
                   duration: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Reduce a trace to its minimum and maximum in each of ``columns`` equal slices of time.

    Give either ``sr`` (one value per sample, as audio or a gain-reduction trace) or ``times``
    (seconds of each value, increasing, as a loudness meter's readings). Column ``c`` covers
    ``[c, c + 1) * duration / columns`` seconds; ``duration`` defaults to the trace's length
    (``len(values) / sr``, or the last time). A column no value falls in (a trace sparser than the
    plot is wide) gets the trace interpolated at its centre, so lines stay joined.

    Returns:
        ``(lo, hi)``: two float32 arrays of ``columns`` values.

    Raises:
        ParameterError: both or neither of ``sr`` and ``times``, mismatched lengths, times that
            go backwards, values that are not finite, or fewer than one column.

    Lesson: not yet taught
    """
    values = np.asarray(values)
    values = values.astype(np.float32 if values.dtype == np.float32 else np.float64, copy=False)
    if values.ndim != 1 or values.size == 0:
        raise ParameterError(f"a trace must be a 1-D array of at least one value (got shape {values.shape}).")
    if not np.all(np.isfinite(values)):
        raise ParameterError("the trace holds NaN or infinite values; floor them first, e.g. np.maximum(v, -120).")
    columns = int(columns)
    if columns < 1:
        raise ParameterError(f"columns must be at least 1 (got {columns}).")
    if (sr is None) == (times is None):
        raise ParameterError("give either sr= (one value per sample) or times= (seconds of each value), not both.")
    n = values.size
    if sr is not None:
        if not sr > 0:
            raise ParameterError(f"sr must be positive (got {sr}).")
        duration = n / float(sr) if duration is None else float(duration)
        if not duration > 0:
            raise ParameterError(f"duration must be positive (got {duration}).")
        bounds = np.arange(columns + 1) * (duration / columns)
        # sample i (at i / sr) is in column c when bounds[c] <= i / sr < bounds[c + 1]
        edges = np.clip(np.ceil(bounds * sr - 1e-9), 0, n).astype(np.int64)
        t = None
    else:
        t = np.asarray(times, dtype=np.float64)
        if t.shape != values.shape:
            raise ParameterError(f"times has {t.size} values and the trace {n}; give one time per value.")
        if np.any(np.diff(t) < 0):
            raise ParameterError("times must increase (sort the trace by time first).")
        duration = float(t[-1]) if duration is None else float(duration)
        if not duration > 0:
            raise ParameterError(f"duration must be positive (got {duration}).")
        bounds = np.arange(columns + 1) * (duration / columns)
        edges = np.searchsorted(t, bounds, side="left")
        edges[-1] = np.searchsorted(t, duration, side="right")  # a value at the very end counts
    filled = edges[1:] > edges[:-1]
    lo = np.empty(columns)
    hi = np.empty(columns)
    if np.any(filled):
        # reduceat over [start, end) pairs: a sentinel lets an end equal the trace's length
        padded = np.append(values, values[-1])
        index = np.empty(2 * int(filled.sum()), dtype=np.int64)
        index[0::2], index[1::2] = edges[:-1][filled], edges[1:][filled]
        lo[filled] = np.minimum.reduceat(padded, index)[0::2]
        hi[filled] = np.maximum.reduceat(padded, index)[0::2]
    if not np.all(filled):
        centres = (np.arange(columns) + 0.5) * (duration / columns)
        at = t if t is not None else np.arange(n) / float(sr)
        fill = np.interp(centres[~filled], at, values)
        lo[~filled] = fill
        hi[~filled] = fill
    return lo.astype(np.float32), hi.astype(np.float32)


# --------------------------------------------------------------------------- what a playhead draws


@dataclass(frozen=True)
class Trace:
    """One trace of a :class:`TracePanel`: its min and max per pixel column (see :func:`minmax_columns`).

    ``version`` says whose trace it is: ``"a"`` or ``"b"`` (drawn on top while that version plays,
    paler while the other does) or None (both: a target line, a section). ``style`` is
    ``"band"`` (filled between min and max: a waveform envelope) or ``"line"``.

    Lesson: not yet taught
    """

    name: str
    lo: np.ndarray
    hi: np.ndarray
    version: str | None = None
    colour: str = "#1f77b4"
    style: str = "line"
    dash: bool = False

    def __post_init__(self):
        if self.version not in _VERSIONS:
            raise ParameterError(f'a trace\'s version must be "a", "b" or None (got {self.version!r}).')
        if self.style not in _STYLES:
            raise ParameterError(f'a trace\'s style must be "band" or "line" (got {self.style!r}).')
        if np.shape(self.lo) != np.shape(self.hi):
            raise ParameterError("a trace's lo and hi must have one value per column each.")


@dataclass(frozen=True)
class TracePanel:
    """A strip of traces over time with a y axis: ``label`` names it with its unit ("loudness (LUFS)").

    Lesson: not yet taught
    """

    label: str
    y_range: tuple[float, float]
    traces: list = field(default_factory=list)
    height: int = 150
    ticks: tuple = ()


@dataclass(frozen=True)
class ImagePanel:
    """A picture over time, such as a spectrogram: ``image`` is uint8 ``(rows, columns)``, row 0 at the bottom.

    ``ticks`` are ``(row position 0-1 from the bottom, text)``; ``scale`` names what 0 and 255 mean
    (``("-80 dB", "0 dB")``) for the colour bar.

    Lesson: not yet taught
    """

    label: str
    image: np.ndarray
    ticks: tuple = ()
    scale: tuple[str, str] = ("low", "high")
    scale_label: str = ""
    height: int = 220
    version: str | None = None


@dataclass(frozen=True)
class BlockPanel:
    """Named blocks on rows over time, as a DAW draws an arrangement: ``blocks`` are
    ``(row, start_s, end_s, text, colour, version)``.

    Lesson: not yet taught
    """

    label: str
    rows: tuple[str, ...]
    blocks: list = field(default_factory=list)
    row_height: int = 22


def envelope_trace(y, sr: int, name: str, *, version: str | None = None, colour: str = "#1f77b4",
                   columns: int = COLUMNS) -> Trace:
    """A waveform's envelope (min and max of the mono sum per pixel column), drawn as a band.

    Lesson: not yet taught
    """
    from ..audio import ensure_audio, to_mono

    mono = to_mono(ensure_audio(y, allow_transposed=True))
    lo, hi = minmax_columns(mono, columns, sr=sr)
    return Trace(name, lo, hi, version=version, colour=colour, style="band")


def series_trace(values, name: str, *, sr: float | None = None, times=None, duration: float | None = None,
                 y_range: tuple[float, float] | None = None, version: str | None = None,
                 colour: str = "#1f77b4", style: str = "line", dash: bool = False,
                 columns: int = COLUMNS) -> Trace:
    """Any trace over time (gain reduction, loudness) decimated to pixel columns; clipped to ``y_range``.

    Lesson: not yet taught
    """
    lo, hi = minmax_columns(values, columns, sr=sr, times=times, duration=duration)
    if y_range is not None:
        lo, hi = np.clip(lo, *y_range), np.clip(hi, *y_range)
    return Trace(name, lo, hi, version=version, colour=colour, style=style, dash=dash)


def spectrogram_panel(y, sr: int, *, label: str = "frequency (Hz)", columns: int = COLUMNS,
                      duration: float | None = None, rows: int = 160, range_db: float = 80.0,
                      height: int = 200, version: str | None = None) -> ImagePanel:
    """A log-frequency spectrogram (20 Hz up, dB) as an :class:`ImagePanel`, one STFT frame per column.

    Lesson: not yet taught
    """
    from .. import plots

    _, freqs, db = plots.spectrogram_db(y, sr, columns=columns, rows=rows, duration=duration)
    top = float(np.ceil(db.max() / 10.0) * 10.0)
    scaled = np.clip((db - (top - range_db)) / range_db, 0.0, 1.0)
    image = np.round(scaled * 255).astype(np.uint8)
    lo, hi = np.log10(freqs[0]), np.log10(freqs[-1])
    ticks = tuple(((np.log10(f) - lo) / (hi - lo), text)
                  for f, text in zip(*plots._freq_ticks(freqs[0], freqs[-1]), strict=True))
    return ImagePanel(label, image, ticks=ticks, scale=(f"{top - range_db:g} dB", f"{top:g} dB"),
                      scale_label="level (dB)", height=height, version=version)


# --------------------------------------------------------------------------- the widget


class Playhead(anywidget.AnyWidget):
    """Time-axis plots with a cursor that follows an :class:`ABPlayer`; click to seek, drag to loop.

    Args:
        player: the A/B player whose sound the plots show (display it too: the cursor reads its clock).
        panels: what to draw, top to bottom: :class:`TracePanel`, :class:`ImagePanel`,
            :class:`BlockPanel` (their traces built with :func:`envelope_trace`,
            :func:`series_trace`, :func:`spectrogram_panel`, one value pair per pixel column).
        title: shown above the plots.
        bar_seconds: length of a bar in seconds: the time axis then counts bars from 1, as a DAW
            does (0: seconds).
        width: the view's width in CSS pixels; the traces must have ``columns_for(width)`` columns.

    ``playhead.set_panels(panels)`` redraws with new traces (an explorer does it on each change).

    Lesson: not yet taught
    """

    _esm = widget_module("playhead.js")
    _css = Path(__file__).with_name("playhead.css")

    clock_id = traitlets.Unicode("").tag(sync=True)
    duration = traitlets.Float(0.0).tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    width = traitlets.Int(WIDTH).tag(sync=True)
    columns = traitlets.Int(COLUMNS).tag(sync=True)
    bar_seconds = traitlets.Float(0.0).tag(sync=True)
    panels = traitlets.List().tag(sync=True)
    images = traitlets.Bytes(b"").tag(sync=True)

    def __init__(self, player: ABPlayer, panels, *, title: str = "", bar_seconds: float = 0.0,
                 width: int = WIDTH) -> None:
        if not isinstance(player, ABPlayer):
            raise ParameterError(f"player must be an ABPlayer, the one whose sound the plots show (got {player!r}).")
        width = whole("width", width, 100 + MARGIN_LEFT + MARGIN_RIGHT, 4000, unit="pixels",
                      hint=f"it must leave at least 100 columns for the plot; {WIDTH} fits the notebook")
        columns = columns_for(width)
        bar_seconds = in_range("bar_seconds", bar_seconds, 0.0, 3600.0, unit="s",
                               hint="0 for a time axis in seconds, or the length of a bar to count bars")
        if not isinstance(title, str):
            raise ParameterError(f"title must be text (got {title!r}): pass a string, or leave it out.")
        self.player = player
        state = _panels_state(panels, columns)
        super().__init__(clock_id=player.clock_id, duration=player.duration, title=title, width=int(width),
                         columns=columns, bar_seconds=float(bar_seconds), **state)
        self.on_msg(self._on_page_message)

    def set_panels(self, panels) -> None:
        """Draw new panels (same width); the cursor and the player carry on.

        Lesson: not yet taught
        """
        state = _panels_state(panels, self.columns)
        with self.hold_sync():
            self.duration = self.player.duration
            for name, value in state.items():
                setattr(self, name, value)

    def send_state(self, key=None) -> None:
        """Send state to the page as ipywidgets does, without searching the panels for binary parts.

        ``panels`` is plain JSON (images travel in ``images``); ipywidgets' search of every value
        for bytes took longer than building the panels (thousands of numbers per trace).
        """
        from ipywidgets.widgets.widget import _remove_buffers

        state = self.get_state(key=key)
        if not state:
            return
        if self._property_lock:  # as ipywidgets does: keep the lock up to date with what the page gets
            for name, value in state.items():
                if name in self._property_lock:
                    self._property_lock[name] = value
        panels = state.pop("panels", None)
        state, buffer_paths, buffers = _remove_buffers(state)
        if panels is not None:
            state = {**state, "panels": panels}
        self._send({"method": "update", "state": state, "buffer_paths": buffer_paths}, buffers=buffers)

    def _on_page_message(self, _widget, content, _buffers) -> None:
        """The page asks for the whole state again when the kernel's messages to it were lost."""
        if isinstance(content, dict) and content.get("type") == "resync":
            self.send_state()


def _round(values) -> list[float]:
    """Values to 4 decimals as a list of floats (NumPy's rounding: 20x faster than round() per value)."""
    return np.round(np.asarray(values, dtype=np.float64), 4).tolist()


def _panels_state(panels, columns: int) -> dict:
    """The panels as the page reads them: JSON for traces and blocks, one byte buffer for images."""
    out, images = [], bytearray()
    if isinstance(panels, str | bytes | dict) or not hasattr(panels, "__iter__"):
        raise ParameterError(f"panels must be a list of TracePanel, ImagePanel or BlockPanel (got {panels!r}).")
    for panel in panels:
        if isinstance(panel, TracePanel):
            lo_y, hi_y = (float(v) for v in panel.y_range)
            if not hi_y > lo_y:
                raise ParameterError(f"panel {panel.label!r}: y_range must go up (got {panel.y_range}).")
            traces = []
            for trace in panel.traces:
                if np.size(trace.lo) != columns:
                    raise ParameterError(
                        f"trace {trace.name!r} has {np.size(trace.lo)} columns; this playhead draws {columns} "
                        "(build it with columns=columns_for(width))."
                    )
                traces.append({"name": trace.name, "version": trace.version, "colour": trace.colour,
                               "style": trace.style, "dash": trace.dash, "lo": _round(trace.lo),
                               "hi": _round(trace.hi)})
            out.append({"kind": "traces", "label": panel.label, "y_range": [lo_y, hi_y], "height": int(panel.height),
                        "ticks": [[float(v), str(t)] for v, t in panel.ticks], "traces": traces})
        elif isinstance(panel, ImagePanel):
            image = np.ascontiguousarray(panel.image, dtype=np.uint8)
            if image.ndim != 2 or image.shape[1] != columns:
                raise ParameterError(f"image panel {panel.label!r} must be (rows, {columns}) (got {image.shape}).")
            out.append({"kind": "image", "label": panel.label, "height": int(panel.height), "offset": len(images),
                        "rows": int(image.shape[0]), "ticks": [[float(v), str(t)] for v, t in panel.ticks],
                        "scale": list(panel.scale), "scale_label": panel.scale_label, "version": panel.version})
            images.extend(image.tobytes())
        elif isinstance(panel, BlockPanel):
            blocks = [{"row": int(row), "start": float(start), "end": float(end), "text": str(text),
                       "colour": colour, "version": version}
                      for row, start, end, text, colour, version in panel.blocks]
            out.append({"kind": "blocks", "label": panel.label, "rows": list(panel.rows),
                        "height": int(panel.row_height) * max(1, len(panel.rows)), "blocks": blocks})
        else:
            raise ParameterError(f"a panel must be a TracePanel, ImagePanel or BlockPanel (got {panel!r}).")
    return {"panels": out, "images": bytes(images)}


# --------------------------------------------------------------------------- views built on it


class ListenAlong(widgets.VBox):
    """A :class:`Playhead` above the :class:`ABPlayer` it follows: ``view.playhead``, ``view.player``.

    Lessons: 01, 03
    """

    def __init__(self, playhead: Playhead, css_class: str = "") -> None:
        super().__init__([playhead, playhead.player])
        self.playhead, self.player = playhead, playhead.player
        self.add_class("pk-listen-along")
        if css_class:
            self.add_class(css_class)


def spectrogram_view(a, b, sr: int, labels=("Before", "After"), *, title: str = "Spectrogram",
                     match_loudness: bool = True) -> ListenAlong:
    """Two versions' spectrograms (log frequency, dB) under a playhead, with their A/B player.

    One panel per version; the one you hear is drawn in full colour, the other paler.

    Lesson: course/01-eq.ipynb
    """
    player = ABPlayer(a, b, sr, labels=labels, match_loudness=match_loudness)
    duration = player.duration
    panels = [
        spectrogram_panel(a, sr, label=f"A · {labels[0]}: frequency (Hz)", duration=duration, version="a"),
        spectrogram_panel(b, sr, label=f"B · {labels[1]}: frequency (Hz)", duration=duration, version="b"),
    ]
    return ListenAlong(Playhead(player, panels, title=title), "pk-spectrogram-view")


#: Colours of the arrangement's layers, as Arrangement.timeline_figure draws them.
_LAYER_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def arrangement_view(arrangement, session, other=None, labels=("Original", "Other"), *,
                     gains_db: dict | None = None, title: str | None = None) -> ListenAlong:
    """The whole song under a playhead: its sections, its layers and its loudness, with an A/B player.

    A is ``arrangement`` rendered from ``session`` (with ``gains_db`` per layer), B is ``other``
    (another arrangement of the same session; the same one when not given). The time axis counts
    bars from 1. The sections and layers of the version you hear are drawn on top, with its
    short-term (3 s) loudness, the energy you hear rise and fall.

    Lesson: course/03-arrangement.ipynb
    """
    from ..arrange import Arrangement, seconds_per_bar
    from ..meters import loudness

    versions = [("a", arrangement), ("b", arrangement if other is None else other)]
    for _, arr in versions:
        if not isinstance(arr, Arrangement):
            raise ParameterError(f"arrangement_view takes Arrangement objects (got {arr!r}).")
    audio = {v: arr.render(session, gains_db=gains_db) for v, arr in versions}
    player = ABPlayer(audio["a"], audio["b"], session.sr, labels=labels, match_loudness=False)
    duration = player.duration
    bar = seconds_per_bar(arrangement.bpm, arrangement.time_signature)
    layers = list(dict.fromkeys(layer for _, arr in versions for layer in arr.layers))
    sections, blocks, traces = [], [], []
    colours = {"a": "#546e7a", "b": "#8d6e63"}
    for version, arr in versions:
        tag = version if other is not None else None
        for start, sec in zip(arr.start_bars(), arr.sections, strict=True):
            begin, end = start * bar, (start + sec.bars) * bar
            sections.append((0, begin, end, f"{sec.name} · bar {start + 1}", colours[version], tag))
            for layer in sec.layers:
                li = layers.index(layer)
                blocks.append((li, begin, end, "", _LAYER_COLOURS[li % len(_LAYER_COLOURS)], tag))
        stats = loudness(audio[version], session.sr)
        short = np.where(stats.short_term_lufs > -70.0, stats.short_term_lufs, -70.0)
        traces.append(series_trace(short, f"short-term loudness · {labels[0 if version == 'a' else 1]}",
                                   times=stats.times_s, duration=duration, y_range=(-50.0, 0.0), version=tag,
                                   colour="#1f77b4" if version == "a" else "#d62728"))
        if other is None:
            break
    panels = [
        BlockPanel("sections", ("section",), sections, row_height=26),
        BlockPanel("layers", tuple(layers), blocks, row_height=16),
        TracePanel("loudness (LUFS)", (-50.0, 0.0), traces, height=120),
    ]
    title = title or f"{arrangement.bars} bars at {arrangement.bpm:g} BPM: sections, layers and loudness"
    return ListenAlong(Playhead(player, panels, title=title, bar_seconds=bar), "pk-arrangement-view")
