import { escapeHtml } from './escapeHtml.ts';
import { REPORT_CSS } from './REPORT_CSS.ts';
import type { Block, Cell, ChartId, ReportDocument, ReportTable, Row } from './ReportDocument.ts';

/**
 * Render the report as one self-contained HTML page: inline CSS, charts as inline SVG, no
 * scripts. A Content-Security-Policy forbids every network load, so a stray external reference
 * fails visibly in the browser test instead of leaking a request.
 *
 * @param charts SVG markup per chart (from {@link renderSvg}); a missing chart gets a note instead
 */
export function renderHtml(doc: ReportDocument, charts: Readonly<Partial<Record<ChartId, string>>>): string {
  const nav = doc.sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`).join('');
  const sections = doc.sections
    .map(
      (s) =>
        `<section id="${escapeHtml(s.id)}">\n<h2>${escapeHtml(s.title)}</h2>\n${s.blocks.map((b) => block(b, charts)).join('\n')}\n</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="ehr-embed">
<title>${escapeHtml(doc.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(doc.title)}</h1>
<p class="meta">${escapeHtml(doc.meta)}</p>
<nav>${nav}</nav>
</header>
<main>
${sections}
</main>
<footer><p class="meta">${escapeHtml(doc.footer)}</p></footer>
</body>
</html>
`;
}

function block(b: Block, charts: Readonly<Partial<Record<ChartId, string>>>): string {
  switch (b.kind) {
    case 'heading':
      return `<h3>${escapeHtml(b.text)}</h3>`;
    case 'paragraphs': {
      const ps = b.items.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
      return b.emphasis ? `<div class="summary">\n${ps}\n</div>` : ps;
    }
    case 'facts':
      return `<dl class="facts">${b.items.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
    case 'list':
      return `<ul class="notes">${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
    case 'table':
      return table(b.table);
    case 'chart': {
      const svg = charts[b.chart];
      const body = svg
        ? svg.replace(/^<svg /, `<svg role="img" aria-label="${escapeHtml(b.title)}" `)
        : `<p class="note">(chart not available)</p>`;
      return `<figure data-chart="${escapeHtml(b.chart)}">\n<h3>${escapeHtml(b.title)}</h3>\n${body}\n<figcaption>${escapeHtml(b.caption)}</figcaption>\n</figure>`;
    }
    case 'pre':
      return `<h3>${escapeHtml(b.title)}</h3>\n<pre>${escapeHtml(b.text)}</pre>`;
    case 'details':
      return `<details><summary>${escapeHtml(b.summary)}</summary>\n${b.blocks.map((x) => block(x, charts)).join('\n')}\n</details>`;
    case 'glossary':
      return `<dl class="glossary">${b.items.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
  }
}

function table(t: ReportTable): string {
  const head = `<thead><tr>${t.headers.map((h) => cell('th', h)).join('')}</tr></thead>`;
  const bodies = t.bodies.map((rows) => `<tbody>\n${rows.map(row).join('\n')}\n</tbody>`).join('\n');
  const notes = (t.notes ?? []).map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('\n');
  return `<div class="table-wrap"><table data-table="${escapeHtml(t.id)}">${head}\n${bodies}</table></div>${notes ? `\n${notes}` : ''}`;
}

function row(r: Row): string {
  return `<tr${r.cls ? ` class="${escapeHtml(r.cls)}"` : ''}${dataAttributes(r.data)}>${r.cells.map((c) => cell('td', c)).join('')}</tr>`;
}

function cell(tag: 'td' | 'th', c: Cell): string {
  const cls = [c.num ? 'num' : '', c.cls ?? ''].filter(Boolean).join(' ');
  const sub = c.sub ? `<span class="sub">${escapeHtml(c.sub)}</span>` : '';
  return `<${tag}${cls ? ` class="${cls}"` : ''}${dataAttributes(c.data)}>${escapeHtml(c.text)}${sub}</${tag}>`;
}

/** `{ ciLower: '0.1' }` → ` data-ci-lower="0.1"`. */
function dataAttributes(data: Readonly<Record<string, string>> | undefined): string {
  if (!data) return '';
  return Object.entries(data)
    .map(([k, v]) => ` data-${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}="${escapeHtml(v)}"`)
    .join('');
}
