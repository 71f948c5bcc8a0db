/**
 * The aggregated concepts of SPEC 2.3: body metrics, vital signs and labs shown in the "Recent"
 * sections of the Markdown format, with their plausible ranges, normal ranges, display units
 * and the unit conversions into them.
 */

/** The Markdown section a concept is listed in. */
export type RecentSection = 'body' | 'vitals' | 'labs';

/** Headings of the recent sections, in display order. */
export const RECENT_SECTION_HEADINGS: Readonly<Record<RecentSection, string>> = {
  body: 'Recent Body Metrics',
  vitals: 'Recent Vital Signs',
  labs: 'Recent Lab Results',
};

/** A linear conversion `value * scale + offset` into the concept's unit. */
export interface UnitConversion {
  readonly scale: number;
  readonly offset: number;
}

/** One aggregated concept (a row of SPEC 2.3). */
export interface AggregatedConcept {
  /** Display name, for example `Heart rate`. */
  readonly name: string;
  readonly section: RecentSection;
  /** MEDS codes of the concept; an event matches on its code or any ancestor (vocabulary parents). */
  readonly codes: readonly string[];
  /**
   * Source-specific codes matched by their `PREFIX//id` head, whatever unit follows (MIMIC-IV
   * chart items and OMR rows that carry no LOINC parent in the demo's codes.parquet).
   */
  readonly codeHeads: readonly string[];
  /** Inclusive plausible range in the display unit; values outside are dropped as errors. */
  readonly plausible: readonly [number, number];
  /** Inclusive normal range in the display unit, or null (no flag shown). */
  readonly normal: readonly [number, number] | null;
  /** Display unit. */
  readonly unit: string;
  /** Decimals shown (trailing zeros are then dropped). */
  readonly decimals: 0 | 1 | 2;
  /**
   * Accepted source units (keys normalized by {@link normalizeUnit}) and their conversion into
   * {@link AggregatedConcept.unit}. A value with no unit is taken to be in the display unit.
   */
  readonly units: ReadonlyMap<string, UnitConversion>;
}

const SAME: UnitConversion = { scale: 1, offset: 0 };
const scale = (s: number): UnitConversion => ({ scale: s, offset: 0 });

/**
 * Normalize a unit string for lookup: lower case, no spaces, UCUM annotations (`{beats}`) and
 * brackets (`[lb_av]`, `mm[Hg]`) removed, `^` and `*` powers unified, `μ`/`µ` read as `u`.
 */
export function normalizeUnit(unit: string): string {
  let n = normalized.get(unit);
  if (n === undefined) {
    n = normalizeUnitUncached(unit);
    if (normalized.size < 10_000) normalized.set(unit, n);
  }
  return n;
}

// Datasets use a handful of unit spellings: normalize each once.
const normalized = new Map<string, string>();

function normalizeUnitUncached(unit: string): string {
  return unit
    .trim()
    .toLowerCase()
    .replace(/\{[^}]*\}/g, '')
    .replace(/[[\]\s]/g, '')
    .replace(/[μµ]/g, 'u')
    .replace(/\^/g, '*')
    .replace(/^x10/, '10');
}

function units(entries: readonly (readonly [readonly string[], UnitConversion])[]): ReadonlyMap<string, UnitConversion> {
  const m = new Map<string, UnitConversion>();
  for (const [names, conv] of entries) for (const n of names) m.set(normalizeUnit(n), conv);
  return m;
}

const PER_MINUTE = units([
  [['/min', '1/min', 'bpm', 'beats/min', '{beats}/min', 'breaths/min', '{breaths}/min', 'insp/min', 'per min'], SAME],
]);
const MMHG = units([[['mm[Hg]', 'mmHg', 'mm Hg'], SAME]]);
const MMOL_L = units([[['mmol/L', 'mEq/L', 'meq/l'], SAME]]);
const PER_UL_THOUSANDS = units([
  [['10*3/uL', '10^3/uL', 'K/uL', '10*9/L', '10^9/L', 'thousand/uL', 'x10E3/uL', 'k/mm3', '10*3/mm3'], SAME],
  [['/uL', '/mm3'], scale(0.001)],
]);

/** The 24 concepts of SPEC 2.3, in display order within each section. */
export const AGGREGATED_CONCEPTS: readonly AggregatedConcept[] = [
  {
    name: 'Body weight',
    section: 'body',
    codes: ['LOINC/29463-7'],
    codeHeads: ['LAB//226512', 'LAB//224639', 'LAB//226531', 'SUBJECT_WEIGHT_AT_INFUSION//KG', 'Weight (Lbs)'],
    plausible: [350, 10000],
    normal: null,
    unit: 'oz',
    decimals: 1,
    units: units([
      [['oz', '[oz_av]'], SAME],
      [['kg', 'kilogram', 'kilograms'], scale(35.27396195)],
      [['g', 'gram', 'grams'], scale(0.03527396195)],
      [['[lb_av]', 'lb', 'lbs', 'lbs.', 'pound', 'pounds'], scale(16)],
    ]),
  },
  {
    name: 'Body height',
    section: 'body',
    codes: ['LOINC/8302-2'],
    codeHeads: ['LAB//226730', 'LAB//226707', 'Height (Inches)'],
    plausible: [5, 100],
    normal: null,
    unit: 'inch',
    decimals: 1,
    units: units([
      [['inch', 'in', '[in_i]', '[in_us]', 'inches'], SAME],
      [['cm', 'centimeter', 'centimeters'], scale(1 / 2.54)],
      [['m', 'meter', 'meters'], scale(100 / 2.54)],
      [['mm'], scale(1 / 25.4)],
      [['[ft_i]', 'ft', 'feet'], scale(12)],
    ]),
  },
  {
    name: 'Body mass index',
    section: 'body',
    codes: ['LOINC/39156-5'],
    codeHeads: ['BMI (kg/m2)'],
    plausible: [10, 100],
    normal: [18.5, 24.9],
    unit: 'kg/m2',
    decimals: 1,
    units: units([[['kg/m2', 'kg/m^2', 'kg/(m2)', 'kg/m*2'], SAME]]),
  },
  {
    name: 'Body surface area',
    section: 'body',
    codes: ['LOINC/8277-6', 'SNOMED/301898006'],
    codeHeads: [],
    plausible: [0.1, 10],
    normal: null,
    unit: 'm2',
    decimals: 2,
    units: units([[['m2', 'm^2', 'sq m'], SAME]]),
  },
  {
    name: 'Heart rate',
    section: 'vitals',
    codes: ['LOINC/8867-4', 'SNOMED/364075005', 'SNOMED/78564009'],
    codeHeads: ['LAB//220045'],
    plausible: [5, 300],
    normal: [60, 100],
    unit: 'bpm',
    decimals: 0,
    units: PER_MINUTE,
  },
  {
    name: 'Systolic blood pressure',
    section: 'vitals',
    codes: ['LOINC/8480-6', 'SNOMED/271649006'],
    codeHeads: ['LAB//220179', 'LAB//220050'],
    plausible: [20, 300],
    normal: [90, 140],
    unit: 'mmHg',
    decimals: 0,
    units: MMHG,
  },
  {
    name: 'Diastolic blood pressure',
    section: 'vitals',
    codes: ['LOINC/8462-4', 'SNOMED/271650006'],
    codeHeads: ['LAB//220180', 'LAB//220051'],
    plausible: [20, 300],
    normal: [60, 90],
    unit: 'mmHg',
    decimals: 0,
    units: MMHG,
  },
  {
    name: 'Body temperature',
    section: 'vitals',
    codes: ['LOINC/8310-5'],
    codeHeads: ['LAB//223761', 'LAB//223762'],
    plausible: [80, 120],
    normal: [95, 100.4],
    unit: '°F',
    decimals: 1,
    units: units([
      [['[degF]', 'degF', '°F', 'F', 'deg F', 'fahrenheit'], SAME],
      [['Cel', '°C', 'C', 'degC', 'deg C', 'celsius'], { scale: 1.8, offset: 32 }],
    ]),
  },
  {
    name: 'Respiratory rate',
    section: 'vitals',
    codes: ['LOINC/9279-1'],
    codeHeads: ['LAB//220210', 'LAB//224690'],
    plausible: [1, 100],
    normal: [12, 18],
    unit: 'breaths/min',
    decimals: 0,
    units: PER_MINUTE,
  },
  {
    name: 'Oxygen saturation',
    section: 'vitals',
    codes: ['LOINC/LP21258-6', 'LOINC/2708-6', 'LOINC/59408-5'],
    codeHeads: ['LAB//220277'],
    plausible: [1, 100],
    normal: [95, 100],
    unit: '%',
    decimals: 0,
    units: units([[['%', 'percent'], SAME]]),
  },
  {
    name: 'Hemoglobin',
    section: 'labs',
    codes: ['LOINC/718-7', 'SNOMED/271026005', 'SNOMED/441689006'],
    codeHeads: [],
    plausible: [1, 20],
    normal: [12, 17],
    unit: 'g/dL',
    decimals: 1,
    units: units([
      [['g/dL'], SAME],
      [['g/L'], scale(0.1)],
      [['mg/dL'], scale(0.001)],
    ]),
  },
  {
    name: 'Hematocrit',
    section: 'labs',
    codes: ['LOINC/4544-3', 'LOINC/20570-8', 'LOINC/48703-3', 'SNOMED/28317006'],
    codeHeads: [],
    plausible: [10, 100],
    normal: [36, 51],
    unit: '%',
    decimals: 0,
    units: units([[['%', 'percent'], SAME]]),
  },
  {
    name: 'Erythrocytes',
    section: 'labs',
    codes: ['LOINC/789-8', 'LOINC/26453-1'],
    codeHeads: [],
    plausible: [1, 10],
    normal: [4.2, 5.9],
    unit: '10^6/uL',
    decimals: 2,
    units: units([[['10*6/uL', '10^6/uL', 'M/uL', 'm/uL', '10*12/L', '10^12/L', 'million/uL', 'x10E6/uL', '10*6/mm3'], SAME]]),
  },
  {
    name: 'Leukocytes',
    section: 'labs',
    codes: ['LOINC/20584-9', 'LOINC/6690-2'],
    codeHeads: [],
    plausible: [1, 100],
    normal: [4, 10],
    unit: '10^3/uL',
    decimals: 1,
    units: PER_UL_THOUSANDS,
  },
  {
    name: 'Platelets',
    section: 'labs',
    codes: ['LOINC/777-3', 'SNOMED/61928009'],
    codeHeads: [],
    plausible: [10, 1000],
    normal: [150, 350],
    unit: '10^3/uL',
    decimals: 0,
    units: PER_UL_THOUSANDS,
  },
  {
    name: 'Sodium',
    section: 'labs',
    codes: ['LOINC/2951-2', 'LOINC/2947-0', 'SNOMED/25197003'],
    codeHeads: [],
    plausible: [100, 200],
    normal: [136, 145],
    unit: 'mmol/L',
    decimals: 0,
    units: MMOL_L,
  },
  {
    name: 'Potassium',
    section: 'labs',
    codes: ['LOINC/2823-3', 'LOINC/6298-4', 'SNOMED/312468003', 'SNOMED/59573005'],
    codeHeads: [],
    plausible: [0.1, 10],
    normal: [3.5, 5.0],
    unit: 'mmol/L',
    decimals: 1,
    units: MMOL_L,
  },
  {
    name: 'Chloride',
    section: 'labs',
    codes: ['LOINC/2075-0', 'LOINC/2069-3', 'SNOMED/104589004'],
    codeHeads: [],
    plausible: [50, 200],
    normal: [98, 106],
    unit: 'mmol/L',
    decimals: 0,
    units: MMOL_L,
  },
  {
    name: 'Carbon dioxide, total',
    section: 'labs',
    codes: ['LOINC/2028-9'],
    codeHeads: [],
    plausible: [10, 100],
    normal: [23, 28],
    unit: 'mmol/L',
    decimals: 0,
    units: MMOL_L,
  },
  {
    name: 'Calcium',
    section: 'labs',
    codes: ['LOINC/17861-6', 'SNOMED/271240001'],
    codeHeads: [],
    plausible: [1, 20],
    normal: [9, 10.5],
    unit: 'mg/dL',
    decimals: 1,
    // Calcium is divalent: 1 mmol/L = 2 mEq/L = 4.008 mg/dL.
    units: units([
      [['mg/dL'], SAME],
      [['mmol/L'], scale(4.008)],
      [['mEq/L'], scale(2.004)],
    ]),
  },
  {
    name: 'Glucose',
    section: 'labs',
    codes: ['LOINC/2345-7', 'LOINC/2339-0', 'LOINC/14749-6', 'SNOMED/166900001', 'SNOMED/33747003'],
    codeHeads: [],
    plausible: [10, 1000],
    normal: [70, 100],
    unit: 'mg/dL',
    decimals: 0,
    units: units([
      [['mg/dL'], SAME],
      [['mmol/L'], scale(18.016)],
      [['g/L'], scale(100)],
    ]),
  },
  {
    name: 'Urea nitrogen',
    section: 'labs',
    codes: ['LOINC/3094-0', 'SNOMED/105011006'],
    codeHeads: [],
    plausible: [1, 200],
    normal: [8, 20],
    unit: 'mg/dL',
    decimals: 0,
    // Urea nitrogen: 1 mmol/L of urea carries 28.014 mg of nitrogen per litre.
    units: units([
      [['mg/dL'], SAME],
      [['mmol/L'], scale(2.8014)],
    ]),
  },
  {
    name: 'Creatinine',
    section: 'labs',
    codes: ['LOINC/2160-0', 'SNOMED/113075003'],
    codeHeads: [],
    plausible: [0.1, 10],
    normal: [0.7, 1.3],
    unit: 'mg/dL',
    decimals: 1,
    units: units([
      [['mg/dL'], SAME],
      [['umol/L', 'µmol/L'], scale(1 / 88.42)],
    ]),
  },
  {
    name: 'Anion gap',
    section: 'labs',
    codes: ['LOINC/33037-3', 'LOINC/41276-7', 'SNOMED/25469001'],
    codeHeads: [],
    plausible: [-20, 50],
    normal: [3, 11],
    unit: 'mmol/L',
    decimals: 0,
    units: MMOL_L,
  },
];

const BY_CODE: ReadonlyMap<string, number> = new Map(AGGREGATED_CONCEPTS.flatMap((c, i) => c.codes.map((code) => [code, i] as const)));
const BY_HEAD: ReadonlyMap<string, number> = new Map(AGGREGATED_CONCEPTS.flatMap((c, i) => c.codeHeads.map((head) => [head, i] as const)));

/** Concept index of a code by itself (no hierarchy), or -1. */
function directConcept(code: string): number {
  const i = BY_CODE.get(code) ?? BY_HEAD.get(code);
  if (i !== undefined) return i;
  // MIMIC codes carry the unit after the item id: LAB//220045//bpm.
  const dd = code.indexOf('//');
  if (dd < 0) return -1;
  const next = code.indexOf('//', dd + 2);
  return next < 0 ? -1 : (BY_HEAD.get(code.slice(0, next)) ?? -1);
}

/**
 * Index into {@link AGGREGATED_CONCEPTS} of the concept a code belongs to, matching the code itself
 * or any ancestor reachable through `parents` (breadth first, nearest wins), or -1.
 *
 * @param code the event's code
 * @param parents direct parents of a code (the vocabulary's `parents`)
 * @param maxDepth how many parent levels to climb (default 4: enough for lab → LOINC → LOINC group chains)
 */
export function conceptIndexOf(code: string, parents: (code: string) => readonly string[], maxDepth = 4): number {
  const direct = directConcept(code);
  if (direct >= 0) return direct;
  let frontier: readonly string[] = [code];
  const seen = new Set<string>(frontier);
  for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const c of frontier) {
      for (const p of parents(c)) {
        if (seen.has(p)) continue;
        seen.add(p);
        const i = directConcept(p);
        if (i >= 0) return i;
        next.push(p);
      }
    }
    frontier = next;
  }
  return -1;
}

/**
 * `value` (in `unit`) in the concept's display unit, or null when the unit is unknown to the
 * concept. A missing or empty unit means the display unit already.
 */
export function toConceptUnit(concept: AggregatedConcept, value: number, unit: string | null): number | null {
  if (unit === null || unit.trim() === '') return value;
  const conv = concept.units.get(normalizeUnit(unit));
  return conv === undefined ? null : value * conv.scale + conv.offset;
}

/** Whether a value in the display unit lies in the concept's plausible range (inclusive). */
export function isPlausible(concept: AggregatedConcept, value: number): boolean {
  return Number.isFinite(value) && value >= concept.plausible[0] && value <= concept.plausible[1];
}

/** Normal-range flag of a value in the display unit (inclusive bounds), or null when the concept has no normal range. */
export function normalFlag(concept: AggregatedConcept, value: number): 'low' | 'normal' | 'high' | null {
  if (concept.normal === null) return null;
  if (value < concept.normal[0]) return 'low';
  if (value > concept.normal[1]) return 'high';
  return 'normal';
}
