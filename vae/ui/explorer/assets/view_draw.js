// The drawing pad view: draw a digit (mouse, touch or pen) and, at every move of the pen, the AE, the VAE and
// the β-VAE encode it in the browser; each shows its reconstruction and the drawing's place on its latent
// map (the σ ellipse of q(z|x) for the VAEs); with noise added to the drawing, the denoising AE cleans it.
// Nothing goes back to Python: the server sent the encoders, decoders and maps once.
//
// The pad is the component's own canvas (not a separate drawing component): the encoders must read its
// pixels in the same page to answer within a frame, without a server round trip per stroke.
import {
  clearImage, drawImage, el, fill, fmt, imageCanvas, inputTime, klOf, loadDecoder, loadEncoder, loadPlotly, normalRng,
  record,
} from "./core.js";
import { ModelOnMap, PlotPanel, contour, range } from "./view_map.js";

const PAD = 280;                 // CSS px of the drawing pad
// MNIST's normalisation (LeCun et al. 1998): each digit was scaled to fit a 20×20 box of the 28×28 image,
// keeping its aspect ratio, then centred by its centre of mass. Strokes are about 2.8 px wide at that size
// (the test digits' mean ink: a "1" 20 px tall holds ~60 px of ink).
const BOX = 20 / 28;
const STROKE = 2.8 / 28;
const SS = 4;                    // supersampling of the rasteriser (anti-aliased edges, like MNIST's grey levels)
const MIN_EXTENT = 0.08;         // a scribble smaller than 8% of the pad is not blown up to a full digit
const NEIGHBOURS = 10;           // test codes around the drawing's code, for "among the …s"
const NOISE_SEED = 7919;

// ---- rasterising strokes like MNIST ---------------------------------------------------------------
// strokes: [[[x, y], ...], ...] in pad pixels -> Float32Array(h*w) in [0, 1] (ink = 1)
export function rasterize(strokes, shape, scratch) {
  const [h, w] = shape, side = Math.min(h, w);
  const pts = strokes.flat();
  const out = new Float32Array(h * w);
  if (!pts.length) return out;
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const [x, y] of pts) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  const lw = STROKE * side;
  const extent = Math.max(x1 - x0, y1 - y0, MIN_EXTENT * PAD);
  const s = (BOX * side - lw) / extent;
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  const ctx = scratch.getContext("2d", { willReadFrequently: true });
  if (scratch.width !== w * SS || scratch.height !== h * SS) { scratch.width = w * SS; scratch.height = h * SS; }
  const draw = (dx, dy) => {
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, w * SS, h * SS);
    ctx.strokeStyle = ctx.fillStyle = "#fff";
    ctx.lineWidth = lw * SS;
    ctx.lineCap = ctx.lineJoin = "round";
    const tx = (x) => ((x - cx) * s + w / 2 + dx) * SS, ty = (y) => ((y - cy) * s + h / 2 + dy) * SS;
    for (const st of strokes) {
      if (!st.length) continue;
      ctx.beginPath();
      if (st.length === 1) {
        ctx.arc(tx(st[0][0]), ty(st[0][1]), lw * SS / 2, 0, 2 * Math.PI);
        ctx.fill();
        continue;
      }
      st.forEach(([x, y], k) => (k ? ctx.lineTo(tx(x), ty(y)) : ctx.moveTo(tx(x), ty(y))));
      ctx.stroke();
    }
    const d = ctx.getImageData(0, 0, w * SS, h * SS).data, W = w * SS, k2 = 255 * SS * SS;
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        let sum = 0;
        for (let a = 0; a < SS; a++) {
          let p = ((i * SS + a) * W + j * SS) * 4;
          for (let b = 0; b < SS; b++, p += 4) sum += d[p];
        }
        out[i * w + j] = sum / k2;
      }
    }
  };
  draw(0, 0);
  // centre of mass to the image centre (a vector drawing shifts exactly: render again, shifted)
  let m = 0, mx = 0, my = 0;
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) { const v = out[i * w + j]; m += v; mx += v * (j + 0.5); my += v * (i + 0.5); }
  if (m > 0) {
    const dx = w / 2 - mx / m, dy = h / 2 - my / m;
    if (Math.abs(dx) > 1e-3 || Math.abs(dy) > 1e-3) draw(dx, dy);
  }
  return out;
}

// when an input happened (its time stamp) and when its handler started (benchmarks: core.js record)
function started(e) {
  return { event: inputTime(e), handler: performance.now() };
}

// x̃ = clip(x + std·ε, 0, 1), ε ~ N(0, I) from a fixed seed: one noise pattern, scaled by the slider
// (vae/denoising.py add_noise does the same on the Denoise page)
function noisy(x, eps, std, out) {
  for (let i = 0; i < x.length; i++) out[i] = Math.min(1, Math.max(0, x[i] + std * eps[i]));
  return out;
}

// the majority label among the k test images whose μ is nearest to z: [label, votes, k]
function neighbourVote(m, z, k) {
  const best = m.nearestCodes(z, k), counts = new Map();
  for (const [, i] of best) counts.set(m.ts.labels[i], (counts.get(m.ts.labels[i]) || 0) + 1);
  let top = -1, n = 0;
  for (const [lab, c] of counts) if (c > n) { top = lab; n = c; }
  return [top, n, best.length];
}

export class DrawView {
  constructor(root) {
    this.root = el("div", { class: "vx vx-draw" }, root);
    this.signature = null;
    this.strokes = [];
    this.std = 0.4;
    this.scratch = document.createElement("canvas");
  }

  update(data) {
    this.data = data;
    const sig = JSON.stringify([data.models, data.denoiser, data.text]);
    if (sig === this.signature) return;
    this.signature = sig;
    this.ready = this.build(data).catch((e) => {
      console.error(e);
      this.status.textContent = fill(data.text.load_error, { detail: String(e && e.message || e) });
      this.status.classList.add("vx-error");
    });
  }

  async build(data) {
    const tx = data.text;
    this.root.replaceChildren();
    this.status = el("div", { class: "vx-status", "data-testid": "vx-status", text: tx.loading }, this.root);
    const entries = (data.models || []).filter((e) => !e.missing);
    const models = entries.map((e) => new ModelOnMap(e));
    const nets = async (spec) => {
      if (!spec) return null;
      const [decoder, encoder] = await Promise.all([loadDecoder(spec.decoder), loadEncoder(spec.encoder)]);
      return decoder && encoder ? { decoder, encoder, label: spec.label } : null;
    };
    const den = data.denoiser;
    const [Plotly, , , denoiser, plain] = await Promise.all([
      loadPlotly(data.plotly),
      Promise.all(models.map((m) => m.load())),
      Promise.all(entries.map((e, k) => loadEncoder(e.encoder).then((enc) => { models[k].encoder = enc; }))),
      nets(den), nets(den && den.plain),
    ]);
    this.models = models;
    this.denoiser = denoiser;
    this.plainAE = plain;
    this.shape = models.length ? models[0].shape : [28, 28];
    this.hw = this.shape[0] * this.shape[1];
    this.x = new Float32Array(this.hw);
    this.xNoisy = new Float32Array(this.hw);
    const g = normalRng(NOISE_SEED);
    this.eps = Float32Array.from({ length: this.hw }, () => g());
    this.status.textContent = "";
    this.layout(tx, data);
    for (const p of this.panels) {
      const [xr, yr] = range([p.model], data.prior);  // each map its own axes: where among the digits it lands
      await p.draw(Plotly, xr, yr);
      p.onResize = () => this.drawMaps();
    }
    this.refresh(null);
    this.root.setAttribute("data-ready", "1");
  }

  layout(tx, data) {
    // top: the pad and its tools | what the encoders read, and the denoising AE on a noisy copy
    const top = el("div", { class: "vx-row" }, this.root);
    const padCard = el("div", { class: "vx-card vx-drawcard" }, top);
    el("div", { class: "vx-title", text: tx.draw_pad }, padCard);
    const dpr = window.devicePixelRatio || 1;
    this.dpr = dpr;
    this.pad = el("canvas", { class: "vx-pad vx-drawpad", width: PAD * dpr, height: PAD * dpr, "data-testid": "vx-draw-pad",
                              "aria-label": tx.draw_pad }, padCard);
    this.pad.style.width = this.pad.style.height = PAD + "px";
    const buttons = el("div", { class: "vx-buttons" }, padCard);
    const undo = el("button", { type: "button", text: tx.draw_undo, "data-testid": "vx-draw-undo" }, buttons);
    const clear = el("button", { type: "button", text: tx.draw_clear, "data-testid": "vx-draw-clear" }, buttons);
    undo.addEventListener("click", (e) => { this.strokes.pop(); this.redrawPad(); this.refresh(started(e)); });
    clear.addEventListener("click", (e) => { this.strokes = []; this.redrawPad(); this.refresh(started(e)); });
    el("div", { class: "vx-caption", text: tx.draw_hint }, padCard);
    this.wirePad();
    this.redrawPad();

    const side = el("div", { class: "vx-side" }, top);
    const seen = el("div", { class: "vx-card" }, side);
    el("div", { class: "vx-title", text: tx.draw_input }, seen);
    this.inputCanvas = imageCanvas(seen, this.shape, 112, "vx-draw-input");
    if (this.denoiser) {
      const box = el("div", { class: "vx-card", "data-testid": "vx-draw-denoise" }, side);
      el("div", { class: "vx-title", text: tx.draw_denoise_title }, box);
      const ctl = el("label", { class: "vx-steps" }, box);
      el("span", { text: tx.draw_noise + " " }, ctl);
      const slider = el("input", { type: "range", min: 0, max: 0.8, step: 0.05, value: this.std, "data-testid": "vx-draw-noise",
                                   "aria-label": tx.draw_noise }, ctl);
      const value = el("span", { class: "vx-svalue", text: fmt(this.std) }, ctl);
      slider.addEventListener("input", (e) => {
        this.std = +slider.value;
        value.textContent = fmt(this.std);
        this.refresh(started(e));
      });
      const pics = el("div", { class: "vx-pics" }, box);
      const fig = (label, testid) => {
        const f = el("figure", {}, pics);
        const c = imageCanvas(f, this.shape, 96, testid);
        el("figcaption", { text: label }, f);
        return c;
      };
      this.noisyCanvas = fig(tx.draw_noisy, "vx-draw-noisy");
      this.denoisedCanvas = fig(tx.draw_denoised, "vx-draw-denoised");
      if (this.plainAE) this.plainCanvas = fig(tx.draw_plain_ae, "vx-draw-plain");
      const names = [this.denoiser.label, ...(this.plainAE ? [this.plainAE.label] : [])].join(", ");
      el("div", { class: "vx-caption", text: fill(tx.draw_denoise_caption, { noise: fmt(data.denoiser.noise) }) + ` (${names})` }, box);
    }

    // below: one column per model, its map with the drawing's code (σ ellipses for the VAEs), its reconstruction
    const cols = el("div", { class: "vx-cols vx-drawcols" }, this.root);
    this.panels = [];
    let k = 0;
    (data.models || []).forEach((e, col) => {
      const c = el("div", { class: "vx-col" }, cols);
      if (e.missing) {
        el("div", { class: "vx-title", text: e.title }, c);
        el("div", { class: "vx-caption", text: e.missing }, c);
        return;
      }
      const m = this.models[k++];
      const p = new PlotPanel(c, m, { height: 300, webgl: false, markerSize: 4, text: tx, axis: e.axis, prior: !!data.prior,
                                      small: true, title: e.title, testid: `vx-draw-map-${col}` });
      el("div", { class: "vx-caption", text: e.label }, c);
      const out = el("div", { class: "vx-trio-out" }, c);
      p.outCanvas = imageCanvas(out, m.shape, 84, `vx-draw-recon-${col}`);
      p.info = el("div", { class: "vx-caption", "data-testid": `vx-draw-info-${col}` }, out);
      if (!m.encoder) el("div", { class: "vx-caption vx-warn", text: tx.draw_no_encoder }, c);
      this.panels.push(p);
    });
  }

  // pointer events: mouse, touch and pen alike; every move re-encodes (coalesced events give the full path)
  wirePad() {
    const pad = this.pad;
    let drawing = false;
    const at = (e) => {
      const r = pad.getBoundingClientRect();
      return [(e.clientX - r.left) * PAD / r.width, (e.clientY - r.top) * PAD / r.height];
    };
    pad.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      const t0 = started(e);
      e.preventDefault();
      pad.setPointerCapture(e.pointerId);
      drawing = true;
      this.strokes.push([at(e)]);
      this.redrawPad();
      this.refresh(t0);
    });
    pad.addEventListener("pointermove", (e) => {
      if (!drawing) return;
      const t0 = started(e);
      const st = this.strokes[this.strokes.length - 1];
      const evs = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
      for (const ev of (evs.length ? evs : [e])) st.push(at(ev));
      this.redrawPad();
      this.refresh(t0);
    });
    const end = () => { drawing = false; };
    pad.addEventListener("pointerup", end);
    pad.addEventListener("pointercancel", end);
  }

  redrawPad() {
    const c = this.pad.getContext("2d"), dpr = this.dpr;
    c.setTransform(dpr, 0, 0, dpr, 0, 0);
    c.fillStyle = "#000";
    c.fillRect(0, 0, PAD, PAD);
    c.strokeStyle = c.fillStyle = "#fff";
    c.lineWidth = 18;
    c.lineCap = c.lineJoin = "round";
    for (const st of this.strokes) {
      c.beginPath();
      if (st.length === 1) { c.arc(st[0][0], st[0][1], 9, 0, 2 * Math.PI); c.fill(); continue; }
      st.forEach(([x, y], k) => (k ? c.lineTo(x, y) : c.moveTo(x, y)));
      c.stroke();
    }
  }

  // encode the drawing with every model, decode its code, place it on the maps; then the denoiser
  refresh(t0) {
    const tx = this.data.text, empty = !this.strokes.length;
    this.x.set(rasterize(this.strokes, this.shape, this.scratch));
    drawImage(this.inputCanvas, this.x);
    this.codes = [];
    for (const p of this.panels) {
      const m = p.model;
      if (empty || !m.encoder) {
        clearImage(p.outCanvas);
        p.info.textContent = empty ? tx.draw_empty : "";
        this.codes.push(null);
        continue;
      }
      const { mu, logvar } = m.encoder.encode(this.x);
      const z = Array.from(mu), lv = logvar ? Array.from(logvar) : null;
      drawImage(p.outCanvas, m.decoder.decode(z));
      const [lab, votes, k] = neighbourVote(m, z, NEIGHBOURS);
      const name = lab >= 0 && lab < m.meta.label_names.length ? m.meta.label_names[lab] : String(lab);
      let info = fill(tx.draw_neighbours, { label: name, n: votes, k });
      if (lv) {
        const sig = lv.map((v) => Math.exp(0.5 * v));
        info += " · " + (sig.length <= 4 ? `σ = (${sig.map((v) => fmt(v)).join(", ")})`
          : fill(tx.draw_sigma_mean, { s: fmt(sig.reduce((a, b) => a + b, 0) / sig.length) }));
        info += " · " + fill(tx.draw_kl, { kl: fmt(klOf(z, lv)) });
      }
      p.info.textContent = info;
      this.codes.push({ mu: z, logvar: lv, xy: m.project(z), label: lab });
    }
    this.drawMaps();
    if (this.denoiser) {
      const den = this.denoiser;
      noisy(this.x, this.eps, this.std, this.xNoisy);
      if (empty) {
        [this.noisyCanvas, this.denoisedCanvas, this.plainCanvas].forEach((c) => c && clearImage(c));
      } else {
        drawImage(this.noisyCanvas, this.xNoisy);
        drawImage(this.denoisedCanvas, den.decoder.decode(den.encoder.encode(this.xNoisy).mu));
        if (this.plainAE) drawImage(this.plainCanvas, this.plainAE.decoder.decode(this.plainAE.encoder.encode(this.xNoisy).mu));
      }
    }
    if (t0 && !empty) record("draw", t0.event, { handler: t0.handler });
  }

  drawMaps() {
    this.panels.forEach((p, k) => {
      const c = this.codes && this.codes[k];
      if (!c) { p.drawOverlay({}); return; }
      const ellipses = c.logvar && p.model.method !== "tsne"
        ? [1, 2, 3].map((s) => contour(c.xy[0], c.xy[1], p.model.covOf(c.logvar), s, 48)) : null;
      p.drawOverlay({ point: c.xy, pointEllipses: ellipses });
    });
  }
}
