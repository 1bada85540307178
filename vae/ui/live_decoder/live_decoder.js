// Live decoder: an MLP decoder (Linear+ReLU …, Linear, sigmoid) run in the browser on every input event.
// Loaded by Streamlit as an ES module (st.components.v2.component); the default export is called on the
// first render and again whenever the data sent from Python changes, always with the same parentElement.
// The numerical core (b64ToF32, makeDecoder) is also exposed on window.VaeLiveDecoder for tests.

const G = (window.__vaeLive = window.__vaeLive || {
  decoders: new Map(),   // weights hash -> decoder (kept for the page's lifetime: switching back is instant)
  samples: [],           // {input, pixels, frame} in performance.now() ms, for the benchmark
  firstDecode: null,     // performance.now() of the first decoded image after page load
  instances: {},         // component key -> instance API (tests / benchmark)
});
const INSTANCES = window.__vaeLiveInstances || (window.__vaeLiveInstances = new WeakMap());
const MAX_SAMPLES = 5000;
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const SUB = "₀₁₂₃₄₅₆₇₈₉";

export function b64ToF32(b64) {
  let bytes;
  if (typeof Uint8Array.fromBase64 === "function") {
    bytes = Uint8Array.fromBase64(b64);
  } else {
    const s = atob(b64);
    bytes = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  }
  // fromBase64 returns a fresh buffer starting at offset 0: a Float32Array view needs no copy.
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
}

// spec: {latent_dim, image_shape:[h,w], layers:[{in,out,w,b,relu}]}; params: Float32Array of every W and b.
export function makeDecoder(spec, params) {
  const layers = spec.layers.map((l) => ({
    nIn: l.in, nOut: l.out, relu: !!l.relu,
    W: params.subarray(l.w, l.w + l.in * l.out), b: params.subarray(l.b, l.b + l.out),
    y: new Float32Array(l.out),
  }));
  const d = spec.latent_dim;
  const x0 = new Float32Array(d);
  const out = layers[layers.length - 1].y;
  const probs = new Float32Array(out.length);
  // z: array-like of d numbers -> Float32Array of H*W probabilities (a reused buffer: copy it to keep it).
  function decode(z) {
    for (let i = 0; i < d; i++) x0[i] = z[i];
    let x = x0;
    for (let k = 0; k < layers.length; k++) {
      const L = layers[k], W = L.W, b = L.b, y = L.y, nIn = L.nIn, nOut = L.nOut;
      let r = 0;
      for (let j = 0; j < nOut; j++) {
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0;
        const n4 = nIn - 3;
        for (; i < n4; i += 4) {
          s0 += W[r + i] * x[i];
          s1 += W[r + i + 1] * x[i + 1];
          s2 += W[r + i + 2] * x[i + 2];
          s3 += W[r + i + 3] * x[i + 3];
        }
        for (; i < nIn; i++) s0 += W[r + i] * x[i];
        const s = b[j] + ((s0 + s1) + (s2 + s3));
        y[j] = L.relu && s < 0 ? 0 : s;
        r += nIn;
      }
      x = y;
    }
    for (let j = 0; j < out.length; j++) probs[j] = 1 / (1 + Math.exp(-out[j]));
    return probs;
  }
  return { decode, latentDim: d, shape: spec.image_shape, nPixels: out.length };
}

window.VaeLiveDecoder = { b64ToF32, makeDecoder };

function dimName(i, names) {
  if (names && names[i] !== undefined) return names[i];
  return "z" + String(i).split("").map((c) => SUB[+c]).join("");
}

function el(tag, attrs, parent) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v;
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  if (parent) parent.appendChild(e);
  return e;
}

class LiveDecoder {
  constructor(root) {
    this.root = root;
    this.box = el("div", { class: "vae-live" }, root);
    this.signature = null;
    this.z0key = null;
    this.z = null;
    this.decoder = null;
    this.reportSeq = 0;
    this.padDirty = true;
    this.padFrame = 0;
  }

  setWeights(data) {
    if (data.weights_b64 && !G.decoders.has(data.hash)) {
      G.decoders.set(data.hash, makeDecoder(data.spec, b64ToF32(data.weights_b64)));
    }
    const known = [...G.decoders.keys()];
    const confirmed = data.cached || [];
    if (known.some((h) => !confirmed.includes(h)) || !G.decoders.has(data.hash)) {
      // Tell Python which weights this page holds: it stops sending them (or sends the missing ones).
      this.setStateValue("cached", known);
    }
    this.decoder = G.decoders.get(data.hash) || null;
  }

  update(data) {
    this.data = data;
    this.setWeights(data);
    const sig = JSON.stringify([data.model_id, data.hash, data.order, data.labels, data.text, data.limit,
                                data.points_hash, data.pad_only, data.names]);
    const z0key = JSON.stringify([data.hash, data.z0]);
    if (z0key !== this.z0key || !this.z) {
      this.z = Float64Array.from(data.z0);
      this.z0key = z0key;
    }
    if (sig !== this.signature) {
      this.signature = sig;
      this.build();
    }
    this.syncSliders();
    this.padDirty = true;
    this.drawPad();
    this.render(null);
  }

  build() {
    const data = this.data, tx = data.text;
    this.box.replaceChildren();
    this.status = el("div", { class: "vae-live-status", "data-testid": "live-status" }, this.box);
    const main = el("div", { class: "vae-live-main" }, this.box);
    // --- slider bank
    this.sliders = {};
    this.values = {};
    if (!data.pad_only) {
      const bank = el("div", { class: "vae-live-bank" }, main);
      el("div", { class: "vae-live-title", text: tx.sliders }, bank);
      const list = el("div", { class: "vae-live-list" }, bank);
      for (const dim of data.order) {
        const row = el("label", { class: "vae-live-row" }, list);
        el("span", { class: "vae-live-label", text: data.labels[dim] }, row);
        const s = el("input", { type: "range", min: -data.limit, max: data.limit, step: 0.01,
                                "data-dim": dim, "aria-label": data.labels[dim] }, row);
        const v = el("span", { class: "vae-live-value" }, row);
        s.addEventListener("input", (e) => {
          const t0 = performance.now();
          this.z[dim] = +s.value;
          v.textContent = (+s.value).toFixed(2);
          if (this.padDims && (dim === this.padDims[0] || dim === this.padDims[1])) this.padDirty = true;
          this.render(t0);
        });
        s.addEventListener("change", () => this.report());
        this.sliders[dim] = s;
        this.values[dim] = v;
      }
      const reset = el("button", { type: "button", class: "vae-live-reset", text: tx.reset }, bank);
      reset.addEventListener("click", () => {
        this.z = Float64Array.from(data.z0);
        this.syncSliders();
        this.padDirty = true;
        this.render(performance.now());
        this.report();
      });
    }
    // --- 2-D pad
    const d = data.z0.length;
    const padBox = el("div", { class: "vae-live-padbox" }, main);
    el("div", { class: "vae-live-title", text: tx.pad }, padBox);
    this.padDims = data.pad_dims.slice();
    if (d > 2) {
      const pick = el("div", { class: "vae-live-pick" }, padBox);
      ["x", "y"].forEach((axis, a) => {
        const lab = el("label", { text: (a ? tx.pad_y : tx.pad_x) + " " }, pick);
        const sel = el("select", { "data-axis": axis }, lab);
        for (const dim of data.order) el("option", { value: dim, text: dimName(dim, data.names) }, sel);
        sel.value = String(this.padDims[a]);
        sel.addEventListener("change", () => {
          this.padDims[a] = +sel.value;
          this.drawBackground();
          this.padDirty = true;
          this.drawPad();
        });
      });
    }
    const PAD = 300, dpr = window.devicePixelRatio || 1;
    this.pad = el("canvas", { class: "vae-live-pad", width: Math.round(PAD * dpr), height: Math.round(PAD * dpr),
                              "data-testid": "live-pad" }, padBox);
    this.pad.style.width = this.pad.style.height = PAD + "px";
    this.padSize = PAD;
    this.dpr = dpr;
    this.bg = document.createElement("canvas");
    this.bg.width = this.pad.width;
    this.bg.height = this.pad.height;
    el("div", { class: "vae-live-caption", text: tx.pad_caption }, padBox);
    this.points = data.points_b64 ? b64ToF32(data.points_b64) : new Float32Array(0);
    this.drawBackground();
    const onMove = (e) => {
      const t0 = performance.now();
      const r = this.pad.getBoundingClientRect();
      const [u, w] = [(e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height];
      const L = this.data.limit;
      this.z[this.padDims[0]] = Math.max(-L, Math.min(L, (2 * u - 1) * L));
      this.z[this.padDims[1]] = Math.max(-L, Math.min(L, (1 - 2 * w) * L));
      this.syncSliders();
      this.padDirty = true;
      this.render(t0);
    };
    this.pad.addEventListener("pointerdown", (e) => {
      this.pad.setPointerCapture(e.pointerId);
      this.dragging = true;
      onMove(e);
    });
    this.pad.addEventListener("pointermove", (e) => { if (this.dragging) onMove(e); });
    const end = (e) => {
      if (!this.dragging) return;
      this.dragging = false;
      this.report();
    };
    this.pad.addEventListener("pointerup", end);
    this.pad.addEventListener("pointercancel", end);
    // --- decoded image: one canvas pixel per image pixel, scaled crisply by CSS
    const outBox = el("div", { class: "vae-live-outbox" }, main);
    el("div", { class: "vae-live-title", text: tx.decoded }, outBox);
    const [h, w] = data.spec.image_shape;
    this.canvas = el("canvas", { class: "vae-live-img", width: w, height: h, "data-testid": "live-image" }, outBox);
    this.ctx = this.canvas.getContext("2d");
    this.ctx.imageSmoothingEnabled = false;
    this.image = this.ctx.createImageData(w, h);
    this.pixels = new Uint32Array(this.image.data.buffer);
    this.norm = el("div", { class: "vae-live-caption" }, outBox);
    el("div", { class: "vae-live-caption", text: tx.browser_note }, outBox);
  }

  syncSliders() {
    for (const [dim, s] of Object.entries(this.sliders || {})) {
      s.value = this.z[dim];
      this.values[dim].textContent = this.z[dim].toFixed(2);
    }
  }

  toPad(v) { return ((v / this.data.limit) + 1) / 2 * this.padSize * this.dpr; }

  drawBackground() {
    const c = this.bg.getContext("2d"), S = this.bg.width, dpr = this.dpr, L = this.data.limit;
    c.clearRect(0, 0, S, S);
    c.fillStyle = "#ffffff";
    c.fillRect(0, 0, S, S);
    // axes
    c.strokeStyle = "rgba(0,0,0,0.15)";
    c.lineWidth = dpr;
    c.beginPath();
    c.moveTo(S / 2, 0); c.lineTo(S / 2, S); c.moveTo(0, S / 2); c.lineTo(S, S / 2);
    c.stroke();
    // the prior's 1σ, 2σ, 3σ circles
    c.strokeStyle = "rgba(60,60,60,0.7)";
    [1, 2, 3].forEach((k) => {
      c.setLineDash(k === 1 ? [] : k === 2 ? [6 * dpr, 4 * dpr] : [2 * dpr, 3 * dpr]);
      c.beginPath();
      c.arc(S / 2, S / 2, (k / L) * S / 2, 0, 2 * Math.PI);
      c.stroke();
      c.fillStyle = "rgba(60,60,60,0.8)";
      c.font = `${10 * dpr}px sans-serif`;
      c.fillText(`${k}σ`, S / 2 + (k / L) * S / 2 * 0.707 + 2 * dpr, S / 2 - (k / L) * S / 2 * 0.707 - 2 * dpr);
    });
    c.setLineDash([]);
    // encoded test set
    const pts = this.points, d = this.data.z0.length, labels = this.data.point_labels || [];
    const [dx, dy] = this.padDims, r = 1.6 * dpr;
    c.globalAlpha = 0.7;
    for (let n = 0; n < labels.length; n++) {
      c.fillStyle = COLORS[labels[n] % COLORS.length];
      c.beginPath();
      c.arc(this.toPad(pts[n * d + dx]), S - this.toPad(pts[n * d + dy]), r, 0, 2 * Math.PI);
      c.fill();
    }
    c.globalAlpha = 1;
    c.fillStyle = "rgba(0,0,0,0.6)";
    c.font = `${11 * dpr}px sans-serif`;
    c.fillText(dimName(dx, this.data.names) + " →", S - 42 * dpr, S / 2 - 4 * dpr);
    c.fillText("↑ " + dimName(dy, this.data.names), S / 2 + 4 * dpr, 12 * dpr);
  }

  drawPad() {
    if (!this.padDirty || !this.pad) return;
    this.padDirty = false;
    const c = this.pad.getContext("2d"), S = this.pad.width, dpr = this.dpr;
    c.drawImage(this.bg, 0, 0);
    const x = this.toPad(this.z[this.padDims[0]]), y = S - this.toPad(this.z[this.padDims[1]]);
    c.strokeStyle = "#000";
    c.lineWidth = 1.5 * dpr;
    c.beginPath();
    c.moveTo(x, 0); c.lineTo(x, S); c.moveTo(0, y); c.lineTo(S, y);
    c.stroke();
    c.fillStyle = "gold";
    c.beginPath();
    c.arc(x, y, 6 * dpr, 0, 2 * Math.PI);
    c.fill();
    c.stroke();
  }

  // Decode the current code and write the pixels; t0 = performance.now() of the input event (or null).
  render(t0) {
    if (!this.decoder) {
      this.status.textContent = this.data.text.loading;
      return;
    }
    this.status.textContent = "";
    const p = this.decoder.decode(this.z), px = this.pixels, n = px.length;
    for (let i = 0; i < n; i++) {
      const g = (p[i] * 255 + 0.5) | 0;
      px[i] = 0xff000000 | (g << 16) | (g << 8) | g;
    }
    this.ctx.putImageData(this.image, 0, 0);
    const t1 = performance.now();
    if (G.firstDecode === null) G.firstDecode = t1;
    if (t0 !== null) {
      const sample = { input: t0, pixels: t1, frame: null };
      if (G.samples.length < MAX_SAMPLES) G.samples.push(sample);
      requestAnimationFrame(() => {
        sample.frame = performance.now();
        this.drawPad();
      });
    } else {
      this.drawPad();
    }
    let s = 0;
    for (let i = 0; i < this.z.length; i++) s += this.z[i] * this.z[i];
    this.norm.textContent = this.data.text.norm.replace("{norm}", Math.sqrt(s).toFixed(2));
  }

  // The final code goes back to Python (one rerun per release, never per move).
  report() {
    this.reportSeq += 1;
    this.setStateValue("code", { z: Array.from(this.z, (v) => Math.round(v * 1e4) / 1e4), seq: this.reportSeq });
  }
}

export default function (component) {
  const { data, parentElement, setStateValue, key } = component;
  let inst = INSTANCES.get(parentElement);
  if (!inst) {
    inst = new LiveDecoder(parentElement);
    INSTANCES.set(parentElement, inst);
  }
  inst.setStateValue = setStateValue;
  inst.update(data);
  if (data && data.instance) G.instances[data.instance] = inst;
  return () => {
    INSTANCES.delete(parentElement);
    if (data && data.instance && G.instances[data.instance] === inst) delete G.instances[data.instance];
  };
}
