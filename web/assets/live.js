// The page's link to the node's event stream (GET /api/v1/stream, Server-Sent Events), and the
// marker that says whether what the page shows is live. The browser's EventSource reconnects by
// itself and sends the last event id, so the node replays what the page missed, or a snapshot.

// What the marker says: {state: 'connecting'|'live'|'stale', reason, staleSinceMs}, from
//  - connected: whether the stream is open now;
//  - status: the node's last status event ({state, reason_code, since_ms, now_ms}), with
//    receivedAt, when the page got it (the clocks of node and browser may differ);
//  - lastHeardMs: when the page last got anything on the stream;
//  - silenceMs: longer without a word (the node sends a status at least every few seconds)
//    means the node is gone even if the browser has not noticed.
export function healthOf({ connected, everConnected, status, lastHeardMs, silenceMs, nowMs }) {
  const unreachable = !connected || nowMs - lastHeardMs > silenceMs;
  if (unreachable && everConnected) return { state: 'stale', reason: 'web_unreachable', staleSinceMs: lastHeardMs };
  if (!everConnected || !status) return { state: 'connecting', reason: '', staleSinceMs: null };
  if (status.state === 'live') return { state: 'live', reason: '', staleSinceMs: null };
  // The node says since when, by its clock: carried over to the page's.
  const since = status.receivedAt - (status.now_ms - status.since_ms);
  if (status.state === 'starting') return { state: 'connecting', reason: 'starting', staleSinceMs: since };
  return { state: 'stale', reason: status.reason_code || 'resyncing', staleSinceMs: since };
}

export class LiveStream {
  // handlers: onSnapshot(data), onVersion(data), onHealth(health). `silenceMs` should be a few
  // times the node's --stream_keepalive_ms.
  constructor({ url, handlers, silenceMs = 15000, EventSourceImpl = globalThis.EventSource, now = () => Date.now() }) {
    this.url = url;
    this.handlers = handlers;
    this.silenceMs = silenceMs;
    this.EventSourceImpl = EventSourceImpl;
    this.now = now;
    this.source = null;
    this.connected = false;
    this.everConnected = false;
    this.status = null;
    this.lastHeardMs = now();
    this.timer = null;
  }

  start() {
    const source = new this.EventSourceImpl(this.url);
    this.source = source;
    source.addEventListener('open', () => this.heard(() => { this.connected = true; this.everConnected = true; }));
    source.addEventListener('error', () => {
      this.connected = source.readyState === 1;
      this.report();
    });
    source.addEventListener('snapshot', (e) => this.heard(() => this.handlers.onSnapshot(JSON.parse(e.data))));
    source.addEventListener('version', (e) => this.heard(() => this.handlers.onVersion(JSON.parse(e.data))));
    source.addEventListener('status', (e) => this.heard(() => {
      this.status = { ...JSON.parse(e.data), receivedAt: this.now() };
    }));
    this.timer = setInterval(() => this.report(), 1000);
  }

  stop() {
    this.source?.close();
    clearInterval(this.timer);
  }

  heard(apply) {
    this.lastHeardMs = this.now();
    this.connected = true;
    this.everConnected = true;
    apply();
    this.report();
  }

  health() {
    return healthOf({
      connected: this.connected, everConnected: this.everConnected, status: this.status,
      lastHeardMs: this.lastHeardMs, silenceMs: this.silenceMs, nowMs: this.now(),
    });
  }

  report() {
    this.handlers.onHealth(this.health());
  }
}
