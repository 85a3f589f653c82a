// Live job status. EventSource cannot send an Authorization header, so the
// console reads the API's text/event-stream with fetch() and parses it here
// (the WHATWG event-stream format: data/event/id/retry fields, comments as
// heartbeats, Last-Event-ID on reconnect). Where the API has no event
// stream (the route answers 404) it polls GET /api/v1/jobs/{id} every second.
import { ApiError, errorFrom } from './api.js';

/** The event stream route answered 404: this API has no events. */
export class NoEventStream extends Error {
  constructor() {
    super('This API has no event stream.');
    this.name = 'NoEventStream';
  }
}

/**
 * EventStreamParser turns text chunks, split anywhere, into events
 * {type, data, id}. lastEventId and retry follow the stream's id and retry
 * fields, as a browser's EventSource keeps them.
 */
export class EventStreamParser {
  constructor(onEvent, { onComment } = {}) {
    this.onEvent = onEvent;
    this.onComment = onComment;
    this.lastEventId = '';
    this.retry = undefined;
    this.buf = '';
    this.data = [];
    this.type = '';
  }

  /** feed parses the next chunk of the stream. */
  feed(chunk) {
    this.buf += chunk;
    let start = 0;
    for (let i = 0; i < this.buf.length; i++) {
      const c = this.buf[i];
      if (c !== '\n' && c !== '\r') continue;
      if (c === '\r' && i + 1 === this.buf.length) break; // a \r\n may be split across chunks
      const line = this.buf.slice(start, i);
      if (c === '\r' && this.buf[i + 1] === '\n') i++;
      start = i + 1;
      this.#line(line);
    }
    this.buf = this.buf.slice(start);
  }

  #line(line) {
    if (line === '') {
      this.#dispatch();
      return;
    }
    if (line.startsWith(':')) {
      this.onComment?.(line.slice(1).trim());
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data': this.data.push(value); break;
      case 'event': this.type = value; break;
      case 'id': if (!value.includes('\0')) this.lastEventId = value; break;
      case 'retry': if (/^\d+$/.test(value)) this.retry = Number(value); break;
      default: break; // unknown fields are ignored, as the format says
    }
  }

  #dispatch() {
    const data = this.data;
    const type = this.type || 'message';
    this.data = [];
    this.type = '';
    if (data.length === 0) return;
    this.onEvent({ type, data: data.join('\n'), id: this.lastEventId });
  }
}

/**
 * streamEvents reads one connection of an event stream until it ends.
 * state {lastEventId, retry} carries across reconnections: it is sent as
 * Last-Event-ID and updated as events arrive. Throws NoEventStream on 404,
 * an ApiError on another failed status.
 */
export async function streamEvents(url, { headers, state, signal, onOpen, onEvent, onComment }) {
  const h = new Headers(headers);
  h.set('Accept', 'text/event-stream');
  if (state.lastEventId) h.set('Last-Event-ID', state.lastEventId);
  let res;
  try {
    res = await fetch(url, { headers: h, signal, cache: 'no-store' });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', `The event stream ${url} cannot be reached: ${err.message}`);
  }
  if (res.status === 404) throw new NoEventStream();
  if (!res.ok) throw await errorFrom(res);
  const type = res.headers.get('Content-Type') || '';
  if (!type.startsWith('text/event-stream')) {
    res.body?.cancel();
    throw new ApiError(res.status, 'invalid', `${url} answered ${type || 'no content type'}, not text/event-stream.`);
  }
  onOpen?.();
  const parser = new EventStreamParser(onEvent, { onComment });
  parser.lastEventId = state.lastEventId || '';
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(value);
      state.lastEventId = parser.lastEventId;
      if (parser.retry !== undefined) state.retry = parser.retry;
    }
  } finally {
    state.lastEventId = parser.lastEventId;
    reader.cancel().catch(() => {});
  }
}

const terminal = new Set(['completed', 'failed', 'cancelled']);

/** Whether a job status is final. */
export function finished(job) {
  return terminal.has(job?.status);
}

const sleep = (ms, signal) => new Promise((resolve) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

/**
 * JobWatcher keeps the status of the caller's jobs current. It follows
 * GET /api/v1/events (every job of the caller, one connection however many
 * jobs) and falls back to polling each unfinished job it watches when that
 * route answers 404. mode is 'connecting', 'stream', 'reconnecting', 'poll'
 * or 'stopped'.
 */
export class JobWatcher {
  static eventsPath = '/api/v1/events';
  static pollInterval = 1000;

  constructor(api, { onChange = () => {}, onMode = () => {}, onError = () => {} } = {}) {
    this.api = api;
    this.onChange = onChange;
    this.onMode = onMode;
    this.onError = onError;
    this.jobs = new Map();
    this.waiters = new Map();
    this.mode = 'stopped';
    this.ctl = null;
    this.pollTimer = 0;
  }

  start() {
    this.stop();
    this.ctl = new AbortController();
    this.#setMode('connecting');
    this.#follow(this.ctl.signal);
  }

  stop() {
    this.ctl?.abort();
    this.ctl = null;
    clearTimeout(this.pollTimer);
    this.pollTimer = 0;
    this.#setMode('stopped');
  }

  /** watch follows a job (as answered by the API) and shows it now. */
  watch(job) {
    this.update(job);
    if (finished(job)) return;
    if (this.mode === 'poll') this.#schedulePoll(JobWatcher.pollInterval);
    else if (this.mode === 'stream') this.#refresh(job.id); // in case it changed before we subscribed
  }

  /** until resolves with the job once it is finished. */
  until(id) {
    const job = this.jobs.get(id);
    if (finished(job)) return Promise.resolve(job);
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(id) || [];
      list.push({ resolve, reject });
      this.waiters.set(id, list);
    });
  }

  /** update records a job state from any source, ignoring stale ones. */
  update(job) {
    if (!job?.id || !job.status) return;
    const old = this.jobs.get(job.id);
    if (old) {
      if (finished(old) && !finished(job)) return; // a late event of an older state
      if (Date.parse(job.updated_at) < Date.parse(old.updated_at)) return; // NaN (no time) compares false
      if (old.status === job.status && old.progress === job.progress && old.updated_at === job.updated_at) return;
    }
    const merged = { ...old, ...job };
    this.jobs.set(job.id, merged);
    this.onChange(merged);
    if (finished(merged)) {
      for (const w of this.waiters.get(job.id) || []) w.resolve(merged);
      this.waiters.delete(job.id);
    }
  }

  #setMode(mode) {
    if (this.mode === mode) return;
    this.mode = mode;
    this.onMode(mode);
  }

  #pending() {
    return [...this.jobs.values()].filter((j) => !finished(j)).map((j) => j.id);
  }

  async #follow(signal) {
    const state = { lastEventId: '', retry: 1000 };
    let failures = 0;
    while (!signal.aborted) {
      try {
        await streamEvents(JobWatcher.eventsPath, {
          headers: this.api.headers(), state, signal,
          onOpen: () => {
            failures = 0;
            this.#setMode('stream');
            for (const id of this.#pending()) this.#refresh(id);
          },
          onEvent: (ev) => this.#event(ev),
        });
      } catch (err) {
        if (signal.aborted || err.name === 'AbortError') return;
        if (err instanceof NoEventStream) {
          this.#setMode('poll');
          this.#schedulePoll(0);
          return;
        }
        if (err.status === 401) {
          this.api.onUnauthorized?.(err);
          return;
        }
        if (failures++ === 0) this.onError(err);
      }
      if (signal.aborted) return;
      this.#setMode('reconnecting');
      await sleep(Math.min(state.retry * 2 ** Math.min(failures, 4), 15000), signal);
    }
  }

  #event(ev) {
    let job;
    try {
      job = JSON.parse(ev.data);
    } catch {
      return; // not a job status (another kind of event)
    }
    this.update(job);
  }

  async #refresh(id) {
    try {
      this.update(await this.api.json('GET', `/api/v1/jobs/${id}`));
    } catch (err) {
      this.#lost(id, err);
    }
  }

  #lost(id, err) {
    if (err.status === 404) { // the job (or its file) was deleted
      this.jobs.delete(id);
      for (const w of this.waiters.get(id) || []) w.reject(err);
      this.waiters.delete(id);
      return;
    }
    this.onError(err);
  }

  #schedulePoll(delay) {
    if (this.pollTimer || this.mode !== 'poll') return;
    this.pollTimer = setTimeout(async () => {
      await Promise.all(this.#pending().map((id) => this.#refresh(id)));
      this.pollTimer = 0;
      if (this.mode === 'poll' && this.#pending().length) this.#schedulePoll(JobWatcher.pollInterval);
    }, delay);
  }
}
