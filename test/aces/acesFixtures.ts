import { readFileSync } from 'node:fs';
import type { LabelSource } from '../../src/tasks/labelDataset.ts';
import type { Event, Subject } from '../../src/types.ts';

/** Epoch ms of an ISO time without zone (MEDS times are UTC-naive). */
export const isoMs = (s: string): number => Date.parse(`${s}Z`);

/** Subjects from a fixture CSV `subject_id,time,code,numeric_value` (empty time: static row). */
export function subjectsFromCsv(file: string): Subject[] {
  const lines = readFileSync(file, 'utf8').trim().split('\n').slice(1);
  const by = new Map<number, Event[]>();
  for (const line of lines) {
    const [sid, time, code, num] = line.split(',') as [string, string, string, string];
    const subjectId = Number(sid);
    const e: Event = {
      subjectId,
      time: time === '' ? null : isoMs(time),
      code,
      numericValue: num === '' || num === undefined ? null : Math.fround(Number(num)),
      textValue: null,
    };
    let list = by.get(subjectId);
    if (!list) by.set(subjectId, (list = []));
    list.push(e);
  }
  return [...by].map(([subjectId, events]) => ({
    subjectId,
    events: [...events].sort((a, b) => (a.time === null ? -Infinity : a.time) - (b.time === null ? -Infinity : b.time)),
  }));
}

/** A label source over in-memory subjects (every subject in `train`). */
export function memorySource(subjects: readonly Subject[]): LabelSource {
  return {
    async *subjects() {
      yield* subjects;
    },
    splits: new Map(subjects.map((s) => [s.subjectId, 'train'])),
    codes: new Map(),
    subjectCount: subjects.length,
  };
}

/** Expected labels `subject_id,prediction_time,boolean_value` as `id iso value` strings. */
export function expectedRows(file: string): string[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').join(' '));
}
