// Postern's admin page. Every value from the server goes into the page as text (textContent, or an
// attribute set with setAttribute on an element made here): never as markup. The page's CSP forbids
// inline script and style anyway. The admin token stays in this page's memory: no cookie, no storage.
'use strict';

(function () {
  const API = 'api/';
  const REFRESH_MS = 5000;
  // the table stays small however big the queue: the oldest messages, and how many there are in all
  const TABLE_ROWS = 500;
  let queueTotal = 0;
  const SVG = 'http://www.w3.org/2000/svg';
  let token = '';
  let overview = null;
  let queueRows = [];
  let sortKey = 'ageSeconds';
  let sortDir = -1;
  let detailId = null;

  const $ = (id) => document.getElementById(id);

  /** An element with text content and optional class: the one way data reaches the page. */
  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function status(text, kind) {
    const s = $('status');
    s.textContent = text;
    s.className = kind || '';
  }

  async function get(path, onHeaders) {
    const r = await fetch(API + path, { headers: { 'Accept': 'application/json' }, credentials: 'omit', cache: 'no-store' });
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
    if (onHeaders) onHeaders(r.headers);
    return body;
  }

  async function post(path) {
    const headers = { 'Accept': 'application/json' };
    if (token) headers['X-Postern-Token'] = token;
    const r = await fetch(API + path, { method: 'POST', headers: headers, credentials: 'omit', cache: 'no-store' });
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
    return body;
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '';
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm' + (s % 60 ? (s % 60) + 's' : '');
    if (s < 86400) return Math.floor(s / 3600) + 'h' + (Math.floor(s / 60) % 60 ? (Math.floor(s / 60) % 60) + 'm' : '');
    return Math.floor(s / 86400) + 'd' + (Math.floor(s / 3600) % 24 ? (Math.floor(s / 3600) % 24) + 'h' : '');
  }

  function when(iso) {
    if (!iso) return '';
    const delta = (Date.parse(iso) - Date.now()) / 1000;
    if (Math.abs(delta) < 1) return 'now';
    return delta > 0 ? 'in ' + duration(delta) : duration(-delta) + ' ago';
  }

  function octets(n) {
    if (n < 1024) return n + ' B';
    if (n < 1048576) return (n / 1024).toFixed(1) + ' KiB';
    return (n / 1048576).toFixed(1) + ' MiB';
  }

  // ---- server ----
  async function loadOverview() {
    overview = await get('overview');
    $('hostname').textContent = overview.hostname;
    $('version').textContent = overview.version;
    $('summary').textContent = overview.destination;
    const facts = $('server-facts');
    clear(facts);
    const rows = [
      ['Version', overview.version], ['Started', overview.started + ' (up ' + duration(overview.uptimeSeconds) + ')'],
      ['Mail goes to', overview.destination], ['Bound', overview.bound.join(', ')],
      ['Connections', overview.activeConnections + ' of at most ' + overview.maxConnections],
      ['XCLIENT hosts', overview.xclientHosts || 'none']];
    for (const [k, v] of rows) {
      facts.appendChild(el('dt', k));
      facts.appendChild(el('dd', v));
    }
    const body = $('listeners').tBodies[0];
    clear(body);
    for (const l of overview.listeners) {
      const tr = el('tr');
      tr.appendChild(el('td', l.address, 'mono'));
      tr.appendChild(el('td', l.protocol));
      tr.appendChild(el('td', l.tls));
      tr.appendChild(el('td', l.proxy));
      tr.appendChild(el('td', l.auth));
      body.appendChild(tr);
    }
    $('queue').hidden = !overview.relay;
    $('received').hidden = !overview.maildir;
  }

  // ---- sessions ----
  async function loadSessions() {
    const sessions = await get('sessions');
    const body = $('session-table').tBodies[0];
    clear(body);
    for (const s of sessions) {
      const tr = el('tr');
      tr.appendChild(el('td', s.id, 'mono'));
      tr.appendChild(el('td', s.client + (s.clientName ? ' (' + s.clientName + ')' : ''), 'mono'));
      tr.appendChild(el('td', s.proxy || '', 'mono'));
      tr.appendChild(el('td', s.tls || 'no'));
      tr.appendChild(el('td', s.user || ''));
      tr.appendChild(el('td', s.helo || ''));
      tr.appendChild(el('td', s.state));
      tr.appendChild(el('td', duration(s.ageSeconds), 'num'));
      tr.appendChild(el('td', s.messages, 'num'));
      body.appendChild(tr);
    }
    $('session-count').textContent = '(' + sessions.length + ')';
    $('no-sessions').hidden = sessions.length > 0;
  }

  // ---- charts ----
  const CHARTS = [
    ['gauges', 'connections', 'open connections'],
    ['gauges', 'queued', 'queued messages'],
    ['counters', 'messages_accepted', 'messages accepted'],
    ['counters', 'message_bytes_accepted', 'octets accepted'],
    ['counters', 'messages_rejected', 'messages rejected'],
    ['counters', 'connections_accepted', 'connections'],
    ['counters', 'connections_refused', 'connections refused'],
    ['counters', 'replies_4xx', '4xx replies'],
    ['counters', 'replies_5xx', '5xx replies'],
    ['counters', 'tls_handshakes', 'TLS handshakes'],
    ['counters', 'tls_handshake_failures', 'TLS failures'],
    ['counters', 'auth_successes', 'AUTH successes'],
    ['counters', 'auth_failures', 'AUTH failures'],
    ['counters', 'proxy_headers_accepted', 'PROXY headers'],
    ['counters', 'proxy_headers_rejected', 'PROXY rejected'],
    ['counters', 'hook_failures', 'hook failures'],
    ['counters', 'timeouts', 'timeouts'],
    ['latencies', 'message_reply_ms_p50', 'DATA reply time, median'],
    ['latencies', 'message_reply_ms_p90', 'DATA reply time, p90'],
    ['latencies', 'session_ms_p50', 'session duration, median'],
    ['latencies', 'session_ms_p90', 'session duration, p90']];

  /** Milliseconds as a chart's label shows them. */
  function millis(ms) {
    if (ms < 1) return ms.toFixed(2) + ' ms';
    if (ms < 1000) return ms.toFixed(ms < 10 ? 1 : 0) + ' ms';
    return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
  }

  /**
   * A small chart of {@code values}, one per sampling interval; a null value (an interval in which nothing was
   * measured) is a gap in the line, never a point at zero, so an idle minute does not read as a 0 ms latency.
   */
  function chart(label, values, total) {
    const box = el('div', null, 'chart');
    const head = el('div', null, 'label');
    head.appendChild(el('span', label));
    head.appendChild(el('span', total, 'value'));
    box.appendChild(head);
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 100 40');
    svg.setAttribute('preserveAspectRatio', 'none');
    const max = Math.max(1, ...values.filter((v) => v !== null));
    const n = values.length;
    const x = (i) => (n === 1 ? 100 : (i * 100) / (n - 1));
    const y = (v) => (38 - (v * 36) / max).toFixed(2);
    // one line (and area) per run of measured intervals; a lone point is drawn as a short level stroke
    let run = [];
    const flush = () => {
      if (run.length === 0) return;
      const pts = run.length === 1
        ? [Math.max(0, run[0][0] - 0.5).toFixed(2) + ',' + run[0][1], Math.min(100, run[0][0] + 0.5).toFixed(2) + ',' + run[0][1]]
        : run.map(([px, py]) => px.toFixed(2) + ',' + py);
      const area = document.createElementNS(SVG, 'polygon');
      area.setAttribute('class', 'area');
      area.setAttribute('points', pts[0].split(',')[0] + ',40 ' + pts.join(' ') + ' ' + pts[pts.length - 1].split(',')[0] + ',40');
      const line = document.createElementNS(SVG, 'polyline');
      line.setAttribute('points', pts.join(' '));
      svg.appendChild(area);
      svg.appendChild(line);
      run = [];
    };
    values.forEach((v, i) => {
      if (v === null) {
        flush();
      } else {
        run.push([x(i), y(v)]);
      }
    });
    flush();
    box.appendChild(svg);
    return box;
  }
  // for the browser test of the drawing alone (AdminPageBrowserTest): the function, not any data
  window.posternChart = chart;

  async function loadCharts() {
    const m = await get('metrics');
    const grid = $('chart-grid');
    clear(grid);
    for (const [kind, name, label] of CHARTS) {
      const column = m[kind] && m[kind][name];
      if (!column) continue;
      let values = column;
      let total = column[column.length - 1];
      if (kind === 'counters') {
        // per sampling interval: what happened between two samples
        values = column.slice(1).map((v, i) => Math.max(0, v - column[i]));
        if (values.length === 0) values = [0];
        total = total + ' total';
      } else if (kind === 'latencies') {
        // an interval without any session or message has no value: a gap, labelled with the last one seen
        values = column.map((v) => (typeof v === 'number' ? v : null));
        const seen = column.filter((v) => typeof v === 'number');
        total = seen.length ? millis(seen[seen.length - 1]) : 'none yet';
      }
      const box = chart(label, values, total);
      box.setAttribute('data-metric', name);
      grid.appendChild(box);
    }
  }

  // ---- queue ----
  function filters() {
    const q = new URLSearchParams();
    const sender = $('filter-sender').value.trim();
    const domain = $('filter-domain').value.trim();
    const state = $('filter-state').value;
    if (sender) q.set('sender', sender);
    if (domain) q.set('domain', domain);
    if (state) q.set('state', state);
    q.set('limit', String(TABLE_ROWS));
    return '?' + q.toString();
  }

  function lastOf(m, field) {
    let best = null;
    for (const r of m.recipients) {
      if (r[field] && (!best || (r.lastAttempt || '') > (best.lastAttempt || ''))) best = r;
    }
    return best ? best[field] : '';
  }

  function sortRows(rows) {
    return rows.slice().sort((a, b) => {
      const x = a[sortKey] === null ? '' : a[sortKey];
      const y = b[sortKey] === null ? '' : b[sortKey];
      return (x < y ? -1 : x > y ? 1 : 0) * sortDir;
    });
  }

  function renderQueue() {
    const body = $('queue-table').tBodies[0];
    clear(body);
    for (const m of sortRows(queueRows)) {
      const tr = el('tr');
      tr.setAttribute('data-id', m.id);
      const idCell = el('td', null, 'mono id');
      const link = el('a', m.id, 'msgid');
      link.addEventListener('click', () => showDetail(m.id));
      idCell.appendChild(link);
      tr.appendChild(idCell);
      tr.appendChild(el('td', duration(m.ageSeconds), 'num age'));
      tr.appendChild(el('td', m.size, 'num size'));
      tr.appendChild(el('td', m.sender === '' ? '<>' : m.sender, 'mono sender'));
      const rc = el('td', null, 'recipients');
      for (const r of m.recipients) {
        const line = el('span', null, 'rcpt');
        line.setAttribute('data-state', r.state);
        line.appendChild(el('span', r.address, 'mono address'));
        line.appendChild(el('span', r.state, 'state state-' + r.state));
        rc.appendChild(line);
      }
      tr.appendChild(rc);
      tr.appendChild(el('td', m.nextAttempt ? when(m.nextAttempt) : (m.held ? 'held' : ''), 'next'));
      tr.appendChild(el('td', lastOf(m, 'lastReply'), 'reply'));
      tr.appendChild(el('td', lastOf(m, 'proxy'), 'mono proxy'));
      const actions = el('td', null, 'actions');
      for (const a of ['retry', 'hold', 'release', 'delete']) {
        const b = el('button', a, a === 'delete' ? 'danger' : '');
        b.type = 'button';
        b.setAttribute('data-action', a);
        b.addEventListener('click', () => act('queue/' + encodeURIComponent(m.id) + '/' + a, a + ' ' + m.id, a === 'delete'));
        actions.appendChild(b);
      }
      tr.appendChild(actions);
      body.appendChild(tr);
    }
    let octetsTotal = 0, deferred = 0, held = 0;
    for (const m of queueRows) {
      octetsTotal += m.size;
      if (m.recipients.some((r) => r.state === 'deferred')) deferred++;
      if (m.held) held++;
    }
    const shown = queueTotal > queueRows.length ? ' (the oldest ' + queueRows.length + ' shown: ' : ' (';
    $('queue-totals').textContent = Math.max(queueTotal, queueRows.length) + ' messages' + shown
      + octets(octetsTotal) + ', ' + deferred + ' deferred, ' + held + ' held)';
    $('queue-empty').hidden = queueRows.length > 0;
    for (const th of document.querySelectorAll('#queue-table th[data-sort]')) {
      th.classList.toggle('asc', th.getAttribute('data-sort') === sortKey && sortDir === 1);
      th.classList.toggle('desc', th.getAttribute('data-sort') === sortKey && sortDir === -1);
    }
  }

  async function loadQueue() {
    queueRows = await get('queue' + filters(), (h) => { queueTotal = Number(h.get('X-Postern-Total') || '0'); });
    renderQueue();
    document.body.setAttribute('data-queue-loaded', String(queueRows.length));
  }

  async function showDetail(id) {
    detailId = id;
    const m = await get('queue/' + encodeURIComponent(id));
    $('detail').hidden = false;
    $('detail-id').textContent = m.id;
    const body = $('detail-recipients').tBodies[0];
    clear(body);
    for (const r of m.recipients) {
      const tr = el('tr');
      for (const [v, cls] of [[r.address, 'mono'], [r.state, ''], [r.attempts, 'num'], [r.lastAttempt || '', ''],
        [r.nextAttempt ? when(r.nextAttempt) : '', ''], [r.remote, 'mono'], [r.proxy, 'mono'], [r.lastReply || '', '']]) {
        tr.appendChild(el('td', v, cls));
      }
      body.appendChild(tr);
    }
    const history = $('detail-history').tBodies[0];
    clear(history);
    for (const r of m.recipients) {
      for (const a of (r.history || [])) {
        const tr = el('tr', null, 'outcome-' + a.outcome);
        for (const [v, cls] of [[r.address, 'mono'], [a.time, 'mono'], [a.outcome, ''], [a.remote, 'mono'],
          [a.proxy, 'mono'], [a.reply, '']]) {
          tr.appendChild(el('td', v, cls));
        }
        history.appendChild(tr);
      }
    }
    const lines = ['From: ' + (m.sender === '' ? '<>' : '<' + m.sender + '>') + '   size ' + m.size + '   arrived ' + m.arrival, ''];
    for (const h of m.headers) lines.push(h.name + ': ' + h.value);
    if (m.headersTruncated) lines.push('[header truncated]');
    $('detail-headers').textContent = lines.join('\n');
  }

  async function act(path, what, confirmFirst) {
    if (!token) {
      status('Enter the admin token first: every action needs it.', 'error');
    }
    if (confirmFirst && token && !window.confirm('Really ' + what + '?')) return;
    try {
      const r = await post(path);
      const n = r.count !== undefined ? r.count + ' message(s)' : (r.changed ? 'done' : 'nothing to change');
      status(what + ': ' + n, 'ok');
    } catch (e) {
      status(what + ' refused: ' + e.message, 'error');
    }
    await refresh();
  }

  // ---- Maildir ----
  async function loadReceived() {
    const messages = await get('received');
    const list = $('received-list');
    clear(list);
    for (const m of messages) {
      const item = el('div', null, 'received-item');
      const header = (name) => {
        const f = m.headers.find((h) => h.name.toLowerCase() === name);
        return f ? f.value : '';
      };
      item.appendChild(el('div', header('subject') || '(no subject)', 'subject'));
      item.appendChild(el('div', 'From ' + header('from') + ' · To ' + header('to') + ' · ' + octets(m.size) + ' · '
        + m.received + ' · ' + m.file, 'meta'));
      const details = el('details');
      details.appendChild(el('summary', 'Header fields'));
      const lines = m.headers.map((h) => h.name + ': ' + h.value);
      details.appendChild(el('pre', lines.join('\n') + (m.headersTruncated ? '\n[header truncated]' : ''), 'headers'));
      item.appendChild(details);
      item.appendChild(el('pre', m.body + (m.bodyTruncated ? '\n[...]' : ''), 'body'));
      list.appendChild(item);
    }
    $('received-empty').hidden = messages.length > 0;
  }

  async function refresh() {
    try {
      await loadOverview();
      const work = [loadSessions(), loadCharts()];
      if (overview.relay) work.push(loadQueue());
      if (overview.maildir) work.push(loadReceived());
      if (overview.relay && detailId) work.push(showDetail(detailId).catch(() => { $('detail').hidden = true; detailId = null; }));
      await Promise.all(work);
      document.body.setAttribute('data-loaded', 'true');
    } catch (e) {
      status('Cannot reach the server: ' + e.message, 'error');
    }
  }

  function wire() {
    $('token-form').addEventListener('submit', (e) => e.preventDefault());
    $('token').addEventListener('input', () => {
      token = $('token').value.trim();
      $('token-state').textContent = token ? 'actions enabled' : '';
    });
    for (const th of document.querySelectorAll('#queue-table th[data-sort]')) {
      th.addEventListener('click', () => {
        const key = th.getAttribute('data-sort');
        sortDir = key === sortKey ? -sortDir : 1;
        sortKey = key;
        renderQueue();
      });
    }
    for (const id of ['filter-sender', 'filter-domain', 'filter-state']) {
      $(id).addEventListener('change', () => loadQueue().catch((e) => status(e.message, 'error')));
    }
    $('retry-all').addEventListener('click', () => act('bulk/retry-all', 'retry all', false));
    $('release-all').addEventListener('click', () => act('bulk/release-all', 'release all', false));
    $('delete-deferred').addEventListener('click', () => act('bulk/delete-deferred', 'delete every deferred recipient', true));
    $('detail-close').addEventListener('click', () => { $('detail').hidden = true; detailId = null; });
  }

  document.addEventListener('DOMContentLoaded', () => {
    wire();
    refresh();
    setInterval(refresh, REFRESH_MS);
  });
})();
