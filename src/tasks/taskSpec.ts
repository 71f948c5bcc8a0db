/**
 * Task specifications as data (SPEC section 4): one JSON file per task under `tasks/`, validated
 * by {@link TaskSpecSchema}. Users add tasks by writing a file; no code.
 *
 * Four kinds, each with its own fields:
 * - `operational`: visit-based outcomes of an inpatient stay (long_los, readmission,
 *   icu_transfer, mortality);
 * - `lab`: the class (normal / mild / moderate / severe) of the next result of a lab test,
 *   predicted one minute before it;
 * - `new_diagnosis`: a first diagnosis within a horizon after an inpatient discharge;
 * - `icu_mortality_24h`: death in the ICU, predicted 24 hours into an ICU stay (MIMIC-style).
 */
import { z } from 'zod';

/** A length of time; the fields add up. Example: `{ "days": 30 }`, `{ "minutes": 1 }`. */
export const DurationSchema = z
  .object({
    days: z.number().nonnegative().optional().describe('whole or fractional days'),
    hours: z.number().nonnegative().optional(),
    minutes: z.number().nonnegative().optional(),
  })
  .strict()
  .refine((d) => d.days !== undefined || d.hours !== undefined || d.minutes !== undefined, {
    message: 'give at least one of days, hours, minutes',
  })
  .describe('A length of time: days + hours + minutes');

/** A length of time (see {@link DurationSchema}). */
export type Duration = z.infer<typeof DurationSchema>;

/** An ICD code prefix, with or without its dot: `I21`, `K90.0`, `579.0`. */
const IcdPrefix = z.string().regex(/^[A-Za-z0-9]{1,3}(\.?[A-Za-z0-9]{0,4})$/, 'an ICD code prefix such as "I21", "K90.0" or "410"');

/**
 * A set of codes, matched against each event's code and (by default) its parent codes from
 * `metadata/codes.parquet` (so MIMIC's `LAB//51265//K/uL` matches `LOINC/777-3`).
 *
 * There is no SNOMED hierarchy here, so sets list their members explicitly; ICD codes match by
 * prefix in every spelling MEDS uses (`ICD10CM/I21.4`, `ICD10CM/I214`, `DIAGNOSIS//ICD//10//I214`).
 */
export const CodeSetSchema = z
  .object({
    codes: z.array(z.string().min(1)).default([]).describe('exact MEDS codes, e.g. "SNOMED/59621000", "LOINC/777-3"'),
    prefixes: z.array(z.string().min(1)).default([]).describe('code prefixes, e.g. "ICU_ADMISSION//"'),
    icd10cm: z.array(IcdPrefix).default([]).describe('ICD-10-CM prefixes, dots optional, e.g. "I21", "K90.0"'),
    icd9cm: z.array(IcdPrefix).default([]).describe('ICD-9-CM prefixes, dots optional, e.g. "410", "579.0"'),
    matchParents: z
      .boolean()
      .default(true)
      .describe('also match when a parent code (codes.parquet parent_codes) is in the set; default true'),
  })
  .strict();

/** A set of codes (see {@link CodeSetSchema}), defaults applied. */
export type CodeSet = z.infer<typeof CodeSetSchema>;

/** ICU stays in the sources we read: MIMIC `ICU_ADMISSION//<unit>` rows and `Visit/ICU` visits. */
const DEFAULT_ICU = { codes: ['Visit/ICU'], prefixes: ['ICU_ADMISSION'], icd10cm: [], icd9cm: [], matchParents: false };

/** Fields every task has. */
const common = {
  $schema: z.string().optional().describe('path or URL of the JSON Schema, for editors; ignored'),
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, "_" and "-"')
    .describe('task name; also the label file name'),
  description: z.string().optional().describe('one sentence for people'),
  group: z.enum(['operational', 'lab', 'new_diagnosis', 'other']).describe('task group for group means (SPEC 5)'),
  query: z.string().min(1).describe('the instruction query of SPEC 3, e.g. "will the patient stay in the hospital for more than 7 days"'),
  notes: z.array(z.string()).default([]).describe('why the spec is as it is (code-set choices, deviations)'),
  inpatient: CodeSetSchema.optional().describe(
    'codes of inpatient visits; default: Visit/IP, Visit/ERIP (and other inpatient classes) and MIMIC HOSPITAL_ADMISSION',
  ),
};

/** Prediction at 23:59 (UTC) on the day an inpatient visit starts or ends. */
const DayEndRule = z.object({ rule: z.enum(['admission_day_end', 'discharge_day_end']) }).strict();

/** Outcome window relative to the prediction time: `(start, end]`. */
const HorizonSchema = z
  .object({
    start: DurationSchema.describe('exclusive lower bound after the prediction time'),
    end: DurationSchema.describe('inclusive upper bound after the prediction time'),
  })
  .strict();

/** Visit-based operational outcomes. */
export const OperationalTaskSchema = z
  .object({
    ...common,
    kind: z.literal('operational'),
    outcome: z.enum(['long_los', 'readmission', 'icu_transfer', 'mortality']),
    predictionTime: DayEndRule,
    horizon: HorizonSchema.optional().describe('readmission and mortality: the outcome window'),
    minStay: DurationSchema.optional().describe('long_los: a stay at least this long is positive'),
    icu: CodeSetSchema.default(DEFAULT_ICU).describe('icu_transfer: codes that start an ICU stay; default Visit/ICU and ICU_ADMISSION*'),
    exclusions: z
      .array(z.enum(['same_day_discharge', 'same_day_readmission', 'icu_on_admission_day', 'censored', 'dead_before_prediction']))
      .default(['dead_before_prediction'])
      .describe('labels to drop; "censored": no outcome and the record ends inside the horizon'),
  })
  .strict()
  .superRefine((t, ctx) => {
    if ((t.outcome === 'readmission' || t.outcome === 'mortality') && !t.horizon)
      ctx.addIssue({ code: 'custom', path: ['horizon'], message: `${t.outcome} needs a horizon` });
    if (t.outcome === 'long_los' && !t.minStay) ctx.addIssue({ code: 'custom', path: ['minStay'], message: 'long_los needs minStay' });
  });

/** A comparison against a threshold in the task's canonical unit. */
const ThresholdSchema = z.object({ op: z.enum(['<', '<=', '>', '>=']), value: z.number() }).strict();

/** A unit conversion into the canonical unit: a factor to multiply by, or `{ "divide": n }`. */
const UnitFactorSchema = z.union([z.number().positive(), z.object({ divide: z.number().positive() }).strict()]);

/** The class of the next result of a lab test. */
export const LabTaskSchema = z
  .object({
    ...common,
    kind: z.literal('lab'),
    lab: CodeSetSchema.describe('codes of the lab test (LOINC, SNOMED, or source codes whose parent is one)'),
    predictionTime: z
      .object({
        rule: z.literal('before_result'),
        offset: DurationSchema.default({ minutes: 1 }).describe('how long before the result; default 1 minute'),
      })
      .strict(),
    unit: z.string().min(1).describe('canonical unit of the thresholds, e.g. "mmol/L"'),
    units: z
      .record(z.string(), UnitFactorSchema)
      .describe('unit (case and spaces ignored) → factor into the canonical unit; list the canonical unit itself with 1'),
    missingUnit: z.enum(['assume_canonical', 'skip']).default('skip').describe('what to do with a result without a unit; default skip'),
    classes: z
      .object({ severe: ThresholdSchema, moderate: ThresholdSchema, mild: ThresholdSchema })
      .strict()
      .describe('checked severe first; none matching is normal. integer_value: 0 normal, 1 mild, 2 moderate, 3 severe'),
    exclusions: z
      .array(z.enum(['first_event', 'dead_before_prediction']))
      .default(['first_event', 'dead_before_prediction'])
      .describe('"first_event": skip results at the time of the subject\'s first timed event (nothing to predict from)'),
  })
  .strict();

/** A first diagnosis within a horizon after each inpatient discharge. */
export const NewDiagnosisTaskSchema = z
  .object({
    ...common,
    kind: z.literal('new_diagnosis'),
    outcome: CodeSetSchema.describe('diagnosis codes (SNOMED, ICD-10-CM, ICD-9-CM)'),
    predictionTime: DayEndRule,
    horizon: HorizonSchema,
    exclusions: z
      .array(z.enum(['prior_diagnosis', 'censored', 'dead_before_prediction', 'diagnosis_before_horizon']))
      .default(['prior_diagnosis', 'censored', 'dead_before_prediction'])
      .describe(
        '"prior_diagnosis": drop prediction times at or after the first diagnosis; "diagnosis_before_horizon": drop (instead of negative) when the first diagnosis falls in (prediction time, horizon start]',
      ),
  })
  .strict();

/** Death in the ICU, predicted some hours into each ICU stay (MIMIC-IV MEDS task style). */
export const IcuMortalityTaskSchema = z
  .object({
    ...common,
    kind: z.literal('icu_mortality_24h'),
    icu: CodeSetSchema.default(DEFAULT_ICU).describe('codes that start an ICU stay; default Visit/ICU and ICU_ADMISSION*'),
    predictionTime: z.object({ rule: z.literal('after_icu_admission'), offset: DurationSchema.default({ hours: 24 }) }).strict(),
    gap: DurationSchema.default({ hours: 48 }).describe(
      'stays ending (discharge or death) within this time of ICU admission are excluded; death is counted after it',
    ),
    exclusions: z
      .array(z.enum(['discharge_or_death_in_gap', 'icu_admission_in_gap']))
      .default(['discharge_or_death_in_gap', 'icu_admission_in_gap']),
  })
  .strict();

/** Any task specification: discriminated by `kind`. */
export const TaskSpecSchema = z.discriminatedUnion('kind', [
  OperationalTaskSchema,
  LabTaskSchema,
  NewDiagnosisTaskSchema,
  IcuMortalityTaskSchema,
]);

/** A validated task specification (defaults applied). */
export type TaskSpec = z.infer<typeof TaskSpecSchema>;
/** A task specification as written in a file (defaults not yet applied). */
export type TaskSpecInput = z.input<typeof TaskSpecSchema>;
/** An operational task. */
export type OperationalTaskSpec = z.infer<typeof OperationalTaskSchema>;
/** A lab task. */
export type LabTaskSpec = z.infer<typeof LabTaskSchema>;
/** A new-diagnosis task. */
export type NewDiagnosisTaskSpec = z.infer<typeof NewDiagnosisTaskSchema>;
/** An ICU mortality task. */
export type IcuMortalityTaskSpec = z.infer<typeof IcuMortalityTaskSchema>;
/** Task groups (SPEC 5 averages within each, then across groups). */
export type TaskGroup = TaskSpec['group'];

/** JSON Schema of a task file (for editors: `"$schema"` in a task file may point at a saved copy). */
export function taskSpecJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(TaskSpecSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
