// The drawing pad view: draw a digit (mouse, touch or pen) and, at every move of the pen, the AE, the VAE and
// the β-VAE encode it in the browser; each shows its reconstruction and the drawing's place on its latent
// map (the σ ellipse of q(z|x) for the VAEs); with noise added to the drawing, the denoising AE cleans it.
// Nothing goes back to Python: the server sent the encoders, decoders and maps once.
//
// The pad is the component's own canvas (not a separate drawing component): the encoders must read its
// pixels in the same page to answer within a frame, without a server round trip per stroke.
import {
  clearImage, drawImage, el, fill, fmt, imageCanvas, inputTime, loadPlotly, normalRng, record, serialUpdate,
} from "./core.js";
import { contour } from "./geometry.js";
import { PlotPanel, range } from "./map_panel.js";
import { ModelOnMap, klOf, loadDecoder, loadEncoder } from "./model.js";
import { DrawingPad } from "./pad.js";

const NEIGHBOURS = 10;           // test codes around the drawing's code, for "among the …s"
const NOISE_SEED = 7919;

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
    this.std = 0.4;
  }

  update(data) {
    serialUpdate(this, data, (d) => this.apply(d), (e) => {
      console.error(e);
      this.status.textContent = fill(this.data.text.load_error, { detail: String(e && e.message || e) });
      this.status.classList.add("vx-error");
    });
  }

  apply(data) {
    const sig = JSON.stringify([data.models, data.denoiser, data.text]);
    if (sig === this.signature) return undefined;
    this.signature = sig;
    return this.build(data);
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
    this.pad = new DrawingPad(padCard, { tx, testid: "vx-draw", onChange: (t0) => this.refresh(t0) });
    el("div", { class: "vx-caption", text: tx.draw_hint }, padCard);

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
        this.refresh({ event: inputTime(e), handler: performance.now() });
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
      const p = new PlotPanel(c, m, { height: 300, markerSize: 4, text: tx, axis: e.axis, prior: !!data.prior,
                                      small: true, title: e.title, testid: `vx-draw-map-${col}`, export: e.export });
      el("div", { class: "vx-caption", text: e.label }, c);
      const out = el("div", { class: "vx-trio-out" }, c);
      p.outCanvas = imageCanvas(out, m.shape, 84, `vx-draw-recon-${col}`);
      p.info = el("div", { class: "vx-caption", "data-testid": `vx-draw-info-${col}` }, out);
      if (!m.encoder) el("div", { class: "vx-caption vx-warn", text: tx.draw_no_encoder }, c);
      this.panels.push(p);
    });
  }

  // encode the drawing with every model, decode its code, place it on the maps; then the denoiser
  refresh(t0) {
    const tx = this.data.text, empty = this.pad.empty;
    this.x.set(this.pad.image(this.shape));
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
      let info = fill(tx.draw_neighbours, { label: m.labelText(lab), n: votes, k });
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
      const ellipses = c.logvar && p.model.exact
        ? [1, 2, 3].map((s) => contour(c.xy[0], c.xy[1], p.model.covOf(c.logvar), s, 48)) : null;
      p.drawOverlay({ point: c.xy, pointEllipses: ellipses });
    });
  }
}
