// Playhead view: time-axis plots of a sound with a cursor that follows an ABPlayer's Web Audio clock.
//
// The plots (decimated traces: min/max per pixel column, images, blocks) are drawn once on a
// canvas, and again only when the data or the version you hear changes. The cursor is a separate
// element, animated on the compositor and anchored to the clock of the player it follows (see "the
// cursor" below): abplayer.js keeps
// a page-side registry, globalThis.__producerkitAudio.players, from a player's clock_id to its
// engines (the AudioContext, the playing voice, seek/play/pause). The time you hear is
// currentTime less the output latency the browser reports. Nothing here sends the kernel
// anything while playing: a click seeks (the player tells Python where it went), a drag sets the
// player's loop region, keys seek and play.

const MARGIN_LEFT = 76; // px, as in playhead.py
const MARGIN_RIGHT = 16;
const TOP = 4;
const GAP = 8; // between panels
const AXIS = 42; // time axis: ticks, labels and its title
const DRAG_PX = 4; // a press that moves further than this is a loop drag, not a click
const MIN_LOOP = 0.05; // s, as ABPlayer's MIN_LOOP_SECONDS
const DIM = 0.3; // opacity of the version you do not hear
const FONT = "11px var(--jp-ui-font-family, system-ui, sans-serif)";

function shared() {
  const key = "__producerkitAudio";
  if (!globalThis[key]) globalThis[key] = { ctx: null, bus: new EventTarget() };
  if (!globalThis[key].players) globalThis[key].players = new Map();
  return globalThis[key];
}

// The engine of the player this playhead follows: the one playing, else the last shown.
function findEngine(clockId) {
  const engines = shared().players.get(clockId);
  if (!engines || !engines.size) return null;
  let last = null;
  for (const e of engines) {
    if (e.voice) return e;
    last = e;
  }
  return last;
}

function formatTime(t) {
  if (!isFinite(t) || t < 0) t = 0;
  const m = Math.floor(t / 60);
  const s = t - 60 * m;
  return `${m}:${s.toFixed(1).padStart(4, "0")}`;
}

function niceStep(span, target) {
  const raw = span / target;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  let best = power;
  for (const m of [1, 2, 2.5, 5, 10]) if (Math.abs(m * power - raw) < Math.abs(best - raw)) best = m * power;
  return best;
}

function fmtNumber(v) {
  const r = Math.round(v * 100) / 100;
  return String(r).replace("-", "−");
}

// A perceptually even colour map (viridis, a few stops, interpolated): dark is quiet, yellow loud.
const VIRIDIS = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 74, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [110, 206, 88],
  [181, 222, 43],
  [253, 231, 37],
];
const LUT = (() => {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const x = (i / 255) * (VIRIDIS.length - 1);
    const k = Math.min(VIRIDIS.length - 2, Math.floor(x));
    const f = x - k;
    for (let c = 0; c < 3; c++) lut[3 * i + c] = VIRIDIS[k][c] * (1 - f) + VIRIDIS[k + 1][c] * f;
  }
  return lut;
})();

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v);
  }
  for (const c of children) el.append(c);
  return el;
}

function render({ model, el }) {
  const root = h("div", { class: "pk-ph", role: "group" });
  const title = h("div", { class: "pk-ph-title" });
  const legend = h("div", { class: "pk-ph-legend" });
  const stage = h("div", { class: "pk-ph-stage" });
  const canvas = h("canvas", { class: "pk-ph-canvas", "aria-hidden": "true" });
  const loopBox = h("div", { class: "pk-ph-loop", "aria-hidden": "true" });
  const dragBox = h("div", { class: "pk-ph-drag", "aria-hidden": "true" });
  const cursor = h("div", { class: "pk-ph-cursor", "aria-hidden": "true" });
  const hit = h("div", { class: "pk-ph-hit", tabindex: "0", role: "slider", "aria-valuemin": "0" });
  const status = h("div", { class: "pk-ph-status", "aria-live": "off" });
  stage.append(canvas, loopBox, dragBox, cursor, hit);
  root.append(title, legend, stage, status);
  el.append(root);

  let engine = null;
  let engineModel = null;
  let geom = null; // { left, plotW, top, bottom, height, width }
  const state = { t: 0, frames: 0, playing: false, anchors: 0 };
  root.__pkPlayhead = state; // tests read the cursor's time and the frame count here
  state.panels = () => model.get("panels"); // and the traces drawn

  const duration = () => Math.max(1e-6, model.get("duration"));
  const heard = () => (engineModel ? engineModel.get("selected") : "a");

  // ---------------------------------------------------------------- the engine it follows
  const onSelected = () => draw();
  const onLabels = () => draw();
  function attach() {
    const next = findEngine(model.get("clock_id"));
    if (next === engine) return;
    if (engineModel) {
      engineModel.off("change:selected", onSelected);
      engineModel.off("change:label_a", onLabels);
      engineModel.off("change:label_b", onLabels);
    }
    engine = next;
    engineModel = engine ? engine.model : null;
    if (engineModel) {
      engineModel.on("change:selected", onSelected);
      engineModel.on("change:label_a", onLabels);
      engineModel.on("change:label_b", onLabels);
    }
    draw();
  }
  const onPlayers = (ev) => {
    if (ev.detail === model.get("clock_id")) attach();
  };
  shared().bus.addEventListener("players", onPlayers);

  // ---------------------------------------------------------------- drawing
  function draw() {
    const panels = model.get("panels") || [];
    const width = model.get("width");
    const left = MARGIN_LEFT;
    const plotW = width - MARGIN_LEFT - MARGIN_RIGHT;
    let y = TOP;
    const rects = panels.map((p) => {
      const r = { y, h: p.height };
      y += p.height + GAP;
      return r;
    });
    const bottom = y - GAP;
    const height = bottom + AXIS;
    geom = { left, plotW, top: TOP, bottom, height, width };

    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    stage.style.width = `${width}px`;
    stage.style.height = `${height}px`;
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = FONT;
    const sel = heard();
    const blind = sel === "x";
    const alphaOf = (version) => {
      if (!version || blind || sel === "diff") return 1;
      return version === sel ? 1 : DIM;
    };
    const order = (items) => {
      // Both versions' traces: the one you hear last, so it is drawn on top.
      const rank = (v) => (!v ? 0 : blind || sel === "diff" ? (v === "a" ? 1 : 2) : v === sel ? 3 : 1);
      return [...items].sort((p, q) => rank(p.version) - rank(q.version));
    };
    const timeTicks = timeAxisTicks(plotW);
    panels.forEach((panel, i) => {
      const r = rects[i];
      ctx.save();
      ctx.fillStyle = "#fff";
      ctx.fillRect(left, r.y, plotW, r.h);
      // vertical grid at the time ticks
      ctx.strokeStyle = "#eee";
      ctx.lineWidth = 1;
      for (const tk of timeTicks) {
        const x = Math.round(left + (tk.t / duration()) * plotW) + 0.5;
        ctx.beginPath();
        ctx.moveTo(x, r.y);
        ctx.lineTo(x, r.y + r.h);
        ctx.stroke();
      }
      ctx.beginPath();
      ctx.rect(left, r.y, plotW, r.h);
      ctx.clip();
      if (panel.kind === "traces") drawTraces(ctx, panel, r, left, plotW, order, alphaOf);
      else if (panel.kind === "image") drawImage(ctx, panel, r, left, plotW, alphaOf);
      else if (panel.kind === "blocks") drawBlocks(ctx, panel, r, left, plotW, order, alphaOf);
      ctx.restore();
      ctx.strokeStyle = "#bbb";
      ctx.lineWidth = 1;
      ctx.strokeRect(left + 0.5, r.y + 0.5, plotW - 1, r.h - 1);
      drawYAxis(ctx, panel, r, left);
      if (panel.kind === "blocks") return; // its rows are named in the margin
      // the panel's name, with its unit, at its top left
      ctx.font = `600 ${FONT}`;
      const text = panel.label;
      const w = ctx.measureText(text).width;
      ctx.fillStyle = "rgba(255,255,255,0.85)";
      ctx.fillRect(left + 3, r.y + 3, w + 8, 15);
      ctx.fillStyle = "#222";
      ctx.textAlign = "left";
      ctx.textBaseline = "middle";
      ctx.fillText(text, left + 7, r.y + 11);
      ctx.font = FONT;
    });
    // the time axis
    ctx.fillStyle = "#333";
    ctx.strokeStyle = "#888";
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const tk of timeTicks) {
      const x = left + (tk.t / duration()) * plotW;
      ctx.beginPath();
      ctx.moveTo(x, bottom);
      ctx.lineTo(x, bottom + 4);
      ctx.stroke();
      ctx.fillText(tk.text, Math.min(Math.max(x, left + 8), left + plotW - 8), bottom + 6);
    }
    ctx.fillText(model.get("bar_seconds") > 0 ? "position (bar)" : "time (s)", left + plotW / 2, bottom + 24);

    // overlays
    for (const box of [loopBox, dragBox]) {
      box.style.top = `${TOP}px`;
      box.style.height = `${bottom - TOP}px`;
    }
    cursor.style.top = `${TOP}px`;
    cursor.style.height = `${bottom - TOP}px`;
    hit.style.left = `${left}px`;
    hit.style.top = `${TOP}px`;
    hit.style.width = `${plotW}px`;
    hit.style.height = `${bottom - TOP}px`;
    hit.setAttribute("aria-valuemax", duration().toFixed(2));
    const name = model.get("title") || "plot";
    hit.setAttribute("aria-label", `${name}: playback position. Click or use the arrow keys to move, drag to loop, Space to play.`);
    root.setAttribute("aria-label", name);
    title.textContent = model.get("title");
    title.hidden = !model.get("title");
    root.dataset.heard = sel;
    root.dataset.clock = model.get("clock_id");
    drawLegend(panels, sel, blind);
    moveCursor(true);
  }

  function timeAxisTicks(plotW) {
    const d = duration();
    const bar = model.get("bar_seconds");
    const ticks = [];
    if (bar > 0) {
      const bars = d / bar;
      let step = 1;
      while (bars / step > Math.max(4, plotW / 60)) step *= 2;
      for (let b = 0; b <= bars + 1e-9; b += step) ticks.push({ t: b * bar, text: String(b + 1) });
    } else {
      const step = niceStep(d, Math.max(4, Math.min(12, plotW / 80)));
      for (let t = 0; t <= d + 1e-9; t += step) ticks.push({ t, text: `${fmtNumber(t)}` });
    }
    return ticks;
  }

  function drawYAxis(ctx, panel, r, left) {
    ctx.fillStyle = "#333";
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.strokeStyle = "#888";
    if (panel.kind === "traces") {
      const [lo, hi] = panel.y_range;
      let ticks = panel.ticks && panel.ticks.length ? panel.ticks : null;
      if (!ticks) {
        const step = niceStep(hi - lo, Math.max(2, Math.floor(r.h / 40)));
        ticks = [];
        for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) ticks.push([v, fmtNumber(v)]);
      }
      for (const [v, text] of ticks) {
        const y = r.y + r.h - ((v - lo) / (hi - lo)) * r.h;
        if (y < r.y - 0.5 || y > r.y + r.h + 0.5) continue;
        ctx.beginPath();
        ctx.moveTo(left - 4, y);
        ctx.lineTo(left, y);
        ctx.stroke();
        ctx.fillText(text, left - 6, Math.min(Math.max(y, r.y + 6), r.y + r.h - 6));
      }
    } else if (panel.kind === "image") {
      for (const [frac, text] of panel.ticks) {
        const y = r.y + r.h - frac * r.h;
        ctx.beginPath();
        ctx.moveTo(left - 4, y);
        ctx.lineTo(left, y);
        ctx.stroke();
        ctx.fillText(text, left - 6, Math.min(Math.max(y, r.y + 6), r.y + r.h - 6));
      }
    } else if (panel.kind === "blocks") {
      const rowH = r.h / Math.max(1, panel.rows.length);
      panel.rows.forEach((name, i) => {
        let text = name;
        while (text.length > 3 && ctx.measureText(text).width > MARGIN_LEFT - 10) text = text.slice(0, -2) + "…";
        ctx.fillText(text, left - 6, r.y + (i + 0.5) * rowH);
      });
    }
  }

  function drawTraces(ctx, panel, r, left, plotW, order, alphaOf) {
    const [lo, hi] = panel.y_range;
    const yOf = (v) => r.y + r.h - ((v - lo) / (hi - lo)) * r.h;
    const n = model.get("columns");
    const colW = plotW / n;
    // horizontal grid
    for (const trace of order(panel.traces)) {
      const a = alphaOf(trace.version);
      ctx.globalAlpha = a;
      ctx.beginPath();
      if (trace.style === "band") {
        for (let c = 0; c < n; c++) ctx.lineTo(left + (c + 0.5) * colW, yOf(trace.hi[c]));
        for (let c = n - 1; c >= 0; c--) ctx.lineTo(left + (c + 0.5) * colW, yOf(trace.lo[c]) + 0.5);
        ctx.closePath();
        ctx.fillStyle = trace.colour;
        ctx.globalAlpha = a * 0.55;
        ctx.fill();
        ctx.globalAlpha = a;
        ctx.strokeStyle = trace.colour;
        ctx.lineWidth = 0.75;
        ctx.stroke();
      } else {
        for (let c = 0; c < n; c++) {
          const x = left + (c + 0.5) * colW;
          ctx.lineTo(x, yOf(trace.lo[c]));
          if (trace.hi[c] !== trace.lo[c]) ctx.lineTo(x, yOf(trace.hi[c]));
        }
        ctx.strokeStyle = trace.colour;
        ctx.lineWidth = 1.5;
        ctx.setLineDash(trace.dash ? [6, 4] : []);
        ctx.stroke();
        ctx.setLineDash([]);
      }
    }
    ctx.globalAlpha = 1;
  }

  function drawImage(ctx, panel, r, left, plotW, alphaOf) {
    const n = model.get("columns");
    const rows = panel.rows;
    const view = model.get("images");
    if (!view) return;
    const bytes =
      view instanceof ArrayBuffer ? new Uint8Array(view) : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    const off = new OffscreenCanvas(n, rows);
    const octx = off.getContext("2d");
    const img = octx.createImageData(n, rows);
    for (let row = 0; row < rows; row++) {
      const src = panel.offset + row * n;
      const dst = (rows - 1 - row) * n; // row 0 is the lowest frequency: drawn at the bottom
      for (let c = 0; c < n; c++) {
        const v = bytes[src + c];
        const p = 4 * (dst + c);
        img.data[p] = LUT[3 * v];
        img.data[p + 1] = LUT[3 * v + 1];
        img.data[p + 2] = LUT[3 * v + 2];
        img.data[p + 3] = 255;
      }
    }
    octx.putImageData(img, 0, 0);
    // the version you do not hear: paler, on a white ground
    ctx.globalAlpha = alphaOf(panel.version) < 1 ? 0.5 : 1;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(off, left, r.y, plotW, r.h);
    ctx.globalAlpha = 1;
    // the colour scale, at the top right: a bar from quiet to loud, then what its ends mean
    const barW = 90;
    const text = `${panel.scale[0]} … ${panel.scale[1]}`.replaceAll("-", "−");
    const textW = ctx.measureText(text).width;
    const x1 = left + plotW - 6;
    const x0 = x1 - textW - 6 - barW;
    const y0 = r.y + 4;
    ctx.fillStyle = "rgba(255,255,255,0.9)";
    ctx.fillRect(x0 - 4, y0 - 2, x1 - x0 + 8, 16);
    for (let i = 0; i < barW; i++) {
      const v = Math.round((i / (barW - 1)) * 255);
      ctx.fillStyle = `rgb(${LUT[3 * v]},${LUT[3 * v + 1]},${LUT[3 * v + 2]})`;
      ctx.fillRect(x0 + i, y0 + 2, 1, 8);
    }
    ctx.fillStyle = "#222";
    ctx.textBaseline = "middle";
    ctx.textAlign = "left";
    ctx.fillText(text, x0 + barW + 6, y0 + 6);
  }

  function drawBlocks(ctx, panel, r, left, plotW, order, alphaOf) {
    const rowH = r.h / Math.max(1, panel.rows.length);
    const d = duration();
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    for (const b of order(panel.blocks)) {
      const x0 = left + (b.start / d) * plotW;
      const x1 = left + (b.end / d) * plotW;
      const y0 = r.y + b.row * rowH + 2;
      ctx.globalAlpha = alphaOf(b.version);
      ctx.fillStyle = b.colour;
      ctx.fillRect(x0 + 1, y0, Math.max(1, x1 - x0 - 2), rowH - 4);
      if (b.text && ctx.measureText(b.text).width < x1 - x0 - 6) {
        ctx.fillStyle = "#fff";
        ctx.fillText(b.text, (x0 + x1) / 2, y0 + (rowH - 4) / 2);
      }
    }
    ctx.globalAlpha = 1;
  }

  function drawLegend(panels, sel, blind) {
    legend.replaceChildren();
    const seen = new Set();
    for (const panel of panels) {
      for (const trace of panel.kind === "traces" ? panel.traces : []) {
        if (seen.has(trace.name)) continue;
        seen.add(trace.name);
        const on = !trace.version || blind || sel === "diff" || trace.version === sel;
        const item = h(
          "span",
          { class: "pk-ph-key", "data-version": trace.version || "", "data-heard": String(on) },
          h("span", { class: "pk-ph-swatch" }),
          trace.name,
        );
        item.firstChild.style.background = trace.colour;
        if (trace.dash) item.firstChild.classList.add("pk-ph-dash");
        legend.append(item);
      }
    }
    legend.hidden = seen.size === 0;
  }

  // ---------------------------------------------------------------- the cursor
  // While a voice plays, the cursor is a Web Animation of its transform (linear, one clip second
  // per second), which the browser's compositor moves on its own: a busy page (a kernel message
  // being rendered, a figure drawn) does not freeze it. The animation is anchored to the audio
  // clock: the voice's schedule (it starts at context time `when` from `offset`, and wraps at a
  // loop's end) placed on the page's clock (performance.now) by the context's own clock readings,
  // less the output latency the browser reports. Every animation frame checks the anchor and moves
  // it when the two clocks part by more than ANCHOR_TOLERANCE; a new voice (play, seek, a loop
  // change, new audio) gets a new animation.
  const ANCHOR_TOLERANCE = 2; // ms
  const CLOCK_WINDOW = 90; // clock readings kept to place the context's time on the page's clock
  let clockReads = [];
  let clockVoice = null;
  // Page time (performance.now, ms) minus context time (ms): the context's currentTime moves in
  // steps (one render block), so a reading just after a step is the truest; the smallest offset
  // over the last readings is the one taken nearest a step.
  function clockOffset(ctx) {
    const now = performance.now();
    clockReads.push(now - 1000 * ctx.currentTime);
    if (clockReads.length > CLOCK_WINDOW) clockReads.shift();
    return Math.min(...clockReads);
  }

  function position() {
    if (!engine) return 0;
    if (engine.voice && engine.ctx) {
      const ctx = engine.ctx;
      state.clock = ctx.currentTime; // the clock reading this position was found from (tests read it)
      const heard = (performance.now() - clockOffset(ctx)) / 1000 - (ctx.outputLatency || 0);
      return engine.positionAt(heard);
    }
    return engine.pausedAt;
  }

  const xOf = (t) => geom.left + (Math.min(Math.max(t, 0), duration()) / duration()) * geom.plotW;
  let anim = null; // the cursor's animation while a voice plays
  let animVoice = null; // the voice it follows
  let animGeom = ""; // and the geometry it was made for
  let lastX = -1;

  // The animation for the playing voice: keyframes over the stretch it plays through (the clip,
  // or the loop region, repeated), started part-way at the voice's offset.
  function animate(voice, ctx) {
    const d = duration();
    const [a, b] = voice.loop && voice.offset < voice.end ? [voice.start, voice.end] : [0, d];
    const span = Math.max(b - a, 1e-3);
    const first = Math.min(Math.max((voice.offset - a) / span, 0), 1);
    if (anim) anim.cancel();
    anim = cursor.animate(
      [{ transform: `translateX(${xOf(a).toFixed(2)}px)` }, { transform: `translateX(${xOf(b).toFixed(2)}px)` }],
      {
        duration: span * 1000,
        iterationStart: first,
        iterations: voice.loop && voice.offset < voice.end ? Infinity : Math.max(1e-6, 1 - first),
        easing: "linear",
        fill: "both",
      },
    );
    anim.startTime = anchorTime(voice, ctx);
    state.anchors += 1;
  }

  // The page time (document timeline, ms) at which the voice's first sample is heard.
  function anchorTime(voice, ctx) {
    return 1000 * (voice.when + (ctx.outputLatency || 0)) + clockOffset(ctx);
  }

  function stopAnimation() {
    if (anim) anim.cancel();
    anim = null;
    animVoice = null;
  }

  let lastAria = 0;
  let lastStatus = "";
  function moveCursor(force = false) {
    if (!geom) return;
    const d = duration();
    const playing = Boolean(engine && engine.voice && engine.ctx);
    if (playing) {
      const voice = engine.voice;
      if (voice !== clockVoice) {
        clockVoice = voice;
        clockReads = []; // a new voice: the context may just have been resumed
      }
      const shape = [geom.left, geom.plotW, d].join("|");
      if (engine.ctx.state !== "running") {
        // not started yet (the context is resuming): hold the cursor at the voice's start
        stopAnimation();
        cursor.style.transform = `translateX(${xOf(voice.offset).toFixed(2)}px)`;
      } else if (force || !anim || animVoice !== voice || animGeom !== shape) {
        animate(voice, engine.ctx);
        animVoice = voice;
        animGeom = shape;
      } else {
        const want = anchorTime(voice, engine.ctx);
        if (Math.abs(anim.startTime - want) > ANCHOR_TOLERANCE) {
          anim.startTime = want;
          state.anchors += 1;
        }
      }
      lastX = -1;
    } else {
      clockVoice = null;
      if (anim) stopAnimation();
      const x = xOf(engine ? engine.pausedAt : 0);
      if (force || Math.abs(x - lastX) > 0.05) {
        cursor.style.transform = `translateX(${x.toFixed(2)}px)`;
        lastX = x;
      }
    }
    const t = Math.min(Math.max(position(), 0), d);
    state.t = t;
    // the player's loop region
    const m = engineModel;
    if (m && m.get("loop") && (m.get("loop_start") > 0 || m.get("loop_end") < d - 1e-3)) {
      const a = geom.left + (m.get("loop_start") / d) * geom.plotW;
      const b = geom.left + (Math.min(m.get("loop_end"), d) / d) * geom.plotW;
      loopBox.style.left = `${a}px`;
      loopBox.style.width = `${Math.max(1, b - a)}px`;
      loopBox.hidden = false;
    } else loopBox.hidden = true;
    const now = performance.now();
    if (force || now - lastAria > 250) {
      lastAria = now;
      hit.setAttribute("aria-valuenow", t.toFixed(2));
      hit.setAttribute("aria-valuetext", timeText(t));
    }
    const text = engine
      ? `${engine.voice ? "▶" : "❚❚"} ${timeText(t)} — click to jump, drag to loop, ← → to move, Space to play`
      : "Show this sound's A/B player to listen along: the cursor follows its clock.";
    if (text !== lastStatus) {
      status.textContent = text;
      lastStatus = text;
    }
  }

  function timeText(t) {
    const bar = model.get("bar_seconds");
    const clock = `${formatTime(t)} of ${formatTime(duration())}`;
    return bar > 0 ? `bar ${(t / bar + 1).toFixed(1)} · ${clock}` : clock;
  }

  let raf = 0;
  const tick = () => {
    if (!engine) attach();
    const playing = Boolean(engine && engine.voice);
    if (playing || state.playing) {
      moveCursor();
      if (playing) state.frames += 1;
    }
    state.playing = playing;
    root.dataset.playing = String(playing);
    raf = requestAnimationFrame(tick);
  };

  // ---------------------------------------------------------------- seeking and looping
  const timeAt = (clientX) => {
    const rect = hit.getBoundingClientRect();
    const f = Math.min(Math.max((clientX - rect.left) / rect.width, 0), 1);
    return f * duration();
  };
  let press = null;
  hit.addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0) return;
    hit.setPointerCapture(ev.pointerId);
    press = { x: ev.clientX, t: timeAt(ev.clientX), drag: false };
    hit.focus();
  });
  hit.addEventListener("pointermove", (ev) => {
    if (!press) return;
    if (!press.drag && Math.abs(ev.clientX - press.x) > DRAG_PX) press.drag = true;
    if (press.drag) {
      const a = geom.left + (Math.min(press.t, timeAt(ev.clientX)) / duration()) * geom.plotW;
      const b = geom.left + (Math.max(press.t, timeAt(ev.clientX)) / duration()) * geom.plotW;
      dragBox.style.left = `${a}px`;
      dragBox.style.width = `${b - a}px`;
      dragBox.hidden = false;
    }
  });
  const release = (ev) => {
    if (!press) return;
    const p = press;
    press = null;
    dragBox.hidden = true;
    if (!engine || ev.type === "pointercancel") return;
    if (p.drag) {
      let start = Math.min(p.t, timeAt(ev.clientX));
      let end = Math.max(p.t, timeAt(ev.clientX));
      if (end - start < MIN_LOOP) end = Math.min(duration(), start + MIN_LOOP);
      if (end - start < MIN_LOOP) start = Math.max(0, end - MIN_LOOP);
      // One edit for the player (it restarts inside the region if it is playing).
      engine.model.set("loop", true);
      engine.model.set("loop_start", Math.round(start * 1000) / 1000);
      engine.model.set("loop_end", Math.round(end * 1000) / 1000);
      engine.model.save_changes();
      if (!engine.voice) engine.seek(start);
    } else {
      engine.seek(p.t);
    }
    moveCursor(true);
  };
  hit.addEventListener("pointerup", release);
  hit.addEventListener("pointercancel", release);

  hit.addEventListener("keydown", (ev) => {
    const keys = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", " ", "Enter", "PageUp", "PageDown"];
    if (!keys.includes(ev.key)) return;
    // JupyterLab handles these keys for the notebook: here they belong to the playhead.
    ev.stopPropagation();
    ev.preventDefault();
    if (!engine) return;
    const t = position();
    const step = ev.shiftKey || ev.key === "PageUp" || ev.key === "PageDown" ? 5 : 1;
    if (ev.key === " " || ev.key === "Enter") {
      if (engine.voice) engine.pause();
      else engine.play();
    } else if (ev.key === "Home") engine.seek(0);
    else if (ev.key === "End") engine.seek(Math.max(0, duration() - 1));
    else if (["ArrowLeft", "ArrowDown", "PageDown"].includes(ev.key)) engine.seek(Math.max(0, t - step));
    else engine.seek(Math.min(duration() - 0.01, t + step));
    moveCursor(true);
  });

  // ---------------------------------------------------------------- model changes
  let updates = 0;
  const redraw = () => {
    updates += 1;
    root.dataset.updates = String(updates); // new data from the kernel (tests watch it)
    draw();
  };
  const names = ["panels", "images", "duration", "title", "width", "columns", "bar_seconds"];
  for (const n of names) model.on(`change:${n}`, redraw);
  const onMessage = (msg) => {
    if (msg && msg.type === "pk-probe") return;
  };
  model.on("msg:custom", onMessage);

  loopBox.hidden = true;
  dragBox.hidden = true;
  attach();
  draw();
  raf = requestAnimationFrame(tick);

  return () => {
    cancelAnimationFrame(raf);
    stopAnimation();
    shared().bus.removeEventListener("players", onPlayers);
    for (const n of names) model.off(`change:${n}`, redraw);
    model.off("msg:custom", onMessage);
    if (engineModel) {
      engineModel.off("change:selected", onSelected);
      engineModel.off("change:label_a", onLabels);
      engineModel.off("change:label_b", onLabels);
    }
  };
}

// ------------------------------------------------------------------ messages from the kernel
// A module that loaded late still hears the kernel: see _late_load.js, put in front of this file.
function initialize({ model }) {
  deliverKernelMessages(model, "the playhead");
}

export default { initialize, render };
