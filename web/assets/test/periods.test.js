import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  choiceFromPeriod, choicesOf, daysOf, lastYear, latestPeriod, monthsOf, parsePeriod, subPeriodsOf,
} from '../periods.js';

test('periods parse as the aggregator writes them, and nothing else', () => {
  assert.deepEqual(parsePeriod('2017-Q1'), { year: 2017, type: 'quarter', index: 1 });
  assert.deepEqual(parsePeriod('2017-03'), { year: 2017, type: 'month', index: 3 });
  assert.deepEqual(parsePeriod('2017-H2'), { year: 2017, type: 'half', index: 2 });
  assert.deepEqual(parsePeriod('2017'), { year: 2017, type: 'year', index: 1 });
  for (const bad of ['2017-Q5', '2017-13', '2017-00', '17-Q1', '', null, '2017-Q1x']) assert.equal(parsePeriod(bad), null);
});

test('months of a period, and the same span a year earlier', () => {
  assert.deepEqual(monthsOf('2017-Q2'), ['2017-04', '2017-05', '2017-06']);
  assert.deepEqual(monthsOf('2017-H2'), ['2017-07', '2017-08', '2017-09', '2017-10', '2017-11', '2017-12']);
  assert.equal(monthsOf('2017').length, 12);
  assert.equal(lastYear('2017-Q1'), '2016-Q1');
  assert.equal(lastYear('2017-03'), '2016-03');
});

test('a choice is a quarter, a month, or a year to date up to a month', () => {
  assert.deepEqual(choiceFromPeriod('2017-Q1', 'quarter'), { kind: 'quarter', period: '2017-Q1' });
  assert.deepEqual(choiceFromPeriod('2017-Q1', 'ytd'), { kind: 'ytd', period: '2017-03' });
  assert.deepEqual(choiceFromPeriod('2017-05', 'ytd'), { kind: 'ytd', period: '2017-05' });
  assert.deepEqual(subPeriodsOf({ kind: 'quarter', period: '2017-Q2' }), ['2017-04', '2017-05', '2017-06']);
  assert.deepEqual(subPeriodsOf({ kind: 'ytd', period: '2017-03' }), ['2017-01', '2017-02', '2017-03']);
  assert.deepEqual(subPeriodsOf({ kind: 'month', period: '2017-03' }), []);
});

test('the page opens on the latest quarter that has figures', () => {
  const available = ['2016-Q1', '2017-03', '2017-Q1', '2016-Q4', '2017', '2017-H1', '2017-02'];
  assert.deepEqual(choicesOf(available, 'quarter'), ['2017-Q1', '2016-Q4', '2016-Q1']);
  assert.deepEqual(choicesOf(available, 'month'), ['2017-03', '2017-02']);
  assert.equal(latestPeriod(available), '2017-Q1');
  assert.equal(latestPeriod(['2017-02']), '2017-02');
  assert.equal(latestPeriod([]), null);
});

test('the days of a period, as text that compares as dates', () => {
  assert.deepEqual(daysOf('2026-Q1'), { first: '2026-01-01', last: '2026-03-31' });
  assert.deepEqual(daysOf('2025-06'), { first: '2025-06-01', last: '2025-06-31' });
  assert.ok(daysOf('2025-06').last >= '2025-06-30' && daysOf('2025-06').last < '2025-07-01');
  assert.deepEqual(daysOf('2025'), { first: '2025-01-01', last: '2025-12-31' });
});
