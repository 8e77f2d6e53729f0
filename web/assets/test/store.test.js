import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Store } from '../store.js';

const a = (indicator, period, seq, value) => ({ indicator, period, seq, value });

test('a version replaces the held one only when its seq is higher', () => {
  const store = new Store();
  store.applySnapshot({ stream_id: 'ab', seq: 10, aggregates: [a('agri.x', '2017-Q1', 9, 1), a('agri.y', '2017-Q1', 10, 2)] });
  assert.equal(store.get('agri.x', '2017-Q1').value, 1);
  assert.equal(store.applyVersion(a('agri.x', '2017-Q1', 11, 3)), true);
  assert.equal(store.applyVersion(a('agri.x', '2017-Q1', 8, 0)), false, 'older');
  assert.equal(store.applyVersion(a('agri.x', '2017-Q1', 11, 4)), false, 'the same seq again');
  assert.equal(store.get('agri.x', '2017-Q1').value, 3);
  assert.equal(store.seq, 11);
  assert.equal(store.get('agri.x', '2016-Q1'), null);
});

test('a snapshot replaces everything, even a newer version of another stream', () => {
  const store = new Store();
  store.applySnapshot({ stream_id: 'ab', seq: 50, aggregates: [a('agri.x', '2017-Q1', 50, 1)] });
  store.applySnapshot({ stream_id: 'cd', seq: 3, aggregates: [a('agri.y', '2017-Q2', 3, 2)] });
  assert.equal(store.get('agri.x', '2017-Q1'), null);
  assert.equal(store.streamId, 'cd');
  assert.deepEqual(store.periods(), ['2017-Q2']);
});

test('a deletion removes the aggregate, and a later version brings it back', () => {
  const store = new Store();
  store.applySnapshot({ stream_id: 'ab', seq: 10, aggregates: [a('agri.x', '2030-Q1', 9, 1), a('agri.y', '2017-Q1', 10, 2)] });
  assert.equal(store.applyVersion({ indicator: 'agri.x', period: '2030-Q1', deleted: true, seq: 12 }), true);
  assert.equal(store.get('agri.x', '2030-Q1'), null);
  assert.deepEqual(store.periods(), ['2017-Q1']);
  assert.equal(store.seq, 12);
  assert.equal(store.applyVersion(a('agri.x', '2030-Q1', 13, 5)), true);
  assert.equal(store.get('agri.x', '2030-Q1').value, 5);
});
