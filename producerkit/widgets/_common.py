"""Shared parts of the live explorers: input checks, debounced controls, the error line, layout.

Every explorer (``EQExplorer``, ``CompressorExplorer``, and any view built the same way) is an
``ipywidgets.VBox`` of controls, an error line, plotly ``FigureWidget`` plots and an
``ABPlayer``. :class:`Explorer` gives them the same behaviour:

* ``update(**params)`` recomputes synchronously and returns True; an invalid parameter
  (a :class:`~producerkit.errors.ProducerkitError`) shows its message in the error line,
  leaves the last good state in place, and returns False: it never raises for a bad value.
* Slider observers go through :class:`Debouncer`: while a slider is dragged, only the last
  value after a short pause (:data:`DEBOUNCE_S`) is computed, on the kernel's asyncio loop.
  Without a running loop (plain Python, tests) the update runs at once.
* A callback from a control never lets an exception escape (no traceback storms in the
  notebook): it lands in the error line.

Lesson: course/01-eq.ipynb
"""

from __future__ import annotations

import asyncio
import html
import logging
import time
from collections.abc import Callable
from pathlib import Path

import ipywidgets as widgets
import numpy as np

from ..audio import check_sr, ensure_audio
from ..errors import AudioError, ProducerkitError

_HERE = Path(__file__).parent


def widget_module(filename: str) -> str:
    """A widget's JavaScript module as anywidget gets it: ``_late_load.js`` first, then ``filename``.

    Every producerkit widget recovers the same way when its module loads after anywidget stopped waiting
    for it (see ``_late_load.js``); the code lives once and goes in front of each widget's own file.

    Lesson: not yet taught
    """
    return (_HERE / "_late_load.js").read_text(encoding="utf-8") + "\n" + (_HERE / filename).read_text(encoding="utf-8")


#: Longest clip an explorer takes, in seconds (each change reprocesses the whole clip).
MAX_SECONDS = 30.0

#: Pause after the last slider movement before the explorer recomputes, in seconds.
DEBOUNCE_S = 0.08

#: Width of one control column (a slider with its description and readout).
CONTROL_WIDTH = "300px"

#: Width of a control's description, wide enough for the longest label with its unit
#: ("threshold (dB)", "release (ms)") at JupyterLab's font size, so no label is cut off.
DESCRIPTION_WIDTH = "104px"

_log = logging.getLogger("producerkit.widgets")


def prepare_clip(y, sr, *, max_seconds: float = MAX_SECONDS) -> tuple[np.ndarray, int]:
    """Validate an explorer's input: float32 mono ``(n,)`` or ``(channels, n)``, and its rate.

    Accepts ``(n, channels)`` (soundfile's layout) and integer samples too. Clips longer than
    ``max_seconds`` are refused with a hint: every slider move reprocesses the whole clip.

    Raises:
        AudioError: invalid audio, or a clip longer than ``max_seconds``.
        ParameterError: an invalid sample rate.

    Lesson: course/01-eq.ipynb
    """
    y = ensure_audio(y, allow_transposed=True)
    sr = check_sr(sr)
    seconds = y.shape[-1] / sr
    if seconds > max_seconds:
        raise AudioError(
            f"the clip is {seconds:.1f} s long; an explorer takes at most {max_seconds:g} s, because "
            f"every slider move reprocesses the whole clip. Pass a short excerpt, for example the "
            f"first 10 s: y[..., : 10 * sr]."
        )
    return y, sr


class Debouncer:
    """Collect keyword changes and call ``callback(**changes)`` once they stop coming.

    ``debouncer(name=value)`` records a change and (re)starts a timer of ``delay`` seconds on
    the running asyncio loop (an IPython kernel runs one); when it fires, every change
    collected so far is passed in one call. With no running loop the call happens at once.
    ``callback`` should not raise; :func:`guarded` makes sure of that.
    """

    def __init__(self, callback: Callable[..., object], delay: float = DEBOUNCE_S) -> None:
        self.callback = callback
        self.delay = float(delay)
        self._pending: dict = {}
        self._handle: asyncio.TimerHandle | None = None

    def __call__(self, **changes) -> None:
        self._pending.update(changes)
        loop = _running_loop()
        if loop is None or self.delay <= 0:
            self.flush()
            return
        if self._handle is not None:
            self._handle.cancel()
        self._handle = loop.call_later(self.delay, self.flush)

    @property
    def pending(self) -> bool:
        """True while changes wait for the timer."""
        return bool(self._pending)

    def flush(self) -> None:
        """Run the callback now with the collected changes (nothing happens when there are none)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        changes, self._pending = self._pending, {}
        if changes:
            self.callback(**changes)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def guarded(show_error: Callable[[str], None], fn: Callable[..., object]) -> Callable[..., None]:
    """Wrap a control callback so no exception escapes: the message goes to ``show_error``.

    A :class:`ProducerkitError` shows its own message; anything else (a bug) shows its type
    and message and is logged with its traceback on the ``producerkit.widgets`` logger.
    """

    def run(*args, **kwargs) -> None:
        try:
            fn(*args, **kwargs)
        except ProducerkitError as exc:
            show_error(str(exc))
        except Exception as exc:  # noqa: BLE001 - a widget callback must never raise into the notebook
            _log.exception("explorer callback failed")
            show_error(f"Unexpected {type(exc).__name__}: {exc}. Please report it; the last good state is kept.")

    return run


def error_line() -> widgets.HTML:
    """The HTML line an explorer shows its last error in (empty when all is well)."""
    return widgets.HTML(value="", layout=widgets.Layout(min_height="0px", margin="2px 0"))


def error_html(message: str) -> str:
    """``message`` as red text for :func:`error_line` ("" stays "")."""
    if not message:
        return ""
    return f'<div class="pk-explorer-error" style="color:#b00020;font-weight:600">⚠ {html.escape(message)}</div>'


def column(children, title: str | None = None) -> widgets.VBox:
    """A column of controls with an optional bold title, :data:`CONTROL_WIDTH` wide."""
    items = [widgets.HTML(f"<b>{html.escape(title)}</b>")] if title else []
    return widgets.VBox(items + list(children), layout=widgets.Layout(width=CONTROL_WIDTH, margin="0 8px 4px 0"))


def row(children) -> widgets.HBox:
    """Columns side by side, wrapping onto the next line when the notebook is narrow."""
    return widgets.HBox(list(children), layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"))


_SLIDER_STYLE = {"description_width": DESCRIPTION_WIDTH}


def float_slider(
    description: str, value: float, lo: float, hi: float, step: float, fmt: str = ".1f"
) -> widgets.FloatSlider:
    """A linear slider (dB, mix) that reports while it is dragged (the explorer debounces)."""
    return widgets.FloatSlider(
        value=value, min=lo, max=hi, step=step, description=description, readout_format=fmt,
        continuous_update=True, style=_SLIDER_STYLE, layout=widgets.Layout(width=CONTROL_WIDTH),
    )


def log_grid(value: float, lo: float, hi: float, steps: int = 240) -> tuple[float, float, float]:
    """``(min, max, step)`` exponents (base 10) of a log slider whose steps land exactly on ``value``.

    A slider snaps to ``min + k * step``; with ``steps`` equal steps from ``lo`` a starting value
    of 500 Hz shows as 501, Q 1 as 0.99, 10 ms as 9.98. Here ``lo`` stays the bottom and the step
    (between 2/3 and 4/3 of the nominal one) is chosen so ``value`` falls on a step and the last
    step lands as close below ``hi`` as it can (20 kHz may end as 19.7 kHz, a ratio of 20 as 19.999).
    When no such step ends within half a step of ``hi`` (a ``value`` just above ``lo``), the
    slider starts at ``value`` instead.
    """
    lo_exp, hi_exp = float(np.log10(lo)), float(np.log10(hi))
    value_exp = float(np.log10(np.clip(value, lo, hi)))
    best = None
    for n in range(steps * 3 // 4, steps * 3 // 2 + 1):
        below = np.ceil(n * (value_exp - lo_exp) / (hi_exp - lo_exp) - 1e-9)
        if below < 1:
            continue
        step = (value_exp - lo_exp) / below
        gap = (hi_exp - lo_exp - n * step) / step  # in steps, >= 0
        if best is None or gap < best[0]:
            best = (gap, lo_exp + n * step, step)
    if best is None or best[0] > 0.5:
        return value_exp, hi_exp, (hi_exp - value_exp) / steps if hi_exp > value_exp else 1.0
    return lo_exp, float(best[1]), float(best[2])


def log_slider(
    description: str, value: float, lo: float, hi: float, fmt: str = ".3g", steps: int = 240
) -> widgets.FloatLogSlider:
    """A logarithmic slider (Hz, ms, Q, ratio): equal steps per octave, the way we hear them.

    Its steps land on ``value`` (see :func:`log_grid`), so it starts showing exactly what was asked;
    :meth:`Explorer._set_controls` moves the grid again when code sets a value between two steps.
    """
    lo_exp, hi_exp, step = log_grid(value, lo, hi, steps)
    slider = widgets.FloatLogSlider(
        value=float(np.clip(value, lo, hi)), base=10, min=lo_exp, max=hi_exp, step=step,
        description=description, readout_format=fmt, continuous_update=True, style=_SLIDER_STYLE,
        layout=widgets.Layout(width=CONTROL_WIDTH),
    )
    slider._pk_grid = (float(lo), float(hi), int(steps))
    return slider


def on_log_grid(control: widgets.FloatLogSlider, value: float) -> bool:
    """True when ``value`` is one of ``control``'s steps (so the page shows it as it is)."""
    k = (np.log10(value) - control.min) / control.step
    return abs(k - round(k)) < 1e-6


def regrid_log_slider(control: widgets.FloatLogSlider, value: float) -> None:
    """Move a :func:`log_slider`'s grid so ``value`` is one of its steps, then set it."""
    lo, hi, steps = control._pk_grid
    lo_exp, hi_exp, step = log_grid(value, lo, hi, steps)
    with control.hold_sync():
        # widen first, so no intermediate min/max clips the value
        control.max = max(control.max, hi_exp)
        control.min = min(control.min, lo_exp)
        control.step = step
        control.value = float(value)
        control.min, control.max = lo_exp, hi_exp


class Explorer(widgets.VBox):
    """Base of the explorers: ``update(**params)``, the error line, debounced controls, timings.

    A subclass implements ``_apply(**params)``: validate everything first (raising
    :class:`ProducerkitError` for a bad value), then assign, so a failure changes nothing.
    It may fill ``self.timings`` with the milliseconds each stage took.

    Lesson: course/01-eq.ipynb
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._error_line = error_line()
        self._error = ""
        #: Milliseconds the last successful update spent per stage (``"total"`` included).
        self.timings: dict[str, float] = {}
        #: True while the explorer moves its own controls (their observers must not fire updates).
        self._syncing = False
        #: The value the explorer last gave each control (by model id), to recognise the page's rounding.
        self._code_values: dict[str, object] = {}
        #: Log sliders whose value was set again after the page snapped it to its old grid (once per value).
        self._set_again: set[str] = set()
        self._debouncer = Debouncer(guarded(self._show_error, self._from_controls))

    # -- public

    @property
    def error(self) -> str:
        """The last error message shown in the widget; "" when the last update succeeded."""
        return self._error

    def update(self, **params) -> bool:
        """Recompute with new parameters, synchronously; True on success.

        An invalid value shows its message in the widget (``self.error``), leaves everything as
        it was, and returns False instead of raising.
        """
        start = time.perf_counter()
        try:
            self._apply(**params)
        except ProducerkitError as exc:
            self._show_error(str(exc))
            return False
        self._show_error("")
        self.timings["total"] = (time.perf_counter() - start) * 1000.0
        return True

    def flush(self) -> None:
        """Apply slider moves still waiting for the debounce timer, now."""
        self._debouncer.flush()

    # -- for subclasses

    def _apply(self, **params) -> None:
        raise NotImplementedError

    def _from_controls(self, **changes) -> None:
        """Apply control changes collected by the debouncer (``name=value``); default: ``update``."""
        self.update(**changes)

    def _observe_control(self, control: widgets.Widget, key: str) -> None:
        """Send ``control``'s new values, debounced, to ``_from_controls(key=value)``.

        A value the page sends back that is only the slider's rounding of a value the
        explorer set itself (a slider snaps to its steps) is not a change and is ignored. A log
        slider whose grid moved to take that value may first snap it to a step of its old grid
        (one step off): the value is set again, now on the page's new grid, once.
        """
        self._code_values[control.model_id] = control.value

        def changed(change) -> None:
            set_value = self._code_values.get(control.model_id)
            if self._syncing or _snapped(control, set_value, change["new"]):
                return
            if (isinstance(control, widgets.FloatLogSlider) and control.model_id not in self._set_again
                    and _snapped(control, set_value, change["new"], steps=1.0)):
                self._set_again.add(control.model_id)
                self._set_controls({control: set_value})
                return
            self._code_values.pop(control.model_id, None)
            self._set_again.discard(control.model_id)
            self._debouncer(**{key: change["new"]})

        control.observe(guarded(self._show_error, changed), names="value")

    def _set_controls(self, values: dict) -> None:
        """Move controls to ``{control: value}`` without triggering updates."""
        self._syncing = True
        try:
            for control, value in values.items():
                if self._code_values.get(control.model_id) != value:
                    self._set_again.discard(control.model_id)
                self._code_values[control.model_id] = value
                if (isinstance(control, widgets.FloatLogSlider) and hasattr(control, "_pk_grid")
                        and value > 0 and not on_log_grid(control, value)):
                    regrid_log_slider(control, value)  # a value between two steps: show it as it is
                elif control.value != value:
                    control.value = value
        finally:
            self._syncing = False

    def _show_error(self, message: str) -> None:
        self._error = message
        value = error_html(message)
        if self._error_line.value != value:
            self._error_line.value = value

    def _repr_keys(self):  # keep the repr short: the children hold large arrays
        return iter(())


def _snapped(control, set_value, new_value, steps: float = 0.5) -> bool:
    """True when ``new_value`` is ``set_value`` rounded to ``control``'s slider step (within ``steps`` of them)."""
    step = getattr(control, "step", None)
    if set_value is None or step is None or isinstance(new_value, bool) or isinstance(set_value, bool):
        return False
    try:
        if isinstance(control, widgets.FloatLogSlider):
            if set_value <= 0 or new_value <= 0:
                return False
            return abs(np.log10(new_value) - np.log10(set_value)) <= (steps + 0.001) * step
        return abs(float(new_value) - float(set_value)) <= (steps + 0.001) * step
    except (TypeError, ValueError):
        return False


class Stopwatch:
    """Time stages into a dict: ``with watch("encode"): ...`` adds milliseconds under "encode"."""

    def __init__(self, into: dict[str, float]) -> None:
        self.into = into
        into.clear()

    def __call__(self, stage: str):
        return _Stage(self.into, stage)


class _Stage:
    def __init__(self, into: dict[str, float], stage: str) -> None:
        self.into, self.stage = into, stage

    def __enter__(self):
        self.start = time.perf_counter()

    def __exit__(self, *exc) -> None:
        self.into[self.stage] = self.into.get(self.stage, 0.0) + (time.perf_counter() - self.start) * 1000.0


def figure_output(fig, layout: dict | None = None) -> dict:
    """A plotly figure as one display output of an Output widget, its arrays as plain lists.

    An explorer shows its plotly plot this way, sent whole on each change, rather than as a
    FigureWidget: a FigureWidget sends its data in messages after its model opens, which anywidget
    drops when the page loads the plot's ~5 MB code late, and the plot then stays empty. Plain
    lists, not plotly's base64 typed arrays: plotly.js keeps ``gd.data`` as it was given, and a
    typed array there is ``{dtype, bdata}``, not numbers the page (or a test) can read. Built from
    each part's ``to_plotly_json()``, not
    ``fig.to_dict()``, which deep-copies the figure (ten times slower). A plot whose layout does not
    change passes ``layout``, from :func:`figure_layout` once, as the layout's copy (its template
    alone is a few thousand objects to copy on each change).
    """
    from .._display import MIME

    data = {"data": [_plain(trace.to_plotly_json()) for trace in fig.data],
            "layout": figure_layout(fig) if layout is None else layout}
    return {"output_type": "display_data", "data": {MIME: data, "text/plain": fig.layout.title.text or "figure"},
            "metadata": {}}


def figure_layout(fig) -> dict:
    """``fig``'s layout as :func:`figure_output` sends it."""
    return _plain(fig.layout.to_plotly_json())


def _plain(node):
    """Plotly's JSON with NumPy arrays as lists and NumPy scalars as numbers."""
    if isinstance(node, dict):
        return {key: _plain(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [_plain(value) for value in node]
    if isinstance(node, np.ndarray):
        return node.tolist()
    if isinstance(node, np.generic):
        return node.item()
    return node
