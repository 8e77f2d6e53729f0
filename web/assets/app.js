// The dashboard: wires the stream (live.js) into the store (store.js) and the views (views.js),
// and the controls into the address (#/overview?period=2017-Q1&kind=quarter), so that a view can
// be bookmarked, shared and put on a wall screen (?wall, ?lang=en).

import {
  EXPORT_COLUMNS, GROUP_EXPORT_COLUMNS, completenessModel, exportRows, groupExportRows, groupsModel, monthsModel,
  overviewModel, rowOf, yearOf,
} from './model.js';
import { choiceFromPeriod, choicesOf, lastYear, latestPeriod, subPeriodsOf } from './periods.js';
import { LANGUAGES, t } from './i18n.js';
import { LiveStream } from './live.js';
import { Store } from './store.js';
import { download, toCsv, toJson } from './csv.js';
import { fill, h } from './dom.js';
import {
  choiceName, renderCompleteness, renderGroups, renderHistory, renderIndicatorFrame, renderMarker, renderMonths,
  renderOverview, renderUnits, rowElement,
} from './views.js';
import { periodName } from './format.js';

const VIEWS = ['overview', 'indicator', 'completeness'];
const KINDS = ['quarter', 'month', 'ytd'];
const search = new URLSearchParams(location.search);

const state = {
  lang: LANGUAGES.includes(search.get('lang')) ? search.get('lang') : localStorage.getItem('tonghop.lang') ?? 'vi',
  route: parseRoute(location.hash),
  catalog: null,
  store: new Store(),
  health: { state: 'connecting', reason: '', staleSinceMs: null },
  dirty: new Set(),       // "indicator|period" changed since the last flush
  flushTimer: null,
  knownPeriods: 0,
  rows: new Map(),        // overview rows by indicator, for updates in place
  indicatorParts: null,   // the indicator view's places
  charts: [],
  refetchTimer: null,
  exported: null,         // () => {name, rows, columns}: what the export buttons write
};

const $ = (id) => document.getElementById(id);
const CSV_TYPE = 'text/csv;charset=utf-8';

function parseRoute(hash) {
  const [path, query] = hash.replace(/^#\/?/, '').split('?');
  const [view, id] = (path ?? '').split('/');
  const q = new URLSearchParams(query ?? '');
  return {
    view: VIEWS.includes(view) ? view : 'overview',
    indicator: id ? decodeURIComponent(id) : null,
    period: q.get('period'),
    kind: KINDS.includes(q.get('kind')) ? q.get('kind') : null,
  };
}

function hashOf(route) {
  const q = new URLSearchParams();
  if (route.period) q.set('period', route.period);
  if (route.kind) q.set('kind', route.kind);
  const path = route.view === 'indicator' && route.indicator ? `indicator/${encodeURIComponent(route.indicator)}` : route.view;
  return `#/${path}?${q}`;
}

function go(changes) {
  location.hash = hashOf({ ...state.route, ...changes });
}

// What is shown: the period of the address, else the latest quarter (or month) the store holds.
function choice() {
  const period = state.route.period ?? latestPeriod(state.store.periods());
  if (!period) return null;
  const kind = state.route.kind ?? (period.includes('Q') ? 'quarter' : 'month');
  return choiceFromPeriod(period, kind);
}

async function api(path) {
  const response = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (response.status === 401) {
    askToken(document.cookie.includes('tonghop_token='));
    throw new Error(t(state.lang, 'token_title'));
  }
  const body = await response.json();
  if (!response.ok) throw new Error(body.error?.message ?? response.statusText);
  return body;
}

function askToken(wrong) {
  const dialog = $('token-dialog');
  $('token-wrong').hidden = !wrong;
  if (!dialog.open) dialog.showModal();
}

function saveToken(event) {
  event.preventDefault();
  const token = $('token-input').value.trim();
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `tonghop_token=${encodeURIComponent(token)}; path=/; SameSite=Strict${secure}`;
  location.reload();
}

function linkOf(indicator) {
  return hashOf({ ...state.route, view: 'indicator', indicator });
}

// --- Rendering ---

function renderChrome() {
  document.documentElement.lang = state.lang;
  document.title = t(state.lang, 'title');
  for (const element of document.querySelectorAll('[data-text]')) element.textContent = t(state.lang, element.dataset.text);
  for (const tab of document.querySelectorAll('nav.tabs a')) {
    tab.classList.toggle('active', tab.dataset.view === state.route.view);
    tab.href = hashOf({ ...state.route, view: tab.dataset.view });
  }
  for (const button of document.querySelectorAll('.languages button')) {
    button.classList.toggle('active', button.dataset.lang === state.lang);
  }
  renderPicker();
  renderMarker($('live-marker'), state.health, state.lang, Date.now());
}

function renderPicker() {
  const current = choice();
  const kind = current?.kind ?? 'quarter';
  const kindSelect = $('kind');
  fill(kindSelect, KINDS.map((k) => h('option', { value: k, selected: k === kind }, t(state.lang, `kind_${k}`))));
  const periods = choicesOf(state.store.periods(), kind);
  if (current && !periods.includes(current.period)) periods.unshift(current.period);
  fill($('period'), periods.map((p) => h('option', { value: p, selected: p === current?.period },
    kind === 'ytd' ? choiceName({ kind, period: p }, state.lang) : periodName(p, state.lang))));
  state.knownPeriods = state.store.periods().length;
  const period = current?.period;
  $('report-html').href = period ? `/api/v1/report?period=${period}&format=html` : '#';
  $('report-md').href = period ? `/api/v1/report?period=${period}&format=md` : '#';
}

function destroyCharts() {
  for (const c of state.charts) c?.destroy();
  state.charts = [];
}

function render() {
  renderChrome();
  destroyCharts();
  const main = $('main');
  const current = choice();
  state.rows = new Map();
  state.indicatorParts = null;
  if (!state.catalog) return;
  if (!current) {
    fill(main, h('p', { class: 'empty' }, t(state.lang, 'no_period')));
    $('heading').textContent = '';
    return;
  }
  $('heading').textContent = choiceName(current, state.lang);
  if (state.route.view === 'overview') renderOverviewView(main, current);
  else if (state.route.view === 'indicator') renderIndicatorView(main, current);
  else renderCompletenessView(main, current);
}

function renderOverviewView(main, current) {
  const sections = overviewModel(state.store, state.catalog, current);
  state.rows = renderOverview(main, sections, state.lang, linkOf);
  state.exported = () => ({ name: `tong-hop-${current.period}`, rows: exportRows(overviewModel(state.store, state.catalog, current)), columns: EXPORT_COLUMNS });
}

function indicatorOfRoute() {
  return state.catalog.indicators.find((i) => i.id === state.route.indicator) ?? null;
}

function renderIndicatorView(main, current) {
  const indicator = indicatorOfRoute();
  if (!indicator) {
    fill(main, h('p', { class: 'empty' }, t(state.lang, 'choose_indicator')));
    return;
  }
  state.indicatorParts = renderIndicatorFrame(main, indicator, rowOf(state.store, state.catalog, indicator, current), state.lang,
    hasGroups(indicator, current));
  refreshMonths(indicator, current);
  fetchIndicatorDetails(indicator, current);
  state.exported = () => ({ name: `${indicator.id}-${current.period}`, rows: state.indicatorParts?.unitRows ?? [],
                             columns: ['reporting_unit', 'name', 'value', 'derived', 'complete'] });
}

function refreshMonths(indicator, current) {
  const parts = state.indicatorParts;
  const title = parts.months.parentElement.querySelector('.months-title');
  state.charts.push(renderMonths(parts.months, title, monthsModel(state.store, indicator.id, yearOf(current.period)), indicator, state.lang));
}

// Groups have sums only for an indicator summed over units, and compare a period with the same
// span a year earlier: not a year to date.
function hasGroups(indicator, current) {
  return indicator.space_aggregation === 'sum' && current.kind !== 'ytd';
}

async function fetchIndicatorDetails(indicator, current) {
  const parts = state.indicatorParts;
  const base = `/api/v1/aggregates/${encodeURIComponent(indicator.id)}/${current.period}`;
  const [units, history, groups] = await Promise.allSettled([api(`${base}/units`), api(`${base}/history`),
    parts.groups ? api(`${base}/groups`) : null]);
  if (state.indicatorParts !== parts) return;  // the page moved on meanwhile
  if (parts.groups) {
    if (groups.status === 'fulfilled') {
      renderGroups(parts.groups, groupsModel(groups.value, state.catalog), state.lang, () =>
        download(`${indicator.id}-${current.period}-theo-nhom.csv`,
                 toCsv(groupExportRows(groups.value, state.catalog), GROUP_EXPORT_COLUMNS), CSV_TYPE));
    } else {
      fill(parts.groups, h('p', { class: 'error' }, t(state.lang, 'error', { message: groups.reason.message })));
    }
  }
  if (units.status === 'fulfilled') {
    parts.unitRows = units.value.units;
    state.charts.push(renderUnits(parts.units, units.value, indicator, state.lang));
  } else {
    fill(parts.units, h('p', { class: 'error' }, t(state.lang, 'error', { message: units.reason.message })));
  }
  if (history.status === 'fulfilled') renderHistory(parts.history, history.value, state.lang);
  else fill(parts.history, h('p', { class: 'error' }, t(state.lang, 'error', { message: history.reason.message })));
}

async function renderCompletenessView(main, current) {
  fill(main, h('p', {}, t(state.lang, 'loading')));
  const period = current.period;
  try {
    const answer = await api(`/api/v1/completeness?period=${period}`);
    if (state.route.view !== 'completeness') return;
    renderCompleteness(main, completenessModel(answer, state.catalog), state.lang);
    state.exported = () => ({ name: `tien-do-${period}`, rows: answer.cells,
                               columns: ['reporting_unit', 'sector', 'expected', 'reported', 'late', 'overdue'] });
  } catch (error) {
    fill(main, h('p', { class: 'error' }, t(state.lang, 'error', { message: error.message })));
  }
}

// --- Live changes: collected, then applied at most ten times a second ---

function scheduleFlush() {
  if (state.flushTimer === null) state.flushTimer = setTimeout(flush, 100);
}

// Whether a change of `period` shows in the current choice.
function touches(period, current) {
  return period === current.period || subPeriodsOf(current).includes(period) ||
    (current.kind === 'ytd' && period === lastYear(current.period));
}

function flush() {
  state.flushTimer = null;
  const changed = [...state.dirty].map((key) => key.split('|'));
  state.dirty.clear();
  const before = choice();
  if (!before || state.store.periods().length !== state.knownPeriods) renderPicker();
  const current = choice();
  if (!current) return;
  if (!before || $('main').childElementCount === 0) return render();
  const relevant = changed.filter(([, period]) => touches(period, current));
  if (state.route.view === 'overview') {
    for (const [indicatorId] of relevant) {
      const indicator = state.catalog.indicators.find((i) => i.id === indicatorId);
      const element = state.rows.get(indicatorId);
      if (!indicator || !element) continue;
      const updated = rowElement(rowOf(state.store, state.catalog, indicator, current), state.lang, linkOf(indicatorId));
      element.replaceWith(updated);
      state.rows.set(indicatorId, updated);
    }
  } else if (state.route.view === 'indicator' && state.indicatorParts) {
    const indicator = indicatorOfRoute();
    if (indicator && changed.some(([id]) => id === indicator.id)) {
      const summaryBody = state.indicatorParts.summary.querySelector('tbody');
      fill(summaryBody, rowElement(rowOf(state.store, state.catalog, indicator, current), state.lang, '#'));
      destroyCharts();
      refreshMonths(indicator, current);
      refetchSoon(() => fetchIndicatorDetails(indicator, current), 1000);
    }
  } else if (state.route.view === 'completeness' && relevant.length > 0) {
    refetchSoon(() => renderCompletenessView($('main'), current), 2000);
  }
}

function refetchSoon(what, delayMs) {
  clearTimeout(state.refetchTimer);
  state.refetchTimer = setTimeout(what, delayMs);
}

const handlers = {
  onSnapshot(snapshot) {
    state.store.applySnapshot(snapshot);
    render();
  },
  onVersion(aggregate) {
    if (state.store.applyVersion(aggregate)) {
      state.dirty.add(`${aggregate.indicator}|${aggregate.period}`);
      scheduleFlush();
    }
  },
  onHealth(health) {
    state.health = health;
    renderMarker($('live-marker'), health, state.lang, Date.now());
  },
};

function exportAs(format) {
  const exported = state.exported?.();
  if (!exported) return;
  if (format === 'csv') download(`${exported.name}.csv`, toCsv(exported.rows, exported.columns), CSV_TYPE);
  else download(`${exported.name}.json`, toJson(exported.rows), 'application/json');
}

async function main() {
  if (search.has('wall')) document.documentElement.classList.add('wall');
  $('kind').addEventListener('change', (e) => {
    const kind = e.target.value;
    const current = choice();
    const next = current ? choiceFromPeriod(current.period, kind) : null;
    go({ kind, period: next?.period ?? null });
  });
  $('period').addEventListener('change', (e) => go({ period: e.target.value }));
  for (const button of document.querySelectorAll('.languages button')) {
    button.addEventListener('click', () => {
      state.lang = button.dataset.lang;
      localStorage.setItem('tonghop.lang', state.lang);
      render();
    });
  }
  $('export-csv').addEventListener('click', () => exportAs('csv'));
  $('export-json').addEventListener('click', () => exportAs('json'));
  $('token-form').addEventListener('submit', saveToken);
  window.addEventListener('hashchange', () => {
    state.route = parseRoute(location.hash);
    render();
  });
  renderChrome();
  try {
    state.catalog = await api('/api/v1/catalog');
  } catch (error) {
    fill($('main'), h('p', { class: 'error' }, t(state.lang, 'error', { message: error.message })));
    return;
  }
  render();
  new LiveStream({ url: '/api/v1/stream', handlers }).start();
}

main();
