import assert from 'node:assert/strict';
import { test } from 'node:test';

import { rowOf } from '../model.js';
import { partialText, warningText } from '../views.js';
import { aggregate, storeOf } from '../testing/fixtures.js';

const catalog = {
  sectors: [{ code: 'agriculture', title: 'Sản xuất nông nghiệp' }, { code: 'trade', title: 'Thương mại' }],
  indicators: [
    { id: 'agri.total', sector: 'agriculture', name: 'Tổng diện tích', unit: 'ha', part_of: '', parts_rule: '<=',
      expected_units: ['a', 'b'] },
    { id: 'agri.rice', sector: 'agriculture', name: 'Lúa xuân', unit: 'ha', part_of: 'agri.total', parts_rule: '',
      expected_units: ['a', 'b'] },
    { id: 'agri.maize', sector: 'agriculture', name: 'Ngô', unit: 'ha', part_of: 'agri.total', parts_rule: '',
      expected_units: ['a', 'b'] },
    { id: 'trade.total', sector: 'trade', name: 'Tổng mức bán lẻ', unit: 'tỷ đồng', part_of: '', parts_rule: '=',
      expected_units: ['c'] },
  ],
  units: [{ code: 'a', name: 'Cao Lộc' }, { code: 'b', name: 'Lộc Bình' }, { code: 'c', name: 'Sở Công Thương' }],
};

// One quarter's aggregate of `indicator`.
function quarter(indicator, value, warnings = []) {
  return aggregate(indicator, '2017-Q1', { value, warnings });
}

// The warnings of `indicator`'s row as the page says them.
function said(aggregates, indicator, lang = 'vi') {
  const row = rowOf(storeOf(...aggregates), catalog, catalog.indicators.find((i) => i.id === indicator), { kind: 'quarter', period: '2017-Q1' });
  return row.warnings.map((w) => warningText(w, lang));
}

const partsExceed = { rule: 'parts_sum', units: ['agri.rice', 'agri.maize'], text: 'parts add up to 2100.5, above the total 2000 (<= in the catalog)' };

test('a parts_sum warning gives the parts\' sum and the total, with the unit, as watch and report --draft do', () => {
  const parts = [quarter('agri.rice', 1500), quarter('agri.maize', 600.5)];
  assert.deepEqual(said([quarter('agri.total', 2000, [partsExceed]), ...parts], 'agri.total'),
    ['các thành phần cộng lại được 2.100,5 ha, vượt tổng số 2.000 ha']);
  // Parts that must add up to the total "do not match" it.
  const tradeParts = { rule: 'parts_sum', units: [], text: 'parts add up to 403.62, not equal to the total 408.93' };
  assert.deepEqual(said([quarter('trade.total', 408.93, [tradeParts])], 'trade.total'),
    ['các thành phần cộng lại không khớp với tổng số 408,93 tỷ đồng']);
});

test('without every part\'s figure the page names no sum, rather than a wrong one', () => {
  assert.deepEqual(said([quarter('agri.total', 2000, [partsExceed]), quarter('agri.rice', 1500)], 'agri.total'),
    ['các thành phần cộng lại vượt tổng số 2.000 ha']);
});

test('a min_max warning names the units out of range, from the catalog', () => {
  const outOfRange = { rule: 'min_max', units: ['a', 'zz'], text: 'cao-loc: 9e9 is above the maximum' };
  assert.deepEqual(said([quarter('agri.total', 2000, [outOfRange])], 'agri.total'),
    ['số liệu của Cao Lộc, zz nằm ngoài khoảng giá trị cho phép']);
});

test('in English, and for a rule the page does not know, the node\'s own text', () => {
  const unknown = { rule: 'new_rule', units: [], text: 'something new' };
  assert.deepEqual(said([quarter('agri.total', 2000, [partsExceed, unknown])], 'agri.total', 'en'),
    [partsExceed.text, 'something new']);
  assert.deepEqual(said([quarter('agri.total', 2000, [unknown])], 'agri.total'), ['something new']);
});

test('a total partial because a unit\'s own total is partial names the unit and its counts in Vietnamese', () => {
  const reason = 'a: 9 of 10 units (x: 1 of 2 units); b: 4 of 5 units';
  const partialUnits = [{ unit: 'a', units_reported: 9, units_expected: 10 }, { unit: 'b', units_reported: 4, units_expected: 5 }];
  const rowWith = (fields) => rowOf(storeOf(aggregate('agri.total', '2017-Q1', { value: 30, partial: true, partial_reason: reason, ...fields })),
    catalog, catalog.indicators[0], { kind: 'quarter', period: '2017-Q1' });
  const row = rowWith({ partial_units: partialUnits });
  assert.equal(partialText(row, 'vi'), 'Cao Lộc: 9/10 đơn vị cấp dưới đã báo cáo; Lộc Bình: 4/5 đơn vị cấp dưới đã báo cáo');
  // English keeps the node's reason, which also says who is missing further down.
  assert.equal(partialText(row, 'en'), reason);
  // A version stored before the counts: its reason, rather than nothing.
  assert.equal(partialText(rowWith({}), 'vi'), reason);
});
