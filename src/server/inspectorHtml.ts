/**
 * The inspector page served at `/`: one self-contained HTML document (inline CSS and JS, no
 * external requests, allowed by the page's Content-Security-Policy) over the JSON API. Data is
 * put into the page with `textContent` only, never parsed as HTML.
 */
import { readFileSync } from 'node:fs';

/**
 * The page's script: inspectorScript.js beside this module, a checked asset (type-checked against
 * the DOM by tsconfig.inspector.json, linted with browser globals) that the build copies to dist/.
 */
const INSPECTOR_SCRIPT = readFileSync(new URL('./inspectorScript.js', import.meta.url), 'utf8');

/** The whole page. */
export const INSPECTOR_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ehr-embed inspector</title>
<style>
:root { --fg: #1d2330; --muted: #6b7280; --line: #e5e7eb; --accent: #1f6feb; --sel: #fff4c2; --cut: #9ca3af; --bg: #f8fafc; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: baseline; gap: 16px; padding: 10px 16px; background: #fff; border-bottom: 1px solid var(--line); }
header h1 { font-size: 16px; margin: 0; }
header .model { color: var(--muted); font-size: 12px; }
header .key { margin-left: auto; font-size: 12px; }
main { display: grid; grid-template-columns: 320px minmax(0, 1fr) 360px; gap: 12px; padding: 12px; height: calc(100vh - 45px); }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px; overflow: auto; min-height: 0; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 4px 0 8px; }
.tabs { display: flex; gap: 4px; margin-bottom: 8px; }
.tabs button { flex: 1; }
button { font: inherit; padding: 4px 10px; border: 1px solid var(--line); background: #f3f4f6; border-radius: 4px; cursor: pointer; }
button.on, button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
input, select, textarea { font: inherit; padding: 4px 6px; border: 1px solid #d1d5db; border-radius: 4px; width: 100%; }
textarea { height: 160px; font: 12px/1.3 ui-monospace, SFMono-Regular, Menlo, monospace; }
label { display: block; font-size: 12px; color: var(--muted); margin: 8px 0 2px; }
.row { display: flex; gap: 6px; }
.row > * { flex: 1; }
.row > .wide { flex: 1.4; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { text-align: left; padding: 3px 4px; border-bottom: 1px solid var(--line); vertical-align: top; }
tr.subject { cursor: pointer; }
tr.subject:hover { background: #f1f5f9; }
tr.subject.on { background: #dbeafe; }
.muted { color: var(--muted); }
.labels a { display: block; cursor: pointer; color: var(--accent); font-size: 12px; }
.stats { display: flex; flex-wrap: wrap; gap: 14px; font-size: 12px; color: var(--muted); margin-bottom: 8px; }
.stats b { color: var(--fg); }
#text { font: 12.5px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; white-space: pre-wrap; word-break: break-word; }
#text .ln { padding: 0 6px; border-left: 3px solid transparent; cursor: pointer; min-height: 1.5em; }
#text .ln:hover { background: #f1f5f9; }
#text .ln.src { border-left-color: #93c5fd; }
#text .ln.sel { background: var(--sel); border-left-color: #f59e0b; }
#text .ln.cut { color: var(--cut); }
#text .cutmark { font: italic 11px system-ui, sans-serif; color: var(--cut); border-top: 1px dashed var(--cut); margin: 4px 0 2px; padding: 1px 6px; }
#subject-list { max-height: 38vh; overflow: auto; border: 1px solid var(--line); border-radius: 4px; }
.pred { display: flex; justify-content: space-between; padding: 4px 0; border-bottom: 1px solid var(--line); }
.bar { height: 6px; background: #e5e7eb; border-radius: 3px; margin-top: 2px; }
.bar > span { display: block; height: 6px; background: var(--accent); border-radius: 3px; }
.err { color: #b91c1c; font-size: 12px; white-space: pre-wrap; }
.hidden { display: none; }
.card { border: 1px solid var(--line); border-left: 5px solid #2563eb; border-radius: 4px; padding: 8px; margin-bottom: 10px; font-size: 12px; }
.card.warning { border-left-color: #d97706; } .card.critical { border-left-color: #dc2626; }
.card .sum { font-weight: 600; font-size: 13px; }
.card pre { white-space: pre-wrap; word-break: break-word; font: 11.5px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; background: #f8fafc; padding: 6px; max-height: 30vh; overflow: auto; }
</style>
</head>
<body>
<header>
  <h1>ehr-embed inspector</h1>
  <span class="model" id="model">loading…</span>
  <span class="key">API key <input id="apikey" type="password" style="width:160px" placeholder="if required"></span>
</header>
<main>
  <section id="left">
    <div class="tabs"><button id="tab-ds" class="on">Dataset</button><button id="tab-fhir">FHIR bundle</button><button id="tab-cds">CDS Hooks</button></div>
    <div id="pane-ds">
      <input id="search" placeholder="subject id or source id">
      <div class="muted" id="subject-total" style="font-size:12px;margin:4px 0"></div>
      <div id="subject-list">
        <table><thead><tr><th>subject</th><th>split</th><th>labels</th></tr></thead><tbody id="subjects"></tbody></table>
        <button id="more" class="hidden" style="margin:6px 0;width:100%">more</button>
      </div>
      <div id="subject-detail" class="hidden">
        <h2 style="margin-top:14px">Subject</h2>
        <div id="detail-facts" style="font-size:12px"></div>
        <div class="labels" id="label-list"></div>
      </div>
    </div>
    <div id="pane-fhir" class="hidden">
      <div id="no-dataset" class="muted hidden" data-testid="no-dataset" style="font-size:12px;margin:4px 0 8px">No dataset loaded: start the server with <code>ehr-embed serve --meds &lt;meds-dir&gt;</code> (for example <code>--meds data/mimic-iv-demo-meds</code>) to browse its subjects, or paste a bundle here.</div>
      <label for="bundle">Paste a FHIR R4/STU3 Bundle (one Patient)</label>
      <textarea id="bundle" spellcheck="false" placeholder='{"resourceType": "Bundle", "entry": [...]}'></textarea>
    </div>
    <div id="pane-cds" class="hidden">
      <label for="cds-service">CDS service</label>
      <select id="cds-service"></select>
      <label for="cds-request">Paste a CDS Hooks request (patient-view or encounter-start, with prefetch)</label>
      <textarea id="cds-request" spellcheck="false" placeholder='{"hookInstance": "...", "hook": "patient-view", "context": {...}, "prefetch": {...}}'></textarea>
    </div>
    <label for="ptime">Prediction time (ISO 8601, UTC)</label>
    <input id="ptime" placeholder="2019-05-01T12:00:00Z">
    <div class="row">
      <div class="wide"><label for="format">Format</label><select id="format"></select></div>
      <div><label for="maxtokens">Budget</label><input id="maxtokens" placeholder="none"></div>
      <div><label for="tokenizer">Tokenizer</label><select id="tokenizer"></select></div>
    </div>
    <button id="go" class="primary" style="margin-top:10px;width:100%">Inspect</button>
    <div class="err" id="left-err"></div>
  </section>
  <section id="center">
    <h2>What the model reads</h2>
    <div class="stats" id="stats"></div>
    <div class="err" id="center-err"></div>
    <div id="text" data-testid="text"><span class="muted">Pick a subject (or paste a bundle) and a prediction time.</span></div>
  </section>
  <section id="right">
    <div id="cds-card-box" class="hidden"><h2>CDS Hooks card</h2><div id="cds-card" data-testid="cds-card"></div></div>
    <h2>Predictions</h2>
    <div id="predictions" data-testid="predictions"><span class="muted">No record yet.</span></div>
    <h2 style="margin-top:16px">Source events of the selected line</h2>
    <div id="events" data-testid="events"><span class="muted">Click a line of the text.</span></div>
  </section>
</main>
<script>
${INSPECTOR_SCRIPT}</script>
</body>
</html>
`;
