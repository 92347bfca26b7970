"""producerkit.plots: the numbers behind the figures, and the figures themselves."""

import numpy as np
import pytest

from producerkit import plots
from producerkit.dynamics import Compressor
from producerkit.eq import EQ, Peak
from producerkit.meters import loudness
from producerkit.signals import noise, sine

SR = 44100


def test_a_sine_peaks_at_its_frequency_and_levels_compare_in_exact_db():
    freqs, loud = plots.spectrum_db(sine(1000, 2.0, SR, level_dbfs=0), SR)
    _, quiet = plots.spectrum_db(sine(1000, 2.0, SR, level_dbfs=-20), SR)
    k = int(np.argmax(loud))
    assert freqs[k] == pytest.approx(1000, rel=0.06)
    assert loud[k] - quiet[k] == pytest.approx(20.0, abs=0.01)
    assert loud[np.argmin(np.abs(freqs - 100))] < loud[k] - 60


def test_pink_noise_falls_3_db_per_octave_and_white_noise_draws_flat():
    freqs, pink = plots.spectrum_db(noise(8.0, SR, color="pink", seed=3), SR)
    _, white = plots.spectrum_db(noise(8.0, SR, color="white", seed=3), SR)
    at = lambda curve, f: curve[np.argmin(np.abs(freqs - f))]  # noqa: E731
    assert at(pink, 500) - at(pink, 2000) == pytest.approx(6.0, abs=1.0)
    assert abs(at(white, 500) - at(white, 2000)) < 1.0


def test_filtered_spectrum_from_the_response_matches_analysing_the_filtered_audio():
    y = noise(4.0, SR, color="pink", seed=1)
    eq = EQ([Peak(1000, 9, q=1.0)])
    spectrum = plots.SmoothedSpectrum(y, SR)
    predicted = spectrum.db(eq.response(spectrum.bin_freqs[spectrum.used], SR))
    measured = plots.spectrum_db(eq(y, SR), SR)[1]
    band = (spectrum.freqs > 40) & (spectrum.freqs < 16000)
    assert np.max(np.abs(predicted[band] - measured[band])) < 1.0


def test_waveform_envelope_brackets_the_signal():
    y = sine(5, 1.0, 1000, level_dbfs=0)  # one slow cycle at 1 kHz: easy to reason about
    t, lo, hi = plots.waveform_envelope(y, 1000, points=10)
    assert len(t) == 10 and np.all(lo <= hi)
    assert hi.max() == pytest.approx(1.0, abs=0.01) and lo.min() == pytest.approx(-1.0, abs=0.01)


def test_decimated_trace_keeps_the_maximum():
    trace = np.zeros(1000)
    trace[500] = 7.0
    _, values = plots.decimate_trace(trace, 1000, points=10)
    assert values.max() == 7.0


def test_level_histogram_is_a_distribution_around_the_signal_level():
    y = sine(1000, 2.0, SR, level_dbfs=-20)  # RMS -23 dBFS
    centres, fraction = plots.level_histogram(y, SR)
    assert fraction.sum() == pytest.approx(1.0)
    assert centres[np.argmax(fraction)] == pytest.approx(-23, abs=1.0)


def test_figures_have_the_traces_a_lesson_refers_to():
    y = noise(2.0, SR, color="pink", seed=2)
    comp = Compressor(threshold_db=-30)
    result = comp.process(y, SR)
    assert [t.name for t in plots.eq_figure(EQ([Peak(300, -4)]), SR, y, y).data] == ["before", "after", "EQ curve"]
    assert "output" in [t.name for t in plots.transfer_curve_figure(comp, y, SR).data]
    names = [t.name for t in plots.gain_reduction_figure(y, result.audio, result.gain_reduction_db, SR).data]
    assert names == ["input", "output", "gain reduction"]
    assert len(plots.spectrum_figure({"a": y, "b": 0.5 * y}, SR).data) == 2
    assert len(plots.waveform_figure({"a": y}, SR).data) == 1
    fig = plots.loudness_figure(loudness(y, SR), target_lufs=-14)
    assert {t.name for t in fig.data} == {"momentary", "short-term"}
    assert len(plots.filter_designs_figure(Peak, SR, freq=16000, gain_db=9, q=1).data) == 3


# --------------------------------------------------------------------------- what a student sees (issue 11)


def test_spectra_have_no_staircase_at_the_low_end():
    """On a log axis 20-200 Hz takes a third of the width: no run of equal values there (4096-point bins did)."""
    freqs, db = plots.spectrum_db(noise(6.0, SR, color="pink", seed=4), SR)
    low = db[freqs < 200]
    assert np.all(np.abs(np.diff(low)) > 1e-9), "flat steps below 200 Hz"
    assert plots.default_n_fft(SR) == 16384 and plots.default_n_fft(48000) == 16384


def test_channels_are_measured_by_power_as_loudness_is():
    """Mono, the same clip on two channels, and two unrelated channels at the same level all read the same."""
    a, b = noise(4.0, SR, color="pink", seed=5), noise(4.0, SR, color="pink", seed=6)
    _, mono = plots.spectrum_db(a, SR)
    _, dual = plots.spectrum_db(np.stack([a, a]), SR)
    _, other = plots.spectrum_db(b, SR)
    _, wide = plots.spectrum_db(np.stack([a, b]), SR)
    np.testing.assert_allclose(dual, mono, atol=1e-6)
    # The mean of the channels' powers; averaging the samples first read about 3 dB lower.
    np.testing.assert_allclose(wide, 10 * np.log10((10 ** (mono / 10) + 10 ** (other / 10)) / 2), atol=1e-6)


def _k_weighted_power_db(freqs, db):
    from scipy.signal import sosfreqz

    from producerkit.meters import k_weighting

    _, h = sosfreqz(k_weighting(SR), worN=freqs, fs=SR)
    return 10 * np.log10(np.sum(10 ** (np.asarray(db) / 10) * np.abs(h) ** 2 * freqs))  # log-spaced: df ~ f


def test_loudness_matched_spectra_sit_at_the_same_height():
    """A mono clip against a wide stereo clip, matched as the player matches them: equal K-weighted power."""
    mono = noise(6.0, SR, color="pink", seed=7) * 0.3
    wide = np.stack([noise(6.0, SR, color="pink", seed=8), noise(6.0, SR, color="pink", seed=9)]) * 0.5
    fig = plots.spectrum_figure({"demo": mono, "produced": wide}, SR, match_loudness=True)
    levels = [_k_weighted_power_db(np.asarray(t.x), t.y) for t in fig.data]
    assert abs(levels[0] - levels[1]) < 1.0
    assert "dB to match" in fig.data[1].name  # the louder one says how far it was turned down
    gains = plots.loudness_match_db({"demo": mono, "produced": wide}, SR)
    assert gains["demo"] == 0.0 and gains["produced"] < -3


def test_a_zoomed_spectrum_states_its_range_and_has_round_ticks_inside_it():
    y = noise(3.0, SR, color="pink", seed=2)
    fig = plots.spectrum_figure({"kick": y}, SR, fmin=30, fmax=300, n_fft=32768, title="30–300 Hz")
    axis = fig.layout.xaxis
    assert axis.type == "log" and tuple(axis.range) == pytest.approx((np.log10(30), np.log10(300)))
    assert all(30 <= v <= 300 for v in axis.tickvals) and 30 in axis.tickvals and 100 in axis.tickvals
    assert not fig.layout.shapes or all(s.type == "rect" for s in fig.layout.shapes)  # shaded ranges only
    for note in fig.layout.annotations:  # range names sit inside the visible axis (log10 positions)
        assert np.log10(30) <= note.x <= np.log10(300)
    assert min(fig.data[0].x) == pytest.approx(30) and max(fig.data[0].x) == pytest.approx(300)


def test_secondary_axes_have_their_own_round_ticks():
    y = noise(2.0, SR, color="pink", seed=2)
    eq_axis = plots.eq_figure(EQ([Peak(300, -4)]), SR, y, y).layout.yaxis2
    assert (eq_axis.tickmode, eq_axis.tick0, eq_axis.dtick, tuple(eq_axis.range)) == ("linear", 0, 6, (-27, 27))
    share = plots.transfer_curve_figure(Compressor(threshold_db=-30), y, SR).layout.yaxis2
    assert share.tickmode == "linear" and share.tick0 == 0
    mantissa = share.dtick / 10 ** np.floor(np.log10(share.dtick))
    assert min(abs(mantissa - m) for m in (1, 2, 2.5, 5)) < 1e-9
    assert "(%)" in share.title.text


def test_filter_shapes_and_designs_figures_name_what_they_draw():
    from producerkit.eq import HighPass, Notch

    fig = plots.filter_shapes_figure([HighPass(100, order=4), Notch(3000, q=4)], SR, qs=(1, 8))
    assert [t.name for t in fig.data] == ["HighPass 100 Hz, order 4", "Notch 3 kHz, Q 4", "Q 1", "Q 8"]
    assert fig.layout.title.text
    title = plots.filter_designs_figure(Peak, 44100, freq=16000, gain_db=9, q=1).layout.title.text
    assert "16 kHz" in title and "44100 Hz" not in title and "44.1 kHz" in title
    low_rate = plots.filter_designs_figure(Peak, 32000, freq=12000, gain_db=6, q=1)
    assert "(20 Hz–16 kHz)" in low_rate.layout.title.text  # the axis stops at Nyquist, and says so


def test_stacked_waveforms_get_one_row_each():
    takes = {f"take {i}": noise(1.0, SR, seed=i) * 0.2 for i in (1, 2, 3)}
    fig = plots.waveform_figure(takes, SR, title="three takes", stacked=True)
    assert [t.yaxis for t in fig.data] == ["y", "y2", "y3"]
    assert all(fig.layout[f"yaxis{i}"].title.text == "amplitude (FS)" for i in ("", "2", "3"))
    assert {t.yaxis for t in plots.waveform_figure(takes, SR).data} == {None}  # overlaid on one axis


def test_the_schedule_leaves_the_bars_the_width_of_the_figure():
    """Gantt labels wrap at 30 characters and the legend sits under the chart, not beside it."""
    from producerkit.planning import Project

    fig = Project.example().schedule_figure()
    labels = list(fig.layout.yaxis.categoryarray)
    assert max(len(line) for label in labels for line in label.split("<br>")) <= 30
    assert any("<br>" in label for label in labels)  # the long ones did wrap
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.y < 0
    assert fig.layout.yaxis.title.text and fig.layout.title.text


def test_gain_reduction_marks_are_dotted_lines_across_both_rows():
    y = noise(1.0, SR, color="pink", seed=2)
    result = Compressor(threshold_db=-30).process(y, SR)
    fig = plots.gain_reduction_figure(y, result.audio, result.gain_reduction_db, SR, marks=np.array([0.25, 0.5]))
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert sorted({s.x0 for s in lines}) == [0.25, 0.5] and {s.line.dash for s in lines} == {"dot"}
    assert {s.yref for s in lines} >= {"y domain", "y2 domain"}  # both rows


def test_gain_reduction_figure_shows_a_signal_over_full_scale_and_the_ceiling():
    """W1 item 9: lesson 02's limiter figure cut a +2 dBFS input off at the axis's +-1; the ceiling had no line."""
    from producerkit.dynamics import Limiter

    hot = 10 ** (2 / 20) * noise(1.0, SR, color="pink", seed=7) / np.abs(noise(1.0, SR, color="pink", seed=7)).max()
    result = Limiter(ceiling_dbtp=-1).process(hot.astype(np.float32), SR)
    fig = plots.gain_reduction_figure(hot, result.audio, result.gain_reduction_db, SR, ceiling_db=-1)
    low, high = fig.layout.yaxis.range
    assert high >= np.abs(hot).max() and low <= -np.abs(hot).max() and high <= 1.4
    dashed = [s for s in fig.layout.shapes if s.line.dash == "dash"]
    assert sorted(round(s.y0, 3) for s in dashed) == [-0.891, 0.891]
    assert any("ceiling -1" in (a.text or "") for a in fig.layout.annotations)
    # a signal inside full scale keeps the +-1 axis
    quiet = plots.gain_reduction_figure(0.5 * hot, 0.5 * hot, np.zeros_like(hot), SR)
    assert tuple(quiet.layout.yaxis.range) == (-1.0, 1.0)


@pytest.mark.parametrize("threshold", [-3, -30])
def test_gain_reduction_axis_spans_at_least_6_db_and_grows_with_the_trace(threshold):
    """W1 item 14: with 0.1 dB of gain reduction the axis autoscaled to -0.1 dB and looked like real work."""
    y = noise(1.0, SR, color="pink", seed=2)
    result = Compressor(threshold_db=threshold, ratio=4).process(y, SR)
    fig = plots.gain_reduction_figure(y, result.audio, result.gain_reduction_db, SR)
    axis = fig.layout.yaxis2
    # autorange, so the explorer's axis follows its trace past -6 dB; never less than 0 to -6 dB
    assert axis.autorange is True and axis.range is None
    assert min(axis.autorangeoptions.include) <= -plots.GR_AXIS_MIN_DB == -6.0
    assert max(axis.autorangeoptions.include) >= 0


def _axis_title_problems(fig) -> list[str]:
    """Figure and axis titles as the lessons need them: a title, and a unit in parentheses on each labelled axis."""
    import re

    problems = [] if (fig.layout.title.text or "").strip() else ["no title"]
    used = {t.xaxis or "x" for t in fig.data} | {t.yaxis or "y" for t in fig.data}
    for axis_id in sorted(used):
        name = f"{axis_id[0]}axis{axis_id[1:]}"
        axis = fig.layout[name]
        if axis.showticklabels is False:
            continue  # shares a labelled neighbour (stacked subplots)
        title = (axis.title.text or "").strip()
        values = [v for t in fig.data if (getattr(t, axis_id[0] + "axis") or axis_id[0]) == axis_id
                  for v in (getattr(t, axis_id[0]) if getattr(t, axis_id[0]) is not None else ())[:1]]
        if axis.type in ("category", "date") or any(isinstance(v, str) for v in values):
            if not title and axis_id.startswith("y"):  # category rows need a name; x categories name themselves
                problems.append(f"{name} has no title")
        elif not re.search(r"\([^()]+\)\s*$", title):
            problems.append(f"{name} title {title!r} has no unit in parentheses")
    return problems


def test_every_lesson_figure_has_a_title_and_units_on_its_axes():
    from producerkit import arrange, datasets
    from producerkit.eq import HighPass
    from producerkit.planning import Project

    y = noise(2.0, SR, color="pink", seed=2)
    comp = Compressor(threshold_db=-30)
    result = comp.process(y, SR)
    song = datasets.load_session("paper_lanterns")
    arrangement = arrange.Arrangement.from_session(song)
    figures = {
        "spectrum": plots.spectrum_figure({"a": y}, SR),
        "eq": plots.eq_figure(EQ([Peak(300, -4)]), SR, y, y),
        "filter shapes": plots.filter_shapes_figure([HighPass(100)], SR),
        "filter designs": plots.filter_designs_figure(Peak, SR, freq=16000, gain_db=9, q=1),
        "transfer": plots.transfer_curve_figure(comp, y, SR),
        "gain reduction": plots.gain_reduction_figure(y, result.audio, result.gain_reduction_db, SR),
        "waveform": plots.waveform_figure({"a": y}, SR),
        "stacked waveforms": plots.waveform_figure({"a": y, "b": y}, SR, stacked=True),
        "loudness": plots.loudness_figure(loudness(y, SR), target_lufs=-14),
        "schedule": Project.example().schedule_figure(),
        "timeline": arrangement.timeline_figure(),
        "energy": arrangement.energy_figure(song, song.mix()),
    }
    problems = {name: p for name, fig in figures.items() if (p := _axis_title_problems(fig))}
    assert not problems, problems


def test_the_shaded_ranges_are_the_shapes_add_vrect_makes():
    """_shade_ranges adds its rectangles in one layout update (add_vrect validates and copies the layout per call):
    the same shapes and names as six add_vrect and add_annotation calls."""
    import plotly.graph_objects as go

    from producerkit.plots import FREQUENCY_RANGES, _shade_ranges

    for fmin, fmax in ((20.0, 20000.0), (30.0, 300.0), (1000.0, 20000.0)):
        ours, theirs = go.Figure(), go.Figure()
        _shade_ranges(ours, fmin, fmax)
        for i, (name, lo, hi) in enumerate(FREQUENCY_RANGES):
            lo, hi = max(lo, fmin), min(hi, fmax)
            if hi <= lo:
                continue
            theirs.add_vrect(x0=lo, x1=hi, fillcolor="#888" if i % 2 else "#bbb", opacity=0.08, line_width=0)
            theirs.add_annotation(x=float(np.log10(np.sqrt(lo * hi))), y=1.0, xref="x", yref="paper", text=name,
                                  showarrow=False, yanchor="top", font=dict(size=10, color="#666"))
        assert ours.to_dict()["layout"]["shapes"] == theirs.to_dict()["layout"]["shapes"]
        assert ours.to_dict()["layout"]["annotations"] == theirs.to_dict()["layout"]["annotations"]


def test_figures_carry_plotly_white_exactly_as_plotly_sets_it():
    """plots._figure sets the template without plotly's validation; the JSON must be what validation gives."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    trace = go.Scatter(x=[20.0, 200.0], y=[-3.0, 1.5], name="a")
    plain = go.Figure(trace)
    plain.update_layout(template="plotly_white")
    assert plots._figure(trace).to_dict() == plain.to_dict()
    assert plots._figure([trace, trace]).to_dict()["data"] == [plain.to_dict()["data"][0]] * 2
    grid = make_subplots(rows=2, cols=1, shared_xaxes=True, specs=[[{"secondary_y": True}], [{}]])
    grid.update_layout(template="plotly_white")
    assert plots._figure(rows=2, cols=1, shared_xaxes=True, specs=[[{"secondary_y": True}], [{}]]).to_dict() == \
        grid.to_dict()


def test_figures_still_validate_everything_but_the_template_and_keep_their_own_copy():
    fig = plots._figure()
    with pytest.raises(ValueError, match="heigth"):
        fig.update_layout(heigth=300)
    with pytest.raises(ValueError):
        fig.update_xaxes(type="logarithmic")
    with pytest.raises(ValueError, match="colour"):
        fig.add_trace({"type": "scatter", "x": [1], "y": [1], "colour": "red"})
    fig.layout.template.layout.paper_bgcolor = "black"
    assert plots._figure().layout.template.layout.paper_bgcolor == "white"


def test_a_difference_curve_keeps_its_own_right_axis_title():
    """Lessons 01 and 06: the right axis read "level (dB)" because the left axis's title was set on every y axis."""
    y = noise(2.0, SR, color="pink", seed=4)
    fig = plots.spectrum_figure({"muddy": y, "clean": 0.5 * y}, SR, difference=("muddy", "clean"))
    assert fig.layout.yaxis.title.text == "level (dB)"
    assert fig.layout.yaxis2.title.text == "muddy − clean (dB)"
    assert plots.spectrum_figure({"a": y}, SR).layout.yaxis.title.text == "level (dB)"
