// NIC dashboard: the slide list (live), a slide view with overlays, and the model view. Everything from the
// events is put on the page as text (textContent), never as markup: slide ids and messages come from
// producers this page does not trust.
'use strict';

const PAGE_SIZE = 50;
const state = { page: 0, total: 0, rows: new Map(), slide: null, models: [], refetch: null, overlayToken: 0 };

const $ = (id) => document.getElementById(id);

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function fmt(v, digits = 3) {
  return typeof v === 'number' && isFinite(v) ? v.toFixed(digits) : '–';
}

function time(ms) {
  return ms ? new Date(ms).toLocaleTimeString() : '–';
}

function seconds(ms) {
  return typeof ms === 'number' ? (ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s') : '–';
}

function slideHref(id) {
  return '/slide/' + encodeURIComponent(id);
}

function api(path) {
  return fetch(path, { headers: { Accept: 'application/json' } }).then((r) => {
    if (!r.ok) return r.json().catch(() => ({})).then((b) => { throw new Error(b.error || r.status + ' ' + r.statusText); });
    return r.json();
  });
}

// ---------- routing ----------
function route() {
  const path = location.pathname;
  const slide = path.startsWith('/slide/') ? decodeURIComponent(path.substring('/slide/'.length)) : null;
  $('view-list').hidden = !(path === '/' || path === '/index.html');
  $('view-slide').hidden = slide === null;
  $('view-models').hidden = path !== '/models';
  $('nav-slides').classList.toggle('active', !$('view-list').hidden);
  $('nav-models').classList.toggle('active', !$('view-models').hidden);
  state.slide = slide;
  if (!$('view-list').hidden) loadPage();
  if (slide !== null) loadSlide(slide);
  if (!$('view-models').hidden) loadModels();
}

function go(href) {
  history.pushState(null, '', href);
  route();
}

document.addEventListener('click', (e) => {
  const a = e.target.closest('a[data-route]');
  if (a && !e.ctrlKey && !e.metaKey && !e.shiftKey && e.button === 0) {
    e.preventDefault();
    go(a.getAttribute('href'));
  }
});
window.addEventListener('popstate', route);

// ---------- the list ----------
function query() {
  const p = new URLSearchParams({ page: state.page, size: PAGE_SIZE });
  if ($('filter-case').value.trim()) p.set('case', $('filter-case').value.trim());
  if ($('filter-task').value) p.set('task', $('filter-task').value);
  if ($('filter-stage').value) p.set('stage', $('filter-stage').value);
  return p.toString();
}

function loadPage() {
  api('/api/slides?' + query()).then(renderPage).catch((e) => console.error(e));
  if (!document.querySelector('.dead-letters').hidden) api('/api/dead-letters').then(renderDeadLetters).catch(() => {});
  api('/api/tasks').then(renderTasks).catch(() => {});
}

function scheduleRefetch() {
  if (state.refetch || $('view-list').hidden) return;
  state.refetch = setTimeout(() => { state.refetch = null; loadPage(); }, 400);
}

function renderTasks(tasks) {
  const select = $('filter-task');
  const chosen = select.value;
  const have = new Set(Array.from(select.options).map((o) => o.value));
  for (const t of tasks) {
    if (!have.has(t)) { const o = el('option', t); o.value = t; select.appendChild(o); }
  }
  select.value = chosen;
}

function renderPage(page) {
  state.total = page.total;
  const pages = Math.max(1, Math.ceil(page.total / page.size));
  if (state.page >= pages) { state.page = pages - 1; if (page.total > 0) { loadPage(); return; } }
  $('page-info').textContent = 'page ' + (page.page + 1) + ' of ' + pages + ' (' + page.total + ' slides)';
  $('prev').disabled = page.page === 0;
  $('next').disabled = page.page + 1 >= pages;
  $('empty').hidden = page.total > 0;
  const body = $('slides').tBodies[0];
  const keep = new Map();
  for (const s of page.slides) {
    const row = state.rows.get(s.slideId) || newRow(s);
    fillRow(row, s);
    keep.set(s.slideId, row);
    body.appendChild(row); // appending an existing row moves it: the page's order
  }
  for (const [id, row] of state.rows) if (!keep.has(id)) row.remove();
  state.rows = keep;
}

function newRow(s) {
  const tr = el('tr');
  tr.dataset.slideId = s.slideId;
  for (const c of ['thumb', 'slide', 'case', 'stage', 'progress', 'predictions', 'latency', 'updated']) tr.appendChild(el('td', null, c));
  const link = el('a', s.slideId);
  link.href = slideHref(s.slideId);
  link.dataset.route = '';
  tr.querySelector('td.slide').appendChild(link);
  return tr;
}

function fillRow(tr, s) {
  const thumb = tr.querySelector('td.thumb');
  if (s.idUsable && s.tiling && !thumb.firstChild) {
    const img = el('img');
    img.loading = 'lazy';
    img.alt = '';
    img.src = '/api/slides/' + encodeURIComponent(s.slideId) + '/thumbnail.png';
    thumb.appendChild(img);
  }
  tr.querySelector('td.case').textContent = s.caseId || '';
  const stage = tr.querySelector('td.stage');
  stage.replaceChildren(el('span', (s.stage || '').toLowerCase(), 'stage ' + (s.stage || '')));
  if (s.stage === 'FAILED' && s.failures.length) {
    const f = s.failures[0];
    stage.appendChild(el('div', f.stage + ': ' + f.reason + ' – ' + (f.message || ''), 'failure'));
  }
  const progress = tr.querySelector('td.progress');
  progress.replaceChildren();
  if (s.progress && s.progress.total > 0) {
    const bar = el('progress');
    bar.max = s.progress.total;
    bar.value = s.progress.done;
    progress.appendChild(bar);
    progress.appendChild(el('div', s.progress.done + ' / ' + s.progress.total + ' cells', 'progress-text muted'));
  }
  tr.querySelector('td.predictions').replaceChildren(predictionList(s));
  tr.querySelector('td.latency').textContent = s.latencyMillis !== null && s.latencyMillis !== undefined
    ? 'heads ' + seconds(s.latencyMillis) + (s.totalMillis !== null && s.totalMillis !== undefined ? ' · total ' + seconds(s.totalMillis) : '')
    : '';
  tr.querySelector('td.updated').textContent = time(s.updatedAt);
}

function predictionText(p) {
  if (p.kind === 'CLASSIFICATION' && p.probabilities) {
    const best = Object.entries(p.probabilities).sort((a, b) => (b[1] || 0) - (a[1] || 0))[0];
    return p.task + ': ' + (best ? best[0] + ' ' + fmt(best[1]) : '–');
  }
  if (p.kind === 'SURVIVAL') return p.task + ': log-risk ' + fmt(p.logRisk);
  return p.task + ' = ' + fmt(p.value);
}

function predictionList(s) {
  const ul = el('ul', null, 'predictions');
  for (const p of s.predictions || []) {
    const li = el('li', predictionText(p), 'prediction');
    li.dataset.task = p.task || '';
    li.appendChild(el('div', 'head ' + p.headVersion + ' · encoder ' + s.predictionEncoderId, 'meta'));
    ul.appendChild(li);
  }
  return ul;
}

function renderDeadLetters(list) {
  const ul = $('dead-letters');
  ul.replaceChildren();
  if (!list.length) { ul.appendChild(el('li', 'none', 'none')); return; }
  for (const d of list) {
    const li = el('li');
    li.dataset.topic = d.topic;
    li.title = (d.lastReason ? 'last: ' + d.lastReason : '') + (d.lastKey ? ' (key ' + d.lastKey + ')' : '');
    li.appendChild(el('span', d.topic + ' '));
    li.appendChild(el('span', d.count, 'count'));
    ul.appendChild(li);
  }
}

$('prev').addEventListener('click', () => { state.page = Math.max(0, state.page - 1); loadPage(); });
$('next').addEventListener('click', () => { state.page += 1; loadPage(); });
for (const id of ['filter-case', 'filter-task', 'filter-stage']) {
  $(id).addEventListener('input', () => { state.page = 0; loadPage(); });
}

// ---------- the slide view ----------
function loadSlide(id) {
  $('slide-title').textContent = id;
  if (state.viewed !== id) nicDeepZoom.close();
  state.viewed = id;
  api('/api/slides/' + encodeURIComponent(id)).then((s) => {
    $('slide-missing').hidden = true;
    renderSlide(s);
  }).catch(() => { $('slide-missing').hidden = false; });
  api('/api/heads').then((m) => { state.models = m; }).catch(() => {});
}

// Thumbnails are small (the tiler's): scale them up to the column, or to 75% of the window's height when
// taller; the overlay is laid over the image's box, so it follows.
function fitThumb(img) {
  if (!img.naturalWidth) return;
  const width = img.closest('.viewer').parentElement.clientWidth;
  const scale = Math.min(width / img.naturalWidth, window.innerHeight * 0.75 / img.naturalHeight);
  img.style.width = Math.max(1, Math.floor(img.naturalWidth * scale)) + 'px';
}
window.addEventListener('resize', () => fitThumb($('slide-thumb')));

function renderSlide(s) {
  if (s.slideId !== state.slide) return;
  const thumb = $('slide-thumb');
  if (s.idUsable && s.tiling && !thumb.getAttribute('src')) {
    thumb.onload = () => fitThumb(thumb);
    thumb.src = '/api/slides/' + encodeURIComponent(s.slideId) + '/thumbnail.png';
  }
  $('slide-predictions').replaceChildren(...Array.from(predictionList(s).childNodes));
  const d = $('slide-details');
  d.replaceChildren();
  const row = (k, v) => { if (v !== null && v !== undefined && v !== '') { d.appendChild(el('dt', k)); d.appendChild(el('dd', v)); } };
  row('stage', (s.stage || '').toLowerCase());
  row('case', s.caseId);
  row('scanner', s.scanner);
  row('source', s.uri);
  row('arrivals', s.arrivals);
  if (s.tiling) {
    row('grid', s.tiling.rows + ' x ' + s.tiling.cols + ' cells, ' + s.tiling.tissueCells + ' tissue');
    row('spacing', fmt(s.tiling.spacing) + ' um/px (' + s.tiling.spacingSource + ')');
  }
  if (s.progress && s.progress.total) row('progress', s.progress.done + ' / ' + s.progress.total + ' cells');
  if (s.encoding) {
    row('encoder', s.encoding.encoderId + (s.encoding.device ? ' on ' + s.encoding.device : ''));
    row('encoding', (s.encoding.reused ? 'reused a stored grid' : seconds(s.encoding.wallSeconds * 1000)
      + ', ' + fmt(s.encoding.patchesPerSecond, 1) + ' patches/s'));
  }
  if (s.latencyMillis !== null && s.latencyMillis !== undefined) row('heads', seconds(s.latencyMillis));
  if (s.totalMillis !== null && s.totalMillis !== undefined) row('arrival to prediction', seconds(s.totalMillis));
  const f = $('slide-failures');
  f.replaceChildren();
  if (!s.failures.length) f.appendChild(el('li', 'none', 'muted'));
  for (const x of s.failures) {
    f.appendChild(el('li', time(x.at) + ' ' + x.stage + ': ' + x.reason + ' – ' + (x.message || '')
      + (x.retrying ? ' (attempt ' + x.attempt + '; NIC retries it)' : x.retriable ? ' (retriable)' : ''), 'failure'));
  }
  const encoder = s.encoding ? s.encoding.encoderId : s.predictionEncoderId;
  const select = $('overlay-mode');
  const have = new Set(Array.from(select.options).map((o) => o.value));
  for (const h of state.models) {
    const value = 'head:' + h.task;
    if (h.active && h.encoderId === encoder && !have.has(value)) {
      const o = el('option', 'head: ' + h.task + ' (' + h.active.headVersion + ') per region');
      o.value = value;
      select.appendChild(o);
    }
  }
  select.disabled = !(s.idUsable && encoder);
  state.encoder = encoder;
  if (s.idUsable && s.tiling) nicDeepZoom.open(s.slideId, encoder);
  const exported = $('slide-export');
  exported.hidden = !(s.idUsable && encoder);
  if (!exported.hidden) {
    exported.href = '/api/slides/' + encodeURIComponent(s.slideId) + '/export.geojson?encoder=' + encodeURIComponent(encoder);
  }
}

function showOverlay() {
  const mode = $('overlay-mode').value;
  const overlay = $('overlay');
  const token = ++state.overlayToken;
  overlay.removeAttribute('src');
  delete overlay.dataset.loaded;
  nicDeepZoom.setOverlay(null);
  $('legend').replaceChildren();
  if (!mode || !state.slide) return;
  const base = '/api/slides/' + encodeURIComponent(state.slide);
  const enc = state.encoder ? 'encoder=' + encodeURIComponent(state.encoder) : '';
  const url = mode === 'pca' ? base + '/pca.png?' + enc
    : base + '/regions.png?' + enc + '&task=' + encodeURIComponent(mode.substring('head:'.length));
  $('legend').textContent = 'computing…';
  fetch(url).then((r) => {
    if (!r.ok) return r.json().catch(() => ({})).then((b) => { throw new Error(b.error || r.statusText); });
    return r.blob().then((blob) => ({ blob, headers: r.headers }));
  }).then(({ blob, headers }) => {
    if (token !== state.overlayToken) return;
    const url = URL.createObjectURL(blob);
    overlay.onload = () => { overlay.dataset.loaded = mode; nicDeepZoom.setOverlay(url); };
    overlay.src = url;
    const legend = $('legend');
    legend.replaceChildren();
    if (mode === 'pca') {
      legend.textContent = 'Codes of ' + headers.get('X-Nic-tissueCells') + ' tissue cells (' + headers.get('X-Nic-grid')
        + ', encoder ' + headers.get('X-Nic-encoder') + '): 1st, 2nd, 3rd principal component as red, green, blue.';
    } else {
      legend.appendChild(el('span', headers.get('X-Nic-task') + ' ' + headers.get('X-Nic-output') + ' (head '
        + headers.get('X-Nic-headVersion') + ', window ' + headers.get('X-Nic-window') + ' cells): '));
      legend.appendChild(el('span', fmt(Number(headers.get('X-Nic-min')))));
      legend.appendChild(el('span', null, 'bar'));
      legend.appendChild(el('span', fmt(Number(headers.get('X-Nic-max')))));
    }
  }).catch((e) => { if (token === state.overlayToken) $('legend').textContent = 'No overlay: ' + e.message; });
}

$('overlay-mode').addEventListener('change', showOverlay);
$('overlay-opacity').addEventListener('input', () => {
  $('overlay').style.opacity = $('overlay-opacity').value / 100;
  nicDeepZoom.setOpacity($('overlay-opacity').value / 100);
});
$('layer-mask').addEventListener('change', () => nicDeepZoom.setMask($('layer-mask').checked));
$('overlay').style.opacity = 0.65;

// ---------- the model view ----------
function loadModels() {
  api('/api/models').then(renderModels).catch((e) => console.error(e));
}

function interval(lo, hi) {
  return typeof lo === 'number' && typeof hi === 'number' ? ' [' + fmt(lo) + ', ' + fmt(hi) + ']' : '';
}

function renderModels(heads) {
  state.models = heads;
  const box = $('heads');
  box.replaceChildren();
  $('no-heads').hidden = heads.length > 0;
  for (const h of heads) {
    const div = el('div', null, 'head');
    div.dataset.headKey = h.task + '/' + h.encoderId;
    div.appendChild(el('h3', h.task + ' · encoder ' + h.encoderId + ' · ' + (h.kind || '').toLowerCase()));
    const a = h.active;
    if (a) {
      div.appendChild(el('p', 'Active: ' + a.headVersion + ' – held-out ' + a.metric + ' ' + fmt(a.heldOutMetric)
        + interval(a.heldOutLower, a.heldOutUpper) + ' on ' + a.heldOutSlides + ' slides'
        + (typeof a.gain === 'number' ? ', gain ' + fmt(a.gain) + ' (lower bound ' + fmt(a.gainLower) + ')' : '')
        + ' – ' + (a.reason || '') + ' – since ' + new Date(a.at).toLocaleString(), 'active'));
    } else {
      div.appendChild(el('p', 'No active head.', 'muted'));
    }
    const table = el('table', null, 'history');
    const head = el('tr');
    for (const c of ['When', 'Decision', 'Version', 'Held-out metric', 'Gain (lower bound)', 'Slides (train / held out)', 'Why', 'By']) head.appendChild(el('th', c));
    table.appendChild(el('thead')).appendChild(head);
    const body = table.appendChild(el('tbody'));
    for (const d of h.history) {
      const tr = el('tr');
      tr.appendChild(el('td', new Date(d.at).toLocaleString()));
      tr.appendChild(el('td', d.decision, 'decision ' + d.decision));
      tr.appendChild(el('td', d.headVersion || '–'));
      tr.appendChild(el('td', (d.metric || '') + ' ' + fmt(d.heldOutMetric) + interval(d.heldOutLower, d.heldOutUpper)));
      tr.appendChild(el('td', fmt(d.gain) + ' (' + fmt(d.gainLower) + ')'));
      tr.appendChild(el('td', (d.trainSlides ?? '–') + ' / ' + (d.heldOutSlides ?? '–')));
      tr.appendChild(el('td', d.reason));
      tr.appendChild(el('td', d.by));
      body.appendChild(tr);
    }
    if (!h.history.length) body.appendChild(el('tr')).appendChild(el('td', 'no recorded decisions', 'muted'));
    div.appendChild(table);
    box.appendChild(div);
  }
}

// ---------- live updates ----------
function connect() {
  const source = new EventSource('/api/stream');
  source.onopen = () => {
    $('conn').textContent = 'live';
    $('conn').classList.add('live');
    route(); // what happened while we were away
  };
  source.onerror = () => {
    $('conn').textContent = 'reconnecting';
    $('conn').classList.remove('live');
  };
  source.onmessage = (e) => {
    const u = JSON.parse(e.data);
    if (u.type === 'slide') {
      scheduleRefetch();
      if (state.slide === u.data.slideId) renderSlide(u.data);
    } else if (u.type === 'deadLetters') {
      renderDeadLetters(u.data);
    } else if (u.type === 'models') {
      state.models = u.data;
      if (!$('view-models').hidden) renderModels(u.data);
    }
  };
}

// Who is signed in: the models view and the dead letters are the operator's.
api('/api/me').then((me) => {
  $('me').textContent = me.name + ' (' + me.roles.join(', ') + ')';
  const operator = me.roles.includes('operator');
  $('nav-models').hidden = !operator;
  document.querySelector('.dead-letters').hidden = !operator;
  if (operator) api('/api/dead-letters').then(renderDeadLetters).catch(() => {});
}).catch(() => {});

route();
connect();
