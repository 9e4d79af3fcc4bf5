// The inspection page: polls the client's JSON API, lists the exchanges, shows one, replays it.
// Everything from the wire is put in the page as text (textContent), never as HTML.
'use strict';

let version = -1;
let selected = null;
let selectedEnded = false;

function text(tag, content, cls) {
  const e = document.createElement(tag);
  e.textContent = content === undefined || content === null ? '' : String(content);
  if (cls) e.className = cls;
  return e;
}

function statusClass(status) {
  return status ? 's' + String(status).charAt(0) : '';
}

function duration(ms) {
  if (ms === null || ms === undefined) return '';
  return ms < 10 ? ms.toFixed(2) + ' ms' : Math.round(ms) + ' ms';
}

function pathOf(uri) {
  return uri.length > 120 ? uri.substring(0, 120) + '…' : uri;
}

async function getJson(url, options) {
  const r = await fetch(url, options);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

async function refreshTunnels() {
  try {
    const t = await getJson('/api/tunnels');
    const ul = document.getElementById('tunnels');
    ul.replaceChildren(...t.tunnels.map(x => text('li', x.url + ' → ' + x.localAddress)));
  } catch (e) { /* the next poll tries again */ }
}

async function poll() {
  try {
    const list = await getJson('/api/exchanges?since=' + version);
    if (list.exchanges) {
      version = list.version;
      render(list.exchanges);
      // The shown exchange is fetched again only while its response may still come.
      if (selected !== null && !selectedEnded && list.exchanges.some(x => x.id === selected)) {
        show(selected, false);
      }
    }
  } catch (e) { /* the client may be restarting; keep polling */ }
  setTimeout(poll, 1000);
}

function render(exchanges) {
  const body = document.getElementById('exchanges');
  const rows = exchanges.slice().reverse().map(x => {
    const tr = document.createElement('tr');
    tr.className = 'exchange' + (x.id === selected ? ' selected' : '');
    tr.dataset.id = x.id;
    tr.append(text('td', x.id, 'id'));
    tr.append(text('td', new Date(x.start).toLocaleTimeString(), 'time'));
    tr.append(text('td', x.method, 'method'));
    const path = text('td', pathOf(x.uri), 'path');
    if (x.replayOf !== undefined) path.append(' ', text('span', 'replay of #' + x.replayOf, 'replay-mark'));
    tr.append(path);
    const status = x.status !== undefined ? x.status : (x.failure ? 'failed' : '…');
    const st = text('td', status, 'status ' + (x.failure && x.status === undefined ? 'failed' : statusClass(x.status)));
    if (x.failure) st.title = x.failure;
    tr.append(st);
    tr.append(text('td', duration(x.durationMs), 'duration'));
    tr.addEventListener('click', () => show(x.id, true));
    return tr;
  });
  body.replaceChildren(...rows);
  document.getElementById('empty').hidden = exchanges.length > 0;
  document.getElementById('count').textContent = exchanges.length ? '(' + exchanges.length + ')' : '';
}

function headers(id, list) {
  document.getElementById(id).replaceChildren(...list.map(h => {
    const tr = document.createElement('tr');
    tr.append(text('td', h[0]), text('td', h[1]));
    return tr;
  }));
}

function body(id, b) {
  const note = document.getElementById(id + '-note');
  const pre = document.getElementById(id);
  if (!b || b.size === 0) {
    note.textContent = 'No body.';
    pre.textContent = '';
    pre.hidden = true;
    return;
  }
  pre.hidden = false;
  let what = b.size + ' bytes';
  if (b.kept < b.size) what += ', the first ' + b.kept + ' kept';
  if (b.text !== undefined) {
    note.textContent = what + '.';
    pre.textContent = b.text;
  } else {
    note.textContent = what + ', binary (base64).';
    pre.textContent = b.base64;
  }
}

async function show(id, fromClick) {
  let x;
  try {
    x = await getJson('/api/exchanges/' + id);
  } catch (e) {
    if (fromClick) document.getElementById('detail-title').textContent = e.message;
    return;
  }
  selected = id;
  selectedEnded = x.durationMs !== null || x.failure !== undefined;
  for (const tr of document.querySelectorAll('tr.exchange')) {
    tr.classList.toggle('selected', Number(tr.dataset.id) === id);
  }
  if (fromClick) document.getElementById('replay-result').textContent = '';
  document.getElementById('detail').hidden = false;
  document.getElementById('detail').dataset.id = id;
  document.getElementById('detail-title').textContent = '#' + x.id + ' ' + x.method + ' ' + pathOf(x.uri);
  let meta = 'From ' + x.clientAddr + ' via ' + x.tunnel + ' to ' + x.localAddress;
  if (x.durationMs !== null) meta += ', ' + duration(x.durationMs);
  if (x.replayOf !== undefined) meta += ', replay of #' + x.replayOf;
  if (x.failure) meta += '. ' + x.failure;
  document.getElementById('detail-meta').textContent = meta;
  const q = x.request;
  document.getElementById('request-line').textContent = q.method + ' ' + q.uri + ' ' + q.version;
  headers('request-headers', q.headers);
  body('request-body', q.body);
  const r = x.response;
  document.getElementById('response-line').textContent = r ? r.version + ' ' + r.status + ' ' + r.reason
      : (x.failure || 'Waiting for the response…');
  document.getElementById('response-line').className = r ? statusClass(r.status) : '';
  headers('response-headers', r ? r.headers : []);
  body('response-body', r ? r.body : null);
}

async function replay() {
  const id = selected;
  const result = document.getElementById('replay-result');
  result.textContent = 'Replaying…';
  try {
    const r = await getJson('/api/exchanges/' + id + '/replay', {
      method: 'POST', headers: { 'X-Tunneld-Inspect': '1' } });
    result.textContent = 'Replayed as #' + r.id;
  } catch (e) {
    result.textContent = 'Replay failed: ' + e.message;
  }
}

document.getElementById('replay').addEventListener('click', replay);
refreshTunnels();
setInterval(refreshTunnels, 5000);
poll();
