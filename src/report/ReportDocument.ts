/**
 * The report as a renderer-neutral document: sections of blocks (paragraphs, tables, charts,
 * preformatted text). The HTML and Markdown renderers walk the same document, so both show the
 * same text and numbers. All strings are plain text; renderers escape them.
 */

/** A table cell. `data` becomes `data-*` attributes in HTML (exact numbers for checking). */
export interface Cell {
  readonly text: string;
  /** A second, smaller line (replicate range, unadjusted p). */
  readonly sub?: string;
  /** Right-aligned number. */
  readonly num?: boolean;
  readonly cls?: string;
  readonly data?: Readonly<Record<string, string>>;
}

/** A table row. */
export interface Row {
  readonly cells: readonly Cell[];
  readonly cls?: string;
  readonly data?: Readonly<Record<string, string>>;
}

/** A table: header cells and bodies of rows (a body per task, for example). */
export interface ReportTable {
  /** Identifies the table in HTML (`data-table`), for tests and styling. */
  readonly id: string;
  readonly headers: readonly Cell[];
  readonly bodies: readonly (readonly Row[])[];
  /** Footnotes below the table. */
  readonly notes?: readonly string[];
}

/** Charts the HTML renderer draws (as inline SVG); Markdown refers to report.html instead. */
export type ChartId = 'macro' | 'groups' | 'tasks' | 'tokens' | 'calibration';

/** A block of a section. */
export type Block =
  | { readonly kind: 'heading'; readonly text: string }
  | { readonly kind: 'paragraphs'; readonly items: readonly string[]; readonly emphasis?: boolean }
  | { readonly kind: 'facts'; readonly items: readonly (readonly [string, string])[] }
  | { readonly kind: 'list'; readonly items: readonly string[] }
  | { readonly kind: 'table'; readonly table: ReportTable }
  | { readonly kind: 'chart'; readonly chart: ChartId; readonly title: string; readonly caption: string }
  | { readonly kind: 'pre'; readonly title: string; readonly text: string }
  | { readonly kind: 'details'; readonly summary: string; readonly blocks: readonly Block[] }
  | { readonly kind: 'glossary'; readonly items: readonly (readonly [string, string])[] };

/** A top-level section (`<section id>`, `##` heading). */
export interface Section {
  readonly id: string;
  readonly title: string;
  readonly blocks: readonly Block[];
}

/** The whole report. */
export interface ReportDocument {
  readonly title: string;
  /** One line under the title. */
  readonly meta: string;
  readonly sections: readonly Section[];
  readonly footer: string;
}
