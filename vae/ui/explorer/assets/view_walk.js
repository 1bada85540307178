// The latent walk view: a start point (a test image's μ, the origin, or a prior sample), one live slider per
// latent dimension and a 2-D pad, all decoded in the browser on every move; the traversal grid of the most
// used dimensions and the lerp / slerp / pixel interpolation between two test images, computed in the
// browser too, so changing the start point, the two images or the step count needs no server rerun.
// Decoders the browser cannot run (conv bodies): the same controls send their settings to Python on
// release, and the server's images come back in `data.server`.
import {
  COLORS, G, drawImage, el, fill, fmt, imageCanvas, inputTime, normalRng, record, row, serialUpdate,
} from "./core.js";
import { Model, lerp, slerp } from "./model.js";
import { exportCanvasGrid, exportMenu } from "./export.js";

const TRAVERSAL = Array.from({ length: 11 }, (_, i) => -3 + 0.6 * i);
const PAD = 260;
const SUB = "₀₁₂₃₄₅₆₇₈₉";

// 1-based like the course's z = (z₁, …, z_d)
function dimName(i) {
  return "z" + String(i + 1).split("").map((c) => SUB[+c]).join("");
}

// A labelled grid of images drawn on one canvas: rows × cols tiles of h×w pixels, scaled by CSS.
// exp: {tx, stem, title, extra()}: an export menu above the grid (PNG with its row and column labels).
class Grid {
  constructor(parent, testid, exp) {
    if (exp) {
      exportMenu(parent, exp.tx, (o) => exportCanvasGrid(this.canvas, {
        stem: exp.stem, title: exp.title, rowLabels: this.rowLabels, colLabels: this.colLabels, opts: o,
        extraName: exp.extra ? exp.extra() : null,
      }), { vector: false, testid: testid + "-export" }).classList.add("vx-gridexport");
    }
    this.box = el("div", { class: "vx-gridbox" }, parent);
    this.testid = testid;
  }

  draw(tiles, rowLabels, colLabels, shape, cell) {
    const [h, w] = shape, R = rowLabels.length, C = colLabels.length;
    this.box.replaceChildren();
    const table = el("div", { class: "vx-gridtable" }, this.box);
    table.style.gridTemplateColumns = `auto ${C * cell}px`;
    el("div", {}, table);
    const head = el("div", { class: "vx-gridhead" }, table);
    head.style.gridTemplateColumns = `repeat(${C}, ${cell}px)`;
    colLabels.forEach((c) => el("span", { text: c }, head));
    const labels = el("div", { class: "vx-gridlabels" }, table);
    labels.style.gridTemplateRows = `repeat(${R}, ${cell}px)`;
    rowLabels.forEach((r) => el("span", { text: r }, labels));
    const c = el("canvas", { class: "vx-grid", width: C * w, height: R * h, "data-testid": this.testid }, table);
    c.style.width = C * cell + "px";
    c.style.height = R * cell + "px";
    const ctx = c.getContext("2d"), img = ctx.createImageData(C * w, R * h), px = new Uint32Array(img.data.buffer);
    for (let r = 0; r < R; r++) {
      for (let q = 0; q < C; q++) {
        const p = tiles[r * C + q];
        if (!p) continue;
        const bytes = p instanceof Uint8Array;
        for (let a = 0; a < h; a++) {
          for (let b = 0; b < w; b++) {
            const v = p[a * w + b], g = bytes ? v : (v * 255 + 0.5) | 0;
            px[(r * h + a) * C * w + q * w + b] = 0xff000000 | (g << 16) | (g << 8) | g;
          }
        }
      }
    }
    ctx.putImageData(img, 0, 0);
    this.canvas = c;
    this.rowLabels = rowLabels;
    this.colLabels = colLabels;
  }
}

export class WalkView {
  constructor(root) {
    this.root = el("div", { class: "vx vx-walk" }, root);
    this.signature = null;
    this.randomSeed = 0;
  }

  update(data) {
    serialUpdate(this, data, (d) => this.apply(d), (e) => {
      console.error(e);
      this.status.textContent = fill(this.data.text.load_error, { detail: String(e && e.message || e) });
    });
  }

  apply(data) {
    const sig = JSON.stringify([data.model, data.text]);
    if (sig !== this.signature) {
      this.signature = sig;
      return this.build(data);
    }
    return this.applyServer(data);
  }

  async build(data) {
    const tx = data.text;
    this.root.replaceChildren();
    this.status = el("div", { class: "vx-status", "data-testid": "vx-status", text: tx.loading }, this.root);
    const model = await new Model(data.model).load();
    const dec = model.decoder;
    this.model = model;
    this.ts = model.ts;
    this.meta = model.meta;
    this.decoder = dec;
    this.n = model.n;
    this.d = model.d;
    this.shape = model.shape;
    this.hw = this.shape[0] * this.shape[1];
    this.order = model.meta.order;
    this.limit = data.limit;
    this.start = { mode: "test", index: Math.min(data.start_index || 0, this.n - 1) };
    this.a = Math.min(data.interp_a || 0, this.n - 1);
    this.b = Math.min(data.interp_b || 1, this.n - 1);
    this.steps = data.steps || 9;
    this.status.textContent = dec ? "" : tx.server_fallback;
    if (!dec) this.status.classList.add("vx-note");
    this.layout(tx);
    this.setStart(this.start, false);
    this.applyServer(data);
    this.root.setAttribute("data-ready", "1");
    G.firstWalkPaint = G.firstWalkPaint || performance.now();
  }

  layout(tx) {
    const d = this.d;
    // 1. start point
    const s1 = el("section", { class: "vx-section" }, this.root);
    el("div", { class: "vx-subtitle", text: tx.start_header }, s1);
    const startRow = el("div", { class: "vx-row" }, s1);
    const pick = el("div", { class: "vx-startpick" }, startRow);
    const mode = el("select", { "data-testid": "vx-start-mode", "aria-label": tx.start }, pick);
    [["test", tx.start_test], ["origin", tx.start_origin], ["prior", tx.start_prior]].forEach(([v, t]) => el("option", { value: v, text: t }, mode));
    const idxLab = el("label", { class: "vx-index" }, pick);
    el("span", { text: tx.index + " " }, idxLab);
    const idx = el("input", { type: "number", min: 0, max: this.n - 1, step: 1, value: this.start.index, "data-testid": "vx-start-index" }, idxLab);
    this.startCanvas = imageCanvas(startRow, this.shape, 84, "vx-start-image");
    this.startInfo = el("div", { class: "vx-caption", "data-testid": "vx-start-info" }, startRow);
    mode.addEventListener("change", () => {
      if (mode.value === "prior") this.randomSeed += 1;
      this.setStart({ mode: mode.value, index: +idx.value }, true);
    });
    idx.addEventListener("change", () => {
      const v = Math.round(+idx.value);
      if (Number.isFinite(v) && v >= 0 && v < this.n) { mode.value = "test"; this.setStart({ mode: "test", index: v }, true); }
    });
    this.modeSelect = mode;
    this.indexInput = idx;

    // 2. sliders + pad + decoded image
    const s2 = el("section", { class: "vx-section" }, this.root);
    el("div", { class: "vx-subtitle", text: tx.sliders_header }, s2);
    if (tx.sliders_help) el("div", { class: "vx-caption", text: tx.sliders_help }, s2);
    const main = el("div", { class: "vx-row" }, s2);
    const bank = el("div", { class: "vx-bank" }, main);
    const buttons = el("div", { class: "vx-buttons" }, bank);
    const reset = el("button", { type: "button", text: tx.reset, "data-testid": "vx-reset" }, buttons);
    reset.addEventListener("click", () => { this.z = this.z0.slice(); this.sync(); this.render(performance.now()); this.released(); });
    const rnd = el("button", { type: "button", text: tx.random, "data-testid": "vx-random" }, buttons);
    rnd.addEventListener("click", () => {
      this.randomSeed += 1;
      const g = normalRng(1000 + this.randomSeed);
      this.z = Array.from({ length: d }, () => g());
      this.sync(); this.render(performance.now()); this.released();
    });
    const list = el("div", { class: "vx-sliders", "data-testid": "vx-sliders" }, bank);
    this.sliders = {};
    this.values = {};
    for (const dim of this.order) {
      const r = el("label", { class: "vx-slider" }, list);
      const name = this.meta.score_name ? `${dimName(dim)} · ${tx["score_" + this.meta.score_name]} ${fmt(this.meta.score[dim])}` : dimName(dim);
      el("span", { class: "vx-slabel", text: name }, r);
      const s = el("input", { type: "range", min: -this.limit, max: this.limit, step: 0.01, "data-dim": dim, "aria-label": name }, r);
      const v = el("span", { class: "vx-svalue" }, r);
      s.addEventListener("input", (e) => {
        const t0 = inputTime(e);
        this.z[dim] = +s.value;
        v.textContent = fmt(+s.value);
        this.render(t0);
      });
      s.addEventListener("change", () => this.released());
      this.sliders[dim] = s;
      this.values[dim] = v;
    }
    const padBox = el("div", { class: "vx-padbox" }, main);
    el("div", { class: "vx-title", text: tx.pad }, padBox);
    this.padDims = [this.order[0], this.order[Math.min(1, d - 1)]];
    if (d > 2) {
      const pickDims = el("div", { class: "vx-pick" }, padBox);
      [tx.pad_x, tx.pad_y].forEach((label, a) => {
        const lab = el("label", { text: label + " " }, pickDims);
        const sel = el("select", { "data-axis": a }, lab);
        for (const dim of this.order) el("option", { value: dim, text: dimName(dim) }, sel);
        sel.value = String(this.padDims[a]);
        sel.addEventListener("change", () => { this.padDims[a] = +sel.value; this.drawPadBackground(); this.drawPad(); });
      });
    }
    const dpr = window.devicePixelRatio || 1;
    this.dpr = dpr;
    this.pad = el("canvas", { class: "vx-pad", width: PAD * dpr, height: PAD * dpr, "data-testid": "vx-pad" }, padBox);
    this.pad.style.width = this.pad.style.height = PAD + "px";
    this.padBg = document.createElement("canvas");
    this.padBg.width = this.padBg.height = PAD * dpr;
    el("div", { class: "vx-caption", text: tx.pad_caption }, padBox);
    this.drawPadBackground();
    let dragging = false;
    const onPad = (e) => {
      const t0 = inputTime(e);
      const r = this.pad.getBoundingClientRect(), L = this.limit;
      const u = (e.clientX - r.left) / r.width, w = (e.clientY - r.top) / r.height;
      this.z[this.padDims[0]] = Math.max(-L, Math.min(L, (2 * u - 1) * L));
      this.z[this.padDims[1]] = Math.max(-L, Math.min(L, (1 - 2 * w) * L));
      this.sync();
      this.render(t0);
    };
    this.pad.addEventListener("pointerdown", (e) => { this.pad.setPointerCapture(e.pointerId); dragging = true; onPad(e); });
    this.pad.addEventListener("pointermove", (e) => { if (dragging) onPad(e); });
    const end = () => { if (dragging) { dragging = false; this.released(); } };
    this.pad.addEventListener("pointerup", end);
    this.pad.addEventListener("pointercancel", end);
    const out = el("div", { class: "vx-outbox" }, main);
    el("div", { class: "vx-title", text: tx.decoded }, out);
    this.outCanvas = imageCanvas(out, this.shape, 224, "vx-walk-image");
    this.norm = el("div", { class: "vx-caption", "data-testid": "vx-norm" }, out);
    if (this.decoder) el("div", { class: "vx-caption", text: tx.browser_note }, out);

    // 3. traversal
    const s3 = el("section", { class: "vx-section" }, this.root);
    el("div", { class: "vx-subtitle", text: tx.traversal_header }, s3);
    this.rows = this.order.slice(0, Math.min(10, d));
    el("div", { class: "vx-caption", text: fill(tx.traversal_caption, { k: this.rows.length }) }, s3);
    const stems = this.data.model.export || {};
    this.traversal = new Grid(s3, "vx-traversal", { tx, stem: stems.traversal, title: tx.traversal_header });

    // 4. interpolation
    const s4 = el("section", { class: "vx-section" }, this.root);
    el("div", { class: "vx-subtitle", text: tx.interp_header }, s4);
    const ctl = el("div", { class: "vx-row vx-interp-controls" }, s4);
    const numberBox = (label, value, testid) => {
      const box = el("div", { class: "vx-interp-pick" }, ctl);
      const lab = el("label", { class: "vx-index" }, box);
      el("span", { text: label + " " }, lab);
      const input = el("input", { type: "number", min: 0, max: this.n - 1, step: 1, value, "data-testid": testid }, lab);
      const canvas = imageCanvas(box, this.shape, 64, testid + "-image");
      return [input, canvas];
    };
    [this.aInput, this.aCanvas] = numberBox(tx.interp_a, this.a, "vx-interp-a");
    [this.bInput, this.bCanvas] = numberBox(tx.interp_b, this.b, "vx-interp-b");
    const stepLab = el("label", { class: "vx-steps" }, ctl);
    el("span", { text: tx.interp_steps + " " }, stepLab);
    this.stepsInput = el("input", { type: "range", min: 3, max: 15, step: 1, value: this.steps, "data-testid": "vx-interp-steps" }, stepLab);
    this.stepsValue = el("span", { text: String(this.steps) }, stepLab);
    const onInterp = () => {
      const t0 = performance.now();
      const a = Math.round(+this.aInput.value), b = Math.round(+this.bInput.value);
      if (Number.isFinite(a) && a >= 0 && a < this.n) this.a = a;
      if (Number.isFinite(b) && b >= 0 && b < this.n) this.b = b;
      this.steps = +this.stepsInput.value;
      this.stepsValue.textContent = String(this.steps);
      this.drawInterpolation();
      record("interp", t0);
    };
    this.aInput.addEventListener("change", () => { onInterp(); this.released(); });
    this.bInput.addEventListener("change", () => { onInterp(); this.released(); });
    this.stepsInput.addEventListener("input", onInterp);
    this.stepsInput.addEventListener("change", () => this.released());
    this.interp = new Grid(s4, "vx-interpolation", { tx, stem: stems.interpolation, title: tx.interp_header,
                                                     extra: () => [`${this.a}-${this.b}`] });
    el("div", { class: "vx-caption", text: tx.interp_legend }, s4);
    this.drawInterpolation();
  }

  setStart(start, report) {
    const t0 = performance.now();
    this.start = start;
    const tx = this.data.text;
    if (start.mode === "test") {
      const i = Math.max(0, Math.min(this.n - 1, start.index | 0));
      this.z0 = Array.from(row(this.ts.mu, i, this.d));
      drawImage(this.startCanvas, row(this.ts.images, i, this.hw));
      this.startInfo.textContent = fill(tx.start_image, { index: i, label: this.model.labelName(i) });
    } else if (start.mode === "origin") {
      this.z0 = new Array(this.d).fill(0);
      this.startCanvas._vx.ctx.clearRect(0, 0, this.shape[1], this.shape[0]);
      this.startInfo.textContent = tx.origin_caption;
    } else {
      const g = normalRng(1000 + this.randomSeed);
      this.z0 = Array.from({ length: this.d }, () => g());
      this.startCanvas._vx.ctx.clearRect(0, 0, this.shape[1], this.shape[0]);
      this.startInfo.textContent = tx.prior_caption;
    }
    this.z = this.z0.slice();
    this.sync();
    this.render(t0);
    this.drawTraversal();
    record("start", t0);
    if (report) this.released();
  }

  sync() {
    for (const [dim, s] of Object.entries(this.sliders)) {
      s.value = this.z[dim];
      this.values[dim].textContent = fmt(this.z[dim]);
    }
  }

  render(t0) {
    if (this.decoder) {
      drawImage(this.outCanvas, this.decoder.decode(this.z));
      if (t0 !== null) record("walk", t0);
    }
    const norm = Math.hypot(...this.z);
    this.norm.textContent = fill(this.data.text.norm, { norm: fmt(norm), typical: fmt(Math.sqrt(this.d), 1) });
    this.drawPad();
  }

  toPad(v) { return ((v / this.limit) + 1) / 2 * PAD * this.dpr; }

  drawPadBackground() {
    const c = this.padBg.getContext("2d"), S = this.padBg.width, dpr = this.dpr, L = this.limit;
    c.fillStyle = "#fff";
    c.fillRect(0, 0, S, S);
    c.strokeStyle = "rgba(0,0,0,0.15)";
    c.lineWidth = dpr;
    c.beginPath(); c.moveTo(S / 2, 0); c.lineTo(S / 2, S); c.moveTo(0, S / 2); c.lineTo(S, S / 2); c.stroke();
    c.strokeStyle = "rgba(60,60,60,0.7)";
    [1, 2, 3].forEach((k) => {
      c.setLineDash(k === 1 ? [] : k === 2 ? [6 * dpr, 4 * dpr] : [2 * dpr, 3 * dpr]);
      c.beginPath(); c.arc(S / 2, S / 2, (k / L) * S / 2, 0, 2 * Math.PI); c.stroke();
    });
    c.setLineDash([]);
    const [dx, dy] = this.padDims, mu = this.ts.mu, d = this.d, step = Math.max(1, Math.floor(this.n / 1000));
    c.globalAlpha = 0.7;
    for (let i = 0; i < this.n; i += step) {
      c.fillStyle = COLORS[this.ts.labels[i] % COLORS.length];
      c.beginPath();
      c.arc(this.toPad(mu[i * d + dx]), S - this.toPad(mu[i * d + dy]), 1.6 * dpr, 0, 2 * Math.PI);
      c.fill();
    }
    c.globalAlpha = 1;
    c.fillStyle = "rgba(0,0,0,0.6)";
    c.font = `${11 * dpr}px sans-serif`;
    c.fillText(dimName(dx) + " →", S - 42 * dpr, S / 2 - 4 * dpr);
    c.fillText("↑ " + dimName(dy), S / 2 + 4 * dpr, 12 * dpr);
  }

  drawPad() {
    if (!this.pad) return;
    const c = this.pad.getContext("2d"), S = this.pad.width, dpr = this.dpr;
    c.drawImage(this.padBg, 0, 0);
    const x = this.toPad(this.z[this.padDims[0]]), y = S - this.toPad(this.z[this.padDims[1]]);
    c.strokeStyle = "#000";
    c.lineWidth = 1.5 * dpr;
    c.beginPath(); c.moveTo(x, 0); c.lineTo(x, S); c.moveTo(0, y); c.lineTo(S, y); c.stroke();
    c.fillStyle = "gold";
    c.beginPath(); c.arc(x, y, 6 * dpr, 0, 2 * Math.PI); c.fill(); c.stroke();
  }

  drawTraversal() {
    const tiles = [];
    if (this.decoder) {
      for (const dim of this.rows) {
        for (const v of TRAVERSAL) {
          const z = this.z0.slice();
          z[dim] = v;
          tiles.push(Float32Array.from(this.decoder.decode(z)));
        }
      }
    } else if (this.server && this.server.traversal) {
      for (const t of this.server.traversal) tiles.push(Uint8Array.from(t));
    }
    const labels = this.rows.map((dim) => dimName(dim));
    this.traversal.draw(tiles, labels, TRAVERSAL.map((v) => fmt(v, 1)), this.shape, this.rows.length <= 4 ? 64 : 44);
  }

  drawInterpolation() {
    const tx = this.data.text, n = this.steps, hw = this.hw;
    const xa = row(this.ts.images, this.a, hw), xb = row(this.ts.images, this.b, hw);
    drawImage(this.aCanvas, xa);
    drawImage(this.bCanvas, xb);
    const z0 = Array.from(row(this.ts.mu, this.a, this.d)), z1 = Array.from(row(this.ts.mu, this.b, this.d));
    const ts = Array.from({ length: n }, (_, k) => k / (n - 1));
    const tiles = [];
    if (this.decoder) {
      for (const t of ts) tiles.push(Float32Array.from(this.decoder.decode(lerp(z0, z1, t))));
      for (const t of ts) tiles.push(Float32Array.from(this.decoder.decode(slerp(z0, z1, t))));
    } else if (this.server && this.server.interp && this.server.interp.length === 2 * n) {
      for (const t of this.server.interp) tiles.push(Uint8Array.from(t));
    } else {
      for (let k = 0; k < 2 * n; k++) tiles.push(null);
    }
    for (const t of ts) {
      const p = new Float32Array(hw);
      for (let j = 0; j < hw; j++) p[j] = ((1 - t) * xa[j] + t * xb[j]) / 255;
      tiles.push(p);
    }
    this.interp.draw(tiles, [tx.lerp, tx.slerp, tx.pixel], ts.map((t) => fmt(t)), this.shape, n <= 10 ? 64 : 48);
  }

  // one message per release (never per move): the code and the controls, which Python keeps (URL state)
  // and, for decoders the browser cannot run, answers with the server's images
  released() {
    if (!this.setStateValue) return;
    this.setStateValue("walk", {
      z: this.z.map((v) => Math.round(v * 1e4) / 1e4), z0: this.z0.map((v) => Math.round(v * 1e4) / 1e4),
      start: this.start.mode === "test" ? this.start.index : null,
      a: this.a, b: this.b, steps: this.steps,
    });
  }

  applyServer(data) {
    this.server = data.server || null;
    if (this.decoder || !this.server) return;
    if (this.server.decoded) drawImage(this.outCanvas, Uint8Array.from(this.server.decoded));
    this.drawTraversal();
    this.drawInterpolation();
  }
}
