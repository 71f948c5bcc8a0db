/**
 * An ACES task configuration (https://github.com/justin13601/ACES, configuration language), parsed
 * and checked: what {@link parseAcesConfig} returns and {@link extractAcesSubject} runs.
 */

/** ACES's special predicates: every event, the subject's first event, the subject's last event. */
export const ANY_EVENT = '_ANY_EVENT';
export const RECORD_START = '_RECORD_START';
export const RECORD_END = '_RECORD_END';
/** The three special predicate names. */
export const SPECIAL_PREDICATES: readonly string[] = [ANY_EVENT, RECORD_START, RECORD_END];

/** How a plain predicate matches an event's code. */
export type AcesCodeMatch =
  | { readonly kind: 'exact'; readonly code: string }
  | { readonly kind: 'regex'; readonly regex: RegExp; readonly source: string }
  | { readonly kind: 'any'; readonly codes: readonly string[] };

/** A predicate computed from the events themselves: a code (exact, regex or list) and optional value bounds. */
export interface AcesPlainPredicate {
  readonly type: 'plain';
  readonly name: string;
  readonly code: AcesCodeMatch;
  /** Lower bound on `numeric_value`, or null. */
  readonly valueMin: number | null;
  /** Whether `numeric_value == valueMin` matches (ACES default: false). */
  readonly valueMinInclusive: boolean;
  readonly valueMax: number | null;
  readonly valueMaxInclusive: boolean;
  /** True for `patient_demographics` entries: matched against the subject's static (time-less) rows. */
  readonly isStatic: boolean;
}

/** A predicate over other predicates: `and(a, b, ...)` or `or(a, b, ...)`, per event. */
export interface AcesDerivedPredicate {
  readonly type: 'derived';
  readonly name: string;
  readonly op: 'and' | 'or';
  readonly inputs: readonly string[];
}

/** Any predicate. */
export type AcesPredicate = AcesPlainPredicate | AcesDerivedPredicate;

/**
 * One end of a window, relative to another time point:
 * - `alias`: the same time as the reference;
 * - `offset`: the reference plus `ms` (negative: before);
 * - `event`: the nearest event satisfying `predicate` after (`forward`) or before the reference.
 */
export type AcesBoundary =
  | { readonly kind: 'alias'; readonly ref: string }
  | { readonly kind: 'offset'; readonly ref: string; readonly ms: number }
  | { readonly kind: 'event'; readonly ref: string; readonly predicate: string; readonly forward: boolean };

/** A window as written, with its ends parsed. */
export interface AcesWindow {
  readonly name: string;
  /** Boundary of `start`; `ref` is `end` when the start is defined from the window's own end. */
  readonly start: AcesBoundary;
  readonly end: AcesBoundary;
  readonly startInclusive: boolean;
  readonly endInclusive: boolean;
  /** Which end references a time point outside the window (the trigger or another window). */
  readonly root: 'start' | 'end';
  /** `has:` constraints: predicate → inclusive [min, max] counts (null: unbounded). */
  readonly has: ReadonlyMap<string, readonly [number | null, number | null]>;
  readonly label: string | null;
  readonly indexTimestamp: 'start' | 'end' | null;
}

/** A parsed, checked ACES task configuration. */
export interface AcesConfig {
  /** The config file (for messages). */
  readonly file: string;
  /** Every predicate the task uses (transitively), plain ones first in file order, then derived ones in dependency order. */
  readonly predicates: readonly AcesPredicate[];
  /** `patient_demographics` predicates: a subject is kept only when each matches one of its static rows. */
  readonly demographics: readonly AcesPlainPredicate[];
  readonly trigger: string;
  readonly windows: readonly AcesWindow[];
  /** The window with `label`, or null (then labels carry no value). */
  readonly labelWindow: AcesWindow | null;
  /** The window with `index_timestamp` (the prediction time). */
  readonly indexWindow: AcesWindow;
  /** Time points in evaluation order: `trigger` first, then `<window>.start` / `<window>.end` after what they reference. */
  readonly order: readonly string[];
}
