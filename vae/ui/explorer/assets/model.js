// A model in the browser: its bundles (fetched once, kept in IndexedDB by content hash), its decoder and
// encoder run from the bundle's weights, its test set (images, labels, μ, log σ²), and the map's projection
// of its codes both ways (map point -> code, code -> map point, σ on the map); the posterior's KL and the
// lerp / slerp between two codes. Every view loads its bundles and models here; nothing here touches the DOM.
import { G, assetUrl, row } from "./core.js";
import { GridIndex } from "./spatial.js";

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

// a network's bundle made into a decoder or encoder once per page (`made`: hash -> network)
async function loadNet(ref, made, make) {
  if (!ref) return null;
  if (made.has(ref.hash)) return made.get(ref.hash);
  const b = await loadBundle(ref);
  const net = make(b.meta.spec, b.arrays.params);
  made.set(ref.hash, net);
  return net;
}

export function loadDecoder(ref) {
  return loadNet(ref, G.decoders, makeDecoder);
}

export function loadEncoder(ref) {
  return loadNet(ref, G.encoders, makeEncoder);
}

// KL(N(μ, σ²) || N(0, I)) = ½ Σ (σ² + μ² − 1 − log σ²) (Kingma & Welling 2014, app. B)
export function klOf(mu, logvar) {
  let s = 0;
  for (let j = 0; j < mu.length; j++) s += Math.exp(logvar[j]) + mu[j] * mu[j] - 1 - logvar[j];
  return 0.5 * s;
}

export function lerp(z0, z1, t) {
  return z0.map((v, j) => (1 - t) * v + t * z1[j]);
}

// spherical interpolation with the norm interpolated linearly (vae/latent.py slerp; Shoemake 1985, White 2016)
export function slerp(z0, z1, t) {
  const n0 = Math.hypot(...z0), n1 = Math.hypot(...z1);
  if (n0 < 1e-8 || n1 < 1e-8) return lerp(z0, z1, t);
  let dot = 0;
  for (let j = 0; j < z0.length; j++) dot += (z0[j] / n0) * (z1[j] / n1);
  const om = Math.acos(Math.max(-1, Math.min(1, dot)));
  if (Math.sin(om) < 1e-6) return lerp(z0, z1, t);
  const a = Math.sin((1 - t) * om) / Math.sin(om), b = Math.sin(t * om) / Math.sin(om), n = (1 - t) * n0 + t * n1;
  return z0.map((v, j) => (a * v / n0 + b * z1[j] / n1) * n);
}

// ---- a model: its test set (encoded: μ, and log σ² for a VAE) and its decoder (null when the browser cannot run it)
export class Model {
  constructor(spec) {
    this.spec = spec;
  }

  async load() {
    const s = this.spec;
    const [ts, dec] = await Promise.all([loadBundle(s.test_set), loadDecoder(s.decoder)]);
    this.ts = ts.arrays;
    this.meta = ts.meta;
    this.decoder = dec;
    this.n = ts.meta.n;
    this.d = ts.meta.latent_dim;
    this.shape = ts.meta.image_shape;
    this.variational = !!ts.meta.variational;
    return this;
  }

  // the mean KL of the test images' posteriors (VAEs), computed once when first asked
  get klMean() {
    if (this._klMean === undefined) {
      let s2 = 0;
      for (let i = 0; i < this.n; i++) s2 += klOf(row(this.ts.mu, i, this.d), row(this.ts.logvar, i, this.d));
      this._klMean = s2 / Math.max(1, this.n);
    }
    return this._klMean;
  }

  // the k test images whose μ is nearest to z in the latent space: [[squared distance, index], ...], nearest first
  nearestCodes(z, k) {
    const d = this.d, best = [];
    k = Math.min(k, this.n);
    for (let i = 0; i < this.n; i++) {
      const mu = row(this.ts.mu, i, d);
      let s = 0;
      for (let j = 0; j < d; j++) { const t = mu[j] - z[j]; s += t * t; }
      if (best.length < k || s < best[best.length - 1][0]) {
        best.push([s, i]);
        best.sort((a, b) => a[0] - b[0]);
        if (best.length > k) best.pop();
      }
    }
    return best;
  }

  reconstruction(i) {
    if (this.decoder) return this.decoder.decode(row(this.ts.mu, i, this.d));
    return this.ts.recon ? row(this.ts.recon, i, this.shape[0] * this.shape[1]) : null;
  }

  labelName(i) {
    return this.labelText(this.ts.labels[i]);
  }

  // a label's name (its number when the test set names no such label)
  labelText(lab) {
    const names = this.meta.label_names;
    return lab >= 0 && lab < names.length ? names[lab] : String(lab);
  }
}

// ---- a model on a map: the map's projection of its codes, and the map point -> code inverse
export class ModelOnMap extends Model {
  async load() {
    const [, proj] = await Promise.all([super.load(), loadBundle(this.spec.projection)]);
    this.proj = proj.arrays;
    this.projMeta = proj.meta;
    const c = this.proj.coords;
    this.xs = new Float64Array(this.n);
    this.ys = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) { this.xs[i] = c[2 * i]; this.ys[i] = c[2 * i + 1]; }
    this.grid = new GridIndex(this.xs, this.ys);  // the dot under the cursor, a map point's neighbours
    this.z = new Float64Array(this.d);
    return this;
  }

  get method() { return this.projMeta.method; }

  // true when a map point is exactly one code (native, PCA); t-SNE and UMAP maps have σ-less, approximate axes
  get exact() { return this.method === "native" || this.method === "pca"; }

  // The code under map point (x, y): exact for native and PCA, neighbour-weighted for t-SNE and UMAP
  // (the inverse-distance average of the μ of the k nearest points, as vae/projection.py does).
  codeAt(x, y) {
    const z = this.z, d = this.d;
    if (this.method === "native") {
      z[0] = x; z[1] = y;
    } else if (this.method === "pca") {
      const m = this.proj.mean, C = this.proj.components;
      for (let j = 0; j < d; j++) z[j] = m[j] + x * C[j] + y * C[d + j];
    } else {
      const best = this.grid.nearest(x, y, this.projMeta.neighbours || 8);
      z.fill(0);
      let wsum = 0;
      for (const [d2, i] of best) {
        const w = 1 / (Math.sqrt(d2) + 1e-6);
        wsum += w;
        const mu = row(this.ts.mu, i, d);
        for (let j = 0; j < d; j++) z[j] += w * mu[j];
      }
      for (let j = 0; j < d; j++) z[j] /= wsum;
    }
    return z;
  }

  // The map point of code z (a code that is not a test image's μ, e.g. a drawing's): exact for native and PCA
  // (the projection itself); UMAP's own placement (umapPlacement); for t-SNE, the inverse-distance average of the map points of the k nearest μ
  // (t-SNE has no out-of-sample map: an approximation, as codeAt is the other way).
  project(z) {
    const d = this.d;
    if (this.method === "native") return [z[0], z[1]];
    if (this.method === "pca") {
      const m = this.proj.mean, C = this.proj.components;
      let x = 0, y = 0;
      for (let j = 0; j < d; j++) { const c = z[j] - m[j]; x += c * C[j]; y += c * C[d + j]; }
      return [x, y];
    }
    if (this.method === "umap") return this.umapPlacement(z);
    let x = 0, y = 0, wsum = 0;
    for (const [s, i] of this.nearestCodes(z, this.projMeta.neighbours || 8)) { const w = 1 / (Math.sqrt(s) + 1e-6); x += w * this.xs[i]; y += w * this.ys[i]; wsum += w; }
    return [x / wsum, y / wsum];
  }

  // UMAP's placement of a new code (vae/projection.py umap_placement, as umap-learn's transform starts): the fuzzy
  // membership strength exp(−d/σ) of each of the k nearest μ, σ found by bisection so that the strengths after
  // the first sum to log₂ k (at least 10⁻³ of the mean distance); then their map points' weighted average.
  umapPlacement(z) {
    const near = this.nearestCodes(z, this.projMeta.placement_neighbours || 15), k = near.length;
    const dist = near.map(([s]) => Math.sqrt(s));
    const zero = near.filter(([s]) => s === 0).map(([, i]) => i);
    if (zero.length) { const i = Math.min(...zero); return [this.xs[i], this.ys[i]]; }
    const target = Math.log2(k);
    let lo = 0, hi = Infinity, mid = 1;
    for (let n = 0; n < 64; n++) {
      let psum = 0;
      for (let j = 1; j < k; j++) psum += dist[j] > 0 ? Math.exp(-dist[j] / mid) : 1;
      if (Math.abs(psum - target) < 1e-5) break;
      if (psum > target) { hi = mid; mid = (lo + hi) / 2; } else { lo = mid; mid = hi === Infinity ? mid * 2 : (lo + hi) / 2; }
    }
    const sigma = Math.max(mid, 1e-3 * dist.reduce((a, b) => a + b, 0) / k);
    let x = 0, y = 0, wsum = 0;
    near.forEach(([, i], j) => { const w = Math.exp(-dist[j] / sigma); x += w * this.xs[i]; y += w * this.ys[i]; wsum += w; });
    return [x / wsum, y / wsum];
  }

  // 2×2 covariance on the map of q(z|x_i) = N(μ_i, diag σ_i²): diag(σ²) natively, C diag(σ²) Cᵀ for PCA.
  cov(i) {
    return this.covOf(row(this.ts.logvar, i, this.d));
  }

  covOf(lv) {
    if (this.method === "native") return [Math.exp(lv[0]), 0, 0, Math.exp(lv[1])];
    const C = this.proj.components, d = this.d;
    let a = 0, b = 0, c = 0;
    for (let j = 0; j < d; j++) {
      const v = Math.exp(lv[j]);
      a += C[j] * C[j] * v; b += C[j] * C[d + j] * v; c += C[d + j] * C[d + j] * v;
    }
    return [a, b, b, c];
  }
}
