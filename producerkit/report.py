"""Findings and reports: one verdict type for every check the course runs on a piece of work.

A :class:`Finding` is one line of a check: its status (``"pass"``, ``"warn"`` or ``"fail"``), what
it is about, what was found and, when something is wrong, what to do. A :class:`Report` is a list
of findings with a title; it prints as a text table and shows as an HTML table in a notebook, with
one renderer for all of them. The delivery check (:func:`producerkit.master.qc`), the plan check
(:meth:`producerkit.planning.Project.check`), gain staging (:meth:`producerkit.mix.Mixer.gain_staging`)
and comping (:func:`producerkit.editing.comp_takes`) all report this way.

Lesson: course/04-workflow.ipynb
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field

from .errors import ParameterError

__all__ = ["FAIL", "PASS", "STATUSES", "WARN", "Finding", "Report"]

PASS, WARN, FAIL = "pass", "warn", "fail"
#: The statuses, mildest first: a report's verdict is the worst of its findings.
STATUSES = (PASS, WARN, FAIL)
_RANK = {s: i for i, s in enumerate(STATUSES)}
_COLOURS = {PASS: "#2e7d32", WARN: "#ef6c00", FAIL: "#c62828"}
_MARKS = {PASS: "PASS", WARN: "WARN", FAIL: "FAIL"}


@dataclass(frozen=True)
class Finding:
    """One line of a check: how it went, what it is about, and what to do.

    Attributes:
        status: ``"pass"``, ``"warn"`` (worth fixing) or ``"fail"`` (must be fixed).
        subject: what was checked: a rule ("true peak"), a track ("lead"), a phrase ("verse 1c").
        message: what was found and why it matters, in a sentence.
        fix: what to do about it ("" when nothing needs doing).
        measured: the measured value as text ("-0.8 dBTP"), if any.
        expected: what the rule asks for ("<= -1 dBTP"), if any.
        value: the measured number, for code that compares (None when there is none).
        data: further numbers by name (a track's ``peak_dbfs``, ``rms_dbfs``, ...).

    Lesson: not yet taught
    """

    status: str
    subject: str
    message: str
    fix: str = ""
    measured: str = ""
    expected: str = ""
    value: float | None = None
    data: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        if self.status not in _RANK:
            raise ParameterError(f"status must be one of {', '.join(STATUSES)} (got {self.status!r}).")

    @property
    def ok(self) -> bool:
        """True when the finding passes."""
        return self.status == PASS

    def __str__(self) -> str:
        text = f"[{self.status}] {self.subject}: {self.message}"
        return text + (f" → {self.fix}" if self.fix else "")


_COLUMNS = (("subject", "check"), ("status", "status"), ("measured", "measured"), ("expected", "expected"),
            ("message", "finding"), ("fix", "what to do"))


class Report(list):
    """A list of :class:`Finding` with a title, a verdict, and one renderer for text and HTML.

    Index it by position or by subject (``report["true peak"]``); ``verdict`` is the worst status
    (``"pass"`` for an empty report). ``str(report)`` is a text table; in a notebook it shows as an
    HTML table whose rows carry ``data-status``.

    Lesson: course/04-workflow.ipynb
    """

    def __init__(self, findings=(), title: str = "", subject_label: str = "check", empty: str = "nothing to report"):
        items = list(findings)
        for f in items:
            if not isinstance(f, Finding):
                raise ParameterError(f"a Report holds Finding objects (got {type(f).__name__}).")
        super().__init__(items)
        self.title = title
        self.subject_label = subject_label
        self.empty = empty

    def __getitem__(self, key):
        if isinstance(key, str):
            for f in self:
                if f.subject == key:
                    return f
            raise KeyError(f"no finding about {key!r}; the subjects are {[f.subject for f in self]}")
        return super().__getitem__(key)

    @property
    def verdict(self) -> str:
        """The worst status in the report: ``"fail"``, else ``"warn"``, else ``"pass"``."""
        return max((f.status for f in self), key=_RANK.__getitem__, default=PASS)

    @property
    def passed(self) -> bool:
        """True when nothing fails (warnings allowed)."""
        return self.verdict != FAIL

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self if f.status == FAIL]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self if f.status == WARN]

    @property
    def problems(self) -> list[Finding]:
        """Findings that do not pass, failures first."""
        return self.failures + self.warnings

    def to_dict(self) -> dict:
        """The report as plain data (for JSON): title, verdict and every finding."""
        return {"title": self.title, "verdict": self.verdict, "findings": [asdict(f) for f in self]}

    # -- rendering

    def _columns(self) -> list[tuple[str, str]]:
        cols = [(name, self.subject_label if name == "subject" else label) for name, label in _COLUMNS]
        return [(name, label) for name, label in cols if name in ("subject", "status", "message")
                or any(getattr(f, name) for f in self)]

    def _heading(self) -> str:
        verdict = _MARKS[self.verdict]
        return f"{self.title}: {verdict}" if self.title else verdict

    def __str__(self) -> str:
        if not self:
            return f"{self.title}: {self.empty}" if self.title else self.empty
        cols = self._columns()
        rows = [[label for _, label in cols]]
        rows += [[_MARKS[f.status] if n == "status" else str(getattr(f, n)) for n, _ in cols] for f in self]
        widths = [max(len(r[i]) for r in rows) for i in range(len(cols) - 1)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1] for r in rows]
        lines.insert(1, "-" * len(lines[0]))
        return "\n".join([self._heading(), *lines])

    def __repr__(self) -> str:
        return (f"Report({self.title!r}, verdict={self.verdict!r}, {len(self)} findings, "
                f"{len(self.failures)} fail, {len(self.warnings)} warn)")

    def table_html(self) -> str:
        """The findings as an HTML table (no heading): one row per finding, carrying ``data-status``."""
        if not self:
            return f'<p class="producerkit-report" data-verdict="pass">{html.escape(str(self))}</p>'
        cols = self._columns()
        th = "".join(f"<th style='text-align:left'>{html.escape(label)}</th>" for _, label in cols)
        body = []
        for f in self:
            cells = []
            for n, _ in cols:
                if n == "status":
                    cells.append(f'<b style="color:{_COLOURS[f.status]}">{_MARKS[f.status]}</b>')
                else:
                    cells.append(html.escape(str(getattr(f, n))))
            body.append(f'<tr data-status="{f.status}">'
                        + "".join(f"<td style='text-align:left;vertical-align:top'>{c}</td>" for c in cells) + "</tr>")
        return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"

    def _repr_html_(self) -> str:
        if not self:
            return self.table_html()
        head = f'<p><b style="color:{_COLOURS[self.verdict]}">{html.escape(self._heading())}</b></p>'
        return f'<div class="producerkit-report" data-verdict="{self.verdict}">{head}{self.table_html()}</div>'
