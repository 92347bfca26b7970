"""The stages of a production and the people in it, as data: who leads what, and who does what.

A record is made in eight stages, each with a goal, someone who leads it, what it needs and what it
hands on: demo and songwriting → pre-production and arrangement → recording → editing and comping →
adding production elements (overdubs, sound design) → mixing → mastering → delivery.
:data:`STAGES` holds them in that order; every record goes through every one of them
(:data:`EVERY_STAGE`). :data:`ROLES` are the creative, technical and executive producer,
:data:`PRODUCER_VS_ENGINEER` splits the work between the producer and the recording engineer, and
:data:`LEAD_ROLES` with :func:`lead_role` is the one vocabulary the checkers use for who leads a stage.

Lessons: 00, 04
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ParameterError

__all__ = [
    "EVERY_STAGE",
    "LEAD_ROLES",
    "PRODUCER",
    "PRODUCER_VS_ENGINEER",
    "ROLES",
    "ROLE_ALIASES",
    "STAGES",
    "Responsibility",
    "Role",
    "Stage",
    "lead_role",
    "stage",
    "stage_keys",
]

# --------------------------------------------------------------------------- the stages

#: Who can lead a stage: the one vocabulary of roles the course's checkers accept (see :func:`lead_role`).
LEAD_ROLES = ("producer", "recording engineer", "mixing engineer", "mastering engineer", "artist")

#: Other ways people name those roles (lower case, single spaces, without a leading "the").
ROLE_ALIASES = {
    "producer": ("music producer", "record producer"),
    "recording engineer": ("tracking engineer", "recording"),
    "mixing engineer": ("mix engineer", "mixer", "mixing"),
    "mastering engineer": ("master engineer", "mastering"),
    "artist": ("singer", "band", "songwriter", "songwriters", "writer", "writers", "artist and songwriters"),
}
_ROLE_OF = {name: role for role in LEAD_ROLES for name in (role, *ROLE_ALIASES[role])}


def lead_role(text) -> str | None:
    """The role of :data:`LEAD_ROLES` that ``text`` names ("Mix engineer", "the producer"), or None.

    ``"engineer"`` alone is None: say which engineer.

    Lesson: not yet taught
    """
    if not isinstance(text, str):
        return None
    words = re.sub(r"[^a-z&]+", " ", text.lower()).split()
    if words[:1] == ["the"]:
        words = words[1:]
    return _ROLE_OF.get(" ".join(words).replace("&", "and"))


#: Every record goes through every stage: the producer is responsible for each of them, even where
#: someone else runs it, and a plan books each one (some take only an afternoon).
EVERY_STAGE = (
    "every record goes through every stage, even if some take only an afternoon: the producer is "
    "responsible for each one"
)

PRODUCER = (
    "The music producer guides a song's creative and technical direction from the first idea to the "
    "final master: the song and its arrangement, the performances, the sound, and the budget and "
    "schedule that get the record made."
)


@dataclass(frozen=True)
class Stage:
    """One stage of a production, as data.

    Attributes:
        key: short identifier, e.g. ``"mixing"``.
        name: the stage's name.
        goal: what the stage is for.
        lead: who leads it, one of :data:`LEAD_ROLES`.
        inputs: what it needs before it starts.
        deliverables: what it hands on.
        checklist: what to tick off before moving on.
        typical_days: (fewest, most) working days for a single.
        common_mistakes: what goes wrong, and why.
        typical_days_ep: (fewest, most) working days for an EP of four to six songs.
        involved: who else takes part.
        lead_note: how the lead shares the stage.

    Lesson: course/04-workflow.ipynb
    """

    key: str
    name: str
    goal: str
    lead: str
    inputs: tuple[str, ...]
    deliverables: tuple[str, ...]
    checklist: tuple[str, ...]
    typical_days: tuple[int, int]
    common_mistakes: tuple[str, ...]
    typical_days_ep: tuple[int, int] = (1, 1)
    involved: tuple[str, ...] = ()
    lead_note: str = ""

    def days_for(self, kind: str = "single") -> tuple[int, int]:
        """Typical (fewest, most) working days for a ``"single"`` or an ``"ep"``."""
        return self.typical_days if _check_kind(kind) == "single" else self.typical_days_ep

    def days_text(self, kind: str = "single") -> str:
        """The typical working days as a table shows them: ``"1–3"``, or ``"1"`` when fewest and most agree."""
        fewest, most = self.days_for(kind)
        return f"{fewest}" if fewest == most else f"{fewest}–{most}"


STAGES: tuple[Stage, ...] = (
    Stage(
        key="demo",
        name="Demo and songwriting",
        goal="Finish the song (melody, lyrics, chords, structure) and capture it in a rough demo everyone "
        "can hear and agree on.",
        lead="artist",
        inputs=("song ideas: voice memos, lyrics, chord progressions", "references: records it should sit beside"),
        deliverables=("demo recording", "lyric sheet", "chord chart", "tempo (BPM) and key", "signed split sheet"),
        checklist=(
            "The song is finished: every section, every line of lyric",
            "Tempo and key chosen and tried in the singer's range",
            "Structure mapped (intro, verse, chorus, bridge, outro) with bar counts",
            "Demo bounced and shared with everyone on the project",
            "Songwriting splits agreed and written on a split sheet while memories are fresh",
        ),
        typical_days=(1, 5),
        typical_days_ep=(5, 20),
        common_mistakes=(
            "Going into the studio with an unfinished song: writing on the clock is the most expensive writing",
            "Polishing the demo instead of the song ('demo-itis': then nobody likes the real recording as much)",
            "Leaving the split sheet for later, when memories differ",
        ),
        involved=("producer",),
        lead_note="The artist (and co-writers) lead; the producer often helps shape the song.",
    ),
    Stage(
        key="preproduction",
        name="Pre-production and arrangement",
        goal="Decide the arrangement, the parts and the sound before paying for studio time.",
        lead="producer",
        inputs=("demo recording", "lyric sheet and chord chart", "tempo (BPM) and key", "references"),
        deliverables=(
            "arrangement map (sections, bars, who plays what)",
            "tempo map and click",
            "pre-production demo",
            "recording plan: instruments, order, mics, studio and session musicians",
        ),
        checklist=(
            "Arrangement settled: intro length, section order, what enters where, the hook",
            "Every part written or charted; session musicians have charts and the demo",
            "Tempo map and click track made; count-in agreed",
            "Key checked against the singer's best range",
            "Rehearsed until the band can play it to the click",
            "Recording schedule, studio and people booked; budget agreed",
        ),
        typical_days=(1, 3),
        typical_days_ep=(3, 10),
        common_mistakes=(
            "Skipping it: then arrangement decisions get made in the studio, at studio rates",
            "Too many parts: an arrangement that fights itself cannot be fixed in the mix",
            "Choosing a key or tempo the singer cannot sustain for a whole take",
        ),
        involved=("artist",),
        lead_note="The producer leads with the artist; a programmer or arranger may help.",
    ),
    Stage(
        key="recording",
        name="Recording (tracking)",
        goal="Capture great performances with great sound: the foundation (drums, bass, guitars, keys) first, "
        "then the lead vocal.",
        lead="producer",
        inputs=("arrangement map", "tempo map and click", "recording plan", "rehearsed musicians"),
        deliverables=(
            "multitrack session with every take",
            "take sheet (which takes are keepers and why)",
            "rough mix",
        ),
        checklist=(
            "Session set up by the engineer before the artist arrives: tracks named, click, headphone (cue) mixes",
            "Gain staged with headroom: peaks around -10 to -6 dBFS, nothing clipping",
            "No hum, buzz or noise: check cables, grounding and the noise floor before the first take",
            "Several full takes of each part, plus punch-ins for the hard bits",
            "Take sheet kept as you go; session backed up at the end of every day",
        ),
        typical_days=(1, 3),
        typical_days_ep=(4, 10),
        common_mistakes=(
            "Recording too hot: clipped takes cannot be repaired",
            "Fixing it in the mix: a weak performance or a bad sound stays weak",
            "Hum and noise nobody listened for until the mix",
            "Exhausting the singer on the foundation before the vocal is recorded",
        ),
        involved=("recording engineer", "artist"),
        lead_note="The producer leads the session: the direction, the pace and energy, which takes to keep and "
        "when to ask for another. The recording engineer runs the capture: sets up the mics, sets the levels "
        "and presses record.",
    ),
    Stage(
        key="editing",
        name="Editing and comping",
        goal="Build the best performance from the takes (a comp), tighten timing, clean noise and hum, tune "
        "only where it helps.",
        lead="producer",
        inputs=("multitrack session with every take", "take sheet"),
        deliverables=("comped, edited multitrack session", "consolidated tracks from bar 1"),
        checklist=(
            "Best take chosen per phrase; the comp listened to in context",
            "Every edit crossfaded: no clicks",
            "Timing tightened where it distracts, feel kept where it works",
            "Hum, noise, breaths and bleed cleaned",
            "Tracks consolidated from the same start so they line up in any DAW",
        ),
        typical_days=(1, 2),
        typical_days_ep=(2, 6),
        common_mistakes=(
            "Over-editing: quantising and tuning the life out of a performance",
            "Edits without crossfades: clicks that show up on the master",
            "Comping phrase by phrase without listening to the whole line",
        ),
        involved=("recording engineer", "artist"),
        lead_note="The producer chooses the takes; an editing engineer or the recording engineer often does "
        "the edits under the producer's direction.",
    ),
    Stage(
        key="overdubs",
        name="Adding production elements (overdubs, sound design)",
        goal="Add what the record needs beyond the basic tracks: overdubs, harmonies, synths, percussion, "
        "ear candy, sound design.",
        lead="producer",
        inputs=("comped, edited multitrack session", "arrangement map"),
        deliverables=("complete multitrack session, ready to mix", "notes on the intended sound and references"),
        checklist=(
            "Each overdub has a job in the arrangement (energy, contrast, the hook)",
            "Sounds chosen to fit the frequency space left by the other parts",
            "Rough mix checked: nothing is missing, nothing is fighting",
            "Virtual instruments and effects printed to audio for the mixer",
        ),
        typical_days=(1, 3),
        typical_days_ep=(3, 10),
        common_mistakes=(
            "Layering instead of deciding: more tracks, less impact",
            "Leaving effects and virtual instruments unprinted, so the mixer cannot open them",
        ),
        involved=("artist", "recording engineer"),
        lead_note="The producer leads; session players, programmers and the artist add parts.",
    ),
    Stage(
        key="mixing",
        name="Mixing",
        goal="Balance and shape every track into a stereo mix that serves the song and translates on every system.",
        lead="mixing engineer",
        inputs=("complete multitrack session, ready to mix", "rough mix", "references", "producer's mix notes"),
        deliverables=(
            "approved stereo mix (24-bit WAV, peaks below -3 dBFS, no limiting on the mix bus unless agreed)",
            "instrumental and a cappella versions",
            "stems",
        ),
        checklist=(
            "Balance first, then EQ, compression and space",
            "Checked on monitors, headphones, a phone and a car; at low volume; in mono",
            "Compared with the references at matched loudness",
            "Revisions from the producer and artist done (agree how many rounds in advance)",
            "Mix printed with headroom for mastering; versions and stems printed",
        ),
        typical_days=(1, 2),
        typical_days_ep=(4, 8),
        common_mistakes=(
            "Mixing loud to impress: a squashed mix leaves mastering nothing to work with",
            "Judging on one pair of speakers, in one room",
            "Unlimited revisions: set the number of rounds before the mix starts",
        ),
        involved=("producer", "artist"),
        lead_note="The mixing engineer mixes; the producer gives the notes and approves.",
    ),
    Stage(
        key="mastering",
        name="Mastering",
        goal="Make the approved mixes sound their best and consistent as a release, at the right loudness, "
        "and prepare the delivery masters.",
        lead="mastering engineer",
        inputs=("approved stereo mixes", "song order and gaps (EP)", "ISRC codes and metadata"),
        deliverables=(
            "streaming masters (24-bit WAV)",
            "true peak at most -1 dBTP",
            "instrumental master",
            "ISRC codes embedded, reference master for approval",
        ),
        checklist=(
            "Fresh ears: someone who did not mix it",
            "Tonal balance and loudness consistent across the songs",
            "True peak at most -1 dBTP so encoding to AAC/Ogg does not clip",
            "Fades, gaps and song order set (EP)",
            "Master approved by the artist and producer on several systems",
        ),
        typical_days=(1, 1),
        typical_days_ep=(1, 2),
        common_mistakes=(
            "Mastering your own mix alone: nobody checks the room or the ears",
            "Chasing loudness: streaming services turn loud masters down anyway",
            "Sending a limited or clipped mix: nothing left to master",
        ),
        involved=("producer",),
        lead_note="The mastering engineer masters; the producer and artist approve.",
    ),
    Stage(
        key="delivery",
        name="Delivery",
        goal="Hand over everything the release needs, complete and correct, early enough to be pitched and "
        "released on the date.",
        lead="producer",
        inputs=("approved masters", "artwork", "credits and split sheets", "ISRC codes and metadata"),
        deliverables=(
            "masters uploaded to the distributor or label",
            "metadata and credits (writers, producer, performers, ISRC)",
            "artwork (3000 × 3000 px)",
            "stems and instrumental archived",
            "signed split sheets and producer agreement",
        ),
        checklist=(
            "Metadata checked: titles, writers, producer and performer credits, ISRC codes",
            "Split sheets and producer agreement signed",
            "Uploaded three to four weeks before release (Spotify pitching needs at least 7 days)",
            "Session files, stems and masters archived in two places",
        ),
        typical_days=(1, 2),
        typical_days_ep=(1, 3),
        common_mistakes=(
            "Uploading the week of release: no time for store review or playlist pitching",
            "Missing credits or ISRCs: royalties that never find the people they belong to",
            "No archive: the stems you need for a sync deal are gone",
        ),
        involved=("artist", "label or executive producer"),
        lead_note="The producer delivers to the label or artist; the label (or the artist, when self-releasing) "
        "uploads and releases.",
    ),
)

_STAGE_INDEX = {s.key: i for i, s in enumerate(STAGES)}


def stage(key: str) -> Stage:
    """The :class:`Stage` with this key (``"demo"``, ``"preproduction"``, ``"recording"``, ``"editing"``,
    ``"overdubs"``, ``"mixing"``, ``"mastering"``, ``"delivery"``).

    Lesson: course/04-workflow.ipynb
    """
    if key not in _STAGE_INDEX:
        raise ParameterError(f"unknown stage {key!r}; the stages are {', '.join(_STAGE_INDEX)}.")
    return STAGES[_STAGE_INDEX[key]]


def stage_keys() -> tuple[str, ...]:
    """The stage keys in production order.

    Lesson: not yet taught
    """
    return tuple(_STAGE_INDEX)


# --------------------------------------------------------------------------- roles


@dataclass(frozen=True)
class Role:
    """One of the producer's roles.

    Lesson: not yet taught
    """

    key: str
    name: str
    description: str
    typical_tasks: tuple[str, ...]


ROLES: tuple[Role, ...] = (
    Role(
        key="creative",
        name="Creative producer",
        description="Holds the vision and the sound of the record: shapes the song, the arrangement and the "
        "track's identity, and gets the best performance out of the artist.",
        typical_tasks=(
            "Help finish the song: structure, hooks, lyrics",
            "Decide the arrangement, tempo and key",
            "Coach performances and decide when a take is the one",
            "Choose references and the sound of the record",
            "Give mix notes and approve the mix and master",
        ),
    ),
    Role(
        key="technical",
        name="Technical producer",
        description="Makes sure the record is recorded, edited and engineered well, to a professional standard: "
        "chooses and often operates the equipment and makes the engineering decisions (many producers also "
        "engineer or mix).",
        typical_tasks=(
            "Choose the studio, instruments, mics and signal chain",
            "Engineer, edit and comp the sessions",
            "Check the audio quality and that the files meet industry standards",
            "Make rough mixes, sometimes the final mix",
        ),
    ),
    Role(
        key="executive",
        name="Executive producer",
        description="Makes the project possible: oversees the whole project from a managerial or strategic "
        "position (the budget and its funding, the team and the resources), and sometimes makes high-level "
        "creative decisions.",
        typical_tasks=(
            "Find and approve the budget",
            "Hire the producer, engineers and musicians; sign the agreements",
            "Keep the schedule and the spending on track",
            "Handle clearances, credits, release and marketing plans",
        ),
    ),
)


@dataclass(frozen=True)
class Responsibility:
    """Who does what in one area: the producer and the (recording) engineer.

    Lesson: not yet taught
    """

    area: str
    producer: str
    engineer: str


PRODUCER_VS_ENGINEER: tuple[Responsibility, ...] = (
    Responsibility(
        "Vision",
        "Holds the creative vision: what the record should feel and sound like",
        "Turns the vision into sound: suggests the sonic means to get there",
    ),
    Responsibility(
        "Song and arrangement",
        "Decides structure, tempo, key and parts with the artist",
        "Flags technical problems (parts clashing, a take that will not edit)",
    ),
    Responsibility(
        "The recording session",
        "Leads the session: the direction, the pace and energy, when to ask for another take",
        "Runs the capture: sets up the mics, sets the levels, presses record",
    ),
    Responsibility(
        "Performance",
        "Coaches the artist, judges the takes, decides what to keep",
        "Handles the technical side of each take: punch-ins, cue mixes, take logging",
    ),
    Responsibility(
        "Sound capture",
        "Approves the sounds",
        "Chooses and places the mics, sets the signal flow and the levels, keeps hum and noise out",
    ),
    Responsibility(
        "The DAW session",
        "Decides which takes make the comp",
        "Sets up, names, edits and backs up the session and its files",
    ),
    Responsibility(
        "Budget and schedule",
        "Plans the sessions, books the people, keeps the sessions on schedule and to the budget",
        "Says how long setups take, so the schedule allows for them",
    ),
    Responsibility(
        "Mix and master",
        "Gives notes and approves",
        "Mixing and mastering engineers do the work",
    ),
    Responsibility(
        "Delivery",
        "Delivers masters, credits and metadata to the label or artist",
        "Prints masters, versions and stems to the spec",
    ),
)




def _check_kind(kind: str) -> str:
    if kind not in ("single", "ep"):
        raise ParameterError(f'kind must be "single" or "ep" (got {kind!r}).')
    return kind
