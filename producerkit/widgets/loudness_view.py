"""LoudnessView: a master's loudness over time against a platform's target, with the delivery QC.

One picture plays along with the player: momentary (400 ms) and short-term (3 s) loudness
(BS.1770-4 / EBU R 128) of your master (A) and of what the platform plays (B), each with its
integrated line, and the platform's target line; its title and the line above it give the
verdict. The table below is :func:`producerkit.master.qc` for that platform, item by item. Pick
another platform in the dropdown: only the target line, B, the verdict and the table change.

The player compares your master (A) with what the platform plays (B): the master turned down
(or, where the platform does that, up as far as the peaks allow) to the platform's loudness.
Loudness matching is off here on purpose: the level change *is* the lesson.

Lesson: course/04-workflow.ipynb
"""

from __future__ import annotations

import functools
import html
import math

import ipywidgets as w
import numpy as np

from ..audio import SILENCE_DB, as_channels, check_sr, ensure_audio
from ..errors import AudioError, ParameterError
from ._common import Explorer, Stopwatch
from .abplayer import MAX_SECONDS, ABPlayer
from .playhead import Playhead, TracePanel, series_trace

#: The plot's loudness axis, in LUFS (quieter readings are drawn at the bottom edge).
PLOT_RANGE_LUFS = (-60.0, 0.0)
_FLOOR = PLOT_RANGE_LUFS[0] - 10.0

_STATUS_COLOURS = {"pass": "#2e7d32", "warn": "#ef6c00", "fail": "#c62828"}
_COLOR_MOMENTARY = "#9e9e9e"
_COLOR_SHORT_TERM = "#1f77b4"
_COLOR_INTEGRATED = "#2ca02c"
_COLOR_TARGET = "#d62728"
_COLORS_B = ("#f4a6a6", "#b71c1c", "#e6a23c")  # momentary, short-term, integrated as the platform plays it
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

    Lesson: course/10-mastering.ipynb
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


@functools.cache
def _watched_delivery() -> type:
    """A :class:`producerkit.master.Delivery` that notes whether a rule read its ``platform``."""
    from ..master import Delivery

    class Watched(Delivery):
        read_platform = False

        def __getattribute__(self, name):
            if name == "platform":
                object.__setattr__(self, "read_platform", True)
            return super().__getattribute__(name)

    return Watched


def _clip_rule(rule, findings: dict):
    """``rule`` for :func:`producerkit.master.qc`, its finding kept in ``findings`` if it never reads the platform.

    The clip's rules that do not depend on the target (clipping, DC, mono, silences, ending) then
    run once per clip, not once per platform shown.
    """

    def run(d):
        if rule in findings:
            return findings[rule]
        try:
            watched = object.__new__(_watched_delivery())
            watched.__dict__.update(d.__dict__)
        except (AttributeError, TypeError):  # a Delivery this cannot copy: check it every time
            return rule(d)
        finding = rule(watched)
        if not watched.read_platform:
            findings[rule] = finding
        return finding

    return run


def _prepare(y, sr) -> tuple[np.ndarray, int]:
    y = ensure_audio(y, allow_transposed=True)
    sr = check_sr(sr)
    if y.shape[-1] / sr > MAX_SECONDS:
        raise AudioError(f"the clip is {y.shape[-1] / sr:.0f} s long; the view plays at most {MAX_SECONDS:.0f} s.")
    return y, sr


class LoudnessView(Explorer):
    """Loudness over time as you hear it, against the platform's target, and the QC verdict.

    Args:
        y: the master: mono ``(n,)``, ``(channels, n)`` or ``(n, channels)``.
        sr: its sample rate.
        target: a platform from :func:`producerkit.master.targets` ("spotify", "apple",
            "youtube", "tidal", "amazon", "deezer", "ebu_r128"), chosen in the dropdown too.
        label: what the clip is called in the picture and on the player's A button ("Your master").

    ``update(y=..., sr=..., target=...)`` recomputes synchronously: a new clip re-measures
    everything; a new target only redraws the target line, the verdict and B (QC reports are
    cached per target for the current clip). An invalid value shows its message in the view
    (``view.error``) and keeps the last good state. Read ``view.loudness``
    (a :class:`producerkit.meters.Loudness`), ``view.report`` (the :class:`producerkit.master.QCReport`),
    ``view.verdict``, ``view.target``, ``view.playback_gain_db`` and ``view.timings``.
    ``view.playhead`` is the picture: A's and B's momentary, short-term and integrated loudness and
    the target line, under a cursor that follows the player (click it to jump there).

    Lesson: course/04-workflow.ipynb
    """

    def __init__(self, y, sr, target="spotify", label: str = "Your master"):
        from ..master import targets

        super().__init__()
        self._label = str(label)
        self._y: np.ndarray | None = None
        self._sr = 0
        self._reports: dict = {}
        self._findings: dict = {}  # this clip's QC findings that hold for every platform
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
        self.player = None
        self.playhead = None
        # There is no previous good state yet: invalid input raises here.
        self._apply(y=y, sr=sr, target=target)
        self._observe_control(self._dropdown, "target")
        self.children = [w.HBox([self._dropdown, self._summary]), self.playhead, self._qc_html,
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
            reports, findings = {}, {}
        else:
            y, sr, stats, reports, findings = self._y, self._sr, self._loudness, self._reports, self._findings
        with watch("qc"):
            report = reports.get(platform.key) or master.qc(
                y, sr, target=platform, measured=stats, rules=[_clip_rule(r, findings) for r in master.QC_RULES])
        gain = playback_gain_db(stats.integrated_lufs, stats.true_peak_dbtp, platform)

        # Everything is valid: commit.
        reports = dict(reports)
        reports[platform.key] = report
        old_gain = getattr(self, "_gain_db", None)
        self._y, self._sr, self._loudness, self._reports, self._findings = y, sr, stats, reports, findings
        self._target, self._gain_db = platform, gain
        with watch("player"):
            self._update_player(new_clip, gain != old_gain)
        with watch("view"):
            self._draw(new_clip)

    def _update_player(self, new_clip: bool, new_gain: bool) -> None:
        y2 = as_channels(self._y)
        b = (y2 * np.float32(10.0 ** (self._gain_db / 20.0))).astype(np.float32, copy=False)
        labels = (self._label, f"On {self._target.name}")
        # Both versions are measured already: A is the clip, B the clip turned by the playback gain
        # (loudness moves with the gain; only the -70 LUFS absolute gate could differ, by under 0.001 LU).
        lufs_a = self._loudness.integrated_lufs
        known = {"a": lufs_a, "b": lufs_a + self._gain_db}
        if self.player is None:
            self.player = ABPlayer(y2, b, self._sr, labels=labels, match_loudness=False)
        elif new_clip:
            self.player._update_measured(known, a=y2, b=b, sr=self._sr, labels=labels)
        elif new_gain:
            self.player._update_measured(known, b=b, labels=labels)
        else:
            self.player.update(labels=labels)

    def _draw(self, new_clip: bool) -> None:
        if self.playhead is None:
            self.playhead = Playhead(self.player, self._playhead_panels(), title=self._title())
        else:
            with self.playhead.hold_sync():
                self.playhead.set_panels(self._playhead_panels())
                self.playhead.title = self._title()
        self._summary.value = self._summary_html()
        self._qc_html.value = self._qc_table()
        self._set_controls({self._dropdown: self._target.key})

    def _title(self) -> str:
        return f"Loudness as you hear it · {self._target.name}: {self.verdict.upper()}"

    def _playhead_panels(self) -> list:
        """Momentary, short-term and integrated loudness of A (your master) and B (as the platform plays it).

        The target line is drawn for both; each version's lines show while you hear it (the
        other's go pale). B's integrated line is left out where it is the target line (the
        platform turned it to the target). Readings below the axis (silence) sit on its bottom edge.
        """
        stats, platform = self._loudness, self._target
        duration = self.player.duration
        span = [0.0, duration]
        target = f"{platform.name} target {platform.integrated_lufs:g} LUFS"
        traces = [series_trace([platform.integrated_lufs] * 2, target, times=span, duration=duration,
                               colour=_COLOR_TARGET, dash=True)]
        versions = (("a", self._label, 0.0, (_COLOR_MOMENTARY, _COLOR_SHORT_TERM, _COLOR_INTEGRATED)),
                    ("b", f"On {platform.name}", self._gain_db, _COLORS_B))
        for version, name, gain, colours in versions if stats.times_s.size else ():
            for what, values, colour in zip(("momentary", "short-term"),
                                            (stats.momentary_lufs, stats.short_term_lufs), colours[:2], strict=True):
                shown = np.where(values > SILENCE_DB, values + gain, _FLOOR)
                traces.append(series_trace(shown, f"{what} · {name}", times=stats.times_s, duration=duration,
                                           y_range=PLOT_RANGE_LUFS, version=version, colour=colour))
            level = stats.integrated_lufs + gain
            # B's integrated line is the target line wherever the platform brings it there: drawn once.
            if math.isfinite(level) and not (version == "b" and abs(level - platform.integrated_lufs) < 0.05):
                traces.append(series_trace([level] * 2, f"integrated {level:.1f} LUFS · {name}", times=span,
                                           duration=duration, y_range=PLOT_RANGE_LUFS, version=version,
                                           colour=colours[2]))
        return [TracePanel("loudness (LUFS)", PLOT_RANGE_LUFS, traces, height=240)]

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
            f'<span class="pk-loudness-max">max {_NAME_MOMENTARY} {_lufs(stats.momentary_max_lufs)} · '
            f"max {_NAME_SHORT_TERM} {_lufs(stats.short_term_max_lufs)}</span><br>"
            f'{html.escape(platform.name)} verdict: <b class="pk-loudness-verdict" style="color:{colour}">'
            f"{self.verdict.upper()}</b> · playback gain {self._gain_db:+.1f} dB</div>"
        )

    def _qc_table(self) -> str:
        return self.report.table_html()  # the one report renderer (producerkit.report)
