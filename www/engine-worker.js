// The engine in a Web Worker (interface: engine.js), for networks too big to
// train on the page without freezing it (depth 64 x width 256 takes ~175 ms a
// step). The worker (worker.js) owns the Scope and answers each request with
// the bytes of a Frame, which the page decodes with the wasm: the engine's
// source is the last Frame, with the decision regions of the last Frame that
// carried them, so the charts are drawn on the page from plain data.
//
// One worker per figure while its configs stay big (`build(checked)` reuses
// it; a small config ends it). The page posts one request at a time and drops
// what a rebuild made stale. If the worker fails, `onError` hears it and the
// figure trains on the page instead.

let workerBlobUrl = null;

/**
 * A new worker: www/worker.js as a module, or in the single file
 * (`cargo xtask dist` -> dist/normscope.html) the classic script it carries in
 * NORMSCOPE_WORKER_SOURCE, from one blob URL the page keeps.
 */
function startWorker() {
  const source = globalThis.NORMSCOPE_WORKER_SOURCE;
  if (!source) return new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'normscope' });
  workerBlobUrl ??= URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  return new Worker(workerBlobUrl, { name: 'normscope' });
}

/**
 * What the worker's `init` asks for: every core (`navigator.hardwareConcurrency`)
 * on a cross-origin-isolated page with more than two, which may run the threaded
 * build; else one thread and why (`why`: the end of a `page.threads_why_*` key,
 * status.js). The single file never asks: its worker starts from a blob URL,
 * which cannot import the threaded package beside it, and file:// is never
 * isolated anyway. On two cores two threads were no faster than one: at depth
 * 64 x 256 a pool of two gave 4.0-6.8 chart updates/s (mean 5.1) against
 * 4.3-6.5 (mean 5.8) on one thread (tests/e2e/pageperf.mjs, six runs each in
 * alternating order, 2 cores, 2026-12-03), and it costs the threaded build's
 * download.
 */
function threadRequest() {
  const cores = navigator.hardwareConcurrency || 1;
  if (globalThis.NORMSCOPE_WORKER_SOURCE) return { threads: 1, why: 'single_file' };
  if (!globalThis.crossOriginIsolated) return { threads: 1, why: 'not_isolated' };
  if (cores < 2) return { threads: 1, why: 'one_core' };
  if (cores === 2) return { threads: 1, why: 'two_cores' };
  return { threads: cores };
}

/** During Play, the decision regions are recomputed at most this often. */
const DECISION_INTERVAL_MS = 1000;

/** A source (engine.js) of the frame `current`, drawing `decision` from `decisionFrame`. */
function frameSource(current, decisionFrame) {
  const of = (kind) => (kind === 'decision' ? decisionFrame : current);
  return {
    steps: current.steps,
    stats: () => current.stats(),
    diagnosis: () => current.diagnosis(),
    diverged: () => current.diverged(),
    statsCsv: () => current.statsCsv(),
    draw: (kind, canvas, options) => of(kind).draw(kind, canvas, options),
    describe: (kind, width, height, x, y, options) => of(kind).describe(kind, width, height, x, y, options),
    chartRange: (kind, options) => of(kind).chartRange(kind, options),
    frame: () => current,
    lookback: () => current.lookbackFrame(),
  };
}

export class WorkerEngine {
  /**
   * Starts a worker with the page's compiled module and builds `checked`
   * ({query, config}). `layer()` is the layer whose matrix frames carry;
   * `onFrame(remote, first)` runs when a frame is in (`first`: the first of
   * a build); `onError(error)` when the worker fails to load or a request
   * throws in it (the figure then trains on the page).
   */
  constructor(ns, checked, { layer, onFrame, onError }) {
    Object.assign(this, { ns, layer, onFrame, onError });
    this.where = 'worker';
    this.blocking = false;
    this.source = null;
    this.queue = []; // requests not yet posted: [{request, generation, resolve}]
    this.flight = null; // the one request the worker is handling
    this.nextId = 1;
    this.generation = 0;
    this.current = null; // the last Frame
    this.decision = null; // the last Frame with decision regions (may be `current`)
    this.decisionAt = -Infinity;
    this.extent = null; // setDecisionExtent
    this.timing = { stepMs: 0, frameMs: 0 };
    this.worker = startWorker();
    this.worker.onmessage = ({ data }) => this.receive(data);
    this.worker.onerror = (event) => this.fail(new Error(`the worker failed: ${event.message || 'it could not load'}`));
    this.worker.onmessageerror = () => this.fail(new Error('the worker sent a message the page cannot read'));
    this.threads = null; // {count, why, error} once the worker has started (status.js)
    this.enqueue({ type: 'init', module: ns.module, ...threadRequest() }, -1).then((reply) => {
      if (reply) this.threads = { count: reply.threads, why: reply.why || null, error: reply.error };
    });
    this.build(checked);
  }

  /**
   * Queues a request of `generation` (-1: any); resolves with its reply, or
   * with null when it was dropped (a rebuild made it stale, the worker failed,
   * the figure was destroyed). It never rejects: worker errors go to onError.
   * The page posts one request at a time, so a request queued after a rebuild
   * always runs on the new network.
   */
  enqueue(request, generation = this.generation) {
    return new Promise((resolve) => {
      this.queue.push({ request, generation, resolve });
      this.pump();
    });
  }

  pump() {
    while (!this.flight && this.queue.length && this.worker) {
      const item = this.queue.shift();
      if (item.generation !== -1 && item.generation !== this.generation) {
        item.resolve(null);
        continue;
      }
      this.flight = { ...item, id: this.nextId++ };
      // The decision regions cover the extent set when the request leaves, not when it was queued.
      const extent = item.request.decision ? { extent: this.extent ?? null } : {};
      this.worker.postMessage({ ...item.request, ...extent, id: this.flight.id });
    }
  }

  receive(reply) {
    const { flight } = this;
    if (!flight || reply.id !== flight.id) return;
    this.flight = null;
    if (reply.error) {
      flight.resolve(null);
      this.fail(new Error(reply.error));
      return;
    }
    flight.resolve(reply);
    this.pump();
  }

  /** Drops every request and reports `error` (once; the worker is ended). */
  fail(error) {
    if (!this.worker) return;
    this.free();
    this.onError?.(error);
  }

  /** Takes a frame reply of the current generation: decodes it and reports it. */
  accept(reply, generation) {
    if (!reply || generation !== this.generation || !this.worker) return false;
    const frame = new this.ns.Frame(reply.bytes);
    if (frame.hasDecision) {
      if (this.decision !== this.current) this.decision?.free();
      this.decision = frame;
    }
    if (this.current !== this.decision) this.current?.free();
    this.current = frame;
    this.source = frameSource(frame, this.decision || frame);
    this.timing = { stepMs: reply.taken ? reply.stepMs / reply.taken : this.timing.stepMs, frameMs: reply.frameMs };
    const first = this.awaitingFirst;
    this.awaitingFirst = false;
    this.onFrame?.(this, first);
    return true;
  }

  /**
   * Requests `request` and accepts its frame; resolves to the steps taken, or
   * null when the request was dropped. `playing`: the decision regions may be
   * up to DECISION_INTERVAL_MS old.
   */
  async framed(request, playing = false) {
    const generation = this.generation;
    const decision = !playing || performance.now() - this.decisionAt >= DECISION_INTERVAL_MS;
    if (decision) this.decisionAt = performance.now();
    const reply = await this.enqueue({ ...request, layer: this.layer(), decision }, generation);
    return this.accept(reply, generation) ? reply.taken : null;
  }

  /** Frees the frames held. */
  release() {
    if (this.decision !== this.current) this.decision?.free();
    this.current?.free();
    Object.assign(this, { current: null, decision: null, decisionAt: -Infinity, source: null });
  }

  /**
   * A new network from `checked` ({query, config}). Requests of the old one
   * still queued are dropped, so a dragged Depth slider costs the worker at
   * most the build in flight and the newest one.
   */
  build(checked) {
    this.generation += 1;
    this.checked = checked;
    this.memoryBytes = Math.max(this.memoryBytes || 0, checked.memoryBytes || 0); // engine.js returnsMemory
    this.release();
    this.awaitingFirst = true;
    this.timing = { stepMs: 0, frameMs: 0 };
    return this.framed({ type: 'build', query: checked.query }).then((taken) => taken !== null);
  }

  /** Up to n steps; resolves to the number taken once their frame is in (null if dropped). */
  step(n, { playing = false } = {}) {
    return this.framed({ type: 'step', n }, playing);
  }

  /**
   * Up to n steps without a frame (compare.js's lockstep takes its steps one
   * by one, and only the last needs a frame): resolves to the number taken (null
   * if dropped); `quietDiverged` then says whether training diverged, and
   * `steps` stays at the last frame's until the next frame (refresh()).
   */
  async stepQuietly(n) {
    const reply = await this.enqueue({ type: 'step', n, quiet: true });
    if (!reply) return null;
    this.quietDiverged = reply.diverged;
    return reply.taken;
  }

  /**
   * Switches BatchNorm's displayed pass to `mode` ('train' or 'eval', checked
   * by the caller) on the same network, as Scope.setMode: no rebuild, step and
   * history stay. Its frame arrives as any other.
   */
  setMode(mode) {
    const params = new URLSearchParams(this.checked.query);
    params.set('mode', mode);
    this.checked = { ...this.checked, query: params.toString(), config: { ...this.checked.config, mode } };
    return this.framed({ type: 'mode', mode });
  }

  /**
   * The rectangle the decision regions cover (engine.js). Requests not yet
   * posted carry the new one; a frame already made or on its way with the old
   * one is followed by a fresh frame.
   */
  setDecisionExtent(extent) {
    const same = String(extent ?? '') === String(this.extent ?? '');
    this.extent = extent ?? null;
    if (!same && (this.source || this.flight?.request.decision)) this.refresh();
  }

  /** A fresh frame of the current state (e.g. for another layer's matrix). */
  refresh() {
    const queued = this.queue.some((item) => item.request.type === 'frame' && item.generation === this.generation);
    return queued ? Promise.resolve(true) : this.framed({ type: 'frame' });
  }

  /** The snapshot JSON of the network as it is once the requests before this one are done. */
  async snapshotJson() {
    const reply = await this.enqueue({ type: 'snapshot' });
    if (!reply) throw new Error('the network changed before its snapshot was taken; try again');
    return reply.json;
  }

  /** The PyTorch script of the network, as snapshotJson(); throws what the core refuses. */
  async torchScript() {
    const reply = await this.enqueue({ type: 'torch' });
    if (!reply) throw new Error('the network changed before its script was written; try again');
    if (reply.refused) throw new Error(reply.refused);
    return reply.text;
  }

  query = () => this.checked.query;
  config = () => ({ ...this.checked.config });
  get steps() {
    return this.current ? this.current.steps : 0;
  }
  /** Whether a request is in flight or queued (its frame, if it brings one, is still to come). */
  get busy() {
    return Boolean(this.flight) || this.queue.length > 0;
  }
  perf = () => ({ engine: this.where, workerStepMs: this.timing.stepMs, workerFrameMs: this.timing.frameMs });

  /** Ends the worker; every request still queued or in flight resolves to null. */
  free() {
    this.generation += 1;
    this.worker?.terminate();
    this.worker = null;
    this.release();
    for (const item of [...(this.flight ? [this.flight] : []), ...this.queue]) item.resolve(null);
    this.flight = null;
    this.queue = [];
  }
}
