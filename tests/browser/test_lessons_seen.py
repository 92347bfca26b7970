"""Every lesson as a student sees it: Run All in the real JupyterLab, then read every figure from the page.

For each notebook in course/ (all that exist when the test runs) the test opens it in JupyterLab
(Debian's chromium through Playwright, one server for the module), runs all cells, scrolls every
output into view, and reads each plotly figure's computed layout (``gd._fullLayout``) and data
(``gd._fullData``) from the page. It asserts what a student would otherwise have to catch by eye:

- frequency axes (log axes titled with Hz) span 20 Hz-20 kHz, or a zoom inside it that the
  figure's title states ("30-300 Hz");
- every visible trace has data inside the axes' visible ranges;
- every figure has a title, and every axis a title with a unit in parentheses ("(Hz)", "(dB)");
- tick labels are round numbers (a nice step, multiples of it; log ticks of 1-2 significant digits);
- no error output anywhere (tracebacks, stderr, "Error displaying widget", a widget's error line).

Lessons 07 and 09 are then answered in the same page, wrong, near and right, as a student types the answers
(``lesson07_answers.py``, ``lesson09_answers.py``), so each lesson runs once.

A screenshot of each figure and each widget is saved under ``test-artifacts/<lesson>/``, with
``figures.json`` (what the page reported) and ``timing.json`` (seconds per lesson). Timing on the
two shared cores of the development machine is in the commit message that added this file.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import time
from pathlib import Path

import pytest

from . import lesson07_answers, lesson09_answers
from .conftest import REPO, hide_toolbars

COURSE = REPO / "course"
LESSONS = sorted(p.name for p in COURSE.glob("[0-9][0-9]-*.ipynb"))
ARTIFACTS = REPO / "test-artifacts"
# lessons whose exercises are then answered in the page, as a student types the answers
ANSWERED = {
    lesson07_answers.LESSON: lesson07_answers.answer_every_exercise,
    lesson09_answers.LESSON: lesson09_answers.answer_every_exercise,
}
RUN_TIMEOUT = 1200  # s for Run All: lesson 04 renders a whole song several times on two shared cores

FREQ_LO, FREQ_HI = 20.0, 20000.0

# What the page reports for one plotly graph div: its title, every axis (type, range in linear
# units, title, the ticks plotly drew) and every trace (how many of its points fall inside the
# visible ranges of its own axes, read with the axes' own converters, so log and date axes work).
FIGURE_JS = r"""
(gd) => {
  const L = gd._fullLayout;
  if (!L || !gd._fullData) return null;
  // An empty title reads as plotly's editing placeholder ("Click to enter Plot title"): no title.
  const text = (t) => {
    const s = String((t && typeof t === 'object' ? t.text : t) || '');
    return /^Click to enter/.test(s) ? '' : s;
  };
  const axes = {};
  for (const key of Object.keys(L)) {
    if (!/^[xy]axis\d*$/.test(key)) continue;
    const ax = L[key];
    if (!ax || !ax.range) continue;
    axes[ax._id] = {
      key, type: ax.type, range: ax.range.map(r => (typeof r === 'number' ? r : String(r))),
      lrange: ax.range.map(r => ax.r2l(r)), title: text(ax.title), visible: ax.visible !== false,
      showticklabels: ax.showticklabels !== false, overlaying: ax.overlaying || null,
      ticks: (ax._vals || []).filter(v => !v.noTick).map(v => ({x: v.x, text: String(v.text)})),
    };
  }
  const arr = (a) => (a == null ? null : Array.from(a));
  const traces = gd._fullData.map((t, i) => {
    const out = {index: i, name: t.name || '', type: t.type, visible: t.visible, xaxis: t.xaxis || 'x',
                 yaxis: t.yaxis || 'y', points: 0, inside: 0};
    if (t.visible !== true || !t.xaxis) return out;
    const xa = L[t.xaxis.replace('x', 'xaxis')], ya = L[t.yaxis.replace('y', 'yaxis')];
    if (!xa || !ya) return out;
    const between = (v, ax) => {
      const [a, b] = ax.range.map(r => ax.r2l(r));
      const lo = Math.min(a, b), hi = Math.max(a, b), pad = 1e-9 * Math.max(1, Math.abs(hi - lo));
      return Number.isFinite(v) && v >= lo - pad && v <= hi + pad;
    };
    const overlaps = (v0, v1, ax) => {
      const [a, b] = ax.range.map(r => ax.r2l(r));
      return Number.isFinite(v0) && Number.isFinite(v1)
        && Math.max(v0, v1) >= Math.min(a, b) && Math.min(v0, v1) <= Math.max(a, b);
    };
    let xs = arr(t.x), ys = arr(t.y);
    const n = Math.max(xs ? xs.length : 0, ys ? ys.length : 0);
    if (t.type === 'heatmap' || t.type === 'contour') {
      const nz = t.z ? t.z.length : 0;
      xs = xs || Array.from({length: t.z && t.z[0] ? t.z[0].length : 0}, (_, k) => (t.x0 || 0) + k * (t.dx || 1));
      ys = ys || Array.from({length: nz}, (_, k) => (t.y0 || 0) + k * (t.dy || 1));
      out.points = xs.length * ys.length;
      const nx = xs.filter(v => between(xa.d2l(v), xa)).length, ny = ys.filter(v => between(ya.d2l(v), ya)).length;
      out.inside = nx * ny;
      return out;
    }
    if (!xs) xs = Array.from({length: n}, (_, k) => (t.x0 || 0) + k * (t.dx || 1));
    if (!ys) ys = Array.from({length: n}, (_, k) => (t.y0 || 0) + k * (t.dy || 1));
    out.points = Math.min(xs.length, ys.length);
    const base = t.base == null ? null : (Array.isArray(t.base) || ArrayBuffer.isView(t.base) ? arr(t.base) : t.base);
    const baseAt = (k) => (base == null ? 0 : (Array.isArray(base) ? base[k] : base));
    for (let k = 0; k < out.points; k++) {
      let ok;
      if (t.type === 'bar' && t.orientation === 'h') {
        const b0 = xa.d2l(baseAt(k)), b1 = base == null ? xa.d2l(xs[k]) : xa.d2l(baseAt(k)) + xa.d2l(xs[k]) - xa.d2l(0);
        ok = overlaps(b0, b1, xa) && between(ya.d2l(ys[k]), ya);
      } else if (t.type === 'bar') {
        ok = between(xa.d2l(xs[k]), xa) && overlaps(ya.d2l(baseAt(k)), ya.d2l(ys[k]) + ya.d2l(baseAt(k)), ya);
      } else {
        ok = between(xa.d2l(xs[k]), xa) && between(ya.d2l(ys[k]), ya);
      }
      if (ok) out.inside++;
    }
    return out;
  });
  const annotations = (L.annotations || []).map(a => String(a.text || ''));
  return {title: text(L.title), axes, traces, annotations, width: L.width, height: L.height};
}
"""

# Every plotly graph in the open notebook, with the index of the cell that holds it and the
# heading of the section it is in (the nearest markdown heading above that cell).
LOCATE_JS = r"""
() => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  const cells = [...nb.querySelectorAll(':scope .jp-Cell')];
  let heading = '';
  const where = new Map();
  cells.forEach((cell, i) => {
    const h = cell.classList.contains('jp-MarkdownCell') ? cell.querySelector('h1, h2, h3') : null;
    if (h) heading = h.textContent.replace('¶', '').trim();
    where.set(cell, [i, heading]);
  });
  return [...nb.querySelectorAll('.js-plotly-plot')].map(gd => where.get(gd.closest('.jp-Cell')) || [-1, '']);
}
"""

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
# A plotly graph has been drawn with its data.
GRAPH_DRAWN_JS = "gd => Boolean(gd._fullLayout && gd._fullData && gd.data && gd.data.length > 0)"
# Every A/B player has decoded both versions (or shows why not).
DECODED_JS = f"""() => [...document.querySelectorAll('{PANEL} .pk-ab')]
  .every(p => p.dataset.decoded === 'true' || (p.querySelector('.pk-ab-error') || {{}}).textContent)"""
# Mark each cell output that is a widget view: widget renderers set no MIME type on their node
# (text, HTML, images and plotly's renderer do). The plotly FigureWidgets inside an explorer are
# read as figures as well.
MARK_WIDGETS_JS = f"""() => {{
  const outs = [...document.querySelectorAll('{PANEL} .jp-OutputArea-output')].filter(o =>
    (!o.dataset.mimeType || o.dataset.mimeType === 'application/vnd.jupyter.widget-view+json')
    && !o.querySelector('[data-mime-type]') && o.children.length > 0
    && !o.matches('.jp-RenderedPlotly, .js-plotly-plot'));  // a plotly output is the graph itself
  outs.forEach(o => o.setAttribute('data-pk-widget-output', ''));
  return outs.length;
}}"""
WIDGET_OUTPUTS = "[data-pk-widget-output]"

# Round steps: 1, 2, 2.5, 5 x 10^k, and 3 or 6 (dB and time grids step by 3 and 6 too).
NICE_MANTISSAS = (1.0, 2.0, 2.5, 3.0, 5.0, 6.0, 10.0)
UNIT = re.compile(r"\(([^()]*[^\s()][^()]*)\)\s*$")
HZ_SPAN = re.compile(r"(\d+(?:\.\d+)?)\s*(k?)(?:Hz)?\s*(?:–|-|to)\s*(\d+(?:\.\d+)?)\s*(k?)Hz")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "top"


def _significant_digits(value: float) -> int:
    if value == 0:
        return 1
    digits = f"{abs(value):.6g}".replace(".", "").lstrip("0").split("e")[0].rstrip("0")
    return max(1, len(digits))


def tick_problems(axis: dict) -> list[str]:
    """Why an axis's tick labels are not round numbers (empty when they are)."""
    if axis["type"] not in ("linear", "log") or not axis["showticklabels"] or not axis["visible"]:
        return []
    values = [t["x"] for t in axis["ticks"]]
    if axis["type"] == "log":
        values = [10.0**v for v in values]
        bad = [v for v in values if _significant_digits(float(f"{v:.6g}")) > 2]
        return [f"log ticks {', '.join(f'{v:g}' for v in bad)} are not round"] if bad else []
    if len(values) < 2:
        bad = [v for v in values if _significant_digits(v) > 2]
        return [f"tick {bad[0]:g} is not round"] if bad else []
    steps = [b - a for a, b in zip(values, values[1:], strict=False)]
    step = steps[0]
    if step <= 0 or any(abs(s - step) > 1e-6 * abs(step) for s in steps):
        bad = [v for v in values if _significant_digits(v) > 2]
        return [f"uneven ticks {', '.join(f'{v:g}' for v in bad)} are not round"] if bad else []
    mantissa = step / 10 ** math.floor(math.log10(step))
    if not any(abs(mantissa - m) < 1e-6 for m in NICE_MANTISSAS):
        return [f"tick step {step:g} is not 1, 2, 2.5, 3, 5 or 6 x 10^k (ticks {', '.join(f'{v:g}' for v in values)})"]
    off = [v for v in values if abs(v / step - round(v / step)) > 1e-6]
    if off:
        return [f"ticks {', '.join(f'{v:g}' for v in off)} are not multiples of the step {step:g}"]
    return []


def figure_problems(fig: dict) -> list[str]:
    """Everything a student would see wrong in one figure, as sentences (empty when none)."""
    problems = []
    title = fig["title"].strip()
    if not title or title == "Click to enter Plot title":
        problems.append("the figure has no title")
    used = {t["xaxis"] for t in fig["traces"] if t["visible"] is True} | {
        t["yaxis"] for t in fig["traces"] if t["visible"] is True
    }
    for axis_id, axis in sorted(fig["axes"].items()):
        if not axis["visible"] or axis_id not in used or not axis["showticklabels"]:
            continue  # hidden, empty, or sharing its neighbour's labelled axis (stacked subplots)
        name = f"{axis_id}-axis"
        axis_title = axis["title"].strip()
        if axis["type"] in ("linear", "log") and not UNIT.search(axis_title):
            problems.append(f"{name} title {axis_title!r} has no unit in parentheses, e.g. 'level (dB)'")
        elif axis["type"] in ("category", "date", "multicategory") and not axis_title and axis_id.startswith("y"):
            problems.append(f"{name} (categories) has no title")
        problems += [f"{name}: {p}" for p in tick_problems(axis)]
        if axis["type"] == "log" and "Hz" in axis_title:
            lo, hi = (10.0**v for v in sorted(axis["lrange"]))
            if lo < FREQ_LO * 0.98 or hi > FREQ_HI * 1.02:
                problems.append(f"{name} runs {lo:.3g}-{hi:.3g} Hz, outside 20 Hz-20 kHz")
            elif not (lo <= FREQ_LO * 1.02 and hi >= FREQ_HI * 0.98) and not _zoom_stated(fig, axis, lo, hi):
                problems.append(
                    f"{name} shows {lo:.3g}-{hi:.3g} Hz, a zoom the figure's title does not state (e.g. '30–300 Hz')"
                )
    for trace in fig["traces"]:
        if trace["visible"] is not True:
            continue
        label = f"trace {trace['index']} ({trace['name'] or trace['type']})"
        if trace["points"] == 0:
            problems.append(f"{label} has no data")
        elif trace["inside"] == 0:
            problems.append(f"{label}: none of its {trace['points']} points is inside the visible axes")
    return problems


def _zoom_stated(fig: dict, axis: dict, lo: float, hi: float) -> bool:
    for text in (fig["title"], axis["title"]):
        for a, ka, b, kb in HZ_SPAN.findall(text.replace("\u2009", " ")):
            f0 = float(a) * (1000 if ka or (kb and not ka and float(a) < float(b) / 1000) else 1)
            f1 = float(b) * (1000 if kb else 1)
            if abs(math.log(f0 / lo)) < 0.05 and abs(math.log(f1 / hi)) < 0.05:
                return True
    return False


def error_outputs(page) -> list[str]:
    """Every error a student would see in the open notebook: stderr, tracebacks, widget errors."""
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    found = [f"dialog: {text.strip()}" for text in page.locator(".jp-Dialog").all_inner_texts() if "died" in text]
    stderr = panel.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    for text in stderr.all_inner_texts():
        found.append("stderr: " + text.strip()[:800])
    body = panel.inner_text()
    for marker in ("Error displaying widget", "Error rendering"):
        if marker in body:
            found.append(marker)
    for text in panel.locator(
        ".pk-explorer-error, .pk-ab-error, .pk-loudness-error, .pk-mixer-error"
    ).all_inner_texts():
        if text.strip():
            found.append("widget error: " + text.strip())
    found += [e for e in page.console_errors if e.startswith("pageerror:")]
    return found


@pytest.fixture(scope="module")
def course_copy(lab_server):
    """The lessons, copied into the server's folder as course/<lesson>.ipynb."""
    target = lab_server.root / "course"
    shutil.copytree(COURSE, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return target


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_as_seen(lesson, course_copy, page, run_notebook, run_cell_code, assert_no_errors):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    name = Path(lesson).stem
    out = ARTIFACTS / name
    out.mkdir(parents=True, exist_ok=True)
    # delete only what this test writes: the answers tests' answers-*.png in the same folder survive
    for old in [*out.glob("cell*.png"), out / "figures.json", out / "timing.json"]:
        old.unlink(missing_ok=True)
    started = time.monotonic()
    run_notebook(f"course/{lesson}", timeout=RUN_TIMEOUT)
    run_s = time.monotonic() - started

    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    outputs = panel.locator(".jp-OutputArea-output")
    for i in range(outputs.count()):  # JupyterLab and plotly draw lazily: bring each output on screen
        outputs.nth(i).scroll_into_view_if_needed()
    problems = []
    plots = panel.locator(".js-plotly-plot")
    for i in range(plots.count()):
        # A FigureWidget (inside the explorers) draws empty first and gets its data once it is on
        # screen: keep each graph in view until it has drawn its data.
        gd = plots.nth(i)
        gd.scroll_into_view_if_needed()
        try:
            page.wait_for_function(GRAPH_DRAWN_JS, arg=gd.element_handle(), timeout=60_000, polling=250)
        except PlaywrightTimeout:
            problems.append(f"{lesson}: figure {i} still has no data a minute after it came into view")
    try:  # the players decode their audio in the page; screenshots then show their real length
        page.wait_for_function(DECODED_JS, timeout=60_000, polling=250)
    except PlaywrightTimeout:
        problems.append(f"{lesson}: an A/B player did not decode its audio within a minute")
    problems += [f"{lesson}: {e}" for e in error_outputs(page)]
    # A tall window, so an explorer fits on screen whole; and the notebook's sticky toolbar and the
    # status bar would cover the top and bottom of a shot.
    page.set_viewport_size({"width": 1400, "height": 2400})
    hide_toolbars(page)
    report = []
    places = page.evaluate(LOCATE_JS)
    for i in range(plots.count()):
        cell, heading = places[i]
        gd = plots.nth(i)
        gd.scroll_into_view_if_needed()
        fig = gd.evaluate(FIGURE_JS)
        shot = out / f"cell{cell:02d}-{_slug(heading)}-figure{i}.png"
        gd.screenshot(path=str(shot))
        fig.update(cell=cell, section=heading, screenshot=str(shot.relative_to(REPO)))
        report.append(fig)
        where = f"{lesson} cell {cell} ({heading}) figure {fig['title']!r}"
        problems += [f"{where}: {p}" for p in figure_problems(fig)]

    page.evaluate(MARK_WIDGETS_JS)
    widgets = panel.locator(WIDGET_OUTPUTS)
    for i in range(widgets.count()):
        widget = widgets.nth(i)
        widget.scroll_into_view_if_needed()
        cell = widget.evaluate(
            "w => [...w.closest('.jp-Notebook').querySelectorAll(':scope .jp-Cell')].indexOf(w.closest('.jp-Cell'))"
        )
        widget.screenshot(path=str(out / f"cell{cell:02d}-widget{i}.png"))

    total_s = time.monotonic() - started
    (out / "figures.json").write_text(json.dumps(report, indent=1))
    (out / "timing.json").write_text(json.dumps({"run_all_s": round(run_s, 1), **getattr(page, "run_phases", {}),
                                                      "total_s": round(total_s, 1)}))
    print(f"{lesson}: Run All {run_s:.0f} s, with reading and screenshots {total_s:.0f} s, "
          f"{len(report)} figures, {widgets.count()} widgets")
    assert not problems, "what a student sees is wrong:\n" + "\n".join(problems)
    if lesson in ANSWERED:
        ANSWERED[lesson](page, run_cell_code, assert_no_errors)
