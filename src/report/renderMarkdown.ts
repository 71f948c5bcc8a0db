import type { Block, Cell, ReportDocument, ReportTable } from './ReportDocument.ts';

/**
 * Render the report as GitHub-flavoured Markdown: the same sections, text and numbers as the
 * HTML page; charts are named with their captions and left to report.html.
 */
export function renderMarkdown(doc: ReportDocument): string {
  const out: string[] = [`# ${inline(doc.title)}`, '', `_${inline(doc.meta)}_`, ''];
  for (const s of doc.sections) {
    out.push(`## ${inline(s.title)}`, '');
    for (const b of s.blocks) out.push(...block(b), '');
  }
  out.push('---', '', inline(doc.footer), '');
  return out.join('\n');
}

function block(b: Block): string[] {
  switch (b.kind) {
    case 'heading':
      return [`### ${inline(b.text)}`];
    case 'paragraphs':
      return b.items.flatMap((p, i) => [...(i > 0 ? [b.emphasis ? '>' : ''] : []), (b.emphasis ? '> ' : '') + inline(p)]);
    case 'facts':
      return b.items.map(([k, v]) => `- **${inline(k)}:** ${inline(v)}`);
    case 'list':
      return b.items.map((i) => `- ${inline(i)}`);
    case 'table':
      return table(b.table);
    case 'chart':
      return [`**${inline(b.title)}** (chart in report.html). ${inline(b.caption)}`];
    case 'pre': {
      // A fence longer than any backtick run in the text, so the text cannot close it.
      const longest = Math.max(2, ...[...b.text.matchAll(/`+/g)].map((x) => x[0].length));
      const fence = '`'.repeat(longest + 1);
      return [`### ${inline(b.title)}`, '', `${fence}text`, b.text, fence];
    }
    case 'details':
      return [`**${inline(b.summary)}**`, '', ...b.blocks.flatMap((x) => [...block(x), ''])];
    case 'glossary':
      return b.items.map(([k, v]) => `- **${inline(k)}:** ${inline(v)}`);
  }
}

function table(t: ReportTable): string[] {
  const rows = t.bodies.flat();
  const align = t.headers.map((h) => (h.num ? '---:' : '---'));
  return [
    `| ${t.headers.map(cellText).join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...rows.map((r) => `| ${r.cells.map(cellText).join(' | ')} |`),
    ...(t.notes ?? []).flatMap((n) => ['', inline(n)]),
  ];
}

function cellText(c: Cell): string {
  const text = c.sub ? `${c.text} \u00b7 ${c.sub}` : c.text;
  return inline(text).replace(/\|/g, '\\|') || ' ';
}

/**
 * Escape Markdown syntax in plain text: backslashes, code ticks, emphasis stars, link brackets,
 * a `<` that could open an HTML tag, block markers at the start (`> `, `# `, `- `, `1. `), and
 * underscores only where they could start or end emphasis (not inside `snake_case`).
 */
function inline(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/[\\`*[\]]|<(?=[A-Za-z/!?])|^[>#+-](?= )/g, (c) => `\\${c}`)
    .replace(/^(\d+)\.(?= )/, '$1\\.')
    .replace(/(^|[^A-Za-z0-9])_|_(?=$|[^A-Za-z0-9])/g, (m) => m.replace('_', '\\_'));
}
