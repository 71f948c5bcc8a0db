import { stringify } from 'yaml';
import { UsageError } from '../errors.ts';
import { durationMs } from '../tasks/durationMs.ts';
import type { CodeSet, TaskSpec } from '../tasks/taskSpec.ts';

/** Why each kind of built-in task cannot be written in the ACES language (null: it can). */
export function acesInexpressible(spec: TaskSpec): string | null {
  switch (spec.kind) {
    case 'icu_mortality_24h':
      return null;
    case 'operational':
    case 'new_diagnosis':
      return `its prediction time is 23:59 on the ${spec.predictionTime.rule === 'admission_day_end' ? 'admission' : 'discharge'} day (a calendar-day rule); ACES window ends are only fixed offsets from events or the next/previous event, so "end of that day" cannot be written`;
    case 'lab':
      return 'its label is one of four classes (normal, mild, moderate, severe) after converting units from the unit column; an ACES label is a predicate count (true when > 0) over codes and numeric_value only';
  }
}

/**
 * A built-in task spec as an ACES task config (YAML), for the kinds ACES can express (see
 * {@link acesInexpressible}); others are a {@link UsageError} saying why.
 *
 * icu_mortality_24h becomes MEDS-DEV's `mortality/in_icu/first_24h` shape: trigger ICU admission,
 * input up to admission + offset (the prediction time), a gap window that must hold no other ICU
 * admission and no ICU discharge or death, and the label death before the next ICU discharge.
 */
export function exportAces(spec: TaskSpec): string {
  const why = acesInexpressible(spec);
  if (why !== null || spec.kind !== 'icu_mortality_24h')
    throw new UsageError(`task "${spec.name}" (kind ${spec.kind}) cannot be written as an ACES config: ${why ?? 'unsupported kind'}`);
  const offsetH = durationMs(spec.predictionTime.offset) / 3_600_000;
  const gapH = durationMs(spec.gap) / 3_600_000;
  const ex = new Set(spec.exclusions);
  const gapHas: Record<string, string> = {};
  if (ex.has('icu_admission_in_gap')) gapHas.icu_admission = '(None, 0)';
  if (ex.has('discharge_or_death_in_gap')) gapHas.discharge_or_death = '(None, 0)';
  const config = {
    metadata: {
      description: `${spec.description ?? spec.name} Exported by ehr-embed from its built-in task "${spec.name}".`,
      notes: [
        'ICU stays are ICU_ADMISSION//... .. ICU_DISCHARGE//... rows (MIMIC-IV MEDS); stays written as one Visit/ICU row with an end column cannot be expressed in ACES.',
        ...spec.notes,
      ],
    },
    predicates: {
      icu_admission: { code: { regex: codeSetRegex(spec.icu, spec.name) } },
      icu_discharge: { code: { regex: '^ICU_DISCHARGE' } },
      death: { code: { regex: '^MEDS_DEATH' } },
      discharge_or_death: { expr: 'or(icu_discharge, death)' },
    },
    trigger: 'icu_admission',
    windows: {
      input: { start: null, end: `trigger + ${hours(offsetH)}`, start_inclusive: true, end_inclusive: true, index_timestamp: 'end' },
      gap: {
        start: 'trigger',
        end: `start + ${hours(gapH)}`,
        start_inclusive: false,
        end_inclusive: true,
        ...(Object.keys(gapHas).length > 0 ? { has: gapHas } : {}),
      },
      target: { start: 'gap.end', end: 'start -> discharge_or_death', start_inclusive: false, end_inclusive: true, label: 'death' },
    },
  };
  return `# ACES task config for ehr-embed's built-in task "${spec.name}" (ehr-embed label --export-aces ${spec.name})\n${stringify(config, { lineWidth: 0 })}`;
}

function hours(h: number): string {
  return Number.isInteger(h) ? `${h}h` : `${Math.round(h * 60)}m`;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A code set of exact codes and prefixes as one anchored regex (ICD prefixes and parent matching have no ACES form). */
function codeSetRegex(set: CodeSet, task: string): string {
  if (set.icd10cm.length > 0 || set.icd9cm.length > 0) throw new UsageError(`task "${task}": ICD prefix sets have no ACES form`);
  const alts = [...set.codes.map((c) => `${escapeRegex(c)}$`), ...set.prefixes.map(escapeRegex)];
  return `^(${alts.join('|')})`;
}
