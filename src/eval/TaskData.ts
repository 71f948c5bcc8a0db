import type { TaskShots } from '../tasks/sampleShots.ts';
import type { Label } from '../types.ts';

/** One task ready for evaluation. Arrays are aligned with the rows of `<task>.parquet`. */
export interface TaskData {
  readonly name: string;
  readonly group: string;
  readonly query: string | null;
  readonly labels: readonly Label[];
  /** 1 positive, 0 negative, -1 no binary value (left out). */
  readonly y: Int8Array;
  readonly split: readonly string[];
  readonly shots: TaskShots | undefined;
}
