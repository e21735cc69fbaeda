// SPDX-License-Identifier: PostgreSQL
// pgqpp web: the page's script. It reads /api/status and /api/series once,
// then follows /api/stream (server-sent events, one round a second), and
// draws the tables and the charts. Every text from the server goes in with
// textContent or createTextNode: names and payloads are never parsed as HTML.
// With `pgqpp web --allow-actions` and a role that may run them
// (/api/actions), the tables get action buttons; each asks in the page's own
// confirmation box (#confirm) before it POSTs to /api/action/NAME.
// When the console serves several databases (/api/databases), a selector
// (#db-select) picks one: every request then carries ?db=NAME (an action's
// body "db").
'use strict';

const state = { status: null, samples: [], historyMs: 600000, queueTimer: null, canAct: false,
  pending: null, queueName: null, db: null, stream: null };

// `path` for the selected database (the server's default when none is).
function apiPath(path) {
  if (state.db === null) return path;
  return path + (path.includes('?') ? '&' : '?') + 'db=' + encodeURIComponent(state.db);
}

const $ = (id) => document.getElementById(id);

// An element with attributes and children (strings become text nodes).
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function svg(tag, attrs) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

function seconds(s) {
  if (s === null || s === undefined) return '-';
  const neg = s < 0, a = Math.abs(s);
  let t;
  if (a < 1) t = Math.round(a * 1000) + 'ms';
  else if (a < 10) t = a.toFixed(1) + 's';
  else if (a < 3600) t = Math.floor(a / 60) + 'm' + String(Math.floor(a % 60)).padStart(2, '0') + 's';
  else if (a < 172800) t = Math.floor(a / 3600) + 'h' + String(Math.floor((a % 3600) / 60)).padStart(2, '0') + 'm';
  else t = Math.floor(a / 86400) + 'd';
  return (neg ? '-' : '') + t;
}

const num = (v) => (v === null || v === undefined ? '-' : String(v));
const rate = (v) => (v === null || v === undefined ? '-' : Number(v).toFixed(v < 10 ? 2 : 0));

function setRows(table, rows) {
  const body = $(table).tBodies[0];
  body.replaceChildren(...rows);
}

function cell(text, cls) {
  return el('td', cls ? { class: cls } : {}, text);
}

function showBanner(text) {
  const b = $('banner');
  if (text) { b.textContent = text; b.hidden = false; } else { b.hidden = true; }
}

function setLive(ok) {
  const l = $('live');
  l.textContent = ok ? 'live' : 'stale';
  l.className = 'pill ' + (ok ? 'live' : 'stale');
}

function queueLink(name) {
  return el('a', { href: '#queue=' + encodeURIComponent(name) }, name);
}

function tickerState(q) {
  if (q.ticker_late) return ['late', 'state-bad'];
  if (q.ticker_paused) return ['paused', 'state-warn'];
  if (q.external_ticker) return ['external', ''];
  return ['ok', 'state-ok'];
}

function consumerState(c) {
  return c.lagging ? cell('LAGGING', 'state-bad') : cell('ok', 'state-ok');
}

function renderStatus(s) {
  state.status = s;
  $('database').textContent = 'database ' + s.database;
  $('server-time').textContent = s.time;
  $('problems').replaceChildren(...s.problems.map((p) => el('li', {}, p)));
  setRows('queues', s.queues.map((q) => {
    const [t, cls] = tickerState(q);
    return el('tr', { 'data-queue': q.name },
      el('td', { class: 'name' }, queueLink(q.name)), cell(rate(q.events_per_second)),
      cell(num(q.pending_events)), cell(seconds(q.last_tick_age_seconds)), cell(t, cls),
      cell(num(q.delayed_pending)), cell(seconds(q.delayed_next_due_seconds)),
      cell(q.rotation.current_table + '/' + q.rotation.tables), ...queueActions(q));
  }));
  setRows('consumers', s.consumers.map((c) => el('tr',
    { class: c.lagging ? 'lagging' : '', 'data-queue': c.queue, 'data-consumer': c.name },
    el('td', { class: 'name' }, queueLink(c.queue)), cell(c.name, 'name'), cell(seconds(c.lag_seconds)),
    cell(num(c.pending_events)), cell(seconds(c.last_seen_seconds)), cell(num(c.open_batch_id)),
    cell(num(c.dead_letters), c.dead_letters > 0 ? 'state-warn' : ''), cell(num(c.max_batch_events)),
    consumerState(c), ...consumerActions(c.queue, c))));
  $('subconsumers-part').hidden = s.subconsumers.length === 0;
  setRows('subconsumers', s.subconsumers.map((c) => el('tr', {},
    cell(c.queue, 'name'), cell(c.consumer, 'name'), cell(c.subconsumer, 'name'),
    cell(seconds(c.last_seen_seconds)), cell(num(c.open_batch_id)))));
}

// --- actions: buttons, the confirmation box, the POST ---

function actionButton(label, action, params, question) {
  const b = el('button', { type: 'button', class: 'act', 'data-action': action }, label);
  for (const [k, v] of Object.entries(params)) b.setAttribute('data-' + k, v);
  b.addEventListener('click', () => ask(action, params, question, label));
  return b;
}

// The actions cell of a queue's row ([] when the page offers no actions).
function queueActions(q) {
  if (!state.canAct) return [];
  const b = q.ticker_paused
    ? actionButton('resume', 'resume', { queue: q.name }, 'Resume the ticker of queue ' + q.name + '?')
    : actionButton('pause', 'pause', { queue: q.name },
      'Pause the ticker of queue ' + q.name + '? It makes no new batches until it is resumed.');
  return [el('td', { class: 'actions' }, b)];
}

function consumerActions(queue, c) {
  if (!state.canAct) return [];
  const who = 'consumer ' + c.name + ' on queue ' + queue;
  const p = { queue: queue, consumer: c.name };
  const td = el('td', { class: 'actions' },
    actionButton('retry due', 'retry', p, 'Move the due retry events of ' + who + ' back into the queue now?'));
  if (c.dead_letters > 0) {
    td.append(actionButton('replay dead', 'replay', p, 'Replay the ' + c.dead_letters + ' dead letters of ' + who +
      '? They are delivered to it again.'));
    td.append(actionButton('purge dead', 'purge', p, 'Purge the ' + c.dead_letters + ' dead letters of ' + who +
      '? They are deleted for good.'));
  }
  td.append(actionButton('unregister', 'unregister', p, 'Unregister ' + who +
    '? Its position in the queue and its retry events are dropped.'));
  return [td];
}

function ask(action, params, question, label) {
  state.pending = { action: action, params: params };
  $('confirm-text').textContent = question;
  $('confirm-yes').textContent = label;
  $('confirm').hidden = false;
  $('confirm-yes').focus();
}

function showResult(text, failed) {
  const r = $('action-result');
  r.textContent = text;
  r.className = failed ? 'failed' : 'done';
  r.hidden = false;
}

async function confirmed() {
  const p = state.pending;
  state.pending = null;
  $('confirm').hidden = true;
  if (!p) return;
  const body = Object.assign({}, p.params);
  if (state.db !== null) body.db = state.db;
  if (p.action === 'replay' || p.action === 'purge') body.all = true;
  try {
    const r = await fetch('/api/action/' + p.action, { method: 'POST', credentials: 'same-origin',
      cache: 'no-store', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    let answer = null;
    try { answer = await r.json(); } catch (e) { answer = null; }
    if (!r.ok) throw new Error((answer && answer.error) || 'HTTP ' + r.status);
    showResult(answer.result, false);
  } catch (e) {
    showResult(p.action + ' failed: ' + e.message, true);
  }
  if (state.queueName !== null) loadQueue(state.queueName);
}

function cancelled() {
  state.pending = null;
  $('confirm').hidden = true;
}

// Whether to offer the actions: on, and the role may run them.
async function loadActions() {
  try {
    const a = await getJson(apiPath('/api/actions'));
    state.canAct = !!(a.enabled && a.permitted);
    $('actions-note').textContent = !a.enabled ? 'read-only console'
      : a.permitted ? 'actions on' : 'read-only: the database role may not run the actions';
  } catch (e) {
    state.canAct = false;
  }
  for (const th of document.querySelectorAll('th.actions')) th.hidden = !state.canAct;
}

// --- charts: one small SVG per queue (events/s) and per consumer (lag) ---

const W = 300, H = 80;

// The polylines of one series (a gap where a value is missing).
function lines(points, t0, span, max) {
  const out = [];
  let run = [];
  for (const [t, v] of points) {
    if (v === null || v === undefined) { if (run.length) out.push(run); run = []; continue; }
    const x = ((t - t0) / span) * W, y = H - (max > 0 ? (v / max) * (H - 4) : 0);
    run.push(x.toFixed(1) + ',' + y.toFixed(1));
  }
  if (run.length) out.push(run);
  return out;
}

function chart(title, points, format, lagging) {
  // The chart spans the samples there are (at least a minute), up to the history.
  const now = Date.now(), oldest = state.samples.length ? state.samples[0].time : now;
  const t0 = Math.max(now - state.historyMs, Math.min(oldest, now - 60000)), span = now - t0;
  const values = points.map((p) => p[1]).filter((v) => v !== null && v !== undefined);
  const max = Math.max(0, ...values);
  const last = points.length ? points[points.length - 1][1] : null;
  const pic = svg('svg', { class: 'chart' + (lagging ? ' lagging' : ''), viewBox: `0 0 ${W} ${H}`,
    preserveAspectRatio: 'none', role: 'img', 'aria-label': title });
  pic.append(svg('line', { class: 'axis', x1: 0, y1: H - 0.5, x2: W, y2: H - 0.5 }));
  for (const run of lines(points.filter((p) => p[0] >= t0), t0, span, max))
    pic.append(svg('polyline', { class: 'line', points: run.join(' ') }));
  return el('figure', { 'data-chart': title },
    el('figcaption', {}, el('span', {}, title),
      el('span', { class: 'value' }, format(last) + ' (max ' + format(max) + ')')),
    pic);
}

function renderCharts() {
  const s = state.status;
  if (!s) return;
  const figures = [];
  for (const q of s.queues) {
    const pts = state.samples.map((x) => [x.time, (x.queues.find((y) => y.name === q.name) || {}).events_per_second]);
    figures.push(chart(q.name + ' \u00b7 events/s', pts, rate, false));
  }
  for (const c of s.consumers) {
    const pts = state.samples.map((x) => [x.time,
      (x.consumers.find((y) => y.queue === c.queue && y.name === c.name) || {}).lag_seconds]);
    figures.push(chart(c.queue + ' / ' + c.name + ' \u00b7 lag', pts, seconds, c.lagging));
  }
  $('charts').replaceChildren(...figures);
}

function addSample(sample) {
  state.samples.push(sample);
  const oldest = Date.now() - state.historyMs;
  while (state.samples.length && state.samples[0].time < oldest) state.samples.shift();
}

// --- the queue page ---

function payload(p) {
  if (p === null || p === undefined) return el('td', { class: 'payload muted' }, 'null');
  const td = el('td', { class: 'payload' });
  if (p.binary) td.append(el('span', { class: 'tag' }, 'binary'));
  td.append(document.createTextNode(p.text));
  if (p.truncated) td.append(el('span', { class: 'muted' }, ' \u2026 (' + p.bytes + ' bytes)'));
  return td;
}

function renderQueue(name, d) {
  const q = d.status.queues[0] || {};
  $('queue-name').textContent = name;
  const settings = [
    ['events/s', rate(q.events_per_second)], ['pending events', num(q.pending_events)],
    ['last tick', num(q.last_tick_id) + ' (' + seconds(q.last_tick_age_seconds) + ' ago)'],
    ['ticker', tickerState(q)[0]],
    ['ticker_max_count', num(q.ticker && q.ticker.max_count)],
    ['ticker_max_lag', seconds(q.ticker && q.ticker.max_lag_seconds)],
    ['ticker_idle_period', seconds(q.ticker && q.ticker.idle_period_seconds)],
    ['rotation', q.rotation ? q.rotation.current_table + '/' + q.rotation.tables + ', every ' +
      seconds(q.rotation.period_seconds) + ', last ' + seconds(q.rotation.last_rotation_age_seconds) + ' ago' : '-'],
    ['delayed events', num(q.delayed_pending) + ' (next due ' + seconds(q.delayed_next_due_seconds) + ')'],
  ];
  setRows('queue-settings', settings.map(([k, v]) => el('tr', {}, el('th', { class: 'name' }, k), cell(v))));
  const retries = Object.fromEntries((d.retries || []).map((r) => [r.consumer, r]));
  setRows('queue-consumers', d.status.consumers.map((c) => el('tr',
    { class: c.lagging ? 'lagging' : '', 'data-consumer': c.name },
    cell(c.name, 'name'), cell(seconds(c.lag_seconds)), cell(num(c.pending_events)),
    cell(seconds(c.last_seen_seconds)), cell(num(c.open_batch_id)),
    cell(num((retries[c.name] || {}).events)), cell(num((retries[c.name] || {}).due)),
    cell(num(c.dead_letters)), consumerState(c), ...consumerActions(name, c))));
  setRows('queue-events', d.events.map((e) => {
    const extra = [e.extra1, e.extra2, e.extra3, e.extra4].filter((x) => x).map((x) => x.text).join(' | ');
    return el('tr', { 'data-event': e.id }, cell(num(e.id)), cell(e.time), payload(e.type), payload(e.data),
      cell(num(e.retry)), cell(extra, 'payload'));
  }));
}

async function getJson(path) {
  const r = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  if (r.status === 401) throw new Error('this console needs its token: open /?token=TOKEN once');
  if (!r.ok) throw new Error((body && body.error) || 'HTTP ' + r.status);
  return body;
}

async function loadQueue(name) {
  try {
    renderQueue(name, await getJson(apiPath('/api/queue/' + encodeURIComponent(name))));
    showBanner('');
  } catch (e) {
    showBanner('queue ' + name + ': ' + e.message);
  }
}

function route() {
  const m = /^#queue=(.*)$/.exec(location.hash);
  clearInterval(state.queueTimer);
  $('overview').hidden = !!m;
  $('queue-view').hidden = !m;
  state.queueName = m ? decodeURIComponent(m[1]) : null;
  if (m) {
    const name = state.queueName;
    loadQueue(name);
    state.queueTimer = setInterval(() => loadQueue(name), 5000);
  }
}

// --- the stream ---

function onRound(round) {
  if (round.error) {
    showBanner('database: ' + round.error);
    setLive(false);
  } else {
    if ($('overview').hidden === false) showBanner('');
    setLive(true);
    renderStatus(round.status);
  }
  addSample(round.sample);
  renderCharts();
}

function follow() {
  const stream = new EventSource(apiPath('/api/stream'));
  state.stream = stream;
  // A round of a database no longer selected is dropped.
  stream.onmessage = (m) => { if (state.stream === stream) onRound(JSON.parse(m.data)); };
  stream.onerror = () => {
    if (state.stream !== stream) return;
    setLive(false);
    showBanner('lost the connection to pgqpp web; retrying');
  };
}

// The selector of the served databases, shown only when there are several
// (the list may change: --all-databases looks again); the default (the
// first) is selected until another is picked.
async function loadDatabases() {
  let list = [];
  try {
    list = (await getJson('/api/databases')).databases;
  } catch (e) {
    return;
  }
  const select = $('db-select');
  select.hidden = list.length < 2;
  if (list.length < 2) return;
  select.replaceChildren(...list.map((d) => el('option', { value: d.name },
    d.name + (d.reachable === false ? ' (unreachable)' : ''))));
  if (state.db === null) state.db = list[0].name;
  // A database no longer served stays in the selector until another is picked.
  if (!list.some((d) => d.name === state.db)) select.append(el('option', { value: state.db }, state.db + ' (gone)'));
  select.value = state.db;
}

// The series and the snapshot of the selected database, drawn.
async function loadDatabase() {
  try {
    const series = await getJson(apiPath('/api/series'));
    state.historyMs = series.history_seconds * 1000;
    state.samples = series.samples;
    $('history').textContent = 'charts: the last ' + seconds(series.history_seconds) + ', sampled every ' +
      seconds(series.interval_seconds);
    $('chart-span').textContent = '(up to the last ' + seconds(series.history_seconds) + ')';
    renderStatus(await getJson(apiPath('/api/status')));
    setLive(true);
    renderCharts();
  } catch (e) {
    showBanner(e.message);
    setLive(false);
  }
}

async function switchDatabase(name) {
  state.db = name;
  if (state.stream) state.stream.close();
  state.stream = null;
  state.samples = [];
  showBanner('');
  $('action-result').hidden = true;
  await loadActions();
  if (location.hash && location.hash !== '#') location.hash = '';
  else route();
  await loadDatabase();
  follow();
}

async function start() {
  $('confirm-yes').addEventListener('click', confirmed);
  $('confirm-no').addEventListener('click', cancelled);
  $('db-select').addEventListener('change', () => switchDatabase($('db-select').value));
  await loadDatabases();
  setInterval(loadDatabases, 10000);
  await loadActions();
  window.addEventListener('hashchange', route);
  route();
  await loadDatabase();
  follow();
}

start();
