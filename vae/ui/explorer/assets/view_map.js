// The latent map view: the test set's μ drawn by Plotly; hover (or drag) anywhere decodes the code under
// the cursor in the browser; a click on a dot inspects that image (original, reconstruction, μ, σ, KL,
// σ ellipse); a click on an empty place pins that code. The AE | VAE | β-VAE maps below are linked:
// the same test image is highlighted in all, with the three reconstructions, or, when the maps share
// their coordinates (native 2-D), the three decodings of the hovered code. Only the inspected index and
// the pinned code go back to Python, once per click.
import {
  G, clearImage, drawImage, el, fill, fmt, imageCanvas, inputTime, loadPlotly, mark, record, row, serialUpdate,
} from "./core.js";
import { ellipse, contour } from "./geometry.js";
import { PlotPanel, range } from "./map_panel.js";
import { ModelOnMap, klOf, loadEncoder } from "./model.js";
import { DrawingPad } from "./pad.js";
import { exportCanvasGrid, exportMenu } from "./export.js";

const CLICK_SLOP = 5;      // px a press may move and still be a click
const MANIFOLD_N = 15;
const N_ELLIPSES = 100;

function nextFrame() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
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
      const p = new PlotPanel(col, model, { height: 300, markerSize: 4, text: tx, axis: t.axis,
                                            prior: !!data.trio_prior, small: true, title: t.title, testid: `vx-trio-map-${k}`,
                                            export: t.export });
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
    const isNative = m.method === "native", approx = !m.exact;  // t-SNE, UMAP: no inverse, no σ on the axes
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
    toggle("ellipses", tx.overlay_ellipses, m.variational && !approx);
    toggle("manifold", tx.overlay_manifold, !approx && !!m.decoder);
    if (data.main.note) el("div", { class: "vx-caption", text: data.main.note }, this.root);

    const rowEl = el("div", { class: "vx-row" }, this.root);
    const left = el("div", { class: "vx-left" }, rowEl);
    const side = el("div", { class: "vx-side" }, rowEl);
    this.panel = new PlotPanel(left, m, { height: 560, markerSize: 5, text: tx, axis: data.main.axis,
                                          prior: isNative, testid: "vx-main-map", export: data.main.export });
    const drawSlot = el("div", {}, left);  // under the map: the pad must not move when the inspector fills in
    this.manifoldBox = el("div", { class: "vx-manifold" }, left);

    // side: under the cursor, inspector, pinned code
    const card = (title) => {
      const c = el("div", { class: "vx-card" }, side);
      el("div", { class: "vx-title", text: title }, c);
      return c;
    };
    const hov = card(approx ? tx.hover_title_tsne : tx.hover_title);
    this.hoverCanvas = imageCanvas(hov, m.shape, 168, "vx-hover-image");
    this.hoverInfo = el("div", { class: "vx-caption", "data-testid": "vx-hover-info", text: m.decoder ? tx.hover_hint : tx.no_browser_decoder }, hov);
    if (approx) el("div", { class: "vx-caption vx-warn", text: tx[`${m.method}_note`] || tx.tsne_note }, hov);

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
    if (i !== null && m.variational && m.exact) ellipses = [1, 2].map((k) => contour(m.xs[i], m.ys[i], m.cov(i), k, 48));
    // a drawing: its code's star on every map, with its σ ellipses (1, 2, 3σ) where the model has a σ
    const drawnMarks = (model, c) => (c ? {
      point: c.xy,
      pointEllipses: c.logvar && model.exact ? [1, 2, 3].map((k) => contour(c.xy[0], c.xy[1], model.covOf(c.logvar), k, 48)) : null,
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
    if (this.overlays.ellipses && m.variational && m.exact) {
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
    if (!m.decoder || !m.exact) return;
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
    const cols = Array.from({ length: N }, (_, q) => fmt(x0 + (x1 - x0) * q / (N - 1), 1));
    const rows = Array.from({ length: N }, (_, r) => fmt(y1 - (y1 - y0) * r / (N - 1), 1));
    exportMenu(this.manifoldBox, tx, (o) => exportCanvasGrid(c, { stem: this.data.main.export_grid, title: tx.manifold_title,
                                                                  rowLabels: rows, colLabels: cols, opts: o }),
               { vector: false, testid: "vx-manifold-export" }).classList.add("vx-gridexport");
  }

  report(name, value) {
    if (this.setStateValue) this.setStateValue(name, value);
  }
}
