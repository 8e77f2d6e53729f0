import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  formatChange, formatDuration, formatNumber, formatPercent, parseNumber, periodName, yearToDateName,
} from '../format.js';

test('numbers in Vietnamese group thousands with dots and decimals after a comma', () => {
  assert.equal(formatNumber(23134, 'vi'), '23.134');
  assert.equal(formatNumber(4325.9, 'vi'), '4.325,9');
  assert.equal(formatNumber(1234567.125, 'vi'), '1.234.567,125');
  assert.equal(formatNumber(0.5, 'vi'), '0,5');
  assert.equal(formatNumber(-2.6, 'vi'), '-2,6');
  assert.equal(formatNumber(1.23456, 'vi'), '1,235', 'three decimals at most');
  assert.equal(formatNumber(4325.9, 'en'), '4,325.9');
});

test('percentages, changes and unknowns', () => {
  assert.equal(formatPercent(22.58, 'vi'), '22,58%');
  assert.equal(formatPercent(35, 'vi'), '35%');
  assert.equal(formatPercent(22.5849, 'vi'), '22,58%');
  assert.equal(formatChange(9.9, 'vi'), '+9,9%');
  assert.equal(formatChange(-2.6, 'vi'), '-2,6%');
  assert.equal(formatChange(0, 'vi'), '0%');
  assert.equal(formatChange(-2.6, 'en'), '-2.6%');
  for (const unknown of [null, undefined, NaN, Infinity, '12']) {
    assert.equal(formatNumber(unknown, 'vi'), '–');
    assert.equal(formatPercent(unknown, 'vi'), '–');
    assert.equal(formatChange(unknown, 'vi'), '–');
  }
});

test('what the page wrote reads back', () => {
  for (const value of [23134, 4325.9, -2.6, 0.125, 1234567.5]) {
    assert.equal(parseNumber(formatNumber(value, 'vi'), 'vi'), value);
    assert.equal(parseNumber(formatNumber(value, 'en'), 'en'), value);
  }
  assert.equal(parseNumber('22,58%', 'vi'), 22.58);
  assert.ok(Number.isNaN(parseNumber('–', 'vi')));
});

test('periods are named as the report names them', () => {
  assert.equal(periodName('2017-Q1', 'vi'), 'quý I năm 2017');
  assert.equal(periodName('2017-Q4', 'vi'), 'quý IV năm 2017');
  assert.equal(periodName('2017-03', 'vi'), 'tháng 3 năm 2017');
  assert.equal(periodName('2017-H1', 'vi'), '6 tháng đầu năm 2017');
  assert.equal(periodName('2017', 'vi'), 'năm 2017');
  assert.equal(periodName('2017-Q1', 'en'), 'Q1 2017');
  assert.equal(periodName('2017-03', 'en'), 'March 2017');
  assert.equal(yearToDateName('2017-03', 'vi'), 'từ tháng 1 đến tháng 3 năm 2017');
  assert.equal(yearToDateName('2017-01', 'vi'), 'tháng 1 năm 2017');
  assert.equal(yearToDateName('2017-03', 'en'), 'January to March 2017');
});

test('durations', () => {
  assert.equal(formatDuration(4_200, 'vi'), '4 giây');
  assert.equal(formatDuration(75_000, 'vi'), '1 phút 15 giây');
  assert.equal(formatDuration(3_725_000, 'en'), '1 h 2 min');
  assert.equal(formatDuration(-5, 'en'), '0 s');
});
