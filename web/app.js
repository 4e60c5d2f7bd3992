// Dépêche's web page: search, facets, date histogram and article view over the HTTP API
// (docs/http.md). Plain JavaScript, no build step. Every text from the index is put in
// the page as text (textContent, text nodes), never as HTML.
'use strict';

const PAGE_SIZE = 10;
const OPEN = '\uE000', CLOSE = '\uE001';  // highlight markers asked with markers=page
const $ = (id) => document.getElementById(id);

// ---- State: everything is in the URL, so a search can be bookmarked and shared ----------
function readState() {
  const p = new URLSearchParams(location.search);
  const page = parseInt(p.get('page') || '1', 10);
  return {
    q: p.get('q') || '',
    sort: ['relevance', 'date', '-date'].includes(p.get('sort')) ? p.get('sort') : 'relevance',
    page: Number.isFinite(page) && page > 0 ? page : 1,
    people: p.getAll('person'),
    date: p.get('date') || '',
    mentioned: p.get('mentioned') || '',
    article: p.get('article') || '',
    like: p.get('like') || '',          // articles like this one (its id)
    versions: p.get('versions') === '1',  // every version of a story (not collapsed)
  };
}

function stateUrl(s) {
  const p = new URLSearchParams();
  if (s.q) p.set('q', s.q);
  if (s.sort !== 'relevance') p.set('sort', s.sort);
  if (s.page > 1) p.set('page', String(s.page));
  for (const person of s.people) p.append('person', person);
  if (s.date) p.set('date', s.date);
  if (s.mentioned) p.set('mentioned', s.mentioned);
  if (s.like) p.set('like', s.like);
  if (s.versions) p.set('versions', '1');
  if (s.article) p.set('article', s.article);
  const query = p.toString();
  return query ? '?' + query : location.pathname;
}

function go(changes, replace) {
  const s = Object.assign(readState(), changes);
  if (replace) history.replaceState(null, '', stateUrl(s));
  else history.pushState(null, '', stateUrl(s));
  render();
}

// The query sent to the server: the typed query and the filters chosen on the page.
function fullQuery(s) {
  const parts = [];
  if (s.q.trim()) parts.push(s.q.trim());
  for (const person of s.people) parts.push('personne:"' + person.replace(/["“”«»]/g, ' ') + '"');
  if (s.date) parts.push('date:' + s.date);
  if (s.mentioned) parts.push('mentionne:' + s.mentioned);
  return parts.join(' ');
}

// ---- Small DOM helpers ---------------------------------------------------------------
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

// Text with the server's highlight markers as <mark> elements; the rest as text nodes.
function marked(parent, text) {
  let i = 0;
  while (i < text.length) {
    const a = text.indexOf(OPEN, i);
    if (a < 0) { parent.append(text.slice(i)); break; }
    parent.append(text.slice(i, a));
    const b = text.indexOf(CLOSE, a + 1);
    const end = b < 0 ? text.length : b;
    parent.append(el('mark', {}, text.slice(a + 1, end)));
    i = end + 1;
  }
  return parent;
}

const number = (n) => n.toLocaleString('fr-FR');

function formatDate(iso) {
  if (!iso) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  const months = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre',
    'octobre', 'novembre', 'décembre'];
  return parseInt(m[3], 10) + ' ' + months[parseInt(m[2], 10) - 1] + ' ' + m[1];
}

function articleHref(id, s) {
  return stateUrl(Object.assign({}, s, { article: id }));
}

// ---- Talking to the API -----------------------------------------------------------------
let inflight = null;
async function api(path) {
  if (inflight) inflight.abort();
  inflight = new AbortController();
  const res = await fetch(path, { signal: inflight.signal, headers: { Accept: 'application/json' } });
  const body = await res.json();
  if (!res.ok) {
    const err = new Error(body.error ? body.error.message : 'erreur ' + res.status);
    err.status = res.status;
    err.position = body.error ? body.error.position : undefined;
    throw err;
  }
  return body;
}

// ---- Results ------------------------------------------------------------------------------
function showStatus(text, isError) {
  const status = $('status');
  status.textContent = text;
  status.classList.toggle('error', !!isError);
}

function renderChips(s) {
  const chips = $('chips');
  chips.replaceChildren();
  const chip = (label, remove) => chips.append(el('li', {},
    el('button', { type: 'button', class: 'chip', 'aria-label': 'Retirer le filtre ' + label, onclick: remove },
      label, el('span', { 'aria-hidden': 'true' }, ' ×'))));
  for (const person of s.people)
    chip('personne : ' + person, () => go({ people: s.people.filter((p) => p !== person), page: 1 }));
  if (s.date) chip('publié : ' + s.date.replace('..', ' → '), () => go({ date: '', page: 1 }));
  if (s.mentioned) chip('mentionne : ' + s.mentioned, () => go({ mentioned: '', page: 1 }));
  if (s.like) chip('semblables à : ' + s.like, () => go({ like: '', page: 1 }));
}

function renderHits(s, r) {
  const hits = $('hits');
  hits.replaceChildren();
  hits.start = (s.page - 1) * PAGE_SIZE + 1;
  for (const h of r.hits) {
    const meta = [formatDate(h.date), h.source, h.author].filter(Boolean).join(' · ');
    const link = el('a', { href: articleHref(h.id, s), class: 'hit-title' }, h.title || '(sans titre)');
    link.addEventListener('click', (e) => {
      e.preventDefault();
      history.pushState({ fromResults: true }, '', articleHref(h.id, s));
      render();
    });
    // Other versions of the story (collapsed): a link lists them all, newest first.
    const versions = h.other_versions > 0 ? el('button', {
      type: 'button', class: 'link small',
      onclick: () => go({ q: 'story:' + h.story, people: [], date: '', mentioned: '', like: '', versions: true, page: 1 }),
    }, `+ ${number(h.other_versions)} autre${h.other_versions > 1 ? 's' : ''} version${h.other_versions > 1 ? 's' : ''}`) : null;
    hits.append(el('li', { class: 'hit' },
      el('h3', {}, link),
      meta || versions ? el('p', { class: 'muted small' }, meta, meta && versions ? ' · ' : '', versions) : null,
      h.snippet ? marked(el('p', { class: 'snippet' }), h.snippet) : null));
  }
}

function renderPager(s, total) {
  const pager = $('pager');
  pager.replaceChildren();
  const pages = Math.ceil(total / PAGE_SIZE);
  if (pages <= 1) return;
  const button = (label, page, current) => el('button', {
    type: 'button', class: current ? 'current' : '', 'aria-current': current ? 'page' : 'false',
    onclick: () => { go({ page }); window.scrollTo(0, 0); },
  }, label);
  if (s.page > 1) pager.append(button('‹ Précédente', s.page - 1));
  const first = Math.max(1, s.page - 3), last = Math.min(pages, s.page + 3);
  for (let p = first; p <= last; ++p) pager.append(button(String(p), p, p === s.page));
  if (s.page < pages) pager.append(button('Suivante ›', s.page + 1));
}

function renderPeople(s, people) {
  const list = $('people');
  list.replaceChildren();
  for (const p of people) {
    const active = s.people.includes(p.name);
    list.append(el('li', {}, el('button', {
      type: 'button', class: 'facet' + (active ? ' active' : ''), 'aria-pressed': active ? 'true' : 'false',
      onclick: () => go({ people: active ? s.people.filter((x) => x !== p.name) : s.people.concat([p.name]), page: 1 }),
    }, el('span', {}, p.name, p.ambiguous ? el('span', { class: 'muted small', title: 'Nom partagé par plusieurs personnes de l\'index' }, ' (homonymes)') : null),
    el('span', { class: 'count' }, number(p.count)))));
  }
  if (!people.length) list.append(el('li', { class: 'muted small' }, 'aucune'));
}

function renderMentioned(s, mentioned) {
  const list = $('mentioned');
  list.replaceChildren();
  const top = mentioned.slice().sort((a, b) => b.count - a.count).slice(0, 12)
    .sort((a, b) => (a.value < b.value ? -1 : 1));
  for (const m of top) {
    const active = s.mentioned === m.value;
    list.append(el('li', {}, el('button', {
      type: 'button', class: 'facet' + (active ? ' active' : ''), 'aria-pressed': active ? 'true' : 'false',
      onclick: () => go({ mentioned: active ? '' : m.value, page: 1 }),
    }, el('span', {}, m.value), el('span', { class: 'count' }, number(m.count)))));
  }
  if (!top.length) list.append(el('li', { class: 'muted small' }, 'aucune'));
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

// The publication-date histogram: one bar per bucket (empty buckets included). A click
// on a bar filters on its bucket; a drag across bars on their range; Enter on a focused
// bar does what a click does.
function renderHistogram(s, buckets, interval) {
  const box = $('histogram');
  box.replaceChildren();
  $('interval').textContent = interval ? '(' + { year: 'par année', month: 'par mois', week: 'par semaine', day: 'par jour' }[interval] + ')' : '';
  if (!buckets.length) { box.append(el('p', { class: 'muted small' }, 'aucune')); return; }
  const W = 300, H = 120, max = Math.max(...buckets.map((b) => b.count), 1);
  const bw = W / buckets.length;
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H + 16}`, role: 'group', 'aria-label': 'Histogramme des dates de publication' });
  let dragFrom = -1;
  const bars = [];
  const choose = (i, j) => {
    const a = Math.min(i, j), b = Math.max(i, j);
    const value = a === b ? buckets[a].value : buckets[a].value + '..' + buckets[b].value;
    go({ date: s.date === value ? '' : value, page: 1 });
  };
  const paint = (i, j) => bars.forEach((r, k) => r.classList.toggle('selecting', i >= 0 && k >= Math.min(i, j) && k <= Math.max(i, j)));
  buckets.forEach((b, i) => {
    const h = b.count ? Math.max(2, (b.count / max) * H) : 0;
    const g = svg('g', { class: 'bar', tabindex: '0', role: 'button', 'aria-label': `${b.value} : ${b.count} article(s)` });
    const hit = svg('rect', { x: i * bw, y: 0, width: bw, height: H, class: 'bar-zone' });
    const r = svg('rect', { x: i * bw + bw * 0.1, y: H - h, width: Math.max(bw * 0.8, 0.5), height: h, class: 'bar-fill' });
    const t = svg('title', {});
    t.textContent = `${b.value} : ${number(b.count)}`;
    g.append(hit, r, t);
    g.addEventListener('pointerdown', (e) => { e.preventDefault(); dragFrom = i; paint(i, i); });
    g.addEventListener('pointerenter', () => { if (dragFrom >= 0) paint(dragFrom, i); });
    g.addEventListener('pointerup', () => { if (dragFrom >= 0) { const from = dragFrom; dragFrom = -1; choose(from, i); } });
    g.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); choose(i, i); } });
    bars.push(g);
    chart.append(g);
  });
  chart.addEventListener('pointerleave', () => { dragFrom = -1; paint(-1, -1); });
  const label = (x, anchor, text) => {
    const t = svg('text', { x, y: H + 12, 'text-anchor': anchor, class: 'axis' });
    t.textContent = text;
    chart.append(t);
  };
  label(0, 'start', buckets[0].value);
  if (buckets.length > 1) label(W, 'end', buckets[buckets.length - 1].value);
  box.append(chart);
}

async function renderResults(s) {
  $('results-view').hidden = false;
  $('article-view').hidden = true;
  renderChips(s);
  const query = fullQuery(s);
  document.title = s.q ? s.q + ' – Dépêche' : 'Dépêche';
  if (!query && !s.like) {
    showStatus('Tapez une recherche : des mots, une "expression exacte", personne:Nom, date:2023…');
    for (const id of ['hits', 'pager', 'notes']) $(id).replaceChildren();
    $('suggestion').hidden = true;
    $('facets').hidden = true;
    $('toolbar').hidden = true;
    return;
  }
  showStatus('Recherche…');
  const params = new URLSearchParams({
    q: query, limit: String(PAGE_SIZE), offset: String((s.page - 1) * PAGE_SIZE), sort: s.sort,
    facets: '1', facet_limit: '15', markers: 'page', collapse: s.versions ? '0' : '1',
  });
  if (!query) params.delete('q');
  if (s.like) params.set('like', s.like);
  let r;
  try {
    r = await api('/api/search?' + params.toString());
  } catch (e) {
    if (e.name === 'AbortError') return;
    showStatus(e.message, true);
    for (const id of ['hits', 'pager', 'notes']) $(id).replaceChildren();
    $('facets').hidden = true;
    $('toolbar').hidden = true;
    $('suggestion').hidden = true;
    return;
  }
  const first = (s.page - 1) * PAGE_SIZE + 1, last = first + r.hits.length - 1;
  if (r.total === 0) showStatus('Aucun résultat');
  else if (!r.hits.length) showStatus(`Pas de résultat sur cette page (${number(r.total)} en tout)`);
  else showStatus(`Résultats ${number(first)} à ${number(last)} sur ${number(r.total)}` + (r.total_exact ? '' : ' (estimation)'));
  const sug = $('suggestion');
  sug.replaceChildren();
  sug.hidden = !r.suggestion;
  if (r.suggestion) {
    const a = el('a', { href: stateUrl(Object.assign({}, s, { q: r.suggestion, page: 1 })) }, r.suggestion);
    a.addEventListener('click', (e) => { e.preventDefault(); $('q').value = r.suggestion; go({ q: r.suggestion, page: 1 }); });
    sug.append('Vouliez-vous dire : ', a, ' ?');
  }
  $('notes').replaceChildren(...(r.notes || []).map((n) => el('li', {}, n)));
  $('toolbar').hidden = r.total === 0;
  $('sort').value = s.sort;
  $('collapse').checked = !s.versions;
  $('export').href = '/api/export.csv?' + new URLSearchParams({ q: query, sort: s.sort }).toString();
  $('export').hidden = !!s.like;  // the export takes a query only
  renderHits(s, r);
  renderPager(s, r.total);
  $('facets').hidden = !r.facets || r.total === 0;
  if (r.facets) {
    renderPeople(s, r.facets.people);
    renderHistogram(s, r.facets.dates, r.facets.date_interval);
    renderMentioned(s, r.facets.mentioned);
  }
}

// ---- Article view ---------------------------------------------------------------------------
async function renderArticle(s) {
  $('results-view').hidden = true;
  const view = $('article-view');
  view.hidden = false;
  for (const id of ['article-title', 'article-meta', 'article-people', 'article-dates', 'article-text', 'article-link'])
    $(id).replaceChildren();
  $('article-title').textContent = 'Chargement…';
  let a;
  try {
    const params = new URLSearchParams({ markers: 'page' });
    const query = fullQuery(s);
    if (query) params.set('q', query);
    a = await api('/api/article/' + encodeURIComponent(s.article) + '?' + params.toString());
  } catch (e) {
    if (e.name === 'AbortError') return;
    $('article-title').textContent = e.status === 404 ? 'Article introuvable' : e.message;
    return;
  }
  document.title = (a.title || 'Article') + ' – Dépêche';
  $('article-title').textContent = a.title || '(sans titre)';
  $('article-meta').textContent = [formatDate(a.date), a.source, a.author].filter(Boolean).join(' · ');
  if (a.people.length) {
    const list = el('ul', { class: 'inline-list' });
    for (const p of a.people)
      list.append(el('li', {}, el('span', {}, p), ' ', el('button', {
        type: 'button', class: 'link', onclick: () => go({ article: '', q: '', people: [p], date: '', mentioned: '', page: 1 }),
      }, 'rechercher cette personne')));
    $('article-people').append(el('h2', {}, 'Personnes'), list);
  }
  if (a.mentioned.length) {
    $('article-dates').append(el('h2', {}, 'Dates mentionnées'),
      el('p', {}, a.mentioned.join(', ')));
  }
  const text = $('article-text');
  for (const para of (a.highlighted || a.text).split(/\n\s*\n/))
    if (para.trim()) text.append(marked(el('p', {}), para));
  $('article-link').append(el('button', {
    type: 'button', class: 'link', onclick: () => go({ article: '', q: '', people: [], date: '', mentioned: '', like: a.id, page: 1 }),
  }, 'Articles semblables'), ' ');
  if (a.url && /^https?:\/\//i.test(a.url))
    $('article-link').append(el('a', { href: a.url, rel: 'noopener noreferrer nofollow' }, 'Lire à la source'));
  $('back').focus();
}

// ---- Wiring -----------------------------------------------------------------------------------
function render() {
  const s = readState();
  $('q').value = s.q;
  if (s.article) renderArticle(s);
  else renderResults(s);
}

$('search-form').addEventListener('submit', (e) => {
  e.preventDefault();
  go({ q: $('q').value, page: 1, article: '', versions: false });
});
$('sort').addEventListener('change', () => go({ sort: $('sort').value, page: 1 }));
$('collapse').addEventListener('change', () => go({ versions: !$('collapse').checked, page: 1 }));
$('back').addEventListener('click', (e) => {
  e.preventDefault();
  if (history.state && history.state.fromResults) history.back();
  else go({ article: '' });
});
$('home').addEventListener('click', (e) => { e.preventDefault(); $('q').value = ''; history.pushState(null, '', '/'); render(); });
window.addEventListener('popstate', render);
document.addEventListener('pointerup', () => document.querySelectorAll('.selecting').forEach((b) => b.classList.remove('selecting')));
render();
