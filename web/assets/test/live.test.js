import assert from 'node:assert/strict';
import { test } from 'node:test';

import { LiveStream, healthOf } from '../live.js';

const base = { connected: true, everConnected: true, lastHeardMs: 10_000, silenceMs: 15_000, nowMs: 11_000 };

test('live while the node says so and keeps talking', () => {
  const status = { state: 'live', since_ms: 0, now_ms: 0, receivedAt: 10_000 };
  assert.deepEqual(healthOf({ ...base, status }), { state: 'live', reason: '', staleSinceMs: null });
});

test("stale since the node's own time, carried over to the page's clock", () => {
  // The node's clock is an hour ahead; it has been stale for 4 s by it.
  const status = { state: 'stale', reason_code: 'publisher_unreachable', since_ms: 3_600_006_000, now_ms: 3_600_010_000, receivedAt: 10_000 };
  assert.deepEqual(healthOf({ ...base, status }), { state: 'stale', reason: 'publisher_unreachable', staleSinceMs: 6_000 });
});

test('a node silent longer than it promised, or a closed stream, is unreachable', () => {
  const status = { state: 'live', since_ms: 0, now_ms: 0, receivedAt: 10_000 };
  assert.equal(healthOf({ ...base, status, nowMs: 30_000 }).reason, 'web_unreachable');
  assert.deepEqual(healthOf({ ...base, status, connected: false }), { state: 'stale', reason: 'web_unreachable', staleSinceMs: 10_000 });
  assert.equal(healthOf({ ...base, status: null, everConnected: false, connected: false }).state, 'connecting');
});

test('the stream hands events on and reports the health', () => {
  class FakeEventSource {
    constructor(url) { this.url = url; this.listeners = {}; this.readyState = 0; FakeEventSource.last = this; }
    addEventListener(type, listener) { this.listeners[type] = listener; }
    emit(type, data) { this.listeners[type]({ data: JSON.stringify(data) }); }
    close() { this.closed = true; }
  }
  let now = 1_000;
  const seen = { snapshots: [], versions: [], health: [] };
  const stream = new LiveStream({
    url: '/api/v1/stream', EventSourceImpl: FakeEventSource, now: () => now, silenceMs: 5_000,
    handlers: { onSnapshot: (s) => seen.snapshots.push(s), onVersion: (v) => seen.versions.push(v), onHealth: (h) => seen.health.push(h) },
  });
  stream.start();
  const source = FakeEventSource.last;
  assert.equal(source.url, '/api/v1/stream');
  source.emit('snapshot', { seq: 3, aggregates: [] });
  source.emit('status', { state: 'live', since_ms: 1, now_ms: 1 });
  source.emit('version', { seq: 4 });
  assert.equal(seen.snapshots.length, 1);
  assert.deepEqual(seen.versions, [{ seq: 4 }]);
  assert.equal(seen.health.at(-1).state, 'live');
  now += 6_000;
  assert.equal(stream.health().reason, 'web_unreachable');
  stream.stop();
  assert.ok(source.closed);
});
