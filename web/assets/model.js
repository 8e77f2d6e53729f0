// What each view shows, computed from the store and the catalog, apart from the DOM: the rows of
// the overview, an indicator's months, the completeness grid. Numbers stay numbers here; the views
// format them (format.js).

import { daysOf, lastYear, monthPeriod, parsePeriod, subPeriodsOf } from './periods.js';

// The units expected to report `indicator` for `period`: those of its expected_units whose validity
// (valid_from..valid_to, empty: open) overlaps the period's days. Catalog::ExpectedUnits's rule
// (core/catalog.h), which an aggregate's units_expected counts, for a period with no aggregate yet.
function expectedUnitsOf(catalog, indicator, period) {
  const { first, last } = daysOf(period);
  const units = new Map(catalog.units.map((u) => [u.code, u]));
  return indicator.expected_units.filter((code) => {
    const { valid_from: from, valid_to: to } = units.get(code);
    return (!from || from <= last) && (!to || first <= to);
  });
}

// One indicator in one chosen period.
export function rowOf(store, catalog, indicator, choice) {
  const aggregate = store.get(indicator.id, choice.period);
  const row = {
    indicator: indicator.id, name: indicator.name, unit: indicator.unit, sector: indicator.sector,
    part: indicator.part_of !== '', period: choice.period, kind: choice.kind, hasValue: aggregate !== null,
    value: null, pctOfPlan: null, yoy: null, unitsReported: 0, unitsExpected: expectedUnitsOf(catalog, indicator, choice.period).length,
    partial: false, partialReason: '', partialReasonVi: '', derived: false, subPeriods: null, warnings: [], seq: 0,
  };
  if (!aggregate) return row;
  Object.assign(row, {
    pctOfPlan: aggregate.pct_of_plan, unitsReported: aggregate.units_reported, unitsExpected: aggregate.units_expected,
    // The node says the warnings and the reason in both languages (cli/aggregate_json.h).
    partial: aggregate.partial, partialReason: aggregate.partial_reason || '', partialReasonVi: aggregate.partial_text_vi || '',
    derived: aggregate.derived, warnings: aggregate.warnings, seq: aggregate.seq,
  });
  if (choice.kind === 'ytd') {
    row.value = aggregate.ytd_value;
    // Against the same months of last year, from its own year to date.
    const before = store.get(indicator.id, lastYear(choice.period));
    row.yoy = before && before.ytd_value && aggregate.ytd_value !== null ? (aggregate.ytd_value / before.ytd_value - 1) * 100 : null;
  } else {
    row.value = aggregate.value;
    row.yoy = aggregate.yoy_pct;
  }
  // A derived value is only as complete as the shorter periods it is built from.
  const parts = subPeriodsOf(choice);
  if (parts.length > 0 && (aggregate.derived || choice.kind === 'ytd')) {
    row.subPeriods = { present: parts.filter((p) => store.get(indicator.id, p) !== null).length, total: parts.length };
  }
  return row;
}

// The overview: each sector of the catalog, in its order, with a row per indicator.
export function overviewModel(store, catalog, choice) {
  return catalog.sectors.map((sector) => ({
    sector,
    rows: catalog.indicators.filter((i) => i.sector === sector.code).map((i) => rowOf(store, catalog, i, choice)),
  }));
}

// An indicator's twelve months of a year and of the year before (null where none is held).
export function monthsModel(store, indicator, year) {
  const series = (y) => Array.from({ length: 12 }, (_, i) => store.get(indicator, monthPeriod(y, i + 1))?.value ?? null);
  return { year, thisYear: series(year), lastYear: series(year - 1) };
}

// The completeness grid of GET /api/v1/completeness: units (rows, catalog order) x sectors
// (columns, catalog order), each cell {expected, reported, late, overdue} or null, and what is late
// or overdue, by unit.
export function completenessModel(answer, catalog) {
  const cells = new Map(answer.cells.map((c) => [`${c.reporting_unit}|${c.sector}`, c]));
  // Only who owes something this period, and where.
  const sectors = catalog.sectors.filter((s) => answer.cells.some((c) => c.sector === s.code && c.expected > 0));
  const units = catalog.units.filter((u) => answer.cells.some((c) => c.reporting_unit === u.code && c.expected > 0));
  // What is late or overdue, unit by unit.
  const late = units.map((u) => ({
    unit: u.name,
    items: sectors.map((sector) => ({ sector, cell: cells.get(`${u.code}|${sector.code}`) }))
      .filter(({ cell }) => cell && (cell.overdue > 0 || cell.late > 0))
      .map(({ sector, cell }) => ({ sector, overdue: cell.overdue, late: cell.late })),
  })).filter((u) => u.items.length > 0);
  return { period: answer.period, units, sectors, cell: (unit, sector) => cells.get(`${unit}|${sector}`) ?? null, late };
}

// The comparable groups of GET /api/v1/aggregates/{indicator}/{period}/groups (docs/DATA-MODEL.md,
// "Units that change"), named from the catalog: each group's units of the period and of the same
// span a year earlier, each side's sum and how many of its units are in, and the change. `after` is
// empty for a unit no reorganization touched: it is compared with itself. A code the catalog does
// not name is shown as it is.
export function groupsModel(answer, catalog) {
  const nameOf = unitNamer(catalog);
  const groups = answer.groups.map((g) => {
    const itself = g.units_after.length === g.units_before.length && g.units_after.every((u, i) => u === g.units_before[i]);
    return {
      key: g.units_after.join(','), before: g.units_before.map(nameOf), after: itself ? [] : g.units_after.map(nameOf),
      value: g.value, unitsReported: g.units_reported, unitsExpected: g.units_expected,
      previousValue: g.previous_value, previousUnitsReported: g.previous_units_reported,
      previousUnitsExpected: g.previous_units_expected, change: g.change_pct, partial: g.partial,
    };
  });
  return { period: answer.period, previousPeriod: answer.groups[0]?.previous_period ?? null, groups };
}

// The rows of an export of an indicator's groups, one per group: the columns of `tonghop query --by
// group --format csv` (units by code), then both sides' names for the office's spreadsheet.
export function groupExportRows(answer, catalog) {
  const nameOf = unitNamer(catalog);
  return answer.groups.map((g) => ({
    indicator: g.indicator, period: g.period, units_after: g.units_after.join(','), value: g.value,
    units_reported: g.units_reported, units_expected: g.units_expected, previous_period: g.previous_period,
    units_before: g.units_before.join(','), previous_value: g.previous_value,
    previous_units_reported: g.previous_units_reported, previous_units_expected: g.previous_units_expected,
    change_pct: g.change_pct, flags: g.partial ? 'partial' : '',
    names_after: g.units_after.map(nameOf).join(', '), names_before: g.units_before.map(nameOf).join(', '),
  }));
}

export const GROUP_EXPORT_COLUMNS = ['indicator', 'period', 'units_after', 'value', 'units_reported', 'units_expected',
  'previous_period', 'units_before', 'previous_value', 'previous_units_reported', 'previous_units_expected', 'change_pct',
  'flags', 'names_after', 'names_before'];

// A unit's name in the catalog; its code when the catalog does not know it (one older than the
// aggregator's).
function unitNamer(catalog) {
  const names = new Map(catalog.units.map((u) => [u.code, u.name]));
  return (code) => names.get(code) ?? code;
}

// The rows a CSV or JSON export of the overview holds: exact numbers, one line per indicator.
export function exportRows(sections) {
  return sections.flatMap(({ sector, rows }) => rows.filter((r) => r.hasValue).map((r) => ({
    sector: sector.code, indicator: r.indicator, name: r.name, period: r.period,
    measure: r.kind === 'ytd' ? 'year_to_date' : 'period', value: r.value, unit: r.unit,
    pct_of_plan: r.pctOfPlan, yoy_pct: r.yoy, units_reported: r.unitsReported, units_expected: r.unitsExpected,
    partial: r.partial, warnings: r.warnings.map((w) => w.text).join('; '),
  })));
}

export const EXPORT_COLUMNS = ['sector', 'indicator', 'name', 'period', 'measure', 'value', 'unit', 'pct_of_plan',
  'yoy_pct', 'units_reported', 'units_expected', 'partial', 'warnings'];

// The year of a period, for the months view.
export function yearOf(period) {
  return parsePeriod(period)?.year ?? null;
}
