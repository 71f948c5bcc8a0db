import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../errors.ts';
import {
  SPECIAL_PREDICATES,
  type AcesBoundary,
  type AcesCodeMatch,
  type AcesConfig,
  type AcesPredicate,
  type AcesWindow,
} from './AcesConfig.ts';
import { parseAcesBoundary } from './parseAcesBoundary.ts';

/** MEDS-DEV's placeholder for a dataset-specific predicate, filled from a predicates file. */
const PLACEHOLDER = '???';
const CONFIG_KEYS = ['predicates', 'patient_demographics', 'trigger', 'windows', 'description', 'metadata'];
const PREDICATES_FILE_KEYS = ['predicates', 'patient_demographics', 'description', 'metadata'];
const PLAIN_KEYS = ['code', 'value_min', 'value_max', 'value_min_inclusive', 'value_max_inclusive'];
const WINDOW_KEYS = ['start', 'end', 'start_inclusive', 'end_inclusive', 'has', 'label', 'index_timestamp'];

type Dict = Record<string, unknown>;

/** A YAML text and the file it came from (for messages). */
export interface AcesSource {
  readonly text: string;
  readonly file: string;
}

/**
 * Read an ACES task config and, optionally, a predicates file whose `predicates` and
 * `patient_demographics` replace the config's entries of the same name (how MEDS-DEV fills its
 * `???` placeholders per dataset). See {@link parseAcesConfig}.
 */
export function loadAcesConfig(configPath: string, predicatesPath?: string): AcesConfig {
  const read = (file: string): AcesSource => {
    try {
      return { text: readFileSync(file, 'utf8'), file };
    } catch (err) {
      throw new UsageError(`cannot read the file: ${(err as Error).message}`, { file }, { cause: err });
    }
  };
  return parseAcesConfig(read(configPath), predicatesPath === undefined ? undefined : read(predicatesPath));
}

/**
 * Parse and check an ACES task config (predicates, `patient_demographics`, `trigger`, `windows`).
 * Every problem is a {@link UsageError} naming the file and the key path (`windows.gap.has.death`)
 * and what was expected; constructs outside the supported subset (docs/aces.md) are named too.
 * Only predicates the task uses are parsed, as in ACES, so unused `???` entries are fine.
 */
export function parseAcesConfig(config: AcesSource, overrides?: AcesSource): AcesConfig {
  const file = config.file;
  const root = readYaml(config);
  checkKeys(root, CONFIG_KEYS, file, '');
  let predicateDefs: Dict = optionalDict(root.predicates, file, 'predicates');
  let demographicDefs: Dict = optionalDict(root.patient_demographics, file, 'patient_demographics');
  const overridden = new Set<string>();
  if (overrides) {
    const o = readYaml(overrides);
    checkKeys(o, PREDICATES_FILE_KEYS, overrides.file, '');
    const op = optionalDict(o.predicates, overrides.file, 'predicates');
    const od = optionalDict(o.patient_demographics, overrides.file, 'patient_demographics');
    for (const k of [...Object.keys(op), ...Object.keys(od)]) overridden.add(k);
    predicateDefs = { ...predicateDefs, ...op };
    demographicDefs = { ...demographicDefs, ...od };
  }
  const fileOf = (name: string): string => (overridden.has(name) && overrides ? overrides.file : file);

  if (typeof root.trigger !== 'string' || root.trigger.trim() === '')
    throw new UsageError('expected the name of the trigger predicate', { file, field: 'trigger' });
  const trigger = root.trigger.trim();
  const windowDefs = optionalDict(root.windows, file, 'windows');
  if (Object.keys(windowDefs).length === 0)
    throw new UsageError('expected at least one window (one of them with index_timestamp, the prediction time)', {
      file,
      field: 'windows',
    });
  const windows = Object.entries(windowDefs).map(([name, w]) => parseWindow(name, w, file));

  // Predicates the task refers to, then their inputs (as ACES, only these are parsed).
  const referenced = new Map<string, string>(); // name → where it is referenced
  const refer = (name: string, where: string): void => {
    if (!referenced.has(name)) referenced.set(name, where);
  };
  refer(trigger, 'trigger');
  for (const w of windows) {
    for (const k of w.has.keys()) refer(k, `windows.${w.name}.has.${k}`);
    for (const side of ['start', 'end'] as const) {
      const b = w[side];
      if (b.kind === 'event') refer(b.predicate, `windows.${w.name}.${side}`);
    }
    if (w.label !== null) refer(w.label, `windows.${w.name}.label`);
  }
  const demographics = Object.entries(demographicDefs).map(([name, def]) => {
    const p = parsePredicate(name, def, fileOf(name), `patient_demographics.${name}`, true);
    if (p.type !== 'plain')
      throw new UsageError(
        'a patient_demographics entry must be a plain predicate (code, value_min, value_max); derived predicates over demographics are not supported',
        { file: fileOf(name), field: `patient_demographics.${name}` },
      );
    return p;
  });
  const demographicNames = new Set(demographics.map((d) => d.name));

  const parsed = new Map<string, AcesPredicate>();
  const visiting = new Set<string>();
  const resolve = (name: string, where: string): void => {
    if (parsed.has(name) || SPECIAL_PREDICATES.includes(name)) return;
    if (demographicNames.has(name)) {
      throw new UsageError(
        `"${name}" is a patient_demographics predicate; ACES uses those only to select subjects, not in windows, triggers, labels or derived predicates`,
        { file, field: where },
      );
    }
    if (!(name in predicateDefs)) {
      throw new UsageError(
        `predicate "${name}" is not defined${suggest(name, Object.keys(predicateDefs))}; defined: ${Object.keys(predicateDefs).join(', ') || '(none)'}`,
        { file, field: where },
      );
    }
    if (visiting.has(name))
      throw new UsageError(`predicate "${name}" depends on itself (cycle through ${[...visiting].join(' -> ')})`, {
        file: fileOf(name),
        field: `predicates.${name}`,
      });
    visiting.add(name);
    const p = parsePredicate(name, predicateDefs[name], fileOf(name), `predicates.${name}`, false);
    if (p.type === 'derived') for (const input of p.inputs) resolve(input, `predicates.${name}.expr`);
    visiting.delete(name);
    parsed.set(name, p);
  };
  for (const [name, where] of referenced) resolve(name, where);
  // Plain predicates first (file order), then derived ones after their inputs (insertion order of `parsed` already is a dependency order).
  const all = [...parsed.values()];
  const predicates = [...all.filter((p) => p.type === 'plain'), ...all.filter((p) => p.type === 'derived')];

  const labelWindows = windows.filter((w) => w.label !== null);
  if (labelWindows.length > 1)
    throw new UsageError(`only one window may have a label; found ${labelWindows.map((w) => w.name).join(', ')}`, {
      file,
      field: `windows.${labelWindows[1]?.name}.label`,
    });
  for (const w of labelWindows) {
    if (SPECIAL_PREDICATES.includes(w.label as string))
      throw new UsageError(`the label must be a defined predicate, not ${w.label}`, { file, field: `windows.${w.name}.label` });
  }
  const indexWindows = windows.filter((w) => w.indexTimestamp !== null);
  if (indexWindows.length > 1)
    throw new UsageError(`only one window may have an index_timestamp; found ${indexWindows.map((w) => w.name).join(', ')}`, {
      file,
      field: `windows.${indexWindows[1]?.name}.index_timestamp`,
    });
  const indexWindow = indexWindows[0];
  if (!indexWindow)
    throw new UsageError(
      'no window has index_timestamp: a label file needs a prediction time (add "index_timestamp: end" to the input window)',
      { file, field: 'windows' },
    );

  return {
    file,
    predicates,
    demographics,
    trigger,
    windows,
    labelWindow: labelWindows[0] ?? null,
    indexWindow,
    order: evaluationOrder(windows, file),
  };
}

function readYaml(src: AcesSource): Dict {
  let doc: unknown;
  try {
    doc = parseYaml(src.text);
  } catch (err) {
    throw new UsageError(`not valid YAML: ${(err as Error).message.split('\n')[0]}`, { file: src.file }, { cause: err });
  }
  if (!isDict(doc)) throw new UsageError('expected a YAML mapping at the top level', { file: src.file });
  return doc;
}

function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalDict(v: unknown, file: string, field: string): Dict {
  if (v === undefined || v === null) return {};
  if (!isDict(v)) throw new UsageError('expected a mapping', { file, field });
  return v;
}

function checkKeys(d: Dict, allowed: readonly string[], file: string, path: string, what = 'key'): void {
  for (const k of Object.keys(d)) {
    if (!allowed.includes(k)) {
      throw new UsageError(`unknown or unsupported ${what} "${k}"${suggest(k, allowed)}; expected one of ${allowed.join(', ')}`, {
        file,
        field: path === '' ? k : `${path}.${k}`,
      });
    }
  }
}

/** ` (did you mean "x"?)` for a near miss, else empty. */
function suggest(name: string, known: readonly string[]): string {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(name.length / 4)) ? ` (did you mean "${best}"?)` : '';
}

/** Levenshtein distance (small strings: key and predicate names). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

function placeholderError(name: string, file: string, field: string): UsageError {
  return new UsageError(
    `predicate "${name}" is "${PLACEHOLDER}", a dataset-specific placeholder (MEDS-DEV): pass --predicates <file> with a "predicates:" entry for it (for example MEDS-DEV's datasets/<dataset>/predicates.yaml)`,
    { file, field },
  );
}

function parsePredicate(name: string, def: unknown, file: string, field: string, isStatic: boolean): AcesPredicate {
  if (!/^\w+$/.test(name)) throw new UsageError('a predicate name may contain only letters, digits and "_"', { file, field });
  if (def === PLACEHOLDER) throw placeholderError(name, file, field);
  if (!isDict(def))
    throw new UsageError(`expected a mapping with "code" (and optional value_min/value_max) or "expr", got ${JSON.stringify(def)}`, {
      file,
      field,
    });
  if ('expr' in def) {
    if (Object.keys(def).length > 1)
      throw new UsageError(
        `a derived predicate has only "expr"; also found ${Object.keys(def)
          .filter((k) => k !== 'expr')
          .join(', ')}`,
        { file, field },
      );
    if (typeof def.expr !== 'string')
      throw new UsageError('expected "and(a, b, ...)" or "or(a, b, ...)"', { file, field: `${field}.expr` });
    const m = /^\s*(and|or)\((.*)\)\s*$/s.exec(def.expr);
    if (!m) {
      const not = /^\s*not\(/.test(def.expr) ? ' ("not(...)" is not in the ACES language)' : '';
      throw new UsageError(`"${def.expr}": expected "and(a, b, ...)" or "or(a, b, ...)"${not}`, { file, field: `${field}.expr` });
    }
    const inputs = (m[2] as string).split(',').map((s) => s.trim());
    if (inputs.some((s) => !/^\w+$/.test(s)))
      throw new UsageError(`"${def.expr}": the inputs must be predicate names (nested and/or is not supported by ACES)`, {
        file,
        field: `${field}.expr`,
      });
    if (inputs.length < 2)
      throw new UsageError(`"${def.expr}": a derived predicate needs at least two inputs`, { file, field: `${field}.expr` });
    return { type: 'derived', name, op: m[1] as 'and' | 'or', inputs };
  }
  checkKeys(def, PLAIN_KEYS, file, field, 'predicate key (matching other columns is not supported)');
  if (def.code === PLACEHOLDER) throw placeholderError(name, file, `${field}.code`);
  const code = parseCode(def.code, file, `${field}.code`);
  const num = (k: string): number | null => {
    const v = def[k];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new UsageError(`expected a number or null, got ${JSON.stringify(v)}`, { file, field: `${field}.${k}` });
    return v;
  };
  const bool = (k: string): boolean => {
    const v = def[k];
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') throw new UsageError(`expected true or false, got ${JSON.stringify(v)}`, { file, field: `${field}.${k}` });
    return v;
  };
  return {
    type: 'plain',
    name,
    code,
    valueMin: num('value_min'),
    valueMinInclusive: bool('value_min_inclusive'),
    valueMax: num('value_max'),
    valueMaxInclusive: bool('value_max_inclusive'),
    isStatic,
  };
}

function parseCode(v: unknown, file: string, field: string): AcesCodeMatch {
  if (typeof v === 'string' && v !== '') return { kind: 'exact', code: v };
  if (isDict(v)) {
    const keys = Object.keys(v);
    if (keys.length !== 1)
      throw new UsageError(`expected exactly one of "regex" or "any", got ${keys.join(', ') || 'nothing'}`, { file, field });
    if (typeof v.regex === 'string' && v.regex !== '') {
      try {
        // Polars (ACES) tests `str.contains`: a search, not a full match; the same here. Leading
        // inline flags of Rust's regex syntax (`(?i)`, `(?s)`, `(?m)`) become JavaScript flags.
        const flags = /^\(\?([ism]+)\)/.exec(v.regex);
        const body = flags ? v.regex.slice(flags[0].length) : v.regex;
        return { kind: 'regex', regex: new RegExp(body, flags ? [...new Set(flags[1])].join('') : ''), source: v.regex };
      } catch (err) {
        throw new UsageError(`invalid regular expression: ${(err as Error).message}`, { file, field: `${field}.regex` });
      }
    }
    if (Array.isArray(v.any) && v.any.length > 0 && v.any.every((c) => typeof c === 'string'))
      return { kind: 'any', codes: v.any as string[] };
    throw new UsageError(`expected {regex: "<non-empty pattern>"} or {any: [<codes>]}, got ${JSON.stringify(v)}`, { file, field });
  }
  throw new UsageError(`expected a code string, {regex: ...} or {any: [...]}, got ${JSON.stringify(v)}`, { file, field });
}

function parseWindow(name: string, def: unknown, file: string): AcesWindow {
  const field = `windows.${name}`;
  if (!/^\w+$/.test(name)) throw new UsageError('a window name may contain only letters, digits and "_"', { file, field });
  if (name === 'trigger') throw new UsageError('"trigger" is reserved (it names the trigger event)', { file, field });
  if (!isDict(def)) throw new UsageError('expected a mapping with start, end, start_inclusive, end_inclusive', { file, field });
  checkKeys(def, WINDOW_KEYS, file, field);
  const start = parseAcesBoundary(def.start, 'start', { file, field: `${field}.start` });
  const end = parseAcesBoundary(def.end, 'end', { file, field: `${field}.end` });
  if ((def.start === null || def.start === undefined) && (def.end === null || def.end === undefined)) {
    throw new UsageError(
      'a window cannot run from the start of the record to its end: give start or end relative to the trigger or another window',
      { file, field },
    );
  }
  const inclusive = (k: 'start_inclusive' | 'end_inclusive'): boolean => {
    const v = def[k];
    if (typeof v !== 'boolean')
      throw new UsageError(`expected true or false${v === undefined ? ' (ACES requires it)' : `, got ${JSON.stringify(v)}`}`, {
        file,
        field: `${field}.${k}`,
      });
    return v;
  };
  const startRefsEnd = start.ref === 'end';
  const endRefsStart = end.ref === 'start';
  if (startRefsEnd === endRefsStart) {
    throw new UsageError(
      `exactly one of start and end must be defined from the other (for example "start: trigger" with "end: start + 24h"); got start "${String(def.start)}", end "${String(def.end)}"`,
      { file, field },
    );
  }
  if (start.ref === 'start' || end.ref === 'end') throw new UsageError('a window end cannot reference itself', { file, field });
  if (startRefsEnd && ((start.kind === 'offset' && start.ms > 0) || (start.kind === 'event' && start.forward))) {
    throw new UsageError(`the start would come after the end ("${String(def.start)}"): use "end - <delta>" or "end <- <predicate>"`, {
      file,
      field: `${field}.start`,
    });
  }
  if (endRefsStart && ((end.kind === 'offset' && end.ms < 0) || (end.kind === 'event' && !end.forward))) {
    throw new UsageError(`the end would come before the start ("${String(def.end)}"): use "start + <delta>" or "start -> <predicate>"`, {
      file,
      field: `${field}.end`,
    });
  }
  const has = new Map<string, readonly [number | null, number | null]>();
  for (const [pred, c] of Object.entries(optionalDict(def.has, file, `${field}.has`)))
    has.set(pred, parseConstraint(c, file, `${field}.has.${pred}`));
  const nonRoot: AcesBoundary = startRefsEnd ? start : end;
  if (nonRoot.kind === 'alias' && has.size > 0)
    throw new UsageError('the window has zero length (start and end are the same point), so its "has" constraints cannot apply', {
      file,
      field: `${field}.has`,
    });
  let label: string | null = null;
  if (def.label !== undefined && def.label !== null) {
    if (typeof def.label !== 'string') throw new UsageError('expected a predicate name', { file, field: `${field}.label` });
    label = def.label.trim();
  }
  let indexTimestamp: 'start' | 'end' | null = null;
  if (def.index_timestamp !== undefined && def.index_timestamp !== null) {
    if (def.index_timestamp !== 'start' && def.index_timestamp !== 'end')
      throw new UsageError(`expected "start" or "end", got ${JSON.stringify(def.index_timestamp)}`, {
        file,
        field: `${field}.index_timestamp`,
      });
    indexTimestamp = def.index_timestamp;
  }
  return {
    name,
    start,
    end,
    startInclusive: inclusive('start_inclusive'),
    endInclusive: inclusive('end_inclusive'),
    root: startRefsEnd ? 'end' : 'start',
    has,
    label,
    indexTimestamp,
  };
}

function parseConstraint(v: unknown, file: string, field: string): readonly [number | null, number | null] {
  const bound = (x: unknown): number | null => {
    if (x === null || x === undefined || x === 'None' || x === '' || x === 'null') return null;
    const n = typeof x === 'number' ? x : Number(String(x).trim());
    if (!Number.isInteger(n))
      throw new UsageError(`expected "(min, max)" with whole numbers or None, got ${JSON.stringify(v)}`, { file, field });
    return n;
  };
  let parts: unknown[];
  if (Array.isArray(v)) parts = v;
  else if (typeof v === 'string')
    parts = v
      .trim()
      .replace(/^\(/, '')
      .replace(/\)$/, '')
      .split(',')
      .map((s) => s.trim());
  else throw new UsageError(`expected "(min, max)" such as "(None, 0)" or "(1, None)", got ${JSON.stringify(v)}`, { file, field });
  if (parts.length !== 2)
    throw new UsageError(`expected "(min, max)" such as "(None, 0)" or "(1, None)", got ${JSON.stringify(v)}`, { file, field });
  return [bound(parts[0]), bound(parts[1])];
}

/** Time points ordered so each comes after the one it is defined from; references to unknown windows and cycles are errors. */
function evaluationOrder(windows: readonly AcesWindow[], file: string): string[] {
  const byName = new Map(windows.map((w) => [w.name, w]));
  const parentOf = (point: string): string | null => {
    if (point === 'trigger') return null;
    const [wName, side] = point.split('.') as [string, 'start' | 'end'];
    const w = byName.get(wName) as AcesWindow;
    if (side !== w.root) return `${w.name}.${w.root}`;
    const ref = w[side].ref;
    if (ref === 'trigger') return 'trigger';
    const dot = ref.indexOf('.');
    if (dot < 0)
      throw new UsageError(`"${ref}" is not a time point: use "trigger" or "<window>.start" / "<window>.end"`, {
        file,
        field: `windows.${w.name}.${side}`,
      });
    const target = ref.slice(0, dot);
    if (!byName.has(target))
      throw new UsageError(
        `window "${target}" is not defined${suggest(target, [...byName.keys()])}; windows: ${[...byName.keys()].join(', ')}`,
        { file, field: `windows.${w.name}.${side}` },
      );
    return ref;
  };
  const order: string[] = ['trigger'];
  const done = new Set(['trigger']);
  const visit = (point: string, path: string[]): void => {
    if (done.has(point)) return;
    if (path.includes(point))
      throw new UsageError(`windows reference each other in a cycle: ${[...path, point].join(' -> ')}`, { file, field: 'windows' });
    const parent = parentOf(point) as string;
    visit(parent, [...path, point]);
    done.add(point);
    order.push(point);
  };
  for (const w of windows) {
    visit(`${w.name}.${w.root}`, []);
    visit(`${w.name}.${w.root === 'start' ? 'end' : 'start'}`, []);
  }
  return order;
}
