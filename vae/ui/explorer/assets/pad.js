// The drawing pad, shared by the views that read a drawing (the Draw page's view, the latent map's inspector):
// strokes from pointer events (mouse, touch and pen alike; coalesced events give the full path), undo and
// clear, and the rasteriser that turns the strokes into an image normalised like MNIST's digits.
import { el, inputTime } from "./core.js";

export const PAD = 280;          // stroke coordinates are in these units, whatever the pad's size on screen
// MNIST's normalisation (LeCun et al. 1998): each digit was scaled to fit a 20×20 box of the 28×28 image,
// keeping its aspect ratio, then centred by its centre of mass. Strokes are about 2.8 px wide at that size
// (the test digits' mean ink: a "1" 20 px tall holds ~60 px of ink).
const BOX = 20 / 28;
const STROKE = 2.8 / 28;
const SS = 4;                    // supersampling of the rasteriser (anti-aliased edges, like MNIST's grey levels)
const MIN_EXTENT = 0.08;         // a scribble smaller than 8% of the pad is not blown up to a full digit
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
export function started(e) {
  return { event: inputTime(e), handler: performance.now() };
}

// A pad of `size` CSS px with Undo and Clear; onChange(t0) runs after every change (t0: see started()).
export class DrawingPad {
  constructor(parent, { size = PAD, tx, testid = "vx-draw", onChange }) {
    this.strokes = [];
    this.size = size;
    this.onChange = onChange || (() => {});
    this.scratch = document.createElement("canvas");
    const dpr = (this.dpr = window.devicePixelRatio || 1);
    this.canvas = el("canvas", { class: "vx-pad vx-drawpad", width: size * dpr, height: size * dpr,
                                 "data-testid": `${testid}-pad`, "aria-label": tx.draw_pad }, parent);
    this.canvas.style.width = this.canvas.style.height = size + "px";
    const buttons = el("div", { class: "vx-buttons" }, parent);
    const undo = el("button", { type: "button", text: tx.draw_undo, "data-testid": `${testid}-undo` }, buttons);
    const clear = el("button", { type: "button", text: tx.draw_clear, "data-testid": `${testid}-clear` }, buttons);
    undo.addEventListener("click", (e) => { const t0 = started(e); this.strokes.pop(); this.changed(t0); });
    clear.addEventListener("click", (e) => { const t0 = started(e); this.strokes = []; this.changed(t0); });
    this.wire();
    this.redraw();
  }

  get empty() {
    return !this.strokes.length;
  }

  // the drawing as an image of `shape` (h, w), values in [0, 1]
  image(shape) {
    return rasterize(this.strokes, shape, this.scratch);
  }

  changed(t0) {
    this.redraw();
    this.onChange(t0);
  }

  wire() {
    const pad = this.canvas;
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
      this.changed(t0);
    });
    pad.addEventListener("pointermove", (e) => {
      if (!drawing) return;
      const t0 = started(e);
      const st = this.strokes[this.strokes.length - 1];
      const evs = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
      for (const ev of (evs.length ? evs : [e])) st.push(at(ev));
      this.changed(t0);
    });
    const end = () => { drawing = false; };
    pad.addEventListener("pointerup", end);
    pad.addEventListener("pointercancel", end);
  }

  redraw() {
    const c = this.canvas.getContext("2d"), k = this.dpr * this.size / PAD;
    c.setTransform(k, 0, 0, k, 0, 0);
    c.fillStyle = "#000";
    c.fillRect(0, 0, PAD, PAD);
    c.strokeStyle = c.fillStyle = "#fff";
    c.lineWidth = 18;
    c.lineCap = c.lineJoin = "round";
    for (const st of this.strokes) {
      c.beginPath();
      if (st.length === 1) { c.arc(st[0][0], st[0][1], 9, 0, 2 * Math.PI); c.fill(); continue; }
      st.forEach(([x, y], i) => (i ? c.lineTo(x, y) : c.moveTo(x, y)));
      c.stroke();
    }
  }
}
