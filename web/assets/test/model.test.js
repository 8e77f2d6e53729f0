import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import {
  GROUP_EXPORT_COLUMNS, completenessModel, exportRows, groupExportRows, groupsModel, monthsModel, overviewModel, rowOf,
} from '../model.js';
import { Store } from '../store.js';
import { toCsv } from '../csv.js';
import { aggregate, storeOf as store } from '../testing/fixtures.js';

const catalog = {
  sectors: [{ code: 'agriculture', title: 'Sản xuất nông nghiệp' }, { code: 'industry', title: 'Sản xuất công nghiệp' },
            { code: 'health', title: 'Y tế' }],
  indicators: [
    { id: 'agri.total', sector: 'agriculture', name: 'Tổng diện tích', unit: 'ha', part_of: '', expected_units: ['a', 'b'] },
    { id: 'agri.rice', sector: 'agriculture', name: 'Lúa xuân', unit: 'ha', part_of: 'agri.total', expected_units: ['a', 'b'] },
    { id: 'indus.index', sector: 'industry', name: 'Chỉ số', unit: '%', part_of: '', expected_units: ['c'] },
  ],
  units: [{ code: 'a', name: 'Cao Lộc' }, { code: 'b', name: 'Lộc Bình' }, { code: 'c', name: 'Sở Công Thương' },
          { code: 'd', name: 'Sở Y tế' }],
};

test('the overview has every sector and indicator of the catalog, figures or not', () => {
  const s = store(aggregate('agri.total', '2017-Q1', { value: 23134, pct_of_plan: 22.58, yoy_pct: 0, seq: 5 }));
  const sections = overviewModel(s, catalog, { kind: 'quarter', period: '2017-Q1' });
  assert.deepEqual(sections.map((x) => x.sector.code), ['agriculture', 'industry', 'health']);
  assert.deepEqual(sections[0].rows.map((r) => [r.indicator, r.hasValue, r.part]),
    [['agri.total', true, false], ['agri.rice', false, true]]);
  const row = sections[0].rows[0];
  assert.equal(row.value, 23134);
  assert.equal(row.pctOfPlan, 22.58);
  assert.equal(row.yoy, 0);
  assert.equal(row.subPeriods, null, 'reported for the quarter itself');
  assert.equal(sections[1].rows[0].unitsExpected, 1);
});

test("a derived quarter says how many of its months are in", () => {
  const s = store(
    aggregate('agri.total', '2017-Q1', { value: 30, derived: true, partial: true }),
    aggregate('agri.total', '2017-01', { value: 10 }),
    aggregate('agri.total', '2017-02', { value: 20 }));
  const row = rowOf(s, catalog, catalog.indicators[0], { kind: 'quarter', period: '2017-Q1' });
  assert.deepEqual(row.subPeriods, { present: 2, total: 3 });
  assert.equal(row.partial, true);
});

test('a total partial because the level below is partial says who is missing', () => {
  const s = store(aggregate('agri.total', '2017-Q1', { value: 30, partial: true, partial_reason: 'cao-bang: 1 of 2 units' }));
  const row = rowOf(s, catalog, catalog.indicators[0], { kind: 'quarter', period: '2017-Q1' });
  assert.equal(row.partialReason, 'cao-bang: 1 of 2 units');
  const empty = rowOf(store(aggregate('agri.total', '2017-Q1', { value: 30 })), catalog, catalog.indicators[0],
    { kind: 'quarter', period: '2017-Q1' });
  assert.equal(empty.partialReason, '');
});

test('the year to date shows the ytd value against last year\'s', () => {
  const s = store(
    aggregate('agri.total', '2017-02', { value: 20, ytd_value: 30, pct_of_plan: 10 }),
    aggregate('agri.total', '2016-02', { value: 10, ytd_value: 25 }),
    aggregate('agri.total', '2017-01', { value: 10 }));
  const row = rowOf(s, catalog, catalog.indicators[0], { kind: 'ytd', period: '2017-02' });
  assert.equal(row.value, 30);
  assert.equal(row.pctOfPlan, 10);
  assert.ok(Math.abs(row.yoy - 20) < 1e-9);
  assert.deepEqual(row.subPeriods, { present: 2, total: 2 });
});

test("an indicator's months of this year against last year", () => {
  const s = store(aggregate('agri.total', '2017-03', { value: 7 }), aggregate('agri.total', '2016-12', { value: 5 }));
  const months = monthsModel(s, 'agri.total', 2017);
  assert.equal(months.thisYear[2], 7);
  assert.equal(months.thisYear[0], null);
  assert.equal(months.lastYear[11], 5);
});

test('completeness: units by sectors, and what is late', () => {
  const model = completenessModel({
    period: '2017-Q1',
    cells: [
      { reporting_unit: 'a', sector: 'agriculture', expected: 2, reported: 2, late: 1, overdue: 0 },
      { reporting_unit: 'b', sector: 'agriculture', expected: 2, reported: 0, late: 0, overdue: 2 },
      { reporting_unit: 'c', sector: 'industry', expected: 1, reported: 1, late: 0, overdue: 0 },
      { reporting_unit: 'd', sector: 'health', expected: 0, reported: 0, late: 0, overdue: 0 },
    ],
  }, catalog);
  assert.deepEqual(model.units.map((u) => u.code), ['a', 'b', 'c']);
  assert.deepEqual(model.sectors.map((x) => x.code), ['agriculture', 'industry'], 'nothing owed in health');
  assert.equal(model.cell('b', 'agriculture').overdue, 2);
  assert.equal(model.cell('c', 'agriculture'), null);
  assert.deepEqual(model.late.map((l) => [l.unit, l.items.map((i) => [i.sector.code, i.overdue, i.late])]),
    [['Cao Lộc', [['agriculture', 0, 1]]], ['Lộc Bình', [['agriculture', 2, 0]]]]);
});

test('an export holds the exact numbers of the rows that have them', () => {
  const s = store(aggregate('agri.total', '2017-Q1', { value: 23134.5, pct_of_plan: 22.58, warnings: [{ rule: 'parts_sum', units: [], text: 'parts exceed' }] }));
  const rows = exportRows(overviewModel(s, catalog, { kind: 'quarter', period: '2017-Q1' }));
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0], {
    sector: 'agriculture', indicator: 'agri.total', name: 'Tổng diện tích', period: '2017-Q1', measure: 'period',
    value: 23134.5, unit: 'ha', pct_of_plan: 22.58, yoy_pct: null, units_reported: 2, units_expected: 2, partial: false,
    warnings: 'parts exceed',
  });
});

// Lạng Sơn's units as deploy/lang-son/units.csv lists them: 11 districts until 2025-06-30, 65
// communes and wards since 2025-07-01. core/catalog_test.cc (LangSonReportsByDistrictUntilJune2025-
// AndByCommuneAfter) asserts the same counts of Catalog::ExpectedUnits for these periods.
function langSonCatalog() {
  const text = readFileSync(new URL('../../../deploy/lang-son/units.csv', import.meta.url), 'utf8');
  const [header, ...rows] = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
  const columns = header.split(',');
  const units = rows.map((line) => {
    const fields = line.split(',');
    assert.equal(fields.length, columns.length, line);
    return Object.fromEntries(columns.map((c, i) => [c, fields[i]]));
  }).map((u) => ({ code: u.code, name: u.name_vi, kind: u.kind, valid_from: u.valid_from, valid_to: u.valid_to }));
  // Those agri.sown_area.total is reported_by (deploy/lang-son/indicators.csv).
  const local = units.filter((u) => ['district', 'city', 'commune', 'ward'].includes(u.kind)).map((u) => u.code);
  return { sectors: [{ code: 'agriculture', title: '' }], units,
           indicators: [{ id: 'agri.total', sector: 'agriculture', name: '', unit: 'ha', part_of: '', expected_units: local }] };
}

test('an indicator with no figures yet expects the units valid in the chosen period', () => {
  const langSon = langSonCatalog();
  const indicator = langSon.indicators[0];
  assert.equal(indicator.expected_units.length, 76);
  const expected = (choice) => rowOf(new Store(), langSon, indicator, choice).unitsExpected;
  assert.equal(expected({ kind: 'quarter', period: '2026-Q1' }), 65);
  assert.equal(expected({ kind: 'quarter', period: '2017-Q1' }), 11);
  assert.equal(expected({ kind: 'quarter', period: '2025-Q2' }), 11);
  assert.equal(expected({ kind: 'month', period: '2025-07' }), 65);
  // A year to date counts the units of its month, as the aggregate's units_expected does.
  assert.equal(expected({ kind: 'ytd', period: '2025-08' }), 65);
  assert.equal(expected({ kind: 'ytd', period: '2025-06' }), 11);
  const overview = overviewModel(new Store(), langSon, { kind: 'quarter', period: '2026-Q1' });
  assert.equal(overview[0].rows[0].unitsExpected, 65);
});

// GET /api/v1/aggregates/agri.herd.pigs/2026-Q1/groups, as tests/figures_test.cc has the aggregator
// answer it: Xã Cao Lộc's 50 against Cao Lộc district's 40 in their group, Bắc Sơn without figures.
test("the comparable groups name today's units and those they came from", () => {
  const langSon = langSonCatalog();
  const communes = ['phuong-dong-kinh', 'phuong-ky-lua', 'phuong-luong-van-tri', 'phuong-tam-thanh', 'xa-ba-son', 'xa-cao-loc',
    'xa-cong-son', 'xa-diem-he', 'xa-dong-dang', 'xa-khanh-khe', 'xa-tan-doan', 'xa-tri-le', 'xa-van-quan', 'xa-yen-phuc'];
  const answer = {
    indicator: 'agri.herd.pigs', period: '2026-Q1',
    groups: [
      { units_after: communes, value: 50, units_reported: 1, units_expected: 14, previous_period: '2025-Q1',
        units_before: ['cao-loc', 'lang-son-city', 'van-quan'], previous_value: 40, previous_units_reported: 1,
        previous_units_expected: 3, change_pct: 25, partial: true },
      { units_after: ['xa-bac-son'], value: null, units_reported: 0, units_expected: 1, previous_period: '2025-Q1',
        units_before: ['bac-son'], previous_value: null, previous_units_reported: 0, previous_units_expected: 1,
        change_pct: null, partial: true },
      { units_after: ['unknown-unit'], value: 7, units_reported: 1, units_expected: 1, previous_period: '2025-Q1',
        units_before: ['unknown-unit'], previous_value: 7, previous_units_reported: 1, previous_units_expected: 1,
        change_pct: 0, partial: false },
    ],
  };
  const model = groupsModel(answer, langSon);
  assert.equal(model.period, '2026-Q1');
  assert.equal(model.previousPeriod, '2025-Q1');
  assert.equal(model.groups.length, 3);
  const [first, second, third] = model.groups;
  assert.deepEqual(first.before, ['Cao Lộc', 'Thành phố Lạng Sơn', 'Văn Quan']);
  assert.equal(first.after.length, 14);
  assert.ok(first.after.includes('Xã Cao Lộc'), first.after.join(', '));
  assert.ok(first.after.includes('Phường Đông Kinh'), first.after.join(', '));
  assert.deepEqual([first.value, first.unitsReported, first.unitsExpected], [50, 1, 14]);
  assert.deepEqual([first.previousValue, first.previousUnitsReported, first.previousUnitsExpected], [40, 1, 3]);
  assert.equal(first.change, 25);
  assert.equal(first.partial, true);
  assert.equal(first.key, communes.join(','));
  assert.deepEqual(second.before, ['Bắc Sơn']);
  assert.equal(second.value, null);
  assert.equal(second.change, null);
  // A unit the catalog does not name (a catalog older than the aggregator's) shows its code; a
  // unit no reorganization touched is compared with itself, and has no "now" side.
  assert.deepEqual(third.before, ['unknown-unit']);
  assert.deepEqual(third.after, []);
});

test("a groups export holds the CLI's columns and both sides' names", () => {
  const group = { indicator: 'agri.herd.pigs', period: '2026-Q1', previous_period: '2025-Q1' };
  const answer = {
    indicator: 'agri.herd.pigs', period: '2026-Q1',
    groups: [
      { ...group, units_before: ['cao-loc', 'lang-son-city'], units_after: ['xa-cao-loc', 'phuong-dong-kinh'], value: 50.5,
        units_reported: 1, units_expected: 2, previous_value: 40.3, previous_units_reported: 2, previous_units_expected: 2,
        change_pct: 25.310174, partial: true },
      { ...group, units_before: ['bac-son'], units_after: ['xa-bac-son'], value: null, units_reported: 0, units_expected: 1,
        previous_value: null, previous_units_reported: 0, previous_units_expected: 1, change_pct: null, partial: true },
    ],
  };
  const rows = groupExportRows(answer, langSonCatalog());
  assert.deepEqual(rows[0], {
    indicator: 'agri.herd.pigs', period: '2026-Q1', units_after: 'xa-cao-loc,phuong-dong-kinh', value: 50.5,
    units_reported: 1, units_expected: 2, previous_period: '2025-Q1', units_before: 'cao-loc,lang-son-city',
    previous_value: 40.3, previous_units_reported: 2, previous_units_expected: 2, change_pct: 25.310174, flags: 'partial',
    names_after: 'Xã Cao Lộc, Phường Đông Kinh', names_before: 'Cao Lộc, Thành phố Lạng Sơn',
  });
  assert.deepEqual(Object.keys(rows[0]), GROUP_EXPORT_COLUMNS);
  const lines = toCsv(rows, GROUP_EXPORT_COLUMNS).split('\r\n');
  // The CLI's header (cli/query.cc GroupsToCsv), then the names.
  assert.equal(lines[0], '\ufeffindicator,period,units_after,value,units_reported,units_expected,previous_period,units_before,'
    + 'previous_value,previous_units_reported,previous_units_expected,change_pct,flags,names_after,names_before');
  assert.equal(lines[2], 'agri.herd.pigs,2026-Q1,xa-bac-son,,0,1,2025-Q1,bac-son,,0,1,,partial,Xã Bắc Sơn,Bắc Sơn');
});

test('no groups: an empty model, not an error', () => {
  const model = groupsModel({ indicator: 'agri.total', period: '2017-Q1', groups: [] }, catalog);
  assert.deepEqual(model.groups, []);
  assert.equal(model.previousPeriod, null);
});
