"""LoudnessView: a master's loudness over time against a platform's target, with the delivery QC.

The plot shows momentary (400 ms) and short-term (3 s) loudness (BS.1770-4 / EBU R 128), the
integrated value and the platform's target line; the table below is
:func:`producerkit.master.qc` for that platform, item by item, with its verdict. Pick another
platform in the dropdown: only the target line, the verdict and the player's B change.

The player compares your master (A) with what the platform plays (B): the master turned down
(or, where the platform does that, up as far as the peaks allow) to the platform's loudness.
Loudness matching is off here on purpose: the level change *is* the lesson.

Lesson: course/04-workflow.ipynb
"""

from __future__ import annotations

import html
import math

import ipywidgets as w
import numpy as np

from ..audio import SILENCE_DB, as_channels, check_sr, ensure_audio
from ..errors import AudioError, ParameterError
from ._common import Explorer, Stopwatch
from .abplayer import MAX_SECONDS, ABPlayer
from .compressor_explorer import _figure_output
from .playhead import Playhead, TracePanel, series_trace

#: The plot's loudness axis, in LUFS (quieter readings are drawn at the bottom edge).
PLOT_RANGE_LUFS = (-60.0, 0.0)
_FLOOR = PLOT_RANGE_LUFS[0] - 10.0

_STATUS_COLOURS = {"pass": "#2e7d32", "warn": "#ef6c00", "fail": "#c62828"}
_COLOR_MOMENTARY = "#9e9e9e"
_COLOR_SHORT_TERM = "#1f77b4"
_COLOR_INTEGRATED = "#2ca02c"
_COLOR_TARGET = "#d62728"
_NAME_MOMENTARY = "momentary (400 ms)"
_NAME_SHORT_TERM = "short-term (3 s)"


def _lufs(value: float) -> str:
    return f"{value:.1f} LUFS" if value > SILENCE_DB else "silent"


def playback_gain_db(integrated_lufs: float, true_peak_dbtp: float, target="spotify") -> float:
    """The gain in dB a platform applies when it plays a master back at its reference loudness.

    Every platform turns a master louder than its reference down to it. A quieter master is
    turned up only where the platform says it does (``raises_quiet``, e.g. Spotify, Apple
    Music) or for broadcast (normalised to -23 LUFS), and then only as far as its true peak
    stays under the platform's ceiling; elsewhere (YouTube, Tidal, unpublished) it plays as
    is. A silent master (``-inf`` LUFS) gets 0 dB.

    Lesson: not yet taught
    """
    from ..master import get_target

    platform = get_target(target)
    if not math.isfinite(integrated_lufs):
        return 0.0
    gain = platform.integrated_lufs - float(integrated_lufs)
    if gain <= 0.0:
        return gain
    if platform.raises_quiet or platform.kind == "broadcast":
        headroom = platform.true_peak_dbtp - float(true_peak_dbtp)
        return max(0.0, min(gain, headroom))
    return 0.0


def _prepare(y, sr) -> tuple[np.ndarray, int]:
    y = ensure_audio(y, allow_transposed=True)
    sr = check_sr(sr)
    if y.shape[-1] / sr > MAX_SECONDS:
        raise AudioError(f"the clip is {y.shape[-1] / sr:.0f} s long; the view plays at most {MAX_SECONDS:.0f} s.")
    return y, sr


class LoudnessView(Explorer):
    """Momentary and short-term loudness over time, the platform's target and the QC verdict.

    Args:
        y: the master: mono ``(n,)``, ``(channels, n)`` or ``(n, channels)``.
        sr: its sample rate.
        target: a platform from :func:`producerkit.master.targets` ("spotify", "apple",
            "youtube", "tidal", "amazon", "deezer", "ebu_r128"), chosen in the dropdown too.

    ``update(y=..., sr=..., target=...)`` recomputes synchronously: a new clip re-measures
    everything; a new target only redraws the target line, the verdict and B (QC reports are
    cached per target for the current clip). An invalid value shows its message in the view
    (``view.error``) and keeps the last good state. Read ``view.loudness``
    (a :class:`producerkit.meters.Loudness`), ``view.report`` (the :class:`producerkit.master.QCReport`),
    ``view.verdict``, ``view.target``, ``view.playback_gain_db`` and ``view.timings``.
    ``view.playhead`` draws A's and B's loudness under a cursor that follows the player (click it
    to jump there).

    Lesson: course/04-workflow.ipynb
    """

    def __init__(self, y, sr, target="spotify"):
        from ..master import targets

        super().__init__()
        self._y: np.ndarray | None = None
        self._sr = 0
        self._reports: dict = {}
        self._targets = list(targets())
        self._dropdown = w.Dropdown(
            options=[(f"{t.name} ({t.integrated_lufs:g} LUFS, {t.true_peak_dbtp:g} dBTP)", t.key)
                     for t in self._targets],
            description="Platform", layout=w.Layout(width="380px"),
        )
        self._dropdown.add_class("pk-loudness-target")
        self._summary = w.HTML()
        self._summary.add_class("pk-loudness-summary")
        self._qc_html = w.HTML()
        self._qc_html.add_class("pk-loudness-qc")
        self._error_line.add_class("pk-loudness-error")
        self.figure = self._make_figure()
        # A plain Figure sent whole to an Output widget on each change (see CompressorExplorer: a
        # FigureWidget's data travel in messages anywidget drops when the page loads its code late).
        self._figure_out = w.Output(layout=w.Layout(width="100%"))
        self._figure_out.add_class("pk-loudness-figure")
        self.player = None
        self.playhead = None
        # There is no previous good state yet: invalid input raises here.
        self._apply(y=y, sr=sr, target=target)
        self._observe_control(self._dropdown, "target")
        self.children = [w.HBox([self._dropdown, self._summary]), self._figure_out, self.playhead, self._qc_html,
                         self._error_line, self.player]
        self.add_class("pk-loudness")

    # ------------------------------------------------------------------ public API

    def update(self, y=None, sr=None, target=None) -> bool:
        """Show a new clip (``y``, with ``sr`` if its rate differs) and/or another ``target``.

        Returns True on success; an invalid value shows its message in the view and returns False.

        Lesson: not yet taught
        """
        return super().update(y=y, sr=sr, target=target)

    @property
    def loudness(self):
        """The clip's :class:`producerkit.meters.Loudness` (I, LRA, true peak, M and S curves)."""
        return self._loudness

    @property
    def report(self):
        """The :class:`producerkit.master.QCReport` for the current target."""
        return self._reports[self._target.key]

    @property
    def verdict(self) -> str:
        """The QC verdict for the current target: "pass", "warn" or "fail"."""
        return self.report.verdict

    @property
    def target(self):
        """The current :class:`producerkit.master.PlatformTarget`."""
        return self._target

    @property
    def playback_gain_db(self) -> float:
        """What the platform does to the clip's level on playback, in dB (the player's B)."""
        return self._gain_db

    def __repr__(self) -> str:
        return f"LoudnessView({self._loudness.summary()}; {self._target.name}: {self.verdict.upper()})"

    # ------------------------------------------------------------------ internals

    def _apply(self, y=None, sr=None, target=None) -> None:
        from .. import master, meters

        platform = master.get_target(target) if target is not None else self._target
        if y is None and sr is not None and check_sr(sr) != self._sr:
            raise ParameterError("a new sr needs its audio: update(y=..., sr=...).")
        new_clip = y is not None
        watch = Stopwatch(self.timings)
        if new_clip:
            with watch("measure"):
                y, sr = _prepare(y, self._sr if sr is None else sr)
                stats = meters.loudness(y, sr)
            reports = {}
        else:
            y, sr, stats, reports = self._y, self._sr, self._loudness, self._reports
        with watch("qc"):
            report = reports.get(platform.key) or master.qc(y, sr, target=platform, measured=stats)
        gain = playback_gain_db(stats.integrated_lufs, stats.true_peak_dbtp, platform)

        # Everything is valid: commit.
        reports = dict(reports)
        reports[platform.key] = report
        old_gain = getattr(self, "_gain_db", None)
        self._y, self._sr, self._loudness, self._reports = y, sr, stats, reports
        self._target, self._gain_db = platform, gain
        with watch("player"):
            self._update_player(new_clip, gain != old_gain)
        with watch("view"):
            self._draw(new_clip)

    def _update_player(self, new_clip: bool, new_gain: bool) -> None:
        y2 = as_channels(self._y)
        b = (y2 * np.float32(10.0 ** (self._gain_db / 20.0))).astype(np.float32, copy=False)
        labels = ("Your master", f"On {self._target.name}")
        if self.player is None:
            self.player = ABPlayer(y2, b, self._sr, labels=labels, match_loudness=False)
        elif new_clip:
            self.player.update(a=y2, b=b, sr=self._sr, labels=labels)
        elif new_gain:
            self.player.update(b=b, labels=labels)
        else:
            self.player.update(labels=labels)

    def _make_figure(self):
        import plotly.graph_objects as go

        traces = [(_NAME_MOMENTARY, _COLOR_MOMENTARY, 1, None), (_NAME_SHORT_TERM, _COLOR_SHORT_TERM, 2, None),
                  ("integrated", _COLOR_INTEGRATED, 2, None), ("target", _COLOR_TARGET, 2, "dash")]
        fig = go.Figure(data=[
            go.Scatter(x=[], y=[], name=name, mode="lines", line=dict(color=colour, width=width, dash=dash))
            for name, colour, width, dash in traces
        ])
        fig.update_layout(
            width=860, height=340, margin=dict(l=60, r=20, t=40, b=40), template="plotly_white",
            legend=dict(orientation="h", y=-0.2), title="Loudness over time",
        )
        fig.update_xaxes(title_text="time (s)")
        fig.update_yaxes(title_text="loudness (LUFS)", range=list(PLOT_RANGE_LUFS))
        return fig

    def _draw(self, new_clip: bool) -> None:
        stats, platform = self._loudness, self._target
        end = max(stats.duration_s, float(stats.times_s[-1]) if stats.times_s.size else 0.0)
        span = [0.0, end]
        fig = self.figure
        with fig.batch_update():
            if new_clip:
                # The names change with the clip, so they are sent with the data (a name set only
                # when the figure was created did not reach the page's plot: it showed "trace 0").
                times = stats.times_s.tolist()
                fig.data[0].update(x=times, y=np.maximum(stats.momentary_lufs, _FLOOR).tolist(),
                                   name=f"{_NAME_MOMENTARY}, max {_lufs(stats.momentary_max_lufs)}")
                fig.data[1].update(x=times, y=np.maximum(stats.short_term_lufs, _FLOOR).tolist(),
                                   name=f"{_NAME_SHORT_TERM}, max {_lufs(stats.short_term_max_lufs)}")
                if math.isfinite(stats.integrated_lufs):
                    fig.data[2].update(x=span, y=[stats.integrated_lufs] * 2,
                                       name=f"integrated {stats.integrated_lufs:.1f} LUFS", visible=True)
                else:
                    fig.data[2].update(x=[], y=[], name="integrated: silent", visible=True)
            fig.data[3].update(x=span, y=[platform.integrated_lufs] * 2,
                               name=f"{platform.name} target {platform.integrated_lufs:g} LUFS")
            fig.layout.title.text = f"Loudness over time · {platform.name}: {self.verdict.upper()}"
        self._figure_out.outputs = (_figure_output(fig),)
        if self.playhead is None:
            self.playhead = Playhead(self.player, self._playhead_panels(),
                                     title="Listen along: loudness as you hear it")
        else:
            self.playhead.set_panels(self._playhead_panels())
        self._summary.value = self._summary_html()
        self._qc_html.value = self._qc_table()
        self._set_controls({self._dropdown: platform.key})

    def _playhead_panels(self) -> list:
        """Momentary and short-term loudness of A (your master) and B (as the platform plays it)."""
        stats, platform = self._loudness, self._target
        duration = self.player.duration
        target = f"{platform.name} target {platform.integrated_lufs:g} LUFS"
        traces = [series_trace([platform.integrated_lufs] * 2, target, times=[0.0, duration], duration=duration,
                               colour=_COLOR_TARGET, dash=True)]
        versions = (("a", "Your master", 0.0, (_COLOR_MOMENTARY, _COLOR_SHORT_TERM)),
                    ("b", f"On {platform.name}", self._gain_db, ("#f4a6a6", "#b71c1c")))
        for version, name, gain, colours in versions if stats.times_s.size else ():
            for what, values, colour in zip(("momentary", "short-term"),
                                            (stats.momentary_lufs, stats.short_term_lufs), colours, strict=True):
                shown = np.where(values > SILENCE_DB, values + gain, _FLOOR)
                traces.append(series_trace(shown, f"{what} · {name}", times=stats.times_s, duration=duration,
                                           y_range=PLOT_RANGE_LUFS, version=version, colour=colour))
        return [TracePanel("loudness (LUFS)", PLOT_RANGE_LUFS, traces, height=200)]

    def _summary_html(self) -> str:
        stats, platform = self._loudness, self._target
        colour = _STATUS_COLOURS[self.verdict]
        if math.isfinite(stats.integrated_lufs):
            lufs = f"{stats.integrated_lufs:.1f} LUFS"
            gap = stats.integrated_lufs - platform.integrated_lufs
            gap_text = f"{abs(gap):.1f} LU {'above' if gap > 0 else 'below'} the target" if abs(gap) >= 0.05 \
                else "on the target"
        else:
            lufs, gap_text = "silent", "nothing to measure"
        tp = "-inf" if stats.true_peak_dbtp <= SILENCE_DB else f"{stats.true_peak_dbtp:.1f}"
        return (
            f'<div style="line-height:1.4;margin-left:12px" data-verdict="{self.verdict}" '
            f'data-target="{platform.key}" data-gain="{self._gain_db:.2f}">'
            f"<b>{lufs}</b> integrated ({gap_text}) · LRA {stats.lra_lu:.1f} LU · true peak {tp} dBTP<br>"
            f'{html.escape(platform.name)} verdict: <b class="pk-loudness-verdict" style="color:{colour}">'
            f"{self.verdict.upper()}</b> · playback gain {self._gain_db:+.1f} dB</div>"
        )

    def _qc_table(self) -> str:
        return self.report.table_html()  # the one report renderer (producerkit.report)
