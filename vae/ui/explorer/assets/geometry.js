// Ellipse geometry on a latent map: the k-σ contours of a 2-D Gaussian (the posterior's σ ellipses
// N(μ, Σ) projected on the map, the prior N(0, I)'s circles), as point lists or as Plotly x/y arrays.

// k-σ contour as [[x, y], ...] (overlay drawing)
export function contour(cx, cy, cov, k, n) {
  const xs = [], ys = [];
  ellipse(cx, cy, cov, k, n, xs, ys);
  return xs.slice(0, -1).map((x, i) => [x, ys[i]]);
}

// k-σ contour of a 2-D Gaussian with covariance [a b; b c] around (cx, cy), as x/y arrays (+ null break)
export function ellipse(cx, cy, cov, k, n, xs, ys) {
  const [a, b, , c] = cov;
  const tr = a + c, det = a * c - b * b, disc = Math.sqrt(Math.max(tr * tr / 4 - det, 0));
  const l1 = tr / 2 + disc, l2 = Math.max(tr / 2 - disc, 0);
  const th = Math.abs(b) > 1e-12 ? Math.atan2(l1 - a, b) : (a >= c ? 0 : Math.PI / 2);
  const ct = Math.cos(th), st = Math.sin(th), r1 = k * Math.sqrt(l1), r2 = k * Math.sqrt(l2);
  for (let s = 0; s <= n; s++) {
    const t = 2 * Math.PI * s / n, u = r1 * Math.cos(t), v = r2 * Math.sin(t);
    xs.push(cx + u * ct - v * st);
    ys.push(cy + u * st + v * ct);
  }
  xs.push(null); ys.push(null);
}
