// One Plotly map of a model's test codes (one trace per label, the prior's circles, a trace for σ ellipses) with
// a transparent overlay canvas for what moves (cursor, highlights, stars, σ ellipses, pinned cross), the
// client <-> data coordinate conversions and the hit-testing of its dots; and the axes' range around models.
// The map, drawing and film views draw their maps with it.
import { COLORS, el } from "./core.js";
import { ellipse } from "./geometry.js";
import { exportMenu, exportPlot } from "./export.js";

const HIT_RADIUS = 7;      // px around a dot that counts as clicking it
const WEBGL_POINTS = 2000; // from this many dots on a map, Plotly draws them with WebGL (scattergl), not SVG
const SMALL_DOTS = 5000;   // from this many dots, each is drawn 2 px smaller (10,000 dots of 5 px hide the classes' shapes)

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
    // opts.export: the file name's stem (from Python); the menu exports a copy of the drawn map, with
    // what the view draws on its overlay when it gives exportTraces() (the film's dots)
    if (opts.export && opts.text) {
      this.exportBox = exportMenu(this.wrap, opts.text, (o) => this.exportImage(o),
                                  { testid: (opts.testid || "vx-map") + "-export" });
    }
  }

  exportImage(o) {
    if (!this.Plotly) return Promise.reject(new Error("the map is not drawn yet"));
    return exportPlot(this.Plotly, this.gd, this.opts.export, o, this.exportTraces ? this.exportTraces(o) : null,
                      this.exportName ? this.exportName() : null);
  }

  // initial: the overlay toggles' first state ({prior: bool, ellipses: [xs, ys]}), drawn by this one newPlot
  // (a restyle after it would redraw the whole map once more before the page can paint)
  async draw(Plotly, xr, yr, initial = {}) {
    const m = this.model, o = this.opts, tx = o.text;
    this.webgl = o.webgl !== undefined ? !!o.webgl : m.n >= WEBGL_POINTS;
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
        type: this.webgl ? "scattergl" : "scatter", mode: "markers", name: m.labelName(idx[0]),
        x: idx.map((i) => m.xs[i]), y: idx.map((i) => m.ys[i]), hoverinfo: "skip",
        marker: { size: m.n >= SMALL_DOTS ? Math.max(2, o.markerSize - 2) : o.markerSize, color: COLORS[lab % COLORS.length], opacity: 0.8 },
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

  // the test image whose dot lies within HIT_RADIUS px of (clientX, clientY), nearest first (of equally near
  // dots, the last drawn); -1 if none. Only the dots of the model's grid cells around the cursor are looked at.
  hit(clientX, clientY) {
    const [xa, ya] = this.axes(), m = this.model;
    if (!xa || !m.grid) return -1;
    const r = this.gd.getBoundingClientRect();
    const px = clientX - r.left - xa._offset, py = clientY - r.top - ya._offset;
    const xl = xa.p2d(px - HIT_RADIUS), xh = xa.p2d(px + HIT_RADIUS), yl = ya.p2d(py - HIT_RADIUS), yh = ya.p2d(py + HIT_RADIUS);
    let best = -1, bestD = HIT_RADIUS * HIT_RADIUS;
    m.grid.forEachNear(Math.min(xl, xh), Math.max(xl, xh), Math.min(yl, yh), Math.max(yl, yh), (i) => {
      const dx = xa.d2p(m.xs[i]) - px, dy = ya.d2p(m.ys[i]) - py, d2 = dx * dx + dy * dy;
      if (d2 < bestD || (d2 === bestD && i > best)) { bestD = d2; best = i; }
    });
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
