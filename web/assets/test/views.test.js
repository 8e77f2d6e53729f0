import assert from 'node:assert/strict';
import { test } from 'node:test';

import { rowOf } from '../model.js';
import { partialText, warningText } from '../views.js';
import { aggregate, storeOf } from '../testing/fixtures.js';

const catalog = {
  sectors: [{ code: 'agriculture', title: 'Sản xuất nông nghiệp' }],
  indicators: [{ id: 'agri.total', sector: 'agriculture', name: 'Tổng diện tích', unit: 'ha', part_of: '', parts_rule: '<=',
    expected_units: ['a'] }],
  units: [{ code: 'a', name: 'Cao Lộc' }],
};

// The row of agri.total in 2017-Q1 whose aggregate has these fields.
function rowWith(fields) {
  return rowOf(storeOf(aggregate('agri.total', '2017-Q1', { value: 2000, ...fields })), catalog, catalog.indicators[0],
    { kind: 'quarter', period: '2017-Q1' });
}

test('a warning is said in the page\'s language, from the two texts the node sends', () => {
  const row = rowWith({ warnings: [{ rule: 'parts_sum', units: ['agri.rice', 'agri.maize'], parts_sum: 2100.5,
    text: 'the parts add up to 2100.5, above the total 2000 (<= in the catalog)',
    text_vi: 'các thành phần cộng lại được 2.100,5 ha, vượt tổng số 2.000 ha' }] });
  assert.deepEqual(row.warnings.map((w) => warningText(w, 'vi')), ['các thành phần cộng lại được 2.100,5 ha, vượt tổng số 2.000 ha']);
  assert.deepEqual(row.warnings.map((w) => warningText(w, 'en')),
    ['the parts add up to 2100.5, above the total 2000 (<= in the catalog)']);
});

test('why a total is partial because of the level below, likewise', () => {
  const row = rowWith({ partial: true, partial_reason: 'a: 9 of 10 units (x: 1 of 2 units)',
    partial_units: [{ unit: 'a', units_reported: 9, units_expected: 10 }],
    partial_text_vi: 'Cao Lộc: 9/10 đơn vị cấp dưới đã báo cáo' });
  assert.equal(partialText(row, 'vi'), 'Cao Lộc: 9/10 đơn vị cấp dưới đã báo cáo');
  // English keeps the node's reason, which also says who is missing further down.
  assert.equal(partialText(row, 'en'), 'a: 9 of 10 units (x: 1 of 2 units)');
});
