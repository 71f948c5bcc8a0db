import { UsageError } from '../errors.ts';
import type { Converter } from './Converter.ts';
import { ehrshotConverter } from './ehrshot.ts';
import { fhirConverter } from './fhir.ts';
import { omopConverter } from './omop.ts';
import { syntheaConverter } from './synthea.ts';

/** Every source format `ehr-embed convert` knows, by name. */
export const CONVERTERS: ReadonlyMap<string, Converter> = new Map(
  [fhirConverter, syntheaConverter, omopConverter, ehrshotConverter].map((c) => [c.name, c]),
);

/** The converter for a format name; an unknown name is a UsageError listing the known ones. */
export function getConverter(name: string): Converter {
  const c = CONVERTERS.get(name);
  if (!c) throw new UsageError(`unknown source format "${name}"; known formats: ${[...CONVERTERS.keys()].join(', ')}`, { field: 'from' });
  return c;
}
