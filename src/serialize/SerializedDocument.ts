/** One output line before budgeting. */
export interface DocLine {
  /** The line, non-empty, without line breaks, not starting with whitespace. */
  readonly text: string;
  /**
   * Indices (into the prepared subject's events) of the events the line was made from; turned
   * into references only when a caller reads the provenance, which most runs never do.
   */
  readonly sources: readonly number[];
  /** Whether a blank line precedes it (Markdown `##` headings); ignored on the first output line. */
  readonly blankBefore: boolean;
  /**
   * The text cut at piece boundaries (see `Tokenizer.pieceAdditive`), made of strings shared
   * between serializations, so that counting costs a few cached lookups; `pieces.join('')`
   * equals `text`.
   */
  readonly pieces?: readonly string[];
  /** A first piece before {@link DocLine.pieces} (a marker such as `-` or `###`): `text` is `prefix + pieces.join('')`. */
  readonly prefix?: string;
}

/** A unit the budget drops whole: a detailed visit block, a summary line, a list line. */
export interface DocItem {
  /** Visit id for visit items, else null. */
  readonly id: string | null;
  /** Its first line (a visit heading, or the only line). */
  readonly first: DocLine;
  /**
   * The lines after the first, often a visit body shared between serializations of one subject
   * (so its token count is computed once).
   */
  readonly rest: readonly DocLine[];
}

/** An item of one line. */
export const singleLineItem = (first: DocLine, id: string | null = null): DocItem => ({ id, first, rest: NO_LINES });

const NO_LINES: readonly DocLine[] = Object.freeze([]);

/** A droppable section: its heading goes with its last item. */
export interface DocSection {
  /** Name used in truncation reports, for example `Detailed Past Medical Visits`. */
  readonly name: string;
  /** What the items are, for the truncation report. */
  readonly kind: 'detailedVisits' | 'visitSummaries' | 'general' | 'events';
  readonly heading: DocLine | null;
  /** Items in output order; the budget drops them from the end. */
  readonly items: readonly DocItem[];
}

/**
 * A serialized record as lines with the structure the token budget needs: a fixed head
 * (title, demographics, recent sections; cut from the end only as a last resort) followed by
 * droppable sections, emptied from their ends in `dropOrder`.
 */
export interface SerializedDocument {
  readonly fixed: readonly DocLine[];
  readonly sections: readonly DocSection[];
  /** Section indices in the order they give way to the budget. */
  readonly dropOrder: readonly number[];
}

/** How much of a document is kept: a prefix of the fixed lines and of each section's items. */
export interface Selection {
  readonly fixed: number;
  readonly items: readonly number[];
}

/** The selection that keeps everything. */
export function fullSelection(doc: SerializedDocument): Selection {
  return { fixed: doc.fixed.length, items: doc.sections.map((s) => s.items.length) };
}

/** The kept lines of a document, in output order. */
export function selectedLines(doc: SerializedDocument, sel: Selection): DocLine[] {
  const out = doc.fixed.slice(0, sel.fixed);
  doc.sections.forEach((s, si) => {
    const m = sel.items[si] ?? 0;
    if (m === 0) return;
    if (s.heading !== null) out.push(s.heading);
    for (let j = 0; j < m; j++) {
      const item = s.items[j] as DocItem;
      out.push(item.first);
      for (const l of item.rest) out.push(l);
    }
  });
  return out;
}

/** The text of lines: joined by `\n`, a blank line before each `blankBefore` line but the first, no final newline. */
export function linesText(lines: readonly DocLine[]): string {
  let text = '';
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as DocLine;
    if (i > 0) text += l.blankBefore ? '\n\n' : '\n';
    text += l.text;
  }
  return text;
}
