// The page's views, built from the models of model.js: the overview by sector, one indicator (its
// comparable groups, months, units and revisions), the completeness grid, and the live marker.
// Every cell the tests and people read carries a class (value, plan, yoy, complete, warnings) and
// every row its indicator (data-indicator).

import { fill, h } from './dom.js';
import {
  formatChange, formatDateTime, formatDuration, formatNumber, formatPercent, periodName, yearToDateName,
} from './format.js';
import { sectorTitle, t } from './i18n.js';

export function choiceName(choice, lang) {
  return choice.kind === 'ytd' ? yearToDateName(choice.period, lang) : periodName(choice.period, lang);
}

function changeClass(value) {
  if (typeof value !== 'number' || Math.abs(value) < 0.005) return 'flat';
  return value > 0 ? 'up' : 'down';
}

function completenessText(row, lang) {
  const parts = [`${row.unitsReported}/${row.unitsExpected} ${t(lang, 'units_word')}`];
  if (row.subPeriods) parts.push(`${row.subPeriods.present}/${row.subPeriods.total} ${t(lang, 'months_word')}`);
  if (row.partialReason) parts.push(partialText(row, lang));
  return parts.join(' · ');
}

// Why a total is partial when some unit's figure is itself a partial total of the level below (a
// relayed province): the node's Vietnamese text, as `watch` and `report` say it; in English its
// reason, which also says who is missing further down.
export function partialText(row, lang) {
  return lang === 'en' ? row.partialReason : row.partialReasonVi;
}

function planCell(pct, lang) {
  const fillBar = h('span', { class: 'fill' });
  const known = typeof pct === 'number';
  if (known) fillBar.style.width = `${Math.max(0, Math.min(100, pct))}%`;
  return h('td', { class: 'plan' }, h('span', { class: known ? 'bar' : 'bar none', 'aria-hidden': 'true' }, fillBar),
    h('span', { class: 'num' }, formatPercent(pct, lang)));
}

function warningsCell(warnings, lang) {
  if (warnings.length === 0) return h('td', { class: 'warnings' });
  return h('td', { class: 'warnings has' },
    h('ul', {}, warnings.map((w) => h('li', { title: w.text }, `⚠ ${warningText(w, lang)}`))));
}

// A validation warning in the page's language: the node's text in English, and in Vietnamese the
// report's phrase that the node sends beside it (cli/warning_text.h), with the English as tooltip.
export function warningText(warning, lang) {
  return lang === 'en' ? warning.text : warning.text_vi;
}

// One indicator's row of the overview; `link` is where its name leads.
export function rowElement(row, lang, link) {
  if (!row.hasValue) {
    return h('tr', { dataset: { indicator: row.indicator }, class: `nodata${row.part ? ' part' : ''}` },
      h('td', { class: 'name' }, h('a', { href: link }, row.name)),
      h('td', { class: 'value', colspan: 5 }, t(lang, 'no_data')));
  }
  return h('tr', { dataset: { indicator: row.indicator, seq: row.seq }, class: row.part ? 'part' : null },
    h('td', { class: 'name' }, h('a', { href: link }, row.name)),
    h('td', { class: 'value' }, h('span', { class: 'num' }, formatNumber(row.value, lang)), ' ',
      h('span', { class: 'unit' }, row.unit)),
    planCell(row.pctOfPlan, lang),
    h('td', { class: `yoy ${changeClass(row.yoy)}` }, formatChange(row.yoy, lang)),
    h('td', { class: `complete${row.partial || (row.subPeriods && row.subPeriods.present < row.subPeriods.total) ? ' partial' : ''}` },
      completenessText(row, lang)),
    warningsCell(row.warnings, lang));
}

function totalsHead(lang) {
  return h('thead', {}, h('tr', {}, ['name', 'value', 'plan', 'yoy', 'complete', 'warnings'].map((k) =>
    h('th', { class: k, scope: 'col' }, t(lang, k)))));
}

// The overview; returns the rows' elements by indicator, for updates in place.
export function renderOverview(container, sections, lang, linkOf) {
  const rows = new Map();
  fill(container, sections.map(({ sector, rows: sectorRows }, i) => {
    const body = h('tbody', {}, sectorRows.map((row) => {
      const element = rowElement(row, lang, linkOf(row.indicator));
      rows.set(row.indicator, element);
      return element;
    }));
    return h('section', { class: 'sector', dataset: { sector: sector.code } },
      h('h2', {}, `${i + 1}. ${sectorTitle(lang, sector)}`),
      h('table', { class: 'totals' }, totalsHead(lang), body));
  }));
  return rows;
}

// An indicator's page: its row, then the places the comparable groups, months, units and
// revisions go. `withGroups`: the groups' place, for an indicator summed over units (the others
// have no group sums).
export function renderIndicatorFrame(container, indicator, row, lang, withGroups) {
  const parts = {
    summary: h('table', { class: 'totals' }, totalsHead(lang), h('tbody', {}, rowElement(row, lang, '#'))),
    units: h('div', { class: 'panel-body' }, t(lang, 'loading')),
    months: h('div', { class: 'panel-body' }),
    groups: withGroups ? h('div', { class: 'panel-body' }, t(lang, 'loading')) : null,
    history: h('div', { class: 'panel-body' }, t(lang, 'loading')),
  };
  fill(container,
    h('h2', { class: 'indicator-title' }, indicator.name, h('span', { class: 'muted' }, ` (${indicator.unit}) · ${indicator.id}`)),
    parts.summary,
    h('div', { class: 'panels' },
      // First: each place against a year earlier is what the office reads an indicator's page for.
      withGroups ? h('section', { class: 'panel groups wide' }, h('h3', {}, t(lang, 'by_group')), parts.groups) : null,
      // The months across the page: twelve columns of figures do not fit half of it.
      h('section', { class: 'panel months wide' }, h('h3', { class: 'months-title' }), parts.months),
      h('section', { class: 'panel units' }, h('h3', {}, t(lang, 'by_unit')), parts.units),
      h('section', { class: 'panel history' }, h('h3', {}, t(lang, 'history')), parts.history)));
  return parts;
}

// Chart.js when the node serves it (Debian's libjs-chart.js), else nothing: the tables say it all.
function chart(canvas, config, lang) {
  if (!globalThis.Chart) return null;
  return new globalThis.Chart(canvas, {
    ...config,
    options: { animation: false, responsive: true, maintainAspectRatio: false, locale: lang === 'en' ? 'en-GB' : 'vi-VN', ...config.options },
  });
}

export function renderUnits(target, answer, indicator, lang) {
  const reported = answer.units.filter((u) => u.value !== null);
  const canvas = h('canvas', { 'aria-label': t(lang, 'by_unit'), role: 'img' });
  fill(target,
    h('div', { class: 'chart' }, canvas),
    h('table', { class: 'plain' },
      h('thead', {}, h('tr', {}, h('th', {}, t(lang, 'unit')), h('th', { class: 'value' }, `${t(lang, 'value')} (${indicator.unit})`))),
      h('tbody', {}, answer.units.map((u) => h('tr', { dataset: { unit: u.reporting_unit }, class: u.value === null ? 'nodata' : null },
        h('td', {}, u.name),
        h('td', { class: 'value' }, u.value === null ? t(lang, 'not_reported')
          : [formatNumber(u.value, lang), u.derived ? h('span', { class: 'muted', title: t(lang, 'derived') }, ' *') : null,
             u.derived && !u.complete ? h('span', { class: 'partial', title: t(lang, 'incomplete') }, ' !') : null]))))));
  return chart(canvas, {
    type: 'bar',
    data: { labels: reported.map((u) => u.name), datasets: [{ label: indicator.unit, data: reported.map((u) => u.value), backgroundColor: '#2f6fb0' }] },
    options: { indexAxis: 'y', plugins: { legend: { display: false } } },
  }, lang);
}

export function renderMonths(target, title, months, indicator, lang) {
  title.textContent = t(lang, 'months_compare', { year: months.year, last: months.year - 1 });
  const labels = Array.from({ length: 12 }, (_, i) => t(lang, 'month_short', { n: i + 1 }));
  const canvas = h('canvas', { 'aria-label': title.textContent, role: 'img' });
  fill(target,
    h('div', { class: 'chart' }, canvas),
    h('table', { class: 'plain months-table' },
      h('thead', {}, h('tr', {}, h('th', {}), labels.map((l) => h('th', { class: 'value' }, l)))),
      h('tbody', {}, [[months.year, months.thisYear], [months.year - 1, months.lastYear]].map(([year, series]) =>
        h('tr', { dataset: { year } }, h('th', { scope: 'row' }, String(year)),
          series.map((v) => h('td', { class: 'value' }, formatNumber(v, lang))))))));
  return chart(canvas, {
    type: 'line',
    data: {
      labels,
      datasets: [
        { label: t(lang, 'this_year', { year: months.year }), data: months.thisYear, spanGaps: true, borderColor: '#b3261e', backgroundColor: '#b3261e' },
        { label: t(lang, 'this_year', { year: months.year - 1 }), data: months.lastYear, spanGaps: true, borderDash: [4, 4], borderColor: '#6b6560', backgroundColor: '#6b6560' },
      ],
    },
  }, lang);
}

// One side of a group: its sum, and how many of its units are in ("50 1/14").
function groupSide(value, reported, expected, lang) {
  return [h('span', { class: 'num' }, formatNumber(value, lang)),
    h('span', { class: reported < expected ? 'count partial' : 'count' }, ` ${reported}/${expected}`)];
}

// The comparable groups (model.js groupsModel): who the group was a year earlier, who it is now
// (the list folded away: a group can hold fourteen communes), each side's sum, and the change. A
// list someone unfolded stays so when a live change draws the groups again.
// `onExport`: the button under the table that saves the groups as CSV.
export function renderGroups(target, model, lang, onExport) {
  const unfolded = new Set([...target.querySelectorAll('tr[data-group] details[open]')].map((d) => d.closest('tr').dataset.group));
  if (model.groups.length === 0) {
    fill(target, h('p', { class: 'empty' }, t(lang, 'no_groups')));
    return;
  }
  const [now, before, change] = [periodName(model.period, lang), periodName(model.previousPeriod, lang), t(lang, 'yoy')];
  fill(target,
    h('p', { class: 'muted note' }, t(lang, 'groups_note')),
    h('table', { class: 'plain groups-table' },
      h('thead', {}, h('tr', {},
        h('th', { class: 'group', scope: 'col' }, t(lang, 'group')),
        h('th', { class: 'value', scope: 'col' }, now),
        h('th', { class: 'previous value', scope: 'col' }, before),
        h('th', { class: 'yoy', scope: 'col' }, change))),
      h('tbody', {}, model.groups.map((g) => h('tr', { dataset: { group: g.key }, class: g.partial ? 'partial' : null },
        h('th', { class: 'group', scope: 'row' }, g.before.join(', '),
          g.after.length === 0 ? null
            : h('details', { open: unfolded.has(g.key) }, h('summary', {}, t(lang, 'now_units', { count: g.after.length })),
              g.after.join(', '))),
        // data-label: a phone shows each row as a card, without the head (app.css).
        h('td', { class: 'value', 'data-label': now }, groupSide(g.value, g.unitsReported, g.unitsExpected, lang)),
        h('td', { class: 'previous value', 'data-label': before },
          groupSide(g.previousValue, g.previousUnitsReported, g.previousUnitsExpected, lang)),
        h('td', { class: `yoy ${changeClass(g.change)}`, 'data-label': change }, formatChange(g.change, lang)))))),
    h('p', { class: 'panel-actions' }, h('button', { type: 'button', class: 'export-groups', onclick: onExport },
      t(lang, 'export_groups'))));
}

export function renderHistory(target, answer, lang) {
  fill(target, h('table', { class: 'plain' },
    h('thead', {}, h('tr', {}, ['time', 'unit', 'previous_value', 'new_value', 'province_value'].map((k) =>
      h('th', { class: k.endsWith('value') ? 'value' : null }, t(lang, k))))),
    h('tbody', {}, [...answer.revisions].reverse().map((r) => h('tr', {},
      h('td', {}, formatDateTime(r.cause.applied_at_ms || r.at_ms, lang)),
      h('td', {}, r.cause.name),
      h('td', { class: 'value' }, formatNumber(r.cause.previous_value, lang)),
      h('td', { class: 'value' }, r.cause.rejected ? `${formatNumber(r.cause.value, lang)} (${t(lang, 'rejected')})` : formatNumber(r.cause.value, lang)),
      h('td', { class: 'value' }, formatNumber(r.value, lang), ` (${r.units_reported}/${r.units_expected})`))))));
}

export function renderCompleteness(container, model, lang) {
  const grid = h('table', { class: 'grid' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t(lang, 'unit_sector')),
      model.sectors.map((s) => h('th', { scope: 'col', title: sectorTitle(lang, s) }, sectorTitle(lang, s))))),
    h('tbody', {}, model.units.map((u) => h('tr', { dataset: { unit: u.code } }, h('th', { scope: 'row' }, u.name),
      model.sectors.map((s) => {
        const cell = model.cell(u.code, s.code);
        if (!cell || cell.expected === 0) return h('td', { class: 'none' });
        const state = cell.overdue > 0 ? 'overdue' : cell.reported < cell.expected ? 'open' : cell.late > 0 ? 'late' : 'done';
        return h('td', { class: state, dataset: { sector: s.code } }, `${cell.reported}/${cell.expected}`,
          cell.overdue > 0 ? h('small', {}, ` ${cell.overdue} ${t(lang, 'overdue')}`) : null,
          cell.late > 0 ? h('small', {}, ` ${cell.late} ${t(lang, 'late')}`) : null);
      })))));
  fill(container,
    h('div', { class: 'grid-scroll' }, grid),
    h('section', { class: 'panel late-list' }, h('h3', {}, t(lang, 'what_is_late')),
      model.late.length === 0 ? h('p', {}, t(lang, 'nothing_late'))
        : h('dl', {}, model.late.map((l) => [
          h('dt', {}, l.unit),
          h('dd', {}, l.items.map((item, i) => h('span', { class: item.overdue > 0 ? 'overdue' : 'late' },
            i > 0 ? '; ' : '', `${sectorTitle(lang, item.sector)}: `,
            [item.overdue > 0 ? `${item.overdue} ${t(lang, 'overdue')}` : null,
             item.late > 0 ? `${item.late} ${t(lang, 'late')}` : null].filter(Boolean).join(', ')))),
        ]))));
}

// The marker: "Trực tiếp", or how long the page has been stale and why.
export function renderMarker(element, health, lang, nowMs) {
  element.dataset.state = health.state;
  element.dataset.reason = health.reason;
  let text;
  if (health.state === 'live') text = t(lang, 'live');
  else if (health.state === 'connecting') text = health.reason ? t(lang, `reason_${health.reason}`) : t(lang, 'connecting');
  else text = t(lang, 'stale_for', { duration: formatDuration(nowMs - health.staleSinceMs, lang), reason: t(lang, `reason_${health.reason}`) });
  if (element.textContent !== text) element.textContent = text;
}
