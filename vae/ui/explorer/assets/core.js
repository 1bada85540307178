// Shared pieces of the explorer's views: bundles (fetched once, kept in IndexedDB by content hash),
// the in-browser decoder and encoder, plotly.js loading, small DOM and drawing helpers, timing samples for benches.
// Everything here is plain ES module code; views import what they need.

export const G = (window.__vaeExplorer = window.__vaeExplorer || {
  bundles: new Map(),     // hash -> Promise<{meta, arrays}>
  decoders: new Map(),    // hash -> decoder
  encoders: new Map(),    // hash -> encoder
  samples: [],            // {kind, input, pixels} in performance.now() ms (benchmarks)
  fetched: [],            // {url, bytes, from: "network" | "idb"} (benchmarks, tests)
  views: {},              // instance key -> view (tests, benchmarks)
  plotly: null,           // Promise<Plotly>
  marks: {},              // name -> performance.now() of the first time it happened (benchmarks)
});

// A view's updates, one after the other and only the latest: `apply(data)` (which may build the view, awaiting
// its bundles) starts once the previous one has settled, and is skipped when a newer update arrived meanwhile.
// Two builds awaiting at once would each append their own controls to the same root (a live film that took
// a snapshot while it was loading showed two scrubbers). The root carries `data-pending` until the latest
// update has been applied, so a waiter (a test, a bench) never mistakes the previous build's marks for this one's.
// Returns the view's `ready` promise.
export function serialUpdate(view, data, apply, fail) {
  const gen = (view.updateGen = (view.updateGen || 0) + 1);
  view.data = data;
  view.root.setAttribute("data-pending", "1");
  view.ready = (view.ready || Promise.resolve())
    .then(() => (gen === view.updateGen ? apply(data) : undefined))
    .catch((e) => fail(e))
    .finally(() => { if (gen === view.updateGen) view.root.removeAttribute("data-pending"); });
  return view.ready;
}

export function mark(name) {
  if (G.marks[name] === undefined) G.marks[name] = performance.now();
}
const MAX_SAMPLES = 20000;
export const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                       "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

export function assetUrl(rel) {
  return new URL(rel, import.meta.url).href;
}

export function record(kind, input, extra) {
  if (G.samples.length < MAX_SAMPLES) G.samples.push({ kind, input, pixels: performance.now(), ...(extra || {}) });
}

// ---- IndexedDB: content-addressed blobs survive reloads (the Cache API needs a secure context; a
// classroom server is often plain http on a LAN address, where IndexedDB still works).
const DB_NAME = "vae-explorer", STORE = "blobs", MAX_ENTRIES = 64;
let dbPromise = null;
function db() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve) => {
      if (!window.indexedDB) return resolve(null);
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(null);
      req.onblocked = () => resolve(null);
    });
  }
  return dbPromise;
}
async function idbGet(key) {
  const d = await db();
  if (!d) return null;
  return new Promise((resolve) => {
    try {
      const req = d.transaction(STORE, "readonly").objectStore(STORE).get(key);
      req.onsuccess = () => resolve(req.result ? req.result.value : null);
      req.onerror = () => resolve(null);
    } catch (e) { resolve(null); }
  });
}
async function idbPut(key, value) {
  const d = await db();
  if (!d) return;
  try {
    const tx = d.transaction(STORE, "readwrite");
    const store = tx.objectStore(STORE);
    store.put({ value, t: Date.now() }, key);
    const keys = store.getAllKeys();
    keys.onsuccess = () => {
      if (keys.result.length <= MAX_ENTRIES) return;
      const all = store.getAll();
      all.onsuccess = () => {
        const order = keys.result.map((k, i) => [all.result[i].t, k]).sort((a, b) => a[0] - b[0]);
        for (const [, k] of order.slice(0, keys.result.length - MAX_ENTRIES)) if (k !== key) store.delete(k);
      };
    };
  } catch (e) { /* quota or private mode: the network copy still works */ }
}

async function fetchBytes(url, key) {
  const cached = await idbGet(key);
  if (cached) {
    G.fetched.push({ url, bytes: 0, from: "idb" });
    return cached;
  }
  const r = await fetch(assetUrl(url));
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  const buf = await r.arrayBuffer();
  G.fetched.push({ url, bytes: buf.byteLength, from: "network" });
  // store it when the page is idle: copying megabytes into IndexedDB must not delay the first paint
  const later = window.requestIdleCallback || ((f) => setTimeout(f, 500));
  later(() => idbPut(key, buf), { timeout: 3000 });
  return buf;
}

// ---- bundles (vae/browser_bundle.py): b"VXB1" | u32 header length | JSON header | 8-aligned arrays
const TYPES = { f32: Float32Array, u8: Uint8Array, i32: Int32Array };
export function readBundle(buf) {
  const head = new Uint8Array(buf, 0, 8);
  if (String.fromCharCode(head[0], head[1], head[2], head[3]) !== "VXB1") throw new Error("not a bundle");
  const n = new DataView(buf).getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 8, n)));
  const arrays = {};
  for (const [name, e] of Object.entries(header.arrays)) {
    const count = e.shape.reduce((a, b) => a * b, 1);
    arrays[name] = new TYPES[e.dtype](buf, e.offset, count);
    arrays[name].shape = e.shape;
  }
  return { meta: header.meta, arrays };
}

export function loadBundle(ref) {
  if (!ref) return Promise.resolve(null);
  if (!G.bundles.has(ref.hash)) {
    const p = fetchBytes(ref.url, "bundle:" + ref.hash).then(readBundle);
    p.catch(() => G.bundles.delete(ref.hash));
    G.bundles.set(ref.hash, p);
  }
  return G.bundles.get(ref.hash);
}

// ---- dense networks (vae/decoder_export.py): Linear (+ReLU) layers, W row-major (out, in) like nn.Linear.weight,
// all parameters in one Float32Array at the spec's offsets. One forward pass serves the decoder and the encoder.
// Each layer also keeps its weights transposed (in, out) when its input is wide: inputs that are mostly zeros
// (a drawing's background, the units a ReLU switched off) then cost only their non-zero columns.
const SPARSE_MIN_IN = 64, SPARSE_MAX_DENSITY = 0.6;
function denseLayers(specLayers, params) {
  return specLayers.map((l) => {
    const W = params.subarray(l.w, l.w + l.in * l.out);
    let Wt = null;
    if (l.in >= SPARSE_MIN_IN) {
      Wt = new Float32Array(l.in * l.out);
      for (let j = 0; j < l.out; j++) for (let i = 0; i < l.in; i++) Wt[i * l.out + j] = W[j * l.in + i];
    }
    return { nIn: l.in, nOut: l.out, relu: !!l.relu, W, Wt, b: params.subarray(l.b, l.b + l.out),
             y: new Float32Array(l.out), acc: new Float64Array(l.out) };
  });
}

// x through `layers`; returns the last layer's output buffer (reused by the next call: copy it to keep it)
function runDense(layers, x) {
  for (let k = 0; k < layers.length; k++) {
    const L = layers[k], W = L.W, b = L.b, y = L.y, nIn = L.nIn, nOut = L.nOut;
    let nz = 0;
    if (L.Wt) for (let i = 0; i < nIn; i++) if (x[i] !== 0) nz++;
    if (L.Wt && nz <= SPARSE_MAX_DENSITY * nIn) {
      // y = b + Σ_{i: x_i ≠ 0} x_i W[:, i]  (column by column, accumulated in double precision)
      const Wt = L.Wt, acc = L.acc;
      for (let j = 0; j < nOut; j++) acc[j] = b[j];
      for (let i = 0; i < nIn; i++) {
        const xi = x[i];
        if (xi === 0) continue;
        const o = i * nOut;
        for (let j = 0; j < nOut; j++) acc[j] += xi * Wt[o + j];
      }
      for (let j = 0; j < nOut; j++) { const s = acc[j]; y[j] = L.relu && s < 0 ? 0 : s; }
      x = y;
      continue;
    }
    let r = 0;
    for (let j = 0; j < nOut; j++) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0;
      const n4 = nIn - 3;
      for (; i < n4; i += 4) {
        s0 += W[r + i] * x[i];
        s1 += W[r + i + 1] * x[i + 1];
        s2 += W[r + i + 2] * x[i + 2];
        s3 += W[r + i + 3] * x[i + 3];
      }
      for (; i < nIn; i++) s0 += W[r + i] * x[i];
      const s = b[j] + ((s0 + s1) + (s2 + s3));
      y[j] = L.relu && s < 0 ? 0 : s;
      r += nIn;
    }
    x = y;
  }
  return x;
}

// the decoder: Linear (+ReLU) ... Linear, sigmoid
export function makeDecoder(spec, params) {
  const layers = denseLayers(spec.layers, params);
  const d = spec.latent_dim;
  const x0 = new Float32Array(d);
  const probs = new Float32Array(layers[layers.length - 1].nOut);
  // z: d numbers -> Float32Array of H*W probabilities (a reused buffer: copy it to keep it)
  function decode(z) {
    for (let i = 0; i < d; i++) x0[i] = z[i];
    const out = runDense(layers, x0);
    for (let j = 0; j < out.length; j++) probs[j] = 1 / (1 + Math.exp(-out[j]));
    return probs;
  }
  return { decode, latentDim: d, shape: spec.image_shape, nPixels: probs.length };
}

export async function loadDecoder(ref) {
  if (!ref) return null;
  if (G.decoders.has(ref.hash)) return G.decoders.get(ref.hash);
  const b = await loadBundle(ref);
  const dec = makeDecoder(b.meta.spec, b.arrays.params);
  G.decoders.set(ref.hash, dec);
  return dec;
}

// the encoder: a ReLU trunk x -> features, then the heads mu and (VAEs) logvar, without activation
export function makeEncoder(spec, params) {
  const trunk = denseLayers(spec.layers, params);
  const heads = {};
  for (const [name, l] of Object.entries(spec.heads)) heads[name] = denseLayers([l], params);
  const x0 = new Float32Array(spec.input_dim);
  // x: H*W values in [0, 1] -> {mu, logvar (null for an AE)}, reused buffers (copy them to keep them)
  function encode(x) {
    for (let i = 0; i < x0.length; i++) x0[i] = x[i];
    const h = trunk.length ? runDense(trunk, x0) : x0;
    return { mu: runDense(heads.mu, h), logvar: heads.logvar ? runDense(heads.logvar, h) : null };
  }
  return { encode, latentDim: spec.latent_dim, shape: spec.image_shape, variational: !!heads.logvar };
}

export async function loadEncoder(ref) {
  if (!ref) return null;
  if (G.encoders.has(ref.hash)) return G.encoders.get(ref.hash);
  const b = await loadBundle(ref);
  const enc = makeEncoder(b.meta.spec, b.arrays.params);
  G.encoders.set(ref.hash, enc);
  return enc;
}

// ---- plotly.js (the Python plotly package's own copy, served as an asset)
// Loaded by a plain <script src>, not from fetched bytes: Chromium then compiles the 4.6 MB while it downloads,
// off the main thread (about 0.2 s sooner to the first map than evaluating a Blob URL). Its name carries
// plotly's version and it is served as immutable (vae/ui/asset_gzip.py, deploy/nginx.conf), so a reload or a
// second page takes it from the HTTP cache: G.fetched records where it came from, by its resource timing.
export function loadPlotly(ref) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!G.plotly) {
    G.plotly = new Promise((resolve, reject) => {
      const url = assetUrl(ref.url);
      const s = document.createElement("script");
      s.src = url;
      s.fetchPriority = "high";  // the first paint waits for it
      s.onload = () => {
        const t = performance.getEntriesByName(url).pop();
        const network = !!t && t.transferSize > 0;
        G.fetched.push({ url: ref.url, bytes: network ? t.encodedBodySize : 0, from: network ? "network" : "cache" });
        mark("plotly");
        resolve(window.Plotly);
      };
      s.onerror = () => { s.remove(); reject(new Error("plotly.js failed to load")); };
      document.head.appendChild(s);
    });
    G.plotly.catch(() => { G.plotly = null; });
  }
  return G.plotly;
}

// ---- DOM and drawing
export function el(tag, attrs, parent) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v;
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  if (parent) parent.appendChild(e);
  return e;
}

// A canvas with one pixel per image pixel, scaled crisply by CSS to `size` px.
export function imageCanvas(parent, shape, size, testid) {
  const [h, w] = shape;
  const c = el("canvas", { class: "vx-img", width: w, height: h }, parent);
  if (testid) c.setAttribute("data-testid", testid);
  c.style.width = size + "px";
  c.style.height = Math.round(size * h / w) + "px";
  const ctx = c.getContext("2d");
  const image = ctx.createImageData(w, h);
  c._vx = { ctx, image, px: new Uint32Array(image.data.buffer) };
  return c;
}

// Draw probabilities in [0, 1] (Float32Array) or bytes (Uint8Array) as grey levels.
export function drawImage(canvas, values) {
  const { ctx, image, px } = canvas._vx;
  const n = px.length;
  if (values instanceof Uint8Array) {
    for (let i = 0; i < n; i++) { const g = values[i]; px[i] = 0xff000000 | (g << 16) | (g << 8) | g; }
  } else {
    for (let i = 0; i < n; i++) { const g = (values[i] * 255 + 0.5) | 0; px[i] = 0xff000000 | (g << 16) | (g << 8) | g; }
  }
  ctx.putImageData(image, 0, 0);
}

export function clearImage(canvas) {
  const { ctx, image } = canvas._vx;
  ctx.clearRect(0, 0, image.width, image.height);
}

export function row(a, i, d) {
  return a.subarray(i * d, (i + 1) * d);
}

export function fmt(v, digits = 2) {
  return (Math.abs(v) < 5e-324 ? 0 : v).toFixed(digits);
}

export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (m, k) => (values[k] !== undefined ? values[k] : m));
}

// KL(N(μ, σ²) || N(0, I)) = ½ Σ (σ² + μ² − 1 − log σ²) (Kingma & Welling 2014, app. B)
export function klOf(mu, logvar) {
  let s = 0;
  for (let j = 0; j < mu.length; j++) s += Math.exp(logvar[j]) + mu[j] * mu[j] - 1 - logvar[j];
  return 0.5 * s;
}

// A seeded normal generator (mulberry32 + Box–Muller): the same "random" codes on every screen.
export function normalRng(seed) {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
}

// When an input happened: the event's own time stamp (same clock as performance.now()), so a latency
// includes the time the event waited in the browser's queue.
export function inputTime(e) {
  const t = e && e.timeStamp;
  const now = performance.now();
  return t > 0 && t <= now ? t : now;
}
