"""Nothing a student can pass crashes the public audio API (issue 18, robustness).

Every entry of :mod:`tests.robustness_inventory` (processors, meters, master, qc, editing, arrange, beats,
plots, resampling) is called with awkward audio (empty, one sample, NaN/Inf, int16/float64/bool/complex,
``(n, 2)``/``(3, n)``/3-D/lists, +100 dB, DC, denormals, non-contiguous views) and awkward sample rates
(0, -1, 1, 8 kHz, 192 kHz, a float, a string, None). Each call either gives a finite result of the documented
shape and dtype or raises a :class:`~producerkit.errors.ProducerkitError` whose message says what to pass.
Anything else (ZeroDivisionError, TypeError, scipy's padlen ValueError, a numba TypingError) fails.

The sweep tries every awkward clip at 44.1 kHz and every awkward rate with mono and stereo noise for every
entry; hypothesis then draws further combinations (a bounded number per entry, derandomized for CI). The
number of calls is printed at the end of the run.
"""

from __future__ import annotations

import dataclasses
import math
import os
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from producerkit.audio import ensure_audio
from producerkit.errors import ProducerkitError

from .robustness_inventory import AWKWARD_NUMBERS, MUST_REFUSE, SAMPLE_RATES, awkward_audio, entries, number_entries

os.environ.setdefault("NUMBA_CACHE_DIR", "/tmp/producerkit-numba")

ENTRIES = entries()
NUMBERS = number_entries()
AUDIO = awkward_audio()
EXAMPLES = int(os.environ.get("PRODUCERKIT_FUZZ_EXAMPLES", "6"))  # hypothesis draws per entry, past the sweep
CALLS = {"n": 0, "raised": 0, "functions": set(), "numbers": set()}

#: Words that show a message says what to pass, not only what went wrong.
_ADVICE = ("must", "pass", "use", "try", "need", "check", "give", "at least", "set", "choose", "pick", "take",
           "shorten", "start", "fold", "export")


def _bad_numbers(value, where: str, depth: int = 0, nan_fields=()) -> list[str]:
    """Where ``value`` (a number, array, container, dataclass or plotly figure) holds NaN or +inf.

    ``nan_fields`` are a dataclass's fields documented as NaN when there is nothing to measure.
    """
    if depth > 6 or value is None or isinstance(value, (str, bytes, bool, Path)):
        return []
    if isinstance(value, (complex, np.complexfloating)):
        return _bad_numbers(value.real, where, depth) + _bad_numbers(value.imag, f"{where}.imag", depth)
    if isinstance(value, (int, float, np.number)) and not isinstance(value, np.bool_):
        number = float(value)
        return [f"{where} = {number}"] if math.isnan(number) or number == math.inf else []
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fc":
            arr = value.real.astype(np.float64)
            if np.isnan(arr).any() or np.isposinf(arr).any():
                return [f"{where}: {int(np.isnan(arr).sum())} NaN, {int(np.isposinf(arr).sum())} +inf"]
        return []
    if hasattr(value, "to_plotly_json") and hasattr(value, "data"):  # a plotly figure: its traces' numbers
        found = []
        for i, trace in enumerate(value.data):
            for key in ("x", "y", "z"):
                data = getattr(trace, key, None)
                if data is not None and not isinstance(data, str):
                    arr = np.asarray(data, dtype=object).ravel()
                    nums = np.array([float(v) for v in arr if isinstance(v, (int, float, np.number))], float)
                    if np.isnan(nums).any() or np.isinf(nums).any():
                        found.append(f"{where}.data[{i}].{key} holds NaN or inf")
        return found
    if isinstance(value, dict):
        return [m for k, v in value.items() for m in _bad_numbers(v, f"{where}[{k!r}]", depth + 1)]
    if isinstance(value, (list, tuple)):
        return [m for i, v in enumerate(value[:200]) for m in _bad_numbers(v, f"{where}[{i}]", depth + 1)]
    if dataclasses.is_dataclass(value):
        return [m for f in dataclasses.fields(value) if f.name not in nan_fields
                for m in _bad_numbers(getattr(value, f.name, None), f"{where}.{f.name}", depth + 1)]
    return []


def judge(entry, y, sr, label: str) -> None:
    """Call ``entry`` once and fail unless it returned a sound result or raised a helpful ProducerkitError."""
    _judge(entry, lambda: entry.call(y, sr), label, y)


def _judge(entry, call, label: str, y=None) -> bool:
    """Run ``call`` as ``entry`` once: True if it raised a helpful ProducerkitError, False if it returned a sound
    result; anything else fails the test."""
    CALLS["n"] += 1
    CALLS["functions" if hasattr(entry, "kind") else "numbers"].add(entry.name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a warning is allowed (a clipped save warns); an exception is judged
            result = call()
    except ProducerkitError as exc:
        CALLS["raised"] += 1
        message = str(exc)
        assert len(message) > 15 and any(word in message.lower() for word in _ADVICE), (
            f"{entry.name} with {label}: the message does not say what to pass: {message!r}"
        )
        return True
    except Exception as exc:  # noqa: BLE001 (the point of the test: nothing else may escape)
        pytest.fail(f"{entry.name} with {label} raised {type(exc).__name__}: {exc}")
    kind = getattr(entry, "kind", "value")
    if kind in ("same", "audio"):
        assert isinstance(result, np.ndarray), f"{entry.name} with {label} returned {type(result).__name__}"
        assert result.dtype == np.float32, f"{entry.name} with {label} returned dtype {result.dtype}"
        assert result.ndim in (1, 2), f"{entry.name} with {label} returned shape {result.shape}"
        assert np.isfinite(result).all(), f"{entry.name} with {label} returned NaN or inf samples"
        if kind == "same":
            expected = ensure_audio(y).shape
            assert result.shape == expected, f"{entry.name} with {label}: shape {result.shape}, input {expected}"
    else:
        bad = _bad_numbers(result, "result", nan_fields=getattr(entry, "nan_fields", ()))
        assert not bad, f"{entry.name} with {label} returned {bad[:3]}"
    return False


def sweep(entry) -> list[tuple[str, str]]:
    """Every awkward clip at 44.1 kHz, then every awkward rate with the entry's rate clips."""
    return [(name, "44100") for name in AUDIO] + [
        (clip, rate) for clip in entry.rate_clips for rate in SAMPLE_RATES if rate != "44100"
    ]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_every_awkward_clip_and_rate_gives_a_sound_result_or_a_helpful_error(entry):
    for clip, rate in sweep(entry):
        judge(entry, AUDIO[clip], SAMPLE_RATES[rate], f"{clip} audio at sr={rate}")


def _scaled(clip: str, gain: float):
    y = AUDIO[clip]
    if isinstance(y, np.ndarray) and y.dtype == np.float32:
        return y * np.float32(gain)
    return y


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_drawn_combinations_give_a_sound_result_or_a_helpful_error(entry):
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(clip=st.sampled_from(sorted(AUDIO)), rate=st.sampled_from(sorted(SAMPLE_RATES)),
           gain=st.sampled_from([1.0, 1e-30, 1e5, -1.0, 0.0]))
    def run(clip, rate, gain):
        judge(entry, _scaled(clip, gain), SAMPLE_RATES[rate], f"{clip} audio x{gain:g} at sr={rate}")

    run()


@pytest.mark.parametrize("entry", NUMBERS, ids=lambda e: e.name)
def test_every_awkward_number_gives_a_sound_result_or_a_helpful_error(entry):
    """None, text, NaN, infinities, huge numbers, bools, complex numbers, lists and arrays where a number goes:
    a sound result or a helpful ProducerkitError, and NaN, text, True, complex numbers and arrays (and None,
    unless None is the documented default) are never taken silently."""
    for label, value in AWKWARD_NUMBERS.items():
        refused = _judge(entry, lambda value=value: entry.call(value), f"{label} for the number")
        if (label in MUST_REFUSE and label not in entry.accepts) or (label == "None" and not entry.optional):
            assert refused, f"{entry.name}: {label} was taken silently; refuse it with a message saying what to pass"


def test_the_inventory_covers_every_area_the_issue_names():
    areas = {e.name.split(".")[0] for e in ENTRIES}
    assert {"eq", "dynamics", "space", "mix", "master", "meters", "editing", "arrange", "beats", "plots",
            "audio", "recording", "capstone"} <= areas
    names = {e.name for e in ENTRIES}
    assert {"master.master", "master.qc", "beats.render", "audio.resample 44.1k->48k"} <= names
    # what session 4 added (lessons 06, 08, 09, 10, 12): a regression that drops one is caught here
    assert {"recording.Mic.record", "recording.Mic.record room peak", "recording.MicPair.record", "recording.capture",
            "recording.Room.sound", "editing.tune", "editing.tune span", "editing.note_pitches", "editing.comp_takes",
            "editing.flat_phrase_demo", "master.master_to_platform", "master.decode_mix", "master.save_master",
            "master.check_complete", "mix.MixSettings", "capstone.master_for", "capstone.tune_phrase"} <= names
    number_areas = {e.name.split(".")[0] for e in NUMBERS}
    assert {"recording", "editing", "master", "mix", "capstone", "planning", "business"} <= number_areas
    assert {"planning.ep_budget songs", "planning.ep_plan start", "business.royalties producer_points",
            "editing.tune cents", "recording.Mic distance_m"} <= {e.name for e in NUMBERS}


def test_every_public_recording_and_editing_call_is_in_the_inventory():
    """A public function (or processor class) added to recording.py or editing.py must join the inventory."""
    import inspect

    from producerkit import editing, recording

    listed = [e.name for e in ENTRIES + NUMBERS]
    results = {"Phrase", "TakeScore", "Choice", "CompResult", "NotePitch", "FlatDemo"}  # what calls return
    for module in (recording, editing):
        area = module.__name__.split(".")[-1]
        for name, obj in vars(module).items():
            if name.startswith("_") or name in results or getattr(obj, "__module__", "") != module.__name__ or not (
                    inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            assert any(e == f"{area}.{name}" or e.startswith((f"{area}.{name} ", f"{area}.{name}.")) for e in listed), (
                f"{module.__name__}.{name} is public but not in tests/robustness_inventory.py: add it there"
            )


@pytest.fixture(scope="module", autouse=True)
def _report_calls(request):
    yield
    line = (f"robustness: {CALLS['n']} calls over {len(CALLS['functions'])} public functions and "
            f"{len(CALLS['numbers'])} number parameters ({CALLS['raised']} raised a ProducerkitError, the rest "
            "returned sound results)")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        with capture.global_and_fixture_disabled():
            print("\n" + line)
    else:
        print(line)
