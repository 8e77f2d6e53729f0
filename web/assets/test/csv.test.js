import assert from 'node:assert/strict';
import { test } from 'node:test';

import { toCsv, toJson } from '../csv.js';

test('CSV quotes what needs quoting and starts with a byte-order mark', () => {
  const csv = toCsv([{ name: 'Lúa, "xuân"', value: 5180, note: null }, { name: 'Ngô\nxuân', value: -2.5, note: 'x' }],
    ['name', 'value', 'note']);
  assert.equal(csv, '\ufeffname,value,note\r\n"Lúa, ""xuân""",5180,\r\n"Ngô\nxuân",-2.5,x\r\n');
});

test('JSON keeps exact numbers', () => {
  assert.deepEqual(JSON.parse(toJson([{ value: 23134.125 }])), [{ value: 23134.125 }]);
});
