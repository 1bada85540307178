// The offline lecture's boot module (vae/handout): everything the explorer's views would fetch is already in the
// file, so nothing here makes a request. It
// - typesets the formulas with the inlined KaTeX;
// - makes plotly.js (gzip, base64 in the file) and the bundles (same) available to the explorer's modules:
//   plotly.js is evaluated once into window.Plotly, and each bundle is put in the explorer's own bundle table
//   (G.bundles, model.js) under its hash, decompressed on first use, so loadBundle never fetches;
// - shows one step at a time: ←/→ (and PageUp/PageDown, Space) through the explorer's presenter view, as on
//   the Lecture page, the step bar's buttons, and the address's #slug;
// - mounts a step's views (the explorer component's own entry point, explorer.js) and charts the first time the
//   step is shown, when its boxes have their size.
import { G, fill } from "./core.js";
import { readBundle } from "./model.js";
import mountExplorer from "./explorer.js";

const DATA = JSON.parse(document.getElementById("vx-handout-data").textContent);
const H = (window.__vxHandout = { marks: {}, shown: -1, errors: [] });
window.addEventListener("error", (e) => H.errors.push(String(e.message || e)));
window.addEventListener("unhandledrejection", (e) => H.errors.push(String(e.reason && e.reason.message || e.reason)));

function mark(name) {
  if (H.marks[name] === undefined) H.marks[name] = performance.now();
}
mark("boot");

// ---- embedded bytes: base64 text of gzip data in <script type="application/octet-stream" id=…>
function bytesOf(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the file has no ${id}`);
  const s = atob(node.textContent.trim());
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function gunzip(id) {
  const stream = new Blob([bytesOf(id)]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}

// render.py's shuffled(): every first byte of the 4-byte words, then every second, …; back to the first n bytes
function unshuffle(buf, n) {
  const bytes = new Uint8Array(buf), m = bytes.length / 4, out = new Uint8Array(bytes.length);
  for (let k = 0; k < 4; k++) {
    const src = bytes.subarray(k * m, (k + 1) * m);
    for (let i = 0; i < m; i++) out[4 * i + k] = src[i];
  }
  return out.buffer.slice(0, n);
}

// a promise started on first use (a bundle nobody asks for is never decompressed)
function lazy(start) {
  let p = null;
  const get = () => (p || (p = start()));
  return { then: (a, b) => get().then(a, b), catch: (f) => get().catch(f), finally: (f) => get().finally(f) };
}

let plotly = null;
function loadInlinePlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!plotly) {
    plotly = gunzip("vx-plotly").then((buf) => {
      (0, eval)(new TextDecoder().decode(buf));  // plotly.min.js defines window.Plotly
      mark("plotly");
      return window.Plotly;
    });
  }
  return plotly;
}

const sprite = lazy(() => gunzip("vx-sprite").then((buf) => {
  const images = new Uint8Array(buf);
  images.shape = DATA.sprite.shape;
  return images;
}));

for (const [hash, info] of Object.entries(DATA.blobs)) {
  G.bundles.set(hash, lazy(async () => {
    const bundle = readBundle(unshuffle(await gunzip("vx-blob-" + hash), info.bytes));
    if (info.images) bundle.arrays.images = await sprite;  // the test images, kept once in the file
    return bundle;
  }));
}

// ---- formulas
function typeset(root) {
  for (const node of root.querySelectorAll("[data-tex]")) {
    try {
      window.katex.render(node.getAttribute("data-tex"), node, {
        displayMode: node.classList.contains("vx-display"), throwOnError: false });
    } catch (e) {
      node.textContent = node.getAttribute("data-tex");
    }
  }
}

// ---- steps
const sections = Array.from(document.querySelectorAll("section.vx-step"));
const bar = document.querySelectorAll("[data-goto]");
const prev = document.querySelector("[data-move='-1']");
const next = document.querySelector("[data-move='1']");
const counter = document.getElementById("vx-h-counter");
const keys = document.getElementById("vx-h-keys");

async function mountStep(section) {
  if (section.dataset.mounted) return;
  section.dataset.mounted = "1";
  const Plotly = await loadInlinePlotly();
  if (section.hidden) {  // the reader moved on while plotly.js loaded: mount when shown again, at its real size
    delete section.dataset.mounted;
    return;
  }
  for (const host of section.querySelectorAll("[data-chart]")) {
    const c = DATA.charts[host.getAttribute("data-chart")];
    await Plotly.newPlot(host, c.data, c.layout, { displaylogo: false, responsive: true });
  }
  for (const host of section.querySelectorAll("[data-view-key]")) {
    const key = host.getAttribute("data-view-key");
    mountExplorer({ data: DATA.views[key], parentElement: host, setStateValue: () => {}, key });
  }
  section.setAttribute("data-ready", "1");
  mark("step-ready");
}

function presenter(i) {
  mountExplorer({
    data: { view: "presenter", instance: "handout.presenter", step: i, count: sections.length, presenting: false },
    parentElement: keys, key: "handout.presenter",
    setStateValue: (name, value) => { if (name === "move" && value && Number.isInteger(value.to)) show(value.to); },
  });
}

function show(i) {
  i = Math.max(0, Math.min(sections.length - 1, i));
  if (i === H.shown) return;
  H.shown = i;
  sections.forEach((s, k) => { s.hidden = k !== i; });
  bar.forEach((b) => b.setAttribute("aria-current", String(+b.getAttribute("data-goto") === i)));
  prev.disabled = i === 0;
  next.disabled = i === sections.length - 1;
  counter.textContent = fill(DATA.text.counter, { k: i + 1, n: sections.length });
  document.body.setAttribute("data-step", String(i));
  if (location.hash !== "#" + DATA.slugs[i]) {
    try { history.replaceState(null, "", "#" + DATA.slugs[i]); } catch (e) { /* an opaque origin may refuse it */ }
  }
  presenter(i);
  window.scrollTo(0, 0);
  mountStep(sections[i]).catch((e) => H.errors.push(String(e && e.message || e)));
}

bar.forEach((b) => b.addEventListener("click", () => show(+b.getAttribute("data-goto"))));
prev.addEventListener("click", () => show(H.shown - 1));
next.addEventListener("click", () => show(H.shown + 1));

// the micro-quiz (step 3): an answer says right or wrong and opens the samples
for (const b of document.querySelectorAll("[data-quiz]")) {
  b.addEventListener("click", () => {
    const right = b.getAttribute("data-quiz") === "2";
    const out = document.getElementById("vx-h-quiz-result");
    out.textContent = right ? DATA.text.quiz_right : DATA.text.quiz_wrong;
    out.className = right ? "vx-h-right" : "vx-h-wrong";
    document.getElementById("vx-h-quiz-samples").open = true;
  });
}

typeset(document);
mark("typeset");
const start = DATA.slugs.indexOf(location.hash.slice(1));
show(start >= 0 ? start : 0);
document.body.setAttribute("data-booted", "1");
