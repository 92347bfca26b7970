"""The ``producerkit`` command: open or copy the course, meter files, check a delivery, master, manage the audio.

Exit codes: 0 success; 1 the work was done but something failed (a file could not be read, a
QC check failed, a file would be overwritten); 2 the command line itself was wrong.

Lesson: not yet taught
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
#: The largest message ``producerkit lab`` lets the page send to the kernel (a plain ``jupyter lab`` takes
#: 10 MiB, less than a 4-minute 24-bit WAV): an uploaded mix travels in one message.
UPLOAD_LIMIT_BYTES = 512 * 1024 * 1024
#: Output extensions ``producerkit master`` refuses: a master is delivered lossless.
LOSSY_SUFFIXES = (".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac")


def _error(message: str) -> int:
    print(f"producerkit: error: {message}", file=sys.stderr)
    return EXIT_FAILED


def cmd_course(args) -> int:
    """``producerkit course [FOLDER]``: copy the lessons into the student's folder, keeping their changes.

    Lesson: not yet taught
    """
    from .course import copy_course
    from .errors import ProducerkitError

    try:
        report = copy_course(args.folder, dry_run=args.dry_run)
    except (ProducerkitError, OSError) as exc:
        return _error(str(exc))
    print(report)
    if not args.dry_run:
        print(f"Open it with:  producerkit lab {report.folder}")
    return EXIT_OK


def _lab_folder(args) -> tuple[Path, Path] | int:
    """(the folder JupyterLab serves, the notebook it opens), making the student's copy if needed."""
    from . import course
    from .errors import ProducerkitError

    try:
        if args.folder is None and not course.is_installed_copy():
            # a clone of the repository: the course is opened in place, as make lab does
            src = course.source()
            return src.parent, src / course.first_lesson()
        folder = Path(args.folder or course.DEFAULT_FOLDER).expanduser().resolve()
        if not (folder / course.RECORD).exists():
            print(course.copy_course(folder))
        else:
            pending = course.copy_course(folder, dry_run=True)
            if pending.pending:
                print(f"This producerkit has new or changed lessons: run  producerkit course {folder}  to copy them "
                      "(notebooks you changed are kept).")
    except (ProducerkitError, OSError) as exc:
        return _error(str(exc))
    return folder, folder / course.first_lesson()


def cmd_lab(args) -> int:
    """``producerkit lab [FOLDER]``: open the course in JupyterLab (the student's copy when installed).

    Lesson: not yet taught
    """
    found = _lab_folder(args)
    if isinstance(found, int):
        return found
    root, first = found
    command = [sys.executable, "-m", "jupyterlab", str(first if first.exists() else root),
               # the browser sends an uploaded file in one websocket message: let a whole mix through
               f'--ServerApp.tornado_settings={{"websocket_max_message_size": {UPLOAD_LIMIT_BYTES}}}']
    if args.no_browser:
        command.append("--no-browser")
    if args.port:
        command.append(f"--port={args.port}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # JupyterLab refuses root (containers, cloud VMs) without it
    try:
        return subprocess.call(command, cwd=root)
    except KeyboardInterrupt:
        return EXIT_OK


def _fmt(value: float, unit: str) -> str:
    return f"{value:6.1f} {unit}" if math.isfinite(value) else f"{'-inf':>6} {unit}"


def cmd_meter(args) -> int:
    """``producerkit meter FILE...``: print each file's loudness, true peak and loudness range.

    Lesson: not yet taught
    """
    from .audio import load
    from .errors import ProducerkitError
    from .meters import loudness

    rows, failed = [], False
    for path in args.files:
        try:
            y, sr = load(path)
            r = loudness(y, sr)
        except ProducerkitError as exc:
            failed = True
            print(f"producerkit: error: {exc}", file=sys.stderr)
            continue
        rows.append(
            {
                "file": str(path),
                "integrated_lufs": r.integrated_lufs,
                "true_peak_dbtp": r.true_peak_dbtp,
                "lra_lu": r.lra_lu,
                "sample_peak_dbfs": r.sample_peak_dbfs,
                "duration_s": (y.shape[-1] / sr),
                "sample_rate": sr,
            }
        )
    if args.json:
        print(json.dumps([{k: (v if not isinstance(v, float) or math.isfinite(v) else None) for k, v in row.items()}
                          for row in rows], indent=2))
    elif rows:
        width = max(len("file"), *(len(r["file"]) for r in rows))
        print(f"{'file':<{width}}  {'integrated':>10}  {'true peak':>10}  {'LRA':>7}")
        for r in rows:
            print(
                f"{r['file']:<{width}}  {_fmt(r['integrated_lufs'], 'LUFS'):>10}  "
                f"{_fmt(r['true_peak_dbtp'], 'dBTP'):>10}  {r['lra_lu']:5.1f} LU"
            )
    return EXIT_FAILED if failed else EXIT_OK


def cmd_qc(args) -> int:
    """``producerkit qc FILE``: run the delivery checks on a master and print the report (an incomplete WAV is refused).

    Lesson: not yet taught
    """
    from .errors import ProducerkitError
    from .master import check_complete, qc

    try:
        check_complete(args.file)
        report = qc(args.file, target=args.target)
    except ProducerkitError as exc:
        return _error(str(exc))
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(report)
    if report.verdict == "fail" or (args.strict and report.verdict == "warn"):
        return EXIT_FAILED
    return EXIT_OK


def cmd_master(args) -> int:
    """``producerkit master IN OUT``: master a mix to a loudness target under a true-peak ceiling.

    ``--platform spotify`` takes the target and the ceiling from that platform's figures. A 20 Hz high-pass
    goes in front and the limiter's DC offset is taken out (:func:`producerkit.master.master_to_platform`);
    a 16-bit file is dithered. A lossy OUT (.mp3, .ogg) and an incomplete IN are refused.

    Lesson: not yet taught
    """
    from dataclasses import replace

    from .audio import load, save
    from .errors import ProducerkitError
    from .master import check_complete, get_target, master_to_platform

    src, dst = Path(args.input), Path(args.output)
    if dst.suffix.lower() in LOSSY_SUFFIXES:
        return _error(f"{dst}: a master is delivered lossless, and the platform encodes from it; "
                      "use .wav or .flac (make an MP3 for previews from the WAV afterwards).")
    if dst.exists() and not args.overwrite:
        return _error(f"{dst} already exists and was left untouched; add --overwrite to replace it.")
    if src.resolve() == dst.resolve() and not args.overwrite:
        return _error("the output would replace the input; choose another output file.")
    try:
        platform = get_target("spotify" if args.platform is None else args.platform)
        if args.platform is None:  # the figures alone, -14 LUFS and -1 dBTP unless given
            platform = replace(platform, key="custom", name="your figures", integrated_lufs=-14.0)
        platform = replace(platform, **({} if args.target is None else {"integrated_lufs": args.target}),
                           **({} if args.ceiling is None else {"true_peak_dbtp": args.ceiling}))
        check_complete(src)
        y, sr = load(src)
        audio, report = master_to_platform(y, sr, platform, highpass_hz=args.highpass or None)
        save(dst, audio, sr, subtype=args.subtype, overwrite=args.overwrite, dither=not args.no_dither)
    except ProducerkitError as exc:
        return _error(str(exc))
    print(report)
    print(f"wrote {dst}")
    return EXIT_OK


def cmd_datasets(args) -> int:
    """``producerkit datasets``: verify or rebuild the bundled course audio.

    Lesson: not yet taught
    """
    from . import datasets
    from .errors import ProducerkitError

    try:
        if args.action == "verify":
            checked = datasets.verify()
            print(f"all {len(checked)} files match their sha256 in datasets/manifest.json")
        elif args.action == "list":
            for name in datasets.sessions():
                print(name)
        else:
            written = datasets.build()
            print(f"rendered {len(written)} file(s) into datasets/")
    except ProducerkitError as exc:
        return _error(str(exc))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with a --help for each subcommand.

    Lesson: not yet taught
    """
    from . import __version__
    from .course import DEFAULT_FOLDER

    parser = argparse.ArgumentParser(
        prog="producerkit",
        description="producerkit: learn music production by ear and by eye.",
        epilog="Exit codes: 0 success, 1 something failed (see the message), 2 bad command line.",
    )
    parser.add_argument("--version", action="version", version=f"producerkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "lab",
        help="open the course in JupyterLab",
        description="Open the course in JupyterLab. An installed producerkit opens your own copy of the course "
        f"(FOLDER, default {DEFAULT_FOLDER}), making it with 'producerkit course' the first time; in a clone "
        "of the repository, without FOLDER, it opens the clone's course/.",
    )
    p.add_argument("folder", nargs="?", metavar="FOLDER", help=f"your course folder (default {DEFAULT_FOLDER})")
    p.add_argument("--no-browser", action="store_true", help="start the server without opening a browser")
    p.add_argument("--port", type=int, help="port for the server (default: JupyterLab's)")
    p.set_defaults(func=cmd_lab)

    p = sub.add_parser(
        "course",
        help="copy the course into your own folder",
        description=f"Copy the lessons into FOLDER (default {DEFAULT_FOLDER}) to work in. Run it again after "
        "upgrading producerkit: a notebook you changed is never replaced; the new version is written beside it "
        "as 'NN-topic (new).ipynb'.",
    )
    p.add_argument("folder", nargs="?", default=DEFAULT_FOLDER, metavar="FOLDER",
                   help=f"where to put the course (default {DEFAULT_FOLDER})")
    p.add_argument("--dry-run", action="store_true", help="say what would be copied, skipped or updated; write nothing")
    p.set_defaults(func=cmd_course)

    p = sub.add_parser(
        "meter",
        help="loudness, true peak and LRA of audio files",
        description="Measure integrated loudness (LUFS), true peak (dBTP) and loudness range (LU) per "
        "ITU-R BS.1770-4 and EBU Tech 3342.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="WAV, FLAC, OGG or MP3 files")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_meter)

    p = sub.add_parser(
        "qc",
        help="check a master against a platform's delivery spec",
        description="Check loudness, true peak, PLR, LRA, clipping, DC offset, mono compatibility, "
        "silence, sample rate and bit depth against a platform's specification.",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--target", default="spotify", help="spotify, apple, youtube, tidal, amazon, deezer or ebu_r128")
    p.add_argument("--json", action="store_true", help="print JSON instead of a report")
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too, not only on failures")
    p.set_defaults(func=cmd_qc)

    p = sub.add_parser(
        "master",
        help="master a mix to a loudness target",
        description="A 20 Hz high-pass, gain to a loudness target, then a true-peak limiter at the ceiling, and "
        "the DC offset the limiter leaves taken out. OUT is lossless (.wav or .flac); a PCM_16 file is dithered. "
        "The file is written atomically (complete or not at all). Never overwrites an existing file without "
        "--overwrite.",
    )
    p.add_argument("input", metavar="IN")
    p.add_argument("output", metavar="OUT")
    p.add_argument("--platform", help="take the target and the ceiling from a platform: spotify, apple, youtube, "
                   "tidal, amazon, deezer or ebu_r128 (see 'producerkit qc --help')")
    p.add_argument("--target", type=float, default=None,
                   help="integrated loudness target in LUFS (default -14, or the platform's)")
    p.add_argument("--ceiling", type=float, default=None,
                   help="true-peak ceiling in dBTP (default -1, or the platform's)")
    p.add_argument("--subtype", default="PCM_24",
                   help="PCM_16, PCM_24 or FLOAT (default PCM_24); PCM_16 is dithered (TPDF) before the cut")
    p.add_argument("--no-dither", action="store_true", help="cut to PCM_16 without dither (not for delivery)")
    p.add_argument("--highpass", type=float, default=20.0, metavar="HZ",
                   help="high-pass in front of the limiter, 5-40 Hz (default 20; 0 for none)")
    p.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    p.set_defaults(func=cmd_master)

    p = sub.add_parser(
        "datasets",
        help="verify or rebuild the course audio",
        description="verify: check every file's sha256 against datasets/manifest.json. build: re-render "
        "the audio from the composition (needs the build-data extra and fluid-soundfont-gm). list: the sessions.",
    )
    p.add_argument("action", choices=["verify", "build", "list"])
    p.set_defaults(func=cmd_datasets)

    p = sub.add_parser(
        "progress",
        help="ear-training progress: a tutor's class report, export, import",
        description="report: read every student's progress file under FOLDER and write class.csv and class.html "
        "(thresholds per drill, trials, last practice). export/import: carry your progress between Binder and "
        "a laptop (import merges, nothing twice).",
    )
    p.add_argument("action", choices=["report", "export", "import"])
    p.add_argument("path", metavar="FOLDER_OR_FILE", help="report: the folder of progress files; else the file")
    p.add_argument("--out", metavar="DIR", help="report: where to write class.csv and class.html (default FOLDER)")
    p.add_argument("--overwrite", action="store_true", help="export: replace the file if it exists")
    p.set_defaults(func=cmd_progress)
    return parser


def cmd_progress(args) -> int:
    """``producerkit progress``: a tutor's class report of ear-training progress, or export and import it.

    Lesson: not yet taught
    """
    from .errors import ProducerkitError
    from .training import class_report, export_progress, import_progress, progress_path

    try:
        if args.action == "report":
            report = class_report(args.path, args.out)
            print(f"{len(report.rows)} student file(s) read; wrote {report.csv_path} and {report.html_path}")
            for problem in report.errors:
                print(f"producerkit: error: {problem}", file=sys.stderr)
            return EXIT_FAILED if report.errors else EXIT_OK
        if args.action == "export":
            print(f"wrote {export_progress(args.path, overwrite=args.overwrite)}")
        else:
            print(f"{import_progress(args.path)} new answer(s) merged into {progress_path()}")
    except ProducerkitError as exc:
        return _error(str(exc))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code.

    Lesson: not yet taught
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
