/**
 * The report's stylesheet, inlined into report.html. System fonts only: the page must render the
 * same with no network. Print rules keep charts and table rows from splitting across pages.
 */
export const REPORT_CSS = `
:root { color-scheme: light; --fg: #1d2329; --muted: #5b6670; --line: #d9dee3; --band: #f5f7f9; --accent: #2f5d8a; --up: #1e7b34; --down: #b02a2a; }
* { box-sizing: border-box; }
html { font-size: 15px; }
body { margin: 0; color: var(--fg); background: #fff; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; line-height: 1.5; }
header, main, footer { max-width: 1360px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.75rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 40px 0 8px; padding-top: 8px; border-top: 2px solid var(--fg); }
h3 { font-size: 1.08rem; margin: 26px 0 6px; }
p { margin: 6px 0 10px; max-width: 78ch; }
.meta, .caption, figcaption, .sub, .note { color: var(--muted); font-size: 0.87rem; }
nav { margin: 10px 0 14px; font-size: 0.92rem; }
nav a { margin-right: 14px; color: var(--accent); text-decoration: none; white-space: nowrap; }
nav a:hover { text-decoration: underline; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 12px 0 16px; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
.summary { background: var(--band); border-left: 4px solid var(--accent); padding: 10px 16px; margin: 12px 0; }
.summary p { margin: 6px 0; }
ul.notes { margin: 6px 0 12px; }
figure { margin: 16px 0 22px; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { max-width: 90ch; margin-top: 6px; }
.table-wrap { overflow-x: auto; margin: 8px 0 18px; }
table { border-collapse: collapse; font-size: 0.84rem; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--band); font-weight: 600; position: sticky; top: 0; }
td.num, th.num { text-align: right; }
td.num { white-space: nowrap; }
tbody + tbody { border-top: 2px solid #aab3bb; }
tr { break-inside: avoid; }
tr.reference td { color: var(--muted); font-style: italic; }
tr.macro td { font-weight: 600; }
td.sig-up { color: var(--up); font-weight: 600; }
td.sig-down { color: var(--down); font-weight: 600; }
td .sub { display: block; }
td.wrap .sub { white-space: normal; min-width: 10em; }
td.model { white-space: nowrap; }
.partial { color: var(--muted); }
pre { background: var(--band); border: 1px solid var(--line); padding: 12px 14px; overflow-x: auto; font-size: 0.8rem; line-height: 1.4; max-height: 640px; white-space: pre-wrap; word-break: break-word; }
details { margin: 6px 0 14px; }
summary { cursor: pointer; color: var(--accent); }
dl.glossary dt { font-weight: 600; margin-top: 8px; }
dl.glossary dd { margin: 2px 0 0 0; max-width: 90ch; }
footer { margin-top: 40px; padding-bottom: 30px; border-top: 1px solid var(--line); }
@media print { nav { display: none; } h2 { break-after: avoid; } th { position: static; } pre { max-height: none; } }
`;
