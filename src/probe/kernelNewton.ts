/**
 * Newton's method for L2 logistic regression in the row space of X (the kernel form), for
 * n < d: few-shot training sets and any set with fewer rows than features.
 *
 * The optimal w lies in the row space of X (the loss gradient is X^T r and the penalty pulls the
 * rest to 0), so w = X^T alpha, and with K = X X^T everything the solver needs is n-dimensional:
 * scores `K alpha + b`, `||w||^2 = alpha' K alpha`, the gradient norm
 * `||X^T (r + lambda alpha)||^2 = u' K u` with `u = r + lambda alpha`. The Newton step
 * `p = X^T q` (with intercept step pb) solves
 *
 *     [K + lambda D^-1   1] [q ]   [-D^-1 u      ]
 *     [1'                0] [pb] = [-1' alpha    ]
 *
 * (D the curvature weights p(1 - p) / n; the second row is the intercept's equation, which says
 * that the new alpha sums to zero). `K + lambda D^-1` is symmetric positive definite and, unlike
 * the feature-space Hessian `X' D X + lambda I`, well conditioned at large C: rows the model
 * already separates get a large diagonal `lambda / D_i` and decouple, instead of leaving
 * directions of curvature lambda ~ 1e-6 / n that conjugate gradients crawl through. Two CG
 * solves (right-hand sides `-D^-1 u` and `1`, run together), preconditioned with K's leading
 * eigenpairs plus a diagonal, give the step; their products read K rounded to float32, while the
 * objective, gradient, line search and preconditioner use the float64 K, and a step that misses
 * its forcing term on the float64 K switches the rest of the path to float64 products. The line
 * search costs O(n) per trial since `K q` is known.
 */
import type { Kernels } from './kernels.ts';

/** Options of {@link kernelNewton}. */
export interface KernelNewtonOptions {
  /** Certificate: `||grad f||_2 / max(1, |f|) <= gtol`. */
  readonly gtol: number;
  /** And the Newton step's length (2-norm, w and b) `<= xtol * max(1, ||w||_2, |b|)`. */
  readonly xtol: number;
  readonly maxIter: number;
}

/** Result of {@link kernelNewton}; alpha and b are updated in place. */
export interface KernelNewtonResult {
  readonly nIter: number;
  readonly nMatVec: number;
  readonly relGrad: number;
  readonly stop: 'certified' | 'maxIter' | 'lineSearch' | 'nonFinite';
}

const C1 = 1e-4;
const F_NOISE = 2e-14;

/**
 * A kernel-form solver bound to K in the arena (`kOff`, n x n) and labels y; `vOff` and `mvOff`
 * are n doubles of arena scratch each (the matvec's input and output), `outOff` 4 doubles, and
 * `eigOff` {@link kernelScratch}(n) doubles for the preconditioner.
 */
export function makeKernelSolver(
  k: Kernels,
  kOff: number,
  n: number,
  y: Float64Array,
  vOff: number,
  mvOff: number,
  outOff: number,
  eigOff: number,
) {
  const invN = 1 / n;
  const ka = new Float64Array(n); // K alpha
  const s = new Float64Array(n);
  const r = new Float64Array(n);
  const D = new Float64Array(n);
  const u = new Float64Array(n);
  const ku = new Float64Array(n);
  const q = new Float64Array(n);
  const kq = new Float64Array(n);
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const invD = new Float64Array(n);
  const kDiag = new Float64Array(n);
  for (let i = 0; i < n; i++) kDiag[i] = k.view()[kOff + i * n + i] as number;
  // Top eigenpairs of K, once per data set, for the preconditioner (see makePreconditioner).
  let eig: { V: Float64Array; lam: Float64Array; m: number } | undefined;
  const multiOff = eigOff + 2 * Math.min(n, EIG_RANK) * n + 2 * n;
  // K rounded to float32 (float32 index, after the batch vectors) for the batched products of
  // the inner solves and the preconditioner (see matVecMulti).
  const k32Off = 2 * (multiOff + MULTI * n);
  // Cleared for good (this data set) when a step solved with it misses its forcing term on the
  // float64 K: badly conditioned K (sparse counts at large C) needs every digit.
  let useK32 = true;
  const rhs = new Float64Array(n);
  const tr = new Float64Array(n);
  const tz = new Float64Array(n);
  {
    const m = k.view();
    const m32 = k.view32();
    for (let i = 0; i < n * n; i++) m32[k32Off + i] = m[kOff + i] as number;
  }
  const einv = new Float64Array(n);
  const cgState = [0, 1].map(() => ({
    r: new Float64Array(n),
    z: new Float64Array(n),
    p: new Float64Array(n),
    kp: new Float64Array(n),
    rz: 0,
    target: 0,
    active: true,
  }));
  const ones = new Float64Array(n).fill(1);
  const dot = (a: Float64Array, b: Float64Array): number => {
    let t = 0;
    for (let i = 0; i < n; i++) t += (a[i] as number) * (b[i] as number);
    return t;
  };
  let nMatVec = 0;

  const matVec = (v: Float64Array, out: Float64Array): void => {
    const mem = k.view();
    mem.set(v, vOff);
    let i = 0;
    for (; i + 3 < n; i += 4) {
      k.dot4(kOff + i * n, n, vOff, n, outOff);
      out[i] = mem[outOff] as number;
      out[i + 1] = mem[outOff + 1] as number;
      out[i + 2] = mem[outOff + 2] as number;
      out[i + 3] = mem[outOff + 3] as number;
    }
    for (; i < n; i++) out[i] = k.dot(kOff + i * n, vOff, n);
    nMatVec++;
  };

  // out_j = K v_j for up to MULTI vectors in one pass over K: each block of four rows of K is
  // read from memory once and, still in cache, multiplied with every vector. These products
  // serve the inner CG solves and the preconditioner's eigenpairs, which only need K to a few
  // digits, so they read K rounded to float32: half the memory traffic, about 40% less time in
  // the solves of the bench's 1,971-row fit (same 1,131 products, same Newton iterations). The
  // objective, the gradient and the line search use the float64 K (matVec), so every iterate
  // and the certificate are exact.
  const matVecMulti = (vs: readonly Float64Array[], outs: readonly Float64Array[]): void => {
    const mem = k.view();
    const m32 = k.view32();
    const c = vs.length;
    for (let j = 0; j < c; j++) mem.set(vs[j] as Float64Array, multiOff + j * n);
    let i = 0;
    for (; i + 3 < n; i += 4) {
      for (let j = 0; j < c; j++) {
        if (useK32) k.dot4f(k32Off + i * n, n, multiOff + j * n, n, outOff);
        else k.dot4(kOff + i * n, n, multiOff + j * n, n, outOff);
        const o = outs[j] as Float64Array;
        o[i] = mem[outOff] as number;
        o[i + 1] = mem[outOff + 1] as number;
        o[i + 2] = mem[outOff + 2] as number;
        o[i + 3] = mem[outOff + 3] as number;
      }
    }
    for (; i < n; i++) {
      for (let j = 0; j < c; j++) {
        const o = k32Off + i * n;
        let t = 0;
        if (useK32) for (let l = 0; l < n; l++) t += (m32[o + l] as number) * (mem[multiOff + j * n + l] as number);
        else t = k.dot(kOff + i * n, multiOff + j * n, n);
        (outs[j] as Float64Array)[i] = t;
      }
    }
    nMatVec += c;
  };

  // Mean loss at scores s, filling residuals r = (p - y) / n and weights D = p (1 - p) / n.
  const lossAt = (scores: Float64Array, fill: boolean): number => {
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const z = scores[i] as number;
      const yi = y[i] as number;
      const e = Math.exp(-Math.abs(z));
      loss += Math.log1p(e) + (z >= 0 ? (1 - yi) * z : -yi * z);
      if (fill) {
        const big = 1 / (1 + e);
        const small = e * big;
        D[i] = small * big * invN;
        r[i] = (z >= 0 ? (yi === 1 ? -small : big) : yi === 1 ? -big : small) * invN;
      }
    }
    return loss * invN;
  };

  // Preconditioned CG on (K + lambda D^-1) x_j = b_j for the right-hand sides together (one pass
  // over K serves both: the matrix-vector products are memory-bound); each stops when its
  // preconditioned residual norm falls to eta times that of its b.
  const cg = (
    lam: number,
    invD: Float64Array,
    prec: (r: Float64Array, z: Float64Array) => void,
    bs: Float64Array[],
    xs: Float64Array[],
    eta: number,
    maxCg: number,
  ): void => {
    const sys = cgState.slice(0, bs.length);
    sys.forEach((st, j) => {
      (xs[j] as Float64Array).fill(0);
      st.r.set(bs[j] as Float64Array);
      prec(st.r, st.z);
      st.p.set(st.z);
      st.rz = dot(st.r, st.z);
      st.target = eta * eta * st.rz;
      st.active = st.rz > st.target;
    });
    for (let it = 0; it < maxCg; it++) {
      const act = sys.filter((st) => st.active);
      if (act.length === 0) break;
      matVecMulti(
        act.map((st) => st.p),
        act.map((st) => st.kp),
      );
      sys.forEach((st, j) => {
        if (!st.active) return;
        const x = xs[j] as Float64Array;
        let pKp = 0;
        for (let i = 0; i < n; i++) {
          const v = (st.kp[i] as number) + lam * (invD[i] as number) * (st.p[i] as number);
          st.kp[i] = v;
          pKp += (st.p[i] as number) * v;
        }
        if (!(pKp > 0)) {
          st.active = false;
          return;
        }
        const a = st.rz / pKp;
        for (let i = 0; i < n; i++) {
          x[i] = (x[i] as number) + a * (st.p[i] as number);
          st.r[i] = (st.r[i] as number) - a * (st.kp[i] as number);
        }
        prec(st.r, st.z);
        const rzNew = dot(st.r, st.z);
        const beta = rzNew / st.rz;
        st.rz = rzNew;
        for (let i = 0; i < n; i++) st.p[i] = (st.z[i] as number) + beta * (st.p[i] as number);
        st.active = st.rz > st.target;
      });
    }
  };

  return {
    /** Minimise at this C from (alpha, bRef.b); both are updated in place. */
    solve(C: number, alpha: Float64Array, bRef: { b: number }, opts: KernelNewtonOptions): KernelNewtonResult {
      const lam = 1 / (C * n);
      const maxCg = Math.max(50, Math.min(2 * n, 1000));
      nMatVec = 0;
      matVec(alpha, ka);
      let b = bRef.b;
      let iter = 0;
      let stop: KernelNewtonResult['stop'] = 'maxIter';
      let relGrad = Number.NaN;
      for (;;) {
        for (let i = 0; i < n; i++) s[i] = (ka[i] as number) + b;
        const ww = dot(alpha, ka);
        const f = lossAt(s, true) + 0.5 * lam * ww;
        let gb = 0;
        for (let i = 0; i < n; i++) {
          u[i] = (r[i] as number) + lam * (alpha[i] as number);
          gb += r[i] as number;
        }
        matVec(u, ku);
        const gw2 = Math.max(0, dot(u, ku));
        const gnorm = Math.sqrt(gw2 + gb * gb);
        relGrad = gnorm / Math.max(1, Math.abs(f));
        if (!Number.isFinite(f) || !Number.isFinite(gnorm)) {
          stop = 'nonFinite';
          break;
        }
        const small = relGrad <= opts.gtol;
        if (iter >= opts.maxIter && !small) break;
        // Newton step: two CG solves with the same matrix.
        for (let i = 0; i < n; i++) invD[i] = 1 / Math.max(D[i] as number, 1e-300);
        if (eig === undefined) {
          // Float64 products here: the preconditioner also measures the float32 solves' error.
          const was = useK32;
          useK32 = false;
          eig = topEigen(matVecMulti, n, Math.min(n, EIG_RANK));
          useK32 = was;
          k.view().set(eig.V, eigOff);
        }
        for (let i = 0; i < n; i++) einv[i] = lam * (invD[i] as number);
        const prec = makePreconditioner(
          k,
          eig,
          eigOff,
          eigOff + eig.m * n,
          eigOff + 2 * eig.m * n,
          eigOff + 2 * eig.m * n + n,
          kDiag,
          einv,
          n,
        );
        for (let i = 0; i < n; i++) q[i] = -(u[i] as number) * (invD[i] as number);
        rhs.set(q);
        // Forcing term of the inexact Newton step; once the gradient is certified the step only
        // has to show that it is small (xtol), and a rough solve measures its length as well.
        const eta = small ? 0.1 : Math.min(0.1, Math.sqrt(gnorm));
        cg(lam, invD, prec, [q, ones], [x1, x2], eta, maxCg);
        let s1 = 0;
        let s2 = 0;
        let sa = 0;
        for (let i = 0; i < n; i++) {
          s1 += x1[i] as number;
          s2 += x2[i] as number;
          sa += alpha[i] as number;
        }
        let pb = (s1 + sa) / s2;
        for (let i = 0; i < n; i++) q[i] = (x1[i] as number) - pb * (x2[i] as number);
        matVec(q, kq);
        if (useK32) {
          // The step's equation (K + lam D^-1) q + pb 1 = rhs on the float64 K (K q is exact):
          // its residual, in the preconditioner's norm as CG measures it, must be within the
          // forcing term of both solves; otherwise solve again with float64 products only.
          for (let i = 0; i < n; i++) tr[i] = (rhs[i] as number) - (kq[i] as number) - lam * (invD[i] as number) * (q[i] as number) - pb;
          const mNorm = (v: Float64Array): number => {
            prec(v, tz);
            return Math.sqrt(Math.max(0, dot(v, tz)));
          };
          if (mNorm(tr) > 2 * eta * (mNorm(rhs) + Math.abs(pb) * mNorm(ones))) {
            useK32 = false;
            continue;
          }
        }
        let qkq = Math.max(0, dot(q, kq));
        if (small && Math.sqrt(qkq + pb * pb) <= opts.xtol * Math.max(1, Math.sqrt(ww), Math.abs(b))) {
          stop = 'certified';
          break;
        }
        if (iter >= opts.maxIter) break;
        let gp = dot(u, kq) + gb * pb;
        if (!(gp < 0)) {
          // Not a descent direction (CG broke down): steepest descent in w-space.
          for (let i = 0; i < n; i++) {
            q[i] = -(u[i] as number);
            kq[i] = -(ku[i] as number);
          }
          pb = -gb;
          qkq = gw2;
          gp = -(gw2 + gb * gb);
        }
        const qka = dot(q, ka);
        let t = 1;
        let accepted = false;
        for (let ls = 0; ls < 60; ls++) {
          for (let i = 0; i < n; i++) s[i] = (ka[i] as number) + t * (kq[i] as number) + b + t * pb;
          const ft = lossAt(s, false) + 0.5 * lam * (ww + 2 * t * qka + t * t * qkq);
          if (Number.isFinite(ft) && (ft <= f + C1 * t * gp || (t === 1 && ft <= f + F_NOISE * Math.max(1, Math.abs(f))))) {
            accepted = true;
            break;
          }
          t *= 0.5;
        }
        if (!accepted) {
          stop = 'lineSearch';
          break;
        }
        for (let i = 0; i < n; i++) {
          alpha[i] = (alpha[i] as number) + t * (q[i] as number);
          ka[i] = (ka[i] as number) + t * (kq[i] as number);
        }
        b += t * pb;
        iter++;
      }
      bRef.b = b;
      return { nIter: iter, nMatVec, relGrad, stop };
    },
  };
}

/** Vectors per pass over K in the batched products. */
const MULTI = 8;

/** Eigenpairs of K kept for the preconditioner (at most). */
const EIG_RANK = 96;

/**
 * Power steps before the Rayleigh-Ritz step. On the bench's 1,971 x 4,096 set one step gave the
 * same preconditioner quality as three (1,179 against 1,183 products in the Newton steps, with 192
 * against 384 products for the eigenpairs).
 */
const POWER_STEPS = 1;

/**
 * Leading eigenpairs of the symmetric PSD n x n matrix behind `matVec`, by randomized subspace
 * iteration (Halko, Martinsson & Tropp 2011, Alg. 4.4 with {@link POWER_STEPS} power steps) and a Rayleigh-Ritz
 * step solved with cyclic Jacobi. Deterministic (fixed seed). V is column-major (V[c * n + i]).
 */
function topEigen(
  matVecMulti: (vs: readonly Float64Array[], outs: readonly Float64Array[]) => void,
  n: number,
  m: number,
): { V: Float64Array; lam: Float64Array; m: number } {
  const Q = new Float64Array(m * n);
  let seed = 0x9e3779b9;
  for (let i = 0; i < Q.length; i++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    Q[i] = (seed >>> 0) / 4294967296 - 0.5;
  }
  // Q <- K Q (or into `dest`), MULTI columns per pass over K.
  const applyK = (dest: Float64Array = Q): void => {
    for (let c0 = 0; c0 < m; c0 += MULTI) {
      const c1 = Math.min(m, c0 + MULTI);
      const ins: Float64Array[] = [];
      const outs: Float64Array[] = [];
      for (let c = c0; c < c1; c++) {
        ins.push(Q.slice(c * n, (c + 1) * n));
        outs.push(dest.subarray(c * n, (c + 1) * n));
      }
      matVecMulti(ins, outs);
    }
  };
  for (let it = 0; it < POWER_STEPS; it++) {
    applyK();
    orthonormalize(Q, n, m);
  }
  // Rayleigh-Ritz: B = Q' K Q.
  const KQ = new Float64Array(m * n);
  applyK(KQ);
  const B = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = a; b < m; b++) {
      let t = 0;
      for (let i = 0; i < n; i++) t += (Q[a * n + i] as number) * (KQ[b * n + i] as number);
      B[a * m + b] = t;
      B[b * m + a] = t;
    }
  }
  const { values, vectors } = jacobiEigen(B, m);
  const V = new Float64Array(m * n);
  for (let c = 0; c < m; c++) {
    for (let a = 0; a < m; a++) {
      const wa = vectors[a * m + c] as number;
      if (wa === 0) continue;
      for (let i = 0; i < n; i++) V[c * n + i] = (V[c * n + i] as number) + wa * (Q[a * n + i] as number);
    }
  }
  const lam = Float64Array.from(values, (v) => Math.max(0, v));
  return { V, lam, m };
}

/** Modified Gram-Schmidt, twice (column-major n x m); a column that vanishes becomes zero. */
function orthonormalize(Q: Float64Array, n: number, m: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < m; c++) {
      for (let a = 0; a < c; a++) {
        let t = 0;
        for (let i = 0; i < n; i++) t += (Q[a * n + i] as number) * (Q[c * n + i] as number);
        for (let i = 0; i < n; i++) Q[c * n + i] = (Q[c * n + i] as number) - t * (Q[a * n + i] as number);
      }
      let nn = 0;
      for (let i = 0; i < n; i++) nn += (Q[c * n + i] as number) ** 2;
      const inv = nn > 1e-300 ? 1 / Math.sqrt(nn) : 0;
      for (let i = 0; i < n; i++) Q[c * n + i] = (Q[c * n + i] as number) * inv;
    }
  }
}

/** Cyclic Jacobi eigen-decomposition of a symmetric m x m matrix (row-major); vectors column c. */
function jacobiEigen(A0: Float64Array, m: number): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(A0);
  const V = new Float64Array(m * m);
  for (let i = 0; i < m; i++) V[i * m + i] = 1;
  for (let sweep = 0; sweep < 30; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        const v = (A[i * m + j] as number) ** 2;
        total += v;
        if (i !== j) off += v;
      }
    }
    if (off <= 1e-30 * total) break;
    for (let p = 0; p < m - 1; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = A[p * m + q] as number;
        if (Math.abs(apq) < 1e-300) continue;
        const app = A[p * m + p] as number;
        const aqq = A[q * m + q] as number;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < m; k++) {
          const akp = A[k * m + p] as number;
          const akq = A[k * m + q] as number;
          A[k * m + p] = c * akp - s * akq;
          A[k * m + q] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = A[p * m + k] as number;
          const aqk = A[q * m + k] as number;
          A[p * m + k] = c * apk - s * aqk;
          A[q * m + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < m; k++) {
          const vkp = V[k * m + p] as number;
          const vkq = V[k * m + q] as number;
          V[k * m + p] = c * vkp - s * vkq;
          V[k * m + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: m }, (_, i) => A[i * m + i] as number), vectors: V };
}

/** Arena doubles {@link makeKernelSolver} needs after its n x n K and two n-vectors. */
export function kernelScratch(n: number): number {
  const m = Math.min(n, EIG_RANK);
  return 2 * m * n + 2 * n + MULTI * n + Math.ceil((n * n) / 2);
}

/**
 * Preconditioner for `K + diag(e)`: `P = V Lambda V' + diag(e + residual)`, where V Lambda V'
 * are K's leading eigenpairs and residual_i = K_ii - (V Lambda V')_ii >= 0 keeps the rest of K's
 * diagonal; applied through the Woodbury identity with an m x m Cholesky factor. V (m rows of n)
 * is at `vOff` of the arena; `wOff` (m x n), `tOff` (n) and `zOff` (n) are scratch.
 */
function makePreconditioner(
  k: Kernels,
  eig: { lam: Float64Array; m: number },
  vOff: number,
  wOff: number,
  tOff: number,
  zOff: number,
  kDiag: Float64Array,
  e: Float64Array,
  n: number,
) {
  const mem = k.view();
  const lamMax = eig.lam.reduce((a, b) => Math.max(a, b), 0);
  const keep: number[] = [];
  for (let c = 0; c < eig.m; c++) if ((eig.lam[c] as number) > 1e-10 * lamMax) keep.push(c);
  const m = keep.length;
  const Einv = new Float64Array(n);
  const lowRank = new Float64Array(n);
  for (const c of keep) {
    const lc = eig.lam[c] as number;
    const o = vOff + c * n;
    for (let i = 0; i < n; i++) lowRank[i] = (lowRank[i] as number) + lc * (mem[o + i] as number) ** 2;
  }
  for (let i = 0; i < n; i++) {
    const ei = (e[i] as number) + Math.max(0, (kDiag[i] as number) - (lowRank[i] as number));
    Einv[i] = ei > 0 ? 1 / ei : 0;
  }
  // W = E^-1 V (row c of W at wOff + c n), then S = Lambda^-1 + V' W, factored S = L L'.
  for (const c of keep) {
    const o = vOff + c * n;
    const w = wOff + c * n;
    for (let i = 0; i < n; i++) mem[w + i] = (mem[o + i] as number) * (Einv[i] as number);
  }
  const L = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    const ca = keep[a] as number;
    for (let b = 0; b <= a; b++) {
      const t = k.dot(vOff + ca * n, wOff + (keep[b] as number) * n, n);
      L[a * m + b] = t + (a === b ? 1 / (eig.lam[ca] as number) : 0);
    }
  }
  for (let j = 0; j < m; j++) {
    let d = L[j * m + j] as number;
    for (let p = 0; p < j; p++) d -= (L[j * m + p] as number) ** 2;
    const ljj = Math.sqrt(Math.max(d, 1e-300));
    L[j * m + j] = ljj;
    for (let i = j + 1; i < m; i++) {
      let t = L[i * m + j] as number;
      for (let p = 0; p < j; p++) t -= (L[i * m + p] as number) * (L[j * m + p] as number);
      L[i * m + j] = t / ljj;
    }
  }
  const sv = new Float64Array(m);
  return (r: Float64Array, z: Float64Array): void => {
    const view = k.view();
    view.set(r, tOff);
    // sv = W' r = V' E^-1 r
    for (let a = 0; a < m; a++) sv[a] = k.dot(wOff + (keep[a] as number) * n, tOff, n);
    for (let a = 0; a < m; a++) {
      let acc = sv[a] as number;
      for (let p = 0; p < a; p++) acc -= (L[a * m + p] as number) * (sv[p] as number);
      sv[a] = acc / (L[a * m + a] as number);
    }
    for (let a = m - 1; a >= 0; a--) {
      let acc = sv[a] as number;
      for (let p = a + 1; p < m; p++) acc -= (L[p * m + a] as number) * (sv[p] as number);
      sv[a] = acc / (L[a * m + a] as number);
    }
    // z = E^-1 r - W sv
    view.fill(0, zOff, zOff + n);
    for (let a = 0; a < m; a++) k.axpy(zOff, wOff + (keep[a] as number) * n, -(sv[a] as number), n);
    for (let i = 0; i < n; i++) z[i] = (r[i] as number) * (Einv[i] as number) + (view[zOff + i] as number);
  };
}
