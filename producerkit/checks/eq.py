"""Checkers for the EQ lesson: find the mud, cut it, tame a resonance, high-pass rumble, find the kick.

Every checker judges the answer against the bundled session "Paper Lanterns": the true problem
frequencies come from ``datasets/manifest.json`` (``Session.problem``), and the cuts are judged by
what they do to the audio: the variant with the student's EQ is measured against the clean stem.

Lesson: course/01-eq.ipynb
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache

import numpy as np

from .. import datasets
from .. import eq as eqmod
from ..errors import ProducerkitError
from ..plots import SmoothedSpectrum, spectrum_db
from ._feedback import Feedback, as_number, is_unanswered, octaves_between, right, unanswered, wrong

#: A frequency answer within this many octaves of the problem's centre counts: 1/5 octave, 274-361 Hz
#: at 315 Hz, where the "muddy - clean" difference is within about 1.5 dB of its top (8.9 dB). It is the
#: same target for finding the mud (exercise 1) and cutting it (exercise 2): a bell centred anywhere
#: in it can bring the keys back within MUD_MATCH_DB of the clean ones, and one centred more than
#: about 0.22 octave away cannot, whatever its gain and q (tests/test_feedback_consistency.py).
MUD_TOLERANCE_OCT = 1 / 5
#: A resonance is narrow (q 8 is about 1/6 octave wide), and a narrow cut must sit right on it: 1/24
#: octave (one step of the explorer's frequency slider), 3.30-3.50 kHz at 3.4 kHz. The same target for
#: finding it (exercise 3) and cutting it (exercise 4).
RESONANCE_TOLERANCE_OCT = 1 / 24
#: The kick's fundamental: within a quarter octave of the measured peak.
KICK_TOLERANCE_OCT = 1 / 4

#: The settings a hint may suggest for a mud cut (each one is tried before it is suggested).
MUD_HINT_GAINS_DB = (-4.0, -5.0, -6.0, -7.0, -8.0, -9.0, -10.0, -11.0, -12.0)
MUD_HINT_QS = (0.7, 0.8, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0)
#: After the cut, the keys must sit within this many dB of the clean keys across MUD_BAND_HZ.
MUD_MATCH_DB = 2.0
MUD_BAND_HZ = (200.0, 500.0)

#: A resonance cut: at least 6 dB deep (at most 24), q 3 or narrower.
RESONANCE_CUT_DB = (6.0, 24.0)
RESONANCE_MIN_Q = 3.0
#: The settings a hint may suggest for a resonance cut (each one is tried before it is suggested).
RESONANCE_HINT_GAINS_DB = (-6.0, -8.0, -10.0, -12.0, -15.0, -18.0)
RESONANCE_HINT_QS = (3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 16.0)
#: After the cut nothing in RESONANCE_BAND_HZ may stick out more than this above the clean guitar,
RESONANCE_MATCH_DB = 3.0
RESONANCE_BAND_HZ = (2500.0, 4500.0)
#: and nothing in the guitar's presence and air (TONE_BAND_HZ) may drop more than this below it.
RESONANCE_HOLE_DB = 3.0
TONE_BAND_HZ = (1500.0, 8000.0)

#: A high-pass must take the rumble down by at least this much (the rumble's energy, in dB).
RUMBLE_MIN_REDUCTION_DB = 20.0
#: and may take at most this much off the lead's lowest note (its response there, in dB).
VOICE_MAX_LOSS_DB = 1.0
#: A bare number for check_highpass means HighPass(number, order=HIGHPASS_DEFAULT_ORDER) (the manifest's fix).
HIGHPASS_DEFAULT_ORDER = 4

#: Where the kick's fundamental is looked for in its spectrum.
KICK_SEARCH_HZ = (30.0, 200.0)
KICK_FFT = 32768


# --------------------------------------------------------------------------- the session's facts


_session = datasets.shared_session


def _excerpts(variant: str) -> tuple[np.ndarray, np.ndarray, int]:
    """The variant and the clean stem over the same bars (float32 mono), and the sample rate."""
    session = _session()
    problem = session.problem(variant)
    y = session.variants[variant]
    start = session.bar_to_sample(problem.bars[0])
    clean = session.stems[problem.clean][start : start + len(y)]
    return y, clean, session.sr


def problem_freq(variant: str) -> float:
    """The centre frequency in Hz of the problem baked into ``variant``, from the manifest.

    Lesson: not yet taught
    """
    return float(_session().problem(variant).freq)


@lru_cache(maxsize=1)
def lowest_lead_fundamental() -> float:
    """The lowest note the lead sings, in Hz, measured from the whole lead stem.

    The lowest frequency at which the stem's spectrum (one FFT over the whole song) comes within
    20 dB of its strongest partial: below the fundamental of the lowest note there is nothing but
    noise, so this is that fundamental (about 294 Hz, the D4 in verse 1d).

    Lesson: course/01-eq.ipynb
    """
    session = _session()
    y = np.asarray(session.stems["lead"], dtype=np.float64)
    power_db = 10 * np.log10(np.abs(np.fft.rfft(y)) ** 2 + 1e-30)
    freqs = np.fft.rfftfreq(y.size, 1.0 / session.sr)
    return float(freqs[np.argmax(power_db > power_db.max() - 20.0)])


@lru_cache(maxsize=1)
def kick_fundamental() -> float:
    """Where the kick's low thump sits, in Hz: the peak of the kick stem's spectrum in 30-200 Hz.

    Measured with long (32768-sample, 1.3 Hz) FFT frames, as the lesson's zoomed kick-and-bass
    figure draws it: the spectra's default 16384 gives 2.7 Hz bins, coarse at 50 Hz.

    Lesson: course/01-eq.ipynb
    """
    session = _session()
    freqs = np.geomspace(*KICK_SEARCH_HZ, 240)
    _, db = spectrum_db(session.stems["kick"], session.sr, freqs, n_fft=KICK_FFT)
    return float(freqs[int(np.argmax(db))])


def _band_freqs(band_hz: tuple[float, float]) -> np.ndarray:
    return np.geomspace(*band_hz, 48)


@lru_cache(maxsize=4)
def _clean_spectrum(variant: str, band_hz: tuple[float, float]) -> np.ndarray:
    _, clean, sr = _excerpts(variant)
    return spectrum_db(clean, sr, _band_freqs(band_hz))[1]


def _difference_db(variant: str, processor, band_hz: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Spectrum of ``processor(variant)`` minus that of the clean stem, in dB, at log freqs in ``band_hz``."""
    y, _, sr = _excerpts(variant)
    freqs = _band_freqs(band_hz)
    processed = spectrum_db(processor(y, sr), sr, freqs)[1]
    return freqs, processed - _clean_spectrum(variant, band_hz)


# --------------------------------------------------------------------------- answer helpers


def _hz(f: float) -> str:
    """1.2 kHz, 315 Hz, 0.3 Hz: whole hertz from 10 Hz up, two significant digits below."""
    if f >= 1000:
        return f"{f / 1000:.3g} kHz"
    return f"{f:.0f} Hz" if f >= 10 else f"{f:.2g} Hz"


def _distance_words(octaves: float) -> str:
    """'about an octave too low', 'about half an octave too high', 'a little too low'."""
    size = abs(octaves)
    direction = "too high" if octaves > 0 else "too low"
    if size >= 1.75:
        return f"about {size:.0f} octaves {direction}"
    if size >= 0.75:
        return f"about an octave {direction}"
    if size >= 0.4:
        return f"about half an octave {direction}"
    return f"a little {direction}"


def _range_text(centre: float, tolerance_oct: float) -> str:
    """The accepted range, rounded inwards (to 10 Hz above 1 kHz, 1 Hz below), so both ends count."""
    lo, hi = centre * 2 ** -tolerance_oct, centre * 2**tolerance_oct
    step = 10.0 if lo >= 1000 else 1.0
    return f"{_hz(np.ceil(lo / step) * step)}–{_hz(np.floor(hi / step) * step)}"


def _check_frequency(answer, centre: float, tolerance_oct: float, what: str, found: str,
                     truth: str = "the problem sits at") -> Feedback:
    if is_unanswered(answer):
        return unanswered(f"write the frequency of {what} in Hz.")
    hz = as_number(answer)
    if hz is None or hz <= 0:
        return wrong(f"{answer!r} is not a frequency: write a number of Hz, such as 1000.",
                     f"somewhere in {_range_text(centre, tolerance_oct)}.")
    if hz < 20 or hz > 20000:
        return wrong(f"{_hz(hz)} is outside what we hear (20 Hz–20 kHz).",
                     "sweep a boost through the spectrum and listen for where the problem jumps out.")
    octaves = octaves_between(hz, centre)
    if abs(octaves) <= tolerance_oct:
        return right(f"{_hz(hz)}: {found} ({truth} {_hz(centre)}).")
    return wrong(f"{_hz(hz)} is {_distance_words(octaves)} for {what}.",
                 f"somewhere in {_range_text(centre, tolerance_oct)}.")


def _single_band(answer, kinds: tuple[type, ...]):
    """The one band in ``answer`` (a band, or an EQ holding exactly one active band), else None."""
    if isinstance(answer, eqmod.EQ):
        active = answer.active()
        return active[0] if len(active) == 1 else None
    return answer if isinstance(answer, kinds) else None


def _describe(band) -> str:
    gain = f", gain_db={band.gain_db:+g}" if hasattr(band, "gain_db") else ""
    return f"{type(band).__name__}({band.freq:g}{gain}, q={band.q:g})"


# --------------------------------------------------------------------------- 1. the mud


def check_mud_frequency(mud_hz) -> Feedback:
    """Exercise: at what frequency is the mud on the ``keys_mud`` variant? Within 1/5 octave counts.

    Lesson: course/01-eq.ipynb
    """
    centre = problem_freq("keys_mud")
    return _check_frequency(mud_hz, centre, MUD_TOLERANCE_OCT, "the mud on the keys",
                            "that's the boxy, woolly low-mid bump")


def mud_cut_error_db(band) -> float:
    """How far ``band`` leaves the muddy keys from the clean ones: the largest gap in dB, 200-500 Hz.

    The number ``check_mud_cut`` judges (at most 2 dB passes): ``keys_mud`` through the band against
    the clean keys, 1/6-octave spectra at 48 frequencies from 200 to 500 Hz.

    Lesson: not yet taught
    """
    _, diff = _difference_db("keys_mud", band, MUD_BAND_HZ)
    return float(np.max(np.abs(diff)))


def check_mud_cut(band) -> Feedback:
    """Exercise: a bell (``Peak``) that cuts the mud out of ``keys_mud``.

    Judged by what it does: the muddy keys through the band must sit within 2 dB of the clean
    keys everywhere from 200 to 500 Hz (1/6-octave spectra), with the bell centred where finding
    the mud counts (within 1/5 octave of it). A wrong cut is told where the keys still differ, and
    a hint suggests one setting to change; every suggestion is tried first and brings the keys closer.

    Lesson: course/01-eq.ipynb
    """
    if is_unanswered(band):
        return unanswered("write a Peak band, e.g. Peak(freq, gain_db=..., q=...).")
    peak = _single_band(band, (eqmod.Peak,))
    if peak is None:
        if isinstance(band, eqmod.HighPass | eqmod.LowShelf):
            return wrong("a high-pass or a low shelf takes out the bass and the warmth below the mud as well; "
                         "mud is a bump in the low-mids.",
                         "use a bell at the frequency you found in exercise 1: Peak(freq, gain_db=-9, q=1.2).")
        return wrong(f"{band!r} is not a bell band.", "write Peak(freq, gain_db=..., q=...) from producerkit.eq.")
    if peak.gain_db >= 0:
        return wrong(f"gain_db={peak.gain_db:+g} dB is {'a boost' if peak.gain_db > 0 else 'no change'}: "
                     "the low-mids are already too loud.", "cut: give gain_db a negative value, such as -9.")
    try:
        freqs, diff = _difference_db("keys_mud", peak, MUD_BAND_HZ)
    except ProducerkitError as exc:
        return wrong(f"the band could not filter the keys: {exc}")
    centre = problem_freq("keys_mud")
    octaves = octaves_between(peak.freq, centre)
    worst = int(np.argmax(np.abs(diff)))
    off_centre = abs(octaves) > MUD_TOLERANCE_OCT
    if abs(diff[worst]) <= MUD_MATCH_DB and not off_centre:
        within = max(float(np.max(np.abs(diff))), 0.1)
        return right(f"{_describe(peak)} brings the keys back within {within:.1f} dB of the clean "
                     f"keys from {MUD_BAND_HZ[0]:g} to {MUD_BAND_HZ[1]:g} Hz: the chords are clear again.")
    gap = f"{diff[worst]:+.1f} dB {'above' if diff[worst] > 0 else 'below'} the clean keys at {_hz(freqs[worst])}"
    where = f"your bell at {_hz(peak.freq)} is {_distance_words(octaves)} for the middle of the mud"
    if abs(diff[worst]) <= MUD_MATCH_DB:
        message = (f"nearly: the keys are within {abs(diff[worst]):.1f} dB of the clean keys, but {where}, "
                   "so the cut leans to one side of the bump.")
    elif off_centre:
        message = f"{where}, so it {'misses much of it' if diff[worst] > 0 else 'digs a hole beside it'}: " \
                  f"the keys are {gap}."
    elif diff[worst] > 0:
        message = f"the keys are still {gap}."
    else:
        message = f"that overshoots: the keys are now {gap}, a hollow hole."
    return wrong(message, _mud_hint(peak))


def _mud_hint(peak) -> str:
    """The change to ``peak`` that brings the keys closest to the clean ones: one setting, else gain and q."""
    singles = ([("freq", float(f)) for f in _freq_steps(peak.freq)]
               + [("gain_db", g) for g in MUD_HINT_GAINS_DB] + [("q", q) for q in MUD_HINT_QS])
    return _best_change(peak, lambda band: _fast_error_db("keys_mud", band, MUD_BAND_HZ), singles,
                        MUD_HINT_GAINS_DB, MUD_HINT_QS)


def _best_change(band, miss, singles, gains, qs) -> str:
    """Words for the change that lowers ``miss(band)`` most: one setting from ``singles`` if one helps,
    else a gain and a q together (only q for a band without gain). Every suggestion has been tried."""
    def best_of(changes):
        best, best_miss = None, miss(band)
        for change in changes:
            if all(value == getattr(band, name) for name, value in change):
                continue
            trial = miss(dataclasses.replace(band, **dict(change)))
            if trial < best_miss - 0.05:
                best, best_miss = change, trial
        return best

    change = best_of([(single,) for single in singles])
    if change is None and hasattr(band, "gain_db"):
        change = best_of([(("gain_db", g), ("q", q)) for g in gains for q in qs])
    if change is None:
        return "start from a new bell at the frequency you found, and listen while you turn its gain and q."
    return _change_words(band, change)


def _freq_steps(freq: float) -> list[float]:
    """Frequencies one to six semitones above and below ``freq``, rounded to 5 Hz (10 Hz above 1 kHz).

    At most half an octave per hint: the hint nudges the bell towards the mud, it does not name the answer.
    """
    out = []
    for k in range(-6, 7):
        if k:
            f = freq * 2 ** (k / 12)
            step = 10.0 if f >= 1000 else 5.0
            out.append(round(f / step) * step)
    return out


def _change_words(band, change) -> str:
    """'cut deeper: gain_db=-9, keeping its other settings', 'widen the bell (a lower q): q=0.8, ...'."""
    shape = "notch" if isinstance(band, eqmod.Notch) else "bell"
    words = []
    for name, value in change:
        old = getattr(band, name)
        if name == "gain_db":
            words.append("cut deeper" if value < old else "cut less deep")
        elif name == "q":
            words.append(f"widen the {shape} (a lower q)" if value < old else f"narrow the {shape} (a higher q)")
        else:
            words.append(f"move it {'up' if value > old else 'down'}")
    settings = ", ".join(f"{name}={value:g}" for name, value in change)
    return f"{' and '.join(words)}: {settings}, keeping its other settings."


@lru_cache(maxsize=8)
def _fast_spectra(variant: str, band_hz: tuple[float, float]):
    y, clean, sr = _excerpts(variant)
    freqs = _band_freqs(band_hz)
    return SmoothedSpectrum(y, sr, freqs), spectrum_db(clean, sr, freqs)[1], sr


def _fast_difference_db(variant: str, band, band_hz: tuple[float, float]) -> np.ndarray:
    """``_difference_db`` without filtering the audio: the variant's spectrum times the band's response.

    The same numbers to within the analysis window's leakage (a few tenths of a dB), fast enough to
    try a few dozen settings for a hint.
    """
    spec, clean_db, sr = _fast_spectra(variant, band_hz)
    return spec.db(band.response(spec.bin_freqs[spec.used], sr)) - clean_db


def _fast_error_db(variant: str, band, band_hz: tuple[float, float]) -> float:
    return float(np.max(np.abs(_fast_difference_db(variant, band, band_hz))))


# --------------------------------------------------------------------------- 2. the resonance


def check_resonance_frequency(harsh_hz) -> Feedback:
    """Exercise: where is the whistling resonance on ``guitar_harsh``? Within 1/24 octave counts.

    Lesson: course/01-eq.ipynb
    """
    centre = problem_freq("guitar_harsh")
    return _check_frequency(harsh_hz, centre, RESONANCE_TOLERANCE_OCT, "the guitar's resonance",
                            "that's where the boost made the whistle jump out")


def check_resonance_cut(band) -> Feedback:
    """Exercise: a narrow cut (``Peak`` or ``Notch``) that tames the resonance on ``guitar_harsh``.

    The settings: within 1/24 octave of the resonance, q 3 or more, a Peak cutting 6-24 dB. The
    sound: from 2.5 to 4.5 kHz nothing may stick out more than 3 dB above the clean guitar, and
    from 1.5 to 8 kHz nothing may drop more than 3 dB below it (a hole dulls the guitar).

    Lesson: course/01-eq.ipynb
    """
    if is_unanswered(band):
        return unanswered("write a narrow cut, e.g. Peak(freq, gain_db=..., q=...) or Notch(freq, q=...).")
    cut = _single_band(band, (eqmod.Peak, eqmod.Notch))
    if cut is None:
        if isinstance(band, eqmod.LowPass | eqmod.HighShelf):
            return wrong("a low-pass or a high shelf dulls every note to get rid of one frequency.",
                         "cut narrow instead: Peak(freq, gain_db=-10, q=8).")
        return wrong(f"{band!r} is not a bell or a notch.", "write Peak(freq, gain_db=..., q=...) from producerkit.eq.")
    centre = problem_freq("guitar_harsh")
    octaves = octaves_between(cut.freq, centre)
    if abs(octaves) > RESONANCE_TOLERANCE_OCT:
        return wrong(f"your cut at {_hz(cut.freq)} is {_distance_words(octaves)}: a narrow cut has to sit right "
                     "on the resonance.", f"sweep a narrow boost to find it; it is in "
                     f"{_range_text(centre, RESONANCE_TOLERANCE_OCT)}.")
    if isinstance(cut, eqmod.Peak):
        if cut.gain_db >= 0:
            return wrong(f"gain_db={cut.gain_db:+g} dB is {'a boost' if cut.gain_db > 0 else 'no change'}: "
                         "boosting was only to find it.", "now cut: give gain_db a negative value, such as -10.")
        if -cut.gain_db < RESONANCE_CUT_DB[0]:
            return wrong(f"a {-cut.gain_db:g} dB cut barely touches a resonance that pokes out by about 12 dB.",
                         f"cut {RESONANCE_CUT_DB[0]:g}–12 dB.")
        if -cut.gain_db > RESONANCE_CUT_DB[1]:
            return wrong(f"a {-cut.gain_db:g} dB cut is far deeper than the resonance.", "cut 6–12 dB.")
    if cut.q < RESONANCE_MIN_Q:
        return wrong(f"q={cut.q:g} is too wide: it takes the guitar's presence down with the whistle.",
                     "cut narrow: q 5–10.")
    try:
        freqs, diff = _difference_db("guitar_harsh", cut, RESONANCE_BAND_HZ)
        tone_freqs, tone_diff = _difference_db("guitar_harsh", cut, TONE_BAND_HZ)
    except ProducerkitError as exc:
        return wrong(f"the band could not filter the guitar: {exc}")
    high = int(np.argmax(diff))
    if diff[high] > RESONANCE_MATCH_DB:
        # Say where the resonance itself is (not the analysis band where most of it is left) and
        # which way the cut must move to sit on it.
        off = octaves_between(centre, cut.freq)
        if abs(off) > RESONANCE_TOLERANCE_OCT / 4:
            hint = (f"a narrow cut has to sit right on the resonance at {_hz(centre)}: move yours "
                    f"{'up' if off > 0 else 'down'} from {_hz(cut.freq)}.")
        else:
            hint = _resonance_hint(cut)
        return wrong(f"the whistle is still there: around the resonance the guitar is still up to "
                     f"{diff[high]:+.1f} dB above the clean one.", hint)
    low = int(np.argmin(tone_diff))
    if tone_diff[low] < -RESONANCE_HOLE_DB:
        return wrong(f"the resonance is gone, but the cut digs a hole: {tone_diff[low]:+.1f} dB below the clean "
                     f"guitar at {_hz(tone_freqs[low])}.", _resonance_hint(cut))
    return right(f"{_describe(cut)} tames the whistle: from 2.5 to 4.5 kHz the guitar is within "
                 f"{max(diff.max(), 0.1):.1f} dB of the clean one, and its presence is intact.")


def _resonance_miss_db(cut) -> float:
    """How far ``cut`` is from passing (0 or less passes): the whistle left above 3 dB, or the hole below -3 dB."""
    whistle = float(np.max(_fast_difference_db("guitar_harsh", cut, RESONANCE_BAND_HZ))) - RESONANCE_MATCH_DB
    hole = -float(np.min(_fast_difference_db("guitar_harsh", cut, TONE_BAND_HZ))) - RESONANCE_HOLE_DB
    return max(whistle, hole)


def _resonance_hint(cut) -> str:
    """The change to ``cut`` that brings it closest to passing (a Notch has only its width to change)."""
    singles = [("q", q) for q in RESONANCE_HINT_QS]
    if isinstance(cut, eqmod.Peak):
        singles += [("gain_db", g) for g in RESONANCE_HINT_GAINS_DB]
    return _best_change(cut, _resonance_miss_db, singles, RESONANCE_HINT_GAINS_DB, RESONANCE_HINT_QS)


# --------------------------------------------------------------------------- 3. the rumble


@lru_cache(maxsize=1)
def _rumble() -> tuple[np.ndarray, int]:
    """The rumble on ``lead_rumble`` alone: the variant minus the clean lead."""
    y, clean, sr = _excerpts("lead_rumble")
    return (y.astype(np.float64) - clean).astype(np.float32), sr


def _energy(y) -> float:
    return float(np.sum(np.square(y, dtype=np.float64)))


def rumble_reduction_db(processor) -> float:
    """How many dB ``processor`` (a band or an EQ) takes off the rumble in ``lead_rumble``.

    Lesson: not yet taught
    """
    rumble, sr = _rumble()
    return float(10 * np.log10(_energy(rumble) / max(_energy(processor(rumble, sr)), 1e-30)))


def check_highpass(answer) -> Feedback:
    """Exercise: a high-pass that removes the rumble under ``lead_rumble`` without thinning the voice.

    ``answer`` is a ``HighPass`` band (or an ``EQ`` of bands), or a bare cutoff in Hz, which means
    ``HighPass(cutoff, order=4)``. It must take the rumble's energy down by at least 20 dB, and take
    at most 1 dB off the lead's lowest note (measured from the stem: about 294 Hz).

    Lesson: course/01-eq.ipynb
    """
    if is_unanswered(answer):
        return unanswered("write a cutoff in Hz, or a band such as HighPass(freq, order=4).")
    if isinstance(answer, eqmod.Band | eqmod.EQ):
        processor = answer
        if isinstance(answer, eqmod.Band) and not isinstance(answer, eqmod.HighPass):
            return wrong(f"a {type(answer).__name__} is not a high-pass: rumble is everything below the music, "
                         "and a high-pass removes exactly that.", "write HighPass(freq, order=4).")
    else:
        hz = as_number(answer)
        if hz is None or hz <= 0:
            return wrong(f"{answer!r} is not a cutoff frequency.", "write a number of Hz, or HighPass(freq, order=4).")
        try:
            processor = eqmod.HighPass(hz, order=HIGHPASS_DEFAULT_ORDER)
        except ProducerkitError as exc:
            return wrong(str(exc))
    sr = _session().sr
    try:
        reduction = rumble_reduction_db(processor)
        lowest = lowest_lead_fundamental()
        loss = -float(processor.response(np.array([lowest]), sr)[0])
    except ProducerkitError as exc:
        return wrong(f"that filter could not run on the lead: {exc}")
    if loss > VOICE_MAX_LOSS_DB:
        return wrong(f"you're cutting into the voice's body: the lead's lowest note ({_hz(lowest)}) loses "
                     f"{loss:.1f} dB.",
                     f"lower the cutoff: the rumble is strongest below 40 Hz and has faded out by about 200 Hz, "
                     f"and the lead starts at {_hz(lowest)}, so 60–150 Hz is plenty.")
    if reduction < RUMBLE_MIN_REDUCTION_DB:
        steeper = isinstance(processor, eqmod.HighPass) and processor.order < 8
        return wrong(f"the rumble is only {reduction:.1f} dB down; it needs at least {RUMBLE_MIN_REDUCTION_DB:g} dB "
                     "to disappear under the music.",
                     "raise the cutoff" + (" or use a steeper slope (order=4 is 24 dB/octave)." if steeper else "."))
    return right(f"the rumble is {reduction:.0f} dB down and the lead's lowest note ({_hz(lowest)}) loses only "
                 f"{max(loss, 0):.2f} dB: clean low end, voice untouched.")


# --------------------------------------------------------------------------- 4. kick and bass


def check_kick_fundamental(kick_hz) -> Feedback:
    """Optional exercise: where does the kick's low thump (its fundamental) sit? Within 1/4 octave counts.

    Lesson: course/01-eq.ipynb
    """
    return _check_frequency(kick_hz, kick_fundamental(), KICK_TOLERANCE_OCT, "the kick's fundamental",
                            "that's the kick's thump; cut the bass a little there and the kick comes through",
                            truth="the kick's spectrum peaks at")


__all__ = [
    "check_highpass",
    "check_kick_fundamental",
    "check_mud_cut",
    "check_mud_frequency",
    "check_resonance_cut",
    "check_resonance_frequency",
    "kick_fundamental",
    "lowest_lead_fundamental",
    "problem_freq",
    "rumble_reduction_db",
]
