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
    t, z = np.asarray(heat.x), np.asarray(heat.z)
    spb = song.seconds_per_bar

    def block(s1, s2):
        r = (t >= s1.start_bar * spb) & (t < s1.end_bar * spb)
        c = (t >= s2.start_bar * spb) & (t < s2.end_bar * spb)
        return float(z[np.ix_(r, c)].mean())

    intro, verse, chorus1, bridge, chorus2, _outro = song.sections
    assert block(chorus1, chorus2) > block(chorus1, verse)
    assert block(chorus1, chorus2) > block(chorus1, bridge)


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
