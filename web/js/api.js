// Talking to the PigWeight server: JSON requests with the server's error shape turned into an
// ApiError the UI can show as is, and one shared WebSocket with topic subscriptions that survives
// reconnects. Nothing here touches the DOM.

/** An error answer of the API: {"error":{"code","message","field"?}} plus the HTTP status. */
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

async function errorFrom(res) {
  let body = null;
  try { body = await res.json(); } catch { /* not JSON: fall through */ }
  const e = body && body.error;
  return new ApiError(res.status, e?.code || `http_${res.status}`, e?.message || `${res.status} ${res.statusText}`, e?.field);
}

/** fetch() that throws ApiError for non-2xx answers and for network failures. */
export async function request(method, path, body, { signal, headers } = {}) {
  const init = { method, signal, headers: { ...headers } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', String(err.message || err));
  }
  if (!res.ok) throw await errorFrom(res);
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  return type.includes('json') ? res.json() : res.text();
}

export const getJSON = (path, opts) => request('GET', path, undefined, opts);
export const postJSON = (path, body, opts) => request('POST', path, body, opts);
export const patchJSON = (path, body, opts) => request('PATCH', path, body, opts);
export const del = (path, opts) => request('DELETE', path, undefined, opts);

/** GET that answers null for 404 (a route or a resource that does not exist yet). */
export async function getOptional(path, opts) {
  try {
    return await getJSON(path, opts);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 501)) return null;
    throw err;
  }
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Which messages belong to a topic: the server's messages carry a "type", not the topic. */
function defaultAccepts(topic) {
  const [kind, id] = topic.split(':');
  if (id !== undefined) return (m) => m[kind] === id || m[`${kind}_id`] === id;   // video:<id>, camera:<id>
  if (topic === 'weighings') return (m) => m.type === 'weighing';
  return (m) => m.type === topic || m.topic === topic;
}

/**
 * One WebSocket for the page. subscribe(topic, fn[, accepts]) asks the server for a topic and
 * calls fn for each message of it; it returns an unsubscribe function. onState(fn) reports
 * 'online' / 'offline'.
 */
class Socket {
  constructor() {
    this.handlers = new Map();  // topic -> Set<fn>
    this.stateHandlers = new Set();
    this.ws = null;
    this.retryMs = 500;
  }

  start() {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    this.ws = ws;
    ws.onopen = () => {
      this.retryMs = 500;
      this.send({ op: 'subscribe', topics: [...this.handlers.keys()] });
      this.stateHandlers.forEach((fn) => fn('online'));
    };
    ws.onmessage = (ev) => {
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      for (const { accepts, fns } of this.handlers.values()) if (accepts(msg)) fns.forEach((fn) => fn(msg));
    };
    ws.onclose = () => {
      this.stateHandlers.forEach((fn) => fn('offline'));
      setTimeout(() => this.start(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 5000);
    };
  }

  send(obj) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(obj));
  }

  subscribe(topic, fn, accepts = defaultAccepts(topic)) {
    if (!this.handlers.has(topic)) {
      this.handlers.set(topic, { accepts, fns: new Set() });
      this.send({ op: 'subscribe', topics: [topic] });
    }
    this.handlers.get(topic).fns.add(fn);
    return () => {
      const entry = this.handlers.get(topic);
      entry?.fns.delete(fn);
      if (entry && entry.fns.size === 0) {
        this.handlers.delete(topic);
        this.send({ op: 'unsubscribe', topics: [topic] });
      }
    };
  }

  onState(fn) { this.stateHandlers.add(fn); }
}

export const socket = new Socket();
