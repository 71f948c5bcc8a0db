/**
 * The XGBoost C library (`libxgboost.so`, Debian package `libxgboost0`) called through koffi FFI.
 *
 * Why FFI: no XGBoost or LightGBM package on npm works here (`ml-xgboost` crashes at 4,000 x
 * 2,000), and Debian's library is the same one Debian's `python3-xgboost` calls, so our models
 * can be checked against Python's bit for bit.
 *
 * Loading is lazy: nothing here runs until {@link loadXGBoost} is called (the first GBM fit), so
 * the rest of ehr-embed works on machines without the library. koffi itself is required lazily
 * too, for the same reason.
 *
 * Handles are bigints (koffi 3 represents pointers as BigInt). Every handle this module returns
 * must be freed by the caller (`freeDMatrix`, `freeBooster`), in a `finally`: the memory lives in
 * the C heap, invisible to the garbage collector.
 *
 * Every wrapper checks the C return code and throws an {@link InternalError} carrying XGBoost's
 * own message (first line, without its C++ stack): inputs are validated before they get here, so
 * an XGBoost error is a bug or a resource problem, not a user error.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { InternalError, UsageError } from '../errors.ts';
import type * as Koffi from 'koffi';

/** Environment variable that names the library file to load instead of the Debian paths. */
export const XGBOOST_LIB_ENV = 'EHR_EMBED_XGBOOST_LIB';

/** The message of the {@link UsageError} thrown when no library can be loaded. */
export const XGBOOST_MISSING_MESSAGE = `XGBoost library not found: install Debian package libxgboost0 (apt-get install libxgboost0) or set ${XGBOOST_LIB_ENV}`;

/**
 * Where Debian and common source installs put the library, tried in order. The versioned soname
 * first: `libxgboost.so` (no suffix) only exists with `libxgboost-dev`.
 */
export const XGBOOST_LIB_CANDIDATES: readonly string[] = Object.freeze([
  '/usr/lib/x86_64-linux-gnu/libxgboost.so.0',
  '/usr/lib/x86_64-linux-gnu/libxgboost.so',
  '/usr/lib/aarch64-linux-gnu/libxgboost.so.0',
  '/usr/lib/aarch64-linux-gnu/libxgboost.so',
  '/usr/local/lib/libxgboost.so',
  '/usr/lib/libxgboost.so',
]);

/** Oldest XGBoost whose C API has everything used here (`XGBoosterSaveModelToBuffer` with a config). */
const MIN_VERSION: readonly [number, number] = [1, 6];

/** An opaque native handle (DMatrix or Booster). */
export type XGBHandle = bigint;

/** Typed wrappers over the XGBoost C API functions ehr-embed uses. */
export interface XGBoostLib {
  /** The file that was loaded. */
  readonly path: string;
  /** Library version, e.g. `"1.7.4"`. */
  readonly version: string;
  /**
   * Dense row-major float32 matrix → DMatrix. NaN entries are missing values (XGBoost learns a
   * default direction for them at each split); every other value, 0 included, is present.
   * XGBoost copies the data, so `X` may change after the call.
   */
  dmatrixFromDense(X: Float32Array, nRow: number, nCol: number, nThread: number): XGBHandle;
  /**
   * CSR matrix → DMatrix. Entries not stored are *missing* (not 0): see the bench for how that
   * compares with dense input.
   */
  dmatrixFromCsr(indptr: BigUint64Array, indices: Uint32Array, values: Float32Array, nCol: number): XGBHandle;
  /** Set a float field of a DMatrix (`'label'`, `'weight'`, `'base_margin'`). */
  setFloatInfo(dmatrix: XGBHandle, field: string, values: Float32Array): void;
  /** Free a DMatrix. */
  freeDMatrix(dmatrix: XGBHandle): void;
  /** New booster; `cache` are the DMatrices it will train or evaluate on (prediction cache). */
  createBooster(cache: readonly XGBHandle[]): XGBHandle;
  /** Free a booster. */
  freeBooster(booster: XGBHandle): void;
  /** Set one training parameter (XGBoost's name and its string value). */
  setParam(booster: XGBHandle, name: string, value: string): void;
  /** Add one boosting round (`iteration` counts from 0). */
  updateOneIter(booster: XGBHandle, iteration: number, dtrain: XGBHandle): void;
  /** Number of boosting rounds in the model. */
  boostedRounds(booster: XGBHandle): number;
  /** New booster holding rounds `[begin, end)` of `booster`. */
  slice(booster: XGBHandle, begin: number, end: number): XGBHandle;
  /**
   * Predictions (probabilities for `binary:logistic`) of the first `iterationEnd` rounds (0 =
   * all), copied out of XGBoost's buffer.
   */
  predict(booster: XGBHandle, dmatrix: XGBHandle, iterationEnd: number): Float32Array;
  /** Serialize the model (trees and objective, not the training config) as UBJSON or JSON. */
  saveModel(booster: XGBHandle, format: 'ubj' | 'json'): Uint8Array;
  /** Load a model written by {@link XGBoostLib.saveModel} (format detected by XGBoost). */
  loadModel(booster: XGBHandle, bytes: Uint8Array): void;
}

type Fn = (...args: unknown[]) => unknown;

const loaded = new Map<string, XGBoostLib>();

/**
 * Load libxgboost, once per path (later calls return the same object).
 *
 * Search order: `path` if given, else `$EHR_EMBED_XGBOOST_LIB` if set, else
 * {@link XGBOOST_LIB_CANDIDATES}, else the dynamic loader's search path (`LD_LIBRARY_PATH`,
 * ldconfig) for `libxgboost.so.0` and `libxgboost.so`. An explicit path or the variable is not
 * silently replaced by another library: if it fails to load, that is the error.
 *
 * @param path - library file to load. Default: the search above.
 * @throws UsageError {@link XGBOOST_MISSING_MESSAGE} (plus the paths tried and the loader's
 *   error) when no library loads, or when its version is below 1.6.
 */
export function loadXGBoost(path?: string): XGBoostLib {
  const explicit = path ?? (process.env[XGBOOST_LIB_ENV] || undefined);
  const key = explicit ?? '';
  const cached = loaded.get(key);
  if (cached !== undefined) return cached;
  const koffi = requireKoffi();
  useBlockingOpenMPWait();
  const tries =
    explicit !== undefined ? [explicit] : [...XGBOOST_LIB_CANDIDATES.filter((p) => existsSync(p)), 'libxgboost.so.0', 'libxgboost.so'];
  const failures: string[] = [];
  for (const file of tries) {
    let handle: Koffi.LibraryHandle;
    try {
      handle = koffi.load(file);
    } catch (err) {
      failures.push(`${file}: ${firstLine(err instanceof Error ? err.message : String(err))}`);
      continue;
    }
    const lib = bind(koffi, handle, file);
    loaded.set(key, lib);
    return lib;
  }
  const source = path !== undefined ? 'the path given' : explicit !== undefined ? `$${XGBOOST_LIB_ENV}` : 'the Debian paths';
  throw new UsageError(`${XGBOOST_MISSING_MESSAGE} (tried ${source}: ${failures.join('; ')})`, { field: XGBOOST_LIB_ENV });
}

/**
 * Make idle OpenMP threads sleep instead of spin, unless the user chose (`OMP_WAIT_POLICY` set).
 *
 * Why: libgomp's default spins waiting threads at every barrier, and XGBoost runs many short
 * parallel regions per tree. When the cores are shared (other processes, parallel test files, a
 * VM with CPU steal) a spinning thread holds a core the thread doing the work needs: measured on
 * a busy 2-core VM, 100 rounds on 5,000 x 2,000 counts took 8-14 s with 2 threads against 2 s
 * with 1; with passive waiting 1.4-2.5 s. Uncontended, passive costs little (see bench/gbm.ts).
 * libgomp reads the variable once, when it is loaded with libxgboost, so it is set just before;
 * it has no effect if another library already loaded libgomp into the process.
 */
function useBlockingOpenMPWait(): void {
  if (process.env.OMP_WAIT_POLICY === undefined) process.env.OMP_WAIT_POLICY = 'PASSIVE';
}

function requireKoffi(): typeof Koffi {
  try {
    return createRequire(import.meta.url)('koffi') as typeof Koffi;
  } catch (err) {
    throw new UsageError(
      `the koffi FFI package cannot be loaded (reinstall dependencies with npm ci): ${firstLine(String(err))}`,
      {},
      { cause: err },
    );
  }
}

function bind(koffi: typeof Koffi, lib: Koffi.LibraryHandle, path: string): XGBoostLib {
  const f = (proto: string): Fn => {
    try {
      return lib.func(proto) as unknown as Fn;
    } catch (err) {
      throw new UsageError(`${path} is not a usable XGBoost library (${firstLine(String(err))}); ${XGBOOST_MISSING_MESSAGE}`, {
        field: XGBOOST_LIB_ENV,
      });
    }
  };
  const versionFn = f('void XGBoostVersion(_Out_ int *major, _Out_ int *minor, _Out_ int *patch)');
  const major = [0];
  const minor = [0];
  const patch = [0];
  versionFn(major, minor, patch);
  const version = `${major[0]}.${minor[0]}.${patch[0]}`;
  const [maj, min] = [major[0] as number, minor[0] as number];
  if (maj < (MIN_VERSION[0] as number) || (maj === MIN_VERSION[0] && min < (MIN_VERSION[1] as number))) {
    throw new UsageError(`${path} is XGBoost ${version}; ehr-embed needs ${MIN_VERSION.join('.')} or newer. ${XGBOOST_MISSING_MESSAGE}`, {
      field: XGBOOST_LIB_ENV,
    });
  }

  const lastError = f('const char *XGBGetLastError()');
  // Pointer outputs are passed as one-element BigUint64Arrays: koffi hands C a pointer into the
  // typed array, no marshalling. Input typed arrays are likewise passed by pointer, not copied.
  const createFromMat = f(
    'int XGDMatrixCreateFromMat_omp(const float *data, uint64_t nrow, uint64_t ncol, float missing, void **out, int nthread)',
  );
  const createFromCsr = f(
    'int XGDMatrixCreateFromCSREx(const size_t *indptr, const uint32_t *indices, const float *data, size_t nindptr, size_t nelem, size_t ncol, void **out)',
  );
  const setFloatInfo = f('int XGDMatrixSetFloatInfo(void *handle, const char *field, const float *array, uint64_t len)');
  const dmFree = f('int XGDMatrixFree(void *handle)');
  const create = f('int XGBoosterCreate(void **dmats, uint64_t len, void **out)');
  const bFree = f('int XGBoosterFree(void *handle)');
  const setParam = f('int XGBoosterSetParam(void *handle, const char *name, const char *value)');
  const update = f('int XGBoosterUpdateOneIter(void *handle, int iter, void *dtrain)');
  const rounds = f('int XGBoosterBoostedRounds(void *handle, int *out)');
  const slice = f('int XGBoosterSlice(void *handle, int begin, int end, int step, void **out)');
  const predict = f(
    'int XGBoosterPredictFromDMatrix(void *handle, void *dmat, const char *config, void **outShape, uint64_t *outDim, void **outResult)',
  );
  const save = f('int XGBoosterSaveModelToBuffer(void *handle, const char *config, uint64_t *outLen, void **outPtr)');
  const load = f('int XGBoosterLoadModelFromBuffer(void *handle, const uint8_t *buf, uint64_t len)');

  const check = (what: string, rc: unknown): void => {
    if (rc !== 0) throw new InternalError(`XGBoost ${what} failed: ${firstLine(String(lastError()))}`);
  };
  const ptr = (): BigUint64Array => new BigUint64Array(1);
  const handleOut = (what: string, call: (out: BigUint64Array) => unknown): XGBHandle => {
    const out = ptr();
    check(what, call(out));
    return out[0] as bigint;
  };
  /** Copy `len` bytes from C memory (XGBoost's thread-local buffers are reused by the next call). */
  const copyBytes = (p: bigint, len: number): Uint8Array => (len === 0 ? new Uint8Array(0) : new Uint8Array(koffi.view(p, len)).slice());

  return Object.freeze({
    path,
    version,
    dmatrixFromDense: (X, nRow, nCol, nThread) =>
      handleOut('XGDMatrixCreateFromMat', (out) => createFromMat(X, nRow, nCol, Number.NaN, out, nThread)),
    dmatrixFromCsr: (indptr, indices, values, nCol) =>
      handleOut('XGDMatrixCreateFromCSREx', (out) => createFromCsr(indptr, indices, values, indptr.length, values.length, nCol, out)),
    setFloatInfo: (dm, field, values) => check('XGDMatrixSetFloatInfo', setFloatInfo(dm, field, values, values.length)),
    freeDMatrix: (dm) => check('XGDMatrixFree', dmFree(dm)),
    createBooster: (cache) => handleOut('XGBoosterCreate', (out) => create(BigUint64Array.from(cache), cache.length, out)),
    freeBooster: (b) => check('XGBoosterFree', bFree(b)),
    setParam: (b, name, value) => check(`XGBoosterSetParam(${name}=${value})`, setParam(b, name, value)),
    updateOneIter: (b, iteration, dtrain) => check('XGBoosterUpdateOneIter', update(b, iteration, dtrain)),
    boostedRounds: (b) => {
      const out = new Int32Array(1);
      check('XGBoosterBoostedRounds', rounds(b, out));
      return out[0] as number;
    },
    slice: (b, begin, end) => handleOut('XGBoosterSlice', (out) => slice(b, begin, end, 1, out)),
    predict: (b, dm, iterationEnd) => {
      // type 0: transformed predictions (probabilities); training=false: no dropout etc.
      const config = JSON.stringify({ type: 0, training: false, iteration_begin: 0, iteration_end: iterationEnd, strict_shape: false });
      const shape = ptr();
      const dim = ptr();
      const result = ptr();
      check('XGBoosterPredictFromDMatrix', predict(b, dm, config, shape, dim, result));
      let len = 1;
      for (let i = 0; i < Number(dim[0]); i++) len *= Number(koffi.decode(shape[0] as bigint, i * 8, 'uint64_t'));
      return new Float32Array(copyBytes(result[0] as bigint, len * 4).buffer);
    },
    saveModel: (b, format) => {
      const len = ptr();
      const out = ptr();
      check('XGBoosterSaveModelToBuffer', save(b, JSON.stringify({ format }), len, out));
      return copyBytes(out[0] as bigint, Number(len[0]));
    },
    loadModel: (b, bytes) => check('XGBoosterLoadModelFromBuffer', load(b, bytes, bytes.length)),
  } satisfies XGBoostLib);
}

/** XGBoost messages are `[time] file:line: message` followed by a C++ backtrace; keep the message. */
function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/^\[[0-9:]+\] \S+:\d+: /, '').trim();
}
