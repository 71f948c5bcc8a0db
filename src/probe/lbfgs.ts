/**
 * Limited-memory BFGS for smooth unconstrained minimisation: the two-loop recursion (Nocedal &
 * Wright, Numerical Optimization, Alg. 7.4) with a line search for the strong Wolfe conditions
 * (Alg. 3.5/3.6, cubic interpolation in the zoom). Small and allocation-free per iteration: all
 * vectors are allocated once per call, because the objective is evaluated thousands of times in
 * a few-shot sweep.
 *
 * Near the optimum, f changes by less than its rounding error and the Armijo test becomes noise,
 * which would stop the solver long before a tight gradient tolerance. So a step is also accepted
 * under Hager & Zhang's approximate Wolfe conditions (f within a relative 1e-12 of the start of
 * the line and the directional derivative in [-c2, 1 - 2 c1] times its initial magnitude).
 */

/** Writes the gradient at `x` into `grad` and returns the objective value at `x`. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

/** Options of {@link lbfgs}. */
export interface LbfgsOptions {
  /** Maximum number of iterations (accepted steps). Default 1000. */
  readonly maxIter?: number;
  /** Stop when the Euclidean norm of the gradient is `<= gtol`. Default 1e-6. */
  readonly gtol?: number;
  /**
   * Stop when an iteration lowers f by `<= ftol * max(|f_prev|, |f|, 1)`; 0 disables. Default
   * 2.220446049250313e-9, scipy's L-BFGS-B default (`factr = 1e7`), which scikit-learn keeps.
   */
  readonly ftol?: number;
  /** Number of correction pairs kept (scipy's `maxcor`). Default 10. */
  readonly history?: number;
  /** Maximum objective evaluations per line search. Default 25. */
  readonly maxLineSearch?: number;
}

/** Why {@link lbfgs} stopped. */
export type LbfgsStop = 'gtol' | 'ftol' | 'maxIter' | 'lineSearch';

/** Result of {@link lbfgs}. */
export interface LbfgsResult {
  /** The last accepted point (a new array). */
  readonly x: Float64Array;
  /** Objective at `x`. */
  readonly f: number;
  /** Euclidean norm of the gradient at `x`. */
  readonly gradNorm: number;
  /** Iterations (accepted steps). */
  readonly nIter: number;
  /** Objective evaluations, line searches included. */
  readonly nEval: number;
  /** Stopping reason; `gtol` and `ftol` count as converged. */
  readonly stop: LbfgsStop;
}

const C1 = 1e-4;
const C2 = 0.9;
const APPROX_EPS = 1e-12;

/**
 * Minimise `objective` from `x0` with L-BFGS. `x0` is not modified.
 *
 * @param objective - value and gradient; must not keep references to its arguments.
 * @param x0 - starting point.
 * @param options - maxIter (1000), gtol (1e-6), ftol (2.22e-9), history (10), maxLineSearch (25).
 */
export function lbfgs(objective: Objective, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const maxIter = options.maxIter ?? 1000;
  const gtol = options.gtol ?? 1e-6;
  const ftol = options.ftol ?? 2.220446049250313e-9;
  const m = options.history ?? 10;
  const maxLs = options.maxLineSearch ?? 25;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let xt = new Float64Array(n);
  let gt = new Float64Array(n);
  const dir = new Float64Array(n);
  const S = Array.from({ length: m }, () => new Float64Array(n));
  const Y = Array.from({ length: m }, () => new Float64Array(n));
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  let stored = 0;
  let newest = -1;
  let nEval = 1;
  let f = objective(x, g);
  let gnorm = Math.sqrt(dot(g, g, n));
  let fTrial = 0;
  let stop: LbfgsStop = 'maxIter';
  let iter = 0;

  // Evaluate the trial point x + a * dir into (xt, gt); returns the directional derivative.
  const trial = (a: number): number => {
    for (let i = 0; i < n; i++) xt[i] = (x[i] as number) + a * (dir[i] as number);
    fTrial = objective(xt, gt);
    nEval++;
    return dot(gt, dir, n);
  };

  // Strong Wolfe line search; on success (xt, gt, fTrial) hold the accepted point.
  const lineSearch = (dphi0: number, a0: number): boolean => {
    const f0 = f;
    const fTol = f0 + APPROX_EPS * Math.abs(f0);
    const accept = (a: number, fa: number, da: number): boolean =>
      Math.abs(da) <= -C2 * dphi0 && (fa <= f0 + C1 * a * dphi0 || (fa <= fTol && da <= -(1 - 2 * C1) * dphi0));
    let aPrev = 0;
    let fPrev = f0;
    let dPrev = dphi0;
    let a = a0;
    let evals = 0;
    let lo = 0;
    let fLo = f0;
    let dLo = dphi0;
    let hi = 0;
    let fHi = 0;
    let dHi = 0;
    let bracketed = false;
    while (evals < maxLs) {
      const da = trial(a);
      evals++;
      if (accept(a, fTrial, da)) return true;
      if (!(fTrial <= f0 + C1 * a * dphi0) || (evals > 1 && fTrial >= fPrev)) {
        [lo, fLo, dLo, hi, fHi, dHi] = [aPrev, fPrev, dPrev, a, fTrial, da];
        bracketed = true;
        break;
      }
      if (da >= 0) {
        [lo, fLo, dLo, hi, fHi, dHi] = [a, fTrial, da, aPrev, fPrev, dPrev];
        bracketed = true;
        break;
      }
      [aPrev, fPrev, dPrev] = [a, fTrial, da];
      a *= 4;
    }
    while (bracketed && evals < maxLs) {
      const width = Math.abs(hi - lo);
      let a2 = cubicMin(lo, fLo, dLo, hi, fHi, dHi);
      const left = Math.min(lo, hi) + 0.1 * width;
      const right = Math.max(lo, hi) - 0.1 * width;
      if (!(a2 >= left && a2 <= right)) a2 = 0.5 * (lo + hi);
      const da = trial(a2);
      evals++;
      if (accept(a2, fTrial, da)) return true;
      if (!(fTrial <= f0 + C1 * a2 * dphi0) || fTrial >= fLo) {
        [hi, fHi, dHi] = [a2, fTrial, da];
      } else {
        if (da * (hi - lo) >= 0) [hi, fHi, dHi] = [lo, fLo, dLo];
        [lo, fLo, dLo] = [a2, fTrial, da];
      }
      if (width < 1e-16 * Math.max(1, Math.abs(lo))) break;
    }
    // Out of evaluations: settle for the best point that satisfied sufficient decrease, if any.
    if (lo > 0 && fLo < f0) {
      trial(lo);
      return true;
    }
    return false;
  };

  if (!(gnorm > gtol)) stop = 'gtol';
  else {
    for (iter = 0; iter < maxIter;) {
      // Two-loop recursion: dir = -H g with H0 = gamma I.
      for (let i = 0; i < n; i++) dir[i] = -(g[i] as number);
      for (let k = 0, j = newest; k < stored; k++, j = (j - 1 + m) % m) {
        const a = (rho[j] as number) * dot(S[j] as Float64Array, dir, n);
        alpha[j] = a;
        axpy(-a, Y[j] as Float64Array, dir, n);
      }
      if (stored > 0) {
        const yNew = Y[newest] as Float64Array;
        const gamma = 1 / ((rho[newest] as number) * dot(yNew, yNew, n));
        for (let i = 0; i < n; i++) dir[i] = (dir[i] as number) * gamma;
      }
      for (let k = 0, j = (newest - stored + 1 + m) % m; k < stored; k++, j = (j + 1) % m) {
        const b = (rho[j] as number) * dot(Y[j] as Float64Array, dir, n);
        axpy((alpha[j] as number) - b, S[j] as Float64Array, dir, n);
      }
      let dphi0 = dot(g, dir, n);
      if (!(dphi0 < 0)) {
        // Not a descent direction (lost curvature information): restart from steepest descent.
        stored = 0;
        for (let i = 0; i < n; i++) dir[i] = -(g[i] as number);
        dphi0 = -gnorm * gnorm;
      }
      // First step of a (re)started memory has length 1, as in L-BFGS-B; later ones try a = 1.
      const a0 = stored === 0 ? 1 / Math.sqrt(-dphi0) : 1;
      if (!lineSearch(dphi0, a0)) {
        if (stored === 0) {
          stop = 'lineSearch';
          break;
        }
        stored = 0;
        continue;
      }
      iter++;
      // Store the correction pair when curvature is positive (always, for a convex objective).
      const next = (newest + 1) % m;
      const s = S[next] as Float64Array;
      const yv = Y[next] as Float64Array;
      let sy = 0;
      for (let i = 0; i < n; i++) {
        const si = (xt[i] as number) - (x[i] as number);
        const yi = (gt[i] as number) - (g[i] as number);
        s[i] = si;
        yv[i] = yi;
        sy += si * yi;
      }
      if (sy > 1e-300) {
        rho[next] = 1 / sy;
        newest = next;
        stored = Math.min(stored + 1, m);
      }
      const fPrev = f;
      [x, xt] = [xt, x];
      [g, gt] = [gt, g];
      f = fTrial;
      gnorm = Math.sqrt(dot(g, g, n));
      if (!(gnorm > gtol)) {
        stop = 'gtol';
        break;
      }
      if (fPrev - f <= ftol * Math.max(Math.abs(fPrev), Math.abs(f), 1)) {
        stop = 'ftol';
        break;
      }
    }
  }
  return { x, f, gradNorm: gnorm, nIter: iter, nEval, stop };
}

/** Minimiser of the cubic through (a, fa, da) and (b, fb, db), or NaN when it has none. */
function cubicMin(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  if (!(disc >= 0)) return Number.NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - ((b - a) * (db + d2 - d1)) / (db - da + 2 * d2);
}

function dot(a: Float64Array, b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) y[i] = (y[i] as number) + a * (x[i] as number);
}
