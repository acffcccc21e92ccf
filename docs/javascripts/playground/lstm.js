// The Day 3 character LSTM in plain JavaScript: embedding -> stacked LSTM cells -> linear head.
// One small ES module, no dependencies. It follows lesson_code/day03/cells.py line by line:
// gates in torch's order i, f, g, o, from one matrix on x_t and one on h_{t-1}.
// Weights come from lesson_code/day03/browser_export.py (manifest + one little-endian .bin).

// ------------------------------------------------------------------ loading the weights

// IEEE half -> number (browsers without Float16Array).
function halfToFloat(u) {
  const s = u & 0x8000 ? -1 : 1, e = (u >> 10) & 0x1f, m = u & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;                       // subnormal
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

// One tensor of the manifest -> Float32Array (rows * cols), decoded as browser_export.decode does.
const BYTES = { float32: 4, float16: 2, int8: 1 };
function readTensor(buf, t) {
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (!(t.dtype in BYTES)) throw new Error(`unknown tensor dtype ${t.dtype} for ${t.name}`);
  const end = t.offset + n * BYTES[t.dtype], scalesEnd = t.dtype === "int8" ? t.scales + 4 * t.shape[0] : 0;
  if (Math.max(end, scalesEnd) > buf.byteLength) {
    throw new Error(`the weights file ends at byte ${buf.byteLength}, but tensor ${t.name} needs ${Math.max(end, scalesEnd)}`);
  }
  const out = new Float32Array(n);
  if (t.dtype === "float32") {
    out.set(new Float32Array(buf, t.offset, n));
  } else if (t.dtype === "float16") {
    const u = new Uint16Array(buf, t.offset, n);
    for (let k = 0; k < n; k++) out[k] = halfToFloat(u[k]);
  } else {
    const q = new Int8Array(buf, t.offset, n);
    const s = new Float32Array(buf, t.scales, t.shape[0]);    // one scale per output row
    const cols = t.shape[1];
    for (let k = 0; k < n; k++) out[k] = q[k] * s[(k / cols) | 0]; // w[r, c] = s_r * q[r, c]
  }
  return out;
}

// The export format this file reads (lesson_code/day03/browser_export.py FORMAT and VERSION).
export const FORMAT = "lesson_code.day03.browser", FORMAT_VERSION = 1;

const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");

// The weights URL, relative to the manifest. It must name this version of the weights, or a cached
// older file could pair with a newer manifest: a name that carries the start of the file's SHA-256
// is used as it is; an older, unversioned name gets the hash as a query string.
export function weightsUrl(manifest, manifestUrl) {
  const url = new URL(manifest.weights, new URL(manifestUrl, document.baseURI));
  const sha = manifest.weights_sha256;
  if (sha && !url.pathname.includes(sha.slice(0, 12))) url.searchParams.set("v", sha.slice(0, 16));
  return url;
}

// Refuse a file that is not what the manifest describes: format, size, then SHA-256 (where the page
// has Web Crypto: https or localhost). Each failure names what differs.
export async function checkWeights(manifest, buffer) {
  if (manifest.format !== FORMAT || manifest.version !== FORMAT_VERSION) {
    throw new Error(`weights format ${manifest.format} v${manifest.version}; this page reads ${FORMAT} v${FORMAT_VERSION}`);
  }
  if (buffer.byteLength !== manifest.weights_bytes) {
    throw new Error(`the weights file has ${buffer.byteLength} bytes, the manifest says ${manifest.weights_bytes} ` +
      "(an interrupted or stale download: reload the page)");
  }
  if (manifest.weights_sha256 && globalThis.crypto && crypto.subtle) {
    const got = hex(await crypto.subtle.digest("SHA-256", buffer));
    if (got !== manifest.weights_sha256) {
      throw new Error(`the weights file's SHA-256 is ${got.slice(0, 12)}…, the manifest's ${manifest.weights_sha256.slice(0, 12)}… ` +
        "(a stale or damaged download: reload the page)");
    }
  }
}

// Fetch manifest and weights (URLs relative to the manifest), check them -> a ready CharLSTM.
export async function loadModel(manifestUrl) {
  const manifestResponse = await fetch(manifestUrl, { cache: "no-cache" }); // revalidate: small, names the weights
  if (!manifestResponse.ok) throw new Error(`cannot load ${manifestUrl}: HTTP ${manifestResponse.status}`);
  const manifest = await manifestResponse.json();
  const url = weightsUrl(manifest, manifestUrl);
  const weightsResponse = await fetch(url);
  if (!weightsResponse.ok) throw new Error(`cannot load ${url}: HTTP ${weightsResponse.status}`);
  const buffer = await weightsResponse.arrayBuffer();
  await checkWeights(manifest, buffer);
  return new CharLSTM(manifest, buffer);
}

// ------------------------------------------------------------------ the model

const sigmoid = (z) => 1 / (1 + Math.exp(-z));

// y = W x + b for W (rows, cols) row-major; b may be null. Accumulates in double precision, in four
// running sums (independent additions run in parallel on the CPU: about 1.6x faster than one sum).
function affine(W, x, b, rows, cols, y) {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, c = 0;
    for (; c + 3 < cols; c += 4) {
      s0 += W[base + c] * x[c]; s1 += W[base + c + 1] * x[c + 1];
      s2 += W[base + c + 2] * x[c + 2]; s3 += W[base + c + 3] * x[c + 3];
    }
    for (; c < cols; c++) s0 += W[base + c] * x[c];
    y[r] = (b ? b[r] : 0) + (s0 + s1) + (s2 + s3);            // (W x)_r + b_r
  }
  return y;
}

export class CharLSTM {
  constructor(manifest, buffer) {
    const cfg = manifest.config;
    if (cfg.cell !== "lstm" || cfg.gate_order !== "ifgo") throw new Error("the playground runs an i,f,g,o LSTM only");
    const T = Object.fromEntries(manifest.tensors.map((t) => [t.name, readTensor(buffer, t)]));
    this.V = cfg.vocab_size; this.E = cfg.embed_size; this.H = cfg.hidden_size; this.L = cfg.num_layers;
    this.manifest = manifest;                                     // encoding, sizes, measured losses
    this.vocab = manifest.vocab;                                  // id -> character
    this.stoi = new Map(this.vocab.map((ch, i) => [ch, i]));      // character -> id
    this.embed = T["embed"];                                      // (V, E)
    this.layers = [];
    for (let l = 0; l < this.L; l++) {
      // W_x = [W_xi; W_xf; W_xg; W_xo]: (4H, n), W_h: (4H, H), b: (4H,)
      this.layers.push({ Wx: T[`${l}.W_x`], Wh: T[`${l}.W_h`], b: T[`${l}.b`], n: l === 0 ? this.E : this.H });
    }
    this.headW = T["head.W"]; this.headB = T["head.b"];          // (V, H), (V,)
    this.z = new Float64Array(4 * this.H);                        // scratch: pre-activations
    this.zh = new Float64Array(4 * this.H);
  }

  // Characters of text missing from the vocabulary, in order of first appearance.
  unknownChars(text) {
    return [...new Set([...text].filter((ch) => !this.stoi.has(ch)))];
  }

  encode(text) {
    const bad = this.unknownChars(text);
    if (bad.length) throw new Error(`characters outside the vocabulary: ${bad.map((c) => JSON.stringify(c)).join(", ")}`);
    return [...text].map((ch) => this.stoi.get(ch));
  }

  // (h_0, c_0) = (0, 0) for every layer.
  initState() {
    return Array.from({ length: this.L }, () => ({ h: new Float64Array(this.H), c: new Float64Array(this.H) }));
  }

  // One character id -> logits (V,) and the new state; `gates` (optional) receives layer k's
  // i, f, o and c as arrays of H numbers.
  step(id, state, gates = null, k = 0) {
    const H = this.H;
    let x = this.embed.subarray(id * this.E, (id + 1) * this.E);  // x_t = embed[id]: (E,)
    const next = [];
    for (let l = 0; l < this.L; l++) {
      const { Wx, Wh, b, n } = this.layers[l];
      const { h, c } = state[l];                                  // h_{t-1}, c_{t-1}: (H,)
      const z = affine(Wx, x, b, 4 * H, n, this.z);               // W_x x_t + b
      const zh = affine(Wh, h, null, 4 * H, H, this.zh);          // W_h h_{t-1}
      const hNew = new Float64Array(H), cNew = new Float64Array(H);
      for (let u = 0; u < H; u++) {
        const i = sigmoid(z[u] + zh[u]);                          // input gate
        const f = sigmoid(z[H + u] + zh[H + u]);                  // forget gate
        const g = Math.tanh(z[2 * H + u] + zh[2 * H + u]);        // candidate c̃_t
        const o = sigmoid(z[3 * H + u] + zh[3 * H + u]);          // output gate
        cNew[u] = f * c[u] + i * g;                               // c_t = f ⊙ c_{t-1} + i ⊙ c̃_t
        hNew[u] = o * Math.tanh(cNew[u]);                         // h_t = o ⊙ tanh(c_t)
        if (gates && l === k) { gates.i[u] = i; gates.f[u] = f; gates.o[u] = o; gates.c[u] = cNew[u]; }
      }
      next.push({ h: hNew, c: cNew });
      x = hNew;                                                   // input of the next layer
    }
    const logits = affine(this.headW, x, this.headB, this.V, H, new Float64Array(this.V)); // head: (V,)
    return { logits, state: next };
  }

  // Feed a whole text from `state` (default zeros) -> logits after its last character and the state.
  feed(ids, state = this.initState()) {
    let logits = null;
    for (const id of ids) ({ logits, state } = this.step(id, state));
    return { logits, state };
  }
}

// ------------------------------------------------------------------ sampling (as sample.py)

// Probabilities after top-k filtering and temperature: p_i ∝ exp(z_i / τ) over the k largest z.
// τ -> 0 is greedy: temperature 0 (or top-k 1) puts all the mass on the argmax.
export function distribution(logits, temperature = 1, topK = 0) {
  const V = logits.length;
  let keep = Array.from(logits, () => true);
  if (topK > 0 && topK < V) {
    const kth = Array.from(logits).sort((a, b) => b - a)[topK - 1];
    keep = Array.from(logits, (z) => z >= kth);                  // ties with the k-th are kept
  }
  let best = 0;
  for (let v = 1; v < V; v++) if (logits[v] > logits[best]) best = v;
  const p = new Float64Array(V);
  if (!(temperature > 0)) { p[best] = 1; return p; }              // the τ -> 0 limit
  let sum = 0;
  for (let v = 0; v < V; v++) {
    p[v] = keep[v] ? Math.exp((logits[v] - logits[best]) / temperature) : 0; // shift by max: no overflow
    sum += p[v];
  }
  for (let v = 0; v < V; v++) p[v] /= sum;
  return p;
}

// mulberry32: a tiny seeded PRNG -> function returning uniform numbers in [0, 1).
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Draw an index from probabilities p with one uniform number u in [0, 1) (inverse CDF).
export function pick(p, u) {
  let acc = 0, last = 0;
  for (let v = 0; v < p.length; v++) {
    if (p[v] > 0) last = v;
    acc += p[v];
    if (u < acc) return v;
  }
  return last;                                                    // u beyond rounding: the last possible id
}

// prompt + `length` characters sampled with (temperature, topK, seed): same arguments, same text.
export function generate(model, prompt, length, { temperature = 1, topK = 0, seed = 0 } = {}) {
  if (typeof prompt !== "string" || !prompt.length) {           // as sample.py: nothing to condition on
    throw new RangeError("the prompt must have at least one character (the model needs something to continue)");
  }
  const rand = mulberry32(seed);
  let { logits, state } = model.feed(model.encode(prompt));
  let text = prompt;
  for (let t = 0; t < length; t++) {
    const id = pick(distribution(logits, temperature, topK), rand());
    text += model.vocab[id];
    ({ logits, state } = model.step(id, state));
  }
  return text;
}
