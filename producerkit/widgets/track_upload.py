"""TrackUpload: your own mix, measured, checked against a platform, mastered to it, compared and saved.

Upload a WAV, FLAC or MP3 of your mix. The view measures it (a :class:`LoudnessView`, with the
platform's QC report), masters it to the platform's loudness and true-peak ceiling
(:func:`producerkit.master.master_to_platform`), plays mix against master at matched loudness (so you
hear what mastering did, not that it is louder), and **Save the master** writes a 24-bit WAV
into your work folder (:func:`producerkit.course.work_folder`) under a name no file has yet:
it never replaces an earlier master. Until you upload, it shows an example mix.

Lesson: course/10-mastering.ipynb
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as w

from ..errors import ProducerkitError
from .abplayer import ABPlayer
from .loudness_view import LoudnessView

_ERROR_STYLE = "color:#c62828;font-weight:bold"


class TrackUpload(w.VBox):
    """Upload a mix; see its loudness and QC for a platform; hear and save its master.

    Args:
        example: the mix shown before anything is uploaded, ``(channels, n)`` or ``(n,)``.
        sr: its sample rate.
        example_title: its title, used in the saved master's name.
        target: the platform to start with ("spotify", "apple", ... see :func:`producerkit.master.targets`).
        folder: where masters are saved (default: the work folder).

    In code: ``load(data, name)`` takes a file's bytes as the upload does, ``set_target("apple")``
    picks a platform, ``save()`` writes the master and returns its path. Read ``error`` (the last
    problem, "" if none), ``title``, ``mix``, ``sr``, ``mastered``, ``master_report`` (the
    :class:`producerkit.master.MasterReport`), ``qc_report``, ``view`` (the LoudnessView) and
    ``player`` (mix against master, loudness-matched).

    Lesson: course/10-mastering.ipynb
    """

    def __init__(self, example, sr, example_title: str = "Example mix", target="spotify", folder=None):
        from ..master import get_target, targets

        super().__init__()
        self._folder = folder
        self.error = ""
        self._syncing = False
        self.saved_paths: list[Path] = []
        platform = get_target(target)
        self.upload = w.FileUpload(accept=".wav,.flac,.mp3", multiple=False, description="Upload your mix",
                                   layout=w.Layout(width="190px"))
        self.upload.add_class("pk-track-upload")
        self.platform = w.Dropdown(
            options=[(f"{t.name} ({t.integrated_lufs:g} LUFS, {t.true_peak_dbtp:g} dBTP)", t.key) for t in targets()],
            value=platform.key, description="Platform", layout=w.Layout(width="380px"))
        self.status = w.HTML()
        self.status.add_class("pk-track-status")
        self.error_line = w.HTML()
        self.error_line.add_class("pk-track-error")
        self.master_html = w.HTML()
        self.master_html.add_class("pk-track-master")
        self.save_button = w.Button(description="Save the master", icon="save", button_style="primary")
        self.saved_line = w.HTML()
        self.saved_line.add_class("pk-track-saved")
        self.title, self.mix, self.sr = str(example_title), None, 0
        self.mastered = self.master_report = None
        # The example must work: a failure here raises (there is no earlier good state to keep).
        self._set_mix(example, sr, example_title, platform.key, example=True)
        self.upload.observe(self._on_upload, names="value")
        self.platform.observe(self._on_platform, names="value")
        self.save_button.on_click(lambda _button: self.save())
        self.children = [
            w.HBox([self.upload, self.platform]), self.status, self.error_line,
            w.HTML("<b>1 · Your mix, measured and checked</b> (A: the mix; B: how the platform plays it)"),
            self.view,
            w.HTML("<b>2 · Mastered for the platform</b> (A: the mix; B: the master, at matched loudness)"),
            self.master_html, self.player, w.HBox([self.save_button, self.saved_line]),
        ]
        self.add_class("pk-track")

    # ------------------------------------------------------------------ public API

    @property
    def qc_report(self):
        """The mix's :class:`producerkit.master.QCReport` for the current platform."""
        return self.view.report

    def load(self, data, name: str = "your mix") -> bool:
        """Take a file's bytes (WAV, FLAC or MP3), as the upload button does; True on success.

        A file that is empty, not audio, damaged or too long shows its message (``error``) and the
        last good mix stays.

        Lesson: not yet taught
        """
        from ..master import decode_mix

        self.status.value = f"Reading {html.escape(name)} ..."
        try:
            y, sr = decode_mix(data, name)
            self._set_mix(y, sr, Path(name).stem or name, self.platform.value)
        except ProducerkitError as exc:
            return self._fail(str(exc))
        return True

    def load_file(self, path) -> bool:
        """Read a mix from a file (for one too big for the upload button); True on success.

        Lesson: not yet taught
        """
        path = Path(path).expanduser()
        try:
            data = path.read_bytes()
        except OSError as exc:
            return self._fail(f"{path}: cannot read it ({exc.strerror or exc}); check the name and the folder "
                              f"(relative names start at {Path.cwd()}).")
        return self.load(data, path.name)

    def set_target(self, target) -> bool:
        """Check and master the current mix for another platform; True on success.

        Lesson: not yet taught
        """
        from ..master import get_target

        try:
            platform = get_target(target)
            key = platform.key
            self.status.value = f"Checking and mastering for {html.escape(platform.name)} ..."
            self._set_mix(self.mix, self.sr, self.title, key, example=self._example)
        except ProducerkitError as exc:
            return self._fail(str(exc))
        return True

    def save(self) -> Path | None:
        """Write the master (24-bit WAV) into the work folder under a free name; return the path.

        Lesson: not yet taught
        """
        from ..master import delivery_name, get_target, save_master

        platform = get_target(self.platform.value)
        name = delivery_name(self.title, f"master for {platform.name}", sr=self.sr, bits=24)
        try:
            path = save_master(self.mastered, self.sr, name, folder=self._folder)
        except ProducerkitError as exc:
            self._fail(str(exc))
            return None
        self.saved_paths.append(path)
        self.saved_line.value = f"Saved <code>{html.escape(str(path))}</code>"
        self._clear_error()
        return path

    def __repr__(self) -> str:
        report = self.master_report
        return (f"TrackUpload({self.title!r}, {self.platform.value}: mix {report.input_lufs:.1f} LUFS -> master "
                f"{report.output_lufs:.1f} LUFS, {report.output_true_peak_dbtp:.1f} dBTP)")

    # ------------------------------------------------------------------ internals

    def _set_mix(self, y, sr, title: str, target: str, example: bool = False) -> None:
        from ..master import get_target, master_to_platform

        mastered, report = master_to_platform(y, sr, target)  # raises on silence or a clip too short to measure
        if getattr(self, "view", None) is None:
            self.view = LoudnessView(y, sr, target=target, label="The mix")
            self.view._dropdown.layout.display = "none"  # the platform is chosen above, for both parts
        elif not self.view.update(y=y, sr=sr, target=target):
            raise ProducerkitError(self.view.error)
        platform = get_target(target)
        labels = ("The mix", f"Master for {platform.name}")
        if getattr(self, "player", None) is None:
            self.player = ABPlayer(y, mastered, sr, labels=labels, match_loudness=True)
        else:
            self.player.update(a=y, b=mastered, sr=sr, labels=labels)
            if self.player.error:
                raise ProducerkitError(self.player.error)
        self.mix, self.sr, self.title, self._example = y, int(sr), str(title), example
        self.mastered, self.master_report = mastered, report
        self._show_platform(target)
        seconds = y.shape[-1] / sr
        what = (f"Showing the example, <i>{html.escape(self.title)}</i>. Upload your own mix (WAV, FLAC or MP3, up "
                "to 10 minutes) to see yours." if example else f"Your mix: <b>{html.escape(self.title)}</b>")
        channels = "mono" if y.ndim == 1 or y.shape[0] == 1 else ("stereo" if y.shape[0] == 2 else f"{y.shape[0]} ch")
        self.status.value = f"{what} · {seconds:.1f} s, {sr / 1000:g} kHz, {channels}"
        self.master_html.value = report._repr_html_()
        self.saved_line.value = ""
        self._clear_error()

    def _show_platform(self, key: str) -> None:
        self._syncing = True
        try:
            self.platform.value = key
        finally:
            self._syncing = False

    def _on_platform(self, change) -> None:
        if not self._syncing and not self.set_target(change["new"]):
            self._show_platform(self.view.target.key)  # the platform the view still shows

    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        item = files[0] if isinstance(files, list | tuple) else next(iter(files.values()))
        self.load(item["content"], item.get("name") or "your mix")

    def _fail(self, message: str) -> bool:
        self.error = message
        self.error_line.value = f'<span style="{_ERROR_STYLE}">⚠ {html.escape(message)}</span>'
        self.status.value = (f"Still showing <i>{html.escape(self.title)}</i>." if self.mix is not None else "")
        return False

    def _clear_error(self) -> None:
        self.error = ""
        self.error_line.value = ""
