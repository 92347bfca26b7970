"""Plotly figures for the lessons: one function per picture.

Each ``*_figure`` function returns a ``plotly.graph_objects.Figure``. The numbers behind a
figure come from small, fast functions (``spectrum_db``, ``waveform_envelope``) that the live
widgets call on every slider move, so a redraw only swaps trace data.

Frequencies are drawn on a logarithmic axis from 20 Hz to 20 kHz, levels in dB, times in
seconds: the units a producer reads.

Lesson: course/01-eq.ipynb
"""

from __future__ import annotations

import numpy as np

from .audio import ensure_audio, power_to_db, to_mono

#: The colours used for "before" and "after" everywhere, so A and B always look the same.
COLOR_A = "#1f77b4"
COLOR_B = "#d62728"
COLOR_CURVE = "#2ca02c"
COLOR_GR = "#9467bd"

#: Musical names for frequency ranges, used to shade spectrum plots.
FREQUENCY_RANGES = (
    ("sub", 20, 60),
    ("bass", 60, 250),
    ("low-mids", 250, 500),
    ("mids", 500, 2000),
    ("presence", 2000, 6000),
    ("air", 6000, 20000),
)


def _go():
    import plotly.graph_objects as go

    return go


def log_freqs(n: int = 400, fmin: float = 20.0, fmax: float = 20000.0) -> np.ndarray:
    """``n`` frequencies spaced evenly per octave from ``fmin`` to ``fmax`` Hz.

    Lesson: course/01-eq.ipynb
    """
    return np.geomspace(fmin, fmax, n)


# --------------------------------------------------------------------------- the numbers


class SmoothedSpectrum:
    """A clip's long-term average spectrum, kept per FFT bin so a filtered version is instant.

    Welch's method on the mono sum: Hann windows of ``n_fft`` samples with 50 % overlap, power
    averaged over at most 64 frames spread over the clip (fast enough for a live slider), then
    averaged over 1/6 octave around each of ``freqs`` so a student sees the tonal balance rather
    than the noise. Read it in relative terms: differences between two curves are exact dB, while
    a lone sine's energy is spread over its band and reads below its peak level. White noise draws
    flat; pink noise (and most music) falls 3 dB per octave.

    For a linear filter H the Welch power of the filtered clip is |H|^2 times this power (up to
    the Hann window's leakage), so ``db(gain_db)`` with a response sampled at ``bin_freqs[used]``
    draws the "after" spectrum without analysing the filtered audio again.

    Lesson: course/01-eq.ipynb
    """

    def __init__(self, y, sr: int, freqs: np.ndarray | None = None, n_fft: int = 4096) -> None:
        mono = to_mono(ensure_audio(y))
        if mono.size < n_fft:
            mono = np.pad(mono, (0, n_fft - mono.size))
        hop = n_fft // 2
        n_frames = 1 + (mono.size - n_fft) // hop
        starts = np.linspace(0, (n_frames - 1) * hop, min(n_frames, 64)).astype(int)
        frames = np.lib.stride_tricks.sliding_window_view(mono, n_fft)[starts]
        window = np.hanning(n_fft).astype(np.float32)
        power = np.mean(np.abs(np.fft.rfft(frames * window, axis=-1)) ** 2, axis=0)
        self.power = power * (4.0 / np.sum(window) ** 2)
        self.bin_freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
        self.freqs = log_freqs() if freqs is None else np.asarray(freqs, dtype=np.float64)
        lo = np.searchsorted(self.bin_freqs, self.freqs * 2 ** (-1 / 12))
        hi = np.maximum(np.searchsorted(self.bin_freqs, self.freqs * 2 ** (1 / 12)), lo + 1)
        self._hi = np.minimum(hi, self.power.size)
        self._lo = np.minimum(lo, self._hi - 1)
        #: the bins the smoothing reads: the only ones a filter's response is needed at
        self.used = np.arange(self._lo.min(), self._hi.max())

    def db(self, gain_db_at_used: np.ndarray | None = None) -> np.ndarray:
        """The smoothed spectrum in dB at ``freqs``, optionally through a filter (dB at ``bin_freqs[used]``)."""
        power = self.power
        if gain_db_at_used is not None:
            power = power.copy()
            power[self.used] *= 10.0 ** (np.asarray(gain_db_at_used) / 10.0)
        cumulative = np.concatenate([[0.0], np.cumsum(power)])
        return power_to_db((cumulative[self._hi] - cumulative[self._lo]) / (self._hi - self._lo))


def spectrum_db(y, sr: int, freqs: np.ndarray | None = None, n_fft: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """The long-term average spectrum of ``y`` in dB at ``freqs`` (log-spaced by default).

    See :class:`SmoothedSpectrum` for the method. A longer ``n_fft`` resolves the low end finer
    (4096 at 44.1 kHz gives 10.8 Hz bins; 32768 separates a kick's 50 Hz from a bass's 55 Hz).

    Lesson: course/01-eq.ipynb
    """
    spectrum = SmoothedSpectrum(y, sr, freqs, n_fft)
    return spectrum.freqs, spectrum.db()


def slice_blocks(values: np.ndarray, sr: int, points: int) -> tuple[np.ndarray, np.ndarray]:
    """A 1-D array cut into ``points`` equal slices, as a ``(points, n)`` view, with each slice's centre time.

    The samples that do not fill a last slice are left out. Takes a plain 1-D array, unvalidated:
    the step behind :func:`waveform_envelope` and :func:`decimate_trace`, for code that already
    holds checked audio.

    Lesson: course/02-compression.ipynb
    """
    points = max(1, min(points, values.size))
    usable = (values.size // points) * points
    times = (np.arange(points) + 0.5) * (usable / points) / sr
    return times, values[:usable].reshape(points, -1)


def waveform_envelope(y, sr: int, points: int = 2000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Min and max of the mono sum in ``points`` equal slices: a waveform that plots fast.

    Returns ``(times, lows, highs)`` with times in seconds.

    Lesson: course/02-compression.ipynb
    """
    times, blocks = slice_blocks(to_mono(ensure_audio(y)), sr, points)
    return times, blocks.min(axis=1), blocks.max(axis=1)


def decimate_trace(values, sr: int, points: int = 2000, reduce: str = "max") -> tuple[np.ndarray, np.ndarray]:
    """A per-sample trace (gain reduction, level) reduced to ``points`` values for plotting.

    Lesson: course/02-compression.ipynb
    """
    times, blocks = slice_blocks(np.asarray(values, dtype=np.float32), sr, points)
    return times, (blocks.max(axis=1) if reduce == "max" else blocks.mean(axis=1))


def level_histogram(y, sr: int, window_ms: float = 10.0, bins: np.ndarray | None = None):
    """How often the signal sits at each level: short-window RMS levels in dBFS, counted per bin.

    The distribution a compressor's threshold is set against. Returns ``(bin_centres_db, fraction)``.

    Lesson: course/02-compression.ipynb
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


def _freq_axis(fig, row=None, col=None):
    fig.update_xaxes(
        type="log",
        range=[np.log10(20), np.log10(20000)],
        title_text="frequency (Hz)",
        tickvals=[20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000],
        ticktext=["20", "50", "100", "200", "500", "1k", "2k", "5k", "10k", "20k"],
        row=row,
        col=col,
    )


def _base_layout(fig, title: str, height: int = 380):
    fig.update_layout(
        title=title,
        height=height,
        template="plotly_white",
        margin=dict(l=60, r=20, t=50, b=50),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
    )
    return fig


# --------------------------------------------------------------------------- figures


def spectrum_figure(signals: dict, sr: int, title: str = "Average spectrum", ranges: bool = True):
    """Average spectra of several signals on one log-frequency plot, e.g. ``{"before": a, "after": b}``.

    With ``ranges=True`` the sub, bass, low-mids, mids, presence and air ranges are shaded and named.

    Lesson: course/01-eq.ipynb
    """
    go = _go()
    fig = go.Figure()
    colors = [COLOR_A, COLOR_B, COLOR_CURVE, "#ff7f0e", "#8c564b", "#e377c2"]
    for i, (name, y) in enumerate(signals.items()):
        freqs, db = spectrum_db(y, sr)
        fig.add_trace(go.Scatter(x=freqs, y=db, name=name, mode="lines", line=dict(color=colors[i % len(colors)])))
    if ranges:
        _shade_ranges(fig)
    _freq_axis(fig)
    fig.update_yaxes(title_text="level (dB)")
    return _base_layout(fig, title)


def _shade_ranges(fig):
    for i, (name, lo, hi) in enumerate(FREQUENCY_RANGES):
        fig.add_vrect(
            x0=lo,
            x1=hi,
            fillcolor="#888" if i % 2 else "#bbb",
            opacity=0.08,
            line_width=0,
            annotation_text=name,
            annotation_position="top left",
            annotation_font_size=10,
        )


def eq_figure(eq, sr: int, y=None, processed=None, title: str = "EQ curve"):
    """The EQ's frequency response (right axis, dB of boost/cut) over the signal's spectrum before and after.

    ``eq`` is anything with ``response(freqs, sr)``: an ``EQ`` chain or a single band.

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
    fig.update_yaxes(title_text="EQ gain (dB)", range=[-24, 24], secondary_y=True, zeroline=True)
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
    _freq_axis(fig)
    fig.update_yaxes(title_text="gain (dB)")
    return _base_layout(fig, title or f"{type(matched).__name__} at {sr} Hz: matched vs RBJ")


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
    fig.update_xaxes(title_text="input level (dBFS)", range=[-60, 0])
    fig.update_yaxes(title_text="output level (dBFS)", range=[-60, 6], secondary_y=False)
    fig.update_yaxes(title_text="% of time", secondary_y=True, showgrid=False)
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


def gain_reduction_figure(y, processed, gain_reduction_db, sr: int, title: str = "Input, output and gain reduction"):
    """Input and output waveforms with the gain-reduction trace (dB, drawn downwards) underneath.

    Lesson: course/02-compression.ipynb
    """
    go = _go()
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.65, 0.35], vertical_spacing=0.06)
    for name, sig, color in (("input", y, COLOR_A), ("output", processed, COLOR_B)):
        fig.add_trace(_envelope_trace(go, sig, sr, name, color), row=1, col=1)
    t, gr = decimate_trace(gain_reduction_db, sr)
    fig.add_trace(go.Scatter(x=t, y=-gr, name="gain reduction", line=dict(color=COLOR_GR)), row=2, col=1)
    fig.update_yaxes(title_text="amplitude", range=[-1, 1], row=1, col=1)
    fig.update_yaxes(title_text="GR (dB)", row=2, col=1)
    fig.update_xaxes(title_text="time (s)", row=2, col=1)
    return _base_layout(fig, title, height=460)


def waveform_figure(signals: dict, sr: int, title: str = "Waveform"):
    """Waveforms (min/max envelopes) of one or more signals over time.

    Lesson: course/02-compression.ipynb
    """
    go = _go()
    fig = go.Figure()
    colors = [COLOR_A, COLOR_B, COLOR_CURVE, "#ff7f0e"]
    for i, (name, y) in enumerate(signals.items()):
        fig.add_trace(_envelope_trace(go, y, sr, name, colors[i % len(colors)]))
    fig.update_xaxes(title_text="time (s)")
    fig.update_yaxes(title_text="amplitude", range=[-1, 1])
    return _base_layout(fig, title)


def loudness_figure(result, target_lufs: float | None = None, title: str = "Loudness over time"):
    """Momentary (400 ms) and short-term (3 s) loudness over time, with the integrated value and a target.

    ``result`` is a ``producerkit.meters.Loudness``.

    Lesson: course/04-workflow.ipynb
    """
    go = _go()
    fig = go.Figure()
    m = np.maximum(result.momentary, -70)
    s = np.maximum(result.short_term, -70)
    fig.add_trace(go.Scatter(x=result.times, y=m, name="momentary", line=dict(color="#aaa", width=1)))
    fig.add_trace(go.Scatter(x=result.times, y=s, name="short-term", line=dict(color=COLOR_A, width=2)))
    if np.isfinite(result.integrated):
        fig.add_hline(
            y=result.integrated,
            line=dict(color=COLOR_CURVE),
            annotation_text=f"integrated {result.integrated:.1f} LUFS",
            annotation_position="bottom right",
        )
    if target_lufs is not None:
        fig.add_hline(
            y=target_lufs, line=dict(color=COLOR_B, dash="dash"), annotation_text=f"target {target_lufs:g} LUFS"
        )
    fig.update_xaxes(title_text="time (s)")
    fig.update_yaxes(title_text="loudness (LUFS)", range=[-60, 0])
    return _base_layout(fig, title)
