"""What course/03-arrangement.ipynb says about the bundled song, proved with the lesson's own code.

The lesson's own cells (its setup cells, then the structure analysis and the widgets) are executed
here by tests/lesson_cells.py, so the clips, the build-up and the structure analysis tested are
exactly those the students hear and see.
References: the song's sections from datasets/manifest.json; loudness as ITU-R BS.1770 integrated
loudness (producerkit.meters, EBU-conformant); the self-similarity matrix and novelty of Foote (2000).
"""

import re

import numpy as np
import pytest

from producerkit.arrange import bars_to_seconds
from producerkit.checks import check_chorus_contrast
from producerkit.checks.arrangement import CHORUS_CONTRAST_LU, form_letters
from producerkit.meters import integrated_loudness

from .lesson_cells import code_cells, exercise_names, markdown, notebook, run_cells, run_lesson, select

LESSON = "03-arrangement"


@pytest.fixture(scope="module")
def lesson():
    return run_lesson(LESSON)


def _lufs(y, sr) -> float:
    return float(integrated_loudness(y, sr))


# --------------------------------------------------------------------------- the notebook


def test_notebook_is_a_lesson_without_outputs():
    nb = notebook(LESSON)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    text = markdown(LESSON)
    assert text.startswith("# 03 · Arrangement")
    assert "By the end of this lesson you can" in text
    assert "## Summary" in text
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert not cell["outputs"] and cell["execution_count"] is None
    assert not any("Audio(" in c.source for c in code_cells(LESSON))
    exercises = select(LESSON, tags=("exercise",))
    assert len(exercises) >= 3
    ns, names = run_lesson(LESSON, tags=("exercise",)), exercise_names(LESSON)
    assert len(names) >= 3 and all(ns[name] is ... for name in names)
    assert len(select(LESSON, tags=("check",))) >= 3


# --------------------------------------------------------------------------- claims


def test_song_is_32_bars_and_76_8_seconds(lesson):
    original = lesson["original"]
    assert original.bars == 32 and original.duration_s == pytest.approx(76.8)
    assert bars_to_seconds(8, 100) == pytest.approx(19.2) and bars_to_seconds(1, 100) == pytest.approx(2.4)


def test_listening_clips_are_short_and_never_clip(lesson):
    for name in ("contrast", "build_player", "repeat_player"):
        player = lesson[name]
        assert player.duration <= 15.0, name
        assert not player.warning, (name, player.warning)  # the player warns when a version clips


def test_chorus_is_louder_and_denser_than_the_verse_by_about_3_lu(lesson):
    """The lesson: the chorus is the peak, yet in the original it is only about 3 LU above the verse."""
    rows = lesson["original"].energy(lesson["song"])
    verse, chorus = rows[1], rows[2]
    assert (verse.name, chorus.name) == ("verse", "chorus")
    assert chorus.density > verse.density
    assert 2.5 <= chorus.loudness_lufs - verse.loudness_lufs < 3.5
    assert chorus.loudness_lufs == max(r.loudness_lufs for r in rows)
    assert CHORUS_CONTRAST_LU == 5.0  # the exercise asks for 5 LU


def test_the_bass_carries_the_most_weight_in_the_verse(lesson):
    """Summary claim: muting the bass lifts the chorus more than muting any other single verse layer."""
    song, original = lesson["song"], lesson["original"]
    lifts = {}
    for layer in original["verse"].layers:
        if layer == "lead":
            continue
        rows = original.mute(layer, "verse").energy(song)
        lifts[layer] = rows[2].loudness_lufs - rows[1].loudness_lufs
    assert max(lifts, key=lifts.get) == "bass", lifts
    assert lifts["bass"] >= CHORUS_CONTRAST_LU  # so the exercise has an answer
    assert check_chorus_contrast(original.mute("bass", "verse"), song).correct is True


def test_build_up_drops_the_low_end_and_rises_into_the_chorus(lesson):
    """The build swells by 9 dB against the same layers played flat, and the chorus lands far above it."""
    sr, song, original, built = lesson["sr"], lesson["song"], lesson["original"], lesson["built"]
    build = built["build into chorus"]
    assert build.bars == 2 and "kick" not in build.layers and "bass" not in build.layers
    flat = original.with_build_up("chorus", bars=2, remove=("kick", "bass"), rise_db=0)
    clip, flat_clip = lesson["into_chorus"](built), lesson["into_chorus"](flat)
    bar = song.bar_to_sample(1)
    quarters = [slice(bar + i * bar // 2, bar + (i + 1) * bar // 2) for i in range(4)]  # the build, in half bars
    swell = [_lufs(clip[:, q], sr) - _lufs(flat_clip[:, q], sr) for q in quarters]
    assert all(np.diff(swell) > 1.0), swell
    assert swell[0] == pytest.approx(-9 * 7 / 8, abs=0.6) and swell[-1] == pytest.approx(-9 / 8, abs=0.6)
    build_start = _lufs(clip[:, bar : 2 * bar], sr)
    chorus_start = _lufs(clip[:, 3 * bar : 4 * bar], sr)
    assert chorus_start - build_start >= 9.0


def _about(text: str, before: str) -> float:
    """The number in "about N LU <before>" of the lesson's text."""
    words = r"\s+".join(map(re.escape, before.split()))
    return float(re.search(r"about\s+(\d+(?:\.\d+)?)\s+LU\s+" + words, text).group(1))


def test_build_up_rises_but_stays_below_the_verse_and_the_chorus_lands_above_it(lesson):
    """The Look text of the build-up, measured bar by bar on the clips the lesson draws (BS.1770 per bar)."""
    sr, song, original, built = lesson["sr"], lesson["song"], lesson["original"], lesson["built"]
    text = markdown(LESSON)
    assert "starts 9 dB down and rises\nback to its full level by the chorus's first beat" in text
    assert built["build into chorus"].ramp_db == (-9.0, 0.0)
    clip, before = lesson["into_chorus"](built), lesson["into_chorus"](original)
    bar = song.bar_to_sample(1)

    def bar_lufs(y, i):
        return _lufs(y[:, i * bar : (i + 1) * bar], sr)

    first, second, chorus = bar_lufs(clip, 1), bar_lufs(clip, 2), bar_lufs(clip, 3)
    # it rises: "about 3 LU from the first bar to the second"
    assert second - first == pytest.approx(_about(text, "from the first bar to the second"), abs=0.5)
    assert second - first >= 2.0
    # it stays below the verse it replaced, bar for bar
    assert first < bar_lufs(before, 1) - 6 and second < bar_lufs(before, 2) - 6
    # and the bass is the verse's loudest layer
    verse_layers = original["verse"].layers
    levels = {name: _lufs(song.stems[name][..., song.bar_to_sample(2) : song.bar_to_sample(10)], sr)
              for name in verse_layers}
    assert max(levels, key=levels.get) == "bass", levels
    # the chorus lands "about 11 LU above the build's last bar"
    assert chorus - second == pytest.approx(_about(text, "above the build's last bar"), abs=0.5)
    # the figure draws the two clips one row each, as the text says
    ns, fig = run_cells(LESSON, ["plots.waveform_figure("], dict(lesson))
    assert len(fig.layout.annotations) == 2 and [a.text for a in fig.layout.annotations] == ["original", "build-up"]


def test_both_build_clips_line_up_on_the_chorus_at_7_2_seconds(lesson):
    sr = lesson["sr"]
    a = lesson["into_chorus"](lesson["original"])
    b = lesson["into_chorus"](lesson["built"])
    assert a.shape == b.shape and a.shape[1] / sr == pytest.approx(14.4)
    start = int(7.2 * sr) + int(0.02 * sr)  # after the 10 ms section fade
    np.testing.assert_allclose(a[:, start:], b[:, start:], atol=1e-6)
    # before 7.2 s they differ: the last bars of the verse became the build
    assert not np.allclose(a[:, : int(7.2 * sr)], b[:, : int(7.2 * sr)], atol=1e-3)


def test_drop_leaves_only_the_pad_and_is_far_quieter_than_the_chorus(lesson):
    sr, song = lesson["sr"], lesson["song"]
    dropped = lesson["built"].with_drop("chorus", bars=1, keep=("pad",))
    gap = dropped["drop before chorus"]
    assert gap.layers == ("pad",)
    clip = lesson["into_chorus"](dropped)
    bar = song.bar_to_sample(1)
    assert _lufs(clip[:, 3 * bar : 4 * bar], sr) - _lufs(clip[:, 2 * bar : 3 * bar], sr) >= 6.0


def test_structure_found_from_audio_matches_the_manifest(lesson):
    """The lesson says the algorithm finds every boundary of the map and letters the choruses alike."""
    ns, _ = run_cells(LESSON, ["find_sections("], dict(lesson))
    song = ns["song"]
    truth = [s.start_bar for s in song.sections[1:]]
    np.testing.assert_allclose(ns["found_bars"], truth, atol=0.1)
    assert ns["found"].form() == form_letters([s.name for s in song.sections]) == "A B C D C E"
    # the picture: the second chorus resembles the first more than the verse or the bridge does
    heat = ns["ssm_figure"].data[0]
    bar, z = np.asarray(heat.x), np.asarray(heat.z)  # bar positions counted from 1, as the axes say

    def beats(sec):
        return np.flatnonzero((bar >= sec.start_bar + 1) & (bar < sec.end_bar + 1))

    def block(s1, s2):
        return float(z[np.ix_(beats(s1), beats(s2))].mean())

    intro, verse, chorus1, bridge, chorus2, _outro = song.sections
    assert block(chorus1, chorus2) > block(chorus1, verse)
    assert block(chorus1, chorus2) > block(chorus1, bridge)


def test_the_similarity_matrix_reads_as_the_lesson_says(lesson):
    """Axes in bars from 1; a square per section; lines, not solid blocks; a repeat is a line beside the diagonal."""
    ns, _ = run_cells(LESSON, ["find_sections("], dict(lesson))
    song, fig = ns["song"], ns["ssm_figure"]
    text = markdown(LESSON)
    assert "Both axes count bars from 1" in text
    assert fig.layout.xaxis.title.text == fig.layout.yaxis.title.text == "position (bar)"
    heat = fig.data[0]
    bar, z = np.asarray(heat.x), np.asarray(heat.z)
    assert 1.0 <= bar[0] < 1.25 and 32.0 <= bar[-1] < 33.0  # the first beat is in bar 1, the last in bar 32
    # the white boundary lines sit on the bars the lesson prints (from 1)
    lines = sorted({round(shape.x0, 1) for shape in fig.layout.shapes if shape.x0 == shape.x1})
    np.testing.assert_allclose(lines, [s.start_bar + 1 for s in song.sections[1:]], atol=0.1)

    def beats(sec):
        return np.flatnonzero((bar >= sec.start_bar + 1) & (bar < sec.end_bar + 1))

    def block(s1, s2):
        return z[np.ix_(beats(s1), beats(s2))]

    sections = song.sections
    # one square per section, lighter than where two different sections meet
    for a in sections:
        for b in sections:
            if a.name != b.name:
                assert block(a, a).mean() > block(a, b).mean() + 0.1, (a.name, b.name)
    # inside a square, lines and checks: a beat matches the same beat 4 bars (16 beats) later
    beats_per_bar = song.time_signature[0]
    for sec in (sections[1], sections[2]):  # the verse and the first chorus
        own = block(sec, sec)
        phrase = float(np.mean(np.diagonal(own, 4 * beats_per_bar)))
        half = float(np.mean(np.diagonal(own, 2 * beats_per_bar)))
        assert phrase > half + 0.2 and phrase > own.mean() + 0.2, (sec.name, phrase, half, own.mean())
    # the repeat: a bright line parallel to the diagonal, in a square that is not bright as a whole
    both = block(sections[2], sections[4])
    n = min(both.shape)
    line = float(np.mean(np.diagonal(both[:n, :n])))
    assert line >= 0.8 and line > both.mean() + 0.5, (line, both.mean())
    assert "(bars 11–18)" in text and "(bars 23–30)" in text
    assert (sections[2].start_bar + 1, sections[2].end_bar) == (11, 18)
    assert (sections[4].start_bar + 1, sections[4].end_bar) == (23, 30)


def test_the_tweak_widgets_update_the_players(lesson):
    """Moving a control re-renders the player's audio and the contrast readout, without errors."""
    ns, _ = run_cells(LESSON, [c.index for c in select(LESSON, tags=("widget",))], dict(lesson))
    contrast, build_player = ns["contrast"], ns["build_player"]
    def lift():
        return float(re.search(r"([+-][\d.]+) LU", ns["contrast_text"].value).group(1))

    rows = ns["original"].energy(ns["song"])
    assert lift() == pytest.approx(rows[2].loudness_lufs - rows[1].loudness_lufs, abs=0.06)
    assert ns["contrast_text"].value.endswith("+2 layers")
    before, original_lift = contrast.audio_a, lift()
    ns["layer_picker"].value = tuple(x for x in ns["original"]["verse"].layers if x != "bass")
    assert lift() >= original_lift + 2.0 and ns["contrast_text"].value.endswith("+3 layers")
    assert not contrast.error and contrast.audio_a != before
    b_before = build_player.audio_b
    ns["drop"].value = True
    ns["build_bars"].value = 4
    assert not build_player.error and build_player.duration == pytest.approx(14.4)
    assert build_player.audio_b != b_before


def test_brightness_is_read_beside_loudness_and_density(lesson):
    """The Look text: the chorus is loudest and densest; the intro brightest, yet quietest and thinnest."""
    rows = lesson["original"].energy(lesson["song"])
    by = {r.name: r for r in rows[:3]}  # intro, verse and the first chorus
    text = markdown(LESSON)
    assert "**spectral centroid**" in text and "Brightness alone does not make energy" in text
    assert by["chorus"].loudness_lufs == max(r.loudness_lufs for r in rows)
    assert by["chorus"].density == max(r.density for r in rows)
    assert by["intro"].brightness_hz == max(r.brightness_hz for r in rows)
    assert by["intro"].loudness_lufs == min(r.loudness_lufs for r in rows)
    assert by["intro"].density == min(r.density for r in rows)
    assert "bass" not in lesson["original"]["intro"].layers


def test_the_verse_picker_offers_only_layers_that_play_in_the_verse(lesson):
    """Pad and guitar have nothing recorded in the verse: the picker leaves them out, energy does not count them."""
    ns, _ = run_cells(LESSON, ["layer_picker = widgets.SelectMultiple("], dict(lesson))
    song, original = ns["song"], ns["original"]
    assert tuple(ns["layer_picker"].options) == original["verse"].layers == original.sounding_layers(song)[1]
    assert "pad" not in ns["layer_picker"].options and "guitar" not in ns["layer_picker"].options
    text = markdown(LESSON)
    assert "Pad and guitar have nothing recorded in the verse (they enter at the chorus)" in text
    # unmuting them in the verse adds no sound, and the layer count agrees
    padded = original.unmute("pad", "verse").unmute("guitar", "verse")
    assert ns["verse_vs_chorus"](padded) == ns["verse_vs_chorus"](original)
    for name in ("pad", "guitar"):
        verse = song.stems[name][..., song.bar_to_sample(2) : song.bar_to_sample(10)]
        assert 20 * np.log10(np.sqrt(np.mean(np.square(verse, dtype=np.float64))) + 1e-12) < -90, name


@pytest.mark.parametrize("answer, title", [(..., "Example edit (no bridge): "), ("mine", "Your edit: ")])
def test_the_edit_figure_says_whose_edit_it_is(lesson, answer, title):
    ns = dict(lesson)
    ns["radio_edit"] = answer if answer is ... else lesson["original"].remove_section("intro").remove_section("bridge")
    ns, fig = run_cells(LESSON, ["def after_first_chorus(", "edit.timeline_figure("], ns)
    assert fig.layout.title.text.startswith(title), fig.layout.title.text
