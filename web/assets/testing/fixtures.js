// What the dashboard's tests build their state from: aggregates as the web node's JSON holds them
// (cli/aggregate_json.cc), and a store holding them.
import { Store } from '../store.js';

export function aggregate(indicator, period, fields) {
  return { indicator, period, seq: 1, value: 0, pct_of_plan: null, yoy_pct: null, units_reported: 2, units_expected: 2,
           partial: false, partial_units: [], derived: false, ytd_value: null, warnings: [], ...fields };
}

export function storeOf(...aggregates) {
  const s = new Store();
  s.applySnapshot({ stream_id: 'x', seq: 9, aggregates });
  return s;
}
