"""StepSequencer, kernel side (the browser side is tests/browser/test_step_sequencer.py).

The page's scheduling code (step_sequencer.js: ``Scheduler.take`` and the sample rounding of ``Voices.play``)
is also run here under Node and held to ``beats.schedule`` sample for sample, for tempos, swings, 16 and 32
steps a bar, nudges, loops, and a tempo change mid-loop.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from producerkit import beats
from producerkit.errors import ParameterError
from producerkit.widgets import StepSequencer
from producerkit.widgets import step_sequencer as module

JS = Path(module.__file__).with_name("step_sequencer.js")
SR = 44100


@pytest.fixture(scope="module")
def kit():
    return beats.Kit.recorded()


@pytest.fixture
def seq(kit):
    return StepSequencer(beats.preset("boom_bap"), kit=kit, bpm=90, swing=58)


class Sent:
    """Record what the widget sends to the page (the comm a kernel would have)."""

    def __init__(self, widget):
        self.messages = []
        widget.comm.publish_msg = lambda msg_type, data=None, metadata=None, buffers=None, **k: \
            self.messages.append((data, buffers or []))

    def states(self):
        return [d["state"] for d, _b in self.messages if d and d.get("method") == "update"]


# --------------------------------------------------------------------------- construction


def test_state_carries_the_pattern_tempo_and_kit(seq, kit):
    assert seq.pattern == beats.preset("boom_bap")
    assert (seq.bpm, seq.swing, seq.steps_per_bar, seq.bars) == (90.0, 58.0, 16, 1)
    assert [r["name"] for r in seq.rows] == ["kick", "snare", "hat"]
    assert seq.rows[0]["steps"][:7] == [1.0, 0, 0, 0, 0, 0, 1.0]
    assert seq.kit_pieces == kit.pieces and seq.kit_sr == SR
    assert seq.choke_groups == [["hat", "open_hat", "pedal_hat"]]
    assert seq.playing is False and seq.error == ""


def test_kit_layers_are_flac_of_the_kits_samples(seq, kit):
    """Every velocity layer of every piece goes to the page as lossless 16-bit FLAC of the kit's own samples."""
    assert len(seq.kit_layers) == sum(len(kit._layers[p]) for p in kit.pieces) == 33
    for layer in seq.kit_layers[:6]:
        y, sr = sf.read(io.BytesIO(layer["audio"]), dtype="float32", always_2d=True)
        assert sr == SR and sf.info(io.BytesIO(layer["audio"])).format == "FLAC"
        v, ref = next((v, y) for v, y in kit._layers[layer["piece"]] if v == layer["velocity"])
        np.testing.assert_allclose(y.T, ref, atol=1.0 / 32768 + 1e-7)
    total = sum(len(layer["audio"]) for layer in seq.kit_layers)
    assert total < 1.5e6  # about a third of 16-bit WAV (3.6 MB)


def test_kit_goes_to_the_page_once_not_with_each_edit(seq):
    """The kit travels as binary buffers in the opening state; an edit sends the grid only."""
    from ipywidgets.widgets.widget import _remove_buffers

    state, paths, buffers = _remove_buffers(seq.get_state())
    assert sum(1 for p in paths if p[0] == "kit_layers") == 33
    assert len(json.dumps({k: v for k, v in state.items() if k not in ("_esm", "_css")})) < 20_000
    sent = Sent(seq)
    seq.toggle("kick", 3)
    seq.update(bpm=95, swing=62)
    states = sent.states()
    assert states and all("kit_layers" not in s for s in states)
    assert sum(len(bytes(b)) for _d, bufs in sent.messages for b in bufs) == 0
    assert {"rows"} <= set(states[0]) and states[1] == {"bpm": 95.0, "swing": 62.0}


def test_default_is_an_empty_bar_of_the_kits_main_pieces(kit):
    seq = StepSequencer(kit=kit)
    assert seq.pattern.instruments == ["kick", "snare", "clap", "hat", "open_hat"]
    assert seq.pattern.steps == 16 and not any(seq.pattern[n].any() for n in seq.pattern.instruments)
    assert (seq.bpm, seq.swing) == (120.0, 50.0)
    assert StepSequencer().kit.pieces == ["kick", "snare", "hat", "clap"]  # the session's one-shots


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"bpm": 1000}, "bpm must be between 20 and 400 BPM (got 1000)"),
    ({"swing": 80}, "swing must be between 50 and 75 % (got 80): MPC swing percent"),
    ({"pattern": "kick: x..."}, "pattern must be a beats.Pattern (got str)"),
    ({"pattern": beats.Pattern({"cowbell": "x..."}, bars=1)}, "every row must be a piece of the kit (got 'cowbell'"),
    ({"pattern": beats.Pattern({"kick": "x..."}, bars=9)}, "the sequencer shows at most 8 bars"),
    ({"kit": "808"}, "kit must be a beats.Kit (got str)"),
    ({"volume_db": 3}, "volume_db must be between -60 and 0 dB (got 3)"),
])
def test_constructor_refuses_bad_values(kit, kwargs, message):
    kwargs = {"pattern": beats.preset("house"), "kit": kit, **kwargs}
    with pytest.raises(ParameterError) as err:
        StepSequencer(**kwargs)
    assert message in str(err.value)


# --------------------------------------------------------------------------- editing


def test_bad_values_show_a_message_and_keep_the_last_good_state(seq):
    for params, message in [
        ({"bpm": 0}, "bpm must be between 20 and 400 BPM (got 0)"),
        ({"swing": 49}, "swing must be between 50 and 75 %"),
        ({"steps_per_bar": 24}, "steps_per_bar must be 16 or 32 (got 24)"),
        ({"bars": 0}, "bars must be a whole number from 1 to 8 (got 0)"),
        ({"bars": 1.5}, "bars must be a whole number"),
        ({"bpm": 100, "swing": 90}, "swing must be between 50 and 75"),  # nothing applies, not even the bpm
        ({"mutes": {"cowbell": True}}, "instrument must be one of the pattern's rows"),
        ({"volumes_db": {"kick": 20}}, "volume of 'kick' must be between -40 and +6 dB (got 20)"),
        ({"tempo": 100}, "StepSequencer has no parameter 'tempo'"),
    ]:
        seq.update(**params)  # never raises
        assert message in seq.error, (params, seq.error)
        assert (seq.bpm, seq.swing, seq.pattern) == (90.0, 58.0, beats.preset("boom_bap"))
    seq.update(bpm=100)
    assert seq.error == "" and seq.bpm == 100.0


def test_edits_from_the_kernel(seq):
    seq.toggle("snare", 10, 0.5)
    assert seq.pattern["snare"][10] == 0.5 and seq.rows[1]["steps"][10] == 0.5
    seq.toggle("snare", 10)
    assert seq.pattern["snare"][10] == 0
    seq.pattern = beats.preset("rock")
    assert seq.pattern == beats.preset("rock") and [r["name"] for r in seq.rows] == ["kick", "snare", "hat"]
    seq.toggle("cowbell", 0)
    assert "instrument must be one of the pattern's rows" in seq.error
    seq.update(steps_per_bar=32)
    assert seq.pattern.steps_per_bar == 32 and seq.steps_per_bar == 32 and len(seq.rows[0]["steps"]) == 32
    assert seq.pattern.at_steps_per_bar(16) == beats.preset("rock")


def test_more_bars_repeat_the_loop_fewer_keep_the_first(seq):
    one = seq.pattern
    seq.update(bars=3)
    assert seq.pattern.bars == 3 and seq.pattern == one.repeated(3)
    seq.toggle("kick", 20)
    seq.update(bars=2)
    assert seq.pattern.bars == 2 and seq.pattern["kick"][20] == 1 and seq.pattern.hits("kick")[:3] == [0, 6, 10]
    seq.update(bars=1)
    assert seq.pattern == one


def test_mutes_and_row_volumes_do_not_change_the_pattern(seq):
    seq.update(mutes={"hat": True}, volumes_db={"snare": -6})
    assert seq.mutes == {"hat": True} and seq.volumes_db == {"snare": -6.0}
    assert seq.pattern == beats.preset("boom_bap")
    seq.update(mutes={"hat": False}, volumes_db={"snare": 0})
    assert seq.mutes == {} and seq.volumes_db == {}


def test_a_click_in_the_page_becomes_seq_pattern(seq):
    """The page sends the whole grid; the kernel keeps it as a Pattern (nudges included)."""
    rows = json.loads(json.dumps(seq.rows))
    rows[0]["steps"][3] = 1.0
    rows[2]["steps"][1] = 40 / 127
    rows[1]["nudges"] = [0.0] * 16
    rows[1]["nudges"][4] = 7.5
    seq.set_state({"rows": rows})  # what ipywidgets does with the page's message
    assert seq.pattern.hits("kick") == [0, 3, 6, 10]
    assert seq.pattern["hat"][1] == pytest.approx(40 / 127)
    assert seq.pattern.nudges_ms("snare")[4] == 7.5
    assert seq.error == ""


def test_a_broken_grid_from_the_page_is_refused_and_redrawn(seq):
    good = seq.pattern
    sent = Sent(seq)
    seq.set_state({"rows": [{"name": "kick", "steps": [2.0] * 5}]})
    assert seq.error and seq.pattern == good
    assert seq.rows == module._rows_state(good)
    assert any("rows" in s for s in sent.states())  # the page gets the good grid back


def test_values_typed_in_the_page_are_validated_by_the_kernel(seq):
    sent = Sent(seq)
    seq._on_page_message(seq, {"type": "set", "name": "bpm", "value": " 96 "}, [])
    assert seq.bpm == 96.0 and seq.error == ""
    seq._on_page_message(seq, {"type": "set", "name": "bpm", "value": "fast"}, [])
    assert "bpm must be a number in BPM (got 'fast')" in seq.error and seq.bpm == 96.0
    assert ({"type": "rejected", "name": "bpm"}) in [d.get("content") for d, _b in sent.messages]
    seq._on_page_message(seq, {"type": "set", "name": "swing", "value": "62,5"}, [])
    assert seq.swing == 62.5 and seq.error == ""
    seq._on_page_message(seq, {"type": "set", "name": "error", "value": "x"}, [])  # not a page parameter
    assert seq.error == ""
    seq._on_page_message(seq, {"type": "set", "name": "steps_per_bar", "value": 32}, [])
    assert seq.pattern.steps_per_bar == 32


def test_browser_render_arrives_as_float32(seq):
    sent = Sent(seq)
    seq.render_in_browser(bars=2)
    request = sent.messages[-1][0]["content"]
    assert request == {"type": "render", "bars": 2, "id": 1}
    assert seq.browser_render is None
    y = np.linspace(-1, 1, 1000, dtype=np.float32)
    seq._on_page_message(seq, {"type": "rendered", "id": 1, "sr": SR, "channels": 1, "length": 1000},
                         [memoryview(y.tobytes())])
    got, sr = seq.browser_render
    assert sr == SR and got.dtype == np.float32 and np.array_equal(got, y)
    seq._on_page_message(seq, {"type": "rendered", "id": 0, "sr": SR, "channels": 1}, [memoryview(b"")])
    assert seq.browser_render[0] is got  # an answer to an older request is ignored


def test_render_is_beats_render(seq, kit):
    np.testing.assert_array_equal(seq.render(bars=2), beats.render(seq.pattern, kit, 90, 58, bars=2))


# --------------------------------------------------------------------------- the page's timing, under Node

NODE_SCRIPT = """
import { Scheduler } from "%s";
const cases = JSON.parse(process.argv[2]);
const out = cases.map((c) => {
  const s = new Scheduler(0, { bpm: c.bpm, swing: c.swing, stepsPerBar: c.spb });
  const grid = { rows: c.rows, bars: c.bars };
  const { hits } = s.take(Infinity, grid, c.spb * c.bars * c.loops);
  // Voices.play's rounding and order
  const placed = hits.map((h) => ({ ...h, frame: Math.max(0, Math.floor(h.time * c.sr + 0.5)) }));
  placed.sort((a, b) => a.frame - b.frame || a.order - b.order);
  return placed.map((h) => [h.name, h.frame, h.velocity]);
});
console.log(JSON.stringify(out));
"""


def run_node(tmp_path, cases):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (apt install nodejs)")
    module_copy = tmp_path / "step_sequencer.mjs"
    module_copy.write_text(JS.read_text())
    script = tmp_path / "run.mjs"
    script.write_text(NODE_SCRIPT % module_copy.as_uri())
    done = subprocess.run([node, str(script), json.dumps(cases)], capture_output=True, text=True, timeout=60,
                          check=True)
    return json.loads(done.stdout)


def test_page_scheduler_places_every_hit_on_the_same_sample_as_python(tmp_path):
    rng = np.random.default_rng(5)
    cases, expected = [], []
    for bpm, swing, spb, bars, loops, sr in [(90, 58, 16, 1, 4, 44100), (92.5, 66.6, 16, 2, 2, 48000),
                                            (140, 50, 32, 1, 3, 44100), (174, 75, 32, 2, 2, 44100),
                                            (61.3, 54.2, 16, 1, 8, 22050), (128, 62, 16, 4, 1, 96000)]:
        grid = "".join(rng.choice(list("x.og"), spb * bars))
        pattern = beats.Pattern({"kick": grid, "hat": "x" * spb * bars, "snare": grid[::-1]}, spb)
        pattern = beats.humanize(pattern, timing_ms=9, velocity=0.2, seed=int(rng.integers(100)))
        cases.append({"bpm": bpm, "swing": swing, "spb": spb, "bars": bars, "loops": loops, "sr": sr,
                      "rows": module._rows_state(pattern)})
        expected.append([[h.instrument, h.sample, h.velocity]
                         for h in beats.schedule(pattern, bpm, sr, swing, bars=bars * loops)])
    got = run_node(tmp_path, cases)
    for case, js, py in zip(cases, got, expected, strict=True):
        assert len(js) == len(py) > 0
        assert js == py, (case["bpm"], case["swing"], case["spb"])


def test_page_scheduler_changes_tempo_at_the_next_step(tmp_path):
    """A tempo change while playing: the steps already scheduled keep their times, the rest follow the new
    tempo from where the old one left off."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (apt install nodejs)")
    module_copy = tmp_path / "step_sequencer.mjs"
    module_copy.write_text(JS.read_text())
    script = tmp_path / "tempo.mjs"
    script.write_text(f"""
import {{ Scheduler }} from "{module_copy.as_uri()}";
const grid = {{ rows: [{{ name: "hat", steps: Array(16).fill(1) }}], bars: 1 }};
const s = new Scheduler(10, {{ bpm: 120, swing: 60, stepsPerBar: 16 }});
const a = s.take(10.5, grid).steps.map((x) => x.time);
s.setParams({{ bpm: 60, swing: 60, stepsPerBar: 16 }});
const b = s.take(12, grid).steps.map((x) => [x.step, x.time]);
console.log(JSON.stringify({{ a, b }}));
""")
    out = json.loads(subprocess.run([node, str(script)], capture_output=True, text=True, check=True).stdout)
    before = 10 + beats.step_times(4, 120, 60)
    np.testing.assert_allclose(out["a"], before, atol=1e-12)  # steps 0-3 lie before 10.5 s
    steps, times = zip(*out["b"], strict=True)
    assert steps[0] == 4
    t4 = 10 + beats.step_times(5, 120, 60)[4]  # where the old tempo put step 4
    new = t4 + beats.step_times(12, 60, 60)[4:] - beats.step_times(12, 60, 60)[4]
    np.testing.assert_allclose(times, new[: len(times)], atol=1e-12)
    assert len(times) == 6  # steps 4-9 (a 16th is 250 ms at 60 BPM) start before 12 s


def test_mutes_and_volumes_from_the_page_are_validated(seq):
    seq.set_state({"mutes": {"hat": True}, "volumes_db": {"snare": -9}})
    assert seq.mutes == {"hat": True} and seq.volumes_db == {"snare": -9.0}
    assert isinstance(seq.volumes_db["snare"], float)
    seq.set_state({"volumes_db": {"snare": 99}})
    assert "volume of 'snare' must be between -40 and +6 dB (got 99)" in seq.error
    assert seq.volumes_db == {"snare": -9.0}


def test_page_edits_while_playing_sound_on_the_next_pass_of_that_step(tmp_path):
    """The scheduler reads the grid on every tick: a step switched on after its time has been scheduled is
    heard on the next loop; one switched on ahead of the scheduler is heard this time round."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (apt install nodejs)")
    module_copy = tmp_path / "step_sequencer.mjs"
    module_copy.write_text(JS.read_text())
    script = tmp_path / "edit.mjs"
    script.write_text(f"""
import {{ Scheduler }} from "{module_copy.as_uri()}";
const grid = {{ rows: [{{ name: "kick", steps: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }}], bars: 1 }};
const s = new Scheduler(0, {{ bpm: 120, swing: 50, stepsPerBar: 16 }});
const first = s.take(0.9, grid).hits.map((h) => h.step);  // steps 0-7 scheduled
grid.rows = [{{ name: "kick", steps: grid.rows[0].steps.map((v, k) => (k === 4 || k === 12 ? 1 : v)) }}];
const rest = s.take(4.0, grid).hits.map((h) => [h.step, h.time]);
console.log(JSON.stringify({{ first, rest }}));
""")
    out = json.loads(subprocess.run([node, str(script)], capture_output=True, text=True, check=True).stdout)
    assert out["first"] == [0]
    # At 120 BPM a 16th is 125 ms: step 12 sounds this pass (1.5 s), step 4 only on the next (2.5 s).
    assert out["rest"] == [[12, 1.5], [0, 2.0], [4, 2.5], [12, 3.5]]


def test_preset_names_read_as_a_producer_writes_them(kit):
    """``StepSequencer(preset("boom bap"), ...)``, as a lesson writes it, is the boom_bap preset."""
    assert beats.preset("boom bap") == beats.preset("Boom-Bap") == beats.PRESETS["boom_bap"].pattern
    with pytest.raises(ParameterError, match="name must be one of 'house'"):
        beats.preset("drill")
    with pytest.raises(ParameterError, match=r"name must be one of .* \(got \['house'\]\)"):
        beats.preset(["house"])
    assert StepSequencer(beats.preset("boom bap"), kit=kit, bpm=90).pattern.instruments == ["kick", "snare", "hat"]


def test_a_kit_is_encoded_once_for_every_sequencer_that_shows_it(kit, monkeypatch):
    StepSequencer(kit=kit)
    calls = []
    monkeypatch.setattr(module, "encode_flac", lambda *a, **k: calls.append(1) or b"")
    again = StepSequencer(beats.preset("house"), kit=kit)
    assert calls == [] and len(again.kit_layers) == 33 and again.kit_layers[0]["audio"][:4] == b"fLaC"
