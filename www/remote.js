// A Scope that trains in a Web Worker, for networks too big to train on the
// page without freezing it (depth 64 x width 256 takes ~175 ms a step).
//
// It answers what the figure asks of a Scope: `query()`, `config()`,
// `steps`, `stats()`, `diverged()`, `draw()`, `describe()`, `statsCsv()`
// read the last Frame the worker sent (decoded by the wasm on the page), so
// the charts are drawn on the page from plain data, as DESIGN §5 planned.
// What needs the network is asynchronous: `step(n)` and `snapshotJson()`
// return Promises, and `onFrame()` is called whenever a new frame is in.
//
//   const remote = new RemoteScope(ns, checked, { layer: () => 3, onFrame, onError });
//
// One worker per figure, kept across rebuilds (`rebuild(checked)`); replies to
// requests made before a rebuild are dropped. If the worker fails, `onError`
// hears it and the figure trains on the page instead.

/**
 * Configs whose step costs more than this many FLOP train in a worker: about
 * 6 ms of wasm, so a step, its probe pass and the drawing no longer fit a
 * 30 frames/s frame. Below it the page trains itself, with no round trip.
 */
export const WORKER_FLOPS = 6e7;

/**
 * Whether this page can run normscope in a worker at all: not the single file
 * (it has no worker script to load), and not a page with an opaque origin (a
 * sandboxed iframe, file://), which may not start a worker from a URL.
 */
export function workersAvailable(ns) {
  return typeof Worker === 'function' && Boolean(ns.module) && !globalThis.NORMSCOPE_WASM_BASE64 && self.origin !== 'null';
}

/** During Play, the decision regions are recomputed at most this often. */
const DECISION_INTERVAL_MS = 1000;

export class RemoteScope {
  /**
   * Starts a worker with the page's compiled module and builds `checked`
   * ({query, config}). `layer()` is the layer whose matrix frames carry;
   * `onFrame(remote, first)` runs when a frame is in (`first`: the first of
   * a build); `onError(error)` when the worker
   * fails (it cannot load, or a request throws).
   */
  constructor(ns, checked, { layer, onFrame, onError }) {
    Object.assign(this, { ns, layer, onFrame, onError });
    this.pending = new Map(); // id -> {resolve, reject}
    this.nextId = 1;
    this.generation = 0;
    this.current = null; // the last Frame
    this.decision = null; // the last Frame with decision regions (may be `current`)
    this.decisionAt = -Infinity;
    this.timing = { stepMs: 0, frameMs: 0 };
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'normscope' });
    this.worker.onmessage = ({ data }) => this.receive(data);
    this.worker.onerror = (event) => this.fail(new Error(`the worker failed: ${event.message || 'it could not load'}`));
    this.worker.onmessageerror = () => this.fail(new Error('the worker sent a message the page cannot read'));
    // The worker handles requests in order: the build waits for the module.
    this.send({ type: 'init', module: ns.module }).catch((error) => this.fail(error));
    this.rebuild(checked);
  }

  /** Sends a request; resolves with the reply (or rejects with its error). */
  send(request, transfer = []) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id }, transfer);
    });
  }

  receive(reply) {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (reply.error) waiting.reject(new Error(reply.error));
    else waiting.resolve(reply);
  }

  fail(error) {
    if (!this.worker) return;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
    this.onError?.(error);
  }

  /** Takes a frame reply of the current generation: decodes it and reports it. */
  accept(reply, generation) {
    if (generation !== this.generation || !this.worker) return false;
    const frame = new this.ns.Frame(reply.bytes);
    if (frame.hasDecision) {
      if (this.decision !== this.current) this.decision?.free();
      this.decision = frame;
    }
    if (this.current !== this.decision) this.current?.free();
    this.current = frame;
    this.timing = { stepMs: reply.taken ? reply.stepMs / reply.taken : this.timing.stepMs, frameMs: reply.frameMs };
    const first = this.awaitingFirst;
    this.awaitingFirst = false;
    this.onFrame?.(this, first);
    return true;
  }

  /**
   * Request `request` and accept its frame; resolves to the steps taken (0 if
   * dropped). `playing`: the decision regions may be up to DECISION_INTERVAL_MS old.
   */
  async framed(request, playing = false) {
    const generation = this.generation;
    const decision = !playing || performance.now() - this.decisionAt >= DECISION_INTERVAL_MS;
    if (decision) this.decisionAt = performance.now();
    const reply = await this.send({ ...request, layer: this.layer(), decision });
    return this.accept(reply, generation) ? reply.taken : 0;
  }

  /** Frees the frames held. */
  release() {
    if (this.decision !== this.current) this.decision?.free();
    this.current?.free();
    Object.assign(this, { current: null, decision: null, decisionAt: -Infinity });
  }

  /** A new network from `checked` ({query, config}); earlier replies are dropped. */
  rebuild(checked) {
    this.generation += 1;
    this.checked = checked;
    this.release();
    this.awaitingFirst = true;
    this.timing = { stepMs: 0, frameMs: 0 };
    this.coalesced('build', () => ({ type: 'build', query: this.checked.query }));
  }

  /**
   * Sends `request()` unless a request of the same `kind` is on its way; then
   * sends it once that one is in, with the newest values. A dragged Depth
   * slider thus costs the worker at most two builds, not one per position.
   */
  coalesced(kind, request) {
    const flights = (this.flights ||= {});
    if (flights[kind]) {
      flights[kind] = 'again';
      return;
    }
    flights[kind] = 'sent';
    this.framed(request())
      .catch((error) => kind === 'build' && this.fail(error))
      .finally(() => {
        const again = flights[kind] === 'again';
        flights[kind] = null;
        if (again && this.worker) this.coalesced(kind, request);
      });
  }

  /** Up to n steps; resolves to the number taken once their frame is in. */
  step(n, playing = false) {
    return this.framed({ type: 'step', n }, playing);
  }

  /** A fresh frame of the current state (e.g. for another layer's matrix); coalesced. */
  refresh() {
    this.coalesced('frame', () => ({ type: 'frame' }));
  }

  async snapshotJson() {
    return (await this.send({ type: 'snapshot' })).json;
  }

  query = () => this.checked.query;
  config = () => ({ ...this.checked.config });
  get steps() {
    return this.current ? this.current.steps : 0;
  }
  get ready() {
    return Boolean(this.current);
  }
  stats = () => (this.current ? this.current.stats() : null);
  diverged = () => (this.current ? this.current.diverged() : undefined);
  statsCsv() {
    if (!this.current) throw new Error('the network is still being built');
    return this.current.statsCsv();
  }
  /** The frame chart `kind` is drawn from: the decision regions may be older. */
  source(kind) {
    return kind === 'decision' ? this.decision : this.current;
  }
  draw(kind, canvas, options) {
    this.source(kind)?.draw(kind, canvas, options);
  }
  describe(kind, width, height, x, y, options) {
    return this.source(kind)?.describe(kind, width, height, x, y, options) ?? '';
  }

  free() {
    this.generation += 1;
    this.worker?.terminate();
    this.worker = null;
    this.release();
    for (const waiting of this.pending.values()) waiting.reject(new Error('the figure was destroyed'));
    this.pending.clear();
  }
}
