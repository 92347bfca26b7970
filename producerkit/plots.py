"""Plotly figures for the lessons: one function per picture.

Each ``*_figure`` function returns a ``plotly.graph_objects.Figure``. The numbers behind a
figure come from small, fast functions (``spectrum_db``, ``waveform_envelope``) that the live
widgets call on every slider move, so a redraw only swaps trace data.

Frequencies are drawn on a logarithmic axis from 20 Hz to 20 kHz, levels in dB, times in
seconds: the units a producer reads.

Lessons: 00, 01, 02, 03, 04
"""

from __future__ import annotations

import numpy as np

from .audio import ensure_audio, power_to_db, to_mono
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


# --------------------------------------------------------------------------- the numbers


def default_n_fft(sr: int) -> int:
    """The FFT length the spectra use: the shortest power of two with bins at most 3 Hz apart.

    16384 at 44.1 and 48 kHz (2.7 and 2.9 Hz). A log axis spends as much width on 20-40 Hz as on
    10-20 kHz, so the low end needs fine bins or a spectrum draws as a staircase there.

    Lesson: not yet taught
    """
    return 1 << int(np.ceil(np.log2(sr / 3.0)))


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
    y = to_mono(ensure_audio(y))
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
        template="plotly_white",
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
    fig = go.Figure()
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
    fig.update_yaxes(title_text="level (dB)")
    fig.update_layout(hovermode="x unified")
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
    for i, (name, lo, hi) in enumerate(FREQUENCY_RANGES):
        lo, hi = max(lo, fmin), min(hi, fmax)
        if hi <= lo:
            continue
        fig.add_vrect(x0=lo, x1=hi, fillcolor="#888" if i % 2 else "#bbb", opacity=0.08, line_width=0)
        # A vrect's own annotation takes log10 positions on a log axis: place the name by hand.
        fig.add_annotation(
            x=float(np.log10(np.sqrt(lo * hi))), y=1.0, xref="x", yref="paper", text=name, showarrow=False,
            yanchor="top", font=dict(size=10, color="#666"),
        )


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
    from plotly.subplots import make_subplots

    from .eq import Peak

    bell = Peak(1000, gain_db=9) if bell is None else bell
    freqs = log_freqs(400)
    fig = make_subplots(
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
    from plotly.subplots import make_subplots

    freqs = log_freqs()
    fig = make_subplots(specs=[[{"secondary_y": True}]])
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
    fig = go.Figure()
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
    from plotly.subplots import make_subplots

    levels = np.linspace(-60, 0, 241)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
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
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.65, 0.35], vertical_spacing=0.06)
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
        fig = go.Figure()
        for i, (name, y) in enumerate(signals.items()):
            fig.add_trace(_envelope_trace(go, y, sr, name, colors[i % len(colors)]))
        fig.update_xaxes(title_text="time (s)")
        fig.update_yaxes(title_text="amplitude (FS)", range=[-1, 1], dtick=0.5)
        return _base_layout(fig, title)
    from plotly.subplots import make_subplots

    rows = len(signals)
    fig = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.1 / rows,
                        subplot_titles=list(signals))
    for i, (name, y) in enumerate(signals.items()):
        fig.add_trace(_envelope_trace(go, y, sr, name, colors[i % len(colors)]), row=i + 1, col=1)
        fig.update_yaxes(title_text="amplitude (FS)", title_font_size=11, range=[-1, 1], dtick=1, row=i + 1, col=1)
    fig.update_xaxes(title_text="time (s)", row=rows, col=1)
    _base_layout(fig, title, height=140 + 150 * rows)
    fig.update_layout(showlegend=False)
    return fig


def loudness_figure(result, target_lufs: float | None = None, title: str = "Loudness over time"):
    """Momentary (400 ms) and short-term (3 s) loudness over time, with the integrated value and a target.

    ``result`` is a ``producerkit.meters.Loudness``.

    Lesson: course/04-workflow.ipynb
    """
    go = _go()
    fig = go.Figure()
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
