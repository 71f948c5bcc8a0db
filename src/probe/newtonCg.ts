/**
 * Truncated Newton (Newton-CG with a line search) for smooth, strictly convex problems such as
 * L2-penalised logistic regression: each step solves `H p = -g` approximately with conjugate
 * gradients preconditioned by the Hessian's diagonal (Nocedal & Wright, Numerical Optimization,
 * Alg. 7.1; the inexact-Newton forcing term `min(0.5, sqrt(||g||)) ||g||` gives superlinear
 * convergence), then backtracks along `p` until the Armijo condition holds.
 *
 * Why Newton and not L-BFGS: the stopping test is a certificate, not a heuristic. The run stops
 * only when the relative gradient norm `||g||_2 / max(1, |f|)` is at or below `gtol` and the
 * Newton step from the point (its distance to the optimum, to first order) is below `xtol`
 * relative to the point's largest coordinate. L-BFGS stalls at large C
 * (curvature spread over many orders of magnitude) long before such a bound; Newton's quadratic
 * convergence reaches it in a few more Hessian-vector products.
 *
 * Near the optimum, f changes by less than its rounding error and the Armijo test becomes noise;
 * a step is then also accepted when f did not rise by more than that noise and the gradient norm
 * fell.
 */

/** The problem as the solver sees it. */
export interface NewtonProblem {
  /** Dimension of x. */
  readonly dim: number;
  /**
   * Writes the gradient at `x` into `grad` and returns f(x). Also records whatever
   * {@link NewtonProblem.hessVec} and {@link NewtonProblem.hessDiag} need at `x`: they are always
   * called at the point evaluated last.
   */
  evaluate(x: Float64Array, grad: Float64Array): number;
  /** `out = H v` at the point evaluated last. */
  hessVec(v: Float64Array, out: Float64Array): void;
  /** `out = diag(H)` at the point evaluated last (for the preconditioner). */
  hessDiag(out: Float64Array): void;
  /**
   * Optional: write the exact Newton step `p = -H^-1 grad` at the point evaluated last and return
   * true (small dimensions, where factoring H is cheaper than many CG iterations); false to fall
   * back to CG.
   */
  newtonStep?(grad: Float64Array, p: Float64Array): boolean;
  /**
   * Optional: a factor of the Hessian (at the point evaluated when it was made) to precondition
   * CG instead of the diagonal. For problems too large to factor at every step but so
   * ill-conditioned that diagonally preconditioned CG needs hundreds of products per step (count
   * features at large C). The factor may outlive one {@link newtonCg} call (a C path reuses it).
   */
  readonly preconditioner?: HessianPreconditioner;
}

/** A refactorable Hessian preconditioner (see {@link NewtonProblem.preconditioner}). */
export interface HessianPreconditioner {
  /** True once a factor is held (possibly from an earlier point or problem). */
  readonly ready: boolean;
  /** Factor the Hessian at the point evaluated last; false when it cannot (the diagonal is used). */
  factor(): boolean;
  /** `z = M^-1 r` with the factor held. */
  apply(r: Float64Array, z: Float64Array): void;
  /**
   * What one {@link HessianPreconditioner.factor} costs, in Hessian-vector products (default
   * {@link REFACTOR_AFTER_CG}): a factor is made only once CG has spent that many products since
   * the last one (or since the fit began), so the factors of a fit never cost more than the
   * products CG spent before them.
   */
  readonly cost?: number;
}

/**
 * Products one CG solve may take before the next Newton step (re)factors the problem's Hessian
 * preconditioner, if it has one: a factor of a nearby Hessian leaves a few tens of products per
 * step, a stale one (curvature weights moved far, or a new C) shows as many more, and so does the
 * diagonal on an ill-conditioned problem. A CG solve with a factor stops at four times this and
 * the next step refactors.
 */
export const REFACTOR_AFTER_CG = 25;

/** Options of {@link newtonCg}. */
export interface NewtonCgOptions {
  /** Stop when `||g||_2 / max(1, |f|) <= gtol`. Default 1e-8. */
  readonly gtol?: number;
  /**
   * Also require the Newton step from the returned point (an estimate of its distance to the
   * optimum) to be `<= xtol * max(1, ||x||_inf)` in every coordinate. A small gradient alone does
   * not pin directions of tiny curvature (at C = 1e6 the penalty's curvature is 1e-6 / n);
   * the Newton step does. Default 1e-9.
   */
  readonly xtol?: number;
  /** Maximum Newton iterations. Default 200. */
  readonly maxIter?: number;
  /** Maximum CG iterations per Newton step. Default `max(50, min(2 * dim, 1000))`. */
  readonly maxCg?: number;
}

/** Why {@link newtonCg} stopped: only `certified` is a success. */
export type NewtonStop = 'certified' | 'maxIter' | 'lineSearch' | 'nonFinite';

/** Result of {@link newtonCg}. */
export interface NewtonResult {
  /** The last accepted point (a new array). */
  readonly x: Float64Array;
  /** Objective at `x`. */
  readonly f: number;
  /** The certificate: `||grad f(x)||_2 / max(1, |f(x)|)`. */
  readonly relGrad: number;
  /** Newton iterations (accepted steps). */
  readonly nIter: number;
  /** Hessian-vector products (CG iterations), the dominant cost. */
  readonly nHessVec: number;
  /** Objective evaluations. */
  readonly nEval: number;
  /** Hessian factorisations for the preconditioner (0 for problems without one). */
  readonly nFactor: number;
  readonly stop: NewtonStop;
}

const C1 = 1e-4;
/** Relative rounding noise of f tolerated by the fallback acceptance (about 100 eps). */
const F_NOISE = 2e-14;

/**
 * Minimise a smooth strictly convex function from `x0` (not modified) with Newton-CG.
 *
 * @param problem - value, gradient, Hessian-vector products and Hessian diagonal.
 * @param x0 - starting point.
 * @param options - gtol (1e-8), xtol (1e-9), maxIter (200), maxCg (max(50, min(2 dim, 1000))).
 */
export function newtonCg(problem: NewtonProblem, x0: Float64Array, options: NewtonCgOptions = {}): NewtonResult {
  const n = problem.dim;
  const gtol = options.gtol ?? 1e-8;
  const maxIter = options.maxIter ?? 200;
  const xtol = options.xtol ?? 1e-9;
  const maxCg = options.maxCg ?? Math.max(50, Math.min(2 * n, 1000));
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let xt = new Float64Array(n);
  let gt = new Float64Array(n);
  const p = new Float64Array(n);
  const r = new Float64Array(n);
  const z = new Float64Array(n);
  const dir = new Float64Array(n);
  const hd = new Float64Array(n);
  const minv = new Float64Array(n);
  let f = problem.evaluate(x, g);
  let nEval = 1;
  let nHessVec = 0;
  let gnorm = norm2(g);
  let iter = 0;
  let stop: NewtonStop = 'maxIter';
  // Hessian factor as preconditioner (problems that offer one): factored on the first CG solve,
  // then again only when it has gone stale.
  const pc = problem.preconditioner;
  let factored = pc?.ready ?? false;
  let lastCg = 0;
  let nFactor = 0;
  // Products since the last factor (or since this fit began), against the factor's cost.
  let sinceFactor = 0;
  for (;;) {
    if (!Number.isFinite(f) || !Number.isFinite(gnorm)) {
      stop = 'nonFinite';
      break;
    }
    const small = gnorm / Math.max(1, Math.abs(f)) <= gtol;
    if (iter >= maxIter && !small) break;
    // The exact Newton step where the problem can factor its Hessian, else preconditioned CG.
    let cgSolved = true;
    if (!(problem.newtonStep?.(g, p) ?? false)) {
      // Preconditioned CG on H p = -g.
      if (pc && lastCg > REFACTOR_AFTER_CG && sinceFactor >= (pc.cost ?? REFACTOR_AFTER_CG)) {
        factored = pc.factor();
        nFactor++;
        sinceFactor = 0;
      }
      const precondition = factored ? pc?.apply.bind(pc) : undefined;
      const cap = precondition ? Math.min(maxCg, 4 * REFACTOR_AFTER_CG) : maxCg;
      if (!precondition) {
        problem.hessDiag(minv);
        for (let i = 0; i < n; i++) {
          const h = minv[i] as number;
          minv[i] = h > 0 ? 1 / h : 1;
        }
      }
      p.fill(0);
      for (let i = 0; i < n; i++) r[i] = -(g[i] as number);
      if (precondition) precondition(r, z);
      else for (let i = 0; i < n; i++) z[i] = (r[i] as number) * (minv[i] as number);
      let rz = 0;
      for (let i = 0; i < n; i++) {
        dir[i] = z[i] as number;
        rz += (r[i] as number) * (z[i] as number);
      }
      const hessVecBefore = nHessVec;
      // Inexact-Newton forcing term; once the gradient is certified the step only has to show
      // that it is small (xtol), and a rough solve measures its length as well.
      const target = (small ? 0.1 : Math.min(0.5, Math.sqrt(gnorm))) * gnorm;
      let j = 0;
      for (; j < cap; j++) {
        problem.hessVec(dir, hd);
        nHessVec++;
        const dHd = dot(dir, hd, n);
        if (!(dHd > 0)) break; // no curvature left along dir (rounding): keep what we have
        const alpha = rz / dHd;
        let rr = 0;
        for (let i = 0; i < n; i++) {
          p[i] = (p[i] as number) + alpha * (dir[i] as number);
          const ri = (r[i] as number) - alpha * (hd[i] as number);
          r[i] = ri;
          rr += ri * ri;
        }
        if (Math.sqrt(rr) <= target) break;
        if (precondition) precondition(r, z);
        else for (let i = 0; i < n; i++) z[i] = (r[i] as number) * (minv[i] as number);
        let rzNew = 0;
        for (let i = 0; i < n; i++) rzNew += (r[i] as number) * (z[i] as number);
        const beta = rzNew / rz;
        rz = rzNew;
        for (let i = 0; i < n; i++) dir[i] = (z[i] as number) + beta * (dir[i] as number);
      }
      lastCg = nHessVec - hessVecBefore;
      sinceFactor += lastCg;
      cgSolved = j < cap;
    }
    // A CG solve cut short underestimates the step (CG iterates grow in norm), so it certifies
    // nothing; the next iteration solves again.
    if (small && cgSolved && stepIsSmall(p, x, xtol)) {
      stop = 'certified';
      break;
    }
    if (iter >= maxIter) break;
    let gp = dot(g, p, n);
    if (!(gp < 0)) {
      // No descent direction (no curvature in CG's first product, or rounding in the factor):
      // diagonally scaled steepest descent.
      problem.hessDiag(minv);
      for (let i = 0; i < n; i++) {
        const h = minv[i] as number;
        p[i] = -(g[i] as number) / (h > 0 ? h : 1);
      }
      gp = dot(g, p, n);
    }
    // Backtracking line search from the full Newton step.
    let t = 1;
    let accepted = false;
    let fTrial = f;
    for (let ls = 0; ls < 60; ls++) {
      for (let i = 0; i < n; i++) xt[i] = (x[i] as number) + t * (p[i] as number);
      fTrial = problem.evaluate(xt, gt);
      nEval++;
      if (Number.isFinite(fTrial)) {
        if (fTrial <= f + C1 * t * gp) {
          accepted = true;
          break;
        }
        if (fTrial <= f + F_NOISE * Math.max(1, Math.abs(f)) && norm2(gt) < gnorm) {
          accepted = true;
          break;
        }
      }
      t *= 0.5;
    }
    if (!accepted) {
      stop = 'lineSearch';
      break;
    }
    [x, xt] = [xt, x];
    [g, gt] = [gt, g];
    f = fTrial;
    gnorm = norm2(g);
    iter++;
  }
  return {
    x,
    f,
    relGrad: gnorm / Math.max(1, Math.abs(f)),
    nIter: iter,
    nHessVec,
    nEval,
    nFactor,
    stop,
  };
}

function stepIsSmall(p: Float64Array, x: Float64Array, xtol: number): boolean {
  let xMax = 1;
  let pMax = 0;
  for (let i = 0; i < x.length; i++) {
    xMax = Math.max(xMax, Math.abs(x[i] as number));
    pMax = Math.max(pMax, Math.abs(p[i] as number));
  }
  return pMax <= xtol * xMax;
}

function dot(a: Float64Array, b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

function norm2(a: Float64Array): number {
  return Math.sqrt(dot(a, a, a.length));
}
