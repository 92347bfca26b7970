"""CompressorExplorer: turn a compressor's knobs and see and hear what they do to a clip.

Lesson: course/02-compression.ipynb
"""

from __future__ import annotations

import dataclasses

import ipywidgets as widgets
import numpy as np

from .. import dynamics, plots
from .._display import MIME
from ..audio import as_channels
from ..dynamics import Compressor
from ..errors import ParameterError
from ._common import Explorer, Stopwatch, column, figure_output, float_slider, log_slider, prepare_clip, row
from .abplayer import ABPlayer
from .playhead import Playhead, TracePanel, envelope_trace, series_trace

_FIELDS = tuple(f.name for f in dataclasses.fields(Compressor))
#: Input levels (dBFS) at which the transfer curve is drawn.
CURVE_LEVELS = np.linspace(-60.0, 0.0, 241)
#: Size of the transfer-curve plot in CSS pixels.
CURVE_WIDTH, CURVE_HEIGHT = 560, 400


class CompressorExplorer(Explorer):
    """Turn a compressor's knobs and see the curve, the waveforms and the gain reduction; hear A/B.

    Sliders: threshold (dB), ratio, knee (dB), attack (ms), release (ms), makeup (dB) and
    mix (0 dry to 1 fully compressed). Under them, one picture of the clip over time: the input
    and output waveforms with the gain reduction underneath, and a cursor that follows the player
    as you listen (click the picture to jump there, drag across it to loop). Below the player,
    the static transfer curve over the clip's level distribution (how much of the time the clip
    spends at each level, so you see how much of it sits above the threshold). The player
    switches between the dry clip and the compressed one, loudness-matched: makeup gain would
    otherwise make the compressed version sound "better" just for being louder.

    Args:
        y: the clip: mono ``(n,)``, ``(channels, n)`` or ``(n, channels)``; at most 30 s.
        sr: its sample rate in Hz.
        compressor: the compressor to start from (default ``Compressor()``: -18 dB, 4:1).

    Change it from code with :meth:`update`, e.g. ``explorer.update(threshold_db=-24, ratio=6)``
    (any :class:`~producerkit.dynamics.Compressor` parameter). ``explorer.processed`` is the
    compressed audio, ``explorer.gain_reduction_db`` its trace, ``explorer.compressor`` the
    current compressor, ``explorer.error`` the last error message, ``explorer.figure`` the
    transfer-curve plot (a plotly Figure), ``explorer.playhead`` the picture of the waveforms and
    the gain reduction, ``explorer.player`` the A/B player, and ``explorer.waveform_figure`` a
    plotly figure of the same waveforms and gain reduction, made when you ask for it (to keep or
    export).

    Lesson: course/02-compression.ipynb
    """

    def __init__(self, y, sr: int, compressor: Compressor | None = None) -> None:
        super().__init__()
        self.add_class("pk-compressor-explorer")
        self._y, self._sr = prepare_clip(y, sr)
        comp = Compressor() if compressor is None else compressor
        if not isinstance(comp, Compressor):
            raise ParameterError(f"compressor must be a Compressor such as Compressor(ratio=4) (got {comp!r}).")
        self._comp = dataclasses.replace(comp)
        self._input_peak: float | None = None
        self._stages: dict = {}  # what _process computed last, by the parameters each stage depends on
        self._processed, self._gr = self._process(self._comp)

        # The transfer curve is a plain plotly Figure, sent whole to an Output widget on each change:
        # a FigureWidget sends its data in messages after its model opens, which anywidget (0.11)
        # drops when the page takes over 2 s to load the plot's code (a busy page), leaving it empty.
        self._figure = plots.transfer_curve_figure(comp, self._y, self._sr,
                                                   title="Transfer curve over the clip's levels")
        self._figure.update_layout(width=CURVE_WIDTH, height=CURVE_HEIGHT)
        self._curve_trace = len(self._figure.data) - 1
        self._threshold_marks: tuple | None = None
        self._figure_comp = None  # the compressor self._figure draws (brought up to date when asked for)
        self._draw_on_figure(self._comp)
        # The figure as sent to the page, once: a change patches the curve and the threshold into a copy
        # of it rather than going through plotly's figure (validation, a copy of the layout's template).
        self._curve_output = figure_output(self._figure)
        self._curve_out = widgets.Output(layout=widgets.Layout(width=f"{CURVE_WIDTH + 10}px"))
        self._curve_out.add_class("pk-comp-curve")
        self._curve_out.outputs = (self._curve_output,)

        self.player = ABPlayer(self._y, self._processed, self._sr, labels=("Dry", "Compressed"), match_loudness=True)
        self._input_envelope = envelope_trace(self._y, self._sr, "input (Dry)", version="a", colour=plots.COLOR_A)
        self.playhead = Playhead(self.player, self._playhead_panels(self._processed, self._gr),
                                 title="The waveforms and the gain reduction as you hear them")

        makeup = comp.makeup_gain_db
        self._controls = {
            "threshold_db": float_slider("threshold (dB)", comp.threshold_db, -60.0, 0.0, 0.5),
            "ratio": log_slider("ratio (:1)", comp.ratio, 1.0, 20.0, fmt=".2f"),
            "knee_db": float_slider("knee (dB)", comp.knee_db, 0.0, 24.0, 0.5),
            "attack_ms": log_slider("attack (ms)", max(comp.attack_ms, 0.1), 0.1, 300.0, fmt=".3g"),
            "release_ms": log_slider("release (ms)", max(comp.release_ms, 5.0), 5.0, 3000.0, fmt=".3g"),
            "makeup_db": float_slider("makeup (dB)", makeup, -12.0, 24.0, 0.5),
            "mix": float_slider("mix (wet)", comp.mix, 0.0, 1.0, 0.01, fmt=".2f"),
        }
        for name, control in self._controls.items():
            control.add_class(f"pk-comp-{name.split('_')[0]}")
            self._observe_control(control, name)
        names = list(self._controls)
        controls = row([
            column([self._controls[n] for n in names[:3]], title="Curve"),
            column([self._controls[n] for n in names[3:5]], title="Timing"),
            column([self._controls[n] for n in names[5:]], title="Output"),
        ])
        self.children = [controls, self._error_line, self.playhead, self.player, self._curve_out]

    # ------------------------------------------------------------------ public

    @property
    def processed(self) -> np.ndarray:
        """The compressed clip (float32, in the input's layout; ``(n, channels)`` comes back as ``(channels, n)``)."""
        return self._processed

    @property
    def figure(self):
        """The transfer-curve plot (a plotly Figure) of the current compressor, as the page shows it."""
        if self._figure_comp != self._comp:
            self._draw_on_figure(self._comp)
        return self._figure

    @property
    def gain_reduction_db(self) -> np.ndarray:
        """The gain-reduction trace in dB (>= 0), one value per sample (see ``Compressor.process``)."""
        return self._gr

    @property
    def waveform_figure(self):
        """The input and output waveforms with the gain reduction, as a plotly Figure (made on each call).

        Lesson: not yet taught
        """
        return plots.gain_reduction_figure(self._y, self._processed, self._gr, self._sr)

    @property
    def compressor(self) -> Compressor:
        """The current compressor (a copy: change it through :meth:`update`)."""
        return dataclasses.replace(self._comp)

    @property
    def sr(self) -> int:
        """The clip's sample rate in Hz."""
        return self._sr

    def update(self, **params) -> bool:
        """Change compressor parameters and recompute synchronously; True on success.

        Takes any :class:`~producerkit.dynamics.Compressor` parameter: ``threshold_db``,
        ``ratio``, ``knee_db``, ``attack_ms``, ``release_ms``, ``makeup_db`` (dB or
        ``"auto"``), ``mix``, ``detector``, ``stereo_link``, ``lookahead_ms``,
        ``sidechain_highpass_hz``, ``rms_ms``. An invalid value (``ratio=0.5``) shows its message in
        the widget (``explorer.error``), keeps the last good state, and returns False.

        Lesson: not yet taught
        """
        return super().update(**params)

    # ------------------------------------------------------------------ internals

    def _apply(self, **params) -> None:
        watch = Stopwatch(self.timings)
        with watch("validate"):
            unknown = sorted(set(params) - set(_FIELDS))
            if unknown:
                raise ParameterError(
                    f"the compressor has no parameter {', '.join(map(repr, unknown))}; "
                    f"it takes {', '.join(_FIELDS)}."
                )
            comp = dataclasses.replace(self._comp, **params)  # validates (ParameterError)
        if comp == self._comp:
            return
        with watch("process"):
            processed, gr = self._process(comp)
        with watch("plots"):
            self._send_curve(comp)
            panels = self._playhead_panels(processed, gr)
        with watch("audio"):
            self.player.set_audio(b=processed)
            self.playhead.set_panels(panels)
        self._comp, self._processed, self._gr = comp, processed, gr
        with watch("controls"):
            self._set_controls({
                self._controls[name]: float(np.clip(value, 10 ** c.min, 10 ** c.max) if isinstance(
                    c, widgets.FloatLogSlider) else np.clip(value, c.min, c.max))
                for name, c in self._controls.items()
                for value in [comp.makeup_gain_db if name == "makeup_db" else getattr(comp, name)]
            })

    def _playhead_panels(self, processed: np.ndarray, gr: np.ndarray) -> list:
        """What the playhead draws: input (A) and output (B) envelopes, and B's gain reduction."""
        gr_mono = self._gr_mono(gr)
        deepest = float(gr_mono.max()) if gr_mono.size else 0.0
        floor = -max(6.0, float(np.ceil(deepest * 1.1)))
        if self._input_peak is None:  # the clip never changes: its peak once
            self._input_peak = _peak(self._y)
        peak = max(1.0, self._input_peak, _peak(processed))
        return [
            TracePanel("waveform (amplitude, full scale = 1)", (-peak, peak), [
                self._input_envelope,
                envelope_trace(processed, self._sr, "output (Compressed)", version="b", colour=plots.COLOR_B),
            ], height=150),
            TracePanel("gain reduction (dB)", (floor, 0.5), [
                series_trace(-gr_mono, "gain reduction (Compressed)", sr=self._sr, version="b", colour=plots.COLOR_GR,
                             style="line"),
            ], height=110),
        ]

    def _process(self, comp: Compressor) -> tuple[np.ndarray, np.ndarray]:
        """``comp.process(clip)``'s audio and gain reduction, the same numbers, reusing the stages a change leaves.

        The compressor's stages in :meth:`Compressor.process`'s order: the detector's level (which
        no curve or timing knob changes), the gain computer's target reduction (threshold, ratio,
        knee), the smoothed reduction (attack, release, lookahead), then makeup and mix. A drag
        recomputes only its stage and the ones after it.
        """
        sr, x = self._sr, as_channels(self._y)
        linked = bool(comp.stereo_link) or x.shape[0] == 1
        stages = self._stages
        key = (comp.detector, comp.rms_ms, comp.sidechain_highpass_hz, linked)
        if stages.get("level", (None,))[0] != key:
            stages = {"level": (key, comp._detector_level_db(x, sr)[0])}
        key = (key, comp.threshold_db, comp.ratio, comp.knee_db)
        if stages.get("target", (None,))[0] != key:
            stages = {"level": stages["level"], "target": (key, comp._static_reduction(stages["level"][1]))}
        key = (key, comp.attack_ms, comp.release_ms, comp.lookahead_ms)
        if stages.get("gr", (None,))[0] != key:
            stages = {**stages, "gr": (key, comp._smoothed_reduction(stages["target"][1], sr))}
        gr = stages["gr"][1]
        out = dynamics._apply(x, gr, comp.makeup_gain_db, float(comp.mix))
        self._stages = stages
        result = dynamics._result(out, gr, self._y, linked)
        return result.audio, result.gain_reduction_db

    def _send_curve(self, comp: Compressor) -> None:
        """Send the transfer-curve plot with ``comp``'s curve and threshold to the page.

        The same output :func:`figure_output` makes of :attr:`figure` drawn for ``comp``: the curve's
        y values and the threshold line's and label's x replaced in the copy made once.
        """
        thr = comp.threshold_db
        sent = self._curve_output["data"][MIME]
        data = list(sent["data"])
        data[self._curve_trace] = {**data[self._curve_trace], "y": comp.curve(CURVE_LEVELS).tolist()}
        layout = dict(sent["layout"])
        if layout.get("shapes"):
            layout["shapes"] = [{**layout["shapes"][0], "x0": thr, "x1": thr}, *layout["shapes"][1:]]
        if layout.get("annotations"):
            layout["annotations"] = [{**layout["annotations"][0], "x": thr}, *layout["annotations"][1:]]
        output = {**self._curve_output, "data": {**self._curve_output["data"], MIME: {"data": data, "layout": layout}}}
        self._curve_out.outputs = (output,)

    def _draw_on_figure(self, comp: Compressor) -> None:
        """Draw ``comp``'s curve and threshold on the transfer-curve figure (:attr:`figure`)."""
        fig = self._figure
        with fig.batch_update():
            fig.data[self._curve_trace].x = CURVE_LEVELS
            fig.data[self._curve_trace].y = comp.curve(CURVE_LEVELS)
            if self._threshold_marks is None:  # the threshold line and its label, found once
                self._threshold_marks = (fig.layout.shapes[:1], fig.layout.annotations[:1])
            shapes, labels = self._threshold_marks
            for shape in shapes:
                shape.update(x0=comp.threshold_db, x1=comp.threshold_db)
            for label in labels:
                label.update(x=comp.threshold_db)
        self._figure_comp = dataclasses.replace(comp)

    @staticmethod
    def _gr_mono(gr: np.ndarray) -> np.ndarray:
        """One trace to draw: the largest reduction over channels when each channel has its own."""
        return gr if gr.ndim == 1 else gr.max(axis=0)


def _peak(y: np.ndarray) -> float:
    """``float(np.abs(y).max())`` (0 when empty) without a temporary the size of the audio."""
    return max(float(y.max()), -float(y.min())) if y.size else 0.0
