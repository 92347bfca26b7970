"""Plotly figures for the lessons: one function per picture.

Each ``*_figure`` function returns a ``plotly.graph_objects.Figure``. The numbers behind a
figure come from small, fast functions (``spectrum_db``, ``waveform_envelope``) that the live
widgets call on every slider move, so a redraw only swaps trace data.

Frequencies are drawn on a logarithmic axis from 20 Hz to 20 kHz, levels in dB, times in
seconds: the units a producer reads.

Lessons: 00, 01, 02, 03, 04
"""

from __future__ import annotations

import functools

import numpy as np

from ._validate import in_range, whole
from .audio import check_sr, ensure_audio, power_to_db, to_mono
from .eq import FREQUENCY_RANGES, log_freqs
from .errors import ParameterError

#: The colours used for "before" and "after" everywhere, so A and B always look the same.
COLOR_A = "#1f77b4"
COLOR_B = "#d62728"
COLOR_CURVE = "#2ca02c"
COLOR_GR = "#9467bd"

def _go():
    import plotly.graph_objects as go

    return go


@functools.cache
def _plotly_white_text() -> str:
    """plotly's ``plotly_white`` template file, read as plotly reads it (``plotly.io.templates``)."""
    import pkgutil

    return pkgutil.get_data("plotly", "package_data/templates/plotly_white.json").decode("utf-8")


def _figure(data=None, **subplots):
    """A plotly ``Figure`` in the course's look (plotly's ``plotly_white`` template), ``data``'s traces added.

    ``subplots`` (``rows=2, cols=1, shared_xaxes=True, ...``) lay it out with ``make_subplots``.
    The template is set as plotly sets its default one (``BaseFigure._initialize_layout_template``):
    from plotly's own file, without validating it again. Validating it checks the defaults of every
    trace type plotly knows, 0.1-0.2 s of a lesson's first figure; everything else is validated as usual.
    """
    import json

    go = _go()
    fig = go.Figure(layout={"template": json.loads(_plotly_white_text())}, _validate=False)
    fig._validate = fig._layout_obj._validate = True
    if subplots:
        from plotly.subplots import make_subplots

        make_subplots(figure=fig, **subplots)
    if data is not None:
        fig.add_traces(data if isinstance(data, list | tuple) else [data])
    return fig


# --------------------------------------------------------------------------- the numbers


def default_n_fft(sr: int) -> int:
    """The FFT length the spectra use: the shortest power of two with bins at most 3 Hz apart.

    16384 at 44.1 and 48 kHz (2.7 and 2.9 Hz). A log axis spends as much width on 20-40 Hz as on
    10-20 kHz, so the low end needs fine bins or a spectrum draws as a staircase there.

    Lesson: not yet taught
    """
    return 1 << int(np.ceil(np.log2(check_sr(sr) / 3.0)))


class SmoothedSpectrum:
    """A clip's long-term average spectrum, kept per FFT bin so a filtered version is instant.

    Welch's method: Hann windows of ``n_fft`` samples (see :func:`default_n_fft`) with 50 %
    overlap, power averaged over at most 64 frames spread over the clip (fast enough for a live
    slider) and over the channels, then averaged over 1/6 octave around each of ``freqs`` (at
    least one bin wide, with fractional band edges, so the curve is smooth at the low end too).

    Channels are measured the way BS.1770 measures loudness, by power: the spectrum is the mean
    power per channel, so a mono clip and the same clip copied to two channels read the same, and
    a wide stereo mix is not drawn lower than its mono fold-down would suggest. Two spectra drawn
    after matching their loudness therefore sit at the same height on average.

    Read it in relative terms: differences between two curves are exact dB, while a lone sine's
    energy is spread over its band and reads below its peak level. White noise draws flat; pink
    noise (and most music) falls 3 dB per octave.

    For a linear filter H the Welch power of the filtered clip is |H|^2 times this power (up to
    the Hann window's leakage), so ``db(gain_db)`` with a response sampled at ``bin_freqs[used]``
    draws the "after" spectrum without analysing the filtered audio again.

    Lesson: not yet taught
    """

    def __init__(self, y, sr: int, freqs: np.ndarray | None = None, n_fft: int | None = None) -> None:
        audio = ensure_audio(y)
        channels = audio[None, :] if audio.ndim == 1 else audio
        n_fft = default_n_fft(sr) if n_fft is None else int(n_fft)
        if channels.shape[1] < n_fft:
            channels = np.pad(channels, ((0, 0), (0, n_fft - channels.shape[1])))
        hop = n_fft // 2
        n_frames = 1 + (channels.shape[1] - n_fft) // hop
        starts = np.linspace(0, (n_frames - 1) * hop, min(n_frames, 64)).astype(int)
        window = np.hanning(n_fft).astype(np.float32)
        power = np.zeros(n_fft // 2 + 1)
        for channel in channels:
            frames = np.lib.stride_tricks.sliding_window_view(channel, n_fft)[starts]
            power += np.mean(np.abs(np.fft.rfft(frames * window, axis=-1)) ** 2, axis=0)
        self.power = power * (4.0 / np.sum(window) ** 2) / channels.shape[0]
        self.n_fft = n_fft
        self.bin_freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
        self.freqs = log_freqs() if freqs is None else np.asarray(freqs, dtype=np.float64)
        # Each band's edges in (fractional) bins; bin k covers [k - 0.5, k + 0.5).
        lo = self.freqs * 2 ** (-1 / 12) / (sr / n_fft)
        hi = self.freqs * 2 ** (1 / 12) / (sr / n_fft)
        widen = np.maximum(1.0 - (hi - lo), 0.0) / 2
        self._lo = np.clip(lo - widen, -0.5, self.power.size - 1.5)
        self._hi = np.clip(hi + widen, self._lo + 1.0, self.power.size - 0.5)
        #: the bins the smoothing reads: the only ones a filter's response is needed at
        first, last = int(np.floor(self._lo.min() + 0.5)), int(np.floor(self._hi.max() + 0.5))
        self.used = np.arange(first, min(last + 1, self.power.size))

    def db(self, gain_db_at_used: np.ndarray | None = None) -> np.ndarray:
        """The smoothed spectrum in dB at ``freqs``, optionally through a filter (dB at ``bin_freqs[used]``)."""
        power = self.power
        if gain_db_at_used is not None:
            power = power.copy()
            power[self.used] *= 10.0 ** (np.asarray(gain_db_at_used) / 10.0)
        edges = np.arange(power.size + 1) - 0.5
        cumulative = np.concatenate([[0.0], np.cumsum(power)])
        band = np.interp(self._hi, edges, cumulative) - np.interp(self._lo, edges, cumulative)
        return power_to_db(band / (self._hi - self._lo))


def spectrum_db(
    y, sr: int, freqs: np.ndarray | None = None, n_fft: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The long-term average spectrum of ``y`` in dB at ``freqs`` (log-spaced by default).

    See :class:`SmoothedSpectrum` for the method. A longer ``n_fft`` resolves the low end finer
    (the default 16384 at 44.1 kHz gives 2.7 Hz bins; 32768 separates a kick's 50 Hz from a
    bass's 55 Hz).

    Lesson: not yet taught
    """
    spectrum = SmoothedSpectrum(y, sr, freqs, n_fft)
    return spectrum.freqs, spectrum.db()


def slice_blocks(values: np.ndarray, sr: int, points: int) -> tuple[np.ndarray, np.ndarray]:
    """A 1-D array cut into ``points`` equal slices, as a ``(points, n)`` view, with each slice's centre time.

    The samples that do not fill a last slice are left out. Takes a plain 1-D array, unvalidated:
    the step behind :func:`waveform_envelope` and :func:`decimate_trace`, for code that already
    holds checked audio.

    Lesson: not yet taught
    """
    sr = check_sr(sr)
    points = max(1, min(points, values.size))
    usable = (values.size // points) * points
    times = (np.arange(points) + 0.5) * (usable / points) / sr
    return times, values[:usable].reshape(points, -1)


def waveform_envelope(y, sr: int, points: int = 2000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Min and max of the mono sum in ``points`` equal slices: a waveform that plots fast.

    Returns ``(times, lows, highs)`` with times in seconds.

    Lesson: not yet taught
    """
    times, blocks = slice_blocks(to_mono(ensure_audio(y)), sr, points)
    return times, blocks.min(axis=1), blocks.max(axis=1)


def decimate_trace(values, sr: int, points: int = 2000, reduce: str = "max") -> tuple[np.ndarray, np.ndarray]:
    """A per-sample trace (gain reduction, level) reduced to ``points`` values for plotting.

    Lesson: not yet taught
    """
    times, blocks = slice_blocks(np.asarray(values, dtype=np.float32), sr, points)
    return times, (blocks.max(axis=1) if reduce == "max" else blocks.mean(axis=1))


def level_histogram(y, sr: int, window_ms: float = 10.0, bins: np.ndarray | None = None):
    """How often the signal sits at each level: short-window RMS levels in dBFS, counted per bin.

    The distribution a compressor's threshold is set against. Returns ``(bin_centres_db, fraction)``.

    Lesson: not yet taught
    """
    y, sr = to_mono(ensure_audio(y)), check_sr(sr)
    win = max(1, int(sr * window_ms / 1000))
    usable = (y.size // win) * win
    if usable == 0:
        usable, win = y.size, y.size
    levels = power_to_db(np.mean(y[:usable].reshape(-1, win).astype(np.float64) ** 2, axis=1))
    levels = levels[levels > -90]
    bins = np.arange(-90, 1, 1.0) if bins is None else bins
    counts, edges = np.histogram(levels, bins=bins)
    total = max(1, counts.sum())
    return 0.5 * (edges[1:] + edges[:-1]), counts / total


# --------------------------------------------------------------------------- layout helpers


def _hz(f: float) -> str:
    """A frequency as a producer writes it: 80 Hz, 1 kHz, 12.5 kHz."""
    return f"{f / 1000:g} kHz" if f >= 1000 else f"{f:g} Hz"


def _freq_ticks(fmin: float, fmax: float) -> tuple[list[float], list[str]]:
    """Round tick positions for a log frequency axis: 1-2-5 per decade, finer on a zoom."""
    steps = (1, 2, 5) if np.log10(fmax / fmin) > 1.6 else (1, 1.5, 2, 3, 4, 5, 6, 8)
    ticks = [
        m * 10.0**k
        for k in range(int(np.floor(np.log10(fmin))), int(np.ceil(np.log10(fmax))) + 1)
        for m in steps
        if fmin * 0.999 <= m * 10.0**k <= fmax * 1.001
    ]
    return ticks, [f"{t / 1000:g}k" if t >= 1000 else f"{t:g}" for t in ticks]


def _freq_axis(fig, row=None, col=None, fmin: float = 20.0, fmax: float = 20000.0):
    tickvals, ticktext = _freq_ticks(fmin, fmax)
    fig.update_xaxes(
        type="log",
        range=[np.log10(fmin), np.log10(fmax)],
        title_text="frequency (Hz)",
        tickvals=tickvals,
        ticktext=ticktext,
        hoverformat=".0f",
        row=row,
        col=col,
    )


def _round_step(span: float, ticks: int = 5) -> float:
    """A 1-2-2.5-5 x 10^k step that cuts ``span`` into about ``ticks`` parts."""
    raw = span / ticks
    power = 10.0 ** np.floor(np.log10(raw))
    return float(min((m * power for m in (1, 2, 2.5, 5, 10)), key=lambda step: abs(step - raw)))


def _base_layout(fig, title: str, height: int = 380):
    fig.update_layout(
        title=title,
        height=height,
        margin=dict(l=60, r=20, t=60, b=50),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1.0),
    )
    return fig


# --------------------------------------------------------------------------- figures


def loudness_match_db(signals: dict, sr: int) -> dict:
    """The gain in dB (0 or less) that brings each signal down to the quietest one's loudness.

    Measured as the A/B player measures and plays them: BS.1770 integrated loudness, with a mono
    signal copied to both channels when any of the others is stereo (so a mono demo and a stereo
    mix compare as they sound on two speakers).

    Lesson: not yet taught
    """
    from .audio import to_stereo
    from .meters import integrated_loudness

    audio = {name: ensure_audio(y) for name, y in signals.items()}
    stereo = any(y.ndim == 2 for y in audio.values())
    lufs = {name: integrated_loudness(to_stereo(y) if stereo else y, sr) for name, y in audio.items()}
    target = min(lufs.values())
    return {name: (target - v if np.isfinite(target) and np.isfinite(v) else 0.0) for name, v in lufs.items()}


def spectrum_figure(
    signals: dict,
    sr: int,
    title: str = "Average spectrum",
    ranges: bool = True,
    *,
    fmin: float = 20.0,
    fmax: float = 20000.0,
    n_fft: int | None = None,
    match_loudness: bool = False,
    difference: tuple[str, str] | None = None,
):
    """Average spectra of several signals on one log-frequency plot, e.g. ``{"before": a, "after": b}``.

    With ``ranges=True`` the sub, bass, low-mids, mids, presence and air ranges are shaded and named.
    ``fmin``/``fmax`` zoom in (say so in the title: "30–300 Hz"); a longer ``n_fft`` resolves the
    low end finer. ``match_loudness=True`` turns each signal down to the quietest one's loudness
    first, as the A/B player does (see :func:`loudness_match_db`); the legend shows each gain.
    ``difference=("muddy", "clean")`` adds the first curve minus the second as a thick green line on
    a right-hand axis (dB, 0 = the same), so where and by how much one rises above the other reads
    straight off it. Hover anywhere to read every curve's level at that frequency.

    Lessons: 00, 01, 04
    """
    go = _go()
    fig = _figure()
    colors = [COLOR_A, COLOR_B, COLOR_CURVE, "#ff7f0e", "#8c564b", "#e377c2"]
    gains = loudness_match_db(signals, sr) if match_loudness else {name: 0.0 for name in signals}
    freqs = log_freqs(400, fmin, fmax)
    for i, (name, y) in enumerate(signals.items()):
        db = spectrum_db(y, sr, freqs, n_fft)[1] + gains[name]
        label = f"{name} ({gains[name]:+.1f} dB to match)" if gains[name] < -0.05 else name
        fig.add_trace(
            go.Scatter(
                x=freqs, y=db, name=label, mode="lines", line=dict(color=colors[i % len(colors)]),
                hovertemplate="%{y:.1f} dB",
            )
        )
    if difference is not None:
        _difference_trace(fig, go, difference, [trace.y for trace in fig.data], list(signals))
    if ranges:
        _shade_ranges(fig, fmin, fmax)
    _freq_axis(fig, fmin=fmin, fmax=fmax)
    # the left axis only (update_yaxes would retitle a difference curve's right axis too)
    fig.update_layout(yaxis_title_text="level (dB)", hovermode="x unified")
    _base_layout(fig, title)
    if difference is not None:
        fig.update_layout(margin=dict(r=70))  # room for the right axis's title
    return fig


def _difference_trace(fig, go, difference, curves: list, names: list) -> None:
    """Add ``difference[0] - difference[1]`` (two of ``names``) on a right axis ticked every 3 dB through 0."""
    missing = [name for name in difference if name not in names]
    if len(difference) != 2 or missing:
        raise ParameterError(f"difference names two of the signals ({', '.join(map(repr, names))}), "
                             f"e.g. difference=({names[-1]!r}, {names[0]!r}); got {difference!r}.")
    a, b = difference
    diff = np.asarray(curves[names.index(a)]) - np.asarray(curves[names.index(b)])
    fig.add_trace(go.Scatter(x=fig.data[0].x, y=diff, name=f"{a} − {b} (right axis)", mode="lines", yaxis="y2",
                             line=dict(color=COLOR_CURVE, width=3), hovertemplate="%{y:+.1f} dB"))
    low = min(-3.0, 3.0 * np.floor(np.nanmin(diff) / 3.0))
    high = max(3.0, 3.0 * np.ceil(np.nanmax(diff) / 3.0) + 3.0)
    fig.update_layout(
        yaxis2=dict(title_text=f"{a} − {b} (dB)", overlaying="y", side="right", range=[low, high], tickmode="linear",
                    tick0=0, dtick=3, showgrid=False, zeroline=True, zerolinecolor=COLOR_CURVE, zerolinewidth=1),
    )


def _shade_ranges(fig, fmin: float = 20.0, fmax: float = 20000.0):
    # The shapes fig.add_vrect would make, added in one layout update: add_vrect validates and copies the layout
    # per call (0.08 s of a notebook's first figure for these six).
    shapes, names = [], []
    for i, (name, lo, hi) in enumerate(FREQUENCY_RANGES):
        lo, hi = max(lo, fmin), min(hi, fmax)
        if hi <= lo:
            continue
        shapes.append(dict(type="rect", x0=lo, x1=hi, xref="x", y0=0, y1=1, yref="y domain",
                           fillcolor="#888" if i % 2 else "#bbb", opacity=0.08, line=dict(width=0)))
        # A vrect's own annotation takes log10 positions on a log axis: place the name by hand.
        names.append(dict(x=float(np.log10(np.sqrt(lo * hi))), y=1.0, xref="x", yref="paper", text=name,
                          showarrow=False, yanchor="top", font=dict(size=10, color="#666")))
    fig.update_layout(shapes=[*fig.layout.shapes, *shapes], annotations=[*fig.layout.annotations, *names])


def band_label(band) -> str:
    """A short legend name for an EQ band: ``Peak 1 kHz, +6 dB, Q 1``, ``HighPass 100 Hz, order 4``.

    Lesson: not yet taught
    """
    parts = [f"{type(band).__name__} {_hz(band.freq)}"]
    gain = getattr(band, "gain_db", None)
    if gain is not None:
        parts.append(f"{gain:+g} dB")
    if type(band).__name__ in ("Peak", "Notch", "BandPass"):
        parts.append(f"Q {band.q:g}")
    order = getattr(band, "order", 2)
    if order != 2:
        parts.append(f"order {order}")
    return ", ".join(parts)


def filter_shapes_figure(bands, sr: int, bell=None, qs=(0.5, 1, 2, 4, 8), title: str = "Filter types and Q"):
    """Left: the response of each band in ``bands``. Right: ``bell`` (a ``Peak``) drawn with each Q in ``qs``.

    Lesson: course/01-eq.ipynb
    """
    go = _go()

    from .eq import Peak

    bell = Peak(1000, gain_db=9) if bell is None else bell
    freqs = log_freqs(400)
    fig = _figure(
        rows=1, cols=2, subplot_titles=("filter types", f"a {bell.gain_db:+g} dB bell at {_hz(bell.freq)}: Q"),
        horizontal_spacing=0.1,
    )
    for band in bands:
        fig.add_trace(go.Scatter(x=freqs, y=band.response(freqs, sr), name=band_label(band)), row=1, col=1)
    for q in qs:
        curve = Peak(bell.freq, gain_db=bell.gain_db, q=q).response(freqs, sr)
        fig.add_trace(go.Scatter(x=freqs, y=curve, name=f"Q {q:g}", line=dict(dash="dot")), row=1, col=2)
    for col in (1, 2):
        _freq_axis(fig, row=1, col=col)
    fig.update_yaxes(range=[-24, 12], dtick=6, title_text="gain (dB)")
    _base_layout(fig, title, height=420)
    fig.update_layout(legend=dict(orientation="v", y=1.0, yanchor="top", x=1.02, xanchor="left"),
                      margin=dict(r=200))
    return fig


def eq_figure(eq, sr: int, y=None, processed=None, title: str = "EQ curve"):
    """The EQ's frequency response (right axis, dB of boost/cut) over the signal's spectrum before and after.

    ``eq`` is anything with ``response(freqs, sr)``: an ``EQ`` chain or a single band. The right
    axis is ticked every 6 dB from -24 to +24 dB, through 0 dB (no change), with room above and below.

    Lesson: course/01-eq.ipynb
    """
    go = _go()
    freqs = log_freqs()
    fig = _figure(specs=[[{"secondary_y": True}]])
    if y is not None:
        fig.add_trace(
            go.Scatter(x=freqs, y=spectrum_db(y, sr, freqs)[1], name="before", line=dict(color=COLOR_A, width=1)),
            secondary_y=False,
        )
    if processed is not None:
        fig.add_trace(
            go.Scatter(
                x=freqs, y=spectrum_db(processed, sr, freqs)[1], name="after", line=dict(color=COLOR_B, width=1)
            ),
            secondary_y=False,
        )
    fig.add_trace(
        go.Scatter(x=freqs, y=eq.response(freqs, sr), name="EQ curve", line=dict(color=COLOR_CURVE, width=3)),
        secondary_y=True,
    )
    _freq_axis(fig)
    fig.update_yaxes(title_text="spectrum (dB)", secondary_y=False)
    fig.update_yaxes(
        title_text="EQ gain (dB)", range=[-27, 27], tickmode="linear", tick0=0, dtick=6, showgrid=False,
        zeroline=True, zerolinecolor=COLOR_CURVE, zerolinewidth=1, secondary_y=True,
    )
    fig.update_layout(margin=dict(r=60))
    return _base_layout(fig, title)


def filter_designs_figure(band_type, sr: int = 44100, title: str | None = None, **params):
    """One band designed two ways against its analog ideal: the matched design and the RBJ cookbook.

    Near Nyquist the RBJ (bilinear) filter is squeezed towards half the sample rate ("cramping");
    the matched design follows the analog curve. ``band_type`` is a class from ``producerkit.eq``.

    Lesson: course/01-eq.ipynb
    """
    go = _go()
    freqs = log_freqs(800, 20, min(20000, sr / 2 * 0.999))
    matched = band_type(**params, design="matched")
    rbj = band_type(**params, design="rbj")
    fig = _figure()
    fig.add_trace(
        go.Scatter(x=freqs, y=matched.analog_response(freqs), name="analog ideal", line=dict(color="#444", dash="dot"))
    )
    fig.add_trace(go.Scatter(x=freqs, y=matched.response(freqs, sr), name="matched", line=dict(color=COLOR_CURVE)))
    fig.add_trace(go.Scatter(x=freqs, y=rbj.response(freqs, sr), name="RBJ cookbook", line=dict(color=COLOR_B)))
    fmax = min(float(freqs[-1]), 20000.0)
    _freq_axis(fig, fmax=fmax)
    fig.update_yaxes(title_text="gain (dB)")
    default = f"{band_label(matched)}, sampled at {sr / 1000:g} kHz: matched against RBJ"
    if fmax < 19999:  # below 40 kHz the axis stops at Nyquist: say so
        default += f" (20 Hz–{fmax / 1000:.3g} kHz)"
    return _base_layout(fig, title or default)


def transfer_curve_figure(compressor, y=None, sr: int | None = None, title: str = "Compressor transfer curve"):
    """The compressor's static curve (output level against input level), over the signal's level histogram.

    The dashed diagonal is "no compression"; where the curve bends below it is gain reduction.

    Lesson: course/02-compression.ipynb
    """
    go = _go()
    levels = np.linspace(-60, 0, 241)
    fig = _figure(specs=[[{"secondary_y": True}]])
    if y is not None and sr is not None:
        centres, fraction = level_histogram(y, sr)
        fig.add_trace(
            go.Bar(x=centres, y=fraction * 100, name="time spent at level", marker_color="#ccc", opacity=0.6),
            secondary_y=True,
        )
    fig.add_trace(
        go.Scatter(x=levels, y=levels, name="no compression", line=dict(color="#999", dash="dash")), secondary_y=False
    )
    fig.add_trace(
        go.Scatter(x=levels, y=compressor.curve(levels), name="output", line=dict(color=COLOR_CURVE, width=3)),
        secondary_y=False,
    )
    threshold = getattr(compressor, "threshold_db", None)
    if threshold is not None:
        fig.add_vline(x=threshold, line=dict(color=COLOR_GR, dash="dot"), annotation_text="threshold")
    fig.update_xaxes(title_text="input level (dBFS)", range=[-60, 0], dtick=10)
    fig.update_yaxes(title_text="output level (dBFS)", range=[-60, 6], dtick=10, secondary_y=False)
    if y is not None and sr is not None:
        # The right axis's own round ticks (a secondary axis otherwise inherits the left one's grid).
        top = max(float(fraction.max()) * 100 * 1.1, 1.0)
        step = _round_step(top, 4)
        fig.update_yaxes(
            title_text="time at level (%)", range=[0, top], tickmode="linear", tick0=0, dtick=step,
            showgrid=False, secondary_y=True,
        )
    return _base_layout(fig, title)


def _envelope_trace(go, y, sr: int, name: str, color: str):
    """A waveform drawn as its filled min/max envelope."""
    t, lo, hi = waveform_envelope(y, sr)
    return go.Scatter(
        x=np.concatenate([t, t[::-1]]),
        y=np.concatenate([hi, lo[::-1]]),
        fill="toself",
        name=name,
        line=dict(color=color, width=0.5),
        opacity=0.5,
    )


#: The gain-reduction axis always shows at least this much (dB), so 0.1 dB never fills the panel like real work.
GR_AXIS_MIN_DB = 6.0


def gain_reduction_figure(
    y, processed, gain_reduction_db, sr: int, title: str = "Input, output and gain reduction", marks=(),
    ceiling_db: float | None = None,
):
    """Input and output waveforms with the gain-reduction trace (dB, drawn downwards) underneath.

    ``marks`` are times in seconds drawn as dotted lines across both rows, e.g. where each kick
    hit starts. ``ceiling_db`` (dBFS, e.g. a limiter's -1) is drawn as a dashed line at that level
    on both sides of the waveform. The amplitude axis reaches past full scale when the input does
    (a signal pushed over 0 dBFS is not cut off), and the gain-reduction axis always spans at least
    0 to -6 dB, growing with the trace.

    Lesson: course/02-compression.ipynb
    """
    go = _go()
    fig = _figure(rows=2, cols=1, shared_xaxes=True, row_heights=[0.65, 0.35], vertical_spacing=0.06)
    for name, sig, color in (("input", y, COLOR_A), ("output", processed, COLOR_B)):
        fig.add_trace(_envelope_trace(go, sig, sr, name, color), row=1, col=1)
    t, gr = decimate_trace(gain_reduction_db, sr)
    fig.add_trace(go.Scatter(x=t, y=-gr, name="gain reduction", line=dict(color=COLOR_GR)), row=2, col=1)
    peak = max(float(np.max(np.abs(y))), float(np.max(np.abs(processed))), 1.0)
    top = float(np.ceil(peak * 10 - 1e-6) / 10)
    fig.update_yaxes(title_text="amplitude (FS)", range=[-top, top], dtick=0.5, row=1, col=1)
    fig.update_yaxes(title_text="GR (dB)", autorange=True, autorangeoptions=dict(include=[-GR_AXIS_MIN_DB, 0]),
                     row=2, col=1)
    fig.update_xaxes(title_text="time (s)", row=2, col=1)
    if ceiling_db is not None:
        level = 10 ** (float(ceiling_db) / 20)
        line = dict(color="#555", dash="dash", width=1)
        fig.add_hline(y=level, line=line, row=1, col=1, annotation_text=f"ceiling {ceiling_db:g} dB",
                      annotation_position="top left")
        fig.add_hline(y=-level, line=line, row=1, col=1)
    for t_mark in np.asarray(marks, dtype=float).ravel():
        fig.add_vline(x=float(t_mark), line=dict(color="#888", dash="dot"))
    return _base_layout(fig, title, height=460)


def waveform_figure(signals: dict, sr: int, title: str = "Waveform", stacked: bool = False):
    """Waveforms (min/max envelopes) of one or more signals over time, amplitude in FS (1 = full scale).

    Overlaid by default, to compare two versions of the same sound; ``stacked=True`` draws one
    row per signal on a shared time axis, for several takes or parts that would hide each other.

    Lessons: 02, 03, 04
    """
    go = _go()
    colors = [COLOR_A, COLOR_B, COLOR_CURVE, "#ff7f0e"]
    if not stacked:
        fig = _figure()
        for i, (name, y) in enumerate(signals.items()):
            fig.add_trace(_envelope_trace(go, y, sr, name, colors[i % len(colors)]))
        fig.update_xaxes(title_text="time (s)")
        fig.update_yaxes(title_text="amplitude (FS)", range=[-1, 1], dtick=0.5)
        return _base_layout(fig, title)

    rows = len(signals)
    fig = _figure(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.1 / rows,
                        subplot_titles=list(signals))
    for i, (name, y) in enumerate(signals.items()):
        fig.add_trace(_envelope_trace(go, y, sr, name, colors[i % len(colors)]), row=i + 1, col=1)
        fig.update_yaxes(title_text="amplitude (FS)", title_font_size=11, range=[-1, 1], dtick=1, row=i + 1, col=1)
    fig.update_xaxes(title_text="time (s)", row=rows, col=1)
    _base_layout(fig, title, height=140 + 150 * rows)
    fig.update_layout(showlegend=False)
    return fig


# --------------------------------------------------------------------------- ear training (the open box)

#: What an ear-training figure calls A and B.
_TRIAL_NAMES = {"A": "A (reference)", "B": "B (processed)"}


def _said_text(said) -> str:
    return "" if said is None else f"you said {said}"


def trial_figure(trial, said=None, title: str | None = None):
    """What was done in an ear-training trial, drawn after the answer: the open box.

    Frequency: the EQ curve, every band you could choose and the one you chose. Level: both
    versions' loudness. Dynamics: the compressed and uncompressed waveforms with the
    gain-reduction trace. Space: the two decays (RT60 slopes), or the delay's echoes on the
    song's beat grid. Stereo: where A and B sit from hard left to hard right, with the
    tolerance. Problem: the band that was boosted, the spectrum of what was added (rumble, hum),
    the flattened peaks (clipping) or the gain reduction (over-compression).

    Args:
        trial: a ``producerkit.training.Trial``.
        said: what the student answered, as the trial's scorer read it (``Score.answer``), or None.
        title: the figure's title (default: what was done, in words).

    Lesson: course/05-ear-training.ipynb
    """
    makers = {"frequency": _trial_frequency, "level": _trial_level, "dynamics": _trial_dynamics,
              "space": _trial_space, "stereo": _trial_stereo, "problem": _trial_problem}
    maker = makers.get(getattr(trial, "drill", None))
    if maker is None:
        raise ParameterError(f"trial_figure() takes a Trial from producerkit.training.make_trial() (got {trial!r}).")
    fig, default = maker(trial, said)
    _base_layout(fig, title or default, height=(fig.layout.height or 380) + 30)
    # The title on top, the legend under it: long titles ("... up to 10.8 dB of gain reduction") never meet it.
    fig.update_layout(title=dict(y=0.98, yanchor="top"), margin=dict(t=70 if fig.layout.showlegend is False else 100),
                      legend=dict(y=1.02, yanchor="bottom", x=0.0, xanchor="left"))
    return fig


def _band_marks(fig, bands, truth: float, said) -> None:
    """Dotted lines at every band on offer; the right one green, the one chosen red (log10 positions on a log axis)."""
    for band in bands:
        fig.add_vline(x=band, line=dict(color="#ccc", width=1, dash="dot"))
    fig.add_vline(x=truth, line=dict(color=COLOR_CURVE, width=2))
    fig.add_annotation(x=float(np.log10(truth)), y=1.0, yref="paper", xref="x", text=f"it was {_hz(truth)}",
                       showarrow=False, yanchor="bottom", font=dict(color=COLOR_CURVE))
    if said is not None and abs(np.log2(float(said) / truth)) > 1e-6:
        fig.add_vline(x=float(said), line=dict(color=COLOR_B, width=2, dash="dash"))
        fig.add_annotation(x=float(np.log10(float(said))), y=0.0, yref="paper", xref="x",
                           text=f"you said {_hz(float(said))}", showarrow=False, yanchor="bottom",
                           font=dict(color=COLOR_B), bgcolor="rgba(255,255,255,0.8)")


def _trial_frequency(trial, said):
    go = _go()
    d = trial.details
    freqs = log_freqs(400)
    curve = d["eq"].response(freqs, trial.sr)
    fig = _figure(go.Scatter(x=freqs, y=curve, name="EQ curve (B against A)", line=dict(color=COLOR_CURVE, width=3),
                               hovertemplate="%{y:+.1f} dB"))
    _band_marks(fig, d["bands"], float(trial.answer), said)
    _freq_axis(fig)
    top = 3.0 * np.ceil(abs(d["gain_db"]) / 3.0) + 3.0
    fig.update_yaxes(title_text="EQ gain (dB)", range=[-top - 1, top + 1], tickmode="linear", tick0=0, dtick=3,
                     zeroline=True)
    fig.update_layout(showlegend=False)
    change = "boost" if d["boost"] else "cut"
    return fig, f"What was done: a {d['gain_db']:+.1f} dB {change} at {_hz(d['freq_hz'])} (Q {d['q']:.2f})"


def _trial_level(trial, said):
    go = _go()
    d = trial.details
    lufs = d["loudness_lufs"]
    # Markers on a loudness axis, not bars: a bar from an arbitrary floor makes a 3 dB step look like a doubling.
    low = float(np.floor(min(lufs.values()) - 2.0))
    high = float(np.ceil(max(lufs.values()) + 2.0))
    names = [_TRIAL_NAMES["A"], _TRIAL_NAMES["B"]]
    fig = _figure(go.Scatter(
        x=names, y=[lufs["A"], lufs["B"]], mode="markers+text", marker=dict(color=[COLOR_A, COLOR_B], size=18),
        text=[f"{lufs['A']:.1f} LUFS", f"{lufs['B']:.1f} LUFS"], textposition="middle right",
        hovertext=[f"{lufs['A']:.2f} LUFS", f"{lufs['B']:.2f} LUFS"], hoverinfo="text",
    ))
    for y in lufs.values():
        fig.add_hline(y=y, line=dict(color="#ccc", width=1, dash="dot"))
    fig.update_yaxes(title_text="integrated loudness (LUFS)", range=[low, high], dtick=1)
    fig.update_xaxes(range=[-0.6, 1.9])
    if said is not None:
        side, db = said
        step = abs(d["gain_db"])
        text = f"you said {side} was louder" + (f" by {db:g} dB" if db is not None else "")
        if side != d["louder"]:
            color = _VERDICT_COLORS["wrong"]
        elif db is None or abs(db - step) <= 0.4 * step + 1e-9:
            color = _VERDICT_COLORS["right"]
        else:
            color = _VERDICT_COLORS["near"]
        fig.add_annotation(x=0.5, y=1.0, xref="paper", yref="paper", text=text, showarrow=False, yanchor="bottom",
                           font=dict(color=color))
    fig.update_layout(showlegend=False, height=340)
    louder = d["louder"]
    return fig, f"What was done: {louder} was {abs(d['gain_db']):g} dB louder (nothing else changed)"


#: The verdict colours of the EarTrainer's feedback (right, near, wrong), for what a figure says you answered.
_VERDICT_COLORS = {"right": "#1b5e20", "near": "#8a5a00", "wrong": "#b00020"}


def _trial_dynamics(trial, said):
    d = trial.details
    compressed = d["compressed"]
    other = "A" if compressed == "B" else "B"
    version = {"A": trial.reference, "B": trial.processed}
    comp = d["compressor"]
    fig = gain_reduction_figure(version[other], version[compressed], d["gain_reduction_db"], trial.sr)
    fig.data[0].name = f"{other}: not compressed"
    fig.data[1].name = f"{compressed}: compressed"
    title = (f"What was done: {compressed} compressed {comp.ratio:g}:1, attack {comp.attack_ms:g} ms, "
             f"up to {d['peak_gain_reduction_db']:.1f} dB of gain reduction")
    return fig, title


def _trial_space(trial, said):
    go = _go()
    d = trial.details
    if d["question"] == "decay":
        fig = _figure()
        decays = d["decay_s"]
        end = 1.3 * max(decays.values())
        for side, color in (("A", COLOR_A), ("B", COLOR_B)):
            t60 = decays[side]
            fig.add_trace(go.Scatter(x=[0.0, t60, end], y=[0.0, -60.0, -60.0 * end / t60],
                                     name=f"{side}: RT60 {t60:.2f} s", line=dict(color=color, width=3),
                                     hovertemplate="%{x:.2f} s: %{y:.0f} dB"))
        fig.add_hline(y=-60.0, line=dict(color="#999", dash="dot"), annotation_text="−60 dB: the RT60",
                      annotation_position="bottom left")
        fig.update_xaxes(title_text="time after the sound stops (s)", range=[0, end])
        fig.update_yaxes(title_text="reverb level (dB)", range=[-72, 3], dtick=10)
        longer = d["longer"]
        return fig, f"What was done: {longer}'s reverb decays longer ({decays[longer]:.2f} s against " \
                    f"{min(decays.values()):.2f} s)"
    delay = d["delay"]
    beat = 60.0 / d["bpm"]
    echoes = np.asarray(d["echoes_s"], float)
    levels = [delay.mix * delay.feedback ** k for k in range(len(echoes))]
    fig = _figure()
    end = max(float(echoes[-1]) * 1.1, 2 * beat)
    for k in range(int(np.ceil(end / (beat / 4))) + 1):
        t = k * beat / 4
        fig.add_vline(x=t, line=dict(color="#888" if k % 4 == 0 else "#ddd", width=1.5 if k % 4 == 0 else 1))
    fig.add_trace(go.Bar(x=[0.0], y=[1.0], width=0.012 * end, name="the note", marker_color=COLOR_A))
    fig.add_trace(go.Bar(x=echoes, y=levels, width=0.012 * end, name="its echoes", marker_color=COLOR_B,
                         hovertemplate="%{x:.3f} s"))
    fig.update_xaxes(title_text=f"grey: beats at {d['bpm']:g} BPM, light: 16ths · time (s)", range=[-0.05, end])
    fig.update_yaxes(title_text="level (1 = the note)", range=[0, 1.1])
    note = {"1/4": "1/4", "1/8": "1/8", "1/8d": "dotted 1/8", "1/8t": "1/8 triplet"}.get(d["note"], d["note"])
    return fig, f"What was done: a {note} delay, {d['time_ms']:.0f} ms at {d['bpm']:g} BPM"


def _trial_stereo(trial, said):
    go = _go()
    d = trial.details
    truth, tol = float(trial.answer), float(d["tolerance"])
    fig = _figure()
    # Right means within the tolerance and on B's side: the band stops at the centre.
    side_lo, side_hi = (0.0, 100.0) if truth > 0 else (-100.0, 0.0)
    fig.add_vrect(x0=max(side_lo, truth - tol), x1=min(side_hi, truth + tol), fillcolor=COLOR_CURVE, opacity=0.15,
                  line_width=0)
    fig.add_trace(go.Scatter(x=[0.0], y=[0.0], mode="markers+text", marker=dict(size=16, color=COLOR_A),
                             text=["A: centre"], textposition="top center", name="A"))
    fig.add_trace(go.Scatter(x=[truth], y=[0.0], mode="markers+text", marker=dict(size=16, color=COLOR_B,
                             symbol="diamond"), text=[f"B: {_pan_text(truth)}"], textposition="bottom center",
                             name=f"B (right within ±{tol:g})"))
    if said is not None:
        fig.add_trace(go.Scatter(x=[float(said)], y=[0.5], mode="markers+text", marker=dict(size=14, color="#333",
                                 symbol="x"), text=[f"you said {_pan_text(float(said))}"], textposition="top center",
                                 name="your answer"))
    fig.update_xaxes(title_text="pan position (% of one side: −100 hard left, +100 hard right)", range=[-110, 110],
                     tickvals=[-100, -50, 0, 50, 100], ticktext=["L100", "L50", "C", "R50", "R100"], zeroline=False)
    fig.update_yaxes(visible=False, range=[-1.2, 1.5])
    fig.update_layout(height=300)
    return fig, f"What was done: B panned to {_pan_text(truth)} (the shaded band counted as right: ±{tol:g} %)"


def _pan_text(p: float) -> str:
    return "C" if abs(p) < 0.5 else f"{'L' if p < 0 else 'R'}{abs(p):.0f}"


def _trial_problem(trial, said):
    go = _go()
    d = trial.details
    kind, source = d["kind"], d["source"]
    where = f"on the {source}" + (" in the mix" if d["context"] == "mix" else "")
    if kind in ("mud", "harshness"):
        from .eq import Peak

        band = d.get("eq") or Peak(d["freq_hz"], gain_db=d["gain_db"], q=d["q"])
        freqs = log_freqs(400)
        fig = _figure(go.Scatter(x=freqs, y=band.response(freqs, trial.sr), name="the boost",
                                   line=dict(color=COLOR_CURVE, width=3), hovertemplate="%{y:+.1f} dB"))
        _shade_ranges(fig)
        _freq_axis(fig)
        top = 3.0 * np.ceil(abs(band.gain_db) / 3.0) + 3.0
        fig.update_yaxes(title_text="EQ gain (dB)", range=[-3, top], dtick=3)
        fig.update_layout(showlegend=False)
        return fig, f"What was done: {kind} {where}, a {band.gain_db:+.1f} dB bell at {_hz(band.freq)} (Q {band.q:g})"
    if kind in ("rumble", "hum"):
        fmax = 1000.0
        freqs = log_freqs(300, 20.0, fmax)
        diff = trial.difference
        fig = _figure()
        fig.add_trace(go.Scatter(x=freqs, y=spectrum_db(trial.reference, trial.sr, freqs)[1], name="A: clean",
                                 line=dict(color=COLOR_A, width=1)))
        fig.add_trace(go.Scatter(x=freqs, y=spectrum_db(diff, trial.sr, freqs)[1], name="B − A: what was added",
                                 line=dict(color=COLOR_B, width=2)))
        _freq_axis(fig, fmax=fmax)
        fig.update_yaxes(title_text="level (dB)")
        what = (f"{d['freq_hz']:g} Hz hum with its harmonics" if kind == "hum"
                else "sub-bass rumble and thumps below 40 Hz")
        return fig, f"What was done: {what} {where} (20 Hz–1 kHz)"
    version = {"A": trial.reference, "B": trial.processed}
    if kind == "clipping":
        mono_b = to_mono(version["B"])
        peak = int(np.argmax(np.abs(to_mono(version["A"]))))
        half = int(0.01 * trial.sr)
        lo, hi = max(0, peak - half), min(mono_b.size, peak + half)
        t = np.arange(lo, hi) / trial.sr * 1000.0
        fig = _figure()
        fig.add_trace(go.Scatter(x=t, y=to_mono(version["A"])[lo:hi], name="A: clean", line=dict(color=COLOR_A)))
        fig.add_trace(go.Scatter(x=t, y=mono_b[lo:hi], name="B: clipped", line=dict(color=COLOR_B)))
        fig.update_xaxes(title_text="time (ms), around the loudest peak")
        fig.update_yaxes(title_text="amplitude (FS)")
        return fig, f"What was done: clipping {where}, the top {d['clipped_db']:g} dB of the peaks flattened"
    gr = d["gain_reduction_db"]
    if "gain_reduction_db" not in d or len(gr) != trial.reference.shape[-1]:
        raise ParameterError(f"this trial has no gain-reduction trace to draw ({kind}).")
    fig = gain_reduction_figure(version["A"], version["B"], gr, trial.sr)
    fig.data[0].name, fig.data[1].name = "A: clean", "B: over-compressed"
    return fig, f"What was done: over-compression {where}, up to {d['peak_gain_reduction_db']:.1f} dB of gain reduction"


def progress_figure(history, drill_name: str, title: str | None = None):
    """Your threshold in one drill after each training session, against the published range (or the course's goal).

    ``history`` is ``Progress.history(drill_name)`` (one row per session: threshold, level,
    trials). The threshold (the drill's unit, left axis) appears once the staircase has turned 6
    times; the level you reached (right axis, 1 easy to 10 hard) is drawn from the first session.

    Lesson: course/05-ear-training.ipynb
    """
    go = _go()

    from .training import drill

    d = drill(drill_name)
    rows = list(history)
    x = list(range(1, len(rows) + 1))
    unit = "%" if d.unit == "%" else d.unit
    fig = _figure(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Scatter(x=x, y=[r["level"] for r in rows], name="level reached (right axis)", mode="lines+markers",
                             line=dict(color="#aaa", dash="dot"), hovertemplate="level %{y}"), secondary_y=True)
    fig.add_trace(go.Scatter(x=x, y=[r["threshold"] for r in rows], name=f"your threshold ({unit})",
                             mode="lines+markers", line=dict(color=COLOR_A, width=3),
                             hovertemplate=f"%{{y:.2f}} {unit}"), secondary_y=False)
    values = [v for v in d.values]
    top = float(max(values)) * 1.1
    if d.published_range is not None:
        lo, hi = d.published_range
        if hi - lo < 0.02 * top:
            fig.add_hline(y=lo, line=dict(color=COLOR_CURVE, width=2, dash="dash"))
        else:
            fig.add_hrect(y0=lo, y1=hi, fillcolor=COLOR_CURVE, opacity=0.15, line_width=0)
        what = "published" if getattr(d, "measured", True) else "course goal"  # a goal is never drawn as published
        fig.add_annotation(x=0.0, xref="paper", y=hi, text=f"{what}: {lo:g}–{hi:g} {unit}" if hi != lo
                           else f"{what}: {lo:g} {unit}", showarrow=False, xanchor="left", yanchor="bottom",
                           font=dict(color=COLOR_CURVE))
    if not any(r["threshold"] is not None for r in rows):
        fig.add_annotation(x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font=dict(color="#666"),
                           text="no threshold yet: it appears after 6 reversals of the staircase")
    fig.update_xaxes(title_text="training session", tickmode="linear", tick0=1, dtick=max(1, len(rows) // 8),
                     range=[0.5, max(1, len(rows)) + 0.5])
    fig.update_yaxes(title_text=f"threshold ({unit})", range=[0, top], secondary_y=False)
    fig.update_yaxes(title_text="level (1 easy – 10 hard)", range=[0.5, 10.5], dtick=1, showgrid=False,
                     secondary_y=True)
    _base_layout(fig, title or f"{d.title}: your threshold, session by session (lower is better)", height=360)
    fig.update_layout(margin=dict(r=70, b=100), legend=dict(y=-0.3, yanchor="top", x=0.0, xanchor="left"))
    return fig


def loudness_figure(result, target_lufs: float | None = None, title: str = "Loudness over time"):
    """Momentary (400 ms) and short-term (3 s) loudness over time, with the integrated value and a target.

    ``result`` is a ``producerkit.meters.Loudness``.

    Lesson: course/04-workflow.ipynb
    """
    go = _go()
    fig = _figure()
    m = np.maximum(result.momentary_lufs, -70)
    s = np.maximum(result.short_term_lufs, -70)
    fig.add_trace(go.Scatter(x=result.times_s, y=m, name="momentary", line=dict(color="#aaa", width=1)))
    fig.add_trace(go.Scatter(x=result.times_s, y=s, name="short-term", line=dict(color=COLOR_A, width=2)))
    if np.isfinite(result.integrated_lufs):
        fig.add_hline(
            y=result.integrated_lufs,
            line=dict(color=COLOR_CURVE),
            annotation_text=f"integrated {result.integrated_lufs:.1f} LUFS",
            annotation_position="bottom right",
        )
    if target_lufs is not None:
        fig.add_hline(
            y=target_lufs, line=dict(color=COLOR_B, dash="dash"), annotation_text=f"target {target_lufs:g} LUFS"
        )
    fig.update_xaxes(title_text="time (s)")
    fig.update_yaxes(title_text="loudness (LUFS)", range=[-60, 0])
    return _base_layout(fig, title)


# --------------------------------------------------------------------------- beats

#: How a drummer counts the 16ths of a beat: "1 e & a".
_COUNT = ("", "e", "&", "a")


def _step_labels(steps_per_bar: int = 16, bars: int = 1) -> list[str]:
    """What each step of a grid is called when counted aloud, bars from 1: "1.1", "e", "&", "a", "1.2", ..."""
    per_16th = steps_per_bar // 16
    out = []
    for bar in range(bars):
        for step in range(steps_per_bar):
            if step % per_16th:
                out.append("·")
                continue
            sixteenth = step // per_16th
            beat, sub = divmod(sixteenth, 4)
            out.append(f"{bar + 1}.{beat + 1}" if sub == 0 else _COUNT[sub])
    return out


def pattern_figure(pattern, title: str = "Pattern", row_title: str = "instrument"):
    """A drum pattern as a step sequencer draws it: one row per instrument, a cell per step, darker = louder.

    Columns are counted as a drummer counts ("1.1 e & a 1.2 ...", bars and beats from 1); a thin line marks
    each beat and a thick one each bar. Hover a cell for its MIDI velocity. ``row_title`` names the rows' axis.

    Lesson: course/07-beats.ipynb
    """
    go = _go()
    names = pattern.instruments
    z = np.array([pattern[n] * 127 for n in reversed(names)])
    labels = _step_labels(pattern.steps_per_bar, pattern.bars)
    x = list(range(pattern.steps))
    fig = _figure(go.Heatmap(
        z=np.where(z > 0, z, np.nan), x=x, y=list(reversed(names)), zmin=0, zmax=127, xgap=2, ygap=2,
        colorscale=[[0, "#c6dbef"], [1, "#08306b"]], colorbar=dict(title="velocity", thickness=12),
        hovertemplate="%{y}, step %{x}: velocity %{z:.0f}<extra></extra>",
    ))
    per_beat = pattern.steps_per_bar // 4
    for k in range(per_beat, pattern.steps, per_beat):
        bar_line = k % pattern.steps_per_bar == 0
        fig.add_vline(x=k - 0.5, line=dict(color="#333" if bar_line else "#bbb", width=2 if bar_line else 1))
    every = 1 if pattern.steps <= 32 else 2
    fig.update_xaxes(tickvals=x[::every], ticktext=labels[::every], range=[-0.5, pattern.steps - 0.5],
                     title_text="step (bar.beat, then e & a)", showgrid=False, zeroline=False)  # no line at 1.1
    fig.update_yaxes(showgrid=False, title_text=row_title)
    fig.update_layout(plot_bgcolor="#f4f4f4")
    return _base_layout(fig, title, height=120 + 40 * len(names))


def groove_figure(grooves: dict, title: str = "Timing of each 16th"):
    """How late each 16th of a bar lands, measured from audio: one line per groove (``beats.groove_of``).

    ``grooves`` maps a label ("58 % swing") to a ``Groove``. The x axis counts the bar's 16ths as a drummer
    does; the y axis is each step's mean offset from the straight grid in ms (late is up). Steps where
    nothing plays are left out.

    Lesson: course/07-beats.ipynb
    """
    go = _go()
    if not grooves:
        raise ParameterError("grooves must hold at least one Groove (got none): e.g. {'58 %': groove_of(y, sr, 90)}.")
    fig = _figure()
    colors = [COLOR_A, "#ff7f0e", COLOR_CURVE, COLOR_B, COLOR_GR, "#8c564b"]
    labels = _step_labels(16)
    top = 0.0
    for i, (name, groove) in enumerate(grooves.items()):
        offsets = np.asarray(groove.step_offsets_ms, dtype=float)
        keep = np.isfinite(offsets)
        top = max(top, float(np.nanmax(np.abs(offsets))) if keep.any() else 0.0)
        fig.add_trace(go.Scatter(
            x=np.flatnonzero(keep), y=offsets[keep], name=name, mode="lines+markers",
            line=dict(color=colors[i % len(colors)], width=2), marker=dict(size=8),
            hovertemplate=f"{name}: step %{{x}}, %{{y:.1f}} ms<extra></extra>",
        ))
    fig.update_xaxes(tickvals=list(range(16)), ticktext=labels, range=[-0.5, 15.5],
                     title_text="16th of the bar (beat, then e & a)")
    span = max(10.0, top * 1.15)
    fig.update_yaxes(title_text="late by (ms)", range=[-0.1 * span, span], zeroline=True)
    return _base_layout(fig, title)


# --------------------------------------------------------------------------- spectrogram


def spectrogram_db(
    y, sr: int, columns: int = 800, rows: int = 160, fmin: float = 20.0, fmax: float | None = None,
    n_fft: int | None = None, duration: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A spectrogram on a log-frequency axis in dB: one Hann-windowed frame per time column.

    Frame ``c`` is centred on the middle of column ``c`` (``duration / columns`` seconds each), so a
    whole song and a one-bar clip both come out as wide as the plot, never one value per sample.
    ``n_fft`` defaults to about 93 ms (4096 samples at 44.1 kHz). Power is averaged over the
    channels (as :class:`SmoothedSpectrum` does) and over each row's band (rows are log-spaced from
    ``fmin`` to ``fmax``, default 20 kHz or Nyquist). Read it in relative terms, like the spectra:
    a sine's energy is spread over its row's band and reads a few dB below its peak level.

    Returns:
        ``(times_s, freqs_hz, db)`` with ``db`` of shape ``(rows, columns)``, row 0 the lowest.

    Lesson: not yet taught
    """
    audio, sr = ensure_audio(y, allow_transposed=True), check_sr(sr)
    channels = audio[None, :] if audio.ndim == 1 else audio
    columns, rows = int(columns), int(rows)
    if columns < 1 or rows < 2:
        raise ParameterError(f"a spectrogram needs at least 1 column and 2 rows (got {columns} and {rows}).")
    n = channels.shape[1]
    duration = n / sr if duration is None else float(duration)
    fmax = min(20000.0, sr / 2.0) if fmax is None else float(fmax)
    if not 0 < fmin < fmax <= sr / 2.0:
        raise ParameterError(f"need 0 < fmin < fmax <= sr/2 = {sr / 2:g} Hz (got fmin={fmin:g}, fmax={fmax:g}).")
    n_fft = 1 << int(round(np.log2(sr * 0.093))) if n_fft is None else int(n_fft)
    half = n_fft // 2
    times = (np.arange(columns) + 0.5) * (duration / columns)
    starts = np.clip(np.round(times * sr).astype(np.int64), 0, n + half)  # frame start in the padded signal
    window = np.hanning(n_fft).astype(np.float32)
    power = np.zeros((columns, half + 1))
    for channel in channels:
        padded = np.pad(channel.astype(np.float32, copy=False), (half, half + n_fft))
        frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[starts]
        power += np.abs(np.fft.rfft(frames * window, axis=-1)) ** 2
    power *= 4.0 / np.sum(window) ** 2 / channels.shape[0]
    freqs = np.geomspace(fmin, fmax, rows)
    step = (fmax / fmin) ** (0.5 / (rows - 1))
    bin_hz = sr / n_fft
    lo, hi = freqs / step / bin_hz, freqs * step / bin_hz  # band edges in (fractional) bins
    widen = np.maximum(1.0 - (hi - lo), 0.0) / 2  # at least one bin wide
    lo, hi = np.clip(lo - widen, -0.5, half - 0.5), np.clip(hi + widen, 0.5, half + 0.5)
    edges = np.arange(half + 2) - 0.5
    cumulative = np.concatenate([np.zeros((columns, 1)), np.cumsum(power, axis=1)], axis=1)
    band = np.array([np.interp(hi, edges, row) - np.interp(lo, edges, row) for row in cumulative])
    return times, freqs, power_to_db(band.T / (hi - lo)[:, None])


def spectrogram_figure(y, sr: int, title: str = "Spectrogram", range_db: float = 80.0, columns: int = 800):
    """Level over time and frequency: time across (s), frequency up on a log axis (Hz), level as colour (dB).

    Lesson: not yet taught
    """
    go = _go()
    times, freqs, db = spectrogram_db(y, sr, columns=columns)
    top = float(np.ceil(db.max() / 10.0) * 10.0)
    fig = _figure(go.Heatmap(
        x=times, y=freqs, z=np.round(db, 1), zmin=top - range_db, zmax=top, colorscale="Viridis",
        colorbar=dict(title=dict(text="level (dB)", side="right")),
        hovertemplate="%{x:.2f} s, %{y:.0f} Hz: %{z:.1f} dB<extra></extra>",
    ))
    _base_layout(fig, title)
    tickvals, ticktext = _freq_ticks(freqs[0], freqs[-1])
    fig.update_yaxes(type="log", range=[np.log10(freqs[0]), np.log10(freqs[-1])], title_text="frequency (Hz)",
                     tickvals=tickvals, ticktext=ticktext)
    fig.update_xaxes(title_text="time (s)", range=[0, times[-1] + times[0]])
    return fig


def staircase_figure(answers, drill_name: str = "level", title: str | None = None):
    """A staircase run answer by answer: each trial's level, right or wrong, and the reversals with their step.

    ``answers`` are True (right) and False (wrong) in the order given, from level 1, through a
    ``producerkit.training.Staircase`` (3-down/1-up). Each reversal, where the staircase turned, is
    circled and labelled with the drill's step at that level ("1.3 dB"): the personal threshold is
    the mean of the last 6 of them.

    Lesson: course/05-ear-training.ipynb
    """
    go = _go()
    from .training import Staircase, drill

    d = drill(drill_name)
    unit = f" {d.unit}"
    stairs = Staircase()
    levels, marks, turns = [], [], []
    for i, answer in enumerate(answers, start=1):
        if not isinstance(answer, bool | np.bool_):
            raise ParameterError(f"answers must be True (right) or False (wrong) (got {answer!r} at trial {i}).")
        levels.append(stairs.level)
        before = len(stairs.reversals)
        stairs.update(bool(answer))
        if len(stairs.reversals) > before:
            turns.append((i, stairs.reversals[-1]))
        marks.append(bool(answer))
    x = list(range(1, len(levels) + 1))
    fig = _figure()
    fig.add_trace(go.Scatter(x=x, y=levels, mode="lines", line=dict(color="#bbb", shape="hv"), name="level",
                             hoverinfo="skip", showlegend=False))
    for right, name, symbol, color in ((True, "right", "circle", COLOR_CURVE), (False, "wrong", "x", COLOR_B)):
        xs = [t for t, ok in zip(x, marks, strict=True) if ok is right]
        ys = [lv for lv, ok in zip(levels, marks, strict=True) if ok is right]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers", name=name, marker=dict(symbol=symbol, size=8, color=color),
                                 hovertemplate=f"trial %{{x}}: level %{{y}}, {name}<extra></extra>"))
    if turns:
        fig.add_trace(go.Scatter(
            x=[t for t, _ in turns], y=[lv for _, lv in turns], mode="markers+text", name="reversal",
            marker=dict(symbol="circle-open", size=18, color="#333", line=dict(width=2)),
            text=[f"{d.values[lv - 1]:.{1 if d.unit == 'dB' else 0}f}{unit}" for _, lv in turns],
            textposition="top center",
            hovertemplate="reversal at trial %{x}: level %{y}, step %{text}<extra></extra>"))
    fig.update_xaxes(title_text="trial (in order)", range=[0, max(1, len(levels)) + 1], tickmode="linear", tick0=0,
                     dtick=5 if len(levels) <= 60 else 10)
    fig.update_yaxes(title_text="level (1 easy – 10 hard)", range=[0.5, 10.9], tickmode="linear", tick0=1, dtick=1)
    return _base_layout(fig, title or f"{d.title} drill: the staircase, trial by trial (3 right in a row: harder; "
                        "1 wrong: easier)", height=380)


# ---- lesson 06: space


def decay_curves_figure(irs: dict, sr: int, title: str = "How each reverb dies away", next_hit_s: float | None = None):
    """Each impulse response's energy decay curve (Schroeder backward integral, dB) over time after the hit.

    The curve falls 60 dB in the reverb's RT60 (the dotted line at -60 dB); ``next_hit_s`` draws a dashed
    line where the next hit lands, so a tail that is still ringing there shows at once.

    Lesson: course/06-space.ipynb
    """
    go = _go()
    fig = _figure()
    colors = [COLOR_A, COLOR_CURVE, COLOR_B, "#ff7f0e", COLOR_GR]
    end = 0.0
    for i, (name, ir) in enumerate(irs.items()):
        energy = np.sum(np.atleast_2d(ensure_audio(ir)).astype(np.float64) ** 2, axis=0)
        edc = np.cumsum(energy[::-1])[::-1]
        if not edc.size or edc[0] <= 0:
            raise ParameterError(f"the impulse response {name!r} is silent: pass a reverb's response to a click "
                                 "(a 1 and then zeros, through the reverb), which holds its tail.")
        db = 10 * np.log10(np.maximum(edc / edc[0], 1e-12))
        t, level = decimate_trace(db, sr, points=800, reduce="max")
        keep = level >= -80
        end = max(end, float(t[keep][-1]))
        fig.add_trace(go.Scatter(x=t[keep], y=level[keep], name=name,
                                 line=dict(color=colors[i % len(colors)], width=2.5),
                                 hovertemplate="%{x:.2f} s: %{y:.0f} dB"))
    fig.add_hline(y=-60.0, line=dict(color="#999", dash="dot"), annotation_text="−60 dB: the RT60",
                  annotation_position="bottom left")
    if next_hit_s is not None:
        fig.add_vline(x=float(next_hit_s), line=dict(color="#555", dash="dash"),
                      annotation_text=f"next hit, {next_hit_s * 1000:.0f} ms", annotation_position="top right")
    step = _round_step(max(end, 0.01))
    fig.update_xaxes(title_text="time after the hit (s)", range=[0, float(np.ceil(end / step) * step)], dtick=step)
    fig.update_yaxes(title_text="reverb energy still to come (dB)", range=[-80, 0], dtick=10)
    return _base_layout(fig, title)


def echoes_figure(delays: dict, sr: int, bpm: float, beats: int = 4, title: str = "Where the echoes land"):
    """The echoes of each delay as bars on a grid of beats: one row per delay, height = the echo's level.

    x counts beats after the note (beat lines solid, 16ths light), so a dotted eighth lands on 0.75,
    1.5, 2.25 ... and a 1/8 triplet on 1/3, 2/3, 1 ...; hover shows each echo's time in ms and level in dB.

    Lesson: course/06-space.ipynb
    """
    go = _go()
    bpm = in_range("bpm", bpm, 20, 400, unit="BPM", hint="the song's tempo")
    beats = whole("beats", beats, 1, 32, hint="how many beats after the note to show; 4 is a bar of 4/4")
    names = list(delays)
    fig = _figure(rows=len(names), cols=1, shared_xaxes=True, vertical_spacing=0.05,
                        subplot_titles=names)
    beat_s = 60.0 / bpm
    colors = [COLOR_A, COLOR_CURVE, COLOR_B, "#ff7f0e", COLOR_GR]
    for row, (name, delay) in enumerate(delays.items(), 1):
        count = max(1, int(np.floor(beats * beat_s / delay.time_s + 1e-9)))
        times = delay.echo_positions(sr, count) / sr
        levels = delay.feedback ** np.arange(count) if delay.feedback > 0 else np.r_[1.0, np.zeros(count - 1)]
        keep = levels > 0
        fig.add_trace(go.Bar(x=times[keep] / beat_s, y=levels[keep], width=0.06, name=name,
                             marker_color=colors[(row - 1) % len(colors)],
                             customdata=np.c_[times[keep] * 1000, 20 * np.log10(levels[keep])],
                             hovertemplate="%{customdata[0]:.0f} ms, %{customdata[1]:.1f} dB"), row=row, col=1)
        fig.add_trace(go.Bar(x=[0.0], y=[1.0], width=0.06, name="the note", marker_color="#444",
                             showlegend=row == 1, hovertemplate="the note"), row=row, col=1)
        fig.update_yaxes(title_text="level (× note)", title_font_size=11, range=[0, 1.1], dtick=0.5, row=row, col=1)
    fig.update_xaxes(range=[-0.1, beats + 0.1], dtick=1, showgrid=True, gridcolor="#888", gridwidth=1.5)  # beats
    sixteenths = [dict(type="line", xref="x" if row == 1 else f"x{row}", yref=f"y{'' if row == 1 else row} domain",
                       x0=k / 4, x1=k / 4, y0=0, y1=1, layer="below", line=dict(color="#e3e3e3", width=1))
                  for row in range(1, len(names) + 1) for k in range(4 * beats) if k % 4]
    fig.update_layout(shapes=sixteenths)  # one update: add_vline per line is slow on subplots
    fig.update_xaxes(title_text=f"beats after the note at {bpm:g} BPM (one beat = {beat_s * 1000:.0f} ms)",
                     row=len(names), col=1)
    _base_layout(fig, title, height=130 + 130 * len(names))
    fig.update_layout(showlegend=False, bargap=0)
    return fig


def onset_figure(signals: dict, sr: int, start_s: float, length_ms: float = 200.0,
                 title: str = "The first moments of a note"):
    """Levels (5 ms RMS, dBFS) of several signals from ``start_s`` on, over ``length_ms``: e.g. a dry voice and
    its reverb with two pre-delays, to see when the reverb arrives.

    Lesson: course/06-space.ipynb
    """
    go = _go()
    fig = _figure()
    colors = ["#444", COLOR_B, COLOR_A, COLOR_CURVE]
    sr = check_sr(sr)
    start_s = in_range("start_s", start_s, 0.0, 3600.0, unit="s", hint="where the note starts in the audio")
    length_ms = in_range("length_ms", length_ms, 5.0, 10000.0, unit="ms", hint="a few hundred ms show an onset")
    hop = max(1, int(round(0.005 * sr)))
    start = int(round(start_s * sr))
    n = int(round(length_ms / 5))
    for i, (name, y) in enumerate(signals.items()):
        mono = to_mono(ensure_audio(y)).astype(np.float64)[start:start + n * hop]
        mono = np.pad(mono, (0, n * hop - mono.size))
        level = power_to_db((mono.reshape(n, hop) ** 2).mean(axis=1))
        t = (np.arange(n) + 0.5) * 5.0
        fig.add_trace(go.Scatter(x=t, y=np.maximum(level, -90), name=name, mode="lines",
                                 line=dict(color=colors[i % len(colors)], width=3 if i == 0 else 2,
                                           shape="hv"), hovertemplate="%{x:.0f} ms: %{y:.0f} dBFS"))
    step = _round_step(length_ms)
    fig.update_xaxes(title_text="time from the note's start (ms)", range=[0, length_ms], dtick=step)
    fig.update_yaxes(title_text="level (dBFS)", range=[-90, 0], dtick=10)
    return _base_layout(fig, title)


# ---- lesson 10: mastering


def true_peak_zoom(y, sr: int, window_ms: float = 1.0) -> dict:
    """Where ``y``'s true peak is, and the samples and the 4x oversampled wave around it.

    Returns a dict: ``channel``, ``time_s`` (of the true peak), ``sample_peak`` and ``true_peak`` (linear,
    the highest sample and the highest 4x value in the whole clip), and for the ``window_ms`` around the
    peak: ``t_samples``/``samples`` and ``t_wave``/``wave`` (times in ms from the peak).

    Lesson: not yet taught
    """
    from .audio import as_channels
    from .meters import oversample_4x

    sr = check_sr(sr)
    x = as_channels(ensure_audio(y))
    up = oversample_4x(x)
    channel, index = np.unravel_index(int(np.argmax(np.abs(up))), up.shape)
    half = max(2, int(round(window_ms / 1000 * sr / 2)))
    centre = index // 4
    lo, hi = max(0, centre - half), min(x.shape[1], centre + half + 1)
    t_peak = index / (4 * sr)
    t_samples = (np.arange(lo, hi) / sr - t_peak) * 1000
    t_wave = (np.arange(lo * 4, hi * 4 - 3) / (4 * sr) - t_peak) * 1000
    return {"channel": int(channel), "time_s": float(t_peak), "sample_peak": float(np.abs(x).max()),
            "true_peak": float(np.abs(up[channel, index])), "t_samples": t_samples, "samples": x[channel, lo:hi],
            "t_wave": t_wave, "wave": up[channel, lo * 4:hi * 4 - 3]}


def true_peak_figure(y, sr: int, window_ms: float = 1.0, title: str = "Between the samples: the true peak"):
    """A few samples around ``y``'s true peak, and the wave a DAC draws through them (4x oversampled).

    The samples are dots; the line is what the BS.1770 true-peak meter (and a DAC, and an encoder)
    reconstructs between them; the dashed line is full scale (0 dBFS) on the peak's side. A wave that
    crests over it between two samples is an inter-sample over. The amplitude axis is zoomed to the
    peak's side (0.6 to a little past the peak, negative for a negative peak), so an over of a few
    hundredths of full scale is plain to see.

    Lesson: course/10-mastering.ipynb
    """
    go = _go()
    zoom = true_peak_zoom(y, sr, window_ms)
    sign = np.sign(zoom["wave"][np.argmax(np.abs(zoom["wave"]))]) or 1.0
    fig = _figure()
    fig.add_trace(go.Scatter(x=zoom["t_wave"], y=zoom["wave"], mode="lines", name="the wave (4x oversampled)",
                             line=dict(color=COLOR_A, width=2)))
    fig.add_trace(go.Scatter(x=zoom["t_samples"], y=zoom["samples"], mode="markers", name="the samples",
                             marker=dict(color=COLOR_B, size=9)))
    fig.add_hline(y=sign * 1.0, line=dict(color="#555", dash="dash", width=1))
    tp_db, sp_db = 20 * np.log10(zoom["true_peak"]), 20 * np.log10(zoom["sample_peak"])
    fig.add_annotation(x=0, y=sign * zoom["true_peak"], text=f"true peak {tp_db:+.2f} dBTP", showarrow=True,
                       arrowhead=2, ax=60, ay=30 * sign)
    side = "+1" if sign > 0 else "-1"
    fig.add_annotation(x=zoom["t_samples"][0], y=sign * 1.0, xanchor="left", yanchor="top" if sign > 0 else "bottom",
                       text=f"full scale ({side}, 0 dBFS); highest sample {sp_db:+.2f} dBFS", showarrow=False)
    top = max(1.1, float(np.ceil(zoom["true_peak"] * 20 + 1) / 20))  # a little past the peak, on a 0.05 step
    low = 0.6
    fig.update_xaxes(title_text=f"time from the true peak at {zoom['time_s']:.2f} s (ms)", dtick=0.2)
    fig.update_yaxes(title_text="amplitude near the peak (FS)",
                     range=sorted([sign * low, sign * top]), dtick=0.1)
    return _base_layout(fig, title)


def chain_stages_figure(stages: dict, sr: int, title: str = "What each stage does to loudness and crest factor"):
    """Loudness (LUFS) and crest factor (dB) after each stage of a mastering chain, as two bar charts.

    ``stages`` maps a stage's name to the audio after it, in chain order (``{"mix": mix, "EQ": ...}``).

    Lesson: course/10-mastering.ipynb
    """
    from .meters import crest_factor_db, integrated_loudness

    go = _go()
    names = list(stages)
    lufs = [float(integrated_loudness(a, sr)) for a in stages.values()]
    lufs = [v if np.isfinite(v) else None for v in lufs]  # a silent stage has no loudness to draw (-inf LUFS)
    crest = [float(crest_factor_db(a)) for a in stages.values()]
    fig = _figure(rows=1, cols=2, subplot_titles=("integrated loudness", "crest factor (peak - RMS)"),
                        horizontal_spacing=0.12)
    fig.add_trace(go.Bar(x=names, y=lufs, marker_color=COLOR_A,
                         text=["silent" if v is None else f"{v:.1f}" for v in lufs],
                         textposition="outside", name="loudness (LUFS)"), row=1, col=1)
    fig.add_trace(go.Bar(x=names, y=crest, marker_color=COLOR_B, text=[f"{v:.1f}" for v in crest],
                         textposition="outside", name="crest factor (dB)"), row=1, col=2)
    fig.update_yaxes(title_text="loudness (LUFS)", range=[-30, 0], dtick=5, row=1, col=1)
    fig.update_yaxes(title_text="crest factor (dB)", range=[0, 25], dtick=5, row=1, col=2)
    fig.update_xaxes(title_text="stage, in order", row=1, col=1)
    fig.update_xaxes(title_text="stage, in order", row=1, col=2)
    _base_layout(fig, title, height=400)
    fig.update_layout(showlegend=False)
    return fig


# ---- lesson 11: business


def history_figure(eras=None, title: str = "The producer's role, 1950s to the 2020s (hover an era for what changed)"):
    """The history of the producer's role as an interactive timeline: one bar per era, what changed on hover.

    ``eras`` defaults to :data:`producerkit.business.HISTORY`; each bar runs from the era's first year
    to the next era's, labelled with its name and headline, and its hover text lists what changed and
    the producers who shaped it.

    Lesson: course/11-business.ipynb
    """
    go = _go()
    from .business import HISTORY

    eras = HISTORY if eras is None else tuple(eras)
    if not eras:
        raise ParameterError("eras must hold at least one era (see producerkit.business.HISTORY).")
    labels = [f"{e.name} · {e.headline}" for e in eras]
    hover = []
    for e in eras:
        lines = [f"<b>{e.name}</b>: {e.headline}"] + [f"• {c}" for c in e.changes]
        if e.producers:
            lines.append("producers: " + ", ".join(e.producers))
        hover.append("<br>".join(lines))
    shades = ("#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b")
    colors = [shades[round(i * (len(shades) - 1) / max(1, len(eras) - 1))] for i in range(len(eras))]
    fig = _figure(go.Bar(
        orientation="h", y=labels, base=[e.start for e in eras], x=[e.end - e.start for e in eras],
        marker=dict(color=colors, line=dict(color="#08306b", width=1)), customdata=hover,
        hovertemplate="%{customdata}<extra></extra>", name="era", showlegend=False,
    ))
    start = 10 * (min(e.start for e in eras) // 10)
    end = 10 * -(-max(e.end for e in eras) // 10)
    fig.update_xaxes(title_text="when (year)", range=[start, end], tickmode="linear", tick0=start, dtick=10,
                     tickformat="d", showgrid=True)
    fig.update_yaxes(title_text="era", autorange="reversed", automargin=True, categoryorder="array",
                     categoryarray=labels)
    _base_layout(fig, title, height=90 + 52 * len(eras))
    fig.update_layout(margin=dict(l=20, r=30, t=60, b=50), hoverlabel=dict(align="left"), bargap=0.25)
    return fig


# ---- lesson 12: capstone


def tuning_figure(before, after=None, tolerance_cents: float = 10.0,
                  title: str = "How far each note sits off pitch, before and after tuning",
                  labels: tuple[str, str] = ("as sung", "tuned")):
    """Each note's distance from its nearest note (cents) over time: markers before and after a correction.

    ``before`` and ``after`` are lists of ``editing.NotePitch`` (``start``, ``end``, ``note``, ``cents``); the
    band of ±``tolerance_cents`` around 0 is in tune. ``labels`` names the two in the legend.

    Lessons: 08, 12
    """
    go = _go()
    tolerance_cents = in_range("tolerance_cents", tolerance_cents, 0.0, 100.0, unit="cents",
                               hint="10 cents is a tuning editor's usual tolerance")
    fig = _figure()
    fig.add_hrect(y0=-tolerance_cents, y1=tolerance_cents, fillcolor=COLOR_CURVE, opacity=0.15, line_width=0)
    for name, notes, colour in ((labels[0], before, COLOR_A), (labels[1], after, COLOR_B)):
        if not notes:
            continue
        fig.add_trace(go.Scatter(
            x=[0.5 * (n.start + n.end) for n in notes], y=[float(n.cents) for n in notes], mode="markers+text",
            name=name, marker=dict(color=colour, size=11), text=[n.note for n in notes],
            textposition="top center", error_x=dict(type="data", array=[0.5 * (n.end - n.start) for n in notes],
                                                    width=0, color=colour),
            hovertemplate="%{text}: %{y:+.0f} cents<extra>" + name + "</extra>"))
    end = max([n.end for n in (before or []) + list(after or [])] or [1.0])
    fig.update_xaxes(title_text="time into the phrase (s)", range=[0, float(np.ceil(end))], dtick=1)
    fig.update_yaxes(title_text="off the nearest note (cents)", range=[-60, 60], dtick=20, zeroline=True)
    return _base_layout(fig, title, height=360)


def release_loudness_figure(rows, target_lufs: float, ceiling_dbtp: float,
                            title: str = "Loudness and true peak, from the demo to the master"):
    """Integrated loudness (LUFS) and true peak (dBTP) of each version (demo, mix, master) beside the targets.

    ``rows`` are objects with ``label``, ``lufs`` and ``dbtp`` (``capstone.VersionLoudness``), in order.

    Lesson: course/12-capstone.ipynb
    """
    go = _go()
    names = [r.label for r in rows]
    fig = _figure(rows=1, cols=2, subplot_titles=("integrated loudness", "true peak"), horizontal_spacing=0.12)
    for col, values, colour, unit, line, label in (
            (1, [r.lufs for r in rows], COLOR_A, "LUFS", target_lufs, f"target {target_lufs:g} LUFS"),
            (2, [r.dbtp for r in rows], COLOR_B, "dBTP", ceiling_dbtp, f"ceiling {ceiling_dbtp:g} dBTP")):
        fig.add_trace(go.Scatter(x=names, y=values, mode="lines+markers+text", marker=dict(color=colour, size=14),
                                 line=dict(color=colour, width=1), text=[f"{v:.1f} {unit}" for v in values],
                                 textposition="bottom center", name=unit,
                                 hovertemplate="%{x}: %{y:.1f} " + unit + "<extra></extra>"), row=1, col=col)
        fig.add_hline(y=line, line=dict(color="#333", dash="dash"), annotation_text=label,
                      annotation_position="top left", row=1, col=col)
    fig.update_yaxes(title_text="integrated loudness (LUFS)", range=[-35, 0], dtick=5, row=1, col=1)
    fig.update_yaxes(title_text="true peak (dBTP)", range=[-20, 0], dtick=5, row=1, col=2)
    fig.update_xaxes(range=[-0.5, len(names) - 0.5])
    fig.update_xaxes(title_text="version", row=1, col=1)
    fig.update_xaxes(title_text="version", row=1, col=2)
    _base_layout(fig, title, height=400)
    fig.update_layout(showlegend=False)
    return fig


# ---- lesson 09: mixing


def mix_balance_figure(balances: dict, title: str = "How loud each track sits against the whole mix"):
    """Each track's loudness against the whole mix (LU), one group of bars per track, one colour per mix.

    ``balances`` maps a mix's name to its ``tracks`` dict (track -> LU against the mix), as
    :func:`producerkit.checks.mixing.balance` returns under ``"tracks"``. 0 LU would be a track as loud as the
    whole mix; the taller (nearer 0) a bar, the more that track leads.

    Lesson: course/09-mixing.ipynb
    """
    go = _go()
    colors = [COLOR_A, COLOR_B, COLOR_CURVE, "#ff7f0e"]
    fig = _figure()
    lowest = -6.0
    for i, (name, tracks) in enumerate(balances.items()):
        names = list(tracks)
        values = [float(tracks[n]) for n in names]
        lowest = min(lowest, *[v for v in values if np.isfinite(v)])
        fig.add_trace(go.Bar(x=names, y=values, name=name, marker_color=colors[i % len(colors)],
                             text=[f"{v:.1f}" for v in values], textposition="outside",
                             hovertemplate="%{x}: %{y:.1f} LU under the mix<extra>" + name + "</extra>"))
    bottom = 5.0 * np.floor((lowest - 3.0) / 5.0)
    fig.update_yaxes(title_text="loudness against the whole mix (LU)", range=[bottom, 0], dtick=5)
    fig.update_xaxes(title_text="track")
    _base_layout(fig, title, height=400)
    fig.update_layout(barmode="group")
    return fig


# ---- lesson 08: recording


def mic_response_figure(mics: dict, title: str = "What the mic hears", *, notches=None, normalise_hz=None,
                        fmin: float = 20.0, fmax: float = 20000.0):
    """Frequency responses (dB) of microphones, or of two mics summed, on a log-frequency axis.

    ``mics`` maps a name to anything with a ``response(freqs)`` (a :class:`producerkit.recording.Mic` or
    ``MicPair``). ``normalise_hz=1000`` sets each curve to 0 dB there, to compare shapes (the proximity
    effect) rather than levels; otherwise 0 dB is an on-axis mic at 1 m. ``notches`` draws the frequencies
    where a comb is predicted to cancel as dotted lines.

    Lesson: course/08-recording.ipynb
    """
    go = _go()
    fig = _figure()
    freqs = log_freqs(600, fmin, fmax)
    colors = [COLOR_A, COLOR_B, COLOR_CURVE, "#ff7f0e", "#8c564b", "#e377c2"]
    lows, highs = [], []
    for i, (name, mic) in enumerate(mics.items()):
        db = 20 * np.log10(np.maximum(np.abs(mic.response(freqs)), 1e-6))
        if normalise_hz is not None:
            db = db - 20 * np.log10(max(abs(complex(mic.response([normalise_hz])[0])), 1e-6))
        fig.add_trace(go.Scatter(x=freqs, y=db, name=name, line=dict(color=colors[i % len(colors)], width=2),
                                 hovertemplate="%{x:.0f} Hz: %{y:.1f} dB<extra>" + name + "</extra>"))
        shown = db[(freqs >= max(fmin, 40.0)) & (freqs <= fmax)]
        lows.append(float(np.percentile(shown, 2)))
        highs.append(float(shown.max()))
    step = 6.0 if max(highs) - min(lows) <= 30 else 10.0  # 6 dB ticks on a close view, 10 dB on a wide one
    top = step * np.ceil(max(highs) / step + 0.5)
    bottom = max(step * np.floor(min(lows) / step - 0.5), top - 60)
    marks = [float(f) for f in ([] if notches is None else notches) if fmin <= f <= fmax]
    if marks:  # vertical dotted lines as one trace (data coordinates, right on a log axis)
        xs = [v for f in marks for v in (f, f, None)]
        ys = [v for _ in marks for v in (float(bottom), float(top), None)]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="predicted notches", hoverinfo="skip",
                                 line=dict(color="#7f7f7f", dash="dot", width=1)))
    _freq_axis(fig, fmin=fmin, fmax=fmax)
    fig.update_yaxes(title_text="level (dB)" if normalise_hz is None else f"level against {_hz(normalise_hz)} (dB)",
                     range=[float(bottom), float(top)], dtick=step)
    return _base_layout(fig, title)
