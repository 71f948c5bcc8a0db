/**
 * The inner loops of the logistic fit, `dot` and `axpy` over float64 vectors (and four-row
 * versions that read the shared vector once per four rows), as WebAssembly SIMD (f64x2) with a
 * plain-JS fallback.
 *
 * Why WebAssembly: V8 does not vectorise JS loops; on the bench machine a JS dot product runs at
 * about 0.7-1.7 G multiply-adds/s and the SIMD one at 2-3.7 (in cache), and the fused
 * score-and-gradient pass of the logistic fit is about 2.4x faster. Why hand-assembled: the
 * module is 4 small functions; a build step or a wasm toolchain dependency would cost more than
 * the 100 lines below. The bytes are generated at load time from the instruction lists, so they
 * can be read and reviewed here.
 *
 * Memory: the kernels work on one growable `WebAssembly.Memory` per thread (each `FitPool` worker
 * loads its own), used as a scratch arena by one fit at a time (fits are synchronous, so they
 * cannot interleave).
 * Callers address it in float64 elements (float32 elements for the float32-row kernels);
 * `view()` must be re-read after `reserve()` and `release()`, which may replace the buffer.
 * WebAssembly memory cannot shrink, so `release()` swaps in a fresh one after a large fit.
 * WebAssembly memory is capped at 4 GiB: one fit holds at most ~1e9 float32 feature values.
 * A shared memory ({@link newSharedMemory}, {@link sharedKernels}) holds rows that any thread fits
 * in place: the training rows an evaluation loads there (`solverMemory.ts`).
 */
import { UsageError } from '../errors.ts';

/** float64 kernels over a scratch arena. Offsets and lengths are in float64 elements. */
export interface Kernels {
  /** `'wasm-simd'` or `'js'`. */
  readonly kind: 'wasm-simd' | 'js';
  /** Grow the arena to hold at least `doubles` float64 values (contents are kept). */
  reserve(doubles: number): void;
  /** The arena as a Float64Array (invalidated by `reserve`). */
  view(): Float64Array;
  /** `sum_{i < n} a[aOff + i] * b[bOff + i]`. */
  dot(aOff: number, bOff: number, n: number): number;
  /** `y[yOff + i] += alpha * x[xOff + i]` for `i < n`. */
  axpy(yOff: number, xOff: number, alpha: number, n: number): void;
  /**
   * Four dot products of consecutive rows with one vector: `out[outOff + q] = sum_{i < n}
   * a[aOff + q * stride + i] * w[wOff + i]` for q = 0..3. Reads w once for four rows.
   */
  dot4(aOff: number, stride: number, wOff: number, n: number, outOff: number): void;
  /**
   * `y[yOff + i] += sum_q r_q * a[aOff + q * stride + i]` for q = 0..3, i < n: reads and writes y
   * once for four rows.
   */
  axpy4(yOff: number, aOff: number, stride: number, r0: number, r1: number, r2: number, r3: number, n: number): void;
  /**
   * Give the arena's memory back when it is larger than `keepBytes` (its contents are lost; the
   * next `reserve` grows a new one). Called after a large fit so the process does not keep the
   * copy of its training matrix.
   */
  release(keepBytes: number): void;
  /** The arena as a Float32Array (invalidated by `reserve`); float32 offsets are indices into it. */
  view32(): Float32Array;
  /**
   * {@link Kernels.dot4} on float32 rows: `aOff` and `stride` in float32 elements, `w` and `out`
   * float64. Each product is exact in float64 and sums are float64.
   */
  dot4f(aOff: number, stride: number, wOff: number, n: number, outOff: number): void;
  /** {@link Kernels.dot4} with float32 rows and a float32 `w` (`aOff`, `stride`, `wOff` float32). */
  dot4ff(aOff: number, stride: number, wOff: number, n: number, outOff: number): void;
  /**
   * Eight dot products of float32 rows: four rows a (`aOff`, `stride`) with two rows w (`wOff`,
   * `wOff + wStride`), all float32 offsets; `out[outOff + 2q + v]` = row q . w_v (float64 sums).
   * Each load serves two or four products: the block kernel of the Gram matrix.
   */
  dot4x2ff(aOff: number, stride: number, wOff: number, wStride: number, n: number, outOff: number): void;
  /** {@link Kernels.axpy4} with float32 rows (`aOff`, `stride` float32) into a float64 `y`. */
  axpy4f(yOff: number, aOff: number, stride: number, r0: number, r1: number, r2: number, r3: number, n: number): void;
}

const cache = new Map<string, Kernels>();

/**
 * The process-wide kernels: WebAssembly SIMD when the runtime supports it (Node >= 16.4), else JS.
 *
 * @param prefer - `'auto'` (default) or `'js'` to force the fallback (tests compare both).
 */
export function getKernels(prefer: 'auto' | 'js' = 'auto'): Kernels {
  let k = cache.get(prefer);
  if (k === undefined) {
    k = (prefer === 'auto' ? wasmKernels() : undefined) ?? jsKernels();
    cache.set(prefer, k);
  }
  return k;
}

function jsKernels(): Kernels {
  let mem = new Float64Array(1024);
  let m32 = new Float32Array(mem.buffer);
  return {
    kind: 'js',
    reserve(doubles: number) {
      if (doubles > mem.length) {
        const next = new Float64Array(Math.max(doubles, mem.length * 2));
        next.set(mem);
        mem = next;
        m32 = new Float32Array(mem.buffer);
      }
    },
    view: () => mem,
    view32: () => m32,
    release(keepBytes: number) {
      if (mem.byteLength <= keepBytes) return;
      mem = new Float64Array(1024);
      m32 = new Float32Array(mem.buffer);
    },
    dot4f(aOff, stride, wOff, n, outOff) {
      for (let q = 0; q < 4; q++) {
        const o = aOff + q * stride;
        let t = 0;
        for (let i = 0; i < n; i++) t += (m32[o + i] as number) * (mem[wOff + i] as number);
        mem[outOff + q] = t;
      }
    },
    dot4ff(aOff, stride, wOff, n, outOff) {
      for (let q = 0; q < 4; q++) {
        const o = aOff + q * stride;
        let t = 0;
        for (let i = 0; i < n; i++) t += (m32[o + i] as number) * (m32[wOff + i] as number);
        mem[outOff + q] = t;
      }
    },
    dot4x2ff(aOff, stride, wOff, wStride, n, outOff) {
      for (let q = 0; q < 4; q++) {
        for (let v = 0; v < 2; v++) {
          const o = aOff + q * stride;
          const w = wOff + v * wStride;
          let t = 0;
          for (let i = 0; i < n; i++) t += (m32[o + i] as number) * (m32[w + i] as number);
          mem[outOff + 2 * q + v] = t;
        }
      }
    },
    axpy4f(yOff, aOff, stride, r0, r1, r2, r3, n) {
      const [a1, a2, a3] = [aOff + stride, aOff + 2 * stride, aOff + 3 * stride];
      for (let i = 0; i < n; i++) {
        mem[yOff + i] =
          (mem[yOff + i] as number) +
          r0 * (m32[aOff + i] as number) +
          r1 * (m32[a1 + i] as number) +
          r2 * (m32[a2 + i] as number) +
          r3 * (m32[a3 + i] as number);
      }
    },
    dot(aOff, bOff, n) {
      const m = mem;
      let s0 = 0;
      let s1 = 0;
      let i = 0;
      for (; i + 1 < n; i += 2) {
        s0 += (m[aOff + i] as number) * (m[bOff + i] as number);
        s1 += (m[aOff + i + 1] as number) * (m[bOff + i + 1] as number);
      }
      if (i < n) s0 += (m[aOff + i] as number) * (m[bOff + i] as number);
      return s0 + s1;
    },
    axpy(yOff, xOff, alpha, n) {
      const m = mem;
      for (let i = 0; i < n; i++) m[yOff + i] = (m[yOff + i] as number) + alpha * (m[xOff + i] as number);
    },
    dot4(aOff, stride, wOff, n, outOff) {
      for (let q = 0; q < 4; q++) mem[outOff + q] = this.dot(aOff + q * stride, wOff, n);
    },
    axpy4(yOff, aOff, stride, r0, r1, r2, r3, n) {
      const m = mem;
      const [a1, a2, a3] = [aOff + stride, aOff + 2 * stride, aOff + 3 * stride];
      for (let i = 0; i < n; i++) {
        m[yOff + i] =
          (m[yOff + i] as number) +
          r0 * (m[aOff + i] as number) +
          r1 * (m[a1 + i] as number) +
          r2 * (m[a2 + i] as number) +
          r3 * (m[a3 + i] as number);
      }
    },
  };
}

// --- A minimal WebAssembly assembler: just the opcodes the two kernels use. ---
const uleb = (v: number): number[] => {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
};
/** Instructions nest freely; `flat` turns them into bytes. */
type Code = number | readonly Code[];
const flat = (c: Code): number[] => (typeof c === 'number' ? [c] : c.flatMap(flat));
const vec = (items: readonly Code[]): number[] => [...uleb(items.length), ...items.flatMap(flat)];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));
const [I32, F64, V128] = [0x7f, 0x7c, 0x7b];
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
/** Locals `first`..`first + 2` = row pointers 1-3 after the row at local `base`, `stride` bytes apart (local `stride`). */
const nextRows = (base: number, stride: number, first: number): Code =>
  [0, 1, 2].map((q) => [get(q === 0 ? base : first + q - 1), get(stride), ADD, set(first + q)]);
const i32 = (v: number) => [0x41, ...uleb(v)]; // non-negative constants < 64 only
const [ADD, SHL, LTU, GTU, GEU, FADD, FMUL] = [0x6a, 0x74, 0x49, 0x4b, 0x4f, 0xa0, 0xa2];
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const vload = (offset: number) => simd(0x00, 3, ...uleb(offset)); // v128.load align=8
const vstore = (offset: number) => simd(0x0b, 3, ...uleb(offset));
const [VADD, VMUL, SPLAT] = [simd(0xf0), simd(0xf2), simd(0x14)]; // f64x2.add, .mul, .splat
const lane = (l: number) => simd(0x21, l); // f64x2.extract_lane
const load64zero = simd(0x5d, 3, 0); // v128.load64_zero: [x, 0]
const load32zero = simd(0x5c, 2, 0); // v128.load32_zero: [x, 0, 0, 0]
const PROMOTE = simd(0x5f); // f64x2.promote_low_f32x4
/** Two float32 at the address on the stack, as an f64x2 (exact). */
const load2f = [...load64zero, ...PROMOTE];
/** One float32 at the address on the stack, as the f64x2 [x, 0]. */
const load1f = [...load32zero, ...PROMOTE];
const fload = [0x2b, 3, 0]; // f64.load
const fstoreAt = (offset: number) => [0x39, 3, ...uleb(offset)];
const fstore = fstoreAt(0);
const ifThen = (cond: Code, body: Code): number[] => [...flat(cond), 0x04, 0x40, ...flat(body), 0x0b];
// block { loop { if (cond) break; body; continue } }
const loopWhile = (cond: Code, body: Code): number[] => [
  0x02,
  0x40,
  0x03,
  0x40,
  ...flat(cond),
  0x0d,
  1,
  ...flat(body),
  0x0c,
  0,
  0x0b,
  0x0b,
];
const at = (base: number, i: number) => [...get(base), ...get(i), ADD]; // base + i (bytes)

// dot(a, b, n) -> f64. Locals: 3 i (bytes), 4 end (bytes), 5-6 v128 accumulators, 7 f64 sum.
const DOT = flat([
  get(2),
  i32(3),
  SHL,
  set(4),
  loopWhile(
    [get(3), i32(32), ADD, get(4), GTU],
    [
      get(5),
      at(0, 3),
      vload(0),
      at(1, 3),
      vload(0),
      VMUL,
      VADD,
      set(5),
      get(6),
      at(0, 3),
      vload(16),
      at(1, 3),
      vload(16),
      VMUL,
      VADD,
      set(6),
      get(3),
      i32(32),
      ADD,
      set(3),
    ],
  ),
  get(5),
  get(6),
  VADD,
  set(5),
  get(5),
  lane(0),
  get(5),
  lane(1),
  FADD,
  set(7),
  loopWhile([get(3), get(4), GEU], [get(7), at(0, 3), fload, at(1, 3), fload, FMUL, FADD, set(7), get(3), i32(8), ADD, set(3)]),
  get(7),
]);
// axpy(y, x, alpha, n). Locals: 4 i (bytes), 5 end (bytes), 6 v128 splat(alpha).
const AXPY = flat([
  get(3),
  i32(3),
  SHL,
  set(5),
  get(2),
  SPLAT,
  set(6),
  loopWhile(
    [get(4), i32(32), ADD, get(5), GTU],
    [
      at(0, 4),
      at(0, 4),
      vload(0),
      at(1, 4),
      vload(0),
      get(6),
      VMUL,
      VADD,
      vstore(0),
      at(0, 4),
      at(0, 4),
      vload(16),
      at(1, 4),
      vload(16),
      get(6),
      VMUL,
      VADD,
      vstore(16),
      get(4),
      i32(32),
      ADD,
      set(4),
    ],
  ),
  loopWhile([get(4), get(5), GEU], [at(0, 4), at(0, 4), fload, at(1, 4), fload, get(2), FMUL, FADD, fstore, get(4), i32(8), ADD, set(4)]),
]);

// dot4(a, stride, w, n, out): params 0-4 (bytes except n). Locals: 5 i, 6 end, 7-9 rows 1-3,
// 10-13 v128 accumulators, 14 v128 w. A trailing odd element enters lane 0 via load64_zero.
const rowQ = (q: number) => (q === 0 ? 0 : 6 + q); // local holding the address of row q
const DOT4 = flat([
  get(3),
  i32(3),
  SHL,
  set(6),
  nextRows(0, 1, 7),
  loopWhile(
    [get(5), i32(16), ADD, get(6), GTU],
    [
      at(2, 5),
      vload(0),
      set(14),
      [0, 1, 2, 3].map((q) => [get(10 + q), at(rowQ(q), 5), vload(0), get(14), VMUL, VADD, set(10 + q)]),
      get(5),
      i32(16),
      ADD,
      set(5),
    ],
  ),
  ifThen(
    [get(5), get(6), LTU],
    [at(2, 5), load64zero, set(14), [0, 1, 2, 3].map((q) => [get(10 + q), at(rowQ(q), 5), load64zero, get(14), VMUL, VADD, set(10 + q)])],
  ),
  [0, 1, 2, 3].map((q) => [get(4), get(10 + q), lane(0), get(10 + q), lane(1), FADD, fstoreAt(8 * q)]),
]);
// axpy4(y, a, stride, r0, r1, r2, r3, n): params 0-7. Locals: 8 i, 9 end, 10-12 rows 1-3,
// 13-16 v128 splat(r_q).
const rowA = (q: number) => (q === 0 ? 1 : 9 + q);
const AXPY4 = flat([
  get(7),
  i32(3),
  SHL,
  set(9),
  nextRows(1, 2, 10),
  [0, 1, 2, 3].map((q) => [get(3 + q), SPLAT, set(13 + q)]),
  loopWhile(
    [get(8), i32(16), ADD, get(9), GTU],
    [
      at(0, 8),
      at(0, 8),
      vload(0),
      [0, 1, 2, 3].map((q) => [at(rowA(q), 8), vload(0), get(13 + q), VMUL, VADD]),
      vstore(0),
      get(8),
      i32(16),
      ADD,
      set(8),
    ],
  ),
  ifThen(
    [get(8), get(9), LTU],
    [at(0, 8), at(0, 8), fload, [0, 1, 2, 3].map((q) => [at(rowA(q), 8), fload, get(3 + q), FMUL, FADD]), fstore],
  ),
]);

// dot4f / dot4ff(a, stride, w, n, out): float32 rows (a, stride in bytes), w float64 (dot4f) or
// float32 (dot4ff). Locals: 5 ia (row bytes, 8 per step), 6 end, 7-9 rows 1-3, 10-13 v128
// accumulators, 14 v128 w, 15 iw (w bytes, 16 or 8 per step). Two elements per step, widened.
const dot4F32 = (wIs32: boolean) =>
  flat([
    get(3),
    i32(2),
    SHL,
    set(6),
    get(0),
    get(1),
    ADD,
    set(7),
    get(7),
    get(1),
    ADD,
    set(8),
    get(8),
    get(1),
    ADD,
    set(9),
    loopWhile(
      [get(5), i32(8), ADD, get(6), GTU],
      [
        at(2, 15),
        wIs32 ? load2f : vload(0),
        set(14),
        [0, 1, 2, 3].map((q) => [get(10 + q), at(rowQ(q), 5), load2f, get(14), VMUL, VADD, set(10 + q)]),
        get(5),
        i32(8),
        ADD,
        set(5),
        get(15),
        i32(wIs32 ? 8 : 16),
        ADD,
        set(15),
      ],
    ),
    ifThen(
      [get(5), get(6), LTU],
      [
        at(2, 15),
        wIs32 ? load1f : load64zero,
        set(14),
        [0, 1, 2, 3].map((q) => [get(10 + q), at(rowQ(q), 5), load1f, get(14), VMUL, VADD, set(10 + q)]),
      ],
    ),
    [0, 1, 2, 3].map((q) => [get(4), get(10 + q), lane(0), get(10 + q), lane(1), FADD, fstoreAt(8 * q)]),
  ]);
// dot4x2ff(a, stride, w, wStride, n, out): float32 rows, byte offsets. Locals: 6 i (bytes, 8 per
// step), 7 end, 8-10 rows a1-a3, 11 row w1, 12-19 v128 accumulators (row q, w v at 12 + 2q + v),
// 20-21 v128 w0, w1.
const rowW = (v: number) => (v === 0 ? 2 : 11);
const DOT4X2FF = flat([
  get(4),
  i32(2),
  SHL,
  set(7),
  nextRows(0, 1, 8),
  get(2),
  get(3),
  ADD,
  set(11),
  loopWhile(
    [get(6), i32(8), ADD, get(7), GTU],
    [
      [0, 1].map((v) => [at(rowW(v), 6), load2f, set(20 + v)]),
      [0, 1, 2, 3].map((q) => [
        at(q === 0 ? 0 : 7 + q, 6),
        load2f,
        set(22),
        [0, 1].map((v) => [get(12 + 2 * q + v), get(22), get(20 + v), VMUL, VADD, set(12 + 2 * q + v)]),
      ]),
      get(6),
      i32(8),
      ADD,
      set(6),
    ],
  ),
  ifThen(
    [get(6), get(7), LTU],
    [
      [0, 1].map((v) => [at(rowW(v), 6), load1f, set(20 + v)]),
      [0, 1, 2, 3].map((q) => [
        at(q === 0 ? 0 : 7 + q, 6),
        load1f,
        set(22),
        [0, 1].map((v) => [get(12 + 2 * q + v), get(22), get(20 + v), VMUL, VADD, set(12 + 2 * q + v)]),
      ]),
    ],
  ),
  [0, 1, 2, 3, 4, 5, 6, 7].map((c) => [get(5), get(12 + c), lane(0), get(12 + c), lane(1), FADD, fstoreAt(8 * c)]),
]);
// axpy4f(y, a, stride, r0, r1, r2, r3, n): y float64, rows float32. Locals: 8 iy (y bytes, 16 per
// step), 9 end (y bytes), 10-12 rows 1-3, 13-16 v128 splat(r_q), 17 ia (row bytes, 8 per step).
const AXPY4F = flat([
  get(7),
  i32(3),
  SHL,
  set(9),
  nextRows(1, 2, 10),
  [0, 1, 2, 3].map((q) => [get(3 + q), SPLAT, set(13 + q)]),
  loopWhile(
    [get(8), i32(16), ADD, get(9), GTU],
    [
      at(0, 8),
      at(0, 8),
      vload(0),
      [0, 1, 2, 3].map((q) => [at(rowA(q), 17), load2f, get(13 + q), VMUL, VADD]),
      vstore(0),
      get(8),
      i32(16),
      ADD,
      set(8),
      get(17),
      i32(8),
      ADD,
      set(17),
    ],
  ),
  ifThen(
    [get(8), get(9), LTU],
    [
      at(0, 8),
      at(0, 8),
      fload,
      [0, 1, 2, 3].map((q) => [at(rowA(q), 17), [0x2a, 2, 0], 0xbb, get(3 + q), FMUL, FADD]), // f32.load, f64.promote_f32
      fstore,
    ],
  ),
]);

/** The module; `shared` imports a shared memory (limits flag 3, maximum 4 GiB) instead of a private one. */
function wasmModule(shared = false): Uint8Array {
  const limits = shared ? [0x03, 0x00, ...uleb(MAX_WASM_PAGES)] : [0x00, 0x01];
  const types = [
    [0x60, ...vec([[I32], [I32], [I32]]), ...vec([[F64]])],
    [0x60, ...vec([[I32], [I32], [F64], [I32]]), ...vec([])],
    [0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([])],
    [0x60, ...vec([[I32], [I32], [I32], [F64], [F64], [F64], [F64], [I32]]), ...vec([])],
    [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), ...vec([])],
  ];
  const body = (locals: number[][], code: number[]) => {
    const b = [...vec(locals), ...code, 0x0b];
    return [...uleb(b.length), ...b];
  };
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, ...limits]])),
    ...section(3, vec([[0], [1], [2], [3], [2], [2], [3], [4]])),
    ...section(
      7,
      vec([
        [...name('dot'), 0x00, 0],
        [...name('axpy'), 0x00, 1],
        [...name('dot4'), 0x00, 2],
        [...name('axpy4'), 0x00, 3],
        [...name('dot4f'), 0x00, 4],
        [...name('dot4ff'), 0x00, 5],
        [...name('axpy4f'), 0x00, 6],
        [...name('dot4x2ff'), 0x00, 7],
      ]),
    ),
    ...section(
      10,
      vec([
        body(
          [
            [2, I32],
            [2, V128],
            [1, F64],
          ],
          DOT,
        ),
        body(
          [
            [2, I32],
            [1, V128],
          ],
          AXPY,
        ),
        body(
          [
            [5, I32],
            [5, V128],
          ],
          DOT4,
        ),
        body(
          [
            [5, I32],
            [4, V128],
          ],
          AXPY4,
        ),
        body(
          [
            [5, I32],
            [5, V128],
            [1, I32],
          ],
          dot4F32(false),
        ),
        body(
          [
            [5, I32],
            [5, V128],
            [1, I32],
          ],
          dot4F32(true),
        ),
        body(
          [
            [5, I32],
            [4, V128],
            [1, I32],
          ],
          AXPY4F,
        ),
        body(
          [
            [6, I32],
            [11, V128],
          ],
          DOT4X2FF,
        ),
      ]),
    ),
  ]);
}

const MAX_WASM_PAGES = 65536;
const MAX_WASM_BYTES = 65536 * MAX_WASM_PAGES;

/** A `WebAssembly.Memory` (the project's `lib` settings do not declare the WebAssembly API). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/** The slice of the WebAssembly JS API used here (the project's `lib` settings do not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: object };
}

type WasmExports = {
  dot(a: number, b: number, n: number): number;
  axpy(y: number, x: number, alpha: number, n: number): void;
  dot4(a: number, stride: number, w: number, n: number, out: number): void;
  axpy4(y: number, a: number, stride: number, r0: number, r1: number, r2: number, r3: number, n: number): void;
  dot4f(a: number, stride: number, w: number, n: number, out: number): void;
  dot4ff(a: number, stride: number, w: number, n: number, out: number): void;
  axpy4f(y: number, a: number, stride: number, r0: number, r1: number, r2: number, r3: number, n: number): void;
  dot4x2ff(a: number, stride: number, w: number, wStride: number, n: number, out: number): void;
};

let api: { wasm: WasmApi | undefined } | undefined;

/** The WebAssembly API when it can compile the SIMD module (both variants validate together); checked once per thread. */
function wasmApi(): WasmApi | undefined {
  if (api === undefined) {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    api = { wasm: wasm !== undefined && wasm.validate(wasmModule()) ? wasm : undefined };
  }
  return api.wasm;
}

function wasmKernels(): Kernels | undefined {
  const wasm = wasmApi();
  if (wasm === undefined) return undefined;
  const module = new wasm.Module(wasmModule());
  let memory = new wasm.Memory({ initial: 1 });
  let exports = new wasm.Instance(module, { env: { memory } }).exports as WasmExports;
  let view = new Float64Array(memory.buffer);
  let view32 = new Float32Array(memory.buffer);
  return {
    kind: 'wasm-simd',
    reserve(doubles: number) {
      const bytesNeeded = doubles * 8;
      if (bytesNeeded > MAX_WASM_BYTES) {
        const gb = (v: number) => (v / 2 ** 30).toFixed(1);
        throw new UsageError(
          `one fit needs ${gb(bytesNeeded)} GiB of solver memory (the training matrix, float32 features at 4 bytes a value, plus scratch); ` +
            `WebAssembly memory holds at most ${gb(MAX_WASM_BYTES)} GiB: fit on fewer training rows`,
          { field: 'features' },
        );
      }
      if (bytesNeeded > memory.buffer.byteLength) {
        memory.grow(Math.ceil((bytesNeeded - memory.buffer.byteLength) / 65536));
        view = new Float64Array(memory.buffer);
        view32 = new Float32Array(memory.buffer);
      }
    },
    view: () => view,
    view32: () => view32,
    release(keepBytes: number) {
      if (memory.buffer.byteLength <= keepBytes) return;
      // WebAssembly memory cannot shrink: a fresh memory and instance, the old ones left to GC.
      memory = new wasm.Memory({ initial: 1 });
      exports = new wasm.Instance(module, { env: { memory } }).exports as WasmExports;
      view = new Float64Array(memory.buffer);
      view32 = new Float32Array(memory.buffer);
    },
    ...entryPoints(() => exports),
  };
}

/**
 * A shared `WebAssembly.Memory` of at least `bytes` bytes (whole 64 KiB pages, not growable), or
 * undefined when the runtime has no WebAssembly SIMD or the size exceeds 4 GiB. Its buffer is a
 * SharedArrayBuffer, so worker threads read it without a copy ({@link sharedKernels}).
 */
export function newSharedMemory(bytes: number): WasmMemory | undefined {
  const wasm = wasmApi();
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  if (wasm === undefined || pages > MAX_WASM_PAGES) return undefined;
  return new wasm.Memory({ initial: pages, maximum: pages, shared: true });
}

const sharedCache = new WeakMap<WasmMemory, Kernels>();
let sharedModule: object | undefined;

/**
 * Kernels whose arena is the given shared memory (from {@link newSharedMemory}), one instance per
 * memory and thread: a matrix already at its start is used where it is, with no copy. `reserve`
 * cannot grow it (it throws when the memory is too small) and `release` keeps it: the memory
 * belongs to its creator. Callers make sure one fit at a time uses its scratch.
 */
export function sharedKernels(memory: WasmMemory): Kernels {
  const hit = sharedCache.get(memory);
  if (hit) return hit;
  const wasm = wasmApi();
  if (wasm === undefined) throw new Error('no WebAssembly SIMD here, but a shared solver memory was given');
  sharedModule ??= new wasm.Module(wasmModule(true));
  const exports = new wasm.Instance(sharedModule, { env: { memory } }).exports as WasmExports;
  const view = new Float64Array(memory.buffer);
  const view32 = new Float32Array(memory.buffer);
  const k: Kernels = {
    kind: 'wasm-simd',
    reserve(doubles: number) {
      if (doubles * 8 > view.byteLength)
        throw new Error(`a shared solver memory of ${view.byteLength} bytes cannot hold ${doubles * 8} bytes`);
    },
    view: () => view,
    view32: () => view32,
    release: () => undefined,
    ...entryPoints(() => exports),
  };
  sharedCache.set(memory, k);
  return k;
}

/** The kernel entry points in arena element offsets, over the instance `exportsOf` returns now. */
function entryPoints(
  exportsOf: () => WasmExports,
): Pick<Kernels, 'dot' | 'axpy' | 'dot4' | 'axpy4' | 'dot4f' | 'dot4ff' | 'dot4x2ff' | 'axpy4f'> {
  return {
    // Byte offsets above 2^31 wrap to negative i32 but wasm reads addresses as unsigned.
    dot: (aOff, bOff, n) => exportsOf().dot(aOff * 8, bOff * 8, n),
    axpy: (yOff, xOff, alpha, n) => exportsOf().axpy(yOff * 8, xOff * 8, alpha, n),
    dot4: (aOff, stride, wOff, n, outOff) => exportsOf().dot4(aOff * 8, stride * 8, wOff * 8, n, outOff * 8),
    axpy4: (yOff, aOff, stride, r0, r1, r2, r3, n) => exportsOf().axpy4(yOff * 8, aOff * 8, stride * 8, r0, r1, r2, r3, n),
    dot4f: (aOff, stride, wOff, n, outOff) => exportsOf().dot4f(aOff * 4, stride * 4, wOff * 8, n, outOff * 8),
    dot4ff: (aOff, stride, wOff, n, outOff) => exportsOf().dot4ff(aOff * 4, stride * 4, wOff * 4, n, outOff * 8),
    dot4x2ff: (aOff, stride, wOff, wStride, n, outOff) => exportsOf().dot4x2ff(aOff * 4, stride * 4, wOff * 4, wStride * 4, n, outOff * 8),
    axpy4f: (yOff, aOff, stride, r0, r1, r2, r3, n) => exportsOf().axpy4f(yOff * 8, aOff * 4, stride * 4, r0, r1, r2, r3, n),
  };
}
