// A spatial index of the dots of a map: a uniform grid over their bounding box, built once per model and
// projection, so that finding the dot under the cursor (hover, click) or the k nearest dots of a map point
// (t-SNE's neighbour-weighted inverse) looks at a few cells instead of scanning all 10,000 test images.
// Points are kept in cell order (counting sort): cell c holds items[start[c] .. start[c + 1]).

const PER_CELL = 4;        // points per cell on average: small cells, few candidates per query

export class GridIndex {
  // xs, ys: the points' coordinates (typed arrays or arrays of the same length)
  constructor(xs, ys) {
    const n = xs.length;
    this.xs = xs;
    this.ys = ys;
    this.n = n;
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = xs[i], y = ys[i];
      if (x < x0) x0 = x; if (x > x1) x1 = x;
      if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
    if (!n) { x0 = y0 = 0; x1 = y1 = 1; }
    const w = Math.max(x1 - x0, 1e-9), h = Math.max(y1 - y0, 1e-9);
    // about n / PER_CELL cells, shaped like the points' box
    const cells = Math.max(1, Math.ceil(n / PER_CELL));
    this.nx = Math.max(1, Math.min(1024, Math.round(Math.sqrt(cells * w / h))));
    this.ny = Math.max(1, Math.min(1024, Math.round(cells / this.nx)));
    this.x0 = x0; this.y0 = y0;
    this.cw = w / this.nx; this.ch = h / this.ny;
    const cellOf = new Int32Array(n), start = new Int32Array(this.nx * this.ny + 1);
    for (let i = 0; i < n; i++) {
      const c = this.cy(ys[i]) * this.nx + this.cx(xs[i]);
      cellOf[i] = c;
      start[c + 1]++;
    }
    for (let c = 0; c < this.nx * this.ny; c++) start[c + 1] += start[c];
    const fillAt = start.slice(0, -1), items = new Int32Array(n);
    for (let i = 0; i < n; i++) items[fillAt[cellOf[i]]++] = i;
    this.start = start;
    this.items = items;
  }

  cx(x) { return Math.min(this.nx - 1, Math.max(0, Math.floor((x - this.x0) / this.cw))); }
  cy(y) { return Math.min(this.ny - 1, Math.max(0, Math.floor((y - this.y0) / this.ch))); }

  // fn(i) for every point of the cells that meet the box [xa, xb] × [ya, yb] (a superset of the points in it)
  forEachNear(xa, xb, ya, yb, fn) {
    if (!this.n || xb < xa || yb < ya) return;
    const i0 = this.cx(xa), i1 = this.cx(xb), j0 = this.cy(ya), j1 = this.cy(yb), items = this.items;
    for (let j = j0; j <= j1; j++) {
      for (let i = i0; i <= i1; i++) {
        const c = j * this.nx + i;
        for (let p = this.start[c], e = this.start[c + 1]; p < e; p++) fn(items[p]);
      }
    }
  }

  // the k points nearest to (x, y): [[squared distance, index], ...], nearest first (ties: lower index first).
  // Rings of cells around (x, y) are searched outwards until no unvisited cell can hold a nearer point.
  nearest(x, y, k) {
    k = Math.min(k, this.n);
    const best = [];
    if (k <= 0) return best;
    const nx = this.nx, ny = this.ny, xs = this.xs, ys = this.ys, items = this.items, start = this.start;
    const ci = this.cx(x), cj = this.cy(y);
    const consider = (c) => {
      for (let p = start[c], e = start[c + 1]; p < e; p++) {
        const i = items[p], dx = xs[i] - x, dy = ys[i] - y, d2 = dx * dx + dy * dy;
        if (best.length === k && !(d2 < best[k - 1][0] || (d2 === best[k - 1][0] && i < best[k - 1][1]))) continue;
        let q = best.length < k ? best.length : k - 1;
        while (q > 0 && (best[q - 1][0] > d2 || (best[q - 1][0] === d2 && best[q - 1][1] > i))) { best[q] = best[q - 1]; q--; }
        best[q] = [d2, i];
      }
    };
    for (let r = 0; ; r++) {
      const ia = ci - r, ib = ci + r, ja = cj - r, jb = cj + r;
      for (let j = Math.max(0, ja); j <= Math.min(ny - 1, jb); j++) {
        const edgeRow = j === ja || j === jb;
        for (let i = Math.max(0, ia); i <= Math.min(nx - 1, ib); i++) {
          if (edgeRow || i === ia || i === ib) consider(j * nx + i);
        }
      }
      // every point outside the searched block lies beyond one of its sides that still has cells past it
      let bound = Infinity;
      if (ia > 0) bound = Math.min(bound, x - (this.x0 + ia * this.cw));
      if (ib < nx - 1) bound = Math.min(bound, this.x0 + (ib + 1) * this.cw - x);
      if (ja > 0) bound = Math.min(bound, y - (this.y0 + ja * this.ch));
      if (jb < ny - 1) bound = Math.min(bound, this.y0 + (jb + 1) * this.ch - y);
      if (bound === Infinity) return best;  // the block covers the whole grid
      if (best.length === k && bound > 0 && best[k - 1][0] < bound * bound) return best;
    }
  }
}
