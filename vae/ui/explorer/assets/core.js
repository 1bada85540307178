// Shared pieces of the explorer's views: the page-wide registry (G), one view's updates in order (serialUpdate),
// plotly.js loading, small DOM and drawing helpers, timing samples for benches. Bundles, decoders and encoders
// are in model.js. Everything here is plain ES module code; views import what they need.

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

// ---- plotly.js (the explorer's partial build, core + scattergl: vae/ui/explorer/plotly/, served as an asset)
// Loaded by a plain <script src>, not from fetched bytes: Chromium then compiles the 1.5 MB while it downloads,
// off the main thread (about 0.2 s sooner to the first map than evaluating a Blob URL). Its name carries
// plotly's version and it is served as immutable (vae/ui/asset_gzip.py, deploy/nginx.conf), so a reload or a
// second page takes it from the HTTP cache: G.fetched records where it came from, by its resource timing.
// Where this page's plotly.js came from (network or HTTP cache, by its resource timing), recorded once: also when
// the map pages' HTML had already loaded it (vae/ui/early_plotly.py) before the first map asked.
// Never throws: the offline lecture file (vae/handout) inlines plotly.js and these modules, where a page-relative
// asset URL has no base.
function notePlotly(ref) {
  if (G.plotlyNoted || !ref || typeof ref.url !== "string") return;
  G.plotlyNoted = true;
  let t = null;
  try {
    t = performance.getEntriesByName(assetUrl(ref.url)).pop();
  } catch (e) {
    t = null;
  }
  const network = !!t && t.transferSize > 0;
  G.fetched.push({ url: ref.url, bytes: network ? t.encodedBodySize : 0, from: network ? "network" : "cache" });
}

export function loadPlotly(ref) {
  if (window.Plotly) {
    notePlotly(ref);
    return Promise.resolve(window.Plotly);
  }
  if (!G.plotly) {
    G.plotly = new Promise((resolve, reject) => {
      const url = assetUrl(ref.url);
      // The map pages' HTML may have started it already (vae/ui/early_plotly.py): wait for that script, unless
      // it failed (its onerror marks it), then load it again as below.
      const early = [...document.querySelectorAll("script[data-vae-plotly]")]
        .find((e) => e.src === url && !e.dataset.failed);
      const s = early || document.createElement("script");
      if (!early) {
        s.src = url;
        s.fetchPriority = "high";  // the first paint waits for it
      }
      s.onload = () => {
        notePlotly(ref);
        mark("plotly");
        resolve(window.Plotly);
      };
      s.onerror = () => { s.remove(); reject(new Error("plotly.js failed to load")); };
      if (!early) document.head.appendChild(s);
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
