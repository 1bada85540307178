// The training film view: the AE | VAE | β-VAE maps side by side, replaying the snapshots each training took
// (vae/film.py): the codes μ of the same test images, the same prior codes decoded, the losses. One scrubber
// and one play button drive every map; everything runs in the browser from the film bundles, sent once and
// kept in IndexedDB by content hash (no rerun while scrubbing or playing). Live (the Train page): the bundle
// changes at each snapshot and the view follows the latest one, keeping its layout.
//
// Each map keeps its axes for the whole film (the server's fixed range), so the motion is visible; a code
// beyond them is drawn on the edge and counted. Plotly draws the axes once; the dots, the prior's circles and
// the loss cursor are drawn on overlay canvases (a Plotly restyle per frame would cost tens of ms).
import { COLORS, drawImage, el, fill, imageCanvas, inputTime, loadPlotly, record, serialUpdate } from "./core.js";
import { contour } from "./geometry.js";
import { PlotPanel } from "./map_panel.js";
import { loadBundle } from "./model.js";

const FPS = 6;
const DOT = 2.2;   // dot radius, px
const AXES_ONLY = { n: 0, ts: { labels: [] }, labelName: () => "" };  // PlotPanel draws axes; the frames draw the dots

// ---- one film: its bundle, and its frames' arrays
class FilmClip {
  constructor(spec) {
    this.spec = spec;
  }

  async load() {
    const b = await loadBundle(this.spec.film);
    const m = b.meta;
    this.meta = m;
    this.a = b.arrays;
    this.F = m.n_frames; this.N = m.n_points; this.K = m.n_samples;
    this.shape = m.image_shape;
    this.hw = this.shape[0] * this.shape[1];
    const groups = new Map();
    for (let i = 0; i < this.N; i++) {
      const lab = this.a.labels[i];
      if (!groups.has(lab)) groups.set(lab, []);
      groups.get(lab).push(i);
    }
    this.groups = [...groups.keys()].sort((x, y) => x - y).map((lab) => [lab, Int32Array.from(groups.get(lab))]);
    return this;
  }

  coords(f) { return this.a.coords.subarray(f * this.N * 2, (f + 1) * this.N * 2); }
  sample(f, k) { const o = (f * this.K + k) * this.hw; return this.a.samples.subarray(o, o + this.hw); }
  epoch(f) { return this.a.epoch[f]; }

  // the last frame taken at or before `epoch` (training progress); -1 before the first
  frameAt(epoch) {
    let f = -1;
    for (let i = 0; i < this.F && this.a.epoch[i] <= epoch + 1e-9; i++) f = i;
    return f;
  }
}

// ---- the loss curves of one film, with the current frame marked on an overlay
class LossChart extends PlotPanel {
  async plot(Plotly, clip, tx, height) {
    const e = Array.from(clip.a.epoch);
    const first = e.find((v) => v > 0) || 1;
    this.x = e.map((v) => (v > 0 ? v : first / 2));  // log axis: the untrained frame sits half a step before the first
    const traces = [{ type: "scatter", mode: "lines", name: tx.film_recon, x: this.x, y: Array.from(clip.a.recon),
                      line: { color: "#1f77b4", width: 1.5 }, hoverinfo: "skip" }];
    if (clip.a.kl) traces.push({ type: "scatter", mode: "lines", name: tx.film_kl, x: this.x, y: Array.from(clip.a.kl),
                                 yaxis: "y2", line: { color: "#d62728", width: 1.5 }, hoverinfo: "skip" });
    const shapes = clip.meta.best_epoch ? [{ type: "line", xref: "x", yref: "paper", x0: clip.meta.best_epoch, x1: clip.meta.best_epoch,
                                             y0: 0, y1: 1, line: { color: "rgba(0,0,0,0.4)", width: 1, dash: "dot" } }] : [];
    const layout = {
      height, margin: { l: 44, r: clip.a.kl ? 40 : 8, t: 6, b: 30 }, hovermode: false, dragmode: false, showlegend: true,
      legend: { orientation: "h", x: 0, y: 1.18, font: { size: 11 } }, shapes,
      xaxis: { type: "log", dtick: 1, title: { text: tx.film_x, font: { size: 11 }, standoff: 2 }, tickfont: { size: 10 } },
      yaxis: { title: { text: tx.film_recon, font: { size: 11 } }, tickfont: { size: 10 }, color: "#1f77b4", nticks: 5 },
      yaxis2: { overlaying: "y", side: "right", title: { text: tx.film_kl, font: { size: 11 } }, tickfont: { size: 10 },
                color: "#d62728", showgrid: false, tickmode: "auto", nticks: 5, rangemode: "tozero" },
      plot_bgcolor: "#fff", paper_bgcolor: "rgba(0,0,0,0)",
    };
    await Plotly.newPlot(this.gd, traces, layout, { displaylogo: false, displayModeBar: false, responsive: true, staticPlot: true });
    this.Plotly = Plotly;
    this.clip = clip;
    this.gd.on("plotly_afterplot", () => this.sizeOverlay());
    this.sizeOverlay();
  }

  drawCursor(f) {
    const c = this.overlay.getContext("2d"), dpr = this.dpr || 1;
    c.setTransform(dpr, 0, 0, dpr, 0, 0);
    c.clearRect(0, 0, this.overlay.width, this.overlay.height);
    const fl = this.gd._fullLayout;
    if (!fl || f < 0) return;
    const xa = fl.xaxis, x = xa._offset + xa.d2p(this.x[f]);
    c.strokeStyle = "rgba(0,0,0,0.6)";
    c.lineWidth = 1.5;
    c.beginPath(); c.moveTo(x, fl.yaxis._offset); c.lineTo(x, fl.yaxis._offset + fl.yaxis._length); c.stroke();
    const dot = (ya, v, color) => {
      c.fillStyle = color;
      c.beginPath(); c.arc(x, ya._offset + ya.d2p(v), 3.5, 0, 2 * Math.PI); c.fill();
    };
    dot(fl.yaxis, this.clip.a.recon[f], "#1f77b4");
    if (this.clip.a.kl && fl.yaxis2) dot(fl.yaxis2, this.clip.a.kl[f], "#d62728");
  }
}

// ---- one column: map (axes by Plotly, frame on the overlay), prior samples, loss chart
class FilmPanel {
  constructor(parent, spec, clip, col, opts) {
    this.spec = spec;
    this.clip = clip;
    this.col = col;
    this.opts = opts;
    const tx = opts.text;
    this.map = new PlotPanel(parent, AXES_ONLY, { height: opts.mapHeight, webgl: false, markerSize: 4, text: tx, axis: spec.axis,
                                                   prior: false, small: true, title: spec.title, testid: `vx-film-map-${col}`,
                                                   export: spec.export });
    // the exported map holds the shown frame: its dots (drawn on the overlay on screen) as Plotly traces
    this.map.exportTraces = () => this.frameTraces();
    this.map.exportName = () => [`epoch-${Math.round(this.clip.epoch(Math.max(0, this.frame)) * 100) / 100}`];
    if (spec.label) el("div", { class: "vx-caption", text: spec.label }, parent);
    this.frameNote = el("div", { class: "vx-caption vx-warn vx-film-note", "data-testid": `vx-film-note-${col}` }, parent);
    el("div", { class: "vx-caption", text: tx.film_samples }, parent);
    const row = el("div", { class: "vx-film-samples" }, parent);
    this.samples = [];
    for (let k = 0; k < clip.K; k++) this.samples.push(imageCanvas(row, clip.shape, opts.sampleSize, `vx-film-sample-${col}-${k}`));
    el("div", { class: "vx-caption", text: tx.film_losses }, parent);
    this.loss = new LossChart(parent, null, { height: opts.lossHeight, testid: `vx-film-loss-${col}` });
    if (spec.best) el("div", { class: "vx-caption", text: spec.best }, parent);
    if (spec.note) el("div", { class: "vx-caption", text: spec.note }, parent);
    this.frame = -1;
    this.drawn = null;
  }

  async draw(Plotly) {
    const r = this.spec.range;
    await this.map.draw(Plotly, r.x, r.y);
    this.map.onResize = () => this.drawFrame(this.frame);
    await this.loss.plot(Plotly, this.clip, this.opts.text, this.opts.lossHeight);
    this.loss.onResize = () => this.loss.drawCursor(this.frame);
  }

  // A new bundle of the same film (live: more snapshots): keep the layout, move the axes to the new range.
  async replace(spec, clip) {
    this.spec = spec;
    this.clip = clip;
    const r = spec.range;
    await this.map.Plotly.relayout(this.map.gd, { "xaxis.range": r.x.slice(), "yaxis.range": r.y.slice() });
    await this.loss.plot(this.map.Plotly, clip, this.opts.text, this.opts.lossHeight);
  }

  // The shown frame as Plotly traces (for export): the prior's circles, then one trace of dots per label.
  frameTraces() {
    const f = Math.max(0, this.frame), traces = [], prior = this.spec.prior, names = this.spec.label_names || [];
    if (prior) {
      [1, 2, 3].forEach((k) => {
        const pts = contour(prior[0], prior[1], [1, 0, 0, 1], k, 72);
        traces.push({ type: "scatter", mode: "lines", x: pts.map((p) => p[0]), y: pts.map((p) => p[1]), showlegend: false,
                      hoverinfo: "skip", line: { color: "rgba(60,60,60,0.8)", width: 1.5, dash: ["solid", "dash", "dot"][k - 1] } });
      });
    }
    const xy = this.clip.coords(f);
    for (const [lab, idx] of this.clip.groups) {
      traces.push({ type: "scatter", mode: "markers", name: names[lab] !== undefined ? String(names[lab]) : String(lab),
                    x: Array.from(idx, (i) => xy[2 * i]), y: Array.from(idx, (i) => xy[2 * i + 1]), hoverinfo: "skip",
                    marker: { size: 2 * DOT + 1, color: COLORS[lab % COLORS.length], opacity: 0.8 } });
    }
    return traces;
  }

  // Draw frame f: the prior's circles, every code as a dot of its label's colour (clamped to the axes), the
  // decoded prior codes, the loss cursor.
  drawFrame(f) {
    this.frame = f;
    const p = this.map, c = p.overlay.getContext("2d"), dpr = p.dpr || 1;
    c.setTransform(dpr, 0, 0, dpr, 0, 0);
    c.clearRect(0, 0, p.overlay.width, p.overlay.height);
    this.loss.drawCursor(f);
    const [xa, ya] = p.axes();
    if (!xa || f < 0) return;
    const x0 = xa._offset, x1 = xa._offset + xa._length, y0 = ya._offset, y1 = ya._offset + ya._length;
    c.save();
    c.beginPath(); c.rect(x0, y0, x1 - x0, y1 - y0); c.clip();
    const prior = this.spec.prior;
    if (prior) {
      c.strokeStyle = "rgba(60,60,60,0.8)";
      c.lineWidth = 1.5;
      [1, 2, 3].forEach((k) => {
        c.setLineDash([[], [6, 4], [2, 3]][k - 1]);
        c.beginPath();
        contour(prior[0], prior[1], [1, 0, 0, 1], k, 72).forEach(([x, y], i) => {
          const px = x0 + xa.d2p(x), py = y0 + ya.d2p(y);
          if (i) c.lineTo(px, py); else c.moveTo(px, py);
        });
        c.closePath();
        c.stroke();
      });
      c.setLineDash([]);
    }
    // linear axes: pixel = offset + a + b·value
    const ax = xa.d2p(0), bx = xa.d2p(1) - ax, ay = ya.d2p(0), by = ya.d2p(1) - ay;
    const xy = this.clip.coords(f);
    let clipped = 0;
    for (const [lab, idx] of this.clip.groups) {
      c.fillStyle = COLORS[lab % COLORS.length];
      c.globalAlpha = 0.8;
      c.beginPath();
      for (let j = 0; j < idx.length; j++) {
        const i = idx[j];
        let px = x0 + ax + bx * xy[2 * i], py = y0 + ay + by * xy[2 * i + 1];
        if (px < x0 || px > x1 || py < y0 || py > y1) {
          clipped++;
          px = Math.min(x1, Math.max(x0, px));
          py = Math.min(y1, Math.max(y0, py));
        }
        c.moveTo(px + DOT, py);
        c.arc(px, py, DOT, 0, 2 * Math.PI);
      }
      c.fill();
    }
    c.globalAlpha = 1;
    c.restore();
    const tx = this.opts.text, notes = [];
    if (clipped) notes.push(fill(tx.film_clipped, { n: clipped }));
    if (this.ended) notes.push(fill(tx.film_ended, { e: Math.round(this.clip.epoch(this.clip.F - 1)) }));
    this.frameNote.textContent = notes.join(" · ");
    for (let k = 0; k < this.samples.length; k++) drawImage(this.samples[k], this.clip.sample(f, k));
    this.drawn = { frame: f, clipped };
  }
}

export class FilmView {
  constructor(root) {
    this.root = el("div", { class: "vx vx-film" }, root);
    this.signature = null;
    this.index = 0;
    this.timer = null;
    this.follow = true;
  }

  update(data) {
    serialUpdate(this, data, (d) => this.apply(d), (e) => this.fail(e));
  }

  apply(data) {
    const sig = JSON.stringify([(data.films || []).map((f) => [f.kind, f.title, f.missing || null]), data.text, data.compact,
                                data.live]);
    if (sig !== this.signature || !this.panels) {
      this.signature = sig;
      return this.build(data);
    }
    return this.refresh(data);
  }

  fail(e) {
    console.error(e);
    if (!this.status) return;
    this.status.textContent = fill(this.data.text.load_error, { detail: String(e && e.message || e) });
    this.status.classList.add("vx-error");
  }

  destroy() {
    this.pause();
  }

  opts(data) {
    const compact = !!data.compact;
    return { text: data.text, mapHeight: compact ? 240 : 300, sampleSize: compact ? 40 : 52, lossHeight: compact ? 110 : 140 };
  }

  async build(data) {
    const tx = data.text;
    this.pause();
    this.root.replaceChildren();
    this.panels = null;
    this.status = el("div", { class: "vx-status", "data-testid": "vx-status", text: tx.loading }, this.root);
    const specs = data.films || [];
    const clips = specs.map((s) => (s.film ? new FilmClip(s) : null));
    const [Plotly] = await Promise.all([loadPlotly(data.plotly), ...clips.map((c) => c && c.load())]);
    this.status.textContent = "";

    const bar = el("div", { class: "vx-film-bar" }, this.root);
    this.playButton = el("button", { type: "button", class: "vx-film-play", "data-testid": "vx-film-play", text: tx.film_play }, bar);
    this.scrub = el("input", { type: "range", min: 0, max: 0, step: 1, value: 0, class: "vx-film-scrub",
                               "data-testid": "vx-film-scrub", "aria-label": tx.film_scrub }, bar);
    this.label = el("span", { class: "vx-film-label", "data-testid": "vx-film-label", "aria-live": "polite" }, bar);
    if (data.live) el("span", { class: "vx-caption", text: tx.film_live }, bar);
    this.playButton.addEventListener("click", () => (this.timer ? this.pause() : this.play()));
    this.scrub.addEventListener("input", (e) => {
      this.pause();
      this.follow = +this.scrub.value === +this.scrub.max;
      this.show(+this.scrub.value, { event: inputTime(e), handler: performance.now() });
    });
    this.scrub.addEventListener("keydown", (e) => {
      if (e.key === " " || e.code === "Space") {
        e.preventDefault();
        if (this.timer) this.pause(); else this.play();
      }
    });
    this.legend(specs);

    const cols = el("div", { class: "vx-cols vx-film-cols" }, this.root);
    const panels = [];
    specs.forEach((s, k) => {
      const col = el("div", { class: "vx-col" }, cols);
      if (!s.film) {
        el("div", { class: "vx-title", text: s.title }, col);
        el("div", { class: "vx-caption vx-warn", "data-testid": `vx-film-missing-${k}`, text: s.missing || "" }, col);
        return;
      }
      panels.push(new FilmPanel(col, s, clips[k], k, this.opts(data)));
    });
    for (const p of panels) await p.draw(Plotly);
    this.panels = panels;
    this.timeline();
    this.show(data.live ? this.times.length - 1 : 0);
    this.root.setAttribute("data-ready", "1");
  }

  legend(specs) {
    const names = (specs.find((s) => s.label_names && s.label_names.length) || {}).label_names || [];
    if (!names.length) return;
    const box = el("div", { class: "vx-film-legend" }, this.root);
    names.forEach((n, i) => {
      const item = el("span", { class: "vx-film-key" }, box);
      el("span", { class: "vx-film-dot" }, item).style.background = COLORS[i % COLORS.length];
      el("span", { text: n }, item);
    });
  }

  // The scrubber's positions: every film's frame times, merged; at each, every film shows its last frame so far.
  timeline() {
    const t = new Set();
    for (const p of this.panels) for (let f = 0; f < p.clip.F; f++) t.add(Math.round(p.clip.epoch(f) * 1e6) / 1e6);
    this.times = [...t].sort((a, b) => a - b);
    this.frames = this.panels.map((p) => this.times.map((e) => p.clip.frameAt(e)));
    this.scrub.max = Math.max(0, this.times.length - 1);
  }

  frameLabel(i) {
    const tx = this.data.text, e = this.times[i];
    const withFrame = (s) => `${s} · ${fill(tx.film_frame, { i: i + 1, n: this.times.length })}`;
    if (!(e > 0)) return withFrame(tx.film_untrained);
    if (e < 1) {
      const spe = this.panels[0].clip.meta.steps_per_epoch;
      return withFrame(fill(tx.film_batch, { b: Math.round(e * spe), s: spe }));
    }
    return withFrame(fill(tx.film_epoch, { e: Number.isInteger(e) ? e : e.toFixed(2) }));
  }

  show(i, t0) {
    if (!this.panels || !this.times.length) return;
    i = Math.max(0, Math.min(this.times.length - 1, i | 0));
    this.index = i;
    if (+this.scrub.value !== i) this.scrub.value = i;
    this.label.textContent = this.frameLabel(i);
    this.panels.forEach((p, k) => {
      p.ended = this.times[i] > p.clip.epoch(p.clip.F - 1) + 1e-9;  // a run that stopped earlier holds its last frame
      p.drawFrame(this.frames[k][i]);
    });
    if (t0) record("film", t0.event, { handler: t0.handler });
  }

  play() {
    if (this.timer || !this.panels) return;
    if (this.index >= this.times.length - 1) this.show(0);
    this.playButton.textContent = this.data.text.film_pause;
    this.playButton.setAttribute("aria-pressed", "true");
    this.timer = setInterval(() => {
      if (this.index >= this.times.length - 1) { this.pause(); return; }
      this.show(this.index + 1);
      this.follow = this.index === this.times.length - 1;
    }, 1000 / FPS);
  }

  pause() {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    this.playButton.textContent = this.data.text.film_play;
    this.playButton.setAttribute("aria-pressed", "false");
  }

  // Same films, new bundles (a live training took another snapshot): swap them in and keep the layout.
  async refresh(data) {
    const specs = (data.films || []).filter((s) => s.film);
    let changed = false;
    for (let k = 0; k < this.panels.length; k++) {
      const s = specs[k];
      if (!s || s.film.hash === this.panels[k].spec.film.hash) continue;
      const clip = await new FilmClip(s).load();
      await this.panels[k].replace(s, clip);
      changed = true;
    }
    if (!changed) return;
    this.timeline();
    this.show(this.follow ? this.times.length - 1 : this.index);
  }
}
