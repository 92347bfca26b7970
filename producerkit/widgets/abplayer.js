// ABPlayer view: two versions played in sync with Web Audio, switched by ramping gains.
//
// Graph, per "voice" (one start of playback):
//   source A -> fade A -\                      /-> selection gain A -\
//                        (voice fades, for hot swaps and stops)        master -> speakers
//   source B -> fade B -/                      \-> selection gain B -/
// Both sources start at the same context time, so they stay sample-aligned. Switching A/B
// ramps the two selection gains (no restart, no click); "B − A" sets gain A negative; the
// loudness-match gains are folded into the selection gains. New audio, a seek or a new loop
// region start a new voice at the same position and crossfade to it.
//
// Nothing plays until the Play button is pressed: the shared AudioContext is created in that
// click handler (browsers refuse audio before a user gesture). Decoding happens earlier, in an
// OfflineAudioContext at the clip's own rate, so `decoded` is known before anyone presses Play.

const SWITCH_TIME_CONSTANT = 0.004; // s: setTargetAtTime reaches -40 dB of the old gain in ~18 ms
const VOICE_FADE = 0.012; // s: crossfade between voices (hot swap, seek, loop change, stop)
const LOOKAHEAD = 0.03; // s: schedule voice changes slightly ahead so they start cleanly

const dbToGain = (db) => Math.pow(10, db / 20);

// One AudioContext for every producerkit widget on the page, and a bus so that starting one
// player stops the others (one transport, like a DAW). `players` maps a player's clock_id to its
// engines (one per view), so a playhead (playhead.js) reads the clock of the player it follows;
// the bus announces "players" when that map changes.
function shared() {
  const key = "__producerkitAudio";
  if (!globalThis[key]) globalThis[key] = { ctx: null, bus: new EventTarget() };
  if (!globalThis[key].players) globalThis[key].players = new Map();
  return globalThis[key];
}

function audioContext() {
  const s = shared();
  if (!s.ctx || s.ctx.state === "closed") s.ctx = new AudioContext({ latencyHint: "interactive" });
  return s.ctx;
}

function copyBytes(value) {
  // ipywidgets hands binary traits over as a DataView (or ArrayBuffer); decodeAudioData
  // detaches the buffer it is given, so always pass a copy.
  if (!value) return null;
  if (value instanceof ArrayBuffer) return value.slice(0);
  if (ArrayBuffer.isView(value)) {
    return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
  }
  return null;
}

async function decode(bytes, sr, channels) {
  let offline;
  try {
    offline = new OfflineAudioContext({ numberOfChannels: Math.max(1, channels), length: 1, sampleRate: sr });
  } catch {
    offline = new OfflineAudioContext({ numberOfChannels: Math.max(1, channels), length: 1, sampleRate: 44100 });
  }
  return await offline.decodeAudioData(bytes);
}

function formatTime(t) {
  if (!isFinite(t) || t < 0) t = 0;
  const m = Math.floor(t / 60);
  const s = t - 60 * m;
  return `${m}:${s.toFixed(1).padStart(4, "0")}`;
}

function formatDb(db) {
  const sign = db > 0 ? "+" : db < 0 ? "−" : "±";
  return `${sign}${Math.abs(db).toFixed(1)} dB`;
}

class Engine {
  constructor(model, onState) {
    this.model = model;
    this.onState = onState; // called when something the view shows changes
    this.buffers = { a: null, b: null };
    this.decodeCount = 0; // how many times both versions have been decoded (tests watch it)
    this.decodeGen = { a: 0, b: 0 };
    this.ctx = null;
    this.nodes = null; // { selA, selB, master }
    this.voice = null;
    this.pausedAt = 0; // position (s) when not playing
    this.xIsB = Math.random() < 0.5;
    this.id = Math.random().toString(36).slice(2);
    this.onOtherPlay = (ev) => {
      if (ev.detail !== this.id && this.voice) this.pause();
    };
    shared().bus.addEventListener("play", this.onOtherPlay);
    this.clockId = model.get("clock_id");
    const engines = shared().players.get(this.clockId) || new Set();
    engines.add(this);
    shared().players.set(this.clockId, engines);
    shared().bus.dispatchEvent(new CustomEvent("players", { detail: this.clockId }));
  }

  // ------------------------------------------------------------------ decoding
  decodeSlot(slot) {
    const gen = ++this.decodeGen[slot];
    const bytes = copyBytes(this.model.get(slot === "a" ? "audio_a" : "audio_b"));
    this.buffers[slot] = null;
    this.setDecoded(false);
    if (!bytes || bytes.byteLength === 0) return;
    decode(bytes, this.model.get("sr"), this.model.get("channels"))
      .then((buffer) => {
        if (gen !== this.decodeGen[slot]) return; // newer audio arrived meanwhile
        this.buffers[slot] = buffer;
        if (this.buffers.a && this.buffers.b) {
          this.decodeCount += 1;
          this.setDecoded(true);
          if (this.voice) this.restart(this.position()); // hot swap at the same position
        }
      })
      .catch((err) => {
        if (gen !== this.decodeGen[slot]) return;
        this.model.set("error", `The browser could not decode the audio (${err && err.message ? err.message : err}).`);
        this.model.save_changes();
        this.onState();
      });
  }

  setDecoded(value) {
    if (this.model.get("decoded") !== value) {
      this.model.set("decoded", value);
      this.model.save_changes();
    }
    this.onState();
  }

  get ready() {
    return Boolean(this.buffers.a && this.buffers.b);
  }

  // ------------------------------------------------------------------ gains
  selectionGains() {
    const match = this.model.get("match_loudness");
    const ga = match ? dbToGain(this.model.get("gain_a_db")) : 1;
    const gb = match ? dbToGain(this.model.get("gain_b_db")) : 1;
    switch (this.model.get("selected")) {
      case "b":
        return [0, gb];
      case "diff":
        return [-ga, gb];
      case "x":
        return this.xIsB ? [0, gb] : [ga, 0];
      default:
        return [ga, 0];
    }
  }

  applyGains(immediate = false) {
    if (!this.nodes) return;
    const t = this.ctx.currentTime;
    const [ga, gb] = this.selectionGains();
    const master = dbToGain(this.model.get("volume_db"));
    for (const [param, value] of [
      [this.nodes.selA.gain, ga],
      [this.nodes.selB.gain, gb],
      [this.nodes.master.gain, master],
    ]) {
      param.cancelScheduledValues(t);
      if (immediate) param.setValueAtTime(value, t);
      else param.setTargetAtTime(value, t, SWITCH_TIME_CONSTANT);
    }
  }

  ensureGraph() {
    if (this.nodes) return;
    this.ctx = audioContext();
    const master = this.ctx.createGain();
    master.connect(this.ctx.destination);
    const selA = this.ctx.createGain();
    const selB = this.ctx.createGain();
    selA.connect(master);
    selB.connect(master);
    this.nodes = { selA, selB, master };
    this.applyGains(true);
  }

  // ------------------------------------------------------------------ transport
  loopRegion() {
    const duration = this.buffers.a ? this.buffers.a.duration : this.model.get("duration");
    let start = Math.max(0, Math.min(this.model.get("loop_start"), duration));
    let end = Math.min(this.model.get("loop_end") || duration, duration);
    if (!(end > start)) [start, end] = [0, duration];
    return { loop: this.model.get("loop"), start, end, duration };
  }

  position() {
    return this.positionAt(this.ctx ? this.ctx.currentTime : 0);
  }

  // Where playback is (s into the clip) at context time `t` (a playhead passes the time heard now).
  positionAt(t) {
    const v = this.voice;
    if (!v) return this.pausedAt;
    let p = v.offset + Math.max(0, t - v.when);
    if (v.loop && v.offset < v.end && p >= v.end) p = v.start + ((p - v.end) % (v.end - v.start));
    return Math.min(p, v.duration);
  }

  // Start a new voice at `offset` (s), crossfading from the current one if there is one.
  startVoice(offset) {
    const ctx = this.ctx;
    const region = this.loopRegion();
    if (region.loop && (offset < region.start || offset >= region.end)) offset = region.start;
    if (!region.loop && offset >= region.duration - 1e-3) offset = 0;
    const when = ctx.currentTime + LOOKAHEAD;
    const old = this.voice;
    const voice = { when, offset, ...region, sources: [], fades: [] };
    for (const [slot, sel] of [
      ["a", this.nodes.selA],
      ["b", this.nodes.selB],
    ]) {
      const src = ctx.createBufferSource();
      src.buffer = this.buffers[slot];
      src.loop = region.loop;
      if (region.loop) {
        src.loopStart = region.start;
        src.loopEnd = region.end;
      }
      const fade = ctx.createGain();
      // Fade in (while an old voice fades out: same material at the same position).
      fade.gain.setValueAtTime(0, when);
      fade.gain.linearRampToValueAtTime(1, when + VOICE_FADE);
      src.connect(fade).connect(sel);
      src.start(when, offset);
      voice.sources.push(src);
      voice.fades.push(fade);
    }
    voice.sources[0].onended = () => {
      if (this.voice === voice) {
        // Reached the end without looping.
        this.voice = null;
        this.pausedAt = 0;
        this.setPlaying(false);
        this.syncPosition();
      }
    };
    if (old) this.releaseVoice(old, when);
    this.voice = voice;
  }

  releaseVoice(voice, at) {
    const stopAt = Math.max(at, this.ctx.currentTime) + VOICE_FADE;
    for (const fade of voice.fades) {
      fade.gain.cancelScheduledValues(this.ctx.currentTime);
      fade.gain.setValueAtTime(fade.gain.value, Math.max(at, this.ctx.currentTime));
      fade.gain.linearRampToValueAtTime(0, stopAt);
    }
    for (const src of voice.sources) {
      src.onended = null;
      try {
        src.stop(stopAt + 0.005);
      } catch {
        /* already stopped */
      }
    }
    setTimeout(() => voice.fades.forEach((f) => f.disconnect()), (stopAt - this.ctx.currentTime + 0.1) * 1000);
  }

  // Must run inside a user gesture (the Play click): creates/resumes the AudioContext.
  play() {
    if (!this.ready) return;
    this.ensureGraph();
    if (this.ctx.state !== "running") this.ctx.resume();
    shared().bus.dispatchEvent(new CustomEvent("play", { detail: this.id }));
    this.applyGains(true);
    this.startVoice(this.pausedAt);
    this.setPlaying(true);
  }

  pause() {
    if (!this.voice) return;
    this.pausedAt = this.position();
    this.releaseVoice(this.voice, this.ctx.currentTime);
    this.voice = null;
    this.setPlaying(false);
    this.syncPosition();
  }

  restart(offset) {
    if (this.voice && this.ready) this.startVoice(offset);
    else this.pausedAt = offset;
    this.onState();
  }

  seek(offset) {
    this.restart(Math.max(0, offset));
    this.syncPosition();
  }

  setPlaying(value) {
    if (this.model.get("playing") !== value) {
      this.model.set("playing", value);
      this.model.save_changes();
    }
    this.onState();
  }

  // Tell Python where playback is: on pause, seek, loop change and end only, never per frame
  // (the kernel hears transport events; playheads read the clock in the page).
  syncPosition() {
    this.model.set("position", Math.round(this.position() * 100) / 100);
    this.model.save_changes();
  }

  // ------------------------------------------------------------------ blind ABX
  answerAbx(saysB) {
    const correct = saysB === this.xIsB;
    this.model.set("abx_trials", this.model.get("abx_trials") + 1);
    this.model.set("abx_correct", this.model.get("abx_correct") + (correct ? 1 : 0));
    this.model.save_changes();
    this.newTrial();
    return correct;
  }

  newTrial() {
    this.xIsB = Math.random() < 0.5;
    if (this.model.get("selected") === "x") this.applyGains();
  }

  destroy() {
    shared().bus.removeEventListener("play", this.onOtherPlay);
    const engines = shared().players.get(this.clockId);
    if (engines) {
      engines.delete(this);
      if (!engines.size) shared().players.delete(this.clockId);
      shared().bus.dispatchEvent(new CustomEvent("players", { detail: this.clockId }));
    }
    if (this.voice) this.pause();
    if (this.nodes) {
      const { selA, selB, master } = this.nodes;
      setTimeout(() => [selA, selB, master].forEach((n) => n.disconnect()), 200);
    }
    this.decodeGen.a++;
    this.decodeGen.b++;
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

function render({ model, el }) {
  const root = h("div", { class: "pk-ab", role: "group", "aria-label": "A/B player" });
  const playBtn = h("button", { class: "pk-ab-play", type: "button", title: "Play / pause" });
  const btnA = h("button", { class: "pk-ab-sel", type: "button", "data-sel": "a" });
  const btnB = h("button", { class: "pk-ab-sel", type: "button", "data-sel": "b" });
  const btnD = h("button", {
    class: "pk-ab-sel",
    type: "button",
    "data-sel": "diff",
    title: "Play the difference: what the processing added or removed",
  });
  const btnX = h("button", { class: "pk-ab-sel", type: "button", "data-sel": "x", text: "X" });
  const abxToggle = h("button", {
    class: "pk-ab-abx-toggle",
    type: "button",
    title: "Blind test: X is randomly A or B; say which",
    text: "Blind ABX",
  });
  const seek = h("input", { class: "pk-ab-seek", type: "range", min: "0", step: "0.01", "aria-label": "Position" });
  const time = h("span", { class: "pk-ab-time" });
  const transport = h("div", { class: "pk-ab-row" }, playBtn, btnA, btnB, btnD, btnX, seek, time, abxToggle);

  const volume = h("input", {
    class: "pk-ab-volume",
    type: "range",
    min: "-60",
    max: "0",
    step: "1",
    "aria-label": "Master volume (dB)",
  });
  const volumeText = h("span", { class: "pk-ab-value" });
  const loopBox = h("input", { class: "pk-ab-loop", type: "checkbox", "aria-label": "Loop" });
  const loopStart = h("input", { class: "pk-ab-loop-start", type: "range", min: "0", step: "0.01", "aria-label": "Loop start (s)" });
  const loopEnd = h("input", { class: "pk-ab-loop-end", type: "range", min: "0", step: "0.01", "aria-label": "Loop end (s)" });
  const loopText = h("span", { class: "pk-ab-value" });
  const matchBox = h("input", { class: "pk-ab-match-box", type: "checkbox", "aria-label": "Match loudness" });
  const controls = h(
    "div",
    { class: "pk-ab-row" },
    h("label", { class: "pk-ab-ctl" }, "Volume ", volume, volumeText),
    h("label", { class: "pk-ab-ctl" }, loopBox, " Loop ", loopStart, loopEnd, loopText),
    h("label", { class: "pk-ab-ctl" }, matchBox, " Match loudness"),
  );
  const matchText = h("div", { class: "pk-ab-match", "aria-live": "polite" });

  const answerA = h("button", { class: "pk-ab-answer", type: "button", "data-answer": "a" });
  const answerB = h("button", { class: "pk-ab-answer", type: "button", "data-answer": "b" });
  const abxScore = h("span", { class: "pk-ab-abx-score", "aria-live": "polite" });
  const abxReset = h("button", { class: "pk-ab-abx-reset", type: "button", text: "New test" });
  const abxRow = h("div", { class: "pk-ab-row pk-ab-abx" }, answerA, answerB, abxScore, abxReset);

  const warning = h("div", { class: "pk-ab-warning", role: "status" });
  const error = h("div", { class: "pk-ab-error", role: "alert" });
  root.append(transport, controls, matchText, abxRow, warning, error);
  el.append(root);
  // JupyterLab handles arrow keys (and others) for the notebook: a key pressed on one of the
  // player's own controls belongs to that control, so keep it from reaching the notebook. The
  // control still gets the key first (this listener runs on the way up), so arrows move sliders.
  const OWN_KEYS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown", " ", "Enter"]);
  root.addEventListener("keydown", (event) => {
    const control = event.target instanceof HTMLInputElement || event.target instanceof HTMLButtonElement;
    if (control && OWN_KEYS.has(event.key)) event.stopPropagation();
  });

  let lastAnswer = "";
  let dragging = false;
  const engine = new Engine(model, () => refresh());

  const save = (name, value) => {
    model.set(name, value);
    model.save_changes();
  };

  function refresh() {
    const sel = model.get("selected");
    const playing = Boolean(engine.voice);
    const abx = model.get("abx");
    const labelA = model.get("label_a");
    const labelB = model.get("label_b");
    const duration = model.get("duration");
    root.dataset.decoded = String(model.get("decoded"));
    root.dataset.decodeCount = String(engine.decodeCount);
    root.dataset.playing = String(playing);
    root.dataset.selected = sel;
    root.dataset.volumeDb = String(model.get("volume_db"));
    root.dataset.abx = String(abx);

    playBtn.textContent = playing ? "❚❚ Pause" : "▶ Play";
    playBtn.disabled = !engine.ready;
    playBtn.setAttribute("aria-pressed", String(playing));
    // A label that only repeats the letter ("A") is not shown twice ("A · A").
    btnA.textContent = abx || labelA.trim().toUpperCase() === "A" ? "A" : `A · ${labelA}`;
    btnB.textContent = abx || labelB.trim().toUpperCase() === "B" ? "B" : `B · ${labelB}`;
    btnD.textContent = "B − A";
    btnD.hidden = abx;
    btnX.hidden = !abx;
    abxRow.hidden = !abx;
    abxToggle.setAttribute("aria-pressed", String(abx));
    for (const b of [btnA, btnB, btnD, btnX]) {
      const on = b.dataset.sel === sel;
      b.classList.toggle("pk-ab-on", on);
      b.setAttribute("aria-pressed", String(on));
    }

    seek.max = String(duration);
    if (!dragging) seek.value = String(engine.position());
    time.textContent = `${formatTime(engine.position())} / ${formatTime(duration)}`;

    volume.value = String(model.get("volume_db"));
    volumeText.textContent = `${Math.round(model.get("volume_db"))} dB`;
    loopBox.checked = model.get("loop");
    for (const r of [loopStart, loopEnd]) r.max = String(duration);
    loopStart.value = String(model.get("loop_start"));
    loopEnd.value = String(model.get("loop_end"));
    loopText.textContent = `${Number(model.get("loop_start") || 0).toFixed(2)}–${Number(model.get("loop_end") || 0).toFixed(2)} s`;
    matchBox.checked = model.get("match_loudness");
    matchText.textContent = matchDescription();

    answerA.textContent = "X is A";
    answerB.textContent = "X is B";
    const trials = model.get("abx_trials");
    const correct = model.get("abx_correct");
    abxScore.textContent = `${lastAnswer}Score: ${correct} / ${trials} correct`;

    warning.textContent = model.get("warning");
    warning.hidden = !model.get("warning");
    error.textContent = model.get("error");
    error.hidden = !model.get("error");
  }

  function matchDescription() {
    const la = model.get("loudness_a");
    const lb = model.get("loudness_b");
    const note = model.get("match_note");
    if (note) return note;
    const names = model.get("abx") ? ["A", "B"] : [model.get("label_a"), model.get("label_b")];
    const lufs = (v) => (typeof v === "number" && isFinite(v) ? `${v.toFixed(1).replace("-", "−")} LUFS` : "silent");
    if (typeof la !== "number" || typeof lb !== "number") {
      return `Loudness match unavailable: ${names[0]} ${lufs(la)}, ${names[1]} ${lufs(lb)}.`;
    }
    const levels = `${names[0]} ${lufs(la)}, ${names[1]} ${lufs(lb)}`;
    const ga = model.get("gain_a_db");
    const gb = model.get("gain_b_db");
    if (model.get("abx")) {
      return model.get("match_loudness")
        ? "Loudness matched (levels hidden during the blind test)."
        : "Loudness match off: the louder one may give itself away.";
    }
    if (!model.get("match_loudness")) {
      const d = lb - la;
      const louder = Math.abs(d) < 0.05 ? "equally loud" : `${d > 0 ? names[1] : names[0]} is ${Math.abs(d).toFixed(1)} dB louder`;
      return `Loudness match off: ${louder} (${levels}).`;
    }
    if (ga === 0 && gb === 0) return `Loudness matched: already equal (${levels}).`;
    const [who, g] = gb < 0 ? [names[1], gb] : [names[0], ga];
    return `Loudness matched: ${who} ${formatDb(g)} (${levels}).`;
  }

  // ---- events
  playBtn.addEventListener("click", () => {
    if (engine.voice) engine.pause();
    else engine.play();
  });
  for (const b of [btnA, btnB, btnD, btnX]) {
    b.addEventListener("click", () => save("selected", b.dataset.sel));
  }
  abxToggle.addEventListener("click", () => {
    const on = !model.get("abx");
    model.set("abx", on);
    if (on) engine.newTrial();
    else if (model.get("selected") === "x") model.set("selected", "a");
    model.save_changes();
  });
  for (const [btn, saysB] of [
    [answerA, false],
    [answerB, true],
  ]) {
    btn.addEventListener("click", () => {
      const ok = engine.answerAbx(saysB);
      lastAnswer = ok ? "Right! " : "Not this time. ";
      refresh();
    });
  }
  abxReset.addEventListener("click", () => {
    lastAnswer = "";
    model.set("abx_trials", 0);
    model.set("abx_correct", 0);
    model.save_changes();
    engine.newTrial();
  });
  volume.addEventListener("input", () => save("volume_db", Number(volume.value)));
  loopBox.addEventListener("change", () => save("loop", loopBox.checked));
  const minLoop = 0.05;
  loopStart.addEventListener("input", () => {
    const end = model.get("loop_end");
    save("loop_start", Math.min(Number(loopStart.value), Math.max(0, end - minLoop)));
  });
  loopEnd.addEventListener("input", () => {
    const start = model.get("loop_start");
    save("loop_end", Math.max(Number(loopEnd.value), Math.min(model.get("duration"), start + minLoop)));
  });
  matchBox.addEventListener("change", () => save("match_loudness", matchBox.checked));
  seek.addEventListener("input", () => {
    dragging = true;
    time.textContent = `${formatTime(Number(seek.value))} / ${formatTime(model.get("duration"))}`;
  });
  seek.addEventListener("change", () => {
    dragging = false;
    engine.seek(Number(seek.value));
  });

  // ---- model changes (from Python or from this view)
  const onGains = () => {
    engine.applyGains();
    refresh();
  };
  let loopTimer = null;
  const onLoop = () => {
    // Restart at most every 80 ms while a loop slider is dragged.
    refresh();
    if (loopTimer) return;
    loopTimer = setTimeout(() => {
      loopTimer = null;
      if (engine.voice) {
        engine.restart(engine.position());
        engine.syncPosition();
      }
    }, 80);
  };
  const handlers = {
    "change:selected": onGains,
    "change:volume_db": onGains,
    "change:match_loudness": onGains,
    "change:gain_a_db": onGains,
    "change:gain_b_db": onGains,
    "change:audio_a": () => engine.decodeSlot("a"),
    "change:audio_b": () => engine.decodeSlot("b"),
    "change:sr": () => {
      engine.decodeSlot("a");
      engine.decodeSlot("b");
    },
    "change:loop": onLoop,
    "change:loop_start": onLoop,
    "change:loop_end": onLoop,
    "change:abx_trials": () => {
      if (model.get("abx_trials") === 0) {
        lastAnswer = "";
        engine.newTrial();
      }
      refresh();
    },
  };
  for (const [event, fn] of Object.entries(handlers)) model.on(event, fn);
  const refreshOnly = [
    "label_a",
    "label_b",
    "loudness_a",
    "loudness_b",
    "match_note",
    "abx",
    "abx_correct",
    "error",
    "warning",
    "duration",
    "decoded",
    "playing",
  ];
  for (const name of refreshOnly) model.on(`change:${name}`, refresh);
  const onMessage = (msg) => {
    if (msg && msg.type === "stop") engine.pause();
  };
  model.on("msg:custom", onMessage);

  // Position display, every frame while playing (page only: Python hears pause, seek and end).
  let raf = 0;
  const tick = () => {
    if (engine.voice) {
      if (!dragging) seek.value = String(engine.position());
      time.textContent = `${formatTime(engine.position())} / ${formatTime(model.get("duration"))}`;
    }
    raf = requestAnimationFrame(tick);
  };
  raf = requestAnimationFrame(tick);

  // A fresh view never plays: whatever an earlier page said, the state is stopped.
  if (model.get("playing")) save("playing", false);
  engine.decodeSlot("a");
  engine.decodeSlot("b");
  refresh();

  return () => {
    cancelAnimationFrame(raf);
    clearTimeout(loopTimer);
    for (const [event, fn] of Object.entries(handlers)) model.off(event, fn);
    for (const name of refreshOnly) model.off(`change:${name}`, refresh);
    model.off("msg:custom", onMessage);
    engine.destroy();
  };
}

// ------------------------------------------------------------------ messages from the kernel
// A module that loaded late still hears the kernel: see _late_load.js, put in front of this file.
function initialize({ model }) {
  deliverKernelMessages(model, "the A/B player");
}

export default { initialize, render };
