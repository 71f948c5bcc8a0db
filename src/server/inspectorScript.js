// @ts-check
// The inspector page's script, served inline in GET / (inspectorHtml.ts). A checked asset: type-checked
// against the DOM by `tsc -p tsconfig.inspector.json` (part of `npm run typecheck`) and linted with
// browser globals; the build copies it beside the compiled inspectorHtml.js, which reads it.
'use strict';
/**
 * The page's element of an id (every id used here is in inspectorHtml.ts's markup).
 * @param {string} id
 * @returns {HTMLInputElement} typed as an input so `.value` and `.disabled` check; most are
 */
const $ = (id) => {
  const e = document.getElementById(id);
  if (!e) throw new Error('the page has no element #' + id);
  return /** @type {HTMLInputElement} */ (e);
};
/**
 * @param {string} tag
 * @param {Record<string, unknown> | null} [props]
 * @param {...(Node | string)} kids
 * @returns {HTMLElement}
 */
const el = (tag, props, ...kids) => {
  const e = document.createElement(tag);
  Object.assign(e, props || {});
  for (const k of kids) e.append(k);
  return e;
};
/** @type {{ mode: string, subject: number | string | null, offset: number, query: string, models: any }} */
const state = { mode: 'ds', subject: null, offset: 0, query: '', models: null };
$('apikey').value = sessionStorage.getItem('ehrEmbedKey') || '';
$('apikey').addEventListener('change', () => {
  sessionStorage.setItem('ehrEmbedKey', $('apikey').value);
  init();
});

/**
 * A call of the service's API with the page's API key; a non-2xx answer throws its error message.
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<any>} the JSON answer (shapes in GET /openapi.json)
 */
async function api(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { 'content-type': 'application/json' };
  const key = $('apikey').value.trim();
  if (key) headers['x-api-key'] = key;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await res.json().catch(() => ({ error: { code: 'bad_response', message: 'HTTP ' + res.status, path: null } }));
  if (!res.ok) {
    const e = /** @type {Error & { code?: string, status?: number }} */ (
      new Error((data.error && data.error.message) || 'HTTP ' + res.status)
    );
    e.code = data.error && data.error.code;
    e.status = res.status;
    throw e;
  }
  return data;
}
function showErr(where, err) {
  $(where).textContent = err ? String(err.message || err) : '';
}
function fmtTime(iso) {
  return iso
    ? iso
        .replace('T', ' ')
        .replace(/:00\.000Z$|\.000Z$/, '')
        .replace(/Z$/, '')
    : 'static';
}

async function init() {
  showErr('left-err', null);
  try {
    const m = await api('GET', '/v1/models');
    state.models = m;
    $('model').textContent =
      m.model.spec +
      ' (' +
      m.model.family +
      ')' +
      (m.probes.length ? ' · probes: ' + m.probes.map((p) => p.task).join(', ') : ' · no probes loaded');
    // Menus come from the server's own registries (GET /v1/models choices), never a copied list.
    for (const [id, values] of [
      ['format', m.choices.formats],
      ['tokenizer', m.choices.tokenizers],
    ]) {
      $(id).replaceChildren(
        ...values.map((v) => {
          const o = document.createElement('option');
          o.textContent = v;
          return o;
        }),
      );
    }
    $('format').value = m.defaults.format;
    $('maxtokens').value = m.defaults.maxTokens === null ? '' : String(m.defaults.maxTokens);
    $('tokenizer').value = m.defaults.tokenizer;
    $('cds-service').textContent = '';
    for (const p of m.probes) $('cds-service').append(el('option', { value: p.task, textContent: p.task }));
    const cdsToken = new URLSearchParams(location.search).get('cds');
    if (cdsToken) {
      if (!m.dataset) {
        $('tab-ds').disabled = true;
        $('no-dataset').classList.remove('hidden');
      }
      setMode('cds');
      showStoredCds(cdsToken);
    } else if (m.dataset) {
      setMode('ds');
      loadSubjects(true);
    } else {
      setMode('fhir');
      $('tab-ds').disabled = true;
      $('tab-ds').title = 'start the server with --meds <dir>';
      $('no-dataset').classList.remove('hidden');
    }
  } catch (e) {
    $('model').textContent = e.status === 401 ? 'API key required' : 'cannot reach the API';
    showErr('left-err', e);
  }
}
function setMode(mode) {
  state.mode = mode;
  $('tab-ds').classList.toggle('on', mode === 'ds');
  $('tab-fhir').classList.toggle('on', mode === 'fhir');
  $('tab-cds').classList.toggle('on', mode === 'cds');
  $('pane-cds').classList.toggle('hidden', mode !== 'cds');
  $('pane-ds').classList.toggle('hidden', mode !== 'ds');
  $('pane-fhir').classList.toggle('hidden', mode !== 'fhir');
}
$('tab-ds').onclick = () => setMode('ds');
$('tab-fhir').onclick = () => setMode('fhir');
$('tab-cds').onclick = () => setMode('cds');

// CDS Hooks: the card the EHR gets for a pasted request (or a card's inspector link), then the
// record it scored, inspected like a pasted bundle.
function renderCard(card) {
  const box = $('cds-card');
  box.textContent = '';
  $('cds-card-box').classList.remove('hidden');
  if (!card) {
    box.append(el('div', { className: 'muted', textContent: 'No card.' }));
    return;
  }
  const c = el('div', { className: 'card ' + card.indicator });
  const ind = el('div', { className: 'muted', textContent: card.indicator.toUpperCase() });
  ind.dataset.testid = 'card-indicator';
  const sum = el('div', { className: 'sum', textContent: card.summary });
  sum.dataset.testid = 'card-summary';
  const detail = el('pre', { textContent: card.detail || '' });
  detail.dataset.testid = 'card-detail';
  const src = el('div', { className: 'muted', textContent: 'Source: ' + card.source.label });
  src.dataset.testid = 'card-source';
  c.append(ind, sum, detail, src);
  for (const l of card.links || [])
    if (/^https?:/.test(l.url)) {
      const a = el('a', { href: l.url, textContent: l.label, target: '_blank', rel: 'noopener' });
      a.dataset.testid = 'card-link';
      c.append(el('div', {}, a));
    }
  box.append(c);
}
function renderNoCard(res) {
  renderCard(null);
  const x = res.extension && res.extension['ehr-embed.prediction'];
  if (x && x.reason) $('cds-card').append(el('div', { className: 'muted', textContent: 'Reason: ' + x.reason }));
}
async function showStored(token) {
  const stored = await api('GET', '/v1/cds-predictions/' + encodeURIComponent(token));
  $('ptime').value = stored.predictionTime;
  const body = { bundle: stored.bundle, predictionTime: stored.predictionTime };
  const r = await api('POST', '/v1/inspect', Object.assign({}, body, settings()));
  renderText(r);
  predict(body);
  return stored;
}
async function showStoredCds(token) {
  try {
    const stored = await showStored(token);
    if (stored.response && stored.response.cards.length) renderCard(stored.response.cards[0]);
    else renderNoCard(stored.response || {});
    $('cds-service').value = stored.serviceId;
  } catch (e) {
    showErr('center-err', e);
  }
}
async function cdsInspect() {
  let req;
  try {
    req = JSON.parse($('cds-request').value);
  } catch {
    showErr('left-err', new Error('the pasted CDS Hooks request is not valid JSON'));
    return;
  }
  try {
    const res = await api('POST', '/v1/cds-services/' + encodeURIComponent($('cds-service').value), req);
    const x = res.extension && res.extension['ehr-embed.prediction'];
    if (!res.cards.length) {
      renderNoCard(res);
      return;
    }
    renderCard(res.cards[0]);
    if (x && x.inspectorToken) await showStored(x.inspectorToken);
  } catch (e) {
    showErr('center-err', e);
  }
}

async function loadSubjects(reset) {
  if (reset) {
    state.offset = 0;
    $('subjects').textContent = '';
  }
  try {
    const page = await api('GET', '/v1/subjects?limit=100&offset=' + state.offset + '&q=' + encodeURIComponent(state.query));
    $('subject-total').textContent = page.total + ' subject' + (page.total === 1 ? '' : 's');
    for (const s of page.subjects) {
      const tr = el(
        'tr',
        { className: 'subject' },
        el('td', {}, el('div', { textContent: String(s.subjectId) }), el('div', { className: 'muted', textContent: s.sourceId || '' })),
        el('td', { textContent: s.split || '' }),
        el('td', { textContent: String(s.labels) }),
      );
      tr.dataset.testid = 'subject-row';
      tr.dataset.subject = String(s.subjectId);
      tr.onclick = () => selectSubject(s.subjectId, tr);
      $('subjects').append(tr);
    }
    state.offset += page.subjects.length;
    $('more').classList.toggle('hidden', state.offset >= page.total);
  } catch (e) {
    showErr('left-err', e);
  }
}
let searchTimer = 0;
$('search').addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    state.query = $('search').value;
    loadSubjects(true);
  }, 200);
});
$('more').onclick = () => loadSubjects(false);

async function selectSubject(id, tr) {
  for (const r of document.querySelectorAll('tr.subject.on')) r.classList.remove('on');
  if (tr) tr.classList.add('on');
  state.subject = id;
  try {
    const d = await api('GET', '/v1/subjects/' + encodeURIComponent(id));
    $('subject-detail').classList.remove('hidden');
    $('detail-facts').textContent = '';
    $('detail-facts').append(
      el('div', { textContent: d.events + ' events' + (d.split ? ' · split ' + d.split : '') }),
      el('div', { className: 'muted', textContent: fmtTime(d.firstTime) + ' → ' + fmtTime(d.lastTime) }),
    );
    const list = $('label-list');
    list.textContent = '';
    if (d.labelList.length) list.append(el('div', { className: 'muted', textContent: 'Labels (click to use the prediction time):' }));
    for (const l of d.labelList) {
      const a = el('a', { textContent: l.task + ' @ ' + fmtTime(l.predictionTime) + ' = ' + String(l.value) });
      a.dataset.testid = 'label-link';
      a.onclick = () => {
        $('ptime').value = l.predictionTime;
        inspect();
      };
      list.append(a);
    }
    $('ptime').value = d.labelList.length ? d.labelList[d.labelList.length - 1].predictionTime : d.lastTime || '';
    await inspect();
  } catch (e) {
    showErr('left-err', e);
  }
}

function requestBody() {
  /** @type {{ predictionTime: string, bundle?: unknown, subjectId?: number | string | null }} */
  const body = { predictionTime: $('ptime').value.trim() };
  if (state.mode === 'fhir') {
    try {
      body.bundle = JSON.parse($('bundle').value);
    } catch {
      throw new Error('the pasted bundle is not valid JSON');
    }
  } else {
    if (state.subject === null) throw new Error('pick a subject first');
    body.subjectId = state.subject;
  }
  return body;
}
function settings() {
  const mt = $('maxtokens').value.trim();
  return { format: $('format').value, maxTokens: mt === '' ? null : Number(mt), tokenizer: $('tokenizer').value };
}
$('go').onclick = () => inspect();

async function inspect() {
  showErr('left-err', null);
  showErr('center-err', null);
  if (state.mode === 'cds') {
    await cdsInspect();
    return;
  }
  let body;
  try {
    body = requestBody();
  } catch (e) {
    showErr('left-err', e);
    return;
  }
  $('text').textContent = '';
  $('text').append(el('span', { className: 'muted', textContent: 'serializing…' }));
  try {
    const r = await api('POST', '/v1/inspect', Object.assign({}, body, settings()));
    renderText(r);
  } catch (e) {
    $('text').textContent = '';
    showErr('center-err', e);
  }
  predict(body);
}

function renderText(r) {
  const stats = $('stats');
  stats.textContent = '';
  const stat = (k, v, id) => {
    const b = el('b', { textContent: v });
    if (id) b.id = id;
    stats.append(el('span', {}, k + ' ', b));
  };
  stat('subject', String(r.subjectId));
  stat('at', fmtTime(r.predictionTime));
  stat('tokens', String(r.tokenCount), 'token-count');
  stat('before budget', String(r.tokensBefore));
  stat('budget', r.settings.maxTokens === null ? 'none' : String(r.settings.maxTokens));
  stat('events used', r.eventsUsed + ' / ' + r.eventsTotal);
  stat('lines cut', String(r.lines.filter((l) => l.cut && l.text !== '').length));
  const box = $('text');
  box.textContent = '';
  r.lines.forEach((l, i) => {
    // One mark where each run of cut lines starts: the budget removes whole sections and visits.
    if (l.cut && !(i > 0 && r.lines[i - 1].cut))
      box.append(el('div', { className: 'cutmark', textContent: 'cut by the token budget (not in the text the model reads)' }));
    const div = el('div', {
      className: 'ln' + (l.cut ? ' cut' : '') + (l.events.length ? ' src' : ''),
      textContent: l.text === '' ? '\u00a0' : l.text,
    });
    div.dataset.testid = 'text-line';
    div.dataset.index = String(i);
    div.title = l.events.length ? l.events.length + ' source event(s)' : 'no source events (heading or blank)';
    div.onclick = () => {
      for (const s of box.querySelectorAll('.ln.sel')) s.classList.remove('sel');
      div.classList.add('sel');
      renderEvents(l);
    };
    box.append(div);
  });
  $('events').textContent = '';
  $('events').append(el('span', { className: 'muted', textContent: 'Click a line of the text.' }));
}

function renderEvents(line) {
  const box = $('events');
  box.textContent = '';
  if (!line.events.length) {
    box.append(el('span', { className: 'muted', textContent: 'This line has no source events (a heading, a blank line or a summary).' }));
    return;
  }
  const tbody = el('tbody');
  for (const e of line.events) {
    // Values are float32 in MEDS: 7 significant digits are all they hold.
    const value =
      e.numericValue !== null ? String(Number(e.numericValue.toPrecision(7))) + (e.unit ? ' ' + e.unit : '') : e.textValue || '';
    const tr = el(
      'tr',
      {},
      el('td', { textContent: fmtTime(e.time) }),
      el('td', {}, el('div', { textContent: e.code }), el('div', { className: 'muted', textContent: e.description || '' })),
      el('td', { textContent: value }),
    );
    tr.dataset.testid = 'event-row';
    tbody.append(tr);
  }
  box.append(
    el(
      'table',
      {},
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { textContent: 'time' }),
          el('th', { textContent: 'code / description' }),
          el('th', { textContent: 'value' }),
        ),
      ),
      tbody,
    ),
  );
}

// Each probe reads the record with its own training settings, whatever the text pane shows.
function probeReads(task) {
  const m = state.models && state.models.probes.find((x) => x.task === task);
  return m ? ' · reads ' + m.serializer.format + ', budget ' + (m.serializer.maxTokens === null ? 'none' : m.serializer.maxTokens) : '';
}
async function predict(body) {
  const box = $('predictions');
  box.textContent = '';
  if (!state.models || !state.models.probes.length) {
    box.append(el('span', { className: 'muted', textContent: 'No probes loaded (start the server with --probes <dir>).' }));
    return;
  }
  box.append(el('span', { className: 'muted', textContent: 'embedding and scoring…' }));
  try {
    const r = await api('POST', '/v1/predict', body);
    box.textContent = '';
    for (const p of r.predictions) {
      const pct = (p.probability * 100).toFixed(1) + '%';
      const bar = el('div', { className: 'bar' }, el('span', { style: 'width:' + Math.max(1, p.probability * 100).toFixed(1) + '%' }));
      const row = el(
        'div',
        {},
        el('div', { className: 'pred' }, el('span', { textContent: p.task }), el('b', { textContent: pct })),
        bar,
        el('div', {
          className: 'muted',
          style: 'font-size:11px',
          textContent:
            'probe ' +
            p.probe.checksum.slice(7, 19) +
            ' · C ' +
            p.probe.C +
            (p.probe.validationAuroc === null ? '' : ' · val AUROC ' + p.probe.validationAuroc.toFixed(3)) +
            probeReads(p.task),
        }),
      );
      row.dataset.testid = 'prediction';
      box.append(row);
    }
  } catch (e) {
    box.textContent = '';
    box.append(el('div', { className: 'err', textContent: e.message }));
  }
}
init();
