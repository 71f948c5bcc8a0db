import type { TaskData } from '../eval/TaskData.ts';
import { ageBand } from '../eval/subgroupAuroc.ts';
import type { SubjectDemographics } from '../meds/readDemographics.ts';
import { ageInYears } from '../serialize/demographicFacts.ts';
import { demographicLabel } from '../serialize/demographicLabel.ts';
import type { Vocabulary } from '../vocab/Vocabulary.ts';

/**
 * The subgroup attributes of a task's labels for `runEvaluation`'s `subgroups` option: sex, age
 * band at the prediction time, and race and ethnicity where the dataset records them (an
 * attribute no subject has is left out). Missing values are `Unknown`. Group names are the
 * serializer's demographic labels (built-in names, else `vocabulary`'s description, else the
 * code's value).
 */
export function subgroupAttributes(
  demographics: ReadonlyMap<number, SubjectDemographics>,
  vocabulary: Vocabulary,
): (task: TaskData) => Record<string, string[]> {
  const label = (code: string | null): string => (code === null ? 'Unknown' : demographicLabel(code, vocabulary));
  const has = (key: 'sex' | 'race' | 'ethnicity' | 'birth'): boolean => [...demographics.values()].some((d) => d[key] !== null);
  const kinds = (['sex', 'race', 'ethnicity'] as const).filter(has);
  const withAge = has('birth');
  return (task) => {
    const out: Record<string, string[]> = {};
    for (const kind of kinds) out[kind] = task.labels.map((l) => label(demographics.get(l.subjectId)?.[kind] ?? null));
    if (withAge) {
      out.age = task.labels.map((l) => {
        const birth = demographics.get(l.subjectId)?.birth ?? null;
        return ageBand(birth === null ? null : ageInYears(birth, l.predictionTime));
      });
    }
    return out;
  };
}
