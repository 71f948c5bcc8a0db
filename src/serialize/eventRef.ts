/** The identity of a source event, as reported in the provenance of each output line. */
export interface EventRef {
  readonly subjectId: number;
  /** Epoch ms, or null for a static event. */
  readonly time: number | null;
  readonly code: string;
}
