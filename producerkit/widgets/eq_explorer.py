"""EQExplorer: turn EQ knobs and see and hear what they do to a clip.

Lesson: course/01-eq.ipynb
"""

from __future__ import annotations

import math
from dataclasses import fields

import ipywidgets as widgets
import numpy as np

from .. import eq as eqmod
from .. import plots
from .._validate import whole
from ..audio import as_channels, like_input
from ..errors import ParameterError
from ._common import (
    CONTROL_WIDTH,
    DESCRIPTION_WIDTH,
    Explorer,
    Stopwatch,
    column,
    figure_layout,
    figure_output,
    float_slider,
    log_slider,
    prepare_clip,
    row,
)
from .abplayer import ABPlayer

#: The band types a band's "type" menu offers, by name.
KINDS = {cls.__name__: cls for cls in eqmod.BAND_TYPES}
_GAIN_KINDS = frozenset({"LowShelf", "HighShelf", "Peak"})
_PASS_KINDS = frozenset({"HighPass", "LowPass"})
_BAND_PARAMS = ("kind", "freq", "gain_db", "q", "bypass", "order", "design")

FREQ_RANGE = (20.0, 20000.0)
GAIN_RANGE = (-24.0, 24.0)
SLIDER_Q_RANGE = (0.1, 20.0)
#: Width of the explorer's plot in pixels, about the A/B player's width in a JupyterLab notebook.
FIGURE_WIDTH = 880


def default_bands() -> list:
    """A starting EQ for any clip: every band flat (or out of the way), ready to be turned.

    Lesson: not yet taught
    """
    return [
        eqmod.HighPass(30.0),
        eqmod.LowShelf(120.0),
        eqmod.Peak(500.0, q=1.0),
        eqmod.Peak(3000.0, q=1.0),
        eqmod.HighShelf(8000.0),
    ]


def make_band(kind: str, freq: float, gain_db: float = 0.0, q: float | None = None, bypass: bool = False,
              order: int = 2, design: str = "matched"):
    """Build a band from its type name and settings; settings a type does not have are ignored.

    ``q=None`` takes the type's default Q. Pass filters of ``order`` above 2 are Butterworth
    cascades, so their Q is fixed.

    Lesson: not yet taught
    """
    cls = KINDS.get(kind)
    if cls is None:
        raise ParameterError(f"kind must be one of {', '.join(KINDS)} (got {kind!r}).")
    params = {"freq": freq, "bypass": bypass, "design": design}
    if kind in _GAIN_KINDS:
        params["gain_db"] = gain_db
    if kind in _PASS_KINDS:
        params["order"] = order
        if order != 2:
            q = None
    if q is not None:
        params["q"] = q
    return cls(**params)


def band_settings(band) -> dict:
    """A band's settings as ``make_band`` keywords (``kind``, ``freq``, ``gain_db``, ``q``, ...).

    Lesson: not yet taught
    """
    out = {f.name: getattr(band, f.name) for f in fields(band)}
    out["kind"] = type(band).__name__
    out.setdefault("gain_db", 0.0)
    out.setdefault("order", 2)
    return out


def _equals(value, number) -> bool:
    """``value == number`` for anything a student may type (an array or a dict is simply not equal)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value == number


class _BandControls:
    """The controls of one band: type, frequency (Hz, log), gain (dB), Q (log) and bypass."""

    def __init__(self, index: int, band, nyquist: float) -> None:
        s = band_settings(band)
        fmax = min(FREQ_RANGE[1], 0.45 * 2 * nyquist)
        self.kind = widgets.Dropdown(options=list(KINDS), value=s["kind"], description="type",
                                     style={"description_width": DESCRIPTION_WIDTH},
                                     layout=widgets.Layout(width=CONTROL_WIDTH))
        self.freq = log_slider("freq (Hz)", s["freq"], FREQ_RANGE[0], fmax, fmt=".0f")
        self.gain_db = float_slider("gain (dB)", s["gain_db"], *GAIN_RANGE, step=0.5)
        self.q = log_slider("Q", s["q"], *SLIDER_Q_RANGE, fmt=".2f")
        self.bypass = widgets.Checkbox(value=s["bypass"], description="bypass", indent=False)
        for name in ("kind", "freq", "gain_db", "q", "bypass"):
            getattr(self, name).add_class(f"pk-band{index}-{name.replace('_db', '')}")
        self.box = column([self.kind, self.freq, self.gain_db, self.q, self.bypass], title=f"Band {index + 1}")
        self.enable_for(band)

    def controls(self) -> dict:
        return {"kind": self.kind, "freq": self.freq, "gain_db": self.gain_db, "q": self.q, "bypass": self.bypass}

    def enable_for(self, band) -> None:
        s = band_settings(band)
        self.gain_db.disabled = s["kind"] not in _GAIN_KINDS
        self.q.disabled = s["kind"] in _PASS_KINDS and s["order"] != 2

    def values_for(self, band) -> dict:
        """``{control: value}`` showing ``band`` (slider values clipped to the slider range)."""
        s = band_settings(band)
        return {
            self.kind: s["kind"],
            self.freq: float(np.clip(s["freq"], 10**self.freq.min, 10**self.freq.max)),
            self.gain_db: float(np.clip(s["gain_db"], *GAIN_RANGE)),
            self.q: float(np.clip(s["q"], *SLIDER_Q_RANGE)),
            self.bypass: bool(s["bypass"]),
        }


class EQExplorer(Explorer):
    """Turn EQ bands and see the curve over the clip's spectrum, and hear dry against EQ'd.

    Per band: type, frequency (Hz, log slider), gain (dB), Q and bypass. The plot shows the
    EQ curve (right axis) over the clip's average spectrum before and after; the player
    below switches between the dry clip and the EQ'd one, loudness-matched, so you judge the
    tone rather than the level.

    Args:
        y: the clip: mono ``(n,)``, ``(channels, n)`` or ``(n, channels)``; at most 30 s
            (every change reprocesses the whole clip; the course uses clips of 15 s or less).
        sr: its sample rate in Hz.
        bands: the bands to start from (band objects from ``producerkit.eq``, or an ``EQ``);
            default :func:`default_bands`, five flat bands.
        title: the plot's title, e.g. "A bell on the muddy keys" (default "EQ curve over the spectrum").

    Change it from code with :meth:`update`, e.g. ``explorer.update(band=2, gain_db=-4, q=2)``.
    ``explorer.processed`` is the EQ'd audio, ``explorer.eq`` the current ``EQ`` chain,
    ``explorer.error`` the last error message, ``explorer.figure`` the plot and
    ``explorer.player`` the A/B player.

    When one band changes, only that band is run over a cached copy of the clip filtered by
    all the others (EQ bands are linear and time-invariant, so their order does not matter);
    when another band changes than last time, one pass through all the bands also leaves the
    new cached copy behind. Each band's sections and responses are kept by its settings, and
    the "after" spectrum is the "before" spectrum times the EQ's response: dragging a slider
    stays fast on a 10 s stereo clip.

    Lesson: course/01-eq.ipynb
    """

    def __init__(self, y, sr: int, bands=None, title: str = "EQ curve over the spectrum") -> None:
        super().__init__()
        self.add_class("pk-eq-explorer")
        self._y, self._sr = prepare_clip(y, sr)
        self._x = as_channels(self._y)
        bands = default_bands() if bands is None else list(eqmod.EQ(list(bands)).bands)
        if not bands:
            raise ParameterError("EQExplorer needs at least one band, such as bands=[Peak(1000)].")
        chain = eqmod.EQ(bands)
        chain.sos(self._sr)  # every band must work at this sample rate
        self._eq = chain
        self._freqs = eqmod.log_freqs()
        self._spectrum = plots.SmoothedSpectrum(self._y, self._sr, self._freqs)
        self._band_cache: dict = {}  # band settings -> (sections, dB at _freqs, dB at the spectrum's bins)
        self._others: tuple | None = None  # (band index, the other bands, the clip filtered by them)
        self._processed = self._run(chain.bands, changed=None)

        go = plots._go()
        if not isinstance(title, str):
            raise ParameterError(f"title must be text, such as title='A bell on the keys' (got {title!r}).")
        fig = plots.eq_figure(chain, self._sr, title=title)
        fig.data = ()
        fig.add_trace(go.Scatter(x=self._freqs, y=self._spectrum.db(), name="before (dry)",
                                 line=dict(color=plots.COLOR_A, width=1)), secondary_y=False)
        fig.add_trace(go.Scatter(x=self._freqs, y=self._after_db(chain), name="after (EQ)",
                                 line=dict(color=plots.COLOR_B, width=1)), secondary_y=False)
        fig.add_trace(go.Scatter(x=self._freqs, y=chain.response(self._freqs, self._sr), name="EQ curve",
                                 line=dict(color=plots.COLOR_CURVE, width=3)), secondary_y=True)
        fig.update_yaxes(tickmode="linear", tick0=0, dtick=6, secondary_y=True)
        # As wide as the player. A plain Figure, sent whole to an Output widget on each change: a
        # FigureWidget's data travel in messages anywidget drops when the page loads its code late.
        fig.layout.width = FIGURE_WIDTH
        self.figure = fig
        self._figure_out = widgets.Output(layout=widgets.Layout(width="100%"))
        self._figure_out.add_class("pk-eq-figure")
        self._figure_layout = figure_layout(fig)  # the layout never changes: converted once
        self._figure_out.outputs = (figure_output(fig, self._figure_layout),)
        self.player = ABPlayer(self._y, self._processed, self._sr, labels=("Dry", "EQ"), match_loudness=True)

        self._band_controls: list[_BandControls] = []
        self._controls_box = row([])
        self._build_controls()
        self.children = [self._controls_box, self._error_line, self._figure_out, self.player]

    # ------------------------------------------------------------------ public

    @property
    def processed(self) -> np.ndarray:
        """The EQ'd clip (float32, in the input's layout; ``(n, channels)`` input comes back as ``(channels, n)``)."""
        return self._processed

    @property
    def eq(self) -> eqmod.EQ:
        """The current EQ chain (a copy: change it through :meth:`update`)."""
        return eqmod.EQ([_copy_band(b) for b in self._eq.bands])

    @property
    def sr(self) -> int:
        """The clip's sample rate in Hz."""
        return self._sr

    def update(self, band: int | None = None, *, bands=None, **band_params) -> bool:
        """Change one band, or replace them all; recompute synchronously. True on success.

        * One band: ``update(band=0, kind="Peak", freq=250, gain_db=-4, q=1.5, bypass=False)``;
          any subset of ``kind`` (a type name such as ``"LowShelf"``), ``freq`` (Hz),
          ``gain_db``, ``q``, ``bypass``, ``order`` (pass filters) and ``design``. Bands are
          numbered from 0. Changing ``kind`` keeps the frequency, gain and Q.
        * All bands: ``update(bands=[HighPass(80), Peak(3000, gain_db=-3)])``: band objects, or
          dicts of the keywords above, e.g. ``{"kind": "Peak", "freq": 3000, "gain_db": -3}``.
          The controls are rebuilt when the number of bands changes.

        An invalid value (``q=0``, a frequency above Nyquist, an unknown band) shows its message
        in the widget (``explorer.error``), keeps the last good EQ, and returns False.

        Lesson: course/01-eq.ipynb
        """
        params = dict(band_params)
        if band is not None:
            params["band"] = band
        if bands is not None:
            params["bands"] = bands
        return super().update(**params)

    # ------------------------------------------------------------------ internals

    def _apply(self, **params) -> None:
        watch = Stopwatch(self.timings)
        with watch("validate"):
            new_bands = self._new_bands(params)
            chain = eqmod.EQ(new_bands)
            sos = self._sos(chain.active())  # checks every frequency against Nyquist
            if not np.all(np.isfinite(sos)):
                raise ParameterError("these settings give an unstable filter; try a lower Q or gain.")
        old = self._eq.bands
        changed = [i for i in range(len(new_bands)) if i >= len(old) or new_bands[i] != old[i]]
        if len(new_bands) != len(old) or len(changed) != 1:
            changed_one = None
        else:
            changed_one = changed[0]
        if len(new_bands) == len(old) and not changed:
            return
        with watch("process"):
            processed = self._run(new_bands, changed_one)
        with watch("plots"):
            curve = self._response(chain, 1)
            after = self._after_db(chain)
            self.figure.data[1].y = after
            self.figure.data[2].y = curve
            self._figure_out.outputs = (figure_output(self.figure, self._figure_layout),)
        with watch("audio"):
            self.player.set_audio(b=processed)
        self._eq, self._processed = chain, processed
        with watch("controls"):
            if len(new_bands) != len(old):
                self._build_controls()
            else:
                self._show_bands()

    def _new_bands(self, params: dict) -> list:
        bands = [_copy_band(b) for b in self._eq.bands]
        if "bands" in params:
            extra = sorted(set(params) - {"bands"})
            if extra:
                raise ParameterError(
                    f"pass either bands=[...] or band=i with its settings, not both (got {', '.join(extra)})."
                )
            given = params["bands"]
            if isinstance(given, eqmod.EQ):
                given = given.bands
            if isinstance(given, eqmod.Band | dict) or not hasattr(given, "__iter__"):
                raise ParameterError("bands must be a list of bands, such as bands=[HighPass(80), Peak(3000)].")
            out = []
            for i, b in enumerate(given):
                if isinstance(b, dict):
                    unknown = sorted(set(b) - set(_BAND_PARAMS))
                    if unknown or "kind" not in b or "freq" not in b:
                        raise ParameterError(
                            f"band {i} as a dict needs 'kind' and 'freq' and may have {', '.join(_BAND_PARAMS)} "
                            f"(got {sorted(b)})."
                        )
                    b = make_band(**b)
                elif not isinstance(b, eqmod.Band):
                    raise ParameterError(
                        f"band {i} must be a band such as Peak(1000, gain_db=3) or a dict (got {b!r})."
                    )
                out.append(_copy_band(b))
            if not out:
                raise ParameterError("the EQ needs at least one band; bypass a band instead of removing them all.")
            return out
        if not params:
            return bands
        if "band" not in params:
            raise ParameterError(
                f"say which band to change, counting from 0: update(band=0, {', '.join(f'{k}=...' for k in params)})."
            )
        index = whole("band", params.pop("band"), 0, len(bands) - 1, hint="bands count from 0, in the EQ's order")
        unknown = sorted(set(params) - set(_BAND_PARAMS))
        if unknown:
            raise ParameterError(
                f"a band has no setting {', '.join(map(repr, unknown))}; it takes {', '.join(_BAND_PARAMS)}."
            )
        settings = band_settings(bands[index])
        kind = params.get("kind", settings["kind"])
        if not isinstance(kind, str):
            raise ParameterError(f"kind must be the name of a band type, such as 'Peak' or 'HighPass' (got {kind!r}).")
        if "gain_db" in params and kind not in _GAIN_KINDS and not _equals(params["gain_db"], 0):
            raise ParameterError(
                f"a {kind} has no gain; change kind to Peak, LowShelf or HighShelf to boost or cut (band {index})."
            )
        if kind not in _PASS_KINDS and "order" in params and not _equals(params["order"], 2):
            raise ParameterError(f"only HighPass and LowPass have an order; a {kind} is one second-order section.")
        settings.update(params)
        if settings["kind"] in _PASS_KINDS and not _equals(settings["order"], 2) and "q" in params:
            raise ParameterError(
                f"an order-{settings['order']} {settings['kind']} is a Butterworth cascade with a fixed Q; "
                "set order=2 to shape the cutoff with q."
            )
        if settings["kind"] != type(bands[index]).__name__ and "q" not in params:
            # A new type starts from its own default Q unless one is given.
            settings["q"] = None
        bands[index] = make_band(
            settings["kind"], settings["freq"], settings["gain_db"], settings["q"], settings["bypass"],
            settings["order"], settings["design"],
        )
        return bands

    def _run(self, bands: list, changed: int | None) -> np.ndarray:
        """Filter the clip; with one changed band, run only that band over the cached others.

        When the others are not cached (another band changed last time), one pass runs them and then
        the changed band, keeping the clip through the others for the next move of the same band.
        """
        if changed is None:
            self._others = None
            sos = self._sos(eqmod.EQ(bands).active())
            return like_input(eqmod.filter_sos(sos, self._x), self._y)
        others = [b for i, b in enumerate(bands) if i != changed]
        mine = bands[changed]
        if self._others is None or self._others[0] != changed or self._others[1] != others:
            first = self._sos(eqmod.EQ(others).active())
            rest = self._sos([mine] if not mine.bypass else [])
            base, out = eqmod.filter_sos_split(np.concatenate([first, rest]), first.shape[0], self._x)
            self._others = (changed, [_copy_band(b) for b in others], base)
            return like_input(out, self._y)
        base = self._others[2]
        out = eqmod.filter_sos(self._sos([mine]), base) if not mine.bypass else base.copy()
        return like_input(out, self._y)

    def _band_entry(self, band) -> tuple:
        """``(sections, dB at _freqs, dB at the spectrum's bins)`` of ``band``, by its settings (kept, 64 at most)."""
        key = tuple(sorted(band_settings(band).items()))
        entry = self._band_cache.get(key)
        if entry is None:
            sos = band.sos(self._sr)  # raises for a frequency at or above Nyquist
            spec = self._spectrum
            bins = np.asarray(spec.bin_freqs[spec.used], dtype=np.float64)
            entry = (sos, eqmod.sos_response_db(sos, self._freqs, self._sr), eqmod.sos_response_db(sos, bins, self._sr))
            if len(self._band_cache) >= 64:
                self._band_cache.pop(next(iter(self._band_cache)))
            self._band_cache[key] = entry
        return entry

    def _sos(self, bands: list) -> np.ndarray:
        """The stacked sections of ``bands`` (all of them: pass the active ones), shape ``(k, 6)``."""
        parts = [self._band_entry(b)[0] for b in bands]
        return np.concatenate(parts) if parts else np.zeros((0, 6))

    def _response(self, chain: eqmod.EQ, which: int) -> np.ndarray:
        """The chain's response in dB at ``_freqs`` (``which`` 1) or at the spectrum's bins (2), as EQ.response."""
        spec = self._spectrum
        total = np.zeros(self._freqs.shape if which == 1 else spec.used.shape)
        for band in chain.active():
            total = total + self._band_entry(band)[which]
        return total

    def _after_db(self, chain: eqmod.EQ) -> np.ndarray:
        return self._spectrum.db(self._response(chain, 2))

    def _build_controls(self) -> None:
        nyquist = self._sr / 2.0
        self._band_controls = [_BandControls(i, b, nyquist) for i, b in enumerate(self._eq.bands)]
        for i, bc in enumerate(self._band_controls):
            for name, control in bc.controls().items():
                self._observe_control(control, f"{i}:{name}")
        self._controls_box.children = [bc.box for bc in self._band_controls]

    def _show_bands(self) -> None:
        values: dict = {}
        for bc, band in zip(self._band_controls, self._eq.bands, strict=True):
            values.update(bc.values_for(band))
            bc.enable_for(band)
        self._set_controls(values)

    def _from_controls(self, **changes) -> None:
        """Slider moves arrive as ``{"2:gain_db": -3.5, ...}``: apply them per band, in one update."""
        bands = [band_settings(b) for b in self._eq.bands]
        touched: dict[int, dict] = {}
        for key, value in changes.items():
            index, name = key.split(":")
            touched.setdefault(int(index), {})[name] = value
        if len(touched) == 1:
            (index, params), = touched.items()
            self.update(band=index, **_only_changed(bands[index], params))
            return
        new = []
        for i, s in enumerate(bands):
            p = _only_changed(s, touched.get(i, {}))
            if "kind" in p and "q" not in p:
                p["q"] = None
            s.update(p)
            new.append(make_band(s["kind"], s["freq"], s["gain_db"], s["q"], s["bypass"], s["order"], s["design"]))
        self.update(bands=new)


def _only_changed(settings: dict, params: dict) -> dict:
    out = {}
    for name, value in params.items():
        old = settings.get(name)
        if isinstance(value, float) and isinstance(old, int | float) and not isinstance(old, bool):
            if math.isclose(value, old, rel_tol=1e-9, abs_tol=1e-12):
                continue
        elif value == old:
            continue
        out[name] = value
    # A gain slider that is disabled (a band without gain) cannot have moved; drop a stale value.
    if settings["kind"] not in _GAIN_KINDS and params.get("kind", settings["kind"]) not in _GAIN_KINDS:
        out.pop("gain_db", None)
    return out


def _copy_band(band):
    s = band_settings(band)
    return make_band(s["kind"], s["freq"], s["gain_db"], s["q"], s["bypass"], s["order"], s["design"])
