// StepSequencer view: a drum grid played with Web Audio, timed as "A Tale of Two Clocks" (Chris Wilson,
// https://web.dev/articles/audio-scheduling) says.
//
// A timer (setInterval, every TICK_MS) wakes up and hands every hit whose time falls in the next LOOKAHEAD_S
// to Web Audio with AudioBufferSourceNode.start(when), `when` on the AudioContext's clock, rounded to a
// sample. The timer only decides *which* hits to schedule; *when* they sound is the audio clock's business,
// so a late or jittery timer (a busy page, a slow machine) never moves a hit. The kernel is not involved.
//
// The same two pieces do live playback and `render_in_browser` (an OfflineAudioContext):
//   Scheduler.take(until, grid, maxSteps)  which steps fall before `until`, and each hit's time (s)
//   Voices.play(hits, rowGain)             rounds each time to a sample, picks the velocity layer, plays
//                                          it, and cuts ringing hits of the same choke group (5 ms fade)
// Step times follow producerkit.beats (module docstring): step n of a grid with S steps a bar sits at
// q = n * 16 / S 16ths; with e = floor(q / 2), f = (q - 2e) / 2, p = swing / 100, the swung place in its 8th
// is f' = 2 p f (f < 0.5) or p + 2 (1 - p)(f - 0.5); t = (2e + 2f') * 15 / bpm; + nudge; first sample
// floor(t * sr + 0.5). The arithmetic is written in the same order as beats.step_times, so the doubles agree.

const TICK_MS = 25; // how often the scheduler wakes up
const LOOKAHEAD_S = 0.1; // how far ahead it schedules
const START_DELAY_S = 0.06; // the first step sounds this long after Play
const MIN_AHEAD_S = 0.04; // after a stall the beat carries on this far ahead of the clock, so no hit is late
const STOP_FADE_S = 0.01; // Stop fades ringing hits out over this long
const SECTION_STEPS = 32; // the grid shows at most this many steps side by side (more stack below)

const dbToGain = (db) => Math.pow(10, db / 20);

// ------------------------------------------------------------------ timing (shared with the offline render)

export function stepTime(n, bpm, swing, stepsPerBar) {
  const q = n * (16 / stepsPerBar);
  const e = Math.floor(q / 2);
  const f = (q - 2 * e) / 2;
  const p = swing / 100;
  const swung = f < 0.5 ? 2 * p * f : p + 2 * (1 - p) * (f - 0.5);
  return ((2 * e + 2 * swung) * 15) / bpm;
}

// Steps counted from the start of playback (n), anchored on the audio clock: step `anchorStep` sounds at
// `anchorTime`. A change of tempo, swing or steps per bar re-anchors at the next step not yet scheduled, at
// the time the old settings gave it, so the beat carries on from there at the new settings.
export class Scheduler {
  constructor(anchorTime, params) {
    this.anchorTime = anchorTime;
    this.anchorStep = 0;
    this.next = 0;
    this.params = params; // { bpm, swing, stepsPerBar }
  }

  timeOf(n, p = this.params) {
    return this.anchorTime + (stepTime(n, p.bpm, p.swing, p.stepsPerBar) - stepTime(this.anchorStep, p.bpm, p.swing, p.stepsPerBar));
  }

  setParams(p) {
    const old = this.params;
    if (old.bpm === p.bpm && old.swing === p.swing && old.stepsPerBar === p.stepsPerBar) return;
    const t = this.timeOf(this.next, old);
    let next = this.next;
    if (p.stepsPerBar !== old.stepsPerBar) next = Math.ceil((next * p.stepsPerBar) / old.stepsPerBar);
    this.anchorTime = t;
    this.anchorStep = next;
    this.next = next;
    this.params = p;
  }

  // Every step whose grid time is before `until` (at most `maxSteps` of them), and its hits:
  // { steps: [{ step, time }], hits: [{ name, order, step, time, velocity }] }. `grid` is the rows trait.
  take(until, grid, maxSteps = Infinity) {
    const steps = [];
    const hits = [];
    const total = this.params.stepsPerBar * grid.bars;
    for (let count = 0; count < maxSteps && this.timeOf(this.next) < until; count++) {
      const n = this.next++;
      const k = n % total;
      const time = this.timeOf(n);
      steps.push({ step: k, time });
      grid.rows.forEach((row, order) => {
        const velocity = row.steps[k] || 0;
        if (velocity > 0) {
          const nudge = row.nudges ? row.nudges[k] || 0 : 0;
          hits.push({ name: row.name, order, step: k, time: time + nudge / 1000, velocity });
        }
      });
    }
    return { steps, hits };
  }
}

// The kit in the page: decoded velocity layers per piece and the choke groups.
export class Kit {
  constructor(layers, chokeGroups, sr, channels, fadeMs) {
    this.layers = new Map(); // piece -> [{ velocity, buffer }] (quietest first)
    for (const l of layers) {
      if (!this.layers.has(l.piece)) this.layers.set(l.piece, []);
      this.layers.get(l.piece).push(l);
    }
    for (const list of this.layers.values()) list.sort((a, b) => a.velocity - b.velocity);
    this.chokeOf = new Map();
    chokeGroups.forEach((group, i) => group.forEach((piece) => this.chokeOf.set(piece, i)));
    this.sr = sr;
    this.channels = channels;
    this.fadeMs = fadeMs;
  }

  // As beats.Kit.layer: the quietest layer recorded at `velocity` or above (else the loudest), and the gain.
  layer(piece, velocity) {
    const list = this.layers.get(piece);
    if (!list || !list.length) return null;
    for (const l of list) if (l.velocity >= velocity - 1e-9) return { buffer: l.buffer, gain: velocity / l.velocity };
    const last = list[list.length - 1];
    return { buffer: last.buffer, gain: velocity / last.velocity };
  }
}

// Plays hits into `output` of `ctx`, sample-accurately, with choke groups as beats.render does them.
export class Voices {
  constructor(ctx, output, kit) {
    this.ctx = ctx;
    this.output = output;
    this.kit = kit;
    this.lastInGroup = new Map();
    this.active = new Set();
    this.fadeFrames = Math.max(1, Math.floor((kit.fadeMs * ctx.sampleRate) / 1000 + 0.5));
  }

  // `rowGain(name)`: the row's gain (0 for a muted row: its hits are not played).
  play(hits, rowGain = () => 1) {
    const sr = this.ctx.sampleRate;
    const placed = hits.map((h) => ({ ...h, frame: Math.max(0, Math.floor(h.time * sr + 0.5)) }));
    placed.sort((a, b) => a.frame - b.frame || a.order - b.order);
    const frames = [];
    for (const hit of placed) {
      const g = rowGain(hit.name);
      const layer = this.kit.layer(hit.name, hit.velocity);
      if (!layer || !(g > 0)) continue;
      const when = hit.frame / sr;
      const src = this.ctx.createBufferSource();
      src.buffer = layer.buffer;
      const amp = this.ctx.createGain();
      const level = layer.gain * g;
      amp.gain.setValueAtTime(level, when);
      src.connect(amp).connect(this.output);
      const voice = { src, amp, level, frame: hit.frame };
      const group = this.kit.chokeOf.get(hit.name);
      if (group !== undefined) {
        const prev = this.lastInGroup.get(group);
        if (prev) this.cut(prev, hit.frame);
        this.lastInGroup.set(group, voice);
      }
      src.onended = () => {
        this.active.delete(voice);
        amp.disconnect();
      };
      src.start(when);
      this.active.add(voice);
      frames.push(hit.frame + layer.buffer.length * (sr / layer.buffer.sampleRate));
    }
    return frames; // where each played hit's one-shot ends (frames), for the offline render's length
  }

  // A choking hit at `frame`: fade the ringing voice to silence over the choke fade, then stop it.
  cut(voice, frame) {
    const sr = this.ctx.sampleRate;
    const t0 = Math.max(frame, voice.frame) / sr;
    const t1 = (Math.max(frame, voice.frame) + this.fadeFrames) / sr;
    voice.amp.gain.setValueAtTime(voice.level, t0);
    voice.amp.gain.linearRampToValueAtTime(0, t1);
    try {
      voice.src.stop(t1);
    } catch {
      /* not started or already stopped */
    }
  }

  stopAll(fade = STOP_FADE_S) {
    const now = this.ctx.currentTime;
    for (const v of this.active) {
      v.amp.gain.cancelScheduledValues(now);
      v.amp.gain.setValueAtTime(v.amp.gain.value, now);
      v.amp.gain.linearRampToValueAtTime(0, now + fade);
      try {
        v.src.stop(now + fade + 0.005);
      } catch {
        /* already stopped */
      }
    }
    this.active.clear();
    this.lastInGroup.clear();
  }
}

// Render `bars` bars of the grid in an OfflineAudioContext at the kit's rate, with the live code above.
export async function renderOffline(kit, grid, params, bars) {
  const sr = kit.sr;
  const sched = new Scheduler(0, params);
  const { hits } = sched.take(Infinity, grid, params.stepsPerBar * bars);
  const barsLength = Math.floor(((bars * 240) / params.bpm) * sr + 0.5);
  // Measure the tail first (an OfflineAudioContext's length is fixed when it is made).
  let length = barsLength;
  for (const h of hits) {
    const layer = kit.layer(h.name, h.velocity);
    if (layer) length = Math.max(length, Math.max(0, Math.floor(h.time * sr + 0.5)) + layer.buffer.length);
  }
  const ctx = new OfflineAudioContext({ numberOfChannels: kit.channels, length: Math.max(1, length), sampleRate: sr });
  new Voices(ctx, ctx.destination, kit).play(hits);
  return await ctx.startRendering();
}

// ------------------------------------------------------------------ the page's audio

// One AudioContext for every producerkit widget on the page, and a bus so that starting one stops the
// others (the same global as the A/B player's).
function shared() {
  const key = "__producerkitAudio";
  if (!globalThis[key]) globalThis[key] = { ctx: null, bus: new EventTarget() };
  return globalThis[key];
}

function audioContext() {
  const s = shared();
  if (!s.ctx || s.ctx.state === "closed") s.ctx = new AudioContext({ latencyHint: "interactive" });
  return s.ctx;
}

function copyBytes(value) {
  if (!value) return null;
  if (value instanceof ArrayBuffer) return value.slice(0);
  if (ArrayBuffer.isView(value)) return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
  return null;
}

async function decodeKit(model) {
  const sr = model.get("kit_sr");
  const layers = await Promise.all(
    model.get("kit_layers").map(async (l) => {
      const offline = new OfflineAudioContext({ numberOfChannels: Math.max(1, l.channels), length: 1, sampleRate: sr });
      const buffer = await offline.decodeAudioData(copyBytes(l.audio));
      return { piece: l.piece, velocity: l.velocity, buffer };
    }),
  );
  return new Kit(layers, model.get("choke_groups"), sr, model.get("kit_channels"), model.get("choke_fade_ms"));
}

function gridOf(model) {
  return { rows: model.get("rows"), bars: model.get("bars") };
}

function paramsOf(model) {
  return { bpm: model.get("bpm"), swing: model.get("swing"), stepsPerBar: model.get("steps_per_bar") };
}

class Transport {
  constructor(model, onStep) {
    this.model = model;
    this.onStep = onStep;
    this.kit = null;
    this.ctx = null;
    this.timer = null;
    this.queue = []; // scheduled steps { step, time } for the step indicator
    this.stalls = 0; // how often the page stalled and the beat was carried on (tests read it)
    this.id = Math.random().toString(36).slice(2);
    this.onOtherPlay = (ev) => {
      if (ev.detail !== this.id && this.timer) this.stop();
    };
    shared().bus.addEventListener("play", this.onOtherPlay);
  }

  get playing() {
    return this.timer !== null;
  }

  rowGain(name) {
    if (this.model.get("mutes")[name]) return 0;
    return dbToGain(this.model.get("volumes_db")[name] || 0);
  }

  // Must run inside the Play click (browsers allow audio only after a gesture).
  start() {
    if (!this.kit || this.timer) return;
    this.ctx = audioContext();
    if (this.ctx.state !== "running") this.ctx.resume();
    shared().bus.dispatchEvent(new CustomEvent("play", { detail: this.id }));
    this.master = this.ctx.createGain();
    this.master.gain.value = dbToGain(this.model.get("volume_db"));
    this.master.connect(this.ctx.destination);
    this.voices = new Voices(this.ctx, this.master, this.kit);
    this.scheduler = new Scheduler(this.ctx.currentTime + START_DELAY_S, paramsOf(this.model));
    this.queue = [];
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.tick();
    this.setPlaying(true);
  }

  tick() {
    const now = this.ctx.currentTime;
    this.scheduler.setParams(paramsOf(this.model));
    // The page stalled (a busy main thread, a hidden tab) past the next step's time: carry the beat on from
    // just ahead of the clock, so the groove keeps its shape instead of late hits piling up at once.
    const late = now + MIN_AHEAD_S - this.scheduler.timeOf(this.scheduler.next);
    if (late > 0) {
      this.scheduler.anchorTime += late;
      this.stalls += 1;
      this.onStep();
    }
    const { steps, hits } = this.scheduler.take(now + LOOKAHEAD_S, gridOf(this.model));
    this.queue.push(...steps);
    this.voices.play(hits, (name) => this.rowGain(name));
  }

  // The step sounding now (for the indicator), or -1.
  currentStep() {
    if (!this.timer) return -1;
    const now = this.ctx.currentTime;
    while (this.queue.length > 1 && this.queue[1].time <= now) this.queue.shift();
    return this.queue.length && this.queue[0].time <= now ? this.queue[0].step : -1;
  }

  setVolume() {
    if (this.master) this.master.gain.setTargetAtTime(dbToGain(this.model.get("volume_db")), this.ctx.currentTime, 0.01);
  }

  stop() {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    this.voices.stopAll();
    const master = this.master;
    setTimeout(() => master.disconnect(), 200);
    this.master = null;
    this.queue = [];
    this.setPlaying(false);
  }

  setPlaying(value) {
    if (this.model.get("playing") !== value) {
      this.model.set("playing", value);
      this.model.save_changes();
    }
    this.onStep();
  }

  destroy() {
    shared().bus.removeEventListener("play", this.onOtherPlay);
    this.stop();
  }
}

// ------------------------------------------------------------------ view

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

// Velocity levels of the text grid (beats.GRID_CHARS): x full, o medium, g ghost.
const FULL = 1;
const MEDIUM = 80 / 127;
const GHOST = 40 / 127;

// Shift-click: full -> medium -> ghost -> full (a rest becomes full).
function nextVelocity(v) {
  if (!(v > 0)) return FULL;
  if (v > MEDIUM + 1e-6) return MEDIUM;
  if (v > GHOST + 1e-6) return GHOST;
  return FULL;
}

function velocityName(v) {
  if (!(v > 0)) return "rest";
  const midi = Math.round(v * 127);
  const name = v > (FULL + MEDIUM) / 2 ? "full" : v > (MEDIUM + GHOST) / 2 ? "medium" : "ghost";
  return `${name} (velocity ${midi})`;
}

function render({ model, el }) {
  const root = h("div", { class: "pk-seq", role: "group", "aria-label": "Step sequencer" });
  const playBtn = h("button", { class: "pk-seq-play", type: "button", title: "Play / stop" });
  const bpmInput = h("input", { class: "pk-seq-bpm", type: "text", inputmode: "decimal", "aria-label": "Tempo (BPM)" });
  const swingInput = h("input", { class: "pk-seq-swing", type: "text", inputmode: "decimal", "aria-label": "Swing (%)" });
  const stepsSelect = h("select", { class: "pk-seq-steps", "aria-label": "Steps per bar" });
  for (const s of [16, 32]) stepsSelect.append(h("option", { value: String(s), text: String(s) }));
  const barsSelect = h("select", { class: "pk-seq-bars", "aria-label": "Bars" });
  for (let b = 1; b <= 8; b++) barsSelect.append(h("option", { value: String(b), text: String(b) }));
  const volume = h("input", { class: "pk-seq-volume", type: "range", min: "-60", max: "0", step: "1", "aria-label": "Master volume (dB)" });
  const volumeText = h("span", { class: "pk-seq-value" });
  const kitText = h("span", { class: "pk-seq-kit" });
  const transport = h(
    "div",
    { class: "pk-seq-row" },
    playBtn,
    h("label", { class: "pk-seq-ctl" }, "Tempo ", bpmInput, " BPM"),
    h("label", { class: "pk-seq-ctl" }, "Swing ", swingInput, " %"),
    h("label", { class: "pk-seq-ctl" }, "Steps/bar ", stepsSelect),
    h("label", { class: "pk-seq-ctl" }, "Bars ", barsSelect),
    h("label", { class: "pk-seq-ctl" }, "Volume ", volume, volumeText),
  );
  const gridBox = h("div", { class: "pk-seq-gridbox" });
  const help = h("div", {
    class: "pk-seq-help",
    text: "Click a step: on / off. Shift-click: velocity full → medium → ghost. M mutes a row; its slider sets the row's volume.",
  });
  const error = h("div", { class: "pk-seq-error", role: "alert" });
  root.append(transport, gridBox, h("div", { class: "pk-seq-row pk-seq-foot" }, help, kitText), error);
  el.append(root);

  // JupyterLab takes keys for the notebook: keys pressed in the sequencer's own inputs belong to them.
  root.addEventListener("keydown", (event) => {
    const t = event.target;
    if (t instanceof HTMLInputElement && t.type === "text") event.stopPropagation();
    else if ((t instanceof HTMLInputElement || t instanceof HTMLButtonElement || t instanceof HTMLSelectElement) &&
      ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown", " ", "Enter"].includes(event.key)) {
      event.stopPropagation();
    }
  });

  let cells = []; // cells[row][step]
  let lines = []; // lines[row] = the row's line in each section
  let columns = []; // columns[step] = [ruler cell, row cells...]
  let shape = "";
  let shownStep = -1;
  const transportObj = new Transport(model, () => refresh());
  let kitPromise = null;
  let renders = 0;

  // The grid in sections of at most SECTION_STEPS steps (two bars of 16ths, one of 32nds), stacked, so every
  // step is on screen without scrolling; the first section has each row's mute and volume.
  function buildGrid() {
    const rows = model.get("rows");
    const spb = model.get("steps_per_bar");
    const total = spb * model.get("bars");
    const beat = spb / 4;
    const per = Math.max(SECTION_STEPS, spb);
    gridBox.replaceChildren();
    cells = rows.map(() => []);
    lines = rows.map(() => []);
    columns = Array.from({ length: total }, () => []);
    const grid = h("div", { class: "pk-seq-grid" });
    grid.dataset.stepsPerBar = String(spb);
    for (let s0 = 0; s0 < total; s0 += per) {
      const section = h("div", { class: "pk-seq-section", "data-first-step": String(s0) });
      // Ruler: bar.beat numbers counted from 1, as a DAW counts.
      const ruler = h("div", { class: "pk-seq-line pk-seq-ruler" }, h("div", { class: "pk-seq-head" }, h("span", { class: "pk-seq-name", text: "bar.beat" })));
      const ticks = h("div", { class: "pk-seq-steps-row" });
      for (let k = s0; k < Math.min(total, s0 + per); k++) {
        const inBar = k % spb;
        const label = inBar % beat === 0 ? `${Math.floor(k / spb) + 1}.${inBar / beat + 1}` : "";
        const cell = h("div", { class: "pk-seq-tick", "data-step": String(k), text: label });
        if (inBar === 0 && k > s0) cell.classList.add("pk-seq-barline");
        ticks.append(cell);
        columns[k].push(cell);
      }
      ruler.append(ticks);
      section.append(ruler);
      rows.forEach((row, r) => {
        const head = h("div", { class: "pk-seq-head" }, h("span", { class: "pk-seq-name", text: row.name, title: row.name }));
        if (s0 === 0) head.append(...rowControls(row.name));
        const line = h("div", { class: "pk-seq-line", "data-row": row.name }, head);
        const stepsRow = h("div", { class: "pk-seq-steps-row" });
        for (let k = s0; k < Math.min(total, s0 + per); k++) {
          const cell = h("button", { class: "pk-seq-step", type: "button", "data-row": row.name, "data-step": String(k) });
          if (Math.floor((k % spb) / beat) % 2 === 1) cell.classList.add("pk-seq-offbeat");
          if (k % spb === 0 && k > s0) cell.classList.add("pk-seq-barline");
          cell.append(h("span", { class: "pk-seq-vel" }));
          cell.addEventListener("click", (event) => edit(r, k, event.shiftKey));
          stepsRow.append(cell);
          cells[r][k] = cell;
          columns[k].push(cell);
        }
        line.append(stepsRow);
        section.append(line);
        lines[r].push(line);
      });
      grid.append(section);
    }
    gridBox.append(grid);
    shownStep = -1;
  }

  function rowControls(name) {
    const mute = h("button", { class: "pk-seq-mute", type: "button", title: `Mute ${name}`, "data-row": name, text: "M" });
    const vol = h("input", { class: "pk-seq-rowvol", type: "range", min: "-40", max: "6", step: "1", "data-row": name, "aria-label": `${name} volume (dB)` });
    mute.addEventListener("click", () => {
      const mutes = { ...model.get("mutes") };
      if (mutes[name]) delete mutes[name];
      else mutes[name] = true;
      model.set("mutes", mutes);
      model.save_changes();
    });
    vol.addEventListener("input", () => {
      const volumes = { ...model.get("volumes_db") };
      const db = Number(vol.value);
      if (db === 0) delete volumes[name];
      else volumes[name] = db;
      model.set("volumes_db", volumes);
      model.save_changes();
    });
    return [mute, vol];
  }

  // A click: a new rows value (fresh objects, so the model sees a change), kept locally at once (the
  // scheduler reads it on its next tick) and sent to the kernel (seq.pattern).
  function edit(r, k, shift) {
    const rows = model.get("rows").map((row) => ({ ...row, steps: row.steps.slice() }));
    const v = rows[r].steps[k] || 0;
    rows[r].steps[k] = shift ? nextVelocity(v) : v > 0 ? 0 : FULL;
    model.set("rows", rows);
    model.save_changes();
  }

  function paintCells() {
    const rows = model.get("rows");
    const mutes = model.get("mutes");
    const volumes = model.get("volumes_db");
    const spb = model.get("steps_per_bar");
    rows.forEach((row, r) => {
      const line = cells[r];
      if (!line) return;
      row.steps.forEach((v, k) => {
        const cell = line[k];
        if (!cell) return;
        cell.dataset.vel = String(Math.round((v || 0) * 127));
        cell.classList.toggle("pk-seq-on", v > 0);
        cell.firstChild.style.height = v > 0 ? `${Math.max(18, Math.round(v * 100))}%` : "0";
        cell.title = `${row.name}, bar ${Math.floor(k / spb) + 1} step ${(k % spb) + 1}: ${velocityName(v)}`;
        cell.setAttribute("aria-pressed", String(v > 0));
      });
      const muted = Boolean(mutes[row.name]);
      for (const lineEl of lines[r] || []) {
        lineEl.classList.toggle("pk-seq-muted", muted);
        const m = lineEl.querySelector(".pk-seq-mute");
        if (m) m.setAttribute("aria-pressed", String(muted));
        const vol = lineEl.querySelector(".pk-seq-rowvol");
        if (vol) {
          vol.value = String(volumes[row.name] || 0);
          vol.title = `${row.name}: ${Number(volumes[row.name] || 0).toFixed(0)} dB`;
        }
      }
    });
  }

  function refresh() {
    const rows = model.get("rows");
    const newShape = JSON.stringify([rows.map((r) => r.name), model.get("steps_per_bar"), model.get("bars")]);
    if (newShape !== shape) {
      shape = newShape;
      buildGrid();
    }
    paintCells();
    const playing = transportObj.playing;
    root.dataset.playing = String(playing);
    root.dataset.decoded = String(Boolean(transportObj.kit));
    root.dataset.bpm = String(model.get("bpm"));
    root.dataset.swing = String(model.get("swing"));
    root.dataset.renders = String(renders);
    root.dataset.stalls = String(transportObj.stalls);
    playBtn.textContent = playing ? "■ Stop" : "▶ Play";
    playBtn.disabled = !transportObj.kit;
    playBtn.setAttribute("aria-pressed", String(playing));
    if (document.activeElement !== bpmInput && typed.bpm === null) bpmInput.value = String(model.get("bpm"));
    if (document.activeElement !== swingInput && typed.swing === null) swingInput.value = String(model.get("swing"));
    stepsSelect.value = String(model.get("steps_per_bar"));
    barsSelect.value = String(model.get("bars"));
    volume.value = String(model.get("volume_db"));
    volumeText.textContent = `${Math.round(model.get("volume_db"))} dB`;
    kitText.textContent = `Kit: ${model.get("kit_name")}`;
    const message = model.get("error");
    error.textContent = message ? `⚠ ${message}` : "";
    error.hidden = !message;
  }

  function showStep(k) {
    if (k === shownStep) return;
    if (shownStep >= 0 && columns[shownStep]) columns[shownStep].forEach((c) => c.classList.remove("pk-seq-now"));
    if (k >= 0 && columns[k]) columns[k].forEach((c) => c.classList.add("pk-seq-now"));
    shownStep = k;
    root.dataset.step = String(k);
  }

  // ---- controls
  playBtn.addEventListener("click", () => {
    if (transportObj.playing) transportObj.stop();
    else transportObj.start();
  });
  const ask = (name, value) => model.send({ type: "set", name, value });
  // What the student typed and sent, per field, until the kernel takes a value for it: the field keeps
  // showing it (red when refused) rather than snapping back, and leaving the field does not send it again.
  const typed = { bpm: null, swing: null };
  for (const [input, name] of [
    [bpmInput, "bpm"],
    [swingInput, "swing"],
  ]) {
    const send = () => {
      if (input.value === typed[name]) return;
      typed[name] = input.value;
      input.classList.remove("pk-seq-invalid");
      ask(name, input.value);
    };
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        send();
      }
    });
    input.addEventListener("change", send);
  }
  stepsSelect.addEventListener("change", () => ask("steps_per_bar", Number(stepsSelect.value)));
  barsSelect.addEventListener("change", () => ask("bars", Number(barsSelect.value)));
  volume.addEventListener("input", () => {
    model.set("volume_db", Number(volume.value));
    model.save_changes();
  });

  // ---- model changes and messages
  const onVolume = () => {
    transportObj.setVolume();
    refresh();
  };
  // The kernel took a tempo or swing (typed here or set in code): show it.
  const onValue = (name, input) => () => {
    typed[name] = null;
    input.classList.remove("pk-seq-invalid");
    input.value = String(model.get(name));
    refresh();
  };
  const onBpm = onValue("bpm", bpmInput);
  const onSwing = onValue("swing", swingInput);
  const names = ["rows", "steps_per_bar", "bars", "mutes", "volumes_db", "error", "kit_name"];
  for (const n of names) model.on(`change:${n}`, refresh);
  model.on("change:volume_db", onVolume);
  model.on("change:bpm", onBpm);
  model.on("change:swing", onSwing);
  const onKit = () => {
    transportObj.stop();
    transportObj.kit = null;
    refresh();
    const p = (kitPromise = decodeKit(model));
    p.then((kit) => {
      if (p !== kitPromise) return;
      transportObj.kit = kit;
      if (!model.get("decoded")) {
        model.set("decoded", true);
        model.save_changes();
      }
      refresh();
    }).catch((err) => {
      model.set("error", `The browser could not decode the kit (${err && err.message ? err.message : err}).`);
      model.save_changes();
    });
  };
  model.on("change:kit_layers", onKit);
  const onMessage = async (msg) => {
    if (!msg) return;
    if (msg.type === "stop") transportObj.stop();
    else if (msg.type === "rejected") {
      const input = msg.name === "bpm" ? bpmInput : msg.name === "swing" ? swingInput : null;
      if (input) input.classList.add("pk-seq-invalid");
      refresh();
    } else if (msg.type === "render") {
      const kit = await kitPromise;
      const buffer = await renderOffline(kit, gridOf(model), paramsOf(model), msg.bars);
      const channels = [];
      for (let c = 0; c < buffer.numberOfChannels; c++) channels.push(buffer.getChannelData(c).slice().buffer);
      model.send({ type: "rendered", id: msg.id, sr: buffer.sampleRate, channels: buffer.numberOfChannels, length: buffer.length }, undefined, channels);
      renders += 1;
      refresh();
    }
  };
  model.on("msg:custom", onMessage);

  // The step indicator follows the audio clock, every frame.
  let raf = 0;
  const frame = () => {
    showStep(transportObj.currentStep());
    raf = requestAnimationFrame(frame);
  };
  raf = requestAnimationFrame(frame);

  // A fresh view never plays.
  if (model.get("playing")) {
    model.set("playing", false);
    model.save_changes();
  }
  onKit();
  refresh();

  return () => {
    cancelAnimationFrame(raf);
    for (const n of names) model.off(`change:${n}`, refresh);
    model.off("change:volume_db", onVolume);
    model.off("change:bpm", onBpm);
    model.off("change:swing", onSwing);
    model.off("change:kit_layers", onKit);
    model.off("msg:custom", onMessage);
    kitPromise = null;
    transportObj.destroy();
  };
}

// ------------------------------------------------------------------ messages from the kernel
// A module that loaded late still hears the kernel: see _late_load.js, put in front of this file.
function initialize({ model }) {
  deliverKernelMessages(model, "the step sequencer");
}

export default { initialize, render };
