// Figure export in the browser (issue #25): a small "Export" menu on each Plotly map (PNG 2×, PNG at a chosen
// width, SVG; white or transparent background; a "projector" style with larger fonts and thicker lines) and on
// the canvas grids (PNG with their labels). Plotly renders the copy itself (Plotly.toImage): no server renderer.
// File names come from Python (vae/ui/export.py: file_name, sent as each figure's `export` stem); the browser
// only appends the extension (and, for the film, the frame's epoch: fileName below).
import { el } from "./core.js";

export const MAX_WIDTH = 3840;
const SCALE = 2;
const PROJECTOR_FONT = 1.7, PROJECTOR_LINE = 2;
const G = (window.__vaeExplorer = window.__vaeExplorer || {});

// the browser's half of vae.ui.export.file_name: a stem from Python, extra parts slugged the same way
export function fileName(stem, ext, extra) {
  const slug = (s) => String(s).trim().toLowerCase().replace(/β/g, "beta").replace(/[^a-z0-9.+-]+/g, "-").replace(/^[-.]+|[-.]+$/g, "");
  const parts = [stem || "figure", ...(extra || []).map(slug)].filter(Boolean);
  return parts.join("_") + "." + ext;
}

function save(url, name) {
  const a = el("a", { href: url, download: name });
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  G.lastExport = { name, at: performance.now() };
}

const clone = (o) => JSON.parse(JSON.stringify(o || {}));

// A copy of a drawn Plotly figure styled for export: current axes (zoom), background, projector style.
// `extra` traces join the copy (what the view draws on its overlay canvas, e.g. the film's dots).
export function exportFigure(gd, opts, extra) {
  const data = gd.data.map((tr) => clone(tr)).concat(extra || []);
  const layout = clone(gd.layout);
  const fl = gd._fullLayout;
  for (const ax of ["xaxis", "yaxis"]) {
    if (fl && fl[ax] && layout[ax]) layout[ax].range = fl[ax].range.slice();
  }
  const white = opts.background !== "transparent";
  layout.paper_bgcolor = white ? "#fff" : "rgba(0,0,0,0)";
  layout.plot_bgcolor = white ? "#fff" : "rgba(0,0,0,0)";
  layout.font = { ...(layout.font || {}), color: "#222" };
  if (opts.projector) {
    const f = (o, base) => ({ ...(o || {}), size: Math.round(((o && o.size) || base) * PROJECTOR_FONT) });
    layout.font = f(layout.font, 12);
    if (layout.title) layout.title = { ...layout.title, font: f(layout.title.font, 17) };
    if (layout.legend) layout.legend = { ...layout.legend, font: f(layout.legend.font, 12) };
    for (const k of Object.keys(layout).filter((k) => /^[xy]axis\d*$/.test(k))) {
      const ax = layout[k];
      ax.tickfont = f(ax.tickfont, 12);
      if (ax.title) ax.title = typeof ax.title === "string" ? { text: ax.title, font: f(null, 14) } : { ...ax.title, font: f(ax.title.font, 14) };
    }
    const m = layout.margin || {};
    layout.margin = { l: Math.max(m.l || 0, 80), r: Math.max(m.r || 0, 20), t: Math.max(m.t || 0, 50), b: Math.max(m.b || 0, 70) };
    for (const tr of data) {
      if (tr.line) tr.line.width = ((tr.line.width === undefined ? 2 : tr.line.width)) * PROJECTOR_LINE;
      if (tr.marker && typeof tr.marker.size === "number") tr.marker.size *= PROJECTOR_LINE / 1.3;
    }
  }
  return { data, layout, config: { staticPlot: true } };
}

// Export a drawn Plotly chart: {format: "png" | "svg", width: null (2×) or px, background, projector}.
export async function exportPlot(Plotly, gd, stem, opts, extra, extraName) {
  const fl = gd._fullLayout;
  const w = Math.round(fl.width), h = Math.round(fl.height);
  const fig = exportFigure(gd, opts, extra);
  fig.layout.width = w;
  fig.layout.height = h;
  let scale = 1;
  if (opts.format === "png") {
    // +0.5 px: the canvas truncates width × scale, which must not fall a hair under the chosen width
    scale = opts.width ? (Math.min(opts.width, MAX_WIDTH) + 0.5) / w : SCALE;
  }
  const url = await Plotly.toImage(fig, { format: opts.format, width: w, height: h, scale });
  save(url, fileName(stem, opts.format, extraName));
  return url;
}

// A canvas grid (the walk's traversal and interpolation, the map's decoded grid) as a PNG with its labels:
// the tiles enlarged `scale` times (nearest neighbour), column labels above, row labels on the left.
export function exportCanvasGrid(canvas, { stem, title, rowLabels, colLabels, opts, extraName }) {
  const cw = canvas.width, ch = canvas.height;
  const target = opts.width ? Math.min(opts.width, MAX_WIDTH) : null;
  const shown = canvas.getBoundingClientRect().width || cw;  // 2×: twice the grid's size on screen
  const k = target ? Math.max(1, Math.floor(target / cw)) : Math.max(SCALE, Math.round(SCALE * shown / cw));
  const font = Math.round((opts.projector ? 15 * PROJECTOR_FONT : 15) * Math.max(1, k / 4));
  const probe = document.createElement("canvas").getContext("2d");
  probe.font = `${font}px sans-serif`;
  const gap = Math.round(font / 2);
  const left = (rowLabels || []).length ? Math.max(...rowLabels.map((r) => probe.measureText(r).width)) + 2 * gap : gap;
  const top = gap + (title ? font + gap : 0) + ((colLabels || []).length ? font + gap : 0);
  const W = Math.ceil(left + cw * k + gap), H = Math.ceil(top + ch * k + gap);
  const out = el("canvas", { width: W, height: H });
  const c = out.getContext("2d");
  if (opts.background !== "transparent") { c.fillStyle = "#fff"; c.fillRect(0, 0, W, H); }
  c.imageSmoothingEnabled = false;
  c.drawImage(canvas, left, top, cw * k, ch * k);
  c.fillStyle = "#222";
  c.font = `${font}px sans-serif`;
  if (title) { c.textAlign = "left"; c.textBaseline = "top"; c.fillText(title, gap, gap); }
  c.textBaseline = "bottom";
  c.textAlign = "center";
  (colLabels || []).forEach((s, i) => c.fillText(s, left + (i + 0.5) * cw * k / colLabels.length, top - gap / 2));
  c.textBaseline = "middle";
  c.textAlign = "right";
  (rowLabels || []).forEach((s, i) => c.fillText(s, left - gap, top + (i + 0.5) * ch * k / rowLabels.length));
  const url = out.toDataURL("image/png");
  save(url, fileName(stem, "png", extraName));
  return url;
}

// The menu: <details> with the formats as buttons and the options (background, projector). `run(opts)` does the
// export; `vector` false hides SVG (canvas grids). The options are shared by all menus of the page.
const OPTS = G.exportOpts || (G.exportOpts = { background: "white", projector: false, width: 1920 });

export function exportMenu(parent, tx, run, { vector = true, testid = "vx-export" } = {}) {
  const box = el("details", { class: "vx-export", "data-testid": testid }, parent);
  el("summary", { text: "⤓ " + (tx.export || "Export"), title: tx.export || "Export" }, box);
  const menu = el("div", { class: "vx-export-menu" }, box);
  const go = (format, width) => {
    box.removeAttribute("data-error");
    Promise.resolve(run({ format, width, background: OPTS.background, projector: OPTS.projector }))
      .then(() => { box.open = false; })
      .catch((e) => { console.error(e); box.setAttribute("data-error", String(e && e.message || e)); });
  };
  const b2 = el("button", { type: "button", "data-export": "png2x", text: tx.export_png2x || "PNG 2×" }, menu);
  b2.addEventListener("click", () => go("png", null));
  const wrow = el("div", { class: "vx-export-row" }, menu);
  const bw = el("button", { type: "button", "data-export": "pngw", text: tx.export_png_width || "PNG, width" }, wrow);
  const win = el("input", { type: "number", min: 200, max: MAX_WIDTH, step: 10, value: OPTS.width, "data-export": "width" }, wrow);
  el("span", { text: "px" }, wrow);
  // a width in range counts as it is typed: the sync below (a task after the click that opens the menu) or a menu
  // drawn again before the field's "change" then keeps it
  win.addEventListener("input", () => { const v = Math.round(+win.value); if (v >= 200 && v <= MAX_WIDTH) OPTS.width = v; });
  win.addEventListener("change", () => { OPTS.width = Math.min(MAX_WIDTH, Math.max(200, Math.round(+win.value) || 1920)); win.value = OPTS.width; });
  bw.addEventListener("click", () => go("png", Math.min(MAX_WIDTH, Math.max(200, Math.round(+win.value) || OPTS.width))));
  if (vector) {
    const bs = el("button", { type: "button", "data-export": "svg", text: tx.export_svg || "SVG" }, menu);
    bs.addEventListener("click", () => go("svg", null));
  }
  const brow = el("label", { class: "vx-export-row" }, menu);
  el("span", { text: tx.export_bg || "Background" }, brow);
  const sel = el("select", { "data-export": "background" }, brow);
  for (const v of ["white", "transparent"]) el("option", { value: v, text: tx["export_" + v] || v }, sel);
  sel.value = OPTS.background;
  sel.addEventListener("change", () => { OPTS.background = sel.value; });
  const prow = el("label", { class: "vx-export-row" }, menu);
  const cb = el("input", { type: "checkbox", "data-export": "projector" }, prow);
  cb.checked = OPTS.projector;
  cb.addEventListener("change", () => { OPTS.projector = cb.checked; });
  el("span", { text: tx.export_projector || "projector" }, prow);
  box.addEventListener("toggle", () => {  // another menu may have changed the shared options
    if (!box.open) return;
    sel.value = OPTS.background; cb.checked = OPTS.projector; win.value = OPTS.width;
  });
  return box;
}
