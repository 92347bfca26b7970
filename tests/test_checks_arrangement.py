"""Checkers of the arrangement lesson (course/03-arrangement.ipynb).

References: bar length at a tempo (4/4: four quarter-note beats of 60/BPM s each, so 8 bars at
100 BPM = 19.2 s); the song's form from datasets/manifest.json (intro verse chorus bridge chorus
outro = A B C D C E); section loudness as ITU-R BS.1770 integrated loudness, via producerkit.meters.
"""

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from producerkit import datasets
from producerkit.arrange import Arrangement, Section
from producerkit.checks import (
    Feedback,
    check_bars_to_seconds,
    check_chorus_contrast,
    check_radio_edit,
    check_song_form,
)
from producerkit.checks.arrangement import form_letters
from tests.feedback_words import said


@pytest.fixture(scope="module")
def song():
    return datasets.load_session("paper_lanterns")


@pytest.fixture(scope="module")
def original(song):
    return Arrangement.from_session(song)




@pytest.mark.parametrize("blank", [None, ..., ""])
def test_every_checker_waits_for_an_answer(song, blank):
    for fb in (check_bars_to_seconds(blank), check_song_form(blank, song), check_chorus_contrast(blank, song),
               check_radio_edit(blank, song)):
        assert fb.correct is None and not fb
        said(fb, "no answer yet")


@settings(max_examples=40, deadline=None)
@given(st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20),
                 st.lists(st.text(max_size=8), max_size=8), st.dictionaries(st.text(max_size=5), st.integers())))
def test_no_checker_raises_on_any_input(value):
    song = datasets.load_session("paper_lanterns")
    for fb in (check_bars_to_seconds(value), check_song_form(value, song), check_chorus_contrast(value, song),
               check_radio_edit(value, song)):
        assert isinstance(fb, Feedback)


# --------------------------------------------------------------------------- bars and seconds


def test_bars_to_seconds_right():
    assert check_bars_to_seconds(19.2).correct is True
    assert check_bars_to_seconds("19.2").correct is True
    assert check_bars_to_seconds(6.0, bars=4, bpm=120, time_signature=(3, 4)).correct is True  # 4 × 1.5 s
    assert check_bars_to_seconds(12.0, bars=8, bpm=120, time_signature=(6, 8)).correct is True  # 8 × 1.5 s


@pytest.mark.parametrize(
    "answer, words",
    [(4.8, ["8 beats, not 8 bars", "0.6 s"]), (2.4, ["one bar"]), (19200, ["milliseconds"]),
     (0.32, ["minutes"]), (53.33, ["upside down"]), (30, ["too long"]), (10, ["too short"]), ("fast", ["number"])],
)
def test_bars_to_seconds_wrong_says_which_mistake(answer, words):
    fb = check_bars_to_seconds(answer)
    assert fb.correct is False
    said(fb, *words)


# --------------------------------------------------------------------------- form


def test_form_letters_gives_repeats_the_same_letter():
    assert form_letters(["intro", "verse", "chorus", "bridge", "chorus", "outro"]) == "A B C D C E"
    assert form_letters(["verse", "chorus", "verse", "chorus"]) == "A B A B"


@pytest.mark.parametrize("answer", ["A B C D C E", "ABCDCE", "a-b-c-d-c-e", "X Y Z W Z V",
                                    ["intro", "verse", "chorus", "bridge", "chorus", "outro"],
                                    "Intro, Verse, Chorus, Bridge, Chorus, Outro"])
def test_song_form_right(song, answer):
    assert check_song_form(answer, song).correct is True


@pytest.mark.parametrize(
    "answer, words",
    [("A B C D E F", ["section 5", "bars 23–30", "repeats section 3"]),
     ("A B A C A D", ["section 3", "new material"]),
     ("B C D C", ["intro and the outro"]),
     ("verse chorus bridge chorus", ["intro and the outro"]),
     ("A B C", ["3 sections", "6"]),
     ("intro verse chorus bridge verse outro", ["section 5", "not a verse"]),
     (3, ["letters or section names"])],
)
def test_song_form_wrong(song, answer, words):
    fb = check_song_form(answer, song)
    assert fb.correct is False
    said(fb, *words)


@pytest.mark.parametrize("answer", ["A B A B", "A B C D", "A B C D C", "intro verse chorus outro"])
def test_song_form_too_few_sections_says_to_count_the_named_blocks(song, answer):
    """Wrong and near counts get the same hint: count the timeline's named blocks, not layer changes.

    The chorus, the bridge and the second chorus play the same eight layers, so "a new section starts
    wherever the layers change" would lead to 4 sections.
    """
    fb = check_song_form(answer, song)
    assert fb.correct is False
    said(fb, "the song has 6", "named blocks along the top of the timeline", "from the chorus into the bridge")
    assert "wherever the layers change" not in fb.hint


def test_song_form_hint_is_true_of_the_song(song, original):
    """The chorus and the bridge really play the same layers (the hint's example), and the right form passes."""
    assert original["chorus"].layers == original["bridge"].layers
    assert check_song_form("A B C D C E", song).correct is True


# --------------------------------------------------------------------------- contrast


def test_chorus_contrast_right_when_the_verse_drops_its_bass(song, original):
    fb = check_chorus_contrast(original.mute("bass", "verse"), song)
    assert fb.correct is True
    said(fb, "lu against the verse", "lifts")


def test_chorus_contrast_looks_past_a_drop_to_the_chorus(song, original):
    dropped = original.mute("bass", "verse").with_drop("chorus", bars=1, keep=("pad",))
    assert check_chorus_contrast(dropped, song).correct is True
    built = original.with_build_up("chorus", bars=2).mute("bass", "verse")
    assert check_chorus_contrast(built, song).correct is True


def test_chorus_contrast_not_yet_for_the_original(song, original):
    rows = original.energy(song)
    lift = rows[2].loudness_lufs - rows[1].loudness_lufs
    fb = check_chorus_contrast(original, song)
    assert fb.correct is False
    said(fb, f"{lift:+.1f} lu", "+2 layers", "at least +5 lu", "bass")
    keys_out = check_chorus_contrast(original.mute("keys", "verse"), song)
    assert keys_out.correct is False and "+3 layers" in keys_out.message


def test_chorus_contrast_guards(song, original):
    backwards = original.mute("bass", "chorus").mute("pad", "chorus").mute("guitar", "chorus").mute("keys", "chorus")
    fb = check_chorus_contrast(backwards, song)
    assert fb.correct is False
    said(fb, "backwards")
    said(check_chorus_contrast(original.mute("lead", "verse"), song), "lost its melody")
    said(check_chorus_contrast(original.mute("lead", "chorus"), song), "hook")
    thin = original
    for layer in ("kick", "snare", "bass", "keys"):
        thin = thin.mute(layer, "verse")
    said(check_chorus_contrast(thin, song), "breakdown")
    faded = original._with([dataclasses.replace(s, ramp_db=(-12.0, -12.0)) if s.name == "verse" else s
                            for s in original])
    said(check_chorus_contrast(faded, song), "ramp")
    said(check_chorus_contrast(original.remove_section(2).remove_section(3), song), "no chorus")
    said(check_chorus_contrast(original.remove_section("verse"), song), "no verse")
    said(check_chorus_contrast("my arrangement", song), "expected an arrangement")
    alien = original.unmute("theremin", "verse").mute("bass", "verse")
    assert check_chorus_contrast(alien, song).correct is False


# --------------------------------------------------------------------------- radio edit


def test_radio_edit_right(song, original):
    edit = original.remove_section("intro").remove_section("bridge").remove_section("outro")
    fb = check_radio_edit(edit, song)
    assert fb.correct is True
    said(fb, "57.6 s", "both choruses")
    shorter_verse = original.remove_section("bridge")._with(
        [dataclasses.replace(s, bars=4) if s.name == "verse" else s for s in original.remove_section("bridge")]
    )
    assert check_radio_edit(shorter_verse, song).correct is True  # 2 + 4 + 8 + 8 + 2 = 24 bars, 57.6 s
    assert check_radio_edit(edit).correct is True  # the session is loaded when not given


def test_radio_edit_wrong(song, original):
    too_long = check_radio_edit(original.remove_section("bridge").remove_section("intro"), song)
    assert too_long.correct is False
    said(too_long, "62.4 s", "2.4 s too long", "cut at least 1 more bar:")
    one_chorus = original.remove_section("bridge").remove_section("intro").remove_section("outro").remove_section(2)
    said(check_radio_edit(one_chorus, song), "1 complete chorus", "both")
    short_chorus = original._with([dataclasses.replace(s, bars=4) if s.name == "chorus" else s for s in original])
    said(check_radio_edit(short_chorus, song), "only 4 bars")
    no_verse = original.remove_section("verse").remove_section("bridge").remove_section("outro")
    said(check_radio_edit(no_verse, song), "without a verse")
    said(check_radio_edit(dataclasses.replace(original, bpm=130), song), "130 bpm", "cutting bars")
    said(check_radio_edit(original.add_section(Section("solo", 2, ("guitar",))), song), "not in the song")
    said(check_radio_edit(original.unmute("theremin", "intro"), song), "not a stem")
    said(check_radio_edit([1, 2], song), "expected an arrangement")


@pytest.mark.parametrize(
    "cuts, words",
    [
        ((), ["16.8 s too long", "cut at least 7 bars:", "shortest first: the intro (2 bars), the outro (2 bars), "
              "the bridge (4 bars)"]),
        (("bridge",), ["7.2 s too long", "cut at least 3 more bars:", "the intro (2 bars), the outro (2 bars);"]),
        (("intro", "bridge"), ["2.4 s too long", "cut at least 1 more bar:",
                               "the only section left you can cut is the outro (2 bars)."]),
    ],
)
def test_radio_edit_too_long_names_the_sections_left_to_cut(song, original, cuts, words):
    """Wrong (nothing cut), near (one or two sections cut) and right: the hint names whole sections to cut."""
    edit = original
    for name in cuts:
        edit = edit.remove_section(name)
    fb = check_radio_edit(edit, song)
    assert fb.correct is False
    said(fb, *words)
    assert "bar(s)" not in fb.hint and "the verse (" not in fb.hint and "the chorus (" not in fb.hint
    # following the hint passes
    for sec in [s.name for s in edit if s.source_name in ("intro", "bridge", "outro")]:
        edit = edit.remove_section(sec)
    assert check_radio_edit(edit, song).correct is True


def test_radio_edit_too_long_offers_a_third_chorus_and_a_second_verse(song, original):
    longer = original.repeat_section("chorus").repeat_section("verse").remove_section("intro")
    fb = check_radio_edit(longer, song)
    assert fb.correct is False
    said(fb, "the verse (8 bars)", "the chorus (8 bars)", "the bridge (4 bars)")


@pytest.mark.parametrize(
    "muted, unmuted, verdict, words",
    [
        # wrong: three listed layers, but pad and guitar are silent in the verse: only the lead and the snare play
        (("kick", "overheads", "bass", "keys"), ("pad", "guitar"), False,
         ["down to snare, lead", "pad, guitar have nothing recorded in the verse", "breakdown"]),
        # near: one silent layer added to a verse that already has three playing ones: it counts three, not four
        (("kick", "bass", "keys"), ("pad",), True, ["+5 layers"]),
        # right: three layers that play
        (("kick", "bass"), (), True, ["+4 layers"]),
    ],
)
def test_chorus_contrast_counts_only_verse_layers_that_make_sound(song, original, muted, unmuted, verdict, words):
    edit = original
    for layer in muted:
        edit = edit.mute(layer, "verse")
    for layer in unmuted:
        edit = edit.unmute(layer, "verse")
    fb = check_chorus_contrast(edit, song)
    assert fb.correct is verdict, str(fb)
    said(fb, *words)
