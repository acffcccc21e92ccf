// The Day 3 playground: type a prompt and watch the showcase LSTM write, one character at a time.
// This file only wires the page; the model is lstm.js. Nothing is fetched until the reader opens
// the playground: then lstm.js is imported and the weights are fetched from this site.
// Works with Material's instant navigation: every new page is scanned through document$.
import { readSettings, showChar as show, nameChar, BusyRate } from "./fields.js";

const CIVIDIS = ["00224e", "1a386f", "434e6c", "61656f", "7d7c78", "9b9476", "bcae6c", "dec958", "fee838"];
const PUOR_R = ["2d004b", "5f3a91", "9990bf", "cfcfe5", "f7f7f6", "fed59f", "ee9b39", "bd6109", "7f3b08"];
const C_RANGE = 2;          // the cell-state row shows c_t clipped to [-2, 2]
// Slider positions: 0 = greedy (the τ -> 0 limit), then τ from 0.05 to 3 in steps of about 10-20%
// (a log scale rounded to values that include the page's sample temperatures 0.2, 0.8, 1 and 2).
const TEMPERATURES = [0, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.23, 0.26, 0.3, 0.35,
  0.4, 0.45, 0.5, 0.56, 0.63, 0.7, 0.8, 0.9, 1, 1.1, 1.25, 1.4, 1.6, 1.8, 2, 2.25, 2.5, 2.75, 3];
const DEFAULT_T = 0.8;
const FRAME_MS = 14;        // generation time per animation frame, leaving the page responsive
const ANNOUNCE_MS = 4000;   // screen readers hear the new text at most this often

const rgb = (hex) => [0, 2, 4].map((k) => parseInt(hex.slice(k, k + 2), 16));
const STOPS = { cividis: CIVIDIS.map(rgb), puor: PUOR_R.map(rgb) };

// value in [0, 1] -> [r, g, b] by linear interpolation between the map's stops (matplotlib's samples).
function colour(map, v) {
  const s = STOPS[map], x = Math.min(Math.max(v, 0), 1) * (s.length - 1);
  const k = Math.min(Math.floor(x), s.length - 2), w = x - k;
  return s[k].map((a, j) => Math.round(a + w * (s[k + 1][j] - a)));
}

const gradient = (map) => `linear-gradient(to right, ${STOPS[map].map((c) => `rgb(${c})`).join(", ")})`;

const temperatureAt = (pos) => TEMPERATURES[Math.min(Math.max(pos | 0, 0), TEMPERATURES.length - 1)];
const temperatureLabel = (t) => (t === 0 ? "greedy (τ → 0)" : `τ = ${t}`);

// Loaded models by manifest URL: coming back to the page (instant navigation) reuses the weights.
const loaded = new Map();
const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;

function setup(root) {
  root.dataset.pgReady = "1";
  const $ = (name) => root.querySelector(`[data-pg="${name}"]`);
  const ui = Object.fromEntries(["details", "status", "prompt", "promptError", "temp", "tempOut", "topk", "seed",
    "length", "settingsError", "go", "stop", "out", "outPrompt", "outGen", "live", "top", "topCaption", "layer", "gates",
    "gatesFor", "rate"]
    .map((n) => [n, $(n)]));
  root.querySelectorAll("[data-pg-scale]").forEach((el) => {
    el.style.backgroundImage = gradient(el.dataset.pgScale);
  });
  let model = null, run = null, lib = null;
  let last = null;  // the latest step drawn: { id, prev (state before it), ch }, to redraw another layer

  // The number fields as typed -> { values, errors }; nothing is clamped or rounded behind the reader's back.
  const readFields = () => readSettings({ topk: ui.topk.value, seed: ui.seed.value, length: ui.length.value },
    model ? model.vocab.length : 0);
  const settings = () => {
    const { values } = readFields();
    return { temperature: temperatureAt(+ui.temp.value), topK: values.topk, seed: values.seed, length: values.length };
  };

  const showTemperature = () => {
    const label = temperatureLabel(temperatureAt(+ui.temp.value));
    ui.tempOut.value = label;
    ui.temp.setAttribute("aria-valuetext", label);
  };
  ui.temp.max = TEMPERATURES.length - 1;
  ui.temp.value = TEMPERATURES.indexOf(DEFAULT_T);
  ui.temp.addEventListener("input", showTemperature);
  showTemperature();

  // Prompt and number fields: each problem is said next to its field, and Generate waits until it is fixed.
  function checkPrompt() {
    if (!model) return false;
    const text = ui.prompt.value, bad = model.unknownChars(text);
    let msg = "";
    if (!text.length) msg = "Type at least one character: the model needs something to continue.";
    else if (bad.length) {
      const list = bad.slice(0, 5).map(nameChar).join(", ");
      msg = `${bad.length === 1 ? "This character is" : "These characters are"} not in the model's ` +
        `${model.vocab.length}-character vocabulary: ${list}${bad.length > 5 ? ", …" : ""}. Remove or replace ` +
        `${bad.length === 1 ? "it" : "them"} to generate.`;
    }
    ui.promptError.textContent = msg;
    ui.promptError.hidden = !msg;
    ui.prompt.setAttribute("aria-invalid", msg ? "true" : "false");
    const { errors } = readFields();
    for (const name of ["topk", "seed", "length"]) ui[name].setAttribute("aria-invalid", String(name in errors));
    const fieldMsg = Object.values(errors).join(" ");
    ui.settingsError.textContent = fieldMsg;
    ui.settingsError.hidden = !fieldMsg;
    ui.go.disabled = !!msg || !!fieldMsg || !!run;
    return !msg && !fieldMsg;
  }
  ui.prompt.addEventListener("input", checkPrompt);
  for (const name of ["topk", "seed", "length"]) ui[name].addEventListener("input", checkPrompt);
  ui.prompt.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); start(); }
  });
  root.addEventListener("keydown", (e) => { if (e.key === "Escape" && run) stop(); });

  // The top-5 table and the gate strip for the latest character.
  // Greedy has one certain pick, so then the model's own probabilities (τ = 1) are shown instead.
  function drawTop(logits, s) {
    const greedy = s.temperature === 0, p = lib.distribution(logits, greedy ? 1 : s.temperature, s.topK);
    // Only characters the settings can draw: with top-k under 5 the list is shorter, never padded with 0 %.
    const ids = Array.from(p.keys()).filter((id) => p[id] > 0).sort((a, b) => p[b] - p[a]).slice(0, 5);
    const n = ids.length === 1 ? "the one possible character" : `the ${ids.length} most likely`;
    ui.topCaption.textContent = greedy ? `Next character: ${n} (τ = 1); greedy takes the first`
      : `Next character: ${n}, at these settings`;
    ui.top.replaceChildren(...ids.map((id) => {
      const li = document.createElement("li");
      const ch = document.createElement("code"), bar = document.createElement("span"), pct = document.createElement("span");
      ch.textContent = show(model.vocab[id]);
      bar.className = "pg-bar"; bar.style.width = `${(100 * p[id]).toFixed(1)}%`;
      // a drawable character never reads "0.0%": below 0.05 % it reads "<0.1%"
      pct.className = "pg-pct"; pct.textContent = p[id] < 0.0005 ? "<0.1%" : `${(100 * p[id]).toFixed(1)}%`;
      li.append(ch, pct, bar);
      return li;
    }));
  }
  const newGates = () => {
    const H = model.H;
    return { i: new Float64Array(H), f: new Float64Array(H), o: new Float64Array(H), c: new Float64Array(H) };
  };
  // The strip and its label always describe the same layer: the one passed here, which computed g.
  function drawGates(g, ch, layer) {
    const H = g.i.length, ctx = ui.gates.getContext("2d");
    if (ui.gates.width !== H) { ui.gates.width = H; ui.gates.height = 4; }
    const img = ctx.createImageData(H, 4);
    const rows = [["cividis", g.f, (v) => v], ["cividis", g.i, (v) => v], ["cividis", g.o, (v) => v],
      ["puor", g.c, (v) => (v / C_RANGE + 1) / 2]];
    rows.forEach(([map, values, norm], r) => {
      for (let u = 0; u < H; u++) {
        const [R, G, B] = colour(map, norm(values[u])), k = 4 * (r * H + u);
        img.data[k] = R; img.data[k + 1] = G; img.data[k + 2] = B; img.data[k + 3] = 255;
      }
    });
    ctx.putImageData(img, 0, 0);
    ui.gatesFor.textContent = `after “${show(ch)}”, layer ${layer + 1}`;
    ui.gates.dataset.layer = String(layer);
    ui.gates.setAttribute("aria-label", `Gates of layer ${layer + 1}, ${H} units, after “${show(ch)}”: mean forget ${mean(g.f).toFixed(2)}, ` +
      `input ${mean(g.i).toFixed(2)}, output ${mean(g.o).toFixed(2)}; cell state from ${Math.min(...g.c).toFixed(2)} ` +
      `to ${Math.max(...g.c).toFixed(2)}`);
  }

  // Choosing another layer redraws the strip for the latest character at once (during a run the next
  // frame draws it; after one, that step is recomputed from the state before it).
  ui.layer.addEventListener("change", () => {
    const layer = +ui.layer.value;
    if (run) { run.layer = layer; return; }
    if (!last) return;
    const g = newGates();
    model.step(last.id, last.prev, g, layer);
    drawGates(g, last.ch, layer);
  });

  // Focus never falls to <body>: Generate hands it to Stop while a run lasts, and Stop hands it back.
  function stop() {
    if (!run) return;
    run.stopped = true;
    run = null;
    const hadFocus = document.activeElement === ui.stop || document.activeElement === document.body;
    checkPrompt();
    if (hadFocus) (ui.go.disabled ? ui.prompt : ui.go).focus();
    ui.stop.disabled = true;
  }

  // Feed the prompt, then sample: both a few milliseconds per animation frame, so the page stays responsive.
  function start() {
    if (run || !model || !checkPrompt()) return;
    const s = settings(), gates = newGates();
    const me = run = { stopped: false, layer: +ui.layer.value };
    ui.stop.disabled = false;
    if (document.activeElement === ui.go) ui.stop.focus();
    ui.go.disabled = true;
    const prompt = ui.prompt.value, pending = model.encode(prompt).reverse(); // prompt ids still to feed
    const promptLength = pending.length;
    ui.outPrompt.textContent = prompt; ui.outGen.textContent = "";
    ui.rate.textContent = "";
    ui.live.textContent = promptLength > 500 ? `Reading the ${promptLength}-character prompt, then generating.` : "Generating.";
    const { distribution, pick, mulberry32 } = lib, rand = mulberry32(s.seed);
    const speed = new BusyRate();
    let state = model.initState(), logits = null, ch = "";
    let made = 0, spoken = 0, lastSpoken = performance.now(), text = "";
    const frame = () => {
      if (me.stopped || !root.isConnected) { finish(); return; }
      const layer = me.layer, t = performance.now();
      let sampled = 0;
      while (made < s.length && performance.now() - t < FRAME_MS) {
        let id;
        if (pending.length) id = pending.pop();                          // still reading the prompt
        else {
          id = pick(distribution(logits, s.temperature, s.topK), rand()); // draw the next character
          text += model.vocab[id]; made++; sampled++;
        }
        ch = model.vocab[id];
        last = { id, prev: state, ch };
        ({ logits, state } = model.step(id, state, gates, layer));
      }
      if (sampled) speed.add(performance.now() - t, sampled);             // time spent computing, not waiting
      ui.outGen.textContent = text;
      ui.out.scrollTop = ui.out.scrollHeight;
      drawTop(logits, s);
      drawGates(gates, ch, layer);
      if (pending.length) {
        const read = promptLength - pending.length;
        ui.rate.textContent = `Reading the prompt: ${read.toLocaleString("en")} of ${promptLength.toLocaleString("en")} characters`;
      } else if (speed.perSecond !== null) {
        ui.rate.textContent = `${made} characters, ${Math.round(speed.perSecond)} per second of computing`;
      }
      if (performance.now() - lastSpoken > ANNOUNCE_MS) { ui.live.textContent = text.slice(spoken); spoken = text.length; lastSpoken = performance.now(); }
      if (made >= s.length) finish(); else requestAnimationFrame(frame);
    };
    const finish = () => {
      if (run === me) stop();
      ui.live.textContent = `${text.slice(spoken)} (stopped after ${made} characters)`;
    };
    requestAnimationFrame(frame);
  }
  root.querySelector("form").addEventListener("submit", (e) => e.preventDefault());
  ui.go.addEventListener("click", start);
  ui.stop.addEventListener("click", stop);

  // Opening the playground loads the module and the weights, once.
  let loading = null;
  async function load() {
    if (loading) return loading;
    ui.status.textContent = "Loading the model…";
    loading = (async () => {
      lib = await import("./lstm.js");
      const url = new URL(root.dataset.manifest, document.baseURI).href;
      if (!loaded.has(url)) loaded.set(url, lib.loadModel(url).catch((e) => { loaded.delete(url); throw e; }));
      model = await loaded.get(url);
      ui.topk.max = model.vocab.length;
      ui.layer.replaceChildren(...Array.from({ length: model.L }, (_, l) => new Option(`layer ${l + 1}`, l)));
      ui.layer.value = String(model.L - 1);
      const m = model.manifest, v = m.measured[m.encoding];
      const wire = v && v.gzip_bytes ? `${Math.round(v.gzip_bytes / 1000)} kB compressed on the wire, ` : "";
      ui.status.textContent = `Model loaded: ${model.L}×${model.H} LSTM, ${model.vocab.length} characters, ` +
        `${m.encoding} weights (${wire}${Math.round(m.weights_bytes / 1000)} kB unpacked).` + (v && v.val_nats !== undefined
        ? ` Validation loss measured at build: ${v.decoded_val_nats.toFixed(3)} nats/char with these weights, ` +
          `${v.val_nats.toFixed(3)} in PyTorch.` : "");
      root.querySelectorAll("fieldset, button[data-pg='go']").forEach((el) => { el.disabled = false; });
      checkPrompt();
      root.playground = { model, start, stop }; // for the browser test
    })().catch((e) => { ui.status.textContent = `The model could not be loaded: ${e.message}`; loading = null; });
    return loading;
  }
  ui.details.addEventListener("toggle", () => { if (ui.details.open) load(); });
  if (ui.details.open) load();
}

function scan() {
  document.querySelectorAll("[data-playground]:not([data-pg-ready])").forEach(setup);
}
if (typeof document$ !== "undefined") document$.subscribe(scan); // Material: every page, instant or not
else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
else scan();
