// The latent map view: the test set's μ drawn by Plotly; hover (or drag) anywhere decodes the code under
// the cursor in the browser; a click on a dot inspects that image (original, reconstruction, μ, σ, KL,
// σ ellipse); a click on an empty place pins that code. The AE | VAE | β-VAE maps below are linked:
// the same test image is highlighted in all, with the three reconstructions, or, when the maps share
// their coordinates (native 2-D), the three decodings of the hovered code. Only the inspected index and
// the pinned code go back to Python, once per click.
import {
  COLORS, G, clearImage, drawImage, el, fill, fmt, imageCanvas, inputTime, klOf, loadBundle, loadDecoder, loadEncoder,
  loadPlotly, mark, record, row, serialUpdate,
} from "./core.js";
import { DrawingPad } from "./pad.js";

const CLICK_SLOP = 5;      // px a press may move and still be a click
const HIT_RADIUS = 7;      // px around a dot that counts as clicking it
const MANIFOLD_N = 15;
const N_ELLIPSES = 100;

// ---- a model on a map: bundles, decoder, and the map point -> code inverse
// (exported: the drawing pad view places its codes on the same maps)
export class ModelOnMap {
  constructor(spec) {
    this.spec = spec;
  }

  async load() {
    const s = this.spec;
    const [ts, proj, dec] = await Promise.all([loadBundle(s.test_set), loadBundle(s.projection), loadDecoder(s.decoder)]);
    this.ts = ts.arrays;
    this.meta = ts.meta;
    this.proj = proj.arrays;
    this.projMeta = proj.meta;
    this.decoder = dec;
    this.n = ts.meta.n;
    this.d = ts.meta.latent_dim;
    this.shape = ts.meta.image_shape;
    this.variational = !!ts.meta.variational;
    const c = this.proj.coords;
    this.xs = new Float64Array(this.n);
    this.ys = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) { this.xs[i] = c[2 * i]; this.ys[i] = c[2 * i + 1]; }
    this.z = new Float64Array(this.d);
    if (this.variational) {
      let s2 = 0;
      for (let i = 0; i < this.n; i++) s2 += klOf(row(this.ts.mu, i, this.d), row(this.ts.logvar, i, this.d));
      this.klMean = s2 / Math.max(1, this.n);
    }
    return this;
  }

  get method() { return this.projMeta.method; }

  // The code under map point (x, y): exact for native and PCA, neighbour-weighted for t-SNE
  // (the inverse-distance average of the μ of the k nearest points, as vae/projection.py does).
  codeAt(x, y) {
    const z = this.z, d = this.d;
    if (this.method === "native") {
      z[0] = x; z[1] = y;
    } else if (this.method === "pca") {
      const m = this.proj.mean, C = this.proj.components;
      for (let j = 0; j < d; j++) z[j] = m[j] + x * C[j] + y * C[d + j];
    } else {
      const k = Math.min(this.projMeta.neighbours || 8, this.n);
      const best = new Array(k).fill(null).map(() => [Infinity, -1]);
      for (let i = 0; i < this.n; i++) {
        const dx = this.xs[i] - x, dy = this.ys[i] - y, d2 = dx * dx + dy * dy;
        if (d2 < best[k - 1][0]) {
          let p = k - 1;
          while (p > 0 && best[p - 1][0] > d2) { best[p] = best[p - 1]; p--; }
          best[p] = [d2, i];
        }
      }
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
  // (the projection itself); for t-SNE, the inverse-distance average of the map points of the k nearest μ
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
    let x = 0, y = 0, wsum = 0;
    for (const [s, i] of this.nearestCodes(z, this.projMeta.neighbours || 8)) { const w = 1 / (Math.sqrt(s) + 1e-6); x += w * this.xs[i]; y += w * this.ys[i]; wsum += w; }
    return [x / wsum, y / wsum];
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

  reconstruction(i) {
    if (this.decoder) return this.decoder.decode(row(this.ts.mu, i, this.d));
    return this.ts.recon ? row(this.ts.recon, i, this.shape[0] * this.shape[1]) : null;
  }

  labelName(i) {
    const lab = this.ts.labels[i], names = this.meta.label_names;
    return lab < names.length ? names[lab] : String(lab);
  }
}

// k-σ contour as [[x, y], ...] (overlay drawing)
export function contour(cx, cy, cov, k, n) {
  const xs = [], ys = [];
  ellipse(cx, cy, cov, k, n, xs, ys);
  return xs.slice(0, -1).map((x, i) => [x, ys[i]]);
}

// k-σ contour of a 2-D Gaussian with covariance [a b; b c] around (cx, cy), as x/y arrays (+ null break)
function ellipse(cx, cy, cov, k, n, xs, ys) {
  const [a, b, , c] = cov;
  const tr = a + c, det = a * c - b * b, disc = Math.sqrt(Math.max(tr * tr / 4 - det, 0));
  const l1 = tr / 2 + disc, l2 = Math.max(tr / 2 - disc, 0);
  const th = Math.abs(b) > 1e-12 ? Math.atan2(l1 - a, b) : (a >= c ? 0 : Math.PI / 2);
  const ct = Math.cos(th), st = Math.sin(th), r1 = k * Math.sqrt(l1), r2 = k * Math.sqrt(l2);
  for (let s = 0; s <= n; s++) {
    const t = 2 * Math.PI * s / n, u = r1 * Math.cos(t), v = r2 * Math.sin(t);
    xs.push(cx + u * ct - v * st);
    ys.push(cy + u * st + v * ct);
  }
  xs.push(null); ys.push(null);
}

function star(c, x, y, r) {
  c.fillStyle = "gold";
  c.strokeStyle = "#000";
  c.lineWidth = 1.5;
  c.beginPath();
  for (let k = 0; k < 10; k++) {
    const a = -Math.PI / 2 + k * Math.PI / 5, rr = k % 2 ? r * 0.45 : r;
    if (k) c.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a)); else c.moveTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
  }
  c.closePath();
  c.fill();
  c.stroke();
}

function nextFrame() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

export function range(models, withPrior) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const m of models) {
    for (let i = 0; i < m.n; i++) {
      x0 = Math.min(x0, m.xs[i]); x1 = Math.max(x1, m.xs[i]);
      y0 = Math.min(y0, m.ys[i]); y1 = Math.max(y1, m.ys[i]);
    }
  }
  if (withPrior) { x0 = Math.min(x0, -3.2); x1 = Math.max(x1, 3.2); y0 = Math.min(y0, -3.2); y1 = Math.max(y1, 3.2); }
  const px = Math.max(x1 - x0, 1e-3) * 0.08, py = Math.max(y1 - y0, 1e-3) * 0.08;
  return [[x0 - px, x1 + px], [y0 - py, y1 + py]];
}

// ---- one Plotly map with a transparent overlay canvas for the cursor and linked highlights
export class PlotPanel {
  constructor(parent, model, opts) {
    this.model = model;
    this.opts = opts;
    this.wrap = el("div", { class: "vx-plotwrap" }, parent);
    this.gd = el("div", { class: "vx-plot", "data-testid": opts.testid }, this.wrap);
    this.gd.style.height = opts.height + "px";
    this.overlay = el("canvas", { class: "vx-overlay" }, this.wrap);
  }

  // initial: the overlay toggles' first state ({prior: bool, ellipses: [xs, ys]}), drawn by this one newPlot
  // (a restyle after it would redraw the whole map once more before the page can paint)
  async draw(Plotly, xr, yr, initial = {}) {
    const m = this.model, o = this.opts, tx = o.text;
    const traces = [];
    if (o.prior) {
      [1, 2, 3].forEach((k) => {
        const xs = [], ys = [];
        ellipse(0, 0, [1, 0, 0, 1], k, 96, xs, ys);
        traces.push({ type: "scatter", mode: "lines", x: xs, y: ys, hoverinfo: "skip", showlegend: false,
                      visible: initial.prior !== false,
                      line: { color: "rgba(60,60,60,0.8)", width: 1.5, dash: ["solid", "dash", "dot"][k - 1] } });
      });
    }
    const byLabel = new Map();
    for (let i = 0; i < m.n; i++) {
      const lab = m.ts.labels[i];
      if (!byLabel.has(lab)) byLabel.set(lab, []);
      byLabel.get(lab).push(i);
    }
    for (const lab of [...byLabel.keys()].sort((a, b) => a - b)) {
      const idx = byLabel.get(lab);
      traces.push({
        type: o.webgl ? "scattergl" : "scatter", mode: "markers", name: m.labelName(idx[0]),
        x: idx.map((i) => m.xs[i]), y: idx.map((i) => m.ys[i]), hoverinfo: "skip",
        marker: { size: o.markerSize, color: COLORS[lab % COLORS.length], opacity: 0.8 },
      });
    }
    this.ellipseTrace = traces.length;
    const [ex, ey] = initial.ellipses || [[], []];
    traces.push({ type: "scatter", mode: "lines", x: ex, y: ey, hoverinfo: "skip", showlegend: false,
                  line: { color: "rgba(0,0,0,0.35)", width: 1 } });
    const layout = {
      height: o.height, margin: o.small ? { l: 40, r: 8, t: 30, b: 36 } : { l: 50, r: 10, t: 30, b: 44 },
      hovermode: false, dragmode: false, showlegend: !o.small,
      title: o.title ? { text: o.title, x: 0.5, y: 0.98, font: { size: 14 } } : undefined,
      legend: { title: { text: tx.legend }, itemsizing: "constant", orientation: "v", x: 1.02, y: 1, itemclick: false, itemdoubleclick: false },
      xaxis: { range: xr.slice(), title: { text: o.axis[0] }, zeroline: true, constrain: "domain" },
      yaxis: { range: yr.slice(), title: { text: o.axis[1] }, zeroline: true, scaleanchor: "x", scaleratio: 1, constrain: "domain" },
      plot_bgcolor: "#fff", paper_bgcolor: "rgba(0,0,0,0)",
    };
    const config = { displaylogo: false, responsive: true, scrollZoom: !o.small, displayModeBar: !o.small,
                     modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"], doubleClick: "reset" };
    await Plotly.newPlot(this.gd, traces, layout, config);
    this.Plotly = Plotly;
    this.gd.on("plotly_afterplot", () => this.sizeOverlay());
    this.sizeOverlay();
  }

  sizeOverlay() {
    const r = this.gd.getBoundingClientRect(), dpr = window.devicePixelRatio || 1;
    this.overlay.width = Math.max(1, Math.round(r.width * dpr));
    this.overlay.height = Math.max(1, Math.round(r.height * dpr));
    this.overlay.style.width = r.width + "px";
    this.overlay.style.height = r.height + "px";
    this.dpr = dpr;
    if (this.onResize) this.onResize();
  }

  axes() {
    const fl = this.gd._fullLayout;
    return fl ? [fl.xaxis, fl.yaxis] : [null, null];
  }

  // client (px) -> data coordinates; null outside the plot area
  toData(clientX, clientY) {
    const [xa, ya] = this.axes();
    if (!xa) return null;
    const r = this.gd.getBoundingClientRect();
    const px = clientX - r.left - xa._offset, py = clientY - r.top - ya._offset;
    if (px < 0 || py < 0 || px > xa._length || py > ya._length) return null;
    return [xa.p2d(px), ya.p2d(py)];
  }

  toPixel(x, y) {
    const [xa, ya] = this.axes();
    return [xa._offset + xa.d2p(x), ya._offset + ya.d2p(y)];
  }

  // the test image whose dot lies within HIT_RADIUS px of (clientX, clientY), nearest first; -1 if none
  hit(clientX, clientY) {
    const [xa, ya] = this.axes();
    if (!xa) return -1;
    const r = this.gd.getBoundingClientRect();
    const px = clientX - r.left - xa._offset, py = clientY - r.top - ya._offset;
    const m = this.model;
    let best = -1, bestD = HIT_RADIUS * HIT_RADIUS;
    for (let i = 0; i < m.n; i++) {
      const dx = xa.d2p(m.xs[i]) - px, dy = ya.d2p(m.ys[i]) - py, d2 = dx * dx + dy * dy;
      if (d2 <= bestD) { bestD = d2; best = i; }
    }
    return best;
  }

  // Everything that moves with the user's clicks is drawn on the overlay canvas, not by Plotly (a Plotly
  // restyle of a WebGL map costs tens of ms): the cursor crosshair, the linked highlight, the inspected
  // image's star and σ ellipses, the pinned code's cross. Redrawn after zooms and resizes.
  drawOverlay(s) {
    const c = this.overlay.getContext("2d"), dpr = this.dpr || 1;
    c.setTransform(dpr, 0, 0, dpr, 0, 0);
    c.clearRect(0, 0, this.overlay.width, this.overlay.height);
    const [xa, ya] = this.axes();
    if (!xa) return;
    c.save();
    c.beginPath();
    c.rect(xa._offset, ya._offset, xa._length, ya._length);
    c.clip();
    const m = this.model, valid = (i) => i !== null && i !== undefined && i >= 0 && i < m.n;
    if (s.ellipses) {
      c.strokeStyle = "#000";
      c.lineWidth = 2;
      for (const curve of s.ellipses) {
        c.beginPath();
        curve.forEach(([x, y], k) => { const [px, py] = this.toPixel(x, y); if (k) c.lineTo(px, py); else c.moveTo(px, py); });
        c.stroke();
      }
    }
    if (valid(s.inspected)) {
      const [x, y] = this.toPixel(m.xs[s.inspected], m.ys[s.inspected]);
      star(c, x, y, this.opts.small ? 8 : 10);
    }
    if (s.point) {  // a code that is no test image (the drawing pad's): a small star, its σ ellipses on top
      const [x, y] = this.toPixel(s.point[0], s.point[1]);
      star(c, x, y, 7);
      c.strokeStyle = "#c00";
      c.lineWidth = 1.5;
      for (const curve of s.pointEllipses || []) {
        c.beginPath();
        curve.forEach(([u, v], k) => { const [px, py] = this.toPixel(u, v); if (k) c.lineTo(px, py); else c.moveTo(px, py); });
        c.stroke();
      }
    }
    if (s.pinned) {
      const [x, y] = this.toPixel(s.pinned[0], s.pinned[1]);
      c.strokeStyle = "#000";
      c.lineWidth = 3;
      c.beginPath(); c.moveTo(x - 7, y - 7); c.lineTo(x + 7, y + 7); c.moveTo(x + 7, y - 7); c.lineTo(x - 7, y + 7); c.stroke();
    }
    if (valid(s.highlight)) {
      const [x, y] = this.toPixel(m.xs[s.highlight], m.ys[s.highlight]);
      c.strokeStyle = "#000";
      c.lineWidth = 2.5;
      c.beginPath(); c.arc(x, y, 9, 0, 2 * Math.PI); c.stroke();
      c.strokeStyle = "#fff";
      c.lineWidth = 1;
      c.beginPath(); c.arc(x, y, 11, 0, 2 * Math.PI); c.stroke();
    }
    if (s.cursor) {
      const [x, y] = this.toPixel(s.cursor[0], s.cursor[1]);
      c.strokeStyle = "rgba(0,0,0,0.55)";
      c.lineWidth = 1;
      c.beginPath();
      c.moveTo(x, ya._offset); c.lineTo(x, ya._offset + ya._length);
      c.moveTo(xa._offset, y); c.lineTo(xa._offset + xa._length, y);
      c.stroke();
      c.fillStyle = "rgba(255,215,0,0.9)";
      c.beginPath(); c.arc(x, y, 5, 0, 2 * Math.PI); c.fill(); c.stroke();
    }
    c.restore();
  }

  setTrace(i, x, y) {
    this.Plotly.restyle(this.gd, { x: [x], y: [y] }, [i]);
  }
}

export class MapView {
  constructor(root) {
    this.root = el("div", { class: "vx vx-map" }, root);
    this.signature = null;
    this.inspected = null;
    this.pinned = null;
    this.hoverIndex = null;
    this.overlays = { prior: true, ellipses: false, manifold: false };
  }

  update(data) {
    serialUpdate(this, data, (d) => this.apply(d), (e) => this.fail(e));
  }

  apply(data) {
    const sig = JSON.stringify([data.main, data.trio, data.text, data.shared]);
    if (sig !== this.signature) {
      this.signature = sig;
      return this.build(data);
    }
    return this.applyServerState(data);
  }

  fail(e) {
    console.error(e);
    this.status.textContent = fill(this.data.text.load_error, { detail: String(e && e.message || e) });
    this.status.classList.add("vx-error");
  }

  // The main map paints first (plotly.js + this model's bundles); the trio's bundles are fetched once it is
  // drawn (so they do not compete with plotly.js for the network and the main thread) and its maps are drawn
  // after, one per frame.
  async build(data) {
    const tx = data.text;
    this.root.removeAttribute("data-ready");  // a new model: waiters (tests, benches) wait for this build
    this.root.removeAttribute("data-plotted");
    this.root.replaceChildren();
    this.status = el("div", { class: "vx-status", "data-testid": "vx-status", text: tx.loading }, this.root);
    const main = new ModelOnMap(data.main);
    const trio = (data.trio || []).map((t) => (t.missing ? null : new ModelOnMap(t)));
    mark("map.build");
    const [Plotly] = await Promise.all([loadPlotly(data.plotly), main.load().then((m) => { mark("map.bundles"); return m; })]);
    this.main = main;
    this.trio = trio;
    this.trioPanels = [];
    this.status.textContent = "";
    this.layout(Plotly, data);
    const [xr, yr] = range([main], main.method === "native" && this.overlays.prior);
    mark("map.layout");
    await this.panel.draw(Plotly, xr, yr, this.overlayTraces());
    mark("map.plotted");
    this.panel.onResize = () => this.redrawOverlays();
    this.panel.gd.on("plotly_relayout", () => { if (this.overlays.manifold) this.drawManifold(); this.redrawOverlays(); });
    this.wire(this.panel);
    this.applyManifold();
    this.applyServerState(data, true);
    this.refreshInspector();
    this.refreshPinned();
    this.redrawOverlays();
    G.firstMapPaint = G.firstMapPaint || performance.now();
    this.root.setAttribute("data-ready", "1");
    const trioLoaded = Promise.all(trio.map((m) => m && m.load()));
    await nextFrame();
    await trioLoaded;
    await this.buildTrio(Plotly, data);
    this.linkTrio(null, null, -1);
    this.redrawOverlays();
    this.root.setAttribute("data-plotted", "1");
  }

  async buildTrio(Plotly, data) {
    const tx = data.text;
    if (!(data.trio || []).length) return;
    const box = el("div", { class: "vx-trio" }, this.root);
    el("div", { class: "vx-subtitle", text: tx.trio_title }, box);
    el("div", { class: "vx-caption", text: tx.trio_caption }, box);
    const cols = el("div", { class: "vx-cols" }, box);
    const trioModels = this.trio.filter(Boolean);
    const [txr, tyr] = trioModels.length ? range(trioModels, data.trio_prior) : [[-1, 1], [-1, 1]];
    const panels = [];
    data.trio.forEach((t, k) => {
      const col = el("div", { class: "vx-col" }, cols);
      if (t.missing) {
        el("div", { class: "vx-title", text: t.title }, col);
        el("div", { class: "vx-caption", text: t.missing }, col);
        return;
      }
      const model = this.trio[k];
      const p = new PlotPanel(col, model, { height: 300, webgl: false, markerSize: 4, text: tx, axis: t.axis,
                                            prior: !!data.trio_prior, small: true, title: t.title, testid: `vx-trio-map-${k}` });
      el("div", { class: "vx-caption", text: t.label }, col);
      const out = el("div", { class: "vx-trio-out" }, col);
      p.outCanvas = imageCanvas(out, model.shape, 84, `vx-trio-out-${k}`);
      p.outInfo = el("div", { class: "vx-caption", "data-testid": `vx-trio-info-${k}` }, out);
      panels.push(p);
    });
    for (const p of panels) {
      await p.draw(Plotly, txr, tyr);
      p.onResize = () => this.redrawOverlays();
      this.wire(p);
      this.trioPanels.push(p);
      await nextFrame();
    }
  }

  layout(Plotly, data) {
    const tx = data.text, m = this.main;
    const isNative = m.method === "native", isTsne = m.method === "tsne";
    // toolbar: overlays (client-side, no rerun)
    const bar = el("div", { class: "vx-toolbar" }, this.root);
    const toggle = (name, label, enabled) => {
      const lab = el("label", { class: "vx-toggle" + (enabled ? "" : " vx-disabled") }, bar);
      const cb = el("input", { type: "checkbox", "data-overlay": name }, lab);
      cb.checked = enabled && this.overlays[name];
      cb.disabled = !enabled;
      el("span", { text: label }, lab);
      cb.addEventListener("change", () => { this.overlays[name] = cb.checked; this.applyOverlays(); });
    };
    toggle("prior", tx.overlay_prior, isNative);
    toggle("ellipses", tx.overlay_ellipses, m.variational && !isTsne);
    toggle("manifold", tx.overlay_manifold, !isTsne && !!m.decoder);
    if (data.main.note) el("div", { class: "vx-caption", text: data.main.note }, this.root);

    const rowEl = el("div", { class: "vx-row" }, this.root);
    const left = el("div", { class: "vx-left" }, rowEl);
    const side = el("div", { class: "vx-side" }, rowEl);
    this.panel = new PlotPanel(left, m, { height: 560, webgl: false, markerSize: 5, text: tx, axis: data.main.axis,
                                          prior: isNative, testid: "vx-main-map" });
    const drawSlot = el("div", {}, left);  // under the map: the pad must not move when the inspector fills in
    this.manifoldBox = el("div", { class: "vx-manifold" }, left);

    // side: under the cursor, inspector, pinned code
    const card = (title) => {
      const c = el("div", { class: "vx-card" }, side);
      el("div", { class: "vx-title", text: title }, c);
      return c;
    };
    const hov = card(isTsne ? tx.hover_title_tsne : tx.hover_title);
    this.hoverCanvas = imageCanvas(hov, m.shape, 168, "vx-hover-image");
    this.hoverInfo = el("div", { class: "vx-caption", "data-testid": "vx-hover-info", text: m.decoder ? tx.hover_hint : tx.no_browser_decoder }, hov);
    if (isTsne) el("div", { class: "vx-caption vx-warn", text: tx.tsne_note }, hov);

    const ins = card(tx.inspect_title);
    this.inspectBox = el("div", { class: "vx-inspect", "data-testid": "vx-inspector" }, ins);
    const pics = el("div", { class: "vx-pics" }, this.inspectBox);
    const fig = (label, testid) => {
      const f = el("figure", {}, pics);
      const c = imageCanvas(f, m.shape, 112, testid);
      el("figcaption", { text: label }, f);
      return c;
    };
    this.origCanvas = fig(tx.original, "vx-original");
    this.reconCanvas = fig(tx.reconstruction, "vx-reconstruction");
    this.inspectText = el("div", { class: "vx-caption", "data-testid": "vx-inspect-text", text: tx.inspect_hint }, this.inspectBox);
    this.inspectTable = el("div", { class: "vx-table" }, this.inspectBox);
    const idxRow = el("label", { class: "vx-index" }, ins);
    el("span", { text: tx.index + " " }, idxRow);
    this.indexInput = el("input", { type: "number", min: 0, max: m.n - 1, step: 1, "data-testid": "vx-index" }, idxRow);
    this.indexInput.addEventListener("change", () => {
      const v = Math.round(+this.indexInput.value);
      if (Number.isFinite(v) && v >= 0 && v < m.n) this.inspect(v, { event: performance.now(), handler: performance.now() }, true);
    });

    const pin = card(tx.pinned_title);
    this.pinCanvas = imageCanvas(pin, m.shape, 112, "vx-pinned-image");
    this.pinInfo = el("div", { class: "vx-caption", "data-testid": "vx-pinned-info", text: tx.pinned_hint }, pin);

    // a drawing becomes the inspected point: encoded in the browser (encoders fetched at the first stroke)
    if (data.main.encoder && m.decoder) {
      const dc = el("div", { class: "vx-card vx-mapdraw" }, drawSlot);
      el("div", { class: "vx-title", text: tx.map_draw_title }, dc);
      const drow = el("div", { class: "vx-trio-out" }, dc);
      const padBox = el("div", {}, drow);
      this.drawPad = new DrawingPad(padBox, { size: 168, tx, testid: "vx-map-draw", onChange: (t0) => this.drawingChanged(t0) });
      el("div", { class: "vx-caption", text: tx.map_draw_hint }, drow);
    }
  }

  // The pad changed: encode the drawing with the main model (and each trio model), show it as the inspected
  // point: star and σ ellipses on the maps, the drawing and its reconstruction in the inspector. Nothing is
  // reported to Python (a drawing is no test index).
  drawingChanged(t0) {
    if (!this.encodersReady) {
      const specs = [this.data.main, ...(this.data.trio || [])];
      this.encodersReady = Promise.all(specs.map((s) => (s.missing ? null : loadEncoder(s.encoder))))
        .then(([main, ...trio]) => { this.encoders = { main, trio }; });
    }
    if (!this.encoders) { this.encodersReady.then(() => this.drawingChanged(t0)); return; }
    const m = this.main;
    if (this.drawPad.empty || !this.encoders.main) {
      this.drawn = null;
    } else {
      const x = this.drawPad.image(m.shape);
      const code = (model, enc) => {
        if (!enc) return null;
        const { mu, logvar } = enc.encode(x);
        const z = Array.from(mu);
        return { mu: z, logvar: logvar ? Array.from(logvar) : null, xy: model.project(z) };
      };
      this.drawn = { x, ...code(m, this.encoders.main) };
      this.trio.forEach((tm, k) => { if (tm) tm.drawn = code(tm, this.encoders.trio[k]); });
    }
    this.refreshInspector();
    this.linkTrio(null, null, -1);
    this.redrawOverlays();
    if (t0 && this.drawn) record("map_draw", t0.event, { handler: t0.handler });
  }

  // pointer handling on one panel: move = hover-decode, press+move = same, click = inspect or pin
  wire(panel) {
    const gd = panel.gd;
    gd.style.touchAction = "none";
    let down = null;
    const move = (e) => {
      const t0 = { event: inputTime(e), handler: performance.now() };
      const xy = panel.toData(e.clientX, e.clientY);
      if (!xy) { this.hoverOut(panel); return; }
      this.hoverAt(panel, xy, panel.hit(e.clientX, e.clientY), t0);
    };
    // While a button is pressed, Plotly covers the page with its own drag layer: follow the pointer on
    // window until it is released (that is also what makes a press-and-drag decode continuously).
    const dragMove = (e) => move(e);
    const up = (e) => {
      window.removeEventListener("pointermove", dragMove, true);
      window.removeEventListener("pointerup", up, true);
      if (!down) return;
      const moved = Math.hypot(e.clientX - down[0], e.clientY - down[1]);
      down = null;
      if (moved > CLICK_SLOP) return;
      const t0 = { event: inputTime(e), handler: performance.now() };
      const i = panel.hit(e.clientX, e.clientY);
      if (i >= 0) { this.inspect(i, t0, true); return; }
      const xy = panel.toData(e.clientX, e.clientY);
      if (xy && panel === this.panel) this.pin(xy, t0, true);
    };
    gd.addEventListener("pointermove", (e) => { if (!down) move(e); }, true);
    gd.addEventListener("pointerleave", () => { if (!down) this.hoverOut(panel); });
    gd.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      down = [e.clientX, e.clientY];
      window.addEventListener("pointermove", dragMove, true);
      window.addEventListener("pointerup", up, true);
      move(e);
    }, true);
  }

  hoverAt(panel, xy, near, t0) {
    const m = panel.model;
    this.hoverIndex = near >= 0 ? near : null;
    if (panel === this.panel) {
      const z = m.codeAt(xy[0], xy[1]);
      if (m.decoder) {
        drawImage(this.hoverCanvas, m.decoder.decode(z));
        record("hover", t0.event, { handler: t0.handler });
        const zs = Array.from(z, (v) => fmt(v)).join(", ");
        let info = fill(this.data.text.hover_code, { z: zs });
        if (near >= 0) info += " · " + fill(this.data.text.nearest, { i: near, label: m.labelName(near) });
        this.hoverInfo.textContent = info;
      } else if (near >= 0) {
        const r = m.reconstruction(near);
        if (r) drawImage(this.hoverCanvas, r);
      }
    }
    this.cursor = { panel, xy };
    this.linkTrio(panel, xy, near);
    this.redrawOverlays();
  }

  hoverOut(panel) {
    if (this.cursor && this.cursor.panel === panel) this.cursor = null;
    this.hoverIndex = null;
    this.linkTrio(null, null, -1);
    this.redrawOverlays();
  }

  // the trio's outputs follow the hovered image (three reconstructions) or, on shared coordinates, the
  // hovered code (three decodings); otherwise the inspected image
  linkTrio(panel, xy, near) {
    const tx = this.data.text;
    const idx = near >= 0 ? near : (this.inspected !== null ? this.inspected : null);
    const shared = this.data.shared && panel && xy && (panel === this.panel ? this.main.method === "native" : true);
    for (const p of this.trioPanels) {
      const m = p.model;
      if (near < 0 && shared && m.decoder) {
        drawImage(p.outCanvas, m.decoder.decode([xy[0], xy[1]]));
        p.outInfo.textContent = fill(tx.trio_decoding, { x: fmt(xy[0]), y: fmt(xy[1]) });
      } else if (near < 0 && this.drawn && m.drawn && m.decoder) {
        drawImage(p.outCanvas, m.decoder.decode(m.drawn.mu));
        p.outInfo.textContent = tx.trio_drawing;
      } else if (idx !== null && idx < m.n) {
        const r = m.reconstruction(idx);
        if (r) drawImage(p.outCanvas, r);
        p.outInfo.textContent = fill(tx.trio_recon, { i: idx });
      } else {
        clearImage(p.outCanvas);
        p.outInfo.textContent = "";
      }
    }
  }

  redrawOverlays() {
    const hl = this.hoverIndex !== null ? this.hoverIndex : null;
    const m = this.main, dr = this.drawn, i = dr ? null : this.inspected;
    let ellipses = null;
    if (i !== null && m.variational && m.method !== "tsne") ellipses = [1, 2].map((k) => contour(m.xs[i], m.ys[i], m.cov(i), k, 48));
    // a drawing: its code's star on every map, with its σ ellipses (1, 2, 3σ) where the model has a σ
    const drawnMarks = (model, c) => (c ? {
      point: c.xy,
      pointEllipses: c.logvar && model.method !== "tsne" ? [1, 2, 3].map((k) => contour(c.xy[0], c.xy[1], model.covOf(c.logvar), k, 48)) : null,
    } : {});
    for (const p of [this.panel, ...this.trioPanels]) {
      if (!p) continue;
      const main = p === this.panel;
      p.drawOverlay({
        cursor: this.cursor && this.cursor.panel === p ? this.cursor.xy : null, highlight: hl, inspected: i,
        ellipses: main ? ellipses : null, pinned: main && this.pinned ? this.pinned.xy : null,
        ...(dr ? drawnMarks(p.model, main ? dr : p.model.drawn) : {}),
      });
    }
  }

  inspect(i, t0, report) {
    this.inspected = i;
    this.drawn = null;
    this.refreshInspector();
    this.linkTrio(null, null, -1);
    this.redrawOverlays();
    if (t0 !== null) record("inspect", t0.event, { handler: t0.handler });
    if (report) this.report("inspected", i);
  }

  refreshInspector() {
    const m = this.main, tx = this.data.text, i = this.inspected, p = this.panel, dr = this.drawn;
    if (!p || !p.Plotly) return;
    if (!dr && (i === null || i === undefined || i >= m.n)) return;
    const hw = m.shape[0] * m.shape[1];
    drawImage(this.origCanvas, dr ? dr.x : row(m.ts.images, i, hw));
    const r = dr ? m.decoder.decode(dr.mu) : m.reconstruction(i);
    if (r) drawImage(this.reconCanvas, r);
    if (!dr) this.indexInput.value = i;
    const mu = dr ? dr.mu : row(m.ts.mu, i, m.d);
    let text = dr ? tx.inspect_drawing : fill(tx.inspect_label, { i, label: m.labelName(i) });
    const head = Array.from({ length: m.d }, (_, j) => `<th>z${j + 1}</th>`).join("");
    const cells = (a) => Array.from(a, (v) => `<td>${fmt(v, 3)}</td>`).join("");
    let rows = "";
    if (m.variational) {
      const lv = dr ? dr.logvar : row(m.ts.logvar, i, m.d), sig = Array.from(lv, (v) => Math.exp(0.5 * v));
      rows = `<tr><th>${tx.mu}</th>${cells(mu)}</tr><tr><th>${tx.sigma}</th>${cells(sig)}</tr>`;
      text += " · " + fill(tx.kl, { kl: fmt(klOf(mu, lv)), mean: fmt(m.klMean) });
    } else {
      rows = `<tr><th>${tx.code}</th>${cells(mu)}</tr>`;
      text += " · " + tx.ae_no_sigma;
    }
    this.inspectText.textContent = text;
    this.inspectTable.innerHTML = `<table><tr><th></th>${head}</tr>${rows}</table>`;
  }

  pin(xy, t0, report) {
    const m = this.main;
    this.pinned = { xy: xy.slice(), z: Array.from(m.codeAt(xy[0], xy[1])) };
    this.refreshPinned();
    this.redrawOverlays();
    if (t0 !== null) record("pin", t0.event, { handler: t0.handler });
    if (report) this.report("pinned", this.pinned.z.map((v) => Math.round(v * 1e4) / 1e4));
  }

  refreshPinned() {
    const m = this.main, tx = this.data.text, p = this.panel;
    if (!p || !p.Plotly || !this.pinned) return;
    const zs = this.pinned.z.map((v) => fmt(v)).join(", ");
    if (m.decoder) {
      drawImage(this.pinCanvas, m.decoder.decode(this.pinned.z));
      this.pinInfo.textContent = fill(tx.pinned_code, { z: zs });
    } else {
      this.pinInfo.textContent = fill(tx.pinned_code, { z: zs }) + " · " + tx.server_decoding;
    }
  }

  // what Python sends back: the inspected index / pinned code it holds (from the URL, or our own echo),
  // and, for decoders the browser cannot run, the server's decoding of the pinned code
  applyServerState(data, first) {
    const m = this.main;
    if (!m) return;
    if (Number.isInteger(data.inspected) && data.inspected !== this.inspected && (first || data.inspected_from_server)) {
      this.inspect(data.inspected, null, false);
    }
    const pxy = data.pinned_xy, samePin = this.pinned && pxy && this.pinned.xy[0] === pxy[0] && this.pinned.xy[1] === pxy[1];
    if ((first || data.pinned_from_server) && Array.isArray(pxy) && pxy.length === 2 && !samePin) this.pin(pxy, null, false);
    if (data.server_pinned && !m.decoder && this.pinCanvas) {
      drawImage(this.pinCanvas, Uint8Array.from(data.server_pinned));
    }
  }

  // What the prior / σ-ellipse toggles put on the main map: {prior: circles shown, ellipses: [xs, ys]} (one
  // 1σ ellipse for every n/N_ELLIPSES-th test image; none for an AE or on t-SNE, whose axes have no σ)
  overlayTraces() {
    const m = this.main, xs = [], ys = [];
    if (this.overlays.ellipses && m.variational && m.method !== "tsne") {
      const step = Math.max(1, Math.floor(m.n / N_ELLIPSES));
      for (let i = 0; i < m.n; i += step) ellipse(m.xs[i], m.ys[i], m.cov(i), 1, 32, xs, ys);
    }
    return { prior: this.overlays.prior && m.method === "native", ellipses: [xs, ys] };
  }

  // a toggle changed: restyle the drawn map (the prior circles are its first three traces, on native axes only)
  applyOverlays() {
    const m = this.main, p = this.panel;
    if (!p.Plotly) return;
    const ov = this.overlayTraces();
    if (m.method === "native") p.Plotly.restyle(p.gd, { visible: ov.prior }, [0, 1, 2]);
    p.setTrace(p.ellipseTrace, ...ov.ellipses);
    this.applyManifold();
  }

  applyManifold() {
    if (this.overlays.manifold) this.drawManifold(); else this.manifoldBox.replaceChildren();
  }

  // an N×N grid of codes evenly spread over the visible region, decoded (top row = largest y)
  drawManifold() {
    const m = this.main, tx = this.data.text;
    if (!m.decoder || m.method === "tsne") return;
    const [xa, ya] = this.panel.axes();
    const [x0, x1] = xa.range, [y0, y1] = ya.range, [h, w] = m.shape, N = MANIFOLD_N;
    this.manifoldBox.replaceChildren();
    el("div", { class: "vx-subtitle", text: tx.manifold_title }, this.manifoldBox);
    const c = el("canvas", { class: "vx-grid", width: N * w, height: N * h, "data-testid": "vx-manifold" }, this.manifoldBox);
    const ctx = c.getContext("2d"), img = ctx.createImageData(N * w, N * h), px = new Uint32Array(img.data.buffer);
    for (let r = 0; r < N; r++) {
      for (let q = 0; q < N; q++) {
        const x = x0 + (x1 - x0) * q / (N - 1), y = y1 - (y1 - y0) * r / (N - 1);
        const p = m.decoder.decode(m.codeAt(x, y));
        for (let a = 0; a < h; a++) {
          for (let b = 0; b < w; b++) {
            const g = (p[a * w + b] * 255 + 0.5) | 0;
            px[(r * h + a) * N * w + q * w + b] = 0xff000000 | (g << 16) | (g << 8) | g;
          }
        }
      }
    }
    ctx.putImageData(img, 0, 0);
    el("div", { class: "vx-caption", text: fill(tx.manifold_caption, { n: N }) }, this.manifoldBox);
  }

  report(name, value) {
    if (this.setStateValue) this.setStateValue(name, value);
  }
}
