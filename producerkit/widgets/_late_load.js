// Shared by every producerkit widget: producerkit/widgets/_common.py puts this file in front of each
// widget's own module (abplayer.js, playhead.js, step_sequencer.js), which calls
// deliverKernelMessages(model, "the A/B player") from its initialize().
//
// anywidget (0.11) holds each message from the kernel until this module has loaded, and gives up
// after 2 s: on a busy page (a slow machine, "Run All" drawing many outputs) the module can load
// later than that, and from then on every message the kernel sends this model is dropped. The
// widget would show only what the opening message carried, never new audio, labels or a stop.
// When that has happened, deliver the kernel's messages to the model directly, as ipywidgets does
// for its own widgets, and ask the kernel for the whole state again (what was dropped meanwhile).

// The Backbone model behind anywidget's model proxy: a change event passes it as first argument.
function backboneModel(model) {
  const probe = "_pk_find_model";
  let found = null;
  const grab = (m) => {
    found = m;
  };
  model.on(`change:${probe}`, grab);
  model.set(probe, Math.random());
  model.off(`change:${probe}`, grab);
  if (found && typeof found.unset === "function") {
    found.unset(probe, { silent: true });
    if (found._buffered_state_diff) delete found._buffered_state_diff[probe];
  }
  return found;
}

function deliverKernelMessages(model, widgetName) {
  const backbone = backboneModel(model);
  if (!backbone || !backbone.comm || typeof backbone.comm.on_msg !== "function") return;
  // anywidget's handler (the one that waits for the module) and the ipywidgets one under it.
  let gated = Object.getPrototypeOf(backbone);
  while (gated && !Object.prototype.hasOwnProperty.call(gated, "_handle_comm_msg")) gated = Object.getPrototypeOf(gated);
  const direct = gated && Object.getPrototypeOf(gated) && Object.getPrototypeOf(gated)._handle_comm_msg;
  if (typeof direct !== "function" || direct === gated._handle_comm_msg) return;
  // A harmless message through anywidget's handler: it fails only if that handler gave up.
  const probe = { content: { data: { method: "custom", content: { type: "pk-probe" } } }, buffers: [] };
  Promise.resolve()
    .then(() => backbone._handle_comm_msg(probe))
    .catch(() => {
      console.warn(`[producerkit] ${widgetName}'s code loaded late; taking the kernel's messages directly`);
      backbone.comm.on_msg((msg) => direct.call(backbone, msg));
      model.send({ type: "resync" });
    });
}
